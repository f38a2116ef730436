/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AP start-up for the 32-bit guests (smp.elf, tests/guests/smp.elf).
 * start_aps() (apic.h) copies ap_tramp_start..ap_tramp_end to
 * AP_TRAMP_BASE, where SIPI vector AP_TRAMP_BASE >> 12 starts each AP in
 * real mode with CS = AP_TRAMP_BASE >> 4, IP = 0.  The AP loads
 * mb_head.S's GDT, enters 32-bit protected mode, takes a stack of its
 * own and calls ap_main(n), n = 1 for the first AP to get there, 2 for
 * the next, and so on; it halts if that returns or if no stack is left.
 */
#define CODE_SEL	0x08		/* as in mb_head.S */
#define DATA_SEL	0x10
#define AP_MAX		63		/* hvctl runs at most 64 VPs */
#define AP_STACK_SIZE	4096

	.text
	.code16
	.globl ap_tramp_start, ap_tramp_end
ap_tramp_start:
	cli
	movw %cs, %ax
	movw %ax, %ds
	lgdtl ap_gdt_desc - ap_tramp_start	/* offsets within the copy */
	movl %cr0, %eax
	orl $1, %eax			/* CR0.PE */
	movl %eax, %cr0
	ljmpl $CODE_SEL, $ap_entry32	/* an absolute address: no fix-up */
ap_gdt_desc:
	.word gdt_limit
	.long gdt
ap_tramp_end:

	.code32
ap_entry32:
	movw $DATA_SEL, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	cld
	movl $1, %eax
	lock xaddl %eax, ap_next	/* %eax: this AP's number */
	cmpl $AP_MAX, %eax
	ja 1f
	/* AP n's stack is the n-th AP_STACK_SIZE bytes of ap_stacks */
	imull $AP_STACK_SIZE, %eax, %esp
	addl $ap_stacks, %esp
	pushl %eax
	call ap_main
1:	cli
	hlt
	jmp 1b

	.data
	.balign 4
ap_next:
	.long 1

	.bss
	.balign 16
ap_stacks:
	.skip AP_MAX * AP_STACK_SIZE

	.section .note.GNU-stack, "", @progbits
