/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry of the Multiboot test guests (mbinfo.elf, mblow.elf): the
 * header, a stack, then guest_main(magic, mbi) in C; halts if it returns.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000002	/* memory information */

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl _start
_start:
	cli
	cld
	movl $stack_top, %esp
	pushl %ebx
	pushl %eax
	call guest_main
1:	cli
	hlt
	jmp 1b

	.bss
	.balign 16
	.skip 8192
stack_top:

	.section .note.GNU-stack, "", @progbits
