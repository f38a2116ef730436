// SPDX-License-Identifier: GPL-2.0
/*
 * VM exits: decoded into struct hv_exit, the same events hv_svm produces.
 * Runs in vmx_vp_run() right after the exit, interrupts off, VMCS current.
 *
 * Handlers fill vp->exit.  Exits the backend settles itself (host
 * interrupts and NMIs, first use of the debug registers, reinjected
 * exceptions) leave HV_EXIT_NONE, and hv_core re-enters the guest.
 *
 * hv_exit.code is the VM-exit reason (bit 31: VM entry failed); info1 the
 * exit qualification; info2 the guest-physical address for EPT exits, else
 * the VM-exit interruption information with the IDT-vectoring
 * information in bits 63:32.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/nospec.h>
#include <asm/apic.h>
#include <asm/debugreg.h>
#include <asm/irq_vectors.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "hv_vmx/vmx.h"

/* Exit qualification bits */
#define VMX_IO_SIZE_MASK	GENMASK_ULL(2, 0)
#define VMX_IO_IN		BIT_ULL(3)
#define VMX_IO_STRING		BIT_ULL(4)
#define VMX_IO_REP		BIT_ULL(5)
#define VMX_IO_PORT_SHIFT	16
#define VMX_EPT_QUAL_WRITE	BIT_ULL(1)
#define VMX_EPT_QUAL_FETCH	BIT_ULL(2)
#define VMX_EPT_QUAL_NMI_UNBLOCK	BIT_ULL(12)
#define VMX_CR_QUAL_NUM(q)	((q) & 0xf)
#define VMX_CR_QUAL_TYPE(q)	(((q) >> 4) & 3)
#define VMX_CR_QUAL_GPR(q)	(((q) >> 8) & 0xf)
#define VMX_CR_TYPE_MOV_TO	0
#define VMX_DB_QUAL_BITS	(DR_TRAP_BITS | BIT(13) | DR_STEP)

static void vmx_set_len(struct vmx_vp *vmx)
{
	vmx->vp.exit.insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
}

static void vmx_exit_none(struct vmx_vp *vmx)
{
	vmx->vp.exit.reason = HV_EXIT_NONE;
}

static void vmx_exit_ud(struct vmx_vp *vmx)
{
	vmx->vp.exit.reason = HV_EXIT_UD;
}

static void vmx_exit_unhandled(struct vmx_vp *vmx)
{
	vmx->vp.exit.reason = HV_EXIT_UNHANDLED;
}

static void vmx_exit_triple_fault(struct vmx_vp *vmx)
{
	/*
	 * Nothing is redelivered after a shutdown, as on SVM.  The activity
	 * state may have been saved as "shutdown": the VP resumes (when the
	 * root sets RIP) active, or it would sleep through everything.
	 */
	hv_event_clear(&vmx->vp);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmx->vp.exit.reason = HV_EXIT_SHUTDOWN;
}

static void vmx_exit_intr_window(struct vmx_vp *vmx)
{
	/* the root asked, or an interrupt of its waits for IF=1 */
	if (vmx->vp.deliverability_notifications & 2)
		vmx->vp.exit.reason = HV_EXIT_INTR_WINDOW;
	else
		vmx->vp.exit.reason = HV_EXIT_NONE;
}

static void vmx_exit_cpuid(struct vmx_vp *vmx)
{
	vmx->vp.exit.reason = HV_EXIT_CPUID;
	vmx_set_len(vmx);
}

static void vmx_exit_hlt(struct vmx_vp *vmx)
{
	vmx->vp.exit.reason = HV_EXIT_HLT;
	vmx_set_len(vmx);
}

static void vmx_exit_vmcall(struct vmx_vp *vmx)
{
	vmx->vp.exit.reason = HV_EXIT_HYPERCALL;
	vmx_set_len(vmx);
}

static void vmx_exit_xsetbv(struct vmx_vp *vmx)
{
	vmx->vp.exit.reason = HV_EXIT_XSETBV;
	vmx_set_len(vmx);
}

static void vmx_exit_rdpmc(struct vmx_vp *vmx)
{
	vmx->vp.exit.reason = HV_EXIT_RDPMC;
	vmx_set_len(vmx);
}

