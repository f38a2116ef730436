// SPDX-License-Identifier: GPL-2.0
/*
 * Architectural MSRs that hvpart emulates for a child partition.  Most
 * map onto a TLFS register the vendor keeps; the rest raise #GP (the
 * caller injects it when these return an error).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "hv_core/hv.h"

static const struct {
	u32 msr;
	u32 reg;
} hv_msr_regs[] = {
	{ MSR_IA32_TSC,			HVPART_REG_TSC },
	{ MSR_EFER,			HVPART_REG_EFER },
	{ MSR_KERNEL_GS_BASE,		HVPART_REG_KERNEL_GS_BASE },
	{ MSR_IA32_CR_PAT,		HVPART_REG_PAT },
	{ MSR_IA32_SYSENTER_CS,		HVPART_REG_SYSENTER_CS },
	{ MSR_IA32_SYSENTER_ESP,	HVPART_REG_SYSENTER_ESP },
	{ MSR_IA32_SYSENTER_EIP,	HVPART_REG_SYSENTER_EIP },
	{ MSR_STAR,			HVPART_REG_STAR },
	{ MSR_LSTAR,			HVPART_REG_LSTAR },
	{ MSR_CSTAR,			HVPART_REG_CSTAR },
	{ MSR_SYSCALL_MASK,		HVPART_REG_SFMASK },
	{ MSR_TSC_AUX,			HVPART_REG_TSC_AUX },
	{ MSR_IA32_APICBASE,		HVPART_REG_APIC_BASE },
};

static u32 hv_msr_to_reg(u32 msr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hv_msr_regs); i++) {
		if (hv_msr_regs[i].msr == msr)
			return hv_msr_regs[i].reg;
	}
	return 0;
}

/*
 * IA32_MISC_ENABLE, read-only: fast strings on (Linux otherwise turns off
 * REP_GOOD and ERMS), no branch trace or PEBS store (there is no PMU),
 * and none of the bits that would make a guest fix things up: MWAIT
 * (MONITOR is not offered), the CPUID limit, XD disable.  Linux on Intel
 * reads it in startup_64 before it has an IDT, where a #GP is a triple
 * fault.
 */
#define HV_MISC_ENABLE	(MSR_IA32_MISC_ENABLE_FAST_STRING | \
			 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL | \
			 MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL)

/*
 * The microcode revision (Intel's IA32_BIOS_SIGN_ID, in EDX; AMD's patch
 * level, in EAX): revision 1 on Intel and patch level 0 on AMD, KVM's
 * default, for the root updates no microcode on a child's behalf.
 * Writes are ignored: Intel's way to read the revision writes 0 first.
 */
#define HV_UCODE_REV	BIT_ULL(32)

/* FS and GS base are the segment registers' bases. */
static u32 hv_msr_to_segment(u32 msr)
{
	if (msr == MSR_FS_BASE)
		return HVPART_REG_FS;
	if (msr == MSR_GS_BASE)
		return HVPART_REG_GS;
	return 0;
}

/* The local APIC's MSRs: x2APIC registers and the TSC deadline. */
static bool hv_msr_is_lapic(struct hv_vp *vp, u32 msr)
{
	return vp->pt->local_apic &&
	       ((msr >= 0x800 && msr <= 0x8ff) || msr == MSR_IA32_TSC_DEADLINE);
}

int hv_msr_read(struct hv_vp *vp, u32 msr, u64 *data)
{
	union hvpart_register_value val;
	u32 reg = hv_msr_to_reg(msr);
	int ret;

	if (hv_msr_is_lapic(vp, msr))
		return hv_lapic_msr_read(vp, msr, data);
	if (reg) {
		ret = hv_vp_get_reg(vp, reg, &val);
		*data = val.reg64;
		return ret;
	}
	reg = hv_msr_to_segment(msr);
	if (reg) {
		ret = hv_vp_get_reg(vp, reg, &val);
		*data = val.segment.base;
		return ret;
	}
	/*
	 * AMD's interrupt pending message register: Linux reads it without
	 * a fixup on family 0xf to look for C1E.  Zero, as in KVM: no C1E.
	 */
	switch (msr) {
	case MSR_K8_INT_PENDING_MSG:
		*data = 0;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*data = HV_MISC_ENABLE;
		return 0;
	case MSR_IA32_UCODE_REV:
		*data = HV_UCODE_REV;
		return 0;
	}
	return -EINVAL;
}

/* EFER.LME may not change while paging is on; LMA is the CPU's. */
static int hv_msr_check_efer(struct hv_vp *vp, u64 data)
{
	u64 old = hv_vp_read_reg64(vp, HVPART_REG_EFER);

	if ((hv_vp_read_reg64(vp, HVPART_REG_CR0) & X86_CR0_PG) &&
	    ((old ^ data) & EFER_LME))
		return -EINVAL;
	if ((old ^ data) & EFER_LMA)
		return -EINVAL;
	return 0;
}

/* IA32_PAT: eight memory types, each 0, 1 or 4-7 (2, 3, 8+ reserved) */
bool hv_msr_pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = pat >> (8 * i);

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

/*
 * Values on which WRMSR raises #GP.  Stored, they would make the next VM
 * entry fail (VMX checks the guest's PAT and these addresses), leaving a
 * VP that can never run again.
 */
static int hv_msr_check(struct hv_vp *vp, u32 msr, u64 data)
{
	switch (msr) {
	case MSR_EFER:
		return hv_msr_check_efer(vp, data);
	case MSR_IA32_CR_PAT:
		return hv_msr_pat_valid(data) ? 0 : -EINVAL;
	case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR:
	case MSR_CSTAR:
		return __is_canonical_address(data, 48) ? 0 : -EINVAL;
	}
	return 0;
}

int hv_msr_write(struct hv_vp *vp, u32 msr, u64 data)
{
	union hvpart_register_value val = { .reg64 = data };
	u32 reg = hv_msr_to_reg(msr);
	int ret;

	if (hv_msr_is_lapic(vp, msr))
		return hv_lapic_msr_write(vp, msr, data);
	if (msr == MSR_IA32_APICBASE)
		return hv_lapic_set_base(vp, data, false);
	if (msr == MSR_IA32_UCODE_REV)
		return 0;
	/* read-only: rewriting its value is all a guest may do */
	if (msr == MSR_IA32_MISC_ENABLE)
		return data == HV_MISC_ENABLE ? 0 : -EINVAL;
	ret = hv_msr_check(vp, msr, data);
	if (ret)
		return ret;
	/*
	 * Intel raises #GP on a non-canonical SYSENTER_ESP/EIP, AMD ignores
	 * bits 63:32; canonical is what both can enter with (as KVM does).
	 */
	if (msr == MSR_IA32_SYSENTER_ESP || msr == MSR_IA32_SYSENTER_EIP)
		val.reg64 = (u64)((s64)data << 16 >> 16);
	if (reg)
		return hv_vp_set_reg(vp, reg, &val);
	reg = hv_msr_to_segment(msr);
	if (!reg || !__is_canonical_address(data, 48))
		return -EINVAL;
	ret = hv_vp_get_reg(vp, reg, &val);
	if (ret)
		return ret;
	val.segment.base = data;
	return hv_vp_set_reg(vp, reg, &val);
}
