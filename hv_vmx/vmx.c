// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmx: the Intel VMX backend.  VMX root on each CPU, a VMCS per VP,
 * VPIDs, EPT, the VMLAUNCH/VMRESUME round trip.  TLFS semantics are
 * hv_core's: exits are decoded into struct hv_exit (vmx_exit.c).
 *
 * Where a VMCS lives.  A VMCS is active (VMPTRLD) on at most one CPU, and
 * each CPU has at most one active VMCS (vmx_cpu.loaded).  It is active
 * only on the CPU that runs the VP's thread inside HVPART_RUN_VP, or for
 * the length of a preempt-disabled register access.  A preempt notifier,
 * registered on the first entry of a run and removed by vp_put, VMCLEARs
 * it when that thread is scheduled out, so a VP that moves to another CPU
 * never needs an IPI to VMCLEAR it where it was: vp_run (interrupts off)
 * only ever VMPTRLDs on its own CPU.  The guest's syscall MSRs follow the
 * same lifetime: loaded before the first entry on a CPU, put back (host
 * values) when the VMCS is cleared, so a scheduled-out thread never leaves
 * guest MSRs behind.  Cost: one VMPTRLD, ten WRMSRs and one VMCLEAR per
 * time slice of the VP thread, not per exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <asm/apic.h>
#include <asm/cpu_entry_area.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fsgsbase.h>
#ifdef HV_HAVE_ASM_GSSEG_H
#include <asm/gsseg.h>		/* load_gs_index() since 6.2 */
#endif
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>

#include "hv_vmx/vmx.h"

#define VMX_CPUID_ECX_VMX	BIT(5)
#define VMX_DR7_RESET		0x400ULL

/* EPT entries; a walk of the tables is a read of memory of type WB. */
#define EPT_R		VMX_EPT_READABLE_MASK
#define EPT_W		VMX_EPT_WRITABLE_MASK
#define EPT_X		VMX_EPT_EXECUTABLE_MASK
#define EPT_MT_WB	(6ULL << VMX_EPT_MT_EPTE_SHIFT)
#define EPTP_MT_WB	6ULL

static const struct hv_pte_format vmx_ept_format = {
	.table	= EPT_R | EPT_W | EPT_X,
	.leaf	= EPT_MT_WB,
	.read	= EPT_R,
	.write	= EPT_W,
	.exec	= EPT_X,
	.noexec	= 0,
};

/* What the CPU offers, read once at probe time. */
struct vmx_caps {
	u32 revision;
	u32 pin;
	u32 exec;
	u32 exec2;
	u32 exit;
	u32 entry;
	u64 ept_vpid;
	u64 misc;
	u64 cr0_fixed0;
	u64 cr0_fixed1;
	u64 cr4_fixed0;
	u64 cr4_fixed1;
	u32 slice;		/* VMX-preemption timer ticks per entry */
	bool nmi_window;	/* virtual NMIs with NMI-window exiting */
};

/*
 * The longest a guest runs per entry without an exit of its own, when the
 * CPU has the VMX-preemption timer.  External-interrupt exiting already
 * bounds it on hardware; Bochs 2.7 re-evaluates interrupt masking at VM
 * entry only when RFLAGS.IF changes, so a guest entered with IF=0 never
 * exits for a host interrupt there, and the timer keeps the host alive.
 */
#define VMX_SLICE_US	2000
#define VMX_MISC_TIMER_RATE	GENMASK_ULL(4, 0)

struct vmx_cpu {
	void *vmxon;
	u64 vmxon_pa;
	bool on;
	struct vmx_vp *loaded;		/* the one VMCS active on this CPU */

	/* host state that differs per CPU, read when VMX is turned on */
	unsigned long tr_base;
	unsigned long gdt_base;
	unsigned long idt_base;
	unsigned long gs_base;
	u64 sysenter_cs;
	u64 sysenter_esp;
	u64 sysenter_eip;
	u64 efer;
	u64 pat;

	/* host values while a guest's syscall MSRs are loaded */
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u64 fs_base;
	u64 debugctl;
	u16 ds, es, fs, gs;
	u16 ldt;		/* a VM exit loads a null LDTR */
};

static DEFINE_PER_CPU(struct vmx_cpu, vmx_cpu_data);
static struct vmx_caps vmx_caps __ro_after_init;
static void *vmx_msr_bitmap;
static DEFINE_IDA(vmx_vpid_ida);

/* vmenter.S writes HOST_RSP by its encoding */
static_assert(HOST_RSP == 0x6c14);

/* ---- VMX instructions ---------------------------------------------- */

static unsigned long vmx_insn_error(void)
{
	unsigned long err;
	bool fail;

	asm volatile("vmread %[field], %[val]"
		     CC_SET(be)
		     : CC_OUT(be) (fail), [val] "=r" (err)
		     : [field] "r" ((unsigned long)VM_INSTRUCTION_ERROR)
		     : "cc");
	return fail ? ~0UL : err;
}

/* A VMREAD or VMWRITE failed: a bug in this backend, not the guest. */
void vmx_insn_failed(const char *insn, unsigned long field)
{
	WARN_ONCE(1, KBUILD_MODNAME ": %s of field %#lx failed (VM-instruction error %ld)\n",
		  insn, field, (long)vmx_insn_error());
}

static int vmx_vmxon(u64 pa)
{
	bool fail;

	asm volatile("vmxon %[pa]"
		     CC_SET(be)
		     : CC_OUT(be) (fail)
		     : [pa] "m" (pa)
		     : "cc", "memory");
	return fail ? -EIO : 0;
}

static void vmx_vmxoff(void)
{
	asm volatile("vmxoff" ::: "cc", "memory");
}

