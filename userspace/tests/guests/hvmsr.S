/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmsr.bin family: one Hyper-V synthetic MSR request to the root, from
 * real mode, with an empty IDT so that a #GP (the MSR not granted)
 * becomes a triple fault, which hvctl reports with status 4.
 *   crash.bin     P0-P4 (P3/P4: a message), CRASH_CTL = notify | message
 *   crashnm.bin   (-DNO_MSG) the same without the message bit
 *   reset.bin     (-DRESET) 1 to HV_X64_MSR_RESET
 *   idle.bin      (-DIDLE) a read of HV_X64_MSR_GUEST_IDLE with IF clear
 *                 and the x2APIC timer armed: the timer's interrupt ends
 *                 the idle state and waits in IRR; then HLT (status 0),
 *                 or status 255 if it is not pending
 */
#define HV_X64_MSR_RESET	0x40000003
#define HV_X64_MSR_GUEST_IDLE	0x400000f0
#define HV_X64_MSR_CRASH_P0	0x40000100
#define HV_X64_MSR_CRASH_CTL	0x40000105
#define MSR_IA32_APIC_BASE	0x1b
#define APIC_BASE_X2APIC	0x400
#define APIC_BASE_ENABLE	0x800
#define X2APIC_SVR		0x80f
#define X2APIC_IRR_E0		0x827	/* IRR bits of vectors 0xe0-0xff */
#define X2APIC_LVT_TIMER	0x832
#define X2APIC_TIMER_ICR	0x838
#define X2APIC_TIMER_DCR	0x83e
#define IDLE_VECTOR		0xe0
#define CRASH_NOTIFY		0x80000000	/* bit 63: in EDX */
#define CRASH_NOTIFY_MSG	0x40000000	/* bit 62: in EDX */

	.code16
	.text
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	lidt idt_empty
#if defined(RESET)
	movl $HV_X64_MSR_RESET, %ecx
	movl $1, %eax
	xorl %edx, %edx
	wrmsr
#elif defined(IDLE)
	movl $MSR_IA32_APIC_BASE, %ecx
	rdmsr
	orl $(APIC_BASE_ENABLE | APIC_BASE_X2APIC), %eax
	wrmsr
	xorl %edx, %edx
	movl $X2APIC_SVR, %ecx
	movl $0x1ff, %eax
	wrmsr
	movl $X2APIC_TIMER_DCR, %ecx
	movl $0xb, %eax			/* divide by 1 */
	wrmsr
	movl $X2APIC_LVT_TIMER, %ecx
	movl $IDLE_VECTOR, %eax		/* one-shot */
	wrmsr
	movl $X2APIC_TIMER_ICR, %ecx
	movl $2000000, %eax		/* 10 ms at 200 MHz */
	wrmsr
	movl $HV_X64_MSR_GUEST_IDLE, %ecx
	rdmsr
	movl $X2APIC_IRR_E0, %ecx
	rdmsr
	testl $1, %eax
	jz 1f
	hlt				/* IF clear: hvctl ends the run */
1:
#else
	/* P0-P4 from params, each EDX:EAX */
	movl $HV_X64_MSR_CRASH_P0, %ecx
	movw $params, %si
1:	movl (%si), %eax
	movl 4(%si), %edx
	wrmsr
	addw $8, %si
	incl %ecx
	cmpl $HV_X64_MSR_CRASH_CTL, %ecx
	jne 1b
	xorl %eax, %eax
#ifdef NO_MSG
	movl $CRASH_NOTIFY, %edx
#else
	movl $(CRASH_NOTIFY | CRASH_NOTIFY_MSG), %edx
#endif
	wrmsr
#endif
	/* hvctl stops at the request: not reached */
	movb $0x7f, %al
	outb %al, $0xf4
	hlt

idt_empty:
	.word 0
	.long 0

	.balign 8
params:
	.quad 0x1122334455667788	/* P0 */
	.quad 0xffffffffffffffff	/* P1 */
	.quad 0				/* P2 */
	.long msg, 0			/* P3: the message's GPA */
	.long msg_end - msg, 0		/* P4: its length */
msg:
	.ascii "hvmsr: first line\r\n"
	.ascii "\tsecond line, a control character [\001] and DEL [\177]"
msg_end:

	.org 510
	.byte 0x55, 0xaa
	.section .note.GNU-stack, "", @progbits
