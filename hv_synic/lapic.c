// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC of a VP, in the kernel (HVPART_CREATE_PARTITION_LOCAL_APIC).
 *
 * One register file per VP, reached through the xAPIC page (MMIO at the
 * APIC base: hv_core decodes the instruction and calls hv_lapic_mmio()),
 * the x2APIC MSRs 0x800-0x8ff, and the root's TLFS register names.  The
 * VP's own thread owns everything but the interrupt-request state, which
 * any CPU may post: IRR and TMR bits and the pending NMI, INIT, SIPI and
 * timer bits are set atomically and the VP is then kicked (hv_vp_kick():
 * woken if it sleeps, sent an IPI if it is in the guest).  The VP takes
 * them in hv_lapic_prepare() before each entry, and hv_core's event queue
 * asks hv_lapic_next_vector() for an interrupt whenever its interrupt slot
 * is free and the guest can take one.
 *
 * TPR lives in the vendor's CR8 shadow (V_TPR, the virtual-APIC page)
 * while the guest runs, so CR8 writes never exit; hv_lapic_tpr_threshold()
 * tells the vendor when a TPR drop must exit because it unmasks an
 * interrupt.  The timer runs on a hard hrtimer at the frequency that
 * HV_X64_MSR_APIC_FREQUENCY reports.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/tsc.h>

#include "hv_core/hv.h"
#include "hv_core/tlfs.h"

static_assert(sizeof(struct hv_initial_vp_context) == HV_VP_CONTEXT_SIZE);

#define R(off)			((off) >> 4)	/* register index of an offset */

#define HV_APIC_VERSION		0x00050014	/* version 0x14, 6 LVTs */
#define HV_APIC_BASE_EXTD	BIT_ULL(10)	/* x2APIC mode */
#define HV_APIC_BASE_EN		BIT_ULL(11)
#define HV_APIC_BASE_BSP	BIT_ULL(8)
#define HV_X2APIC_MSR_FIRST	0x800
#define HV_X2APIC_MSR_LAST	0x8ff

/*
 * The shortest periodic timer period a guest gets, in microseconds, as
 * KVM's min_timer_period_us (and its default): a 1 ns period would be an
 * interrupt storm that keeps the host CPU in the timer callback.  A
 * machine whose clock counts instructions (Bochs) needs it longer: there
 * 200 us is shorter than one VM exit.
 */
static unsigned int apic_min_period_us = 200;
module_param(apic_min_period_us, uint, 0444);
MODULE_PARM_DESC(apic_min_period_us,
		 "shortest periodic APIC or synthetic timer period (us)");

#define HV_LVT_TIMER_MODE	(3 << 17)
#define HV_LVT_TIMER_DEADLINE	(2 << 17)
#define HV_LVT_MASKS		(APIC_LVT_MASKED | 0xff)

u64 hv_lapic_min_period_ns(void)
{
	return (u64)max(apic_min_period_us, 1U) * NSEC_PER_USEC;
}

static bool hv_lapic_x2(struct hv_vp *vp)
{
	return vp->apic_base & HV_APIC_BASE_EXTD;
}

/* Hardware-enabled (IA32_APIC_BASE.EN). */
bool hv_lapic_enabled(struct hv_vp *vp)
{
	return vp->pt->local_apic && (vp->apic_base & HV_APIC_BASE_EN);
}

static bool hv_lapic_sw_enabled(struct hv_lapic *apic)
{
	return READ_ONCE(apic->reg[R(APIC_SPIV)]) & APIC_SPIV_APIC_ENABLED;
}

/* 32 bits of a 256-bit register (bitmap_read() is not in 6.1) */
static u32 hv_bm_read32(const unsigned long *map, u32 word)
{
	return map[word * 32 / BITS_PER_LONG] >> (word * 32 % BITS_PER_LONG);
}

static void hv_bm_write32(unsigned long *map, u32 word, u32 val)
{
	u32 i;

	for (i = 0; i < 32; i++)
		assign_bit(word * 32 + i, map, val & BIT(i));
}

static int hv_lapic_highest(const unsigned long *map)
{
	int v = find_last_bit(map, 256);

	return v == 256 ? -1 : v;
}

/* TPR, with bits 7:4 from the vendor's CR8 shadow. */
static u32 hv_lapic_tpr(struct hv_vp *vp)
{
	union hvpart_register_value cr8;
	u32 tpr = vp->apic.reg[R(APIC_TASKPRI)];

	if (hv_vendor_call(get_reg)(vp, HVPART_REG_CR8, &cr8))
		return tpr;
	if ((tpr >> 4) != cr8.reg64) {
		tpr = cr8.reg64 << 4;
		vp->apic.reg[R(APIC_TASKPRI)] = tpr;
	}
	return tpr;
}

void hv_lapic_write_tpr(struct hv_vp *vp, u32 tpr)
{
	union hvpart_register_value cr8 = { .reg64 = (tpr & 0xff) >> 4 };

	vp->apic.reg[R(APIC_TASKPRI)] = tpr & 0xff;
	hv_vendor_call(set_reg)(vp, HVPART_REG_CR8, &cr8);
}

static u32 hv_lapic_ppr(struct hv_vp *vp)
{
	u32 tpr = hv_lapic_tpr(vp);
	int isr = hv_lapic_highest(vp->apic.isr);

	if (isr < 0 || (tpr & 0xf0) >= (isr & 0xf0))
		return tpr;
	return isr & 0xf0;
}

/* The interrupt the guest would take now, or -1. */
int hv_lapic_next_vector(struct hv_vp *vp)
{
	int v;

	if (!hv_lapic_enabled(vp))
		return -1;
	v = hv_lapic_highest(vp->apic.irr);
	if (v < 0 || (v & 0xf0) <= (hv_lapic_ppr(vp) & 0xf0))
		return -1;
	return v;
}

/* The VP assist page's first u32: bit 0 is "no EOI required". */
static u32 *hv_lapic_apic_assist(struct hv_lapic *apic)
{
	return apic->assist ? page_address(apic->assist) : NULL;
}

/*
 * The PV EOI flag only stands for "the one interrupt in service, nothing
 * pending".  Once another interrupt is pending, or nests, take the flag
 * back: the guest then writes EOI, which exits, so what waits behind the
 * interrupt in service is delivered at once.  The guest does not run
 * here, and hv_lapic_sync_pv_eoi() ran since it last did, so a flag still
 * set was not consumed.
 */
