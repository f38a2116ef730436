// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the loop that runs a VP and answers what stops it.
 *
 * HVPART_RUN_VP returns with one message in the run page; the dispatcher
 * below hands it to the handler for its type.  A handler returns
 * WORKER_CONTINUE to run the VP again or the status hvctl exits with.
 * What hvctl cannot answer ends the run loudly: it never skips an
 * instruction it did not emulate.
 *
 * Each VP runs on a thread of its own (VP0 on the caller's).  The first
 * VP whose loop ends (power-off, isa-debug-exit, a crash, a triple
 * fault, an error, a signal) ends the run with its status: worker_stop()
 * sets every run page's immediate_exit and sends WORKER_KICK_SIGNAL to
 * the other VP threads, whose HVPART_RUN_VP returns -EINTR.  With hvpart's
 * local APICs a halt with interrupts off (HVPART_MSG_X64_HALT) leaves
 * its VP halted in the kernel until an NMI or INIT; the run ends with
 * status 0 once every VP is so halted.  Without them nothing could wake
 * the VP, and the halt ends the run as before.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tlfs.h"
#include "util.h"
#include "worker.h"

static volatile sig_atomic_t worker_signal;
static struct worker *volatile worker_signal_w;

static void worker_on_signal(int sig)
{
	struct worker *w = worker_signal_w;
	unsigned int i;

	if (sig == WORKER_KICK_SIGNAL)
		return;		/* it only interrupts HVPART_RUN_VP */
	worker_signal = sig;
	/* Makes a RUN that has not started yet return -EINTR at once. */
	for (i = 0; w && i < w->nr_vps; i++)
		w->vps[i].vp.run->immediate_exit = 1;
}

/*
 * SIGINT and SIGTERM end the run with 128 + signal; WORKER_KICK_SIGNAL
 * interrupts a VP thread's HVPART_RUN_VP.
 */
void worker_catch_signals(struct worker *w)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: RUN must return -EINTR */
	worker_signal_w = w;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(WORKER_KICK_SIGNAL, &sa, NULL);
}

/*
 * Ends the run with @status, unless it ended already: every VP thread
 * leaves its loop, those in HVPART_RUN_VP kicked out of it.
 */
void worker_stop(struct worker *w, int status)
{
	unsigned int i;

	pthread_mutex_lock(&w->stop_lock);
	if (!w->stopping) {
		w->stop_status = status;
		__atomic_store_n(&w->stopping, true, __ATOMIC_SEQ_CST);
	}
	for (i = 0; i < w->nr_vps; i++)
		__atomic_store_n(&w->vps[i].vp.run->immediate_exit, 1,
				 __ATOMIC_SEQ_CST);
	for (i = 0; i < w->nr_vps; i++)
		if (w->vps[i].has_thread &&
		    !pthread_equal(w->vps[i].thread, pthread_self()))
			pthread_kill(w->vps[i].thread, WORKER_KICK_SIGNAL);
	pthread_mutex_unlock(&w->stop_lock);
}

static const char *access_name(uint8_t type)
{
	switch (type) {
	case HVPART_INTERCEPT_ACCESS_READ:
		return "read";
	case HVPART_INTERCEPT_ACCESS_WRITE:
		return "write";
	case HVPART_INTERCEPT_ACCESS_EXECUTE:
		return "execute";
	default:
		return "access";
	}
}

