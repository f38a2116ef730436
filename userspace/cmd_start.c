// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl start, stop, kill: a partition's worker.
 *
 * start takes the partition's lock, forks twice and leaves the
 * grandchild, the worker, holding the lock (an flock belongs to the
 * open file, which the fork shares) until it exits, however it exits.
 * The worker reports through a pipe once its partition runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "control.h"
#include "hvctl.h"
#include "runopts.h"
#include "serve.h"
#include "state.h"
#include "worker.h"

#define STOP_DEFAULT_TIMEOUT	30

const char cmd_start_help[] =
"Starts partition NAME (see 'hvctl help create'): a worker process, detached\n"
"from the terminal, creates the partition, boots its IMAGE and serves it\n"
"until the guest ends or it is stopped.  Its serial console is reached with\n"
"'hvctl console NAME'; its messages go to RUNDIR/NAME.log.  Once the\n"
"partition is set up the worker drops every capability and sets\n"
"no_new_privs.\n"
"\n"
"Options:\n"
"  -a, --attach  attach to the console once started (as 'hvctl console')\n"
"\n"
"A partition runs once at a time: starting a running one is an error.\n"
"What a worker that died left behind (its socket, a status that says it\n"
"runs) is cleaned up first; 'hvctl list' says it crashed.\n";

const char cmd_stop_help[] =
"Stops partition NAME: asks the guest to shut down and waits up to SEC\n"
"seconds, then powers it off (the worker stops the VPs, destroys the\n"
"partition and exits) and waits up to SEC seconds more, then kills the\n"
"worker.  The request goes through VMBus's shutdown IC (Linux's\n"
"hv_utils); for a guest that has not opened it the power-off comes at\n"
"once.\n"
"\n"
"Options:\n"
"  -t, --timeout SEC  seconds for each step (default 30)\n";

const char cmd_kill_help[] =
"Kills partition NAME's worker with SIGKILL, at once: the kernel frees the\n"
"partition with the worker's fds.  'hvctl list' then says it was killed.\n";

/* A NAME as the only operand, after the options. */
static int name_arg(const struct hvctl_cmd *cmd, int argc, char **argv,
		    struct part_paths *p)
{
	if (optind != argc - 1) {
		hvctl_err("%s: want one NAME", cmd->name);
		hvctl_cmd_usage(cmd);
		return -EINVAL;
	}
	if (state_paths(argv[optind], p, false))
		return -EINVAL;
	if (access(p->conf, F_OK)) {
		hvctl_err("no partition named %s ('hvctl list' shows them)",
			  p->name);
		return -ENOENT;
	}
	return 0;
}

/*
 * Closes every fd from 3 up but @keep1 and @keep2: a daemon must not hold
 * its caller's pipes and files open (a shell's $(hvctl start ...), a
 * FIFO the caller means to close).
 */
static void close_other_fds(int keep1, int keep2)
{
	int lo = keep1 < keep2 ? keep1 : keep2;
	int hi = keep1 < keep2 ? keep2 : keep1;

	if (lo > 3)
		close_range(3, lo - 1, 0);
	if (hi > lo + 1)
		close_range(lo + 1, hi - 1, 0);
	close_range(hi + 1, ~0U, 0);
}

/* The worker: never returns. */
static void __attribute__((noreturn))
start_worker(const struct part_paths *p, const struct run_opts *o,
	     int lock_fd, int ready_fd)
{
	int null_fd, log_fd, ret;

	close_other_fds(lock_fd, ready_fd);
	umask(077);
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	log_fd = open(p->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
		      O_CLOEXEC, 0600);
	if (null_fd < 0 || log_fd < 0) {
		hvctl_err("cannot open %s: %s", log_fd < 0 ? p->log :
			  "/dev/null", strerror(errno));
		_exit(HVCTL_EXIT_SETUP);
	}
	dup2(null_fd, STDIN_FILENO);
	dup2(log_fd, STDOUT_FILENO);
	if (chdir("/"))
		_exit(HVCTL_EXIT_SETUP);
	ret = serve_partition(p, o, ready_fd, log_fd);
	exit(ret);
}

/*
 * Forks the worker, detached in a session of its own, with the lock
 * @lock_fd holds and no other fd of ours but stdin, stdout and stderr
 * (which it replaces).  Returns its pid
 * once it reports that the partition runs, or -1 if it failed (it said
 * why on stderr).
 */
