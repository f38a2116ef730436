// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl caps: what the loaded hvpart offers.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hvctl.h"
#include "hvfeatures.h"
#include "libhvpart.h"
#include "util.h"

const char cmd_caps_help[] =
"Prints the hvpart API version, the vendor backend (svm or vmx) and every\n"
"capability HVPART_CHECK_EXTENSION reports, one per line.  Then, from a\n"
"scratch partition (with the local APIC if hvpart has it, as hvctl run\n"
"makes its own), the Hyper-V interface hvpart can give a guest:\n"
"  hv-privileges       HVPART_PROP_SUPPORTED_PRIVILEGES (CPUID 0x40000003\n"
"                      EBX:EAX), with the groups of 'hvctl run --hv-on' it\n"
"                      holds bits of\n"
"  hv-features         HVPART_PROP_SUPPORTED_FEATURES (0x40000003 EDX)\n"
"  hv-recommendations  HVPART_PROP_SUPPORTED_RECOMMENDATIONS (0x40000004 EAX)\n"
"  hv-spin-retry       a new partition's spin retry count (0x40000004 EBX)\n"
"  hv-groups           the groups hvpart supports in full\n"
"  hv-missing          the groups it lacks bits of, if any\n"
"A group that holds only some of its bits in one property shows as\n"
"NAME(part); a bit of no group as bitN.\n"
"Last, the CPUID leaves a guest sees by default (HVPART_GET_SUPPORTED_CPUID:\n"
"the host's values of what hvpart virtualizes), one per line:\n"
"  cpuid LEAF[.SUBLEAF]  EAX EBX ECX EDX\n";

enum cap_kind {
	CAP_BOOL,
	CAP_NUMBER,
	CAP_VENDOR,
};

static const struct {
	unsigned int cap;
	const char *name;
	enum cap_kind kind;
	const char *what;
} caps[] = {
	{ HVPART_CAP_VENDOR, "vendor", CAP_VENDOR, "virtualization backend" },
	{ HVPART_CAP_MAX_VPS, "max-vps", CAP_NUMBER, "VPs per partition" },
	{ HVPART_CAP_MAX_GPA_BITS, "max-gpa-bits", CAP_NUMBER,
	  "guest physical address bits" },
	{ HVPART_CAP_MAX_MAPPINGS, "max-mappings", CAP_NUMBER,
	  "GPA ranges per partition" },
	{ HVPART_CAP_IO_INTERCEPT, "io-intercept", CAP_BOOL,
	  "I/O port intercepts" },
	{ HVPART_CAP_CPUID_INTERCEPT, "cpuid-intercept", CAP_BOOL,
	  "CPUID leaf intercepts" },
	{ HVPART_CAP_MSR_INTERCEPT, "msr-intercept", CAP_BOOL,
	  "MSR intercepts" },
	{ HVPART_CAP_HYPERCALL_INTERCEPT, "hypercall-intercept", CAP_BOOL,
	  "hypercall intercepts by call code" },
	{ HVPART_CAP_RUN_COMPLETION, "run-completion", CAP_BOOL,
	  "intercept completion through the run page" },
	{ HVPART_CAP_TRANSLATE_GVA, "translate-gva", CAP_BOOL,
	  "HVPART_TRANSLATE_GVA" },
	{ HVPART_CAP_LOCAL_APIC, "local-apic", CAP_BOOL,
	  "local APICs in hvpart, HVPART_ASSERT_INTERRUPT (hvctl run --vps N)" },
	{ HVPART_CAP_SYNIC, "synic", CAP_BOOL,
	  "SynIC, synthetic timers, ports and connections" },
	{ HVPART_CAP_VP_SYNIC_PAGES, "vp-synic-pages", CAP_BOOL,
	  "the SIM and SIEF pages in the VP fd's mmap()" },
	{ HVPART_CAP_MONITOR, "monitor", CAP_BOOL,
	  "monitor ports (the TLFS MNF), ports to any VP" },
};

#define CAPS_NAME_WIDTH	20

/*
 * The Hyper-V interface a new partition can have, from a scratch one made
 * as hvctl run makes its own: with the local APIC where hvpart has it,
 * since only such a partition supports the SynIC and APIC groups.
 */
