// SPDX-License-Identifier: GPL-2.0
/*
 * The TLFS hypercall ABI: input value decoding, memory, register ("fast")
 * and XMM fast parameters, rep calls with continuation, and the calls
 * hvpart implements.  Vendors only report a VMMCALL/VMCALL exit; this is
 * one switch over HVCALL_* returning HV_STATUS_*.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <asm/fpu/api.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "hv_core/hv.h"
#include "hv_core/tlfs.h"

/* Reps done per entry before a rep call continues (TLFS: ~50 us). */
#define HV_HCALL_REP_BATCH	64
#define HV_HCALL_XMM_REGS	6
#define HV_HCALL_FAST_BYTES	16
#define HV_HCALL_XMM_BYTES	(HV_HCALL_FAST_BYTES + HV_HCALL_XMM_REGS * 16)

/* Flags of struct hv_hcall_desc.  NOTE: hvpart helper - not TLFS. */
#define HC_REP		BIT(0)	/* a rep call */
#define HC_VARHEAD	BIT(1)	/* takes a variable header */
#define HC_FAST		BIT(2)	/* may be called with the fast convention */
#define HC_SLOW		BIT(3)	/* may be called with memory parameters */

struct hv_hcall {
	u16 code;
	bool fast;
	bool long_mode;
	u16 varhead;		/* bytes */
	u16 rep_cnt;
	u16 rep_idx;		/* in: start index; out: reps completed */
	u64 control;
	u64 ingpa;
	u64 outgpa;
	void *in;		/* the input parameters, whichever way they came */
	void *out;
	u32 in_len;
	u32 out_len;
};

struct hv_hcall_desc {
	u16 code;
	u8 flags;
	u16 in_size;		/* fixed header */
	u16 rep_in;		/* per input rep element */
	u16 out_size;		/* fixed output */
	u64 privilege;		/* HV_PARTITION_PRIVILEGE_MASK bit needed */
	u32 recommendation;	/* CPUID 0x40000004 EAX bit needed */
	u16 (*handler)(struct hv_vp *vp, struct hv_hcall *hc);
};

/* ---- XMM parameters ------------------------------------------------- */

/*
 * The guest's XMM registers are live in the FPU between exits, unless the
 * kernel used the FPU meanwhile: then reload them first, as KVM does.
 */
static void hv_xmm_read(u64 (*xmm)[2])
{
	fpregs_lock();
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	asm volatile("movdqu %%xmm0, %0\n\t"
		     "movdqu %%xmm1, %1\n\t"
		     "movdqu %%xmm2, %2\n\t"
		     "movdqu %%xmm3, %3\n\t"
		     "movdqu %%xmm4, %4\n\t"
		     "movdqu %%xmm5, %5"
		     : "=m"(xmm[0]), "=m"(xmm[1]), "=m"(xmm[2]),
		       "=m"(xmm[3]), "=m"(xmm[4]), "=m"(xmm[5]));
	fpregs_unlock();
}

static void hv_xmm_write(u64 (*xmm)[2])
{
	fpregs_lock();
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	asm volatile("movdqu %0, %%xmm0\n\t"
		     "movdqu %1, %%xmm1\n\t"
		     "movdqu %2, %%xmm2\n\t"
		     "movdqu %3, %%xmm3\n\t"
		     "movdqu %4, %%xmm4\n\t"
		     "movdqu %5, %%xmm5"
		     : : "m"(xmm[0]), "m"(xmm[1]), "m"(xmm[2]),
		       "m"(xmm[3]), "m"(xmm[4]), "m"(xmm[5]));
	fpregs_unlock();
}

/* ---- the calls ------------------------------------------------------ */

/*
 * The flags each flush call takes; the TLFS reserves all others.  The
 * list calls treat HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY "as an invalid
 * option", and HV_FLUSH_USE_EXTENDED_RANGE_FORMAT would need the
 * extended GVA ranges feature, which hvpart does not offer.
 */
#define HV_FLUSH_SPACE_FLAGS	(HV_FLUSH_ALL_PROCESSORS |		\
				 HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES |	\
				 HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY)
#define HV_FLUSH_LIST_FLAGS	(HV_FLUSH_ALL_PROCESSORS |		\
				 HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES)

