// SPDX-License-Identifier: GPL-2.0
/*
 * Event injection: the one queue of events a VP takes on its next entry,
 * as KVM's x86 common code keeps one.  Two slots, as a CPU has them:
 *
 * - exc: an exception, NMI or software event.  Delivered on the next
 *   entry whatever the guest's interruptibility.
 * - irq: an external interrupt (the root's pending interruption).  Held
 *   back while RFLAGS.IF is clear or an STI/MOV SS shadow is active; the
 *   vendor then asks for an exit at the interrupt window instead.
 *
 * hv_core and the root fill the queue (hv_event_queue_exception(), the
 * TLFS pending-interruption register); a vendor backend only encodes
 * what hv_event_next() hands it into the VMCB or VMCS, reports after the
 * exit whether it was delivered (hv_event_delivered()), and gives back
 * an event that the exit cut short (hv_event_requeue()).  The rules live
 * here: interruptibility, error codes outside protected mode, and what a
 * software event is re-injected as.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <asm/irq_vectors.h>

#include "hv_core/hv.h"

/* HV_X64_PENDING_INTERRUPTION_REGISTER */
#define HV_PENDING_VALID		BIT_ULL(0)
#define HV_PENDING_TYPE_SHIFT		1
#define HV_PENDING_TYPE_MASK		7
#define HV_PENDING_DELIVER_ERROR	BIT_ULL(4)
#define HV_PENDING_INSN_LEN_SHIFT	5
#define HV_PENDING_INSN_LEN_MASK	0xf
#define HV_PENDING_RSVD			GENMASK_ULL(15, 9)
#define HV_PENDING_VECTOR_SHIFT		16
#define HV_PENDING_VECTOR_MASK		0xffff
#define HV_PENDING_ERROR_SHIFT		32

static bool hv_event_is_soft(u8 type)
{
	return type >= HV_EVENT_SOFT_INTR;
}

/* Raise a hardware exception in the guest on its next entry. */
void hv_event_queue_exception(struct hv_vp *vp, u8 vector, bool has_error,
			      u32 error)
{
	vp->exc = (struct hv_event) {
		.valid = true, .type = HV_EVENT_EXCEPTION, .vector = vector,
		.has_error = has_error, .error = error,
	};
}

/*
 * An event the last exit interrupted (EXITINTINFO, IDT-vectoring
 * information), or one the backend reflects into the guest: delivered
 * again on the next entry, whatever the guest's interruptibility.  A
 * software event whose instruction length the CPU did not report is
 * not re-injected: RIP still points at its instruction, which simply
 * executes again (INT3, INTO, INT n).
 */
void hv_event_requeue(struct hv_vp *vp, u8 type, u8 vector, bool has_error,
		      u32 error, u8 insn_len)
{
	struct hv_event ev = {
		.valid = true, .type = type, .vector = vector,
		.has_error = has_error, .error = error, .insn_len = insn_len,
		.reinject = true,
	};

	if (hv_event_is_soft(type) && !insn_len)
		return;
	if (type == HV_EVENT_EXT_INTR)
		vp->irq = ev;
	else
		vp->exc = ev;
}

void hv_event_clear(struct hv_vp *vp)
{
	vp->exc.valid = false;
	vp->irq.valid = false;
	vp->injected = NULL;
}

/*
 * The local APIC's highest deliverable interrupt goes into the irq slot
 * and in service: the CPU acknowledges it as it injects it.  If the
 * exit cuts the delivery short, the slot re-injects it.
 */
static bool hv_event_from_lapic(struct hv_vp *vp)
{
	int v = hv_lapic_next_vector(vp);

	if (v < 0)
		return false;
	hv_lapic_ack(vp, v);
	vp->irq = (struct hv_event) {
		.valid = true, .type = HV_EVENT_EXT_INTR, .vector = v,
	};
	return true;
}

/* Whether hv_event_next() may have anything: the vendor's fast path. */
bool hv_event_maybe_pending(struct hv_vp *vp)
{
	return vp->exc.valid || vp->irq.valid ||
	       (vp->pt->local_apic && hv_lapic_next_vector(vp) >= 0);
}

/*
 * Whether the local APIC holds an NMI while the guest blocks NMIs: a
 * vendor that tracks the blocking itself gets an exit where it ends.
 */
bool hv_event_nmi_waiting(struct hv_vp *vp)
{
	return vp->pt->local_apic && hv_lapic_nmi_pending(vp);
}

