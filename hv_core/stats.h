/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics, events and tracepoints.  The counters are structs of their
 * own embedded in hv_vp and hv_partition; hv_core calls one hook at each
 * point of interest (a single line there), and the hooks count, trace
 * (hv_core/trace.h) and report events through the generic netlink family
 * (hv_ioctl/netlink.c, <linux/hvpart_genl.h>).
 */
#ifndef HV_CORE_STATS_H
#define HV_CORE_STATS_H

#include <linux/list.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/hvpart_genl.h>

struct hv_event;
struct hv_partition;
struct hv_vp;

/* Hypercall codes counted one by one: 0x0000-0x00ff, 0x8000-0x800f. */
#define HV_STATS_HCALL_CODES	256
#define HV_STATS_HCALL_EXT	16
#define HV_STATS_HCALL_SLOTS	(HV_STATS_HCALL_CODES + HV_STATS_HCALL_EXT + 1)

/**
 * struct hv_vp_stats - one VP's counters
 * @exits: exits by reason (enum hv_exit_reason == enum hvpart_stat_exit)
 * @hypercalls: hypercalls by code (see hv_stats_hcall_slot()); the last
 *	slot counts every other code
 * @interrupts: events injected: interrupts, NMIs and exceptions
 * @messages: intercept messages posted to the root
 *
 * Written by the VP's thread only; read by netlink without a lock (each
 * counter is one aligned u64: a reader sees an old or a new value).
 */
struct hv_vp_stats {
	u64 exits[HVPART_STAT_EXIT_COUNT];
	u64 hypercalls[HV_STATS_HCALL_SLOTS];
	u64 interrupts;
	u64 messages;
};

/**
 * struct hv_pt_stats - what netlink knows of a partition
 * @node: on hv_nl_partitions, under hv_nl_mutex
 * @pid: the thread group that created it
 * @uid: the effective uid that created it
 * @started: a VP has run (the STARTED event was sent)
 */
struct hv_pt_stats {
	struct list_head node;
	pid_t pid;
	kuid_t uid;
	bool started;
};

/* hv_core/stats.c: the hooks */
void hv_stats_partition_created(struct hv_partition *pt);
void hv_stats_partition_destroyed(struct hv_partition *pt);
void hv_stats_run_begin(struct hv_vp *vp);
void hv_stats_entry(struct hv_vp *vp);
void hv_stats_exit(struct hv_vp *vp);
void hv_stats_run_end(struct hv_vp *vp, int ret);
void hv_stats_hypercall(struct hv_vp *vp, u16 code, u16 status);
void hv_stats_msr(struct hv_vp *vp, u32 msr, bool write);
void hv_stats_inject(struct hv_vp *vp, const struct hv_event *ev);
u32 hv_stats_hcall_code(unsigned int slot);

/* hv_ioctl/netlink.c */
int hv_nl_register(void);
void hv_nl_unregister(void);
void hv_nl_partition_add(struct hv_partition *pt);
void hv_nl_partition_del(struct hv_partition *pt);
void hv_nl_event(struct hv_partition *pt, u32 event, struct hv_vp *vp);

#endif /* HV_CORE_STATS_H */
