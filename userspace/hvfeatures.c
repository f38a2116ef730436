// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the Hyper-V feature groups (see hvfeatures.h) and the --hv
 * options that pick them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hvfeatures.h"
#include "libhvpart.h"
#include "tlfs.h"
#include "util.h"

/* Indices into hvf_groups[], for the needs masks. */
enum {
	G_HYPERCALL,
	G_VPINDEX,
	G_RUNTIME,
	G_TIME,
	G_TSC_PAGE,
	G_FREQUENCIES,
	G_RESET,
	G_IDLE,
	G_CRASH,
	G_XMM_INPUT,
	G_XMM_OUTPUT,
	G_MSR_LOCK,
	G_EXT_HYPERCALLS,
	G_TLB_FLUSH,
	G_EX_PROCESSOR_MASKS,
	G_RELAXED_TIMING,
	G_SYNIC,
	G_STIMER,
	G_STIMER_DIRECT,
	G_MESSAGES,
	G_APIC,
	G_IPI,
	G_START_VP,
	G_COUNT,
};

#define G(x)	(1u << (x))

#define PRIV(p)		{ (p), 0, 0 }
#define FEAT(f)		{ 0, (f), 0 }
#define REC(r)		{ 0, 0, (r) }

/* Keep in step with cmd_run_help and README.md. */
const struct hvf_group hvf_groups[] = {
	[G_HYPERCALL] = { "hypercall", PRIV(HV_MSR_HYPERCALL_AVAILABLE), 0 },
	[G_VPINDEX] = { "vpindex", PRIV(HV_MSR_VP_INDEX_AVAILABLE), 0 },
	[G_RUNTIME] = { "runtime", PRIV(HV_MSR_VP_RUNTIME_AVAILABLE), 0 },
	[G_TIME] = { "time", PRIV(HV_MSR_TIME_REF_COUNT_AVAILABLE), 0 },
	[G_TSC_PAGE] = { "tsc-page", PRIV(HV_MSR_REFERENCE_TSC_AVAILABLE),
			 G(G_TIME) },
	[G_FREQUENCIES] = { "frequencies",
			    { HV_ACCESS_FREQUENCY_MSRS,
			      HV_FEATURE_FREQUENCY_MSRS_AVAILABLE, 0 }, 0 },
	[G_RESET] = { "reset",
		      { HV_MSR_RESET_AVAILABLE, 0,
			HV_X64_SYSTEM_RESET_RECOMMENDED }, 0 },
	[G_IDLE] = { "idle",
		     { HV_MSR_GUEST_IDLE_AVAILABLE,
		       HV_X64_GUEST_IDLE_STATE_AVAILABLE, 0 }, 0 },
	[G_CRASH] = { "crash", FEAT(HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE), 0 },
	[G_XMM_INPUT] = { "xmm-input",
			  FEAT(HV_X64_HYPERCALL_XMM_INPUT_AVAILABLE),
			  G(G_HYPERCALL) },
	[G_XMM_OUTPUT] = { "xmm-output",
			   FEAT(HV_X64_HYPERCALL_XMM_OUTPUT_AVAILABLE),
			   G(G_HYPERCALL) },
	[G_MSR_LOCK] = { "msr-lock",
			 FEAT(HV_FEATURE_HYPERCALL_MSR_LOCK_AVAILABLE),
			 G(G_HYPERCALL) },
	[G_EXT_HYPERCALLS] = { "ext-hypercalls",
			       PRIV(HV_ENABLE_EXTENDED_HYPERCALLS),
			       G(G_HYPERCALL) },
	[G_TLB_FLUSH] = { "tlb-flush",
			  REC(HV_X64_LOCAL_TLB_FLUSH_RECOMMENDED |
			      HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED),
			  G(G_HYPERCALL) | G(G_VPINDEX) },
	[G_EX_PROCESSOR_MASKS] = { "ex-processor-masks",
				   REC(HV_X64_EX_PROCESSOR_MASKS_RECOMMENDED),
				   G(G_HYPERCALL) | G(G_VPINDEX) },
	[G_RELAXED_TIMING] = { "relaxed-timing",
			       REC(HV_X64_RELAXED_TIMING_RECOMMENDED), 0 },
	/* hvpart has these in LOCAL_APIC partitions only */
	[G_SYNIC] = { "synic", PRIV(HV_MSR_SYNIC_AVAILABLE), 0 },
	[G_STIMER] = { "stimer", PRIV(HV_MSR_SYNTIMER_AVAILABLE),
		       G(G_SYNIC) | G(G_TIME) },
	[G_STIMER_DIRECT] = { "stimer-direct",
			      FEAT(HV_STIMER_DIRECT_MODE_AVAILABLE),
			      G(G_STIMER) },
	[G_MESSAGES] = { "messages",
			 PRIV(HV_POST_MESSAGES | HV_SIGNAL_EVENTS),
			 G(G_HYPERCALL) | G(G_SYNIC) },
	[G_APIC] = { "apic",
		     { HV_MSR_APIC_ACCESS_AVAILABLE, 0,
		       HV_X64_APIC_ACCESS_RECOMMENDED }, 0 },
	[G_IPI] = { "ipi", REC(HV_X64_CLUSTER_IPI_RECOMMENDED),
		    G(G_HYPERCALL) | G(G_VPINDEX) },
	[G_START_VP] = { "start-vp", PRIV(HV_START_VIRTUAL_PROCESSOR),
			 G(G_HYPERCALL) | G(G_VPINDEX) },
};

