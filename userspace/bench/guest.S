/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark guest: one blob of code that both runners (hvpart-bench
 * and kvm-bench) copy to guest physical address BENCH_GUEST_GPA and enter
 * in real mode at CS=0, IP=BENCH_GUEST_GPA + the entry's offset, with ESI
 * holding the iteration count N (N > 0) and DX the port of the OUT loop.
 * Every loop ends with HLT, which both hypervisors hand to the runner.
 * The hypercall loops run in 64-bit long mode, which the guest enters
 * itself (hc_setup), and halt once before their loop.  The local APIC
 * loops run in long mode too, in a VM with an in-kernel local APIC, where
 * HLT sleeps in the hypervisor: they end the set-up and the loop with an
 * OUT to BENCH_PORT instead, and count their interrupts in
 * BENCH_APIC_DATA_GPA (struct bench_apic_data).  The SynIC loops run there
 * too, with the hypercall page and VP 0's SynIC on.
 *
 * The blob sits in the host program's .rodata: the same bytes, assembled
 * once, go into both runners.
 */
#include "bench.h"

	.section .rodata
	.balign	64
	.globl	bench_guest_start
bench_guest_start:
	.code16

/* N x CPUID leaf 0: handled inside the hypervisor, no exit to userspace. */
	.balign	16
	.globl	bench_guest_cpuid
bench_guest_cpuid:
1:	movl	$0, %eax		/* CPUID clobbers EAX..EDX: reload */
	xorl	%ecx, %ecx
	cpuid
	decl	%esi
	jnz	1b
	hlt

/*
 * N x OUT to port DX: BENCH_PORT exits to the runner, which resumes;
 * BENCH_PORT_KERNEL is served in the kernel.
 */
	.balign	16
	.globl	bench_guest_out
bench_guest_out:
1:	outb	%al, %dx
	decl	%esi
	jnz	1b
	hlt

/* ---- hypercalls --------------------------------------------------- */

/* A guest address: where @sym lands in guest memory. */
#define G(sym)		((sym) - bench_guest_start + BENCH_GUEST_GPA)

#define SEL_CODE64	0x08
#define SEL_DATA	0x10
#define SEL_CODE32	0x18

#define HC_LIST_CONTROL	(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST | \
			 (BENCH_FLUSH_REPS << HV_HYPERCALL_REP_COMP_OFFSET))

/*
 * The entries: EBX = the loop (a guest address) that hc_setup jumps to
 * in long mode.  Each hypercall loop makes N calls through the hypercall
 * page (R12) and checks every result value in RAX against RBP, the one
 * expected: status HV_STATUS_SUCCESS and, for the rep call, all reps
 * completed.  R15 accumulates the differences (OR of RAX XOR RBP), R14
 * keeps the last result that differed; the runner reads both at the final
 * HLT.
 *
 * EBP says what follows the common set-up: HC_KIND_HCALL the hypercall
 * set-up and HLT, HC_KIND_APIC the local APIC set-up and an OUT to
 * BENCH_PORT, HC_KIND_AP the local APIC set-up only (the second VP of the
 * ipi row, which the runner starts while the first one waits),
 * HC_KIND_SYNIC the guest OS ID, the hypercall page (R12) and the SynIC,
 * then as HC_KIND_APIC.
 */
#define HC_KIND_HCALL	0
#define HC_KIND_APIC	1
#define HC_KIND_AP	2
#define HC_KIND_SYNIC	3

.macro	hc_entry name, loop, kind
	.balign	16
	.globl	\name
\name:
	movl	$G(\loop), %ebx
	movl	$\kind, %ebp
	jmp	hc_setup