void worker_dump_regs(struct worker_vp *wvp)
{
	static const struct {
		const char *name;
		uint32_t reg;
	} gprs[] = {
		{ "rax", HVPART_REG_RAX }, { "rbx", HVPART_REG_RBX },
		{ "rcx", HVPART_REG_RCX }, { "rdx", HVPART_REG_RDX },
		{ "rsi", HVPART_REG_RSI }, { "rdi", HVPART_REG_RDI },
		{ "rbp", HVPART_REG_RBP }, { "rsp", HVPART_REG_RSP },
		{ "r8", HVPART_REG_R8 }, { "r9", HVPART_REG_R9 },
		{ "r10", HVPART_REG_R10 }, { "r11", HVPART_REG_R11 },
		{ "r12", HVPART_REG_R12 }, { "r13", HVPART_REG_R13 },
		{ "r14", HVPART_REG_R14 }, { "r15", HVPART_REG_R15 },
		{ "rip", HVPART_REG_RIP }, { "rflags", HVPART_REG_RFLAGS },
		{ "cr0", HVPART_REG_CR0 }, { "cr2", HVPART_REG_CR2 },
		{ "cr3", HVPART_REG_CR3 }, { "cr4", HVPART_REG_CR4 },
		{ "efer", HVPART_REG_EFER },
	}, segs[] = {
		{ "cs", HVPART_REG_CS }, { "ds", HVPART_REG_DS },
		{ "es", HVPART_REG_ES }, { "ss", HVPART_REG_SS },
		{ "fs", HVPART_REG_FS }, { "gs", HVPART_REG_GS },
		{ "tr", HVPART_REG_TR }, { "ldtr", HVPART_REG_LDTR },
	};
	struct hvpart_register r[ARRAY_SIZE(gprs) + ARRAY_SIZE(segs) + 2];
	unsigned int i, n = 0;
	int ret;

	for (i = 0; i < ARRAY_SIZE(gprs); i++)
		hvp_reg64(&r[n++], gprs[i].reg, 0);
	for (i = 0; i < ARRAY_SIZE(segs); i++)
		hvp_reg64(&r[n++], segs[i].reg, 0);
	hvp_reg64(&r[n++], HVPART_REG_GDTR, 0);
	hvp_reg64(&r[n++], HVPART_REG_IDTR, 0);
	ret = hvp_get_regs(&wvp->vp, r, n);
	if (ret) {
		hvctl_err("VP%u: cannot read registers: %s", wvp->vp.index,
			  strerror(-ret));
		return;
	}

	flockfile(stderr);	/* one VP's lines together */
	fprintf(stderr, "hvctl: VP%u registers:\n", wvp->vp.index);
	n = 0;
	for (i = 0; i < ARRAY_SIZE(gprs); i++, n++)
		fprintf(stderr, "hvctl:   %-6s 0x%016llx\n", gprs[i].name,
			(unsigned long long)r[n].value.reg64);
	for (i = 0; i < ARRAY_SIZE(segs); i++, n++) {
		const struct hvpart_x64_segment *s = &r[n].value.segment;

		fprintf(stderr,
			"hvctl:   %-6s sel 0x%04x base 0x%016llx limit 0x%08x attr 0x%04x\n",
			segs[i].name, s->selector,
			(unsigned long long)s->base, s->limit, s->attributes);
	}
	for (i = 0; i < 2; i++, n++)
		fprintf(stderr, "hvctl:   %-6s base 0x%016llx limit 0x%04x\n",
			i ? "idtr" : "gdtr",
			(unsigned long long)r[n].value.table.base,
			r[n].value.table.limit);
	funlockfile(stderr);
}

static int handle_io_port(struct worker_vp *wvp)
{
	struct worker *w = wvp->w;
	int ret;

	ret = pio_handle(wvp);
	if (ret != WORKER_CONTINUE)
		return ret;
	if (w->power.off) {
		hvctl_info("%s: exit status %d", w->power.reason,
			   w->power.status & 0xff);
		return w->power.status;
	}
	return WORKER_CONTINUE;
}

/*
 * Without local APICs nothing could ever wake a halted VP: a halt ends
 * the run.  With them only an NMI or INIT wakes it, inside the next
 * HVPART_RUN_VP; the run ends when every VP is halted.  Without local
 * APICs a read of the GUEST_IDLE MSR halts the VP too: hvpart reports it
 * as a halt with access type READ (HLT is EXECUTE).  With them hvpart
 * idles the VP itself until any interrupt, and the root never hears.
 */
