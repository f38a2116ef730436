// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID as a child partition sees it: the root's own table where it set
 * one (HVPART_SET_CPUID), the hypervisor leaves, and otherwise only what
 * hvpart supports, built up leaf by leaf from the host's values.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/fpu/types.h>

#include "hv_core/hv.h"

/*
 * What hvpart virtualizes, leaf by leaf: a guest sees a feature only if
 * the host has it and its bit is in these masks (as KVM builds
 * KVM_GET_SUPPORTED_CPUID up from what it supports).  Not offered: the
 * PMU and its MSRs (PDCM, leaf 0xA, PERFCTR_CORE), MTRRs and machine
 * check architecture MSRs, SPEC_CTRL / ARCH_CAPABILITIES and the rest of
 * the speculation-control bits, MONITOR/MWAIT, VMX/SVM, x2APIC and the
 * TSC deadline timer (but in LOCAL_APIC partitions, whose VPs have
 * both: hv_cpuid() adds them), PKU, WAITPKG, INVPCID,
 * RDPID/RDTSCP (TSC_AUX is not switched), TSX, UMIP, LA57, topology.
 */
#define HV_CPUID1_ECX	(BIT(0) | BIT(1) | BIT(9) | BIT(13) | \
			 BIT(17) | BIT(19) | BIT(20) | BIT(22) | BIT(23) | \
			 BIT(25) | BIT(30))
#define HV_CPUID1_ECX_XSAVE	BIT(26)
#define HV_CPUID1_ECX_OSXSAVE	BIT(27)
#define HV_CPUID1_ECX_AVX	(BIT(28) | BIT(12) | BIT(29))	/* AVX, FMA, F16C */
#define HV_CPUID1_ECX_HYPERVISOR	BIT(31)
#define HV_CPUID1_ECX_X2APIC	BIT(21)
#define HV_CPUID1_ECX_TSC_DEADLINE	BIT(24)
#define HV_CPUID1_EDX_APIC	BIT(9)
/*
 * FPU VME DE PSE TSC MSR PAE MCE CX8 APIC SEP PGE CMOV PAT PSE36 CLFSH
 * MMX FXSR SSE SSE2
 */
#define HV_CPUID1_EDX	(GENMASK(9, 0) | BIT(11) | BIT(13) | BIT(15) | \
			 BIT(16) | BIT(17) | BIT(19) | BIT(23) | BIT(24) | \
			 BIT(25) | BIT(26))
/*
 * Leaf 7.0 EBX: FSGSBASE BMI1 SMEP BMI2 ERMS RDSEED ADX SMAP CLFLUSHOPT
 * CLWB SHA; AVX2 with YMM; the AVX-512 bits with its states.
 */
#define HV_CPUID7_EBX	(BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) | \
			 BIT(18) | BIT(19) | BIT(20) | BIT(23) | BIT(24) | \
			 BIT(29))
#define HV_CPUID7_EBX_AVX2	BIT(5)
#define HV_CPUID7_EBX_AVX512	(BIT(16) | BIT(17) | BIT(21) | BIT(26) | \
				 BIT(27) | BIT(28) | BIT(30) | BIT(31))
/* ECX: GFNI VAES VPCLMULQDQ MOVDIRI MOVDIR64B; AVX-512 extensions */
#define HV_CPUID7_ECX	(BIT(8) | BIT(9) | BIT(10) | BIT(27) | BIT(28))
#define HV_CPUID7_ECX_AVX512	(BIT(1) | BIT(6) | BIT(11) | BIT(12) | \
				 BIT(14))
/* EDX: FSRM, MD_CLEAR (VERW clears buffers: the guest may rely on it) */
#define HV_CPUID7_EDX	(BIT(4) | BIT(10))
/* 0x80000001 ECX: LAHF ABM SSE4A MISALIGNSSE 3DNOWPREFETCH XOP FMA4 TBM */
#define HV_CPUIDX1_ECX	(BIT(0) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | \
			 BIT(11) | BIT(16) | BIT(21))
/*
 * EDX: leaf 1's bits 0-17 as AMD mirrors them, SYSCALL NX MMXEXT
 * FXSR_OPT PDPE1GB LM 3DNOWEXT 3DNOW.
 */