.endm

	hc_entry bench_guest_hc_fast, hc_fast_loop, HC_KIND_HCALL
	hc_entry bench_guest_hc_mem, hc_mem_loop, HC_KIND_HCALL
	hc_entry bench_guest_hc_rep, hc_rep_loop, HC_KIND_HCALL
	hc_entry bench_guest_selfipi, selfipi_loop, HC_KIND_APIC
	hc_entry bench_guest_ipi, ipi_loop, HC_KIND_APIC
	hc_entry bench_guest_ipi_ap, ipi_ap_loop, HC_KIND_AP
	hc_entry bench_guest_timer, timer_loop, HC_KIND_APIC
	hc_entry bench_guest_postmsg, postmsg_loop, HC_KIND_SYNIC
	hc_entry bench_guest_signal, signal_loop, HC_KIND_SYNIC

/*
 * Real mode -> 32-bit protected mode -> long mode, paging with one 2 MiB
 * identity-mapped page; then (HC_KIND_HCALL) the guest OS ID, the
 * hypercall page and the flush calls' memory input; then HLT: the runner
 * starts its clock when it resumes the guest here.  The local APIC kinds
 * go on at apic_setup64 instead.
 */
hc_setup:
	cli
	movl	$(BENCH_PDPT_GPA | 3), BENCH_PML4_GPA	/* P, RW */
	movl	$(BENCH_PD_GPA | 3), BENCH_PDPT_GPA
	movl	$0x83, BENCH_PD_GPA			/* P, RW, PS */
	lgdtl	G(hc_gdt_desc)
	movl	%cr0, %eax
	orl	$1, %eax				/* PE */
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $G(hc_setup32)

	.code32
hc_setup32:
	movl	$SEL_DATA, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	%cr4, %eax
	orl	$0x20, %eax				/* PAE */
	movl	%eax, %cr4
	movl	$BENCH_PML4_GPA, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx			/* EFER */
	rdmsr
	orl	$0x100, %eax				/* LME */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000000, %eax			/* PG */
	movl	%eax, %cr0
	ljmpl	$SEL_CODE64, $G(hc_setup64)

	.code64
hc_setup64:
	movl	$BENCH_STACK_TOP, %esp
	movl	%ebx, %ebx		/* the loop: zero-extended */
	testl	%ebp, %ebp
	jz	1f
	cmpl	$HC_KIND_SYNIC, %ebp
	jne	apic_setup64
1:	/* TLFS: the guest OS ID first, then the hypercall page */
	movl	$HV_X64_MSR_GUEST_OS_ID, %ecx
	xorl	%eax, %eax
	movl	$BENCH_GUEST_OS_ID_HI, %edx
	wrmsr
	movl	$HV_X64_MSR_HYPERCALL, %ecx
	movl	$(BENCH_HCALL_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE), %eax
	xorl	%edx, %edx
	wrmsr
	cmpl	$HC_KIND_SYNIC, %ebp
	je	synic_setup64
	/*
	 * HV_INPUT_FLUSH_VIRTUAL_ADDRESS_SPACE: address space (ignored with
	 * the flag), flags, processor mask (ignored with the flag); the
	 * _LIST call's GVA ranges follow: one page each, pages 0, 1, ...
	 */
	movl	$BENCH_HCALL_IN_GPA, %edi
	movq	$0, (%rdi)
	movq	$(HV_FLUSH_ALL_PROCESSORS | HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES), 8(%rdi)
	movq	$0, 16(%rdi)
	addl	$24, %edi
	xorl	%eax, %eax
	movl	$BENCH_FLUSH_REPS, %ecx
1:	movq	%rax, (%rdi)
	addq	$0x1000, %rax
	addl	$8, %edi
	decl	%ecx
	jnz	1b
	movl	$BENCH_HCALL_PAGE_GPA, %r12d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	hlt
	jmp	*%rbx

/* RAX against RBP: see above.  R13 is scratch. */
.macro	hc_check
	movq	%rax, %r13
	xorq	%rbp, %r13
	cmovnzq	%rax, %r14
	orq	%r13, %r15
.endm

/* HvCallNotifyLongSpinWait, fast: RDX = the spin count */
hc_fast_loop:
	xorl	%ebp, %ebp
1:	movl	$(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST_BIT), %ecx
	movl	$1, %edx
	xorl	%r8d, %r8d
	call	*%r12
	hc_check
	decl	%esi
	jnz	1b
	hlt

