// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the Hyper-V feature groups: the group -> TLFS bit table,
 * parsing --hv, --hv-on and --hv-off, resolving them against what hvpart
 * supports, the names hvctl caps prints, and the partition properties the
 * worker sets (against the fake /dev/hvpart).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hvfeatures.h"
#include "../libhvpart.h"
#include "../tlfs.h"
#include "../worker.h"
#include "fake_hvpart.h"
#include "test.h"

static char err[1024];

static const uint64_t hvpart_supported[HVF_NR_PROPS] = {
	FAKE_PRIVILEGES, FAKE_FEATURES, FAKE_RECOMMENDATIONS,
};

/* The group's index, or -1. */
static int group(const char *name)
{
	unsigned int i;

	for (i = 0; i < hvf_nr_groups; i++)
		if (!strcmp(hvf_groups[i].name, name))
			return i;
	return -1;
}

/* The bits of the groups in @list, which must parse. */
static void bits_of(const char *list, uint64_t bits[HVF_NR_PROPS])
{
	uint32_t groups = 0;

	CHECK_EQ(hvf_parse_groups(list, &groups, err, sizeof(err)), 0);
	hvf_group_bits(groups, bits);
}

#define CHECK_BITS(list, priv, feat, rec) do {				\
	uint64_t _b[HVF_NR_PROPS];					\
	bits_of(list, _b);						\
	CHECK_EQ(_b[HVF_PRIVILEGES], priv);				\
	CHECK_EQ(_b[HVF_FEATURES], feat);				\
	CHECK_EQ(_b[HVF_RECOMMENDATIONS], rec);				\
} while (0)

/* Each group is the TLFS bits the brief names, and nothing else. */
static void test_group_bits(void)
{
	CHECK_EQ(hvf_nr_groups, 16);
	CHECK_BITS("hypercall", 1ULL << 5, 0, 0);
	CHECK_BITS("vpindex", 1ULL << 6, 0, 0);
	CHECK_BITS("runtime", 1ULL << 0, 0, 0);
	CHECK_BITS("time", 1ULL << 1, 0, 0);
	CHECK_BITS("tsc-page", 1ULL << 9, 0, 0);
	CHECK_BITS("frequencies", 1ULL << 11, 1ULL << 8, 0);
	CHECK_BITS("reset", 1ULL << 7, 0, 1ULL << 4);
	CHECK_BITS("idle", 1ULL << 10, 1ULL << 5, 0);
	CHECK_BITS("crash", 0, 1ULL << 10, 0);
	CHECK_BITS("xmm-input", 0, 1ULL << 4, 0);
	CHECK_BITS("xmm-output", 0, 1ULL << 15, 0);
	CHECK_BITS("msr-lock", 0, 1ULL << 18, 0);
	CHECK_BITS("ext-hypercalls", 1ULL << 52, 0, 0);
	CHECK_BITS("tlb-flush", 0, 0, (1ULL << 1) | (1ULL << 2));
	CHECK_BITS("ex-processor-masks", 0, 0, 1ULL << 11);
	CHECK_BITS("relaxed-timing", 0, 0, 1ULL << 5);
}

/* No two groups share a bit; together they are all hvpart implements. */
static void test_groups_cover_hvpart(void)
{
	uint64_t all[HVF_NR_PROPS] = { 0 };
	unsigned int i, p;

	for (i = 0; i < hvf_nr_groups; i++) {
		CHECK(hvf_groups[i].bits[HVF_PRIVILEGES] ||
		      hvf_groups[i].bits[HVF_FEATURES] ||
		      hvf_groups[i].bits[HVF_RECOMMENDATIONS]);
		CHECK_EQ(group(hvf_groups[i].name), i);
		for (p = 0; p < HVF_NR_PROPS; p++) {
			CHECK_EQ(all[p] & hvf_groups[i].bits[p], 0);
			all[p] |= hvf_groups[i].bits[p];
		}
	}
	for (p = 0; p < HVF_NR_PROPS; p++)
		CHECK_EQ(all[p], hvpart_supported[p]);
	CHECK_EQ(hvf_groups_present(all), hvf_all_groups());
	CHECK_EQ(hvf_all_groups(), 0xffff);
}

