/* SPDX-License-Identifier: GPL-2.0 */
/* hv_vmx private definitions; nothing outside hv_vmx/ includes this. */
#ifndef HV_VMX_VMX_H
#define HV_VMX_VMX_H

#include <linux/preempt.h>
#include <asm/asm.h>
#include <asm/vmx.h>

#include "hv_core/hv.h"

/* Exit reasons <asm/vmx.h> does not name. */
#define VMX_EXIT_GETSEC			11
#define VMX_EXIT_REASON_BASIC(r)	((r) & 0xffff)
#define VMX_EXIT_REASON_ENTRY_FAIL	BIT(31)

/*
 * hv_exit.code for a VMLAUNCH/VMRESUME that failed as an instruction
 * (no VM exit happened): above every 32-bit exit reason.  info2 holds the
 * VM-instruction error, or ~0 for VMfailInvalid.  NOTE: hvpart helper.
 */
#define VMX_EXIT_CODE_VMFAIL		BIT_ULL(32)

/* vmx_vp.intr_state: the VMCS guest interruptibility state */
#define VMX_INTR_SHADOW		(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)

struct vmx_vp {
	struct hv_vp vp;		/* must stay first: hv_core allocates */
	void *vmcs;
	u64 vmcs_pa;
	u32 *vapic;			/* virtual-APIC page: the CR8 shadow */
	u16 vpid;

	/*
	 * Where the VMCS is active: -1 after VMCLEAR.  It is active only on
	 * the CPU that runs the VP's thread inside HVPART_RUN_VP (in_run),
	 * or for the length of a preempt-disabled register access.
	 */
	int cpu;
	int last_cpu;			/* CPU of the last VMPTRLD */
	bool launched;
	bool in_run;
	bool need_flush;		/* INVEPT/INVVPID before the next entry */
	struct preempt_notifier pn;

	/* host state written into this VMCS, compared on each entry */
	unsigned long host_cr3;
	unsigned long host_cr4;
	s64 tsc_offset;			/* what TSC_OFFSET holds */

	/* software state synced with the VMCS around each entry */
	u32 exec_ctrl;			/* primary processor-based controls */
	u8 tpr_threshold;		/* TPR_THRESHOLD as last written */
	u32 entry_ctrl;			/* VM-entry controls */
	u32 intr_state;			/* guest interruptibility state */
	int clear_error;		/* a VMCLEAR failed: reported by vp_run */
	unsigned long vmcs_irqflags;	/* vmx_vmcs_get() .. vmx_vmcs_put() */

	/* syscall MSRs: not in the VMCS; in hardware while msrs_loaded */
	bool msrs_loaded;
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u64 tsc_aux;

	/* debug registers: DR0-3 and DR6 live in hardware once used */
	bool dr_live;
	u64 db[4];
	u64 dr6;
	u64 cr2;
};

static_assert(offsetof(struct vmx_vp, vp) == 0);

static inline struct vmx_vp *to_vmx_vp(struct hv_vp *vp)
{
	return container_of(vp, struct vmx_vp, vp);
}

/* ---- VMX instructions ------------------------------------------------ */

void vmx_insn_failed(const char *insn, unsigned long field);

static __always_inline unsigned long vmcs_read(unsigned long field)
{
	unsigned long val;
	bool fail;

	asm volatile("vmread %[field], %[val]"
		     CC_SET(be)
		     : CC_OUT(be) (fail), [val] "=rm" (val)
		     : [field] "r" (field)
		     : "cc");
	if (unlikely(fail)) {
		vmx_insn_failed("vmread", field);
		return 0;
	}
	return val;
}

static __always_inline void vmcs_write(unsigned long field, unsigned long val)
{
	bool fail;

	asm volatile("vmwrite %[val], %[field]"
		     CC_SET(be)
		     : CC_OUT(be) (fail)
		     : [val] "rm" (val), [field] "r" (field)
		     : "cc", "memory");
	if (unlikely(fail))
		vmx_insn_failed("vmwrite", field);
}

static inline void vmcs_set_bits(unsigned long field, u32 bits)
{
	vmcs_write(field, vmcs_read(field) | bits);
}

static inline void vmcs_clear_bits(unsigned long field, u32 bits)
{
	vmcs_write(field, vmcs_read(field) & ~bits);
}

/* vmenter.S: load guest GPRs, VMLAUNCH or VMRESUME, save them again. */
int hv_vmx_vmenter(u64 *regs, bool launched);
/* vmenter.S: where a VM exit lands (HOST_RIP) */
extern const u8 hv_vmx_vmexit[];

/* Return values of hv_vmx_vmenter() */
#define VMX_ENTER_EXIT		0	/* the guest ran and exited */
#define VMX_ENTER_FAIL_INVALID	1	/* VMfailInvalid: no current VMCS */
#define VMX_ENTER_FAIL_VALID	2	/* VMfailValid: see VM_INSTRUCTION_ERROR */

/* vmx.c */
int vmx_vmcs_get(struct vmx_vp *vmx);
void vmx_vmcs_put(struct vmx_vp *vmx);
void vmx_flush_guest(struct vmx_vp *vmx);
u64 vmx_cr0_fixed(void);
u64 vmx_cr0_host_owned(void);
u64 vmx_cr4_fixed(void);
u64 vmx_cr4_allowed(void);
bool vmx_zero_len_insn_ok(void);

/* vmx_regs.c */
int vmx_get_reg(struct hv_vp *vp, u32 name, union hvpart_register_value *val);
int vmx_set_reg(struct hv_vp *vp, u32 name,
		const union hvpart_register_value *val);
int vmx_get_cpl(struct hv_vp *vp);
u64 vmx_guest_cr0(void);
u64 vmx_guest_cr4(void);
int vmx_check_cr0(u64 cr0);
int vmx_write_cr0(struct vmx_vp *vmx, u64 cr0);
void vmx_update_efer(struct vmx_vp *vmx, u64 efer, u64 cr0);

/* vmx_exit.c */
void vmx_decode_exit(struct vmx_vp *vmx, u32 reason);

#endif /* HV_VMX_VMX_H */
