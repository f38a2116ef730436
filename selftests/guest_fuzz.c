// SPDX-License-Identifier: GPL-2.0
/*
 * guest_fuzz: a hostile guest.  Each round the host writes a fresh random
 * program for the guest in machine code and runs it in real mode, flat
 * 32-bit protected mode or 64-bit long mode; programs that start below
 * long mode may switch up on their own (real -> protected -> long, with
 * the guest's own GDT, CR0, CR4, EFER and page-table loads).  The
 * operations: random hypercalls (codes, rep counts and starts, GPAs,
 * the fast and XMM-fast forms, through the hypercall page or a direct
 * VMMCALL/VMCALL), reads and writes of random synthetic
 * (0x40000000-0x400001ff) and architectural MSRs, CPUID, port I/O
 * (string forms too), loads, stores and calls to unmapped, read-only and
 * non-executable GPAs, writes to CR0/CR3/CR4 and XSETBV, and exceptions
 * (#DE, #UD, #GP, #PF, int3, into, int n, int1).
 *
 * Some partitions have the in-kernel local APIC (LOCAL_APIC) and 2-4 VPs,
 * each on a thread of its own.  Their guests also do xAPIC MMIO at the
 * APIC base (any offset and size, MOV (moffs too), MOVZX, ALU, XCHG,
 * CMPXCHG, PUSH, POP and string forms, unaligned and page-crossing),
 * x2APIC MSR reads and writes (0x800-0x8ff), IA32_APIC_BASE writes
 * (relocate, disable, switch to x2APIC), ICR IPIs of every delivery mode
 * and shorthand (INIT and SIPI to themselves and to the others, NMIs,
 * illegal vectors), the
 * timer in all three modes with tiny and huge counts, TPR and CR8,
 * HV_X64_MSR_EOI/ICR/TPR and the VP assist page at random GPAs,
 * HvCallSendSyntheticClusterIpi(Ex), and HLT with IF clear or set.  The
 * APs start in real mode at a trampoline (the root starts them, or the
 * guest's own INIT-SIPI does) that takes them to flat 32-bit mode, each
 * with its own program, IDT, handlers and stack.  The root asserts
 * interrupts between RUNs, wakes or leaves halted VPs (a signal then
 * ends RUN), and bounds every RUN: a VP thread that does not come back
 * from RUN after signals is reported wedged.
 *
 * Every vector has a guest handler that reports it on a port the root
 * intercepts and goes on with the next operation (its address is kept in
 * a slot in guest memory).  The root answers what comes to it: I/O,
 * MSR and CPUID intercepts are completed, an access to an unmapped or
 * forbidden GPA is skipped (the guest resumes at its next operation),
 * halts are resumed; a triple fault, reset or unhandled exit ends the
 * round, and so does a round that runs too long (a timer interrupts
 * RUN).  A fault in the guest is fine: the verdict is the host's (clean
 * kernel log, RUN never fails otherwise, VmLck back to 0 and every pin
 * released once the partition is gone).
 *
 *   guest_fuzz [--seed N] [--iterations ROUNDS] [--soak SECONDS]
 *
 * Defaults: 1000 rounds (HVPART_FUZZ_SCALE=PCT scales them), and at most
 * 40 s of wall time.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/time.h>
#include <unistd.h>

#include "kselftest.h"
#include "hyperv_util.h"
#include "fuzz_util.h"

#define DEFAULT_ROUNDS	1000
#define DEFAULT_BUDGET	40.0
#define OPS_PER_BLOCK	12
#define MAX_MSGS	64	/* root exits per round */
#define MAX_EXC		24	/* reported exceptions per round */
#define NEW_PARTITION	60	/* rounds per partition */
#define APIC_PARTITION	4	/* partitions 0, 4, 8...: a local APIC ... */
#define APIC_ROUNDS	30	/* ... for this many rounds */

/*
 * Guest physical layout, on top of hvpart_util.h's and hyperv_util.h's.
 * A hole and two restricted pages sit below 1 MiB, where real mode
 * reaches them.  Plain literals: the guest snippet uses some.
 */
#define IVT_GPA		0x0
#define STUBS16_GPA	0xb000		/* 256 x 16 bytes */
#define OPS16_GPA	0xc000		/* real-mode program */
#define OPS16_END	0xe800
#define RESUME16	0xe800		/* u16: where a real-mode handler goes */
#define XMM_GPA		0xe900		/* 6 x 16 random bytes for XMM0-5 */
#define RESUME		0x35800		/* u64: the same in 32/64-bit mode */
#define NEXT32		0x35840		/* u64: 32-bit program, for to32 */
#define NEXT64		0x35848		/* u64: 64-bit program, for to64 */
#define IDT32_GPA	0x36000
#define STUBS32_GPA	0x37000		/* 256 x 16 bytes */
#define STUBS64_GPA	0x38000		/* 256 x 32 bytes */
#define OPS32_GPA	0x40000
#define OPS64_GPA	0x48000
#define OPS_SIZE	0x8000
#define HOLE_GPA	0xa0000		/* 64 KiB nothing maps */
#define RO_GPA		0xb0000		/* readable only */
#define NX_GPA		0xb1000		/* readable and writable */
#define RAM2_GPA	0xb2000		/* RWX again, to 2 MiB */
#define EXC_PORT	0xe8		/* out %al: a vector the guest took */
#define HOST_PORTS	0x60		/* 0x60-0x6f: answered by the root */

/*
 * LOCAL_APIC partitions.  APs start in real mode at AP_TRAMP (SIPI page
 * 7), which takes each to flat 32-bit mode in its own area: IDT, IDTR,
 * program pointer, RESUME slot, handler stubs, program and stack.  Real-
 * mode handlers go through DISPATCH16, which sends an AP to a CLI; HLT
 * rather than into VP 0's program.
 */
#define AP_TRAMP_GPA	0x7000
#define AP_GDTR		0x7100
#define DISPATCH16	0x7200
#define AP_AREA		0x100000	/* + VP index * AP_STRIDE */
#define AP_STRIDE	0x8000
#define AP_IDTR		0x800
#define AP_PROG_PTR	0x808
#define AP_RESUME	0x810
#define AP_STUBS	0x1000		/* 256 x 16 bytes */
#define AP_OPS		0x2000
#define AP_OPS_END	0x6000
#define AP_STACK	0x8000
#define APIC_GPA	0xfee00000
#define MAX_VPS		4
#define APIC_RUN_MS	10		/* RUN bound in LOCAL_APIC rounds */
#define WEDGED_S	10		/* a RUN that ignores signals this long */

#define HV_X64_MSR_EOI			0x40000070
#define HV_X64_MSR_ICR			0x40000071
#define HV_X64_MSR_TPR			0x40000072
#define HV_X64_MSR_VP_ASSIST_PAGE	0x40000073

static const char usage[] =
	"usage: guest_fuzz [--seed N] [--iterations ROUNDS] [--soak SECONDS] [-v]\n";

/* Trampolines: real -> protected (to32), protected -> long (to64). */
__asm__(GUEST_ASM_BEGIN(g_fz)
	".code16\n"
	".global g_fz_to32\n"
	"g_fz_to32:\n"
	"	cli\n"
	"	lgdtl " G_ADDR(g_fz, g_fz_gdtr) "\n"
	"	lidtl " G_ADDR(g_fz, g_fz_idtr32) "\n"
	"	mov %cr0, %eax\n"
	"	or $1, %eax\n"
	"	mov %eax, %cr0\n"
	"	ljmpl $" G_STR(SEL_CODE32) ", $" G_ADDR(g_fz, 1f) "\n"
	".code32\n"
	"1:	mov $" G_STR(SEL_DATA) ", %ax\n"
	"	mov %ax, %ds\n"
	"	mov %ax, %es\n"
	"	mov %ax, %ss\n"
	"	mov %ax, %fs\n"
	"	mov %ax, %gs\n"
	"	mov $" G_STR(STACK_TOP) ", %esp\n"
	"	jmp *" G_STR(NEXT32) "\n"
	".global g_fz_to64\n"
	"g_fz_to64:\n"
	"	mov %cr0, %eax\n"
	"	and $0x7fffffff, %eax\n"
	"	mov %eax, %cr0\n"
	"	mov $" G_STR(PML4_GPA) ", %eax\n"
	"	mov %eax, %cr3\n"
	"	mov %cr4, %eax\n"
	"	or $0x20, %eax\n"
	"	mov %eax, %cr4\n"
	"	mov $0xc0000080, %ecx\n"
	"	rdmsr\n"
	"	or $0x100, %eax\n"
	"	wrmsr\n"
	"	lidtl " G_ADDR(g_fz, g_fz_idtr64) "\n"
	"	mov %cr0, %eax\n"
	"	or $0x80000001, %eax\n"
	"	mov %eax, %cr0\n"
	"	ljmp $" G_STR(SEL_CODE64) ", $" G_ADDR(g_fz, 2f) "\n"
	".code64\n"
	"2:	mov $" G_STR(STACK_TOP) ", %esp\n"
	"	jmp *" G_STR(NEXT64) "\n"
	".balign 8\n"
	"g_fz_gdtr:\n"
	"	.word " G_STR(GDT_LIMIT) "\n"
	"	.long " G_STR(GDT_GPA) "\n"
	"g_fz_idtr32:\n"
	"	.word 0x7ff\n"
	"	.long " G_STR(IDT32_GPA) "\n"
	"g_fz_idtr64:\n"
	"	.word 0xfff\n"
	"	.long " G_STR(IDT_GPA) "\n"
	GUEST_ASM_END(g_fz));
GUEST_CODE_DECLARE(g_fz);
GUEST_LABEL_DECLARE(g_fz_to32);
GUEST_LABEL_DECLARE(g_fz_to64);

enum fz_mode { M16, M32, M64 };

enum op_kind {
	OP_REGS, OP_RDMSR, OP_WRMSR, OP_CPUID, OP_IO, OP_MEM, OP_HCALL,
	OP_EXC, OP_CR, OP_XSETBV,
	/* LOCAL_APIC partitions only */
	OP_XAPIC, OP_X2APIC, OP_APICBASE, OP_ICR, OP_TIMER, OP_TPR,
	OP_HVAPIC, OP_IPI_HCALL, OP_HLT, OP_KINDS,
};

#define OP_BASIC_KINDS	OP_XAPIC

static const char *const op_names[OP_KINDS] = {
	"regs", "rdmsr", "wrmsr", "cpuid", "io", "mem", "hypercall",
	"exception", "cr", "xsetbv", "xapic-mmio", "x2apic-msr",
	"apic-base", "icr-ipi", "apic-timer", "tpr-cr8", "hv-apic-msr",
	"ipi-hcall", "hlt",
};

struct figures {
	long rounds, ops[OP_KINDS], switches, runs, exits, eintr;
	long vectors, io, mem, msr, cpuid, hcall, halts, triple, crash, reset;
	long unhandled, other, partitions, run_errors;
	/* LOCAL_APIC partitions */
	long apic_partitions, apic_rounds, ap_runs, ap_exits, ap_sipi;
	long asserts, eois, halt_woken, halt_nmi, halt_signalled, wedged;
	long done, ap_done;	/* programs that ran to their end */
};

static struct figures fig;

/* The current round's program, for the report of a round gone wrong. */
struct op_rec {
	uint64_t gpa, end;
	int kind;
	uint64_t arg;		/* the MSR, hypercall control, ... */
};

static struct op_rec oplog[3 * OPS_PER_BLOCK];
static int noplog;
static uint64_t op_arg;
static struct fz_opts opts = {
	.seed = 0x67667a31,	/* "gfz1" */
	.iterations = DEFAULT_ROUNDS,
	.budget_s = DEFAULT_BUDGET,
};

static uint8_t hc_insn[3];

/*
 * Control-register writes reach hvpart on VMX (CR0 and CR4 have guest/
 * host masks); on SVM they never leave the CPU, and QEMU's SVM takes
 * values a real CPU refuses with #GP (then fails the next VMRUN) and
 * has been seen to wedge a host CPU in such a guest: they would test
 * the emulator, not hvpart.
 */
static bool cr_writes;

