// SPDX-License-Identifier: GPL-2.0
/*
 * The "hvpart" generic netlink family (<linux/hvpart_genl.h>): partition
 * and VP events on the "events" multicast group, and statistics per
 * partition and per VP for the callers that may read them.
 *
 * hv_nl_mutex guards hv_nl_partitions, the partitions netlink can see:
 * a partition joins it once created and leaves it before it is torn
 * down, so a reader that holds the mutex may use any partition on it.
 * Lock order: hv_nl_mutex -> pt_mutex (docs/locking.rst).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "hv_core/hv.h"

static DEFINE_MUTEX(hv_nl_mutex);
static LIST_HEAD(hv_nl_partitions);

/*
 * What a request may carry.  resv_start_op stays 0, so every command is
 * validated strictly: any other attribute fails with -EINVAL.
 */
static const struct nla_policy hv_nl_policy[HVPART_A_MAX + 1] = {
	[HVPART_A_PARTITION_ID] = { .type = NLA_U64 },
};

static struct genl_family hv_nl_family;

enum { HV_NL_MCGRP_EVENTS };

static const struct genl_multicast_group hv_nl_mcgrps[] = {
	[HV_NL_MCGRP_EVENTS] = { .name = HVPART_GENL_MCGRP_EVENTS },
};

void hv_nl_partition_add(struct hv_partition *pt)
{
	mutex_lock(&hv_nl_mutex);
	list_add_tail(&pt->stats.node, &hv_nl_partitions);
	mutex_unlock(&hv_nl_mutex);
}

void hv_nl_partition_del(struct hv_partition *pt)
{
	mutex_lock(&hv_nl_mutex);
	list_del(&pt->stats.node);
	mutex_unlock(&hv_nl_mutex);
}

/* The caller created the partition, shares its uid, or is an admin. */
static bool hv_nl_may_read(const struct hv_partition *pt)
{
	return current->mm == pt->mm || uid_eq(current_euid(), pt->stats.uid) ||
	       capable(CAP_SYS_ADMIN);
}

static struct hv_partition *hv_nl_find(u64 id)
	__must_hold(&hv_nl_mutex)
{
	struct hv_partition *pt;

	lockdep_assert_held(&hv_nl_mutex);
	list_for_each_entry(pt, &hv_nl_partitions, stats.node)
		if (pt->id == id)
			return pt;
	return NULL;
}

