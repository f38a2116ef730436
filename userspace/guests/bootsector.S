/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bootsector.bin: a 512-byte boot sector for hvctl.  It prints one line
 * through COM1 with OUT, one with REP OUTSB, and halts.  There is no BIOS,
 * so it talks to the UART directly.
 */
#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)
#define LSR_THRE	0x20

	.code16
	.text
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $0x7c00, %sp
	cld
	movb %dl, boot_drive

	/* Line 1: a byte at a time with OUT, polling LSR.THRE. */
	movw $msg_out, %si
1:	lodsb
	testb %al, %al
	jz 3f
	movb %al, %bl
	movw $COM1_LSR, %dx
2:	inb %dx, %al
	testb $LSR_THRE, %al
	jz 2b
	movb %bl, %al
	movw $COM1, %dx
	outb %al, %dx
	jmp 1b

	/* The boot drive in hex, into line 2. */
3:	movb boot_drive, %al
	movw $hexdigits, %bx
	movb %al, %ah
	shrb $4, %al
	xlatb
	movb %al, drive_hex
	movb %ah, %al
	andb $0x0f, %al
	xlatb
	movb %al, drive_hex + 1

	/* Line 2: the whole string with one REP OUTSB. */
	movw $msg_rep, %si
	movw $msg_rep_end - msg_rep, %cx
	movw $COM1, %dx
	rep outsb

halt:	cli
	hlt
	jmp halt

msg_out:
	.asciz "bootsector: hello from real mode, via OUT\r\n"
msg_rep:
	.ascii "bootsector: hello again via REP OUTSB; boot drive 0x"
drive_hex:
	.ascii "??\r\n"
msg_rep_end:
hexdigits:
	.ascii "0123456789abcdef"
boot_drive:
	.byte 0

	.org 510
	.byte 0x55, 0xaa

	.section .note.GNU-stack, "", @progbits
