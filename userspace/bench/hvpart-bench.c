// SPDX-License-Identifier: GPL-2.0
/*
 * hvpart-bench: the benchmark guest under hvpart (/dev/hvpart).
 *
 * One partition with one VP; BENCH_PORT writes are intercepted for the
 * root.  CPUID is hvpart's own business and never leaves the kernel, nor
 * does an OUT to BENCH_PORT_KERNEL (no intercept: the write goes nowhere).
 * An OUT to BENCH_PORT ends HVPART_RUN_VP with an I/O port intercept message; the runner
 * completes it through the run page (HVPART_RUN_COMPLETE_ADVANCE_RIP)
 * and calls HVPART_RUN_VP again, as a worker process would.
 * Hypercalls are hvpart's own business too: a new partition has every
 * Hyper-V privilege, feature and recommendation hvpart implements, so
 * the guest can enable the hypercall page and make the calls.
 *
 * The local APIC rows run in a second partition, created with
 * HVPART_CREATE_PARTITION_LOCAL_APIC, with two VPs over the same memory
 * and the same BENCH_PORT intercept.  VP 1 waits for INIT-SIPI until the
 * ipi row sets its activity state to 0.
 *
 * The SynIC rows use that partition (HVPART_CAP_SYNIC).  postmsg: the
 * root intercepts HvPostMessage's call code (HVPART_INTERCEPT_TYPE_
 * HYPERCALL), so the guest's call ends HVPART_RUN_VP on VP 0's own
 * thread, as KVM's KVM_EXIT_HYPERV_HCALL does; the runner reads the
 * input page, answers with HVPART_POST_MESSAGE into VP 0's BENCH_SINT
 * and sets the call's result before it re-enters.  With --ports instead
 * (the root port design: a message port whose fd a second thread of the
 * runner read()s and answers, the VP halting meanwhile), as hvctl's
 * worker serves ports.  signal: an event port to the root that signals an
 * eventfd, read once after each run.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "libhvpart.h"
#include "bench.h"

static struct hvp_vp vp;
/* the local APIC partition's VPs */
static struct hvp_vp apic_vp[2];

static int sys_fd = -1;
/* the local APIC partition */
static int apic_pt_fd = -1;
/* the SynIC rows: the message port's fd, the event port's eventfd */
static int msg_fd = -1;
static int event_fd = -1;
/* postmsg: the messages the root read, and answered */
static volatile uint64_t msgs_read, msgs_answered;
/* the local APIC partition's memory (postmsg reads the input page) */
static unsigned char *apic_mem;

/* A partition over @mem that intercepts OUT to BENCH_PORT. */
static int hv_create(void *mem, uint64_t flags)
{
	int pt_fd, ret;

	pt_fd = hvp_create_partition(sys_fd, flags);
	if (pt_fd < 0)
		bench_fail("HVPART_CREATE_PARTITION: %s", strerror(-pt_fd));
	ret = hvp_map_gpa_range(pt_fd, 0, BENCH_MEM_SIZE, mem,
				HVPART_MAP_READABLE | HVPART_MAP_WRITABLE |
				HVPART_MAP_EXECUTABLE);
	if (ret)
		bench_fail("HVPART_MAP_GPA_RANGE: %s", strerror(-ret));
	ret = hvp_install_intercept(pt_fd, HVPART_INTERCEPT_TYPE_X64_IO_PORT,
				    HVPART_INTERCEPT_ACCESS_MASK_WRITE,
				    BENCH_PORT, BENCH_PORT);
	if (ret)
		bench_fail("HVPART_INSTALL_INTERCEPT: %s", strerror(-ret));
	return pt_fd;
}

static void hv_create_vp(int pt_fd, uint32_t index, struct hvp_vp *v)
{
	int ret = hvp_create_vp(sys_fd, pt_fd, index, v);

	if (ret)
		bench_fail("HVPART_CREATE_VP %u: %s", index, strerror(-ret));
}

