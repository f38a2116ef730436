/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvpart benchmark: what the two runners (hvpart-bench, kvm-bench) share.
 *
 * Both put the guest of guest.S at BENCH_GUEST_GPA in BENCH_MEM_SIZE bytes
 * of guest memory at GPA 0, start it in real mode at CS=0 and time whole
 * runs: from the first entry to the HLT that ends the loop, with
 * clock_gettime(CLOCK_MONOTONIC), divided by the number of loop exits N.
 * Nothing is subtracted (the HLT exit and the runner's own work are in
 * the figure).  Included by guest.S too: keep the C below __ASSEMBLER__.
 */
#ifndef BENCH_H
#define BENCH_H

#define BENCH_GUEST_GPA		0x1000
#define BENCH_MEM_SIZE		0x10000
/*
 * The port the runner serves, and one the kernel serves: hvpart drops
 * writes to ports with no intercept, KVM hands them to an ioeventfd.  No
 * special meaning to either hypervisor (0x7e would be a KVM quirk port).
 */
#define BENCH_PORT		0x80
#define BENCH_PORT_KERNEL	0x81

#ifndef __ASSEMBLER__
#include <stdint.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* guest.S */
extern const unsigned char bench_guest_start[];
extern const unsigned char bench_guest_cpuid[];
extern const unsigned char bench_guest_out[];
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
	BENCH_NR_ROWS,
};

/**
 * struct bench_ops - one hypervisor's runner
 * @name: printed in the result lines ("hvpart", "kvm")
 * @setup: create the VM, its memory (holding @mem) and one vCPU
 * @run: run @row once with N = @n: set RIP, ESI and DX (bench_row_ip(),
 *	@n, bench_row_port()), then enter until the
 *	HLT (BENCH_ROW_NULL: N immediate exits); store the elapsed
 *	nanoseconds (the entries only) in @ns and the VM exits the kernel
 *	counted during the run in @exits
 */
struct bench_ops {
	const char *name;
	int (*setup)(void *mem);
	int (*run)(enum bench_row row, uint64_t n, uint64_t *ns,
		   uint64_t *exits);
};

uint64_t bench_now_ns(void);
const char *bench_row_name(enum bench_row row);
uint16_t bench_row_ip(enum bench_row row);
uint16_t bench_row_port(enum bench_row row);
__attribute__((format(printf, 1, 2), noreturn))
void bench_fail(const char *fmt, ...);
int bench_main(int argc, char **argv, const struct bench_ops *ops);

#endif /* __ASSEMBLER__ */
#endif /* BENCH_H */
