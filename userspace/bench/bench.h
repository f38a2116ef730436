/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvpart benchmark: what the two runners (hvpart-bench, kvm-bench) share.
 *
 * Both put the guest of guest.S at BENCH_GUEST_GPA in BENCH_MEM_SIZE bytes
 * of guest memory at GPA 0, start it in real mode at CS=0 and time whole
 * runs: from the first entry to the HLT that ends the loop, with
 * clock_gettime(CLOCK_MONOTONIC), divided by the number of loop exits N.
 * Nothing is subtracted (the HLT exit and the runner's own work are in
 * the figure).  The hypercall rows first run an untimed set-up to a HLT
 * (long mode, the guest OS ID, the hypercall page); the clock starts when
 * the runner resumes the guest after it.  Included by guest.S too: keep
 * the C below __ASSEMBLER__.
 */
#ifndef BENCH_H
#define BENCH_H

#define BENCH_GUEST_GPA		0x1000
#define BENCH_MEM_SIZE		0x11000
/*
 * The port the runner serves, and one the kernel serves: hvpart drops
 * writes to ports with no intercept, KVM hands them to an ioeventfd.  No
 * special meaning to either hypervisor (0x7e would be a KVM quirk port).
 */
#define BENCH_PORT		0x80
#define BENCH_PORT_KERNEL	0x81

/*
 * The hypercall rows' guest memory, all inside BENCH_MEM_SIZE and the
 * identity-mapped first 2 MiB: the guest code (BENCH_GUEST_GPA) must end
 * below BENCH_HCALL_PAGE_GPA.
 */
#define BENCH_HCALL_PAGE_GPA	0x4000	/* HV_X64_MSR_HYPERCALL's page */
#define BENCH_HCALL_IN_GPA	0x5000	/* memory parameters of the calls */
#define BENCH_PML4_GPA		0x8000	/* long mode page tables */
#define BENCH_PDPT_GPA		0x9000
#define BENCH_PD_GPA		0xa000
#define BENCH_STACK_TOP		0x10000
/* the SynIC rows' SIM page (HV_X64_MSR_SIMP), above the stack */
#define BENCH_SIMP_GPA		0x10000

/*
 * The local APIC rows' memory: the IDT, the counters that the guest's
 * handlers keep (struct bench_apic_data), the second VP's stack (the
 * first one's is the page below BENCH_STACK_TOP), and the vectors.
 */
#define BENCH_IDT_GPA		0x6000
#define BENCH_APIC_DATA_GPA	0x7000
#define BENCH_AP_STACK_TOP	0xf000
#define BENCH_VEC_SELF		0x40	/* selfipi */
#define BENCH_VEC_PING		0x41	/* ipi: to the second VP */
#define BENCH_VEC_PONG		0x42	/* ipi: its answer */
#define BENCH_VEC_TIMER		0x50	/* timer */
#define BENCH_VEC_WD		0x51	/* ipi: the watchdog's tick */
/* ipi: the watchdog's tick, in BENCH_TIMER_DELTA_US (250 ms) */
#define BENCH_IPI_WD_DELTAS	250
/* struct bench_apic_data's offsets, for guest.S */
#define BENCH_APIC_READY	0
#define BENCH_APIC_HANDLED	4
#define BENCH_APIC_AP_HANDLED	8
#define BENCH_APIC_EARLY	12
#define BENCH_APIC_DEADLINE	16
#define BENCH_APIC_DELTA	24
#define BENCH_APIC_LOST		32
#define BENCH_APIC_STUCK	36
#define BENCH_APIC_WD_LAST	40
#define BENCH_APIC_NOWAIT	44
#define BENCH_APIC_HC_BAD	48
/* timer: each interrupt's latency in TSC ticks (int32_t), the first ones */
#define BENCH_TIMER_SAMPLES_GPA	0xb000
#define BENCH_TIMER_SAMPLES	3072	/* up to BENCH_AP_STACK_TOP - 4 KiB */
/* timer: how far ahead each TSC deadline is set (microseconds) */
#define BENCH_TIMER_DELTA_US	1000
/* ipi and timer: N / BENCH_SLOW_ROW_DIV round trips or interrupts */
#define BENCH_SLOW_ROW_DIV	10
/* GVA ranges in the rep call's list, i.e. its rep count */
#define BENCH_FLUSH_REPS	16
/*
 * The SynIC rows (postmsg, signal): the guest's SINT and its vector; the
 * ports the runner creates for the root (hvpart) and the connection ids
 * the guest names (both hypervisors); the message types of the guest's
 * message and of the root's reply (any type with bit 31 clear).
 */
