// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the client of hvpart's generic netlink family (hvnl.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "cli.h"
#include "hvnl.h"
#include "state.h"

const char *const hvnl_exit_names[HVPART_STAT_EXIT_COUNT] = {
	[HVPART_STAT_EXIT_NONE] = "none",
	[HVPART_STAT_EXIT_IO] = "io",
	[HVPART_STAT_EXIT_CPUID] = "cpuid",
	[HVPART_STAT_EXIT_MSR_READ] = "msr-read",
	[HVPART_STAT_EXIT_MSR_WRITE] = "msr-write",
	[HVPART_STAT_EXIT_NPF] = "npf",
	[HVPART_STAT_EXIT_HLT] = "hlt",
	[HVPART_STAT_EXIT_SHUTDOWN] = "shutdown",
	[HVPART_STAT_EXIT_HYPERCALL] = "hypercall",
	[HVPART_STAT_EXIT_INTR_WINDOW] = "intr-window",
	[HVPART_STAT_EXIT_UD] = "ud",
	[HVPART_STAT_EXIT_XSETBV] = "xsetbv",
	[HVPART_STAT_EXIT_RDPMC] = "rdpmc",
	[HVPART_STAT_EXIT_WBINVD] = "wbinvd",
	[HVPART_STAT_EXIT_CR8_WRITE] = "cr8_write",
	[HVPART_STAT_EXIT_UNHANDLED] = "unhandled",
};

static const char *const event_names[__HVPART_EVENT_MAX] = {
	[HVPART_EVENT_NONE] = "none",
	[HVPART_EVENT_CREATED] = "created",
	[HVPART_EVENT_STARTED] = "started",
	[HVPART_EVENT_HALTED] = "halted",
	[HVPART_EVENT_CRASHED] = "crashed",
	[HVPART_EVENT_TRIPLE_FAULT] = "triple-fault",
	[HVPART_EVENT_RESET_REQUEST] = "reset-request",
	[HVPART_EVENT_DESTROYED] = "destroyed",
};

/* A socket connected to the family; its id in @family.  Prints why not. */
static struct nl_sock *hvnl_connect(int *family)
{
	struct nl_sock *sk = nl_socket_alloc();
	int ret;

	if (!sk) {
		hvctl_err("out of memory");
		return NULL;
	}
	ret = genl_connect(sk);
	if (ret) {
		hvctl_err("netlink: %s", nl_geterror(ret));
		goto free_sock;
	}
	*family = genl_ctrl_resolve(sk, HVPART_GENL_NAME);
	if (*family < 0) {
		hvctl_err("no generic netlink family '%s': is hvpart.ko loaded? (%s)",
			  HVPART_GENL_NAME, nl_geterror(*family));
		goto free_sock;
	}
	return sk;

free_sock:
	nl_socket_free(sk);
	return NULL;
}

static void parse_hcalls(struct nlattr *nest, struct hvnl_vp *vp)
{
	struct nlattr *a, *tb[HVPART_A_MAX + 1];
	int rem;

	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != HVPART_A_HCALL ||
		    vp->nr_hcalls == HVNL_MAX_HCALLS ||
		    nla_parse_nested(tb, HVPART_A_MAX, a, NULL) ||
		    !tb[HVPART_A_HCALL_CODE] || !tb[HVPART_A_HCALL_COUNT])
			continue;
		vp->hcall_code[vp->nr_hcalls] = nla_get_u32(tb[HVPART_A_HCALL_CODE]);
		vp->hcall_count[vp->nr_hcalls] = nla_get_u64(tb[HVPART_A_HCALL_COUNT]);
		vp->nr_hcalls++;
	}
}