static int handle_halt(struct worker_vp *wvp)
{
	const struct hvpart_x64_intercept_header *hdr =
		&wvp->vp.run->msg.u.intercept;
	struct worker *w = wvp->w;
	unsigned int n;

	hvctl_info("VP%u halted%s at RIP 0x%llx", wvp->vp.index,
		   hdr->intercept_access_type == HVPART_INTERCEPT_ACCESS_READ ?
		   " (GUEST_IDLE MSR)" : "", (unsigned long long)hdr->rip);
	if (!w->has_lapic)
		return HVCTL_EXIT_OK;
	if (wvp->halted)
		return WORKER_CONTINUE;
	wvp->halted = true;
	n = __atomic_add_fetch(&w->nr_halted, 1, __ATOMIC_SEQ_CST);
	if (n < w->nr_vps)
		return WORKER_CONTINUE;
	hvctl_info("every VP is halted with interrupts off");
	return HVCTL_EXIT_OK;
}

/* The guest ended a level-triggered interrupt: the I/O APIC may resend. */
static int handle_apic_eoi(struct worker_vp *wvp)
{
	struct worker *w = wvp->w;

	pthread_mutex_lock(&w->dev_lock);
	ioapic_eoi(&w->ioapic, wvp->vp.run->msg.u.apic_eoi.interrupt_vector);
	pthread_mutex_unlock(&w->dev_lock);
	return WORKER_CONTINUE;
}

/* The most of a guest's crash message that hvctl prints. */
#define CRASH_MSG_MAX	4096

/*
 * The crash message: @len bytes at GPA @gpa, up to the first NUL, one
 * line of ours per line of the guest's; tabs become spaces, carriage
 * returns go, and anything else unprintable shows as '.'.
 */
static void print_crash_message(struct worker *w, uint64_t gpa, uint64_t len)
{
	uint64_t n = len < CRASH_MSG_MAX ? len : CRASH_MSG_MAX, i;
	char line[CRASH_MSG_MAX + 1];
	const uint8_t *msg;
	size_t ll = 0;
	uint8_t c;

	msg = gmem_gpa_ptr(w, gpa, n);
	if (!msg) {
		hvctl_err("guest crash message: %llu bytes at GPA 0x%llx are not in guest RAM",
			  (unsigned long long)len, (unsigned long long)gpa);
		return;
	}
	for (i = 0; i < n && msg[i]; i++) {
		c = msg[i];
		if (c == '\n') {
			line[ll] = '\0';
			hvctl_err("guest crash message: %s", line);
			ll = 0;
			continue;
		}
		if (c == '\r')
			continue;
		if (c == '\t')
			c = ' ';
		line[ll++] = c >= 0x20 && c < 0x7f ? c : '.';
	}
	if (ll) {
		line[ll] = '\0';
		hvctl_err("guest crash message: %s", line);
	}
	if (i == n && n < len)
		hvctl_err("guest crash message truncated: %u of %llu bytes shown",
			  CRASH_MSG_MAX, (unsigned long long)len);
}

/* The guest wrote CrashNotify to CRASH_CTL: say what it left in P0-P4. */
static int handle_guest_crash(struct worker_vp *wvp)
{
	const struct hvpart_guest_crash *gc = &wvp->vp.run->msg.u.crash;
	const __u64 *p = gc->params;

	hvctl_err("guest crash: P0=0x%llx P1=0x%llx P2=0x%llx P3=0x%llx P4=0x%llx",
		  (unsigned long long)p[0], (unsigned long long)p[1],
		  (unsigned long long)p[2], (unsigned long long)p[3],
		  (unsigned long long)p[4]);
	hvctl_info("VP%u: CRASH_CTL 0x%llx written at RIP 0x%llx",
		   wvp->vp.index, (unsigned long long)gc->crash_ctl,
		   (unsigned long long)gc->header.rip);
	if (gc->crash_ctl & HV_CRASH_CTL_CRASH_NOTIFY_MSG)
		print_crash_message(wvp->w, p[3], p[4]);
	return HVCTL_EXIT_GUEST_CRASH;
}

