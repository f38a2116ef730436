/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake /dev/hvpart for host-side tests: it replaces ioctl() in the test
 * binaries, so the real libhvpart and worker run against it.  RUN_VP
 * applies the run page completion to a register file and delivers the
 * next scripted message; when the script runs out, the VP "halts".
 */
#ifndef HVCTL_FAKE_HVPART_H
#define HVCTL_FAKE_HVPART_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/hvpart.h>

#define FAKE_MAX_VPS	8
#define FAKE_MAX_REGS	96
#define FAKE_MAX_MSGS	32

/* The Hyper-V bits hvpart supports as of writing. */
#define FAKE_PRIVILEGES		0x0010000000000ee3ULL
#define FAKE_FEATURES		0x48530ULL
#define FAKE_RECOMMENDATIONS	0x836ULL
/*
 * ... and what a LOCAL_APIC partition supports on top (hv_core/hyperv.c's
 * HV_APIC_* and HV_SYNIC_*): the SynIC, timers, messages and events, the
 * APIC MSRs, cluster IPIs, StartVirtualProcessor, direct-mode timers.
 * The fake itself supports only the bits above.
 */
#define FAKE_LAPIC_PRIVILEGES	0x002000300000001cULL
#define FAKE_LAPIC_FEATURES	0x80000ULL
#define FAKE_LAPIC_RECOMMENDATIONS 0x408ULL

struct fake_hv {
	int pt_fd;
	int vp_fd[FAKE_MAX_VPS];
	unsigned int nr_vps;
	/* VP0's registers */
	struct hvpart_register regs[FAKE_MAX_REGS];
	unsigned int nr_regs;
	/* what the worker set up */
	struct hvpart_gpa_range map;
	struct hvpart_intercept intercept;
	uint64_t max_vps_prop;
	/* partition properties: values, and an errno GET or SET fails with */
	uint64_t props[HVPART_PROP_COUNT];
	int prop_err[HVPART_PROP_COUNT];
	unsigned int prop_sets[HVPART_PROP_COUNT];
	/* RUN_VP script for VP0 */
	struct hvpart_message script[FAKE_MAX_MSGS];
	unsigned int script_len, script_pos;
	uint16_t last_insn_len;
	/* TRANSLATE_GVA: gpa = gva + offset, or fail with result */
	uint64_t translate_offset;
	uint32_t translate_result;
	/* HVPART_CREATE_PARTITION's flags; HVPART_ASSERT_INTERRUPT's calls */
	uint64_t create_flags;
	struct hvpart_assert_interrupt asserts[FAKE_MAX_MSGS];
	unsigned int nr_asserts;
	int assert_err;
	/*
	 * Ports: CREATE_PORT's arguments, the write end of a root message
	 * port's pipe (its read end is the fd returned), the connections;
	 * POST_MESSAGE and SIGNAL_EVENT's calls and the errno they fail with.
	 */
	struct hvpart_port_info ports[FAKE_MAX_MSGS];
	int port_wr[FAKE_MAX_MSGS];
	unsigned int nr_ports;
	uint32_t deleted[FAKE_MAX_MSGS];
	unsigned int nr_deleted;
	struct hvpart_connection conns[FAKE_MAX_MSGS];
	unsigned int nr_conns, nr_disconnects;
	struct hvpart_post_message posts[FAKE_MAX_MSGS];
	unsigned int nr_posts;
	int post_err;
	struct hvpart_signal_event signals[FAKE_MAX_MSGS];
	unsigned int nr_signals;
	int signal_err;
	/* counters */
	unsigned int runs, set_regs_calls, get_regs_calls, translates;
	/* capabilities CHECK_EXTENSION reports */
	int caps[16];
};

extern struct fake_hv fake;

void fake_reset(void);
uint64_t fake_reg(uint32_t name);
struct hvpart_x64_segment fake_seg(uint32_t name);
void fake_set_reg(uint32_t name, uint64_t value);
void fake_set_seg(uint32_t name, uint64_t base, uint16_t sel, uint16_t attr);
struct hvpart_message *fake_push(uint32_t type);
struct hvpart_message *fake_push_io(uint16_t port, bool write,
				    unsigned int access_info, uint64_t rax,
				    uint8_t len);

#endif /* HVCTL_FAKE_HVPART_H */
