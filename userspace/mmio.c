// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the MMIO bus and the completion of a guest's access to it
 * (mmio.h).  The access is decoded from the message's instruction bytes,
 * or from guest memory at CS:RIP when it has none; the device is called
 * under the worker's device lock; the loaded register and RIP past the
 * instruction are written with HVPART_SET_VP_REGISTERS.  An instruction
 * the decoder does not know, or one that does not do what the intercept
 * says (a load reported as a write, a fetch), stops the guest: hvctl
 * never skips what it did not emulate.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "cli.h"
#include "insn.h"
#include "mmio.h"
#include "worker.h"

int mmio_bus_add(struct mmio_bus *bus, struct mmio_device *dev)
{
	unsigned int i;

	if (!dev->size || dev->base + dev->size < dev->base)
		return -EINVAL;
	if (bus->nr_devs == MMIO_BUS_MAX_DEVICES)
		return -ENOSPC;
	for (i = 0; i < bus->nr_devs; i++) {
		struct mmio_device *d = bus->devs[i];

		if (dev->base < d->base + d->size &&
		    d->base < dev->base + dev->size)
			return -EBUSY;
	}
	bus->devs[bus->nr_devs++] = dev;
	return 0;
}

struct mmio_device *mmio_bus_find(struct mmio_bus *bus, uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < bus->nr_devs; i++) {
		struct mmio_device *d = bus->devs[i];

		if (gpa >= d->base && gpa - d->base < d->size)
			return d;
	}
	return NULL;
}

/* The device holding all of [@gpa, @gpa + @size), or NULL. */
static struct mmio_device *mmio_bus_find_all(struct mmio_bus *bus,
					     uint64_t gpa, unsigned int size)
{
	struct mmio_device *d = mmio_bus_find(bus, gpa);

	if (!d || size > d->size - (gpa - d->base) || !d->ops)
		return NULL;
	return d;
}

static uint64_t size_mask(unsigned int size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* Reads all ones where no device holds the whole access. */
uint64_t mmio_bus_read(struct mmio_bus *bus, uint64_t gpa, unsigned int size)
{
	struct mmio_device *d = mmio_bus_find_all(bus, gpa, size);

	if (!d || !d->ops->read)
		return size_mask(size);
	return d->ops->read(d, gpa - d->base, size) & size_mask(size);
}

void mmio_bus_write(struct mmio_bus *bus, uint64_t gpa, unsigned int size,
		    uint64_t value)
{
	struct mmio_device *d = mmio_bus_find_all(bus, gpa, size);

	if (d && d->ops->write)
		d->ops->write(d, gpa - d->base, size, value & size_mask(size));
}

/**
 * struct mmio_decode - insn_decode_mmio()'s arguments for gmem_decode_insn()
 * @mode: the VP's code size
 * @insn: the result
 */
struct mmio_decode {
	enum insn_mode mode;
	struct mmio_insn *insn;
};

static int mmio_decode_cb(const uint8_t *b, unsigned int n, void *arg)
{
	struct mmio_decode *d = arg;

	return insn_decode_mmio(b, n, d->mode, d->insn);
}

static enum insn_mode insn_mode_of(const struct hvpart_x64_intercept_header *hdr)
{
	if (worker_long_mode(hdr))
		return INSN_MODE_64;
	return hdr->cs_segment.attributes & HVP_SEG_DB ? INSN_MODE_32 :
							 INSN_MODE_16;
}

static int mmio_cannot(struct worker_vp *wvp,
		       const struct hvpart_x64_memory_intercept *mem,
		       const char *why)
{
	const struct hvpart_x64_intercept_header *hdr = &mem->header;

	hvctl_err("VP%u: hvctl could not emulate the access to MMIO GPA 0x%llx at CS:RIP %04x:0x%llx: %s",
		  wvp->vp.index,
		  (unsigned long long)mem->guest_physical_address,
		  hdr->cs_segment.selector, (unsigned long long)hdr->rip, why);
	if (hvctl_verbose)
		worker_dump_regs(wvp);
	return HVCTL_EXIT_EMULATION;
}

/* An unmapped-GPA intercept on a device of the MMIO bus. */
int mmio_handle(struct worker_vp *wvp)
{
	const struct hvpart_x64_memory_intercept *mem =
		&wvp->vp.run->msg.u.memory;
	const struct hvpart_x64_intercept_header *hdr = &mem->header;
	struct worker *w = wvp->w;
	struct mmio_insn insn;
	struct mmio_decode d = { .mode = insn_mode_of(hdr), .insn = &insn };
	uint64_t gpa = mem->guest_physical_address, val, reg = 0;
	uint32_t reg_name;
	struct hvpart_register regs[2];
	bool write;
	int ret;

	if (hdr->intercept_access_type == HVPART_INTERCEPT_ACCESS_EXECUTE)
		return mmio_cannot(wvp, mem, "instruction fetch");
	ret = gmem_decode_insn(wvp, hdr, mem->instruction_bytes,
			       mem->instruction_byte_count, mmio_decode_cb,
			       &d);
	if (ret)
		return mmio_cannot(wvp, mem, ret == -EINVAL || ret == -EAGAIN ?
				   "not a MOV or MOVZX it knows" :
				   "cannot read the instruction");
	write = hdr->intercept_access_type == HVPART_INTERCEPT_ACCESS_WRITE;
	if (insn.write != write)
		return mmio_cannot(wvp, mem, insn.write ?
				   "a store reported as a read" :
				   "a load reported as a write");

	reg_name = HVPART_REG_RAX + insn.reg;
	if (!insn.has_imm) {
		ret = hvp_get_reg64(&wvp->vp, reg_name, &reg);
		if (ret) {
			hvctl_err("VP%u: HVPART_GET_VP_REGISTERS: %s",
				  wvp->vp.index, strerror(-ret));
			return HVCTL_EXIT_HV_ERROR;
		}
	}
	hvp_reg64(&regs[0], HVPART_REG_RIP, worker_next_rip(hdr, insn.len));
	pthread_mutex_lock(&w->dev_lock);
	if (insn.write) {
		val = insn.has_imm ? insn.imm :
		      insn_reg_read(reg, insn.size, insn.high_byte);
		mmio_bus_write(&w->mmio, gpa, insn.size, val);
	} else {
		val = mmio_bus_read(&w->mmio, gpa, insn.size);
		hvp_reg64(&regs[1], reg_name,
			  insn_reg_write(reg, val, insn.reg_size,
					 insn.high_byte));
	}
	pthread_mutex_unlock(&w->dev_lock);
	wvp->vp.run->completion = 0;
	return worker_set_regs(wvp, regs, insn.write ? 1 : 2);
}