/* The guest wrote 1 to the RESET MSR.  Resetting it is future work. */
static int handle_reset(struct worker_vp *wvp)
{
	hvctl_err("guest requested a reset");
	hvctl_info("VP%u: RESET MSR written at RIP 0x%llx; hvctl cannot reset a partition yet, it stops",
		   wvp->vp.index,
		   (unsigned long long)wvp->vp.run->msg.u.intercept.rip);
	return HVCTL_EXIT_RESET;
}

static int handle_triple_fault(struct worker_vp *wvp)
{
	const struct hvpart_x64_intercept_header *hdr =
		&wvp->vp.run->msg.u.intercept;

	hvctl_err("guest triple fault at CS:RIP %04x:0x%llx",
		  hdr->cs_segment.selector, (unsigned long long)hdr->rip);
	if (hvctl_verbose)
		worker_dump_regs(wvp);
	return HVCTL_EXIT_TRIPLE_FAULT;
}

static int handle_gpa(struct worker_vp *wvp)
{
	const struct hvpart_message *msg = &wvp->vp.run->msg;
	const struct hvpart_x64_memory_intercept *mem = &msg->u.memory;
	const struct hvpart_x64_intercept_header *hdr = &mem->header;
	char gva[48] = "";

	if (msg->header.message_type == HVPART_MSG_UNMAPPED_GPA &&
	    mmio_bus_find(&wvp->w->mmio, mem->guest_physical_address))
		return mmio_handle(wvp);
	if (mem->memory_access_info & HVPART_MEM_ACCESS_GVA_VALID)
		snprintf(gva, sizeof(gva), " (GVA 0x%llx)",
			 (unsigned long long)mem->guest_virtual_address);
	if (msg->header.message_type == HVPART_MSG_UNMAPPED_GPA)
		hvctl_err("guest %s of unmapped GPA 0x%llx%s at CS:RIP %04x:0x%llx: no RAM or device there",
			  access_name(hdr->intercept_access_type),
			  (unsigned long long)mem->guest_physical_address,
			  gva, hdr->cs_segment.selector,
			  (unsigned long long)hdr->rip);
	else
		hvctl_err("guest %s of GPA 0x%llx%s at CS:RIP %04x:0x%llx: denied by the mapping's access rights",
			  access_name(hdr->intercept_access_type),
			  (unsigned long long)mem->guest_physical_address,
			  gva, hdr->cs_segment.selector,
			  (unsigned long long)hdr->rip);
	if (hvctl_verbose)
		worker_dump_regs(wvp);
	return HVCTL_EXIT_BAD_GPA;
}

static int handle_unhandled_exit(struct worker_vp *wvp)
{
	const struct hvpart_unhandled_exit *ue = &wvp->vp.run->msg.u.unhandled;

	hvctl_err("VP%u stopped on a %s exit hvpart does not handle: exit code 0x%llx, info1 0x%llx, info2 0x%llx at CS:RIP %04x:0x%llx",
		  wvp->vp.index, hvp_vendor_name(ue->vendor),
		  (unsigned long long)ue->exit_code,
		  (unsigned long long)ue->exit_info1,
		  (unsigned long long)ue->exit_info2,
		  ue->header.cs_segment.selector,
		  (unsigned long long)ue->header.rip);
	if (hvctl_verbose)
		worker_dump_regs(wvp);
	return HVCTL_EXIT_UNHANDLED;
}

static int handle_unexpected(struct worker_vp *wvp)
{
	const struct hvpart_message *msg = &wvp->vp.run->msg;

	hvctl_err("VP%u: unexpected message 0x%x (%s) at CS:RIP %04x:0x%llx",
		  wvp->vp.index, msg->header.message_type,
		  hvp_message_name(msg->header.message_type),
		  msg->u.intercept.cs_segment.selector,
		  (unsigned long long)msg->u.intercept.rip);
	return HVCTL_EXIT_EMULATION;
}

