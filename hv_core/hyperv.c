// SPDX-License-Identifier: GPL-2.0
/*
 * The TLFS interface of a child partition: the hypervisor CPUID leaves,
 * the synthetic MSRs, and the root's view of the same state through
 * TLFS register names.  What the guest may use is exactly what the root
 * granted in the partition's privilege mask and feature flags; anything
 * else raises #GP as the TLFS says.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#include "hv_core/hv.h"
#include "hv_core/tlfs.h"

/* What hvpart implements: the most a root may grant. */
#define HV_SUPPORTED_PRIVILEGES	(HV_MSR_VP_RUNTIME_AVAILABLE |		\
				 HV_MSR_TIME_REF_COUNT_AVAILABLE |	\
				 HV_MSR_HYPERCALL_AVAILABLE |		\
				 HV_MSR_VP_INDEX_AVAILABLE |		\
				 HV_MSR_RESET_AVAILABLE |		\
				 HV_MSR_REFERENCE_TSC_AVAILABLE |	\
				 HV_MSR_GUEST_IDLE_AVAILABLE |		\
				 HV_ACCESS_FREQUENCY_MSRS |		\
				 HV_ENABLE_EXTENDED_HYPERCALLS)
#define HV_SUPPORTED_FEATURES	(HV_X64_HYPERCALL_XMM_INPUT_AVAILABLE |	\
				 HV_X64_GUEST_IDLE_STATE_AVAILABLE |	\
				 HV_FEATURE_FREQUENCY_MSRS_AVAILABLE |	\
				 HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE |	\
				 HV_X64_HYPERCALL_XMM_OUTPUT_AVAILABLE |	\
				 HV_FEATURE_HYPERCALL_MSR_LOCK_AVAILABLE)
#define HV_SUPPORTED_RECOMMENDATIONS (HV_X64_LOCAL_TLB_FLUSH_RECOMMENDED | \
				 HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED |	\
				 HV_X64_SYSTEM_RESET_RECOMMENDED |	\
				 HV_X64_RELAXED_TIMING_RECOMMENDED |	\
				 HV_X64_EX_PROCESSOR_MASKS_RECOMMENDED)

/* ... and with a local APIC in the kernel (LOCAL_APIC partitions) */
#define HV_APIC_PRIVILEGES	(HV_MSR_APIC_ACCESS_AVAILABLE |		\
				 HV_START_VIRTUAL_PROCESSOR)
#define HV_APIC_RECOMMENDATIONS	(HV_X64_APIC_ACCESS_RECOMMENDED |	\
				 HV_X64_CLUSTER_IPI_RECOMMENDED)

/*
 * ... and the SynIC, synthetic timers, messages and events, direct-mode
 * timers (hv_synic/synic.c, stimer.c, port.c): LOCAL_APIC partitions too
 */
#define HV_SYNIC_PRIVILEGES	(HV_MSR_SYNIC_AVAILABLE |		\
				 HV_MSR_SYNTIMER_AVAILABLE |		\
				 HV_POST_MESSAGES | HV_SIGNAL_EVENTS)
#define HV_SYNIC_FEATURES	HV_STIMER_DIRECT_MODE_AVAILABLE

static u64 hv_supported_privileges(struct hv_partition *pt)
{
	return HV_SUPPORTED_PRIVILEGES |
	       (pt->local_apic ? HV_APIC_PRIVILEGES | HV_SYNIC_PRIVILEGES : 0);
}

static u64 hv_supported_recommendations(struct hv_partition *pt)
{
	return HV_SUPPORTED_RECOMMENDATIONS |
	       (pt->local_apic ? HV_APIC_RECOMMENDATIONS : 0);
}

/* hvpart reports itself as version 10.0, build 20348 */
#define HV_VERSION_BUILD	20348
#define HV_VERSION_MAJOR_MINOR	0x000a0000
/* HV_APIC_FREQUENCY (hv_synic/lapic.h): Hyper-V's customary 200 MHz */

/*
 * ---- the SynIC's share, LOCAL_APIC partitions ------------------------
 * Its MSRs and registers live in hv_synic/synic.c (hv_synic_is_msr(),
 * hv_synic_is_reg()).
 */

static u64 hv_supported_features(struct hv_partition *pt)
{
	return HV_SUPPORTED_FEATURES | (pt->local_apic ? HV_SYNIC_FEATURES : 0);
}