#define HV_CPUIDX1_EDX	((HV_CPUID1_EDX & GENMASK(17, 0)) | BIT(11) | \
			 BIT(20) | BIT(22) | BIT(23) | BIT(24) | BIT(25) | \
			 BIT(26) | BIT(29) | BIT(30) | BIT(31))
/* 0x80000007 EDX: invariant TSC */
#define HV_CPUIDX7_EDX	BIT(8)
/* 0x80000008 EBX: CLZERO, XSAVEERPTR */
#define HV_CPUIDX8_EBX	(BIT(0) | BIT(2))

#define HV_CPUID_MAX_BASIC	0xd
#define HV_CPUID_MAX_EXT	0x80000008

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

static void hv_cpuid_clear(u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	*eax = *ebx = *ecx = *edx = 0;
}

static void hv_cpuid_basic(u32 leaf, u32 subleaf, u64 xcr0, u32 *eax,
			   u32 *ebx, u32 *ecx, u32 *edx)
{
	u64 states = hv_xsave_guest_mask();

	cpuid_count(leaf, subleaf, eax, ebx, ecx, edx);
	switch (leaf) {
	case 0:
		*eax = min_t(u32, *eax, HV_CPUID_MAX_BASIC);
		break;
	case 1:
		/* one logical processor a package; the APIC ID is per VP */
		*ebx &= 0xffff;
		*ebx |= 1 << 16;
		*ecx &= HV_CPUID1_ECX | HV_CPUID1_ECX_AVX;
		if (!(states & XFEATURE_MASK_YMM))
			*ecx &= ~HV_CPUID1_ECX_AVX;
		if (states)
			*ecx |= HV_CPUID1_ECX_XSAVE;
		*ecx |= HV_CPUID1_ECX_HYPERVISOR;
		*edx &= HV_CPUID1_EDX;
		break;
	case 2:
		break;
	case 4:
		/* caches as the host has them, shared by no other core */
		*eax &= ~(GENMASK(31, 26) | GENMASK(25, 14));
		break;
	case 7:
		if (subleaf) {
			hv_cpuid_clear(eax, ebx, ecx, edx);
			break;
		}
		*eax = 0;
		*ebx &= HV_CPUID7_EBX |
			((states & XFEATURE_MASK_YMM) ? HV_CPUID7_EBX_AVX2 : 0) |
			((states & XFEATURE_MASK_AVX512) == XFEATURE_MASK_AVX512 ?
			 HV_CPUID7_EBX_AVX512 : 0);
		*ecx &= HV_CPUID7_ECX |
			((states & XFEATURE_MASK_AVX512) == XFEATURE_MASK_AVX512 ?
			 HV_CPUID7_ECX_AVX512 : 0);
		*edx &= HV_CPUID7_EDX;
		break;
	case 0xd:
		hv_xsave_cpuid(xcr0, subleaf, eax, ebx, ecx, edx);
		break;
	default:
		hv_cpuid_clear(eax, ebx, ecx, edx);
		break;
	}
}

static void hv_cpuid_ext(u32 leaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	cpuid(leaf, eax, ebx, ecx, edx);
	switch (leaf) {
	case 0x80000000:
		*eax = min_t(u32, *eax, HV_CPUID_MAX_EXT);
		break;
	case 0x80000001:
		*ecx &= HV_CPUIDX1_ECX;
		*edx &= HV_CPUIDX1_EDX;
		break;
	case 0x80000002 ... 0x80000006:
		break;			/* brand string, caches */
	case 0x80000007:
		*eax = *ebx = *ecx = 0;
		*edx &= HV_CPUIDX7_EDX;
		break;
	case 0x80000008:
		*ebx &= HV_CPUIDX8_EBX;
		*ecx = *edx = 0;	/* one core */
		break;
	default:
		hv_cpuid_clear(eax, ebx, ecx, edx);
		break;
	}
}

/* The highest leaf of @leaf's range (basic or extended) hvpart offers. */
static u32 hv_cpuid_max(u32 leaf)
{
	u32 eax, ebx, ecx, edx;

	if (leaf >= 0x80000000) {
		hv_cpuid_ext(0x80000000, &eax, &ebx, &ecx, &edx);
		return eax < 0x80000000 ? 0x80000000 : eax;
	}
	hv_cpuid_basic(0, 0, 0, &eax, &ebx, &ecx, &edx);
	return eax;
}

