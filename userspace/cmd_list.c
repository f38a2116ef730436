// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl list, hvctl stats: what the partitions are doing.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "control.h"
#include "hvctl.h"
#include "hvnl.h"
#include "state.h"

const char cmd_list_help[] =
"Lists the partitions: NAME, STATE, VPs, MEMORY, UPTIME and the worker's\n"
"PID, and for one that stopped, why.  States:\n"
"  created   never started\n"
"  starting  a worker is setting it up\n"
"  running   a worker runs it\n"
"  stopped   its worker ended cleanly (INFO says why: the guest powered\n"
"            off, crashed, triple faulted, ...; 'hvctl stop')\n"
"  crashed   its worker died without a clean exit (SIGKILL, a crash)\n"
"  killed    'hvctl kill' (or 'hvctl stop' after its timeout) killed it\n"
"\n"
"Options:\n"
"  --json  a JSON array of objects: name, state, vps, memory (bytes),\n"
"          uptime (seconds, null unless running), pid (null if none),\n"
"          started, stopped (seconds since the epoch, 0 if not),\n"
"          exit_status (the worker's, null if unknown), reason\n";

const char cmd_stats_help[] =
"Prints partition NAME's statistics.  From its worker: uptime, and per VP\n"
"the exits hvpart counted (vpN-exits) and the intercepts the worker\n"
"answered by kind (vpN-io, vpN-halt, vpN-memory, vpN-other); the console\n"
"bytes the guest received and sent.  From hvpart, through its generic\n"
"netlink family: the partition's id, and per VP the exits by reason\n"
"(vpN-exit-REASON: none, io, cpuid, msr-read, msr-write, npf, hlt,\n"
"shutdown, hypercall, intr-window, ud, xsetbv, unhandled), hypercalls by\n"
"code (vpN-hypercall-0xCODE; -other for codes not counted one by one),\n"
"interrupts injected, messages posted to the root and nanoseconds spent\n"
"in the guest (vpN-interrupts, vpN-messages, vpN-guest-ns).\n"
"\n"
"Options:\n"
"  --json     one JSON object of those, numbers as numbers\n"
"  --pid PID  instead of NAME: only what hvpart counts for the partition\n"
"             that process PID created (an 'hvctl run' too), and per VP\n"
"             vpN-exits-total, all its exits\n";

const char cmd_monitor_help[] =
"Prints hvpart's partition and VP events as they happen, one a line:\n"
"created, started (a VP ran for the first time), halted, crashed (with\n"
"CRASH_CTL and P0-P4), triple-fault (with RIP), reset-request, destroyed;\n"
"each with the partition's id, the pid that created it, its hvctl name when\n"
"an hvctl worker runs it, and the VP.  Events of every partition on the\n"
"machine are shown (they carry no guest memory).\n"
"\n"
"Options:\n"
"  --json     one JSON object a line\n"
"  --count N  stop after N events\n";

/* --json as the only option. */
static int parse_json_opt(const struct hvctl_cmd *cmd, int argc, char **argv,
			  bool *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			*json = true;
			break;
		case 'h':
			hvctl_cmd_help(cmd);
			return HVCTL_EXIT_OK;
		default:
			hvctl_cmd_usage(cmd);
			return HVCTL_EXIT_SETUP;
		}
	}
	return -1;
}

/**
 * struct list_entry - one row of hvctl list
 * @name: the partition
 * @memory: its RAM in bytes, 0 if the configuration is unreadable
 * @vps: its VPs, 0 if unreadable
 * @st: its state
 */
struct list_entry {
	char name[STATE_NAME_MAX + 1];
	unsigned long long memory;
	unsigned long vps;
	struct part_status st;
};

/* Memory and VPs as the configuration file says, quietly. */
static void list_config(const struct part_paths *p, struct list_entry *e)
{
	struct part_config c;
	uint64_t size;
	int i;

	e->memory = 64ull << 20;
	e->vps = 1;
	if (config_load(p->conf, &c)) {
		e->memory = 0;
		e->vps = 0;
		config_free(&c);
		return;
	}
	for (i = 1; i + 1 < c.argc; i++) {
		if (!strcmp(c.argv[i], "--memory") &&
		    !hvctl_parse_size(c.argv[i + 1], &size))
			e->memory = size;
		else if (!strcmp(c.argv[i], "--vps"))
			hvctl_parse_uint(c.argv[i + 1], 4096, &e->vps);
	}
	config_free(&c);
}

static int conf_filter(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return len > 5 && !strcmp(d->d_name + len - 5, ".conf");
}

static void fmt_size(unsigned long long v, char *buf, size_t size)
{
	if (v && !(v & ((1ull << 30) - 1)))
		snprintf(buf, size, "%lluG", v >> 30);
	else if (v && !(v & ((1ull << 20) - 1)))
		snprintf(buf, size, "%lluM", v >> 20);
	else
		snprintf(buf, size, "%lluK", v >> 10);
}

