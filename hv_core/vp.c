// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual processors: creation, the register file and the run loop.
 *
 * A VP runs on the thread that calls HVPART_RUN_VP (the root-scheduler
 * model): Linux schedules VPs like any other thread.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/gfp.h>
#include <trace/events/ipi.h>
#include <asm/fpu/api.h>
#include <asm/debugreg.h>
#include <asm/pkru.h>
#include <asm/tsc.h>

#include "hv_core/hv.h"

/* Architectural RFLAGS bits that must be zero, and bit 1, always one. */
#define HV_RFLAGS_RESERVED	(GENMASK_ULL(63, 22) | BIT(15) | BIT(5) | BIT(3))
#define HV_RFLAGS_FIXED		BIT(1)

#define HV_APIC_BASE_DEFAULT	0xfee00800ULL	/* enabled, at 0xfee00000 */
#define HV_APIC_BASE_BSP	BIT(8)
#define HV_DR7_RESET		0x400

static DEFINE_RATELIMIT_STATE(hv_vp_log_rs, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

void vp_err(const struct hv_vp *vp, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (!__ratelimit(&hv_vp_log_rs))
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("p%lluvp%u: %pV", vp->pt->id, vp->index, &vaf);
	va_end(args);
}

void vp_warn(const struct hv_vp *vp, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (!__ratelimit(&hv_vp_log_rs))
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_warn("p%lluvp%u: %pV", vp->pt->id, vp->index, &vaf);
	va_end(args);
}

struct hv_vp *hv_vp_create(struct hv_partition *pt, u32 index)
{
	struct hv_vp *vp;
	int ret;

	vp = kzalloc(hv_vendor.vp_size, GFP_KERNEL_ACCOUNT);
	if (!vp)
		return ERR_PTR(-ENOMEM);

	vp->pt = pt;
	vp->index = index;
	mutex_init(&vp->vp_mutex);
	vp->cpu = -1;

	ret = -ENOMEM;
	vp->run = (struct hvpart_run *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vp->run)
		goto free_vp;
	vp->hcall_in = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vp->hcall_out = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vp->hcall_in || !vp->hcall_out)
		goto free_hcall;
	if (!fpu_alloc_guest_fpstate(&vp->guest_fpu))
		goto free_hcall;

	/* the x86 reset state; the vendor sets the rest */
	vp->rip = 0xfff0;
	vp->rflags = HV_RFLAGS_FIXED;
	vp->regs[HV_RDX] = 0x600;
	vp->xcr0 = XFEATURE_MASK_FP;
	vp->apic_base = HV_APIC_BASE_DEFAULT | (index ? 0 : HV_APIC_BASE_BSP);
	rcuwait_init(&vp->wait);
	hv_lapic_init(vp);
	ret = hv_synic_vp_init(vp);
	if (ret)
		goto free_fpu;

	ret = hv_vendor_call(vp_create)(vp);
	if (ret)
		goto free_synic;
	return vp;

free_synic:
	hv_synic_vp_destroy(vp);
free_fpu:
	fpu_free_guest_fpstate(&vp->guest_fpu);
free_hcall:
	free_page((unsigned long)vp->hcall_out);
	free_page((unsigned long)vp->hcall_in);
	free_page((unsigned long)vp->run);
free_vp:
	kfree(vp);
	return ERR_PTR(ret);
}

void hv_vp_destroy(struct hv_vp *vp)
{
	hv_synic_vp_destroy(vp);
	hv_lapic_destroy(vp);
	hv_spec_forget_vp(vp);
	hv_vendor_call(vp_free)(vp);
	fpu_free_guest_fpstate(&vp->guest_fpu);
	free_page((unsigned long)vp->hcall_out);
	free_page((unsigned long)vp->hcall_in);
	free_page((unsigned long)vp->run);
	kfree(vp);
}

static int hv_creg_of(u32 name)
{
	switch (name) {
	case HVPART_REG_CR0:
		return HV_CREG_CR0;
	case HVPART_REG_CR3:
		return HV_CREG_CR3;
	case HVPART_REG_CR4:
		return HV_CREG_CR4;
	case HVPART_REG_EFER:
		return HV_CREG_EFER;
	}
	return -1;
}

/* A cached register from the vendor, at most once per exit. */
static int hv_vp_get_cached(struct hv_vp *vp, int creg, u32 name,
			    union hvpart_register_value *val)
{
	int ret;

	if (test_bit(creg, &vp->cache_avail)) {
		val->reg64 = vp->cache[creg];
		return 0;
	}
	ret = hv_vendor_call(get_reg)(vp, name, val);
	if (!ret) {
		vp->cache[creg] = val->reg64;
		__set_bit(creg, &vp->cache_avail);
	}
	return ret;
}