static void print_hyperv(int fd)
{
	uint64_t bits[HVF_NR_PROPS], spin;
	char name[32], desc[512];
	uint32_t present;
	unsigned int p;
	int pt_fd, ret, failed = 0;
	uint64_t flags = 0;

	if (hvp_check_extension(fd, HVPART_CAP_LOCAL_APIC) == 1)
		flags = HVPART_CREATE_PARTITION_LOCAL_APIC;
	pt_fd = hvp_create_partition(fd, flags);
	if (pt_fd < 0) {
		printf("%-*s error: HVPART_CREATE_PARTITION: %s\n",
		       CAPS_NAME_WIDTH, "hv-privileges", strerror(-pt_fd));
		return;
	}
	for (p = 0; p < HVF_NR_PROPS; p++) {
		snprintf(name, sizeof(name), "hv-%s", hvf_prop_name[p]);
		ret = hvp_get_partition_property(pt_fd, hvf_supported_code[p],
						 &bits[p]);
		if (ret) {
			printf("%-*s error: %s\n", CAPS_NAME_WIDTH, name,
			       strerror(-ret));
			failed = 1;
			continue;
		}
		hvf_describe(p, bits[p], desc, sizeof(desc));
		printf("%-*s 0x%016llx %s\n", CAPS_NAME_WIDTH, name,
		       (unsigned long long)bits[p], desc);
	}
	ret = hvp_get_partition_property(pt_fd, HVPART_PROP_SPIN_RETRY, &spin);
	if (ret)
		printf("%-*s error: %s\n", CAPS_NAME_WIDTH, "hv-spin-retry",
		       strerror(-ret));
	else
		printf("%-*s 0x%llx\n", CAPS_NAME_WIDTH, "hv-spin-retry",
		       (unsigned long long)spin);
	close(pt_fd);
	if (failed)
		return;

	present = hvf_groups_present(bits);
	hvf_group_names(present, " ", desc, sizeof(desc));
	printf("%-*s %s\n", CAPS_NAME_WIDTH, "hv-groups", desc);
	if (present == hvf_all_groups())
		return;
	hvf_group_names(hvf_all_groups() & ~present, " ", desc, sizeof(desc));
	printf("%-*s %s\n", CAPS_NAME_WIDTH, "hv-missing", desc);
}

/* The leaves HVPART_GET_SUPPORTED_CPUID lists, if the kernel has it. */
static void print_cpuid(int fd)
{
	struct hvpart_cpuid_entry e[HVPART_MAX_CPUID_ENTRIES];
	uint32_t i, n = HVPART_MAX_CPUID_ENTRIES;
	char leaf[24];
	int ret;

	if (hvp_check_extension(fd, HVPART_CAP_SUPPORTED_CPUID) <= 0)
		return;
	ret = hvp_get_supported_cpuid(fd, e, &n);
	if (ret) {
		printf("%-*s error: %s\n", CAPS_NAME_WIDTH, "cpuid",
		       strerror(-ret));
		return;
	}
	for (i = 0; i < n; i++) {
		if (e[i].flags & HVPART_CPUID_FLAG_SIGNIFICANT_INDEX)
			snprintf(leaf, sizeof(leaf), "0x%x.%u", e[i].function,
				 e[i].index);
		else
			snprintf(leaf, sizeof(leaf), "0x%x", e[i].function);
		printf("cpuid %-12s 0x%08x 0x%08x 0x%08x 0x%08x\n", leaf,
		       e[i].eax, e[i].ebx, e[i].ecx, e[i].edx);
	}
}

int cmd_caps(const struct hvctl_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int i;
	int fd, v, c;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			hvctl_cmd_help(cmd);
			return HVCTL_EXIT_OK;
		default:
			hvctl_cmd_usage(cmd);
			return HVCTL_EXIT_SETUP;
		}
	}
	if (optind != argc) {
		hvctl_err("caps takes no arguments");
		hvctl_cmd_usage(cmd);
		return HVCTL_EXIT_SETUP;
	}

	fd = hvctl_open_device();
	if (fd < 0)
		return HVCTL_EXIT_SETUP;

	printf("%-*s %d\n", CAPS_NAME_WIDTH, "api-version",
	       hvp_get_api_version(fd));
	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		v = hvp_check_extension(fd, caps[i].cap);
		if (v < 0) {
			printf("%-*s error: %s\n", CAPS_NAME_WIDTH,
			       caps[i].name, strerror(-v));
			continue;
		}
		switch (caps[i].kind) {
		case CAP_VENDOR:
			printf("%-*s %s\n", CAPS_NAME_WIDTH, caps[i].name,
			       hvp_vendor_name(v));
			break;
		case CAP_BOOL:
			printf("%-*s %-6s (%s)\n", CAPS_NAME_WIDTH,
			       caps[i].name, v ? "yes" : "no", caps[i].what);
			break;
		default:
			printf("%-*s %-6d (%s)\n", CAPS_NAME_WIDTH,
			       caps[i].name, v, caps[i].what);
			break;
		}
	}
	v = hvp_get_vp_mmap_size(fd);
	if (v >= 0)
		printf("%-*s %-6d (bytes of a VP's run page mapping)\n",
		       CAPS_NAME_WIDTH, "vp-mmap-size", v);
	print_hyperv(fd);
	print_cpuid(fd);
	close(fd);
	return fflush(stdout) ? HVCTL_EXIT_SETUP : HVCTL_EXIT_OK;
}
