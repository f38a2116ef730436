// SPDX-License-Identifier: GPL-2.0
/*
 * TLFS register names <-> VMCB state.  hv_core owns the GPRs, RIP and
 * RFLAGS; everything the VMCB or the backend holds is here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <asm/msr.h>
#include <asm/processor-flags.h>

#include "hv_svm/svm.h"

/* EFER bits a guest may set (SCE, LME, LMA, NXE, FFXSR) */
#define SVM_GUEST_EFER_MASK	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX | \
				 EFER_FFXSR)

/* TLFS attributes keep bits 12-15 where the descriptor has them. */
static u16 svm_attr_to_hv(u16 attrib)
{
	return (attrib & 0xff) | ((attrib & 0xf00) << 4);
}

static u16 svm_attr_from_hv(u16 attr)
{
	return (attr & 0xff) | ((attr >> 4) & 0xf00);
}

static struct vmcb_seg *svm_seg(struct vmcb *vmcb, u32 name)
{
	switch (name) {
	case HVPART_REG_ES:	return &vmcb->save.es;
	case HVPART_REG_CS:	return &vmcb->save.cs;
	case HVPART_REG_SS:	return &vmcb->save.ss;
	case HVPART_REG_DS:	return &vmcb->save.ds;
	case HVPART_REG_FS:	return &vmcb->save.fs;
	case HVPART_REG_GS:	return &vmcb->save.gs;
	case HVPART_REG_LDTR:	return &vmcb->save.ldtr;
	case HVPART_REG_TR:	return &vmcb->save.tr;
	case HVPART_REG_IDTR:	return &vmcb->save.idtr;
	case HVPART_REG_GDTR:	return &vmcb->save.gdtr;
	}
	return NULL;
}

/* The 64-bit VMCB fields that map one to one onto a TLFS register. */
static u64 *svm_reg64(struct vmcb *vmcb, u32 name)
{
	switch (name) {
	case HVPART_REG_CR2:		return &vmcb->save.cr2;
	case HVPART_REG_CR3:		return &vmcb->save.cr3;
	case HVPART_REG_DR6:		return &vmcb->save.dr6;
	case HVPART_REG_DR7:		return &vmcb->save.dr7;
	case HVPART_REG_KERNEL_GS_BASE:	return &vmcb->save.kernel_gs_base;
	case HVPART_REG_PAT:		return &vmcb->save.g_pat;
	case HVPART_REG_SYSENTER_CS:	return &vmcb->save.sysenter_cs;
	case HVPART_REG_SYSENTER_EIP:	return &vmcb->save.sysenter_eip;
	case HVPART_REG_SYSENTER_ESP:	return &vmcb->save.sysenter_esp;
	case HVPART_REG_STAR:		return &vmcb->save.star;
	case HVPART_REG_LSTAR:		return &vmcb->save.lstar;
	case HVPART_REG_CSTAR:		return &vmcb->save.cstar;
	case HVPART_REG_SFMASK:		return &vmcb->save.sfmask;
	}
	return NULL;
}

static int svm_get_seg(struct vmcb *vmcb, u32 name,
		       union hvpart_register_value *val)
{
	struct vmcb_seg *seg = svm_seg(vmcb, name);

	if (!seg)
		return -EINVAL;
	if (name == HVPART_REG_IDTR || name == HVPART_REG_GDTR) {
		val->table.limit = seg->limit;
		val->table.base = seg->base;
	} else {
		val->segment.base = seg->base;
		val->segment.limit = seg->limit;
		val->segment.selector = seg->selector;
		val->segment.attributes = svm_attr_to_hv(seg->attrib);
	}
	return 0;
}

static int svm_set_seg(struct svm_vp *svm, u32 name,
		       const union hvpart_register_value *val)
{
	struct vmcb *vmcb = svm->vmcb;
	struct vmcb_seg *seg = svm_seg(vmcb, name);

	if (!seg)
		return -EINVAL;
	if (name == HVPART_REG_IDTR || name == HVPART_REG_GDTR) {
		if (val->table.pad[0] || val->table.pad[1] || val->table.pad[2])
			return -EINVAL;
		seg->limit = val->table.limit;
		seg->base = val->table.base;
		return 0;
	}
	if (val->segment.attributes & 0x0f00)
		return -EINVAL;
	seg->base = val->segment.base;
	seg->limit = val->segment.limit;
	seg->selector = val->segment.selector;
	seg->attrib = svm_attr_from_hv(val->segment.attributes);
	/* the CPL is SS.DPL, as on VMX */
	if (name == HVPART_REG_SS)
		vmcb->save.cpl = (val->segment.attributes >> 5) & 3;
	return 0;
}

