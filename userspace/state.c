// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the state directory (see state.h): names, paths, the worker's
 * lock and its status file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "state.h"

/* getenv(@name) if set and not empty, else NULL. */
static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static int fmt_path(char *buf, size_t size, const char *fmt, const char *a,
		    const char *b)
{
	int n = snprintf(buf, size, fmt, a, b);

	if (n < 0 || (size_t)n >= size) {
		hvctl_err("path too long: %s/%s", a, b);
		return -ENAMETOOLONG;
	}
	return 0;
}

int state_conf_dir(char *buf, size_t size)
{
	const char *v;

	v = env("HVPART_STATE_DIR");
	if (v)
		return fmt_path(buf, size, "%s%s", v, "");
	if (geteuid() == 0)
		return fmt_path(buf, size, "%s%s", "/var/lib/hvpart", "");
	v = env("XDG_STATE_HOME");
	if (v)
		return fmt_path(buf, size, "%s/%s", v, "hvpart");
	v = env("HOME");
	if (!v) {
		hvctl_err("neither HVPART_STATE_DIR, XDG_STATE_HOME nor HOME is set: no place for partitions");
		return -ENOENT;
	}
	return fmt_path(buf, size, "%s/%s", v, ".local/state/hvpart");
}

int state_run_dir(char *buf, size_t size)
{
	const char *v;
	int ret;

	v = env("HVPART_RUN_DIR");
	if (v)
		return fmt_path(buf, size, "%s%s", v, "");
	if (geteuid() == 0)
		return fmt_path(buf, size, "%s%s", "/run/hvpart", "");
	v = env("XDG_RUNTIME_DIR");
	if (v)
		return fmt_path(buf, size, "%s/%s", v, "hvpart");
	ret = state_conf_dir(buf, size);
	if (ret)
		return ret;
	if (strlen(buf) + 4 >= size)
		return -ENAMETOOLONG;
	strcat(buf, "/run");
	return 0;
}

/*
 * A partition name: 1 to STATE_NAME_MAX letters, digits, '.', '_' or
 * '-', starting with a letter or digit.  Prints why not.
 */
int state_check_name(const char *name)
{
	size_t i, len = strlen(name);

	if (!len || len > STATE_NAME_MAX)
		goto bad;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			continue;
		if (i && (c == '.' || c == '_' || c == '-'))
			continue;
		goto bad;
	}
	return 0;
bad:
	hvctl_err("bad partition name '%s': want 1 to %d letters, digits, '.', '_' or '-', starting with a letter or digit",
		  name, STATE_NAME_MAX);
	return -EINVAL;
}

/* mkdir -p @dir with mode 0700 for what it creates. */
static int mkdirs(const char *dir)
{
	char path[PATH_MAX];
	size_t i, len = strlen(dir);

	if (len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) && errno != EEXIST) {
			int ret = -errno;

			hvctl_err("cannot create %s: %s", path, strerror(errno));
			return ret;
		}
		path[i] = dir[i];
	}
	return 0;
}

/*
 * Fills @p with the paths of partition @name, after checking the name;
 * with @mkdirs, creates the two directories.  Prints why it fails.
 */
int state_paths(const char *name, struct part_paths *p, bool make)
{
	char conf[PATH_MAX], run[PATH_MAX];
	int ret;

	ret = state_check_name(name);
	if (ret)
		return ret;
	ret = state_conf_dir(conf, sizeof(conf));
	if (!ret)
		ret = state_run_dir(run, sizeof(run));
	if (ret)
		return ret;
	strcpy(p->name, name);
	ret = fmt_path(p->conf, sizeof(p->conf), "%s/%s.conf", conf, name);
	if (!ret)
		ret = fmt_path(p->lock, sizeof(p->lock), "%s/%s.lock", run,
			       name);
	if (!ret)
		ret = fmt_path(p->status, sizeof(p->status), "%s/%s.status",
			       run, name);
	if (!ret)
		ret = fmt_path(p->log, sizeof(p->log), "%s/%s.log", run, name);
	if (!ret &&
	    snprintf(p->sock, sizeof(p->sock), "%s/%s.sock", run, name) >=
	    (int)sizeof(p->sock)) {
		hvctl_err("control socket path %s/%s.sock is longer than a unix socket takes (%zu bytes): set HVPART_RUN_DIR to a shorter directory",
			  run, name, sizeof(p->sock) - 1);
		ret = -ENAMETOOLONG;
	}
	if (ret || !make)
		return ret;
	ret = mkdirs(conf);
	if (!ret)
		ret = mkdirs(run);
	return ret;
}

/*
 * Writes @text to @path through a temporary file in the same directory,
 * so that @path never holds half of it: renamed over @path if @replace,
 * else linked to it, which fails with -EEXIST if @path exists.  On any
 * error (a full disk: -ENOSPC) nothing is left behind.  Does not print.
 */
