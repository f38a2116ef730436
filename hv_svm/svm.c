// SPDX-License-Identifier: GPL-2.0
/*
 * hv_svm: the AMD SVM backend.  SVM root on each CPU, a VMCB per VP,
 * ASIDs, nested paging, the VMRUN round trip and exit decoding.  TLFS
 * semantics are hv_core's: this file only decodes hardware exits into
 * struct hv_exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/nospec.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <asm/apic.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/irq_vectors.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/trapnr.h>

#include "hv_svm/svm.h"

#define SVM_CPUID_EDX_NRIPS		BIT(3)
#define SVM_CPUID_EDX_DECODE_ASSISTS	BIT(7)

/* DR7 after reset; EXITINFO1 bits of a nested page fault */
#define SVM_DR7_RESET		0x400ULL
#define NPF_ERR_WRITE		BIT_ULL(1)
#define NPF_ERR_FETCH		BIT_ULL(4)
#define SVM_VM_CR_SVMDIS	BIT_ULL(4)

#define SVM_IOPM_ORDER		2	/* 12 KiB used */
#define SVM_MSRPM_ORDER		1	/* 8 KiB */

/* NPT entries are x86 page-table entries; walks count as user accesses. */
#define NPT_P		BIT_ULL(0)
#define NPT_RW		BIT_ULL(1)
#define NPT_US		BIT_ULL(2)
#define NPT_A		BIT_ULL(5)
#define NPT_D		BIT_ULL(6)
#define NPT_NX		BIT_ULL(63)

static const struct hv_pte_format svm_npt_format = {
	.table	= NPT_P | NPT_RW | NPT_US | NPT_A,
	.leaf	= NPT_US | NPT_A | NPT_D,
	.read	= NPT_P,
	.write	= NPT_RW,
	.exec	= 0,
	.noexec	= NPT_NX,
	.host_levels = true,
};

struct svm_cpu {
	void *hsave;
	void *host_save;
	u64 host_save_pa;
	u32 next_asid;
	u64 asid_gen;
};

static DEFINE_PER_CPU(struct svm_cpu, svm_cpu_data);
static u32 svm_max_asid;
static bool svm_nrips;
static bool svm_decode_assists;
/* svm_lost_guest(): off unless the emulated machine asks for it */
static bool svm_lost_guest_erratum __ro_after_init;
module_param_named(emulated_svm_erratum, svm_lost_guest_erratum, bool, 0444);
MODULE_PARM_DESC(emulated_svm_erratum,
		 "Work around QEMU TCG's nested-SVM race (svm_lost_guest()); only for hvpart running in an emulated machine");
static void *svm_iopm;
static void *svm_msrpm;

/* ---- SVM root ------------------------------------------------------- */

static int svm_hardware_enable(void)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu_data);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		pr_err_once("SVM is already in use by another hypervisor (kvm_amd?)\n");
		return -EBUSY;
	}
	wrmsrl(MSR_VM_HSAVE_PA, __pa(sd->hsave));
	wrmsrl(MSR_EFER, efer | EFER_SVME);

	/* whatever this CPU's TLB holds, the first ASID flushes it */
	sd->asid_gen++;
	sd->next_asid = svm_max_asid + 1;
	return 0;
}

static void svm_hardware_disable(void)
{
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		/* GIF=1 first, or INIT and NMI stay blocked */
		asm volatile("stgi" ::: "memory");
		wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	}
}

static void svm_free_cpu_pages(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sd = per_cpu_ptr(&svm_cpu_data, cpu);

		free_page((unsigned long)sd->hsave);
		free_page((unsigned long)sd->host_save);
		sd->hsave = NULL;
		sd->host_save = NULL;
	}
}

static void svm_hardware_unsetup(void)
{
	svm_free_cpu_pages();
	free_pages((unsigned long)svm_msrpm, SVM_MSRPM_ORDER);
	free_pages((unsigned long)svm_iopm, SVM_IOPM_ORDER);
}

