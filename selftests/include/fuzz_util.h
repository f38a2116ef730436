/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the two fuzzers (uapi_fuzz.c, guest_fuzz.c): a
 * seeded generator, interesting values, option parsing for the run's
 * bounds, and the host's leak checks (locked_vm of the process, pinned
 * pages of the whole system).
 */
#ifndef SELFTEST_HVPART_FUZZ_UTIL_H
#define SELFTEST_HVPART_FUZZ_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* xorshift64*: small, fast, and the same sequence for the same seed. */
struct fz_rng {
	uint64_t s;
};

void fz_seed(struct fz_rng *r, uint64_t seed);
uint64_t fz_next(struct fz_rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t fz_below(struct fz_rng *r, uint64_t n);
/* True with probability 1/n. */
bool fz_one_in(struct fz_rng *r, uint64_t n);
/* A value drawn from boundaries (0, 1, powers of two and their
 * neighbours, all ones, ...) or at random.
 */
uint64_t fz_value(struct fz_rng *r);
void fz_fill(struct fz_rng *r, void *buf, size_t len);

/* The bounds of a run: --seed N, --iterations N, --soak SECONDS. */
struct fz_opts {
	uint64_t seed;
	long iterations;	/* per worker; the default unless set */
	double budget_s;	/* wall-clock bound: stop early past it */
	bool soak;
	bool verbose;		/* -v: trace to the kernel log (/dev/kmsg) */
};

/*
 * Parses argv into @o (defaults already set by the caller) and prints
 * usage and exits on a bad option.  HVPART_FUZZ_SCALE (a percentage,
 * default 100) scales the default iterations, for slow machines.
 */
void fz_parse_opts(int argc, char **argv, struct fz_opts *o,
		   const char *usage);

double fz_now(void);

/* With -v: a line in the kernel log, which survives a hung machine. */
void fz_trace(const struct fz_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* VmLck of this process in kB (-1 if not found). */
long fz_vmlck_kb(void);

/*
 * Pages pinned system-wide and not yet released
 * (nr_foll_pin_acquired - nr_foll_pin_released of /proc/vmstat, after
 * vm.stat_refresh folded the per-CPU counters in); false when this
 * kernel has no such counters or they cannot be folded.
 */
bool fz_pins_outstanding(long long *pins);

/*
 * The leak checks every fuzzer ends with, once it closed all its
 * partitions: VmLck back to 0 kB and the pinned-page balance back to
 * what it was before.  fz_settle() waits (up to 5 s) for deferred
 * releases (fds of exited children, passed fds) and fills in @l.
 */
struct fz_leaks {
	bool have_pins;
	long long pins_before;
	long long pins_after;
	long vmlck_kb;
};

void fz_leaks_begin(struct fz_leaks *l);
void fz_settle(struct fz_leaks *l);

/*
 * Kernel log lines that betray a kernel problem: a stack dump (WARN,
 * BUG, oops, an allocation failure's warn_alloc), a lockdep, KASAN or
 * UBSAN report, a refcount or list corruption, a hung task.  Returns how
 * many the log holds now; with @print_from >= 0, prints those past that
 * many.  scripts/vmrun judges most of these too; this also catches the
 * splats that carry none of its keywords ("vmalloc error: ...").
 */
int fz_klog_splats(int print_from);

#endif /* SELFTEST_HVPART_FUZZ_UTIL_H */
