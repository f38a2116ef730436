// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: port I/O intercepts.
 *
 * IN and OUT are answered through the run page's completion fields, so
 * the next HVPART_RUN_VP retires them without another ioctl.  INS and
 * OUTS (with or without REP) are emulated here: each element moves
 * between the device and guest memory through the worker's own mapping,
 * then RSI/RDI, RCX and RIP are written back with HVPART_SET_VP_REGISTERS.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "cli.h"
#include "insn.h"
#include "util.h"
#include "worker.h"

/*
 * Elements one exit moves at most; the rest of a long REP runs when the
 * guest re-executes the instruction, as after an interrupt on hardware.
 */
#define PIO_MAX_ELEMENTS	65536

/**
 * struct io_insn - what hvctl needs to know of an I/O instruction
 * @len: its length in bytes, prefixes included
 * @addr_override: has a 0x67 prefix
 * @seg: segment override prefix as HVPART_REG_*, or 0 for none
 * @opcode: the opcode byte
 */
struct io_insn {
	unsigned int len;
	bool addr_override;
	uint32_t seg;
	uint8_t opcode;
};

/* Returns 0, -EINVAL if it is no I/O instruction, -EAGAIN if truncated. */
static int decode_io_insn(const uint8_t *b, unsigned int n, bool long_mode,
			  struct io_insn *insn)
{
	unsigned int i;

	memset(insn, 0, sizeof(*insn));
	for (i = 0; i < n && i < X86_MAX_INSN; i++) {
		switch (b[i]) {
		case 0x66: case 0xf0: case 0xf2: case 0xf3:
			continue;
		case 0x67:
			insn->addr_override = true;
			continue;
		case 0x26:
			insn->seg = HVPART_REG_ES;
			continue;
		case 0x2e:
			insn->seg = HVPART_REG_CS;
			continue;
		case 0x36:
			insn->seg = HVPART_REG_SS;
			continue;
		case 0x3e:
			insn->seg = HVPART_REG_DS;
			continue;
		case 0x64:
			insn->seg = HVPART_REG_FS;
			continue;
		case 0x65:
			insn->seg = HVPART_REG_GS;
			continue;
		}
		if (long_mode && (b[i] & 0xf0) == 0x40)
			continue;	/* REX */
		break;
	}
	if (i == X86_MAX_INSN)
		return -EINVAL;
	if (i == n)
		return -EAGAIN;

	insn->opcode = b[i];
	switch (insn->opcode) {
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:	/* imm8 port */
		insn->len = i + 2;
		break;
	case 0xec: case 0xed: case 0xee: case 0xef:	/* port in DX */
	case 0x6c: case 0x6d: case 0x6e: case 0x6f:	/* INS, OUTS */
		insn->len = i + 1;
		break;
	default:
		return -EINVAL;
	}
	return insn->len > n ? -EAGAIN : 0;
}

/**
 * struct io_decode - decode_io_insn()'s arguments for gmem_decode_insn()
 * @long_mode: the VP runs 64-bit code
 * @insn: the result
 */
struct io_decode {
	bool long_mode;
	struct io_insn *insn;
};

static int io_decode_cb(const uint8_t *b, unsigned int n, void *arg)
{
	struct io_decode *d = arg;

	return decode_io_insn(b, n, d->long_mode, d->insn);
}

/* Decodes the intercepted I/O instruction. */
static int pio_decode(struct worker_vp *wvp,
		      const struct hvpart_x64_io_port_intercept *io,
		      struct io_insn *insn)
{
	const struct hvpart_x64_intercept_header *hdr = &io->header;
	struct io_decode d = {
		.long_mode = worker_long_mode(hdr),
		.insn = insn,
	};
	int ret;

	ret = gmem_decode_insn(wvp, hdr, io->instruction_bytes,
			       io->instruction_byte_count, io_decode_cb, &d);
	if (ret)
		hvctl_err("VP%u: cannot decode the I/O instruction at CS:RIP %04x:0x%llx",
			  wvp->vp.index, hdr->cs_segment.selector,
			  (unsigned long long)hdr->rip);
	return ret;
}

