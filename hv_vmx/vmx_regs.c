// SPDX-License-Identifier: GPL-2.0
/*
 * TLFS register names <-> VMCS state, with svm_regs.c's semantics.
 * hv_core owns the GPRs, RIP and RFLAGS; everything the VMCS or the
 * backend holds is here.  The VMCS must be current for VMREAD and VMWRITE:
 * each access runs between vmx_vmcs_get() and vmx_vmcs_put().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <asm/msr.h>
#include <asm/processor-flags.h>

#include "hv_vmx/vmx.h"

/* EFER bits a guest may set (SCE, LME, LMA, NXE) */
#define VMX_GUEST_EFER_MASK	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

/* TLFS segment attributes are VMX access rights bits 0-7 and 12-15. */
#define VMX_AR_TLFS_MASK	0xf0ffU

/* Segment registers in TLFS order, which is the VMCS order. */
static bool vmx_is_seg(u32 name)
{
	return name >= HVPART_REG_ES && name <= HVPART_REG_TR;
}

static u32 vmx_seg_idx(u32 name)
{
	return name - HVPART_REG_ES;
}

static unsigned long vmx_reg_field(u32 name)
{
	switch (name) {
	case HVPART_REG_CR3:		return GUEST_CR3;
	case HVPART_REG_DR7:		return GUEST_DR7;
	case HVPART_REG_PAT:		return GUEST_IA32_PAT;
	case HVPART_REG_SYSENTER_CS:	return GUEST_SYSENTER_CS;
	case HVPART_REG_SYSENTER_EIP:	return GUEST_SYSENTER_EIP;
	case HVPART_REG_SYSENTER_ESP:	return GUEST_SYSENTER_ESP;
	}
	return 0;
}

/* The syscall MSRs: in software, and in hardware while msrs_loaded. */
static u64 *vmx_syscall_msr(struct vmx_vp *vmx, u32 name, u32 *msr)
{
	switch (name) {
	case HVPART_REG_STAR:
		*msr = MSR_STAR;
		return &vmx->star;
	case HVPART_REG_LSTAR:
		*msr = MSR_LSTAR;
		return &vmx->lstar;
	case HVPART_REG_CSTAR:
		*msr = MSR_CSTAR;
		return &vmx->cstar;
	case HVPART_REG_SFMASK:
		*msr = MSR_SYSCALL_MASK;
		return &vmx->sfmask;
	case HVPART_REG_KERNEL_GS_BASE:
		*msr = MSR_KERNEL_GS_BASE;
		return &vmx->kernel_gs_base;
	}
	return NULL;
}

static u64 vmx_cr0_mask(void)
{
	return vmcs_read(CR0_GUEST_HOST_MASK);
}

/* CR0 as the guest sees it: host-owned bits from the read shadow. */
u64 vmx_guest_cr0(void)
{
	u64 mask = vmx_cr0_mask();

	return (vmcs_read(GUEST_CR0) & ~mask) |
	       (vmcs_read(CR0_READ_SHADOW) & mask);
}

u64 vmx_guest_cr4(void)
{
	u64 mask = vmcs_read(CR4_GUEST_HOST_MASK);

	return (vmcs_read(GUEST_CR4) & ~mask) |
	       (vmcs_read(CR4_READ_SHADOW) & mask);
}

/* EFER.LMA and the IA-32e mode entry control follow CR0.PG and LME. */
void vmx_update_efer(struct vmx_vp *vmx, u64 efer, u64 cr0)
{
	u32 entry = vmcs_read(VM_ENTRY_CONTROLS);

	if ((cr0 & X86_CR0_PG) && (efer & EFER_LME))
		efer |= EFER_LMA;
	else
		efer &= ~EFER_LMA;
	vmcs_write(GUEST_IA32_EFER, efer);
	if (efer & EFER_LMA)
		entry |= VM_ENTRY_IA32E_MODE;
	else
		entry &= ~VM_ENTRY_IA32E_MODE;
	vmcs_write(VM_ENTRY_CONTROLS, entry);
}

/*
 * Install a checked CR0.  The hardware value has what VMX fixes, and
 * caching on: as KVM does, CD and NW live only in the read shadow.
 */