static int hv_setup(void *mem)
{
	sys_fd = hvp_open(NULL);
	if (sys_fd < 0)
		bench_fail("open %s: %s", HVP_DEVICE_PATH, strerror(-sys_fd));
	if (hvp_check_extension(sys_fd, HVPART_CAP_IO_INTERCEPT) <= 0 ||
	    hvp_check_extension(sys_fd, HVPART_CAP_RUN_COMPLETION) <= 0)
		bench_fail("hvpart lacks I/O intercepts or run completion");
	hv_create_vp(hv_create(mem, 0), 0, &vp);
	return 0;
}

/* The intercept that ended the last run is one of ours: complete it. */
static int hv_complete_out(struct hvpart_run *run)
{
	const struct hvpart_x64_io_port_intercept *io = &run->msg.u.io_port;

	if (io->port_number != BENCH_PORT ||
	    io->header.intercept_access_type != HVPART_INTERCEPT_ACCESS_WRITE) {
		fprintf(stderr, "bench: unexpected I/O intercept: port %#x\n",
			io->port_number);
		return -1;
	}
	run->completion = HVPART_RUN_COMPLETE_ADVANCE_RIP;
	return 0;
}

/* N x HVPART_RUN_VP that returns -EINTR at once: no guest entry. */
static int hv_run_null(uint64_t n, uint64_t *ns)
{
	struct hvpart_run *run = vp.run;
	uint64_t t0, i;

	run->completion = 0;
	run->immediate_exit = 1;
	t0 = bench_now_ns();
	for (i = 0; i < n; i++) {
		if (ioctl(vp.fd, HVPART_RUN_VP, 0) == 0 || errno != EINTR) {
			fprintf(stderr,
				"bench: hvpart null: RUN_VP did not fail with EINTR\n");
			return -1;
		}
	}
	*ns = bench_now_ns() - t0;
	run->immediate_exit = 0;
	return 0;
}

/* The root's reply: the guest's payload back into VP 0's BENCH_SINT. */
static int hv_reply(const void *payload)
{
	struct hvpart_post_message pm = {
		.vp_index = 0,
		.sint = BENCH_SINT,
		.message_type = BENCH_MSG_TYPE_REPLY,
		.payload_size = 8,
	};

	msgs_read++;
	memcpy(pm.payload, payload, 8);
	if (ioctl(apic_pt_fd, HVPART_POST_MESSAGE, &pm)) {
		fprintf(stderr, "bench: hvpart postmsg: HVPART_POST_MESSAGE: %s\n",
			strerror(errno));
		return -1;
	}
	msgs_answered++;
	return 0;
}

/*
 * The guest's HvPostMessage, intercepted: a BENCH_MSG_TYPE_POST to
 * BENCH_CONN_MSG is answered (hv_reply()) and succeeds; the call's
 * result and RIP are completed for the next HVPART_RUN_VP.  -1 after
 * saying why if the guest broke the protocol.
 */
static int hv_post_message(struct hvpart_run *run)
{
	const struct hvpart_x64_hypercall_intercept *h = &run->msg.u.hypercall;
	uint32_t conn, type, size;
	const unsigned char *in;
	uint64_t gpa = h->rdx;

	if ((h->rcx & 0xffff) != HVCALL_POST_MESSAGE ||
	    gpa > BENCH_MEM_SIZE - 256 || (gpa & 7)) {
		fprintf(stderr, "bench: hvpart: unexpected hypercall %#llx, input at %#llx\n",
			(unsigned long long)h->rcx, (unsigned long long)gpa);
		return -1;
	}
	in = apic_mem + gpa;
	memcpy(&conn, in, 4);
	memcpy(&type, in + 8, 4);
	memcpy(&size, in + 12, 4);
	run->completion_rax = HV_STATUS_INVALID_CONNECTION_ID;
	if (conn == BENCH_CONN_MSG) {
		if (type != BENCH_MSG_TYPE_POST || size != 8) {
			fprintf(stderr, "bench: hvpart postmsg: message type %#x size %u\n",
				type, size);
			return -1;
		}
		if (hv_reply(in + 16))
			return -1;
		run->completion_rax = 0;
	}
	run->completion = HVPART_RUN_COMPLETE_SET_RAX |
			  HVPART_RUN_COMPLETE_ADVANCE_RIP;
	return 0;
}

