// SPDX-License-Identifier: GPL-2.0
/*
 * Speculation mitigations around guest entry, in one place for both
 * backends, keyed on the host kernel's own mitigation state as KVM is:
 *
 * - entry, in asm (hv_core/vmenter_macros.S, used by both vmenter.S):
 *   VERW buffer clearing where the kernel asks for it before VM entry
 *   (X86_FEATURE_CLEAR_CPU_BUF_VM: MDS, TAA, MMIO, RFDS, TSA);
 * - exit, in asm: RSB fill (X86_FEATURE_RSB_VMEXIT{,_LITE}), return
 *   untraining (Retbleed, SRSO, IBPB on VM exit) and the BHI clearing
 *   loop, before the first RET;
 * - here: an L1D flush before VMX entry on CPUs with L1TF, and an IBPB
 *   when a CPU switches to another VP's VMCB or VMCS.
 *
 * SPEC_CTRL needs no switching: a guest never reaches it (the MSR is not
 * passed through, so every access exits and raises #GP), so the host's
 * value stays in force in guest mode, as it is for KVM guests that are
 * not given the MSR.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/jump_label.h>
#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/vmx.h>

#include "hv_core/hv.h"

#define HV_L1D_SW_FLUSH_ORDER	4	/* 64 KiB: twice any L1D */

static DEFINE_STATIC_KEY_FALSE(hv_l1d_flush);
static void *hv_l1d_flush_pages;
static DEFINE_PER_CPU(struct hv_vp *, hv_last_vp);

/* As KVM decides for VMX: L1TF, not fixed in hardware, not turned off. */
static bool hv_l1d_flush_needed(void)
{
	u64 caps = 0;

	if (!boot_cpu_has_bug(X86_BUG_L1TF))
		return false;
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES))
		rdmsrl_safe(MSR_IA32_ARCH_CAPABILITIES, &caps);
	if (caps & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH)
		return false;
	return l1tf_vmx_mitigation != VMENTER_L1D_FLUSH_NEVER &&
	       l1tf_vmx_mitigation != VMENTER_L1D_FLUSH_NOT_REQUIRED;
}

int hv_spec_init(void)
{
	if (hv_vendor.vendor != HVPART_VENDOR_VMX || !hv_l1d_flush_needed())
		return 0;
	/* without the flush command, read a buffer larger than the L1D */
	if (!boot_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		hv_l1d_flush_pages = (void *)__get_free_pages(GFP_KERNEL |
							      __GFP_ZERO,
							      HV_L1D_SW_FLUSH_ORDER);
		if (!hv_l1d_flush_pages)
			return -ENOMEM;
	}
	static_branch_enable(&hv_l1d_flush);
	pr_info("L1TF: flushing the L1D before every VM entry\n");
	return 0;
}

void hv_spec_exit(void)
{
	static_branch_disable(&hv_l1d_flush);
	free_pages((unsigned long)hv_l1d_flush_pages, HV_L1D_SW_FLUSH_ORDER);
	hv_l1d_flush_pages = NULL;
}

static void hv_l1d_sw_flush(void)
{
	const u8 *p = hv_l1d_flush_pages;
	size_t size = PAGE_SIZE << HV_L1D_SW_FLUSH_ORDER;
	size_t i;

	/* fill the TLB first, then displace every line */
	for (i = 0; i < size; i += PAGE_SIZE)
		READ_ONCE(p[i]);
	for (i = 0; i < size; i += L1_CACHE_BYTES)
		READ_ONCE(p[i]);
}

/*
 * Right before the vendor enters @vp, interrupts off.  Another VP's
 * state on this CPU since the last entry means a new VMCB/VMCS: no branch
 * prediction trained by one guest steers another (KVM does the same on
 * a VMCB/VMCS switch).
 */
void hv_spec_before_entry(struct hv_vp *vp)
{
	lockdep_assert_irqs_disabled();

	if (this_cpu_read(hv_last_vp) != vp) {
		this_cpu_write(hv_last_vp, vp);
		indirect_branch_prediction_barrier();
	}
	if (static_branch_unlikely(&hv_l1d_flush)) {
		if (hv_l1d_flush_pages)
			hv_l1d_sw_flush();
		else
			wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
	}
}

/* A freed VP's address may come back as a new VP's: forget it. */
void hv_spec_forget_vp(struct hv_vp *vp)
{
	int cpu;

	for_each_possible_cpu(cpu)
		cmpxchg(per_cpu_ptr(&hv_last_vp, cpu), vp, NULL);
}
