// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the fuzzers: see include/fuzz_util.h.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <sys/klog.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "hvpart_util.h"

void fz_seed(struct fz_rng *r, uint64_t seed)
{
	/* splitmix64 of the seed: nearby seeds give unrelated streams */
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	r->s = (z ^ (z >> 31)) | 1;
}

uint64_t fz_next(struct fz_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

uint64_t fz_below(struct fz_rng *r, uint64_t n)
{
	return fz_next(r) % n;
}

bool fz_one_in(struct fz_rng *r, uint64_t n)
{
	return fz_below(r, n) == 0;
}

uint64_t fz_value(struct fz_rng *r)
{
	static const uint64_t edges[] = {
		0, 1, 2, 3, 4, 7, 8, 0xf, 0x10, 0x7f, 0x80, 0xff, 0x100,
		0xfff, 0x1000, 0x1001, 0xffff, 0x10000, 0x7fffffff,
		0x80000000, 0xffffffff, 0x100000000ULL, 0x40000000,
		0x400001ff, 0xfee00000, 0x8000000000ULL, 0x10000000000ULL,
		0x7fffffffffffULL, 0x800000000000ULL, 0xffff800000000000ULL,
		0x000fffffffffffffULL, 0x0010000000000000ULL,
		0x7fffffffffffffffULL, 0x8000000000000000ULL,
		0xfffffffffffff000ULL, 0xffffffffffffffffULL,
	};
	uint64_t v;

	switch (fz_below(r, 6)) {
	case 0:
		return fz_next(r);
	case 1:
		return fz_below(r, 0x200);
	case 2:
		return 1ULL << fz_below(r, 64);
	case 3:
		v = edges[fz_below(r, ARRAY_SIZE(edges))];
		return v + fz_below(r, 3) - 1;	/* and its neighbours */
	case 4:
		return (uint32_t)fz_next(r);
	}
	return edges[fz_below(r, ARRAY_SIZE(edges))];
}

void fz_fill(struct fz_rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = fz_next(r);
}

double fz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void fz_trace(const struct fz_opts *o, const char *fmt, ...)
{
	static int kmsg = -1;
	char line[512];
	va_list ap;
	int n;

	if (!o->verbose)
		return;
	if (kmsg < 0) {
		/* no rate limit on these lines */
		int fd = open("/proc/sys/kernel/printk_devkmsg", O_WRONLY);

		if (fd >= 0 && write(fd, "on\n", 3) < 0)
			fd = -1;
		if (fd >= 0)
			close(fd);
		kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	}
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && kmsg >= 0 && write(kmsg, line, strnlen(line, sizeof(line))) < 0)
		return;
}

void fz_parse_opts(int argc, char **argv, struct fz_opts *o,
		   const char *usage)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "soak", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *scale = getenv("HVPART_FUZZ_SCALE");
	bool iters_set = false;
	int c;

	while ((c = getopt_long(argc, argv, "s:n:t:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			o->iterations = strtol(optarg, NULL, 0);
			iters_set = true;
			break;
		case 't':
			o->soak = true;
			o->budget_s = strtod(optarg, NULL);
			if (!iters_set)
				o->iterations = 0x7fffffffL;
			break;
		case 'v':
			o->verbose = true;
			break;
		default:
			fprintf(stderr, "%s", usage);
			exit(c == 'h' ? 0 : 2);
		}
	}
	if (scale && !iters_set && !o->soak) {
		long pct = strtol(scale, NULL, 0);

		if (pct > 0)
			o->iterations = o->iterations * pct / 100;
		if (o->iterations < 1)
			o->iterations = 1;
	}
}

long fz_vmlck_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

bool fz_pins_outstanding(long long *pins)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	long long acq = -1, rel = -1, v;
	bool folded;
	char name[64];
	FILE *f;

	/*
	 * /proc/vmstat lags the per-CPU counters by up to their thresholds
	 * (a reading of -3 was seen): fold them in first, or give up.
	 */
	if (fd < 0)
		return false;
	folded = write(fd, "1", 1) == 1;
	close(fd);
	if (!folded)
		return false;
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return false;
	while (fscanf(f, "%63s %lld", name, &v) == 2) {
		if (!strcmp(name, "nr_foll_pin_acquired"))
			acq = v;
		else if (!strcmp(name, "nr_foll_pin_released"))
			rel = v;
	}
	fclose(f);
	if (acq < 0 || rel < 0)
		return false;
	*pins = acq - rel;
	return true;
}

void fz_leaks_begin(struct fz_leaks *l)
{
	l->have_pins = fz_pins_outstanding(&l->pins_before);
	l->pins_after = l->pins_before;
	l->vmlck_kb = fz_vmlck_kb();
}

void fz_settle(struct fz_leaks *l)
{
	int i;

	for (i = 0; i < 50; i++) {
		l->vmlck_kb = fz_vmlck_kb();
		if (l->have_pins)
			fz_pins_outstanding(&l->pins_after);
		if (l->vmlck_kb == 0 && l->pins_after == l->pins_before)
			break;
		usleep(100 * 1000);
	}
}

int fz_klog_splats(int print_from)
{
	static const char *const pats[] = {
		"Call Trace", "WARNING:", "BUG:", "Oops", "allocation failure",
		"vmalloc error", "general protection", "KASAN", "UBSAN",
		"refcount_t:", "list_add corruption", "list_del corruption",
		"blocked for more than", "possible circular locking",
		"inconsistent lock state", "stack-protector",
	};
	int size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf, *line, *save;
	int n = 0;
	size_t i;

	if (size <= 0)
		return 0;
	buf = calloc(1, size + 1);
	if (!buf)
		return 0;
	size = klogctl(3, buf, size);		/* SYSLOG_ACTION_READ_ALL */
	if (size > 0) {
		buf[size] = 0;
		for (line = strtok_r(buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			for (i = 0; i < ARRAY_SIZE(pats); i++)
				if (strstr(line, pats[i]))
					break;
			if (i == ARRAY_SIZE(pats))
				continue;
			if (print_from >= 0 && n >= print_from)
				printf("# kernel: %s\n", line);
			n++;
		}
	}
	free(buf);
	return n;
}
