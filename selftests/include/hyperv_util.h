/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the TLFS conformance selftests (hyperv_*.c): the guest
 * physical layout they share, the hypercall page set up by the root, the
 * vendor's hypercall instruction, and the "TLFS probe": a guest loaded at
 * LOAD_GPA (64-bit or flat 32-bit protected mode) that performs one
 * operation per round trip for the host (CPUID, RDMSR, WRMSR, a memory
 * read or byte write, or a hypercall through the hypercall page or a
 * direct VMMCALL/VMCALL), with the
 * registers the host chose, and hands back the registers afterwards along
 * with the vector of any #GP or #UD the operation raised.
 */
#ifndef SELFTEST_HVPART_HYPERV_UTIL_H
#define SELFTEST_HVPART_HYPERV_UTIL_H

#include "hvpart_util.h"
#include "hyperv_tlfs.h"

/*
 * Guest-physical layout (inside vm_create()'s free DATA area).  Plain
 * literals: the guest snippets use them.
 */
#define HC_PAGE_GPA	0x30000		/* the hypercall page */
#define REFTSC_GPA	0x31000		/* the reference TSC page */
#define HC_IN_GPA	0x32000		/* hypercall input parameters */
#define HC_OUT_GPA	0x33000		/* hypercall output parameters */
#define TP_XMM_IN	0x34000		/* XMM0-5 loaded before a call */
#define TP_XMM_OUT	0x34100		/* XMM0-5 stored after it */
#define TP_VEC		0x35000		/* u32: #GP/#UD vector the op raised */
#define TP_RIP		0x35008		/* u64: RIP of that fault */
#define TP_OP		0x35010		/* u32: enum tp_op */
#define TP_PAGE_PTR	0x35018		/* u64: where "call the page" goes */
#define TP_FLAGS	0x35020		/* u32: TP_FLAG_* */
#define HV_TEST_FREE	0x36000		/* free for tests, up to 0x60000 */

#define TP_FLAG_XMM	1

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif		/* load and store XMM0-5 (64-bit) */

/* A GPA no range maps in a vm_create() partition. */
#define UNMAPPED_GPA	0x400000

#define X86_CR4_OSFXSR		(1ULL << 9)
#define X86_CR4_OSXMMEXCPT	(1ULL << 10)

enum tp_op {
	TP_RDMSR,
	TP_WRMSR,
	TP_HCALL_PAGE,		/* CALL the hypercall page */
	TP_HCALL_DIRECT,	/* CALL a VMMCALL/VMCALL; RET stub in guest RAM */
	TP_CPUID,		/* CPUID leaf RAX, subleaf RCX */
	TP_READ,		/* RAX = the 8 (32-bit: 4) bytes at RCX */
	TP_WRITE8,		/* the byte at RCX = AL */
};

/*
 * One probe operation.  The registers are inputs (set before the op) and
 * outputs (read back after it).  In 32-bit mode only their low halves
 * count.  RBP is the probe's: it carries RAX out past the ucall.
 */
struct tp {
	enum tp_op op;
	bool xmm;		/* load xmm_in before, store xmm_out after */
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, r8;
	uint64_t xmm_in[12], xmm_out[12];
	int vector;		/* out: #GP (13) or #UD (6) raised, else 0 */
	uint64_t fault_rip;	/* out: the faulting instruction's RIP */
	uint64_t exits;		/* out: VM exits the op took (run->exits) */
};

/* Vendor (HVPART_CAP_VENDOR) and its hypercall instruction. */
long hv_vendor(struct hv_vm *vm);
void hv_hypercall_insn(struct hv_vm *vm, uint8_t insn[3]);
void vm_patch_hypercall_insn(struct hv_vm *vm, uint64_t gpa);
uint32_t hv_max_gpa_bits(struct hv_vm *vm);

/* The root enables the hypercall page at HC_PAGE_GPA (OS ID first). */
void vm_enable_hypercall_page(struct hv_vp *vp);

/* A 32-bit interrupt gate in the IDT at IDT_GPA (protected mode). */
void vm_set_idt_gate32(struct hv_vm *vm, int vector, uint32_t handler_gpa);

/*
 * Load the probe into @vp's partition, put @vp in @mode (GUEST_MODE_LONG64
 * or GUEST_MODE_PROT32) and run it to its first stop.  Only one VP of a
 * partition runs the probe (its slots are partition memory).
 */
void tp_load(struct hv_vp *vp, enum guest_mode mode);
uint64_t tp_direct_gpa(enum guest_mode mode);
uint64_t tp_msr_insn_gpa(enum guest_mode mode, bool write);

/*
 * Run one op: returns 0 when it completed (outputs in @t), or the
 * HVPART_MSG_* type that ended RUN first (the message is in the run page;
 * after dealing with it, tp_resume() goes on).
 */
uint32_t tp_run(struct hv_vp *vp, struct tp *t);
uint32_t tp_resume(struct hv_vp *vp, struct tp *t);

/* CPUID through the probe: the four registers in r[0..3] (EAX..EDX). */
void tp_cpuid(struct hv_vp *vp, uint32_t leaf, uint32_t r[4]);

/* Read guest memory; write a byte (the vector raised, 0 if none). */
uint64_t tp_read(struct hv_vp *vp, uint64_t gva);
int tp_write8(struct hv_vp *vp, uint64_t gva, uint8_t val);
uint64_t tp_write8_gpa(enum guest_mode mode);

/* RDMSR/WRMSR through the probe: the vector raised, 0 if none. */
int tp_rdmsr(struct hv_vp *vp, uint32_t msr, uint64_t *val);
int tp_wrmsr(struct hv_vp *vp, uint32_t msr, uint64_t val);

/*
 * A hypercall through the page (64-bit convention: RCX, RDX, R8); the
 * hypercall result value (RAX) is returned, and *@t holds the rest.
 */
uint64_t tp_hcall(struct hv_vp *vp, uint64_t control, uint64_t in,
		  uint64_t out, struct tp *t);
/* The same with the x86 convention (EDX:EAX, EBX:ECX, EDI:ESI). */
uint64_t tp_hcall32(struct hv_vp *vp, uint64_t control, uint64_t in,
		    uint64_t out, struct tp *t);

static inline uint64_t hv_control(uint16_t code, uint32_t rep_count,
				  uint32_t rep_start)
{
	return code | ((uint64_t)rep_count << HV_HYPERCALL_REP_COMP_OFFSET) |
	       ((uint64_t)rep_start << HV_HYPERCALL_REP_START_OFFSET);
}

static inline uint16_t hv_result_status(uint64_t result)
{
	return result & HV_HYPERCALL_RESULT_MASK;
}

static inline uint32_t hv_result_reps(uint64_t result)
{
	return (result & HV_HYPERCALL_REP_COMP_MASK) >>
	       HV_HYPERCALL_REP_COMP_OFFSET;
}

/*
 * Does the host kernel derive time from a TSC it trusts (constant and
 * non-stop, never marked unstable)?  Then the reference TSC page is
 * valid.  @why gets the reason in words.
 */
bool host_tsc_reliable(char *why, size_t len);

#endif /* SELFTEST_HVPART_HYPERV_UTIL_H */
