/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvpart core objects: partitions, VPs, the vendor-neutral exit event and
 * the vendor ops table.  Included by every layer; never includes a vendor
 * header.  Lock order: see docs/locking.rst.
 */
#ifndef HV_CORE_HV_H
#define HV_CORE_HV_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/bitmap.h>
#include <linux/rcuwait.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/hvpart.h>
#include <asm/fpu/types.h>

#include "hv_mmu/mmu.h"
#include "hv_core/stats.h"
#include "hv_synic/lapic.h"
#include "hv_synic/synic.h"

#define HV_MAX_VPS		64
#define HV_MAX_RANGE_INTERCEPTS	16
#define HV_NR_IO_PORTS		65536

struct hv_partition;
struct hv_vp;

/* General purpose registers in x86 encoding order, which is TLFS order. */
enum hv_gpr {
	HV_RAX, HV_RCX, HV_RDX, HV_RBX, HV_RSP, HV_RBP, HV_RSI, HV_RDI,
	HV_R8, HV_R9, HV_R10, HV_R11, HV_R12, HV_R13, HV_R14, HV_R15,
	HV_NR_GPRS,
};

/*
 * What the vendor decoded from a VM exit.  NOTE: hvpart helper - not TLFS.
 * The vendor fills it in vp_run(); hv_core's hv_handle_exit() acts on it.
 */
enum hv_exit_reason {
	HV_EXIT_NONE,		/* host interrupt or nothing to do: re-enter */
	HV_EXIT_IO,
	HV_EXIT_CPUID,
	HV_EXIT_MSR_READ,
	HV_EXIT_MSR_WRITE,
	HV_EXIT_NPF,		/* nested page fault / EPT violation */
	HV_EXIT_HLT,
	HV_EXIT_SHUTDOWN,	/* triple fault */
	HV_EXIT_HYPERCALL,	/* VMMCALL / VMCALL */
	HV_EXIT_INTR_WINDOW,	/* the guest can take an interrupt */
	HV_EXIT_UD,		/* raise #UD in the guest (e.g. VMRUN) */
	HV_EXIT_XSETBV,
	HV_EXIT_RDPMC,		/* raise #GP: no PMU */
	HV_EXIT_WBINVD,		/* WBINVD/WBNOINVD: a no-op, as in KVM */
	HV_EXIT_CR8_WRITE,	/* MOV to CR8, intercepted (SVM) */
	HV_EXIT_UNHANDLED,	/* no handler: reported to the root */
};

struct hv_exit {
	enum hv_exit_reason reason;
	u8 insn_len;		/* 0 if unknown */
	u8 insn_count;		/* valid bytes in insn[] */
	u8 insn[16];
	union {
		struct {
			u16 port;
			u8 size;
			bool in;
			bool string;
			bool rep;
		} io;
		struct {
			u64 gpa;
			u8 access;	/* HVPART_INTERCEPT_ACCESS_* */
		} npf;
		u32 msr;
	};
	/* raw vendor information, for HVPART_MSG_HVPART_UNHANDLED_EXIT */
	u64 code;
	u64 info1;
	u64 info2;
};

/* Registers in hv_vp.cache.  NOTE: hvpart helper - not TLFS. */
enum hv_creg {
	HV_CREG_CR0,
	HV_CREG_CR3,
	HV_CREG_CR4,
	HV_CREG_EFER,
	HV_CREG_CPL,
	HV_NR_CREGS,
};

/*
 * One event to inject (see event.c).  Types are the TLFS
 * pending-interruption types, which are also VMX's.  NOTE: hvpart helper.
 */
enum {
	HV_EVENT_EXT_INTR	= 0,
	HV_EVENT_NMI		= 2,
	HV_EVENT_EXCEPTION	= 3,
	HV_EVENT_SOFT_INTR	= 4,	/* INT n */
	HV_EVENT_PRIV_SOFT_EXC	= 5,	/* INT1 (ICEBP) */
	HV_EVENT_SOFT_EXC	= 6,	/* INT3, INTO */
};

struct hv_event {
	bool valid;
	bool reinject;		/* cut short by an exit: IF does not matter */
	u8 type;		/* HV_EVENT_* */
	u8 vector;
	u8 insn_len;		/* software events: their instruction's length */
	bool has_error;
	u32 error;
};

/* Bits of hv_vp.requests. */
enum {
	HV_REQ_TLB_FLUSH,
};

enum hv_vp_mode {
	HV_OUTSIDE_GUEST_MODE,
	HV_IN_GUEST_MODE,
};