static void hv_lapic_pv_eoi_disarm(struct hv_lapic *apic)
{
	u32 *assist = hv_lapic_apic_assist(apic);

	if (apic->pv_eoi_vector < 0)
		return;
	apic->pv_eoi_vector = -1;
	if (assist)
		WRITE_ONCE(*assist, READ_ONCE(*assist) & ~1U);
}

/*
 * The CPU takes @vector: it moves from IRR to ISR.  With the VP assist
 * page on, an edge-triggered interrupt that is the only one in service
 * and has nothing pending behind it may be ended by the guest clearing
 * the PV EOI flag instead of writing EOI (hv_lapic_sync_pv_eoi() then
 * ends it): the TLFS's APIC assist, KVM's PV EOI.  A vector of an AutoEOI
 * SINT never goes in service.  Runs with interrupts
 * off: the page is referenced and mapped (no highmem on x86-64).
 */
void hv_lapic_ack(struct hv_vp *vp, int vector)
{
	struct hv_lapic *apic = &vp->apic;
	u32 *assist = hv_lapic_apic_assist(apic);

	clear_bit(vector, apic->irr);
	hv_lapic_pv_eoi_disarm(apic);
	/* an AutoEOI SINT's vector: the SynIC ends it at once */
	if (test_bit(vector, apic->auto_eoi)) {
		hv_synic_eoi(vp, vector);
		return;
	}
	if (assist && apic->pv_eoi_vector < 0 &&
	    hv_lapic_highest(apic->isr) < 0 &&
	    hv_lapic_highest(apic->irr) < 0 && !test_bit(vector, apic->tmr)) {
		apic->pv_eoi_vector = vector;
		WRITE_ONCE(*assist, READ_ONCE(*assist) | 1);
	}
	set_bit(vector, apic->isr);
}

/* After an exit: the guest cleared the PV EOI flag, so it ended that one. */
void hv_lapic_sync_pv_eoi(struct hv_vp *vp)
{
	struct hv_lapic *apic = &vp->apic;
	u32 *assist = hv_lapic_apic_assist(apic);
	int v = apic->pv_eoi_vector;

	if (v < 0)
		return;
	if (assist && (READ_ONCE(*assist) & 1))
		return;
	apic->pv_eoi_vector = -1;
	clear_bit(v, apic->isr);
	hv_synic_eoi(vp, v);
}

/* HV_X64_MSR_VP_ASSIST_PAGE: enable bit 0, reserved 11:1, the GPA. */
int hv_lapic_set_assist_page(struct hv_vp *vp, u64 val)
{
	struct hv_lapic *apic = &vp->apic;
	struct page *page = NULL;

	if ((val & GENMASK_ULL(11, 1)) ||
	    (val >> hv_mmu_max_gpa_bits()))
		return -EINVAL;
	if (val & 1) {
		page = hv_mmu_get_guest_page(&vp->pt->mmu, val >> PAGE_SHIFT);
		if (!page)
			return -EINVAL;
	}
	/* a flag the guest consumed under the old page counts */
	hv_lapic_sync_pv_eoi(vp);
	if (apic->pv_eoi_vector >= 0) {
		clear_bit(apic->pv_eoi_vector, apic->isr);
		apic->pv_eoi_vector = -1;
	}
	if (apic->assist)
		put_page(apic->assist);
	apic->assist = page;
	apic->assist_page = val;
	return 0;
}

/* The ICR as one 64-bit value: x2APIC's format, or xAPIC's ICR2:ICR. */
u64 hv_lapic_icr_read(struct hv_vp *vp)
{
	return vp->apic.reg[R(APIC_ICR)] |
	       (u64)vp->apic.reg[R(APIC_ICR2)] << 32;
}

/*
 * The priority class whose pending interrupt only TPR holds back, or 0:
 * the vendor exits when the guest lowers CR8 below it (VMX's TPR
 * threshold, SVM's V_IRQ priority).
 */
u8 hv_lapic_tpr_threshold(struct hv_vp *vp)
{
	int irr, isr;

	if (!hv_lapic_enabled(vp))
		return 0;
	irr = hv_lapic_highest(vp->apic.irr);
	isr = hv_lapic_highest(vp->apic.isr);
	if (irr < 0 || (isr >= 0 && (irr & 0xf0) <= (isr & 0xf0)))
		return 0;
	if ((irr & 0xf0) > (hv_lapic_tpr(vp) & 0xf0))
		return 0;
	return irr >> 4;
}

/* ---- accepting interrupts, from any CPU ------------------------------ */

static void hv_lapic_accept(struct hv_vp *vp, const struct hv_irq *irq)
{
	struct hv_lapic *apic = &vp->apic;

	switch (irq->type) {
	case HVPART_INTERRUPT_TYPE_FIXED:
	case HVPART_INTERRUPT_TYPE_LOWEST_PRIORITY:
		if (!hv_lapic_sw_enabled(apic))
			return;
		if (irq->level)
			set_bit(irq->vector, apic->tmr);
		else
			clear_bit(irq->vector, apic->tmr);
		set_bit(irq->vector, apic->irr);
		break;
	case HVPART_INTERRUPT_TYPE_NMI:
		set_bit(HV_LAPIC_PEND_NMI, &apic->pending);
		break;
	case HVPART_INTERRUPT_TYPE_INIT:
		if (irq->deassert)
			return;
		set_bit(HV_LAPIC_PEND_INIT, &apic->pending);
		break;
	case HVPART_INTERRUPT_TYPE_SIPI:
		WRITE_ONCE(apic->sipi_vector, irq->vector);
		/* the vector before the bit; pairs with hv_lapic_take() */
		smp_mb__before_atomic();
		set_bit(HV_LAPIC_PEND_SIPI, &apic->pending);
		break;
	default:
		return;
	}
	hv_vp_kick(vp);
}

/*
 * Latch a fixed, edge-triggered @vector in @vp's APIC and kick it: the
 * synthetic interrupt sources (SINTs, direct-mode timers) use this.
 */
void hv_lapic_raise(struct hv_vp *vp, u8 vector)
{
	struct hv_irq irq = { .type = HVPART_INTERRUPT_TYPE_FIXED,
			      .vector = vector };

	if (hv_lapic_enabled(vp) && vector >= 16)
		hv_lapic_accept(vp, &irq);
}