int svm_get_reg(struct hv_vp *vp, u32 name, union hvpart_register_value *val)
{
	struct svm_vp *svm = to_svm_vp(vp);
	struct vmcb *vmcb = svm->vmcb;
	u64 *field = svm_reg64(vmcb, name);

	if (field) {
		val->reg64 = *field;
		return 0;
	}

	switch (name) {
	case HVPART_REG_CR0:
		val->reg64 = vmcb->save.cr0;
		return 0;
	case HVPART_REG_CR4:
		val->reg64 = vmcb->save.cr4;
		return 0;
	case HVPART_REG_CR8:
		val->reg64 = vmcb->control.int_ctl & V_TPR_MASK;
		return 0;
	case HVPART_REG_EFER:
		val->reg64 = vmcb->save.efer & ~EFER_SVME;
		return 0;
	case HVPART_REG_DR0 ... HVPART_REG_DR3:
		val->reg64 = svm->db[name - HVPART_REG_DR0];
		return 0;
	case HVPART_REG_TSC_AUX:
		val->reg64 = svm->tsc_aux;
		return 0;
	case HVPART_REG_INTERRUPT_STATE:
		/* bit 0 interrupt shadow, bit 1 NMI masked */
		val->reg64 = (vmcb->control.int_state &
			      SVM_INTERRUPT_SHADOW_MASK) |
			     (svm->nmi_masked ? 2 : 0);
		return 0;
	}
	return svm_get_seg(vmcb, name, val);
}

static int svm_set_cr0(struct vmcb *vmcb, u64 cr0)
{
	if (cr0 >> 32)
		return -EINVAL;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return -EINVAL;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return -EINVAL;
	vmcb->save.cr0 = cr0;
	return 0;
}

int svm_set_reg(struct hv_vp *vp, u32 name,
		const union hvpart_register_value *val)
{
	struct svm_vp *svm = to_svm_vp(vp);
	struct vmcb *vmcb = svm->vmcb;
	u64 *field = svm_reg64(vmcb, name);
	u64 v = val->reg64;

	if (svm_seg(vmcb, name))
		return svm_set_seg(svm, name, val);
	if (val->reg128[1])
		return -EINVAL;
	if (field) {
		if ((name == HVPART_REG_DR6 || name == HVPART_REG_DR7) &&
		    v >> 32)
			return -EINVAL;
		if (name == HVPART_REG_DR7)
			svm_dr_make_live(svm);
		*field = v;
		return 0;
	}

	switch (name) {
	case HVPART_REG_CR0:
		return svm_set_cr0(vmcb, v);
	case HVPART_REG_CR4:
		if (v & ~(u64)(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD |
			       X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE |
			       X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE |
			       X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |
			       X86_CR4_FSGSBASE | X86_CR4_PCIDE |
			       X86_CR4_OSXSAVE |
			       X86_CR4_SMEP | X86_CR4_SMAP))
			return -EINVAL;
		vmcb->save.cr4 = v;
		return 0;
	case HVPART_REG_CR8:
		if (v > 15)
			return -EINVAL;
		vmcb->control.int_ctl = (vmcb->control.int_ctl & ~V_TPR_MASK) | v;
		return 0;
	case HVPART_REG_EFER:
		if (v & ~SVM_GUEST_EFER_MASK)
			return -EINVAL;
		vmcb->save.efer = v | EFER_SVME;
		return 0;
	case HVPART_REG_DR0 ... HVPART_REG_DR3:
		svm->db[name - HVPART_REG_DR0] = v;
		svm_dr_make_live(svm);
		return 0;
	case HVPART_REG_TSC_AUX:
		if (v >> 32)
			return -EINVAL;
		svm->tsc_aux = v;
		return 0;
	case HVPART_REG_INTERRUPT_STATE:
		if (v & ~3ULL)
			return -EINVAL;
		vmcb->control.int_state = v & SVM_INTERRUPT_SHADOW_MASK;
		svm_set_nmi_masked(svm, v & 2);
		return 0;
	}
	return -EINVAL;
}