static long start_detached(const struct part_paths *p,
			   const struct run_opts *o, int lock_fd)
{
	int ready[2], status;
	char msg[32] = "";
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC)) {
		hvctl_err("pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		hvctl_err("fork: %s", strerror(errno));
		close(ready[0]);
		close(ready[1]);
		return -1;
	}
	if (!pid) {
		close(ready[0]);
		setsid();
		pid = fork();
		if (pid < 0)
			_exit(HVCTL_EXIT_SETUP);
		if (pid)
			_exit(0);
		start_worker(p, o, lock_fd, ready[1]);
	}
	close(ready[1]);
	waitpid(pid, &status, 0);
	while (len < sizeof(msg) - 1) {
		n = read(ready[0], msg + len, sizeof(msg) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(ready[0]);
	msg[len] = '\0';
	if (strncmp(msg, "ok ", 3))
		return -1;
	return strtol(msg + 3, NULL, 10);
}

int cmd_start(const struct hvctl_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "attach", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct part_config conf = { 0 };
	struct part_status st;
	struct part_paths p;
	struct run_opts o;
	bool attach = false;
	int c, lock, ret;
	long pid;

	while ((c = getopt_long(argc, argv, "+ah", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			attach = true;
			break;
		case 'h':
			hvctl_cmd_help(cmd);
			return HVCTL_EXIT_OK;
		default:
			hvctl_cmd_usage(cmd);
			return HVCTL_EXIT_SETUP;
		}
	}
	if (name_arg(cmd, argc, argv, &p) || state_paths(p.name, &p, true))
		return HVCTL_EXIT_SETUP;

	lock = state_lock(&p);
	if (lock == -EWOULDBLOCK) {
		if (!status_read(p.status, &st) && !strcmp(st.state, "running"))
			hvctl_err("%s is running already (worker pid %ld)",
				  p.name, st.pid);
		else
			hvctl_err("%s is being started already", p.name);
		return HVCTL_EXIT_SETUP;
	}
	if (lock < 0)
		return HVCTL_EXIT_SETUP;
	ret = HVCTL_EXIT_SETUP;
	if (state_reap(&p, &st))
		goto unlock;
	if (!strcmp(st.state, "crashed"))
		hvctl_warn("%s crashed: %s", p.name, st.reason);
	if (config_load(p.conf, &conf))
		goto unlock;
	ret = run_opts_parse(cmd, conf.argc, conf.argv, &o);
	if (ret != WORKER_CONTINUE) {
		hvctl_err("%s: bad configuration", p.conf);
		ret = HVCTL_EXIT_SETUP;
		goto free_opts;
	}
	pid = start_detached(&p, &o, lock);
	if (pid < 0) {
		hvctl_err("%s did not start", p.name);
		ret = HVCTL_EXIT_SETUP;
		goto free_opts;
	}
	printf("started %s (worker pid %ld)\n", p.name, pid);
	fflush(stdout);
	ret = HVCTL_EXIT_OK;
free_opts:
	run_opts_free(&o);
unlock:
	config_free(&conf);
	close(lock);
	if (!ret && attach)
		return console_attach(&p);
	return ret;
}

/* Waits up to @sec seconds for the worker to let go of the lock. */
static bool wait_stopped(const struct part_paths *p, unsigned long sec)
{
	struct timespec ts = { .tv_nsec = 50 * 1000 * 1000 };
	time_t end = time(NULL) + sec;
	int lock;

	for (;;) {
		lock = state_lock(p);
		if (lock >= 0) {
			close(lock);
			return true;
		}
		if (lock != -EWOULDBLOCK || time(NULL) > end)
			return false;
		nanosleep(&ts, NULL);
	}
}

/*
 * SIGKILL for a running worker, then its state: "killed" with @why.
 * Returns 0, or -1 after printing why not.
 */
static int kill_worker(const struct part_paths *p, const char *why)
{
	struct part_status st;
	int lock;

	if (status_read(p->status, &st) || strcmp(st.state, "running") ||
	    st.pid <= 0) {
		hvctl_err("%s: no worker pid to kill in %s", p->name,
			  p->status);
		return -1;
	}
	if (kill(st.pid, SIGKILL) && errno != ESRCH) {
		hvctl_err("cannot kill worker %ld: %s", st.pid,
			  strerror(errno));
		return -1;
	}
	if (!wait_stopped(p, STOP_DEFAULT_TIMEOUT)) {
		hvctl_err("%s: worker %ld still holds %s", p->name, st.pid,
			  p->lock);
		return -1;
	}
	lock = state_lock(p);
	if (lock < 0)
		return -1;
	unlink(p->sock);
	strcpy(st.state, "killed");
	st.stopped = time(NULL);
	st.exit_status = -1;
	snprintf(st.reason, sizeof(st.reason), "%s", why);
	if (status_write(p->status, &st))
		hvctl_warn("cannot update %s", p->status);
	close(lock);
	return 0;
}

/* The partition must be running; prints why not. */
static int must_run(const struct part_paths *p)
{
	struct part_status st;

	if (state_query(p, &st))
		return -1;
	if (!strcmp(st.state, "running"))
		return 0;
	hvctl_err("%s is not running (%s)", p->name, st.state);
	return -1;
}

int cmd_stop(const struct hvctl_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long timeout = STOP_DEFAULT_TIMEOUT;
	struct part_paths p;
	char reply[256];
	int c, ret;

	while ((c = getopt_long(argc, argv, "+t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (hvctl_parse_uint(optarg, 86400, &timeout)) {
				hvctl_err("bad --timeout '%s': want seconds",
					  optarg);
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
	if (name_arg(cmd, argc, argv, &p) || must_run(&p))
		return HVCTL_EXIT_SETUP;

	ret = ctl_request(p.sock, "shutdown", reply, sizeof(reply));
	if (!ret && wait_stopped(&p, timeout))
		goto stopped;
	if (ret == -EREMOTEIO)
		hvctl_info("%s: %s: powering it off", p.name, reply);
	ret = ctl_request(p.sock, "poweroff", reply, sizeof(reply));
	if (!ret && wait_stopped(&p, timeout))
		goto stopped;
	hvctl_warn("%s did not power off (%s): killing its worker", p.name,
		   ret ? strerror(-ret) : "timed out");
	if (kill_worker(&p, "killed by hvctl stop: the worker did not power off"))
		return HVCTL_EXIT_SETUP;
stopped:
	printf("stopped %s\n", p.name);
	return HVCTL_EXIT_OK;
}

int cmd_kill(const struct hvctl_cmd *cmd, int argc, char **argv)
{
	struct part_paths p;

	if (argc == 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		hvctl_cmd_help(cmd);
		return HVCTL_EXIT_OK;
	}
	optind = 1;
	if (name_arg(cmd, argc, argv, &p) || must_run(&p))
		return HVCTL_EXIT_SETUP;
	if (kill_worker(&p, "killed by hvctl kill (SIGKILL)"))
		return HVCTL_EXIT_SETUP;
	printf("killed %s\n", p.name);
	return HVCTL_EXIT_OK;
}
