/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: where partitions live between commands.
 *
 * A partition made by `hvctl create NAME` is a configuration file,
 * CONFDIR/NAME.conf.  While a worker runs it, the worker holds an
 * exclusive flock on RUNDIR/NAME.lock and serves RUNDIR/NAME.sock; it
 * keeps RUNDIR/NAME.status (what it is doing, or why it stopped) and
 * writes its messages to RUNDIR/NAME.log.  A free lock means no worker:
 * whoever takes it may clean up after one that died (state_reap()).
 *
 * CONFDIR: $HVPART_STATE_DIR, else /var/lib/hvpart for root, else
 * $XDG_STATE_HOME/hvpart (~/.local/state/hvpart).
 * RUNDIR: $HVPART_RUN_DIR, else /run/hvpart for root, else
 * $XDG_RUNTIME_DIR/hvpart, else CONFDIR/run.
 */
#ifndef HVCTL_STATE_H
#define HVCTL_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/un.h>

#define STATE_NAME_MAX		32

/**
 * struct part_paths - the files of partition NAME
 * @name: NAME
 * @conf: CONFDIR/NAME.conf
 * @lock: RUNDIR/NAME.lock
 * @sock: RUNDIR/NAME.sock (it must fit a sockaddr_un)
 * @status: RUNDIR/NAME.status
 * @log: RUNDIR/NAME.log
 */
struct part_paths {
	char name[STATE_NAME_MAX + 1];
	char conf[PATH_MAX];
	char lock[PATH_MAX];
	char sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char status[PATH_MAX];
	char log[PATH_MAX];
};

/**
 * struct part_status - the contents of NAME.status
 * @state: "starting", "running", "stopped", "crashed" or "killed"
 * @pid: the worker's pid
 * @started: when the worker started (seconds since the epoch)
 * @stopped: when it stopped, 0 while it runs
 * @exit_status: the worker's exit status (hvctl's), -1 if unknown
 * @reason: why it stopped, in words
 */
struct part_status {
	char state[16];
	long pid;
	long long started;
	long long stopped;
	int exit_status;
	char reason[160];
};

int state_conf_dir(char *buf, size_t size);
int state_run_dir(char *buf, size_t size);
int state_check_name(const char *name);
int state_paths(const char *name, struct part_paths *p, bool mkdirs);

int state_write_file(const char *path, const char *text, bool replace);

int state_lock(const struct part_paths *p);
int state_reap(const struct part_paths *p, struct part_status *st);
int state_query(const struct part_paths *p, struct part_status *st);

int status_read(const char *path, struct part_status *st);
int status_write(const char *path, const struct part_status *st);
int status_format(const struct part_status *st, char *buf, size_t size);

#endif /* HVCTL_STATE_H */
