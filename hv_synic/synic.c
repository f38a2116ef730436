// SPDX-License-Identifier: GPL-2.0
/*
 * The TLFS synthetic interrupt controller (SynIC) of a VP, for partitions
 * created with HVPART_CREATE_PARTITION_LOCAL_APIC: SCONTROL, SVERSION,
 * SIEFP, SIMP, EOM and SINT0-15, the SIM page (16 message slots) and the
 * SIEF page (16 x 2048 event flags), both overlay pages that the guest
 * reads and writes like RAM.
 *
 * A SINT raises a fixed, edge-triggered interrupt in the VP's local APIC
 * (hv_lapic_raise()); an AutoEOI SINT's vector is in the APIC's auto_eoi
 * bitmap, so that acknowledging it skips ISR.  A message whose slot is
 * busy waits in the SINT's queue (the slot's MessagePending flag tells the
 * guest to write EOM); EOM, an EOI of the SINT's vector, an auto-EOI and
 * a newly queued message each try the slot again.
 *
 * Deliveries come from any thread (the root's ioctls, other VPs'
 * HvPostMessage and HvSignalEvent) and from the synthetic timers' hard-irq
 * callbacks, so every write into the pages and the queues happens under
 * hv_synic.lock, a raw spinlock taken with interrupts off; registers are
 * written by the VP's own thread (under vp_mutex) with it held too.  The
 * message protocol with the guest is lock-free (TLFS): the hypervisor
 * fills a slot only while its type is HvMessageTypeNone and writes the
 * type last; on a busy slot it sets MessagePending, then looks again, so
 * a guest that frees the slot and then reads the flag either sees it (and
 * writes EOM) or has freed the slot before the second look.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/slab.h>

#include "hv_core/hv.h"
#include "hv_core/tlfs.h"

#define HV_SYNIC_VERSION		1

static_assert(sizeof(struct hv_message) == HV_MESSAGE_SIZE);
static_assert(sizeof(struct hv_message) == sizeof(struct hvpart_message));

static struct hv_message *hv_synic_slot(struct hv_synic *s, u32 sint)
{
	return (struct hv_message *)page_address(s->msg_ov.page) + sint;
}

static unsigned long *hv_synic_flags(struct hv_synic *s, u32 sint)
{
	return page_address(s->evt_ov.page) + sint * HV_EVENT_FLAGS_COUNT / 8;
}

static bool hv_synic_on(struct hv_synic *s)
{
	return s->scontrol & HV_SYNIC_CONTROL_ENABLE;
}

/* Masked, and not polling (polling "has the effect of unmasking"). */
static bool hv_sint_masked(u64 sint)
{
	return (sint & HV_SYNIC_SINT_MASKED) && !(sint & HV_SYNIC_SINT_POLLING);
}

/* Raise @sint's interrupt unless it is masked or polled. */
static void hv_synic_raise(struct hv_vp *vp, u32 sint)
{
	u64 v = vp->synic.sint[sint];

	lockdep_assert_held(&vp->synic.lock);
	if (v & (HV_SYNIC_SINT_MASKED | HV_SYNIC_SINT_POLLING))
		return;
	hv_lapic_raise(vp, v & HV_SYNIC_SINT_VECTOR_MASK);
}

/*
 * Write @msg into @sint's slot if it is free; @more says that messages
 * wait behind it (MessagePending).  A busy slot is marked pending instead
 * and false is returned.
 */
static bool hv_synic_slot_write(struct hv_synic *s, u32 sint,
				const struct hvpart_message *msg, bool more)
{
	struct hv_message *slot = hv_synic_slot(s, sint);

	lockdep_assert_held(&s->lock);
	if (READ_ONCE(slot->message_type)) {
		WRITE_ONCE(slot->message_flags,
			   READ_ONCE(slot->message_flags) | HV_MSG_FLAG_PENDING);
		/* the flag before the second look; see the top of the file */
		smp_mb();
		if (READ_ONCE(slot->message_type))
			return false;
	}
	memcpy(slot->payload, msg->u.payload, msg->header.payload_size);
	slot->payload_size = msg->header.payload_size;
	slot->sender = msg->header.sender;
	WRITE_ONCE(slot->message_flags, more ? HV_MSG_FLAG_PENDING : 0);
	/* the message before its type */
	smp_wmb();
	WRITE_ONCE(slot->message_type, msg->header.message_type);
	return true;
}