/* See hv_lapic_tpr_threshold(): only with no other event waiting. */
u8 hv_event_tpr_threshold(struct hv_vp *vp)
{
	if (!vp->pt->local_apic || vp->irq.valid)
		return 0;
	return hv_lapic_tpr_threshold(vp);
}

/*
 * The event to deliver on this entry, if any, in @ev.  @interruptible:
 * RFLAGS.IF set and no interrupt shadow; @protected: CR0.PE (no error
 * code is pushed in real mode).  *@window is set when an external
 * interrupt waits for the guest to become interruptible: the vendor
 * then exits at the interrupt window.
 */
bool hv_event_next(struct hv_vp *vp, bool interruptible, bool protected,
		   struct hv_event *ev, bool *window)
{
	struct hv_event *slot = NULL;

	*window = false;
	vp->injected = NULL;
	if (vp->exc.valid)
		slot = &vp->exc;
	else if (vp->irq.valid && (interruptible || vp->irq.reinject))
		slot = &vp->irq;
	else if (!vp->irq.valid && interruptible && hv_event_from_lapic(vp))
		slot = &vp->irq;
	if (slot != &vp->irq &&
	    (vp->irq.valid || hv_lapic_next_vector(vp) >= 0))
		*window = true;
	if (!slot)
		return false;

	*ev = *slot;
	if (!protected)
		ev->has_error = false;
	vp->injected = slot;
	hv_stats_inject(vp, ev);
	return true;
}

/* The exit came after the injected event reached the guest's handler. */
void hv_event_delivered(struct hv_vp *vp)
{
	if (vp->injected)
		vp->injected->valid = false;
	vp->injected = NULL;
}

/* The exit came before the injected event reached the guest: it waits. */
void hv_event_not_delivered(struct hv_vp *vp)
{
	vp->injected = NULL;
}

static const struct hv_event *hv_event_pending(struct hv_vp *vp)
{
	if (vp->exc.valid)
		return &vp->exc;
	return vp->irq.valid ? &vp->irq : NULL;
}

u64 hv_event_get_reg(struct hv_vp *vp)
{
	const struct hv_event *ev = hv_event_pending(vp);

	if (!ev)
		return 0;
	return HV_PENDING_VALID |
	       (u64)ev->type << HV_PENDING_TYPE_SHIFT |
	       (ev->has_error ? HV_PENDING_DELIVER_ERROR : 0) |
	       (u64)ev->insn_len << HV_PENDING_INSN_LEN_SHIFT |
	       (u64)ev->vector << HV_PENDING_VECTOR_SHIFT |
	       (u64)ev->error << HV_PENDING_ERROR_SHIFT;
}

/* The root sets (or, without the valid bit, clears) the pending event. */
int hv_event_set_reg(struct hv_vp *vp, u64 val)
{
	u32 type = (val >> HV_PENDING_TYPE_SHIFT) & HV_PENDING_TYPE_MASK;
	u32 vector = (val >> HV_PENDING_VECTOR_SHIFT) & HV_PENDING_VECTOR_MASK;
	u32 len = (val >> HV_PENDING_INSN_LEN_SHIFT) & HV_PENDING_INSN_LEN_MASK;
	struct hv_event ev = {
		.valid = true, .type = type, .vector = vector,
		.has_error = val & HV_PENDING_DELIVER_ERROR,
		.error = val >> HV_PENDING_ERROR_SHIFT,
		.insn_len = hv_event_is_soft(type) ? len : 0,
	};

	if (!(val & HV_PENDING_VALID)) {
		hv_event_clear(vp);
		return 0;
	}
	/* 1 is reserved, 7 is "other event" (MTF): not injectable */
	if (type == 1 || type == 7 || vector > 0xff)
		return -EINVAL;
	/* bits 9-15: NestedEvent and reserved */
	if (val & HV_PENDING_RSVD)
		return -EINVAL;
	if (type == HV_EVENT_NMI && vector != NMI_VECTOR)
		return -EINVAL;
	if (type == HV_EVENT_EXCEPTION && vector > 31)
		return -EINVAL;
	/* only hardware exceptions push an error code */
	if (ev.has_error && type != HV_EVENT_EXCEPTION)
		return -EINVAL;
	/* a software event needs the length of its instruction */
	if (hv_event_is_soft(type) && !len)
		return -EINVAL;

	hv_event_clear(vp);
	if (type == HV_EVENT_EXT_INTR)
		vp->irq = ev;
	else
		vp->exc = ev;
	return 0;
}
