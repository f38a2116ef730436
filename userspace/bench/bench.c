// SPDX-License-Identifier: GPL-2.0
/*
 * The runners' common part: options, guest memory, the timing loop and
 * the result lines that scripts/bench turns into a table.
 *
 * Result line (stdout), one per row, fields separated by one space:
 *   result BACKEND ROW N RUNS MEDIAN_NS_PER_EXIT MEDIAN_EXITS MIN MAX
 * MIN and MAX are the fastest and slowest runs in ns per exit.  A
 * hypercall row whose calls did not all succeed prints instead (and the
 * same on stderr), and the runner goes on with the next row:
 *   fail BACKEND ROW status 0xSTATUS reps DONE/REPS (NAME)
 * and a local APIC row one of whose interrupts was never handled, or
 * whose run did not end within BENCH_APIC_TIMEOUT_S:
 *   fail BACKEND ROW handled DONE/N ap DONE
 *   fail BACKEND ROW hung, handled DONE/N ap DONE
 * a SynIC row whose call failed (the guest stops at it), or whose
 * signals the root did not all count:
 *   fail BACKEND ROW status 0xSTATUS reps 0/0 (NAME)
 *   fail BACKEND ROW events COUNT/N
 * A local APIC row that cannot run under this hypervisor prints
 *   skip BACKEND ROW REASON...
 * and, for the timed runs of a local APIC row, interrupts that came
 * before their deadline (timer) or were handled more than once:
 *   note BACKEND ROW early|twice|lost COUNT of N
 * (lost: ipi round trips the guest's watchdog found stuck and repeated)
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "bench.h"

#define BENCH_MAX_RUNS		99
#define BENCH_WARMUP_N		1000
/* a local APIC run that takes longer has hung (an interrupt was lost) */
#define BENCH_APIC_TIMEOUT_S	120
/* how long the second VP may take to set itself up */
#define BENCH_AP_READY_NS	(60 * 1000000000ULL)

/* guest.S reaches struct bench_apic_data through these offsets */
static_assert(offsetof(struct bench_apic_data, nowait) == BENCH_APIC_NOWAIT,
	      "BENCH_APIC_NOWAIT");
static_assert(offsetof(struct bench_apic_data, hc_bad) == BENCH_APIC_HC_BAD,
	      "BENCH_APIC_HC_BAD");

/* the local APIC rows' counters, in guest memory */
static volatile struct bench_apic_data *bench_apic;

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

const char *bench_row_name(enum bench_row row)
{
	static const char *const names[BENCH_NR_ROWS] = {
		[BENCH_ROW_CPUID]	= "cpuid",
		[BENCH_ROW_OUT]		= "out",
		[BENCH_ROW_OUT_KERNEL]	= "outk",
		[BENCH_ROW_NULL]	= "null",
		[BENCH_ROW_HC_FAST]	= "hcfast",
		[BENCH_ROW_HC_MEM]	= "hcmem",
		[BENCH_ROW_HC_REP]	= "hcrep",
		[BENCH_ROW_SELFIPI]	= "selfipi",
		[BENCH_ROW_IPI]		= "ipi",
		[BENCH_ROW_TIMER]	= "timer",
		[BENCH_ROW_POSTMSG]	= "postmsg",
		[BENCH_ROW_SIGNAL]	= "signal",
	};

	return names[row];
}

uint16_t bench_row_ip(enum bench_row row)
{
	const unsigned char *entry;

	switch (row) {
	case BENCH_ROW_CPUID:
		entry = bench_guest_cpuid;
		break;
	case BENCH_ROW_HC_FAST:
		entry = bench_guest_hc_fast;
		break;
	case BENCH_ROW_HC_MEM:
		entry = bench_guest_hc_mem;
		break;
	case BENCH_ROW_HC_REP:
		entry = bench_guest_hc_rep;
		break;
	case BENCH_ROW_SELFIPI:
		entry = bench_guest_selfipi;
		break;
	case BENCH_ROW_IPI:
		entry = bench_guest_ipi;
		break;
	case BENCH_ROW_TIMER:
		entry = bench_guest_timer;
		break;
	case BENCH_ROW_POSTMSG:
		entry = bench_guest_postmsg;
		break;
	case BENCH_ROW_SIGNAL:
		entry = bench_guest_signal;
		break;
	default:
		entry = bench_guest_out;
		break;
	}
	return BENCH_GUEST_GPA + (entry - bench_guest_start);
}