/* Whether @sint's slot can take a message now (SynIC and SIM page on). */
static bool hv_synic_msg_ready(struct hv_synic *s)
{
	return hv_synic_on(s) && (s->simp & HV_SYNIC_SIMP_ENABLE);
}

/*
 * Move the head of @sint's queue into the slot if it is free; the freed
 * entry goes on @done, for the caller to free after unlocking.
 */
static void hv_synic_flush(struct hv_vp *vp, u32 sint, struct list_head *done)
{
	struct hv_synic *s = &vp->synic;
	struct hv_queued_msg *q;
	bool more;

	lockdep_assert_held(&s->lock);
	q = list_first_entry_or_null(&s->queue[sint], struct hv_queued_msg,
				     node);
	if (!q || !hv_synic_msg_ready(s))
		return;
	more = !list_is_singular(&s->queue[sint]);
	if (!hv_synic_slot_write(s, sint, &q->msg, more))
		return;
	list_move_tail(&q->node, done);
	if (q->port)
		q->port->queued--;
	else
		s->queued[sint]--;
	hv_synic_raise(vp, sint);
}

static void hv_synic_free_list(struct list_head *done)
{
	struct hv_queued_msg *q, *tmp;

	list_for_each_entry_safe(q, tmp, done, node)
		kfree(q);
}

/*
 * Post *@qp (filled by the caller; q->port NULL for the root) to @sint of
 * @vp: into the slot, or into the queue.  Takes ownership of the entry
 * when it queues it (*@qp becomes NULL).  Returns HV_STATUS_*.
 */
u16 hv_synic_post(struct hv_vp *vp, u32 sint, struct hv_queued_msg **qp)
{
	struct hv_synic *s = &vp->synic;
	struct hv_queued_msg *q = *qp;
	unsigned long flags;
	LIST_HEAD(done);
	u16 ret = HV_STATUS_SUCCESS;

	raw_spin_lock_irqsave(&s->lock, flags);
	if (!hv_synic_msg_ready(s)) {
		ret = HV_STATUS_INVALID_SYNIC_STATE;
		goto unlock;
	}
	if (list_empty(&s->queue[sint]) &&
	    hv_synic_slot_write(s, sint, &q->msg, false)) {
		hv_synic_raise(vp, sint);
		goto unlock;
	}
	if ((q->port ? q->port->queued : s->queued[sint]) >=
	    HV_SYNIC_QUEUE_MAX) {
		ret = HV_STATUS_INSUFFICIENT_BUFFERS;
		goto unlock;
	}
	if (q->port)
		q->port->queued++;
	else
		s->queued[sint]++;
	list_add_tail(&q->node, &s->queue[sint]);
	*qp = NULL;
	hv_synic_flush(vp, sint, &done);
unlock:
	raw_spin_unlock_irqrestore(&s->lock, flags);
	hv_synic_free_list(&done);
	return ret;
}

/* Set event flag @flag of @sint and raise the SINT if it was clear. */
u16 hv_synic_signal(struct hv_vp *vp, u32 sint, u32 flag)
{
	struct hv_synic *s = &vp->synic;
	unsigned long flags;
	u16 ret = HV_STATUS_SUCCESS;

	raw_spin_lock_irqsave(&s->lock, flags);
	if (!hv_synic_on(s) || !(s->siefp & HV_SYNIC_SIEFP_ENABLE) ||
	    hv_sint_masked(s->sint[sint]))
		ret = HV_STATUS_INVALID_SYNIC_STATE;
	else if (!test_and_set_bit(flag, hv_synic_flags(s, sint)))
		hv_synic_raise(vp, sint);
	raw_spin_unlock_irqrestore(&s->lock, flags);
	return ret;
}

