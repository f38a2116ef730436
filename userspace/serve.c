// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the detached worker (serve.h).
 *
 * Threads: the VP thread runs VP0's loop and starts the other VPs'
 * threads and the I/O thread (runloop.c); they own the partition while
 * it runs; the main thread owns everything else: an
 * epoll loop over the control socket, its clients, the console and an
 * eventfd the VP thread signals when its loop ends.  The UART talks to
 * the main thread through two pipes: its output fills a 64 KiB ring
 * that an attached console also gets; what the console sends feeds its
 * input.  SIGINT and SIGTERM go to the VP threads only, which end their
 * loop; so does a "poweroff" request, which signals that thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "control.h"
#include "privs.h"
#include "runopts.h"
#include "serve.h"
#include "state.h"
#include "vmbus/vmbus.h"
#include "worker.h"

#define SERVE_RING_SIZE		(64 * 1024)
#define SERVE_MAX_CLIENTS	16

/**
 * struct serve_client - a control connection waiting for its request
 * @fd: the connection, -1 for a free slot
 * @len: bytes of @buf received
 * @buf: the request line so far
 */
struct serve_client {
	int fd;
	unsigned int len;
	char buf[CTL_REQUEST_MAX];
};

/**
 * struct serve - the worker's main-thread state
 * @p: the partition's files
 * @o: its configuration
 * @w: the partition (the VP thread's while it runs)
 * @st: what NAME.status says
 * @epoll_fd: the main loop
 * @listen_fd: the control socket
 * @done_fd: eventfd the VP thread signals when its loop ends
 * @uart_out: the read end of the UART's output pipe
 * @uart_in: the write end of the UART's input pipe
 * @console_fd: the attached console, -1 for none
 * @clients: control connections waiting for their request
 * @ring: the latest console output
 * @ring_len: bytes of @ring filled
 * @ring_head: where the next byte goes
 * @console_in: bytes a console sent to the UART
 * @console_out: bytes the UART sent
 * @vp_thread: runs VP0
 * @vp_status: its loop's exit status
 * @poweroff: a "poweroff" request ended the VP thread
 */
struct serve {
	const struct part_paths *p;
	const struct run_opts *o;
	struct worker w;
	struct part_status st;
	int epoll_fd;
	int listen_fd;
	int done_fd;
	int uart_out;
	int uart_in;
	int console_fd;
	struct serve_client clients[SERVE_MAX_CLIENTS];
	char ring[SERVE_RING_SIZE];
	size_t ring_len;
	size_t ring_head;
	uint64_t console_in;
	uint64_t console_out;
	pthread_t vp_thread;
	int vp_status;
	bool poweroff;
};

/* epoll data: an fd tag or a client slot. */
enum {
	EV_LISTEN = SERVE_MAX_CLIENTS,
	EV_DONE,
	EV_UART,
	EV_CONSOLE,
};