/*
 * A guest may set EFER.LME while CR0.PG is clear (long mode starts only
 * when PG is set), and this fuzzer's WRMSRs do, from real and protected
 * mode.  On QEMU's emulated SVM (TCG: 7.2, and upstream's
 * svm_helper.c/helper.c read the same) the #VMEXIT after that wedges the
 * host CPU: do_vmexit() loads the host's CR0 while EFER and CR4 still
 * hold the guest's, cpu_x86_update_cr0() takes that for a switch to long
 * mode without CR4.PAE and returns without loading it ("XXX: generate an
 * exception"), and the host goes on with paging off (CR0 = the guest's
 * 0x10 or 0x11) and GIF clear, where no interrupt or NMI ever reaches it:
 * the emulated machine hangs without a kernel message.  The same guest
 * WRMSR then OUT under kvm_amd, without hvpart, wedges the emulated CPU
 * the same way; no real CPU does this.  So there, and only there, the
 * guest's EFER writes below long mode leave LME clear.
 */
static bool lme_below_long_mode;

/* ---- machine code --------------------------------------------------- */

struct emit {
	struct hv_vm *vm;
	uint8_t *p, *end;
	uint64_t gpa;		/* of *p */
	enum fz_mode mode;
	struct fz_rng *rng;
	bool apic;		/* a LOCAL_APIC partition */
	uint64_t resume;	/* an AP's RESUME slot, or 0 for VP 0's */
};

static void e8(struct emit *e, uint8_t b)
{
	HV_ASSERT(e->p < e->end, "guest program too long");
	*e->p++ = b;
	e->gpa++;
}

static void en(struct emit *e, uint64_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		e8(e, v >> (8 * i));
}

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8 };

/* mov $v, reg: 32 bits wide below long mode, 64 in it. */
static void mov_imm(struct emit *e, int reg, uint64_t v)
{
	if (e->mode == M64) {
		e8(e, reg >= 8 ? 0x49 : 0x48);
		e8(e, 0xb8 + (reg & 7));
		en(e, v, 8);
		return;
	}
	if (e->mode == M16)
		e8(e, 0x66);
	e8(e, 0xb8 + reg);
	en(e, v, 4);
}

/* The handlers' way on: RESUME = the end of this operation (patched). */
static uint8_t *set_resume(struct emit *e)
{
	uint8_t *imm;

	switch (e->mode) {
	case M16:			/* movw $imm16, RESUME16 */
		e8(e, 0xc7); e8(e, 0x06); en(e, RESUME16, 2);
		imm = e->p;
		en(e, 0, 2);
		break;
	case M32:			/* movl $imm32, RESUME */
		e8(e, 0xc7); e8(e, 0x05); en(e, e->resume ?: RESUME, 4);
		imm = e->p;
		en(e, 0, 4);
		break;
	default:			/* movq $imm32, RESUME */
		e8(e, 0x48); e8(e, 0xc7); e8(e, 0x04); e8(e, 0x25);
		en(e, RESUME, 4);
		imm = e->p;
		en(e, 0, 4);
		break;
	}
	return imm;
}

static void patch_resume(struct emit *e, uint8_t *imm)
{
	int i, n = e->mode == M16 ? 2 : 4;

	for (i = 0; i < n; i++)
		imm[i] = e->gpa >> (8 * i);
}

/* A GPA worth touching: holes, restricted pages, overlays, far away. */
static uint64_t pick_gpa(struct fz_rng *r, bool for_output)
{
	switch (fz_below(r, 10)) {
	case 0:
		return HOLE_GPA + fz_below(r, 0x10000);
	case 1:
		return RO_GPA + fz_below(r, PAGE_SIZE);
	case 2:
		return NX_GPA + fz_below(r, PAGE_SIZE);
	case 3:
		return UNMAPPED_GPA + fz_below(r, 1 << 20);
	case 4:
		return HC_PAGE_GPA + fz_below(r, 2) * PAGE_SIZE + fz_below(r, 16);
	case 5:
		return fz_value(r);
	case 6:
		return 0x200000 + fz_below(r, 0xffe00000);
	}
	/* guest RAM: the input page, or the output page for output */
	return (for_output ? HC_OUT_GPA : HC_IN_GPA) +
		(fz_one_in(r, 4) ? fz_below(r, PAGE_SIZE) : 0);
}

static const uint32_t arch_msrs[] = {
	0x10, 0x1b, 0x3a, 0x48, 0x49, 0x8b, 0xfe, 0x10b, 0x174, 0x175,
	0x176, 0x179, 0x17a, 0x1a0, 0x1d9, 0x200, 0x201, 0x250, 0x277,
	0x2ff, 0x400, 0x480, 0x6e0, 0x800, 0x802, 0x830, 0xc0000080,
	0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, 0xc0000100,
	0xc0000101, 0xc0000102, 0xc0000103, 0xc0010114, 0xc0010117,
	0xc0011029, 0x2000, 0x2fff,
};

static const uint32_t syn_msrs[] = {
	HV_X64_MSR_GUEST_OS_ID, HV_X64_MSR_HYPERCALL, HV_X64_MSR_VP_INDEX,
	HV_X64_MSR_RESET, HV_X64_MSR_VP_RUNTIME, HV_X64_MSR_TIME_REF_COUNT,
	HV_X64_MSR_REFERENCE_TSC, HV_X64_MSR_TSC_FREQUENCY,
	HV_X64_MSR_APIC_FREQUENCY, HV_X64_MSR_GUEST_IDLE,
	HV_X64_MSR_CRASH_P0, HV_X64_MSR_CRASH_P3, HV_X64_MSR_CRASH_P4,
	HV_X64_MSR_CRASH_CTL,
};

static uint32_t pick_msr(struct fz_rng *r)
{
	switch (fz_below(r, 10)) {
	case 0: case 1: case 2:
		return 0x40000000 + fz_below(r, 0x200);
	case 3: case 4:
		return syn_msrs[fz_below(r, ARRAY_SIZE(syn_msrs))];
	case 5:
		return fz_next(r);
	}
	return arch_msrs[fz_below(r, ARRAY_SIZE(arch_msrs))];
}

static uint64_t msr_value(struct fz_rng *r, uint32_t msr)
{
	if ((msr == HV_X64_MSR_HYPERCALL || msr == HV_X64_MSR_REFERENCE_TSC) &&
	    !fz_one_in(r, 4))
		return (pick_gpa(r, false) & ~0xfffULL) | fz_below(r, 4);
	if (msr == HV_X64_MSR_RESET && !fz_one_in(r, 3))
		return 0;	/* 1 resets: the round ends */
	return fz_value(r);
}

static void op_msr(struct emit *e, bool write)
{
	uint32_t msr = pick_msr(e->rng);
	uint64_t v = msr_value(e->rng, msr);

	if (msr == MSR_EFER && e->mode != M64 && !lme_below_long_mode)
		v &= ~EFER_LME;
	op_arg = (uint64_t)msr << 32 | (uint32_t)v;
	mov_imm(e, RCX, msr);
	mov_imm(e, RAX, (uint32_t)v);
	mov_imm(e, RDX, v >> 32);
	e8(e, 0x0f);
	e8(e, write ? 0x30 : 0x32);
}

static void op_cpuid(struct emit *e)
{
	static const uint32_t leaves[] = {
		0, 1, 7, 0xb, 0xd, 0x40000000, 0x40000001, 0x40000003,
		0x40000004, 0x40000005, 0x40000006, 0x4000000a, 0x400000ff,
		0x80000000, 0x80000001, 0x80000008, 0x8000000a, 0x80000100,
	};
	struct fz_rng *r = e->rng;

	mov_imm(e, RAX, fz_one_in(r, 4) ? fz_next(r) :
		leaves[fz_below(r, ARRAY_SIZE(leaves))]);
	mov_imm(e, RCX, fz_below(r, 3) ? fz_below(r, 4) : fz_next(r));
	e8(e, 0x0f);
	e8(e, 0xa2);
}

static void op_io(struct emit *e)
{
	struct fz_rng *r = e->rng;
	uint16_t port = fz_one_in(r, 2) ? HOST_PORTS + fz_below(r, 16) :
			fz_one_in(r, 4) ? 0xe9 + fz_below(r, 4) : fz_next(r);
	bool out = fz_one_in(r, 2);
	int size = fz_below(r, 3);	/* byte, word, dword */
	bool flip;

	mov_imm(e, RAX, fz_next(r));
	if (fz_one_in(r, 4)) {		/* rep outs/ins, 1-4 bytes */
		mov_imm(e, RCX, 1 + fz_below(r, 4));
		mov_imm(e, RSI, e->mode == M16 ? XMM_GPA : HC_IN_GPA);
		mov_imm(e, RDI, e->mode == M16 ? XMM_GPA : HC_OUT_GPA);
		mov_imm(e, RDX, port);
		e8(e, 0xf3);
		e8(e, out ? 0x6e : 0x6c);
		return;
	}
	/* operand size: 0x66 flips between 16 and 32 bits */
	flip = size == 1 ? e->mode != M16 : e->mode == M16;

	if (size && flip)
		e8(e, 0x66);
	if (fz_one_in(r, 2) && port < 0x100) {
		e8(e, (out ? 0xe6 : 0xe4) + !!size);
		e8(e, port);
	} else {
		mov_imm(e, RDX, port);
		e8(e, (out ? 0xee : 0xec) + !!size);
	}
}

static const uint64_t exec_targets[] = {
	HOLE_GPA, RO_GPA, NX_GPA, UNMAPPED_GPA, HC_PAGE_GPA,
};

static void op_mem(struct emit *e)
{
	struct fz_rng *r = e->rng;
	int kind = fz_below(r, 3);	/* read, write, call */

	if (e->mode == M16) {
		static const uint16_t segs[] = {
			HOLE_GPA >> 4, RO_GPA >> 4, NX_GPA >> 4,
			HC_PAGE_GPA >> 4, 0xf000,
		};

		/* mov $seg, %ax; mov %ax, %es; es: mov (%bx) or to it */
		mov_imm(e, RAX, segs[fz_below(r, ARRAY_SIZE(segs))]);
		e8(e, 0x8e); e8(e, 0xc0);
		mov_imm(e, RBX, fz_below(r, 0x10000));
		e8(e, 0x26);
		e8(e, kind == 1 ? 0x89 : 0x8b);
		e8(e, 0x07);
		return;
	}
	if (e->mode == M64 && fz_one_in(r, 4))
		/* past the 1 GiB identity map (#PF) or non-canonical (#GP) */
		mov_imm(e, RBX, fz_one_in(r, 2) ? 0x40000000 + fz_next(r) % (1ULL << 38) :
			fz_next(r) | (1ULL << 63));
	else if (kind == 2)
		/* calls go where an exit waits: guest RAM holds data */
		mov_imm(e, RBX, exec_targets[fz_below(r, ARRAY_SIZE(exec_targets))] +
			fz_below(r, 64));
	else
		mov_imm(e, RBX, pick_gpa(r, true));
	switch (kind) {
	case 0:
		e8(e, 0x8b); e8(e, 0x03);	/* mov (%rbx), %eax */
		break;
	case 1:
		e8(e, 0x89); e8(e, 0x03);	/* mov %eax, (%rbx) */
		break;
	default:
		e8(e, 0xff); e8(e, 0xd3);	/* call *%rbx */
		break;
	}
}

static uint64_t hcall_control(struct fz_rng *r)
{
	static const uint16_t codes[] = {
		0x0002, 0x0003, 0x0008, 0x000b, 0x0013, 0x0014, 0x0015,
		0x005c, 0x005d, 0x0001, 0x0046, 0x0099, 0x8001, 0x8002,
		0x8003, 0xffff,
	};
	uint64_t c = fz_one_in(r, 4) ? fz_below(r, 0x10000) :
		     codes[fz_below(r, ARRAY_SIZE(codes))];

	if (fz_one_in(r, 2))
		c |= HV_HYPERCALL_FAST_BIT;
	if (fz_one_in(r, 3))
		c |= (fz_one_in(r, 3) ? 0xfffULL : fz_below(r, 20))
			<< HV_HYPERCALL_REP_COMP_OFFSET;
	if (fz_one_in(r, 5))
		c |= fz_below(r, 0x1000) << HV_HYPERCALL_REP_START_OFFSET;
	if (fz_one_in(r, 8))
		c |= fz_below(r, 0x400) << HV_HYPERCALL_VARHEAD_OFFSET;
	if (fz_one_in(r, 10))
		c |= fz_next(r);		/* reserved bits too */
	return c;
}

static void load_xmm(struct emit *e)
{
	int i;

	for (i = 0; i < 6; i++) {
		if (e->mode == M16)
			e8(e, 0x67);
		e8(e, 0xf3); e8(e, 0x0f); e8(e, 0x6f);
		if (e->mode == M64) {
			e8(e, 0x04 | i << 3);
			e8(e, 0x25);
		} else {
			e8(e, 0x05 | i << 3);
		}
		en(e, XMM_GPA + 16 * i, 4);
	}
}