static void fmt_uptime(long long s, char *buf, size_t size)
{
	if (s >= 86400)
		snprintf(buf, size, "%lldd%02lld:%02lld:%02lld", s / 86400,
			 s / 3600 % 24, s / 60 % 60, s % 60);
	else
		snprintf(buf, size, "%lld:%02lld:%02lld", s / 3600,
			 s / 60 % 60, s % 60);
}

static bool is_running(const struct part_status *st)
{
	return !strcmp(st->state, "running");
}

static void list_json(const struct list_entry *e, int n)
{
	long long now = time(NULL);
	int i;

	printf("[");
	for (i = 0; i < n; i++) {
		const struct part_status *st = &e[i].st;

		printf("%s\n  {\"name\": ", i ? "," : "");
		hvctl_json_str(stdout, e[i].name);
		printf(", \"state\": ");
		hvctl_json_str(stdout, st->state);
		printf(", \"vps\": %lu, \"memory\": %llu, ", e[i].vps,
		       e[i].memory);
		if (is_running(st))
			printf("\"uptime\": %lld, ", now - st->started);
		else
			printf("\"uptime\": null, ");
		if (st->pid > 0)
			printf("\"pid\": %ld, ", st->pid);
		else
			printf("\"pid\": null, ");
		printf("\"started\": %lld, \"stopped\": %lld, ", st->started,
		       st->stopped);
		if (st->exit_status >= 0)
			printf("\"exit_status\": %d, ", st->exit_status);
		else
			printf("\"exit_status\": null, ");
		printf("\"reason\": ");
		hvctl_json_str(stdout, st->reason);
		printf("}");
	}
	printf("%s]\n", n ? "\n" : "");
}

static void list_table(const struct list_entry *e, int n)
{
	char mem[32], up[32], pid[24];
	long long now = time(NULL);
	int i;

	printf("%-20s %-9s %4s %7s %12s %8s  %s\n", "NAME", "STATE", "VPS",
	       "MEMORY", "UPTIME", "PID", "INFO");
	for (i = 0; i < n; i++) {
		const struct part_status *st = &e[i].st;
		bool run = is_running(st);

		fmt_size(e[i].memory, mem, sizeof(mem));
		if (run)
			fmt_uptime(now - st->started, up, sizeof(up));
		else
			strcpy(up, "-");
		if (run && st->pid > 0)
			snprintf(pid, sizeof(pid), "%ld", st->pid);
		else
			strcpy(pid, "-");
		printf("%-20s %-9s %4lu %7s %12s %8s  %s\n", e[i].name,
		       st->state, e[i].vps, mem, up, pid, run ? "" : st->reason);
	}
}

int cmd_list(const struct hvctl_cmd *cmd, int argc, char **argv)
{
	struct list_entry *e = NULL;
	struct dirent **names;
	struct part_paths p;
	char dir[PATH_MAX];
	bool json = false;
	int n, i, rows = 0, ret;

	ret = parse_json_opt(cmd, argc, argv, &json);
	if (ret >= 0)
		return ret;
	if (optind != argc) {
		hvctl_cmd_usage(cmd);
		return HVCTL_EXIT_SETUP;
	}
	if (state_conf_dir(dir, sizeof(dir)))
		return HVCTL_EXIT_SETUP;
	n = scandir(dir, &names, conf_filter, alphasort);
	if (n < 0 && errno != ENOENT) {
		hvctl_err("cannot read %s: %s", dir, strerror(errno));
		return HVCTL_EXIT_SETUP;
	}
	if (n > 0)
		e = calloc(n, sizeof(*e));
	for (i = 0; i < n; i++) {
		char *name = names[i]->d_name;

		name[strlen(name) - 5] = '\0';
		if (e && strlen(name) <= STATE_NAME_MAX &&
		    !state_paths(name, &p, false) &&
		    !state_query(&p, &e[rows].st)) {
			strcpy(e[rows].name, name);
			list_config(&p, &e[rows]);
			rows++;
		}
		free(names[i]);
	}
	if (n > 0)
		free(names);
	if (json)
		list_json(e, rows);
	else
		list_table(e, rows);
	free(e);
	return HVCTL_EXIT_OK;
}

static void stats_print(const char *reply, bool json)
{
	const char *line = reply, *end, *sp;
	bool first = true;

	if (json)
		printf("{");
	for (; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		sp = memchr(line, ' ', end - line);
		if (!sp)
			continue;
		if (json)
			printf("%s\"%.*s\": %.*s", first ? "" : ", ",
			       (int)(sp - line), line, (int)(end - sp - 1),
			       sp + 1);
		else
			printf("%-16.*s %.*s\n", (int)(sp - line), line,
			       (int)(end - sp - 1), sp + 1);
		first = false;
	}
	if (json)
		printf("}\n");
}

static void stats_kernel(const struct part_paths *p, char *buf, size_t size);
static int stats_pid(uint32_t pid, bool totals, char *buf, size_t size);