#define BENCH_SINT		2
#define BENCH_VEC_SINT		0x52
#define BENCH_PORT_MSG		0x10
#define BENCH_PORT_EVENT	0x11
#define BENCH_CONN_MSG		0x20
#define BENCH_CONN_EVENT	0x21
#define BENCH_MSG_TYPE_POST	0x100
#define BENCH_MSG_TYPE_REPLY	0x101
/* HV_MESSAGE's offsets: type, payload size, flags (bit 0 pending), payload */
#define BENCH_MSG_TYPE		0
#define BENCH_MSG_SIZE		4
#define BENCH_MSG_FLAGS		5
#define BENCH_MSG_SENDER	8
#define BENCH_MSG_PAYLOAD	16
#define BENCH_SIM_SLOT_GPA	(BENCH_SIMP_GPA + BENCH_SINT * 256)

/* The guest OS ID the guest writes: Linux's vendor ID, nothing else. */
#define BENCH_GUEST_OS_ID_HI	0x81000000

/*
 * TLFS values the guest uses, spelled as Linux spells them
 * (hyperv-tlfs.h), in a form the assembler takes too.
 */
#define HV_X64_MSR_GUEST_OS_ID			0x40000000
#define HV_X64_MSR_HYPERCALL			0x40000001
#define HV_X64_MSR_HYPERCALL_ENABLE		0x1
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE	0x0002
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST	0x0003
#define HVCALL_NOTIFY_LONG_SPIN_WAIT		0x0008
#define HVCALL_POST_MESSAGE			0x005c
#define HVCALL_SIGNAL_EVENT			0x005d
#define HV_X64_MSR_SCONTROL			0x40000080
#define HV_X64_MSR_SIMP				0x40000083
#define HV_X64_MSR_EOM				0x40000084
#define HV_X64_MSR_SINT0			0x40000090
#define HV_SYNIC_CONTROL_ENABLE			0x1
#define HV_SYNIC_SIMP_ENABLE			0x1
#define HV_STATUS_INVALID_CONNECTION_ID		0x12
#define HV_STATUS_INSUFFICIENT_BUFFERS		0x13
#define HV_HYPERCALL_FAST_BIT			0x10000
#define HV_HYPERCALL_REP_COMP_OFFSET		32
#define HV_FLUSH_ALL_PROCESSORS			0x1
#define HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES	0x2

#ifndef __ASSEMBLER__
#include <signal.h>
#include <stdint.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* guest.S */
extern const unsigned char bench_guest_start[];
extern const unsigned char bench_guest_cpuid[];
extern const unsigned char bench_guest_out[];
extern const unsigned char bench_guest_hc_fast[];
extern const unsigned char bench_guest_hc_mem[];
extern const unsigned char bench_guest_hc_rep[];
extern const unsigned char bench_guest_selfipi[];
extern const unsigned char bench_guest_ipi[];
extern const unsigned char bench_guest_ipi_ap[];
extern const unsigned char bench_guest_timer[];
extern const unsigned char bench_guest_postmsg[];
extern const unsigned char bench_guest_signal[];
extern const unsigned char bench_guest_end[];

