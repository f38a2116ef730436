/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal TAP producer for hvctl's host-side unit tests: each TEST()
 * is one "ok"/"not ok" line; CHECK() records a failure and goes on.
 */
#ifndef HVCTL_TEST_H
#define HVCTL_TEST_H

#include <stdio.h>
#include <stdlib.h>

static int test_failed, test_total, test_bad;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("#   %s:%d: CHECK(%s) failed\n", __FILE__,	\
		       __LINE__, #cond);				\
		test_failed = 1;					\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	unsigned long long _a = (a), _b = (b);				\
	if (_a != _b) {							\
		printf("#   %s:%d: %s == 0x%llx, want %s == 0x%llx\n",	\
		       __FILE__, __LINE__, #a, _a, #b, _b);		\
		test_failed = 1;					\
	}								\
} while (0)

#define TEST(fn) do {							\
	test_failed = 0;						\
	fn();								\
	test_total++;							\
	test_bad += test_failed;					\
	printf("%sok %d - %s\n", test_failed ? "not " : "",		\
	       test_total, #fn);					\
	fflush(stdout);							\
} while (0)

static inline int test_done(void)
{
	printf("1..%d\n", test_total);
	if (test_bad)
		printf("# %d of %d failed\n", test_bad, test_total);
	return test_bad ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* HVCTL_TEST_H */
