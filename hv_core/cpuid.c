// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID as a child partition sees it: the host's leaves, less what hvpart
 * does not virtualize, plus the hypervisor leaves.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include "hv_core/hv.h"

/* CPUID.1:ECX */
#define HV_CPUID1_ECX_MONITOR	BIT(3)
#define HV_CPUID1_ECX_VMX	BIT(5)
#define HV_CPUID1_ECX_X2APIC	BIT(21)
#define HV_CPUID1_ECX_XSAVE	BIT(26)
#define HV_CPUID1_ECX_OSXSAVE	BIT(27)
#define HV_CPUID1_ECX_HYPERVISOR	BIT(31)
/* CPUID.7.0:ECX */
#define HV_CPUID7_ECX_PKU	BIT(3)
#define HV_CPUID7_ECX_OSPKE	BIT(4)
#define HV_CPUID7_ECX_RDPID	BIT(22)
/* CPUID.80000001h:ECX, EDX */
#define HV_CPUIDX1_ECX_SVM	BIT(2)
#define HV_CPUIDX1_EDX_RDTSCP	BIT(27)

static bool hv_cpuid_same_leaf(const struct hvpart_cpuid_entry *a,
			       const struct hvpart_cpuid_entry *b)
{
	if (a->function != b->function)
		return false;
	/* a leaf with and without significant index would be ambiguous */
	return !(a->flags & b->flags & HVPART_CPUID_FLAG_SIGNIFICANT_INDEX) ||
	       a->index == b->index;
}

/* HVPART_SET_CPUID: validate, then publish the new table. */
int hv_cpuid_set_table(struct hv_partition *pt,
		       const struct hvpart_cpuid_entry *e, u32 nent)
{
	struct hv_cpuid_table *table = NULL, *old;
	u32 i, j;

	lockdep_assert_held(&pt->pt_mutex);

	for (i = 0; i < nent; i++) {
		if ((e[i].flags & ~HVPART_CPUID_FLAGS_MASK) || e[i].rsvd ||
		    (e[i].function & 0xffffff00) == 0x40000000)
			return -EINVAL;
		for (j = 0; j < i; j++) {
			if (hv_cpuid_same_leaf(&e[i], &e[j]))
				return -EINVAL;
		}
	}
	if (nent) {
		table = kmalloc(struct_size(table, e, nent), GFP_KERNEL_ACCOUNT);
		if (!table)
			return -ENOMEM;
		table->nent = nent;
		memcpy(table->e, e, nent * sizeof(*e));
	}
	old = rcu_replace_pointer(pt->cpuid, table,
				  lockdep_is_held(&pt->pt_mutex));
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

void hv_cpuid_free_table(struct hv_partition *pt)
{
	kfree(rcu_dereference_protected(pt->cpuid, true));
}

/* The root's entry for this leaf, if it set one. */
static bool hv_cpuid_lookup(struct hv_vp *vp, u32 leaf, u32 subleaf,
			    u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	struct hv_cpuid_table *table;
	bool found = false;
	u32 i;

	rcu_read_lock();
	table = rcu_dereference(vp->pt->cpuid);
	for (i = 0; table && i < table->nent && !found; i++) {
		const struct hvpart_cpuid_entry *e = &table->e[i];

		if (e->function != leaf ||
		    ((e->flags & HVPART_CPUID_FLAG_SIGNIFICANT_INDEX) &&
		     e->index != subleaf))
			continue;
		*eax = e->eax;
		*ebx = e->ebx;
		*ecx = e->ecx;
		*edx = e->edx;
		found = true;
	}
	rcu_read_unlock();
	return found;
}

void hv_cpuid(struct hv_vp *vp, u32 leaf, u32 subleaf, u32 *eax, u32 *ebx,
	      u32 *ecx, u32 *edx)
{
	if (hv_cpuid_lookup(vp, leaf, subleaf, eax, ebx, ecx, edx))
		return;

	if ((leaf & 0xffffff00) == 0x40000000) {
		hv_hyperv_cpuid(vp, leaf, eax, ebx, ecx, edx);
		return;
	}

	cpuid_count(leaf, subleaf, eax, ebx, ecx, edx);
	switch (leaf) {
	case 1:
		*ecx &= ~(HV_CPUID1_ECX_MONITOR | HV_CPUID1_ECX_VMX |
			  HV_CPUID1_ECX_X2APIC | HV_CPUID1_ECX_OSXSAVE);
		*ecx |= HV_CPUID1_ECX_HYPERVISOR;
		if (!hv_xsave_offered())
			*ecx &= ~HV_CPUID1_ECX_XSAVE;
		/* OSXSAVE mirrors the guest's own CR4 */
		else if (hv_vp_read_reg64(vp, HVPART_REG_CR4) & X86_CR4_OSXSAVE)
			*ecx |= HV_CPUID1_ECX_OSXSAVE;
		/* initial APIC ID is the VP index; one logical CPU a package */
		*ebx = (*ebx & 0x0000ffff) | (vp->index << 24) | (1 << 16);
		break;
	case 0xd:
		hv_xsave_cpuid(vp, subleaf, eax, ebx, ecx, edx);
		break;
	case 0x8000000a:	/* SVM is not offered */
		*eax = *ebx = *ecx = *edx = 0;
		break;
	case 7:
		/* PKRU is not switched; RDPID would read the host's TSC_AUX */
		if (subleaf == 0)
			*ecx &= ~(HV_CPUID7_ECX_PKU | HV_CPUID7_ECX_OSPKE |
				  HV_CPUID7_ECX_RDPID);
		break;
	case 0x80000001:
		/* RDTSCP raises #UD: TSC_AUX is not switched either */
		*ecx &= ~HV_CPUIDX1_ECX_SVM;
		*edx &= ~HV_CPUIDX1_EDX_RDTSCP;
		break;
	}
}
