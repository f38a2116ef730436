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
#include <signal.h>
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
	OP_EXC, OP_CR, OP_XSETBV, OP_KINDS,
};

static const char *const op_names[OP_KINDS] = {
	"regs", "rdmsr", "wrmsr", "cpuid", "io", "mem", "hypercall",
	"exception", "cr", "xsetbv",
};

struct figures {
	long rounds, ops[OP_KINDS], switches, runs, exits, eintr;
	long vectors, io, mem, msr, cpuid, halts, triple, crash, reset;
	long unhandled, other, partitions, run_errors;
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

/* The emulated machine: QEMU's TCG says so in the hypervisor leaf. */
static bool host_is_qemu_tcg(void)
{
	uint32_t a, sig[3];

	host_cpuid(1, 0, &a, &sig[0], &sig[1], &sig[2]);
	if (!(sig[1] & (1U << 31)))
		return false;
	host_cpuid(0x40000000, 0, &a, &sig[0], &sig[1], &sig[2]);
	return !memcmp(sig, "TCGTCGTCGTCG", sizeof(sig));
}

/* ---- machine code --------------------------------------------------- */

struct emit {
	struct hv_vm *vm;
	uint8_t *p, *end;
	uint64_t gpa;		/* of *p */
	enum fz_mode mode;
	struct fz_rng *rng;
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
		e8(e, 0xc7); e8(e, 0x05); en(e, RESUME, 4);
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

static void op_hcall(struct emit *e)
{
	struct fz_rng *r = e->rng;
	uint64_t c = hcall_control(r);
	uint64_t in = fz_one_in(r, 3) ? fz_value(r) : pick_gpa(r, false);
	uint64_t out = fz_one_in(r, 3) ? fz_value(r) : pick_gpa(r, true);
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

static void emit_op(struct emit *e)
{
	static const uint16_t weights[OP_KINDS] = {
		[OP_REGS] = 4, [OP_RDMSR] = 12, [OP_WRMSR] = 12,
		[OP_CPUID] = 4, [OP_IO] = 12, [OP_MEM] = 12, [OP_HCALL] = 24,
		[OP_EXC] = 14, [OP_CR] = 2, [OP_XSETBV] = 1,
	};
	unsigned int w = fz_below(e->rng, 97), k;
	uint8_t *imm = set_resume(e);

	for (k = 0; k < OP_KINDS - 1 && w >= weights[k]; k++)
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
	default:
		op_xsetbv(e);
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
 * below long mode and if @up, a switch to the next mode's block.
 */
static bool emit_block(struct hv_vm *vm, struct fz_rng *r, enum fz_mode mode,
		       uint64_t gpa, uint64_t end, bool up)
{
	struct emit e = {
		.vm = vm, .p = vm_gpa_to_hva(vm, gpa),
		.end = (uint8_t *)vm_gpa_to_hva(vm, end - 1) + 1,
		.gpa = gpa, .mode = mode, .rng = r,
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

static void write_stubs(struct hv_vm *vm)
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
		e8(&e16, 0xff); e8(&e16, 0x26); en(&e16, RESUME16, 2);
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

struct fz_vm {
	struct hv_vm *vm;
	struct hv_vp *vp;
	uint8_t *ro, *nx;
	bool wedged;		/* an unhandled exit: start afresh */
};

static struct fz_vm fz_vm_create(void)
{
	struct fz_vm f = { .vm = vm_create_bare() };
	struct hv_vm *vm = f.vm;

	vm->mem_size = GUEST_MEM_SIZE;
	vm->mem = hv_alloc_pages(GUEST_MEM_SIZE);
	vm_map(vm, 0, HOLE_GPA, vm->mem, HV_MAP_RWX);
	vm_map(vm, RAM2_GPA, GUEST_MEM_SIZE - RAM2_GPA, vm->mem + RAM2_GPA,
	       HV_MAP_RWX);
	f.ro = hv_alloc_pages(PAGE_SIZE);
	f.nx = hv_alloc_pages(PAGE_SIZE);
	memset(f.ro, 0xf4, PAGE_SIZE);
	memset(f.nx, 0xf4, PAGE_SIZE);
	vm_map(vm, RO_GPA, PAGE_SIZE, f.ro, HVPART_MAP_READABLE);
	vm_map(vm, NX_GPA, PAGE_SIZE, f.nx, HVPART_MAP_READABLE |
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
	f.vp = vm_add_vp(vm, 0);
	hv_hypercall_insn(vm, hc_insn);
	cr_writes = hv_vendor(vm) == HVPART_VENDOR_VMX;
	lme_below_long_mode = hv_vendor(vm) != HVPART_VENDOR_SVM ||
			      !host_is_qemu_tcg();
	fig.partitions++;
	return f;
}

static void fz_vm_free(struct fz_vm *f)
{
	vm_free(f->vm);
	hv_free_pages(f->ro, PAGE_SIZE);
	hv_free_pages(f->nx, PAGE_SIZE);
}

static void start_mode(struct fz_vm *f, enum fz_mode mode)
{
	struct hv_vp *vp = f->vp;
	struct hvpart_register regs[12];
	uint64_t cr4 = X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	int n = 0;

	switch (mode) {
	case M16:
		vp_setup_mode(vp, GUEST_MODE_REAL, OPS16_GPA);
		regs[n++] = hv_reg(HVPART_REG_CR0, X86_CR0_ET);
		regs[n++] = hv_table_reg(HVPART_REG_IDTR, IVT_GPA, 0x3ff);
		regs[n++] = hv_seg_reg(HVPART_REG_DS, 0, 0xffff, 0, SEG_ATTR_DATA16);
		regs[n++] = hv_seg_reg(HVPART_REG_ES, 0, 0xffff, 0, SEG_ATTR_DATA16);
		regs[n++] = hv_seg_reg(HVPART_REG_SS, 0, 0xffff, 0, SEG_ATTR_DATA16);
		regs[n++] = hv_seg_reg(HVPART_REG_FS, 0, 0xffff, 0, SEG_ATTR_DATA16);
		regs[n++] = hv_seg_reg(HVPART_REG_GS, 0, 0xffff, 0, SEG_ATTR_DATA16);
		break;
	case M32:
		vp_setup_mode(vp, GUEST_MODE_PROT32, OPS32_GPA);
		regs[n++] = hv_table_reg(HVPART_REG_IDTR, IDT32_GPA, 0x7ff);
		break;
	case M64:
		vp_setup_mode(vp, GUEST_MODE_LONG64, OPS64_GPA);
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
	struct hv_vm *vm = f->vm;
	bool up = fz_below(r, 3) != 0;
	enum fz_mode m = mode;

	noplog = 0;
	memset(vm->mem, 0, OPS16_END);
	vm_setup_tables(vm);
	vm_load(vm, LOAD_GPA, g_fz_start, g_fz_end);
	memset(vm_gpa_to_hva(vm, IDT32_GPA), 0, PAGE_SIZE);
	write_stubs(vm);
	/* the hypercall page's RAM, should the page be elsewhere: RET */
	memset(vm_gpa_to_hva(vm, HC_PAGE_GPA), 0xc3, PAGE_SIZE);
	memset(vm_gpa_to_hva(vm, OPS32_GPA), 0xf4, 2 * OPS_SIZE);
	memset(vm_gpa_to_hva(vm, RESUME), 0, 0x100);
	fz_fill(r, vm_gpa_to_hva(vm, XMM_GPA), 96);
	fz_fill(r, vm_gpa_to_hva(vm, HC_IN_GPA), PAGE_SIZE);
	*(uint64_t *)vm_gpa_to_hva(vm, NEXT32) = OPS32_GPA;
	*(uint64_t *)vm_gpa_to_hva(vm, NEXT64) = OPS64_GPA;

	if (m == M16 && emit_block(vm, r, M16, OPS16_GPA, OPS16_END, up)) {
		m = M32;
		fig.switches++;
	}
	if (m == M32 &&
	    emit_block(vm, r, M32, OPS32_GPA, OPS32_GPA + OPS_SIZE, up)) {
		m = M64;
		fig.switches++;
	}
	if (m == M64)
		emit_block(vm, r, M64, OPS64_GPA, OPS64_GPA + OPS_SIZE, false);

	/* the guest may have put its TSC page where the root wants this */
	vp_set_reg(f->vp, HVPART_REG_REFERENCE_TSC, 0);
	if (fz_below(r, 4))
		vm_enable_hypercall_page(f->vp);
	else
		vp_set_reg(f->vp, HVPART_REG_HYPERCALL, 0);
	start_mode(f, mode);
}

/* ---- the root's side -------------------------------------------------- */

static void on_alarm(int sig)
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
static bool skip_op(struct fz_vm *f)
{
	const struct hvpart_x64_intercept_header *h =
		&f->vp->run->msg.u.intercept;
	struct hvpart_register regs[2];
	uint64_t rip, sp;

	if (!(h->execution_state & HVPART_EXEC_STATE_CR0_PE)) {
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
	vp_set_regs(f->vp, regs, 2);
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

/* Returns false when the round is over. */
static bool answer(struct fz_vm *f, struct fz_rng *r, int *exc)
{
	struct hv_vp *vp = f->vp;
	const struct hvpart_message *msg = &vp->run->msg;
	const struct hvpart_x64_io_port_intercept *io = &msg->u.io_port;
	bool read = msg->u.intercept.intercept_access_type ==
		    HVPART_INTERCEPT_ACCESS_READ;
	struct ucall uc;

	switch (msg->header.message_type) {
	case HVPART_MSG_X64_IO_PORT_INTERCEPT:
		if (get_ucall(vp, &uc) == UCALL_DONE)
			return false;
		if (uc.type != UCALL_NONE)
			return true;	/* a random OUT to a ucall port */
		fig.io++;
		if (!read && io->port_number == EXC_PORT &&
		    !(io->access_info & HVPART_IO_ACCESS_STRING_OP)) {
			fig.vectors++;
			if (++*exc > MAX_EXC)
				return false;
		}
		complete(vp, HVPART_RUN_COMPLETE_ADVANCE_RIP |
			 (read && !(io->access_info & HVPART_IO_ACCESS_STRING_OP) ?
			  HVPART_RUN_COMPLETE_SET_RAX : 0), r);
		return true;
	case HVPART_MSG_X64_MSR_INTERCEPT:
		fig.msr++;
		complete(vp, HVPART_RUN_COMPLETE_ADVANCE_RIP |
			 (read ? HVPART_RUN_COMPLETE_SET_RAX |
			  HVPART_RUN_COMPLETE_SET_RDX : 0), r);
		return true;
	case HVPART_MSG_X64_CPUID_INTERCEPT:
		fig.cpuid++;
		complete(vp, HVPART_RUN_COMPLETE_MASK, r);
		return true;
	case HVPART_MSG_UNMAPPED_GPA:
	case HVPART_MSG_GPA_INTERCEPT:
		fig.mem++;
		return skip_op(f);
	case HVPART_MSG_X64_HALT:
		fig.halts++;
		return true;
	case HVPART_MSG_HVPART_GUEST_CRASH:
		fig.crash++;
		return true;
	case HVPART_MSG_HVPART_RESET:
		fig.reset++;
		return false;
	case HVPART_MSG_UNRECOVERABLE_EXCEPTION:
		fig.triple++;
		return false;
	case HVPART_MSG_HVPART_UNHANDLED_EXIT:
		if (++fig.unhandled <= 3) {
			ksft_print_msg("round %ld: unhandled exit; its program:\n",
				       fig.rounds);
			hv_dump_msg(msg);
			dump_oplog();
			dump_vp(vp);
		}
		f->wedged = true;
		return false;
	}
	if (++fig.other <= 3)
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

		arm_timer(500);
		ret = __vp_run(vp);
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
		if (!answer(f, r, &exc))
			break;
	}
	vp->run->completion = 0;
	fig.exits += vp->run->exits - exits0;
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
	struct sigaction sa = { .sa_handler = on_alarm };
	struct fz_leaks leaks;
	struct fz_rng rng;
	struct fz_vm f;
	long ops = 0;
	double t0;
	int k, splats;

	fz_parse_opts(argc, argv, &opts, usage);
	ksft_print_header();
	if (!hvpart_present())
		ksft_exit_skip(HV_SKIP_REASON "\n");
	ksft_set_plan(4);
	ksft_print_msg("seed %llu, %ld rounds%s\n",
		       (unsigned long long)opts.seed, opts.iterations,
		       opts.soak ? " (soak)" : "");
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: RUN ends -EINTR */
	fz_leaks_begin(&leaks);
	splats = fz_klog_splats(-1);
	fz_seed(&rng, opts.seed);
	t0 = fz_now();

	f = fz_vm_create();
	if (!lme_below_long_mode)
		ksft_print_msg("QEMU TCG SVM: no EFER.LME below long mode\n");
	while (fig.rounds < opts.iterations && fz_now() - t0 < opts.budget_s) {
		if (f.wedged || (fig.rounds && fig.rounds % NEW_PARTITION == 0)) {
			fz_vm_free(&f);
			f = fz_vm_create();
		}
		if (fz_one_in(&rng, 10))
			remap_restricted(&f, &rng);
		round_setup(&f, &rng, fz_below(&rng, 3));
		if (opts.verbose) {
			fz_trace(&opts, "guest_fuzz: round %ld\n", fig.rounds);
			for (k = 0; k < noplog; k++)
				fz_trace(&opts, "guest_fuzz:  op %#llx-%#llx %s %#llx\n",
					 (unsigned long long)oplog[k].gpa,
					 (unsigned long long)oplog[k].end,
					 op_names[oplog[k].kind],
					 (unsigned long long)oplog[k].arg);
		}
		run_round(&f, &rng);
		fig.rounds++;
	}
	fz_vm_free(&f);

	for (k = 0; k < OP_KINDS; k++)
		ops += fig.ops[k];
	ksft_print_msg("%ld guest operations in %ld rounds in %.1f s\n",
		       ops, fig.rounds, fz_now() - t0);
	ksft_print_msg("%ld partitions, %ld mode switches by the guest\n",
		       fig.partitions, fig.switches);
	for (k = 0; k < OP_KINDS; k++)
		ksft_print_msg("  %-10s %ld\n", op_names[k], fig.ops[k]);
	ksft_print_msg("%ld RUNs, %ld VM exits, %ld timeouts\n",
		       fig.runs, fig.exits, fig.eintr);
	ksft_print_msg("the root saw %ld exceptions reported, %ld I/O, %ld MSR, %ld CPUID\n",
		       fig.vectors, fig.io, fig.msr, fig.cpuid);
	ksft_print_msg("... %ld memory intercepts, %ld halts, %ld triple faults\n",
		       fig.mem, fig.halts, fig.triple);
	ksft_print_msg("... %ld crash, %ld reset, %ld unhandled, %ld other\n",
		       fig.crash, fig.reset, fig.unhandled, fig.other);
	if (fz_now() - t0 >= opts.budget_s && !opts.soak)
		ksft_print_msg("stopped at the %.0f s bound\n", opts.budget_s);
	ksft_test_result(!fig.run_errors, "hostile_guest_rounds\n");

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
