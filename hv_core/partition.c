// SPDX-License-Identifier: GPL-2.0
/*
 * Partitions: configuration, the VP table, intercept tables and lifetime.
 * A partition lives as long as any fd (its own or a VP's) refers to it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/sched/mm.h>
#include <linux/smp.h>

#include "hv_core/hv.h"
#include "hv_core/tlfs.h"

static atomic64_t hv_partition_ids = ATOMIC64_INIT(0);

struct hv_partition *hv_partition_create(u64 flags)
{
	struct hv_partition *pt;

	pt = kzalloc(sizeof(*pt), GFP_KERNEL_ACCOUNT);
	if (!pt)
		return ERR_PTR(-ENOMEM);

	refcount_set(&pt->refcount, 1);
	pt->id = atomic64_inc_return(&hv_partition_ids);
	mutex_init(&pt->pt_mutex);
	spin_lock_init(&pt->intercept_lock);
	pt->max_vps = HV_MAX_VPS;
	pt->local_apic = flags & HVPART_CREATE_PARTITION_LOCAL_APIC;

	pt->io_read_bitmap = bitmap_zalloc(HV_NR_IO_PORTS, GFP_KERNEL_ACCOUNT);
	pt->io_write_bitmap = bitmap_zalloc(HV_NR_IO_PORTS, GFP_KERNEL_ACCOUNT);
	if (!pt->io_read_bitmap || !pt->io_write_bitmap)
		goto free_bitmaps;
	if (hv_mmu_init(&pt->mmu, hv_vendor.pte_format, current->mm))
		goto free_bitmaps;
	if (hv_hyperv_init(pt))
		goto destroy_mmu;
	hv_port_pt_init(pt);

	mmgrab(current->mm);
	pt->mm = current->mm;
	hv_stats_partition_created(pt);
	return pt;

destroy_mmu:
	hv_mmu_destroy(&pt->mmu);
free_bitmaps:
	bitmap_free(pt->io_write_bitmap);
	bitmap_free(pt->io_read_bitmap);
	kfree(pt);
	return ERR_PTR(-ENOMEM);
}

void hv_partition_get(struct hv_partition *pt)
{
	refcount_inc(&pt->refcount);
}

static void hv_partition_destroy(struct hv_partition *pt)
{
	u32 i;

	hv_stats_partition_destroyed(pt);
	for (i = 0; i < HV_MAX_VPS; i++) {
		if (pt->vps[i])
			hv_vp_destroy(pt->vps[i]);
	}
	hv_port_pt_destroy(pt);
	hv_mmu_destroy(&pt->mmu);
	hv_hyperv_destroy(pt);
	hv_cpuid_free_table(pt);
	bitmap_free(pt->io_write_bitmap);
	bitmap_free(pt->io_read_bitmap);
	mmdrop(pt->mm);
	kfree(pt);
}

void hv_partition_put(struct hv_partition *pt)
{
	if (refcount_dec_and_test(&pt->refcount))
		hv_partition_destroy(pt);
}

int hv_partition_set_property(struct hv_partition *pt, u32 code, u64 value)
{
	lockdep_assert_held(&pt->pt_mutex);

	switch (code) {
	case HVPART_PROP_MAX_VPS:
		if (!value || value > HV_MAX_VPS)
			return -EINVAL;
		if (pt->nr_vps)
			return -EBUSY;
		pt->max_vps = value;
		return 0;
	}
	return hv_hyperv_set_property(pt, code, value);
}

int hv_partition_get_property(struct hv_partition *pt, u32 code, u64 *value)
{
	lockdep_assert_held(&pt->pt_mutex);

	switch (code) {
	case HVPART_PROP_MAX_VPS:
		*value = pt->max_vps;
		return 0;
	}
	return hv_hyperv_get_property(pt, code, value);
}

static void hv_kick_nop(void *unused)
{
}

/*
 * Post @req to the VPs whose index is in @mask and make sure none is
 * still in the guest without having seen it: a VP sets mode before it
 * checks requests, we set the request before we check mode, so one of us
 * sees the other.  One IPI round, sent to every CPU that runs one of
 * those VPs in the guest, forces them out; on_each_cpu_mask() waits for
 * all of them.  Callers may hold mmu_lock (docs/locking.rst): a VP never
 * takes it to leave the guest, and the IPI needs no lock on the far side.
 */