/* Post @HV_REQ_TLB_FLUSH to the VPs in @mask, and wait until it counts. */
static u16 hv_hcall_flush(struct hv_vp *vp, const struct hv_hcall *hc,
			  u64 flags, u64 mask)
{
	bool list = hc->code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST ||
		    hc->code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX;

	if (flags & ~(list ? HV_FLUSH_LIST_FLAGS : HV_FLUSH_SPACE_FLAGS))
		return HV_STATUS_INVALID_PARAMETER;
	if (flags & HV_FLUSH_ALL_PROCESSORS)
		mask = U64_MAX;
	hv_partition_kick_mask(vp->pt, mask, HV_REQ_TLB_FLUSH);
	return HV_STATUS_SUCCESS;
}

/* HV_VP_SET -> a mask of VP indices (hvpart has at most 64 VPs). */
static u16 hv_vpset_mask(struct hv_hcall *hc, const struct hv_vpset *set,
			 u32 set_bytes, u64 *mask)
{
	u32 banks;

	if (set->format == HV_GENERIC_SET_ALL) {
		*mask = U64_MAX;
		return HV_STATUS_SUCCESS;
	}
	if (set->format != HV_GENERIC_SET_SPARSE_4K)
		return HV_STATUS_INVALID_PARAMETER;
	banks = hweight64(set->valid_bank_mask);
	if (set_bytes < sizeof(*set) + banks * sizeof(u64))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	/* bank 0 holds VPs 0-63; higher banks name VPs that cannot exist */
	*mask = (set->valid_bank_mask & 1) ? set->bank_contents[0] : 0;
	return HV_STATUS_SUCCESS;
}

static u16 hv_hcall_flush_space(struct hv_vp *vp, struct hv_hcall *hc)
{
	const struct hv_tlb_flush *in = hc->in;

	return hv_hcall_flush(vp, hc, in->flags, in->processor_mask);
}

/*
 * Any flush here is a full flush of the target VPs' translations, so each
 * batch of a rep list costs one flush; the next batch continues.
 */
static void hv_hcall_rep_batch(struct hv_hcall *hc)
{
	if (hc->rep_cnt)
		hc->rep_idx = min_t(u32, hc->rep_cnt,
				    hc->rep_idx + HV_HCALL_REP_BATCH);
}

static u16 hv_hcall_flush_list(struct hv_vp *vp, struct hv_hcall *hc)
{
	u16 status = hv_hcall_flush_space(vp, hc);

	if (status == HV_STATUS_SUCCESS)
		hv_hcall_rep_batch(hc);
	return status;
}

static u16 hv_hcall_flush_ex(struct hv_vp *vp, struct hv_hcall *hc)
{
	const struct hv_tlb_flush_ex *in = hc->in;
	u32 set_bytes = sizeof(in->hv_vp_set) + hc->varhead;
	u64 mask;
	u16 status;

	status = hv_vpset_mask(hc, &in->hv_vp_set, set_bytes, &mask);
	if (status == HV_STATUS_SUCCESS)
		status = hv_hcall_flush(vp, hc, in->flags, mask);
	if (status == HV_STATUS_SUCCESS)
		hv_hcall_rep_batch(hc);
	return status;
}

/* A fixed IPI to every VP of @mask (VP indexes; absent ones are skipped). */
static u16 hv_hcall_ipi(struct hv_vp *vp, u32 vector, u8 vtl,
			const u8 *rsvd, u64 mask)
{
	u32 i;

	if (vtl || rsvd[0] || rsvd[1] || rsvd[2])
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (vector < 16 || vector > 255)
		return HV_STATUS_INVALID_PARAMETER;
	for (i = 0; i < HV_MAX_VPS; i++) {
		struct hv_vp *t = READ_ONCE(vp->pt->vps[i]);

		if (t && (mask & BIT_ULL(i)))
			hv_lapic_raise(t, vector);
	}
	return HV_STATUS_SUCCESS;
}

static u16 hv_hcall_send_ipi(struct hv_vp *vp, struct hv_hcall *hc)
{
	const struct hv_send_ipi *in = hc->in;

	return hv_hcall_ipi(vp, in->vector, in->target_vtl, in->reserved,
			    in->cpu_mask);
}

