// SPDX-License-Identifier: GPL-2.0
/*
 * The four synthetic timers of a VP (HV_X64_MSR_STIMERn_CONFIG/COUNT):
 * one-shot (COUNT is an absolute reference time) or periodic (COUNT is the
 * period), in message mode (HVMSG_TIMER_EXPIRED into the configured
 * SINT's slot) or direct mode (a fixed interrupt at ApicVector).  Each
 * runs on a hard hrtimer set from reference time (hv_reftime_now()).
 *
 * The VP's thread (MSR writes, the root's register ioctls) stops a timer
 * with hrtimer_cancel() before it changes it, and starts it afterwards;
 * the callback raises the interrupt or writes the message under the
 * SynIC's lock.  A message whose slot is busy stays pending in the timer
 * (its own message buffer, as the TLFS has one a timer): a periodic timer
 * is then not re-armed until EOM or an EOI delivers it
 * (hv_stimer_retry()), so one busy slot costs no host time.  Periods are
 * clamped to the APIC timer's shortest (hv_lapic_min_period_ns(), module
 * parameter apic_min_period_us), and missed periods are skipped, not
 * caught up, as the TLFS allows for any timer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/math64.h>

#include "hv_core/hv.h"
#include "hv_core/tlfs.h"

#define HV_REF_NS		100	/* ns a reference time unit */
/* the longest a timer is set for: about 100 years */
#define HV_STIMER_MAX_NS	(100ULL * 365 * 24 * 3600 * NSEC_PER_SEC)

/* Start the hrtimer for t->exp_time (reference time). */
static void hv_stimer_arm(struct hv_stimer *t, u64 now)
{
	u64 ns = 0;

	if (t->exp_time > now)
		ns = min_t(u64, t->exp_time - now, HV_STIMER_MAX_NS / HV_REF_NS) *
		     HV_REF_NS;
	hrtimer_start(&t->timer, ktime_add_ns(ktime_get(), ns),
		      HRTIMER_MODE_ABS_HARD);
}

/* The next expiration of a periodic timer, skipping missed periods. */
static void hv_stimer_next(struct hv_stimer *t, u64 now)
{
	u64 period = div_u64(t->period_ns, HV_REF_NS);

	t->exp_time += period;
	if (t->exp_time <= now)
		t->exp_time = now + period;
}

static enum hrtimer_restart hv_stimer_fn(struct hrtimer *h)
{
	struct hv_stimer *t = container_of(h, struct hv_stimer, timer);
	struct hv_vp *vp = t->vp;
	struct hv_synic *s = &vp->synic;
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	u64 now, n;

	raw_spin_lock_irqsave(&s->lock, flags);
	now = hv_reftime_now(vp->pt);
	if (t->config & HV_STIMER_DIRECT_MODE)
		hv_lapic_raise(vp, HV_STIMER_CONFIG_VECTOR(t->config));
	else
		t->msg_pending = !hv_synic_deliver_timer(t, now);
	if (!(t->config & HV_STIMER_PERIODIC)) {
		/* an expired one-shot timer is disabled */
		t->config &= ~HV_STIMER_ENABLE;
	} else if (!t->msg_pending) {
		n = hrtimer_forward_now(h, ns_to_ktime(t->period_ns));
		t->exp_time += n * div_u64(t->period_ns, HV_REF_NS);
		ret = HRTIMER_RESTART;
	}
	raw_spin_unlock_irqrestore(&s->lock, flags);
	return ret;
}

/*
 * @sint's slot may be free again (EOM, EOI): deliver the timers' pending
 * messages, and re-arm the periodic ones that waited for it.  With the
 * SynIC's lock held, on the VP's thread, maybe with interrupts off.
 */
void hv_stimer_retry(struct hv_vp *vp, u32 sint)
{
	struct hv_synic *s = &vp->synic;
	u64 now;
	u32 i;

	lockdep_assert_held(&s->lock);
	for (i = 0; i < HV_NR_STIMERS; i++) {
		struct hv_stimer *t = &s->stimer[i];

		if (!t->msg_pending || HV_STIMER_CONFIG_SINT(t->config) != sint)
			continue;
		now = hv_reftime_now(vp->pt);
		if (!hv_synic_deliver_timer(t, now))
			continue;
		t->msg_pending = false;
		if ((t->config & HV_STIMER_PERIODIC) &&
		    (t->config & HV_STIMER_ENABLE)) {
			hv_stimer_next(t, now);
			hv_stimer_arm(t, now);
		}
	}
}