static int svm_hardware_setup(void)
{
	int cpu;

	/* every port and every MSR exits: hv_core decides what they do */
	svm_iopm = (void *)__get_free_pages(GFP_KERNEL, SVM_IOPM_ORDER);
	svm_msrpm = (void *)__get_free_pages(GFP_KERNEL, SVM_MSRPM_ORDER);
	if (!svm_iopm || !svm_msrpm)
		goto nomem;
	memset(svm_iopm, 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	memset(svm_msrpm, 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sd = per_cpu_ptr(&svm_cpu_data, cpu);

		sd->hsave = (void *)get_zeroed_page(GFP_KERNEL);
		sd->host_save = (void *)get_zeroed_page(GFP_KERNEL);
		if (!sd->hsave || !sd->host_save)
			goto nomem;
		sd->host_save_pa = __pa(sd->host_save);
	}
	return 0;

nomem:
	svm_hardware_unsetup();
	return -ENOMEM;
}

/* ---- VPs ------------------------------------------------------------ */

static void svm_set_intercept(struct vmcb *vmcb, int bit)
{
	vmcb->control.intercepts[bit / 32] |= BIT(bit % 32);
}

static void svm_clr_intercept(struct vmcb *vmcb, int bit)
{
	vmcb->control.intercepts[bit / 32] &= ~BIT(bit % 32);
}

static const int svm_intercepts[] = {
	INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_CPUID,
	INTERCEPT_INVD, INTERCEPT_HLT, INTERCEPT_INVLPGA, INTERCEPT_IOIO_PROT,
	INTERCEPT_MSR_PROT, INTERCEPT_TASK_SWITCH, INTERCEPT_SHUTDOWN,
	INTERCEPT_VMRUN, INTERCEPT_VMMCALL, INTERCEPT_VMLOAD, INTERCEPT_VMSAVE,
	INTERCEPT_STGI, INTERCEPT_CLGI, INTERCEPT_SKINIT, INTERCEPT_RDTSCP,
	INTERCEPT_MONITOR, INTERCEPT_MWAIT, INTERCEPT_MWAIT_COND,
	INTERCEPT_XSETBV, INTERCEPT_RDPRU,
	/* no PMU for guests; no cache-wide flush loops stalling the host */
	INTERCEPT_RDPMC, INTERCEPT_WBINVD,
	/*
	 * DR0-3 exit until the guest first uses them (see svm_exit_dr), and
	 * so do DR7 writes: no breakpoint is armed on stale DR0-3.
	 */
	INTERCEPT_DR0_READ, INTERCEPT_DR1_READ, INTERCEPT_DR2_READ,
	INTERCEPT_DR3_READ, INTERCEPT_DR0_WRITE, INTERCEPT_DR1_WRITE,
	INTERCEPT_DR2_WRITE, INTERCEPT_DR3_WRITE, INTERCEPT_DR7_WRITE,
	/* benign-exception loops could hang the CPU (CVE-2015-5307/8104) */
	INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_DB,
	INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_AC,
	/* a machine check in guest mode is the host's */
	INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_MC,
};

static void svm_init_seg(struct vmcb_seg *seg, u16 sel, u16 attrib, u64 base)
{
	seg->selector = sel;
	seg->attrib = attrib;
	seg->limit = 0xffff;
	seg->base = base;
}

static int svm_vp_create(struct hv_vp *vp)
{
	struct svm_vp *svm = to_svm_vp(vp);
	struct vmcb *vmcb;
	unsigned int i;

	vmcb = (struct vmcb *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmcb)
		return -ENOMEM;
	if (svm_lost_guest_erratum) {
		svm->snap = kzalloc(sizeof(*svm->snap), GFP_KERNEL_ACCOUNT);
		if (!svm->snap) {
			free_page((unsigned long)vmcb);
			return -ENOMEM;
		}
	}
	svm->vmcb = vmcb;
	svm->vmcb_pa = __pa(vmcb);
	svm->asid_cpu = -1;

	for (i = 0; i < ARRAY_SIZE(svm_intercepts); i++)
		svm_set_intercept(vmcb, svm_intercepts[i]);
	vmcb->control.iopm_base_pa = __pa(svm_iopm);
	vmcb->control.msrpm_base_pa = __pa(svm_msrpm);
	vmcb->control.int_ctl = V_INTR_MASKING_MASK;
	vmcb->control.nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	vmcb->control.nested_cr3 = vp->pt->mmu.root_pa;

	/* the x86 reset state */
	svm_init_seg(&vmcb->save.cs, 0xf000, 0x9b, 0xffff0000);
	svm_init_seg(&vmcb->save.ds, 0, 0x93, 0);
	svm_init_seg(&vmcb->save.es, 0, 0x93, 0);
	svm_init_seg(&vmcb->save.fs, 0, 0x93, 0);
	svm_init_seg(&vmcb->save.gs, 0, 0x93, 0);
	svm_init_seg(&vmcb->save.ss, 0, 0x93, 0);
	svm_init_seg(&vmcb->save.ldtr, 0, 0x82, 0);
	svm_init_seg(&vmcb->save.tr, 0, 0x8b, 0);
	vmcb->save.gdtr.limit = 0xffff;
	vmcb->save.idtr.limit = 0xffff;
	vmcb->save.cr0 = X86_CR0_CD | X86_CR0_NW | X86_CR0_ET;
	vmcb->save.efer = EFER_SVME;
	vmcb->save.dr6 = DR6_RESERVED;
	vmcb->save.dr7 = SVM_DR7_RESET;
	vmcb->save.g_pat = 0x0007040600070406ULL;
	return 0;
}

static void svm_vp_free(struct hv_vp *vp)
{
	kfree(to_svm_vp(vp)->snap);
	free_page((unsigned long)to_svm_vp(vp)->vmcb);
}

/*
 * Emulated SVM erratum.  Under QEMU TCG (7.2, as Debian ships it) with
 * two vCPUs running guests at once, a VMRUN now and then comes back with
 * the host's own state saved as the guest's: RIP at the instruction after
 * our VMRUN, CS the kernel's.  The guest state of that run is lost.  No
 * real CPU does this, so only when hvpart itself runs in a virtual
 * machine it keeps the guest state of each entry and, on that exact
 * signature, puts it back and enters again: the guest re-executes from
 * its state at entry, as after an interrupt, instead of running host code
 * as a guest.  A guest that jumps to that address with that CS on
 * purpose only gets itself restarted.
 */
static void svm_snapshot_entry(struct svm_vp *svm)
{
	struct svm_entry_snapshot *snap = svm->snap;

	snap->save = svm->vmcb->save;
	memcpy(snap->regs, svm->vp.regs, sizeof(snap->regs));
	snap->event_inj = svm->vmcb->control.event_inj;
	snap->event_inj_err = svm->vmcb->control.event_inj_err;
}

static bool svm_lost_guest(struct svm_vp *svm)
{
	struct vmcb *vmcb = svm->vmcb;
	struct svm_entry_snapshot *snap = svm->snap;

	/* RIP inside hv_svm_vmrun(), CS the kernel's */
	if (likely(!snap) || vmcb->save.cs.selector != __KERNEL_CS ||
	    vmcb->save.rip - (unsigned long)hv_svm_vmrun >= 0x100)
		return false;

	pr_warn_once("the CPU returned host state as guest state after VMRUN (emulated SVM erratum); re-entering from the saved guest state\n");
	vmcb->save = snap->save;
	memcpy(svm->vp.regs, snap->regs, sizeof(snap->regs));
	vmcb->control.event_inj = snap->event_inj;
	vmcb->control.event_inj_err = snap->event_inj_err;
	return true;
}

/*
 * A VP gets a fresh ASID when it moves to another CPU or must drop its
 * translations; ASIDs are never reused on a CPU before a full flush.
 */
static void svm_sync_asid(struct svm_vp *svm, struct svm_cpu *sd, int cpu)
{
	bool flush = test_and_clear_bit(HV_REQ_TLB_FLUSH, &svm->vp.requests);

	if (!flush && svm->asid_cpu == cpu && svm->asid_gen == sd->asid_gen)
		return;
	if (sd->next_asid > svm_max_asid) {
		sd->asid_gen++;
		sd->next_asid = 1;
		svm->vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	}
	svm->asid = sd->next_asid++;
	svm->asid_gen = sd->asid_gen;
	svm->asid_cpu = cpu;
	svm->vmcb->control.asid = svm->asid;
}

static void svm_load_db(const u64 *db)
{
	set_debugreg(db[0], 0);
	set_debugreg(db[1], 1);
	set_debugreg(db[2], 2);
	set_debugreg(db[3], 3);
}

static void svm_save_db(u64 *db)
{
	get_debugreg(db[0], 0);
	get_debugreg(db[1], 1);
	get_debugreg(db[2], 2);
	get_debugreg(db[3], 3);
}

/*
 * Ask for an exit as soon as the guest can take an interrupt (a virtual
 * interrupt that ignores TPR), and intercept CR8 writes while an
 * interrupt only TPR holds back waits, as KVM does: the write that
 * unmasks it exits.  CR8 writes are also intercepted while a virtual
 * interrupt is pending at all: QEMU 7.2 (the emulated machine) aborts on
 * a nested guest's CR8 write in that state, and an intercepted write
 * never reaches that code.
 */
static void svm_update_irq_window(struct svm_vp *svm, bool window)
{
	struct vmcb *vmcb = svm->vmcb;
	bool tpr = !window && hv_event_tpr_threshold(&svm->vp);

	if (window || (svm->vp.deliverability_notifications & 2)) {
		vmcb->control.int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK;
		svm_set_intercept(vmcb, INTERCEPT_VINTR);
	} else {
		vmcb->control.int_ctl &= ~(V_IRQ_MASK | V_IGN_TPR_MASK);
		svm_clr_intercept(vmcb, INTERCEPT_VINTR);
	}
	if (tpr || (vmcb->control.int_ctl & V_IRQ_MASK))
		svm_set_intercept(vmcb, INTERCEPT_CR8_WRITE);
	else
		svm_clr_intercept(vmcb, INTERCEPT_CR8_WRITE);
}

/*
 * NMI blocking.  EVENTINJ delivers an NMI whatever the guest's state,
 * so the backend tracks the blocking a delivered NMI starts and ends it
 * when the guest's IRET has executed, as KVM does without vNMI: the
 * IRET intercept fires before the instruction, RIP moving on after it
 * says it is done.  An NMI that waits meanwhile single-steps the IRET
 * to get that exit at once.
 */
void svm_set_nmi_masked(struct svm_vp *svm, bool masked)
{
	svm->nmi_masked = masked;
	svm->iret_pending = false;
	if (masked)
		svm_set_intercept(svm->vmcb, INTERCEPT_IRET);
	else
		svm_clr_intercept(svm->vmcb, INTERCEPT_IRET);
}

static void svm_exit_iret(struct svm_vp *svm)
{
	svm_clr_intercept(svm->vmcb, INTERCEPT_IRET);
	svm->iret_pending = true;
	svm->iret_rip = svm->vmcb->save.rip;
	svm->vp.exit.reason = HV_EXIT_NONE;	/* now execute it */
}

/*
 * On entry: single-step the IRET if an NMI waits for it.  Not while
 * an event goes in: its frame would carry TF into the guest.
 */
static void svm_nmi_window(struct svm_vp *svm)
{
	struct vmcb *vmcb = svm->vmcb;

	if (!svm->iret_pending || vmcb->control.event_inj ||
	    !hv_event_nmi_waiting(&svm->vp))
		return;
	svm->nmi_singlestep = true;
	svm->ss_rflags = vmcb->save.rflags & (X86_EFLAGS_TF | X86_EFLAGS_RF);
	vmcb->save.rflags |= X86_EFLAGS_TF | X86_EFLAGS_RF;
}

/*
 * After any exit: blocking ends once RIP left the IRET; the guest's own
 * TF and RF come back.  Returns whether this exit is the single-step
 * #DB that only hvpart asked for.
 */
static bool svm_nmi_complete(struct svm_vp *svm, u64 code)
{
	struct vmcb *vmcb = svm->vmcb;
	bool ours = false;

	if (svm->nmi_singlestep) {
		svm->nmi_singlestep = false;
		svm->vp.rflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_RF) |
				  svm->ss_rflags;
		ours = code == SVM_EXIT_EXCP_BASE + X86_TRAP_DB &&
		       !(svm->ss_rflags & X86_EFLAGS_TF);
		if (ours)
			vmcb->save.dr6 &= ~DR_STEP;
	}
	if (svm->iret_pending && vmcb->save.rip != svm->iret_rip)
		svm_set_nmi_masked(svm, false);
	return ours;
}