/*
 * VMCLEAR; on failure the VM-instruction error (or -1), else 0.  Quiet:
 * it also runs from the scheduler's preempt notifier, under the run
 * queue lock, where printk must not be called.
 */
static int vmx_vmclear(u64 pa)
{
	bool fail;

	asm volatile("vmclear %[pa]"
		     CC_SET(be)
		     : CC_OUT(be) (fail)
		     : [pa] "m" (pa)
		     : "cc", "memory");
	return unlikely(fail) ? (int)vmx_insn_error() : 0;
}

static int vmx_vmptrld(u64 pa)
{
	bool fail;

	asm volatile("vmptrld %[pa]"
		     CC_SET(be)
		     : CC_OUT(be) (fail)
		     : [pa] "m" (pa)
		     : "cc", "memory");
	if (unlikely(fail)) {
		pr_err_ratelimited("VMPTRLD %#llx failed (VM-instruction error %ld)\n",
				   pa, (long)vmx_insn_error());
		return -EIO;
	}
	return 0;
}

static void vmx_invept(unsigned long type, u64 eptp)
{
	struct {
		u64 eptp;
		u64 rsvd;
	} desc = { eptp, 0 };
	bool fail;

	asm volatile("invept %[desc], %[type]"
		     CC_SET(be)
		     : CC_OUT(be) (fail)
		     : [desc] "m" (desc), [type] "r" (type)
		     : "cc", "memory");
	if (unlikely(fail))
		pr_err_ratelimited("INVEPT type %lu failed (VM-instruction error %ld)\n",
				   type, (long)vmx_insn_error());
}

static void vmx_invvpid(unsigned long type, u16 vpid)
{
	struct {
		u64 vpid;
		u64 gva;
	} desc = { vpid, 0 };
	bool fail;

	asm volatile("invvpid %[desc], %[type]"
		     CC_SET(be)
		     : CC_OUT(be) (fail)
		     : [desc] "m" (desc), [type] "r" (type)
		     : "cc", "memory");
	if (unlikely(fail))
		pr_err_ratelimited("INVVPID type %lu failed (VM-instruction error %ld)\n",
				   type, (long)vmx_insn_error());
}

/* ---- capabilities --------------------------------------------------- */

static bool vmx_has_ept(u64 bit)
{
	return vmx_caps.ept_vpid & bit;
}

static bool vmx_has_vpid(u64 bit)
{
	return vmx_caps.ept_vpid & (bit << 32);
}

u64 vmx_cr0_fixed(void)
{
	/* unrestricted guest: PE and PG are the guest's to clear */
	return vmx_caps.cr0_fixed0 & ~(u64)(X86_CR0_PE | X86_CR0_PG);
}

/* CR0 bits the guest sees through the read shadow */
u64 vmx_cr0_host_owned(void)
{
	return vmx_cr0_fixed() | ~vmx_caps.cr0_fixed1 | X86_CR0_CD |
	       X86_CR0_NW;
}

u64 vmx_cr4_fixed(void)
{
	return vmx_caps.cr4_fixed0;
}

/* CR4 bits a guest may own: the ones SVM lets it set, if VMX has them */
u64 vmx_cr4_allowed(void)
{
	u64 allowed = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |
		      X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE |
		      X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |
		      X86_CR4_FSGSBASE | X86_CR4_PCIDE | X86_CR4_OSXSAVE |
		      X86_CR4_SMEP | X86_CR4_SMAP;

	return allowed & vmx_caps.cr4_fixed1 & ~vmx_caps.cr4_fixed0;
}

bool vmx_zero_len_insn_ok(void)
{
	return vmx_caps.misc & BIT_ULL(30);
}

/*
 * Fold a control word into what the CPU allows: the low half of the
 * capability MSR holds bits that must be 1, the high half bits that may.
 */
static int vmx_adjust(const char *what, u32 msr, u32 want, u32 opt, u32 *ctl)
{
	u32 must, may;

	rdmsr(msr, must, may);
	*ctl = ((want | opt) & may) | must;
	if (want & ~*ctl) {
		pr_err("VMX %s controls %#x unsupported (allowed %#x)\n",
		       what, want & ~*ctl, may);
		return -ENODEV;
	}
	return 0;
}

