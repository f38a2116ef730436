// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID as a child partition sees it: the host's leaves, less what hvpart
 * does not virtualize, plus the hypervisor leaves.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
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

void hv_cpuid(struct hv_vp *vp, u32 leaf, u32 subleaf, u32 *eax, u32 *ebx,
	      u32 *ecx, u32 *edx)
{
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
