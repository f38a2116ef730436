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

/* ... in a LOCAL_APIC partition */
static const uint64_t hvpart_lapic_supported[HVF_NR_PROPS] = {
	FAKE_PRIVILEGES | FAKE_LAPIC_PRIVILEGES,
	FAKE_FEATURES | FAKE_LAPIC_FEATURES,
	FAKE_RECOMMENDATIONS | FAKE_LAPIC_RECOMMENDATIONS,
};

/* The groups of a LOCAL_APIC partition only */
static const char lapic_groups[] =
	"synic,stimer,stimer-direct,messages,apic,ipi,start-vp";

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
	CHECK_EQ(hvf_nr_groups, 23);
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
	CHECK_BITS("synic", 1ULL << 2, 0, 0);
	CHECK_BITS("stimer", 1ULL << 3, 0, 0);
	CHECK_BITS("stimer-direct", 0, 1ULL << 19, 0);
	CHECK_BITS("messages", (1ULL << 36) | (1ULL << 37), 0, 0);
	CHECK_BITS("apic", 1ULL << 4, 0, 1ULL << 3);
	CHECK_BITS("ipi", 0, 0, 1ULL << 10);
	CHECK_BITS("start-vp", 1ULL << 53, 0, 0);
	CHECK_BITS(lapic_groups, FAKE_LAPIC_PRIVILEGES, FAKE_LAPIC_FEATURES,
		   FAKE_LAPIC_RECOMMENDATIONS);
}

/*
 * No two groups share a bit; together they are all hvpart implements in
 * a LOCAL_APIC partition, and without the local APIC all but the seven
 * of lapic_groups.
 */