static int vmx_setup_controls(u64 basic)
{
	bool true_ctls = basic & VMX_BASIC_TRUE_CTLS;
	u64 exec2;
	int ret;

	ret = vmx_adjust("pin-based", true_ctls ?
			 MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			 MSR_IA32_VMX_PINBASED_CTLS,
			 PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING,
			 PIN_BASED_VIRTUAL_NMIS | PIN_BASED_VMX_PREEMPTION_TIMER,
			 &vmx_caps.pin);
	if (ret)
		return ret;
	/*
	 * Every I/O port and MSR exits (hv_core decides).  CR8 goes to the
	 * TPR shadow; CR3 accesses and INVLPG stay in the guest (EPT).
	 */
	ret = vmx_adjust("processor-based", true_ctls ?
			 MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			 MSR_IA32_VMX_PROCBASED_CTLS,
			 CPU_BASED_HLT_EXITING | CPU_BASED_MWAIT_EXITING |
			 CPU_BASED_MONITOR_EXITING |
			 CPU_BASED_UNCOND_IO_EXITING |
			 CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_TPR_SHADOW |
			 CPU_BASED_MOV_DR_EXITING | CPU_BASED_RDPMC_EXITING |
			 CPU_BASED_USE_TSC_OFFSETTING |
			 CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
			 CPU_BASED_NMI_WINDOW_EXITING, &vmx_caps.exec);
	if (ret)
		return ret;
	/* NMI-window exiting is on only while an NMI waits (sync_controls) */
	vmx_caps.nmi_window = (vmx_caps.exec & CPU_BASED_NMI_WINDOW_EXITING) &&
			      (vmx_caps.pin & PIN_BASED_VIRTUAL_NMIS);
	vmx_caps.exec &= ~CPU_BASED_NMI_WINDOW_EXITING;
	vmx_caps.exec &= ~(CPU_BASED_CR3_LOAD_EXITING |
			   CPU_BASED_CR3_STORE_EXITING |
			   CPU_BASED_INVLPG_EXITING);
	if (vmx_caps.exec & (CPU_BASED_CR8_LOAD_EXITING |
			     CPU_BASED_CR8_STORE_EXITING)) {
		pr_err("VMX requires CR8 exiting: unsupported\n");
		return -ENODEV;
	}

	/* allowed-1 settings in the high half */
	rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS2, exec2);
	if (!((exec2 >> 32) & SECONDARY_EXEC_ENABLE_EPT) ||
	    !((exec2 >> 32) & SECONDARY_EXEC_UNRESTRICTED_GUEST)) {
		pr_err("VMX without EPT and unrestricted guest is not supported\n");
		return -ENODEV;
	}
	ret = vmx_adjust("secondary", MSR_IA32_VMX_PROCBASED_CTLS2,
			 SECONDARY_EXEC_ENABLE_EPT |
			 SECONDARY_EXEC_UNRESTRICTED_GUEST,
			 SECONDARY_EXEC_ENABLE_VPID |
			 SECONDARY_EXEC_WBINVD_EXITING, &vmx_caps.exec2);
	if (ret)
		return ret;

	ret = vmx_adjust("VM-exit", true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
			 MSR_IA32_VMX_EXIT_CTLS,
			 VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_PAT |
			 VM_EXIT_LOAD_IA32_PAT | VM_EXIT_SAVE_IA32_EFER |
			 VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_DEBUG_CONTROLS,
			 0, &vmx_caps.exit);
	if (ret)
		return ret;
	/* the host takes interrupts itself once hv_core enables them */
	if (vmx_caps.exit & VM_EXIT_ACK_INTR_ON_EXIT) {
		pr_err("VMX forces acknowledge-interrupt-on-exit\n");
		return -ENODEV;
	}

	ret = vmx_adjust("VM-entry", true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			 MSR_IA32_VMX_ENTRY_CTLS,
			 VM_ENTRY_LOAD_DEBUG_CONTROLS | VM_ENTRY_LOAD_IA32_PAT |
			 VM_ENTRY_LOAD_IA32_EFER, VM_ENTRY_IA32E_MODE,
			 &vmx_caps.entry);
	if (ret)
		return ret;
	/* IA-32e mode guest is per VP; only check that it may be set */
	if (!(vmx_caps.entry & VM_ENTRY_IA32E_MODE)) {
		pr_err("VMX cannot enter 64-bit guests\n");
		return -ENODEV;
	}
	vmx_caps.entry &= ~VM_ENTRY_IA32E_MODE;
	return 0;
}

static int vmx_read_caps(void)
{
	u64 basic;
	int ret;

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	vmx_caps.revision = basic & 0x7fffffff;
	if (((basic >> 32) & 0x1fff) > PAGE_SIZE) {
		pr_err("VMCS larger than a page\n");
		return -ENODEV;
	}
	if (((basic >> 50) & 0xf) != 6) {
		pr_err("VMCS memory type is not write-back\n");
		return -ENODEV;
	}
	if (basic & BIT_ULL(48)) {
		pr_err("VMX limited to 32-bit physical addresses\n");
		return -ENODEV;
	}

	ret = vmx_setup_controls(basic);
	if (ret)
		return ret;

	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, vmx_caps.ept_vpid);
	if (!vmx_has_ept(VMX_EPT_PAGE_WALK_4_BIT) ||
	    !vmx_has_ept(VMX_EPTP_WB_BIT) ||
	    !vmx_has_ept(VMX_EPT_INVEPT_BIT) ||
	    !vmx_has_ept(VMX_EPT_EXTENT_CONTEXT_BIT |
			 VMX_EPT_EXTENT_GLOBAL_BIT)) {
		pr_err("EPT lacks 4-level walks, write-back or INVEPT\n");
		return -ENODEV;
	}
	if ((vmx_caps.exec2 & SECONDARY_EXEC_ENABLE_VPID) &&
	    (!vmx_has_vpid(VMX_VPID_INVVPID_BIT) ||
	     !vmx_has_vpid(VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT |
			   VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT)))
		vmx_caps.exec2 &= ~SECONDARY_EXEC_ENABLE_VPID;

	rdmsrl(MSR_IA32_VMX_MISC, vmx_caps.misc);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, vmx_caps.cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, vmx_caps.cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, vmx_caps.cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, vmx_caps.cr4_fixed1);

	if (vmx_caps.pin & PIN_BASED_VMX_PREEMPTION_TIMER) {
		/* the timer ticks every 2^MISC[4:0] TSC cycles */
		u64 ticks = (u64)(tsc_khz ?: 1000000) * VMX_SLICE_US / 1000;

		ticks >>= vmx_caps.misc & VMX_MISC_TIMER_RATE;
		vmx_caps.slice = clamp_t(u64, ticks, 1, U32_MAX);
	}
	return 0;
}

/* ---- VMX root ------------------------------------------------------- */

static void vmx_flush_all(void)
{
	if (vmx_has_ept(VMX_EPT_EXTENT_GLOBAL_BIT))
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	if ((vmx_caps.exec2 & SECONDARY_EXEC_ENABLE_VPID) &&
	    vmx_has_vpid(VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT))
		vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
}