static void emit_hcall(struct emit *e, uint64_t c, uint64_t in, uint64_t out)
{
	struct fz_rng *r = e->rng;
	bool page = e->mode != M16 && fz_below(r, 3);

	op_arg = c;
	if (c & HV_HYPERCALL_FAST_BIT)
		load_xmm(e);
	if (e->mode == M64) {
		mov_imm(e, RCX, c);
		mov_imm(e, RDX, in);
		mov_imm(e, R8, out);
	} else {
		mov_imm(e, RDX, c >> 32);
		mov_imm(e, RAX, (uint32_t)c);
		mov_imm(e, RBX, in >> 32);
		mov_imm(e, RCX, (uint32_t)in);
		mov_imm(e, RDI, out >> 32);
		mov_imm(e, RSI, (uint32_t)out);
	}
	if (page) {
		/* mov $page, %ebp; call *%rbp (RAX holds input) */
		mov_imm(e, RBP, HC_PAGE_GPA);
		e8(e, 0xff); e8(e, 0xd5);
	} else {
		en(e, hc_insn[0], 1); en(e, hc_insn[1], 1); en(e, hc_insn[2], 1);
	}
}

static void op_hcall(struct emit *e)
{
	struct fz_rng *r = e->rng;
	uint64_t c = hcall_control(r);
	uint64_t in = fz_one_in(r, 3) ? fz_value(r) : pick_gpa(r, false);
	uint64_t out = fz_one_in(r, 3) ? fz_value(r) : pick_gpa(r, true);

	emit_hcall(e, c, in, out);
}

static void op_exc(struct emit *e)
{
	struct fz_rng *r = e->rng;

	switch (fz_below(r, 8)) {
	case 0:
		e8(e, 0x0f); e8(e, 0x0b);		/* ud2: #UD */
		break;
	case 1:
		e8(e, 0x31); e8(e, 0xc9);		/* xor %ecx, %ecx */
		e8(e, 0xf7); e8(e, 0xf1);		/* div %ecx: #DE */
		break;
	case 2:
		e8(e, 0xcc);				/* int3: #BP */
		break;
	case 3:
		/* 0x7fff... + 1 overflows; into (#OF; #UD in long mode) */
		mov_imm(e, RAX, e->mode == M64 ? 0x7fffffffffffffffULL :
			0x7fffffff);
		if (e->mode == M16)
			e8(e, 0x66);
		if (e->mode == M64)
			e8(e, 0x48);
		e8(e, 0x83); e8(e, 0xc0); e8(e, 0x01);	/* add $1 */
		e8(e, 0xce);
		break;
	case 4:
		e8(e, 0xcd); e8(e, fz_next(r));		/* int $n */
		break;
	case 5:
		e8(e, 0xf1);				/* int1 */
		break;
	case 6:
		e8(e, 0xf4);				/* hlt */
		break;
	default:
		/* #GP: an MSR nobody has */
		mov_imm(e, RCX, 0xdeadbeef);
		e8(e, 0x0f); e8(e, 0x32);
		break;
	}
}

/* mov %eax, %cr0/%cr3/%cr4 with something near or far from sane. */
static void op_cr(struct emit *e)
{
	static const uint8_t modrm[] = { 0xc0, 0xd8, 0xe0 };
	struct fz_rng *r = e->rng;
	int i = fz_below(r, 3);
	uint64_t sane[] = { X86_CR0_PE | X86_CR0_ET | X86_CR0_NE, PML4_GPA,
			    X86_CR4_PAE | X86_CR4_OSFXSR };
	uint64_t v = fz_one_in(r, 2) ? sane[i] ^ (1ULL << fz_below(r, 32)) :
		     fz_value(r);

	op_arg = (uint64_t)i << 56 | (uint32_t)v;
	mov_imm(e, RAX, v);
	e8(e, 0x0f); e8(e, 0x22); e8(e, modrm[i]);
}

static void op_xsetbv(struct emit *e)
{
	struct fz_rng *r = e->rng;

	mov_imm(e, RCX, fz_below(r, 3) ? 0 : fz_next(r));
	mov_imm(e, RAX, fz_value(r));
	mov_imm(e, RDX, fz_one_in(r, 2) ? 0 : fz_next(r));
	e8(e, 0x0f); e8(e, 0x01); e8(e, 0xd1);
}

/* ---- local APIC operations (LOCAL_APIC partitions) ------------------ */

/* A SIPI start page: mostly the APs' trampoline. */
static uint8_t sipi_vector(struct fz_rng *r)
{
	/*
	 * Elsewhere the AP exits (hole, non-executable page), halts (the
	 * read-only page holds HLT) or faults into DISPATCH16 (the
	 * hypercall page).  Any page is fine where a stray EFER write
	 * cannot wedge the host (see lme_below_long_mode): there, one in
	 * eight is random.
	 */
	static const uint8_t pages[] = {
		HOLE_GPA >> 12, RO_GPA >> 12, NX_GPA >> 12, HC_PAGE_GPA >> 12,
	};

	if (!fz_one_in(r, 4))
		return AP_TRAMP_GPA >> 12;
	if (lme_below_long_mode && fz_one_in(r, 2))
		return fz_next(r);
	return pages[fz_below(r, ARRAY_SIZE(pages))];
}

/* ICR: any delivery mode, shorthand, trigger and destination. */
static uint64_t icr_value(struct fz_rng *r)
{
	static const uint8_t modes[] = {
		0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 4, 4, 5, 5, 6, 6, 6, 7,
	};
	static const uint32_t dests[] = {
		0, 1, 2, 3, 4, 0xf, 0xff, 0x10001, 0xffffffff,
	};
	uint32_t dm = modes[fz_below(r, ARRAY_SIZE(modes))], vec, lo, sh;
	uint32_t dest = fz_one_in(r, 8) ? fz_next(r) :
			dests[fz_below(r, ARRAY_SIZE(dests))];

	if (dm == 6)
		vec = sipi_vector(r);
	else if (dm <= 1)
		vec = fz_one_in(r, 8) ? fz_below(r, 16) : 0x20 + fz_below(r, 0xe0);
	else
		vec = fz_one_in(r, 2) ? 0 : fz_below(r, 256);
	sh = fz_below(r, 4);
	/* INIT to itself restarts VP 0 at the reset vector: not too often */
	if (dm == 5 && (sh == 1 || sh == 2) && !fz_one_in(r, 4))
		sh = 3;
	lo = vec | dm << 8 | sh << 18;
	if (fz_one_in(r, 4))
		lo |= 1 << 11;		/* logical */
	if (fz_one_in(r, 4))
		lo |= 1 << 15;		/* level */
	if (!fz_one_in(r, 4))
		lo |= 1 << 14;		/* assert */
	if (fz_one_in(r, 16))
		lo |= fz_next(r) & 0xfff00000;	/* reserved: #GP in x2APIC */
	return (uint64_t)dest << 32 | lo;
}

static const uint16_t apic_offsets[] = {
	0x20, 0x30, 0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0, 0xe0, 0xf0, 0x100,
	0x170, 0x180, 0x1f0, 0x200, 0x270, 0x280, 0x2f0, 0x300, 0x310,
	0x320, 0x330, 0x340, 0x350, 0x360, 0x370, 0x380, 0x390, 0x3e0,
	0x3f0,
};

/* A value shaped for the register at @off. */
static uint64_t apic_value(struct fz_rng *r, uint32_t off)
{
	if (fz_one_in(r, 6))
		return fz_value(r);
	switch (off) {
	case 0x80:
		return fz_below(r, 256);
	case 0xb0:
		return fz_one_in(r, 4) ? fz_next(r) : 0;
	case 0xf0:
		return fz_one_in(r, 4) ? fz_below(r, 0x400) : 0x1ff;
	case 0x300:
		return (uint32_t)icr_value(r);
	case 0x310:
		return icr_value(r) >> 32 << 24;
	case 0x380:
		return fz_one_in(r, 2) ? 1 + fz_below(r, 16) :
		       0xffffffff - fz_below(r, 2);
	case 0x3e0:
		return fz_below(r, 16);
	case 0x3f0:
		return fz_one_in(r, 8) ? fz_below(r, 16) : 0x20 + fz_below(r, 0xe0);
	}
	if (off >= 0x320 && off <= 0x370)	/* LVT: vector, mode, mask */
		return (fz_one_in(r, 8) ? fz_below(r, 16) : 0x20 + fz_below(r, 0xe0)) |
		       fz_below(r, 8) << 8 | fz_below(r, 4) << 15 |
		       fz_below(r, 8) << 17;
	return fz_value(r);
}

static uint32_t pick_apic_offset(struct fz_rng *r)
{
	return apic_offsets[fz_below(r, ARRAY_SIZE(apic_offsets))];
}

/* mov %eax, off(%rbx) with RBX = APIC_GPA; below 32 bits, addr32. */
static void apic_mmio_write(struct emit *e, uint32_t off, uint32_t v)
{
	mov_imm(e, RBX, APIC_GPA);
	mov_imm(e, RAX, v);
	if (e->mode == M16) {
		e8(e, 0x67); e8(e, 0x66);
	}
	e8(e, 0x89); e8(e, 0x83); en(e, off, 4);
}

static void wrmsr_imm(struct emit *e, uint32_t msr, uint64_t v)
{
	mov_imm(e, RCX, msr);
	mov_imm(e, RAX, (uint32_t)v);
	mov_imm(e, RDX, v >> 32);
	e8(e, 0x0f); e8(e, 0x30);
}

static void rdmsr_imm(struct emit *e, uint32_t msr)
{
	mov_imm(e, RCX, msr);
	e8(e, 0x0f); e8(e, 0x32);
}

/* An APIC register write through whichever interface comes up. */
static void apic_write(struct emit *e, uint32_t off, uint64_t v)
{
	if (fz_one_in(e->rng, 2))
		apic_mmio_write(e, off, v);
	else
		wrmsr_imm(e, 0x800 + off / 16, v);
}

/*
 * xAPIC MMIO: register offsets mostly, else unaligned, at the page's end
 * or just before it; every operand size and many instruction forms, most
 * of which the kernel's decoder hands to the root.
 */
