// SPDX-License-Identifier: GPL-2.0
/*
 * GVA -> GPA translation through the guest's own page tables, with the
 * VP's current paging mode, as HvCallTranslateVirtualAddress does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>

#include "hv_core/hv.h"

#define GPTE_P		BIT_ULL(0)
#define GPTE_RW		BIT_ULL(1)
#define GPTE_US		BIT_ULL(2)
#define GPTE_PS		BIT_ULL(7)
#define GPTE_NX		BIT_ULL(63)
#define GPTE_ADDR	GENMASK_ULL(51, 12)

struct hv_gva_walk {
	u32 flags;
	bool user;		/* the access is a user-mode access */
	bool wp;		/* CR0.WP */
	bool nxe;		/* EFER.NXE */
};

/* Check one level's rights; returns an HVPART_TRANSLATE_GVA_* code. */
static u32 hv_gva_check(const struct hv_gva_walk *w, u64 pte)
{
	if (!(pte & GPTE_P))
		return HVPART_TRANSLATE_GVA_PAGE_NOT_PRESENT;
	if ((pte & GPTE_NX) && !w->nxe)
		return HVPART_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS;
	if (w->user && !(pte & GPTE_US))
		return HVPART_TRANSLATE_GVA_PRIVILEGE_VIOLATION;
	if ((w->flags & HVPART_TRANSLATE_GVA_VALIDATE_WRITE) &&
	    !(pte & GPTE_RW) && (w->user || w->wp))
		return HVPART_TRANSLATE_GVA_PRIVILEGE_VIOLATION;
	if ((w->flags & HVPART_TRANSLATE_GVA_VALIDATE_EXECUTE) &&
	    (pte & GPTE_NX))
		return HVPART_TRANSLATE_GVA_PRIVILEGE_VIOLATION;
	return HVPART_TRANSLATE_GVA_SUCCESS;
}

static int hv_gva_read_pte(struct hv_mmu *mmu, u64 gpa, bool wide, u64 *pte)
{
	u32 pte32;

	if (wide)
		return hv_mmu_read_gpa(mmu, gpa, pte, sizeof(*pte));
	if (hv_mmu_read_gpa(mmu, gpa, &pte32, sizeof(pte32)))
		return -EFAULT;
	*pte = pte32;
	return 0;
}

/*
 * Walk @levels levels starting at @table.  @wide: 8-byte entries.
 * 32-bit non-PAE paging has 10-bit indices; the others have 9.
 */
static u32 hv_gva_walk(struct hv_vp *vp, const struct hv_gva_walk *w,
		       u64 table, u64 gva, int levels, bool wide, bool pse,
		       u64 *gpa)
{
	int bits = wide ? 9 : 10;
	int level;

	for (level = levels; level > 0; level--) {
		int shift = PAGE_SHIFT + bits * (level - 1);
		u64 idx = (gva >> shift) & ((1ULL << bits) - 1);
		u64 pte;
		u32 ret;

		if (hv_gva_read_pte(&vp->pt->mmu,
				    table + idx * (wide ? 8 : 4), wide, &pte))
			return HVPART_TRANSLATE_GVA_GPA_UNMAPPED;
		ret = hv_gva_check(w, pte);
		if (ret)
			return ret;
		if (level > 1 && (pte & GPTE_PS) && (wide || pse)) {
			u64 mask = (1ULL << shift) - 1;

			if (!wide)	/* 4 MiB page: bits 13-20 are 32-39 */
				pte |= (pte & GENMASK_ULL(20, 13)) << 19;
			*gpa = ((pte & GPTE_ADDR) & ~mask) | (gva & mask);
			return HVPART_TRANSLATE_GVA_SUCCESS;
		}
		table = pte & (wide ? GPTE_ADDR : GENMASK_ULL(31, 12));
	}
	*gpa = table | (gva & ~PAGE_MASK);
	return HVPART_TRANSLATE_GVA_SUCCESS;
}

int hv_mmu_translate_gva(struct hv_vp *vp, u64 gva, u32 flags, u32 *result,
			 u64 *gpa)
{
	u64 cr0 = hv_vp_read_reg64(vp, HVPART_REG_CR0);
	u64 cr3 = hv_vp_read_reg64(vp, HVPART_REG_CR3);
	u64 cr4 = hv_vp_read_reg64(vp, HVPART_REG_CR4);
	u64 efer = hv_vp_read_reg64(vp, HVPART_REG_EFER);
	struct hv_gva_walk w = {
		.flags = flags,
		.user = !(flags & HVPART_TRANSLATE_GVA_PRIVILEGE_EXEMPT) &&
			hv_vp_cpl(vp) == 3,
		.wp = cr0 & X86_CR0_WP,
		.nxe = efer & EFER_NX,
	};
	u32 access;
	u32 ret;

	if (flags & ~HVPART_TRANSLATE_GVA_FLAGS_MASK)
		return -EINVAL;

	if (!(cr0 & X86_CR0_PG)) {
		*gpa = gva & 0xffffffffULL;
		ret = HVPART_TRANSLATE_GVA_SUCCESS;
	} else if (efer & EFER_LMA) {
		ret = hv_gva_walk(vp, &w, cr3 & GPTE_ADDR, gva, 4, true, true,
				  gpa);
	} else if (cr4 & X86_CR4_PAE) {
		u64 pdpte;

		gva &= 0xffffffffULL;
		if (hv_mmu_read_gpa(&vp->pt->mmu,
				    (cr3 & GENMASK_ULL(31, 5)) + (gva >> 30) * 8,
				    &pdpte, sizeof(pdpte)))
			ret = HVPART_TRANSLATE_GVA_GPA_UNMAPPED;
		else if (!(pdpte & GPTE_P))
			ret = HVPART_TRANSLATE_GVA_PAGE_NOT_PRESENT;
		else
			ret = hv_gva_walk(vp, &w, pdpte & GPTE_ADDR, gva, 2,
					  true, true, gpa);
	} else {
		ret = hv_gva_walk(vp, &w, cr3 & GENMASK_ULL(31, 12),
				  gva & 0xffffffffULL, 2, false,
				  cr4 & X86_CR4_PSE, gpa);
	}

	if (ret == HVPART_TRANSLATE_GVA_SUCCESS &&
	    !hv_mmu_gpa_access(&vp->pt->mmu, *gpa, &access))
		ret = HVPART_TRANSLATE_GVA_GPA_UNMAPPED;
	*result = ret;
	return 0;
}
