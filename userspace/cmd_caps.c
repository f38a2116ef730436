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
#include "libhvpart.h"
#include "util.h"

const char cmd_caps_help[] =
"Prints the hvpart API version, the vendor backend (svm or vmx) and every\n"
"capability HVPART_CHECK_EXTENSION reports, one per line.\n";

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
	{ HVPART_CAP_RUN_COMPLETION, "run-completion", CAP_BOOL,
	  "intercept completion through the run page" },
	{ HVPART_CAP_TRANSLATE_GVA, "translate-gva", CAP_BOOL,
	  "HVPART_TRANSLATE_GVA" },
};

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

	printf("%-16s %d\n", "api-version", hvp_get_api_version(fd));
	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		v = hvp_check_extension(fd, caps[i].cap);
		if (v < 0) {
			printf("%-16s error: %s\n", caps[i].name,
			       strerror(-v));
			continue;
		}
		switch (caps[i].kind) {
		case CAP_VENDOR:
			printf("%-16s %s\n", caps[i].name,
			       hvp_vendor_name(v));
			break;
		case CAP_BOOL:
			printf("%-16s %-6s (%s)\n", caps[i].name,
			       v ? "yes" : "no", caps[i].what);
			break;
		default:
			printf("%-16s %-6d (%s)\n", caps[i].name, v,
			       caps[i].what);
			break;
		}
	}
	v = hvp_get_vp_mmap_size(fd);
	if (v >= 0)
		printf("%-16s %-6d (bytes of a VP's run page mapping)\n",
		       "vp-mmap-size", v);
	close(fd);
	return fflush(stdout) ? HVCTL_EXIT_SETUP : HVCTL_EXIT_OK;
}