static void op_xapic(struct emit *e)
{
	static const uint8_t alu[] = {
		0x01, 0x09, 0x21, 0x31, 0x39, 0x85, 0x87, 0x03, 0x0b, 0x23,
		0x33, 0x3b,
	};
	static const uint8_t segs[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };
	/* stosl, lodsl, movsl, stosb, movsb */
	static const uint8_t strs[] = { 0xab, 0xad, 0xa5, 0xaa, 0xa4 };
	struct fz_rng *r = e->rng;
	uint64_t base = APIC_GPA, addr;
	uint32_t off = pick_apic_offset(r), form = fz_below(r, 17), d;
	bool wr = fz_one_in(r, 2);

	switch (fz_below(r, 16)) {
	case 0:
		base = fz_one_in(r, 2) ? HOLE_GPA : APIC_GPA + PAGE_SIZE;
		break;
	case 1:
		off += 1 + fz_below(r, 3);		/* unaligned */
		break;
	case 2:
		off = PAGE_SIZE - 1 - fz_below(r, 4);	/* crosses the end */
		break;
	case 3:
		off = fz_below(r, PAGE_SIZE);
		break;
	}
	addr = base + off;
	if (fz_one_in(r, 16))
		addr = base - 1 - fz_below(r, 3);	/* crosses into it */
	op_arg = addr;
	mov_imm(e, RAX, apic_value(r, off));
	if (e->mode == M16) {
		/* addr32 from real mode: #GP past 64 KiB */
		mov_imm(e, RBX, addr);
		e8(e, 0x67); e8(e, 0x66);
		e8(e, wr ? 0x89 : 0x8b); e8(e, 0x03);
		return;
	}
	mov_imm(e, RBX, addr);
	switch (form) {
	case 0:
		e8(e, wr ? 0x89 : 0x8b); e8(e, 0x03);
		break;
	case 1:					/* movl $imm32, (%rbx) */
		e8(e, 0xc7); e8(e, 0x03); en(e, apic_value(r, off), 4);
		break;
	case 2:					/* disp8(%rbx) */
		d = fz_below(r, 0x80);
		mov_imm(e, RBX, addr - d);
		e8(e, wr ? 0x89 : 0x8b); e8(e, 0x43); e8(e, d);
		break;
	case 3:					/* (%rbx,%rcx,1) */
		mov_imm(e, RCX, 0);
		e8(e, wr ? 0x89 : 0x8b); e8(e, 0x04); e8(e, 0x0b);
		break;
	case 4:					/* 16 bits */
		e8(e, 0x66); e8(e, wr ? 0x89 : 0x8b); e8(e, 0x03);
		break;
	case 5:					/* 8 bits */
		e8(e, wr ? 0x88 : 0x8a); e8(e, 0x03);
		break;
	case 6:					/* 64 bits in long mode */
		if (e->mode == M64)
			e8(e, 0x48);
		e8(e, wr ? 0x89 : 0x8b); e8(e, 0x03);
		break;
	case 7:					/* movzbl, movzwl */
		e8(e, 0x0f); e8(e, wr ? 0xb6 : 0xb7); e8(e, 0x03);
		break;
	case 8:					/* ALU, TEST, XCHG */
		e8(e, alu[fz_below(r, ARRAY_SIZE(alu))]); e8(e, 0x03);
		break;
	case 9:					/* add $ib; not; inc */
		switch (fz_below(r, 3)) {
		case 0:
			e8(e, 0x83); e8(e, 0x03); e8(e, fz_next(r));
			break;
		case 1:
			e8(e, 0xf7); e8(e, 0x13);
			break;
		default:
			e8(e, 0xff); e8(e, 0x03);
			break;
		}
		break;
	case 10:				/* lock cmpxchg, xadd */
		mov_imm(e, RCX, apic_value(r, off));
		if (fz_one_in(r, 2)) {
			e8(e, 0xf0); e8(e, 0x0f); e8(e, 0xb1); e8(e, 0x0b);
		} else {
			e8(e, 0x0f); e8(e, 0xc1); e8(e, 0x03);
		}
		break;
	case 11:				/* stos, lods, movs, rep */
		mov_imm(e, RDI, fz_one_in(r, 2) ? addr : HC_OUT_GPA);
		mov_imm(e, RSI, fz_one_in(r, 2) ? HC_IN_GPA : addr);
		mov_imm(e, RCX, 1 + fz_below(r, 4));
		if (fz_one_in(r, 2))
			e8(e, 0xf3);
		e8(e, strs[fz_below(r, ARRAY_SIZE(strs))]);
		break;
	case 12:				/* a segment prefix */
		e8(e, segs[fz_below(r, ARRAY_SIZE(segs))]);
		e8(e, wr ? 0x89 : 0x8b); e8(e, 0x03);
		break;
	case 13:				/* push (%rbx), pop (%rbx) */
		e8(e, wr ? 0x8f : 0xff); e8(e, wr ? 0x03 : 0x33);
		break;
	case 14:				/* an absolute disp32 */
		e8(e, wr ? 0x89 : 0x8b);
		if (e->mode == M64) {
			e8(e, 0x04); e8(e, 0x25);
		} else {
			e8(e, 0x05);
		}
		en(e, addr, 4);
		break;
	case 15:				/* mov moffs, %eax and back */
		if (fz_one_in(r, 4))
			e8(e, 0x66);
		if (e->mode == M64 && fz_one_in(r, 2)) {
			e8(e, 0x67);
			e8(e, wr ? 0xa3 : 0xa1); en(e, addr, 4);
		} else {
			e8(e, wr ? 0xa3 : 0xa1);
			en(e, addr, e->mode == M64 ? 8 : 4);
		}
		break;
	default:				/* the other address size */
		e8(e, 0x67);
		e8(e, wr ? 0x89 : 0x8b); e8(e, e->mode == M64 ? 0x03 : 0x07);
		break;
	}
}

/* x2APIC MSRs 0x800-0x8ff and IA32_TSC_DEADLINE. */
static void op_x2apic(struct emit *e)
{
	struct fz_rng *r = e->rng;
	uint32_t off = pick_apic_offset(r), msr = 0x800 + off / 16;
	uint64_t v;

	if (fz_one_in(r, 8)) {
		msr = 0x800 + fz_below(r, 0x100);
		off = (msr - 0x800) * 16;
	} else if (fz_one_in(r, 8)) {
		msr = 0x6e0;
	}
	op_arg = msr;
	if (fz_one_in(r, 3)) {
		rdmsr_imm(e, msr);
		return;
	}
	if (msr == 0x6e0 && fz_one_in(r, 2)) {
		/* rdtsc; add $delta, %eax; adc $0, %edx; wrmsr */
		e8(e, 0x0f); e8(e, 0x31);
		if (e->mode == M16)
			e8(e, 0x66);
		e8(e, 0x05); en(e, fz_below(r, 1 << 20), 4);
		if (e->mode == M16)
			e8(e, 0x66);
		e8(e, 0x83); e8(e, 0xd2); e8(e, 0x00);
		mov_imm(e, RCX, msr);
		e8(e, 0x0f); e8(e, 0x30);
		return;
	}
	if (msr == 0x830)
		v = icr_value(r);
	else if (msr == 0x6e0)
		v = fz_one_in(r, 2) ? fz_below(r, 3) : fz_value(r);
	else
		v = apic_value(r, off) |
		    (fz_one_in(r, 8) ? fz_next(r) << 32 : 0);
	wrmsr_imm(e, msr, v);
}

/* IA32_APIC_BASE: relocate, disable, x2APIC and back, reserved bits. */
static void op_apicbase(struct emit *e)
{
	static const uint64_t vals[] = {
		APIC_GPA | 0x900, APIC_GPA | 0x800, APIC_GPA | 0xd00,
		APIC_GPA | 0xc00, 0, 0x400, APIC_GPA | 0x400,
		HOLE_GPA | 0x800, RO_GPA | 0x800, 0x60000 | 0x800,
		0xfffff000ULL | 0x800,
	};
	struct fz_rng *r = e->rng;
	uint64_t v = fz_one_in(r, 6) ? fz_value(r) :
		     vals[fz_below(r, ARRAY_SIZE(vals))];

	op_arg = v;
	if (fz_one_in(r, 4))
		rdmsr_imm(e, 0x1b);
	else
		wrmsr_imm(e, 0x1b, v);
}

/* An IPI through the xAPIC page, the x2APIC MSR or HV_X64_MSR_ICR. */
static void op_icr(struct emit *e)
{
	struct fz_rng *r = e->rng;
	uint64_t icr = icr_value(r);

	op_arg = icr;
	switch (fz_below(r, 3)) {
	case 0:
		apic_mmio_write(e, 0x310, icr >> 32 << 24);
		apic_mmio_write(e, 0x300, (uint32_t)icr);
		break;
	case 1:
		wrmsr_imm(e, 0x830, icr);
		break;
	default:
		wrmsr_imm(e, HV_X64_MSR_ICR, icr);
		break;
	}
}

/* The timer: divider, LVT (one-shot, periodic, TSC deadline), count. */
static void op_timer(struct emit *e)
{
	struct fz_rng *r = e->rng;
	uint32_t mode = fz_one_in(r, 8) ? 3 : fz_below(r, 3);
	uint32_t lvt = (fz_one_in(r, 8) ? fz_below(r, 16) : 0x20 + fz_below(r, 0xe0)) |
		       mode << 17 | (fz_one_in(r, 4) ? 1 << 16 : 0);

	op_arg = lvt;
	if (fz_one_in(r, 2))
		apic_write(e, 0x3e0, fz_below(r, 16));
	apic_write(e, 0x320, lvt);
	if (mode == 2) {
		wrmsr_imm(e, 0x6e0, fz_one_in(r, 2) ? fz_below(r, 4) :
			  fz_value(r));
		return;
	}
	switch (fz_below(r, 4)) {
	case 0:
		apic_write(e, 0x380, 1 + fz_below(r, 8));	/* tiny */
		break;
	case 1:
		apic_write(e, 0x380, 0xffffffff);		/* huge */
		break;
	case 2:
		apic_write(e, 0x380, 0);			/* stop */
		break;
	default:
		apic_write(e, 0x380, fz_below(r, 100000));
		break;
	}
}

/* TPR through CR8, the xAPIC page, the x2APIC MSR or HV_X64_MSR_TPR. */
static void op_tpr(struct emit *e)
{
	struct fz_rng *r = e->rng;
	uint64_t v = fz_one_in(r, 8) ? fz_value(r) : fz_below(r, 16);

	op_arg = v;
	switch (fz_below(r, 4)) {
	case 0:
		/*
		 * mov %rax, %cr8 (or back).  Not AMD's LOCK MOV CR0 from 32-bit
		 * mode: where the CPU lacks it, an emulator could take it for
		 * a CR0 write (see cr_writes).
		 */
		if (e->mode != M64)
			break;
		mov_imm(e, RAX, v);
		e8(e, 0x44);
		e8(e, 0x0f); e8(e, fz_one_in(r, 4) ? 0x20 : 0x22); e8(e, 0xc0);
		return;
	case 1:
		apic_mmio_write(e, 0x80, v << 4);
		return;
	case 2:
		wrmsr_imm(e, 0x808, v << 4);
		return;
	}
	wrmsr_imm(e, HV_X64_MSR_TPR, fz_one_in(r, 2) ? v << 4 : v);
}

/* HV_X64_MSR_EOI, ICR, TPR and VP_ASSIST_PAGE, and a few past them. */
static void op_hvapic(struct emit *e)
{
	struct fz_rng *r = e->rng;
	uint32_t msr = HV_X64_MSR_EOI + (fz_one_in(r, 8) ? fz_below(r, 16) :
					 fz_below(r, 4));
	uint64_t v;

	op_arg = msr;
	if (fz_one_in(r, 4)) {
		rdmsr_imm(e, msr);
		return;
	}
	switch (msr) {
	case HV_X64_MSR_EOI:
		v = fz_one_in(r, 4) ? fz_value(r) : 0;
		break;
	case HV_X64_MSR_ICR:
		v = icr_value(r);
		break;
	case HV_X64_MSR_TPR:
		v = fz_one_in(r, 4) ? fz_value(r) : fz_below(r, 256);
		break;
	case HV_X64_MSR_VP_ASSIST_PAGE:
		v = fz_one_in(r, 4) ? fz_value(r) :
		    (pick_gpa(r, true) & ~0xfffULL) | !fz_one_in(r, 4);
		break;
	default:
		v = fz_value(r);
		break;
	}
	wrmsr_imm(e, msr, v);
}

/* movl $v, gpa (the guest writes its own hypercall input). */
static void store32(struct emit *e, uint64_t gpa, uint32_t v)
{
	if (e->mode == M64) {
		e8(e, 0xc7); e8(e, 0x04); e8(e, 0x25);
	} else {
		e8(e, 0xc7); e8(e, 0x05);
	}
	en(e, gpa, 4);
	en(e, v, 4);
}

/* HvCallSendSyntheticClusterIpi(Ex), fast and from memory. */
static void op_ipi_hcall(struct emit *e)
{
	struct fz_rng *r = e->rng;
	bool ex = fz_one_in(r, 2), fast = fz_one_in(r, 2);
	uint32_t vector = fz_one_in(r, 8) ? fz_value(r) :
			  fz_one_in(r, 8) ? fz_below(r, 16) :
			  0x20 + fz_below(r, 0xe0);
	uint64_t hdr = vector | (fz_one_in(r, 8) ? fz_next(r) << 32 : 0);
	uint64_t mask = fz_one_in(r, 4) ? fz_value(r) : fz_below(r, 16);
	uint64_t format = fz_one_in(r, 8) ? fz_value(r) : fz_below(r, 2);
	uint32_t banks = fz_below(r, 3), i;
	uint64_t c = ex ? HVCALL_SEND_IPI_EX | (uint64_t)banks <<
		     HV_HYPERCALL_VARHEAD_OFFSET : HVCALL_SEND_IPI;

	if (fz_one_in(r, 8))
		c |= fz_next(r) & ~0xffffULL;
	if (fast) {
		emit_hcall(e, c | HV_HYPERCALL_FAST_BIT, hdr, ex ? format : mask);
		return;
	}
	if (e->mode != M16) {
		store32(e, HC_IN_GPA, hdr);
		store32(e, HC_IN_GPA + 4, hdr >> 32);
		if (ex) {
			store32(e, HC_IN_GPA + 8, format);
			store32(e, HC_IN_GPA + 12, format >> 32);
			store32(e, HC_IN_GPA + 16, fz_one_in(r, 4) ?
				fz_next(r) : 1);
			store32(e, HC_IN_GPA + 20, 0);
			for (i = 0; i < banks; i++) {
				store32(e, HC_IN_GPA + 24 + 8 * i, mask);
				store32(e, HC_IN_GPA + 28 + 8 * i, mask >> 32);
			}
		} else {
			store32(e, HC_IN_GPA + 8, mask);
			store32(e, HC_IN_GPA + 12, mask >> 32);
		}
	}
	emit_hcall(e, c, fz_one_in(r, 8) ? fz_value(r) : HC_IN_GPA,
		   fz_one_in(r, 2) ? 0 : HC_OUT_GPA);
}

