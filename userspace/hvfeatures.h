/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: the Hyper-V feature set of a partition, in groups.
 *
 * A partition's TLFS interface is three properties: its privilege mask,
 * its feature flags and its implementation recommendations (the guest's
 * CPUID 0x40000003 EBX:EAX, 0x40000003 EDX and 0x40000004 EAX).  hvctl
 * names what a guest can use in groups, each a set of bits of those
 * properties ("hypercall", "tsc-page", ...), in the spirit of QEMU's
 * -cpu hv-* flags.  Nothing here talks to hvpart or prints.
 */
#ifndef HVCTL_HVFEATURES_H
#define HVCTL_HVFEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The three properties, in this order in every bits[] array. */
enum {
	HVF_PRIVILEGES,
	HVF_FEATURES,
	HVF_RECOMMENDATIONS,
	HVF_NR_PROPS,
};

/**
 * struct hvf_group - one group of Hyper-V bits
 * @name: what --hv-on and --hv-off take (listed in cmd_run_help too)
 * @bits: its bits of each property (HVF_PRIVILEGES, ...)
 * @needs: groups a guest cannot use it without (bit i: hvf_groups[i])
 */
struct hvf_group {
	const char *name;
	uint64_t bits[HVF_NR_PROPS];
	uint32_t needs;
};

extern const struct hvf_group hvf_groups[];
extern const unsigned int hvf_nr_groups;

/* HVPART_PROP_* of each property, and of what hvpart supports of it. */
extern const uint32_t hvf_prop_code[HVF_NR_PROPS];
extern const uint32_t hvf_supported_code[HVF_NR_PROPS];
extern const char *const hvf_prop_name[HVF_NR_PROPS];

/**
 * struct hvf_select - what the --hv options asked for
 * @given: some --hv, --hv-on or --hv-off option was given; without one the
 *	partition keeps what hvpart gives a new partition (everything)
 * @all: start from everything hvpart supports (--hv all), else from
 *	nothing (--hv none, --hv LIST)
 * @on: groups turned on (--hv-on, --hv LIST)
 * @off: groups turned off (--hv-off)
 * @spin_retry_set: --hv-spin-retry was given
 * @spin_retry: its value
 *
 * Options apply left to right: --hv resets @on and @off, --hv-on takes a
 * group out of @off and --hv-off out of @on.
 */
struct hvf_select {
	bool given;
	bool all;
	uint32_t on;
	uint32_t off;
	bool spin_retry_set;
	uint32_t spin_retry;
};

void hvf_select_init(struct hvf_select *s);
int hvf_select_base(struct hvf_select *s, const char *arg, char *err,
		    size_t errlen);
int hvf_select_on(struct hvf_select *s, const char *list, char *err,
		  size_t errlen);
int hvf_select_off(struct hvf_select *s, const char *list, char *err,
		   size_t errlen);

int hvf_parse_groups(const char *list, uint32_t *groups, char *err,
		     size_t errlen);
uint32_t hvf_all_groups(void);
void hvf_group_bits(uint32_t groups, uint64_t bits[HVF_NR_PROPS]);
uint32_t hvf_groups_present(const uint64_t bits[HVF_NR_PROPS]);
int hvf_resolve(const struct hvf_select *s,
		const uint64_t supported[HVF_NR_PROPS],
		uint64_t out[HVF_NR_PROPS], char *err, size_t errlen);
uint32_t hvf_unmet_needs(uint32_t group_index, uint32_t present);
uint32_t hvf_unmet_groups(const struct hvf_select *s,
			  const uint64_t bits[HVF_NR_PROPS]);

size_t hvf_group_names(uint32_t groups, const char *sep, char *buf,
		       size_t len);
size_t hvf_describe(unsigned int prop, uint64_t bits, char *buf, size_t len);

#endif /* HVCTL_HVFEATURES_H */