/* ---- partition state ------------------------------------------------- */

int hv_hyperv_init(struct hv_partition *pt)
{
	struct hv_hyperv *hv = &pt->hv;
	u8 insn[4];
	void *va;

	mutex_init(&hv->lock);
	pt->privilege_mask = hv_supported_privileges(pt);
	pt->features = hv_supported_features(pt);
	hv->recommendations = hv_supported_recommendations(pt);
	hv->spin_retry = U32_MAX;

	hv->hypercall_ov.page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	hv->tsc_ov.page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!hv->hypercall_ov.page || !hv->tsc_ov.page) {
		hv_hyperv_destroy(pt);
		return -ENOMEM;
	}

	/* the hypercall page: the vendor's instruction, then RET */
	hv_vendor_call(hypercall_insn)(insn);
	insn[3] = 0xc3;
	va = page_address(hv->hypercall_ov.page);
	memset(va, 0xcc, PAGE_SIZE);	/* INT3 */
	memcpy(va, insn, sizeof(insn));

	hv_reftime_init(pt);
	return 0;
}

void hv_hyperv_destroy(struct hv_partition *pt)
{
	if (pt->hv.hypercall_ov.page)
		__free_page(pt->hv.hypercall_ov.page);
	if (pt->hv.tsc_ov.page)
		__free_page(pt->hv.tsc_ov.page);
}

/* ---- partition properties ------------------------------------------- */

int hv_hyperv_set_property(struct hv_partition *pt, u32 code, u64 value)
{
	switch (code) {
	case HVPART_PROP_PRIVILEGE_MASK:
		if (value & ~hv_supported_privileges(pt))
			return -EINVAL;
		pt->privilege_mask = value;
		return 0;
	case HVPART_PROP_FEATURES:
		if (value & ~hv_supported_features(pt))
			return -EINVAL;
		pt->features = value;
		return 0;
	case HVPART_PROP_RECOMMENDATIONS:
		if (value & ~hv_supported_recommendations(pt))
			return -EINVAL;
		pt->hv.recommendations = value;
		return 0;
	case HVPART_PROP_SPIN_RETRY:
		if (value > U32_MAX)
			return -EINVAL;
		pt->hv.spin_retry = value;
		return 0;
	case HVPART_PROP_SUPPORTED_PRIVILEGES:
	case HVPART_PROP_SUPPORTED_FEATURES:
	case HVPART_PROP_SUPPORTED_RECOMMENDATIONS:
		return -EPERM;
	}
	return -EINVAL;
}

int hv_hyperv_get_property(struct hv_partition *pt, u32 code, u64 *value)
{
	switch (code) {
	case HVPART_PROP_PRIVILEGE_MASK:
		*value = pt->privilege_mask;
		return 0;
	case HVPART_PROP_FEATURES:
		*value = pt->features;
		return 0;
	case HVPART_PROP_RECOMMENDATIONS:
		*value = pt->hv.recommendations;
		return 0;
	case HVPART_PROP_SPIN_RETRY:
		*value = pt->hv.spin_retry;
		return 0;
	case HVPART_PROP_SUPPORTED_PRIVILEGES:
		*value = hv_supported_privileges(pt);
		return 0;
	case HVPART_PROP_SUPPORTED_FEATURES:
		*value = hv_supported_features(pt);
		return 0;
	case HVPART_PROP_SUPPORTED_RECOMMENDATIONS:
		*value = hv_supported_recommendations(pt);
		return 0;
	}
	return -EINVAL;
}

/* ---- CPUID ---------------------------------------------------------- */