/* The guest's CPL (SS.DPL). */
int hv_vp_cpl(struct hv_vp *vp)
{
	if (!test_bit(HV_CREG_CPL, &vp->cache_avail)) {
		vp->cache[HV_CREG_CPL] = hv_vendor_call(get_cpl)(vp);
		__set_bit(HV_CREG_CPL, &vp->cache_avail);
	}
	return vp->cache[HV_CREG_CPL];
}

int hv_vp_get_reg(struct hv_vp *vp, u32 name, union hvpart_register_value *val)
{
	int creg = hv_creg_of(name);

	lockdep_assert_held(&vp->vp_mutex);

	memset(val, 0, sizeof(*val));
	if (name >= HVPART_REG_RAX && name <= HVPART_REG_R15) {
		val->reg64 = vp->regs[name - HVPART_REG_RAX];
		return 0;
	}
	switch (name) {
	case HVPART_REG_RIP:
		val->reg64 = vp->rip;
		return 0;
	case HVPART_REG_RFLAGS:
		val->reg64 = vp->rflags;
		return 0;
	case HVPART_REG_DELIVERABILITY_NOTIFICATIONS:
		val->reg64 = vp->deliverability_notifications;
		return 0;
	case HVPART_REG_APIC_BASE:
		val->reg64 = vp->apic_base;
		return 0;
	case HVPART_REG_XFEM:
		val->reg64 = vp->xcr0;
		return 0;
	case HVPART_REG_TSC:
		val->reg64 = rdtsc() + vp->tsc_offset;
		return 0;
	case HVPART_REG_PENDING_INTERRUPTION:
		val->reg64 = hv_event_get_reg(vp);
		return 0;
	case HVPART_REG_INTERNAL_ACTIVITY_STATE:
	case HVPART_REG_APIC_FIRST ... HVPART_REG_APIC_LAST:
	case HVPART_REG_VP_ASSIST_PAGE:
		return hv_lapic_get_reg(vp, name, &val->reg64);
	}
	if (hv_hyperv_is_reg(name))
		return hv_hyperv_get_reg(vp, name, &val->reg64);
	if (creg >= 0)
		return hv_vp_get_cached(vp, creg, name, val);
	return hv_vendor_call(get_reg)(vp, name, val);
}

int hv_vp_set_reg(struct hv_vp *vp, u32 name,
		  const union hvpart_register_value *val)
{
	lockdep_assert_held(&vp->vp_mutex);

	/* a write may change any cached value (CR0 and EFER.LMA, SS.DPL) */
	vp->cache_avail = 0;

	if (name >= HVPART_REG_RAX && name <= HVPART_REG_R15) {
		if (val->reg128[1])
			return -EINVAL;
		vp->regs[name - HVPART_REG_RAX] = val->reg64;
		return 0;
	}
	switch (name) {
	case HVPART_REG_RIP:
		if (val->reg128[1])
			return -EINVAL;
		vp->rip = val->reg64;
		vp->shutdown = false;
		return 0;
	case HVPART_REG_RFLAGS:
		if (val->reg128[1] || (val->reg64 & HV_RFLAGS_RESERVED))
			return -EINVAL;
		vp->rflags = val->reg64 | HV_RFLAGS_FIXED;
		return 0;
	case HVPART_REG_DELIVERABILITY_NOTIFICATIONS:
		/* bit 0 NMI, bit 1 interrupt, bits 32-35 priority */
		if (val->reg128[1] || (val->reg64 & ~(GENMASK_ULL(35, 32) | 3)))
			return -EINVAL;
		vp->deliverability_notifications = val->reg64;
		return 0;
	case HVPART_REG_APIC_BASE:
		if (val->reg128[1])
			return -EINVAL;
		return hv_lapic_set_base(vp, val->reg64, true);
	case HVPART_REG_INTERNAL_ACTIVITY_STATE:
	case HVPART_REG_APIC_FIRST ... HVPART_REG_APIC_LAST:
	case HVPART_REG_VP_ASSIST_PAGE:
		if (val->reg128[1])
			return -EINVAL;
		return hv_lapic_set_reg(vp, name, val->reg64);
	case HVPART_REG_XFEM:
		if (val->reg128[1])
			return -EINVAL;
		return hv_xsave_set_xcr0(vp, val->reg64);
	case HVPART_REG_TSC:
		if (val->reg128[1])
			return -EINVAL;
		WRITE_ONCE(vp->tsc_offset, val->reg64 - rdtsc());
		hv_reftime_tsc_changed(vp->pt);
		return 0;
	case HVPART_REG_PENDING_INTERRUPTION:
		if (val->reg128[1])
			return -EINVAL;
		return hv_event_set_reg(vp, val->reg64);
	case HVPART_REG_PAT:
		/* a reserved memory type fails every later VM entry */
		if (!hv_msr_pat_valid(val->reg64))
			return -EINVAL;
		break;
	case HVPART_REG_SYSENTER_ESP:
	case HVPART_REG_SYSENTER_EIP:
	case HVPART_REG_LSTAR:
	case HVPART_REG_CSTAR:
	case HVPART_REG_KERNEL_GS_BASE:
		/* so does a non-canonical address on VMX */
		if (!__is_canonical_address(val->reg64, 48))
			return -EINVAL;
		break;
	}
	if (hv_hyperv_is_reg(name))
		return val->reg128[1] ? -EINVAL :
		       hv_hyperv_set_reg(vp, name, val->reg64);
	return hv_vendor_call(set_reg)(vp, name, val);
}