/* EOI through the xAPIC page, the x2APIC MSR or HV_X64_MSR_EOI. */
static void apic_eoi(struct emit *e)
{
	switch (fz_below(e->rng, 3)) {
	case 0:
		apic_mmio_write(e, 0xb0, 0);
		break;
	case 1:
		wrmsr_imm(e, 0x80b, 0);
		break;
	default:
		wrmsr_imm(e, HV_X64_MSR_EOI, 0);
		break;
	}
}

/*
 * HLT with IF clear or set, and interrupt windows after an EOI (a handler
 * goes on at the next operation without one).
 */
static void op_hlt(struct emit *e)
{
	struct fz_rng *r = e->rng;
	uint32_t form = fz_below(r, 6);

	op_arg = form;
	if (form >= 3)
		apic_eoi(e);
	switch (form) {
	case 0:
		e8(e, 0xfb); e8(e, 0xf4);		/* sti; hlt */
		break;
	case 1:
		e8(e, 0xfa); e8(e, 0xf4);		/* cli; hlt */
		break;
	case 2:
		e8(e, 0xf4);				/* hlt */
		break;
	case 3:						/* sti; nop x3; cli */
		e8(e, 0xfb); e8(e, 0x90); e8(e, 0x90); e8(e, 0x90);
		e8(e, 0xfa);
		break;
	case 4:				/* sti; 1: pause; loop 1b; cli */
		mov_imm(e, RCX, 1 + fz_below(r, 64));
		e8(e, 0xfb); e8(e, 0xf3); e8(e, 0x90); e8(e, 0xe2); e8(e, 0xfc);
		e8(e, 0xfa);
		break;
	default:
		e8(e, 0xfb);				/* sti */
		break;
	}
}

static void emit_op(struct emit *e)
{
	static const uint16_t weights[OP_KINDS] = {
		[OP_REGS] = 4, [OP_RDMSR] = 12, [OP_WRMSR] = 12,
		[OP_CPUID] = 4, [OP_IO] = 12, [OP_MEM] = 12, [OP_HCALL] = 24,
		[OP_EXC] = 14, [OP_CR] = 2, [OP_XSETBV] = 1,
		/* half of a LOCAL_APIC partition's operations */
		[OP_XAPIC] = 24, [OP_X2APIC] = 14, [OP_APICBASE] = 4,
		[OP_ICR] = 16, [OP_TIMER] = 10, [OP_TPR] = 6, [OP_HVAPIC] = 8,
		[OP_IPI_HCALL] = 8, [OP_HLT] = 10,
	};
	unsigned int w, k = 0, last = OP_BASIC_KINDS - 1;
	uint8_t *imm = set_resume(e);

	if (e->apic && fz_one_in(e->rng, 2)) {
		k = OP_XAPIC;
		last = OP_KINDS - 1;
		w = fz_below(e->rng, 100);
	} else {
		w = fz_below(e->rng, 97);
	}
	for (; k < last && w >= weights[k]; k++)
		w -= weights[k];
	if (k == OP_CR && !cr_writes)
		k = OP_REGS;
	fig.ops[k]++;
	op_arg = 0;
	if (noplog < (int)ARRAY_SIZE(oplog)) {
		oplog[noplog].gpa = e->gpa;
		oplog[noplog].kind = k;
	}
	switch (k) {
	case OP_REGS:
		mov_imm(e, RBX, fz_value(e->rng));
		mov_imm(e, RSI, fz_value(e->rng));
		break;
	case OP_RDMSR:
	case OP_WRMSR:
		op_msr(e, k == OP_WRMSR);
		break;
	case OP_CPUID:
		op_cpuid(e);
		break;
	case OP_IO:
		op_io(e);
		break;
	case OP_MEM:
		op_mem(e);
		break;
	case OP_HCALL:
		op_hcall(e);
		break;
	case OP_EXC:
		op_exc(e);
		break;
	case OP_CR:
		op_cr(e);
		break;
	case OP_XSETBV:
		op_xsetbv(e);
		break;
	case OP_XAPIC:
		op_xapic(e);
		break;
	case OP_X2APIC:
		op_x2apic(e);
		break;
	case OP_APICBASE:
		op_apicbase(e);
		break;
	case OP_ICR:
		op_icr(e);
		break;
	case OP_TIMER:
		op_timer(e);
		break;
	case OP_TPR:
		op_tpr(e);
		break;
	case OP_HVAPIC:
		op_hvapic(e);
		break;
	case OP_IPI_HCALL:
		op_ipi_hcall(e);
		break;
	default:
		op_hlt(e);
		break;
	}
	patch_resume(e, imm);
	if (noplog < (int)ARRAY_SIZE(oplog)) {
		oplog[noplog].end = e->gpa;
		oplog[noplog++].arg = op_arg;
	}
}

/* The VP state a failed VM entry may have choked on. */
static void dump_vp(struct hv_vp *vp)
{
	static const uint32_t names[] = {
		HVPART_REG_CR0, HVPART_REG_CR3, HVPART_REG_CR4, HVPART_REG_EFER,
		HVPART_REG_PAT, HVPART_REG_SYSENTER_CS, HVPART_REG_SYSENTER_ESP,
		HVPART_REG_SYSENTER_EIP, HVPART_REG_KERNEL_GS_BASE,
		HVPART_REG_LSTAR, HVPART_REG_CSTAR, HVPART_REG_STAR,
		HVPART_REG_RFLAGS, HVPART_REG_XFEM, HVPART_REG_DR7,
		HVPART_REG_INTERRUPT_STATE, HVPART_REG_PENDING_INTERRUPTION,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		struct hvpart_register r = { .name = names[i] };
		struct hvpart_vp_registers vr = {
			.count = 1, .regs_ptr = (uintptr_t)&r,
		};

		if (ioctl(vp->fd, HVPART_GET_VP_REGISTERS, &vr))
			continue;
		ksft_print_msg("  reg %#x = %#llx\n", names[i],
			       (unsigned long long)r.value.reg64);
	}
}

static void dump_oplog(void)
{
	int i;

	for (i = 0; i < noplog; i++)
		ksft_print_msg("  op %#llx-%#llx %s %#llx\n",
			       (unsigned long long)oplog[i].gpa,
			       (unsigned long long)oplog[i].end,
			       op_names[oplog[i].kind],
			       (unsigned long long)oplog[i].arg);
}

/*
 * One block of operations in @mode at @gpa, ending in GUEST_DONE or,
 * below long mode and if @up, a switch to the next mode's block.  @apic:
 * with the local APIC's operations; @resume: an AP's RESUME slot.
 */
static bool emit_block(struct hv_vm *vm, struct fz_rng *r, enum fz_mode mode,
		       uint64_t gpa, uint64_t end, bool up, bool apic,
		       uint64_t resume)
{
	struct emit e = {
		.vm = vm, .p = vm_gpa_to_hva(vm, gpa),
		.end = (uint8_t *)vm_gpa_to_hva(vm, end - 1) + 1,
		.gpa = gpa, .mode = mode, .rng = r, .apic = apic,
		.resume = resume,
	};
	int i, n = 1 + fz_below(r, OPS_PER_BLOCK);

	for (i = 0; i < n; i++)
		emit_op(&e);
	if (up && mode != M64) {
		uint64_t to = mode == M16 ? GUEST_GPA(g_fz, g_fz_to32) :
			      GUEST_GPA(g_fz, g_fz_to64);

		mov_imm(&e, RAX, to);
		e8(&e, 0xff); e8(&e, 0xe0);		/* jmp *%eax */
		return true;
	}
	e8(&e, 0xe6); e8(&e, UCALL_PORT_DONE);		/* GUEST_DONE */
	e8(&e, 0xf4);
	e8(&e, 0xeb); e8(&e, 0xfc);
	return false;
}

/* ---- guest set-up ----------------------------------------------------- */

/* Per vector: reset the stack, report the vector, go on at RESUME. */
static uint64_t gate32(uint32_t handler)
{
	/* P, DPL 0, 32-bit interrupt gate, the flat code selector */
	return (handler & 0xffff) | ((uint64_t)SEL_CODE32 << 16) |
	       (0x8eULL << 40) | ((uint64_t)(handler >> 16) << 48);
}

/*
 * @apic: the real-mode handlers go on through DISPATCH16 (an AP must not
 * run VP 0's program), not straight to RESUME16.
 */
static void write_stubs(struct hv_vm *vm, bool apic)
{
	uint32_t *ivt = vm_gpa_to_hva(vm, IVT_GPA);
	uint64_t *idt32 = vm_gpa_to_hva(vm, IDT32_GPA);
	int v;

	for (v = 0; v < 256; v++) {
		struct emit e16 = {
			.vm = vm, .p = vm_gpa_to_hva(vm, STUBS16_GPA + 16 * v),
			.gpa = STUBS16_GPA + 16 * v, .mode = M16,
		};
		struct emit e32 = {
			.vm = vm, .p = vm_gpa_to_hva(vm, STUBS32_GPA + 16 * v),
			.gpa = STUBS32_GPA + 16 * v, .mode = M32,
		};
		struct emit e64 = {
			.vm = vm, .p = vm_gpa_to_hva(vm, STUBS64_GPA + 32 * v),
			.gpa = STUBS64_GPA + 32 * v, .mode = M64,
		};

		e16.end = e16.p + 16;
		e32.end = e32.p + 16;
		e64.end = e64.p + 32;
		/* mov $top, %sp; mov $v, %al; out %al, $EXC; jmp *RESUME16 */
		e8(&e16, 0xbc); en(&e16, REAL_STACK_TOP, 2);
		e8(&e16, 0xb0); e8(&e16, v);
		e8(&e16, 0xe6); e8(&e16, EXC_PORT);
		if (apic) {		/* jmp DISPATCH16 */
			e8(&e16, 0xe9);
			en(&e16, DISPATCH16 - (e16.gpa + 2), 2);
		} else {
			e8(&e16, 0xff); e8(&e16, 0x26); en(&e16, RESUME16, 2);
		}
		ivt[v] = STUBS16_GPA + 16 * v;		/* 0000:off */

		e8(&e32, 0xbc); en(&e32, STACK_TOP, 4);
		e8(&e32, 0xb0); e8(&e32, v);
		e8(&e32, 0xe6); e8(&e32, EXC_PORT);
		e8(&e32, 0xff); e8(&e32, 0x25); en(&e32, RESUME, 4);
		idt32[v] = gate32(STUBS32_GPA + 16 * v);

		e8(&e64, 0xbc); en(&e64, STACK_TOP, 4);
		e8(&e64, 0xb0); e8(&e64, v);
		e8(&e64, 0xe6); e8(&e64, EXC_PORT);
		e8(&e64, 0xff); e8(&e64, 0x24); e8(&e64, 0x25);
		en(&e64, RESUME, 4);
		vm_set_idt_gate(vm, v, STUBS64_GPA + 32 * v);
	}
}

static uint64_t ap_area(uint32_t index)
{
	return AP_AREA + (uint64_t)index * AP_STRIDE;
}

/* Real mode: VP 0 goes on at RESUME16, an AP (CPUID.1 EBX[31:24]) halts. */
static void write_dispatch16(struct hv_vm *vm)
{
	struct emit e = {
		.vm = vm, .p = vm_gpa_to_hva(vm, DISPATCH16),
		.gpa = DISPATCH16, .mode = M16,
	};

	e.end = e.p + 64;
	mov_imm(&e, RAX, 1);
	e8(&e, 0x66); e8(&e, 0x31); e8(&e, 0xc9);	/* xor %ecx, %ecx */
	e8(&e, 0x0f); e8(&e, 0xa2);			/* cpuid */
	e8(&e, 0x66); e8(&e, 0xc1); e8(&e, 0xeb); e8(&e, 24);	/* shr */
	e8(&e, 0x75); e8(&e, 4);			/* jnz 1f */
	e8(&e, 0xff); e8(&e, 0x26); en(&e, RESUME16, 2);
	e8(&e, 0xfa); e8(&e, 0xf4); e8(&e, 0xeb); e8(&e, 0xfd);	/* 1: cli; hlt */
}

/*
 * The APs' way from real mode (SIPI page AP_TRAMP_GPA >> 12, or the
 * root's CS:IP = 0:AP_TRAMP_GPA) to flat 32-bit mode in their own area,
 * found by the VP index in CPUID.1 EBX[31:24].  No EFER, no paging.
 */
