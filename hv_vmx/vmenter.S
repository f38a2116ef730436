/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One VMLAUNCH/VMRESUME round trip.  Called by vmx_vp_run() with
 * interrupts off and the VP's VMCS current.  RSP, RIP and RFLAGS travel
 * in the VMCS; the other guest GPRs in the regs array (x86 encoding order,
 * 8 bytes each).  HOST_RIP is hv_vmx_vmexit; HOST_RSP is written here,
 * right before entry, so a VM exit lands on this frame.
 *
 * int hv_vmx_vmenter(u64 *regs, bool launched)
 * returns 0 after a VM exit, 1 on VMfailInvalid, 2 on VMfailValid.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/ibt.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#include "hv_core/vmenter_macros.S"

#define REG(n)	((n) * 8)
#define RAX	0
#define RCX	1
#define RDX	2
#define RBX	3
#define RBP	5
#define RSI	6
#define RDI	7

/* VMCS field encoding of HOST_RSP (checked against <asm/vmx.h> in vmx.c) */
#define VMCS_HOST_RSP	0x6c14

	.text

SYM_FUNC_START(hv_vmx_vmenter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi			/* 0(%rsp): regs */

	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jbe	.Lvmwrite_failed

	/* CF = launched: survives the MOVs below and VERW (ZF only) */
	bt	$0, %esi

	mov	%rdi, %rax
	mov	REG(RCX)(%rax), %rcx
	mov	REG(RDX)(%rax), %rdx
	mov	REG(RBX)(%rax), %rbx
	mov	REG(RBP)(%rax), %rbp
	mov	REG(RSI)(%rax), %rsi
	mov	REG(RDI)(%rax), %rdi
	mov	REG(8)(%rax), %r8
	mov	REG(9)(%rax), %r9
	mov	REG(10)(%rax), %r10
	mov	REG(11)(%rax), %r11
	mov	REG(12)(%rax), %r12
	mov	REG(13)(%rax), %r13
	mov	REG(14)(%rax), %r14
	mov	REG(15)(%rax), %r15
	mov	REG(RAX)(%rax), %rax

	HV_VMENTRY_MITIGATIONS
	UNWIND_HINT_SAVE
	jc	.Lvmresume
	vmlaunch
	jmp	.Lvmfail
.Lvmresume:
	vmresume
	jmp	.Lvmfail

SYM_INNER_LABEL(hv_vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	push	%rax
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
	pop	REG(RAX)(%rax)

	/* before the first RET: no guest-trained return predictions */
	HV_VMEXIT_MITIGATIONS

	xor	%eax, %eax
	jmp	.Lout

.Lvmfail:
	/* the VMCS decides: CF set is VMfailInvalid, ZF set VMfailValid */
	mov	$1, %eax
	jc	.Lout
	mov	$2, %eax
	jmp	.Lout

.Lvmwrite_failed:
	mov	$1, %eax
	jc	.Lout
	mov	$2, %eax

.Lout:
	/* leave no guest values behind in registers */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$8, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(hv_vmx_vmenter)