/* HvCallFlushVirtualAddressSpace, input in memory, no output */
hc_mem_loop:
	xorl	%ebp, %ebp
1:	movl	$HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, %ecx
	movl	$BENCH_HCALL_IN_GPA, %edx
	xorl	%r8d, %r8d
	call	*%r12
	hc_check
	decl	%esi
	jnz	1b
	hlt

/* HvCallFlushVirtualAddressList, BENCH_FLUSH_REPS reps, input in memory */
hc_rep_loop:
	movabsq	$(BENCH_FLUSH_REPS << HV_HYPERCALL_REP_COMP_OFFSET), %rbp
1:	movabsq	$HC_LIST_CONTROL, %rcx
	movl	$BENCH_HCALL_IN_GPA, %edx
	xorl	%r8d, %r8d
	call	*%r12
	hc_check
	decl	%esi
	jnz	1b
	hlt

/* ---- local APIC ---------------------------------------------------- */

/* x2APIC MSRs (0x800 + the xAPIC offset / 16) and the APIC base MSR */
#define MSR_APIC_BASE		0x1b
#define MSR_X2APIC_EOI		0x80b
#define MSR_X2APIC_SPIV		0x80f
#define MSR_X2APIC_ICR		0x830
#define MSR_X2APIC_LVTT		0x832
#define MSR_X2APIC_SELF_IPI	0x83f
#define MSR_TSC_DEADLINE	0x6e0
#define APIC_BASE_EN_EXTD	0xc00	/* enabled, x2APIC mode */
#define APIC_ICR_ASSERT		0x4000	/* fixed, physical, level assert */
#define APIC_LVT_TSC_DEADLINE	0x40000

#define D(field)		(BENCH_APIC_DATA_GPA + (field))

/* An interrupt gate in the IDT at BENCH_IDT_GPA: @vec -> @handler. */
.macro	idt_gate vec, handler
	movl	$G(\handler), %eax
	movw	%ax, BENCH_IDT_GPA + \vec * 16
	movw	$SEL_CODE64, BENCH_IDT_GPA + \vec * 16 + 2
	movw	$0x8e00, BENCH_IDT_GPA + \vec * 16 + 4	/* P, 64-bit int gate */
	shrl	$16, %eax
	movw	%ax, BENCH_IDT_GPA + \vec * 16 + 6
	movq	$0, BENCH_IDT_GPA + \vec * 16 + 8
.endm

/* WRMSR @msr <- EDX:EAX = @val (< 2^32); clobbers EAX, ECX, EDX */
.macro	wrmsr_imm msr, val
	movl	$\msr, %ecx
	movl	$\val, %eax
	xorl	%edx, %edx
	wrmsr
.endm

/* EOI in x2APIC mode, from a handler: EAX, ECX, EDX saved */
.macro	x2apic_eoi
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	wrmsr_imm MSR_X2APIC_EOI, 0
	popq	%rdx
	popq	%rcx
	popq	%rax
.endm

/*
 * IDT, x2APIC mode, software enable (spurious vector 0xff); then the
 * set-up's end (HC_KIND_APIC: OUT to BENCH_PORT; the runner starts its
 * clock when it resumes the guest after it) and the loop.  IF stays
 * clear until the loop.
 */
apic_setup64:
	idt_gate BENCH_VEC_SELF, selfipi_handler
	idt_gate BENCH_VEC_PING, ipi_ping_handler
	idt_gate BENCH_VEC_PONG, ipi_pong_handler
	idt_gate BENCH_VEC_TIMER, timer_handler
	idt_gate BENCH_VEC_WD, ipi_wd_handler
	idt_gate BENCH_VEC_SINT, sint_handler
	idt_gate 0xff, spurious_handler
	lidt	G(apic_idt_desc)
	movl	$MSR_APIC_BASE, %ecx
	rdmsr
	orl	$APIC_BASE_EN_EXTD, %eax
	wrmsr
	wrmsr_imm MSR_X2APIC_SPIV, 0x1ff
	/*
	 * End what a run the runner cut short left in service (the second
	 * VP is stopped wherever it is): one EOI per vector in use is enough
	 */
	movl	$6, %edi
