/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvpart's generic netlink family: partition and VP events, statistics.
 *
 * Family "hvpart" (HVPART_GENL_NAME), version 1.  Multicast group
 * "events" (HVPART_GENL_MCGRP_EVENTS) carries an HVPART_CMD_EVENT message
 * for each partition and VP event (enum hvpart_event) in the initial
 * network namespace; events say what happened and to which partition,
 * never what is in guest memory.
 *
 * HVPART_CMD_GET_PARTITION reads statistics: with HVPART_A_PARTITION_ID
 * those of one partition, as a dump those of every partition the caller
 * may read.  A caller may read a partition it created (the same mm), one
 * created by its effective uid, or any with CAP_SYS_ADMIN; others are
 * -ENOENT, as if they did not exist.  Every attribute a request carries
 * is validated against the family's policy.
 */
#ifndef _UAPI_LINUX_HVPART_GENL_H
#define _UAPI_LINUX_HVPART_GENL_H

#define HVPART_GENL_NAME		"hvpart"
#define HVPART_GENL_VERSION		1
#define HVPART_GENL_MCGRP_EVENTS	"events"

/**
 * enum hvpart_genl_cmd - commands of the "hvpart" family
 * @HVPART_CMD_UNSPEC: reserved
 * @HVPART_CMD_GET_PARTITION: request (doit with HVPART_A_PARTITION_ID, or
 *	dump); the answer has the partition attributes and one
 *	HVPART_A_VP nest per VP
 * @HVPART_CMD_EVENT: multicast on "events": HVPART_A_EVENT,
 *	HVPART_A_PARTITION_ID, HVPART_A_PID, and per event
 *	HVPART_A_VP_INDEX, HVPART_A_RIP, HVPART_A_CRASH_CTL and
 *	HVPART_A_CRASH_PARAMS
 */
enum hvpart_genl_cmd {
	HVPART_CMD_UNSPEC,
	HVPART_CMD_GET_PARTITION,
	HVPART_CMD_EVENT,
	__HVPART_CMD_MAX,
};

#define HVPART_CMD_MAX (__HVPART_CMD_MAX - 1)

/**
 * enum hvpart_event - what HVPART_CMD_EVENT reports
 * @HVPART_EVENT_NONE: reserved
 * @HVPART_EVENT_CREATED: a partition was created
 * @HVPART_EVENT_STARTED: a VP of the partition ran for the first time
 * @HVPART_EVENT_HALTED: a VP halted (HLT, GUEST_IDLE); HVPART_A_VP_INDEX
 * @HVPART_EVENT_CRASHED: the guest reported a crash (CRASH_CTL); with
 *	HVPART_A_CRASH_CTL and HVPART_A_CRASH_PARAMS (P0-P4)
 * @HVPART_EVENT_TRIPLE_FAULT: a VP triple faulted; HVPART_A_RIP
 * @HVPART_EVENT_RESET_REQUEST: the guest wrote the RESET MSR
 * @HVPART_EVENT_DESTROYED: the partition's last reference went
 */
enum hvpart_event {
	HVPART_EVENT_NONE,
	HVPART_EVENT_CREATED,
	HVPART_EVENT_STARTED,
	HVPART_EVENT_HALTED,
	HVPART_EVENT_CRASHED,
	HVPART_EVENT_TRIPLE_FAULT,
	HVPART_EVENT_RESET_REQUEST,
	HVPART_EVENT_DESTROYED,
	__HVPART_EVENT_MAX,
};

/**
 * enum hvpart_stat_exit - exit reasons counted per VP, as the nest
 *	HVPART_A_VP_EXITS holds them: attribute type = reason + 1, a u64
 * @HVPART_STAT_EXIT_NONE: a host interrupt, or nothing left to do
 * @HVPART_STAT_EXIT_IO: port I/O
 * @HVPART_STAT_EXIT_CPUID: CPUID
 * @HVPART_STAT_EXIT_MSR_READ: RDMSR
 * @HVPART_STAT_EXIT_MSR_WRITE: WRMSR
 * @HVPART_STAT_EXIT_NPF: a nested page fault (EPT violation)
 * @HVPART_STAT_EXIT_HLT: HLT
 * @HVPART_STAT_EXIT_SHUTDOWN: triple fault
 * @HVPART_STAT_EXIT_HYPERCALL: VMMCALL, VMCALL
 * @HVPART_STAT_EXIT_INTR_WINDOW: an interrupt window opened
 * @HVPART_STAT_EXIT_UD: an instruction that raises #UD in the guest
 * @HVPART_STAT_EXIT_XSETBV: XSETBV
 * @HVPART_STAT_EXIT_RDPMC: RDPMC (the guest gets #GP)
 * @HVPART_STAT_EXIT_WBINVD: WBINVD or WBNOINVD (a no-op)
 * @HVPART_STAT_EXIT_CR8_WRITE: MOV to CR8 that unmasks an interrupt (SVM)
 * @HVPART_STAT_EXIT_UNHANDLED: an exit hvpart does not handle
 * @HVPART_STAT_EXIT_COUNT: the number of reasons
 */