int vmx_write_cr0(struct vmx_vp *vmx, u64 cr0)
{
	vmcs_write(CR0_READ_SHADOW, cr0);
	vmcs_write(GUEST_CR0, (cr0 & ~(u64)(X86_CR0_CD | X86_CR0_NW)) |
		   vmx_cr0_fixed());
	vmx_update_efer(vmx, vmcs_read(GUEST_IA32_EFER), cr0);
	return 0;
}

int vmx_check_cr0(u64 cr0)
{
	if (cr0 >> 32)
		return -EINVAL;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return -EINVAL;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return -EINVAL;
	return 0;
}

/* 32-bit PAE paging takes its PDPTEs from the VMCS on entry. */
static bool vmx_pae_paging(void)
{
	return (vmx_guest_cr0() & X86_CR0_PG) &&
	       (vmx_guest_cr4() & X86_CR4_PAE) &&
	       !(vmcs_read(GUEST_IA32_EFER) & EFER_LMA);
}

static int vmx_load_pdptrs(struct vmx_vp *vmx)
{
	u64 pdpte[4] = {};
	bool pae;
	u64 cr3;
	int ret, i;

	ret = vmx_vmcs_get(vmx);
	if (ret)
		return ret;
	pae = vmx_pae_paging();
	cr3 = vmcs_read(GUEST_CR3);
	vmx_vmcs_put(vmx);
	if (!pae)
		return 0;

	/* unmapped tables read as zero: not present, as the CPU would see */
	hv_mmu_read_gpa(&vmx->vp.pt->mmu, cr3 & GENMASK_ULL(31, 5), pdpte,
			sizeof(pdpte));
	ret = vmx_vmcs_get(vmx);
	if (ret)
		return ret;
	for (i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTR0 + i * 2, pdpte[i]);
	vmx_vmcs_put(vmx);
	return 0;
}

static void vmx_get_seg(u32 name, union hvpart_register_value *val)
{
	u32 idx = vmx_seg_idx(name);
	u32 ar = vmcs_read(GUEST_ES_AR_BYTES + idx * 2);
	u16 attr = ar & VMX_AR_TLFS_MASK;

	/* an unusable segment reads as not present */
	if (ar & VMX_AR_UNUSABLE_MASK)
		attr &= ~VMX_AR_P_MASK;
	val->segment.base = vmcs_read(GUEST_ES_BASE + idx * 2);
	val->segment.limit = vmcs_read(GUEST_ES_LIMIT + idx * 2);
	val->segment.selector = vmcs_read(GUEST_ES_SELECTOR + idx * 2);
	val->segment.attributes = attr;
}

/*
 * Not present means unusable, as KVM has it; so does a null selector in
 * DS, ES, FS, GS or LDTR in protected mode, where VMX checks usable
 * segments' descriptors.  CS, SS and TR keep what the root gave.
 */
static u32 vmx_seg_ar(u32 name, const struct hvpart_x64_segment *seg)
{
	bool null = !(seg->selector & ~3);

	if (!(seg->attributes & VMX_AR_P_MASK))
		return VMX_AR_UNUSABLE_MASK;
	if (null && (vmx_guest_cr0() & X86_CR0_PE) &&
	    name != HVPART_REG_CS && name != HVPART_REG_SS &&
	    name != HVPART_REG_TR)
		return VMX_AR_UNUSABLE_MASK;
	return seg->attributes;
}

static int vmx_set_seg(u32 name, const union hvpart_register_value *val)
{
	const struct hvpart_x64_segment *seg = &val->segment;
	u32 idx = vmx_seg_idx(name);

	if (seg->attributes & ~VMX_AR_TLFS_MASK)
		return -EINVAL;
	vmcs_write(GUEST_ES_BASE + idx * 2, seg->base);
	vmcs_write(GUEST_ES_LIMIT + idx * 2, seg->limit);
	vmcs_write(GUEST_ES_SELECTOR + idx * 2, seg->selector);
	vmcs_write(GUEST_ES_AR_BYTES + idx * 2, vmx_seg_ar(name, seg));
	return 0;
}

static void vmx_get_table(u32 name, union hvpart_register_value *val)
{
	bool gdt = name == HVPART_REG_GDTR;

	val->table.limit = vmcs_read(gdt ? GUEST_GDTR_LIMIT : GUEST_IDTR_LIMIT);
	val->table.base = vmcs_read(gdt ? GUEST_GDTR_BASE : GUEST_IDTR_BASE);
}