static u16 hv_hcall_send_ipi_ex(struct hv_vp *vp, struct hv_hcall *hc)
{
	const struct hv_send_ipi_ex *in = hc->in;
	u32 set_bytes = sizeof(in->vp_set) + hc->varhead;
	u64 mask;
	u16 status;

	status = hv_vpset_mask(hc, &in->vp_set, set_bytes, &mask);
	if (status != HV_STATUS_SUCCESS)
		return status;
	return hv_hcall_ipi(vp, in->vector, in->target_vtl, in->reserved,
			    mask);
}

/* HvCallStartVirtualProcessor: a VP that waits for its first start. */
static u16 hv_hcall_start_vp(struct hv_vp *vp, struct hv_hcall *hc)
{
	const struct hv_start_vp *in = hc->in;
	struct hv_vp *target;

	if (in->partition_id != HV_PARTITION_ID_SELF)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (in->target_vtl || in->reserved[0] || in->reserved[1] ||
	    in->reserved[2])
		return HV_STATUS_INVALID_PARAMETER;
	if (in->vp_index >= HV_MAX_VPS)
		return HV_STATUS_INVALID_VP_INDEX;
	target = READ_ONCE(vp->pt->vps[array_index_nospec(in->vp_index,
							  HV_MAX_VPS)]);
	if (!target)
		return HV_STATUS_INVALID_VP_INDEX;
	if (hv_lapic_start_vp(target, &in->context))
		return HV_STATUS_INVALID_VP_STATE;
	return HV_STATUS_SUCCESS;
}

static u16 hv_hcall_spin_wait(struct hv_vp *vp, struct hv_hcall *hc)
{
	/* the guest spins on a lock: give its holder a chance to run */
	cond_resched();
	return HV_STATUS_SUCCESS;
}

/* ---- messages and events: ports and connections (hv_synic/port.c) --- */

static u16 hv_hcall_post_message(struct hv_vp *vp, struct hv_hcall *hc)
{
	return hv_port_post_message(vp, hc->in);
}

static u16 hv_hcall_signal_event(struct hv_vp *vp, struct hv_hcall *hc)
{
	return hv_port_signal_event(vp, hc->in);
}

static u16 hv_hcall_ext_query(struct hv_vp *vp, struct hv_hcall *hc)
{
	u64 *caps = hc->out;

	*caps = 0;	/* no extended capabilities yet */
	return HV_STATUS_SUCCESS;
}

static const struct hv_hcall_desc hv_hcalls[] = {
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, HC_FAST | HC_SLOW,
	  sizeof(struct hv_tlb_flush), 0, 0, 0, 0, hv_hcall_flush_space },
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, HC_REP | HC_FAST | HC_SLOW,
	  sizeof(struct hv_tlb_flush), sizeof(u64), 0, 0, 0,
	  hv_hcall_flush_list },
	{ HVCALL_NOTIFY_LONG_SPIN_WAIT, HC_FAST | HC_SLOW, sizeof(u64), 0, 0,
	  0, 0, hv_hcall_spin_wait },
	{ HVCALL_SEND_IPI, HC_FAST | HC_SLOW, sizeof(struct hv_send_ipi), 0,
	  0, 0, HV_X64_CLUSTER_IPI_RECOMMENDED, hv_hcall_send_ipi },
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX,
	  HC_VARHEAD | HC_FAST | HC_SLOW, sizeof(struct hv_tlb_flush_ex), 0,
	  0, 0, 0, hv_hcall_flush_ex },
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX,
	  HC_REP | HC_VARHEAD | HC_FAST | HC_SLOW,
	  sizeof(struct hv_tlb_flush_ex), sizeof(u64), 0, 0, 0,
	  hv_hcall_flush_ex },
	{ HVCALL_SEND_IPI_EX, HC_VARHEAD | HC_FAST | HC_SLOW,
	  sizeof(struct hv_send_ipi_ex), 0, 0, 0,
	  HV_X64_CLUSTER_IPI_RECOMMENDED, hv_hcall_send_ipi_ex },
	{ HVCALL_POST_MESSAGE, HC_SLOW, sizeof(struct hv_input_post_message),
	  0, 0, HV_POST_MESSAGES, 0, hv_hcall_post_message },
	{ HVCALL_SIGNAL_EVENT, HC_FAST | HC_SLOW,
	  sizeof(struct hv_input_signal_event), 0, 0, HV_SIGNAL_EVENTS, 0,
	  hv_hcall_signal_event },
	{ HVCALL_START_VIRTUAL_PROCESSOR, HC_SLOW, sizeof(struct hv_start_vp),
	  0, 0, HV_START_VIRTUAL_PROCESSOR, 0, hv_hcall_start_vp },
	{ HVCALL_EXT_CALL_QUERY_CAPABILITIES, HC_FAST | HC_SLOW, 0, 0,
	  sizeof(u64),
	  HV_ENABLE_EXTENDED_HYPERCALLS, 0, hv_hcall_ext_query },
};