static void vmx_read_host_cpu_state(struct vmx_cpu *vc, int cpu)
{
	struct desc_ptr dt;

	native_store_gdt(&dt);
	vc->gdt_base = dt.address;
	store_idt(&dt);
	vc->idt_base = dt.address;
	vc->tr_base = (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss;
	rdmsrl(MSR_GS_BASE, vc->gs_base);
	rdmsrl(MSR_IA32_SYSENTER_CS, vc->sysenter_cs);
	rdmsrl(MSR_IA32_SYSENTER_ESP, vc->sysenter_esp);
	rdmsrl(MSR_IA32_SYSENTER_EIP, vc->sysenter_eip);
	rdmsrl(MSR_EFER, vc->efer);
	rdmsrl(MSR_IA32_CR_PAT, vc->pat);
}

static int vmx_hardware_enable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu_data);
	int cpu = smp_processor_id();
	u64 feat, cr0;
	int ret;

	if (__read_cr4() & X86_CR4_VMXE) {
		pr_err_once("VMX is already in use by another hypervisor (kvm_intel?)\n");
		return -EBUSY;
	}

	rdmsrl(MSR_IA32_FEAT_CTL, feat);
	if (!(feat & FEAT_CTL_LOCKED)) {
		feat |= FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX;
		wrmsrl(MSR_IA32_FEAT_CTL, feat);
	} else if (!(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("CPU %d: VMX disabled by IA32_FEATURE_CONTROL\n", cpu);
		return -ENODEV;
	}

	cr0 = read_cr0();
	if ((cr0 & vmx_caps.cr0_fixed0) != vmx_caps.cr0_fixed0 ||
	    (cr0 & ~vmx_caps.cr0_fixed1)) {
		pr_err("CPU %d: CR0 %#llx does not fit VMX\n", cpu, cr0);
		return -EIO;
	}
	vmx_read_host_cpu_state(vc, cpu);

	cr4_set_bits(X86_CR4_VMXE);
	ret = vmx_vmxon(vc->vmxon_pa);
	if (ret) {
		cr4_clear_bits(X86_CR4_VMXE);
		pr_err("CPU %d: VMXON failed\n", cpu);
		return ret;
	}
	vc->on = true;
	/* whatever an earlier VMM left in the TLBs goes */
	vmx_flush_all();
	return 0;
}

/*
 * Also the reboot and the crash/kexec path (NMI context): no locks.  The
 * VMCS active here is cleared; its owner's bookkeeping stays for
 * vmx_vp_unload(), which then only puts the host MSRs back.
 */
static void vmx_hardware_disable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu_data);
	struct vmx_vp *loaded = READ_ONCE(vc->loaded);

	if (!vc->on)
		return;
	if (loaded && vmx_vmclear(loaded->vmcs_pa))
		loaded->clear_error = -1;
	vmx_vmxoff();
	vc->on = false;
	cr4_clear_bits(X86_CR4_VMXE);
}

static void vmx_free_cpu_pages(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu_data, cpu);

		free_page((unsigned long)vc->vmxon);
		vc->vmxon = NULL;
	}
}

static void vmx_hardware_unsetup(void)
{
	preempt_notifier_dec();
	vmx_free_cpu_pages();
	free_page((unsigned long)vmx_msr_bitmap);
	vmx_msr_bitmap = NULL;
	ida_destroy(&vmx_vpid_ida);
}

static int vmx_hardware_setup(void)
{
	int cpu;

	/* every MSR exits: hv_core decides what RDMSR/WRMSR do */
	vmx_msr_bitmap = (void *)__get_free_page(GFP_KERNEL);
	if (!vmx_msr_bitmap)
		return -ENOMEM;
	memset(vmx_msr_bitmap, 0xff, PAGE_SIZE);

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu_data, cpu);

		vc->vmxon = (void *)get_zeroed_page(GFP_KERNEL);
		if (!vc->vmxon)
			goto nomem;
		*(u32 *)vc->vmxon = vmx_caps.revision;
		vc->vmxon_pa = __pa(vc->vmxon);
	}
	preempt_notifier_inc();
	return 0;

nomem:
	vmx_free_cpu_pages();
	free_page((unsigned long)vmx_msr_bitmap);
	vmx_msr_bitmap = NULL;
	return -ENOMEM;
}

/* ---- where the VMCS is active --------------------------------------- */

/* The guest's syscall MSRs in, the host's saved; before the first entry. */
static void vmx_load_guest_msrs(struct vmx_vp *vmx, struct vmx_cpu *vc)
{
	rdmsrl(MSR_STAR, vc->star);
	rdmsrl(MSR_LSTAR, vc->lstar);
	rdmsrl(MSR_CSTAR, vc->cstar);
	rdmsrl(MSR_SYSCALL_MASK, vc->sfmask);
	rdmsrl(MSR_KERNEL_GS_BASE, vc->kernel_gs_base);
	/* a VM exit loads null DS, ES, FS and GS selectors */
	savesegment(ds, vc->ds);
	savesegment(es, vc->es);
	savesegment(fs, vc->fs);
	savesegment(gs, vc->gs);
	store_ldt(vc->ldt);
	vc->fs_base = x86_fsbase_read_cpu();
	vmcs_write(HOST_FS_BASE, vc->fs_base);
	/* a VM exit clears DEBUGCTL (which not every CPU model has) */
	if (rdmsrl_safe(MSR_IA32_DEBUGCTLMSR, &vc->debugctl))
		vc->debugctl = 0;

	wrmsrl(MSR_STAR, vmx->star);
	wrmsrl(MSR_LSTAR, vmx->lstar);
	wrmsrl(MSR_CSTAR, vmx->cstar);
	wrmsrl(MSR_SYSCALL_MASK, vmx->sfmask);
	wrmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	vmx->msrs_loaded = true;
}

