/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark guest: one blob of code that both runners (hvpart-bench
 * and kvm-bench) copy to guest physical address BENCH_GUEST_GPA and enter
 * in real mode at CS=0, IP=BENCH_GUEST_GPA + the entry's offset, with ESI
 * holding the iteration count N (N > 0) and DX the port of the OUT loop.
 * Every loop ends with HLT, which both hypervisors hand to the runner.
 * The hypercall loops run in 64-bit long mode, which the guest enters
 * itself (hc_setup), and halt once before their loop.
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

/* ---- hypercalls --------------------------------------------------- */

/* A guest address: where @sym lands in guest memory. */
#define G(sym)		((sym) - bench_guest_start + BENCH_GUEST_GPA)

#define SEL_CODE64	0x08
#define SEL_DATA	0x10
#define SEL_CODE32	0x18

#define HC_LIST_CONTROL	(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST | \
			 (BENCH_FLUSH_REPS << HV_HYPERCALL_REP_COMP_OFFSET))

/*
 * The entries: EBX = the loop (a guest address) that hc_setup jumps to
 * in long mode.  Each loop makes N calls through the hypercall page (R12)
 * and checks every result value in RAX against RBP, the one expected:
 * status HV_STATUS_SUCCESS and, for the rep call, all reps completed.
 * R15 accumulates the differences (OR of RAX XOR RBP), R14 keeps the last
 * result that differed; the runner reads both at the final HLT.
 */
	.balign	16
	.globl	bench_guest_hc_fast
bench_guest_hc_fast:
	movl	$G(hc_fast_loop), %ebx
	jmp	hc_setup

	.balign	16
	.globl	bench_guest_hc_mem
bench_guest_hc_mem:
	movl	$G(hc_mem_loop), %ebx
	jmp	hc_setup

	.balign	16
	.globl	bench_guest_hc_rep
bench_guest_hc_rep:
	movl	$G(hc_rep_loop), %ebx
	jmp	hc_setup

/*
 * Real mode -> 32-bit protected mode -> long mode, paging with one 2 MiB
 * identity-mapped page; then the guest OS ID, the hypercall page and the
 * flush calls' memory input; then HLT: the runner starts its clock when
 * it resumes the guest here.
 */
hc_setup:
	cli
	movl	$(BENCH_PDPT_GPA | 3), BENCH_PML4_GPA	/* P, RW */
	movl	$(BENCH_PD_GPA | 3), BENCH_PDPT_GPA
	movl	$0x83, BENCH_PD_GPA			/* P, RW, PS */
	lgdtl	G(hc_gdt_desc)
	movl	%cr0, %eax
	orl	$1, %eax				/* PE */
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $G(hc_setup32)

	.code32
hc_setup32:
	movl	$SEL_DATA, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	%cr4, %eax
	orl	$0x20, %eax				/* PAE */
	movl	%eax, %cr4
	movl	$BENCH_PML4_GPA, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx			/* EFER */
	rdmsr
	orl	$0x100, %eax				/* LME */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000000, %eax			/* PG */
	movl	%eax, %cr0
	ljmpl	$SEL_CODE64, $G(hc_setup64)

	.code64
hc_setup64:
	movl	$BENCH_STACK_TOP, %esp
	movl	%ebx, %ebx		/* the loop: zero-extended */
	/* TLFS: the guest OS ID first, then the hypercall page */
	movl	$HV_X64_MSR_GUEST_OS_ID, %ecx
	xorl	%eax, %eax
	movl	$BENCH_GUEST_OS_ID_HI, %edx
	wrmsr
	movl	$HV_X64_MSR_HYPERCALL, %ecx
	movl	$(BENCH_HCALL_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE), %eax
	xorl	%edx, %edx
	wrmsr
	/*
	 * HV_INPUT_FLUSH_VIRTUAL_ADDRESS_SPACE: address space (ignored with
	 * the flag), flags, processor mask (ignored with the flag); the
	 * _LIST call's GVA ranges follow: one page each, pages 0, 1, ...
	 */
	movl	$BENCH_HCALL_IN_GPA, %edi
	movq	$0, (%rdi)
	movq	$(HV_FLUSH_ALL_PROCESSORS | HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES), 8(%rdi)
	movq	$0, 16(%rdi)
	addl	$24, %edi
	xorl	%eax, %eax
	movl	$BENCH_FLUSH_REPS, %ecx
1:	movq	%rax, (%rdi)
	addq	$0x1000, %rax
	addl	$8, %edi
	decl	%ecx
	jnz	1b
	movl	$BENCH_HCALL_PAGE_GPA, %r12d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	hlt
	jmp	*%rbx

/* RAX against RBP: see above.  R13 is scratch. */
.macro	hc_check
	movq	%rax, %r13
	xorq	%rbp, %r13
	cmovnzq	%rax, %r14
	orq	%r13, %r15
.endm

/* HvCallNotifyLongSpinWait, fast: RDX = the spin count */
hc_fast_loop:
	xorl	%ebp, %ebp
1:	movl	$(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST_BIT), %ecx
	movl	$1, %edx
	xorl	%r8d, %r8d
	call	*%r12
	hc_check
	decl	%esi
	jnz	1b
	hlt

/* HvCallFlushVirtualAddressSpace, input in memory, no output */
hc_mem_loop:
	xorl	%ebp, %ebp
1:	movl	$HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, %ecx
	movl	$BENCH_HCALL_IN_GPA, %edx
	xorl	%r8d, %r8d
	call	*%r12
	hc_check
	decl	%esi
	jnz	1b
	hlt

/* HvCallFlushVirtualAddressList, BENCH_FLUSH_REPS reps, input in memory */
hc_rep_loop:
	movabsq	$(BENCH_FLUSH_REPS << HV_HYPERCALL_REP_COMP_OFFSET), %rbp
1:	movabsq	$HC_LIST_CONTROL, %rcx
	movl	$BENCH_HCALL_IN_GPA, %edx
	xorl	%r8d, %r8d
	call	*%r12
	hc_check
	decl	%esi
	jnz	1b
	hlt

	.balign	8
hc_gdt:
	.quad	0
	.quad	0x00af9b000000ffff	/* SEL_CODE64: L, P, exec/read */
	.quad	0x00cf93000000ffff	/* SEL_DATA: flat 4 GiB, read/write */
	.quad	0x00cf9b000000ffff	/* SEL_CODE32: flat 4 GiB, D */
hc_gdt_end:
hc_gdt_desc:
	.word	hc_gdt_end - hc_gdt - 1
	.long	G(hc_gdt)

	.balign	16
	.globl	bench_guest_end
bench_guest_end:
	.code64

	.section .note.GNU-stack, "", @progbits