/* For hv_core's own use on registers every vendor has. */
u64 hv_vp_read_reg64(struct hv_vp *vp, u32 name)
{
	union hvpart_register_value val;

	if (WARN_ON_ONCE(hv_vp_get_reg(vp, name, &val)))
		return 0;
	return val.reg64;
}

void hv_vp_advance_rip(struct hv_vp *vp, u8 len)
{
	vp->rip += len;
	hv_vendor_call(clear_interrupt_shadow)(vp);
}

/* A real-mode style segment (64 KiB limit): reset, INIT and SIPI. */
void hv_vp_set_segment(struct hv_vp *vp, u32 name, u16 sel, u64 base,
		       u16 attr)
{
	union hvpart_register_value v = {
		.segment = {
			.base = base, .limit = 0xffff, .selector = sel,
			.attributes = attr,
		},
	};

	hv_vp_set_reg(vp, name, &v);
}

int hv_vp_set64(struct hv_vp *vp, u32 name, u64 val)
{
	union hvpart_register_value v = { .reg64 = val };

	return hv_vp_set_reg(vp, name, &v);
}

/*
 * The state INIT leaves (SDM "Processor State Following Power-up, Reset,
 * or INIT"), through the vendor-neutral register interface.  CR0 goes
 * first: paging off lets EFER.LME clear.
 */
void hv_vp_reset(struct hv_vp *vp)
{
	static const u32 data_segs[] = {
		HVPART_REG_DS, HVPART_REG_ES, HVPART_REG_FS, HVPART_REG_GS,
		HVPART_REG_SS,
	};
	union hvpart_register_value table = { .table = { .limit = 0xffff } };
	unsigned int i;

	hv_vp_set64(vp, HVPART_REG_CR0, X86_CR0_ET | X86_CR0_NW | X86_CR0_CD);
	hv_vp_set64(vp, HVPART_REG_CR4, 0);
	hv_vp_set64(vp, HVPART_REG_EFER, 0);
	hv_vp_set64(vp, HVPART_REG_CR3, 0);
	hv_vp_set64(vp, HVPART_REG_CR2, 0);
	hv_vp_set64(vp, HVPART_REG_CR8, 0);
	hv_vp_set64(vp, HVPART_REG_DR7, HV_DR7_RESET);
	hv_vp_set64(vp, HVPART_REG_DR6, DR6_RESERVED);
	hv_vp_set64(vp, HVPART_REG_INTERRUPT_STATE, 0);	/* NMIs unblocked */
	hv_vp_set_segment(vp, HVPART_REG_CS, 0xf000, 0xffff0000, 0x9b);
	for (i = 0; i < ARRAY_SIZE(data_segs); i++)
		hv_vp_set_segment(vp, data_segs[i], 0, 0, 0x93);
	hv_vp_set_segment(vp, HVPART_REG_LDTR, 0, 0, 0x82);
	hv_vp_set_segment(vp, HVPART_REG_TR, 0, 0, 0x8b);
	hv_vp_set_reg(vp, HVPART_REG_GDTR, &table);
	hv_vp_set_reg(vp, HVPART_REG_IDTR, &table);
	memset(vp->regs, 0, sizeof(vp->regs));
	vp->regs[HV_RDX] = 0x600;
	vp->rip = 0xfff0;
	vp->rflags = HV_RFLAGS_FIXED;
	hv_xsave_set_xcr0(vp, XFEATURE_MASK_FP);
	hv_event_clear(vp);
	vp->shutdown = false;
}

/*
 * Make the VP notice what another CPU posted for it (an interrupt, an
 * INIT): wake it if it sleeps, or send its CPU an IPI if it is in the
 * guest, which exits.  The caller published the event first; any
 * context.
 */
void hv_vp_kick(struct hv_vp *vp)
{
	int cpu;

	/* the event before mode; pairs with hv_vp_enter()'s smp_store_mb() */
	smp_mb();
	if (rcuwait_wake_up(&vp->wait))
		return;
	/* mode before cpu: the VP writes cpu, then mode */
	if (READ_ONCE(vp->mode) != HV_IN_GUEST_MODE)
		return;
	cpu = READ_ONCE(vp->cpu);
	if (cpu != raw_smp_processor_id())
		smp_send_reschedule(cpu);
}