static void vmx_put_guest_msrs(struct vmx_vp *vmx, struct vmx_cpu *vc)
{
	if (!vmx->msrs_loaded)
		return;
	/* SWAPGS changes it without an exit */
	rdmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	wrmsrl(MSR_STAR, vc->star);
	wrmsrl(MSR_LSTAR, vc->lstar);
	wrmsrl(MSR_CSTAR, vc->cstar);
	wrmsrl(MSR_SYSCALL_MASK, vc->sfmask);
	if (vc->ds)
		loadsegment(ds, vc->ds);
	if (vc->es)
		loadsegment(es, vc->es);
	if (vc->fs) {
		loadsegment(fs, vc->fs);
		wrmsrl(MSR_FS_BASE, vc->fs_base);
	}
	if (vc->gs)
		load_gs_index(vc->gs);
	/* after load_gs_index(), which sets the inactive GS base */
	wrmsrl(MSR_KERNEL_GS_BASE, vc->kernel_gs_base);
	/*
	 * A VM exit leaves GDTR's limit at 0xffff and LDTR null: before this
	 * thread can return to user mode, the read-only GDT with its real
	 * limit (as KVM's load_fixmap_gdt()) and the task's LDT come back.
	 */
	load_fixmap_gdt(smp_processor_id());
	if (vc->ldt)
		asm volatile("lldt %0" :: "rm" (vc->ldt));
	vmx->msrs_loaded = false;
}

static void vmx_vp_unload(struct vmx_vp *vmx, struct vmx_cpu *vc)
{
	int err;

	vmx_put_guest_msrs(vmx, vc);
	if (vc->on) {
		err = vmx_vmclear(vmx->vmcs_pa);
		if (unlikely(err))
			vmx->clear_error = err;
	}
	vmx->launched = false;
	vmx->cpu = -1;
	WRITE_ONCE(vc->loaded, NULL);
}

/* The host state a VMCS needs on this CPU. */
static void vmx_write_host_cpu_state(struct vmx_vp *vmx, struct vmx_cpu *vc)
{
	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_TR_BASE, vc->tr_base);
	vmcs_write(HOST_GDTR_BASE, vc->gdt_base);
	vmcs_write(HOST_IDTR_BASE, vc->idt_base);
	vmcs_write(HOST_GS_BASE, vc->gs_base);
	vmcs_write(HOST_IA32_SYSENTER_CS, vc->sysenter_cs);
	vmcs_write(HOST_IA32_SYSENTER_ESP, vc->sysenter_esp);
	vmcs_write(HOST_IA32_SYSENTER_EIP, vc->sysenter_eip);
	vmcs_write(HOST_IA32_EFER, vc->efer);
	vmcs_write(HOST_IA32_PAT, vc->pat);
	vmx->host_cr3 = __read_cr3();
	vmcs_write(HOST_CR3, vmx->host_cr3);
	vmx->host_cr4 = cr4_read_shadow();
	vmcs_write(HOST_CR4, vmx->host_cr4);
}

/* Make this VP's VMCS current on this CPU.  Preemption is off. */
static int vmx_vp_load(struct vmx_vp *vmx)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu_data);
	int cpu = smp_processor_id();
	int ret;

	if (!vc->on)
		return -EIO;
	if (vc->loaded == vmx)
		return 0;
	if (vc->loaded)
		vmx_vp_unload(vc->loaded, vc);
	if (WARN_ON_ONCE(vmx->cpu != -1))
		return -EIO;

	/* first, so that an NMI's hardware_disable clears it too */
	WRITE_ONCE(vc->loaded, vmx);
	ret = vmx_vmptrld(vmx->vmcs_pa);
	if (ret) {
		WRITE_ONCE(vc->loaded, NULL);
		return ret;
	}
	vmx->cpu = cpu;
	vmx_write_host_cpu_state(vmx, vc);
	/* translations cached here may be older than the last change */
	if (vmx->last_cpu != cpu) {
		vmx->last_cpu = cpu;
		vmx->need_flush = true;
	}
	return 0;
}

static void vmx_sched_in(struct preempt_notifier *pn, int cpu)
{
	/* nothing: the next access VMPTRLDs */
}

/* The VP thread leaves this CPU: clear the VMCS, host MSRs back. */
static void vmx_sched_out(struct preempt_notifier *pn,
			  struct task_struct *next)
{
	struct vmx_vp *vmx = container_of(pn, struct vmx_vp, pn);
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu_data);

	if (vc->loaded == vmx)
		vmx_vp_unload(vmx, vc);
}

static struct preempt_ops vmx_preempt_ops = {
	.sched_in	= vmx_sched_in,
	.sched_out	= vmx_sched_out,
};

/*
 * Register accesses from ioctls and from hv_core's exit handling: the
 * VMCS must be current on this CPU for VMREAD and VMWRITE.  Interrupts
 * stay off in between, so the reboot IPI that turns VMX off
 * (hv_reboot_notify()) cannot land between the load and the accesses;
 * after it, vmx_vp_load() finds VMX off and fails.
 */
int vmx_vmcs_get(struct vmx_vp *vmx)
{
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	ret = vmx_vp_load(vmx);
	if (ret)
		local_irq_restore(flags);
	else
		vmx->vmcs_irqflags = flags;
	return ret;
}

void vmx_vmcs_put(struct vmx_vp *vmx)
{
	/* outside a run nothing would clear it when the thread moves */
	if (!vmx->in_run)
		vmx_vp_unload(vmx, this_cpu_ptr(&vmx_cpu_data));
	local_irq_restore(vmx->vmcs_irqflags);
}

/* Clear the VMCS if it is active on this CPU (also an IPI callback). */
static void vmx_vp_unload_here(void *arg)
{
	struct vmx_vp *vmx = arg;
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu_data);

	if (vc->loaded == vmx)
		vmx_vp_unload(vmx, vc);
}

static void vmx_vp_put(struct hv_vp *vp)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);

	preempt_disable();
	if (vmx->in_run) {
		preempt_notifier_unregister(&vmx->pn);
		vmx->in_run = false;
	}
	vmx_vp_unload_here(vmx);
	preempt_enable();
}