void hv_partition_kick_mask(struct hv_partition *pt, u64 mask, int req)
{
	cpumask_var_t cpus;
	bool batch, any = false;
	u32 i;

	might_sleep();
	/* without a mask, kick each CPU on its own: slower, as correct */
	batch = zalloc_cpumask_var(&cpus, GFP_KERNEL);

	for (i = 0; i < HV_MAX_VPS; i++) {
		struct hv_vp *vp = READ_ONCE(pt->vps[i]);
		int cpu;

		if (!vp || !(mask & BIT_ULL(i)))
			continue;
		set_bit(req, &vp->requests);
		/* order the request before reading mode; pairs with hv_vp_enter() */
		smp_mb__after_atomic();
		if (READ_ONCE(vp->mode) != HV_IN_GUEST_MODE)
			continue;
		cpu = READ_ONCE(vp->cpu);
		if (batch) {
			cpumask_set_cpu(cpu, cpus);
			any = true;
		} else {
			smp_call_function_single(cpu, hv_kick_nop, NULL, 1);
		}
	}
	if (any) {
		/* the caller's own CPU is not in the guest: leave it out */
		preempt_disable();
		cpumask_clear_cpu(smp_processor_id(), cpus);
		on_each_cpu_mask(cpus, hv_kick_nop, NULL, true);
		preempt_enable();
	}
	if (batch)
		free_cpumask_var(cpus);
}

void hv_partition_kick_all(struct hv_partition *pt, int req)
{
	hv_partition_kick_mask(pt, U64_MAX, req);
}

static int hv_intercept_check(const struct hvpart_intercept *icpt)
{
	u32 allowed;

	if (icpt->flags || icpt->rsvd || icpt->first > icpt->last)
		return -EINVAL;

	switch (icpt->type) {
	case HVPART_INTERCEPT_TYPE_X64_IO_PORT:
		if (icpt->last >= HV_NR_IO_PORTS)
			return -EINVAL;
		allowed = HVPART_INTERCEPT_ACCESS_MASK_READ |
			  HVPART_INTERCEPT_ACCESS_MASK_WRITE;
		break;
	case HVPART_INTERCEPT_TYPE_X64_MSR:
		/* the synthetic MSRs belong to the hypervisor */
		if (icpt->first <= 0x400001ff && icpt->last >= 0x40000000)
			return -EINVAL;
		allowed = HVPART_INTERCEPT_ACCESS_MASK_READ |
			  HVPART_INTERCEPT_ACCESS_MASK_WRITE;
		break;
	case HVPART_INTERCEPT_TYPE_X64_CPUID:
		allowed = HVPART_INTERCEPT_ACCESS_MASK_EXECUTE;
		break;
	case HVPART_INTERCEPT_TYPE_HYPERCALL:
		if (icpt->last > HV_HYPERCALL_CODE_MASK)
			return -EINVAL;
		allowed = HVPART_INTERCEPT_ACCESS_MASK_EXECUTE;
		break;
	default:
		return -EINVAL;
	}
	if (!icpt->access_mask || (icpt->access_mask & ~allowed))
		return -EINVAL;
	return 0;
}

static void hv_io_bitmaps_update(struct hv_partition *pt,
				 const struct hvpart_intercept *icpt, bool set)
{
	u32 n = icpt->last - icpt->first + 1;

	if (icpt->access_mask & HVPART_INTERCEPT_ACCESS_MASK_READ) {
		if (set)
			bitmap_set(pt->io_read_bitmap, icpt->first, n);
		else
			bitmap_clear(pt->io_read_bitmap, icpt->first, n);
	}
	if (icpt->access_mask & HVPART_INTERCEPT_ACCESS_MASK_WRITE) {
		if (set)
			bitmap_set(pt->io_write_bitmap, icpt->first, n);
		else
			bitmap_clear(pt->io_write_bitmap, icpt->first, n);
	}
}

