// SPDX-License-Identifier: GPL-2.0
/*
 * GPA space of a partition: pinned ranges of the root's memory, and the
 * second-level page tables that map them.  One four-level walker serves
 * NPT and EPT; struct hv_pte_format says which bits each vendor wants.
 *
 * Tables are populated when a range is mapped, so a nested page fault
 * only ever means "not mapped" or "not allowed": both go to the root.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/highmem.h>
#include <linux/lockdep.h>
#include <asm/processor.h>

#include "hv_core/hv.h"

#define HV_PTE_ADDR_MASK	GENMASK_ULL(51, 12)
#define HV_PT_ENTRIES		512

u32 hv_mmu_max_gpa_bits(void)
{
	/* four-level tables reach 48 bits */
	return min_t(u32, boot_cpu_data.x86_phys_bits, 48);
}

int hv_mmu_init(struct hv_mmu *mmu, const struct hv_pte_format *fmt)
{
	mutex_init(&mmu->lock);
	mmu->fmt = fmt;
	mmu->root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!mmu->root)
		return -ENOMEM;
	mmu->root_pa = __pa(mmu->root);
	return 0;
}

static void hv_mmu_free_table(struct hv_mmu *mmu, u64 *table, int level)
{
	int i;

	if (level > 0) {
		for (i = 0; i < HV_PT_ENTRIES; i++) {
			if (table[i])
				hv_mmu_free_table(mmu,
						  __va(table[i] & HV_PTE_ADDR_MASK),
						  level - 1);
		}
	}
	free_page((unsigned long)table);
}

static void hv_mmu_release(struct hv_gpa_mapping *map)
{
	unpin_user_pages(map->pages, map->npages);
	kvfree(map->pages);
	map->pages = NULL;
}

void hv_mmu_destroy(struct hv_mmu *mmu)
{
	u32 i;

	for (i = 0; i < mmu->nr_maps; i++)
		hv_mmu_release(&mmu->maps[i]);
	mmu->nr_maps = 0;
	if (mmu->root)
		hv_mmu_free_table(mmu, mmu->root, HV_PT_LEVELS - 1);
	mmu->root = NULL;
}

/* Find (and with @alloc, build) the leaf entry that maps @gfn. */
static u64 *hv_mmu_walk(struct hv_mmu *mmu, u64 gfn, bool alloc)
{
	u64 *table = mmu->root;
	int level;

	lockdep_assert_held(&mmu->lock);

	for (level = HV_PT_LEVELS - 1; level > 0; level--) {
		u64 *entry = &table[(gfn >> (9 * level)) & (HV_PT_ENTRIES - 1)];

		if (!*entry) {
			u64 *next;

			if (!alloc)
				return NULL;
			next = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
			if (!next)
				return ERR_PTR(-ENOMEM);
			mmu->nr_tables++;
			WRITE_ONCE(*entry, __pa(next) | mmu->fmt->table);
		}
		table = __va(*entry & HV_PTE_ADDR_MASK);
	}
	return &table[gfn & (HV_PT_ENTRIES - 1)];
}

static u64 hv_mmu_make_leaf(const struct hv_pte_format *fmt, struct page *page,
			    u32 access)
{
	u64 pte = ((u64)page_to_pfn(page) << PAGE_SHIFT) | fmt->leaf | fmt->read;

	if (access & HVPART_MAP_WRITABLE)
		pte |= fmt->write;
	if (access & HVPART_MAP_EXECUTABLE)
		pte |= fmt->exec;
	else
		pte |= fmt->noexec;
	return pte;
}

static void hv_mmu_clear(struct hv_mmu *mmu, u64 gfn, u64 npages)
{
	u64 i;

	for (i = 0; i < npages; i++) {
		u64 *pte = hv_mmu_walk(mmu, gfn + i, false);

		if (pte)
			WRITE_ONCE(*pte, 0);
	}
}

static int hv_mmu_check_access(u32 access)
{
	u32 exec = access & HVPART_MAP_EXECUTABLE;

	if (access & ~HVPART_MAP_FLAGS_MASK)
		return -EINVAL;
	if (!(access & HVPART_MAP_READABLE))
		return -EINVAL;
	/* NPT and EPT without MBEC cannot tell kernel from user execute */
	if (exec && exec != HVPART_MAP_EXECUTABLE)
		return -EINVAL;
	return 0;
}

static bool hv_mmu_overlaps(struct hv_mmu *mmu, u64 gfn, u64 npages)
{
	u32 i;

	for (i = 0; i < mmu->nr_maps; i++) {
		struct hv_gpa_mapping *m = &mmu->maps[i];

		if (gfn < m->gfn + m->npages && m->gfn < gfn + npages)
			return true;
	}
	return false;
}

static int hv_mmu_pin(struct hv_gpa_mapping *map)
{
	unsigned int gup = FOLL_LONGTERM;
	long pinned;

	if (map->access & HVPART_MAP_WRITABLE)
		gup |= FOLL_WRITE;
	map->pages = kvmalloc_array(map->npages, sizeof(*map->pages),
				    GFP_KERNEL_ACCOUNT);
	if (!map->pages)
		return -ENOMEM;
	pinned = pin_user_pages_fast(map->uaddr, map->npages, gup, map->pages);
	if (pinned == map->npages)
		return 0;
	if (pinned > 0)
		unpin_user_pages(map->pages, pinned);
	kvfree(map->pages);
	map->pages = NULL;
	return pinned < 0 ? pinned : -EFAULT;
}

