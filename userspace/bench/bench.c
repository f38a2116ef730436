// SPDX-License-Identifier: GPL-2.0
/*
 * The runners' common part: options, guest memory, the timing loop and
 * the result lines that scripts/bench turns into a table.
 *
 * Result line (stdout), one per row, fields separated by one space:
 *   result BACKEND ROW N RUNS MEDIAN_NS_PER_EXIT MEDIAN_EXITS MIN MAX
 * MIN and MAX are the fastest and slowest runs in ns per exit.
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
	};

	return names[row];
}

uint16_t bench_row_ip(enum bench_row row)
{
	const unsigned char *entry = row == BENCH_ROW_CPUID ?
				     bench_guest_cpuid : bench_guest_out;

	return BENCH_GUEST_GPA + (entry - bench_guest_start);
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
	uint64_t t, e;
	unsigned int i;
	double med;

	/* one untimed short run first: faults in memory, warms caches */
	if (ops->run(row, n < BENCH_WARMUP_N ? n : BENCH_WARMUP_N, &t, &e))
		bench_fail("%s %s: warm-up run failed", ops->name,
			   bench_row_name(row));
	for (i = 0; i < runs; i++) {
		if (ops->run(row, n, &ns[i], &exits[i]))
			bench_fail("%s %s: run %u failed", ops->name,
				   bench_row_name(row), i);
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