int bench_row_hcall(enum bench_row row)
{
	return row == BENCH_ROW_HC_FAST || row == BENCH_ROW_HC_MEM ||
	       row == BENCH_ROW_HC_REP;
}

int bench_row_apic(enum bench_row row)
{
	return row == BENCH_ROW_SELFIPI || row == BENCH_ROW_IPI ||
	       row == BENCH_ROW_TIMER || bench_row_synic(row);
}

int bench_row_synic(enum bench_row row)
{
	return row == BENCH_ROW_POSTMSG || row == BENCH_ROW_SIGNAL;
}

/* The operations of a run of @row when the runner was given -n @n. */
static uint64_t bench_row_n(enum bench_row row, uint64_t n)
{
	if (row != BENCH_ROW_IPI && row != BENCH_ROW_TIMER &&
	    row != BENCH_ROW_POSTMSG)
		return n;
	return n / BENCH_SLOW_ROW_DIV ? n / BENCH_SLOW_ROW_DIV : 1;
}

/* The reps a hypercall row's call completes: its rep count, or 0. */
static unsigned int bench_row_hc_reps(enum bench_row row)
{
	return row == BENCH_ROW_HC_REP ? BENCH_FLUSH_REPS : 0;
}

uint16_t bench_row_port(enum bench_row row)
{
	return row == BENCH_ROW_OUT ? BENCH_PORT : BENCH_PORT_KERNEL;
}

void bench_fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* HV_STATUS_* names, for the failure line */
static const char *bench_hv_status_name(unsigned int status)
{
	switch (status) {
	case 0x0: return "HV_STATUS_SUCCESS";
	case 0x2: return "HV_STATUS_INVALID_HYPERCALL_CODE";
	case 0x3: return "HV_STATUS_INVALID_HYPERCALL_INPUT";
	case 0x4: return "HV_STATUS_INVALID_ALIGNMENT";
	case 0x5: return "HV_STATUS_INVALID_PARAMETER";
	case 0x6: return "HV_STATUS_ACCESS_DENIED";
	case 0x11: return "HV_STATUS_INVALID_PORT_ID";
	case 0x12: return "HV_STATUS_INVALID_CONNECTION_ID";
	case 0x13: return "HV_STATUS_INSUFFICIENT_BUFFERS";
	default: return "other";
	}
}

/*
 * Did every call of a hypercall row's run succeed in full?  If not, say
 * so on stdout (for scripts/bench) and stderr, and return -1.
 */
static int bench_hc_check(const struct bench_ops *ops, enum bench_row row,
			  const struct bench_sample *s)
{
	/* the result value: status in 15:0, reps completed in 43:32 */
	unsigned int status = s->hc_last_bad & 0xffff;
	unsigned int reps = (s->hc_last_bad >> 32) & 0xfff;

	if (!bench_row_hcall(row) || !s->hc_bad)
		return 0;
	printf("fail %s %s status %#x reps %u/%u (%s)\n", ops->name,
	       bench_row_name(row), status, reps, bench_row_hc_reps(row),
	       bench_hv_status_name(status));
	fflush(stdout);
	fprintf(stderr,
		"bench: %s %s: HYPERCALL FAILED: result %#llx (status %#x %s, reps %u of %u); no figure for this row\n",
		ops->name, bench_row_name(row),
		(unsigned long long)s->hc_last_bad, status,
		bench_hv_status_name(status), reps, bench_row_hc_reps(row));
	return -1;
}