enum bench_row {
	BENCH_ROW_CPUID,	/* N x CPUID: handled in the kernel */
	BENCH_ROW_OUT,		/* N x OUT: each one returns to the runner */
	/*
	 * N x OUT handled in the kernel: an exit whose length the CPU reports
	 * (EXITINFO2) for both hypervisors, unlike CPUID without NRIPS, which
	 * KVM decodes to skip
	 */
	BENCH_ROW_OUT_KERNEL,
	/*
	 * N x the run ioctl with immediate_exit set: the round trip from the
	 * runner into the run ioctl and back, entering no guest.  A yardstick
	 * for the out row, not an exit: hvpart returns before it swaps the
	 * FPU state, KVM after (kvm_arch_vcpu_ioctl_run loads the guest FPU
	 * before it checks immediate_exit).
	 */
	BENCH_ROW_NULL,
	/*
	 * N hypercalls through the hypercall page, in 64-bit long mode, each
	 * one a VMMCALL exit the hypervisor handles itself:
	 * HvCallNotifyLongSpinWait as a fast call (one register parameter),
	 * HvCallFlushVirtualAddressSpace with its input in memory, and
	 * HvCallFlushVirtualAddressList with BENCH_FLUSH_REPS reps (memory)
	 */
	BENCH_ROW_HC_FAST,
	BENCH_ROW_HC_MEM,
	BENCH_ROW_HC_REP,
	/*
	 * The local APIC rows, in a second VM whose local APICs are in the
	 * kernel (hvpart: HVPART_CREATE_PARTITION_LOCAL_APIC; KVM:
	 * KVM_CREATE_IRQCHIP), in x2APIC mode, in long mode: N self-IPIs,
	 * each taken and EOI'd; N / BENCH_SLOW_ROW_DIV IPI round trips
	 * between two VPs on two threads; N / BENCH_SLOW_ROW_DIV TSC-deadline
	 * interrupts, whose figure is the median latency from a deadline to
	 * its handler (the guest's RDTSC), not the wall time
	 */
	BENCH_ROW_SELFIPI,
	BENCH_ROW_IPI,
	BENCH_ROW_TIMER,
	/*
	 * The SynIC rows, in the local APIC VM too, VP 0 with its SynIC on
	 * (SIM page, SINT BENCH_SINT unmasked with BENCH_VEC_SINT, not
	 * auto-EOI) and the hypercall page: N / BENCH_SLOW_ROW_DIV x
	 * HvPostMessage to a root connection, then HLT until the root's
	 * reply is in the SIM slot, which the guest checks, frees (EOM if
	 * a message is pending) and EOIs (hvpart: a root message port read
	 * by a root thread that answers with HVPART_POST_MESSAGE; KVM:
	 * KVM_EXIT_HYPERV_HCALL, the runner writes the slot and raises the
	 * SINT through an irqfd); N x HvSignalEvent (fast) to a root
	 * connection, whose eventfd nobody waits on: the runner counts its
	 * signals after the run (hvpart: a root event port; KVM:
	 * KVM_HYPERV_EVENTFD)
	 */
	BENCH_ROW_POSTMSG,
	BENCH_ROW_SIGNAL,
	BENCH_NR_ROWS,
};

/**
 * struct bench_apic_data - the local APIC rows' counters, in guest memory
 *	at BENCH_APIC_DATA_GPA; cleared by bench.c before each run
 * @ready: ipi: the second VP has set up its APIC and sleeps
 * @handled: the first VP's handler runs (self-IPIs, pongs, timer ticks)
 * @ap_handled: ipi: the second VP's handler runs (pings)
 * @early: timer: interrupts taken before their deadline
 * @deadline: timer: the deadline set last
 * @delta: timer: how far ahead of RDTSC each deadline is (written by
 *	bench.c: BENCH_TIMER_DELTA_US in TSC ticks)
 * @lost: ipi: pings sent again after a watchdog tick without an answer
 * @stuck: ipi: set by the watchdog's tick, cleared by the sender
 * @wd_last: ipi: @handled at the watchdog's last tick
 * @nowait: ipi: pings found answered as soon as they were sent (a pong
 *	handled twice ran ahead), so that two pings were in flight
 * @hc_bad: SynIC rows: the result value of the call that failed (the
 *	guest then ends the loop), 0 if none did
 */
struct bench_apic_data {
	uint32_t ready;
	uint32_t handled;
	uint32_t ap_handled;
	uint32_t early;
	uint64_t deadline;
	uint64_t delta;
	uint32_t lost;
	uint32_t stuck;
	uint32_t wd_last;
	uint32_t nowait;
	uint64_t hc_bad;
};