/*
 * Enter @v until it halts; each OUT to BENCH_PORT (the out row) is
 * completed on the way.  A local APIC row stops at its first OUT.
 */
static int hv_run_to_halt(struct hvp_vp *v, enum bench_row row)
{
	struct hvpart_run *run = v->run;
	uint32_t type;

	for (;;) {
		if (ioctl(v->fd, HVPART_RUN_VP, 0) < 0) {
			if (errno == EINTR && bench_hung)
				return -1;
			if (errno == EINTR)
				continue;
			bench_fail("HVPART_RUN_VP: %s", strerror(errno));
		}
		type = run->msg.header.message_type;
		if (type == HVPART_MSG_X64_IO_PORT_INTERCEPT &&
		    (row == BENCH_ROW_OUT || bench_row_apic(row))) {
			if (hv_complete_out(run))
				return -1;
			if (bench_row_apic(row))
				return 0;
			continue;
		}
		/* postmsg's HvPostMessage (the local APIC rows share a run) */
		if (type == HVPART_MSG_HYPERCALL_INTERCEPT &&
		    bench_row_apic(row)) {
			if (hv_post_message(run))
				return -1;
			continue;
		}
		if (type == HVPART_MSG_X64_HALT)
			return 0;
		fprintf(stderr, "bench: hvpart %s: unexpected %s (%#x) at RIP %#llx\n",
			bench_row_name(row), hvp_message_name(type), type,
			(unsigned long long)run->msg.u.intercept.rip);
		return -1;
	}
}

static int hv_run(enum bench_row row, uint64_t n, struct bench_sample *s)
{
	struct hvpart_run *run = vp.run;
	struct hvpart_register regs[2];
	uint64_t t0, exits0;
	int ret;

	if (row == BENCH_ROW_NULL) {
		exits0 = run->exits;
		ret = hv_run_null(n, &s->ns);
		s->exits = run->exits - exits0;
		return ret;
	}
	hvp_reg64(&regs[0], HVPART_REG_RSI, n);
	hvp_reg64(&regs[1], HVPART_REG_RDX, bench_row_port(row));
	ret = hvp_vp_set_real_mode(&vp, 0, bench_row_ip(row));
	if (!ret)
		ret = hvp_set_regs(&vp, regs, ARRAY_SIZE(regs));
	if (ret)
		bench_fail("HVPART_SET_VP_REGISTERS: %s", strerror(-ret));
	run->completion = 0;
	/* the hypercall rows' set-up (long mode, hypercall page): untimed */
	if (bench_row_hcall(row) && hv_run_to_halt(&vp, row))
		return -1;
	exits0 = run->exits;

	t0 = bench_now_ns();
	if (hv_run_to_halt(&vp, row))
		return -1;
	s->ns = bench_now_ns() - t0;
	s->exits = run->exits - exits0;

	if (bench_row_hcall(row)) {
		hvp_reg64(&regs[0], HVPART_REG_R15, 0);
		hvp_reg64(&regs[1], HVPART_REG_R14, 0);
		ret = hvp_get_regs(&vp, regs, ARRAY_SIZE(regs));
		if (ret)
			bench_fail("HVPART_GET_VP_REGISTERS: %s", strerror(-ret));
		s->hc_bad = regs[0].value.reg64;
		s->hc_last_bad = regs[1].value.reg64;
	}
	return 0;
}