static int hv_nl_put_hypercalls(struct sk_buff *skb,
				const struct hv_vp_stats *st)
{
	struct nlattr *calls, *call;
	unsigned int i;
	u64 n;

	calls = nla_nest_start(skb, HVPART_A_VP_HYPERCALLS);
	if (!calls)
		return -EMSGSIZE;
	for (i = 0; i < HV_STATS_HCALL_SLOTS; i++) {
		n = READ_ONCE(st->hypercalls[i]);
		if (!n)
			continue;
		call = nla_nest_start(skb, HVPART_A_HCALL);
		if (!call ||
		    nla_put_u32(skb, HVPART_A_HCALL_CODE,
				hv_stats_hcall_code(i)) ||
		    nla_put_u64_64bit(skb, HVPART_A_HCALL_COUNT, n,
				      HVPART_A_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, call);
	}
	nla_nest_end(skb, calls);
	return 0;
}

static int hv_nl_put_vp(struct sk_buff *skb, const struct hv_vp *vp)
{
	const struct hv_vp_stats *st = &vp->stats;
	struct nlattr *nest, *exits;
	u64 total = 0, n;
	unsigned int i;

	nest = nla_nest_start(skb, HVPART_A_VP);
	if (!nest || nla_put_u32(skb, HVPART_A_VP_INDEX, vp->index))
		return -EMSGSIZE;
	exits = nla_nest_start(skb, HVPART_A_VP_EXITS);
	if (!exits)
		return -EMSGSIZE;
	for (i = 0; i < HVPART_STAT_EXIT_COUNT; i++) {
		n = READ_ONCE(st->exits[i]);
		total += n;
		if (nla_put_u64_64bit(skb, i + 1, n, HVPART_A_PAD))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, exits);
	if (hv_nl_put_hypercalls(skb, st) ||
	    nla_put_u64_64bit(skb, HVPART_A_VP_EXITS_TOTAL, total,
			      HVPART_A_PAD) ||
	    nla_put_u64_64bit(skb, HVPART_A_VP_INTERRUPTS,
			      READ_ONCE(st->interrupts), HVPART_A_PAD) ||
	    nla_put_u64_64bit(skb, HVPART_A_VP_MESSAGES,
			      READ_ONCE(st->messages), HVPART_A_PAD) ||
	    nla_put_u64_64bit(skb, HVPART_A_VP_GUEST_NS,
			      READ_ONCE(vp->runtime_ns), HVPART_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int hv_nl_put_partition_attrs(struct sk_buff *skb,
				     const struct hv_partition *pt)
{
	if (nla_put_u64_64bit(skb, HVPART_A_PARTITION_ID, pt->id,
			      HVPART_A_PAD) ||
	    nla_put_u32(skb, HVPART_A_PID, pt->stats.pid) ||
	    nla_put_u32(skb, HVPART_A_UID,
			from_kuid_munged(current_user_ns(), pt->stats.uid)))
		return -EMSGSIZE;
	return 0;
}

/* One GET_PARTITION answer: the partition and its VPs. */
static int hv_nl_fill(struct sk_buff *skb, struct hv_partition *pt,
		      u32 portid, u32 seq, int flags)
	__must_hold(&hv_nl_mutex)
{
	void *hdr;
	u32 i;
	int ret = 0;

	hdr = genlmsg_put(skb, portid, seq, &hv_nl_family, flags,
			  HVPART_CMD_GET_PARTITION);
	if (!hdr)
		return -EMSGSIZE;
	mutex_lock(&pt->pt_mutex);
	if (hv_nl_put_partition_attrs(skb, pt) ||
	    nla_put_u32(skb, HVPART_A_NR_VPS, pt->nr_vps))
		ret = -EMSGSIZE;
	for (i = 0; !ret && i < HV_MAX_VPS; i++)
		if (pt->vps[i])
			ret = hv_nl_put_vp(skb, pt->vps[i]);
	mutex_unlock(&pt->pt_mutex);
	if (ret) {
		genlmsg_cancel(skb, hdr);
		return ret;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int hv_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct hv_partition *pt;
	struct sk_buff *msg;
	int ret;

	if (!info->attrs[HVPART_A_PARTITION_ID])
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&hv_nl_mutex);
	pt = hv_nl_find(nla_get_u64(info->attrs[HVPART_A_PARTITION_ID]));
	if (!pt || !hv_nl_may_read(pt))
		ret = -ENOENT;
	else
		ret = hv_nl_fill(msg, pt, info->snd_portid, info->snd_seq, 0);
	mutex_unlock(&hv_nl_mutex);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* cb->args[0]: the id after which the dump goes on. */
static int hv_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct hv_partition *pt;
	int ret = 0, n = 0;

	mutex_lock(&hv_nl_mutex);
	list_for_each_entry(pt, &hv_nl_partitions, stats.node) {
		if (pt->id <= cb->args[0] || !hv_nl_may_read(pt))
			continue;
		ret = hv_nl_fill(skb, pt, NETLINK_CB(cb->skb).portid,
				 cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (ret)
			break;
		cb->args[0] = pt->id;
		n++;
	}
	mutex_unlock(&hv_nl_mutex);
	/* A partition too big for an empty message is an error, not a loop. */
	if (ret && !n)
		return ret;
	return skb->len;
}

static const struct genl_ops hv_nl_ops[] = {
	{
		.cmd = HVPART_CMD_GET_PARTITION,
		.doit = hv_nl_get_doit,
		.dumpit = hv_nl_get_dumpit,
	},
};

static struct genl_family hv_nl_family __ro_after_init = {
	.name = HVPART_GENL_NAME,
	.version = HVPART_GENL_VERSION,
	.maxattr = HVPART_A_MAX,
	.policy = hv_nl_policy,
	.module = THIS_MODULE,
	.ops = hv_nl_ops,
	.n_ops = ARRAY_SIZE(hv_nl_ops),
	.mcgrps = hv_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(hv_nl_mcgrps),
};

/* The event's own attributes: what happened to which VP. */
static int hv_nl_put_event_vp(struct sk_buff *skb, u32 event,
			      const struct hv_vp *vp)
{
	const struct hvpart_message *msg = &vp->run->msg;

	if (nla_put_u32(skb, HVPART_A_VP_INDEX, vp->index))
		return -EMSGSIZE;
	if (event == HVPART_EVENT_TRIPLE_FAULT &&
	    nla_put_u64_64bit(skb, HVPART_A_RIP, msg->u.intercept.rip,
			      HVPART_A_PAD))
		return -EMSGSIZE;
	if (event == HVPART_EVENT_CRASHED &&
	    (nla_put_u64_64bit(skb, HVPART_A_CRASH_CTL, msg->u.crash.crash_ctl,
			       HVPART_A_PAD) ||
	     nla_put(skb, HVPART_A_CRASH_PARAMS, sizeof(msg->u.crash.params),
		     msg->u.crash.params)))
		return -EMSGSIZE;
	return 0;
}

/*
 * Multicasts @event for @pt (and @vp, or NULL) to the "events" group,
 * if anyone listens.  May sleep; never fails the caller.
 */
void hv_nl_event(struct hv_partition *pt, u32 event, struct hv_vp *vp)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&hv_nl_family, &init_net, HV_NL_MCGRP_EVENTS))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &hv_nl_family, 0, HVPART_CMD_EVENT);
	if (!hdr ||
	    nla_put_u32(skb, HVPART_A_EVENT, event) ||
	    hv_nl_put_partition_attrs(skb, pt) ||
	    (vp && hv_nl_put_event_vp(skb, event, vp))) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&hv_nl_family, skb, 0, HV_NL_MCGRP_EVENTS,
			  GFP_KERNEL);
}

int hv_nl_register(void)
{
	return genl_register_family(&hv_nl_family);
}

void hv_nl_unregister(void)
{
	genl_unregister_family(&hv_nl_family);
}
