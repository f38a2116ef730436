/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry of the 32-bit Multiboot guests that stay in protected mode
 * (smp.elf; tests/guests: mbinfo.elf, mblow.elf, irq.elf, smp.elf): the
 * header, a GDT of our own (the loader's is not ours to trust; the APs
 * of ap_tramp.S load it too), a stack, then guest_main(magic, mbi) in C;
 * halts if it returns.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000002	/* memory information */
#define CODE_SEL	0x08
#define DATA_SEL	0x10

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .rodata
	.balign 8
	.globl gdt, gdt_limit
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* CODE_SEL: 32-bit code, flat */
	.quad 0x00cf93000000ffff	/* DATA_SEL: data, flat */
gdt_end:
	.set gdt_limit, gdt_end - gdt - 1
gdt_desc:
	.word gdt_limit
	.long gdt

	.text
	.code32
	.globl _start
_start:
	cli
	cld
	lgdt gdt_desc
	ljmp $CODE_SEL, $1f
1:	movw $DATA_SEL, %cx
	movw %cx, %ds
	movw %cx, %es
	movw %cx, %fs
	movw %cx, %gs
	movw %cx, %ss
	movl $stack_top, %esp
	pushl %ebx			/* Multiboot information */
	pushl %eax			/* boot loader magic */
	call guest_main
1:	cli
	hlt
	jmp 1b

	.bss
	.balign 16
	.skip 8192
stack_top:

	.section .note.GNU-stack, "", @progbits