2:	wrmsr_imm MSR_X2APIC_EOI, 0
	decl	%edi
	jnz	2b
	cmpl	$HC_KIND_AP, %ebp
	je	1f
	movw	$BENCH_PORT, %dx
	outb	%al, %dx
1:	jmp	*%rbx

/* The loops' end: OUT to BENCH_PORT; the runner checks the counts. */
apic_done:
	cli
	movw	$BENCH_PORT, %dx
	outb	%al, %dx
	hlt			/* not reached: the runner sets a new entry */

/*
 * N self-IPIs (x2APIC SELF_IPI): each is taken right after its WRMSR
 * (IF=1), and its handler counts it and EOIs.
 */
selfipi_loop:
	sti
1:	wrmsr_imm MSR_X2APIC_SELF_IPI, BENCH_VEC_SELF
	decl	%esi
	jnz	1b
	jmp	apic_done

selfipi_handler:
	incl	D(BENCH_APIC_HANDLED)
	x2apic_eoi
	iretq

/*
 * N IPI round trips: BENCH_VEC_PING to APIC ID 1, whose handler answers
 * with BENCH_VEC_PONG to APIC ID 0; between, each side sleeps in HLT with
 * IF=1 (STI; HLT: no wake-up lost).  R12: pings sent.  An interrupt
 * delivered twice counts twice (bench.c reports it) and hangs nothing.
 * A watchdog (a TSC-deadline tick every BENCH_IPI_WD_DELTAS deltas, a
 * few exits a run) flags a round trip that made no progress for a whole
 * tick; the ping is then sent again and counted as lost.
 */
ipi_loop:
	xorl	%r12d, %r12d
	wrmsr_imm MSR_X2APIC_LVTT, APIC_LVT_TSC_DEADLINE | BENCH_VEC_WD
	call	ipi_wd_arm
1:	movl	$MSR_X2APIC_ICR, %ecx
	movl	$(APIC_ICR_ASSERT | BENCH_VEC_PING), %eax
	movl	$1, %edx
	wrmsr
	incl	%r12d
	cmpl	D(BENCH_APIC_HANDLED), %r12d
	ja	2f
	incl	D(BENCH_APIC_NOWAIT)	/* answered before it was sent */
2:	cmpl	D(BENCH_APIC_HANDLED), %r12d
	jbe	3f			/* answered (once or more) */
	cmpl	$0, D(BENCH_APIC_STUCK)
	jne	4f
	sti
	hlt
	cli
	jmp	2b
3:	decl	%esi
	jnz	1b
	wrmsr_imm MSR_TSC_DEADLINE, 0	/* the watchdog off */
	jmp	apic_done
4:	movl	$0, D(BENCH_APIC_STUCK)	/* no answer: send it again */
	incl	D(BENCH_APIC_LOST)
	decl	%r12d
	jmp	1b

/* IA32_TSC_DEADLINE = now + BENCH_IPI_WD_DELTAS deltas; EAX, ECX, EDX */
ipi_wd_arm:
	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	pushq	%rax
	imulq	$BENCH_IPI_WD_DELTAS, D(BENCH_APIC_DELTA), %rax
	addq	(%rsp), %rax
	addq	$8, %rsp
	movq	%rax, %rdx
	shrq	$32, %rdx
	movl	$MSR_TSC_DEADLINE, %ecx
	wrmsr
	ret

/* The watchdog's tick: no pong since the last one flags the wait stuck. */
ipi_wd_handler:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	movl	D(BENCH_APIC_HANDLED), %eax
	cmpl	D(BENCH_APIC_WD_LAST), %eax
	jne	1f
	movl	$1, D(BENCH_APIC_STUCK)
1:	movl	%eax, D(BENCH_APIC_WD_LAST)
	call	ipi_wd_arm
	wrmsr_imm MSR_X2APIC_EOI, 0
	popq	%rdx
	popq	%rcx
	popq	%rax
	iretq