const unsigned int hvf_nr_groups = G_COUNT;

_Static_assert(ARRAY_SIZE(hvf_groups) == G_COUNT,
	       "a name for every group");
_Static_assert(G_COUNT <= 32, "groups fit a uint32_t");

const uint32_t hvf_prop_code[HVF_NR_PROPS] = {
	HVPART_PROP_PRIVILEGE_MASK,
	HVPART_PROP_FEATURES,
	HVPART_PROP_RECOMMENDATIONS,
};

const uint32_t hvf_supported_code[HVF_NR_PROPS] = {
	HVPART_PROP_SUPPORTED_PRIVILEGES,
	HVPART_PROP_SUPPORTED_FEATURES,
	HVPART_PROP_SUPPORTED_RECOMMENDATIONS,
};

const char *const hvf_prop_name[HVF_NR_PROPS] = {
	"privileges", "features", "recommendations",
};

#define ALL_GROUPS	((uint32_t)((1ull << G_COUNT) - 1))

void hvf_select_init(struct hvf_select *s)
{
	memset(s, 0, sizeof(*s));
	s->all = true;
	s->spin_retry = 0xffffffff;
}

/* Appends to @buf as snprintf does: the return value may exceed @len. */
static size_t append(char *buf, size_t len, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t append(char *buf, size_t len, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(pos < len ? buf + pos : NULL, pos < len ? len - pos : 0,
		      fmt, ap);
	va_end(ap);
	return pos + (n > 0 ? n : 0);
}

/* "a, b, c" or "none"; returns the length it needs, as snprintf. */
size_t hvf_group_names(uint32_t groups, const char *sep, char *buf,
		       size_t len)
{
	size_t pos = 0;
	unsigned int i;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < G_COUNT; i++) {
		if (!(groups & G(i)))
			continue;
		pos = append(buf, len, pos, "%s%s", pos ? sep : "",
			     hvf_groups[i].name);
	}
	if (!pos)
		pos = append(buf, len, pos, "none");
	return pos;
}

static int find_group(const char *name, size_t n)
{
	unsigned int i;

	for (i = 0; i < G_COUNT; i++)
		if (strlen(hvf_groups[i].name) == n &&
		    !strncmp(hvf_groups[i].name, name, n))
			return i;
	return -1;
}

/*
 * Parses "GROUP[,GROUP...]" into a mask of groups.  Returns 0, or
 * -EINVAL with the reason in @err.
 */
int hvf_parse_groups(const char *list, uint32_t *groups, char *err,
		     size_t errlen)
{
	const char *p = list, *end;
	char names[512];
	uint32_t mask = 0;
	size_t n;
	int g;

	for (;;) {
		end = strchrnul(p, ',');
		n = end - p;
		g = find_group(p, n);
		if (g < 0) {
			hvf_group_names(ALL_GROUPS, ", ", names, sizeof(names));
			if (!n)
				snprintf(err, errlen,
					 "empty Hyper-V group name in '%s'",
					 list);
			else if ((n == 3 && !strncmp(p, "all", 3)) ||
				 (n == 4 && !strncmp(p, "none", 4)))
				snprintf(err, errlen,
					 "'%.*s' is not a group: it goes with --hv alone",
					 (int)n, p);
			else
				snprintf(err, errlen,
					 "unknown Hyper-V group '%.*s' (groups: %s)",
					 (int)n, p, names);
			return -EINVAL;
		}
		mask |= G(g);
		if (!*end)
			break;
		p = end + 1;
	}
	*groups = mask;
	return 0;
}

/* --hv all | none | GROUP[,GROUP...] */
int hvf_select_base(struct hvf_select *s, const char *arg, char *err,
		    size_t errlen)
{
	uint32_t groups = 0;
	int ret;

	if (!strcmp(arg, "all")) {
		s->all = true;
	} else if (!strcmp(arg, "none")) {
		s->all = false;
	} else {
		ret = hvf_parse_groups(arg, &groups, err, errlen);
		if (ret)
			return ret;
		s->all = false;
	}
	s->given = true;
	s->on = groups;
	s->off = 0;
	return 0;
}

int hvf_select_on(struct hvf_select *s, const char *list, char *err,
		  size_t errlen)
{
	uint32_t groups;
	int ret;

	ret = hvf_parse_groups(list, &groups, err, errlen);
	if (ret)
		return ret;
	s->given = true;
	s->on |= groups;
	s->off &= ~groups;
	return 0;
}

