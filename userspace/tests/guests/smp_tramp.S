/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smp.elf's AP start-up: smp.c copies tramp_start..tramp_end to
 * TRAMP_BASE, where SIPI vector TRAMP_BASE >> 12 starts each AP in real
 * mode.  It takes the AP to 32-bit flat mode, counts it in with a locked
 * increment of ap_count, and halts it with interrupts off for good.
 */
#define TRAMP_BASE	0x8000

	.text
	.code16
	.globl tramp_start, tramp_end
tramp_start:
	cli
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tramp_gdt_desc - tramp_start
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $ap_entry32

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: code, flat */
	.quad 0x00cf93000000ffff	/* 0x10: data, flat */
tramp_gdt_desc:
	.word tramp_gdt_desc - tramp_gdt - 1
	.long TRAMP_BASE + (tramp_gdt - tramp_start)
tramp_end:

	.code32
ap_entry32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	lock incl ap_count
1:	cli
	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