static const struct hv_hcall_desc *hv_hcall_find(u16 code)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hv_hcalls); i++) {
		if (hv_hcalls[i].code == code)
			return &hv_hcalls[i];
	}
	return NULL;
}

/* ---- the ABI -------------------------------------------------------- */

static bool hv_hcall_long_mode(struct hv_vp *vp)
{
	union hvpart_register_value cs;

	hv_vp_get_reg(vp, HVPART_REG_CS, &cs);
	return (hv_vp_read_reg64(vp, HVPART_REG_EFER) & EFER_LMA) &&
	       (cs.segment.attributes & BIT(13));	/* CS.L */
}

static void hv_hcall_decode(struct hv_vp *vp, struct hv_hcall *hc)
{
	u64 *r = vp->regs;

	hc->long_mode = hv_hcall_long_mode(vp);
	if (hc->long_mode) {
		hc->control = r[HV_RCX];
		hc->ingpa = r[HV_RDX];
		hc->outgpa = r[HV_R8];
	} else {
		hc->control = (r[HV_RDX] << 32) | (u32)r[HV_RAX];
		hc->ingpa = (r[HV_RBX] << 32) | (u32)r[HV_RCX];
		hc->outgpa = (r[HV_RDI] << 32) | (u32)r[HV_RSI];
	}
	hc->code = hc->control & HV_HYPERCALL_CODE_MASK;
	hc->fast = hc->control & HV_HYPERCALL_FAST_BIT;
	hc->varhead = ((hc->control & HV_HYPERCALL_VARHEAD_MASK) >>
		       HV_HYPERCALL_VARHEAD_OFFSET) * 8;
	hc->rep_cnt = (hc->control & HV_HYPERCALL_REP_COMP_MASK) >>
		      HV_HYPERCALL_REP_COMP_OFFSET;
	hc->rep_idx = (hc->control & HV_HYPERCALL_REP_START_MASK) >>
		      HV_HYPERCALL_REP_START_OFFSET;
}

/* The control value's own rules, before any parameter is touched. */
static u16 hv_hcall_check(const struct hv_hcall_desc *d,
			  const struct hv_hcall *hc)
{
	if (hc->control & HV_HYPERCALL_RSVD_MASK)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (d->flags & HC_REP) {
		if (!hc->rep_cnt || hc->rep_idx >= hc->rep_cnt)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
	} else if (hc->rep_cnt || hc->rep_idx) {
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	}
	if (hc->varhead && !(d->flags & HC_VARHEAD))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (!(d->flags & (hc->fast ? HC_FAST : HC_SLOW)))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	return HV_STATUS_SUCCESS;
}

/*
 * Can the guest's parameter page be used?  Returns HV_STATUS_* for the
 * guest, or -1 after writing a memory intercept message for the root
 * (an unmapped or protected page: the call waits for the root).
 */
static int hv_hcall_check_gpa(struct hv_vp *vp, u64 gpa, u32 len, bool write)
{
	u32 need = write ? HVPART_MAP_WRITABLE : HVPART_MAP_READABLE;
	u64 limit = 1ULL << hv_mmu_max_gpa_bits();
	u32 access;

	if (!len)
		return HV_STATUS_SUCCESS;
	if ((gpa & 7) || offset_in_page(gpa) + len > PAGE_SIZE || gpa >= limit)
		return HV_STATUS_INVALID_ALIGNMENT;
	/* an overlay reports read/execute only, so it is never writable */
	if (hv_mmu_gpa_access(&vp->pt->mmu, gpa, &access) &&
	    (access & need) == need)
		return HV_STATUS_SUCCESS;

	vp->exit.npf.gpa = gpa;
	vp->exit.npf.access = write ? HVPART_INTERCEPT_ACCESS_WRITE :
				      HVPART_INTERCEPT_ACCESS_READ;
	vp->exit.insn_count = 0;
	hv_exit_memory_message(vp);
	return -1;
}