/* Apply what the root wrote in the run page for the last intercept. */
static int hv_vp_complete(struct hv_vp *vp)
{
	struct hvpart_run *run = vp->run;
	u32 done = READ_ONCE(run->completion);

	if (!done)
		return 0;
	if (done & ~HVPART_RUN_COMPLETE_MASK)
		return -EINVAL;
	WRITE_ONCE(run->completion, 0);

	if (done & HVPART_RUN_COMPLETE_SET_RAX)
		vp->regs[HV_RAX] = READ_ONCE(run->completion_rax);
	if (done & HVPART_RUN_COMPLETE_SET_RDX)
		vp->regs[HV_RDX] = READ_ONCE(run->completion_rdx);
	if (done & HVPART_RUN_COMPLETE_SET_RCX_RBX) {
		vp->regs[HV_RCX] = READ_ONCE(run->completion_rcx);
		vp->regs[HV_RBX] = READ_ONCE(run->completion_rbx);
	}
	if (done & HVPART_RUN_COMPLETE_ADVANCE_RIP)
		hv_vp_advance_rip(vp, vp->run->msg.u.intercept.instruction_length
				  & 0xf);
	return 0;
}

/*
 * Enter the guest once.  Returns false if something must be handled
 * first (a request, a reschedule, a signal, this CPU leaving root); the
 * caller loops.
 */
static bool hv_vp_enter(struct hv_vp *vp, int *ret)
{
	bool root;
	u32 pkru;
	u64 t0;

	preempt_disable();
	/*
	 * With interrupts off, as KVM does: a softirq's kernel_fpu_begin()
	 * between the reload and the entry would leave the guest running
	 * on whatever that softirq left in the registers.
	 */
	local_irq_disable();
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	WRITE_ONCE(vp->cpu, smp_processor_id());
	/* publish mode before reading requests; pairs with kick_all() */
	smp_store_mb(vp->mode, HV_IN_GUEST_MODE);
	root = hv_cpu_root_active();
	if (need_resched() || signal_pending(current) || !root) {
		WRITE_ONCE(vp->mode, HV_OUTSIDE_GUEST_MODE);
		local_irq_enable();
		preempt_enable();
		/* going offline or rebooting: let the CPU go */
		if (!root)
			schedule_timeout_interruptible(1);
		return false;
	}

	/* neither XCR0 nor PKRU is in the VMCB/VMCS */
	pkru = read_pkru();
	hv_xsave_load_guest(vp);
	hv_spec_before_entry(vp);
	vp->cache_avail = 0;
	hv_stats_entry(vp);
	t0 = local_clock();
	*ret = hv_vendor_call(vp_run)(vp);
	vp->runtime_ns += local_clock() - t0;
	hv_xsave_put_guest(vp);
	write_pkru(pkru);

	WRITE_ONCE(vp->mode, HV_OUTSIDE_GUEST_MODE);
	/* VM exit leaves DR7 at its reset value: restore the host's */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	local_irq_enable();
	preempt_enable();
	return true;
}

int hv_vp_run(struct hv_vp *vp)
{
	struct hvpart_run *run = vp->run;
	int ret;

	lockdep_assert_held(&vp->vp_mutex);

	if (hv_nonzero(run->rsvd0, sizeof(run->rsvd0)) ||
	    hv_nonzero(run->rsvd1, sizeof(run->rsvd1)))
		return -EINVAL;
	ret = hv_vp_complete(vp);
	if (ret)
		return ret;
	memset(&run->msg.header, 0, sizeof(run->msg.header));
	if (READ_ONCE(run->immediate_exit))
		return -EINTR;
	hv_stats_run_begin(vp);
	if (vp->shutdown) {
		vp->exit.reason = HV_EXIT_SHUTDOWN;
		return hv_handle_exit(vp);
	}

	fpu_swap_kvm_fpstate(&vp->guest_fpu, true);
	for (;;) {
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
		if (vp->pt->local_apic) {
			ret = hv_lapic_prepare(vp);
			if (ret)
				break;
			hv_monitor_entry(&vp->pt->ports);
		}
		if (!hv_vp_enter(vp, &ret))
			continue;
		if (ret)
			break;
		run->exits++;
		hv_stats_exit(vp);
		ret = hv_handle_exit(vp);
		if (ret <= 0)
			break;
	}
	fpu_swap_kvm_fpstate(&vp->guest_fpu, false);
	if (hv_vendor.vp_put)
		hv_vendor_call(vp_put)(vp);
	hv_stats_run_end(vp, ret);
	return ret;
}