static bool hv_io_bitmaps_any(struct hv_partition *pt,
			      const struct hvpart_intercept *icpt)
{
	u32 end = icpt->last + 1;
	bool any = false;

	if (icpt->access_mask & HVPART_INTERCEPT_ACCESS_MASK_READ)
		any |= find_next_bit(pt->io_read_bitmap, end,
				     icpt->first) < end;
	if (icpt->access_mask & HVPART_INTERCEPT_ACCESS_MASK_WRITE)
		any |= find_next_bit(pt->io_write_bitmap, end,
				     icpt->first) < end;
	return any;
}

static void hv_range_table(struct hv_partition *pt, u32 type,
			   struct hv_range_intercept **tab, u32 **nr)
{
	if (type == HVPART_INTERCEPT_TYPE_X64_MSR) {
		*tab = pt->msr_intercepts;
		*nr = &pt->nr_msr_intercepts;
	} else if (type == HVPART_INTERCEPT_TYPE_HYPERCALL) {
		*tab = pt->hcall_intercepts;
		*nr = &pt->nr_hcall_intercepts;
	} else {
		*tab = pt->cpuid_intercepts;
		*nr = &pt->nr_cpuid_intercepts;
	}
}

int hv_partition_install_intercept(struct hv_partition *pt,
				   const struct hvpart_intercept *icpt)
{
	struct hv_range_intercept *tab;
	u32 *nr;
	int ret;

	ret = hv_intercept_check(icpt);
	if (ret)
		return ret;

	spin_lock(&pt->intercept_lock);
	if (icpt->type == HVPART_INTERCEPT_TYPE_X64_IO_PORT) {
		hv_io_bitmaps_update(pt, icpt, true);
	} else {
		hv_range_table(pt, icpt->type, &tab, &nr);
		if (*nr == HV_MAX_RANGE_INTERCEPTS) {
			ret = -ENOSPC;
		} else {
			tab[*nr] = (struct hv_range_intercept) {
				.first = icpt->first, .last = icpt->last,
				.access_mask = icpt->access_mask,
			};
			(*nr)++;
		}
	}
	spin_unlock(&pt->intercept_lock);
	return ret;
}

int hv_partition_remove_intercept(struct hv_partition *pt,
				  const struct hvpart_intercept *icpt)
{
	struct hv_range_intercept *tab;
	u32 *nr, i;
	int ret;

	ret = hv_intercept_check(icpt);
	if (ret)
		return ret;

	ret = -ENOENT;
	spin_lock(&pt->intercept_lock);
	if (icpt->type == HVPART_INTERCEPT_TYPE_X64_IO_PORT) {
		if (hv_io_bitmaps_any(pt, icpt)) {
			hv_io_bitmaps_update(pt, icpt, false);
			ret = 0;
		}
	} else {
		hv_range_table(pt, icpt->type, &tab, &nr);
		for (i = 0; i < *nr; i++) {
			if (tab[i].first == icpt->first &&
			    tab[i].last == icpt->last &&
			    tab[i].access_mask == icpt->access_mask) {
				tab[i] = tab[--(*nr)];
				ret = 0;
				break;
			}
		}
	}
	spin_unlock(&pt->intercept_lock);
	return ret;
}

bool hv_partition_io_intercepted(struct hv_partition *pt, u16 port, u8 size,
				 bool in)
{
	unsigned long *map = in ? pt->io_read_bitmap : pt->io_write_bitmap;
	u32 end = min_t(u32, (u32)port + size, HV_NR_IO_PORTS);

	/* bitmap reads need no lock: a racing update may go either way */
	return find_next_bit(map, end, port) < end;
}

/* Does a CPUID or MSR intercept (@type) of the root cover @value? */
bool hv_partition_range_intercepted(struct hv_partition *pt, u32 type,
				    u32 value, u32 access)
{
	struct hv_range_intercept *tab;
	bool hit = false;
	u32 *nr, i;

	hv_range_table(pt, type, &tab, &nr);
	/* a racing install may go either way; the table is read locked */
	if (!data_race(*nr))
		return false;
	spin_lock(&pt->intercept_lock);
	for (i = 0; i < *nr && !hit; i++)
		hit = value >= tab[i].first && value <= tab[i].last &&
		      (tab[i].access_mask & access);
	spin_unlock(&pt->intercept_lock);
	return hit;
}