static void count_message(struct worker_vp *wvp, uint32_t type)
{
	uint64_t *c;

	switch (type) {
	case HVPART_MSG_X64_IO_PORT_INTERCEPT:
		c = &wvp->stats.io;
		break;
	case HVPART_MSG_X64_HALT:
		c = &wvp->stats.halt;
		break;
	case HVPART_MSG_UNMAPPED_GPA:
	case HVPART_MSG_GPA_INTERCEPT:
		c = &wvp->stats.memory;
		break;
	default:
		c = &wvp->stats.other;
		break;
	}
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static int handle_message(struct worker_vp *wvp)
{
	uint32_t type = wvp->vp.run->msg.header.message_type;

	count_message(wvp, type);
	if (wvp->halted && type != HVPART_MSG_X64_HALT) {
		wvp->halted = false;	/* an NMI or INIT woke it */
		__atomic_sub_fetch(&wvp->w->nr_halted, 1, __ATOMIC_SEQ_CST);
	}
	switch (type) {
	case HVPART_MSG_X64_IO_PORT_INTERCEPT:
		return handle_io_port(wvp);
	case HVPART_MSG_X64_HALT:
		return handle_halt(wvp);
	case HVPART_MSG_UNRECOVERABLE_EXCEPTION:
		return handle_triple_fault(wvp);
	case HVPART_MSG_UNMAPPED_GPA:
	case HVPART_MSG_GPA_INTERCEPT:
		return handle_gpa(wvp);
	case HVPART_MSG_HVPART_UNHANDLED_EXIT:
		return handle_unhandled_exit(wvp);
	case HVPART_MSG_HVPART_GUEST_CRASH:
		return handle_guest_crash(wvp);
	case HVPART_MSG_HVPART_RESET:
		return handle_reset(wvp);
	case HVPART_MSG_X64_APIC_EOI:
		return handle_apic_eoi(wvp);
	default:
		return handle_unexpected(wvp);
	}
}

static int signal_status(void)
{
	hvctl_info("caught signal %d, stopping", (int)worker_signal);
	return worker_signal == SIGINT ? HVCTL_EXIT_SIGINT :
					 HVCTL_EXIT_SIGTERM;
}

/*
 * Runs VP @index until the run ends; returns the status it ended with
 * (this VP's, or the one another VP's loop ended it with).
 */
int worker_run_vp(struct worker *w, unsigned int index)
{
	struct worker_vp *wvp = &w->vps[index];
	int ret = HVCTL_EXIT_OK;

	for (;;) {
		if (__atomic_load_n(&w->stopping, __ATOMIC_SEQ_CST)) {
			/* where each VP was when the user stopped it */
			if (hvctl_verbose && worker_signal)
				worker_dump_regs(wvp);
			break;
		}
		if (worker_signal) {
			if (hvctl_verbose)
				worker_dump_regs(wvp);
			ret = signal_status();
			break;
		}
		ret = hvp_run(&wvp->vp);
		if (ret == -EINTR)
			continue;
		if (ret) {
			hvctl_err("VP%u: HVPART_RUN_VP: %s", index,
				  strerror(-ret));
			ret = HVCTL_EXIT_HV_ERROR;
			break;
		}
		ret = handle_message(wvp);
		if (ret != WORKER_CONTINUE)
			break;
	}
	if (!__atomic_load_n(&w->stopping, __ATOMIC_SEQ_CST))
		worker_stop(w, ret);
	pthread_mutex_lock(&w->stop_lock);
	ret = w->stop_status;
	pthread_mutex_unlock(&w->stop_lock);
	return ret;
}

static void *worker_vp_thread(void *arg)
{
	struct worker_vp *wvp = arg;

	worker_run_vp(wvp->w, wvp->vp.index);
	return NULL;
}

/* The I/O thread polls its eventfd, COM1's input and the test device. */
#define IO_POLL_MAX	(2 + HVTESTDEV_MAX_CONNS)

/*
 * The I/O thread: waits for COM1's input while its RBR is empty, so that
 * a guest waiting for the receive interrupt gets it, and for what the
 * guest sends on the test device's connections, to echo it.  It takes
 * no signal.
 */
static void *worker_io_thread(void *arg)
{
	struct worker *w = arg;
	struct pollfd p[IO_POLL_MAX];
	uint32_t tags[IO_POLL_MAX];
	unsigned int n;
	int timeout;
	uint64_t v;

	for (;;) {
		p[0].fd = w->io_wake_fd;
		p[0].events = POLLIN;
		p[1].fd = -1;
		p[1].events = POLLIN;
		n = 2;
		timeout = -1;
		pthread_mutex_lock(&w->dev_lock);
		if (uart16550_wants_input(&w->com1))
			p[1].fd = w->com1.in_fd;
		if (w->has_testdev)
			n += hvtestdev_poll_fds(&w->testdev, p + 2, tags + 2,
						IO_POLL_MAX - 2, &timeout);
		pthread_mutex_unlock(&w->dev_lock);
		if (poll(p, n, timeout) < 0) {
			if (errno != EINTR)
				break;
			continue;
		}
		if ((p[0].revents & POLLIN) &&
		    read(w->io_wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			break;
		if (__atomic_load_n(&w->io_stop, __ATOMIC_SEQ_CST))
			break;
		if (p[1].revents) {
			pthread_mutex_lock(&w->dev_lock);
			uart16550_poll_input(&w->com1);
			pthread_mutex_unlock(&w->dev_lock);
		}
		if (w->has_testdev) {
			pthread_mutex_lock(&w->dev_lock);
			hvtestdev_poll_done(&w->testdev, p + 2, tags + 2, n - 2);
			pthread_mutex_unlock(&w->dev_lock);
		}
	}
	return NULL;
}

/* Starts @fn(@arg) in @t with every signal blocked in it. */
static int worker_thread_start(pthread_t *t, void *(*fn)(void *), void *arg,
			       bool signals)
{
	sigset_t all, old;
	int ret;

	sigfillset(&all);
	if (!signals)
		pthread_sigmask(SIG_BLOCK, &all, &old);
	ret = pthread_create(t, NULL, fn, arg);
	if (!signals)
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

static void worker_io_thread_stop(struct worker *w)
{
	uint64_t one = 1;

	if (!w->has_io_thread)
		return;
	__atomic_store_n(&w->io_stop, true, __ATOMIC_SEQ_CST);
	if (write(w->io_wake_fd, &one, sizeof(one)) < 0)
		hvctl_warn("cannot wake the I/O thread: %s", strerror(errno));
	pthread_join(w->io_thread, NULL);
	w->has_io_thread = false;
}

/*
 * Runs every VP, VP0 on the calling thread, until the run ends; returns
 * hvctl's exit status.  Call worker_catch_signals() first.
 */
int worker_run(struct worker *w)
{
	unsigned int i;
	int ret;

	pthread_mutex_lock(&w->stop_lock);
	w->vps[0].thread = pthread_self();
	w->vps[0].has_thread = true;
	pthread_mutex_unlock(&w->stop_lock);
	if (w->io_wake_fd >= 0) {
		ret = worker_thread_start(&w->io_thread, worker_io_thread, w,
					  false);
		if (ret) {
			hvctl_err("cannot start the I/O thread: %s",
				  strerror(ret));
			return HVCTL_EXIT_SETUP;
		}
		w->has_io_thread = true;
	}
	for (i = 1; i < w->nr_vps; i++) {
		pthread_mutex_lock(&w->stop_lock);
		ret = w->stopping ? 0 :
		      worker_thread_start(&w->vps[i].thread, worker_vp_thread,
					  &w->vps[i], true);
		w->vps[i].has_thread = !ret && !w->stopping;
		pthread_mutex_unlock(&w->stop_lock);
		if (ret) {
			hvctl_err("cannot start VP%u's thread: %s", i,
				  strerror(ret));
			worker_stop(w, HVCTL_EXIT_SETUP);
			break;
		}
	}

	ret = worker_run_vp(w, 0);
	for (i = 1; i < w->nr_vps; i++)
		if (w->vps[i].has_thread)
			pthread_join(w->vps[i].thread, NULL);
	worker_io_thread_stop(w);
	for (i = 0; i < w->nr_vps; i++)
		w->vps[i].has_thread = false;
	return ret;
}