static u32 hv_lapic_id(struct hv_vp *vp)
{
	if (hv_lapic_x2(vp))
		return vp->index;
	return READ_ONCE(vp->apic.reg[R(APIC_ID)]) >> 24;
}

static u32 hv_lapic_ldr(struct hv_vp *vp)
{
	u32 id = vp->index;

	/* x2APIC: cluster in 31:16, one bit of 16 in 15:0 */
	if (hv_lapic_x2(vp))
		return (id >> 4) << 16 | BIT(id & 0xf);
	return READ_ONCE(vp->apic.reg[R(APIC_LDR)]);
}

static bool hv_lapic_match(struct hv_vp *vp, const struct hv_irq *irq)
{
	u32 dest = irq->dest, ldr;

	if (!hv_lapic_enabled(vp))
		return false;
	if (hv_lapic_x2(vp)) {
		if (dest == 0xffffffff)
			return true;
		if (!irq->logical)
			return dest == vp->index;
		ldr = hv_lapic_ldr(vp);
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	if (!irq->logical)
		return dest == hv_lapic_id(vp);
	ldr = hv_lapic_ldr(vp) >> 24;
	if ((READ_ONCE(vp->apic.reg[R(APIC_DFR)]) >> 28) == 0xf)
		return dest & ldr;		/* flat */
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);	/* cluster */
}

/*
 * Deliver @irq to the VPs it names, as the APIC bus would: @self is the
 * sender for the ICR's shorthands (NULL for the root).  Lowest priority
 * goes to the matching VP with the lowest TPR.
 */
int hv_lapic_deliver(struct hv_partition *pt, const struct hv_irq *irq,
		     struct hv_vp *self)
{
	struct hv_vp *lowest = NULL;
	u32 i;

	if (irq->shorthand == 1) {	/* self */
		hv_lapic_accept(self, irq);
		return 0;
	}
	for (i = 0; i < HV_MAX_VPS; i++) {
		struct hv_vp *vp = READ_ONCE(pt->vps[i]);

		if (!vp)
			continue;
		if (irq->shorthand == 3 && vp == self)
			continue;
		if (!irq->shorthand && !hv_lapic_match(vp, irq))
			continue;
		if (irq->type != HVPART_INTERRUPT_TYPE_LOWEST_PRIORITY) {
			hv_lapic_accept(vp, irq);
			continue;
		}
		if (!lowest || READ_ONCE(vp->apic.reg[R(APIC_TASKPRI)]) <
			       READ_ONCE(lowest->apic.reg[R(APIC_TASKPRI)]))
			lowest = vp;
	}
	if (lowest)
		hv_lapic_accept(lowest, irq);
	return 0;
}

/* HVPART_ASSERT_INTERRUPT: the root's devices, as an I/O APIC or MSI. */
int hv_lapic_assert(struct hv_partition *pt,
		    const struct hvpart_assert_interrupt *args)
{
	struct hv_irq irq = {
		.type = args->type,
		.vector = args->vector,
		.dest = args->destination,
		.logical = args->flags & HVPART_INTERRUPT_LOGICAL_DEST,
		.level = args->flags & HVPART_INTERRUPT_LEVEL_TRIGGERED,
	};

	if (!pt->local_apic)
		return -ENXIO;
	if ((args->flags & ~HVPART_INTERRUPT_FLAGS_MASK) || args->rsvd ||
	    args->destination > U32_MAX)
		return -EINVAL;
	switch (args->type) {
	case HVPART_INTERRUPT_TYPE_FIXED:
	case HVPART_INTERRUPT_TYPE_LOWEST_PRIORITY:
		if (args->vector < 16 || args->vector > 255)
			return -EINVAL;
		break;
	case HVPART_INTERRUPT_TYPE_SIPI:
		if (args->vector > 255 || irq.level)
			return -EINVAL;
		break;
	case HVPART_INTERRUPT_TYPE_NMI:
	case HVPART_INTERRUPT_TYPE_INIT:
		if (args->vector || irq.level)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	return hv_lapic_deliver(pt, &irq, NULL);
}

/* ---- the timer -------------------------------------------------------- */

static enum hrtimer_restart hv_lapic_timer_fn(struct hrtimer *t)
{
	struct hv_lapic *apic = container_of(t, struct hv_lapic, timer);

	set_bit(HV_LAPIC_PEND_TIMER, &apic->pending);
	hv_vp_kick(apic->vp);
	if (!apic->period_ns)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(apic->period_ns));
	apic->target = hrtimer_get_expires(t);
	return HRTIMER_RESTART;
}

static u32 hv_lapic_timer_mode(struct hv_lapic *apic)
{
	return apic->reg[R(APIC_LVTT)] & HV_LVT_TIMER_MODE;
}

static u64 hv_lapic_tick_ns(struct hv_lapic *apic)
{
	u32 tdcr = apic->reg[R(APIC_TDCR)];
	u32 shift = ((tdcr & 3) | ((tdcr & 8) >> 1)) + 1;

	/* 1, 2, 4 ... 128 ticks of the bus clock a count */
	return (NSEC_PER_SEC / HV_APIC_FREQUENCY) << (shift & 7);
}

static void hv_lapic_timer_stop(struct hv_lapic *apic)
{
	hrtimer_cancel(&apic->timer);
	clear_bit(HV_LAPIC_PEND_TIMER, &apic->pending);
	apic->period_ns = 0;
}

static void hv_lapic_timer_start(struct hv_lapic *apic, u64 ns, bool periodic)
{
	if (periodic)
		ns = max_t(u64, ns, hv_lapic_min_period_ns());
	apic->period_ns = periodic ? ns : 0;
	apic->target = ktime_add_ns(ktime_get(), ns);
	hrtimer_start(&apic->timer, apic->target, HRTIMER_MODE_ABS_HARD);
}

static void hv_lapic_set_tmict(struct hv_lapic *apic, u32 count)
{
	u32 mode = hv_lapic_timer_mode(apic);

	if (mode == HV_LVT_TIMER_DEADLINE)
		return;
	hv_lapic_timer_stop(apic);
	apic->reg[R(APIC_TMICT)] = count;
	if (count)
		hv_lapic_timer_start(apic, count * hv_lapic_tick_ns(apic),
				     mode == APIC_LVT_TIMER_PERIODIC);
}

