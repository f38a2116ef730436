// SPDX-License-Identifier: GPL-2.0
/*
 * GPA space of a partition: pinned ranges of the root's memory, and the
 * second-level page tables that map them.  One four-level walker serves
 * NPT and EPT; struct hv_pte_format says which bits each vendor wants.
 * The walker has four or five levels: NPT follows the host's paging, so
 * on a host with 5-level paging (LA57) its tables have five.
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

int hv_mmu_levels(const struct hv_pte_format *fmt)
{
	return fmt->host_levels && pgtable_l5_enabled() ? 5 : 4;
}

u32 hv_mmu_max_gpa_bits(void)
{
	/* four-level tables reach 48 bits, five 57 (the CPU allows 52) */
	u32 bits = hv_mmu_levels(hv_vendor.pte_format) == 5 ? 52 : 48;

	return min_t(u32, boot_cpu_data.x86_phys_bits, bits);
}

int hv_mmu_init(struct hv_mmu *mmu, const struct hv_pte_format *fmt,
		struct mm_struct *mm)
{
	mutex_init(&mmu->lock);
	mmu->mm = mm;
	INIT_LIST_HEAD(&mmu->overlays);
	mmu->fmt = fmt;
	mmu->levels = hv_mmu_levels(fmt);
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

static void hv_mmu_release(struct hv_mmu *mmu, struct hv_gpa_mapping *map)
{
	unpin_user_pages(map->pages, map->npages);
	account_locked_vm(mmu->mm, map->npages, false);
	kvfree(map->pages);
	map->pages = NULL;
}

void hv_mmu_destroy(struct hv_mmu *mmu)
{
	u32 i;

	for (i = 0; i < mmu->nr_maps; i++)
		hv_mmu_release(mmu, &mmu->maps[i]);
	mmu->nr_maps = 0;
	if (mmu->root)
		hv_mmu_free_table(mmu, mmu->root, mmu->levels - 1);
	mmu->root = NULL;
}

/* Find (and with @alloc, build) the leaf entry that maps @gfn. */
static u64 *hv_mmu_walk(struct hv_mmu *mmu, u64 gfn, bool alloc)
{
	u64 *table = mmu->root;
	int level;

	lockdep_assert_held(&mmu->lock);

	for (level = mmu->levels - 1; level > 0; level--) {
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

/* What the guest may do with an overlay page. */
static u32 hv_mmu_overlay_access(const struct hv_overlay *ov)
{
	return HVPART_MAP_READABLE | HVPART_MAP_EXECUTABLE |
	       (ov->writable ? HVPART_MAP_WRITABLE : 0);
}

static struct hv_overlay *hv_mmu_find_overlay(struct hv_mmu *mmu, u64 gfn)
{
	struct hv_overlay *ov;

	lockdep_assert_held(&mmu->lock);

	list_for_each_entry(ov, &mmu->overlays, node) {
		if (ov->active && ov->gfn == gfn)
			return ov;
	}
	return NULL;
}

/* Clear the leaves of a range; overlays stay where they are. */
static void hv_mmu_clear(struct hv_mmu *mmu, u64 gfn, u64 npages)
{
	u64 i;

	for (i = 0; i < npages; i++) {
		u64 *pte;

		if (hv_mmu_find_overlay(mmu, gfn + i))
			continue;
		pte = hv_mmu_walk(mmu, gfn + i, false);
		if (pte)
			WRITE_ONCE(*pte, 0);
	}
}

/*
 * The one way a translation goes away or changes: after the tables are
 * updated (@npages leaves from @gfn cleared here, or none where the
 * caller rewrote entries itself), every VP of the partition drops what
 * its TLB may hold before it next enters the guest, and none is still in
 * the guest when this returns.  Only then may a page be unpinned.
 */
static void hv_mmu_zap(struct hv_partition *pt, u64 gfn, u64 npages)
{
	lockdep_assert_held(&pt->mmu.lock);

	if (npages)
		hv_mmu_clear(&pt->mmu, gfn, npages);
	hv_partition_kick_all(pt, HV_REQ_TLB_FLUSH);
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

/*
 * Pin a range for as long as it is mapped, charged to the creator's
 * locked memory (RLIMIT_MEMLOCK unless CAP_IPC_LOCK; VmLck in
 * /proc/PID/status), as VFIO does for the memory a device may reach.
 */
static int hv_mmu_pin(struct hv_mmu *mmu, struct hv_gpa_mapping *map)
{
	unsigned int gup = FOLL_LONGTERM;
	long pinned;
	int ret;

	if (map->access & HVPART_MAP_WRITABLE)
		gup |= FOLL_WRITE;
	/* more pages than there is RAM never pin: allocate nothing for them */
	if (map->npages > totalram_pages())
		return -ENOMEM;
	/* the limit first: nothing is allocated for memory we may not lock */
	ret = account_locked_vm(mmu->mm, map->npages, true);
	if (ret)
		return ret;
	map->pages = kvmalloc_array(map->npages, sizeof(*map->pages),
				    GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!map->pages) {
		ret = -ENOMEM;
		goto uncharge;
	}
	pinned = pin_user_pages_fast(map->uaddr, map->npages, gup, map->pages);
	if (pinned == map->npages)
		return 0;
	if (pinned > 0)
		unpin_user_pages(map->pages, pinned);
	ret = pinned < 0 ? pinned : -EFAULT;
	kvfree(map->pages);
	map->pages = NULL;
uncharge:
	account_locked_vm(mmu->mm, map->npages, false);
	return ret;
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
	if (npages > HV_MMU_MAX_MAP_PAGES)
		return -E2BIG;
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
	ret = hv_mmu_pin(mmu, &map);
	if (ret)
		goto unlock;

	for (i = 0; i < npages; i++) {
		u64 *pte = hv_mmu_walk(mmu, gfn + i, true);

		if (IS_ERR(pte)) {
			ret = PTR_ERR(pte);
			goto clear;
		}
		if (hv_mmu_find_overlay(mmu, gfn + i))
			continue;
		WRITE_ONCE(*pte, hv_mmu_make_leaf(mmu->fmt, map.pages[i],
						  access));
	}
	mmu->maps[mmu->nr_maps++] = map;
	mutex_unlock(&mmu->lock);
	return 0;

clear:
	/* a running VP may already have used the entries written so far */
	hv_mmu_zap(pt, gfn, i);
	hv_mmu_release(mmu, &map);
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

	hv_mmu_zap(pt, map.gfn, map.npages);
	hv_mmu_release(mmu, &map);
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
	struct hv_overlay *ov;
	bool found = true;

	mutex_lock(&mmu->lock);
	m = hv_mmu_find(mmu, gpa >> PAGE_SHIFT);
	ov = hv_mmu_find_overlay(mmu, gpa >> PAGE_SHIFT);
	if (ov)
		*access = hv_mmu_overlay_access(ov);
	else if (m)
		*access = m->access;
	else
		found = false;
	mutex_unlock(&mmu->lock);
	return found;
}

bool hv_mmu_overlay_at(struct hv_mmu *mmu, u64 gfn)
{
	bool ret;

	mutex_lock(&mmu->lock);
	ret = hv_mmu_find_overlay(mmu, gfn);
	mutex_unlock(&mmu->lock);
	return ret;
}

/* The leaf @gfn should have now: an overlay, a mapping, or nothing. */
static int hv_mmu_refresh(struct hv_mmu *mmu, u64 gfn)
{
	struct hv_overlay *ov = hv_mmu_find_overlay(mmu, gfn);
	struct hv_gpa_mapping *m = hv_mmu_find(mmu, gfn);
	u64 *pte = hv_mmu_walk(mmu, gfn, !!ov);

	if (IS_ERR(pte))
		return PTR_ERR(pte);
	if (ov)
		WRITE_ONCE(*pte, hv_mmu_make_leaf(mmu->fmt, ov->page,
						  hv_mmu_overlay_access(ov)));
	else if (m)
		WRITE_ONCE(*pte, hv_mmu_make_leaf(mmu->fmt,
						  m->pages[gfn - m->gfn],
						  m->access));
	else if (pte)
		WRITE_ONCE(*pte, 0);
	return 0;
}

/*
 * Move, place or remove an overlay.  An overlay covers one page of GPA
 * space whether or not RAM is mapped there; what it covered comes back
 * when it moves away.
 */
int hv_mmu_overlay_set(struct hv_partition *pt, struct hv_overlay *ov,
		       bool enable, u64 gfn)
{
	struct hv_mmu *mmu = &pt->mmu;
	u64 limit = 1ULL << (hv_mmu_max_gpa_bits() - PAGE_SHIFT);
	int ret = 0;

	if (enable && gfn >= limit)
		return -EINVAL;

	mutex_lock(&mmu->lock);
	if (ov->active && (!enable || ov->gfn != gfn)) {
		ov->active = false;
		list_del(&ov->node);
		ret = hv_mmu_refresh(mmu, ov->gfn);
	}
	if (!ret && enable && !ov->active) {
		if (hv_mmu_find_overlay(mmu, gfn)) {
			ret = -EBUSY;
		} else {
			ov->gfn = gfn;
			ov->active = true;
			list_add(&ov->node, &mmu->overlays);
			ret = hv_mmu_refresh(mmu, gfn);
			if (ret) {
				ov->active = false;
				list_del(&ov->node);
			}
		}
	}
	/* the entries of both places were rewritten by hv_mmu_refresh() */
	hv_mmu_zap(pt, 0, 0);
	mutex_unlock(&mmu->lock);
	return ret;
}

/*
 * The page the guest sees at @gfn, for an access with @access rights
 * (HVPART_MAP_*); NULL if there is none or the rights forbid it.
 */
static struct page *hv_mmu_guest_page(struct hv_mmu *mmu, u64 gfn, u32 access)
{
	struct hv_overlay *ov = hv_mmu_find_overlay(mmu, gfn);
	struct hv_gpa_mapping *m;

	if (ov)
		return access & ~hv_mmu_overlay_access(ov) ? NULL : ov->page;
	m = hv_mmu_find(mmu, gfn);
	if (!m || (access & ~m->access))
		return NULL;
	return m->pages[gfn - m->gfn];
}

/*
 * A reference on the RAM page at @gfn that the guest may write, for
 * hypervisor state kept in guest memory (the VP assist page); NULL if
 * there is none.  The caller put_page()s it.
 */
struct page *hv_mmu_get_guest_page(struct hv_mmu *mmu, u64 gfn)
{
	struct page *page;

	mutex_lock(&mmu->lock);
	page = hv_mmu_find_overlay(mmu, gfn) ? NULL :
	       hv_mmu_guest_page(mmu, gfn, HVPART_MAP_WRITABLE);
	if (page)
		get_page(page);
	mutex_unlock(&mmu->lock);
	return page;
}

/* Copy between guest memory (as the guest sees it) and @buf. */
static int hv_mmu_copy(struct hv_mmu *mmu, u64 gpa, void *buf, size_t len,
		       bool write)
{
	u32 access = write ? HVPART_MAP_WRITABLE : HVPART_MAP_READABLE;
	int ret = 0;

	mutex_lock(&mmu->lock);
	while (len) {
		struct page *page = hv_mmu_guest_page(mmu, gpa >> PAGE_SHIFT,
						      access);
		size_t off = offset_in_page(gpa);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		void *va;

		if (!page) {
			ret = -EFAULT;
			break;
		}
		va = kmap_local_page(page);
		if (write) {
			memcpy(va + off, buf, n);
			set_page_dirty_lock(page);
		} else {
			memcpy(buf, va + off, n);
		}
		kunmap_local(va);
		buf += n;
		gpa += n;
		len -= n;
	}
	mutex_unlock(&mmu->lock);
	return ret;
}

/* Read guest memory through the pinned pages; fails on unmapped GPAs. */
int hv_mmu_read_gpa(struct hv_mmu *mmu, u64 gpa, void *buf, size_t len)
{
	return hv_mmu_copy(mmu, gpa, buf, len, false);
}

/* Write guest memory; fails unless the GPA is RAM the guest may write. */
int hv_mmu_write_gpa(struct hv_mmu *mmu, u64 gpa, const void *buf, size_t len)
{
	return hv_mmu_copy(mmu, gpa, (void *)buf, len, true);
}