static const char *hv_apic_setup(void *mem)
{
	int pt_fd;

	if (hvp_check_extension(sys_fd, HVPART_CAP_LOCAL_APIC) <= 0)
		return "no HVPART_CAP_LOCAL_APIC";
	pt_fd = hv_create(mem, HVPART_CREATE_PARTITION_LOCAL_APIC);
	apic_mem = mem;
	hv_create_vp(pt_fd, 0, &apic_vp[0]);
	hv_create_vp(pt_fd, 1, &apic_vp[1]);
	apic_pt_fd = pt_fd;
	return NULL;
}

/*
 * The root's half of postmsg, on its own thread for the whole run of the
 * runner: each message the guest posts to BENCH_CONN_MSG is answered with
 * a BENCH_MSG_TYPE_REPLY message carrying the same payload into VP 0's
 * BENCH_SINT.  What goes wrong is said and the message dropped: the
 * guest then waits for its answer until the row's watchdog fails it.
 */
static void *hv_reply_thread(void *arg)
{
	struct hvpart_message m;
	sigset_t set;
	ssize_t len;

	(void)arg;
	/* the watchdog's SIGALRM and the kicks are for the vCPU threads */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		len = read(msg_fd, &m, sizeof(m));
		if (len < 0 && errno == EINTR)
			continue;
		if (len != sizeof(m)) {
			fprintf(stderr, "bench: hvpart postmsg: read: %s\n",
				len < 0 ? strerror(errno) : "short read");
			return NULL;
		}
		if (m.header.message_type != BENCH_MSG_TYPE_POST ||
		    m.header.payload_size != 8) {
			fprintf(stderr, "bench: hvpart postmsg: message type %#x size %u\n",
				m.header.message_type, m.header.payload_size);
			continue;
		}
		hv_reply(m.u.payload);
	}
}

/* A port to the root and a connection to it; the port's fd, or 0. */
static int hv_root_port(uint32_t port_id, uint32_t type, int efd,
			uint32_t conn_id)
{
	struct hvpart_port_info p = {
		.port_id = port_id,
		.port_type = type,
		.flags = HVPART_PORT_TO_ROOT,
		.flag_count = type == HVPART_PORT_TYPE_EVENT ? 1 : 0,
		.eventfd = efd,
	};
	int fd, err;

	fd = hvp_create_port(apic_pt_fd, &p);
	if (fd < 0)
		bench_fail("HVPART_CREATE_PORT %#x: %s", port_id,
			   strerror(-fd));
	err = hvp_connect_port(apic_pt_fd, conn_id, port_id);
	if (err)
		bench_fail("HVPART_CONNECT_PORT %#x: %s", conn_id,
			   strerror(-err));
	return fd;
}

static const char *hv_synic_setup(void)
{
	pthread_t tid;
	int err;

	if (hvp_check_extension(sys_fd, HVPART_CAP_SYNIC) <= 0)
		return "no HVPART_CAP_SYNIC";
	if (!bench_ports) {
		err = hvp_install_intercept(apic_pt_fd,
					    HVPART_INTERCEPT_TYPE_HYPERCALL,
					    HVPART_INTERCEPT_ACCESS_MASK_EXECUTE,
					    HVCALL_POST_MESSAGE,
					    HVCALL_POST_MESSAGE);
		if (err)
			bench_fail("HVPART_INSTALL_INTERCEPT (hypercall): %s",
				   strerror(-err));
	}
	event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (event_fd < 0)
		bench_fail("eventfd: %s", strerror(errno));
	hv_root_port(BENCH_PORT_EVENT, HVPART_PORT_TYPE_EVENT, event_fd,
		     BENCH_CONN_EVENT);
	if (!bench_ports)
		return NULL;
	msg_fd = hv_root_port(BENCH_PORT_MSG, HVPART_PORT_TYPE_MESSAGE, 0,
			      BENCH_CONN_MSG);
	err = pthread_create(&tid, NULL, hv_reply_thread, NULL);
	if (err)
		bench_fail("pthread_create: %s", strerror(err));
	return NULL;
}