/*
 * Whether @vp's @sint takes a message (or an event) now: a routing hint
 * for HVPART_ANY_VP ports, read without the lock.  The delivery checks
 * again under it.
 */
bool hv_synic_can_take(struct hv_vp *vp, u32 sint, bool message)
{
	struct hv_synic *s = &vp->synic;
	u64 page = message ? READ_ONCE(s->simp) : READ_ONCE(s->siefp);

	return (READ_ONCE(s->scontrol) & HV_SYNIC_CONTROL_ENABLE) &&
	       (page & HV_SYNIC_SIMP_ENABLE) &&
	       !hv_sint_masked(READ_ONCE(s->sint[sint]));
}

/*
 * Raise @sint's interrupt as an event flag would, without touching the
 * SIEF page (the root's HVPART_SIGNAL_EVENT_SINT_ONLY).
 */
u16 hv_synic_raise_sint(struct hv_vp *vp, u32 sint)
{
	struct hv_synic *s = &vp->synic;
	unsigned long flags;
	u16 ret = HV_STATUS_SUCCESS;

	raw_spin_lock_irqsave(&s->lock, flags);
	if (!hv_synic_on(s) || hv_sint_masked(s->sint[sint]))
		ret = HV_STATUS_INVALID_SYNIC_STATE;
	else
		hv_synic_raise(vp, sint);
	raw_spin_unlock_irqrestore(&s->lock, flags);
	return ret;
}

/*
 * A timer's expiration message (HVMSG_TIMER_EXPIRED) into its SINT's
 * slot; true if it went in.  Called with the lock held, from the timer's
 * callback or from the VP's thread after EOM or EOI.
 */
bool hv_synic_deliver_timer(struct hv_stimer *t, u64 now)
{
	struct hv_vp *vp = t->vp;
	struct hv_synic *s = &vp->synic;
	u32 sint = HV_STIMER_CONFIG_SINT(t->config);
	struct hvpart_message msg = {
		.header.message_type = HVMSG_TIMER_EXPIRED,
		.header.payload_size = sizeof(struct hv_timer_message_payload),
	};
	struct hv_timer_message_payload *p = (void *)msg.u.payload;

	lockdep_assert_held(&s->lock);
	if (!hv_synic_msg_ready(s))
		return false;
	p->timer_index = t->index;
	p->expiration_time = t->exp_time;
	p->delivery_time = now;
	if (!hv_synic_slot_write(s, sint, &msg, !list_empty(&s->queue[sint])))
		return false;
	hv_synic_raise(vp, sint);
	return true;
}

/* Try @sint's waiting messages again: timers first, then the queue. */
static void hv_synic_retry(struct hv_vp *vp, u32 sint)
{
	struct hv_synic *s = &vp->synic;
	unsigned long flags;
	LIST_HEAD(done);

	raw_spin_lock_irqsave(&s->lock, flags);
	hv_stimer_retry(vp, sint);
	hv_synic_flush(vp, sint, &done);
	raw_spin_unlock_irqrestore(&s->lock, flags);
	hv_synic_free_list(&done);
}

/*
 * The APIC ended @vector (an EOI, or an auto-EOI as it was acknowledged,
 * with interrupts off): the SINTs that use it try their messages again.
 */
void hv_synic_eoi(struct hv_vp *vp, int vector)
{
	struct hv_synic *s = &vp->synic;
	u32 i;

	if (!vp->pt->local_apic || !hv_synic_on(s))
		return;
	for (i = 0; i < HV_NR_SINTS; i++) {
		if ((s->sint[i] & HV_SYNIC_SINT_VECTOR_MASK) == vector)
			hv_synic_retry(vp, i);
	}
}