static void parse_vp(struct nlattr *nest, struct hvnl_vp *vp)
{
	struct nlattr *a, *tb[HVPART_A_MAX + 1];
	int rem;

	memset(vp, 0, sizeof(*vp));
	if (nla_parse_nested(tb, HVPART_A_MAX, nest, NULL))
		return;
	if (tb[HVPART_A_VP_INDEX])
		vp->index = nla_get_u32(tb[HVPART_A_VP_INDEX]);
	if (tb[HVPART_A_VP_EXITS])
		nla_for_each_nested(a, tb[HVPART_A_VP_EXITS], rem)
			if (nla_type(a) >= 1 &&
			    nla_type(a) <= HVPART_STAT_EXIT_COUNT)
				vp->exits[nla_type(a) - 1] = nla_get_u64(a);
	if (tb[HVPART_A_VP_HYPERCALLS])
		parse_hcalls(tb[HVPART_A_VP_HYPERCALLS], vp);
	if (tb[HVPART_A_VP_EXITS_TOTAL])
		vp->exits_total = nla_get_u64(tb[HVPART_A_VP_EXITS_TOTAL]);
	if (tb[HVPART_A_VP_INTERRUPTS])
		vp->interrupts = nla_get_u64(tb[HVPART_A_VP_INTERRUPTS]);
	if (tb[HVPART_A_VP_MESSAGES])
		vp->messages = nla_get_u64(tb[HVPART_A_VP_MESSAGES]);
	if (tb[HVPART_A_VP_GUEST_NS])
		vp->guest_ns = nla_get_u64(tb[HVPART_A_VP_GUEST_NS]);
}

/**
 * struct find_ctx - a dump looking for one partition
 * @pid: the creator wanted
 * @found: set once seen
 * @out: where it goes
 */
struct find_ctx {
	uint32_t pid;
	bool found;
	struct hvnl_partition *out;
};

static int find_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[HVPART_A_MAX + 1], *a;
	struct find_ctx *ctx = arg;
	struct hvnl_partition *p = ctx->out;
	int rem;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, HVPART_A_MAX, NULL) ||
	    !tb[HVPART_A_PID] || !tb[HVPART_A_PARTITION_ID] ||
	    nla_get_u32(tb[HVPART_A_PID]) != ctx->pid || ctx->found)
		return NL_OK;
	memset(p, 0, sizeof(*p));
	ctx->found = true;
	p->id = nla_get_u64(tb[HVPART_A_PARTITION_ID]);
	p->pid = ctx->pid;
	if (tb[HVPART_A_UID])
		p->uid = nla_get_u32(tb[HVPART_A_UID]);
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlmsg_hdr(msg)), 0),
			  genlmsg_attrlen(nlmsg_data(nlmsg_hdr(msg)), 0), rem) {
		if (nla_type(a) == HVPART_A_VP && p->nr_vps < HVNL_MAX_VPS)
			parse_vp(a, &p->vps[p->nr_vps++]);
	}
	return NL_OK;
}

/*
 * The statistics of the partition that process @pid created: 0,
 * -ENOENT if the kernel shows none (or none this caller may read), or
 * another -errno after printing why.
 */
int hvnl_find_by_pid(uint32_t pid, struct hvnl_partition *out)
{
	struct find_ctx ctx = { .pid = pid, .out = out };
	struct nl_sock *sk;
	int family, ret;

	sk = hvnl_connect(&family);
	if (!sk)
		return -ENODEV;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, find_cb, &ctx);
	ret = genl_send_simple(sk, family, HVPART_CMD_GET_PARTITION,
			       HVPART_GENL_VERSION, NLM_F_DUMP);
	if (ret >= 0)
		ret = nl_recvmsgs_default(sk);
	nl_socket_free(sk);
	if (ret < 0) {
		hvctl_err("netlink: HVPART_CMD_GET_PARTITION: %s",
			  nl_geterror(ret));
		return -EIO;
	}
	return ctx.found ? 0 : -ENOENT;
}

/* The hvctl name of the partition whose worker is @pid, or "". */
static void name_of_pid(uint32_t pid, char *buf, size_t size)
{
	struct part_status st;
	struct part_paths p;
	char dir[PATH_MAX];
	struct dirent *d;
	size_t len;
	DIR *dp;

	buf[0] = '\0';
	if (state_conf_dir(dir, sizeof(dir)))
		return;
	dp = opendir(dir);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		len = strlen(d->d_name);
		if (len <= 5 || len - 5 > STATE_NAME_MAX ||
		    strcmp(d->d_name + len - 5, ".conf"))
			continue;
		d->d_name[len - 5] = '\0';
		if (state_check_name(d->d_name) ||
		    state_paths(d->d_name, &p, false) ||
		    status_read(p.status, &st) || st.pid != (long)pid)
			continue;
		snprintf(buf, size, "%s", d->d_name);
		break;
	}
	closedir(dp);
}

/**
 * struct monitor_ctx - hvctl monitor's state
 * @json: one JSON object a line
 * @left: events still to print; negative: no limit
 */
struct monitor_ctx {
	bool json;
	long left;
};