int hv_mmu_map(struct hv_partition *pt, u64 gfn, u64 size,
	       unsigned long uaddr, u32 access)
{
	struct hv_mmu *mmu = &pt->mmu;
	struct hv_gpa_mapping map;
	u64 npages = size >> PAGE_SHIFT;
	u64 limit = 1ULL << (hv_mmu_max_gpa_bits() - PAGE_SHIFT);
	u64 i;
	int ret;

	if (!size || !PAGE_ALIGNED(size) || !PAGE_ALIGNED(uaddr))
		return -EINVAL;
	if (gfn >= limit || npages > limit - gfn)
		return -EINVAL;
	ret = hv_mmu_check_access(access);
	if (ret)
		return ret;

	map = (struct hv_gpa_mapping) {
		.gfn = gfn, .npages = npages, .access = access, .uaddr = uaddr,
	};

	ret = mutex_lock_killable(&mmu->lock);
	if (ret)
		return ret;
	if (hv_mmu_overlaps(mmu, gfn, npages)) {
		ret = -EEXIST;
		goto unlock;
	}
	if (mmu->nr_maps == HV_MAX_MAPPINGS) {
		ret = -ENOSPC;
		goto unlock;
	}
	ret = hv_mmu_pin(&map);
	if (ret)
		goto unlock;

	for (i = 0; i < npages; i++) {
		u64 *pte = hv_mmu_walk(mmu, gfn + i, true);

		if (IS_ERR(pte)) {
			ret = PTR_ERR(pte);
			goto clear;
		}
		WRITE_ONCE(*pte, hv_mmu_make_leaf(mmu->fmt, map.pages[i],
						  access));
	}
	mmu->maps[mmu->nr_maps++] = map;
	mutex_unlock(&mmu->lock);
	return 0;

clear:
	/* nothing ran on the new entries: they were never reachable */
	hv_mmu_clear(mmu, gfn, i);
	hv_mmu_release(&map);
unlock:
	mutex_unlock(&mmu->lock);
	return ret;
}

int hv_mmu_unmap(struct hv_partition *pt, u64 gfn, u64 size)
{
	struct hv_mmu *mmu = &pt->mmu;
	struct hv_gpa_mapping map;
	u32 i;
	int ret;

	if (!size || !PAGE_ALIGNED(size))
		return -EINVAL;

	ret = mutex_lock_killable(&mmu->lock);
	if (ret)
		return ret;
	for (i = 0; i < mmu->nr_maps; i++) {
		if (mmu->maps[i].gfn == gfn &&
		    mmu->maps[i].npages == size >> PAGE_SHIFT)
			break;
	}
	if (i == mmu->nr_maps) {
		ret = -ENOENT;
		goto unlock;
	}
	map = mmu->maps[i];
	mmu->maps[i] = mmu->maps[--mmu->nr_maps];

	hv_mmu_clear(mmu, map.gfn, map.npages);
	/* No VP may use a stale translation once the pages are unpinned. */
	hv_partition_kick_all(pt, HV_REQ_TLB_FLUSH);
	hv_mmu_release(&map);
unlock:
	mutex_unlock(&mmu->lock);
	return ret;
}

static struct hv_gpa_mapping *hv_mmu_find(struct hv_mmu *mmu, u64 gfn)
{
	u32 i;

	lockdep_assert_held(&mmu->lock);

	for (i = 0; i < mmu->nr_maps; i++) {
		struct hv_gpa_mapping *m = &mmu->maps[i];

		if (gfn >= m->gfn && gfn < m->gfn + m->npages)
			return m;
	}
	return NULL;
}

/* Is @gpa mapped, and with which rights?  For classifying faults. */
bool hv_mmu_gpa_access(struct hv_mmu *mmu, u64 gpa, u32 *access)
{
	struct hv_gpa_mapping *m;

	mutex_lock(&mmu->lock);
	m = hv_mmu_find(mmu, gpa >> PAGE_SHIFT);
	if (m)
		*access = m->access;
	mutex_unlock(&mmu->lock);
	return m;
}

/* Read guest memory through the pinned pages; fails on unmapped GPAs. */
int hv_mmu_read_gpa(struct hv_mmu *mmu, u64 gpa, void *buf, size_t len)
{
	int ret = 0;

	mutex_lock(&mmu->lock);
	while (len) {
		struct hv_gpa_mapping *m = hv_mmu_find(mmu, gpa >> PAGE_SHIFT);
		size_t off = offset_in_page(gpa);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		void *va;

		if (!m) {
			ret = -EFAULT;
			break;
		}
		va = kmap_local_page(m->pages[(gpa >> PAGE_SHIFT) - m->gfn]);
		memcpy(buf, va + off, n);
		kunmap_local(va);
		buf += n;
		gpa += n;
		len -= n;
	}
	mutex_unlock(&mmu->lock);
	return ret;
}