/* ---- VPs ------------------------------------------------------------ */

static u64 vmx_eptp(struct vmx_vp *vmx)
{
	return vmx->vp.pt->mmu.root_pa | EPTP_MT_WB | VMX_EPTP_PWL_4;
}

void vmx_flush_guest(struct vmx_vp *vmx)
{
	if (vmx_has_ept(VMX_EPT_EXTENT_CONTEXT_BIT))
		vmx_invept(VMX_EPT_EXTENT_CONTEXT, vmx_eptp(vmx));
	else
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	if (!vmx->vpid)
		return;
	if (vmx_has_vpid(VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT))
		vmx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, vmx->vpid);
	else
		vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
}

static void vmx_init_seg(u32 idx, u16 sel, u32 ar, u64 base)
{
	vmcs_write(GUEST_ES_SELECTOR + idx * 2, sel);
	vmcs_write(GUEST_ES_LIMIT + idx * 2, 0xffff);
	vmcs_write(GUEST_ES_AR_BYTES + idx * 2, ar);
	vmcs_write(GUEST_ES_BASE + idx * 2, base);
}

static void vmx_init_host_state(void)
{
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmcs_write(HOST_RIP, (unsigned long)hv_vmx_vmexit);
}

static void vmx_init_controls(struct vmx_vp *vmx)
{
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_caps.pin);
	/* reloaded at every entry: no VM-exit control saves it */
	if (vmx_caps.pin & PIN_BASED_VMX_PREEMPTION_TIMER)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_caps.slice);
	vmx->exec_ctrl = vmx_caps.exec;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx->exec_ctrl);
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, vmx_caps.exec2);
	vmcs_write(VM_EXIT_CONTROLS, vmx_caps.exit);
	vmcs_write(VM_ENTRY_CONTROLS, vmx_caps.entry);
	/* benign-exception loops could hang the CPU (CVE-2015-5307/8104) */
	vmcs_write(EXCEPTION_BITMAP, BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC) |
		   BIT(X86_TRAP_MC));
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write(MSR_BITMAP, __pa(vmx_msr_bitmap));
	vmcs_write(VIRTUAL_APIC_PAGE_ADDR, __pa(vmx->vapic));
	vmcs_write(TPR_THRESHOLD, 0);
	vmx->tpr_threshold = 0;
	vmcs_write(EPT_POINTER, vmx_eptp(vmx));
	if (vmx->vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	vmcs_write(TSC_OFFSET, 0);
	/* the bits VMX fixes (CR0.NE, CR4.VMXE), CD/NW, what CR4 refuses */
	vmcs_write(CR0_GUEST_HOST_MASK, vmx_cr0_host_owned());
	vmcs_write(CR4_GUEST_HOST_MASK, ~vmx_cr4_allowed());
}

/* The x86 reset state, as svm_vp_create() sets it. */
static void vmx_init_guest_state(struct vmx_vp *vmx)
{
	vmx_init_seg(1, 0xf000, 0x9b, 0xffff0000);	/* CS */
	vmx_init_seg(0, 0, 0x93, 0);			/* ES */
	vmx_init_seg(2, 0, 0x93, 0);			/* SS */
	vmx_init_seg(3, 0, 0x93, 0);			/* DS */
	vmx_init_seg(4, 0, 0x93, 0);			/* FS */
	vmx_init_seg(5, 0, 0x93, 0);			/* GS */
	vmx_init_seg(6, 0, 0x82, 0);			/* LDTR */
	vmx_init_seg(7, 0, 0x8b, 0);			/* TR */
	vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_GDTR_BASE, 0);
	vmcs_write(GUEST_IDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IDTR_BASE, 0);

	/* CR0 resets to CD|NW|ET; as KVM, the hardware runs with caching on */
	vmcs_write(CR0_READ_SHADOW, X86_CR0_CD | X86_CR0_NW | X86_CR0_ET);
	vmcs_write(GUEST_CR0, X86_CR0_ET | vmx_cr0_fixed());
	vmcs_write(CR4_READ_SHADOW, 0);
	vmcs_write(GUEST_CR4, vmx_cr4_fixed());
	vmcs_write(GUEST_CR3, 0);
	vmcs_write(GUEST_DR7, VMX_DR7_RESET);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_IA32_EFER, 0);
	vmcs_write(GUEST_IA32_PAT, 0x0007040600070406ULL);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_RFLAGS, vmx->vp.rflags);
	vmcs_write(GUEST_RIP, vmx->vp.rip);
	vmcs_write(GUEST_RSP, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write(GUEST_PDPTR0, 0);
	vmcs_write(GUEST_PDPTR1, 0);
	vmcs_write(GUEST_PDPTR2, 0);
	vmcs_write(GUEST_PDPTR3, 0);
}

static void vmx_vp_free(struct hv_vp *vp)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	int cpu = READ_ONCE(vmx->cpu);

	WARN_ON_ONCE(vmx->in_run);
	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_vp_unload_here, vmx, 1);
	if (vmx->vpid)
		ida_free(&vmx_vpid_ida, vmx->vpid);
	free_page((unsigned long)vmx->vapic);
	free_page((unsigned long)vmx->vmcs);
}

