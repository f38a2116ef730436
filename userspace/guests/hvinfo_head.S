/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvinfo.elf entry: the Multiboot header and a 32-bit _start that builds
 * an identity map of the first 1 GiB (2 MiB pages), enters long mode and
 * calls hvinfo_main(magic, mbi) in 64-bit C, which powers off at its end;
 * should it return, the guest halts.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000002	/* we want memory information */

#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define PTE_P		0x001
#define PTE_W		0x002
#define PTE_PS		0x080

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
	movl %eax, %edi			/* boot loader magic */
	movl %ebx, %esi			/* multiboot info */
	lgdt gdt_desc
	ljmp $0x08, $1f
1:	movw $0x10, %cx
	movw %cx, %ds
	movw %cx, %es
	movw %cx, %fs
	movw %cx, %gs
	movw %cx, %ss
	movl $stack_top, %esp

	/* PML4[0] -> PDPT, PDPT[0] -> PD, PD: 512 x 2 MiB */
	movl $pdpt + (PTE_P | PTE_W), pml4
	movl $pd + (PTE_P | PTE_W), pdpt
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	movl %eax, pd(, %ecx, 8)
	incl %ecx
	cmpl $512, %ecx
	jne 2b

	movl $pml4, %eax
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
	movl %edi, %edi			/* zero-extend magic and mbi */
	movl %esi, %esi
	call hvinfo_main		/* powers off; returns if that fails */
halt:	cli
	hlt
	jmp halt

/*
 * #GP: hvinfo_gp(frame) sees the interrupted registers (struct gp_frame
 * in hvinfo.c) and may change them; the error code goes on return.
 */
	.globl hvinfo_gp_entry
hvinfo_gp_entry:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	subq $8, %rsp			/* 16-byte aligned for the call */
	movq %rsp, %rdi
	cld
	call hvinfo_gp
	addq $8, %rsp
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	addq $8, %rsp			/* the error code */
	iretq

	.bss
	.balign 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4096
	.balign 16
	.skip 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