static void vmx_exit_wbinvd(struct vmx_vp *vmx)
{
	vmx->vp.exit.reason = HV_EXIT_WBINVD;
	vmx_set_len(vmx);
}

static void vmx_exit_invd(struct vmx_vp *vmx)
{
	/* INVD would drop the host's dirty lines: a no-op, as on SVM */
	vmx_set_len(vmx);
	hv_vp_advance_rip(&vmx->vp, vmx->vp.exit.insn_len);
	vmx->vp.exit.reason = HV_EXIT_NONE;
}

static void vmx_exit_io(struct vmx_vp *vmx)
{
	struct hv_exit *e = &vmx->vp.exit;
	u64 q = e->info1;

	e->reason = HV_EXIT_IO;
	e->io.port = q >> VMX_IO_PORT_SHIFT;
	e->io.size = (q & VMX_IO_SIZE_MASK) + 1;
	e->io.in = q & VMX_IO_IN;
	e->io.string = q & VMX_IO_STRING;
	e->io.rep = q & VMX_IO_REP;
	vmx_set_len(vmx);
}

static void vmx_exit_msr_read(struct vmx_vp *vmx)
{
	vmx->vp.exit.reason = HV_EXIT_MSR_READ;
	vmx_set_len(vmx);
}

static void vmx_exit_msr_write(struct vmx_vp *vmx)
{
	vmx->vp.exit.reason = HV_EXIT_MSR_WRITE;
	vmx_set_len(vmx);
}

static void vmx_exit_ept_violation(struct vmx_vp *vmx)
{
	struct hv_exit *e = &vmx->vp.exit;
	u32 idt = e->info2 >> 32;
	u64 q = e->info1;

	e->reason = HV_EXIT_NPF;
	e->npf.gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	e->info2 = e->npf.gpa;
	if (q & VMX_EPT_QUAL_FETCH)
		e->npf.access = HVPART_INTERCEPT_ACCESS_EXECUTE;
	else if (q & VMX_EPT_QUAL_WRITE)
		e->npf.access = HVPART_INTERCEPT_ACCESS_WRITE;
	else
		e->npf.access = HVPART_INTERCEPT_ACCESS_READ;
	/* an IRET unblocked NMIs, then faulted: block them again */
	if ((q & VMX_EPT_QUAL_NMI_UNBLOCK) &&
	    !(idt & VECTORING_INFO_VALID_MASK))
		vmx->intr_state |= GUEST_INTR_STATE_NMI;
}

static void vmx_exit_ept_misconfig(struct vmx_vp *vmx)
{
	struct hv_exit *e = &vmx->vp.exit;

	/* hv_mmu built a bad entry: a bug, reported to the root */
	e->reason = HV_EXIT_UNHANDLED;
	e->info2 = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	vp_err(&vmx->vp, "EPT misconfiguration at GPA %#llx\n", e->info2);
}

/* First guest use of a debug register: hand them over, stop exiting. */
static void vmx_exit_dr(struct vmx_vp *vmx)
{
	vmx->exec_ctrl &= ~CPU_BASED_MOV_DR_EXITING;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx->exec_ctrl);
	vmx->dr_live = true;
	vmx->vp.exit.reason = HV_EXIT_NONE;	/* re-execute the MOV */
}

/*
 * MOV to CR0 that changes a bit VMX fixes (CR0.NE), or MOV to CR4 that
 * sets a bit the guest may not own.  CR3 and CR8 never exit.
 */