/**
 * struct bench_sample - one timed run of a row, as the runner saw it
 * @ns: elapsed nanoseconds of the timed part (the entries only); for
 *	BENCH_ROW_TIMER the run's median latency times N instead, so that
 *	the figure per operation is that median
 * @exits: the VM exits the kernel counted during the timed part
 * @hc_bad: hypercall rows: the OR, over the N calls, of each call's
 *	hypercall result value XOR the one expected (guest R15 at the final
 *	HLT): 0 if every call succeeded in full
 * @hc_last_bad: hypercall rows: the last result value that was not the
 *	one expected (guest R14; 0 if none)
 * @events: signal: the eventfd signals the root counted after the run
 */
struct bench_sample {
	uint64_t ns;
	uint64_t exits;
	uint64_t hc_bad;
	uint64_t hc_last_bad;
	uint64_t events;
};

/**
 * struct bench_ops - one hypervisor's runner
 * @name: printed in the result lines ("hvpart", "kvm")
 * @setup: create the VM, its memory (holding @mem) and one vCPU
 * @run: run @row once with N = @n: put the vCPU in real mode (the
 *	whole state, as at reset: a hypercall row leaves it in long mode),
 *	set RIP, ESI and DX (bench_row_ip(), @n, bench_row_port()); a
 *	hypercall row (bench_row_hcall()) is entered until its set-up's
 *	HLT first, untimed; then enter until the HLT (BENCH_ROW_NULL: N
 *	immediate exits) and fill @s
 *
 * The local APIC rows (bench_row_apic()) run in a second VM, with two
 * vCPUs, whose local APICs are in the kernel; bench.c drives them:
 * @apic_setup: create it, with the same memory (@mem); NULL, or why
 *	the rows cannot run here (they are skipped, not failed)
 * @apic_enter: put vCPU @vp (0 or 1) in real mode at 0:@ip, as @run
 *	does, with ESI = @n and DX = BENCH_PORT, and make it runnable (the
 *	second vCPU waits for INIT-SIPI until then)
 * @apic_run: enter vCPU 0 until its OUT to BENCH_PORT, which it
 *	completes (and a KVM runner the SynIC exits on the way: the guest's
 *	HvPostMessage, answered, and its SynIC MSR writes); -1 after saying
 *	why on anything else
 * @ap_enter: one run ioctl on vCPU 1, on the second thread: 0 if it
 *	was interrupted by a signal, -1 after saying why on anything else
 *	(the second vCPU only ever sleeps in HLT with IF set)
 * @apic_exits: the VM exits the kernel counted on both vCPUs so far
 * @apic_dump: print (stderr) what a hung run's vCPUs were doing
 * @synic_setup: after the other local APIC rows, set up the SynIC rows
 *	in that VM: the root's message and event connections
 *	(BENCH_CONN_MSG, BENCH_CONN_EVENT) and whatever answers the guest's
 *	messages; NULL, or why the rows cannot run here (skipped)
 * @synic_events: the signals on the event connection's eventfd since the
 *	last call (0 if none)
 *
 * A run loop that sees EINTR with bench_hung set (the local APIC run's
 * watchdog went off) returns -1 rather than entering again.
 */
struct bench_ops {
	const char *name;
	int (*setup)(void *mem);
	int (*run)(enum bench_row row, uint64_t n, struct bench_sample *s);
	const char *(*apic_setup)(void *mem);
	void (*apic_enter)(unsigned int vp, uint16_t ip, uint64_t n);
	int (*apic_run)(void);
	int (*ap_enter)(void);
	uint64_t (*apic_exits)(void);
	void (*apic_dump)(void);
	const char *(*synic_setup)(void);
	uint64_t (*synic_events)(void);
};

extern volatile sig_atomic_t bench_hung;
/* -p: hvpart's postmsg through a root port served by a second thread */
extern int bench_ports;

uint64_t bench_now_ns(void);
const char *bench_row_name(enum bench_row row);
uint16_t bench_row_ip(enum bench_row row);
uint16_t bench_row_port(enum bench_row row);
int bench_row_hcall(enum bench_row row);
int bench_row_apic(enum bench_row row);
int bench_row_synic(enum bench_row row);
__attribute__((format(printf, 1, 2), noreturn))
void bench_fail(const char *fmt, ...);
int bench_main(int argc, char **argv, const struct bench_ops *ops);

#endif /* __ASSEMBLER__ */
#endif /* BENCH_H */
