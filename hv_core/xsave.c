// SPDX-License-Identifier: GPL-2.0
/*
 * XSAVE for guests: the guest's XCR0 is switched around every entry (it
 * is in neither the VMCB nor the VMCS), XSETBV is emulated, and CPUID
 * leaf 0xD describes what the guest may enable.  The guest's register
 * state itself lives in its fpstate, swapped by fpu_swap_kvm_fpstate().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <asm/cpufeature.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "hv_core/hv.h"

/* What a guest may enable: the host's user states, less MPX, AMX, PKRU. */
#define HV_XCR0_ALLOWED	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | \
			 XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512)

static u64 hv_host_xcr0 __ro_after_init;
static u64 hv_guest_xcr0_mask __ro_after_init;

void __init hv_xsave_init(void)
{
	if (!boot_cpu_has(X86_FEATURE_OSXSAVE))
		return;
	hv_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	hv_guest_xcr0_mask = hv_host_xcr0 & HV_XCR0_ALLOWED;
}

bool hv_xsave_offered(void)
{
	return hv_guest_xcr0_mask;
}

/* The XSAVE states a guest may enable (XCR0 bits); 0 without XSAVE. */
u64 hv_xsave_guest_mask(void)
{
	return hv_guest_xcr0_mask;
}

/* Called with interrupts off around vp_run(). */
void hv_xsave_load_guest(struct hv_vp *vp)
{
	if (hv_guest_xcr0_mask && vp->xcr0 != hv_host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vp->xcr0);
}

void hv_xsave_put_guest(struct hv_vp *vp)
{
	if (hv_guest_xcr0_mask && vp->xcr0 != hv_host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, hv_host_xcr0);
}

/* The architectural rules for XCR0, as XSETBV checks them. */
int hv_xsave_set_xcr0(struct hv_vp *vp, u64 xcr0)
{
	u64 avx512 = xcr0 & XFEATURE_MASK_AVX512;

	if (!(xcr0 & XFEATURE_MASK_FP) ||
	    (xcr0 & ~(hv_guest_xcr0_mask | XFEATURE_MASK_FP)))
		return -EINVAL;
	if ((xcr0 & XFEATURE_MASK_YMM) && !(xcr0 & XFEATURE_MASK_SSE))
		return -EINVAL;
	if (avx512 && (avx512 != XFEATURE_MASK_AVX512 ||
		       !(xcr0 & XFEATURE_MASK_YMM)))
		return -EINVAL;
	vp->xcr0 = xcr0;
	return 0;
}

/* XSETBV: ECX = 0 selects XCR0, EDX:EAX the value; #GP on anything else. */
int hv_exit_xsetbv(struct hv_vp *vp)
{
	u64 val = (vp->regs[HV_RDX] << 32) | (u32)vp->regs[HV_RAX];

	if (hv_vp_cpl(vp) || (u32)vp->regs[HV_RCX] ||
	    hv_xsave_set_xcr0(vp, val)) {
		hv_event_queue_exception(vp, X86_TRAP_GP, true, 0);
		return 1;
	}
	hv_vp_advance_rip(vp, vp->exit.insn_len);
	return 1;
}

/* Bytes an XSAVE of @mask needs in the standard format. */
static u32 hv_xsave_size(u64 mask)
{
	u32 size = 512 + 64;	/* legacy area and header */
	int i;

	for (i = 2; i < 64; i++) {
		u32 eax, ebx, ecx, edx;

		if (!(mask & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
		size = max(size, eax + ebx);
	}
	return size;
}

/* Leaf 0xD for a guest whose XCR0 is @xcr0 (the size it needs now). */
void hv_xsave_cpuid(u64 xcr0, u32 subleaf, u32 *eax, u32 *ebx, u32 *ecx,
		    u32 *edx)
{
	u64 mask = hv_guest_xcr0_mask;

	if (!mask) {
		*eax = *ebx = *ecx = *edx = 0;
		return;
	}
	switch (subleaf) {
	case 0:
		*eax = mask;
		*edx = mask >> 32;
		*ebx = hv_xsave_size(xcr0);
		*ecx = hv_xsave_size(mask);
		return;
	case 1:
		/* XSAVEOPT, XSAVEC, XGETBV1; not XSAVES: no IA32_XSS */
		*eax &= 0x7;
		*ebx = hv_xsave_size(xcr0);
		*ecx = *edx = 0;
		return;
	}
	if (subleaf >= 64 || !(mask & BIT_ULL(subleaf)))
		*eax = *ebx = *ecx = *edx = 0;
}