static u32 hv_lapic_tmcct(struct hv_lapic *apic)
{
	s64 left;

	if (hv_lapic_timer_mode(apic) == HV_LVT_TIMER_DEADLINE ||
	    !apic->reg[R(APIC_TMICT)] || !hrtimer_active(&apic->timer))
		return 0;
	left = ktime_to_ns(ktime_sub(apic->target, ktime_get()));
	if (left <= 0)
		return 0;
	return div64_u64(left, hv_lapic_tick_ns(apic));
}

static void hv_lapic_set_deadline(struct hv_vp *vp, u64 deadline)
{
	struct hv_lapic *apic = &vp->apic;
	u64 now, ns;

	if (hv_lapic_timer_mode(apic) != HV_LVT_TIMER_DEADLINE)
		return;
	hv_lapic_timer_stop(apic);
	apic->tsc_deadline = deadline;
	if (!deadline)
		return;
	now = rdtsc() + vp->tsc_offset;
	if (deadline <= now || !tsc_khz) {
		set_bit(HV_LAPIC_PEND_TIMER, &apic->pending);
		return;
	}
	ns = mul_u64_u64_div_u64(deadline - now, NSEC_PER_MSEC, tsc_khz);
	hv_lapic_timer_start(apic, ns, false);
}

/* ---- before each entry: what other CPUs posted ------------------------ */

/* INIT: the x86 INIT state; APs then wait for a SIPI. */
static void hv_lapic_do_init(struct hv_vp *vp)
{
	struct hv_lapic *apic = &vp->apic;

	hv_vp_reset(vp);
	hv_lapic_timer_stop(apic);
	bitmap_zero(apic->isr, 256);
	bitmap_zero(apic->irr, 256);
	bitmap_zero(apic->tmr, 256);
	/* a SIPI posted meanwhile stays: it is for the state INIT leaves */
	clear_bit(HV_LAPIC_PEND_NMI, &apic->pending);
	hv_lapic_init(vp);
	apic->activity = vp->index ? HV_ACTIVITY_WAIT_SIPI :
				     HV_ACTIVITY_RUNNING;
	apic->idle = false;
}

static void hv_lapic_do_sipi(struct hv_vp *vp, u8 vector)
{
	hv_vp_set_segment(vp, HVPART_REG_CS, vector << 8, (u64)vector << 12,
			  0x9b);
	vp->rip = 0;
	vp->apic.activity = HV_ACTIVITY_RUNNING;
}

/*
 * HvCallStartVirtualProcessor from another VP: post @ctx to @target,
 * which must still wait for its first start (-EBUSY otherwise, the
 * TLFS's HV_STATUS_INVALID_VP_STATE).  The target applies it itself.
 */
int hv_lapic_start_vp(struct hv_vp *target, const void *ctx)
{
	struct hv_lapic *apic = &target->apic;

	if (READ_ONCE(apic->activity) != HV_ACTIVITY_WAIT_SIPI)
		return -EBUSY;
	if (test_and_set_bit(HV_LAPIC_START_BUSY, &apic->pending))
		return -EBUSY;
	memcpy(apic->start_ctx, ctx, sizeof(apic->start_ctx));
	/* the context before the bit; pairs with hv_lapic_take() */
	smp_mb__before_atomic();
	set_bit(HV_LAPIC_PEND_START, &apic->pending);
	hv_vp_kick(target);
	return 0;
}

static void hv_lapic_set_seg(struct hv_vp *vp, u32 name,
			     const struct hvpart_x64_segment *seg)
{
	union hvpart_register_value v = { .segment = *seg };

	hv_vp_set_reg(vp, name, &v);
}

/* The posted context: control registers first, so paging can come on. */
static void hv_lapic_do_start(struct hv_vp *vp)
{
	const struct hv_initial_vp_context *c =
		(const void *)vp->apic.start_ctx;
	union hvpart_register_value t;
	int ret;

	ret = hv_vp_set64(vp, HVPART_REG_CR4, c->cr4);
	ret = ret ?: hv_vp_set64(vp, HVPART_REG_CR3, c->cr3);
	ret = ret ?: hv_vp_set64(vp, HVPART_REG_EFER, c->efer);
	ret = ret ?: hv_vp_set64(vp, HVPART_REG_CR0, c->cr0);
	ret = ret ?: hv_vp_set64(vp, HVPART_REG_PAT, c->msr_cr_pat);
	ret = ret ?: hv_vp_set64(vp, HVPART_REG_RFLAGS, c->rflags);
	if (ret) {
		vp_warn(vp, "HvCallStartVirtualProcessor: bad context\n");
		return;
	}
	hv_lapic_set_seg(vp, HVPART_REG_CS, &c->cs);
	hv_lapic_set_seg(vp, HVPART_REG_DS, &c->ds);
	hv_lapic_set_seg(vp, HVPART_REG_ES, &c->es);
	hv_lapic_set_seg(vp, HVPART_REG_FS, &c->fs);
	hv_lapic_set_seg(vp, HVPART_REG_GS, &c->gs);
	hv_lapic_set_seg(vp, HVPART_REG_SS, &c->ss);
	hv_lapic_set_seg(vp, HVPART_REG_TR, &c->tr);
	hv_lapic_set_seg(vp, HVPART_REG_LDTR, &c->ldtr);
	t.table = c->idtr;
	hv_vp_set_reg(vp, HVPART_REG_IDTR, &t);
	t.table = c->gdtr;
	hv_vp_set_reg(vp, HVPART_REG_GDTR, &t);
	vp->regs[HV_RSP] = c->rsp;
	vp->rip = c->rip;
	vp->apic.activity = HV_ACTIVITY_RUNNING;
}

static void hv_lapic_fire_timer(struct hv_vp *vp)
{
	struct hv_lapic *apic = &vp->apic;
	u32 lvtt = apic->reg[R(APIC_LVTT)];
	struct hv_irq irq = { .type = HVPART_INTERRUPT_TYPE_FIXED,
			      .vector = lvtt & 0xff };

	if (hv_lapic_timer_mode(apic) == HV_LVT_TIMER_DEADLINE)
		apic->tsc_deadline = 0;
	if (!(lvtt & APIC_LVT_MASKED) && irq.vector >= 16)
		hv_lapic_accept(vp, &irq);
}

