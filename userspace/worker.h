/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: the worker that owns one partition, the role Hyper-V's VMWP
 * plays: guest RAM, VPs, the devices, and the loop that answers each
 * VP's intercepts.  `hvctl run` builds one for the life of the command;
 * persistent partitions would keep one per partition.
 */
#ifndef HVCTL_WORKER_H
#define HVCTL_WORKER_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices.h"
#include "fwcfg.h"
#include "hvtestdev.h"
#include "ioapic.h"
#include "libhvpart.h"
#include "mmio.h"

struct worker;
struct boot_state;
struct vmbus;
struct hvf_select;

/* What an intercept handler returns to keep the VP running. */
#define WORKER_CONTINUE		(-1)

/* Most VPs `hvctl run --vps` takes */
#define WORKER_MAX_VPS		64

/* The I/O APIC pin of COM1's interrupt, as on a PC (ISA IRQ 4) */
#define WORKER_COM1_PIN		4

/* The signal that takes a VP thread out of HVPART_RUN_VP to stop it */
#define WORKER_KICK_SIGNAL	SIGUSR1

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
 * @thread: the thread that runs it (VP0: the one that called worker_run)
 * @has_thread: @thread is valid (under @w->stop_lock)
 * @halted: it reported HVPART_MSG_X64_HALT and nothing since (its thread's)
 */
struct worker_vp {
	struct hvp_vp vp;
	struct worker *w;
	struct worker_vp_stats stats;
	pthread_t thread;
	bool has_thread;
	bool halted;
};

/**
 * struct worker_config - what `hvctl run` (or a later `start`) asks for
 * @ram_size: bytes of guest RAM at GPA 0
 * @nr_vps: VPs to create: VP0 runs, the others wait for INIT-SIPI-SIPI
 * @hv: the Hyper-V feature set (--hv options); NULL keeps hvpart's default
 * @in_fd: fd the UART reads from, -1 for none
 * @out_fd: fd the UART writes to
 * @disks: the --disk options ("FILE[,ro]"), the SCSI controller's LUNs
 * @nr_disks: how many
 * @net: --net ("tap=NAME[,mac=MAC]"), or NULL for no network adapter
 * @vsock: the --vsock-port options ("PORT=PATH")
 * @nr_vsock: how many
 */
struct worker_config {
	uint64_t ram_size;
	unsigned int nr_vps;
	const struct hvf_select *hv;
	int in_fd;
	int out_fd;
	const char *const *disks;
	unsigned int nr_disks;
	const char *net;
	const char *const *vsock;
	unsigned int nr_vsock;
};

/**
 * struct worker - a partition and everything hvctl emulates for it
 * @sys_fd: /dev/hvpart
 * @pt_fd: the partition
 * @vendor: HVPART_VENDOR_*
 * @has_completion: HVPART_CAP_RUN_COMPLETION
 * @has_translate: HVPART_CAP_TRANSLATE_GVA
 * @has_lapic: the partition has hvpart's local APICs
 *	(HVPART_CREATE_PARTITION_LOCAL_APIC): interrupts can be delivered
 * @ram: the host mapping of guest RAM
 * @ram_size: its size; it is mapped at GPA 0
 * @ram_mapped: the GPA range is mapped in the partition
 * @nr_vps: entries in @vps
 * @vps: the VPs
 * @bus: port I/O routing
 * @com1: the UART at 0x3f8
 * @debug_exit: isa-debug-exit at 0xf4
 * @shutdown: the Bochs shutdown port 0x8900
 * @acpi_pm: the ACPI sleep control, sleep status and reset registers
 *	at 0x600-0x602
 * @fw_cfg: QEMU's fw_cfg at 0x510
 * @testdev: QEMU's SynIC test device at 0x3000, if @has_testdev
 * @has_testdev: the partition has the local APIC and the SynIC, so
 *	@testdev is on the bus and the I/O thread echoes its connections
 * @pic: the masked 8259s at 0x20 and 0xa0
 * @mmio: MMIO routing
 * @ioapic: the I/O APIC at 0xfec00000
 * @dev_lock: guards the devices, both buses and @power: VP threads and
 *	the I/O thread take it around every device access
 * @power: set when a device powered the machine off
 * @stop_lock: guards @stopping, @stop_status and the VPs' @has_thread
 * @stopping: the run is over: every VP thread leaves its loop
 * @stop_status: the exit status of the run, set once
 * @nr_halted: VPs that reported HVPART_MSG_X64_HALT and nothing since
 * @io_thread: polls the UART's input and raises its interrupt, and
 *	echoes the test device's messages and events
 * @has_io_thread: @io_thread runs
 * @io_wake_fd: eventfd that wakes @io_thread
 * @io_stop: tells @io_thread to end
 * @assert_warned: a failed HVPART_ASSERT_INTERRUPT was reported
 * @vmbus: the VMBus server (userspace/vmbus/), for partitions whose guest
 *	may use the SynIC, post messages and signal events; else NULL
 * @net: --net as given, or NULL
 * @net_fd: the tap device of the network adapter (vmbus/net.c), or -1
 */
struct worker {
	int sys_fd;
	int pt_fd;
	int vendor;
	bool has_completion;
	bool has_translate;
	bool has_lapic;
	uint8_t *ram;
	uint64_t ram_size;
	bool ram_mapped;
	unsigned int nr_vps;
	struct worker_vp *vps;
	struct port_bus bus;
	struct uart16550 com1;
	struct debug_exit debug_exit;
	struct bochs_shutdown shutdown;
	struct acpi_pm acpi_pm;
	struct fw_cfg fw_cfg;
	struct hvtestdev testdev;
	bool has_testdev;
	struct pic_stub pic[2];
	struct cmos_rtc rtc;
	struct mmio_bus mmio;
	struct ioapic ioapic;
	pthread_mutex_t dev_lock;
	struct power_ctl power;
	pthread_mutex_t stop_lock;
	bool stopping;
	int stop_status;
	unsigned int nr_halted;
	pthread_t io_thread;
	bool has_io_thread;
	int io_wake_fd;
	bool io_stop;
	bool assert_warned;
	struct vmbus *vmbus;
	const char *net;
	int net_fd;
};

/* worker.c: partition lifetime */
void worker_init(struct worker *w);
int worker_setup(struct worker *w, const struct worker_config *cfg);
int worker_setup_devices(struct worker *w, int in_fd, int out_fd);
int worker_boot_vp(struct worker *w, unsigned int index,
		   const struct boot_state *bs);
void worker_destroy(struct worker *w);

/* runloop.c: running the VPs */
int worker_run(struct worker *w);
int worker_run_vp(struct worker *w, unsigned int index);
void worker_stop(struct worker *w, int status);
void worker_catch_signals(struct worker *w);
void worker_dump_regs(struct worker_vp *wvp);

/* pio.c: port I/O intercepts; WORKER_CONTINUE or an exit status */
int pio_handle(struct worker_vp *wvp);

/* gmem.c: guest memory */
void *gmem_gpa_ptr(struct worker *w, uint64_t gpa, uint64_t len);
int gmem_rw_gva(struct worker_vp *wvp, uint64_t gva, void *buf,
		unsigned int len, bool write, bool paging);
int gmem_paging_enabled(struct worker_vp *wvp, uint16_t exec_state,
			bool *paging);
typedef int (*gmem_decode_fn)(const uint8_t *b, unsigned int n, void *arg);
int gmem_decode_insn(struct worker_vp *wvp,
		     const struct hvpart_x64_intercept_header *hdr,
		     const uint8_t *bytes, unsigned int nbytes,
		     gmem_decode_fn decode, void *arg);

int worker_set_regs(struct worker_vp *wvp, const struct hvpart_register *regs,
		    unsigned int n);

/* mmio.c: an unmapped-GPA intercept on an MMIO device */
int mmio_handle(struct worker_vp *wvp);

/* The VP runs 64-bit code: long mode active and CS.L */
static inline bool worker_long_mode(const struct hvpart_x64_intercept_header *hdr)
{
	return (hdr->execution_state & HVPART_EXEC_STATE_EFER_LMA) &&
	       (hdr->cs_segment.attributes & HVP_SEG_L);
}

/* RIP after the @len-byte instruction the intercept stopped at */
static inline uint64_t worker_next_rip(const struct hvpart_x64_intercept_header *hdr,
				       unsigned int len)
{
	uint64_t rip = hdr->rip + len;

	return worker_long_mode(hdr) ? rip : rip & 0xffffffff;
}

#endif /* HVCTL_WORKER_H */
