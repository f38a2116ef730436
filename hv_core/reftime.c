// SPDX-License-Identifier: GPL-2.0
/*
 * Partition reference time: HV_X64_MSR_TIME_REF_COUNT (100 ns units
 * since the partition was created) and the reference TSC page, from which
 * a guest computes the same count as ((TSC * scale) >> 64) + offset.
 *
 * When the host's own clock reads the TSC and Linux has never marked it
 * unstable (KVM's rule for its master clock, and so for its TSC page:
 * the clocksource watchdog, the TSC sync check at CPU bring-up and the
 * cpufreq and deep-idle checks stand behind it), the reference count is
 * derived from the TSC itself, so the page and the MSR agree exactly and
 * a VP may move between CPUs at will.  Otherwise the count comes from
 * the kernel's monotonic clock and the page says so with TscSequence 0:
 * "use the MSR instead".  The choice is made when the partition is
 * created.  The page is
 * also invalid while VPs disagree about the TSC (the root or the guest
 * set different offsets): one page cannot be right for all of them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/math64.h>
#include <linux/pvclock_gtod.h>
#include <linux/timekeeper_internal.h>
#include <linux/timekeeping.h>
#include <asm/cpufeature.h>
#include <asm/tsc.h>

#include "hv_core/hv.h"
#include "hv_core/tlfs.h"

#define HV_REF_HZ	10000000ULL	/* 100 ns units */

/* Whether the host's timekeeping reads the TSC, as KVM learns it. */
static bool hv_host_clock_tsc;

static int hv_reftime_gtod_notify(struct notifier_block *nb,
				  unsigned long was_set, void *priv)
{
	struct timekeeper *tk = priv;

	WRITE_ONCE(hv_host_clock_tsc,
		   tk->tkr_mono.clock->vdso_clock_mode == VDSO_CLOCKMODE_TSC);
	return 0;
}

static struct notifier_block hv_reftime_gtod_nb = {
	.notifier_call = hv_reftime_gtod_notify,
};

/* At module load: registering calls the notifier once at once. */
int hv_reftime_module_init(void)
{
	return pvclock_gtod_register_notifier(&hv_reftime_gtod_nb);
}

void hv_reftime_module_exit(void)
{
	pvclock_gtod_unregister_notifier(&hv_reftime_gtod_nb);
}

static bool hv_host_tsc_reliable(void)
{
	return tsc_khz && !check_tsc_unstable() && READ_ONCE(hv_host_clock_tsc);
}

/* (@tsc * scale) >> 64 with a signed @tsc, as the guest's formula has it */
static s64 hv_tsc_to_ref(s64 tsc, u64 scale)
{
	return tsc < 0 ? -(s64)mul_u64_u64_shr(-tsc, scale, 64) :
			 (s64)mul_u64_u64_shr(tsc, scale, 64);
}

void hv_reftime_init(struct hv_partition *pt)
{
	struct hv_hyperv *hv = &pt->hv;

	hv->ref_tsc_ok = hv_host_tsc_reliable();
	if (hv->ref_tsc_ok) {
		/* 10^7 * 2^64 / tsc_hz */
		hv->ref_scale = mul_u64_u64_div_u64(HV_REF_HZ << 32, 1ULL << 32,
						    (u64)tsc_khz * 1000);
		hv->ref_offset = -hv_tsc_to_ref(rdtsc(), hv->ref_scale);
	} else {
		hv->ref_base_ns = ktime_get_ns();
	}
}

u64 hv_reftime_now(struct hv_partition *pt)
{
	struct hv_hyperv *hv = &pt->hv;

	if (hv->ref_tsc_ok)
		return hv_tsc_to_ref(rdtsc(), hv->ref_scale) +
		       READ_ONCE(hv->ref_offset);
	return div_u64(ktime_get_ns() - hv->ref_base_ns, 100) +
	       READ_ONCE(hv->ref_offset);
}

/* The root restores a count: time goes on from @val. */
void hv_reftime_set_now(struct hv_partition *pt, u64 val)
{
	struct hv_hyperv *hv = &pt->hv;

	lockdep_assert_held(&hv->lock);
	WRITE_ONCE(hv->ref_offset, hv->ref_offset + (val - hv_reftime_now(pt)));
	hv_reftime_update_page(pt);
}

/* Do all VPs see the same TSC?  Then *@offset is its offset. */
static bool hv_uniform_tsc(struct hv_partition *pt, s64 *offset)
{
	bool first = true;
	u32 i;

	for (i = 0; i < HV_MAX_VPS; i++) {
		struct hv_vp *vp = READ_ONCE(pt->vps[i]);
		s64 o;

		if (!vp)
			continue;
		o = READ_ONCE(vp->tsc_offset);
		if (!first && o != *offset)
			return false;
		*offset = o;
		first = false;
	}
	if (first)
		*offset = 0;
	return true;
}

/* Rewrite the reference TSC page, seqlock-style, as the guest reads it. */
void hv_reftime_update_page(struct hv_partition *pt)
{
	struct hv_hyperv *hv = &pt->hv;
	struct hv_reference_tsc_page *page;
	s64 tsc_offset;
	u32 seq = 0;

	lockdep_assert_held(&hv->lock);

	if (!(hv->reference_tsc & HV_X64_MSR_TSC_REFERENCE_ENABLE))
		return;

	page = kmap_local_page(hv->tsc_ov.page);
	WRITE_ONCE(page->tsc_sequence, 0);
	smp_wmb();	/* invalid before the values change; pairs with guest */
	if (hv->ref_tsc_ok && hv_uniform_tsc(pt, &tsc_offset)) {
		page->tsc_scale = hv->ref_scale;
		page->tsc_offset = hv->ref_offset -
				   hv_tsc_to_ref(tsc_offset, hv->ref_scale);
		/* 0 means invalid, and 0xffffffff too to older guests */
		seq = hv->tsc_seq + 1;
		if (seq == 0xffffffff)
			seq = 1;
		hv->tsc_seq = seq;
	}
	smp_wmb();	/* values before the sequence; pairs with the guest */
	WRITE_ONCE(page->tsc_sequence, seq);
	kunmap_local(page);
}

void hv_reftime_tsc_changed(struct hv_partition *pt)
{
	mutex_lock(&pt->hv.lock);
	hv_reftime_update_page(pt);
	mutex_unlock(&pt->hv.lock);
}

/*
 * HV_X64_MSR_REFERENCE_TSC: enable bit, RsvdP 11:1, the page's GPFN.  A
 * GPFN beyond the GPA space is no error: the TLFS says the page is then
 * "not accessible to the guest", so the MSR keeps the value and no page
 * appears.
 */
int hv_reftime_set_msr(struct hv_partition *pt, u64 data)
{
	struct hv_hyperv *hv = &pt->hv;
	u64 limit = 1ULL << hv_mmu_max_gpa_bits();
	bool on = (data & HV_X64_MSR_TSC_REFERENCE_ENABLE) &&
		  (data & PAGE_MASK) < limit;
	int ret;

	lockdep_assert_held(&hv->lock);

	ret = hv_mmu_overlay_set(pt, &hv->tsc_ov, on, data >> PAGE_SHIFT);
	if (ret)
		return ret;
	hv->reference_tsc = (data & ~HV_X64_MSR_TSC_REFERENCE_RSVDP) |
			    (hv->reference_tsc & HV_X64_MSR_TSC_REFERENCE_RSVDP);
	hv_reftime_update_page(pt);
	return 0;
}