/*
 * The emulated erratum's way in for an external interrupt (see
 * svm_lost_guest()).  QEMU TCG (7.2; 10.0 reads the same) delivers an
 * EVENTINJ interrupt inside VMRUN but leaves its vector behind as the
 * vCPU's pending exception: when its loop next stops for another vCPU or
 * an I/O thread, it delivers that vector once more, whatever RFLAGS.IF,
 * inside the handler it just entered.  A Linux guest then faults in its
 * entry code or deadlocks on a lock it holds.  A virtual interrupt
 * (V_IRQ, TPR ignored) goes through QEMU's interrupt path, which leaves
 * nothing behind; the guest takes it at once, being interruptible.
 * svm_complete_event() sees whether it did.
 */
static void svm_inject_virq(struct svm_vp *svm, u8 vector)
{
	struct vmcb *vmcb = svm->vmcb;

	vmcb->control.int_vector = vector;
	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~V_INTR_PRIO_MASK) |
				V_IRQ_MASK | V_IGN_TPR_MASK |
				(0xf << V_INTR_PRIO_SHIFT);
	svm_clr_intercept(vmcb, INTERCEPT_VINTR);
	/* a pending V_IRQ and the guest's CR8 write: see above */
	svm_set_intercept(vmcb, INTERCEPT_CR8_WRITE);
	svm->virq_injected = true;
}