/* Partition-wide TLFS state.  NOTE: hvpart helper - not TLFS. */
struct hv_hyperv {
	/* hv_lock: this state; after vp_mutex, before mmu_lock */
	struct mutex lock;
	u64 guest_os_id;
	u64 hypercall;		/* HV_X64_MSR_HYPERCALL */
	u64 reference_tsc;	/* HV_X64_MSR_REFERENCE_TSC */
	u64 crash_param[5];
	u64 crash_ctl;
	u32 recommendations;	/* CPUID 0x40000004 EAX */
	u32 spin_retry;		/* CPUID 0x40000004 EBX */
	struct hv_overlay hypercall_ov;
	struct hv_overlay tsc_ov;
	/* reference time: see reftime.c */
	bool ref_tsc_ok;
	u64 ref_scale;
	s64 ref_offset;
	u64 ref_base_ns;
	u32 tsc_seq;
};

/* A synthetic MSR access completed and left a message for the root. */
#define HV_MSR_TO_ROOT		1

/* The root's CPUID table (HVPART_SET_CPUID); replaced under RCU. */
struct hv_cpuid_table {
	struct rcu_head rcu;
	u32 nent;
	struct hvpart_cpuid_entry e[];
};

struct hv_range_intercept {
	u32 first;
	u32 last;
	u32 access_mask;
};

struct hv_vp {
	struct hv_partition *pt;
	u32 index;
	/* vp_mutex: serialises the VP fd's ioctls (run, registers) */
	struct mutex vp_mutex;
	struct hvpart_run *run;

	/* register file owned by hv_core; vendors sync the ones they hold */
	u64 regs[HV_NR_GPRS];
	u64 rip;
	u64 rflags;

	struct hv_exit exit;
	/*
	 * Guest registers hv_core reads while it handles an exit, each read
	 * from the vendor at most once per exit (KVM's regs_avail): bit
	 * HV_CREG_* in cache_avail says the value is current.  Emptied
	 * before every entry and by every register write.
	 */
	unsigned long cache_avail;
	u64 cache[HV_NR_CREGS];
	/* the event queue (event.c): vp_mutex, or the run loop */
	struct hv_event exc;	/* exception, NMI or software event */
	struct hv_event irq;	/* external interrupt: waits for IF=1 */
	struct hv_event *injected;	/* the slot the last entry delivered */
	bool shutdown;		/* triple-faulted; cleared by setting RIP */
	bool halt_pending;	/* HLT retired, halt message not yet sent */

	/* HV_X64_REGISTER_DELIVERABILITY_NOTIFICATIONS */
	u64 deliverability_notifications;
	u64 apic_base;
	u64 xcr0;		/* the guest's XCR0 */
	s64 tsc_offset;		/* guest TSC = host TSC + tsc_offset */
	u64 runtime_ns;		/* time spent in the guest */
	/* the local APIC (LOCAL_APIC partitions), and where the VP sleeps */
	struct hv_lapic apic;
	struct hv_synic synic;	/* SynIC and synthetic timers (synic.h) */
	struct rcuwait wait;
	void *hcall_in;		/* hypercall parameter pages */
	void *hcall_out;

	int mode;		/* enum hv_vp_mode, read by remote kickers */
	int cpu;		/* CPU the VP last entered the guest on */
	unsigned long requests;
	struct fpu_guest guest_fpu;
	struct hv_vp_stats stats;	/* hv_core/stats.h */
};

struct hv_partition {
	refcount_t refcount;
	u64 id;
	struct mm_struct *mm;

	/* pt_mutex: partition configuration and the VP table */
	struct mutex pt_mutex;
	u32 max_vps;
	u32 nr_vps;
	u64 privilege_mask;
	u64 features;
	bool local_apic;	/* HVPART_CREATE_PARTITION_LOCAL_APIC, fixed */
	struct hv_vp *vps[HV_MAX_VPS];

	struct hv_mmu mmu;
	struct hv_hyperv hv;
	struct hv_synic_pt ports;	/* ports and connections (port.c) */
	/* written under pt_mutex, read under RCU on CPUID exits */
	struct hv_cpuid_table __rcu *cpuid;

