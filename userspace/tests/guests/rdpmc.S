/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rdpmc.bin: RDPMC, which hvpart answers with #GP (no PMU); the #GP
 * handler in the real-mode IVT writes 0x2a to isa-debug-exit: hvctl
 * exits (0x2a << 1) | 1.  Without the #GP it spins.
 */
	.code16
	.text
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %ss
	movw $0x7000, %sp
	/* IVT entry 13 (#GP): 0000:gp */
	movw $gp, 13 * 4
	movw %ax, 13 * 4 + 2
	xorl %ecx, %ecx
	rdpmc
1:	jmp 1b

gp:
	movb $0x2a, %al
	outb %al, $0xf4
	cli
	hlt

	.org 510
	.byte 0x55, 0xaa
	.section .note.GNU-stack, "", @progbits