/*
 * After an entry with a V_IRQ: QEMU TCG's VMRUN marks the V_IRQ pending
 * (CPU_INTERRUPT_VIRQ) in the vCPU's interrupt-request word without the
 * lock under which its I/O thread posts this CPU's own APIC timer there
 * (CPU_INTERRUPT_POLL).  When the two meet, the timer's post is lost: its
 * vector sits in our APIC's IRR and the vCPU is never told, so an idle
 * CPU sleeps until some other interrupt comes, minutes under NOHZ, and
 * its timers with it.  Writing TPR back makes QEMU's APIC look at IRR
 * again.  Runs with interrupts off; Linux leaves TPR alone once set up.
 */
static void svm_repoll_host_apic(void)
{
	apic->write(APIC_TASKPRI, apic->read(APIC_TASKPRI));
}

/*
 * Write hv_core's next event into EVENTINJ.  A software event returns
 * past its instruction: with NRIPS through next_rip, without by moving
 * RIP, which svm_complete_event() moves back if the exit cut it short.
 */
static void svm_inject_event(struct svm_vp *svm)
{
	struct hv_vp *vp = &svm->vp;
	struct vmcb *vmcb = svm->vmcb;
	bool interruptible, injected, window;
	struct hv_event ev;
	u32 type;

	vmcb->control.event_inj = 0;
	svm->soft_len = 0;
	svm->nmi_injected = false;
	interruptible = (vp->rflags & X86_EFLAGS_IF) &&
			!(vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK);
	injected = hv_event_next(vp, interruptible,
				 vmcb->save.cr0 & X86_CR0_PE, &ev, &window);
	svm_update_irq_window(svm, window);
	if (!injected)
		return;

	switch (ev.type) {
	case HV_EVENT_EXT_INTR:
		if (svm_lost_guest_erratum && interruptible) {
			svm_inject_virq(svm, ev.vector);
			return;
		}
		type = SVM_EVTINJ_TYPE_INTR;
		break;
	case HV_EVENT_NMI:
		type = SVM_EVTINJ_TYPE_NMI;
		svm->nmi_injected = true;
		break;
	case HV_EVENT_SOFT_INTR:
		type = SVM_EVTINJ_TYPE_SOFT;
		break;
	default:	/* hardware and software exceptions */
		type = SVM_EVTINJ_TYPE_EXEPT;
		break;
	}
	if (ev.type >= HV_EVENT_SOFT_INTR) {
		svm->soft_len = ev.insn_len;
		if (svm_nrips)
			vmcb->control.next_rip = vp->rip + ev.insn_len;
		else
			vmcb->save.rip = vp->rip + ev.insn_len;
		svm->soft_rip = vmcb->save.rip;
	}
	vmcb->control.event_inj = ev.vector | type | SVM_EVTINJ_VALID |
				  (ev.has_error ? SVM_EVTINJ_VALID_ERR : 0);
	vmcb->control.event_inj_err = ev.error;
}