	/* intercept_lock: the intercept tables, read on the exit path */
	spinlock_t intercept_lock;
	unsigned long *io_read_bitmap;
	unsigned long *io_write_bitmap;
	struct hv_range_intercept cpuid_intercepts[HV_MAX_RANGE_INTERCEPTS];
	u32 nr_cpuid_intercepts;
	struct hv_range_intercept msr_intercepts[HV_MAX_RANGE_INTERCEPTS];
	u32 nr_msr_intercepts;
	struct hv_range_intercept hcall_intercepts[HV_MAX_RANGE_INTERCEPTS];
	u32 nr_hcall_intercepts;
	struct hv_pt_stats stats;	/* hv_core/stats.h */
};

/*
 * Object-scoped logging, as mshv does: every line names its object
 * ("p<partition>vp<index>: ").  Ratelimited: guests can trigger these.
 */
__printf(2, 3) void vp_err(const struct hv_vp *vp, const char *fmt, ...);
__printf(2, 3) void vp_warn(const struct hv_vp *vp, const char *fmt, ...);

/*
 * The vendor interface.  Return conventions: int ops return 0 or -errno.
 * vp_run() is called with preemption and interrupts disabled, enters the
 * guest once and fills vp->exit.
 */
struct hv_vendor_ops {
	const char *name;
	u32 vendor;			/* HVPART_VENDOR_* */
	size_t vp_size;			/* size of the vendor's VP struct */
	const struct hv_pte_format *pte_format;

	int (*hardware_setup)(void);
	void (*hardware_unsetup)(void);
	int (*hardware_enable)(void);
	void (*hardware_disable)(void);

	int (*vp_create)(struct hv_vp *vp);
	void (*vp_free)(struct hv_vp *vp);
	int (*vp_run)(struct hv_vp *vp);
	void (*vp_put)(struct hv_vp *vp);

	int (*get_reg)(struct hv_vp *vp, u32 name,
		       union hvpart_register_value *val);
	int (*set_reg)(struct hv_vp *vp, u32 name,
		       const union hvpart_register_value *val);
	int (*get_cpl)(struct hv_vp *vp);
	void (*clear_interrupt_shadow)(struct hv_vp *vp);
	/* the hypercall instruction, for the hypercall page (3 bytes) */
	void (*hypercall_insn)(u8 *buf);
};

extern struct hv_vendor_ops hv_vendor;
#define hv_vendor_call(func)	(hv_vendor.func)

/* Vendor entry points, probed in order by hv_core at load time. */
int hv_svm_probe(const struct hv_vendor_ops **ops);
int hv_vmx_probe(const struct hv_vendor_ops **ops);

static inline bool hv_nonzero(const void *p, size_t len)
{
	return memchr_inv(p, 0, len);
}

/* hv_core/main.c */
bool hv_cpu_root_active(void);
void hv_host_machine_check(void);

/* hv_core/partition.c */
struct hv_partition *hv_partition_create(u64 flags);
void hv_partition_get(struct hv_partition *pt);
void hv_partition_put(struct hv_partition *pt);
int hv_partition_set_property(struct hv_partition *pt, u32 code, u64 value);
int hv_partition_get_property(struct hv_partition *pt, u32 code, u64 *value);
int hv_partition_install_intercept(struct hv_partition *pt,
				   const struct hvpart_intercept *icpt);
int hv_partition_remove_intercept(struct hv_partition *pt,
				  const struct hvpart_intercept *icpt);
void hv_partition_kick_mask(struct hv_partition *pt, u64 mask, int req);
void hv_partition_kick_all(struct hv_partition *pt, int req);
bool hv_partition_io_intercepted(struct hv_partition *pt, u16 port,
				 u8 size, bool in);
bool hv_partition_range_intercepted(struct hv_partition *pt, u32 type,
				    u32 value, u32 access);

/* hv_core/vp.c */
struct hv_vp *hv_vp_create(struct hv_partition *pt, u32 index);
void hv_vp_destroy(struct hv_vp *vp);
int hv_vp_run(struct hv_vp *vp);
int hv_vp_get_reg(struct hv_vp *vp, u32 name,
		  union hvpart_register_value *val);
int hv_vp_set_reg(struct hv_vp *vp, u32 name,
		  const union hvpart_register_value *val);
u64 hv_vp_read_reg64(struct hv_vp *vp, u32 name);
int hv_vp_cpl(struct hv_vp *vp);
void hv_vp_advance_rip(struct hv_vp *vp, u8 len);
void hv_vp_reset(struct hv_vp *vp);
int hv_vp_set64(struct hv_vp *vp, u32 name, u64 val);
void hv_vp_set_segment(struct hv_vp *vp, u32 name, u16 sel, u64 base,
		       u16 attr);
void hv_vp_kick(struct hv_vp *vp);