/*
 * With the timer stopped and the lock held: start it if its
 * configuration says so.  Returns whether the caller must arm it.
 */
static bool hv_stimer_start(struct hv_stimer *t, u64 now)
{
	u64 ns;

	t->msg_pending = false;
	t->period_ns = 0;
	if (!(t->config & HV_STIMER_ENABLE) || !t->count)
		return false;
	if (!(t->config & HV_STIMER_PERIODIC)) {
		t->exp_time = t->count;		/* absolute */
		return true;
	}
	ns = t->count > HV_STIMER_MAX_NS / HV_REF_NS ? HV_STIMER_MAX_NS :
	     t->count * HV_REF_NS;
	/* the APIC timer's floor: a one-tick period would storm the host */
	t->period_ns = max_t(u64, ns, hv_lapic_min_period_ns());
	t->exp_time = now + div_u64(t->period_ns, HV_REF_NS);
	return true;
}

/*
 * A new CONFIG.  RsvdZ bits raise #GP, and so does DirectMode without its
 * CPUID bit or with a vector below 16.  A message-mode timer cannot be
 * enabled with SINTx 0: it stays disabled (TLFS).
 */
static int hv_stimer_check_config(struct hv_vp *vp, u64 *val)
{
	if (*val & HV_STIMER_RSVDZ)
		return -EINVAL;
	if (*val & HV_STIMER_DIRECT_MODE) {
		if (!(vp->pt->features & HV_STIMER_DIRECT_MODE_AVAILABLE) ||
		    HV_STIMER_CONFIG_VECTOR(*val) < HV_SYNIC_FIRST_VALID_VECTOR)
			return -EINVAL;
	} else if (!HV_STIMER_CONFIG_SINT(*val)) {
		*val &= ~HV_STIMER_ENABLE;
	}
	return 0;
}

/* STIMERn_CONFIG (@count false) or _COUNT.  0 or -EINVAL (#GP). */
int hv_stimer_set(struct hv_vp *vp, u32 idx, bool count, u64 val)
{
	struct hv_synic *s = &vp->synic;
	struct hv_stimer *t = &s->stimer[idx];
	unsigned long flags;
	bool arm;
	u64 now;

	lockdep_assert_held(&vp->vp_mutex);
	if (!count && hv_stimer_check_config(vp, &val))
		return -EINVAL;

	hrtimer_cancel(&t->timer);
	raw_spin_lock_irqsave(&s->lock, flags);
	if (!count) {
		t->config = val;
	} else {
		t->count = val;
		/* zero stops the timer; AutoEnable starts it on nonzero */
		if (!val)
			t->config &= ~HV_STIMER_ENABLE;
		else if ((t->config & HV_STIMER_AUTOENABLE) &&
			 ((t->config & HV_STIMER_DIRECT_MODE) ||
			  HV_STIMER_CONFIG_SINT(t->config)))
			t->config |= HV_STIMER_ENABLE;
	}
	now = hv_reftime_now(vp->pt);
	arm = hv_stimer_start(t, now);
	if (arm)
		hv_stimer_arm(t, now);
	raw_spin_unlock_irqrestore(&s->lock, flags);
	return 0;
}

int hv_stimer_get(struct hv_vp *vp, u32 idx, bool count, u64 *val)
{
	struct hv_stimer *t = &vp->synic.stimer[idx];

	*val = count ? READ_ONCE(t->count) : READ_ONCE(t->config);
	return 0;
}

void hv_stimer_init(struct hv_vp *vp)
{
	u32 i;

	for (i = 0; i < HV_NR_STIMERS; i++) {
		struct hv_stimer *t = &vp->synic.stimer[i];

		t->vp = vp;
		t->index = i;
		hrtimer_init(&t->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
		t->timer.function = hv_stimer_fn;
	}
}

void hv_stimer_destroy(struct hv_vp *vp)
{
	u32 i;

	for (i = 0; i < HV_NR_STIMERS; i++) {
		if (vp->synic.stimer[i].vp)
			hrtimer_cancel(&vp->synic.stimer[i].timer);
	}
}