int hvf_select_off(struct hvf_select *s, const char *list, char *err,
		   size_t errlen)
{
	uint32_t groups;
	int ret;

	ret = hvf_parse_groups(list, &groups, err, errlen);
	if (ret)
		return ret;
	s->given = true;
	s->off |= groups;
	s->on &= ~groups;
	return 0;
}

uint32_t hvf_all_groups(void)
{
	return ALL_GROUPS;
}

/* The bits of every group in @groups. */
void hvf_group_bits(uint32_t groups, uint64_t bits[HVF_NR_PROPS])
{
	unsigned int i, p;

	memset(bits, 0, HVF_NR_PROPS * sizeof(bits[0]));
	for (i = 0; i < G_COUNT; i++)
		if (groups & G(i))
			for (p = 0; p < HVF_NR_PROPS; p++)
				bits[p] |= hvf_groups[i].bits[p];
}

/* The groups all of whose bits are in @bits. */
uint32_t hvf_groups_present(const uint64_t bits[HVF_NR_PROPS])
{
	uint32_t groups = 0;
	unsigned int i, p;

	for (i = 0; i < G_COUNT; i++) {
		for (p = 0; p < HVF_NR_PROPS; p++)
			if (hvf_groups[i].bits[p] & ~bits[p])
				break;
		if (p == HVF_NR_PROPS)
			groups |= G(i);
	}
	return groups;
}

/* The groups that group @group_index needs and @present lacks. */
uint32_t hvf_unmet_needs(uint32_t group_index, uint32_t present)
{
	if (group_index >= G_COUNT)
		return 0;
	return hvf_groups[group_index].needs & ~present;
}

/*
 * The groups of @bits, what @s resolved to, that lack a group they need
 * because of @s: turned on without it, or left on with it turned off
 * (--hv-off synic leaves stimer and messages without the SynIC).  A
 * group that only "all" gave, its needs unmet by hvpart itself, is no
 * choice of the user's and not counted.
 */
uint32_t hvf_unmet_groups(const struct hvf_select *s,
			  const uint64_t bits[HVF_NR_PROPS])
{
	uint32_t present = hvf_groups_present(bits), groups = 0, unmet;
	unsigned int i;

	for (i = 0; i < G_COUNT; i++) {
		if (!(present & G(i)))
			continue;
		unmet = hvf_unmet_needs(i, present);
		if ((s->on & G(i)) ? unmet : unmet & s->off)
			groups |= G(i);
	}
	return groups;
}

/*
 * The three property values @s asks for, given what hvpart @supported.
 * "all" is everything hvpart supports, bits hvctl has no group for
 * included.  A group turned on that hvpart lacks fails with -EOPNOTSUPP
 * and names it in @err; one that only "all" would have given is left out.
 */
int hvf_resolve(const struct hvf_select *s,
		const uint64_t supported[HVF_NR_PROPS],
		uint64_t out[HVF_NR_PROPS], char *err, size_t errlen)
{
	uint64_t on[HVF_NR_PROPS], off[HVF_NR_PROPS], lack;
	char missing[512];
	size_t pos = 0;
	unsigned int i, p;

	hvf_group_bits(s->on, on);
	hvf_group_bits(s->off, off);
	for (p = 0; p < HVF_NR_PROPS; p++)
		out[p] = ((s->all ? supported[p] : 0) & ~off[p]) | on[p];

	for (i = 0; i < G_COUNT; i++) {
		if (!(s->on & G(i)))
			continue;
		for (p = 0; p < HVF_NR_PROPS; p++) {
			lack = hvf_groups[i].bits[p] & ~supported[p];
			if (lack)
				pos = append(missing, sizeof(missing), pos,
					     "%s%s (%s 0x%llx)",
					     pos ? ", " : "",
					     hvf_groups[i].name,
					     hvf_prop_name[p],
					     (unsigned long long)lack);
		}
	}
	if (!pos)
		return 0;
	snprintf(err, errlen,
		 "the loaded hvpart does not implement Hyper-V group %s; 'hvctl caps' lists what it has",
		 missing);
	return -EOPNOTSUPP;
}

/*
 * The groups with bits in @bits of property @prop, in table order, then
 * any bit no group has as "bitN"; "none" if @bits is 0.  Returns the
 * length it needs, as snprintf.
 */
size_t hvf_describe(unsigned int prop, uint64_t bits, char *buf, size_t len)
{
	uint64_t left = bits;
	size_t pos = 0;
	unsigned int i;

	if (len)
		buf[0] = '\0';
	if (prop >= HVF_NR_PROPS)
		return 0;
	for (i = 0; i < G_COUNT; i++) {
		uint64_t b = hvf_groups[i].bits[prop];

		if (!(bits & b))
			continue;
		pos = append(buf, len, pos, "%s%s%s", pos ? " " : "",
			     hvf_groups[i].name,
			     (bits & b) != b ? "(part)" : "");
		left &= ~b;
	}
	for (i = 0; i < 64; i++)
		if (left & (1ull << i))
			pos = append(buf, len, pos, "%sbit%u", pos ? " " : "",
				     i);
	if (!pos)
		pos = append(buf, len, pos, "none");
	return pos;
}