static void hv_lapic_take(struct hv_vp *vp)
{
	struct hv_lapic *apic = &vp->apic;

	if (!READ_ONCE(apic->pending))
		return;
	if (test_and_clear_bit(HV_LAPIC_PEND_INIT, &apic->pending))
		hv_lapic_do_init(vp);
	if (test_and_clear_bit(HV_LAPIC_PEND_SIPI, &apic->pending)) {
		/* pairs with hv_lapic_accept() */
		smp_mb__after_atomic();
		if (apic->activity == HV_ACTIVITY_WAIT_SIPI)
			hv_lapic_do_sipi(vp, READ_ONCE(apic->sipi_vector));
	}
	if (test_and_clear_bit(HV_LAPIC_PEND_START, &apic->pending)) {
		/* pairs with hv_lapic_start_vp() */
		smp_mb__after_atomic();
		if (apic->activity == HV_ACTIVITY_WAIT_SIPI)
			hv_lapic_do_start(vp);
		clear_bit(HV_LAPIC_START_BUSY, &apic->pending);
	}
	if (test_and_clear_bit(HV_LAPIC_PEND_TIMER, &apic->pending))
		hv_lapic_fire_timer(vp);
	/*
	 * An NMI waits for the exception slot, is held before SIPI, and
	 * while the guest blocks NMIs (in its NMI handler: VMX's virtual
	 * NMIs, hv_svm's own tracking) until an exit finds them unblocked;
	 * hv_event_nmi_waiting() tells the vendor to make that exit come.
	 */
	if (apic->activity != HV_ACTIVITY_WAIT_SIPI && !vp->exc.valid &&
	    test_bit(HV_LAPIC_PEND_NMI, &apic->pending) &&
	    !(hv_vp_read_reg64(vp, HVPART_REG_INTERRUPT_STATE) & 2) &&
	    test_and_clear_bit(HV_LAPIC_PEND_NMI, &apic->pending)) {
		vp->exc = (struct hv_event) {
			.valid = true, .type = HV_EVENT_NMI, .vector = 2,
		};
		apic->activity = HV_ACTIVITY_RUNNING;
	}
}

/* Whether an NMI is latched and not yet queued for injection. */
bool hv_lapic_nmi_pending(struct hv_vp *vp)
{
	return test_bit(HV_LAPIC_PEND_NMI, &vp->apic.pending);
}

/* Whether a halted or waiting VP has something to do. */
static bool hv_lapic_runnable(struct hv_vp *vp)
{
	struct hv_lapic *apic = &vp->apic;
	unsigned long pend = READ_ONCE(apic->pending);

	switch (apic->activity) {
	case HV_ACTIVITY_RUNNING:
		return true;
	case HV_ACTIVITY_WAIT_SIPI:
		return pend & (BIT(HV_LAPIC_PEND_INIT) | BIT(HV_LAPIC_PEND_SIPI) |
			       BIT(HV_LAPIC_PEND_START));
	}
	if ((pend & ~BIT(HV_LAPIC_START_BUSY)) || vp->exc.valid)
		return true;
	/* GUEST_IDLE ends at any interrupt, masked by IF or PPR or not */
	if (apic->idle &&
	    (vp->irq.valid || hv_lapic_highest(apic->irr) >= 0))
		return true;
	/* a maskable interrupt ends HLT only when RFLAGS.IF was set */
	return apic->halt_if && (vp->irq.valid || hv_lapic_next_vector(vp) >= 0);
}

/*
 * Before each entry: take what other CPUs posted, and sleep while the VP
 * is halted or waits for SIPI.  Returns 0 to enter, -EINTR on a signal
 * (the VP stays halted for the next HVPART_RUN_VP).
 */
int hv_lapic_prepare(struct hv_vp *vp)
{
	struct hv_lapic *apic = &vp->apic;
	int ret;

	hv_lapic_sync_pv_eoi(vp);
	for (;;) {
		hv_lapic_take(vp);
		if (hv_lapic_highest(apic->irr) >= 0)
			hv_lapic_pv_eoi_disarm(apic);
		if (hv_lapic_runnable(vp)) {
			if (apic->activity == HV_ACTIVITY_HALTED)
				apic->activity = HV_ACTIVITY_RUNNING;
			apic->idle = false;
			if (apic->activity == HV_ACTIVITY_RUNNING)
				return 0;
			continue;	/* INIT or SIPI to take */
		}
		ret = rcuwait_wait_event(&vp->wait, hv_lapic_runnable(vp),
					 TASK_INTERRUPTIBLE);
		if (ret)
			return ret;
	}
}

/*
 * HLT retired.  With RFLAGS.IF set the VP sleeps until an interrupt; with
 * it clear only an NMI or INIT can wake it, so the root is told.
 */
int hv_lapic_halt(struct hv_vp *vp)
{
	struct hv_lapic *apic = &vp->apic;

	apic->activity = HV_ACTIVITY_HALTED;
	apic->halt_if = vp->rflags & X86_EFLAGS_IF;
	apic->idle = false;
	if (apic->halt_if)
		return 1;
	hv_msg_begin(vp, HVPART_MSG_X64_HALT,
		     sizeof(struct hvpart_x64_intercept_header),
		     HVPART_INTERCEPT_ACCESS_EXECUTE);
	return 0;
}

/*
 * A read of HV_X64_MSR_GUEST_IDLE: the VP sleeps as in HLT, but any
 * interrupt that arrives ends the idle state, "regardless of whether the
 * interrupt is enabled" (the TLFS): with RFLAGS.IF clear, or masked by
 * TPR or an interrupt in service.  It is taken once it is unmasked.
 * Linux's PV spinlocks wait here with interrupts off for the unlocker's
 * IPI, maybe inside a handler of a higher priority than that IPI.
 */
void hv_lapic_idle(struct hv_vp *vp)
{
	vp->apic.activity = HV_ACTIVITY_HALTED;
	vp->apic.halt_if = true;
	vp->apic.idle = true;
}

/* ---- registers ------------------------------------------------------- */