enum hvpart_stat_exit {
	HVPART_STAT_EXIT_NONE,
	HVPART_STAT_EXIT_IO,
	HVPART_STAT_EXIT_CPUID,
	HVPART_STAT_EXIT_MSR_READ,
	HVPART_STAT_EXIT_MSR_WRITE,
	HVPART_STAT_EXIT_NPF,
	HVPART_STAT_EXIT_HLT,
	HVPART_STAT_EXIT_SHUTDOWN,
	HVPART_STAT_EXIT_HYPERCALL,
	HVPART_STAT_EXIT_INTR_WINDOW,
	HVPART_STAT_EXIT_UD,
	HVPART_STAT_EXIT_XSETBV,
	HVPART_STAT_EXIT_RDPMC,
	HVPART_STAT_EXIT_WBINVD,
	HVPART_STAT_EXIT_CR8_WRITE,
	HVPART_STAT_EXIT_UNHANDLED,
	HVPART_STAT_EXIT_COUNT,
};

/**
 * enum hvpart_genl_attr - attributes of the "hvpart" family
 * @HVPART_A_UNSPEC: reserved
 * @HVPART_A_PAD: padding for 64-bit attributes
 * @HVPART_A_PARTITION_ID: u64, the partition's id (in, out)
 * @HVPART_A_PID: u32, the thread group that created the partition (out)
 * @HVPART_A_UID: u32, its effective uid (out)
 * @HVPART_A_NR_VPS: u32, VPs created (out)
 * @HVPART_A_EVENT: u32, enum hvpart_event (out)
 * @HVPART_A_VP_INDEX: u32 (out)
 * @HVPART_A_RIP: u64, a VP's RIP (out)
 * @HVPART_A_CRASH_CTL: u64, what the guest wrote to CRASH_CTL (out)
 * @HVPART_A_CRASH_PARAMS: binary, five u64: CRASH_P0 to P4 (out)
 * @HVPART_A_VP: nest: one VP's statistics: HVPART_A_VP_INDEX and the
 *	HVPART_A_VP_* below (out)
 * @HVPART_A_VP_EXITS: nest of u64 exit counts, type = enum
 *	hvpart_stat_exit + 1 (out)
 * @HVPART_A_VP_HYPERCALLS: nest of HVPART_A_HCALL (out)
 * @HVPART_A_HCALL: nest: HVPART_A_HCALL_CODE, HVPART_A_HCALL_COUNT (out)
 * @HVPART_A_HCALL_CODE: u32, a hypercall code; 0xffffffff for codes
 *	beyond those counted one by one (out)
 * @HVPART_A_HCALL_COUNT: u64 (out)
 * @HVPART_A_VP_INTERRUPTS: u64, events injected: interrupts, NMIs and
 *	exceptions the VP took on entry (out)
 * @HVPART_A_VP_MESSAGES: u64, intercept messages posted to the root (out)
 * @HVPART_A_VP_GUEST_NS: u64, nanoseconds in the guest (out)
 * @HVPART_A_VP_EXITS_TOTAL: u64, all exits (out)
 */
enum hvpart_genl_attr {
	HVPART_A_UNSPEC,
	HVPART_A_PAD,
	HVPART_A_PARTITION_ID,
	HVPART_A_PID,
	HVPART_A_UID,
	HVPART_A_NR_VPS,
	HVPART_A_EVENT,
	HVPART_A_VP_INDEX,
	HVPART_A_RIP,
	HVPART_A_CRASH_CTL,
	HVPART_A_CRASH_PARAMS,
	HVPART_A_VP,
	HVPART_A_VP_EXITS,
	HVPART_A_VP_HYPERCALLS,
	HVPART_A_HCALL,
	HVPART_A_HCALL_CODE,
	HVPART_A_HCALL_COUNT,
	HVPART_A_VP_INTERRUPTS,
	HVPART_A_VP_MESSAGES,
	HVPART_A_VP_GUEST_NS,
	HVPART_A_VP_EXITS_TOTAL,
	__HVPART_A_MAX,
};

#define HVPART_A_MAX (__HVPART_A_MAX - 1)

#endif /* _UAPI_LINUX_HVPART_GENL_H */
