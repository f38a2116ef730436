/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local APIC of a VP (HVPART_CREATE_PARTITION_LOCAL_APIC), kept in
 * the kernel and vendor-neutral: a backend reports the exits (MMIO at the
 * APIC base, the x2APIC MSRs, HLT) and injects what hv_core's event queue
 * hands it.  See lapic.c.
 */
#ifndef HV_SYNIC_LAPIC_H
#define HV_SYNIC_LAPIC_H

#include <linux/types.h>
#include <linux/bitmap.h>
#include <linux/hrtimer.h>
#include <linux/atomic.h>

struct hv_vp;
struct hv_partition;
struct hvpart_assert_interrupt;

#define HV_LAPIC_NR_REGS	64	/* one per 16 bytes of the 1 KiB page */

/* What a VP is doing besides running (HvRegisterInternalActivityState). */
enum hv_activity {
	HV_ACTIVITY_RUNNING,
	HV_ACTIVITY_WAIT_SIPI,	/* StartupSuspend: an AP before SIPI */
	HV_ACTIVITY_HALTED,	/* HaltSuspend: HLT until an interrupt */
};

/* Bits of hv_lapic.pending: events other CPUs post, taken before entry. */
enum {
	HV_LAPIC_PEND_NMI,
	HV_LAPIC_PEND_INIT,
	HV_LAPIC_PEND_SIPI,
	HV_LAPIC_PEND_TIMER,
	HV_LAPIC_PEND_START,		/* HvCallStartVirtualProcessor */
	HV_LAPIC_START_BUSY,		/* start_ctx is being filled or used */
};

#define HV_VP_CONTEXT_SIZE	0xe0	/* HV_INITIAL_VP_CONTEXT */

struct hv_lapic {
	struct hv_vp *vp;
	/* owned by the VP's thread (vp_mutex or its run loop) */
	u32 reg[HV_LAPIC_NR_REGS];
	u8 activity;		/* enum hv_activity */
	bool halt_if;		/* halted with RFLAGS.IF set */
	bool idle;		/* halted by GUEST_IDLE: any IRR bit wakes */
	u32 esr_pending;	/* errors since the last ESR write */
	/* interrupt registers: any CPU sets IRR and TMR bits, atomically */
	unsigned long irr[BITS_TO_LONGS(256)];
	unsigned long tmr[BITS_TO_LONGS(256)];
	unsigned long isr[BITS_TO_LONGS(256)];
	/* vectors of AutoEOI SINTs: never in service (the SynIC's, synic.c) */
	unsigned long auto_eoi[BITS_TO_LONGS(256)];
	/* posted by other CPUs; HV_LAPIC_PEND_* */
	unsigned long pending;
	u8 sipi_vector;
	/* the timer: armed by the VP's thread, fires on any CPU */
	struct hrtimer timer;
	u64 period_ns;		/* periodic mode; 0 for one-shot */
	ktime_t target;		/* when the current count reaches zero */
	u64 tsc_deadline;	/* IA32_TSC_DEADLINE, guest TSC */
	/* HV_X64_MSR_VP_ASSIST_PAGE and the PV EOI flag in it */
	u64 assist_page;
	struct page *assist;	/* referenced while enabled */
	int pv_eoi_vector;	/* its flag is set for it, or -1 */
	/* HvCallStartVirtualProcessor's context, under HV_LAPIC_START_BUSY */
	u8 start_ctx[HV_VP_CONTEXT_SIZE] __aligned(8);
};

/* Results of an access besides 0 (done) and -errno (#GP). */
#define HV_LAPIC_TO_ROOT	1	/* run->msg holds a message */

#define HV_APIC_FREQUENCY	200000000ULL	/* 5 ns a tick */

u64 hv_lapic_min_period_ns(void);
void hv_lapic_init(struct hv_vp *vp);
void hv_lapic_destroy(struct hv_vp *vp);
bool hv_lapic_enabled(struct hv_vp *vp);
int hv_lapic_set_base(struct hv_vp *vp, u64 val, bool host);

int hv_lapic_prepare(struct hv_vp *vp);
int hv_lapic_halt(struct hv_vp *vp);
void hv_lapic_idle(struct hv_vp *vp);
int hv_lapic_next_vector(struct hv_vp *vp);
bool hv_lapic_nmi_pending(struct hv_vp *vp);
void hv_lapic_ack(struct hv_vp *vp, int vector);
u8 hv_lapic_tpr_threshold(struct hv_vp *vp);
void hv_lapic_write_tpr(struct hv_vp *vp, u32 tpr);
void hv_lapic_raise(struct hv_vp *vp, u8 vector);
int hv_lapic_icr_write(struct hv_vp *vp, u64 icr);
u64 hv_lapic_icr_read(struct hv_vp *vp);
int hv_lapic_set_assist_page(struct hv_vp *vp, u64 val);
void hv_lapic_sync_pv_eoi(struct hv_vp *vp);
int hv_lapic_start_vp(struct hv_vp *target, const void *ctx);

int hv_lapic_mmio(struct hv_vp *vp, u64 gpa, bool write, u32 *val);
bool hv_lapic_mmio_at(struct hv_vp *vp, u64 gpa);
int hv_lapic_msr_read(struct hv_vp *vp, u32 msr, u64 *data);
int hv_lapic_msr_write(struct hv_vp *vp, u32 msr, u64 data);
int hv_lapic_eoi(struct hv_vp *vp);
int hv_lapic_get_reg(struct hv_vp *vp, u32 name, u64 *val);
int hv_lapic_set_reg(struct hv_vp *vp, u32 name, u64 val);

/* An interrupt message on the APIC bus.  NOTE: hvpart helper - not TLFS. */
struct hv_irq {
	u32 type;		/* HVPART_INTERRUPT_TYPE_* */
	u32 vector;
	u64 dest;		/* APIC ID or logical destination */
	bool logical;
	bool level;		/* level-triggered */
	bool deassert;		/* INIT level de-assert: ignored */
	u8 shorthand;		/* ICR destination shorthand, 0 for none */
};

int hv_lapic_deliver(struct hv_partition *pt, const struct hv_irq *irq,
		     struct hv_vp *self);
int hv_lapic_assert(struct hv_partition *pt,
		    const struct hvpart_assert_interrupt *args);

#endif /* HV_SYNIC_LAPIC_H */