static int vmx_set_table(u32 name, const union hvpart_register_value *val)
{
	bool gdt = name == HVPART_REG_GDTR;

	if (val->table.pad[0] || val->table.pad[1] || val->table.pad[2])
		return -EINVAL;
	vmcs_write(gdt ? GUEST_GDTR_LIMIT : GUEST_IDTR_LIMIT, val->table.limit);
	vmcs_write(gdt ? GUEST_GDTR_BASE : GUEST_IDTR_BASE, val->table.base);
	return 0;
}

static u64 vmx_get_intr_state(struct vmx_vp *vmx)
{
	return ((vmx->intr_state & VMX_INTR_SHADOW) ? 1 : 0) |
	       ((vmx->intr_state & GUEST_INTR_STATE_NMI) ? 2 : 0);
}

/* bit 0 interrupt shadow, bit 1 NMI masked */
static int vmx_set_intr_state(struct vmx_vp *vmx, u64 v)
{
	if (v & ~3ULL)
		return -EINVAL;
	vmx->intr_state &= ~(VMX_INTR_SHADOW | GUEST_INTR_STATE_NMI);
	/* VM entry refuses blocking by STI while RFLAGS.IF is clear */
	if (v & 1)
		vmx->intr_state |= (vmx->vp.rflags & X86_EFLAGS_IF) ?
				   GUEST_INTR_STATE_STI :
				   GUEST_INTR_STATE_MOV_SS;
	if (v & 2)
		vmx->intr_state |= GUEST_INTR_STATE_NMI;
	return 0;
}

/* Registers the backend holds in software: no VMCS needed. */
static int vmx_get_soft(struct vmx_vp *vmx, u32 name, u64 *v)
{
	u32 msr;
	u64 *field = vmx_syscall_msr(vmx, name, &msr);

	if (field) {
		/* SWAPGS changes KERNEL_GS_BASE while it is in hardware */
		preempt_disable();
		if (vmx->msrs_loaded)
			rdmsrl(msr, *field);
		*v = *field;
		preempt_enable();
		return 0;
	}
	switch (name) {
	case HVPART_REG_CR2:
		*v = vmx->cr2;
		return 0;
	case HVPART_REG_CR8:
		/* the TPR shadow: VTPR bits 7:4 are CR8 */
		*v = READ_ONCE(vmx->vapic[0x80 / 4]) >> 4 & 0xf;
		return 0;
	case HVPART_REG_DR0 ... HVPART_REG_DR3:
		*v = vmx->db[name - HVPART_REG_DR0];
		return 0;
	case HVPART_REG_DR6:
		*v = vmx->dr6;
		return 0;
	case HVPART_REG_TSC_AUX:
		*v = vmx->tsc_aux;
		return 0;
	case HVPART_REG_INTERRUPT_STATE:
		*v = vmx_get_intr_state(vmx);
		return 0;
	}
	return -ENOENT;
}

int vmx_get_reg(struct hv_vp *vp, u32 name, union hvpart_register_value *val)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	unsigned long field = vmx_reg_field(name);
	int ret;

	ret = vmx_get_soft(vmx, name, &val->reg64);
	if (ret != -ENOENT)
		return ret;

	ret = vmx_vmcs_get(vmx);
	if (ret)
		return ret;
	if (field)
		val->reg64 = vmcs_read(field);
	else if (vmx_is_seg(name))
		vmx_get_seg(name, val);
	else if (name == HVPART_REG_IDTR || name == HVPART_REG_GDTR)
		vmx_get_table(name, val);
	else if (name == HVPART_REG_CR0)
		val->reg64 = vmx_guest_cr0();
	else if (name == HVPART_REG_CR4)
		val->reg64 = vmx_guest_cr4();
	else if (name == HVPART_REG_EFER)
		val->reg64 = vmcs_read(GUEST_IA32_EFER);
	else
		ret = -EINVAL;
	vmx_vmcs_put(vmx);
	return ret;
}