static void vmx_exit_cr(struct vmx_vp *vmx)
{
	struct hv_vp *vp = &vmx->vp;
	u64 q = vp->exit.info1;
	u64 val = vp->regs[VMX_CR_QUAL_GPR(q)];
	u64 efer = vmcs_read(GUEST_IA32_EFER);

	vp->exit.reason = HV_EXIT_NONE;
	if (VMX_CR_QUAL_TYPE(q) != VMX_CR_TYPE_MOV_TO) {
		vmx_exit_unhandled(vmx);
		return;
	}
	if (!(vmcs_read(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK))
		val = (u32)val;

	switch (VMX_CR_QUAL_NUM(q)) {
	case 0:
		if (vmx_check_cr0(val) ||
		    ((val & X86_CR0_PG) && (efer & EFER_LME) &&
		     !(vmx_guest_cr4() & X86_CR4_PAE))) {
			hv_event_queue_exception(&vmx->vp, X86_TRAP_GP, true, 0);
			return;
		}
		/* PAE paging loads PDPTEs: not from here (interrupts off) */
		if ((val & X86_CR0_PG) && !(efer & EFER_LME) &&
		    (vmx_guest_cr4() & X86_CR4_PAE)) {
			vmx_exit_unhandled(vmx);
			return;
		}
		vmx_write_cr0(vmx, val);
		vmx_set_len(vmx);
		hv_vp_advance_rip(vp, vp->exit.insn_len);
		return;
	case 4:
		/* the bits that exit are the ones the guest may not set */
		hv_event_queue_exception(&vmx->vp, X86_TRAP_GP, true, 0);
		return;
	}
	vmx_exit_unhandled(vmx);
}

/* Raise the event an exit intercepted (or cut short) again in the guest. */
static void vmx_reinject(struct vmx_vp *vmx, u32 info, u32 error)
{
	u32 type = (info & INTR_INFO_INTR_TYPE_MASK) >> 8;

	hv_event_requeue(&vmx->vp, type, info & INTR_INFO_VECTOR_MASK,
			 info & INTR_INFO_DELIVER_CODE_MASK, error,
			 type >= HV_EVENT_SOFT_INTR ?
			 vmcs_read(VM_EXIT_INSTRUCTION_LEN) : 0);
}

static void vmx_exit_exception_nmi(struct vmx_vp *vmx)
{
	struct hv_exit *e = &vmx->vp.exit;
	u32 info = vmcs_read(VM_EXIT_INTR_INFO);
	u32 type = info & INTR_INFO_INTR_TYPE_MASK;

	e->reason = HV_EXIT_NONE;
	e->info2 = info;
	if (type == INTR_TYPE_NMI_INTR) {
		/* the exit consumed the host's NMI: raise it again */
		apic->send_IPI(smp_processor_id(), NMI_VECTOR);
		return;
	}
	switch (info & INTR_INFO_VECTOR_MASK) {
	case X86_TRAP_MC:
		/* the host's machine check, not the guest's */
		hv_host_machine_check();
		return;
	case X86_TRAP_DB:
		/* an intercepted #DB leaves DR6 alone: the qualification has it */
		vmx->dr6 = (vmx->dr6 & ~(u64)DR_TRAP_BITS) |
			   (e->info1 & VMX_DB_QUAL_BITS);
		vmx_reinject(vmx, info, 0);
		return;
	case X86_TRAP_AC:
		vmx_reinject(vmx, info, vmcs_read(VM_EXIT_INTR_ERROR_CODE));
		return;
	}
	vmx_exit_unhandled(vmx);
}

/*
 * Indexed by the basic exit reason.  A missing entry is an exit this
 * backend does not expect: reported to the root, never skipped.
 */
static void (*const vmx_exit_handlers[])(struct vmx_vp *vmx) = {
	[EXIT_REASON_EXCEPTION_NMI]		= vmx_exit_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT]	= vmx_exit_none,
	[EXIT_REASON_PREEMPTION_TIMER]		= vmx_exit_none,
	[EXIT_REASON_TRIPLE_FAULT]		= vmx_exit_triple_fault,
	[EXIT_REASON_INTERRUPT_WINDOW]		= vmx_exit_intr_window,
	[EXIT_REASON_NMI_WINDOW]		= vmx_exit_none,
	[EXIT_REASON_CPUID]			= vmx_exit_cpuid,
	[VMX_EXIT_GETSEC]			= vmx_exit_ud,
	[EXIT_REASON_HLT]			= vmx_exit_hlt,
	[EXIT_REASON_INVD]			= vmx_exit_invd,
	[EXIT_REASON_RDPMC]			= vmx_exit_rdpmc,
	[EXIT_REASON_WBINVD]			= vmx_exit_wbinvd,
	[EXIT_REASON_VMCALL]			= vmx_exit_vmcall,
	[EXIT_REASON_VMCLEAR]			= vmx_exit_ud,
	[EXIT_REASON_VMLAUNCH]			= vmx_exit_ud,
	[EXIT_REASON_VMPTRLD]			= vmx_exit_ud,
	[EXIT_REASON_VMPTRST]			= vmx_exit_ud,
	[EXIT_REASON_VMREAD]			= vmx_exit_ud,
	[EXIT_REASON_VMRESUME]			= vmx_exit_ud,
	[EXIT_REASON_VMWRITE]			= vmx_exit_ud,
	[EXIT_REASON_VMOFF]			= vmx_exit_ud,
	[EXIT_REASON_VMON]			= vmx_exit_ud,
	[EXIT_REASON_CR_ACCESS]			= vmx_exit_cr,
	[EXIT_REASON_DR_ACCESS]			= vmx_exit_dr,
	[EXIT_REASON_IO_INSTRUCTION]		= vmx_exit_io,
	[EXIT_REASON_MSR_READ]			= vmx_exit_msr_read,
	[EXIT_REASON_MSR_WRITE]			= vmx_exit_msr_write,
	[EXIT_REASON_MWAIT_INSTRUCTION]		= vmx_exit_ud,
	[EXIT_REASON_MONITOR_INSTRUCTION]	= vmx_exit_ud,
	[EXIT_REASON_EPT_VIOLATION]		= vmx_exit_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG]		= vmx_exit_ept_misconfig,
	[EXIT_REASON_INVEPT]			= vmx_exit_ud,
	[EXIT_REASON_INVVPID]			= vmx_exit_ud,
	[EXIT_REASON_XSETBV]			= vmx_exit_xsetbv,
	/* CR8 dropped below a held-back interrupt: the entry injects it */
	[EXIT_REASON_TPR_BELOW_THRESHOLD]	= vmx_exit_none,
	[EXIT_REASON_VMFUNC]			= vmx_exit_ud,
};