static void write_ap_tramp(struct hv_vm *vm)
{
	struct emit e = {
		.vm = vm, .p = vm_gpa_to_hva(vm, AP_TRAMP_GPA),
		.gpa = AP_TRAMP_GPA, .mode = M16,
	};
	uint8_t *gdtr = vm_gpa_to_hva(vm, AP_GDTR);
	uint16_t limit = GDT_LIMIT;
	uint32_t base = GDT_GPA;

	e.end = e.p + AP_GDTR - AP_TRAMP_GPA;
	e8(&e, 0xfa);					/* cli */
	e8(&e, 0x31); e8(&e, 0xc0);			/* xor %ax, %ax */
	e8(&e, 0x8e); e8(&e, 0xd8);			/* mov %ax, %ds */
	mov_imm(&e, RAX, 1);
	e8(&e, 0x66); e8(&e, 0x31); e8(&e, 0xc9);	/* xor %ecx, %ecx */
	e8(&e, 0x0f); e8(&e, 0xa2);			/* cpuid */
	e8(&e, 0x66); e8(&e, 0xc1); e8(&e, 0xeb); e8(&e, 24);	/* shr $24 */
	e8(&e, 0x66); e8(&e, 0x83); e8(&e, 0xe3); e8(&e, MAX_VPS - 1);
	e8(&e, 0x66); e8(&e, 0xc1); e8(&e, 0xe3); e8(&e, 15);	/* * STRIDE */
	e8(&e, 0x66); e8(&e, 0x81); e8(&e, 0xc3); en(&e, AP_AREA, 4);
	e8(&e, 0x66); e8(&e, 0x0f); e8(&e, 0x01); e8(&e, 0x16);	/* lgdtl */
	en(&e, AP_GDTR, 2);
	e8(&e, 0x0f); e8(&e, 0x20); e8(&e, 0xc0);	/* mov %cr0, %eax */
	e8(&e, 0x66); e8(&e, 0x83); e8(&e, 0xc8); e8(&e, 1);	/* or $1 */
	e8(&e, 0x0f); e8(&e, 0x22); e8(&e, 0xc0);	/* mov %eax, %cr0 */
	e8(&e, 0x66); e8(&e, 0xea);			/* ljmpl $CODE32, $1f */
	en(&e, e.gpa + 6, 4); en(&e, SEL_CODE32, 2);
	/* 1: (32-bit) */
	e8(&e, 0x66); e8(&e, 0xb8); en(&e, SEL_DATA, 2);
	e8(&e, 0x8e); e8(&e, 0xd8); e8(&e, 0x8e); e8(&e, 0xc0);
	e8(&e, 0x8e); e8(&e, 0xd0); e8(&e, 0x8e); e8(&e, 0xe0);
	e8(&e, 0x8e); e8(&e, 0xe8);
	e8(&e, 0x8d); e8(&e, 0xa3); en(&e, AP_STACK, 4);	/* lea, %esp */
	e8(&e, 0x0f); e8(&e, 0x01); e8(&e, 0x9b); en(&e, AP_IDTR, 4);
	e8(&e, 0xff); e8(&e, 0xa3); en(&e, AP_PROG_PTR, 4);	/* jmp * */
	memcpy(gdtr, &limit, 2);
	memcpy(gdtr + 2, &base, 4);
}

/* AP @i's IDT, handlers, RESUME slot and a fresh 32-bit program. */
static void write_ap_area(struct hv_vm *vm, struct fz_rng *r, uint32_t i)
{
	uint64_t a = ap_area(i), *idt = vm_gpa_to_hva(vm, a);
	uint8_t *idtr = vm_gpa_to_hva(vm, a + AP_IDTR);
	uint16_t limit = 0x7ff;
	uint32_t base = a;
	int v;

	memset(idt, 0, AP_STACK);
	for (v = 0; v < 256; v++) {
		struct emit e = {
			.vm = vm, .p = vm_gpa_to_hva(vm, a + AP_STUBS + 16 * v),
			.gpa = a + AP_STUBS + 16 * v, .mode = M32,
		};

		e.end = e.p + 16;
		e8(&e, 0xbc); en(&e, a + AP_STACK, 4);
		e8(&e, 0xb0); e8(&e, v);
		e8(&e, 0xe6); e8(&e, EXC_PORT);
		e8(&e, 0xff); e8(&e, 0x25); en(&e, a + AP_RESUME, 4);
		idt[v] = gate32(a + AP_STUBS + 16 * v);
	}
	memcpy(idtr, &limit, 2);
	memcpy(idtr + 2, &base, 4);
	*(uint64_t *)vm_gpa_to_hva(vm, a + AP_PROG_PTR) = a + AP_OPS;
	memset(vm_gpa_to_hva(vm, a + AP_OPS), 0xf4, AP_OPS_END - AP_OPS);
	emit_block(vm, r, M32, a + AP_OPS, a + AP_OPS_END, false, true,
		   a + AP_RESUME);
}

struct fz_vm;

/* An AP of a LOCAL_APIC partition, run on a thread of its own. */
struct fz_ap {
	struct fz_vm *f;
	struct hv_vp *vp;
	pthread_t th;
	struct fz_rng rng;	/* seeded by the main thread each round */
	struct figures fig;	/* this thread's; merged at the end */
	int round0;
	atomic_int done;	/* the last round it has left RUN for */
};

struct fz_vm {
	struct hv_vm *vm;
	struct hv_vp *vp;
	uint8_t *ro, *nx;
	bool wedged;		/* an unhandled exit: start afresh */
	bool apic;		/* LOCAL_APIC, with APs */
	int nvps;
	long rounds;
	struct fz_ap aps[MAX_VPS];	/* [1, nvps) */
};

/* The APs' rounds: the main thread starts and ends each. */
static pthread_mutex_t ap_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ap_cond = PTHREAD_COND_INITIALIZER;
static int ap_round;		/* under ap_lock */
static bool ap_quit;		/* under ap_lock */
static atomic_int ap_stop;	/* the round is over: leave RUN */
static bool have_local_apic;
static bool gave_up;		/* a VP thread is wedged in RUN */

/* For the watchdog: when VP 0's thread entered RUN (ms), or 0. */
static atomic_llong vp0_in_run;
static pthread_t main_thread;

static long long now_ms(void)
{
	return (long long)(fz_now() * 1000);
}

static void ap_start_threads(struct fz_vm *f);

static struct fz_vm *fz_vm_create(struct fz_rng *r)
{
	struct fz_vm *f = calloc(1, sizeof(*f));
	struct hv_vm *vm;
	int i;

	HV_ASSERT(f, "calloc");
	f->apic = have_local_apic && fig.partitions % APIC_PARTITION == 0;
	f->vm = vm_create_bare_flags(f->apic ?
				     HVPART_CREATE_PARTITION_LOCAL_APIC : 0);
	vm = f->vm;
	vm->mem_size = GUEST_MEM_SIZE;
	vm->mem = hv_alloc_pages(GUEST_MEM_SIZE);
	vm_map(vm, 0, HOLE_GPA, vm->mem, HV_MAP_RWX);
	vm_map(vm, RAM2_GPA, GUEST_MEM_SIZE - RAM2_GPA, vm->mem + RAM2_GPA,
	       HV_MAP_RWX);
	f->ro = hv_alloc_pages(PAGE_SIZE);
	f->nx = hv_alloc_pages(PAGE_SIZE);
	memset(f->ro, 0xf4, PAGE_SIZE);
	memset(f->nx, 0xf4, PAGE_SIZE);
	vm_map(vm, RO_GPA, PAGE_SIZE, f->ro, HVPART_MAP_READABLE);
	vm_map(vm, NX_GPA, PAGE_SIZE, f->nx, HVPART_MAP_READABLE |
	       HVPART_MAP_WRITABLE);
	vm_install_intercept(vm, HVPART_INTERCEPT_TYPE_X64_IO_PORT,
			     HVPART_INTERCEPT_ACCESS_MASK_READ |
			     HVPART_INTERCEPT_ACCESS_MASK_WRITE,
			     EXC_PORT, UCALL_PORT_LAST);
	vm_install_intercept(vm, HVPART_INTERCEPT_TYPE_X64_IO_PORT,
			     HVPART_INTERCEPT_ACCESS_MASK_READ |
			     HVPART_INTERCEPT_ACCESS_MASK_WRITE,
			     HOST_PORTS, HOST_PORTS + 15);
	vm_install_intercept(vm, HVPART_INTERCEPT_TYPE_X64_MSR,
			     HVPART_INTERCEPT_ACCESS_MASK_READ |
			     HVPART_INTERCEPT_ACCESS_MASK_WRITE, 0x2000, 0x2fff);
	vm_install_intercept(vm, HVPART_INTERCEPT_TYPE_X64_CPUID,
			     HVPART_INTERCEPT_ACCESS_MASK_EXECUTE,
			     0x80000100, 0x800001ff);
	/* two of hcall_control()'s codes: hvpart has neither */
	vm_install_intercept(vm, HVPART_INTERCEPT_TYPE_HYPERCALL,
			     HVPART_INTERCEPT_ACCESS_MASK_EXECUTE, 0x0099, 0x0099);
	vm_install_intercept(vm, HVPART_INTERCEPT_TYPE_HYPERCALL,
			     HVPART_INTERCEPT_ACCESS_MASK_EXECUTE, 0xffff, 0xffff);
	f->vp = vm_add_vp(vm, 0);
	f->nvps = 1;
	hv_hypercall_insn(vm, hc_insn);
	cr_writes = hv_vendor(vm) == HVPART_VENDOR_VMX;
	lme_below_long_mode = !hv_qemu_tcg_svm();
	fig.partitions++;
	if (f->apic) {
		f->nvps = 2 + fz_below(r, MAX_VPS - 1);
		for (i = 1; i < f->nvps; i++)
			f->aps[i].vp = vm_add_vp(vm, i);
		ap_start_threads(f);
		fig.apic_partitions++;
	}
	return f;
}

static void merge_figures(struct figures *to, const struct figures *from)
{
	to->vectors += from->vectors;
	to->io += from->io;
	to->mem += from->mem;
	to->msr += from->msr;
	to->cpuid += from->cpuid;
	to->hcall += from->hcall;
	to->halts += from->halts;
	to->triple += from->triple;
	to->crash += from->crash;
	to->reset += from->reset;
	to->unhandled += from->unhandled;
	to->other += from->other;
	to->run_errors += from->run_errors;
	to->ap_runs += from->ap_runs;
	to->ap_exits += from->ap_exits;
	to->eois += from->eois;
	to->halt_woken += from->halt_woken;
	to->halt_nmi += from->halt_nmi;
	to->halt_signalled += from->halt_signalled;
	to->ap_done += from->done;
}

static void fz_vm_free(struct fz_vm *f)
{
	int i;

	if (gave_up)
		return;		/* a wedged thread may still use it */
	if (f->apic) {
		pthread_mutex_lock(&ap_lock);
		ap_quit = true;
		pthread_cond_broadcast(&ap_cond);
		pthread_mutex_unlock(&ap_lock);
		for (i = 1; i < f->nvps; i++) {
			pthread_join(f->aps[i].th, NULL);
			merge_figures(&fig, &f->aps[i].fig);
		}
		ap_quit = false;
	}
	vm_free(f->vm);
	hv_free_pages(f->ro, PAGE_SIZE);
	hv_free_pages(f->nx, PAGE_SIZE);
	free(f);
}

/* @vp in @mode at @rip, in a state it can start from. */
static void start_mode(struct hv_vp *vp, enum fz_mode mode, uint64_t rip)
{
	struct hvpart_register regs[12];
	uint64_t cr4 = X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	int n = 0;

	switch (mode) {
	case M16:
		vp_setup_mode(vp, GUEST_MODE_REAL, rip);
		regs[n++] = hv_reg(HVPART_REG_CR0, X86_CR0_ET);
		regs[n++] = hv_table_reg(HVPART_REG_IDTR, IVT_GPA, 0x3ff);
		regs[n++] = hv_seg_reg(HVPART_REG_DS, 0, 0xffff, 0, SEG_ATTR_DATA16);
		regs[n++] = hv_seg_reg(HVPART_REG_ES, 0, 0xffff, 0, SEG_ATTR_DATA16);
		regs[n++] = hv_seg_reg(HVPART_REG_SS, 0, 0xffff, 0, SEG_ATTR_DATA16);
		regs[n++] = hv_seg_reg(HVPART_REG_FS, 0, 0xffff, 0, SEG_ATTR_DATA16);
		regs[n++] = hv_seg_reg(HVPART_REG_GS, 0, 0xffff, 0, SEG_ATTR_DATA16);
		break;
	case M32:
		vp_setup_mode(vp, GUEST_MODE_PROT32, rip);
		regs[n++] = hv_table_reg(HVPART_REG_IDTR, IDT32_GPA, 0x7ff);
		break;
	case M64:
		vp_setup_mode(vp, GUEST_MODE_LONG64, rip);
		cr4 |= X86_CR4_PAE;
		break;
	}
	regs[n++] = hv_reg(HVPART_REG_CR4, cr4);
	if (mode != M64) {
		regs[n++] = hv_reg(HVPART_REG_CR3, 0);
		regs[n++] = hv_reg(HVPART_REG_EFER, 0);
	}
	vp_set_regs(vp, regs, n);
}

