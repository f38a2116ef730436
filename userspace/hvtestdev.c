// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: QEMU's SynIC test device (hyperv-testdev) on hvpart's ports and
 * connections; see hvtestdev.h for the register and what each command
 * does.
 *
 * VP threads write the register (port_bus_write under the worker's
 * device lock); the I/O thread polls the connections' fds and echoes
 * what the guest sent, under the same lock.  A created or destroyed
 * connection wakes the I/O thread, which then polls the new set; a slot
 * it polled is checked against its generation before it is read.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cli.h"
#include "hvtestdev.h"
#include "libhvpart.h"
#include "util.h"

static struct hvtestdev *to_testdev(struct pio_device *dev)
{
	return container_of(dev, struct hvtestdev, dev);
}

/*
 * The first thing the device ignores (a command, or an echo that hvpart
 * refused) is reported with --verbose; nothing after it is.
 */
static void hvtestdev_note(struct hvtestdev *d, const char *what,
			   uint32_t value, const char *why, int err)
{
	if (d->warned)
		return;
	d->warned = true;
	hvctl_info("hyperv-testdev: ignored %s 0x%08x: %s%s%s (later ones are not reported)",
		   what, value, why, err ? ": " : "", err ? strerror(-err) : "");
}

static void hvtestdev_ignore(struct hvtestdev *d, uint32_t value,
			     const char *why, int err)
{
	hvtestdev_note(d, "command", value, why, err);
}