/*
 * A leaf as hvpart supports it, for a guest with @xcr0 enabled (for the
 * XSAVE area size).  Leaves it does not offer read as zero.
 */
static void hv_cpuid_supported(u32 leaf, u32 subleaf, u64 xcr0, u32 *eax,
			       u32 *ebx, u32 *ecx, u32 *edx)
{
	bool ext = leaf >= 0x80000000;

	if ((leaf >= 0x40000000 && leaf < 0x80000000) ||
	    leaf > hv_cpuid_max(leaf)) {
		hv_cpuid_clear(eax, ebx, ecx, edx);
		return;
	}
	if (ext)
		hv_cpuid_ext(leaf, eax, ebx, ecx, edx);
	else
		hv_cpuid_basic(leaf, subleaf, xcr0, eax, ebx, ecx, edx);
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

	hv_cpuid_supported(leaf, subleaf, vp->xcr0, eax, ebx, ecx, edx);
	if (leaf == 1) {
		/* initial APIC ID is the VP index */
		*ebx |= vp->index << 24;
		/* OSXSAVE mirrors the guest's own CR4 */
		if ((*ecx & HV_CPUID1_ECX_XSAVE) &&
		    (hv_vp_read_reg64(vp, HVPART_REG_CR4) & X86_CR4_OSXSAVE))
			*ecx |= HV_CPUID1_ECX_OSXSAVE;
		if (vp->pt->local_apic)
			*ecx |= HV_CPUID1_ECX_X2APIC |
				HV_CPUID1_ECX_TSC_DEADLINE;
		/* a globally disabled APIC is absent */
		if (vp->pt->local_apic && !hv_lapic_enabled(vp))
			*edx &= ~HV_CPUID1_EDX_APIC;
	}
}

/* Append a leaf unless it is all zero: 1 added, 0 empty, or -E2BIG. */
static int hv_cpuid_add(struct hvpart_cpuid_entry *e, u32 *n, u32 max,
			u32 leaf, u32 subleaf, u32 flags)
{
	struct hvpart_cpuid_entry x = {
		.function = leaf, .index = subleaf, .flags = flags,
	};

	hv_cpuid_supported(leaf, subleaf, XFEATURE_MASK_FP | XFEATURE_MASK_SSE,
			   &x.eax, &x.ebx, &x.ecx, &x.edx);
	if (!(x.eax | x.ebx | x.ecx | x.edx))
		return 0;
	if (*n == max)
		return -E2BIG;
	e[(*n)++] = x;
	return 1;
}

/*
 * HVPART_GET_SUPPORTED_CPUID: every leaf hvpart offers, as a child sees
 * it by default (before HVPART_SET_CPUID, with XCR0 at its reset value;
 * the APIC ID and OSXSAVE are per VP).  Returns the number of entries,
 * or -E2BIG if @max is too small.
 */
int hv_cpuid_get_supported(struct hvpart_cpuid_entry *e, u32 max)
{
	const u32 idx = HVPART_CPUID_FLAG_SIGNIFICANT_INDEX;
	u32 leaf, sub, n = 0, last;
	int ret = 0;

	last = hv_cpuid_max(0);
	for (leaf = 0; leaf <= last && ret >= 0; leaf++) {
		switch (leaf) {
		case 4:
			/* until the first subleaf of cache type 0 */
			for (sub = 0; sub < 8; sub++) {
				ret = hv_cpuid_add(e, &n, max, leaf, sub, idx);
				if (ret <= 0)
					break;
			}
			break;
		case 7:
			ret = hv_cpuid_add(e, &n, max, leaf, 0, idx);
			break;
		case 0xd:
			for (sub = 0; sub < 64 && ret >= 0; sub++)
				ret = hv_cpuid_add(e, &n, max, leaf, sub, idx);
			break;
		default:
			ret = hv_cpuid_add(e, &n, max, leaf, 0, 0);
			break;
		}
	}
	last = hv_cpuid_max(0x80000000);
	for (leaf = 0x80000000; leaf <= last && ret >= 0; leaf++)
		ret = hv_cpuid_add(e, &n, max, leaf, 0, 0);
	return ret < 0 ? ret : n;
}