/* Fresh memory contents and VP state for a round starting in @mode. */
static void round_setup(struct fz_vm *f, struct fz_rng *r, enum fz_mode mode)
{
	static const uint64_t start[] = { OPS16_GPA, OPS32_GPA, OPS64_GPA };
	struct hv_vm *vm = f->vm;
	bool up = fz_below(r, 3) != 0;
	enum fz_mode m = mode;
	int i;

	noplog = 0;
	memset(vm->mem, 0, OPS16_END);
	vm_setup_tables(vm);
	vm_load(vm, LOAD_GPA, g_fz_start, g_fz_end);
	memset(vm_gpa_to_hva(vm, IDT32_GPA), 0, PAGE_SIZE);
	write_stubs(vm, f->apic);
	/* the hypercall page's RAM, should the page be elsewhere: RET */
	memset(vm_gpa_to_hva(vm, HC_PAGE_GPA), 0xc3, PAGE_SIZE);
	memset(vm_gpa_to_hva(vm, OPS32_GPA), 0xf4, 2 * OPS_SIZE);
	memset(vm_gpa_to_hva(vm, RESUME), 0, 0x100);
	fz_fill(r, vm_gpa_to_hva(vm, XMM_GPA), 96);
	fz_fill(r, vm_gpa_to_hva(vm, HC_IN_GPA), PAGE_SIZE);
	*(uint64_t *)vm_gpa_to_hva(vm, NEXT32) = OPS32_GPA;
	*(uint64_t *)vm_gpa_to_hva(vm, NEXT64) = OPS64_GPA;
	if (f->apic) {
		/* the xAPIC page in the long-mode tables, where it starts */
		vm_map_gva(vm, APIC_GPA, APIC_GPA, PTE_P | PTE_RW);
		write_dispatch16(vm);
		write_ap_tramp(vm);
		for (i = 1; i < f->nvps; i++)
			write_ap_area(vm, r, i);
	}

	if (m == M16 && emit_block(vm, r, M16, OPS16_GPA, OPS16_END, up,
				   f->apic, 0)) {
		m = M32;
		fig.switches++;
	}
	if (m == M32 && emit_block(vm, r, M32, OPS32_GPA, OPS32_GPA + OPS_SIZE,
				   up, f->apic, 0)) {
		m = M64;
		fig.switches++;
	}
	if (m == M64)
		emit_block(vm, r, M64, OPS64_GPA, OPS64_GPA + OPS_SIZE, false,
			   f->apic, 0);

	/* the guest may have put its TSC page where the root wants this */
	vp_set_reg(f->vp, HVPART_REG_REFERENCE_TSC, 0);
	if (fz_below(r, 4))
		vm_enable_hypercall_page(f->vp);
	else
		vp_set_reg(f->vp, HVPART_REG_HYPERCALL, 0);
	start_mode(f->vp, mode, start[mode]);
}

/* ---- the root's side -------------------------------------------------- */

static void on_signal(int sig)
{
	(void)sig;
}