/* EOI: end the highest in-service interrupt; a level one goes to the root. */
int hv_lapic_eoi(struct hv_vp *vp)
{
	struct hvpart_message *msg = &vp->run->msg;
	int v = hv_lapic_highest(vp->apic.isr);

	if (v < 0)
		return 0;
	clear_bit(v, vp->apic.isr);
	/* ended the usual way: the flag no longer applies */
	if (v == vp->apic.pv_eoi_vector)
		hv_lapic_pv_eoi_disarm(&vp->apic);
	hv_synic_eoi(vp, v);
	if (!test_and_clear_bit(v, vp->apic.tmr))
		return 0;
	memset(msg, 0, sizeof(*msg));
	msg->header.message_type = HVPART_MSG_X64_APIC_EOI;
	msg->header.payload_size = sizeof(msg->u.apic_eoi);
	msg->u.apic_eoi.vp_index = vp->index;
	msg->u.apic_eoi.interrupt_vector = v;
	return HV_LAPIC_TO_ROOT;
}

static void hv_lapic_error(struct hv_vp *vp, u32 esr)
{
	struct hv_lapic *apic = &vp->apic;
	u32 lvt = apic->reg[R(APIC_LVTERR)];
	struct hv_irq irq = { .type = HVPART_INTERRUPT_TYPE_FIXED,
			      .vector = lvt & 0xff };

	apic->esr_pending |= esr;
	if (!(lvt & APIC_LVT_MASKED) && irq.vector >= 16)
		hv_lapic_accept(vp, &irq);
}

static void hv_lapic_send_ipi(struct hv_vp *vp, u32 lo, u32 hi)
{
	struct hv_irq irq = {
		.vector = lo & APIC_VECTOR_MASK,
		.logical = lo & APIC_DEST_LOGICAL,
		.level = lo & APIC_INT_LEVELTRIG,
		.shorthand = (lo >> 18) & 3,
		.dest = hv_lapic_x2(vp) ? hi : hi >> 24,
	};

	/* ICR delivery modes are HV_INTERRUPT_TYPEs but for NMI-INIT-SIPI */
	switch (lo & APIC_DM_FIXED_MASK) {
	case APIC_DM_FIXED:
		irq.type = HVPART_INTERRUPT_TYPE_FIXED;
		break;
	case APIC_DM_LOWEST:
		irq.type = HVPART_INTERRUPT_TYPE_LOWEST_PRIORITY;
		break;
	case APIC_DM_NMI:
		irq.type = HVPART_INTERRUPT_TYPE_NMI;
		break;
	case APIC_DM_INIT:
		irq.type = HVPART_INTERRUPT_TYPE_INIT;
		irq.deassert = irq.level && !(lo & APIC_INT_ASSERT);
		break;
	case APIC_DM_STARTUP:
		irq.type = HVPART_INTERRUPT_TYPE_SIPI;
		break;
	default:	/* SMI, remote read, ExtINT: nothing to deliver */
		return;
	}
	if ((irq.type == HVPART_INTERRUPT_TYPE_FIXED ||
	     irq.type == HVPART_INTERRUPT_TYPE_LOWEST_PRIORITY) &&
	    irq.vector < 16) {
		hv_lapic_error(vp, APIC_ESR_SENDILL);
		return;
	}
	hv_lapic_deliver(vp->pt, &irq, vp);
}

static bool hv_lapic_is_lvt(u32 idx)
{
	return idx == R(APIC_LVTCMCI) ||
	       (idx >= R(APIC_LVTT) && idx <= R(APIC_LVTERR));
}

static u32 hv_lapic_lvt_mask(u32 idx)
{
	switch (idx) {
	case R(APIC_LVTT):
		return HV_LVT_MASKS | HV_LVT_TIMER_MODE;
	case R(APIC_LVT0):
	case R(APIC_LVT1):
		return HV_LVT_MASKS | APIC_MODE_MASK | APIC_INPUT_POLARITY |
		       APIC_LVT_LEVEL_TRIGGER;
	case R(APIC_LVTERR):
		return HV_LVT_MASKS;
	}
	return HV_LVT_MASKS | APIC_MODE_MASK;	/* thermal, PMC, CMCI */
}

/*
 * Read register @idx (offset >> 4).  Returns -EINVAL for a register that
 * does not exist or is write-only in x2APIC mode (#GP there).
 */
static int hv_lapic_read(struct hv_vp *vp, u32 idx, u32 *val)
{
	struct hv_lapic *apic = &vp->apic;
	bool x2 = hv_lapic_x2(vp);

	switch (idx) {
	case R(APIC_ID):
		*val = x2 ? vp->index : apic->reg[idx];
		return 0;
	case R(APIC_TASKPRI):
		*val = hv_lapic_tpr(vp);
		return 0;
	case R(APIC_ARBPRI):
		*val = 0;
		return x2 ? -EINVAL : 0;
	case R(APIC_PROCPRI):
		*val = hv_lapic_ppr(vp);
		return 0;
	case R(APIC_LDR):
		*val = hv_lapic_ldr(vp);
		return 0;
	case R(APIC_DFR):
	case R(APIC_ICR2):
		*val = apic->reg[idx];
		return x2 ? -EINVAL : 0;
	case R(APIC_EOI):
	case R(APIC_SELF_IPI):
	case R(APIC_RRR):
		*val = 0;
		return x2 ? -EINVAL : 0;
	case R(APIC_ISR) ... R(APIC_ISR) + 7:
		*val = hv_bm_read32(apic->isr, idx - R(APIC_ISR));
		return 0;
	case R(APIC_TMR) ... R(APIC_TMR) + 7:
		*val = hv_bm_read32(apic->tmr, idx - R(APIC_TMR));
		return 0;
	case R(APIC_IRR) ... R(APIC_IRR) + 7:
		*val = hv_bm_read32(apic->irr, idx - R(APIC_IRR));
		return 0;
	case R(APIC_TMCCT):
		*val = hv_lapic_tmcct(apic);
		return 0;
	case R(APIC_LVR):
	case R(APIC_SPIV):
	case R(APIC_ESR):
	case R(APIC_ICR):
	case R(APIC_TMICT):
	case R(APIC_TDCR):
		*val = apic->reg[idx];
		return 0;
	}
	if (hv_lapic_is_lvt(idx)) {
		*val = apic->reg[idx];
		return 0;
	}
	*val = 0;
	return -EINVAL;
}

/*
 * Write register @idx.  Returns 0, HV_LAPIC_TO_ROOT (EOI of a level
 * interrupt) or -EINVAL (#GP in x2APIC mode; ignored in xAPIC mode).
 */