/* The eventfd's count since the last read (non-blocking: 0 if none). */
static uint64_t hv_synic_events(void)
{
	uint64_t v;

	if (read(event_fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static void hv_apic_enter(unsigned int index, uint16_t ip, uint64_t n)
{
	struct hvpart_register regs[3];
	int ret;

	hvp_reg64(&regs[0], HVPART_REG_RSI, n);
	hvp_reg64(&regs[1], HVPART_REG_RDX, BENCH_PORT);
	/* runnable: VP 1 waits for INIT-SIPI, or is halted from last time */
	hvp_reg64(&regs[2], HVPART_REG_INTERNAL_ACTIVITY_STATE, 0);
	ret = hvp_vp_set_real_mode(&apic_vp[index], 0, ip);
	if (!ret)
		ret = hvp_set_regs(&apic_vp[index], regs, ARRAY_SIZE(regs));
	if (ret)
		bench_fail("HVPART_SET_VP_REGISTERS: %s", strerror(-ret));
	apic_vp[index].run->completion = 0;
}

static int hv_apic_run(void)
{
	return hv_run_to_halt(&apic_vp[0], BENCH_ROW_SELFIPI);
}

static int hv_ap_enter(void)
{
	uint32_t type;

	if (ioctl(apic_vp[1].fd, HVPART_RUN_VP, 0) < 0) {
		if (errno == EINTR)
			return 0;
		fprintf(stderr, "bench: hvpart ipi: VP 1: RUN_VP: %s\n",
			strerror(errno));
		return -1;
	}
	type = apic_vp[1].run->msg.header.message_type;
	fprintf(stderr, "bench: hvpart ipi: VP 1 left the guest: %s (%#x)\n",
		hvp_message_name(type), type);
	return -1;
}

static uint64_t hv_apic_exits(void)
{
	return apic_vp[0].run->exits + apic_vp[1].run->exits;
}

static void hv_apic_dump(void)
{
	static const uint32_t names[] = {
		HVPART_REG_RIP, HVPART_REG_RFLAGS,
		HVPART_REG_INTERNAL_ACTIVITY_STATE,
		HVPART_REG_APIC(0x120), HVPART_REG_APIC(0x220),	/* ISR, IRR */
	};
	struct hvpart_register r[ARRAY_SIZE(names)];
	unsigned int i, j;

	if (msgs_read)
		fprintf(stderr, "bench: hvpart root: %llu messages read, %llu answered\n",
			(unsigned long long)msgs_read,
			(unsigned long long)msgs_answered);
	for (i = 0; i < ARRAY_SIZE(apic_vp); i++) {
		for (j = 0; j < ARRAY_SIZE(names); j++)
			hvp_reg64(&r[j], names[j], 0);
		if (hvp_get_regs(&apic_vp[i], r, ARRAY_SIZE(r)))
			continue;
		fprintf(stderr,
			"bench: hvpart VP %u: RIP %#llx RFLAGS %#llx activity %llu ISR[95:64] %#llx IRR[95:64] %#llx\n",
			i, (unsigned long long)r[0].value.reg64,
			(unsigned long long)r[1].value.reg64,
			(unsigned long long)r[2].value.reg64,
			(unsigned long long)r[3].value.reg64,
			(unsigned long long)r[4].value.reg64);
	}
}

static const struct bench_ops hv_ops = {
	.name		= "hvpart",
	.setup		= hv_setup,
	.run		= hv_run,
	.apic_setup	= hv_apic_setup,
	.apic_enter	= hv_apic_enter,
	.apic_run	= hv_apic_run,
	.ap_enter	= hv_ap_enter,
	.apic_exits	= hv_apic_exits,
	.apic_dump	= hv_apic_dump,
	.synic_setup	= hv_synic_setup,
	.synic_events	= hv_synic_events,
};

int main(int argc, char **argv)
{
	return bench_main(argc, argv, &hv_ops);
}