static int vmx_set_soft(struct vmx_vp *vmx, u32 name, u64 v)
{
	u32 msr;
	u64 *field = vmx_syscall_msr(vmx, name, &msr);

	if (field) {
		/* WRMSR of these must not fault in the host */
		if (name == HVPART_REG_SFMASK ? v >> 32 :
		    name != HVPART_REG_STAR && !__is_canonical_address(v, 48))
			return -EINVAL;
		/* loaded: the VP's thread runs here, on this CPU */
		preempt_disable();
		*field = v;
		if (vmx->msrs_loaded)
			wrmsrl(msr, v);
		preempt_enable();
		return 0;
	}
	switch (name) {
	case HVPART_REG_CR2:
		vmx->cr2 = v;
		return 0;
	case HVPART_REG_CR8:
		if (v > 15)
			return -EINVAL;
		WRITE_ONCE(vmx->vapic[0x80 / 4], v << 4);
		return 0;
	case HVPART_REG_DR0 ... HVPART_REG_DR3:
		/* live from the next entry: never another VP's DR0-3 */
		vmx->db[name - HVPART_REG_DR0] = v;
		vmx->dr_live = true;
		return 0;
	case HVPART_REG_DR6:
		if (v >> 32)
			return -EINVAL;
		vmx->dr6 = v;
		vmx->dr_live = true;
		return 0;
	case HVPART_REG_TSC_AUX:
		if (v >> 32)
			return -EINVAL;
		vmx->tsc_aux = v;
		return 0;
	case HVPART_REG_INTERRUPT_STATE:
		return vmx_set_intr_state(vmx, v);
	}
	return -ENOENT;
}

static int vmx_set_cr4(u64 v)
{
	if (v & ~vmx_cr4_allowed())
		return -EINVAL;
	vmcs_write(CR4_READ_SHADOW, v);
	vmcs_write(GUEST_CR4, v | vmx_cr4_fixed());
	return 0;
}

static int vmx_set_efer(struct vmx_vp *vmx, u64 v)
{
	if (v & ~VMX_GUEST_EFER_MASK)
		return -EINVAL;
	vmx_update_efer(vmx, v, vmx_guest_cr0());
	return 0;
}

/* Registers in the VMCS; returns 1 if the PDPTEs may need a reload. */
static int vmx_set_vmcs(struct vmx_vp *vmx, u32 name,
			const union hvpart_register_value *val)
{
	unsigned long field = vmx_reg_field(name);
	u64 v = val->reg64;
	int ret;

	if (vmx_is_seg(name))
		return vmx_set_seg(name, val);
	if (name == HVPART_REG_IDTR || name == HVPART_REG_GDTR)
		return vmx_set_table(name, val);
	if (val->reg128[1])
		return -EINVAL;
	if (field) {
		if (name == HVPART_REG_DR7 && v >> 32)
			return -EINVAL;
		/* breakpoints armed by the root use this VP's DR0-3 */
		if (name == HVPART_REG_DR7)
			vmx->dr_live = true;
		vmcs_write(field, v);
		return name == HVPART_REG_CR3;
	}
	switch (name) {
	case HVPART_REG_CR0:
		ret = vmx_check_cr0(v);
		if (ret)
			return ret;
		vmx_write_cr0(vmx, v);
		return 1;
	case HVPART_REG_CR4:
		return vmx_set_cr4(v) ?: 1;
	case HVPART_REG_EFER:
		return vmx_set_efer(vmx, v) ?: 1;
	}
	return -EINVAL;
}

int vmx_set_reg(struct hv_vp *vp, u32 name,
		const union hvpart_register_value *val)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	int ret;

	if (!vmx_is_seg(name) && name != HVPART_REG_IDTR &&
	    name != HVPART_REG_GDTR) {
		if (val->reg128[1])
			return -EINVAL;
		ret = vmx_set_soft(vmx, name, val->reg64);
		if (ret != -ENOENT)
			return ret;
	}

	ret = vmx_vmcs_get(vmx);
	if (ret)
		return ret;
	ret = vmx_set_vmcs(vmx, name, val);
	vmx_vmcs_put(vmx);
	if (ret == 1)
		ret = vmx_load_pdptrs(vmx);
	return ret;
}

int vmx_get_cpl(struct hv_vp *vp)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	u32 ar;

	/* no VMCS, no privilege: every CPL check fails closed */
	if (vmx_vmcs_get(vmx))
		return 3;
	/* the CPL is SS.DPL, as on SVM */
	ar = vmcs_read(GUEST_SS_AR_BYTES);
	vmx_vmcs_put(vmx);
	return VMX_AR_DPL(ar);
}