/* Fetch the input: registers, XMM registers or guest memory. */
static int hv_hcall_fetch(struct hv_vp *vp, const struct hv_hcall_desc *d,
			  struct hv_hcall *hc)
{
	u64 *buf = vp->hcall_in;
	int ret;

	hc->in = buf;
	hc->out = vp->hcall_out;
	hc->in_len = d->in_size + hc->varhead + hc->rep_cnt * d->rep_in;
	hc->out_len = d->out_size;
	/*
	 * Only the output the call writes goes back to the guest: clear
	 * that much, not the whole page, on every call.
	 */
	memset(vp->hcall_out, 0, hc->out_len);
	memset(buf, 0, HV_HCALL_XMM_BYTES);

	if (!hc->fast) {
		ret = hv_hcall_check_gpa(vp, hc->ingpa, hc->in_len, false);
		if (!ret)
			ret = hv_hcall_check_gpa(vp, hc->outgpa, hc->out_len,
						 true);
		if (ret)
			return ret;
		if (hc->in_len &&
		    hv_mmu_read_gpa(&vp->pt->mmu, hc->ingpa, buf, hc->in_len))
			return HV_STATUS_INVALID_ALIGNMENT;
		return HV_STATUS_SUCCESS;
	}

	/*
	 * fast: RDX and R8 (EBX:ECX, EDI:ESI), then XMM0-5 on x64; output
	 * goes to the registers the input did not use, in the same order.
	 */
	buf[0] = hc->ingpa;
	buf[1] = hc->outgpa;
	if (hc->out_len) {
		if (!(vp->pt->features & HV_X64_HYPERCALL_XMM_OUTPUT_AVAILABLE))
			return -EINVAL;		/* #UD, as the TLFS says */
		hc->out = (u8 *)buf + round_up(hc->in_len, 16);
	}
	/*
	 * XMM input is for 32-bit callers too (the TLFS maps it for x86:
	 * EBX:ECX, EDI:ESI, then XMM0-5); XMM output is x64 only.
	 */
	if (hc->in_len + (hc->out_len ? round_up(hc->out_len, 16) : 0) >
	    (hc->long_mode || !hc->out_len ? HV_HCALL_XMM_BYTES :
					    HV_HCALL_FAST_BYTES))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (hc->in_len > HV_HCALL_FAST_BYTES &&
	    !(vp->pt->features & HV_X64_HYPERCALL_XMM_INPUT_AVAILABLE))
		return -EINVAL;		/* #UD, as the TLFS says */
	if (hc->in_len + hc->out_len > HV_HCALL_FAST_BYTES)
		hv_xmm_read((u64 (*)[2])(buf + 2));
	return HV_STATUS_SUCCESS;
}

/* Fast output: back into RDX, R8 and the XMM registers it landed in. */
static void hv_hcall_fast_output(struct hv_vp *vp, struct hv_hcall *hc)
{
	u64 *buf = vp->hcall_in;
	u32 first = round_up(hc->in_len, 16);

	if (first < HV_HCALL_FAST_BYTES) {
		vp->regs[HV_RDX] = buf[0];
		vp->regs[HV_R8] = buf[1];
	}
	if (first + hc->out_len > HV_HCALL_FAST_BYTES)
		hv_xmm_write((u64 (*)[2])(buf + 2));
}

static void hv_hcall_set_result(struct hv_vp *vp, struct hv_hcall *hc,
				u64 result)
{
	if (hc->long_mode) {
		vp->regs[HV_RAX] = result;
	} else {
		vp->regs[HV_RDX] = result >> 32;
		vp->regs[HV_RAX] = (u32)result;
	}
}