/* RUN is interrupted (-EINTR) after @ms: a round may not run forever. */
static void arm_timer(long ms)
{
	struct itimerval it = {
		.it_value = { .tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000 },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

/* Go on at the guest's next operation, as its handlers do. */
static bool skip_op(struct fz_vm *f, struct hv_vp *vp)
{
	const struct hvpart_x64_intercept_header *h = &vp->run->msg.u.intercept;
	struct hvpart_register regs[2];
	uint64_t rip, sp;

	if (vp->index) {
		/* an AP: only in its 32-bit world, never VP 0's program */
		uint64_t a = ap_area(vp->index);

		if (!(h->execution_state & HVPART_EXEC_STATE_CR0_PE))
			return false;
		rip = *(uint32_t *)vm_gpa_to_hva(f->vm, a + AP_RESUME);
		sp = a + AP_STACK;
	} else if (!(h->execution_state & HVPART_EXEC_STATE_CR0_PE)) {
		rip = *(uint16_t *)vm_gpa_to_hva(f->vm, RESUME16);
		sp = REAL_STACK_TOP;
	} else {
		rip = *(uint32_t *)vm_gpa_to_hva(f->vm, RESUME);
		sp = STACK_TOP;
	}
	if (!rip)
		return false;
	regs[0] = hv_reg(HVPART_REG_RIP, rip);
	regs[1] = hv_reg(HVPART_REG_RSP, sp);
	vp_set_regs(vp, regs, 2);
	return true;
}

static void complete(struct hv_vp *vp, uint32_t flags, struct fz_rng *r)
{
	vp->run->completion = flags;
	vp->run->completion_rax = fz_value(r);
	vp->run->completion_rdx = fz_value(r);
	vp->run->completion_rcx = fz_value(r);
	vp->run->completion_rbx = fz_value(r);
}

/* The root's devices, as an I/O APIC or MSI would: any VP, any type. */
static void root_assert(struct fz_vm *f, struct fz_rng *r, struct figures *fg)
{
	struct hvpart_assert_interrupt ai = {
		.destination = fz_one_in(r, 4) ? 0xffffffff : fz_below(r, f->nvps),
	};

	switch (fz_below(r, 16)) {
	case 0:
	case 1:
		ai.type = HVPART_INTERRUPT_TYPE_NMI;
		break;
	case 2:		/* INIT, to an AP only: VP 0's program would be lost */
		ai.type = HVPART_INTERRUPT_TYPE_INIT;
		ai.destination = 1 + fz_below(r, f->nvps - 1);
		break;
	case 3:
		ai.type = HVPART_INTERRUPT_TYPE_SIPI;
		ai.vector = sipi_vector(r);
		break;
	case 4:
	case 5:
		ai.type = HVPART_INTERRUPT_TYPE_LOWEST_PRIORITY;
		break;
	default:
		ai.type = HVPART_INTERRUPT_TYPE_FIXED;
		break;
	}
	if (ai.type <= HVPART_INTERRUPT_TYPE_LOWEST_PRIORITY) {
		ai.vector = 0x20 + fz_below(r, 0xe0);
		if (fz_one_in(r, 4))
			ai.flags |= HVPART_INTERRUPT_LEVEL_TRIGGERED;
		if (fz_one_in(r, 8))
			ai.flags |= HVPART_INTERRUPT_LOGICAL_DEST;
	}
	fg->asserts++;
	if (ioctl(f->vm->fd, HVPART_ASSERT_INTERRUPT, &ai)) {
		ksft_print_msg("ASSERT_INTERRUPT type %u vector %u dest %#llx: errno %d\n",
			       ai.type, ai.vector,
			       (unsigned long long)ai.destination, errno);
		fg->run_errors++;
	}
}

/*
 * A LOCAL_APIC VP halted with IF clear stays halted: the root wakes it
 * (activity state, or an NMI), or leaves it for a signal to end RUN.
 */
static bool halted(struct fz_vm *f, struct hv_vp *vp, struct fz_rng *r,
		   struct figures *fg)
{
	struct hvpart_assert_interrupt nmi = {
		.type = HVPART_INTERRUPT_TYPE_NMI,
		.destination = fz_one_in(r, 2) ? vp->index : 0xffffffff,
	};

	/* an AP halted in real mode (DISPATCH16) is done for the round */
	if (vp->index && !(vp->run->msg.u.intercept.execution_state &
			   HVPART_EXEC_STATE_CR0_PE))
		return false;
	switch (fz_below(r, 3)) {
	case 0:
		vp_set_reg(vp, HVPART_REG_INTERNAL_ACTIVITY_STATE, 0);
		fg->halt_woken++;
		return true;
	case 1:
		fg->halt_nmi++;
		if (ioctl(f->vm->fd, HVPART_ASSERT_INTERRUPT, &nmi)) {
			ksft_print_msg("NMI to a halted VP: errno %d\n", errno);
			fg->run_errors++;
		}
		return true;
	}
	fg->halt_signalled++;
	return true;
}

/* Returns false when the round is over for @vp. */
static bool answer(struct fz_vm *f, struct hv_vp *vp, struct fz_rng *r,
		   int *exc, struct figures *fg)
{
	const struct hvpart_message *msg = &vp->run->msg;
	const struct hvpart_x64_io_port_intercept *io = &msg->u.io_port;
	bool read = msg->u.intercept.intercept_access_type ==
		    HVPART_INTERCEPT_ACCESS_READ;
	struct ucall uc;

	switch (msg->header.message_type) {
	case HVPART_MSG_X64_IO_PORT_INTERCEPT:
		if (get_ucall(vp, &uc) == UCALL_DONE) {
			fg->done++;
			return false;
		}
		if (uc.type != UCALL_NONE)
			return true;	/* a random OUT to a ucall port */
		fg->io++;
		if (!read && io->port_number == EXC_PORT &&
		    !(io->access_info & HVPART_IO_ACCESS_STRING_OP)) {
			fg->vectors++;
			if (++*exc > MAX_EXC)
				return false;
		}
		complete(vp, HVPART_RUN_COMPLETE_ADVANCE_RIP |
			 (read && !(io->access_info & HVPART_IO_ACCESS_STRING_OP) ?
			  HVPART_RUN_COMPLETE_SET_RAX : 0), r);
		return true;
	case HVPART_MSG_X64_MSR_INTERCEPT:
		fg->msr++;
		complete(vp, HVPART_RUN_COMPLETE_ADVANCE_RIP |
			 (read ? HVPART_RUN_COMPLETE_SET_RAX |
			  HVPART_RUN_COMPLETE_SET_RDX : 0), r);
		return true;
	case HVPART_MSG_X64_CPUID_INTERCEPT:
		fg->cpuid++;
		complete(vp, HVPART_RUN_COMPLETE_MASK, r);
		return true;
	case HVPART_MSG_HYPERCALL_INTERCEPT:
		fg->hcall++;
		complete(vp, HVPART_RUN_COMPLETE_ADVANCE_RIP |
			 HVPART_RUN_COMPLETE_SET_RAX |
			 HVPART_RUN_COMPLETE_SET_RDX, r);
		return true;
	case HVPART_MSG_UNMAPPED_GPA:
	case HVPART_MSG_GPA_INTERCEPT:
		fg->mem++;
		return skip_op(f, vp);
	case HVPART_MSG_X64_HALT:
		fg->halts++;
		return f->apic ? halted(f, vp, r, fg) : true;
	case HVPART_MSG_X64_APIC_EOI:
		fg->eois++;
		return true;
	case HVPART_MSG_HVPART_GUEST_CRASH:
		fg->crash++;
		return true;
	case HVPART_MSG_HVPART_RESET:
		fg->reset++;
		return false;
	case HVPART_MSG_UNRECOVERABLE_EXCEPTION:
		fg->triple++;
		return false;
	case HVPART_MSG_HVPART_UNHANDLED_EXIT:
		if (++fg->unhandled <= 3) {
			ksft_print_msg("round %ld: VP %u: unhandled exit; its program:\n",
				       fig.rounds, vp->index);
			hv_dump_msg(msg);
			if (!vp->index)
				dump_oplog();
			dump_vp(vp);
		}
		f->wedged = true;
		return false;
	}
	if (++fg->other <= 3)
		hv_dump_msg(msg);
	return false;
}

static void run_round(struct fz_vm *f, struct fz_rng *r)
{
	struct hv_vp *vp = f->vp;
	uint64_t exits0 = vp->run->exits;
	int i, exc = 0;

	for (i = 0; i < MAX_MSGS; i++) {
		int ret;

		if (f->apic && fz_one_in(r, 3))
			root_assert(f, r, &fig);
		arm_timer(f->apic ? APIC_RUN_MS : 500);
		atomic_store(&vp0_in_run, now_ms());
		ret = __vp_run(vp);
		atomic_store(&vp0_in_run, 0);
		arm_timer(0);
		fz_trace(&opts, "guest_fuzz:  run %d errno %d msg %#x rip %#llx\n",
			 ret, ret ? errno : 0, vp->run->msg.header.message_type,
			 (unsigned long long)vp->run->msg.u.intercept.rip);
		fig.runs++;
		if (ret && errno == EINTR) {
			fig.eintr++;
			break;
		}
		if (ret) {
			ksft_print_msg("round %ld: RUN failed: errno %d (%s)\n",
				       fig.rounds, errno, strerror(errno));
			fig.run_errors++;
			break;
		}
		if (!answer(f, vp, r, &exc, &fig))
			break;
	}
	vp->run->completion = 0;
	fig.exits += vp->run->exits - exits0;
}

/* An AP's round: RUN and answer until its program ends or the round. */
static void ap_run_round(struct fz_ap *ap)
{
	struct hv_vp *vp = ap->vp;
	uint64_t exits0 = vp->run->exits;
	int i, exc = 0;

	for (i = 0; i < MAX_MSGS && !atomic_load(&ap_stop); i++) {
		int ret = __vp_run(vp);

		ap->fig.ap_runs++;
		if (ret && errno == EINTR)
			continue;	/* the round's end, checked above */
		if (ret) {
			ksft_print_msg("round %ld: VP %u: RUN failed: errno %d (%s)\n",
				       fig.rounds, vp->index, errno,
				       strerror(errno));
			ap->fig.run_errors++;
			break;
		}
		if (!answer(ap->f, vp, &ap->rng, &exc, &ap->fig))
			break;
	}
	vp->run->completion = 0;
	ap->fig.ap_exits += vp->run->exits - exits0;
}

static void *ap_main(void *arg)
{
	struct fz_ap *ap = arg;
	int round = ap->round0;
	sigset_t set;

	/* VP 0's RUN timer is for VP 0's thread */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		pthread_mutex_lock(&ap_lock);
		while (ap_round == round && !ap_quit)
			pthread_cond_wait(&ap_cond, &ap_lock);
		if (ap_quit) {
			pthread_mutex_unlock(&ap_lock);
			return NULL;
		}
		round = ap_round;
		pthread_mutex_unlock(&ap_lock);
		ap_run_round(ap);
		atomic_store(&ap->done, round);
	}
}

static void ap_start_threads(struct fz_vm *f)
{
	int i;

	for (i = 1; i < f->nvps; i++) {
		struct fz_ap *ap = &f->aps[i];

		ap->f = f;
		ap->round0 = ap_round;
		atomic_init(&ap->done, ap_round);
		HV_ASSERT(!pthread_create(&ap->th, NULL, ap_main, ap),
			  "pthread_create");
	}
}

/*
 * The APs' state for the round: in real mode at the trampoline, running
 * or waiting for SIPI (VP 0's INIT-SIPI, or the root's); VP 0 mostly
 * running, not halted as a RUN may have left it; the root resets the
 * APICs' base, enable and timer now and then.  Then they go.
 */
static void aps_begin_round(struct fz_vm *f, struct fz_rng *r)
{
	int i;

	for (i = 0; i < f->nvps; i++) {
		struct hv_vp *vp = i ? f->aps[i].vp : f->vp;

		if (!fz_one_in(r, 4))
			vp_set_reg(vp, HVPART_REG_APIC_BASE,
				   APIC_GPA | 0x800 | (i ? 0 : 0x100));
		if (fz_one_in(r, 2))
			vp_set_reg(vp, HVPART_REG_APIC_FIRST + 0xd, 0x1ff);
		if (fz_one_in(r, 2))
			vp_set_reg(vp, HVPART_REG_APIC_FIRST + 0x36, 0);
		if (!i) {
			/* RUN may have ended in HLT: the state stays halted */
			if (!fz_one_in(r, 8))
				vp_set_reg(vp, HVPART_REG_INTERNAL_ACTIVITY_STATE, 0);
			continue;
		}
		fz_seed(&f->aps[i].rng, fz_next(r));
		if (fz_one_in(r, 8)) {
			/* a SIPI without INIT, from whatever state it is in */
			vp_set_reg(vp, HVPART_REG_INTERNAL_ACTIVITY_STATE,
				   HVPART_ACTIVITY_STARTUP_SUSPEND);
			continue;
		}
		start_mode(vp, M16, AP_TRAMP_GPA);
		vp_set_reg(vp, HVPART_REG_INTERNAL_ACTIVITY_STATE,
			   fz_one_in(r, 2) ? HVPART_ACTIVITY_STARTUP_SUSPEND : 0);
	}
	pthread_mutex_lock(&ap_lock);
	atomic_store(&ap_stop, 0);
	ap_round++;
	pthread_cond_broadcast(&ap_cond);
	pthread_mutex_unlock(&ap_lock);
}

/*
 * The round is over: every AP must leave RUN, kicked by signals, within
 * WEDGED_S.  Returns false for a VP thread wedged in RUN.
 */
static bool aps_end_round(struct fz_vm *f)
{
	int i;

	atomic_store(&ap_stop, 1);
	for (i = 1; i < f->nvps; i++) {
		struct fz_ap *ap = &f->aps[i];
		double t0 = fz_now();

		while (atomic_load(&ap->done) != ap_round) {
			if (fz_now() - t0 > WEDGED_S) {
				ksft_print_msg("round %ld: VP %d wedged in RUN: %d s of signals\n",
					       fig.rounds, i, WEDGED_S);
				fig.wedged++;
				return false;
			}
			pthread_kill(ap->th, SIGUSR1);
			usleep(200);
		}
	}
	return true;
}

/*
 * VP 0's RUN is bounded by its timer; one that does not come back after
 * more signals is reported, and the run given up (it cannot be joined).
 */
static void *watchdog_main(void *arg)
{
	(void)arg;
	for (;;) {
		long long t, since;

		usleep(250 * 1000);
		t = atomic_load(&vp0_in_run);
		since = t ? now_ms() - t : 0;
		if (since < WEDGED_S * 1000)
			continue;
		pthread_kill(main_thread, SIGALRM);
		if (since < 3 * WEDGED_S * 1000)
			continue;
		printf("# round %ld: VP 0's thread still in RUN after %lld s and signals: wedged\n",
		       fig.rounds, since / 1000);
		printf("not ok 1 hostile_guest_rounds (a VP thread wedged in RUN)\n");
		fflush(stdout);
		_exit(KSFT_FAIL);
	}
	return NULL;
}

/* The root changes the restricted pages' rights now and then. */
static void remap_restricted(struct fz_vm *f, struct fz_rng *r)
{
	static const uint32_t rights[] = {
		HVPART_MAP_READABLE,
		HVPART_MAP_READABLE | HVPART_MAP_WRITABLE,
		HVPART_MAP_READABLE | HVPART_MAP_EXECUTABLE,
		HV_MAP_RWX,
	};

	vm_unmap(f->vm, RO_GPA, PAGE_SIZE);
	vm_unmap(f->vm, NX_GPA, PAGE_SIZE);
	vm_map(f->vm, RO_GPA, PAGE_SIZE, f->ro,
	       rights[fz_below(r, ARRAY_SIZE(rights))]);
	vm_map(f->vm, NX_GPA, PAGE_SIZE, f->nx,
	       rights[fz_below(r, ARRAY_SIZE(rights))]);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct fz_leaks leaks;
	struct fz_rng rng;
	struct fz_vm *f;
	pthread_t wd;
	long ops = 0;
	double t0;
	int k, splats, fd;

	fz_parse_opts(argc, argv, &opts, usage);
	ksft_print_header();
	if (!hvpart_present())
		ksft_exit_skip(HV_SKIP_REASON "\n");
	ksft_set_plan(4);
	ksft_print_msg("seed %llu, %ld rounds%s\n",
		       (unsigned long long)opts.seed, opts.iterations,
		       opts.soak ? " (soak)" : "");
	/* no SA_RESTART: RUN ends -EINTR */
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	fd = hvpart_open();
	have_local_apic = hvpart_cap(fd, HVPART_CAP_LOCAL_APIC) == 1;
	close(fd);
	fz_leaks_begin(&leaks);
	splats = fz_klog_splats(-1);
	fz_seed(&rng, opts.seed);
	t0 = fz_now();
	main_thread = pthread_self();
	HV_ASSERT(!pthread_create(&wd, NULL, watchdog_main, NULL), "thread");

	f = fz_vm_create(&rng);
	if (!lme_below_long_mode)
		ksft_print_msg("QEMU TCG SVM: no EFER.LME below long mode\n");
	while (fig.rounds < opts.iterations && fz_now() - t0 < opts.budget_s) {
		if (f->wedged ||
		    f->rounds == (f->apic ? APIC_ROUNDS : NEW_PARTITION)) {
			fz_vm_free(f);
			f = fz_vm_create(&rng);
		}
		if (fz_one_in(&rng, 10))
			remap_restricted(f, &rng);
		round_setup(f, &rng, fz_below(&rng, 3));
		if (opts.verbose) {
			fz_trace(&opts, "guest_fuzz: round %ld%s\n", fig.rounds,
				 f->apic ? " (local APIC)" : "");
			for (k = 0; k < noplog; k++)
				fz_trace(&opts, "guest_fuzz:  op %#llx-%#llx %s %#llx\n",
					 (unsigned long long)oplog[k].gpa,
					 (unsigned long long)oplog[k].end,
					 op_names[oplog[k].kind],
					 (unsigned long long)oplog[k].arg);
		}
		if (f->apic) {
			aps_begin_round(f, &rng);
			fig.apic_rounds++;
		}
		run_round(f, &rng);
		fig.rounds++;
		f->rounds++;
		if (f->apic && !aps_end_round(f)) {
			gave_up = true;
			break;
		}
	}
	fz_vm_free(f);

	for (k = 0; k < OP_KINDS; k++)
		ops += fig.ops[k];
	ksft_print_msg("%ld guest operations in %ld rounds in %.1f s\n",
		       ops, fig.rounds, fz_now() - t0);
	ksft_print_msg("%ld partitions, %ld mode switches by the guest\n",
		       fig.partitions, fig.switches);
	for (k = 0; k < OP_KINDS; k++)
		ksft_print_msg("  %-11s %ld\n", op_names[k], fig.ops[k]);
	ksft_print_msg("%ld RUNs, %ld VM exits, %ld timeouts\n",
		       fig.runs, fig.exits, fig.eintr);
	ksft_print_msg("the root saw %ld exceptions reported, %ld I/O, %ld MSR\n",
		       fig.vectors, fig.io, fig.msr);
	ksft_print_msg("... %ld CPUID, %ld hypercall intercepts\n",
		       fig.cpuid, fig.hcall);
	ksft_print_msg("... %ld memory intercepts, %ld halts, %ld triple faults\n",
		       fig.mem, fig.halts, fig.triple);
	ksft_print_msg("... %ld crash, %ld reset, %ld unhandled, %ld other\n",
		       fig.crash, fig.reset, fig.unhandled, fig.other);
	ksft_print_msg("%ld LOCAL_APIC partitions, %ld of the rounds\n",
		       fig.apic_partitions, fig.apic_rounds);
	ksft_print_msg("... APs: %ld RUNs, %ld VM exits, %ld programs ended\n",
		       fig.ap_runs, fig.ap_exits, fig.ap_done);
	ksft_print_msg("... the root asserted %ld interrupts, saw %ld level EOIs\n",
		       fig.asserts, fig.eois);
	ksft_print_msg("... halted VPs: %ld woken, %ld sent an NMI, %ld left to a signal\n",
		       fig.halt_woken, fig.halt_nmi, fig.halt_signalled);
	if (fz_now() - t0 >= opts.budget_s && !opts.soak)
		ksft_print_msg("stopped at the %.0f s bound\n", opts.budget_s);
	ksft_test_result(!fig.run_errors && !fig.wedged,
			 "hostile_guest_rounds\n");
	if (gave_up)
		ksft_exit_fail_msg("a VP thread is wedged in RUN: not waiting for it\n");

	fz_settle(&leaks);
	ksft_print_msg("VmLck %ld kB after the partitions are closed\n",
		       leaks.vmlck_kb);
	ksft_test_result(leaks.vmlck_kb == 0, "locked_vm_released\n");
	if (leaks.have_pins) {
		ksft_print_msg("pinned pages outstanding: %lld before, %lld after\n",
			       leaks.pins_before, leaks.pins_after);
		ksft_test_result(leaks.pins_after == leaks.pins_before,
				 "pins_released\n");
	} else {
		ksft_test_result_skip("pins_released: no exact nr_foll_pin_* reading\n");
	}
	ksft_test_result(fz_klog_splats(splats) == splats,
			 "kernel_log_clean\n");
	ksft_finished();
}