ipi_pong_handler:
	incl	D(BENCH_APIC_HANDLED)
	x2apic_eoi
	iretq

/* The second VP: its own stack; ready; then it only sleeps and answers. */
ipi_ap_loop:
	movl	$BENCH_AP_STACK_TOP, %esp
	movl	$1, D(BENCH_APIC_READY)
1:	sti
	hlt
	jmp	1b

/*
 * EOI before the answer: once the first VP has its pong nothing is left
 * in service here, wherever the runner then stops this VP.
 */
ipi_ping_handler:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	incl	D(BENCH_APIC_AP_HANDLED)
	wrmsr_imm MSR_X2APIC_EOI, 0
	movl	$MSR_X2APIC_ICR, %ecx
	movl	$(APIC_ICR_ASSERT | BENCH_VEC_PONG), %eax
	xorl	%edx, %edx
	wrmsr
	popq	%rdx
	popq	%rcx
	popq	%rax
	iretq

/*
 * N TSC-deadline interrupts, one at a time: IA32_TSC_DEADLINE = now +
 * BENCH_APIC_DELTA ticks (the runner writes it), then HLT until the
 * handler has run.  The handler stores RDTSC - the deadline (signed, 32
 * bits) in BENCH_TIMER_SAMPLES_GPA[handled] (the first
 * BENCH_TIMER_SAMPLES) and counts the ones that came before it.
 */
timer_loop:
	xorl	%r12d, %r12d
	wrmsr_imm MSR_X2APIC_LVTT, APIC_LVT_TSC_DEADLINE | BENCH_VEC_TIMER
1:	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	addq	D(BENCH_APIC_DELTA), %rax
	movq	%rax, D(BENCH_APIC_DEADLINE)
	movq	%rax, %rdx
	shrq	$32, %rdx
	movl	$MSR_TSC_DEADLINE, %ecx
	wrmsr
	incl	%r12d
2:	cmpl	D(BENCH_APIC_HANDLED), %r12d
	jbe	3f			/* answered (once or more) */
	sti
	hlt
	cli
	jmp	2b
3:	decl	%esi
	jnz	1b
	jmp	apic_done

timer_handler:
	pushq	%rax
	pushq	%rdx
	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	subq	D(BENCH_APIC_DEADLINE), %rax
	jns	1f
	incl	D(BENCH_APIC_EARLY)
1:	movl	D(BENCH_APIC_HANDLED), %edx
	cmpl	$BENCH_TIMER_SAMPLES, %edx
	jae	2f
	movl	%eax, BENCH_TIMER_SAMPLES_GPA(, %rdx, 4)
2:	incl	D(BENCH_APIC_HANDLED)
	popq	%rdx
	popq	%rax
	x2apic_eoi
	iretq

/* ---- SynIC -------------------------------------------------------- */

/*
 * The SIM page, BENCH_SINT to BENCH_VEC_SINT (not masked, not auto-EOI,
 * not polled), the SynIC on; a message a cut-short run left in the slot
 * freed; R12 the hypercall page; then the local APIC set-up.
 */
synic_setup64:
	movl	$BENCH_HCALL_PAGE_GPA, %r12d
	wrmsr_imm HV_X64_MSR_SIMP, BENCH_SIMP_GPA | HV_SYNIC_SIMP_ENABLE
	wrmsr_imm HV_X64_MSR_SINT0 + BENCH_SINT, BENCH_VEC_SINT
	wrmsr_imm HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE
	call	sim_free
	movl	$HC_KIND_APIC, %ebp
	jmp	apic_setup64

/* Free the SIM slot; EOM if another message waits.  EAX, ECX, EDX. */
sim_free:
	movl	$0, BENCH_SIM_SLOT_GPA + BENCH_MSG_TYPE
	mfence			/* the TLFS: clear the type, then EOM */
	testb	$1, BENCH_SIM_SLOT_GPA + BENCH_MSG_FLAGS
	jz	1f
	wrmsr_imm HV_X64_MSR_EOM, 0
1:	ret