static void test_parse_groups(void)
{
	uint32_t g = 0;

	CHECK_EQ(hvf_parse_groups("hypercall", &g, err, sizeof(err)), 0);
	CHECK_EQ(g, 1u << group("hypercall"));
	CHECK_EQ(hvf_parse_groups("time,tsc-page,time", &g, err, sizeof(err)),
		 0);
	CHECK_EQ(g, (1u << group("time")) | (1u << group("tsc-page")));

	g = 0x1234;
	CHECK_EQ(hvf_parse_groups("bogus", &g, err, sizeof(err)), -EINVAL);
	CHECK_EQ(g, 0x1234);
	CHECK(strstr(err, "unknown Hyper-V group 'bogus'"));
	CHECK(strstr(err, "hypercall, vpindex"));
	CHECK_EQ(hvf_parse_groups("time,Time", &g, err, sizeof(err)),
		 -EINVAL);
	CHECK(strstr(err, "'Time'"));
	CHECK_EQ(hvf_parse_groups("", &g, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "empty Hyper-V group name"));
	CHECK_EQ(hvf_parse_groups("time,", &g, err, sizeof(err)), -EINVAL);
	CHECK_EQ(hvf_parse_groups(",time", &g, err, sizeof(err)), -EINVAL);
	CHECK_EQ(hvf_parse_groups("tsc", &g, err, sizeof(err)), -EINVAL);
	CHECK_EQ(hvf_parse_groups("all", &g, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "goes with --hv alone"));
	CHECK_EQ(hvf_parse_groups("none", &g, err, sizeof(err)), -EINVAL);
}

/* What @s gives against hvpart's supported bits; must resolve. */
static void resolve(const struct hvf_select *s, uint64_t out[HVF_NR_PROPS])
{
	CHECK_EQ(hvf_resolve(s, hvpart_supported, out, err, sizeof(err)), 0);
}

static void test_select(void)
{
	struct hvf_select s;
	uint64_t b[HVF_NR_PROPS];

	hvf_select_init(&s);
	CHECK(!s.given);
	CHECK(!s.spin_retry_set);
	resolve(&s, b);
	CHECK_EQ(b[HVF_PRIVILEGES], FAKE_PRIVILEGES);
	CHECK_EQ(b[HVF_FEATURES], FAKE_FEATURES);
	CHECK_EQ(b[HVF_RECOMMENDATIONS], FAKE_RECOMMENDATIONS);

	CHECK_EQ(hvf_select_base(&s, "none", err, sizeof(err)), 0);
	CHECK(s.given);
	resolve(&s, b);
	CHECK_EQ(b[HVF_PRIVILEGES] | b[HVF_FEATURES] | b[HVF_RECOMMENDATIONS],
		 0);

	/* --hv none --hv-on time,tsc-page */
	CHECK_EQ(hvf_select_on(&s, "time,tsc-page", err, sizeof(err)), 0);
	resolve(&s, b);
	CHECK_EQ(b[HVF_PRIVILEGES], (1ULL << 1) | (1ULL << 9));
	CHECK_EQ(b[HVF_FEATURES] | b[HVF_RECOMMENDATIONS], 0);

	/* --hv all --hv-off hypercall,reset */
	CHECK_EQ(hvf_select_base(&s, "all", err, sizeof(err)), 0);
	CHECK_EQ(hvf_select_off(&s, "hypercall,reset", err, sizeof(err)), 0);
	resolve(&s, b);
	CHECK_EQ(b[HVF_PRIVILEGES], FAKE_PRIVILEGES & ~((1ULL << 5) |
							(1ULL << 7)));
	CHECK_EQ(b[HVF_FEATURES], FAKE_FEATURES);
	CHECK_EQ(b[HVF_RECOMMENDATIONS], FAKE_RECOMMENDATIONS & ~(1ULL << 4));

	/* left to right: a later --hv-on wins over an earlier --hv-off */
	CHECK_EQ(hvf_select_on(&s, "reset", err, sizeof(err)), 0);
	resolve(&s, b);
	CHECK_EQ(b[HVF_PRIVILEGES], FAKE_PRIVILEGES & ~(1ULL << 5));
	CHECK_EQ(b[HVF_RECOMMENDATIONS], FAKE_RECOMMENDATIONS);
	/* ... and the other way round */
	CHECK_EQ(hvf_select_off(&s, "reset", err, sizeof(err)), 0);
	resolve(&s, b);
	CHECK_EQ(b[HVF_RECOMMENDATIONS], FAKE_RECOMMENDATIONS & ~(1ULL << 4));

	/* --hv starts over */
	CHECK_EQ(hvf_select_base(&s, "all", err, sizeof(err)), 0);
	resolve(&s, b);
	CHECK_EQ(b[HVF_PRIVILEGES], FAKE_PRIVILEGES);
	CHECK_EQ(b[HVF_RECOMMENDATIONS], FAKE_RECOMMENDATIONS);

	/* --hv LIST is exactly the list */
	CHECK_EQ(hvf_select_base(&s, "crash,tlb-flush", err, sizeof(err)), 0);
	resolve(&s, b);
	CHECK_EQ(b[HVF_PRIVILEGES], 0);
	CHECK_EQ(b[HVF_FEATURES], 1ULL << 10);
	CHECK_EQ(b[HVF_RECOMMENDATIONS], (1ULL << 1) | (1ULL << 2));

	/* a bad list changes nothing */
	CHECK_EQ(hvf_select_base(&s, "crash,bogus", err, sizeof(err)),
		 -EINVAL);
	CHECK_EQ(hvf_select_on(&s, "bogus", err, sizeof(err)), -EINVAL);
	CHECK_EQ(hvf_select_off(&s, "bogus", err, sizeof(err)), -EINVAL);
	resolve(&s, b);
	CHECK_EQ(b[HVF_FEATURES], 1ULL << 10);
}

