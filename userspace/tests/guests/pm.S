/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pm.bin: 32-bit protected mode with paging, where string I/O must go
 * through HVPART_TRANSLATE_GVA: linear 0x40000000 maps physical 0 (4 MiB
 * pages).  It prints a line with REP OUTSB through that alias, waits for
 * input, reads 5 bytes with REP INSB into the alias, echoes them, prints
 * a line stored backwards with DF set, and shuts down.
 *
 * Built with -DUNMAPPED it writes to GPA 0x80000000 instead, with paging
 * off, where hvctl has no RAM: hvctl must exit with status 6.
 */
#define COM1		0x3f8
#define ALIAS		0x40000000
#define PD		0x10000
#define PDE_4M		0x83		/* present, writable, 4 MiB */
#define CR0_PE		0x1
#define CR0_PG		0x80000000
#define CR4_PSE		0x10

	.code16
	.text
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl gdt_desc
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $0x08, $pm32

	.code32
pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl $0x7c00, %esp
#ifdef UNMAPPED
	movl $0x12345678, 0x80000000
	cli
	hlt
#else
	/* Page directory: 0-4 MiB identity, ALIAS -> 0. */
	movl $PD, %edi
	xorl %eax, %eax
	movl $1024, %ecx
	rep stosl
	movl $PDE_4M, PD
	movl $PDE_4M, PD + (ALIAS >> 22) * 4
	movl %cr4, %eax
	orl $CR4_PSE, %eax
	movl %eax, %cr4
	movl $PD, %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0

	cld
	movl $ALIAS + msg, %esi
	movl $msg_end - msg, %ecx
	movw $COM1, %dx
	rep outsb

	/* Wait for input, then take 5 bytes at once. */
	movw $COM1 + 5, %dx
1:	inb %dx, %al
	testb $1, %al
	jz 1b
	movl $ALIAS + buf, %edi
	movl $5, %ecx
	movw $COM1, %dx
	rep insb

	/* Echo them, then a line stored backwards, printed with DF set. */
	movl $ALIAS + echo, %esi
	movl $echo_end - echo, %ecx
	rep outsb
	std
	movl $ALIAS + rev_end - 1, %esi
	movl $rev_end - rev, %ecx
	rep outsb
	cld

	movl $ALIAS + shutdown, %esi
	movl $8, %ecx
	movw $0x8900, %dx
	rep outsb
#endif
	cli
	hlt

	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff
	.quad 0x00cf93000000ffff
gdt_desc:
	.word gdt_desc - gdt - 1
	.long gdt
msg:
	.ascii "pm: paged REP OUTSB through 0x40000000\r\n"
msg_end:
shutdown:
	.ascii "Shutdown"
echo:
	.ascii "pm: echo ["
buf:
	.ascii "?????"
	.ascii "]\r\n"
echo_end:
rev:
	.ascii "\n\rFD htiw sdrawkcab :mp"
rev_end:

	.org 510
	.byte 0x55, 0xaa
	.section .note.GNU-stack, "", @progbits
