// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: hv_sock, the root's connections to AF_VSOCK ports in the guest
 * (Linux's hv_sock transport, VMBus 4.0 and later).
 *
 * Each connection is a VMBus channel of its own.  To connect to port P,
 * the host offers a channel whose class is the hv_sock service GUID of P
 * and whose instance is the host's endpoint (the same template, the
 * host's port), flagged as a hv_sock offer made by the host.  A guest
 * socket that listens on P accepts it by opening the channel; nothing
 * else answers, so an offer nobody opens within SOCK_CONNECT_TICKS is
 * taken back.  Data goes both ways as in-band packets, each a pipe
 * header (type 1, the byte count) and the bytes; a packet of no bytes
 * ends its sender's direction (FIN).  The host rescinds the channel when
 * both directions ended, or the guest closed it, or broke the protocol;
 * the guest then releases the relid.  Linux waits for that rescind to
 * free a socket it closed, so every path ends in one.
 *
 * The root's side of a connection is a unix stream socket pair: the
 * worker's control socket hands one end to `hvctl connect` (with
 * SCM_RIGHTS) once the guest accepted; the VMBus thread moves bytes
 * between the other end and the channel, holding at most a packet in
 * each direction while the other side has no room.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "vmbus/vmbus.h"

/* Bytes of a packet to the guest: Linux's receive buffer takes 16 KiB */
#define SOCK_CHUNK		(8 * 1024)
/* Ticks (VMBUS_TICK_MS) the guest has to accept a connection */
#define SOCK_CONNECT_TICKS	10
/* Connect requests waiting for the VMBus thread */
#define SOCK_MAX_REQS		16
/* The host's endpoint ports: out of the way of the guest's own */
#define SOCK_HOST_PORT_BASE	0x40000000u

/* The hv_sock service GUID with the port in its first four bytes */
static const struct vmbus_guid sock_template = { {
	0x00, 0x00, 0x00, 0x00, 0xcb, 0xfa, 0xe6, 0x11,
	0xbd, 0x58, 0x64, 0x00, 0x6a, 0x79, 0x86, 0xd3,
} };

#define SOCK_PIPE_DATA		1

/* A connect request, from another thread */
struct sock_req {
	uint32_t port;
	int reply_fd;
	struct sock_req *next;
};

/**
 * struct sock_conn - one connection, the priv of its channel
 * @s: the bus's hv_sock state
 * @ch: the channel
 * @port: the guest's port
 * @fd: the VMBus thread's end of the socket pair, -1 once torn down
 * @client_fd: the other end, until it is handed to the client
 * @reply_fd: the control connection that asked, until it is answered
 * @deadline: the tick by which the guest must open the channel
 * @fin_rx: the guest ended its direction
 * @fin_tx: the host's did (the FIN is in @tx or went out)
 * @watched: @fd is on the VMBus thread's watch list
 * @rx_len: bytes from the guest that @fd had no room for, at @rx_off
 * @tx_len: bytes of @tx (a pipe header and data) waiting for the ring
 * @next: the bus's list
 */
struct sock_conn {
	struct vmbus_sock *s;
	struct vmbus_chan *ch;
	uint32_t port;
	int fd;
	int client_fd;
	int reply_fd;
	unsigned long deadline;
	bool fin_rx;
	bool fin_tx;
	bool watched;
	uint32_t rx_off;
	uint32_t rx_len;
	uint32_t tx_len;
	uint8_t rx[VMBUS_MAX_PKT];
	uint8_t tx[sizeof(struct vmbus_pipe_hdr) + SOCK_CHUNK];
	struct sock_conn *next;
};

struct vmbus_sock {
	struct vmbus *bus;
	pthread_mutex_t lock;		/* @reqs, @nr_reqs */
	struct sock_req *reqs;
	struct sock_req **reqs_tail;
	unsigned int nr_reqs;
	/* the VMBus thread's */
	struct sock_conn *conns;
	unsigned int nr_conns;
	uint32_t next_host_port;
	unsigned long ticks;
	bool noted_tl;
};

static const struct vmbus_dev_ops sock_ops;