/*
 * After the exit: what was injected went through, unless EXITINTINFO
 * gives back an event the exit cut short.  That one goes back into the
 * queue.  EXITINTINFO has no instruction length: a software event
 * (INT n, INT3, INTO) the guest raised itself is re-executed (hv_core
 * drops it); one we injected keeps its length, and RIP its instruction.
 */
static void svm_complete_event(struct svm_vp *svm)
{
	struct vmcb *vmcb = svm->vmcb;
	u32 info = vmcb->control.exit_int_info;
	u8 vector = info & SVM_EXITINTINFO_VEC_MASK;
	bool virq_waits = false;
	u8 type, len = 0;
	bool ours;

	if (svm->virq_injected) {
		svm->virq_injected = false;
		virq_waits = vmcb->control.int_ctl & V_IRQ_MASK;
		vmcb->control.int_ctl &= ~(V_IRQ_MASK | V_IGN_TPR_MASK);
	}
	/* an invalid VMRUN delivered nothing: the event stays queued */
	if (vmcb->control.exit_code == (u32)SVM_EXIT_ERR)
		return;
	/* a V_IRQ not yet taken, nor cut short, waits for the next entry */
	if (virq_waits && !(info & SVM_EXITINTINFO_VALID)) {
		hv_event_not_delivered(&svm->vp);
		return;
	}
	hv_event_delivered(&svm->vp);
	if (svm->nmi_injected &&
	    (info & (SVM_EXITINTINFO_VALID | SVM_EXITINTINFO_TYPE_MASK)) !=
	    (SVM_EXITINTINFO_VALID | SVM_EXITINTINFO_TYPE_NMI))
		svm_set_nmi_masked(svm, true);
	if (!(info & SVM_EXITINTINFO_VALID))
		return;
	ours = svm->soft_len && vmcb->save.rip == svm->soft_rip;
	switch (info & SVM_EXITINTINFO_TYPE_MASK) {
	case SVM_EXITINTINFO_TYPE_INTR:
		type = HV_EVENT_EXT_INTR;
		break;
	case SVM_EXITINTINFO_TYPE_NMI:
		type = HV_EVENT_NMI;
		break;
	case SVM_EXITINTINFO_TYPE_SOFT:
		type = HV_EVENT_SOFT_INTR;
		break;
	default:
		type = vector == X86_TRAP_BP || vector == X86_TRAP_OF ?
		       HV_EVENT_SOFT_EXC : HV_EVENT_EXCEPTION;
		/* QEMU reports a V_IRQ delivery cut short as an exception */
		if (vector >= FIRST_EXTERNAL_VECTOR)
			type = HV_EVENT_EXT_INTR;
		break;
	}
	if (type >= HV_EVENT_SOFT_INTR && ours) {
		len = svm->soft_len;
		if (!svm_nrips)
			svm->vp.rip -= len;
	}
	hv_event_requeue(&svm->vp, type, vector,
			 info & SVM_EXITINTINFO_VALID_ERR,
			 vmcb->control.exit_int_info_err, len);
}

static void svm_decode_exit(struct svm_vp *svm);