void hv_hyperv_cpuid(struct hv_vp *vp, u32 leaf, u32 *eax, u32 *ebx,
		     u32 *ecx, u32 *edx)
{
	struct hv_partition *pt = vp->pt;

	*eax = *ebx = *ecx = *edx = 0;
	switch (leaf) {
	case HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS:
		*eax = HYPERV_CPUID_MAX;
		memcpy(ebx, "Micr", 4);
		memcpy(ecx, "osof", 4);
		memcpy(edx, "t Hv", 4);
		break;
	case HYPERV_CPUID_INTERFACE:
		*eax = HYPERV_CPUID_SIGNATURE_EAX;
		break;
	case HYPERV_CPUID_VERSION:
		*eax = HV_VERSION_BUILD;
		*ebx = HV_VERSION_MAJOR_MINOR;
		break;
	case HYPERV_CPUID_FEATURES:
		*eax = lower_32_bits(pt->privilege_mask);
		*ebx = upper_32_bits(pt->privilege_mask);
		*edx = pt->features;
		break;
	case HYPERV_CPUID_ENLIGHTMENT_INFO:
		*eax = pt->hv.recommendations;
		*ebx = pt->hv.spin_retry;
		/* ImplementedPhysicalAddressBits: the host's MAXPHYADDR */
		*ecx = boot_cpu_data.x86_phys_bits & 0x7f;
		break;
	case HYPERV_CPUID_IMPLEMENT_LIMITS:
		*eax = pt->max_vps;
		*ebx = nr_cpu_ids;
		break;
	case HYPERV_CPUID_HARDWARE_FEATURES:
		*eax = HV_X64_MSR_BITMAPS_IN_USE | HV_X64_SLAT_IN_USE;
		break;
	}
	/* 0x40000007-0x4000000A (root, nested) report nothing */
}

/* ---- synthetic MSRs ------------------------------------------------- */

static bool hv_priv(struct hv_vp *vp, u64 priv)
{
	return vp->pt->privilege_mask & priv;
}

static bool hv_feature(struct hv_vp *vp, u32 feature)
{
	return vp->pt->features & feature;
}

/* Place or remove the hypercall page as the MSR and OS ID now say. */
static int hv_hypercall_update(struct hv_partition *pt)
{
	struct hv_hyperv *hv = &pt->hv;
	bool on = (hv->hypercall & HV_X64_MSR_HYPERCALL_ENABLE) &&
		  hv->guest_os_id;
	int ret;

	lockdep_assert_held(&hv->lock);

	if (!on)
		hv->hypercall &= ~HV_X64_MSR_HYPERCALL_ENABLE;
	ret = hv_mmu_overlay_set(pt, &hv->hypercall_ov, on,
				 hv->hypercall >> PAGE_SHIFT);
	/* the old page is gone and no new one is there: the MSR says so */
	if (ret)
		hv->hypercall &= ~HV_X64_MSR_HYPERCALL_ENABLE;
	return ret;
}

/*
 * HV_X64_MSR_HYPERCALL.  @host: the root writes it (restore): the lock
 * does not apply to the root.
 */
static int hv_set_hypercall_msr(struct hv_vp *vp, u64 data, bool host)
{
	struct hv_hyperv *hv = &vp->pt->hv;
	u64 limit = 1ULL << hv_mmu_max_gpa_bits();

	lockdep_assert_held(&hv->lock);

	if ((hv->hypercall & HV_X64_MSR_HYPERCALL_LOCKED) && !host)
		return 0;	/* locked: writes are ignored */
	if ((data & HV_X64_MSR_HYPERCALL_LOCKED) && !host &&
	    !hv_feature(vp, HV_FEATURE_HYPERCALL_MSR_LOCK_AVAILABLE))
		return -EINVAL;
	if ((data & PAGE_MASK) >= limit)
		return -EINVAL;
	/* bits 11:2 are RsvdP: preserved on writes */
	hv->hypercall = (data & ~HV_X64_MSR_HYPERCALL_RSVDP) |
			(hv->hypercall & HV_X64_MSR_HYPERCALL_RSVDP);
	return hv_hypercall_update(vp->pt);
}

static int hv_set_guest_os_id(struct hv_vp *vp, u64 data)
{
	struct hv_hyperv *hv = &vp->pt->hv;

	lockdep_assert_held(&hv->lock);

	hv->guest_os_id = data;
	/* zeroing the guest OS ID disables the hypercall page */
	return hv_hypercall_update(vp->pt);
}

static void hv_crash_message(struct hv_vp *vp, u64 ctl)
{
	struct hvpart_guest_crash *c;
	struct hvpart_message *msg;
	unsigned int i;

	msg = hv_msg_begin(vp, HVPART_MSG_HVPART_GUEST_CRASH, sizeof(*c),
			   HVPART_INTERCEPT_ACCESS_WRITE);
	c = &msg->u.crash;
	c->crash_ctl = ctl;
	for (i = 0; i < ARRAY_SIZE(c->params); i++)
		c->params[i] = vp->pt->hv.crash_param[i];
}