/* The port bus, under the worker's device lock. */
static uint32_t pio_read(struct worker *w, uint16_t port, unsigned int size)
{
	uint32_t v;

	pthread_mutex_lock(&w->dev_lock);
	v = port_bus_read(&w->bus, port, size);
	pthread_mutex_unlock(&w->dev_lock);
	return v;
}

static void pio_write(struct worker *w, uint16_t port, unsigned int size,
		      uint32_t value)
{
	pthread_mutex_lock(&w->dev_lock);
	port_bus_write(&w->bus, port, size, value);
	pthread_mutex_unlock(&w->dev_lock);
}

/* IN or OUT with the port in DX or an immediate. */
static int pio_simple(struct worker_vp *wvp,
		      const struct hvpart_x64_io_port_intercept *io,
		      unsigned int size)
{
	const struct hvpart_x64_intercept_header *hdr = &io->header;
	struct hvpart_run *run = wvp->vp.run;
	struct worker *w = wvp->w;
	unsigned int len = hdr->instruction_length & 0xf;
	bool in = hdr->intercept_access_type == HVPART_INTERCEPT_ACCESS_READ;
	struct hvpart_register regs[2];
	struct io_insn insn;
	uint64_t rax = io->rax;
	uint32_t mask, data;
	unsigned int n = 0;

	if (in) {
		mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
		data = pio_read(w, io->port_number, size);
		/* A 32-bit IN zero-extends into RAX; narrower ones merge. */
		rax = size == 4 ? data : (rax & ~(uint64_t)mask) | data;
	} else {
		pio_write(w, io->port_number, size, (uint32_t)rax);
	}

	if (len && w->has_completion) {
		run->completion = HVPART_RUN_COMPLETE_ADVANCE_RIP;
		if (in) {
			run->completion |= HVPART_RUN_COMPLETE_SET_RAX;
			run->completion_rax = rax;
		}
		return WORKER_CONTINUE;
	}

	/* No completion, or hvpart did not say how long the insn is. */
	if (!len) {
		if (pio_decode(wvp, io, &insn))
			return HVCTL_EXIT_EMULATION;
		len = insn.len;
	}
	hvp_reg64(&regs[n++], HVPART_REG_RIP, worker_next_rip(hdr, len));
	if (in)
		hvp_reg64(&regs[n++], HVPART_REG_RAX, rax);
	return worker_set_regs(wvp, regs, n);
}

/*
 * Writes a string instruction's index or count register the way the CPU
 * does for its address size: 16-bit keeps the upper bits, 32-bit
 * zero-extends.
 */
static uint64_t update_reg(uint64_t old, uint64_t val, unsigned int asize)
{
	switch (asize) {
	case 2:
		return (old & ~0xffffull) | (val & 0xffff);
	case 4:
		return (uint32_t)val;
	default:
		return val;
	}
}

static int string_seg_base(struct worker_vp *wvp,
			   const struct hvpart_x64_io_port_intercept *io,
			   bool in, uint32_t seg, uint64_t *base)
{
	bool long_mode = worker_long_mode(&io->header);
	struct hvpart_x64_segment s;
	int ret;

	if (in)			/* INS always writes ES:RDI */
		seg = HVPART_REG_ES;
	else if (!seg)
		seg = HVPART_REG_DS;

	/* The message carries CS, DS and ES; the others cost an ioctl. */
	switch (seg) {
	case HVPART_REG_ES:
		s = io->es_segment;
		break;
	case HVPART_REG_DS:
		s = io->ds_segment;
		break;
	case HVPART_REG_CS:
		s = io->header.cs_segment;
		break;
	default:
		ret = hvp_get_segment(&wvp->vp, seg, &s);
		if (ret) {
			hvctl_err("VP%u: HVPART_GET_VP_REGISTERS: %s",
				  wvp->vp.index, strerror(-ret));
			return HVCTL_EXIT_HV_ERROR;
		}
		break;
	}
	/* Long mode ignores all bases but those of FS and GS. */
	if (long_mode && seg != HVPART_REG_FS && seg != HVPART_REG_GS)
		*base = 0;
	else
		*base = s.base;
	return WORKER_CONTINUE;
}