int state_write_file(const char *path, const char *text, bool replace)
{
	size_t len = strlen(text), done = 0;
	char tmp[PATH_MAX];
	int fd, ret = 0;
	ssize_t n;

	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done < len) {
		n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			goto unlink_tmp;
		}
		done += n;
	}
	if (fsync(fd) || fchmod(fd, 0600)) {
		ret = -errno;
		goto unlink_tmp;
	}
	if (close(fd)) {
		fd = -1;
		ret = -errno;
		goto unlink_tmp;
	}
	fd = -1;
	if (replace ? rename(tmp, path) : link(tmp, path)) {
		ret = -errno;
		goto unlink_tmp;
	}
	if (!replace)
		unlink(tmp);
	return 0;

unlink_tmp:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return ret;
}

/*
 * Takes the partition's lock without waiting: returns its fd (O_CLOEXEC,
 * so only this process and its forks hold it), -EWOULDBLOCK while a
 * worker holds it, or another -errno after printing why.
 */
int state_lock(const struct part_paths *p)
{
	int fd, ret;

	fd = open(p->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		hvctl_err("cannot open %s: %s", p->lock, strerror(errno));
		return ret;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		ret = -errno;
		close(fd);
		if (ret != -EWOULDBLOCK)
			hvctl_err("cannot lock %s: %s", p->lock,
				  strerror(-ret));
		return ret;
	}
	return fd;
}

/*
 * With the lock held, no worker runs: a status that still says it does
 * is left by one that died without cleaning up (SIGKILL, a crash).
 * Records that, and removes what such a worker leaves: its socket.
 * Fills @st with the status (state "created" if there is none).
 */
int state_reap(const struct part_paths *p, struct part_status *st)
{
	int ret;

	unlink(p->sock);
	ret = status_read(p->status, st);
	if (ret == -ENOENT) {
		memset(st, 0, sizeof(*st));
		strcpy(st->state, "created");
		st->exit_status = -1;
		return 0;
	}
	if (ret)
		return ret;
	if (strcmp(st->state, "running") && strcmp(st->state, "starting"))
		return 0;
	strcpy(st->state, "crashed");
	st->stopped = time(NULL);
	st->exit_status = -1;
	snprintf(st->reason, sizeof(st->reason),
		 "worker %ld died without a clean exit (killed, or it crashed)",
		 st->pid);
	ret = status_write(p->status, st);
	if (ret)
		hvctl_warn("cannot update %s: %s", p->status, strerror(-ret));
	return 0;
}

/*
 * What partition @p is doing now: "running" (or "starting") while a
 * worker holds its lock, else what its last worker left, reaped.
 */
int state_query(const struct part_paths *p, struct part_status *st)
{
	int fd, ret;

	fd = state_lock(p);
	if (fd == -EWOULDBLOCK) {
		ret = status_read(p->status, st);
		if (ret || strcmp(st->state, "running")) {
			memset(st, 0, sizeof(*st));
			strcpy(st->state, "starting");
			st->exit_status = -1;
		}
		return 0;
	}
	if (fd < 0)
		return fd;
	ret = state_reap(p, st);
	close(fd);
	return ret;
}

int status_format(const struct part_status *st, char *buf, size_t size)
{
	int n;

	n = snprintf(buf, size,
		     "# hvpart worker status: written by the worker, read by hvctl list\n"
		     "state %s\npid %ld\nstarted %lld\nstopped %lld\nexit-status %d\nreason %s\n",
		     st->state, st->pid, st->started, st->stopped,
		     st->exit_status, st->reason);
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

int status_write(const char *path, const struct part_status *st)
{
	char buf[512];
	int ret;

	ret = status_format(st, buf, sizeof(buf));
	if (ret)
		return ret;
	return state_write_file(path, buf, true);
}

/* Reads NAME.status; -ENOENT if there is none.  Does not print. */
int status_read(const char *path, struct part_status *st)
{
	char line[256], *v;
	FILE *f;
	size_t len;

	memset(st, 0, sizeof(*st));
	st->exit_status = -1;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		len = strlen(line);
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#')
			continue;
		v = strchr(line, ' ');
		if (!v)
			continue;
		*v++ = '\0';
		if (!strcmp(line, "state"))
			snprintf(st->state, sizeof(st->state), "%s", v);
		else if (!strcmp(line, "pid"))
			st->pid = strtol(v, NULL, 10);
		else if (!strcmp(line, "started"))
			st->started = strtoll(v, NULL, 10);
		else if (!strcmp(line, "stopped"))
			st->stopped = strtoll(v, NULL, 10);
		else if (!strcmp(line, "exit-status"))
			st->exit_status = strtol(v, NULL, 10);
		else if (!strcmp(line, "reason"))
			snprintf(st->reason, sizeof(st->reason), "%s", v);
	}
	fclose(f);
	if (!st->state[0])
		strcpy(st->state, "unknown");
	return 0;
}