/*
 * The APIC's synthetic MSRs (AccessApicMsrs): EOI, ICR and TPR are the
 * x2APIC registers' faster path, in either APIC mode; the VP assist page
 * carries the PV EOI flag (hv_synic/lapic.c).
 */
static int hv_hyperv_apic_msr_write(struct hv_vp *vp, u32 msr, u64 data)
{
	switch (msr) {
	case HV_X64_MSR_EOI:
		return hv_lapic_eoi(vp);
	case HV_X64_MSR_ICR:
		return hv_lapic_icr_write(vp, data);
	case HV_X64_MSR_TPR:
		if (data > 0xff)
			return -EINVAL;
		hv_lapic_write_tpr(vp, data);
		return 0;
	}
	return hv_lapic_set_assist_page(vp, data);
}

static int hv_hyperv_apic_msr_read(struct hv_vp *vp, u32 msr, u64 *data)
{
	switch (msr) {
	case HV_X64_MSR_ICR:
		*data = hv_lapic_icr_read(vp);
		return 0;
	case HV_X64_MSR_TPR:
		return hv_lapic_get_reg(vp, HVPART_REG_APIC_TPR, data);
	case HV_X64_MSR_VP_ASSIST_PAGE:
		*data = vp->apic.assist_page;
		return 0;
	}
	return -EINVAL;		/* EOI is write-only */
}

/*
 * Returns 0 (done), HV_MSR_TO_ROOT (done, and the run page holds a
 * message for the root), or -EINVAL (#GP).
 */
int hv_hyperv_msr_write(struct hv_vp *vp, u32 msr, u64 data)
{
	struct hv_hyperv *hv = &vp->pt->hv;
	int ret = 0;

	if (hv_synic_is_msr(msr))
		return hv_synic_msr_write(vp, msr, data);

	mutex_lock(&hv->lock);
	switch (msr) {
	case HV_X64_MSR_GUEST_OS_ID:
		if (!hv_priv(vp, HV_MSR_HYPERCALL_AVAILABLE))
			goto gp;
		ret = hv_set_guest_os_id(vp, data);
		break;
	case HV_X64_MSR_HYPERCALL:
		if (!hv_priv(vp, HV_MSR_HYPERCALL_AVAILABLE))
			goto gp;
		ret = hv_set_hypercall_msr(vp, data, false);
		break;
	case HV_X64_MSR_RESET:
		if (!hv_priv(vp, HV_MSR_RESET_AVAILABLE) || (data & ~1ULL))
			goto gp;
		if (data) {
			hv_msg_begin(vp, HVPART_MSG_HVPART_RESET,
				     sizeof(struct hvpart_x64_intercept_header),
				     HVPART_INTERCEPT_ACCESS_WRITE);
			ret = HV_MSR_TO_ROOT;
		}
		break;
	case HV_X64_MSR_REFERENCE_TSC:
		if (!hv_priv(vp, HV_MSR_REFERENCE_TSC_AVAILABLE))
			goto gp;
		ret = hv_reftime_set_msr(vp->pt, data);
		break;
	case HV_X64_MSR_CRASH_P0 ... HV_X64_MSR_CRASH_P4:
		if (!hv_feature(vp, HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE))
			goto gp;
		hv->crash_param[msr - HV_X64_MSR_CRASH_P0] = data;
		break;
	case HV_X64_MSR_EOI ... HV_X64_MSR_VP_ASSIST_PAGE:
		if (!hv_priv(vp, HV_MSR_APIC_ACCESS_AVAILABLE))
			goto gp;
		ret = hv_hyperv_apic_msr_write(vp, msr, data);
		if (ret < 0)
			goto gp;
		break;
	case HV_X64_MSR_CRASH_CTL:
		if (!hv_feature(vp, HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE) ||
		    (data & ~(HV_CRASH_CTL_CRASH_NOTIFY |
			      HV_CRASH_CTL_CRASH_NOTIFY_MSG)))
			goto gp;
		hv->crash_ctl = data;
		if (data & HV_CRASH_CTL_CRASH_NOTIFY) {
			hv_crash_message(vp, data);
			ret = HV_MSR_TO_ROOT;
		}
		break;
	default:
		/* read-only (VP index, counters, frequencies) or unknown */
		goto gp;
	}
	mutex_unlock(&hv->lock);
	return ret;
gp:
	mutex_unlock(&hv->lock);
	return -EINVAL;
}