static int hv_lapic_write(struct hv_vp *vp, u32 idx, u32 val)
{
	struct hv_lapic *apic = &vp->apic;
	bool x2 = hv_lapic_x2(vp);
	int i;

	switch (idx) {
	case R(APIC_ID):
		if (x2)
			return -EINVAL;
		apic->reg[idx] = val & 0xff000000;
		return 0;
	case R(APIC_TASKPRI):
		hv_lapic_write_tpr(vp, val);
		return 0;
	case R(APIC_EOI):
		if (x2 && val)
			return -EINVAL;
		return hv_lapic_eoi(vp);
	case R(APIC_LDR):
		if (x2)
			return -EINVAL;
		WRITE_ONCE(apic->reg[idx], val & APIC_LDR_MASK);
		return 0;
	case R(APIC_DFR):
		if (x2)
			return -EINVAL;
		WRITE_ONCE(apic->reg[idx], val | 0x0fffffff);
		return 0;
	case R(APIC_SPIV):
		WRITE_ONCE(apic->reg[idx], val & 0x3ff);
		if (val & APIC_SPIV_APIC_ENABLED)
			return 0;
		/* software disable masks every LVT */
		for (i = 0; i < HV_LAPIC_NR_REGS; i++)
			if (hv_lapic_is_lvt(i))
				apic->reg[i] |= APIC_LVT_MASKED;
		return 0;
	case R(APIC_ESR):
		if (x2 && val)
			return -EINVAL;
		apic->reg[idx] = apic->esr_pending;
		apic->esr_pending = 0;
		return 0;
	case R(APIC_ICR):
		apic->reg[idx] = val & ~APIC_ICR_BUSY;
		if (!x2)
			hv_lapic_send_ipi(vp, val, apic->reg[R(APIC_ICR2)]);
		return 0;
	case R(APIC_ICR2):
		if (x2)
			return -EINVAL;
		apic->reg[idx] = val & 0xff000000;
		return 0;
	case R(APIC_TMICT):
		hv_lapic_set_tmict(apic, val);
		return 0;
	case R(APIC_TDCR):
		apic->reg[idx] = val & 0xb;
		return 0;
	case R(APIC_SELF_IPI):
		if (!x2)
			return 0;
		hv_lapic_send_ipi(vp, APIC_DEST_SELF | (val & 0xff), 0);
		return 0;
	}
	if (hv_lapic_is_lvt(idx)) {
		if (idx == R(APIC_LVTT) &&
		    ((apic->reg[idx] ^ val) & HV_LVT_TIMER_MODE)) {
			hv_lapic_timer_stop(apic);
			apic->reg[R(APIC_TMICT)] = 0;
			apic->tsc_deadline = 0;
		}
		val &= hv_lapic_lvt_mask(idx);
		if (!hv_lapic_sw_enabled(apic))
			val |= APIC_LVT_MASKED;
		apic->reg[idx] = val;
		return 0;
	}
	/* read-only or absent */
	return -EINVAL;
}

bool hv_lapic_mmio_at(struct hv_vp *vp, u64 gpa)
{
	return hv_lapic_enabled(vp) && !hv_lapic_x2(vp) &&
	       (gpa & PAGE_MASK) == (vp->apic_base & GENMASK_ULL(51, 12));
}

/*
 * A 32-bit access to the xAPIC page.  Unaligned or odd-sized accesses and
 * absent registers read zero and drop writes.
 */
int hv_lapic_mmio(struct hv_vp *vp, u64 gpa, bool write, u32 *val)
{
	u32 off = gpa & ~PAGE_MASK;
	int ret;

	if ((off & 0xf) || off >= HV_LAPIC_NR_REGS * 16) {
		if (!write)
			*val = 0;
		return 0;
	}
	if (!write) {
		hv_lapic_read(vp, off >> 4, val);
		return 0;
	}
	ret = hv_lapic_write(vp, off >> 4, *val);
	return ret < 0 ? 0 : ret;
}

int hv_lapic_msr_read(struct hv_vp *vp, u32 msr, u64 *data)
{
	u32 idx = msr - HV_X2APIC_MSR_FIRST, lo;
	int ret;

	if (msr == MSR_IA32_TSC_DEADLINE) {
		*data = vp->apic.tsc_deadline;
		return 0;
	}
	if (!hv_lapic_enabled(vp) || !hv_lapic_x2(vp) ||
	    idx >= HV_LAPIC_NR_REGS)
		return -EINVAL;
	ret = hv_lapic_read(vp, idx, &lo);
	*data = lo;
	if (idx == R(APIC_ICR))
		*data |= (u64)vp->apic.reg[R(APIC_ICR2)] << 32;
	return ret;
}

/*
 * One 64-bit ICR write that sends (x2APIC's ICR MSR, HV_X64_MSR_ICR):
 * the destination in bits 63:32 in x2APIC mode, ICR2's 63:56 in xAPIC.
 */
int hv_lapic_icr_write(struct hv_vp *vp, u64 icr)
{
	if (!hv_lapic_enabled(vp) || (icr & GENMASK_ULL(31, 20)))
		return -EINVAL;
	vp->apic.reg[R(APIC_ICR)] = icr & ~APIC_ICR_BUSY;
	vp->apic.reg[R(APIC_ICR2)] = hv_lapic_x2(vp) ? icr >> 32 :
				     (icr >> 32) & 0xff000000;
	hv_lapic_send_ipi(vp, icr, icr >> 32);
	return 0;
}

int hv_lapic_msr_write(struct hv_vp *vp, u32 msr, u64 data)
{
	u32 idx = msr - HV_X2APIC_MSR_FIRST;

	if (msr == MSR_IA32_TSC_DEADLINE) {
		hv_lapic_set_deadline(vp, data);
		return 0;
	}
	if (!hv_lapic_enabled(vp) || !hv_lapic_x2(vp) ||
	    idx >= HV_LAPIC_NR_REGS)
		return -EINVAL;
	if (idx == R(APIC_ICR))
		return hv_lapic_icr_write(vp, data);
	if (data >> 32)
		return -EINVAL;
	return hv_lapic_write(vp, idx, data);
}

/*
 * IA32_APIC_BASE.  The guest may enable, disable, relocate and switch to
 * x2APIC; x2APIC back to xAPIC without disabling first raises #GP, as do
 * reserved bits.  The root (@host) may set any valid state.
 */