/*
 * The host's TSC frequency in kHz, from /proc/cpuinfo ("cpu MHz": the
 * kernel's calibrated cpu_khz where the CPU reports no APERF/MPERF, as in
 * the emulated machines), which both hypervisors give their guests
 * unscaled.  Read once.
 */
static uint64_t bench_tsc_khz(void)
{
	static uint64_t khz;
	char line[256];
	double mhz;
	FILE *f;

	if (khz)
		return khz;
	f = fopen("/proc/cpuinfo", "r");
	if (!f)
		bench_fail("/proc/cpuinfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "cpu MHz : %lf", &mhz) == 1 && mhz > 0) {
			khz = mhz * 1000;
			break;
		}
	}
	fclose(f);
	if (!khz)
		bench_fail("/proc/cpuinfo: no \"cpu MHz\"");
	return khz;
}

/* Set by SIGALRM: the local APIC run in progress has hung. */
volatile sig_atomic_t bench_hung;
int bench_ports;

static void bench_alarm(int sig)
{
	(void)sig;
	bench_hung = 1;
}

/* SIGUSR1 only interrupts the second vCPU's run ioctl */
static void bench_kick(int sig)
{
	(void)sig;
}

static void bench_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bench_kick;	/* no SA_RESTART: the ioctl fails */
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = bench_alarm;
	sigaction(SIGALRM, &sa, NULL);
}

/* The second vCPU's thread (ipi): run it until told to stop. */
static struct {
	pthread_t tid;
	const struct bench_ops *ops;
	volatile int stop;
	volatile int failed;
} bench_ap;

static void *bench_ap_thread(void *arg)
{
	sigset_t set;

	(void)arg;
	/* the watchdog's SIGALRM is for the first vCPU's thread */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	while (!bench_ap.stop) {
		if (bench_ap.ops->ap_enter()) {
			bench_ap.failed = 1;
			break;
		}
	}
	return NULL;
}

/* Start vCPU 1 at the ipi row's second entry; wait until it is ready. */
static void bench_ap_start(const struct bench_ops *ops)
{
	uint64_t t0;
	int err;

	ops->apic_enter(1, BENCH_GUEST_GPA +
			(bench_guest_ipi_ap - bench_guest_start), 0);
	bench_ap.ops = ops;
	bench_ap.stop = 0;
	bench_ap.failed = 0;
	err = pthread_create(&bench_ap.tid, NULL, bench_ap_thread, NULL);
	if (err)
		bench_fail("pthread_create: %s", strerror(err));
	t0 = bench_now_ns();
	while (!bench_apic->ready) {
		if (bench_ap.failed || bench_now_ns() - t0 > BENCH_AP_READY_NS)
			bench_fail("%s ipi: the second vCPU did not start",
				   ops->name);
		usleep(100);
	}
}

/* Kick vCPU 1 out of its HLT until its thread sees the stop flag. */
static void bench_ap_stop(void)
{
	bench_ap.stop = 1;
	do {
		pthread_kill(bench_ap.tid, SIGUSR1);
		usleep(1000);
	} while (pthread_tryjoin_np(bench_ap.tid, NULL) == EBUSY);
	if (bench_ap.failed)
		bench_fail("%s ipi: the second vCPU left the guest",
			   bench_ap.ops->name);
}

static int cmp_s32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * timer: the median of the latencies the guest stored (the first
 * BENCH_TIMER_SAMPLES of the run), in ns; one before its deadline is 0.
 */
static uint64_t bench_timer_median_ns(uint64_t n)
{
	static int32_t v[BENCH_TIMER_SAMPLES];
	uint32_t cnt = bench_apic->handled;
	int64_t ticks;

	if (cnt > n)
		cnt = n;
	if (cnt > BENCH_TIMER_SAMPLES)
		cnt = BENCH_TIMER_SAMPLES;
	if (!cnt)
		return 0;
	memcpy(v, (char *)bench_apic - BENCH_APIC_DATA_GPA +
	       BENCH_TIMER_SAMPLES_GPA, cnt * sizeof(v[0]));
	qsort(v, cnt, sizeof(v[0]), cmp_s32);
	ticks = cnt % 2 ? v[cnt / 2] :
		((int64_t)v[cnt / 2 - 1] + v[cnt / 2]) / 2;
	return ticks <= 0 ? 0 : ticks * 1000000 / bench_tsc_khz();
}