/* An hvpart that lacks a group (an older or newer one than hvctl's). */
static void test_resolve_missing(void)
{
	uint64_t sup[HVF_NR_PROPS] = {
		FAKE_PRIVILEGES | (1ULL << 2),	/* SynIC: no group of ours */
		FAKE_FEATURES & ~(1ULL << 10),	/* no crash MSRs */
		FAKE_RECOMMENDATIONS & ~(1ULL << 4),	/* no reset advice */
	};
	struct hvf_select s;
	uint64_t b[HVF_NR_PROPS];

	/* "all" is what it has, bits hvctl has no name for included */
	hvf_select_init(&s);
	CHECK_EQ(hvf_resolve(&s, sup, b, err, sizeof(err)), 0);
	CHECK_EQ(b[HVF_PRIVILEGES], sup[HVF_PRIVILEGES]);
	CHECK_EQ(b[HVF_FEATURES], sup[HVF_FEATURES]);
	CHECK_EQ(hvf_select_off(&s, "time", err, sizeof(err)), 0);
	CHECK_EQ(hvf_resolve(&s, sup, b, err, sizeof(err)), 0);
	CHECK_EQ(b[HVF_PRIVILEGES], sup[HVF_PRIVILEGES] & ~(1ULL << 1));

	/* asking for what it lacks is an error that names it */
	CHECK_EQ(hvf_select_on(&s, "crash", err, sizeof(err)), 0);
	CHECK_EQ(hvf_resolve(&s, sup, b, err, sizeof(err)), -EOPNOTSUPP);
	CHECK(strstr(err, "does not implement Hyper-V group crash (features 0x400)"));
	CHECK(strstr(err, "hvctl caps"));

	hvf_select_init(&s);
	CHECK_EQ(hvf_select_base(&s, "time,reset", err, sizeof(err)), 0);
	CHECK_EQ(hvf_resolve(&s, sup, b, err, sizeof(err)), -EOPNOTSUPP);
	CHECK(strstr(err, "reset (recommendations 0x10)"));
	CHECK(!strstr(err, "time"));

	/* --hv none never needs anything */
	CHECK_EQ(hvf_select_base(&s, "none", err, sizeof(err)), 0);
	memset(sup, 0, sizeof(sup));
	CHECK_EQ(hvf_resolve(&s, sup, b, err, sizeof(err)), 0);
}

