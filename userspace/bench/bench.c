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
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "bench.h"

#define BENCH_MAX_RUNS		99
#define BENCH_WARMUP_N		1000

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
		"usage: %s [-n N] [-r RUNS] [-v]\n"
		"  -n N     guest loop iterations (exits) per run (default 20000)\n"
		"  -r RUNS  timed runs per row, median reported (default 5)\n"
		"  -v       print every run on stderr\n", prog);
	exit(2);
}

static void bench_row(const struct bench_ops *ops, enum bench_row row,
		      uint64_t n, unsigned int runs, int verbose)
{
	uint64_t ns[BENCH_MAX_RUNS], exits[BENCH_MAX_RUNS];
	struct bench_sample s;
	unsigned int i;
	double med;

	/* one untimed short run first: faults in memory, warms caches */
	memset(&s, 0, sizeof(s));
	if (ops->run(row, n < BENCH_WARMUP_N ? n : BENCH_WARMUP_N, &s))
		bench_fail("%s %s: warm-up run failed", ops->name,
			   bench_row_name(row));
	if (bench_hc_check(ops, row, &s))
		return;
	for (i = 0; i < runs; i++) {
		memset(&s, 0, sizeof(s));
		if (ops->run(row, n, &s))
			bench_fail("%s %s: run %u failed", ops->name,
				   bench_row_name(row), i);
		if (bench_hc_check(ops, row, &s))
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
	fflush(stdout);
}

int bench_main(int argc, char **argv, const struct bench_ops *ops)
{
	unsigned long long n = 20000;
	unsigned int runs = 5;
	int verbose = 0, opt, row;
	char *end;
	void *mem;

	while ((opt = getopt(argc, argv, "n:r:v")) != -1) {
		switch (opt) {
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

	if (ops->setup(mem))
		bench_fail("%s: setting up the VM failed", ops->name);
	for (row = 0; row < BENCH_NR_ROWS; row++)
		bench_row(ops, row, n, runs, verbose);
	return 0;
}