/*
 * One run of a local APIC row: the set-up to its OUT, untimed (and for
 * ipi the second vCPU started and ready); then the loop to its OUT,
 * timed.  timer's figure is the latency the guest measured instead.
 */
static int bench_apic_run(const struct bench_ops *ops, enum bench_row row,
			  uint64_t n, struct bench_sample *s)
{
	uint64_t t0, exits0;
	int ret;

	memset((void *)bench_apic, 0, sizeof(*bench_apic));
	bench_apic->delta = bench_tsc_khz() * BENCH_TIMER_DELTA_US / 1000;
	ops->apic_enter(0, bench_row_ip(row), n);
	if (ops->apic_run())
		return -1;
	if (row == BENCH_ROW_IPI)
		bench_ap_start(ops);
	if (row == BENCH_ROW_SIGNAL)
		ops->synic_events();	/* the last run's, if it failed */
	bench_hung = 0;
	alarm(BENCH_APIC_TIMEOUT_S);
	exits0 = ops->apic_exits();
	t0 = bench_now_ns();
	ret = ops->apic_run();
	s->ns = bench_now_ns() - t0;
	alarm(0);
	if (row == BENCH_ROW_IPI)
		bench_ap_stop();
	if (bench_hung) {
		fprintf(stderr, "bench: %s %s: no end after %d s: handled %u/%llu, second VP %u\n",
			ops->name, bench_row_name(row), BENCH_APIC_TIMEOUT_S,
			bench_apic->handled, (unsigned long long)n,
			bench_apic->ap_handled);
		ops->apic_dump();
	}
	s->exits = ops->apic_exits() - exits0;
	if (row == BENCH_ROW_SIGNAL)
		s->events = ops->synic_events();
	if (row == BENCH_ROW_TIMER)
		s->ns = bench_timer_median_ns(n) * n;
	return ret;
}

/*
 * A SynIC row's own checks: no call failed, and (signal) the root counted
 * one signal a call.  If not, say so (stdout and stderr) and return -1.
 */
static int bench_synic_check(const struct bench_ops *ops, enum bench_row row,
			     uint64_t n, const struct bench_sample *s)
{
	uint64_t bad = bench_apic->hc_bad;
	unsigned int status = bad & 0xffff;

	if (bad) {
		printf("fail %s %s status %#x reps 0/0 (%s)\n", ops->name,
		       bench_row_name(row), status,
		       bench_hv_status_name(status));
		fflush(stdout);
		fprintf(stderr,
			"bench: %s %s: HYPERCALL FAILED after %u of %llu: result %#llx (%s); no figure for this row\n",
			ops->name, bench_row_name(row), bench_apic->handled,
			(unsigned long long)n, (unsigned long long)bad,
			bench_hv_status_name(status));
		return -1;
	}
	if (row != BENCH_ROW_SIGNAL || s->events == n)
		return 0;
	printf("fail %s %s events %llu/%llu\n", ops->name, bench_row_name(row),
	       (unsigned long long)s->events, (unsigned long long)n);
	fflush(stdout);
	fprintf(stderr,
		"bench: %s %s: the root counted %llu eventfd signals for %llu calls; no figure for this row\n",
		ops->name, bench_row_name(row), (unsigned long long)s->events,
		(unsigned long long)n);
	return -1;
}

/*
 * Did every operation of a local APIC row's run reach its handler(s)?
 * If one was lost, say so (stdout and stderr) and return -1.  One taken
 * twice (more handler runs than operations) only adds to @dup.
 */