static void test_needs(void)
{
	uint64_t b[HVF_NR_PROPS];
	uint32_t present;

	bits_of("tsc-page,tlb-flush,vpindex", b);
	present = hvf_groups_present(b);
	CHECK_EQ(hvf_unmet_needs(group("tsc-page"), present),
		 1u << group("time"));
	CHECK_EQ(hvf_unmet_needs(group("tlb-flush"), present),
		 1u << group("hypercall"));
	CHECK_EQ(hvf_unmet_needs(group("vpindex"), present), 0);
	CHECK_EQ(hvf_unmet_needs(99, present), 0);
	bits_of("hypercall", b);
	present = hvf_groups_present(b);
	CHECK_EQ(hvf_unmet_needs(group("xmm-input"), present), 0);
	CHECK_EQ(hvf_unmet_needs(group("ex-processor-masks"), present),
		 1u << group("vpindex"));
}

static void test_names(void)
{
	static const char priv[] =
		"hypercall vpindex runtime time tsc-page frequencies reset idle ext-hypercalls";
	char buf[512];
	size_t n;

	hvf_describe(HVF_PRIVILEGES, FAKE_PRIVILEGES, buf, sizeof(buf));
	CHECK(!strcmp(buf, priv));
	hvf_describe(HVF_FEATURES, FAKE_FEATURES, buf, sizeof(buf));
	CHECK(!strcmp(buf, "frequencies idle crash xmm-input xmm-output msr-lock"));
	hvf_describe(HVF_RECOMMENDATIONS, FAKE_RECOMMENDATIONS, buf,
		     sizeof(buf));
	CHECK(!strcmp(buf, "reset tlb-flush ex-processor-masks relaxed-timing"));
	hvf_describe(HVF_RECOMMENDATIONS, 1ULL << 2 | 1ULL << 9, buf,
		     sizeof(buf));
	CHECK(!strcmp(buf, "tlb-flush(part) bit9"));
	hvf_describe(HVF_FEATURES, 0, buf, sizeof(buf));
	CHECK(!strcmp(buf, "none"));

	hvf_group_names(0, ", ", buf, sizeof(buf));
	CHECK(!strcmp(buf, "none"));
	hvf_group_names((1u << group("time")) | (1u << group("hypercall")),
			", ", buf, sizeof(buf));
	CHECK(!strcmp(buf, "hypercall, time"));
	/* truncation is snprintf's */
	n = hvf_group_names(hvf_all_groups(), " ", buf, 10);
	CHECK_EQ(strlen(buf), 9);
	CHECK(n > 100);
}

/* Every group, and nothing more, is in `hvctl help run`. */
static void test_help_lists_groups(void)
{
	char line[256], name[64];
	unsigned int listed = 0, i;
	FILE *f;

	f = popen("./hvctl help run", "r");
	CHECK(f);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "    %63[a-z-] ", name) != 1 ||
		    strncmp(line, "    ", 4) || line[4] == ' ')
			continue;
		if (group(name) >= 0)
			listed |= 1u << group(name);
		else
			printf("#   not a group: %s", line);
	}
	CHECK_EQ(pclose(f), 0);
	for (i = 0; i < hvf_nr_groups; i++)
		if (!(listed & (1u << i)))
			printf("#   missing from the help: %s\n",
			       hvf_groups[i].name);
	CHECK_EQ(listed, hvf_all_groups());
}

/* ---- the worker sets the properties ----------------------------------- */

static struct worker w;

static int setup_with(const struct hvf_select *hv)
{
	struct worker_config cfg = {
		.ram_size = 1 << 20,
		.nr_vps = 1,
		.hv = hv,
		.in_fd = -1,
		.out_fd = -1,
	};
	int ret;

	worker_destroy(&w);
	worker_init(&w);
	ret = worker_setup(&w, &cfg);
	worker_destroy(&w);
	return ret;
}

static void test_worker_default(void)
{
	struct hvf_select s;

	unsigned int i;

	hvf_select_init(&s);
	for (i = 0; i < 2; i++) {
		fake_reset();
		CHECK_EQ(setup_with(i ? &s : NULL), 0);
		/* a new partition keeps what hvpart gives it */
		CHECK_EQ(fake.prop_sets[HVPART_PROP_PRIVILEGE_MASK], 0);
		CHECK_EQ(fake.prop_sets[HVPART_PROP_FEATURES], 0);
		CHECK_EQ(fake.prop_sets[HVPART_PROP_RECOMMENDATIONS], 0);
		CHECK_EQ(fake.prop_sets[HVPART_PROP_SPIN_RETRY], 0);
		CHECK_EQ(fake.prop_sets[HVPART_PROP_MAX_VPS], 1);
	}

	/* an old hvpart without the properties is fine then */
	fake_reset();
	fake.prop_err[HVPART_PROP_SUPPORTED_PRIVILEGES] = EINVAL;
	CHECK_EQ(setup_with(&s), 0);
}

