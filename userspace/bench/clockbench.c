// SPDX-License-Identifier: GPL-2.0
/*
 * clockbench: the cost of a clock read in a Linux child partition, part
 * of scripts/bench's Linux rows.  The child's init (userspace/tests/
 * linux/init, with hvbench=1 on the kernel command line) runs it.
 *
 * Times clock_gettime(CLOCK_MONOTONIC) in a loop, through the C library
 * (the vDSO, which reads the clock source in user mode when it can:
 * the Hyper-V TSC page, or the TSC) and as the raw system call, and
 * prints ns per call, the median of ROUNDS rounds, and the clock source
 * the kernel uses.  A round's length is found first: the loop count
 * doubles until one round takes MIN_NS, so a clock read that exits to
 * the hypervisor (tens of microseconds in an emulated machine) and one
 * that does not (tens of nanoseconds) both run long enough to time.
 *
 * Output, one "clockbench KEY VALUE" line each:
 *   clocksource NAME   current_clocksource of clocksource0
 *   calls N M          the calls a round makes (vdso, syscall)
 *   vdso NS            ns per clock_gettime(), median of the rounds
 *   syscall NS         ns per syscall(SYS_clock_gettime), the same
 *
 * Usage: clockbench [-r ROUNDS] [-t MIN_MS]
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define CLOCKSOURCE \
	"/sys/devices/system/clocksource/clocksource0/current_clocksource"
#define MAX_ROUNDS	99
#define MAX_CALLS	(1UL << 30)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int read_vdso(struct timespec *ts)
{
	return clock_gettime(CLOCK_MONOTONIC, ts);
}

static int read_syscall(struct timespec *ts)
{
	return syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ts);
}

/* One round of @calls reads through @fn: the ns it took, 0 on an error. */
static uint64_t round_ns(int (*fn)(struct timespec *), unsigned long calls)
{
	struct timespec ts;
	unsigned long i;
	uint64_t t0;

	t0 = now_ns();
	for (i = 0; i < calls; i++)
		if (fn(&ts))
			return 0;
	return now_ns() - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * time_reads(): ns per read through @fn, the median of @rounds rounds of
 * at least @min_ns each; sets *@calls to the reads per round.  -1 if a
 * read failed.
 */
static double time_reads(int (*fn)(struct timespec *), int rounds,
			 uint64_t min_ns, unsigned long *calls)
{
	double per[MAX_ROUNDS];
	unsigned long n = 16;
	uint64_t ns;
	int i;

	/* the calibration doubles as the warm-up */
	for (;;) {
		ns = round_ns(fn, n);
		if (!ns)
			return -1;
		if (ns >= min_ns || n >= MAX_CALLS)
			break;
		n *= 2;
	}
	for (i = 0; i < rounds; i++) {
		ns = round_ns(fn, n);
		if (!ns)
			return -1;
		per[i] = (double)ns / n;
	}
	qsort(per, rounds, sizeof(per[0]), cmp_double);
	*calls = n;
	return rounds % 2 ? per[rounds / 2] :
		(per[rounds / 2 - 1] + per[rounds / 2]) / 2;
}

static void usage(void)
{
	fprintf(stderr, "usage: clockbench [-r ROUNDS (1-%d)] [-t MIN_MS]\n",
		MAX_ROUNDS);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long calls_vdso, calls_sys;
	int rounds = 5, min_ms = 100, opt;
	char cs[64] = "unknown";
	double vdso, sys;
	FILE *f;

	while ((opt = getopt(argc, argv, "r:t:")) != -1) {
		switch (opt) {
		case 'r':
			rounds = atoi(optarg);
			if (rounds < 1 || rounds > MAX_ROUNDS)
				usage();
			break;
		case 't':
			min_ms = atoi(optarg);
			if (min_ms < 1 || min_ms > 60000)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	f = fopen(CLOCKSOURCE, "r");
	if (f) {
		if (fgets(cs, sizeof(cs), f))
			cs[strcspn(cs, "\n")] = '\0';
		fclose(f);
	}
	printf("clockbench clocksource %s\n", cs);
	fflush(stdout);

	vdso = time_reads(read_vdso, rounds, min_ms * 1000000ULL, &calls_vdso);
	sys = time_reads(read_syscall, rounds, min_ms * 1000000ULL,
			 &calls_sys);
	if (vdso < 0 || sys < 0) {
		fprintf(stderr, "clockbench: clock_gettime: %s\n",
			strerror(errno));
		return 1;
	}
	printf("clockbench calls %lu %lu\n", calls_vdso, calls_sys);
	printf("clockbench vdso %.1f\n", vdso);
	printf("clockbench syscall %.1f\n", sys);
	return 0;
}