static void send_line(int fd, const char *text)
{
	if (send(fd, text, strlen(text), MSG_NOSIGNAL) < 0)
		hvctl_info("vmbus: hv_sock: a client went away: %s",
			   strerror(errno));
}

/* Answers a connect request with an error and closes its connection. */
static void reply_error(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reply_error(int fd, const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "error ");
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	strcat(buf, "\n");
	send_line(fd, buf);
	close(fd);
}

/* "ok" with @pass attached; false if the client is gone. */
static bool reply_ok(int fd, int pass)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "ok\n", .iov_len = 3 };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &pass, sizeof(int));
	return sendmsg(fd, &mh, MSG_NOSIGNAL) == 3;
}

/*
 * Ends the root's side of @c: the socket pair closes (the client reads
 * EOF), an unanswered request is refused with @why.  Idempotent.
 */
static void conn_teardown(struct sock_conn *c, const char *why)
{
	if (c->watched) {
		vmbus_unwatch_fd(c->s->bus, c->fd);
		c->watched = false;
	}
	if (c->reply_fd >= 0) {
		reply_error(c->reply_fd, "%s", why);
		c->reply_fd = -1;
	}
	if (c->client_fd >= 0) {
		close(c->client_fd);
		c->client_fd = -1;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}

/* Takes the connection back from the guest: it is over. */
static void conn_end(struct sock_conn *c, const char *why)
{
	conn_teardown(c, why);
	vmbus_chan_rescind(c->ch);
}

static void conn_watch(struct sock_conn *c)
{
	uint32_t ev = 0;

	if (c->fd < 0)
		return;
	if (!c->fin_tx && !c->tx_len)
		ev |= EPOLLIN;
	if (c->rx_len)
		ev |= EPOLLOUT;
	vmbus_watch_fd_events(c->s->bus, c->fd, ev);
}

/* Both directions ended and delivered: the connection is done. */
static bool conn_done(struct sock_conn *c)
{
	if (!c->fin_rx || !c->fin_tx || c->tx_len || c->rx_len)
		return false;
	conn_end(c, "closed");
	return true;
}

/*
 * Writes what the guest sent and @fd had no room for; true when it is
 * all written, or the connection ended because the client went.
 */
static bool conn_flush_rx(struct sock_conn *c)
{
	ssize_t n;

	while (c->rx_len) {
		n = send(c->fd, c->rx + c->rx_off, c->rx_len,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return false;
		if (n < 0) {
			/* nobody takes the rest */
			c->rx_len = 0;
			conn_end(c, "the client went away");
			return true;
		}
		c->rx_off += n;
		c->rx_len -= n;
	}
	return true;
}

/* Puts @tx into the guest's ring; false while it has no room. */
static bool conn_flush_tx(struct sock_conn *c)
{
	int ret;

	if (!c->tx_len)
		return true;
	ret = vmbus_chan_send(c->ch, VMBUS_PKT_DATA_INBAND, 0, 0, c->tx,
			      c->tx_len);
	if (ret == -EAGAIN)
		return false;
	c->tx_len = 0;
	return true;
}

/* Reads what the client sent into @tx, as a packet; FIN at its EOF. */
static void conn_read_client(struct sock_conn *c)
{
	struct vmbus_pipe_hdr h = { .flags = SOCK_PIPE_DATA };
	ssize_t n;

	while (!c->fin_tx && conn_flush_tx(c)) {
		n = recv(c->fd, c->tx + sizeof(h), SOCK_CHUNK, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			n = 0;
			c->fin_tx = true;
		}
		h.msgsize = n;
		memcpy(c->tx, &h, sizeof(h));
		c->tx_len = sizeof(h) + n;
	}
	conn_flush_tx(c);
}

/* The client's end is readable or writable. */
static void conn_fd_ready(void *arg)
{
	struct sock_conn *c = arg;

	if (c->rx_len && conn_flush_rx(c))
		vmbus_chan_kick(c->ch);
	/* the kick may have ended it */
	if (c->fd < 0 || vmbus_chan_rescinded(c->ch))
		return;
	conn_read_client(c);
	if (c->fd >= 0 && !conn_done(c))
		conn_watch(c);
}

/* The guest opened the channel: it accepted; the client gets its end. */
static uint32_t sock_open(struct vmbus_chan *ch)
{
	struct sock_conn *c = vmbus_chan_priv(ch);

	if (c->reply_fd >= 0) {
		if (!reply_ok(c->reply_fd, c->client_fd))
			hvctl_info("vmbus: hv_sock: port %u: the client went away",
				   c->port);
		close(c->reply_fd);
		close(c->client_fd);
		c->reply_fd = -1;
		c->client_fd = -1;
	}
	if (c->fd < 0 || vmbus_watch_fd(c->s->bus, c->fd, conn_fd_ready, c))
		return VMBUS_STATUS_UNSUCCESSFUL;
	c->watched = true;
	return 0;
}

/* A packet from the guest: false if it breaks the protocol. */
static bool sock_packet(struct sock_conn *c, const struct vmbus_pkt *p)
{
	struct vmbus_pipe_hdr h;

	if (p->type != VMBUS_PKT_DATA_INBAND || p->len < sizeof(h))
		return false;
	memcpy(&h, p->data, sizeof(h));
	if (h.flags != SOCK_PIPE_DATA || h.msgsize > p->len - sizeof(h) ||
	    c->fin_rx)
		return false;
	if (!h.msgsize) {
		c->fin_rx = true;
		shutdown(c->fd, SHUT_WR);
		return true;
	}
	memcpy(c->rx, p->data + sizeof(h), h.msgsize);
	c->rx_off = 0;
	c->rx_len = h.msgsize;
	conn_flush_rx(c);
	return true;
}

/* The guest signalled: room in its ring, or packets in ours. */
static void sock_event(struct vmbus_chan *ch)
{
	struct sock_conn *c = vmbus_chan_priv(ch);
	struct vmbus_pkt p;
	int ret;

	if (c->fd < 0)
		return;
	conn_read_client(c);
	while (!c->rx_len && c->fd >= 0) {
		ret = vmbus_chan_recv(ch, &p);
		if (ret == -EAGAIN)
			break;
		if (ret || !sock_packet(c, &p)) {
			vmbus_chan_note(ch, "a packet that is not hv_sock data: connection ended");
			conn_end(c, "broken");
			return;
		}
	}
	if (c->fd >= 0 && !conn_done(c))
		conn_watch(c);
}

/* The guest closed the channel, or the connection went: it is over. */
static void sock_close(struct vmbus_chan *ch)
{
	conn_end(vmbus_chan_priv(ch), "the guest's connection went away");
}

/* The channel goes: free the connection. */
static void sock_release(struct vmbus_chan *ch)
{
	struct sock_conn *c = vmbus_chan_priv(ch), **pp;

	conn_teardown(c, "the guest's connection went away");
	for (pp = &c->s->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	c->s->nr_conns--;
	free(c);
}

static const struct vmbus_dev_ops sock_ops = {
	.name = "hv_sock",
	.open = sock_open,
	.event = sock_event,
	.close = sock_close,
	.release = sock_release,
};

static struct vmbus_guid sock_guid(uint32_t port)
{
	struct vmbus_guid g = sock_template;

	g.b[0] = port;
	g.b[1] = port >> 8;
	g.b[2] = port >> 16;
	g.b[3] = port >> 24;
	return g;
}

/* On the VMBus thread: offers the connection a request asks for. */
static void sock_start(struct vmbus_sock *s, uint32_t port, int reply_fd)
{
	uint8_t user_def[VMBUS_OFFER_PIPE_USER_DEF + 1] = { 0 };
	uint32_t version = vmbus_version(s->bus);
	struct vmbus_guid type, instance;
	struct sock_conn *c;
	int fds[2];

	if (!version) {
		reply_error(reply_fd, "the guest has no VMBus connection");
		return;
	}
	if (version < VMBUS_VERSION_WIN10) {
		reply_error(reply_fd, "hv_sock needs VMBus 4.0; the guest connected with %u.%u",
			    version >> 16, version & 0xffff);
		return;
	}
	if (s->nr_conns >= VMBUS_SOCK_MAX_CONNS) {
		reply_error(reply_fd, "%u hv_sock connections already",
			    s->nr_conns);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds)) {
		free(c);
		reply_error(reply_fd, "out of memory");
		return;
	}
	c->s = s;
	c->port = port;
	c->fd = fds[0];
	c->client_fd = fds[1];
	c->reply_fd = reply_fd;
	c->deadline = s->ticks + SOCK_CONNECT_TICKS;
	type = sock_guid(port);
	instance = sock_guid(SOCK_HOST_PORT_BASE + s->next_host_port++ % 0x10000000u);
	/* connected by the host */
	user_def[VMBUS_OFFER_PIPE_USER_DEF] = 1;
	c->ch = vmbus_offer_channel(s->bus, &sock_ops, c, &type, &instance,
				    VMBUS_CHANNEL_TLNPI_PROVIDER_OFFER |
				    VMBUS_CHANNEL_NAMED_PIPE_MODE,
				    user_def, sizeof(user_def));
	if (!c->ch) {
		conn_teardown(c, "no free VMBus channel");
		free(c);
		return;
	}
	c->next = s->conns;
	s->conns = c;
	s->nr_conns++;
}

/* Connect requests from other threads. */
void vmbus_sock_on_wake(struct vmbus_sock *s)
{
	struct sock_req *r, *next;

	pthread_mutex_lock(&s->lock);
	r = s->reqs;
	s->reqs = NULL;
	s->reqs_tail = &s->reqs;
	s->nr_reqs = 0;
	pthread_mutex_unlock(&s->lock);
	for (; r; r = next) {
		next = r->next;
		sock_start(s, r->port, r->reply_fd);
		free(r);
	}
}

/* Every VMBUS_TICK_MS: an offer nobody opened in time is taken back. */
void vmbus_sock_tick(struct vmbus_sock *s)
{
	struct sock_conn *c;

	s->ticks++;
	for (c = s->conns; c; c = c->next) {
		if (c->reply_fd < 0 || vmbus_chan_rescinded(c->ch) ||
		    s->ticks < c->deadline)
			continue;
		conn_end(c, "the guest did not accept: no listener there, or no hv_sock");
	}
}

/* The guest's connect() to a host port: the root listens on none. */
void vmbus_sock_on_tl_connect(struct vmbus_sock *s,
			      const struct vmbus_msg_tl_connect_request *m)
{
	uint32_t port;

	if (s->noted_tl)
		return;
	s->noted_tl = true;
	memcpy(&port, m->host_service_id.b, sizeof(port));
	hvctl_info("vmbus: hv_sock: the guest connects to host port %u; the root listens on none (reported once)",
		   port);
}

/*
 * Any thread: asks the VMBus thread to connect to the guest's @port for
 * the client on control connection @reply_fd, which it answers ("ok"
 * with the connection's socket, or "error WHY") and closes.  -EBUSY with
 * too many requests waiting (@reply_fd is then the caller's still).
 */
int vmbus_sock_connect(struct vmbus_sock *s, uint32_t port, int reply_fd)
{
	struct sock_req *r = malloc(sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->port = port;
	r->reply_fd = reply_fd;
	pthread_mutex_lock(&s->lock);
	if (s->nr_reqs >= SOCK_MAX_REQS) {
		pthread_mutex_unlock(&s->lock);
		free(r);
		return -EBUSY;
	}
	r->next = NULL;
	*s->reqs_tail = r;
	s->reqs_tail = &r->next;
	s->nr_reqs++;
	pthread_mutex_unlock(&s->lock);
	vmbus_wake(s->bus);
	return 0;
}

struct vmbus_sock *vmbus_sock_create(struct vmbus *bus)
{
	struct vmbus_sock *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->bus = bus;
	s->reqs_tail = &s->reqs;
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

/* After the bus released every channel: requests still waiting. */
void vmbus_sock_destroy(struct vmbus_sock *s)
{
	struct sock_req *r, *next;

	for (r = s->reqs; r; r = next) {
		next = r->next;
		reply_error(r->reply_fd, "the partition is stopping");
		free(r);
	}
	pthread_mutex_destroy(&s->lock);
	free(s);
}