/* INS or OUTS, with or without REP. */
static int pio_string(struct worker_vp *wvp,
		      const struct hvpart_x64_io_port_intercept *io,
		      unsigned int size)
{
	const struct hvpart_x64_intercept_header *hdr = &io->header;
	struct worker *w = wvp->w;
	bool in = hdr->intercept_access_type == HVPART_INTERCEPT_ACCESS_READ;
	bool rep = io->access_info & HVPART_IO_ACCESS_REP_PREFIX;
	bool long_mode = worker_long_mode(hdr);
	struct hvpart_register regs[3];
	uint64_t base, index, count, amask, i, lin;
	unsigned int asize, len, n = 0;
	struct io_insn insn;
	int64_t step;
	uint32_t data;
	bool paging;
	int ret;

	if (pio_decode(wvp, io, &insn))
		return HVCTL_EXIT_EMULATION;
	len = hdr->instruction_length & 0xf;
	if (!len)
		len = insn.len;

	if (long_mode)
		asize = insn.addr_override ? 4 : 8;
	else if (hdr->cs_segment.attributes & HVP_SEG_DB)
		asize = insn.addr_override ? 2 : 4;
	else
		asize = insn.addr_override ? 4 : 2;
	amask = asize == 8 ? ~0ull : (1ull << (asize * 8)) - 1;

	ret = string_seg_base(wvp, io, in, insn.seg, &base);
	if (ret != WORKER_CONTINUE)
		return ret;
	if (gmem_paging_enabled(wvp, hdr->execution_state, &paging))
		return HVCTL_EXIT_HV_ERROR;

	index = in ? io->rdi : io->rsi;
	count = rep ? io->rcx & amask : 1;
	step = (hdr->rflags & HVP_RFLAGS_DF) ? -(int64_t)size : size;

	for (i = 0; i < count && i < PIO_MAX_ELEMENTS && !w->power.off; i++) {
		lin = base + (index & amask);
		if (!long_mode)
			lin &= 0xffffffff;
		data = 0;
		if (in) {
			data = pio_read(w, io->port_number, size);
			ret = gmem_rw_gva(wvp, lin, &data, size, true, paging);
		} else {
			ret = gmem_rw_gva(wvp, lin, &data, size, false, paging);
			if (!ret)
				pio_write(w, io->port_number, size, data);
		}
		if (ret)
			return ret == -EFAULT ? HVCTL_EXIT_EMULATION :
						HVCTL_EXIT_HV_ERROR;
		index = update_reg(index, index + step, asize);
	}

	hvp_reg64(&regs[n++], in ? HVPART_REG_RDI : HVPART_REG_RSI, index);
	if (rep)
		hvp_reg64(&regs[n++], HVPART_REG_RCX,
			  update_reg(io->rcx, count - i, asize));
	if (i == count)
		hvp_reg64(&regs[n++], HVPART_REG_RIP, worker_next_rip(hdr, len));
	wvp->vp.run->completion = 0;
	return worker_set_regs(wvp, regs, n);
}

int pio_handle(struct worker_vp *wvp)
{
	const struct hvpart_x64_io_port_intercept *io =
		&wvp->vp.run->msg.u.io_port;
	unsigned int size = io->access_info & HVPART_IO_ACCESS_SIZE_MASK;

	if (size != 1 && size != 2 && size != 4) {
		hvctl_err("VP%u: I/O port 0x%x access of %u bytes",
			  wvp->vp.index, io->port_number, size);
		return HVCTL_EXIT_EMULATION;
	}
	if (io->access_info & HVPART_IO_ACCESS_STRING_OP)
		return pio_string(wvp, io, size);
	return pio_simple(wvp, io, size);
}
