/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpuid.bin: executes CPUID exactly 1000 times, says "cpuid: done" on
 * COM1 and spins: its statistics can be read while it runs.
 */
	.code16
	.text
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw $1000, %bp
1:	xorl %eax, %eax
	xorl %ecx, %ecx
	cpuid
	decw %bp
	jnz 1b

	movw $done, %si
	movw $0x3f8, %dx
2:	lodsb
	testb %al, %al
	jz 3f
	outb %al, %dx
	jmp 2b
3:	jmp 3b

done:
	.asciz "cpuid: done\n"

	.org 510
	.byte 0x55, 0xaa
	.section .note.GNU-stack, "", @progbits
