// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the loop that runs a VP and answers what stops it.
 *
 * HVPART_RUN_VP returns with one message in the run page; the dispatcher
 * below hands it to the handler for its type.  A handler returns
 * WORKER_CONTINUE to run the VP again or the status hvctl exits with.
 * What hvctl cannot answer ends the run loudly: it never skips an
 * instruction it did not emulate.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tlfs.h"
#include "util.h"
#include "worker.h"

static volatile sig_atomic_t worker_signal;
static struct hvpart_run *volatile worker_signal_run;

static void worker_on_signal(int sig)
{
	struct hvpart_run *run = worker_signal_run;

	worker_signal = sig;
	/* Makes a RUN that has not started yet return -EINTR at once. */
	if (run)
		run->immediate_exit = 1;
}

/* SIGINT and SIGTERM end the run with 128 + signal. */
void worker_catch_signals(struct worker_vp *wvp)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: RUN must return -EINTR */
	worker_signal_run = wvp->vp.run;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
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
 * No interrupt source exists yet, so nothing could ever wake a halted VP:
 * a halt ends the run.  A read of the GUEST_IDLE MSR halts the VP too:
 * hvpart reports it as a halt with access type READ (HLT is EXECUTE).
 */
static int handle_halt(struct worker_vp *wvp)
{
	const struct hvpart_x64_intercept_header *hdr =
		&wvp->vp.run->msg.u.intercept;

	hvctl_info("VP%u halted%s at RIP 0x%llx", wvp->vp.index,
		   hdr->intercept_access_type == HVPART_INTERCEPT_ACCESS_READ ?
		   " (GUEST_IDLE MSR)" : "", (unsigned long long)hdr->rip);
	return HVCTL_EXIT_OK;
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
	count_message(wvp, wvp->vp.run->msg.header.message_type);
	switch (wvp->vp.run->msg.header.message_type) {
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

/* Runs VP @index until the guest ends; returns hvctl's exit status. */
int worker_run_vp(struct worker *w, unsigned int index)
{
	struct worker_vp *wvp = &w->vps[index];
	int ret;

	for (;;) {
		if (worker_signal)
			return signal_status();
		ret = hvp_run(&wvp->vp);
		if (ret == -EINTR)
			continue;
		if (ret) {
			hvctl_err("VP%u: HVPART_RUN_VP: %s", index,
				  strerror(-ret));
			return HVCTL_EXIT_HV_ERROR;
		}
		ret = handle_message(wvp);
		if (ret != WORKER_CONTINUE)
			return ret;
	}
}