static int bench_apic_check(const struct bench_ops *ops, enum bench_row row,
			    uint64_t n, const struct bench_sample *s,
			    uint64_t *dup)
{
	uint32_t handled = bench_apic->handled, ap = bench_apic->ap_handled;

	if (bench_row_synic(row) && bench_synic_check(ops, row, n, s))
		return -1;

	/*
	 * ipi: a pong handled twice lets the sender send the next ping
	 * without waiting, and two pings in flight may merge in the second
	 * VP's IRR, as on any APIC: each such ping excuses one.
	 */
	if (handled >= n &&
	    (row != BENCH_ROW_IPI || ap + bench_apic->nowait >= n)) {
		*dup += handled - n;
		/* a ping sent again after its pong was lost is answered twice */
		if (row == BENCH_ROW_IPI && ap > n + bench_apic->lost)
			*dup += ap - n - bench_apic->lost;
		return 0;
	}
	printf("fail %s %s handled %u/%llu ap %u+%u\n", ops->name,
	       bench_row_name(row), handled, (unsigned long long)n, ap,
	       bench_apic->nowait);
	fflush(stdout);
	fprintf(stderr,
		"bench: %s %s: %u of %llu interrupts handled (second VP: %u); no figure for this row\n",
		ops->name, bench_row_name(row), handled,
		(unsigned long long)n, ap);
	return -1;
}

/**
 * struct bench_notes - what a row's checked runs saw that is no failure
 * @early: timer interrupts taken before their deadline
 * @dup: interrupts whose handler ran more than once
 * @lost: ipi: pings sent again after the watchdog found no answer
 */
struct bench_notes {
	uint64_t early;
	uint64_t dup;
	uint64_t lost;
};

/* One run of any row, checked: 0, or -1 if the guest's work failed. */
static int bench_run_checked(const struct bench_ops *ops, enum bench_row row,
			     uint64_t n, struct bench_sample *s,
			     struct bench_notes *notes)
{
	memset(s, 0, sizeof(*s));
	if (!bench_row_apic(row)) {
		if (ops->run(row, n, s))
			bench_fail("%s %s: run failed", ops->name,
				   bench_row_name(row));
		return bench_hc_check(ops, row, s);
	}
	if (bench_apic_run(ops, row, n, s)) {
		if (!bench_hung)
			bench_fail("%s %s: run failed", ops->name,
				   bench_row_name(row));
		/* a hung guest fails its row: the others still run */
		printf("fail %s %s hung, handled %u/%llu ap %u\n", ops->name,
		       bench_row_name(row), bench_apic->handled,
		       (unsigned long long)n, bench_apic->ap_handled);
		fflush(stdout);
		return -1;
	}
	notes->early += bench_apic->early;
	notes->lost += bench_apic->lost;
	return bench_apic_check(ops, row, n, s, &notes->dup);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The median of @v (sorted in place); the mean of the middle two if even. */
static double median_u64(uint64_t *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static void bench_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-n N] [-r RUNS] [-o ROW] [-p] [-v]\n"
		"  -n N     guest loop iterations (exits) per run (default 20000)\n"
		"  -r RUNS  timed runs per row, median reported (default 5)\n"
		"  -o ROW   run only ROW (cpuid, out, ..., timer, postmsg, signal)\n"
		"  -p       hvpart postmsg through a root port and a second\n"
		"           thread, not the hypercall intercept (KVM: no change)\n"
		"  -v       print every run on stderr\n", prog);
	exit(2);
}