/* EOM: every SINT tries its messages again. */
static void hv_synic_eom(struct hv_vp *vp)
{
	u32 i;

	for (i = 0; i < HV_NR_SINTS; i++)
		hv_synic_retry(vp, i);
}

/* Drop what @port queued to @vp (HVPART_DELETE_PORT). */
void hv_synic_drop_port(struct hv_vp *vp, struct hv_port *port)
{
	struct hv_synic *s = &vp->synic;
	struct hv_queued_msg *q, *tmp;
	unsigned long flags;
	LIST_HEAD(done);
	u32 i;

	raw_spin_lock_irqsave(&s->lock, flags);
	for (i = 0; i < HV_NR_SINTS; i++) {
		list_for_each_entry_safe(q, tmp, &s->queue[i], node) {
			if (q->port == port)
				list_move_tail(&q->node, &done);
		}
	}
	port->queued = 0;
	raw_spin_unlock_irqrestore(&s->lock, flags);
	hv_synic_free_list(&done);
}

/* ---- registers -------------------------------------------------------- */

/* The vectors whose interrupts end themselves (unmasked AutoEOI SINTs). */
static void hv_synic_update_auto_eoi(struct hv_vp *vp)
{
	struct hv_synic *s = &vp->synic;
	u32 i;

	lockdep_assert_held(&vp->vp_mutex);
	bitmap_zero(vp->apic.auto_eoi, 256);
	for (i = 0; i < HV_NR_SINTS; i++) {
		if ((s->sint[i] & HV_SYNIC_SINT_AUTO_EOI) &&
		    !(s->sint[i] & HV_SYNIC_SINT_MASKED))
			__set_bit(s->sint[i] & HV_SYNIC_SINT_VECTOR_MASK,
				  vp->apic.auto_eoi);
	}
}

/*
 * SINTx.  Vectors 0-15 raise #GP, but for a masked SINT: its reset value
 * (0x10000) has vector 0, and guests write it back (KVM allows the same).
 * RsvdP bits keep their value.
 */
static int hv_synic_set_sint(struct hv_vp *vp, u32 i, u64 data)
{
	struct hv_synic *s = &vp->synic;
	unsigned long flags;

	if ((data & HV_SYNIC_SINT_VECTOR_MASK) < HV_SYNIC_FIRST_VALID_VECTOR &&
	    !(data & HV_SYNIC_SINT_MASKED))
		return -EINVAL;
	raw_spin_lock_irqsave(&s->lock, flags);
	s->sint[i] = (data & ~HV_SYNIC_SINT_RSVDP) |
		     (s->sint[i] & HV_SYNIC_SINT_RSVDP);
	raw_spin_unlock_irqrestore(&s->lock, flags);
	hv_synic_update_auto_eoi(vp);
	return 0;
}

/* SIMP and SIEFP: place or remove the overlay, then the register. */
static int hv_synic_set_page(struct hv_vp *vp, u64 *reg,
			     struct hv_overlay *ov, u64 data)
{
	struct hv_synic *s = &vp->synic;
	unsigned long flags;
	u64 val = (data & ~HV_SYNIC_PAGE_RSVDP) | (*reg & HV_SYNIC_PAGE_RSVDP);

	if (hv_mmu_overlay_set(vp->pt, ov, val & HV_SYNIC_SIMP_ENABLE,
			       val >> PAGE_SHIFT))
		return -EINVAL;
	raw_spin_lock_irqsave(&s->lock, flags);
	*reg = val;
	raw_spin_unlock_irqrestore(&s->lock, flags);
	return 0;
}

