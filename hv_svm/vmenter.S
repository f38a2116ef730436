/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One VMRUN round trip.  Called by svm_vp_run() with GIF and interrupts
 * clear.  RAX, RSP, RIP and RFLAGS travel in the VMCB; the other guest
 * GPRs in the regs array (x86 encoding order, 8 bytes each).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#include "hv_core/vmenter_macros.S"

#define REG(n)	((n) * 8)
#define RCX	1
#define RDX	2
#define RBX	3
#define RBP	5
#define RSI	6
#define RDI	7

	.text

/* void hv_svm_vmrun(u64 vmcb_pa, u64 *regs, u64 host_save_pa) */
SYM_FUNC_START(hv_svm_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdx			/* 16(%rsp): host save area */
	push	%rsi			/*  8(%rsp): regs */
	push	%rdi			/*  0(%rsp): vmcb */

	/* VMRUN keeps only part of the host state; VMSAVE the rest. */
	mov	%rdx, %rax
	vmsave	%rax

	mov	%rsi, %rax
	mov	REG(RCX)(%rax), %rcx
	mov	REG(RDX)(%rax), %rdx
	mov	REG(RBX)(%rax), %rbx
	mov	REG(RBP)(%rax), %rbp
	mov	REG(RDI)(%rax), %rdi
	mov	REG(8)(%rax), %r8
	mov	REG(9)(%rax), %r9
	mov	REG(10)(%rax), %r10
	mov	REG(11)(%rax), %r11
	mov	REG(12)(%rax), %r12
	mov	REG(13)(%rax), %r13
	mov	REG(14)(%rax), %r14
	mov	REG(15)(%rax), %r15
	mov	REG(RSI)(%rax), %rsi
	mov	(%rsp), %rax

	/*
	 * GIF is clear: IF=1 lets physical interrupts exit the guest.  Not
	 * right before VMRUN: QEMU 7.2 carries STI's interrupt shadow into
	 * the guest's first instruction, which then cannot take a V_IRQ
	 * (svm_inject_virq()) and may be a CLI.
	 */
	sti
	vmload	%rax
	HV_VMENTRY_MITIGATIONS
	vmrun	%rax
	cli
	vmsave	%rax

	mov	8(%rsp), %rax
	mov	%rcx, REG(RCX)(%rax)
	mov	%rdx, REG(RDX)(%rax)
	mov	%rbx, REG(RBX)(%rax)
	mov	%rbp, REG(RBP)(%rax)
	mov	%rsi, REG(RSI)(%rax)
	mov	%rdi, REG(RDI)(%rax)
	mov	%r8, REG(8)(%rax)
	mov	%r9, REG(9)(%rax)
	mov	%r10, REG(10)(%rax)
	mov	%r11, REG(11)(%rax)
	mov	%r12, REG(12)(%rax)
	mov	%r13, REG(13)(%rax)
	mov	%r14, REG(14)(%rax)
	mov	%r15, REG(15)(%rax)

	/* Host FS/GS/TR/LDTR and syscall MSRs back before any C code. */
	mov	16(%rsp), %rax
	vmload	%rax

	/* Leave no guest values behind in registers. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	/* before the first RET: no guest-trained return predictions */
	HV_VMEXIT_MITIGATIONS

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(hv_svm_vmrun)