static int vmx_vp_create(struct hv_vp *vp)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	int ret;

	vmx->cpu = -1;
	vmx->last_cpu = -1;
	vmx->dr6 = DR6_RESERVED;
	preempt_notifier_init(&vmx->pn, &vmx_preempt_ops);

	ret = -ENOMEM;
	vmx->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vmx->vapic = (u32 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmx->vmcs || !vmx->vapic)
		goto free_pages;
	*(u32 *)vmx->vmcs = vmx_caps.revision;
	vmx->vmcs_pa = __pa(vmx->vmcs);

	if (vmx_caps.exec2 & SECONDARY_EXEC_ENABLE_VPID) {
		ret = ida_alloc_range(&vmx_vpid_ida, 1, VMX_NR_VPIDS - 1,
				      GFP_KERNEL);
		if (ret < 0)
			goto free_pages;
		vmx->vpid = ret;
	}

	/* a new VMCS is cleared once, then loaded anywhere */
	preempt_disable();
	ret = vmx_vmclear(vmx->vmcs_pa) ? -EIO : 0;
	preempt_enable();
	if (ret)
		goto free_vpid;
	ret = vmx_vmcs_get(vmx);
	if (ret)
		goto free_vpid;
	vmx_init_host_state();
	vmx_init_controls(vmx);
	vmx_init_guest_state(vmx);
	vmx_vmcs_put(vmx);
	return 0;

free_vpid:
	if (vmx->vpid)
		ida_free(&vmx_vpid_ida, vmx->vpid);
free_pages:
	free_page((unsigned long)vmx->vapic);
	free_page((unsigned long)vmx->vmcs);
	return ret;
}

/* ---- entering the guest --------------------------------------------- */

static bool vmx_irq_injectable(struct vmx_vp *vmx)
{
	return (vmx->vp.rflags & X86_EFLAGS_IF) &&
	       !(vmx->intr_state & VMX_INTR_SHADOW);
}

/* The VM-entry interruption information for hv_core's next event. */
static u32 vmx_entry_event(struct vmx_vp *vmx, bool *window)
{
	struct hv_vp *vp = &vmx->vp;
	struct hv_event ev;
	bool protected = true;
	u32 info;

	*window = false;
	if (!hv_event_maybe_pending(vp))
		return 0;
	if (vp->exc.valid && vp->exc.has_error)
		protected = vmcs_read(GUEST_CR0) & X86_CR0_PE;
	if (!hv_event_next(vp, vmx_irq_injectable(vmx), protected, &ev,
			   window))
		return 0;
	/* TLFS event types are VMX's */
	info = INTR_INFO_VALID_MASK | ev.type << 8 | ev.vector;
	if (ev.has_error) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, ev.error);
	}
	if (ev.type >= HV_EVENT_SOFT_INTR)
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, ev.insn_len);
	return info;
}

static void vmx_sync_controls(struct vmx_vp *vmx, bool window)
{
	u32 exec = vmx->exec_ctrl & ~(CPU_BASED_INTR_WINDOW_EXITING |
				      CPU_BASED_NMI_WINDOW_EXITING);
	u8 tpr = window ? 0 : hv_event_tpr_threshold(&vmx->vp);

	if (window || (vmx->vp.deliverability_notifications & 2))
		exec |= CPU_BASED_INTR_WINDOW_EXITING;
	/* an NMI the guest blocks: exit as soon as its IRET unblocks them */
	if (vmx_caps.nmi_window && (vmx->intr_state & GUEST_INTR_STATE_NMI) &&
	    hv_event_nmi_waiting(&vmx->vp))
		exec |= CPU_BASED_NMI_WINDOW_EXITING;
	if (exec != vmx->exec_ctrl) {
		vmx->exec_ctrl = exec;
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, exec);
	}
	/* exit when VTPR drops below an interrupt that TPR holds back */
	if (tpr != vmx->tpr_threshold) {
		vmx->tpr_threshold = tpr;
		vmcs_write(TPR_THRESHOLD, tpr);
	}
}

/* Returns the event this entry delivers. */
static u32 vmx_write_guest_state(struct vmx_vp *vmx)
{
	struct hv_vp *vp = &vmx->vp;
	bool window = false;
	u32 event;

	/*
	 * VM entry refuses blocking by STI while RFLAGS.IF is clear.  The
	 * guest cannot get there, but an INIT (hv_vp_reset()) or the root's
	 * RFLAGS write can clear IF after an exit in an STI shadow; with IF
	 * clear that shadow holds nothing back, so it ends.
	 */
	if (!(vp->rflags & X86_EFLAGS_IF))
		vmx->intr_state &= ~GUEST_INTR_STATE_STI;
	event = vmx_entry_event(vmx, &window);
	vmx_sync_controls(vmx, window);
	vmcs_write(GUEST_RIP, vp->rip);
	vmcs_write(GUEST_RSP, vp->regs[HV_RSP]);
	vmcs_write(GUEST_RFLAGS, vp->rflags);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, vmx->intr_state);
	if (vp->tsc_offset != vmx->tsc_offset) {
		vmx->tsc_offset = vp->tsc_offset;
		vmcs_write(TSC_OFFSET, vmx->tsc_offset);
	}
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, event);
	return event;
}

static void vmx_read_guest_state(struct vmx_vp *vmx)
{
	struct hv_vp *vp = &vmx->vp;

	vp->rip = vmcs_read(GUEST_RIP);
	vp->regs[HV_RSP] = vmcs_read(GUEST_RSP);
	vp->rflags = vmcs_read(GUEST_RFLAGS);
	vmx->intr_state = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);
}

/* Host state that can change between entries of one time slice. */
static void vmx_sync_host_state(struct vmx_vp *vmx)
{
	unsigned long cr3 = __read_cr3(), cr4 = cr4_read_shadow();

	if (unlikely(cr3 != vmx->host_cr3)) {
		vmx->host_cr3 = cr3;
		vmcs_write(HOST_CR3, cr3);
	}
	if (unlikely(cr4 != vmx->host_cr4)) {
		vmx->host_cr4 = cr4;
		vmcs_write(HOST_CR4, cr4);
	}
}

static void vmx_load_db(struct vmx_vp *vmx)
{
	set_debugreg(vmx->db[0], 0);
	set_debugreg(vmx->db[1], 1);
	set_debugreg(vmx->db[2], 2);
	set_debugreg(vmx->db[3], 3);
	set_debugreg(vmx->dr6, 6);
}

