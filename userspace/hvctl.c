// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: manage hvpart partitions from the root partition.
 *
 * main() only parses the global options and dispatches to a subcommand
 * from the table below; each subcommand parses its own options.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hvctl.h"
#include "libhvpart.h"
#include "util.h"

static const struct hvctl_cmd commands[] = {
	{
		.name = "caps",
		.args = "",
		.summary = "show the API version, vendor and capabilities",
		.help = cmd_caps_help,
		.fn = cmd_caps,
	},
	{
		.name = "run",
		.args = "[--memory SIZE] [--vps N] [--hv all|none|GROUPS]\n"
			"                 [--hv-on GROUPS] [--hv-off GROUPS] [--hv-spin-retry N]\n"
			"                 [--verbose] IMAGE [ARGS...]",
		.summary = "boot IMAGE in a new partition and run it to its end",
		.help = cmd_run_help,
		.fn = cmd_run,
	},
	{
		.name = "create",
		.args = "NAME [run's options] IMAGE [ARGS...]",
		.summary = "store a partition's configuration under NAME",
		.help = cmd_create_help,
		.fn = cmd_create,
	},
	{
		.name = "start",
		.args = "[--attach] NAME",
		.summary = "start NAME in a detached worker process",
		.help = cmd_start_help,
		.fn = cmd_start,
	},
	{
		.name = "list",
		.args = "[--json]",
		.summary = "list the partitions and their state",
		.help = cmd_list_help,
		.fn = cmd_list,
	},
	{
		.name = "console",
		.args = "NAME",
		.summary = "attach to NAME's serial console (Ctrl-] detaches)",
		.help = cmd_console_help,
		.fn = cmd_console,
	},
	{
		.name = "connect",
		.args = "NAME PORT",
		.summary = "connect stdin and stdout to AF_VSOCK PORT in NAME",
		.help = cmd_connect_help,
		.fn = cmd_connect,
	},
	{
		.name = "stats",
		.args = "[--json] NAME",
		.summary = "show NAME's statistics",
		.help = cmd_stats_help,
		.fn = cmd_stats,
	},
	{
		.name = "monitor",
		.args = "[--json] [--count N]",
		.summary = "print hvpart's partition and VP events as they come",
		.help = cmd_monitor_help,
		.fn = cmd_monitor,
	},
	{
		.name = "stop",
		.args = "[--timeout SEC] NAME",
		.summary = "shut NAME down, or power it off",
		.help = cmd_stop_help,
		.fn = cmd_stop,
	},
	{
		.name = "kill",
		.args = "NAME",
		.summary = "kill NAME's worker at once",
		.help = cmd_kill_help,
		.fn = cmd_kill,
	},
	{
		.name = "delete",
		.args = "NAME",
		.summary = "remove NAME's configuration",
		.help = cmd_delete_help,
		.fn = cmd_delete,
	},
};

const char hvctl_exit_status_help[] =
"Exit status:\n"
"  0        the guest powered off (port 0x8900) or halted (HLT; with\n"
"           hvpart's local APIC: every VP, with interrupts off; without\n"
"           it GUEST_IDLE too);\n"
"           caps succeeded\n"
"  1,3,5..  the guest wrote V to isa-debug-exit (port 0xf4): (V << 1) | 1\n"
"  2        usage error, or the partition or image could not be set up\n"
"  4        the guest triple faulted\n"
"  6        the guest touched a GPA with neither RAM nor a device\n"
"  8        the VP stopped on an exit hvpart does not handle\n"
"  10       hvctl could not emulate what the guest did (e.g. an MMIO\n"
"           instruction other than MOV or MOVZX)\n"
"  12       an hvpart ioctl failed while the guest ran\n"
"  14       the guest reported a crash through the Hyper-V crash MSRs\n"
"  16       the guest asked for a reset (Hyper-V RESET MSR); hvctl does not\n"
"           reset the partition yet, it stops\n"
"  130      SIGINT\n"
"  143      SIGTERM\n"
"hvctl's own statuses but 143 are even, so debug-exit ones cannot mimic them.\n";

static const struct hvctl_cmd *find_command(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

void hvctl_cmd_usage(const struct hvctl_cmd *cmd)
{
	fprintf(stderr, "usage: hvctl %s%s%s\n", cmd->name,
		*cmd->args ? " " : "", cmd->args);
	fprintf(stderr, "Try 'hvctl help %s' for more.\n", cmd->name);
}

void hvctl_cmd_help(const struct hvctl_cmd *cmd)
{
	printf("usage: hvctl %s%s%s\n\n%s\n%s", cmd->name,
	       *cmd->args ? " " : "", cmd->args, cmd->help,
	       hvctl_exit_status_help);
}

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f,
		"usage: hvctl [--help | --version] COMMAND [ARGS...]\n"
		"\n"
		"Runs and inspects partitions of hvpart, a Hyper-V TLFS hypervisor in a\n"
		"Linux module (/dev/hvpart, or $HVPART_DEVICE).\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "  %-8s %s\n", "help", "show the help of a command");
	fprintf(f,
		"\n"
		"Options:\n"
		"  -h, --help     this text\n"
		"  -V, --version  hvctl's version and the hvpart API it speaks\n"
		"\n"
		"Run 'hvctl help COMMAND' for a command's options.\n"
		"\n%s", hvctl_exit_status_help);
}

static int cmd_help(int argc, char **argv)
{
	const struct hvctl_cmd *cmd;

	if (argc < 2) {
		usage(stdout);
		return HVCTL_EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		hvctl_err("unknown command '%s' (see 'hvctl --help')",
			  argv[1]);
		return HVCTL_EXIT_SETUP;
	}
	hvctl_cmd_help(cmd);
	return HVCTL_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct hvctl_cmd *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return HVCTL_EXIT_OK;
		case 'V':
			printf("hvctl %s (hvpart API %d)\n", HVCTL_VERSION,
			       HVPART_API_VERSION);
			return HVCTL_EXIT_OK;
		default:
			usage(stderr);
			return HVCTL_EXIT_SETUP;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return HVCTL_EXIT_SETUP;
	}

	argc -= optind;
	argv += optind;
	if (!strcmp(argv[0], "help"))
		return cmd_help(argc, argv);
	cmd = find_command(argv[0]);
	if (!cmd) {
		hvctl_err("unknown command '%s' (see 'hvctl --help')",
			  argv[0]);
		return HVCTL_EXIT_SETUP;
	}
	optind = 0;	/* a fresh getopt scan for the command's options */
	return cmd->fn(cmd, argc, argv);
}