/*
 * Returns 0, HV_MSR_TO_ROOT (GUEST_IDLE with no local APIC: the root
 * decides when the VP wakes), or -EINVAL.
 */
int hv_hyperv_msr_read(struct hv_vp *vp, u32 msr, u64 *data)
{
	struct hv_hyperv *hv = &vp->pt->hv;
	u64 need;

	if (hv_synic_is_msr(msr))
		return hv_synic_msr_read(vp, msr, data);

	switch (msr) {
	case HV_X64_MSR_GUEST_OS_ID:
	case HV_X64_MSR_HYPERCALL:
		need = HV_MSR_HYPERCALL_AVAILABLE;
		break;
	case HV_X64_MSR_VP_INDEX:
		need = HV_MSR_VP_INDEX_AVAILABLE;
		break;
	case HV_X64_MSR_RESET:
		need = HV_MSR_RESET_AVAILABLE;
		break;
	case HV_X64_MSR_VP_RUNTIME:
		need = HV_MSR_VP_RUNTIME_AVAILABLE;
		break;
	case HV_X64_MSR_TIME_REF_COUNT:
		need = HV_MSR_TIME_REF_COUNT_AVAILABLE;
		break;
	case HV_X64_MSR_REFERENCE_TSC:
		need = HV_MSR_REFERENCE_TSC_AVAILABLE;
		break;
	case HV_X64_MSR_TSC_FREQUENCY:
	case HV_X64_MSR_APIC_FREQUENCY:
		/* the privilege grants them "if supported": the feature */
		if (!hv_feature(vp, HV_FEATURE_FREQUENCY_MSRS_AVAILABLE))
			return -EINVAL;
		need = HV_ACCESS_FREQUENCY_MSRS;
		break;
	case HV_X64_MSR_GUEST_IDLE:
		if (!hv_feature(vp, HV_X64_GUEST_IDLE_STATE_AVAILABLE))
			return -EINVAL;
		need = HV_MSR_GUEST_IDLE_AVAILABLE;
		break;
	case HV_X64_MSR_CRASH_P0 ... HV_X64_MSR_CRASH_CTL:
		if (!hv_feature(vp, HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE))
			return -EINVAL;
		need = 0;
		break;
	case HV_X64_MSR_EOI ... HV_X64_MSR_VP_ASSIST_PAGE:
		if (!hv_priv(vp, HV_MSR_APIC_ACCESS_AVAILABLE))
			return -EINVAL;
		return hv_hyperv_apic_msr_read(vp, msr, data);
	default:
		return -EINVAL;
	}
	if (need && !hv_priv(vp, need))
		return -EINVAL;

	switch (msr) {
	case HV_X64_MSR_GUEST_OS_ID:
		*data = READ_ONCE(hv->guest_os_id);
		return 0;
	case HV_X64_MSR_HYPERCALL:
		*data = READ_ONCE(hv->hypercall);
		return 0;
	case HV_X64_MSR_VP_INDEX:
		*data = vp->index;
		return 0;
	case HV_X64_MSR_RESET:
		*data = 0;
		return 0;
	case HV_X64_MSR_VP_RUNTIME:
		*data = div_u64(vp->runtime_ns, 100);
		return 0;
	case HV_X64_MSR_TIME_REF_COUNT:
		*data = hv_reftime_now(vp->pt);
		return 0;
	case HV_X64_MSR_REFERENCE_TSC:
		*data = READ_ONCE(hv->reference_tsc);
		return 0;
	case HV_X64_MSR_TSC_FREQUENCY:
		*data = (u64)tsc_khz * 1000;
		return 0;
	case HV_X64_MSR_APIC_FREQUENCY:
		*data = HV_APIC_FREQUENCY;
		return 0;
	case HV_X64_MSR_GUEST_IDLE:
		*data = 0;
		/* any interrupt wakes it: the local APIC's, or the root's */
		if (vp->pt->local_apic) {
			hv_lapic_idle(vp);
			return 0;
		}
		hv_msg_begin(vp, HVPART_MSG_X64_HALT,
			     sizeof(struct hvpart_x64_intercept_header),
			     HVPART_INTERCEPT_ACCESS_READ);
		return HV_MSR_TO_ROOT;
	case HV_X64_MSR_CRASH_CTL:
		*data = HV_CRASH_CTL_CRASH_NOTIFY | HV_CRASH_CTL_CRASH_NOTIFY_MSG;
		return 0;
	default:
		*data = READ_ONCE(hv->crash_param[msr - HV_X64_MSR_CRASH_P0]);
		return 0;
	}
}