static void bench_row(const struct bench_ops *ops, enum bench_row row,
		      uint64_t n, unsigned int runs, int verbose)
{
	uint64_t ns[BENCH_MAX_RUNS], exits[BENCH_MAX_RUNS];
	struct bench_sample s;
	struct bench_notes notes = { 0 };
	unsigned int i;
	double med;

	n = bench_row_n(row, n);
	/* one untimed short run first: faults in memory, warms caches */
	if (bench_run_checked(ops, row, n < BENCH_WARMUP_N ? n : BENCH_WARMUP_N,
			      &s, &notes))
		return;
	memset(&notes, 0, sizeof(notes));
	for (i = 0; i < runs; i++) {
		if (bench_run_checked(ops, row, n, &s, &notes))
			return;
		ns[i] = s.ns;
		exits[i] = s.exits;
		if (verbose)
			fprintf(stderr, "%s %s run %u: %.1f ns/exit, %llu exits\n",
				ops->name, bench_row_name(row), i,
				(double)ns[i] / n, (unsigned long long)exits[i]);
	}
	med = median_u64(ns, runs);
	printf("result %s %s %llu %u %.1f %.0f %.1f %.1f\n", ops->name,
	       bench_row_name(row), (unsigned long long)n, runs, med / n,
	       median_u64(exits, runs), (double)ns[0] / n,
	       (double)ns[runs - 1] / n);
	if (notes.early)
		printf("note %s %s early %llu of %llu\n", ops->name,
		       bench_row_name(row), (unsigned long long)notes.early,
		       (unsigned long long)n * runs);
	if (notes.dup)
		printf("note %s %s twice %llu of %llu\n", ops->name,
		       bench_row_name(row), (unsigned long long)notes.dup,
		       (unsigned long long)n * runs);
	if (notes.lost)
		printf("note %s %s lost %llu of %llu\n", ops->name,
		       bench_row_name(row), (unsigned long long)notes.lost,
		       (unsigned long long)n * runs);
	fflush(stdout);
}

int bench_main(int argc, char **argv, const struct bench_ops *ops)
{
	unsigned long long n = 20000;
	unsigned int runs = 5;
	int verbose = 0, opt, row, only = -1;
	const char *why = NULL;
	char *end;
	void *mem;

	while ((opt = getopt(argc, argv, "n:r:o:pv")) != -1) {
		switch (opt) {
		case 'p':
			bench_ports = 1;
			break;
		case 'o':
			for (only = 0; only < BENCH_NR_ROWS; only++)
				if (!strcmp(optarg, bench_row_name(only)))
					break;
			if (only == BENCH_NR_ROWS)
				bench_usage(argv[0]);
			break;
		case 'n':
			n = strtoull(optarg, &end, 0);
			if (*end || !n || n > 0xffffffffULL)
				bench_usage(argv[0]);
			break;
		case 'r':
			runs = strtoul(optarg, &end, 0);
			if (*end || !runs || runs > BENCH_MAX_RUNS)
				bench_usage(argv[0]);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			bench_usage(argv[0]);
		}
	}
	if (optind != argc)
		bench_usage(argv[0]);

	if (BENCH_GUEST_GPA + (bench_guest_end - bench_guest_start) >
	    BENCH_HCALL_PAGE_GPA)
		bench_fail("the guest code overlaps the hypercall page");
	mem = mmap(NULL, BENCH_MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		bench_fail("mmap: %s", strerror(errno));
	memcpy((char *)mem + BENCH_GUEST_GPA, bench_guest_start,
	       bench_guest_end - bench_guest_start);

	bench_apic = (void *)((char *)mem + BENCH_APIC_DATA_GPA);
	bench_signals();

	if (ops->setup(mem))
		bench_fail("%s: setting up the VM failed", ops->name);
	for (row = 0; row < BENCH_NR_ROWS; row++) {
		/*
		 * the local APIC rows come last, in their own VM, the SynIC
		 * ones after the others
		 */
		if (row == BENCH_ROW_SELFIPI)
			why = ops->apic_setup(mem);
		else if (row == BENCH_ROW_POSTMSG && !why)
			why = ops->synic_setup();
		if (only >= 0 && row != only)
			continue;
		if (!why || !bench_row_apic(row)) {
			bench_row(ops, row, n, runs, verbose);
			continue;
		}
		/* no local APIC VM or no SynIC: say why for each such row */
		printf("skip %s %s %s\n", ops->name, bench_row_name(row), why);
		fprintf(stderr, "bench: %s %s: skipped: %s\n", ops->name,
			bench_row_name(row), why);
	}
	return 0;
}
