// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the SynIC test device (hvtestdev.c) against the fake
 * /dev/hvpart: when the worker has it, how each command maps onto the
 * port ioctls, the echo of messages (with -EAGAIN held and retried) and
 * events, and the commands it ignores.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../cli.h"
#include "../libhvpart.h"
#include "../worker.h"
#include "fake_hvpart.h"
#include "test.h"

static struct worker w;
static int null_fd = -1;

/* A LOCAL_APIC partition's default adds AccessSynicRegs (bit 2) */
#define SYNIC_PRIVILEGES	(FAKE_PRIVILEGES | 4ull)

static void setup_privs(bool lapic, bool synic, uint64_t privileges)
{
	struct worker_config cfg = {
		.ram_size = 4ull << 20, .nr_vps = lapic ? 2 : 1, .in_fd = -1,
	};

	if (w.sys_fd > 0)
		worker_destroy(&w);
	if (null_fd < 0)
		null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	cfg.out_fd = null_fd;
	fake_reset();
	fake.caps[HVPART_CAP_LOCAL_APIC] = lapic;
	fake.caps[HVPART_CAP_SYNIC] = synic;
	fake.props[HVPART_PROP_PRIVILEGE_MASK] = privileges;
	worker_init(&w);
	CHECK_EQ(worker_setup(&w, &cfg), 0);
}

static void setup(bool lapic, bool synic)
{
	setup_privs(lapic, synic, SYNIC_PRIVILEGES);
}

static void cmd(uint32_t c, uint32_t vp, uint32_t sint, uint32_t conn)
{
	port_bus_write(&w.bus, HVTESTDEV_BASE, 4,
		       conn << 24 | c << 16 | vp << 8 | sint);
}

/* One round of the I/O thread's work on the device, without blocking. */
static int io_round(void)
{
	struct pollfd p[HVTESTDEV_MAX_CONNS];
	uint32_t tags[HVTESTDEV_MAX_CONNS];
	int timeout = -1;
	unsigned int n;

	n = hvtestdev_poll_fds(&w.testdev, p, tags, HVTESTDEV_MAX_CONNS,
			       &timeout);
	if (n)
		poll(p, n, 0);
	hvtestdev_poll_done(&w.testdev, p, tags, n);
	return timeout;
}

static void test_presence(void)
{
	setup(true, true);
	CHECK(w.has_testdev);
	CHECK_EQ(port_bus_read(&w.bus, HVTESTDEV_BASE, 4), 0);
	setup(false, true);
	CHECK(!w.has_testdev);
	CHECK_EQ(port_bus_read(&w.bus, HVTESTDEV_BASE, 4), 0xffffffff);
	setup(true, false);
	CHECK(!w.has_testdev);
	/* without AccessSynicRegs */
	setup_privs(true, true, FAKE_PRIVILEGES);
	CHECK(!w.has_testdev);
}

static void test_sint_route(void)
{
	setup(true, true);
	/* SET_SINT without a route: nothing */
	cmd(HVTESTDEV_SINT_ROUTE_SET_SINT, 1, 2, 0);
	CHECK_EQ(fake.nr_signals, 0);
	cmd(HVTESTDEV_SINT_ROUTE_CREATE, 1, 2, 0);
	cmd(HVTESTDEV_SINT_ROUTE_SET_SINT, 1, 2, 0);
	CHECK_EQ(fake.nr_signals, 1);
	CHECK_EQ(fake.signals[0].vp_index, 1);
	CHECK_EQ(fake.signals[0].sint, 2);
	CHECK_EQ(fake.signals[0].flag_number, 0);
	CHECK_EQ(fake.signals[0].flags, HVPART_SIGNAL_EVENT_SINT_ONLY);
	/* another VP's SINT 2 is another route */
	cmd(HVTESTDEV_SINT_ROUTE_SET_SINT, 0, 2, 0);
	CHECK_EQ(fake.nr_signals, 1);
	cmd(HVTESTDEV_SINT_ROUTE_DESTROY, 1, 2, 0);
	cmd(HVTESTDEV_SINT_ROUTE_SET_SINT, 1, 2, 0);
	CHECK_EQ(fake.nr_signals, 1);
	/* hvpart refuses (SINT masked): ignored, nothing breaks */
	cmd(HVTESTDEV_SINT_ROUTE_CREATE, 0, 5, 0);
	fake.signal_err = ENOTCONN;
	cmd(HVTESTDEV_SINT_ROUTE_SET_SINT, 0, 5, 0);
	CHECK_EQ(fake.nr_signals, 1);
	CHECK_EQ(w.testdev.signalled, 1);
}