/* ---- the root's view: TLFS register names --------------------------- */

bool hv_hyperv_is_reg(u32 name)
{
	switch (name) {
	case HVPART_REG_VP_RUNTIME:
	case HVPART_REG_HYPERCALL:
	case HVPART_REG_GUEST_OS_ID:
	case HVPART_REG_VP_INDEX:
	case HVPART_REG_TIME_REF_COUNT:
	case HVPART_REG_REFERENCE_TSC:
	case HVPART_REG_GUEST_CRASH_P0 ... HVPART_REG_GUEST_CRASH_CTL:
	case HVPART_REG_PROCESSOR_CLOCK_FREQUENCY:
	case HVPART_REG_INTERRUPT_CLOCK_FREQUENCY:
		return true;
	}
	return hv_synic_is_reg(name);
}

int hv_hyperv_get_reg(struct hv_vp *vp, u32 name, u64 *val)
{
	struct hv_hyperv *hv = &vp->pt->hv;

	if (hv_synic_is_reg(name))
		return hv_synic_get_reg(vp, name, val);

	switch (name) {
	case HVPART_REG_VP_RUNTIME:
		*val = div_u64(vp->runtime_ns, 100);
		return 0;
	case HVPART_REG_HYPERCALL:
		*val = READ_ONCE(hv->hypercall);
		return 0;
	case HVPART_REG_GUEST_OS_ID:
		*val = READ_ONCE(hv->guest_os_id);
		return 0;
	case HVPART_REG_VP_INDEX:
		*val = vp->index;
		return 0;
	case HVPART_REG_TIME_REF_COUNT:
		*val = hv_reftime_now(vp->pt);
		return 0;
	case HVPART_REG_REFERENCE_TSC:
		*val = READ_ONCE(hv->reference_tsc);
		return 0;
	case HVPART_REG_GUEST_CRASH_P0 ... HVPART_REG_GUEST_CRASH_P4:
		*val = hv->crash_param[name - HVPART_REG_GUEST_CRASH_P0];
		return 0;
	case HVPART_REG_GUEST_CRASH_CTL:
		*val = hv->crash_ctl;
		return 0;
	case HVPART_REG_PROCESSOR_CLOCK_FREQUENCY:
		*val = (u64)tsc_khz * 1000;
		return 0;
	case HVPART_REG_INTERRUPT_CLOCK_FREQUENCY:
		*val = HV_APIC_FREQUENCY;
		return 0;
	}
	return -EINVAL;
}

int hv_hyperv_set_reg(struct hv_vp *vp, u32 name, u64 val)
{
	struct hv_hyperv *hv = &vp->pt->hv;
	int ret = 0;

	if (hv_synic_is_reg(name))
		return hv_synic_set_reg(vp, name, val);

	mutex_lock(&hv->lock);
	switch (name) {
	case HVPART_REG_VP_RUNTIME:
		vp->runtime_ns = val * 100;
		break;
	case HVPART_REG_HYPERCALL:
		ret = hv_set_hypercall_msr(vp, val, true);
		break;
	case HVPART_REG_GUEST_OS_ID:
		ret = hv_set_guest_os_id(vp, val);
		break;
	case HVPART_REG_TIME_REF_COUNT:
		hv_reftime_set_now(vp->pt, val);
		break;
	case HVPART_REG_REFERENCE_TSC:
		ret = hv_reftime_set_msr(vp->pt, val);
		break;
	case HVPART_REG_GUEST_CRASH_P0 ... HVPART_REG_GUEST_CRASH_P4:
		hv->crash_param[name - HVPART_REG_GUEST_CRASH_P0] = val;
		break;
	case HVPART_REG_GUEST_CRASH_CTL:
		if (val & ~(HV_CRASH_CTL_CRASH_NOTIFY |
			    HV_CRASH_CTL_CRASH_NOTIFY_MSG))
			ret = -EINVAL;
		else
			hv->crash_ctl = val;
		break;
	default:
		/* VP index and the frequencies are read-only */
		ret = -EINVAL;
	}
	mutex_unlock(&hv->lock);
	return ret;
}
