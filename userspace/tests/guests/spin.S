/* SPDX-License-Identifier: GPL-2.0 */
/* spin.bin: never exits to hvctl; only a signal ends it. */
	.code16
	.text
	.globl _start
_start:
	cli
1:	jmp 1b

	.org 510
	.byte 0x55, 0xaa
	.section .note.GNU-stack, "", @progbits