static void test_message_echo(void)
{
	struct hvpart_message m = { 0 };
	struct hvpart_post_message *pm;

	setup(true, true);
	cmd(HVTESTDEV_MSG_CONN_CREATE, 1, 3, 0x10);
	CHECK_EQ(fake.nr_ports, 1);
	CHECK_EQ(fake.ports[0].port_id, HVTESTDEV_MSG_PORT_BASE + 0x10);
	CHECK_EQ(fake.ports[0].port_type, HVPART_PORT_TYPE_MESSAGE);
	CHECK_EQ(fake.ports[0].flags, HVPART_PORT_TO_ROOT);
	CHECK_EQ(fake.nr_conns, 1);
	CHECK_EQ(fake.conns[0].connection_id, 0x10);
	CHECK_EQ(fake.conns[0].port_id, HVTESTDEV_MSG_PORT_BASE + 0x10);
	/* the same connection again: ignored */
	cmd(HVTESTDEV_MSG_CONN_CREATE, 1, 3, 0x10);
	CHECK_EQ(fake.nr_ports, 1);

	/* what the guest posted comes back to VP1's SINT3 */
	m.header.message_type = 0x4d5a;
	m.header.payload_size = 5;
	m.header.sender = HVTESTDEV_MSG_PORT_BASE + 0x10;
	memcpy(m.u.payload, "hello", 5);
	CHECK_EQ(write(fake.port_wr[0], &m, sizeof(m)), sizeof(m));
	CHECK_EQ(io_round(), -1);
	CHECK_EQ(fake.nr_posts, 1);
	pm = &fake.posts[0];
	CHECK_EQ(pm->vp_index, 1);
	CHECK_EQ(pm->sint, 3);
	CHECK_EQ(pm->message_type, 0x4d5a);
	CHECK_EQ(pm->payload_size, 5);
	CHECK(!memcmp(pm->payload, "hello", 5));

	/* the SINT's queue is full: held, retried, not read past */
	fake.post_err = EAGAIN;
	m.header.payload_size = 1;
	CHECK_EQ(write(fake.port_wr[0], &m, sizeof(m)), sizeof(m));
	CHECK_EQ(write(fake.port_wr[0], &m, sizeof(m)), sizeof(m));
	CHECK_EQ(io_round(), -1);
	CHECK_EQ(io_round(), HVTESTDEV_RETRY_MS);
	CHECK_EQ(fake.nr_posts, 1);
	fake.post_err = 0;
	io_round();
	CHECK_EQ(fake.nr_posts, 2);
	io_round();
	CHECK_EQ(fake.nr_posts, 3);
	CHECK_EQ(w.testdev.echoed, 3);

	/* destroyed: disconnected and deleted */
	cmd(HVTESTDEV_MSG_CONN_DESTROY, 0, 0, 0x10);
	CHECK_EQ(fake.nr_disconnects, 1);
	CHECK_EQ(fake.nr_deleted, 1);
	CHECK_EQ(fake.deleted[0], HVTESTDEV_MSG_PORT_BASE + 0x10);
	CHECK_EQ(io_round(), -1);
	cmd(HVTESTDEV_MSG_CONN_DESTROY, 0, 0, 0x10);
	CHECK_EQ(fake.nr_deleted, 1);
}

static void test_event_echo(void)
{
	uint64_t one = 1;

	setup(true, true);
	cmd(HVTESTDEV_EVT_CONN_CREATE, 0, 4, 0x21);
	CHECK_EQ(fake.nr_ports, 1);
	CHECK_EQ(fake.ports[0].port_id, HVTESTDEV_EVT_PORT_BASE + 0x21);
	CHECK_EQ(fake.ports[0].port_type, HVPART_PORT_TYPE_EVENT);
	CHECK_EQ(fake.ports[0].flag_count, 1);
	CHECK(fake.ports[0].eventfd >= 0);
	io_round();
	CHECK_EQ(fake.nr_signals, 0);
	CHECK_EQ(write(fake.ports[0].eventfd, &one, sizeof(one)),
		 sizeof(one));
	io_round();
	CHECK_EQ(fake.nr_signals, 1);
	CHECK_EQ(fake.signals[0].vp_index, 0);
	CHECK_EQ(fake.signals[0].sint, 4);
	CHECK_EQ(fake.signals[0].flag_number, 0x21);
	CHECK_EQ(fake.signals[0].flags, 0);
	io_round();
	CHECK_EQ(fake.nr_signals, 1);
	cmd(HVTESTDEV_EVT_CONN_DESTROY, 0, 0, 0x21);
	CHECK_EQ(fake.nr_deleted, 1);
	CHECK_EQ(fake.deleted[0], HVTESTDEV_EVT_PORT_BASE + 0x21);
}

static void test_ignored(void)
{
	setup(true, true);
	cmd(0x99, 0, 0, 0);
	cmd(0, 0, 0, 0);
	cmd(HVTESTDEV_SINT_ROUTE_CREATE, 2, 0, 0);	/* VP 2 of 2 */
	cmd(HVTESTDEV_SINT_ROUTE_CREATE, 0, 16, 0);	/* SINT 16 */
	cmd(HVTESTDEV_MSG_CONN_CREATE, 0, 1, 0);	/* connection 0 */
	cmd(HVTESTDEV_EVT_CONN_DESTROY, 0, 0, 5);	/* none */
	cmd(HVTESTDEV_SINT_ROUTE_SET_SINT, 2, 0, 0);
	cmd(HVTESTDEV_SINT_ROUTE_SET_SINT, 0, 16, 0);
	/* narrower writes, and 32 bits at an odd port */
	port_bus_write(&w.bus, HVTESTDEV_BASE, 1, 0x01);
	port_bus_write(&w.bus, HVTESTDEV_BASE, 2, 0x0100);
	port_bus_write(&w.bus, HVTESTDEV_BASE + 1, 4, 0x00010002);
	CHECK_EQ(fake.nr_ports, 0);
	CHECK_EQ(fake.nr_signals, 0);
	CHECK(w.testdev.warned);
	CHECK_EQ(port_bus_read(&w.bus, HVTESTDEV_BASE + 2, 2), 0);
	worker_destroy(&w);
}

int main(void)
{
	setenv("HVPART_DEVICE", "/dev/null", 1);
	TEST(test_presence);
	TEST(test_sint_route);
	TEST(test_message_echo);
	TEST(test_event_echo);
	TEST(test_ignored);
	return test_done();
}