static void print_event(struct nlattr **tb, bool json)
{
	uint32_t ev = nla_get_u32(tb[HVPART_A_EVENT]);
	uint32_t pid = tb[HVPART_A_PID] ? nla_get_u32(tb[HVPART_A_PID]) : 0;
	const char *evname = ev < __HVPART_EVENT_MAX ? event_names[ev] : "?";
	const uint64_t *cp = NULL;
	char name[STATE_NAME_MAX + 1];
	unsigned int i;

	name_of_pid(pid, name, sizeof(name));
	if (tb[HVPART_A_CRASH_PARAMS] &&
	    nla_len(tb[HVPART_A_CRASH_PARAMS]) >= 5 * 8)
		cp = nla_data(tb[HVPART_A_CRASH_PARAMS]);
	if (json) {
		printf("{\"event\": \"%s\", \"partition\": %llu, \"pid\": %u, \"name\": ",
		       evname, (unsigned long long)
		       nla_get_u64(tb[HVPART_A_PARTITION_ID]), pid);
		hvctl_json_str(stdout, name);
		if (tb[HVPART_A_VP_INDEX])
			printf(", \"vp\": %u", nla_get_u32(tb[HVPART_A_VP_INDEX]));
		if (tb[HVPART_A_RIP])
			printf(", \"rip\": %llu", (unsigned long long)
			       nla_get_u64(tb[HVPART_A_RIP]));
		if (tb[HVPART_A_CRASH_CTL])
			printf(", \"crash_ctl\": %llu", (unsigned long long)
			       nla_get_u64(tb[HVPART_A_CRASH_CTL]));
		for (i = 0; cp && i < 5; i++)
			printf("%s%llu", i ? ", " : ", \"crash_params\": [",
			       (unsigned long long)cp[i]);
		printf("%s}\n", cp ? "]" : "");
	} else {
		printf("%-13s partition %llu pid %u%s%s", evname,
		       (unsigned long long)
		       nla_get_u64(tb[HVPART_A_PARTITION_ID]), pid,
		       name[0] ? " name " : "", name);
		if (tb[HVPART_A_VP_INDEX])
			printf(" vp %u", nla_get_u32(tb[HVPART_A_VP_INDEX]));
		if (tb[HVPART_A_RIP])
			printf(" rip 0x%llx", (unsigned long long)
			       nla_get_u64(tb[HVPART_A_RIP]));
		if (tb[HVPART_A_CRASH_CTL])
			printf(" crash-ctl 0x%llx", (unsigned long long)
			       nla_get_u64(tb[HVPART_A_CRASH_CTL]));
		for (i = 0; cp && i < 5; i++)
			printf(" P%u=0x%llx", i, (unsigned long long)cp[i]);
		printf("\n");
	}
	fflush(stdout);
}

static int monitor_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[HVPART_A_MAX + 1];
	struct monitor_ctx *ctx = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, HVPART_A_MAX, NULL) ||
	    !tb[HVPART_A_EVENT] || !tb[HVPART_A_PARTITION_ID])
		return NL_OK;
	print_event(tb, ctx->json);
	if (ctx->left > 0)
		ctx->left--;
	return ctx->left ? NL_OK : NL_STOP;
}

/* Prints events as they come, @count of them (negative: forever). */
int hvnl_monitor(bool json, long count)
{
	struct monitor_ctx ctx = { .json = json, .left = count };
	struct nl_sock *sk;
	int family, grp, ret;

	sk = hvnl_connect(&family);
	if (!sk)
		return HVCTL_EXIT_SETUP;
	grp = genl_ctrl_resolve_grp(sk, HVPART_GENL_NAME,
				    HVPART_GENL_MCGRP_EVENTS);
	ret = grp < 0 ? grp : nl_socket_add_membership(sk, grp);
	if (ret) {
		hvctl_err("cannot join hvpart's '%s' group: %s",
			  HVPART_GENL_MCGRP_EVENTS, nl_geterror(ret));
		nl_socket_free(sk);
		return HVCTL_EXIT_SETUP;
	}
	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, monitor_cb, &ctx);
	hvctl_err("listening for hvpart events");
	while (ctx.left) {
		ret = nl_recvmsgs_default(sk);
		if (ret < 0 && ret != -NLE_INTR && ret != -NLE_AGAIN) {
			hvctl_err("netlink: %s", nl_geterror(ret));
			break;
		}
	}
	nl_socket_free(sk);
	return ctx.left ? HVCTL_EXIT_HV_ERROR : HVCTL_EXIT_OK;
}