static void test_worker_sets(void)
{
	struct hvf_select s;

	fake_reset();
	hvf_select_init(&s);
	CHECK_EQ(hvf_select_base(&s, "none", err, sizeof(err)), 0);
	CHECK_EQ(hvf_select_on(&s, "hypercall,crash,relaxed-timing", err,
			       sizeof(err)), 0);
	s.spin_retry_set = true;
	s.spin_retry = 4096;
	CHECK_EQ(setup_with(&s), 0);
	CHECK_EQ(fake.props[HVPART_PROP_PRIVILEGE_MASK], 1ULL << 5);
	CHECK_EQ(fake.props[HVPART_PROP_FEATURES], 1ULL << 10);
	CHECK_EQ(fake.props[HVPART_PROP_RECOMMENDATIONS], 1ULL << 5);
	CHECK_EQ(fake.props[HVPART_PROP_SPIN_RETRY], 4096);

	/* --hv-spin-retry alone touches nothing else */
	fake_reset();
	hvf_select_init(&s);
	s.spin_retry_set = true;
	s.spin_retry = 0;
	CHECK_EQ(setup_with(&s), 0);
	CHECK_EQ(fake.props[HVPART_PROP_SPIN_RETRY], 0);
	CHECK_EQ(fake.prop_sets[HVPART_PROP_PRIVILEGE_MASK], 0);

	/* --hv all sets everything hvpart supports */
	fake_reset();
	fake.props[HVPART_PROP_PRIVILEGE_MASK] = 0;
	CHECK_EQ(hvf_select_base(&s, "all", err, sizeof(err)), 0);
	CHECK_EQ(setup_with(&s), 0);
	CHECK_EQ(fake.props[HVPART_PROP_PRIVILEGE_MASK], FAKE_PRIVILEGES);
}

static void test_worker_refuses(void)
{
	struct hvf_select s;

	/* the module lacks a group asked for: setup fails, nothing set */
	fake_reset();
	fake.props[HVPART_PROP_SUPPORTED_FEATURES] &= ~(1ULL << 10);
	hvf_select_init(&s);
	CHECK_EQ(hvf_select_on(&s, "crash", err, sizeof(err)), 0);
	CHECK_EQ(setup_with(&s), -EOPNOTSUPP);
	CHECK_EQ(fake.prop_sets[HVPART_PROP_PRIVILEGE_MASK], 0);
	CHECK_EQ(fake.prop_sets[HVPART_PROP_FEATURES], 0);
	CHECK_EQ(fake.nr_vps, 0);

	/* an old hvpart cannot say what it supports */
	fake_reset();
	fake.prop_err[HVPART_PROP_SUPPORTED_RECOMMENDATIONS] = EINVAL;
	CHECK_EQ(setup_with(&s), -EINVAL);

	/* the SET fails */
	fake_reset();
	fake.prop_err[HVPART_PROP_FEATURES] = EINVAL;
	CHECK_EQ(setup_with(&s), -EINVAL);
	fake_reset();
	fake.prop_err[HVPART_PROP_SPIN_RETRY] = EINVAL;
	hvf_select_init(&s);
	s.spin_retry_set = true;
	CHECK_EQ(setup_with(&s), -EINVAL);
}

int main(void)
{
	setenv("HVPART_DEVICE", "/dev/null", 1);
	worker_init(&w);
	TEST(test_group_bits);
	TEST(test_groups_cover_hvpart);
	TEST(test_parse_groups);
	TEST(test_select);
	TEST(test_resolve_missing);
	TEST(test_needs);
	TEST(test_names);
	TEST(test_help_lists_groups);
	TEST(test_worker_default);
	TEST(test_worker_sets);
	TEST(test_worker_refuses);
	return test_done();
}
