// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: building and tearing down a worker's partition.
 *
 * Setup order: capabilities, partition, VP limit, guest RAM at GPA 0, the
 * I/O intercepts, the VPs, the devices.  Teardown undoes whatever was
 * done, so it is safe after a setup that failed half way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "loader.h"
#include "worker.h"

void worker_init(struct worker *w)
{
	memset(w, 0, sizeof(*w));
	w->sys_fd = -1;
	w->pt_fd = -1;
}

static int worker_check_caps(struct worker *w, const struct worker_config *cfg)
{
	int max_vps, gpa_bits;

	w->vendor = hvp_check_extension(w->sys_fd, HVPART_CAP_VENDOR);
	if (hvp_check_extension(w->sys_fd, HVPART_CAP_IO_INTERCEPT) <= 0) {
		hvctl_err("hvpart cannot intercept I/O ports (no HVPART_CAP_IO_INTERCEPT)");
		return -EOPNOTSUPP;
	}
	w->has_completion =
		hvp_check_extension(w->sys_fd, HVPART_CAP_RUN_COMPLETION) > 0;
	w->has_translate =
		hvp_check_extension(w->sys_fd, HVPART_CAP_TRANSLATE_GVA) > 0;

	max_vps = hvp_check_extension(w->sys_fd, HVPART_CAP_MAX_VPS);
	if (max_vps > 0 && cfg->nr_vps > (unsigned int)max_vps) {
		hvctl_err("%u VPs asked for, hvpart allows %d per partition",
			  cfg->nr_vps, max_vps);
		return -EINVAL;
	}
	gpa_bits = hvp_check_extension(w->sys_fd, HVPART_CAP_MAX_GPA_BITS);
	if (gpa_bits > 0 && gpa_bits < 64 &&
	    cfg->ram_size > (1ull << gpa_bits)) {
		hvctl_err("%llu MiB of RAM asked for, guest physical addresses have %d bits",
			  (unsigned long long)(cfg->ram_size >> 20), gpa_bits);
		return -EINVAL;
	}
	return 0;
}

static int worker_setup_ram(struct worker *w, uint64_t size)
{
	void *ram;
	int ret;

	ram = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED) {
		ret = -errno;
		hvctl_err("cannot allocate %llu MiB of guest RAM: %s",
			  (unsigned long long)(size >> 20), strerror(-ret));
		return ret;
	}
	w->ram = ram;
	w->ram_size = size;

	ret = hvp_map_gpa_range(w->pt_fd, 0, size, ram,
				HVPART_MAP_READABLE | HVPART_MAP_WRITABLE |
				HVPART_MAP_EXECUTABLE);
	if (ret) {
		hvctl_err("HVPART_MAP_GPA_RANGE of %llu MiB at GPA 0: %s",
			  (unsigned long long)(size >> 20), strerror(-ret));
		return ret;
	}
	w->ram_mapped = true;
	return 0;
}

