/* SPDX-License-Identifier: GPL-2.0 */
/* dexit.bin: writes 0x2a to isa-debug-exit: hvctl exits (0x2a << 1) | 1. */
	.code16
	.text
	.globl _start
_start:
	movb $0x2a, %al
	outb %al, $0xf4
	cli
	hlt

	.org 510
	.byte 0x55, 0xaa
	.section .note.GNU-stack, "", @progbits