static int hv_synic_write(struct hv_vp *vp, u32 msr, u64 data)
{
	struct hv_synic *s = &vp->synic;
	unsigned long flags;

	lockdep_assert_held(&vp->vp_mutex);
	switch (msr) {
	case HV_X64_MSR_SCONTROL:
		raw_spin_lock_irqsave(&s->lock, flags);
		s->scontrol = (data & HV_SYNIC_CONTROL_ENABLE) |
			      (s->scontrol & ~HV_SYNIC_CONTROL_ENABLE);
		raw_spin_unlock_irqrestore(&s->lock, flags);
		if (hv_synic_on(s))
			hv_synic_eom(vp);
		return 0;
	case HV_X64_MSR_SIEFP:
		return hv_synic_set_page(vp, &s->siefp, &s->evt_ov, data);
	case HV_X64_MSR_SIMP:
		if (hv_synic_set_page(vp, &s->simp, &s->msg_ov, data))
			return -EINVAL;
		hv_synic_eom(vp);
		return 0;
	case HV_X64_MSR_EOM:
		/* a write-only trigger; the value is ignored */
		hv_synic_eom(vp);
		return 0;
	case HV_X64_MSR_SINT0 ... HV_X64_MSR_SINT15:
		return hv_synic_set_sint(vp, msr - HV_X64_MSR_SINT0, data);
	case HV_X64_MSR_STIMER0_CONFIG ... HV_X64_MSR_STIMER3_COUNT:
		return hv_stimer_set(vp, (msr - HV_X64_MSR_STIMER0_CONFIG) / 2,
				     msr & 1, data);
	}
	/* SVERSION is read-only */
	return -EINVAL;
}

static int hv_synic_read(struct hv_vp *vp, u32 msr, u64 *data)
{
	struct hv_synic *s = &vp->synic;

	switch (msr) {
	case HV_X64_MSR_SCONTROL:
		*data = s->scontrol;
		return 0;
	case HV_X64_MSR_SVERSION:
		*data = HV_SYNIC_VERSION;
		return 0;
	case HV_X64_MSR_SIEFP:
		*data = s->siefp;
		return 0;
	case HV_X64_MSR_SIMP:
		*data = s->simp;
		return 0;
	case HV_X64_MSR_EOM:
		*data = 0;
		return 0;
	case HV_X64_MSR_SINT0 ... HV_X64_MSR_SINT15:
		*data = s->sint[msr - HV_X64_MSR_SINT0];
		return 0;
	case HV_X64_MSR_STIMER0_CONFIG ... HV_X64_MSR_STIMER3_COUNT:
		return hv_stimer_get(vp, (msr - HV_X64_MSR_STIMER0_CONFIG) / 2,
				     msr & 1, data);
	}
	return -EINVAL;
}

bool hv_synic_is_msr(u32 msr)
{
	return (msr >= HV_X64_MSR_SCONTROL && msr <= HV_X64_MSR_EOM) ||
	       (msr >= HV_X64_MSR_SINT0 && msr <= HV_X64_MSR_SINT15) ||
	       (msr >= HV_X64_MSR_STIMER0_CONFIG &&
		msr <= HV_X64_MSR_STIMER3_COUNT);
}

/* The privilege each MSR needs: AccessSynicRegs or AccessSyntheticTimerRegs. */
static bool hv_synic_allowed(struct hv_vp *vp, u32 msr)
{
	u64 need = msr >= HV_X64_MSR_STIMER0_CONFIG ?
		   HV_MSR_SYNTIMER_AVAILABLE : HV_MSR_SYNIC_AVAILABLE;

	return vp->pt->local_apic && (vp->pt->privilege_mask & need);
}

/* The guest's WRMSR: 0 or -EINVAL (#GP). */
int hv_synic_msr_write(struct hv_vp *vp, u32 msr, u64 data)
{
	if (!hv_synic_allowed(vp, msr))
		return -EINVAL;
	return hv_synic_write(vp, msr, data);
}

int hv_synic_msr_read(struct hv_vp *vp, u32 msr, u64 *data)
{
	if (!hv_synic_allowed(vp, msr))
		return -EINVAL;
	return hv_synic_read(vp, msr, data);
}

