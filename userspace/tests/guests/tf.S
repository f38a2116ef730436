/* SPDX-License-Identifier: GPL-2.0 */
/* tf.bin: triple fault: an empty real-mode IDT, then INT3. */
	.code16
	.text
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	lidt idt_empty
	int3
	hlt			/* not reached */

idt_empty:
	.word 0
	.long 0

	.org 510
	.byte 0x55, 0xaa
	.section .note.GNU-stack, "", @progbits