static int ep_add(struct serve *s, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static void ep_close(struct serve *s, int fd)
{
	epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
}

static void send_text(int fd, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;

	while (len) {
		n = send(fd, text, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		text += n;
		len -= n;
	}
}

static void ring_put(struct serve *s, const char *buf, size_t len)
{
	size_t n;

	while (len) {
		n = SERVE_RING_SIZE - s->ring_head;
		if (n > len)
			n = len;
		memcpy(s->ring + s->ring_head, buf, n);
		s->ring_head = (s->ring_head + n) % SERVE_RING_SIZE;
		s->ring_len += n;
		if (s->ring_len > SERVE_RING_SIZE)
			s->ring_len = SERVE_RING_SIZE;
		buf += n;
		len -= n;
	}
}

/* The console gets what it can take now; a slow one loses output. */
static void console_send(struct serve *s, const char *buf, size_t len)
{
	if (s->console_fd >= 0 && len)
		send(s->console_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void console_backlog(struct serve *s)
{
	size_t start = (s->ring_head + SERVE_RING_SIZE - s->ring_len) %
		       SERVE_RING_SIZE;
	size_t first = SERVE_RING_SIZE - start;

	if (first > s->ring_len)
		first = s->ring_len;
	console_send(s, s->ring + start, first);
	console_send(s, s->ring, s->ring_len - first);
}

/* Moves what the UART wrote into the ring and to the console. */
static void uart_drain(struct serve *s)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(s->uart_out, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s->console_out += n;
		ring_put(s, buf, n);
		console_send(s, buf, n);
	}
}

/* What the console sends goes to the UART's input; a full pipe drops. */
static void console_input(struct serve *s)
{
	char buf[4096];
	ssize_t n;

	n = read(s->console_fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		ep_close(s, s->console_fd);
		s->console_fd = -1;
		return;
	}
	n = write(s->uart_in, buf, n);
	if (n > 0)
		s->console_in += n;
}

static void reply_state(struct serve *s, int fd)
{
	char buf[512];

	snprintf(buf, sizeof(buf),
		 "ok\nname %s\nstate running\npid %ld\nstarted %lld\nvps %u\nmemory %llu\n",
		 s->p->name, s->st.pid, s->st.started, s->w.nr_vps,
		 (unsigned long long)s->w.ram_size);
	send_text(fd, buf);
}

static unsigned long long counter(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

static void reply_stats(struct serve *s, int fd)
{
	char buf[4096];
	size_t len;
	unsigned int i;

	len = snprintf(buf, sizeof(buf), "ok\nuptime %lld\nvps %u\n",
		       (long long)time(NULL) - s->st.started, s->w.nr_vps);
	for (i = 0; i < s->w.nr_vps && len < sizeof(buf) - 256; i++) {
		struct worker_vp *v = &s->w.vps[i];
		unsigned long long exits;

		/* hvpart counts these in the run page. */
		exits = __atomic_load_n(&v->vp.run->exits, __ATOMIC_RELAXED);
		len += snprintf(buf + len, sizeof(buf) - len,
				"vp%u-exits %llu\nvp%u-io %llu\nvp%u-halt %llu\nvp%u-memory %llu\nvp%u-other %llu\n",
				i, exits, i, counter(&v->stats.io),
				i, counter(&v->stats.halt),
				i, counter(&v->stats.memory),
				i, counter(&v->stats.other));
	}
	snprintf(buf + len, sizeof(buf) - len,
		 "console-in %llu\nconsole-out %llu\n",
		 (unsigned long long)s->console_in,
		 (unsigned long long)s->console_out);
	send_text(fd, buf);
}

/* "console": the connection becomes the console; false if refused. */
static bool serve_console(struct serve *s, int fd)
{
	if (s->console_fd >= 0) {
		send_text(fd, "error a console is attached already\n");
		return false;
	}
	send_text(fd, "ok\n");
	if (ep_add(s, fd, EV_CONSOLE))
		return false;
	s->console_fd = fd;
	console_backlog(s);
	return true;
}

/*
 * "connect PORT": the VMBus thread answers it (vmbus/sock.c) once the
 * guest accepts or does not; true when it took the connection.
 */
static bool serve_connect(struct serve *s, int fd, const char *arg)
{
	unsigned long port;
	int ret;

	if (hvctl_parse_uint(arg, 0xffffffffUL, &port)) {
		send_text(fd, "error bad port\n");
		return false;
	}
	if (!s->w.vmbus) {
		send_text(fd, "error the partition has no VMBus\n");
		return false;
	}
	ret = vmbus_connect_port(s->w.vmbus, port, fd);
	if (ret) {
		send_text(fd, ret == -EBUSY ?
			  "error too many connections waiting\n" :
			  "error out of memory\n");
		return false;
	}
	return true;
}

/* Answers one request; returns true if the connection stays open. */
static bool serve_request(struct serve *s, int fd, const char *req)
{
	if (!strcmp(req, "console"))
		return serve_console(s, fd);
	if (!strcmp(req, "state")) {
		reply_state(s, fd);
	} else if (!strcmp(req, "stats")) {
		reply_stats(s, fd);
	} else if (!strcmp(req, "shutdown")) {
		if (!s->w.vmbus || vmbus_request_shutdown(s->w.vmbus))
			send_text(fd, "error the guest has no shutdown channel open\n");
		else
			send_text(fd, "ok\n");
	} else if (!strncmp(req, "connect ", 8)) {
		return serve_connect(s, fd, req + 8);
	} else if (!strcmp(req, "poweroff")) {
		if (!s->poweroff) {
			s->poweroff = true;
			pthread_kill(s->vp_thread, SIGTERM);
		}
		send_text(fd, "ok\n");
	} else {
		send_text(fd, "error unknown request\n");
	}
	return false;
}

static void client_input(struct serve *s, struct serve_client *c)
{
	ssize_t n;
	char *nl;
	int fd = c->fd;

	n = read(fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0)
		goto close_client;
	c->len += n;
	c->buf[c->len] = '\0';
	nl = strchr(c->buf, '\n');
	if (!nl) {
		if (c->len < sizeof(c->buf) - 1)
			return;
		send_text(fd, "error request too long\n");
		goto close_client;
	}
	*nl = '\0';
	epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
	c->fd = -1;
	if (!serve_request(s, fd, c->buf))
		close(fd);
	return;

close_client:
	ep_close(s, fd);
	c->fd = -1;
}

/* Only the worker's own uid, or root, may talk to it. */
static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	return cred.uid == 0 || cred.uid == geteuid();
}

static void client_accept(struct serve *s)
{
	unsigned int i;
	int fd;

	fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	if (!peer_allowed(fd)) {
		send_text(fd, "error permission denied\n");
		close(fd);
		return;
	}
	for (i = 0; i < SERVE_MAX_CLIENTS; i++) {
		if (s->clients[i].fd < 0)
			break;
	}
	if (i == SERVE_MAX_CLIENTS || ep_add(s, fd, i)) {
		send_text(fd, "error busy\n");
		close(fd);
		return;
	}
	s->clients[i].fd = fd;
	s->clients[i].len = 0;
}

static void *vp_thread_fn(void *arg)
{
	struct serve *s = arg;
	uint64_t one = 1;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	s->vp_status = worker_run(&s->w);
	if (write(s->done_fd, &one, sizeof(one)) < 0)
		hvctl_err("cannot wake the main loop: %s", strerror(errno));
	return NULL;
}

/* The main loop: until the VP thread's loop ends. */
static void serve_loop(struct serve *s)
{
	struct epoll_event evs[8];
	int n, i;

	for (;;) {
		n = epoll_wait(s->epoll_fd, evs, 8, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hvctl_err("epoll_wait: %s", strerror(errno));
			pthread_kill(s->vp_thread, SIGTERM);
			return;
		}
		for (i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;

			if (tag == EV_DONE)
				return;
			if (tag == EV_LISTEN)
				client_accept(s);
			else if (tag == EV_UART)
				uart_drain(s);
			else if (tag == EV_CONSOLE && s->console_fd >= 0)
				console_input(s);
			else if (tag < SERVE_MAX_CLIENTS &&
				 s->clients[tag].fd >= 0)
				client_input(s, &s->clients[tag]);
		}
	}
}

static int serve_listen(struct serve *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ret;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	strcpy(sa.sun_path, s->p->sock);
	unlink(s->p->sock);	/* a stale one: the lock says no worker runs */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(s->p->sock, 0600) || listen(fd, 8))
		goto fail;
	s->listen_fd = fd;
	return 0;

fail:
	ret = -errno;
	hvctl_err("cannot listen on %s: %s", s->p->sock, strerror(errno));
	if (fd >= 0) {
		close(fd);
		unlink(s->p->sock);
	}
	return ret;
}

static int serve_pipes(struct serve *s, int *in_r, int *out_w)
{
	int in[2], out[2];

	if (pipe2(in, O_CLOEXEC))
		return -errno;
	if (pipe2(out, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		return -errno;
	}
	/* The UART polls its input; only the main thread must not block. */
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	*in_r = in[0];
	s->uart_in = in[1];
	s->uart_out = out[0];
	*out_w = out[1];
	return 0;
}

static int serve_events(struct serve *s)
{
	int ret;

	s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	s->done_fd = eventfd(0, EFD_CLOEXEC);
	if (s->epoll_fd < 0 || s->done_fd < 0)
		return -errno;
	ret = ep_add(s, s->listen_fd, EV_LISTEN);
	if (!ret)
		ret = ep_add(s, s->done_fd, EV_DONE);
	if (!ret)
		ret = ep_add(s, s->uart_out, EV_UART);
	return ret;
}

/* Everything up to running VP0; HVCTL_EXIT_SETUP after printing why. */
static int serve_setup(struct serve *s)
{
	int in_r = -1, out_w = -1, ret;

	if (serve_pipes(s, &in_r, &out_w)) {
		hvctl_err("cannot create the console pipes: %s",
			  strerror(errno));
		return HVCTL_EXIT_SETUP;
	}
	/* The UART keeps these two ends; worker_destroy() does not close them. */
	ret = run_setup(&s->w, s->o, in_r, out_w);
	if (ret)
		return ret;
	if (serve_listen(s))
		return HVCTL_EXIT_SETUP;
	if (serve_events(s)) {
		hvctl_err("cannot set up the main loop: %s", strerror(errno));
		return HVCTL_EXIT_SETUP;
	}

	ret = privs_drop();
	if (ret) {
		hvctl_err("cannot drop privileges: %s", strerror(-ret));
		return HVCTL_EXIT_SETUP;
	}
	/* Last: a status that says running must be true. */
	s->st.pid = getpid();
	s->st.started = time(NULL);
	s->st.exit_status = -1;
	strcpy(s->st.state, "running");
	ret = status_write(s->p->status, &s->st);
	if (ret) {
		hvctl_err("cannot write %s: %s", s->p->status, strerror(-ret));
		return HVCTL_EXIT_SETUP;
	}
	return 0;
}

static void serve_finish(struct serve *s)
{
	int ret;

	if (s->poweroff && (s->vp_status == HVCTL_EXIT_SIGTERM ||
			    s->vp_status == HVCTL_EXIT_SIGINT))
		snprintf(s->st.reason, sizeof(s->st.reason),
			 "powered off by hvctl stop");
	else
		hvctl_exit_reason(s->vp_status, s->st.reason,
				  sizeof(s->st.reason));
	strcpy(s->st.state, "stopped");
	s->st.stopped = time(NULL);
	s->st.exit_status = s->vp_status;
	ret = status_write(s->p->status, &s->st);
	if (ret)
		hvctl_err("cannot write %s: %s", s->p->status, strerror(-ret));
	hvctl_err("%s stopped: %s (exit status %d)", s->p->name,
		  s->st.reason, s->vp_status);
	uart_drain(s);
}

/*
 * Runs partition @o as the detached worker of @p (its lock is held by
 * the caller and inherited).  Writes "ok PID\n" to @ready_fd once the
 * partition runs, then moves stderr to @log_fd; a start that fails says
 * why on stderr, still the starter's, and writes nothing.  Returns the
 * worker's exit status.
 */
int serve_partition(const struct part_paths *p, const struct run_opts *o,
		    int ready_fd, int log_fd)
{
	struct serve *s;
	char msg[32];
	sigset_t set;
	unsigned int i;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s) {
		hvctl_err("out of memory");
		return HVCTL_EXIT_SETUP;
	}
	s->p = p;
	s->o = o;
	s->listen_fd = -1;
	s->epoll_fd = -1;
	s->done_fd = -1;
	s->uart_in = -1;
	s->uart_out = -1;
	s->console_fd = -1;
	for (i = 0; i < SERVE_MAX_CLIENTS; i++)
		s->clients[i].fd = -1;
	worker_init(&s->w);
	signal(SIGPIPE, SIG_IGN);

	ret = serve_setup(s);
	if (ret)
		goto destroy;

	/* Signals for the VP thread only: it unblocks them. */
	worker_catch_signals(&s->w);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	ret = pthread_create(&s->vp_thread, NULL, vp_thread_fn, s);
	if (ret) {
		hvctl_err("cannot start the VP thread: %s", strerror(ret));
		ret = HVCTL_EXIT_SETUP;
		goto destroy;
	}

	snprintf(msg, sizeof(msg), "ok %ld\n", (long)getpid());
	if (write(ready_fd, msg, strlen(msg)) < 0)
		hvctl_warn("cannot tell hvctl start: %s", strerror(errno));
	close(ready_fd);
	dup2(log_fd, STDERR_FILENO);

	serve_loop(s);
	pthread_join(s->vp_thread, NULL);
	serve_finish(s);
	ret = s->vp_status;

destroy:
	if (s->listen_fd >= 0) {
		unlink(p->sock);
		close(s->listen_fd);
	}
	if (s->console_fd >= 0)
		close(s->console_fd);
	for (i = 0; i < SERVE_MAX_CLIENTS; i++)
		if (s->clients[i].fd >= 0)
			close(s->clients[i].fd);
	worker_destroy(&s->w);
	free(s);
	return ret;
}
