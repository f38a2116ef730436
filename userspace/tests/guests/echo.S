/* SPDX-License-Identifier: GPL-2.0 */
/*
 * echo.bin: says "echo: ready" on COM1, then echoes what it receives by
 * polling the line status register; a 'q' powers off (port 0x8900).
 */
	.code16
	.text
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw $ready, %si
	movw $0x3f8, %dx
1:	lodsb
	testb %al, %al
	jz 2f
	outb %al, %dx
	jmp 1b

2:	movw $0x3fd, %dx		/* LSR: wait for data ready */
3:	inb %dx, %al
	testb $1, %al
	jz 3b
	movw $0x3f8, %dx
	inb %dx, %al
	cmpb $'q', %al
	je 4f
	outb %al, %dx
	jmp 2b

4:	movw $shutdown, %si
	movw $0x8900, %dx
5:	lodsb
	testb %al, %al
	jz 6f
	outb %al, %dx
	jmp 5b
6:	cli
	hlt

ready:
	.asciz "echo: ready\n"
shutdown:
	.asciz "Shutdown"

	.org 510
	.byte 0x55, 0xaa
	.section .note.GNU-stack, "", @progbits