/* The root's view: HV_REGISTER_SINT0 ... HV_REGISTER_STIMER3_COUNT. */
static u32 hv_synic_reg_to_msr(u32 name)
{
	switch (name) {
	case HVPART_REG_SINT0 ... HVPART_REG_SINT15:
		return HV_X64_MSR_SINT0 + name - HVPART_REG_SINT0;
	case HVPART_REG_SCONTROL ... HVPART_REG_EOM:
		return HV_X64_MSR_SCONTROL + name - HVPART_REG_SCONTROL;
	case HVPART_REG_STIMER0_CONFIG ... HVPART_REG_STIMER3_COUNT:
		return HV_X64_MSR_STIMER0_CONFIG + name -
		       HVPART_REG_STIMER0_CONFIG;
	}
	return 0;
}

bool hv_synic_is_reg(u32 name)
{
	return hv_synic_reg_to_msr(name);
}

int hv_synic_get_reg(struct hv_vp *vp, u32 name, u64 *val)
{
	if (!vp->pt->local_apic)
		return -EINVAL;
	return hv_synic_read(vp, hv_synic_reg_to_msr(name), val);
}

int hv_synic_set_reg(struct hv_vp *vp, u32 name, u64 val)
{
	if (!vp->pt->local_apic)
		return -EINVAL;
	return hv_synic_write(vp, hv_synic_reg_to_msr(name), val);
}

/* The one place HV_STATUS_* becomes an errno (the root's ioctls). */
int hv_synic_status_errno(u16 status)
{
	switch (status) {
	case HV_STATUS_SUCCESS:
		return 0;
	case HV_STATUS_INVALID_PARAMETER:
		return -EINVAL;
	case HV_STATUS_INVALID_VP_INDEX:
		return -ENOENT;
	case HV_STATUS_INSUFFICIENT_BUFFERS:
		return -EAGAIN;
	case HV_STATUS_INVALID_SYNIC_STATE:
		return -ENOTCONN;
	}
	return -EIO;
}

/* ---- lifetime ------------------------------------------------------- */

/*
 * The SIM (@sief false) or SIEF page for the root's mmap() of the VP fd;
 * NULL without the local APIC.  The pages live from hv_synic_vp_init()
 * to the partition's end, whatever SCONTROL, SIMP and SIEFP say, so
 * their contents outlive a disabled overlay (the TLFS only says they are
 * zero at VP creation).  The VP fd a mapping holds keeps the partition.
 */
struct page *hv_synic_page(struct hv_vp *vp, bool sief)
{
	struct hv_synic *s = &vp->synic;

	if (!vp->pt->local_apic)
		return NULL;
	return sief ? s->evt_ov.page : s->msg_ov.page;
}

int hv_synic_vp_init(struct hv_vp *vp)
{
	struct hv_synic *s = &vp->synic;
	u32 i;

	raw_spin_lock_init(&s->lock);
	for (i = 0; i < HV_NR_SINTS; i++) {
		INIT_LIST_HEAD(&s->queue[i]);
		s->sint[i] = HV_SYNIC_SINT_MASKED;
	}
	hv_stimer_init(vp);
	if (!vp->pt->local_apic)
		return 0;
	s->msg_ov.page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	s->evt_ov.page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	s->msg_ov.writable = true;
	s->evt_ov.writable = true;
	if (!s->msg_ov.page || !s->evt_ov.page) {
		hv_synic_vp_destroy(vp);
		return -ENOMEM;
	}
	return 0;
}

/*
 * With the partition: no thread runs or delivers any more.  The overlays
 * go with the partition's GPA space (hv_mmu_destroy() comes after).
 */
void hv_synic_vp_destroy(struct hv_vp *vp)
{
	struct hv_synic *s = &vp->synic;
	LIST_HEAD(done);
	u32 i;

	hv_stimer_destroy(vp);
	for (i = 0; i < HV_NR_SINTS; i++)
		list_splice_init(&s->queue[i], &done);
	hv_synic_free_list(&done);
	if (s->msg_ov.page)
		__free_page(s->msg_ov.page);
	if (s->evt_ov.page)
		__free_page(s->evt_ov.page);
	s->msg_ov.page = NULL;
	s->evt_ov.page = NULL;
}
