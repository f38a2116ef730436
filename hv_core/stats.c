// SPDX-License-Identifier: GPL-2.0
/*
 * The statistics, event and tracepoint hooks (hv_core/stats.h).  Each is
 * called from one line in hv_core; the VP hooks run on the VP's thread.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/sched.h>

#include "hv_core/hv.h"

#define CREATE_TRACE_POINTS
#include "hv_core/trace.h"

/* hv_core counts exits by its own reason, which the UAPI mirrors. */
static_assert((int)HV_EXIT_NONE == (int)HVPART_STAT_EXIT_NONE);
static_assert((int)HV_EXIT_IO == (int)HVPART_STAT_EXIT_IO);
static_assert((int)HV_EXIT_CPUID == (int)HVPART_STAT_EXIT_CPUID);
static_assert((int)HV_EXIT_MSR_READ == (int)HVPART_STAT_EXIT_MSR_READ);
static_assert((int)HV_EXIT_MSR_WRITE == (int)HVPART_STAT_EXIT_MSR_WRITE);
static_assert((int)HV_EXIT_NPF == (int)HVPART_STAT_EXIT_NPF);
static_assert((int)HV_EXIT_HLT == (int)HVPART_STAT_EXIT_HLT);
static_assert((int)HV_EXIT_SHUTDOWN == (int)HVPART_STAT_EXIT_SHUTDOWN);
static_assert((int)HV_EXIT_HYPERCALL == (int)HVPART_STAT_EXIT_HYPERCALL);
static_assert((int)HV_EXIT_INTR_WINDOW == (int)HVPART_STAT_EXIT_INTR_WINDOW);
static_assert((int)HV_EXIT_UD == (int)HVPART_STAT_EXIT_UD);
static_assert((int)HV_EXIT_XSETBV == (int)HVPART_STAT_EXIT_XSETBV);
static_assert((int)HV_EXIT_RDPMC == (int)HVPART_STAT_EXIT_RDPMC);
static_assert((int)HV_EXIT_WBINVD == (int)HVPART_STAT_EXIT_WBINVD);
static_assert((int)HV_EXIT_CR8_WRITE == (int)HVPART_STAT_EXIT_CR8_WRITE);
static_assert((int)HV_EXIT_UNHANDLED == (int)HVPART_STAT_EXIT_UNHANDLED);
static_assert((int)HV_EXIT_UNHANDLED + 1 == (int)HVPART_STAT_EXIT_COUNT);

/* The counter slot of hypercall @code. */
static unsigned int hv_stats_hcall_slot(u16 code)
{
	if (code < HV_STATS_HCALL_CODES)
		return code;
	if (code >= 0x8000 && code < 0x8000 + HV_STATS_HCALL_EXT)
		return HV_STATS_HCALL_CODES + code - 0x8000;
	return HV_STATS_HCALL_SLOTS - 1;
}

/* The code a counter slot stands for; U32_MAX for "every other". */
u32 hv_stats_hcall_code(unsigned int slot)
{
	if (slot < HV_STATS_HCALL_CODES)
		return slot;
	if (slot < HV_STATS_HCALL_CODES + HV_STATS_HCALL_EXT)
		return 0x8000 + slot - HV_STATS_HCALL_CODES;
	return U32_MAX;
}

static void hv_stats_inc(u64 *counter)
{
	WRITE_ONCE(*counter, *counter + 1);
}

void hv_stats_partition_created(struct hv_partition *pt)
{
	pt->stats.pid = task_tgid_nr(current);
	pt->stats.uid = current_euid();
	hv_nl_partition_add(pt);
	hv_nl_event(pt, HVPART_EVENT_CREATED, NULL);
}

void hv_stats_partition_destroyed(struct hv_partition *pt)
{
	hv_nl_partition_del(pt);
	hv_nl_event(pt, HVPART_EVENT_DESTROYED, NULL);
}

/* A RUN begins: the partition's first one starts it. */
void hv_stats_run_begin(struct hv_vp *vp)
{
	struct hv_partition *pt = vp->pt;

	if (READ_ONCE(pt->stats.started) || xchg(&pt->stats.started, true))
		return;
	hv_nl_event(pt, HVPART_EVENT_STARTED, vp);
}

/* Interrupts off, about to enter the guest. */
void hv_stats_entry(struct hv_vp *vp)
{
	trace_hvpart_entry(vp->pt->id, vp->index, vp->rip);
}

void hv_stats_exit(struct hv_vp *vp)
{
	u32 reason = vp->exit.reason;

	if (reason < HVPART_STAT_EXIT_COUNT)
		hv_stats_inc(&vp->stats.exits[reason]);
	trace_hvpart_exit(vp->pt->id, vp->index, reason, vp->rip);
}

/*
 * A RUN ends.  With 0 the run page holds a message for the root: count
 * it, trace it, and report the ones that are events.
 */
void hv_stats_run_end(struct hv_vp *vp, int ret)
{
	u32 type = vp->run->msg.header.message_type;

	if (ret || type == HVPART_MSG_NONE)
		return;
	hv_stats_inc(&vp->stats.messages);
	trace_hvpart_message(vp->pt->id, vp->index, type);
	switch (type) {
	case HVPART_MSG_X64_HALT:
		hv_nl_event(vp->pt, HVPART_EVENT_HALTED, vp);
		break;
	case HVPART_MSG_UNRECOVERABLE_EXCEPTION:
		hv_nl_event(vp->pt, HVPART_EVENT_TRIPLE_FAULT, vp);
		break;
	case HVPART_MSG_HVPART_GUEST_CRASH:
		hv_nl_event(vp->pt, HVPART_EVENT_CRASHED, vp);
		break;
	case HVPART_MSG_HVPART_RESET:
		hv_nl_event(vp->pt, HVPART_EVENT_RESET_REQUEST, vp);
		break;
	}
}

void hv_stats_hypercall(struct hv_vp *vp, u16 code, u16 status)
{
	hv_stats_inc(&vp->stats.hypercalls[hv_stats_hcall_slot(code)]);
	trace_hvpart_hypercall(vp->pt->id, vp->index, code, status);
}

/* An event goes into the guest on this entry (hv_event_next()). */
void hv_stats_inject(struct hv_vp *vp, const struct hv_event *ev)
{
	WRITE_ONCE(vp->stats.interrupts, vp->stats.interrupts + 1);
	trace_hvpart_inject(vp->pt->id, vp->index, ev->type, ev->vector,
			    ev->reinject, vp->rip, vp->rflags);
}

void hv_stats_msr(struct hv_vp *vp, u32 msr, bool write)
{
	u64 data = 0;

	if (write)
		data = (vp->regs[HV_RDX] << 32) | (u32)vp->regs[HV_RAX];
	trace_hvpart_msr(vp->pt->id, vp->index, msr, write, data);
}