static int svm_vp_run(struct hv_vp *vp)
{
	struct svm_vp *svm = to_svm_vp(vp);
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu_data);
	struct vmcb *vmcb = svm->vmcb;

	svm_sync_asid(svm, sd, smp_processor_id());
	vmcb->save.rax = vp->regs[HV_RAX];
	vmcb->save.rsp = vp->regs[HV_RSP];
	vmcb->save.rip = vp->rip;
	vmcb->save.rflags = vp->rflags;
	svm_inject_event(svm);
	svm_nmi_window(svm);
	vmcb->control.tsc_offset = vp->tsc_offset;
	if (svm->dr_live)
		svm_load_db(svm->db);

	if (unlikely(svm->snap))
		svm_snapshot_entry(svm);

	asm volatile("clgi" ::: "memory");
	hv_svm_vmrun(svm->vmcb_pa, vp->regs, sd->host_save_pa);
	asm volatile("stgi" ::: "memory");
	if (svm->virq_injected)
		svm_repoll_host_apic();

	/*
	 * Nothing ran: the same state and event go in again.  Except after
	 * an invalid VMRUN (QEMU saves the host's state on that one too):
	 * with the guest's state back, it goes to the root as the exit it
	 * is on hardware, rather than failing again forever.
	 */
	if (unlikely(svm_lost_guest(svm)) &&
	    vmcb->control.exit_code != (u32)SVM_EXIT_ERR) {
		vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
		vp->exit.reason = HV_EXIT_NONE;
		return 0;
	}

	if (svm->dr_live)
		svm_save_db(svm->db);
	vp->regs[HV_RAX] = vmcb->save.rax;
	vp->regs[HV_RSP] = vmcb->save.rsp;
	vp->rip = vmcb->save.rip;
	vp->rflags = vmcb->save.rflags;
	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;

	svm_decode_exit(svm);
	return 0;
}

static int svm_get_cpl(struct hv_vp *vp)
{
	return to_svm_vp(vp)->vmcb->save.cpl;
}