int cmd_stats(const struct hvctl_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long pid = 0;
	struct part_paths p;
	char reply[8192];
	bool json = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'p':
			if (hvctl_parse_uint(optarg, INT32_MAX, &pid) || !pid) {
				hvctl_err("bad --pid '%s'", optarg);
				return HVCTL_EXIT_SETUP;
			}
			break;
		case 'h':
			hvctl_cmd_help(cmd);
			return HVCTL_EXIT_OK;
		default:
			hvctl_cmd_usage(cmd);
			return HVCTL_EXIT_SETUP;
		}
	}
	if (pid) {
		if (optind != argc) {
			hvctl_cmd_usage(cmd);
			return HVCTL_EXIT_SETUP;
		}
		reply[0] = '\0';
		ret = stats_pid(pid, true, reply, sizeof(reply));
		if (ret == -ENOENT)
			hvctl_err("no partition of process %lu", pid);
		if (ret)
			return HVCTL_EXIT_SETUP;
		stats_print(reply, json);
		return HVCTL_EXIT_OK;
	}
	if (optind != argc - 1) {
		hvctl_cmd_usage(cmd);
		return HVCTL_EXIT_SETUP;
	}
	if (state_paths(argv[optind], &p, false))
		return HVCTL_EXIT_SETUP;
	ret = ctl_request(p.sock, "stats", reply, sizeof(reply));
	if (ret == -EREMOTEIO) {
		hvctl_err("%s: %s", p.name, reply);
		return HVCTL_EXIT_SETUP;
	}
	if (ret == -ENOENT || ret == -ECONNREFUSED) {
		hvctl_err("%s is not running (no worker at %s)", p.name,
			  p.sock);
		return HVCTL_EXIT_SETUP;
	}
	if (ret) {
		hvctl_err("cannot reach %s's worker at %s: %s", p.name,
			  p.sock, strerror(-ret));
		return HVCTL_EXIT_SETUP;
	}
	stats_kernel(&p, reply, sizeof(reply));
	stats_print(reply, json);
	return HVCTL_EXIT_OK;
}

static void kv_append(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void kv_append(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/* Appends what hvpart counts for the partition @p's worker runs. */
static void stats_kernel(const struct part_paths *p, char *buf, size_t size)
{
	struct part_status st;

	if (status_read(p->status, &st) || st.pid <= 0)
		return;
	stats_pid(st.pid, false, buf, size);
}

/*
 * Appends what hvpart counts for the partition process @pid created, with
 * each VP's exits summed if @totals: 0, or -ENOENT (none) or another
 * -errno.
 */
static int stats_pid(uint32_t pid, bool totals, char *buf, size_t size)
{
	struct hvnl_partition *np;
	unsigned int v, i;
	int ret;

	np = malloc(sizeof(*np));
	if (!np)
		return -ENOMEM;
	ret = hvnl_find_by_pid(pid, np);
	if (ret) {
		free(np);
		return ret;
	}
	kv_append(buf, size, "partition-id %llu\n", (unsigned long long)np->id);
	for (v = 0; v < np->nr_vps; v++) {
		const struct hvnl_vp *vp = &np->vps[v];

		for (i = 0; i < HVPART_STAT_EXIT_COUNT; i++)
			kv_append(buf, size, "vp%u-exit-%s %llu\n", vp->index,
				  hvnl_exit_names[i],
				  (unsigned long long)vp->exits[i]);
		if (totals)
			kv_append(buf, size, "vp%u-exits-total %llu\n",
				  vp->index,
				  (unsigned long long)vp->exits_total);
		for (i = 0; i < vp->nr_hcalls; i++) {
			if (vp->hcall_code[i] == 0xffffffff)
				kv_append(buf, size, "vp%u-hypercall-other %llu\n",
					  vp->index, (unsigned long long)
					  vp->hcall_count[i]);
			else
				kv_append(buf, size, "vp%u-hypercall-0x%04x %llu\n",
					  vp->index, vp->hcall_code[i],
					  (unsigned long long)
					  vp->hcall_count[i]);
		}
		kv_append(buf, size,
			  "vp%u-interrupts %llu\nvp%u-messages %llu\nvp%u-guest-ns %llu\n",
			  vp->index, (unsigned long long)vp->interrupts,
			  vp->index, (unsigned long long)vp->messages,
			  vp->index, (unsigned long long)vp->guest_ns);
	}
	free(np);
	return 0;
}

int cmd_monitor(const struct hvctl_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long count = 0;
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'c':
			if (hvctl_parse_uint(optarg, 1000000000, &count) ||
			    !count) {
				hvctl_err("bad --count '%s'", optarg);
				return HVCTL_EXIT_SETUP;
			}
			break;
		case 'h':
			hvctl_cmd_help(cmd);
			return HVCTL_EXIT_OK;
		default:
			hvctl_cmd_usage(cmd);
			return HVCTL_EXIT_SETUP;
		}
	}
	if (optind != argc) {
		hvctl_cmd_usage(cmd);
		return HVCTL_EXIT_SETUP;
	}
	return hvnl_monitor(json, count ? (long)count : -1);
}