/* A rep call ran out of its batch: update the start index, re-execute. */
static void hv_hcall_continue(struct hv_vp *vp, struct hv_hcall *hc)
{
	u64 control = (hc->control & ~HV_HYPERCALL_REP_START_MASK) |
		      ((u64)hc->rep_idx << HV_HYPERCALL_REP_START_OFFSET);

	if (hc->long_mode) {
		vp->regs[HV_RCX] = control;
	} else {
		vp->regs[HV_RDX] = control >> 32;
		vp->regs[HV_RAX] = (u32)control;
	}
}

/* A call code the root intercepts: its registers go to the root. */
static void hv_hcall_intercept(struct hv_vp *vp, const struct hv_hcall *hc)
{
	struct hvpart_x64_hypercall_intercept *h;
	struct hvpart_message *msg;
	const u64 *r = vp->regs;

	msg = hv_msg_begin(vp, HVPART_MSG_HYPERCALL_INTERCEPT, sizeof(*h),
			   HVPART_INTERCEPT_ACCESS_EXECUTE);
	h = &msg->u.hypercall;
	h->rax = r[HV_RAX];
	h->rbx = r[HV_RBX];
	h->rcx = r[HV_RCX];
	h->rdx = r[HV_RDX];
	h->r8 = r[HV_R8];
	h->rsi = r[HV_RSI];
	h->rdi = r[HV_RDI];
	hv_xmm_read(h->xmm);
	h->flags = hc->long_mode ? HVPART_HYPERCALL_LONG_MODE : 0;
}

/*
 * VMMCALL/VMCALL.  Returns as hv_handle_exit(): 1 re-enters the guest,
 * 0 leaves a message (an intercepted call code, or a parameter page the
 * root must deal with).
 */
int hv_hypercall(struct hv_vp *vp)
{
	const struct hv_hcall_desc *d;
	struct hv_hcall hc = { };
	u16 status;
	int ret;

	/* no hypercall page, user mode or real mode: not a hypercall */
	if (!(READ_ONCE(vp->pt->hv.hypercall) & HV_X64_MSR_HYPERCALL_ENABLE) ||
	    hv_vp_cpl(vp) ||
	    !(hv_vp_read_reg64(vp, HVPART_REG_CR0) & X86_CR0_PE))
		goto ud;

	hv_hcall_decode(vp, &hc);
	if (hv_partition_range_intercepted(vp->pt,
					   HVPART_INTERCEPT_TYPE_HYPERCALL,
					   hc.code,
					   HVPART_INTERCEPT_ACCESS_MASK_EXECUTE)) {
		hv_hcall_intercept(vp, &hc);
		return 0;
	}
	d = hv_hcall_find(hc.code);
	if (!d) {
		status = HV_STATUS_INVALID_HYPERCALL_CODE;
		goto done;
	}
	status = hv_hcall_check(d, &hc);
	if (status) {
		hc.rep_idx = 0;
		goto done;
	}
	if ((d->privilege && !(vp->pt->privilege_mask & d->privilege)) ||
	    (d->recommendation &&
	     !(vp->pt->hv.recommendations & d->recommendation))) {
		status = HV_STATUS_ACCESS_DENIED;
		goto done;
	}

	ret = hv_hcall_fetch(vp, d, &hc);
	if (ret == -1)
		return 0;	/* a memory intercept for the root */
	if (ret < 0)
		goto ud;
	if (ret) {
		status = ret;
		goto done;
	}

	status = d->handler(vp, &hc);
	if (status == HV_STATUS_SUCCESS && hc.out_len) {
		if (hc.fast)
			hv_hcall_fast_output(vp, &hc);
		else
			hv_mmu_write_gpa(&vp->pt->mmu, hc.outgpa, hc.out,
					 hc.out_len);
	}
	if (status == HV_STATUS_SUCCESS && (d->flags & HC_REP) &&
	    hc.rep_idx < hc.rep_cnt) {
		hv_hcall_continue(vp, &hc);
		return 1;	/* RIP stays on the call: it resumes */
	}
done:
	hv_stats_hypercall(vp, hc.code, status);
	hv_hcall_set_result(vp, &hc, status |
			    ((u64)hc.rep_idx << HV_HYPERCALL_REP_COMP_OFFSET));
	hv_vp_advance_rip(vp, vp->exit.insn_len);
	return 1;
ud:
	hv_event_queue_exception(vp, X86_TRAP_UD, false, 0);
	return 1;
}

static_assert(HV_HCALL_XMM_BYTES == 112);
