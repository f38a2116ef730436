/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_mmu: a partition's GPA space.  Ranges of the root's user memory are
 * pinned and mapped into second-level tables (NPT or EPT) built by one
 * walker; the vendor only supplies the entry format.
 */
#ifndef HV_MMU_MMU_H
#define HV_MMU_MMU_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>

#define HV_MAX_MAPPINGS		64

/*
 * The most pages one mapping may pin: 512 GiB.  Its page array must stay
 * below INT_MAX bytes (kvmalloc's limit), and pin_user_pages_fast() takes
 * an int count.  KVM bounds a memslot in the same spirit.
 */
#define HV_MMU_MAX_MAP_PAGES	BIT_ULL(27)

struct hv_partition;
struct hv_vp;
struct page;
struct mm_struct;

/* Bits a vendor sets in its second-level entries.  NOTE: hvpart helper. */
struct hv_pte_format {
	u64 table;		/* every non-leaf entry */
	u64 leaf;		/* every leaf entry (memory type, user, A/D) */
	u64 read;		/* leaf: readable; also what makes it present */
	u64 write;		/* leaf: writable */
	u64 exec;		/* leaf: set when executable */
	u64 noexec;		/* leaf: set when not executable */
	/*
	 * The tables have as many levels as the host's own paging (NPT: the
	 * walk follows the host's CR4.LA57), not always four (EPT: the
	 * EPTP says how many).
	 */
	bool host_levels;
};

struct hv_gpa_mapping {
	u64 gfn;
	u64 npages;
	u32 access;		/* HVPART_MAP_* */
	unsigned long uaddr;
	struct page **pages;
};

/*
 * A hypervisor page that covers whatever is mapped at @gfn, as the TLFS
 * overlays do (hypercall page, reference TSC page): the guest may read
 * and execute it, a write raises #GP.  A @writable overlay (the SynIC's
 * SIM and SIEF pages) behaves like RAM instead.  Its owner keeps the
 * page.
 */
struct hv_overlay {
	struct list_head node;
	struct page *page;
	u64 gfn;
	bool active;
	bool writable;		/* set by the owner before the first use */
};

struct hv_mmu {
	/* mmu_lock: the mappings and the tables; after pt_mutex, vp_mutex */
	struct mutex lock;
	const struct hv_pte_format *fmt;
	struct mm_struct *mm;	/* pinned pages are charged to it */
	u64 *root;
	phys_addr_t root_pa;
	int levels;		/* 4 or 5 */
	unsigned long nr_tables;
	struct list_head overlays;
	u32 nr_maps;
	struct hv_gpa_mapping maps[HV_MAX_MAPPINGS];
};

int hv_mmu_init(struct hv_mmu *mmu, const struct hv_pte_format *fmt,
		struct mm_struct *mm);
void hv_mmu_destroy(struct hv_mmu *mmu);
u32 hv_mmu_max_gpa_bits(void);
int hv_mmu_map(struct hv_partition *pt, u64 gfn, u64 size,
	       unsigned long uaddr, u32 access);
int hv_mmu_unmap(struct hv_partition *pt, u64 gfn, u64 size);
int hv_mmu_levels(const struct hv_pte_format *fmt);
bool hv_mmu_gpa_access(struct hv_mmu *mmu, u64 gpa, u32 *access);
int hv_mmu_read_gpa(struct hv_mmu *mmu, u64 gpa, void *buf, size_t len);
int hv_mmu_write_gpa(struct hv_mmu *mmu, u64 gpa, const void *buf, size_t len);
int hv_mmu_overlay_set(struct hv_partition *pt, struct hv_overlay *ov,
		       bool enable, u64 gfn);
bool hv_mmu_overlay_at(struct hv_mmu *mmu, u64 gfn);
struct page *hv_mmu_get_guest_page(struct hv_mmu *mmu, u64 gfn);
int hv_mmu_translate_gva(struct hv_vp *vp, u64 gva, u32 flags, u32 *result,
			 u64 *gpa);

#endif /* HV_MMU_MMU_H */