int hv_lapic_set_base(struct hv_vp *vp, u64 val, bool host)
{
	u64 old = vp->apic_base;
	u64 rsvd = ~(GENMASK_ULL(hv_mmu_max_gpa_bits() - 1, 12) |
		     HV_APIC_BASE_EN | HV_APIC_BASE_BSP |
		     (vp->pt->local_apic ? HV_APIC_BASE_EXTD : 0));

	if (val & rsvd)
		return -EINVAL;
	if ((val & HV_APIC_BASE_EXTD) && !(val & HV_APIC_BASE_EN))
		return -EINVAL;
	if (!host && (old & HV_APIC_BASE_EXTD) &&
	    (val & HV_APIC_BASE_EN) && !(val & HV_APIC_BASE_EXTD))
		return -EINVAL;
	vp->apic_base = val;
	if (!vp->pt->local_apic || host)
		return 0;
	/* a disabled APIC loses its state, as at reset */
	if ((old & HV_APIC_BASE_EN) && !(val & HV_APIC_BASE_EN)) {
		hv_lapic_timer_stop(&vp->apic);
		bitmap_zero(vp->apic.irr, 256);
		bitmap_zero(vp->apic.isr, 256);
		hv_lapic_init(vp);
	}
	return 0;
}

/* The root's view: HVPART_REG_APIC_* and the activity state. */
int hv_lapic_get_reg(struct hv_vp *vp, u32 name, u64 *val)
{
	u32 idx = name - 0x00084800, lo;

	if (!vp->pt->local_apic)
		return -EINVAL;
	if (name == HVPART_REG_VP_ASSIST_PAGE) {
		*val = vp->apic.assist_page;
		return 0;
	}
	if (name == HVPART_REG_INTERNAL_ACTIVITY_STATE) {
		*val = vp->apic.activity == HV_ACTIVITY_WAIT_SIPI ?
		       HVPART_ACTIVITY_STARTUP_SUSPEND :
		       vp->apic.activity == HV_ACTIVITY_HALTED ?
		       HVPART_ACTIVITY_HALT_SUSPEND : 0;
		return 0;
	}
	switch (idx) {
	case R(APIC_ID):
		*val = vp->apic.reg[idx];
		return 0;
	case R(APIC_ICR):
		*val = vp->apic.reg[idx] |
		       (u64)vp->apic.reg[R(APIC_ICR2)] << 32;
		return 0;
	case R(APIC_EOI):
	case R(APIC_SELF_IPI):
		return -EINVAL;
	}
	if (hv_lapic_read(vp, idx, &lo) < 0 && idx != R(APIC_DFR) &&
	    idx != R(APIC_ARBPRI) && idx != R(APIC_RRR))
		return -EINVAL;
	*val = lo;
	return 0;
}

int hv_lapic_set_reg(struct hv_vp *vp, u32 name, u64 val)
{
	struct hv_lapic *apic = &vp->apic;
	u32 idx = name - 0x00084800;

	if (!vp->pt->local_apic)
		return -EINVAL;
	if (name == HVPART_REG_VP_ASSIST_PAGE)
		return hv_lapic_set_assist_page(vp, val);
	if (name == HVPART_REG_INTERNAL_ACTIVITY_STATE) {
		if (val & ~3ULL || val == 3)
			return -EINVAL;
		apic->activity = val == HVPART_ACTIVITY_STARTUP_SUSPEND ?
				 HV_ACTIVITY_WAIT_SIPI :
				 val ? HV_ACTIVITY_HALTED : HV_ACTIVITY_RUNNING;
		apic->halt_if = true;
		apic->idle = false;
		return 0;
	}
	if (idx != R(APIC_ICR) && (val >> 32))
		return -EINVAL;
	switch (idx) {
	case R(APIC_ID):
		apic->reg[idx] = val & 0xff000000;
		return 0;
	case R(APIC_TASKPRI):
		hv_lapic_write_tpr(vp, val);
		return 0;
	case R(APIC_LDR):
	case R(APIC_DFR):
	case R(APIC_SPIV):
	case R(APIC_ESR):
	case R(APIC_TDCR):
		apic->reg[idx] = val;
		return 0;
	case R(APIC_ICR):
		/* state only: setting ICR does not send */
		apic->reg[idx] = val;
		apic->reg[R(APIC_ICR2)] = val >> 32;
		return 0;
	case R(APIC_TMICT):
		hv_lapic_set_tmict(apic, val);
		return 0;
	case R(APIC_ISR) ... R(APIC_ISR) + 7:
		hv_bm_write32(apic->isr, idx - R(APIC_ISR), val);
		return 0;
	case R(APIC_TMR) ... R(APIC_TMR) + 7:
		hv_bm_write32(apic->tmr, idx - R(APIC_TMR), val);
		return 0;
	case R(APIC_IRR) ... R(APIC_IRR) + 7:
		hv_bm_write32(apic->irr, idx - R(APIC_IRR), val);
		return 0;
	}
	if (hv_lapic_is_lvt(idx)) {
		apic->reg[idx] = val & hv_lapic_lvt_mask(idx);
		return 0;
	}
	return -EINVAL;
}

/* Power-on and INIT state of the APIC registers (SDM 10.4.7.1). */
void hv_lapic_init(struct hv_vp *vp)
{
	struct hv_lapic *apic = &vp->apic;
	int i;

	if (!apic->vp) {
		apic->vp = vp;
		hrtimer_init(&apic->timer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_ABS_HARD);
		apic->timer.function = hv_lapic_timer_fn;
		if (vp->pt->local_apic && vp->index)
			apic->activity = HV_ACTIVITY_WAIT_SIPI;
		apic->reg[R(APIC_ID)] = vp->index << 24;
	}
	for (i = 0; i < HV_LAPIC_NR_REGS; i++) {
		if (i != R(APIC_ID))
			apic->reg[i] = hv_lapic_is_lvt(i) ? APIC_LVT_MASKED : 0;
	}
	apic->reg[R(APIC_LVR)] = HV_APIC_VERSION;
	apic->reg[R(APIC_DFR)] = APIC_DFR_FLAT;
	apic->reg[R(APIC_SPIV)] = 0xff;
	apic->esr_pending = 0;
	apic->tsc_deadline = 0;
	apic->pv_eoi_vector = -1;
}

void hv_lapic_destroy(struct hv_vp *vp)
{
	if (vp->apic.vp)
		hrtimer_cancel(&vp->apic.timer);
	if (vp->apic.assist)
		put_page(vp->apic.assist);
}
