/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello.elf entry: the Multiboot header, a GDT of our own (the loader's
 * one is not ours to trust), a stack, then hello_main() in C.  The switch
 * to long mode and the 64-bit part live here too, since the C is 32-bit.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000002	/* we want memory information */

#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)
#define LSR_THRE	0x20
#define SHUTDOWN_PORT	0x8900

#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)
#define EFER_LMA	(1 << 10)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .rodata
	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: 32-bit code, flat */
	.quad 0x00cf93000000ffff	/* 0x10: data, flat */
	.quad 0x00af9b000000ffff	/* 0x18: 64-bit code */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.text
	.code32
	.globl _start
_start:
	cli
	cld
	lgdt gdt_desc
	ljmp $0x08, $1f
1:	movw $0x10, %cx
	movw %cx, %ds
	movw %cx, %es
	movw %cx, %fs
	movw %cx, %gs
	movw %cx, %ss
	movl $stack_top, %esp
	pushl %ebx			/* multiboot info */
	pushl %eax			/* boot loader magic */
	call hello_main
halt:	cli
	hlt
	jmp halt

/*
 * void enter_long_mode(uint32_t pml4): never returns.  The page tables
 * must identity-map this code and the stack.
 */
	.globl enter_long_mode
enter_long_mode:
	movl 4(%esp), %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
	ljmp $0x18, $long_mode

	.code64
long_mode:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	leaq msg64(%rip), %rsi
	call puts64
	movl $MSR_EFER, %ecx
	rdmsr
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, %rbx
	call puthex64
	leaq msg_lma(%rip), %rsi
	testq $EFER_LMA, %rbx
	jnz 1f
	leaq msg_nolma(%rip), %rsi
1:	call puts64

	/* Power off through the Bochs port, as a string write. */
	leaq shutdown(%rip), %rsi
	movl $shutdown_end - shutdown, %ecx
	movw $SHUTDOWN_PORT, %dx
	rep outsb
	jmp halt

/* Prints the NUL-terminated string at %rsi on COM1, polling LSR. */
puts64:
	movb (%rsi), %al
	testb %al, %al
	jz 2f
	call putc64
	incq %rsi
	jmp puts64
2:	ret

/* Prints %al on COM1; keeps every register but %dx. */
putc64:
	pushq %rax
	movw $COM1_LSR, %dx
1:	inb %dx, %al
	testb $LSR_THRE, %al
	jz 1b
	popq %rax
	movw $COM1, %dx
	outb %al, %dx
	ret

/* Prints %rbx as 0x and 16 hex digits. */
puthex64:
	movb $'0', %al
	call putc64
	movb $'x', %al
	call putc64
	movl $16, %ecx
1:	rolq $4, %rbx
	movl %ebx, %eax
	andl $0xf, %eax
	leaq hexdigits(%rip), %rdi
	movb (%rdi, %rax), %al
	call putc64
	loop 1b
	ret

	.section .rodata
msg64:
	.asciz "hello: now in 64-bit mode, EFER = "
msg_lma:
	.asciz " (LMA set: long mode is active)\r\nhello: shutting down via port 0x8900\r\n"
msg_nolma:
	.asciz " (LMA clear?!)\r\n"
hexdigits:
	.ascii "0123456789abcdef"
shutdown:
	.ascii "Shutdown"
shutdown_end:

	.bss
	.balign 16
	.skip 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