static int worker_setup_vps(struct worker *w, unsigned int nr_vps)
{
	unsigned int i;
	int ret;

	w->vps = calloc(nr_vps, sizeof(*w->vps));
	if (!w->vps) {
		hvctl_err("out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < nr_vps; i++) {
		ret = hvp_create_vp(w->sys_fd, w->pt_fd, i, &w->vps[i].vp);
		if (ret) {
			hvctl_err("cannot create VP%u: %s", i, strerror(-ret));
			return ret;
		}
		w->vps[i].w = w;
		w->nr_vps = i + 1;
	}
	return 0;
}

int worker_setup_devices(struct worker *w, int in_fd, int out_fd)
{
	int ret;

	uart16550_init(&w->com1, COM1_BASE, in_fd, out_fd);
	debug_exit_init(&w->debug_exit, &w->power);
	bochs_shutdown_init(&w->shutdown, &w->power);

	ret = port_bus_add(&w->bus, &w->com1.dev);
	if (!ret)
		ret = port_bus_add(&w->bus, &w->debug_exit.dev);
	if (!ret)
		ret = port_bus_add(&w->bus, &w->shutdown.dev);
	if (ret)
		hvctl_err("cannot add devices to the port bus: %s",
			  strerror(-ret));
	return ret;
}

/*
 * Creates the partition with its RAM, VPs and devices.  Returns 0, or
 * -errno after printing why; call worker_destroy() either way.
 */
int worker_setup(struct worker *w, const struct worker_config *cfg)
{
	int ret;

	w->sys_fd = hvctl_open_device();
	if (w->sys_fd < 0)
		return -ENODEV;
	ret = worker_check_caps(w, cfg);
	if (ret)
		return ret;

	w->pt_fd = hvp_create_partition(w->sys_fd, 0);
	if (w->pt_fd < 0) {
		ret = w->pt_fd;
		hvctl_err("HVPART_CREATE_PARTITION: %s", strerror(-ret));
		return ret;
	}
	ret = hvp_set_partition_property(w->pt_fd, HVPART_PROP_MAX_VPS,
					 cfg->nr_vps);
	if (ret) {
		hvctl_err("cannot set the partition's VP limit to %u: %s",
			  cfg->nr_vps, strerror(-ret));
		return ret;
	}

	ret = worker_setup_ram(w, cfg->ram_size);
	if (ret)
		return ret;

	/* Every port comes to the worker; its bus answers unclaimed ones. */
	ret = hvp_install_intercept(w->pt_fd, HVPART_INTERCEPT_TYPE_X64_IO_PORT,
				    HVPART_INTERCEPT_ACCESS_MASK_READ |
				    HVPART_INTERCEPT_ACCESS_MASK_WRITE,
				    0, 0xffff);
	if (ret) {
		hvctl_err("HVPART_INSTALL_INTERCEPT for ports 0-0xffff: %s",
			  strerror(-ret));
		return ret;
	}

	ret = worker_setup_vps(w, cfg->nr_vps);
	if (ret)
		return ret;
	return worker_setup_devices(w, cfg->in_fd, cfg->out_fd);
}

/* Puts VP @index into the state @bs asks for. */
int worker_boot_vp(struct worker *w, unsigned int index,
		   const struct boot_state *bs)
{
	struct hvp_vp *vp = &w->vps[index].vp;
	struct hvpart_register regs[2];
	int ret;

	switch (bs->kind) {
	case BOOT_MULTIBOOT:
		ret = hvp_vp_set_flat32(vp, bs->entry, bs->gdt_base,
					bs->gdt_limit);
		if (ret)
			break;
		hvp_reg64(&regs[0], HVPART_REG_RAX, MULTIBOOT_BOOTLOADER_MAGIC);
		hvp_reg64(&regs[1], HVPART_REG_RBX, bs->mbi_addr);
		ret = hvp_set_regs(vp, regs, 2);
		break;
	case BOOT_RAW:
		ret = hvp_vp_set_real_mode(vp, bs->cs, bs->ip);
		if (ret)
			break;
		hvp_reg64(&regs[0], HVPART_REG_RDX, bs->dl);
		hvp_reg64(&regs[1], HVPART_REG_RSP, bs->sp);
		ret = hvp_set_regs(vp, regs, 2);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	if (ret)
		hvctl_err("VP%u: cannot set the boot state: %s", index,
			  strerror(-ret));
	return ret;
}

void worker_destroy(struct worker *w)
{
	unsigned int i;
	int ret;

	for (i = 0; i < w->nr_vps; i++)
		hvp_destroy_vp(&w->vps[i].vp);
	free(w->vps);
	w->vps = NULL;
	w->nr_vps = 0;

	if (w->ram_mapped) {
		ret = hvp_unmap_gpa_range(w->pt_fd, 0, w->ram_size);
		if (ret)
			hvctl_warn("HVPART_UNMAP_GPA_RANGE: %s", strerror(-ret));
		w->ram_mapped = false;
	}
	if (w->ram)
		munmap(w->ram, w->ram_size);
	w->ram = NULL;

	if (w->pt_fd >= 0)
		close(w->pt_fd);
	if (w->sys_fd >= 0)
		close(w->sys_fd);
	w->pt_fd = -1;
	w->sys_fd = -1;
}
