/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmsr.bin family: one Hyper-V synthetic MSR request to the root, from
 * real mode, with an empty IDT so that a #GP (the MSR not granted)
 * becomes a triple fault, which hvctl reports with status 4.
 *   crash.bin     P0-P4 (P3/P4: a message), CRASH_CTL = notify | message
 *   crashnm.bin   (-DNO_MSG) the same without the message bit
 *   reset.bin     (-DRESET) 1 to HV_X64_MSR_RESET
 *   idle.bin      (-DIDLE) a read of HV_X64_MSR_GUEST_IDLE
 */
#define HV_X64_MSR_RESET	0x40000003
#define HV_X64_MSR_GUEST_IDLE	0x400000f0
#define HV_X64_MSR_CRASH_P0	0x40000100
#define HV_X64_MSR_CRASH_CTL	0x40000105
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
	movl $HV_X64_MSR_GUEST_IDLE, %ecx
	rdmsr
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