static void hvtestdev_wake(struct hvtestdev *d)
{
	uint64_t one = 1;

	if (d->wake_fd >= 0 && write(d->wake_fd, &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		hvctl_warn("hyperv-testdev: cannot wake the I/O thread: %s",
			   strerror(errno));
}

/* ---- SINT routes ---------------------------------------------------- */

static struct hvtestdev_route *route_find(struct hvtestdev *d, uint8_t vp,
					  uint8_t sint)
{
	unsigned int i;

	for (i = 0; i < HVTESTDEV_MAX_ROUTES; i++)
		if (d->routes[i].used && d->routes[i].vp == vp &&
		    d->routes[i].sint == sint)
			return &d->routes[i];
	return NULL;
}

static void route_create(struct hvtestdev *d, uint32_t value, uint8_t vp,
			 uint8_t sint)
{
	unsigned int i;

	/* QEMU keeps duplicates; one is as good as several here */
	if (route_find(d, vp, sint))
		return;
	for (i = 0; i < HVTESTDEV_MAX_ROUTES; i++) {
		if (!d->routes[i].used) {
			d->routes[i] = (struct hvtestdev_route){
				.used = true, .vp = vp, .sint = sint,
			};
			return;
		}
	}
	hvtestdev_ignore(d, value, "too many SINT routes", 0);
}

static void route_destroy(struct hvtestdev *d, uint32_t value, uint8_t vp,
			  uint8_t sint)
{
	struct hvtestdev_route *r = route_find(d, vp, sint);

	if (!r) {
		hvtestdev_ignore(d, value, "no such SINT route", 0);
		return;
	}
	r->used = false;
}

static void route_set_sint(struct hvtestdev *d, uint32_t value, uint8_t vp,
			   uint8_t sint)
{
	int ret;

	if (!route_find(d, vp, sint)) {
		hvtestdev_ignore(d, value, "no such SINT route", 0);
		return;
	}
	ret = hvp_signal_event(d->pt_fd, vp, sint, 0,
			       HVPART_SIGNAL_EVENT_SINT_ONLY);
	if (ret)
		hvtestdev_ignore(d, value,
				 "HVPART_SIGNAL_EVENT (SINT_ONLY)", ret);
	else
		d->signalled++;
}

/* ---- connections ---------------------------------------------------- */

static struct hvtestdev_conn *conn_find(struct hvtestdev *d, bool event,
					uint8_t conn_id)
{
	unsigned int i;

	for (i = 0; i < HVTESTDEV_MAX_CONNS; i++)
		if (d->conns[i].used && d->conns[i].event == event &&
		    d->conns[i].conn_id == conn_id)
			return &d->conns[i];
	return NULL;
}

static struct hvtestdev_conn *conn_free_slot(struct hvtestdev *d)
{
	unsigned int i;

	for (i = 0; i < HVTESTDEV_MAX_CONNS; i++)
		if (!d->conns[i].used)
			return &d->conns[i];
	return NULL;
}

/*
 * The port behind connection @c: a root message port (its fd made
 * non-blocking) or a root event port on a new eventfd.  0 or -errno.
 */
static int conn_open_port(struct hvtestdev *d, struct hvtestdev_conn *c)
{
	struct hvpart_port_info info = {
		.port_id = c->port_id,
		.port_type = c->event ? HVPART_PORT_TYPE_EVENT :
					HVPART_PORT_TYPE_MESSAGE,
		.flags = HVPART_PORT_TO_ROOT,
		.flag_count = c->event ? 1 : 0,
	};
	int ret, efd = -1;

	if (c->event) {
		efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (efd < 0)
			return -errno;
		info.eventfd = efd;
	}
	ret = hvp_create_port(d->pt_fd, &info);
	if (ret < 0) {
		if (efd >= 0)
			close(efd);
		return ret;
	}
	if (c->event) {
		c->fd = efd;
		return 0;
	}
	c->fd = ret;
	if (fcntl(c->fd, F_SETFL, O_NONBLOCK) < 0) {
		ret = -errno;
		close(c->fd);
		hvp_delete_port(d->pt_fd, c->port_id);
		return ret;
	}
	return 0;
}

static void conn_create(struct hvtestdev *d, uint32_t value, bool event,
			uint8_t vp, uint8_t sint, uint8_t conn_id)
{
	struct hvtestdev_conn *c;
	int ret;

	if (!conn_id) {
		hvtestdev_ignore(d, value, "connection id 0", 0);
		return;
	}
	if (conn_find(d, event, conn_id)) {
		hvtestdev_ignore(d, value, "the connection exists", 0);
		return;
	}
	c = conn_free_slot(d);
	if (!c) {
		hvtestdev_ignore(d, value, "too many connections", 0);
		return;
	}
	*c = (struct hvtestdev_conn){
		.event = event, .vp = vp, .sint = sint, .conn_id = conn_id,
		.port_id = (event ? HVTESTDEV_EVT_PORT_BASE :
				    HVTESTDEV_MSG_PORT_BASE) + conn_id,
		.fd = -1, .gen = c->gen + 1,
	};
	ret = conn_open_port(d, c);
	if (ret) {
		hvtestdev_ignore(d, value, "HVPART_CREATE_PORT", ret);
		return;
	}
	ret = hvp_connect_port(d->pt_fd, conn_id, c->port_id);
	if (ret) {
		hvtestdev_ignore(d, value, "HVPART_CONNECT_PORT", ret);
		hvp_delete_port(d->pt_fd, c->port_id);
		close(c->fd);
		c->fd = -1;
		return;
	}
	c->used = true;
	hvtestdev_wake(d);
}

/* Undoes conn_create(); the guest's later posts find no connection. */
static void conn_close(struct hvtestdev *d, struct hvtestdev_conn *c)
{
	int ret;

	ret = hvp_disconnect_port(d->pt_fd, c->conn_id);
	if (ret)
		hvctl_warn("hyperv-testdev: HVPART_DISCONNECT_PORT %u: %s",
			   c->conn_id, strerror(-ret));
	ret = hvp_delete_port(d->pt_fd, c->port_id);
	if (ret)
		hvctl_warn("hyperv-testdev: HVPART_DELETE_PORT 0x%x: %s",
			   c->port_id, strerror(-ret));
	close(c->fd);
	c->fd = -1;
	c->used = false;
	c->held = false;
	c->gen++;
}

static void conn_destroy(struct hvtestdev *d, uint32_t value, bool event,
			 uint8_t conn_id)
{
	struct hvtestdev_conn *c = conn_find(d, event, conn_id);

	if (!c) {
		hvtestdev_ignore(d, value, "no such connection", 0);
		return;
	}
	conn_close(d, c);
	hvtestdev_wake(d);
}

/* ---- the register --------------------------------------------------- */

static uint32_t hvtestdev_read(struct pio_device *dev, uint16_t offset,
			       unsigned int size)
{
	(void)dev;
	(void)offset;
	(void)size;
	return 0;
}

static void hvtestdev_write(struct pio_device *dev, uint16_t offset,
			    unsigned int size, uint32_t value)
{
	struct hvtestdev *d = to_testdev(dev);
	uint8_t sint = value & 0xff;
	uint8_t vp = (value >> 8) & 0xff;
	uint8_t cmd = (value >> 16) & 0xff;
	uint8_t conn_id = value >> 24;

	if (offset || size != 4) {
		hvtestdev_ignore(d, value, "not a 32-bit write to port 0x3000",
				 0);
		return;
	}
	/* every command but the DESTROYs of connections names a SINT */
	if (cmd != HVTESTDEV_MSG_CONN_DESTROY &&
	    cmd != HVTESTDEV_EVT_CONN_DESTROY &&
	    (vp >= d->nr_vps || sint >= HVPART_SINT_COUNT)) {
		hvtestdev_ignore(d, value, "no such VP or SINT", 0);
		return;
	}
	switch (cmd) {
	case HVTESTDEV_SINT_ROUTE_CREATE:
		route_create(d, value, vp, sint);
		break;
	case HVTESTDEV_SINT_ROUTE_DESTROY:
		route_destroy(d, value, vp, sint);
		break;
	case HVTESTDEV_SINT_ROUTE_SET_SINT:
		route_set_sint(d, value, vp, sint);
		break;
	case HVTESTDEV_MSG_CONN_CREATE:
	case HVTESTDEV_EVT_CONN_CREATE:
		conn_create(d, value, cmd == HVTESTDEV_EVT_CONN_CREATE, vp,
			    sint, conn_id);
		break;
	case HVTESTDEV_MSG_CONN_DESTROY:
	case HVTESTDEV_EVT_CONN_DESTROY:
		conn_destroy(d, value, cmd == HVTESTDEV_EVT_CONN_DESTROY,
			     conn_id);
		break;
	default:
		hvtestdev_ignore(d, value, "unknown command", 0);
		break;
	}
}

static const struct pio_ops hvtestdev_ops = {
	.read = hvtestdev_read,
	.write = hvtestdev_write,
};

void hvtestdev_init(struct hvtestdev *d, int pt_fd, unsigned int nr_vps,
		    int wake_fd)
{
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->dev.name = "hyperv-testdev";
	d->dev.base = HVTESTDEV_BASE;
	d->dev.nr_ports = HVTESTDEV_PORTS;
	d->dev.max_access = 4;
	d->dev.ops = &hvtestdev_ops;
	d->pt_fd = pt_fd;
	d->nr_vps = nr_vps;
	d->wake_fd = wake_fd;
	for (i = 0; i < HVTESTDEV_MAX_CONNS; i++)
		d->conns[i].fd = -1;
}

/* Closes the connections; before the partition goes, after the I/O thread. */
void hvtestdev_destroy(struct hvtestdev *d)
{
	unsigned int i;

	for (i = 0; i < HVTESTDEV_MAX_CONNS; i++)
		if (d->conns[i].used)
			conn_close(d, &d->conns[i]);
}

/* ---- the I/O thread's side ------------------------------------------ */

/* Posts @c's held message to its SINT; false if it has to wait more. */
static bool conn_echo_held(struct hvtestdev *d, struct hvtestdev_conn *c)
{
	const struct hvpart_message *m = &c->msg;
	unsigned int size = m->header.payload_size;
	int ret;

	if (size > HVPART_MESSAGE_PAYLOAD_BYTES)
		size = HVPART_MESSAGE_PAYLOAD_BYTES;
	ret = hvp_post_message(d->pt_fd, c->vp, c->sint,
			       m->header.message_type, m->u.payload, size);
	if (ret == -EAGAIN)
		return false;
	c->held = false;
	if (ret)
		hvtestdev_note(d, "a message on connection", c->conn_id,
			       "HVPART_POST_MESSAGE", ret);
	else
		d->echoed++;
	return true;
}

/* Echoes what the guest sent on @c, until its fd is empty or a post waits. */
static void conn_service(struct hvtestdev *d, struct hvtestdev_conn *c)
{
	uint64_t count;
	ssize_t n;
	int ret;

	if (c->event) {
		if (read(c->fd, &count, sizeof(count)) != sizeof(count))
			return;
		ret = hvp_signal_event(d->pt_fd, c->vp, c->sint, c->conn_id,
				       0);
		if (ret)
			hvtestdev_note(d, "an event on connection",
				       c->conn_id, "HVPART_SIGNAL_EVENT", ret);
		else
			d->signalled++;
		return;
	}
	while (!c->held) {
		n = read(c->fd, &c->msg, sizeof(c->msg));
		if (n != sizeof(c->msg))
			return;
		c->held = true;
		conn_echo_held(d, c);
	}
}

/*
 * The fds the I/O thread polls, at most @max, each with a tag for
 * hvtestdev_poll_done(); *@timeout becomes HVTESTDEV_RETRY_MS if a
 * message waits to be posted again (else it is left alone).
 */
unsigned int hvtestdev_poll_fds(struct hvtestdev *d, struct pollfd *p,
				uint32_t *tags, unsigned int max,
				int *timeout)
{
	unsigned int i, n = 0;

	for (i = 0; i < HVTESTDEV_MAX_CONNS; i++) {
		struct hvtestdev_conn *c = &d->conns[i];

		if (!c->used)
			continue;
		if (c->held) {
			*timeout = HVTESTDEV_RETRY_MS;
			continue;
		}
		if (n == max)
			continue;
		p[n].fd = c->fd;
		p[n].events = POLLIN;
		p[n].revents = 0;
		tags[n] = i << 16 | c->gen;
		n++;
	}
	return n;
}

/* After poll(): echo what came, on slots that are still what was polled. */
void hvtestdev_poll_done(struct hvtestdev *d, const struct pollfd *p,
			 const uint32_t *tags, unsigned int n)
{
	unsigned int i, slot;

	for (i = 0; i < HVTESTDEV_MAX_CONNS; i++)
		if (d->conns[i].used && d->conns[i].held)
			conn_echo_held(d, &d->conns[i]);
	for (i = 0; i < n; i++) {
		slot = tags[i] >> 16;
		if (!p[i].revents || slot >= HVTESTDEV_MAX_CONNS ||
		    !d->conns[slot].used ||
		    d->conns[slot].gen != (tags[i] & 0xffff))
			continue;
		conn_service(d, &d->conns[slot]);
	}
}
