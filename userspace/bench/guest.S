/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark guest: one blob of 16-bit real-mode code that both runners
 * (hvpart-bench and kvm-bench) copy to guest physical address
 * BENCH_GUEST_GPA and enter at CS=0, IP=BENCH_GUEST_GPA + the entry's
 * offset, with ESI holding the iteration count N (N > 0) and DX the port
 * of the OUT loop.  Every loop ends with HLT, which both hypervisors hand
 * to the runner.
 *
 * The blob sits in the host program's .rodata: the same bytes, assembled
 * once, go into both runners.
 */
#include "bench.h"

	.section .rodata
	.balign	64
	.globl	bench_guest_start
bench_guest_start:
	.code16

/* N x CPUID leaf 0: handled inside the hypervisor, no exit to userspace. */
	.balign	16
	.globl	bench_guest_cpuid
bench_guest_cpuid:
1:	movl	$0, %eax		/* CPUID clobbers EAX..EDX: reload */
	xorl	%ecx, %ecx
	cpuid
	decl	%esi
	jnz	1b
	hlt

/*
 * N x OUT to port DX: BENCH_PORT exits to the runner, which resumes;
 * BENCH_PORT_KERNEL is served in the kernel.
 */
	.balign	16
	.globl	bench_guest_out
bench_guest_out:
1:	outb	%al, %dx
	decl	%esi
	jnz	1b
	hlt

	.balign	16
	.globl	bench_guest_end
bench_guest_end:
	.code64

	.section .note.GNU-stack, "", @progbits