static void vmx_save_db(struct vmx_vp *vmx)
{
	get_debugreg(vmx->db[0], 0);
	get_debugreg(vmx->db[1], 1);
	get_debugreg(vmx->db[2], 2);
	get_debugreg(vmx->db[3], 3);
	get_debugreg(vmx->dr6, 6);
	/* the host's #DB handler expects the reset value */
	set_debugreg(DR6_RESERVED, 6);
}

/* VMLAUNCH/VMRESUME failed as an instruction: report, never retry. */
static void vmx_entry_failed(struct vmx_vp *vmx, int fail)
{
	struct hv_exit *e = &vmx->vp.exit;

	e->reason = HV_EXIT_UNHANDLED;
	e->insn_len = 0;
	e->insn_count = 0;
	e->code = VMX_EXIT_CODE_VMFAIL;
	e->info1 = fail;
	e->info2 = fail == VMX_ENTER_FAIL_VALID ?
		   vmcs_read(VM_INSTRUCTION_ERROR) : ~0ULL;
	vp_err(&vmx->vp, "VM entry failed (%s, VM-instruction error %lld)\n",
	       vmx->launched ? "VMRESUME" : "VMLAUNCH", (s64)e->info2);
}

static void vmx_enter(struct vmx_vp *vmx, struct vmx_cpu *vc)
{
	struct hv_vp *vp = &vmx->vp;
	u32 reason, event;
	int fail;

	event = vmx_write_guest_state(vmx);
	if (vmx->dr_live)
		vmx_load_db(vmx);
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);

	fail = hv_vmx_vmenter(vp->regs, vmx->launched);

	/* a VM exit clears DEBUGCTL and sets the TR limit to 0x67 */
	if (vc->debugctl)
		wrmsrl(MSR_IA32_DEBUGCTLMSR, vc->debugctl);
	invalidate_tss_limit();
	vmx->cr2 = native_read_cr2();
	if (vmx->dr_live)
		vmx_save_db(vmx);

	if (fail) {
		vmx_entry_failed(vmx, fail);
		return;
	}
	vmx->launched = true;
	vmx_read_guest_state(vmx);
	reason = vmcs_read(VM_EXIT_REASON);
	/* delivered, or back in IDT-vectoring information (vmx_exit.c) */
	if (event && !(reason & VMX_EXIT_REASON_ENTRY_FAIL))
		hv_event_delivered(vp);
	vmx_decode_exit(vmx, reason);
}

static int vmx_vp_run(struct hv_vp *vp)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu_data);
	int ret;

	if (!vmx->in_run) {
		preempt_notifier_register(&vmx->pn);
		vmx->in_run = true;
	}
	ret = vmx_vp_load(vmx);
	if (ret)
		return ret;
	if (unlikely(vmx->clear_error)) {
		vp_err(vp, "VMCLEAR failed (VM-instruction error %d)\n",
		       vmx->clear_error);
		vmx->clear_error = 0;
	}
	if (!vmx->msrs_loaded)
		vmx_load_guest_msrs(vmx, vc);
	vmx_sync_host_state(vmx);
	if (test_and_clear_bit(HV_REQ_TLB_FLUSH, &vp->requests))
		vmx->need_flush = true;
	if (vmx->need_flush) {
		vmx_flush_guest(vmx);
		vmx->need_flush = false;
	}
	vmx_enter(vmx, vc);
	return 0;
}

static void vmx_clear_interrupt_shadow(struct hv_vp *vp)
{
	to_vmx_vp(vp)->intr_state &= ~VMX_INTR_SHADOW;
}

static void vmx_hypercall_insn(u8 *buf)
{
	/* VMCALL */
	buf[0] = 0x0f;
	buf[1] = 0x01;
	buf[2] = 0xc1;
}

static const struct hv_vendor_ops vmx_ops = {
	.name			= "vmx",
	.vendor			= HVPART_VENDOR_VMX,
	.vp_size		= sizeof(struct vmx_vp),
	.pte_format		= &vmx_ept_format,
	.hardware_setup		= vmx_hardware_setup,
	.hardware_unsetup	= vmx_hardware_unsetup,
	.hardware_enable	= vmx_hardware_enable,
	.hardware_disable	= vmx_hardware_disable,
	.vp_create		= vmx_vp_create,
	.vp_free		= vmx_vp_free,
	.vp_run			= vmx_vp_run,
	.vp_put			= vmx_vp_put,
	.get_reg		= vmx_get_reg,
	.set_reg		= vmx_set_reg,
	.get_cpl		= vmx_get_cpl,
	.clear_interrupt_shadow	= vmx_clear_interrupt_shadow,
	.hypercall_insn		= vmx_hypercall_insn,
};

int hv_vmx_probe(const struct hv_vendor_ops **ops)
{
	u64 feat;
	int ret;

	/* quietly: hv_core probes SVM first and VMX after it */
	if (boot_cpu_data.x86_vendor != X86_VENDOR_INTEL &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_CENTAUR &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_ZHAOXIN)
		return -ENODEV;
	/* raw CPUID: Linux clears X86_FEATURE_VMX when firmware locks it off */
	if (!(cpuid_ecx(1) & VMX_CPUID_ECX_VMX))
		return -ENODEV;

	rdmsrl(MSR_IA32_FEAT_CTL, feat);
	if ((feat & FEAT_CTL_LOCKED) &&
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("VMX is disabled by the firmware (IA32_FEATURE_CONTROL locked without VMX outside SMX)\n");
		return -ENODEV;
	}

	ret = vmx_read_caps();
	if (ret)
		return ret;
	*ops = &vmx_ops;
	return 0;
}
