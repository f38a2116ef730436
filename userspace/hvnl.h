/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: hvpart's generic netlink family through libnl
 * (<linux/hvpart_genl.h>): events for 'hvctl monitor', statistics for
 * 'hvctl stats'.
 */
#ifndef HVCTL_HVNL_H
#define HVCTL_HVNL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/hvpart_genl.h>

#define HVNL_MAX_VPS		64
#define HVNL_MAX_HCALLS		64

/**
 * struct hvnl_vp - one VP's statistics as the kernel counts them
 * @index: the VP's index
 * @exits: exits by reason (enum hvpart_stat_exit)
 * @exits_total: all exits
 * @nr_hcalls: entries in @hcall_code and @hcall_count
 * @hcall_code: hypercall codes (0xffffffff: all others)
 * @hcall_count: how many of each
 * @interrupts: interrupts injected
 * @messages: intercept messages posted to the root
 * @guest_ns: time in the guest
 */
struct hvnl_vp {
	uint32_t index;
	uint64_t exits[HVPART_STAT_EXIT_COUNT];
	uint64_t exits_total;
	unsigned int nr_hcalls;
	uint32_t hcall_code[HVNL_MAX_HCALLS];
	uint64_t hcall_count[HVNL_MAX_HCALLS];
	uint64_t interrupts;
	uint64_t messages;
	uint64_t guest_ns;
};

/**
 * struct hvnl_partition - a GET_PARTITION answer
 * @id: the partition's id
 * @pid: the process that created it
 * @uid: its uid
 * @nr_vps: entries in @vps
 * @vps: per-VP statistics
 */
struct hvnl_partition {
	uint64_t id;
	uint32_t pid;
	uint32_t uid;
	unsigned int nr_vps;
	struct hvnl_vp vps[HVNL_MAX_VPS];
};

extern const char *const hvnl_exit_names[HVPART_STAT_EXIT_COUNT];

int hvnl_find_by_pid(uint32_t pid, struct hvnl_partition *out);
int hvnl_monitor(bool json, long count);

#endif /* HVCTL_HVNL_H */