static void svm_clear_interrupt_shadow(struct hv_vp *vp)
{
	to_svm_vp(vp)->vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

static void svm_hypercall_insn(u8 *buf)
{
	/* VMMCALL */
	buf[0] = 0x0f;
	buf[1] = 0x01;
	buf[2] = 0xd9;
}

/* ---- exits ---------------------------------------------------------- */

/*
 * Handlers decode a hardware exit into vp->exit.  Exits the backend
 * settles itself (host interrupts, first use of DR0-3, reinjected
 * exceptions) leave HV_EXIT_NONE, and hv_core re-enters the guest.
 */
static void svm_set_len(struct svm_vp *svm, u8 fixed)
{
	struct vmcb *vmcb = svm->vmcb;

	svm->vp.exit.insn_len = svm_nrips ?
		vmcb->control.next_rip - vmcb->save.rip : fixed;
}

static void svm_exit_none(struct svm_vp *svm)
{
	svm->vp.exit.reason = HV_EXIT_NONE;
}

static void svm_exit_ud(struct svm_vp *svm)
{
	svm->vp.exit.reason = HV_EXIT_UD;
}

static void svm_exit_vintr(struct svm_vp *svm)
{
	svm->vmcb->control.int_ctl &= ~(V_IRQ_MASK | V_IGN_TPR_MASK);
	svm_clr_intercept(svm->vmcb, INTERCEPT_VINTR);
	/* the root asked, or a queued interrupt of its waits for IF=1 */
	if (svm->vp.deliverability_notifications & 2)
		svm->vp.exit.reason = HV_EXIT_INTR_WINDOW;
	else
		svm->vp.exit.reason = HV_EXIT_NONE;
}

static void svm_exit_cpuid(struct svm_vp *svm)
{
	svm->vp.exit.reason = HV_EXIT_CPUID;
	svm_set_len(svm, 2);
}

static void svm_exit_cr8_write(struct svm_vp *svm)
{
	/* hv_core decodes the MOV (no decode assists in every CPU) */
	svm->vp.exit.reason = HV_EXIT_CR8_WRITE;
}

static void svm_exit_hlt(struct svm_vp *svm)
{
	svm->vp.exit.reason = HV_EXIT_HLT;
	svm_set_len(svm, 1);
}

static void svm_exit_vmmcall(struct svm_vp *svm)
{
	svm->vp.exit.reason = HV_EXIT_HYPERCALL;
	svm_set_len(svm, 3);
}

static void svm_exit_xsetbv(struct svm_vp *svm)
{
	svm->vp.exit.reason = HV_EXIT_XSETBV;
	svm_set_len(svm, 3);
}

static void svm_exit_rdpmc(struct svm_vp *svm)
{
	svm->vp.exit.reason = HV_EXIT_RDPMC;
	svm_set_len(svm, 2);
}

static void svm_exit_wbinvd(struct svm_vp *svm)
{
	svm->vp.exit.reason = HV_EXIT_WBINVD;
	svm_set_len(svm, 2);
}

static void svm_exit_mc(struct svm_vp *svm)
{
	hv_host_machine_check();
	svm->vp.exit.reason = HV_EXIT_NONE;
}

static void svm_exit_invd(struct svm_vp *svm)
{
	/* INVD would drop the host's dirty lines: treat it as WBINVD */
	svm_set_len(svm, 2);
	hv_vp_advance_rip(&svm->vp, svm->vp.exit.insn_len);
	svm->vp.exit.reason = HV_EXIT_NONE;
}

static void svm_exit_ioio(struct svm_vp *svm)
{
	struct vmcb *vmcb = svm->vmcb;
	struct hv_exit *e = &svm->vp.exit;
	u64 info = vmcb->control.exit_info_1;

	e->reason = HV_EXIT_IO;
	e->io.port = info >> 16;
	e->io.in = info & SVM_IOIO_TYPE_MASK;
	e->io.string = info & SVM_IOIO_STR_MASK;
	e->io.rep = info & SVM_IOIO_REP_MASK;
	e->io.size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
	/* EXITINFO2 is the next RIP for IOIO, with or without NRIPS */
	e->insn_len = vmcb->control.exit_info_2 - vmcb->save.rip;
}

static void svm_exit_msr(struct svm_vp *svm)
{
	svm->vp.exit.reason = svm->vmcb->control.exit_info_1 ?
			      HV_EXIT_MSR_WRITE : HV_EXIT_MSR_READ;
	svm_set_len(svm, 2);
}

static void svm_exit_shutdown(struct svm_vp *svm)
{
	/* the VMCB is undefined after shutdown: nothing is redelivered */
	hv_event_clear(&svm->vp);
	svm->vp.exit.reason = HV_EXIT_SHUTDOWN;
}

static void svm_exit_npf(struct svm_vp *svm)
{
	struct vmcb *vmcb = svm->vmcb;
	struct hv_exit *e = &svm->vp.exit;
	u64 err = vmcb->control.exit_info_1;

	e->reason = HV_EXIT_NPF;
	e->npf.gpa = vmcb->control.exit_info_2;
	if (err & NPF_ERR_FETCH)
		e->npf.access = HVPART_INTERCEPT_ACCESS_EXECUTE;
	else if (err & NPF_ERR_WRITE)
		e->npf.access = HVPART_INTERCEPT_ACCESS_WRITE;
	else
		e->npf.access = HVPART_INTERCEPT_ACCESS_READ;
	if (svm_decode_assists) {
		e->insn_count = min_t(u8, vmcb->control.insn_len,
				      sizeof(vmcb->control.insn_bytes));
		memcpy(e->insn, vmcb->control.insn_bytes, e->insn_count);
	}
}

/*
 * DR0-3 are this VP's from now on: loaded before each entry, accessed
 * by the guest without exits.  On the guest's first use, or when the
 * root sets a debug register (its breakpoints must not fire on another
 * VP's DR0-3).
 */
void svm_dr_make_live(struct svm_vp *svm)
{
	int i;

	for (i = 0; i < 4; i++) {
		svm_clr_intercept(svm->vmcb, INTERCEPT_DR0_READ + i);
		svm_clr_intercept(svm->vmcb, INTERCEPT_DR0_WRITE + i);
	}
	svm_clr_intercept(svm->vmcb, INTERCEPT_DR7_WRITE);
	svm->dr_live = true;
}

/* First guest use of DR0-3 or DR7: hand them over, stop intercepting. */
static void svm_exit_dr(struct svm_vp *svm)
{
	svm_dr_make_live(svm);
	svm->vp.exit.reason = HV_EXIT_NONE;	/* re-execute the MOV */
}

static void svm_exit_reinject(struct svm_vp *svm)
{
	u8 vector = svm->vmcb->control.exit_code - SVM_EXIT_EXCP_BASE;

	hv_event_requeue(&svm->vp, HV_EVENT_EXCEPTION, vector,
			 vector == X86_TRAP_AC, 0, 0);
	svm->vp.exit.reason = HV_EXIT_NONE;
}

static void (*const svm_exit_handlers[])(struct svm_vp *svm) = {
	[SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR3]	= svm_exit_dr,
	[SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR3]	= svm_exit_dr,
	[SVM_EXIT_WRITE_DR7]	= svm_exit_dr,
	[SVM_EXIT_EXCP_BASE + X86_TRAP_MC]	= svm_exit_mc,
	[SVM_EXIT_RDPMC]	= svm_exit_rdpmc,
	[SVM_EXIT_WBINVD]	= svm_exit_wbinvd,
	[SVM_EXIT_EXCP_BASE + X86_TRAP_DB]	= svm_exit_reinject,
	[SVM_EXIT_EXCP_BASE + X86_TRAP_AC]	= svm_exit_reinject,
	[SVM_EXIT_INTR]		= svm_exit_none,
	[SVM_EXIT_IRET]		= svm_exit_iret,
	[SVM_EXIT_NMI]		= svm_exit_none,
	[SVM_EXIT_SMI]		= svm_exit_none,
	[SVM_EXIT_VINTR]	= svm_exit_vintr,
	[SVM_EXIT_WRITE_CR8]	= svm_exit_cr8_write,
	[SVM_EXIT_CPUID]	= svm_exit_cpuid,
	[SVM_EXIT_INVD]		= svm_exit_invd,
	[SVM_EXIT_HLT]		= svm_exit_hlt,
	[SVM_EXIT_INVLPGA]	= svm_exit_ud,
	[SVM_EXIT_IOIO]		= svm_exit_ioio,
	[SVM_EXIT_MSR]		= svm_exit_msr,
	[SVM_EXIT_SHUTDOWN]	= svm_exit_shutdown,
	[SVM_EXIT_VMRUN]	= svm_exit_ud,
	[SVM_EXIT_VMMCALL]	= svm_exit_vmmcall,
	[SVM_EXIT_VMLOAD]	= svm_exit_ud,
	[SVM_EXIT_VMSAVE]	= svm_exit_ud,
	[SVM_EXIT_STGI]		= svm_exit_ud,
	[SVM_EXIT_CLGI]		= svm_exit_ud,
	[SVM_EXIT_SKINIT]	= svm_exit_ud,
	[SVM_EXIT_RDTSCP]	= svm_exit_ud,
	[SVM_EXIT_MONITOR]	= svm_exit_ud,
	[SVM_EXIT_MWAIT]	= svm_exit_ud,
	[SVM_EXIT_MWAIT_COND]	= svm_exit_ud,
	[SVM_EXIT_XSETBV]	= svm_exit_xsetbv,
	[SVM_EXIT_RDPRU]	= svm_exit_ud,
	[SVM_EXIT_NPF]		= svm_exit_npf,
};

/* No handler: report the raw exit to the root; never skip and resume. */
static void svm_handle_unexpected_exit(struct svm_vp *svm)
{
	svm->vp.exit.reason = HV_EXIT_UNHANDLED;
}

static void svm_decode_exit(struct svm_vp *svm)
{
	struct vmcb *vmcb = svm->vmcb;
	struct hv_exit *e = &svm->vp.exit;
	u64 code = ((u64)vmcb->control.exit_code_hi << 32) |
		   vmcb->control.exit_code;

	e->insn_len = 0;
	e->insn_count = 0;
	e->code = code;
	e->info1 = vmcb->control.exit_info_1;
	e->info2 = vmcb->control.exit_info_2;

	svm_complete_event(svm);
	if (svm_nmi_complete(svm, code)) {
		e->reason = HV_EXIT_NONE;
		return;
	}

	if (code < ARRAY_SIZE(svm_exit_handlers)) {
		void (*handler)(struct svm_vp *svm);

		handler = svm_exit_handlers[array_index_nospec(code,
					    ARRAY_SIZE(svm_exit_handlers))];
		if (handler) {
			handler(svm);
			return;
		}
	}
	svm_handle_unexpected_exit(svm);
}

static const struct hv_vendor_ops svm_ops = {
	.name			= "svm",
	.vendor			= HVPART_VENDOR_SVM,
	.vp_size		= sizeof(struct svm_vp),
	.pte_format		= &svm_npt_format,
	.hardware_setup		= svm_hardware_setup,
	.hardware_unsetup	= svm_hardware_unsetup,
	.hardware_enable	= svm_hardware_enable,
	.hardware_disable	= svm_hardware_disable,
	.vp_create		= svm_vp_create,
	.vp_free		= svm_vp_free,
	.vp_run			= svm_vp_run,
	.get_reg		= svm_get_reg,
	.set_reg		= svm_set_reg,
	.get_cpl		= svm_get_cpl,
	.clear_interrupt_shadow	= svm_clear_interrupt_shadow,
	.hypercall_insn		= svm_hypercall_insn,
};

int hv_svm_probe(const struct hv_vendor_ops **ops)
{
	u64 vm_cr;

	if (!boot_cpu_has(X86_FEATURE_SVM))
		return -ENODEV;
	if (!boot_cpu_has(X86_FEATURE_NPT)) {
		pr_err("SVM without nested paging is not supported\n");
		return -ENODEV;
	}
	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & SVM_VM_CR_SVMDIS) {
		pr_err("SVM is disabled by the firmware\n");
		return -ENODEV;
	}

	svm_max_asid = cpuid_ebx(SVM_CPUID_FUNC) - 1;
	if (!svm_max_asid) {
		pr_err("no ASIDs available for guests\n");
		return -ENODEV;
	}
	svm_nrips = cpuid_edx(SVM_CPUID_FUNC) & SVM_CPUID_EDX_NRIPS;
	if (svm_lost_guest_erratum)
		pr_info("emulated-SVM erratum workaround on\n");
	svm_decode_assists = cpuid_edx(SVM_CPUID_FUNC) &
			     SVM_CPUID_EDX_DECODE_ASSISTS;
	*ops = &svm_ops;
	return 0;
}