static void test_groups_cover_hvpart(void)
{
	uint64_t all[HVF_NR_PROPS] = { 0 };
	uint32_t lapic = 0;
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
		CHECK_EQ(all[p], hvpart_lapic_supported[p]);
	CHECK_EQ(hvf_groups_present(all), hvf_all_groups());
	CHECK_EQ(hvf_all_groups(), 0x7fffff);
	CHECK_EQ(hvf_parse_groups(lapic_groups, &lapic, err, sizeof(err)), 0);
	CHECK_EQ(lapic, 0x7f0000);
	CHECK_EQ(hvf_groups_present(hvpart_supported),
		 hvf_all_groups() & ~lapic);
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

	/* the LOCAL_APIC groups */
	CHECK_EQ(hvf_parse_groups("stimer-direct", &g, err, sizeof(err)), 0);
	CHECK_EQ(g, 1u << group("stimer-direct"));
	CHECK_EQ(hvf_parse_groups("start-vp,ipi,apic", &g, err, sizeof(err)),
		 0);
	CHECK_EQ(g, (1u << group("start-vp")) | (1u << group("ipi")) |
		    (1u << group("apic")));
	CHECK_EQ(hvf_parse_groups("synic,messages,stimer", &g, err,
				  sizeof(err)), 0);
	CHECK_EQ(g, (1u << group("synic")) | (1u << group("messages")) |
		    (1u << group("stimer")));
	CHECK_EQ(hvf_parse_groups("stimer-", &g, err, sizeof(err)), -EINVAL);
	CHECK_EQ(hvf_parse_groups("start_vp", &g, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "unknown Hyper-V group 'start_vp'"));
	CHECK(strstr(err, "relaxed-timing, synic, stimer, stimer-direct, "));
	CHECK(strstr(err, ", stimer-direct, messages, apic, ipi, start-vp)"));
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
		FAKE_PRIVILEGES | (1ULL << 8),	/* stats: no group of ours */
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

/*
 * The LOCAL_APIC groups: "all" has them where hvpart does and behaves as
 * before where it does not; each can be turned off, and turning one on
 * without the local APIC is the error that names it.
 */
static void test_resolve_lapic(void)
{
	struct hvf_select s;
	uint64_t b[HVF_NR_PROPS];
	unsigned int p;

	hvf_select_init(&s);
	CHECK_EQ(hvf_resolve(&s, hvpart_lapic_supported, b, err,
			     sizeof(err)), 0);
	for (p = 0; p < HVF_NR_PROPS; p++)
		CHECK_EQ(b[p], hvpart_lapic_supported[p]);
	CHECK_EQ(hvf_select_base(&s, "all", err, sizeof(err)), 0);
	CHECK_EQ(hvf_resolve(&s, hvpart_supported, b, err, sizeof(err)), 0);
	for (p = 0; p < HVF_NR_PROPS; p++)
		CHECK_EQ(b[p], hvpart_supported[p]);

	/* --hv-off all seven: what hvpart has without the local APIC */
	CHECK_EQ(hvf_select_off(&s, lapic_groups, err, sizeof(err)), 0);
	CHECK_EQ(hvf_resolve(&s, hvpart_lapic_supported, b, err,
			     sizeof(err)), 0);
	for (p = 0; p < HVF_NR_PROPS; p++)
		CHECK_EQ(b[p], hvpart_supported[p]);
	CHECK_EQ(hvf_resolve(&s, hvpart_supported, b, err, sizeof(err)), 0);
	for (p = 0; p < HVF_NR_PROPS; p++)
		CHECK_EQ(b[p], hvpart_supported[p]);

	/* one at a time */
	CHECK_EQ(hvf_select_base(&s, "all", err, sizeof(err)), 0);
	CHECK_EQ(hvf_select_off(&s, "stimer-direct", err, sizeof(err)), 0);
	CHECK_EQ(hvf_resolve(&s, hvpart_lapic_supported, b, err,
			     sizeof(err)), 0);
	CHECK_EQ(b[HVF_PRIVILEGES], hvpart_lapic_supported[HVF_PRIVILEGES]);
	CHECK_EQ(b[HVF_FEATURES], hvpart_lapic_supported[HVF_FEATURES] &
				  ~(1ULL << 19));
	CHECK_EQ(hvf_select_base(&s, "all", err, sizeof(err)), 0);
	CHECK_EQ(hvf_select_off(&s, "apic", err, sizeof(err)), 0);
	CHECK_EQ(hvf_resolve(&s, hvpart_lapic_supported, b, err,
			     sizeof(err)), 0);
	CHECK_EQ(b[HVF_PRIVILEGES], hvpart_lapic_supported[HVF_PRIVILEGES] &
				    ~(1ULL << 4));
	CHECK_EQ(b[HVF_RECOMMENDATIONS],
		 hvpart_lapic_supported[HVF_RECOMMENDATIONS] & ~(1ULL << 3));

	/* --hv none --hv-on messages,start-vp */
	CHECK_EQ(hvf_select_base(&s, "none", err, sizeof(err)), 0);
	CHECK_EQ(hvf_select_on(&s, "messages,start-vp", err, sizeof(err)), 0);
	CHECK_EQ(hvf_resolve(&s, hvpart_lapic_supported, b, err,
			     sizeof(err)), 0);
	CHECK_EQ(b[HVF_PRIVILEGES], (1ULL << 36) | (1ULL << 37) | (1ULL << 53));
	CHECK_EQ(b[HVF_FEATURES] | b[HVF_RECOMMENDATIONS], 0);

	/* without the local APIC: each one turned on is refused, by name */
	CHECK_EQ(hvf_resolve(&s, hvpart_supported, b, err, sizeof(err)),
		 -EOPNOTSUPP);
	CHECK(strstr(err, "group messages (privileges 0x3000000000), start-vp"));
	CHECK(strstr(err, "start-vp (privileges 0x20000000000000);"));
	CHECK_EQ(hvf_select_base(&s, "all", err, sizeof(err)), 0);
	CHECK_EQ(hvf_select_on(&s, "apic", err, sizeof(err)), 0);
	CHECK_EQ(hvf_resolve(&s, hvpart_supported, b, err, sizeof(err)),
		 -EOPNOTSUPP);
	CHECK(strstr(err, "group apic (privileges 0x10), apic (recommendations 0x8);"));
	CHECK_EQ(hvf_select_base(&s, "stimer-direct", err, sizeof(err)), 0);
	CHECK_EQ(hvf_resolve(&s, hvpart_supported, b, err, sizeof(err)),
		 -EOPNOTSUPP);
	CHECK(strstr(err, "group stimer-direct (features 0x80000);"));
	CHECK_EQ(hvf_select_base(&s, "synic,ipi", err, sizeof(err)), 0);
	CHECK_EQ(hvf_resolve(&s, hvpart_supported, b, err, sizeof(err)),
		 -EOPNOTSUPP);
	CHECK(strstr(err, "group synic (privileges 0x4), ipi (recommendations 0x400);"));
	/* ... but turning them off is fine */
	CHECK_EQ(hvf_select_base(&s, "all", err, sizeof(err)), 0);
	CHECK_EQ(hvf_select_off(&s, "synic", err, sizeof(err)), 0);
	CHECK_EQ(hvf_resolve(&s, hvpart_supported, b, err, sizeof(err)), 0);
	CHECK_EQ(b[HVF_PRIVILEGES], FAKE_PRIVILEGES);
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

	bits_of(lapic_groups, b);
	present = hvf_groups_present(b);
	CHECK_EQ(hvf_unmet_needs(group("synic"), present), 0);
	CHECK_EQ(hvf_unmet_needs(group("stimer"), present),
		 1u << group("time"));
	CHECK_EQ(hvf_unmet_needs(group("stimer-direct"), present), 0);
	CHECK_EQ(hvf_unmet_needs(group("messages"), present),
		 1u << group("hypercall"));
	CHECK_EQ(hvf_unmet_needs(group("apic"), present), 0);
	CHECK_EQ(hvf_unmet_needs(group("ipi"), present),
		 (1u << group("hypercall")) | (1u << group("vpindex")));
	CHECK_EQ(hvf_unmet_needs(group("start-vp"), present),
		 (1u << group("hypercall")) | (1u << group("vpindex")));
}

/* The groups @s leaves without what they need, given @supported */
static uint32_t unmet_groups(const struct hvf_select *s,
			     const uint64_t supported[HVF_NR_PROPS])
{
	uint64_t b[HVF_NR_PROPS];

	CHECK_EQ(hvf_resolve(s, supported, b, err, sizeof(err)), 0);
	return hvf_unmet_groups(s, b);
}

#define GROUPS2(a, b)	((1u << group(a)) | (1u << group(b)))

/* Which groups the worker warns about */
static void test_unmet_groups(void)
{
	const uint64_t *sup = hvpart_lapic_supported;
	struct hvf_select s;
	uint64_t odd[HVF_NR_PROPS];
	char buf[256];

	/* --hv all, with or without the local APIC: nothing */
	hvf_select_init(&s);
	CHECK_EQ(unmet_groups(&s, sup), 0);
	CHECK_EQ(unmet_groups(&s, hvpart_supported), 0);

	/* --hv none --hv-on stimer: it needs synic and time */
	CHECK_EQ(hvf_select_base(&s, "none", err, sizeof(err)), 0);
	CHECK_EQ(hvf_select_on(&s, "stimer", err, sizeof(err)), 0);
	CHECK_EQ(unmet_groups(&s, sup), 1u << group("stimer"));
	hvf_group_names(hvf_unmet_needs(group("stimer"),
					1u << group("stimer")),
			", ", buf, sizeof(buf));
	CHECK(!strcmp(buf, "time, synic"));
	CHECK_EQ(hvf_select_on(&s, "synic,time", err, sizeof(err)), 0);
	CHECK_EQ(unmet_groups(&s, sup), 0);
	/* stimer-direct needs stimer, not what stimer needs */
	CHECK_EQ(hvf_select_base(&s, "stimer-direct,stimer", err,
				 sizeof(err)), 0);
	CHECK_EQ(unmet_groups(&s, sup), 1u << group("stimer"));

	/* --hv-off synic: stimer and messages are left without it */
	CHECK_EQ(hvf_select_base(&s, "all", err, sizeof(err)), 0);
	CHECK_EQ(hvf_select_off(&s, "synic", err, sizeof(err)), 0);
	CHECK_EQ(unmet_groups(&s, sup), GROUPS2("stimer", "messages"));
	/* ... not where hvpart had none of them */
	CHECK_EQ(unmet_groups(&s, hvpart_supported), 0);
	/* ... nor when they go too */
	CHECK_EQ(hvf_select_off(&s, "stimer,messages", err, sizeof(err)), 0);
	CHECK_EQ(unmet_groups(&s, sup), 1u << group("stimer-direct"));
	CHECK_EQ(hvf_select_off(&s, "stimer-direct", err, sizeof(err)), 0);
	CHECK_EQ(unmet_groups(&s, sup), 0);
	/* --hv-off vpindex: ipi, start-vp and the older two */
	CHECK_EQ(hvf_select_base(&s, "all", err, sizeof(err)), 0);
	CHECK_EQ(hvf_select_off(&s, "vpindex", err, sizeof(err)), 0);
	CHECK_EQ(unmet_groups(&s, sup),
		 GROUPS2("ipi", "start-vp") |
		 GROUPS2("tlb-flush", "ex-processor-masks"));
	/* a group turned on again is no longer turned off */
	CHECK_EQ(hvf_select_on(&s, "vpindex", err, sizeof(err)), 0);
	CHECK_EQ(unmet_groups(&s, sup), 0);

	/* an hvpart that gives stimer without synic: not the user's doing */
	memcpy(odd, sup, sizeof(odd));
	odd[HVF_PRIVILEGES] &= ~(1ULL << 2);
	hvf_select_init(&s);
	CHECK_EQ(unmet_groups(&s, odd), 0);
	CHECK_EQ(hvf_select_off(&s, "time", err, sizeof(err)), 0);
	CHECK_EQ(unmet_groups(&s, odd), GROUPS2("tsc-page", "stimer"));
	CHECK_EQ(hvf_select_on(&s, "messages", err, sizeof(err)), 0);
	CHECK_EQ(unmet_groups(&s, odd),
		 GROUPS2("tsc-page", "stimer") | (1u << group("messages")));
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

	/* a LOCAL_APIC partition's: the new groups last */
	hvf_describe(HVF_PRIVILEGES, hvpart_lapic_supported[HVF_PRIVILEGES],
		     buf, sizeof(buf));
	CHECK(!strncmp(buf, priv, strlen(priv)));
	CHECK(!strcmp(buf + strlen(priv), " synic stimer messages apic start-vp"));
	hvf_describe(HVF_FEATURES, hvpart_lapic_supported[HVF_FEATURES], buf,
		     sizeof(buf));
	CHECK(!strcmp(buf, "frequencies idle crash xmm-input xmm-output msr-lock stimer-direct"));
	hvf_describe(HVF_RECOMMENDATIONS,
		     hvpart_lapic_supported[HVF_RECOMMENDATIONS], buf,
		     sizeof(buf));
	CHECK(!strcmp(buf, "reset tlb-flush ex-processor-masks relaxed-timing apic ipi"));
	hvf_describe(HVF_PRIVILEGES, 1ULL << 36, buf, sizeof(buf));
	CHECK(!strcmp(buf, "messages(part)"));
	/* what --verbose says as "Hyper-V groups:" */
	hvf_group_names(hvf_groups_present(hvpart_lapic_supported), " ", buf,
			sizeof(buf));
	CHECK(strstr(buf, "hypercall vpindex "));
	CHECK(strstr(buf, " relaxed-timing synic stimer stimer-direct messages apic ipi start-vp"));

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

/* The fake as an hvpart with the local APIC */
static void fake_reset_lapic(void)
{
	unsigned int p;

	fake_reset();
	fake.caps[HVPART_CAP_LOCAL_APIC] = 1;
	for (p = 0; p < HVF_NR_PROPS; p++)
		fake.props[hvf_supported_code[p]] = hvpart_lapic_supported[p];
}

/* A LOCAL_APIC partition: its groups go off one by one, or all at once */
static void test_worker_lapic(void)
{
	struct hvf_select s;

	fake_reset_lapic();
	hvf_select_init(&s);
	CHECK_EQ(hvf_select_off(&s, lapic_groups, err, sizeof(err)), 0);
	CHECK_EQ(setup_with(&s), 0);
	CHECK_EQ(fake.create_flags, HVPART_CREATE_PARTITION_LOCAL_APIC);
	CHECK_EQ(fake.props[HVPART_PROP_PRIVILEGE_MASK], FAKE_PRIVILEGES);
	CHECK_EQ(fake.props[HVPART_PROP_FEATURES], FAKE_FEATURES);
	CHECK_EQ(fake.props[HVPART_PROP_RECOMMENDATIONS],
		 FAKE_RECOMMENDATIONS);

	fake_reset_lapic();
	CHECK_EQ(hvf_select_base(&s, "all", err, sizeof(err)), 0);
	CHECK_EQ(hvf_select_off(&s, "synic", err, sizeof(err)), 0);
	CHECK_EQ(setup_with(&s), 0);
	CHECK_EQ(fake.props[HVPART_PROP_PRIVILEGE_MASK],
		 hvpart_lapic_supported[HVF_PRIVILEGES] & ~(1ULL << 2));
	CHECK_EQ(fake.props[HVPART_PROP_FEATURES],
		 hvpart_lapic_supported[HVF_FEATURES]);

	/* without the local APIC, --hv-on ipi is refused; nothing is set */
	fake_reset();
	CHECK_EQ(hvf_select_on(&s, "ipi", err, sizeof(err)), 0);
	CHECK_EQ(setup_with(&s), -EOPNOTSUPP);
	CHECK_EQ(fake.prop_sets[HVPART_PROP_PRIVILEGE_MASK], 0);
	CHECK_EQ(fake.prop_sets[HVPART_PROP_RECOMMENDATIONS], 0);
	CHECK_EQ(fake.nr_vps, 0);
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
	TEST(test_resolve_lapic);
	TEST(test_needs);
	TEST(test_unmet_groups);
	TEST(test_names);
	TEST(test_help_lists_groups);
	TEST(test_worker_default);
	TEST(test_worker_sets);
	TEST(test_worker_lapic);
	TEST(test_worker_refuses);
	return test_done();
}