/* hv_core/exit.c */
int hv_handle_exit(struct hv_vp *vp);
struct hvpart_message *hv_msg_begin(struct hv_vp *vp, u32 type,
				    size_t payload, u8 access);
int hv_exit_memory_message(struct hv_vp *vp);
int hv_exit_unhandled(struct hv_vp *vp);

/* hv_core/hyperv.c */
int hv_hyperv_init(struct hv_partition *pt);
void hv_hyperv_destroy(struct hv_partition *pt);
int hv_hyperv_set_property(struct hv_partition *pt, u32 code, u64 value);
int hv_hyperv_get_property(struct hv_partition *pt, u32 code, u64 *value);
void hv_hyperv_cpuid(struct hv_vp *vp, u32 leaf, u32 *eax, u32 *ebx,
		     u32 *ecx, u32 *edx);
int hv_hyperv_msr_read(struct hv_vp *vp, u32 msr, u64 *data);
int hv_hyperv_msr_write(struct hv_vp *vp, u32 msr, u64 data);
bool hv_hyperv_is_reg(u32 name);
int hv_hyperv_get_reg(struct hv_vp *vp, u32 name, u64 *val);
int hv_hyperv_set_reg(struct hv_vp *vp, u32 name, u64 val);

/* hv_core/reftime.c */
int hv_reftime_module_init(void);
void hv_reftime_module_exit(void);
void hv_reftime_init(struct hv_partition *pt);
u64 hv_reftime_now(struct hv_partition *pt);
void hv_reftime_set_now(struct hv_partition *pt, u64 val);
void hv_reftime_update_page(struct hv_partition *pt);
void hv_reftime_tsc_changed(struct hv_partition *pt);
int hv_reftime_set_msr(struct hv_partition *pt, u64 data);

/* hv_core/hypercall.c */
int hv_hypercall(struct hv_vp *vp);

/* hv_core/cpuid.c */
int hv_cpuid_set_table(struct hv_partition *pt,
		       const struct hvpart_cpuid_entry *e, u32 nent);
void hv_cpuid_free_table(struct hv_partition *pt);
void hv_cpuid(struct hv_vp *vp, u32 leaf, u32 subleaf, u32 *eax, u32 *ebx,
	      u32 *ecx, u32 *edx);
int hv_cpuid_get_supported(struct hvpart_cpuid_entry *e, u32 max);

/* hv_core/xsave.c */
void hv_xsave_init(void);
bool hv_xsave_offered(void);
void hv_xsave_load_guest(struct hv_vp *vp);
void hv_xsave_put_guest(struct hv_vp *vp);
int hv_xsave_set_xcr0(struct hv_vp *vp, u64 xcr0);
int hv_exit_xsetbv(struct hv_vp *vp);
u64 hv_xsave_guest_mask(void);
void hv_xsave_cpuid(u64 xcr0, u32 subleaf, u32 *eax, u32 *ebx, u32 *ecx,
		    u32 *edx);

/* hv_core/event.c */
void hv_event_queue_exception(struct hv_vp *vp, u8 vector, bool has_error,
			      u32 error);
void hv_event_requeue(struct hv_vp *vp, u8 type, u8 vector, bool has_error,
		      u32 error, u8 insn_len);
void hv_event_clear(struct hv_vp *vp);
bool hv_event_next(struct hv_vp *vp, bool interruptible, bool protected,
		   struct hv_event *ev, bool *window);
void hv_event_delivered(struct hv_vp *vp);
void hv_event_not_delivered(struct hv_vp *vp);
bool hv_event_maybe_pending(struct hv_vp *vp);
bool hv_event_nmi_waiting(struct hv_vp *vp);
u8 hv_event_tpr_threshold(struct hv_vp *vp);
u64 hv_event_get_reg(struct hv_vp *vp);
int hv_event_set_reg(struct hv_vp *vp, u64 val);

/* hv_core/emulate.c */
int hv_emulate_mmio(struct hv_vp *vp, u64 gpa);
int hv_emulate_cr8_write(struct hv_vp *vp);

/* hv_core/spec.c */
int hv_spec_init(void);
void hv_spec_exit(void);
void hv_spec_before_entry(struct hv_vp *vp);
void hv_spec_forget_vp(struct hv_vp *vp);

/* hv_core/msr.c */
bool hv_msr_pat_valid(u64 pat);
int hv_msr_read(struct hv_vp *vp, u32 msr, u64 *data);
int hv_msr_write(struct hv_vp *vp, u32 msr, u64 data);

#endif /* HV_CORE_HV_H */