/* An event cut short by the exit is delivered on the next entry. */
static void vmx_requeue_vectoring(struct vmx_vp *vmx, u32 idt)
{
	if (!(idt & VECTORING_INFO_VALID_MASK))
		return;
	vmx_reinject(vmx, idt, (idt & VECTORING_INFO_DELIVER_CODE_MASK) ?
		     vmcs_read(IDT_VECTORING_ERROR_CODE) : 0);
	if ((idt & VECTORING_INFO_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		vmx->intr_state &= ~GUEST_INTR_STATE_NMI;
}

void vmx_decode_exit(struct vmx_vp *vmx, u32 reason)
{
	struct hv_exit *e = &vmx->vp.exit;
	u32 basic = VMX_EXIT_REASON_BASIC(reason);
	u32 idt = vmcs_read(IDT_VECTORING_INFO_FIELD);

	e->insn_len = 0;
	e->insn_count = 0;
	e->code = reason;
	e->info1 = vmcs_read(EXIT_QUALIFICATION);
	e->info2 = (u64)idt << 32 | vmcs_read(VM_EXIT_INTR_INFO);
	pr_debug("exit %#x qual %#llx info %#llx rip %#llx\n", reason,
		 e->info1, e->info2, vmx->vp.rip);

	if (reason == (VMX_EXIT_REASON_ENTRY_FAIL |
		       EXIT_REASON_MCE_DURING_VMENTRY)) {
		/* the host's machine check; the guest did not run: retry */
		hv_host_machine_check();
		e->reason = HV_EXIT_NONE;
		return;
	}
	if (reason & VMX_EXIT_REASON_ENTRY_FAIL) {
		/* invalid guest state or MSR loading: nothing ran */
		e->reason = HV_EXIT_UNHANDLED;
		vp_err(&vmx->vp, "VM entry failed: exit reason %#x, qualification %#llx\n",
		       reason, e->info1);
		return;
	}
	vmx_requeue_vectoring(vmx, idt);

	if (basic < ARRAY_SIZE(vmx_exit_handlers)) {
		void (*handler)(struct vmx_vp *vmx);

		handler = vmx_exit_handlers[array_index_nospec(basic,
					    ARRAY_SIZE(vmx_exit_handlers))];
		if (handler) {
			handler(vmx);
			return;
		}
	}
	vmx_exit_unhandled(vmx);
}