/* A call failed (result in RAX): the runner reports it. */
synic_hc_bad:
	movq	%rax, D(BENCH_APIC_HC_BAD)
	jmp	apic_done

/*
 * N x HvPostMessage (input at BENCH_HCALL_IN_GPA: HV_INPUT_POST_MESSAGE,
 * an 8-byte payload, the sequence number R13) to BENCH_CONN_MSG; then
 * HLT (IF=1) until the root's reply is in the SIM slot: counted in
 * @handled if it is BENCH_MSG_TYPE_REPLY with the same sequence number;
 * the slot freed.  The SINT's handler only EOIs.  The ipi row's watchdog
 * (a TSC-deadline tick every BENCH_IPI_WD_DELTAS deltas) wakes a HLT
 * whose reply came without its interrupt: counted as lost.
 */
postmsg_loop:
	wrmsr_imm MSR_X2APIC_LVTT, APIC_LVT_TSC_DEADLINE | BENCH_VEC_WD
	call	ipi_wd_arm
	xorl	%r13d, %r13d
	movl	$BENCH_HCALL_IN_GPA, %edi
	movl	$BENCH_CONN_MSG, (%rdi)
	movl	$0, 4(%rdi)
	movl	$BENCH_MSG_TYPE_POST, 8(%rdi)
	movl	$8, 12(%rdi)
1:	incq	%r13
	movq	%r13, 16(%rdi)
	movl	$HVCALL_POST_MESSAGE, %ecx
	movl	$BENCH_HCALL_IN_GPA, %edx
	xorl	%r8d, %r8d
	call	*%r12
	testq	%rax, %rax
	jnz	synic_hc_bad
2:	cmpl	$0, BENCH_SIM_SLOT_GPA + BENCH_MSG_TYPE
	jne	5f
	sti
	hlt
	cli
	jmp	2b
5:	cmpl	$0, D(BENCH_APIC_STUCK)
	je	3f
	movl	$0, D(BENCH_APIC_STUCK)	/* found after a whole tick */
	incl	D(BENCH_APIC_LOST)
3:	cmpl	$BENCH_MSG_TYPE_REPLY, BENCH_SIM_SLOT_GPA + BENCH_MSG_TYPE
	jne	4f
	cmpq	%r13, BENCH_SIM_SLOT_GPA + BENCH_MSG_PAYLOAD
	jne	4f
	incl	D(BENCH_APIC_HANDLED)
4:	call	sim_free
	decl	%esi
	jnz	1b
	wrmsr_imm MSR_TSC_DEADLINE, 0	/* the watchdog off */
	jmp	apic_done

/*
 * N x HvSignalEvent, fast: RDX = BENCH_CONN_EVENT, flag number 0 (bits
 * 47:32); each success counted in @handled.
 */
signal_loop:
1:	movl	$(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT), %ecx
	movl	$BENCH_CONN_EVENT, %edx
	xorl	%r8d, %r8d
	call	*%r12
	testq	%rax, %rax
	jnz	synic_hc_bad
	incl	D(BENCH_APIC_HANDLED)
	decl	%esi
	jnz	1b
	jmp	apic_done

sint_handler:
	x2apic_eoi
	iretq

/* 0xff: a spurious interrupt needs no EOI */
spurious_handler:
	iretq

	.balign	8
apic_idt_desc:
	.word	256 * 16 - 1
	.quad	BENCH_IDT_GPA

	.balign	8
hc_gdt:
	.quad	0
	.quad	0x00af9b000000ffff	/* SEL_CODE64: L, P, exec/read */
	.quad	0x00cf93000000ffff	/* SEL_DATA: flat 4 GiB, read/write */
	.quad	0x00cf9b000000ffff	/* SEL_CODE32: flat 4 GiB, D */
hc_gdt_end:
hc_gdt_desc:
	.word	hc_gdt_end - hc_gdt - 1
	.long	G(hc_gdt)

	.balign	16
	.globl	bench_guest_end
bench_guest_end:
	.code64

	.section .note.GNU-stack, "", @progbits
