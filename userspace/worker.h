/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: the worker that owns one partition, the role Hyper-V's VMWP
 * plays: guest RAM, VPs, the devices, and the loop that answers each
 * VP's intercepts.  `hvctl run` builds one for the life of the command;
 * persistent partitions would keep one per partition.
 */
#ifndef HVCTL_WORKER_H
#define HVCTL_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "devices.h"
#include "fwcfg.h"
#include "libhvpart.h"

struct worker;
struct boot_state;
struct hvf_select;

/* What an intercept handler returns to keep the VP running. */
#define WORKER_CONTINUE		(-1)

/**
 * struct worker_vp_stats - what a VP's run loop answered, by kind
 * @io: port I/O intercepts
 * @halt: halts (HLT, GUEST_IDLE)
 * @memory: unmapped GPAs and GPA intercepts
 * @other: everything else
 *
 * Written by the VP's thread, read by the worker's control loop
 * (relaxed atomics: counters, not state).
 */
struct worker_vp_stats {
	uint64_t io;
	uint64_t halt;
	uint64_t memory;
	uint64_t other;
};

/**
 * struct worker_vp - one VP of the worker's partition
 * @vp: its fd and run page
 * @w: the worker it belongs to
 * @stats: its run loop's counters
 */
struct worker_vp {
	struct hvp_vp vp;
	struct worker *w;
	struct worker_vp_stats stats;
};

/**
 * struct worker_config - what `hvctl run` (or a later `start`) asks for
 * @ram_size: bytes of guest RAM at GPA 0
 * @nr_vps: VPs to create; VP0 runs, the others stay parked
 * @hv: the Hyper-V feature set (--hv options); NULL keeps hvpart's default
 * @in_fd: fd the UART reads from, -1 for none
 * @out_fd: fd the UART writes to
 */
struct worker_config {
	uint64_t ram_size;
	unsigned int nr_vps;
	const struct hvf_select *hv;
	int in_fd;
	int out_fd;
};

/**
 * struct worker - a partition and everything hvctl emulates for it
 * @sys_fd: /dev/hvpart
 * @pt_fd: the partition
 * @vendor: HVPART_VENDOR_*
 * @has_completion: HVPART_CAP_RUN_COMPLETION
 * @has_translate: HVPART_CAP_TRANSLATE_GVA
 * @ram: the host mapping of guest RAM
 * @ram_size: its size; it is mapped at GPA 0
 * @ram_mapped: the GPA range is mapped in the partition
 * @nr_vps: entries in @vps
 * @vps: the VPs
 * @bus: port I/O routing
 * @com1: the UART at 0x3f8
 * @debug_exit: isa-debug-exit at 0xf4
 * @shutdown: the Bochs shutdown port 0x8900
 * @fw_cfg: QEMU's fw_cfg at 0x510
 * @power: set when a device powered the machine off
 */
struct worker {
	int sys_fd;
	int pt_fd;
	int vendor;
	bool has_completion;
	bool has_translate;
	uint8_t *ram;
	uint64_t ram_size;
	bool ram_mapped;
	unsigned int nr_vps;
	struct worker_vp *vps;
	struct port_bus bus;
	struct uart16550 com1;
	struct debug_exit debug_exit;
	struct bochs_shutdown shutdown;
	struct fw_cfg fw_cfg;
	struct power_ctl power;
};

/* worker.c: partition lifetime */
void worker_init(struct worker *w);
int worker_setup(struct worker *w, const struct worker_config *cfg);
int worker_setup_devices(struct worker *w, int in_fd, int out_fd);
int worker_boot_vp(struct worker *w, unsigned int index,
		   const struct boot_state *bs);
void worker_destroy(struct worker *w);

/* runloop.c: running a VP */
int worker_run_vp(struct worker *w, unsigned int index);
void worker_catch_signals(struct worker_vp *wvp);
void worker_dump_regs(struct worker_vp *wvp);

/* pio.c: port I/O intercepts; WORKER_CONTINUE or an exit status */
int pio_handle(struct worker_vp *wvp);

/* gmem.c: guest memory */
void *gmem_gpa_ptr(struct worker *w, uint64_t gpa, uint64_t len);
int gmem_rw_gva(struct worker_vp *wvp, uint64_t gva, void *buf,
		unsigned int len, bool write, bool paging);
int gmem_paging_enabled(struct worker_vp *wvp, uint16_t exec_state,
			bool *paging);

#endif /* HVCTL_WORKER_H */
