// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of the VMBus server (vmbus/vmbus.c, included so that
 * its message handlers and ring code can be driven directly, without
 * its thread): the control protocol as a guest speaks it, every refusal
 * of a bad request, the rings both ways with their signalling rules, a
 * guest that breaks its ring, rescinds and relid releases, hv_sock
 * connections (vmbus/sock.c, included too) from the root's request to
 * the rescind, and fuzzers of control messages and ring contents.
 * "Guest RAM" is a buffer; the fake /dev/hvpart records the messages
 * posted and the events signalled.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../vmbus/vmbus.c"
#include "../vmbus/sock.c"
#include "fake_hvpart.h"
#include "le.h"
#include "test.h"

#define RAM_PAGES	64
static uint8_t ram[RAM_PAGES * VMBUS_PAGE_SIZE]
	__attribute__((aligned(VMBUS_PAGE_SIZE)));

static struct vmbus *bus;

/* What the test device saw */
static unsigned int dev_opens, dev_events, dev_closes, dev_releases;
static uint32_t dev_open_status;
static struct vmbus_pkt dev_pkt;
static uint8_t dev_data[VMBUS_MAX_PKT];
static int dev_recv_ret;

static uint32_t dev_open(struct vmbus_chan *ch)
{
	(void)ch;
	dev_opens++;
	return dev_open_status;
}

static void dev_event(struct vmbus_chan *ch)
{
	dev_events++;
	dev_recv_ret = vmbus_chan_recv(ch, &dev_pkt);
	if (!dev_recv_ret)
		memcpy(dev_data, dev_pkt.data, dev_pkt.len);
	/* drain the rest */
	while (!vmbus_chan_recv(ch, &dev_pkt))
		;
}

static void dev_close(struct vmbus_chan *ch)
{
	(void)ch;
	dev_closes++;
}

static void dev_release(struct vmbus_chan *ch)
{
	(void)ch;
	dev_releases++;
}

static const struct vmbus_dev_ops dev_ops = {
	.name = "test",
	.if_type = { { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 } },
	.open = dev_open,
	.event = dev_event,
	.close = dev_close,
	.release = dev_release,
};

/* A control message from the guest */
static void guest_msg(const void *m, uint32_t len)
{
	vmbus_on_message(bus, m, len);
}

/* The type of posted message @i, or 0 */
static uint32_t posted_type(unsigned int i)
{
	struct vmbus_msg_header h;

	if (i >= fake.nr_posts)
		return 0;
	memcpy(&h, fake.posts[i].payload, sizeof(h));
	return h.msgtype;
}

static const void *posted(unsigned int i)
{
	return fake.posts[i].payload;
}

static void contact(uint32_t version, uint8_t sint)
{
	struct vmbus_msg_initiate_contact c = {
		.header.msgtype = VMBUS_MSG_INITIATE_CONTACT,
		.version_requested = version,
		.target_vcpu = 1,
	};

	c.msg_sint = sint;
	guest_msg(&c, sizeof(c));
}

/* A GPADL of @n pages from @first for @relid, sent as Linux does */
static void gpadl(uint32_t relid, uint32_t handle, uint64_t first,
		  uint32_t n)
{
	uint8_t m[240];
	struct vmbus_msg_gpadl_header h = {
		.header.msgtype = VMBUS_MSG_GPADL_HEADER,
		.child_relid = relid,
		.gpadl = handle,
		.range_buflen = 8 + 8 * n,
		.rangecount = 1,
	};
	struct vmbus_gpa_range r = { .byte_count = n * VMBUS_PAGE_SIZE };
	struct vmbus_msg_gpadl_body b = {
		.header.msgtype = VMBUS_MSG_GPADL_BODY,
		.gpadl = handle,
	};
	uint32_t i = 0, k, here;
	uint64_t pfn;

	memcpy(m, &h, sizeof(h));
	memcpy(m + sizeof(h), &r, sizeof(r));
	here = (240 - sizeof(h) - sizeof(r)) / 8;
	for (k = 0; k < here && i < n; k++, i++) {
		pfn = first + i;
		memcpy(m + sizeof(h) + sizeof(r) + 8 * k, &pfn, 8);
	}
	guest_msg(m, sizeof(h) + sizeof(r) + 8 * k);
	while (i < n) {
		memcpy(m, &b, sizeof(b));
		for (k = 0; k < 28 && i < n; k++, i++) {
			pfn = first + i;
			memcpy(m + sizeof(b) + 8 * k, &pfn, 8);
		}
		guest_msg(m, sizeof(b) + 8 * k);
	}
}

static uint32_t last_gpadl_status(void)
{
	const struct vmbus_msg_gpadl_created *c =
		posted(fake.nr_posts - 1);

	CHECK_EQ(posted_type(fake.nr_posts - 1), VMBUS_MSG_GPADL_CREATED);
	return c->creation_status;
}

static uint32_t open_chan(uint32_t relid, uint32_t handle, uint32_t off,
			  uint32_t vp)
{
	struct vmbus_msg_open_channel o = {
		.header.msgtype = VMBUS_MSG_OPENCHANNEL,
		.child_relid = relid,
		.openid = 7,
		.ringbuffer_gpadl = handle,
		.target_vp = vp,
		.downstream_ring_pageoffset = off,
	};
	const struct vmbus_msg_open_result *r;
	unsigned int n = fake.nr_posts;

	guest_msg(&o, sizeof(o));
	CHECK_EQ(fake.nr_posts, n + 1);
	CHECK_EQ(posted_type(n), VMBUS_MSG_OPENCHANNEL_RESULT);
	r = posted(n);
	CHECK(r->child_relid == relid && r->openid == 7);
	return r->status;
}

/* The guest's view of its rings: pages 10-13 outbound, 14-17 inbound */
static struct vmbus_ring_header *g_out = (void *)(ram + 10 * 4096);
static uint8_t *g_out_data = ram + 11 * 4096;
static struct vmbus_ring_header *g_in = (void *)(ram + 14 * 4096);
static uint8_t *g_in_data = ram + 15 * 4096;
#define G_RING	(3 * 4096)

/* The guest writes an inband packet of @len bytes of @fill */
static void guest_write(uint8_t fill, uint32_t len, uint64_t id)
{
	struct vmbus_packet_desc d = {
		.type = VMBUS_PKT_DATA_INBAND,
		.offset8 = 2,
		.len8 = (16 + len + 7) / 8,
		.trans_id = id,
	};
	uint32_t w = g_out->write_index, total = d.len8 * 8 + 8, i;
	uint64_t prev = (uint64_t)w << 32;
	uint8_t pkt[4096];

	memcpy(pkt, &d, 16);
	memset(pkt + 16, fill, d.len8 * 8 - 16);
	memcpy(pkt + d.len8 * 8, &prev, 8);
	for (i = 0; i < total; i++)
		g_out_data[(w + i) % G_RING] = pkt[i];
	g_out->write_index = (w + total) % G_RING;
}

/* The guest writes an inband packet of @len bytes from @p */
static void guest_write_buf(const void *p, uint32_t len)
{
	struct vmbus_packet_desc d = {
		.type = VMBUS_PKT_DATA_INBAND,
		.offset8 = 2,
		.len8 = (16 + len + 7) / 8,
	};
	uint32_t w = g_out->write_index, total = d.len8 * 8 + 8, i;
	uint64_t prev = (uint64_t)w << 32;
	uint8_t pkt[VMBUS_MAX_PKT];

	memset(pkt, 0, sizeof(pkt));
	memcpy(pkt, &d, 16);
	memcpy(pkt + 16, p, len);
	memcpy(pkt + d.len8 * 8, &prev, 8);
	for (i = 0; i < total; i++)
		g_out_data[(w + i) % G_RING] = pkt[i];
	g_out->write_index = (w + total) % G_RING;
}

/* A hv_sock packet from the guest: a pipe header, @len bytes of @p */
static void guest_sock_write(uint32_t type, const void *p, uint32_t len,
			     uint32_t claim)
{
	uint8_t buf[4096];
	struct vmbus_pipe_hdr h = { .flags = type, .msgsize = claim };

	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), p, len);
	guest_write_buf(buf, sizeof(h) + len);
}

/*
 * The guest reads its inbound ring: the payload of the next packet in
 * @buf (at most @size bytes), its length, or -1 if it is empty.
 */
static int guest_read(void *buf, uint32_t size)
{
	struct vmbus_packet_desc d;
	uint32_t r = g_in->read_index, len, i;
	uint8_t *p = buf;

	if (r == g_in->write_index)
		return -1;
	for (i = 0; i < sizeof(d); i++)
		((uint8_t *)&d)[i] = g_in_data[(r + i) % G_RING];
	len = d.len8 * 8 - d.offset8 * 8;
	for (i = 0; i < len && i < size; i++)
		p[i] = g_in_data[(r + d.offset8 * 8 + i) % G_RING];
	g_in->read_index = (r + d.len8 * 8 + 8) % G_RING;
	return len;
}

static struct vmbus_chan *chan1(void)
{
	return bus->chans[0];
}

/* ---- tests ------------------------------------------------------------ */

static void setup(void)
{
	fake_reset();
	memset(ram, 0, sizeof(ram));
	bus = vmbus_create(3, ram, sizeof(ram), 2);
	CHECK(bus);
	CHECK_EQ(vmbus_add_device(bus, &dev_ops, NULL), 0);
	CHECK_EQ(vmbus_add_device(bus, &dev_ops, NULL), 0);
	bus->epfd = epoll_create1(EPOLL_CLOEXEC);
	bus->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	bus->retry_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	bus->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	dev_releases = 0;
}

static void test_contact(void)
{
	const struct vmbus_msg_version_response *r;
	struct vmbus_msg_header h = { .msgtype = VMBUS_MSG_REQUESTOFFERS };

	setup();
	/* nothing before a contact */
	guest_msg(&h, sizeof(h));
	CHECK_EQ(fake.nr_posts, 0);
	/* versions Linux does not offer, or 5.x on another SINT: refused */
	contact(0x00010001, 0);
	contact(0x00090000, 2);
	contact(VMBUS_VERSION_WIN10_V5, 3);
	CHECK_EQ(fake.nr_posts, 3);
	for (unsigned int i = 0; i < 3; i++) {
		r = posted(i);
		CHECK(posted_type(i) == VMBUS_MSG_VERSION_RESPONSE &&
		      !r->version_supported);
	}
	CHECK(!bus->connected);
	/* a VP that does not exist: no answer */
	{
		struct vmbus_msg_initiate_contact c = {
			.header.msgtype = VMBUS_MSG_INITIATE_CONTACT,
			.version_requested = VMBUS_VERSION_WIN8,
			.target_vcpu = 2,
		};
		guest_msg(&c, sizeof(c));
		CHECK_EQ(fake.nr_posts, 3);
	}
	contact(VMBUS_VERSION_WIN10_V5_3, 2);
	r = posted(3);
	CHECK(r->version_supported && r->msg_conn_id == 4);
	CHECK(fake.posts[3].vp_index == 1 && fake.posts[3].sint == 2 &&
	      fake.posts[3].message_type == 1);
	/* offers, then all delivered */
	guest_msg(&h, sizeof(h));
	CHECK_EQ(fake.nr_posts, 7);
	for (unsigned int i = 4; i < 6; i++) {
		const struct vmbus_msg_offer_channel *o = posted(i);

		CHECK(posted_type(i) == VMBUS_MSG_OFFERCHANNEL &&
		      o->child_relid == i - 3 &&
		      o->connection_id == 0x2000 + i - 3 &&
		      o->is_dedicated_interrupt == 1 &&
		      !memcmp(&o->offer.if_type, &dev_ops.if_type, 16));
	}
	CHECK_EQ(posted_type(6), VMBUS_MSG_ALLOFFERS_DELIVERED);
	vmbus_destroy(bus);
}

static void test_bad_messages(void)
{
	uint8_t m[240];

	setup();
	contact(VMBUS_VERSION_WIN8, 0);
	CHECK_EQ(fake.nr_posts, 1);
	memset(m, 0, sizeof(m));
	guest_msg(m, 4);				/* short */
	m[0] = 99;
	guest_msg(m, 240);				/* unknown type */
	m[0] = VMBUS_MSG_OFFERCHANNEL;		/* the host's own */
	guest_msg(m, 240);
	m[0] = VMBUS_MSG_OPENCHANNEL;		/* too short for its type */
	guest_msg(m, 20);
	m[0] = VMBUS_MSG_CLOSECHANNEL;		/* no such channel */
	m[8] = 9;
	guest_msg(m, 12);
	m[0] = VMBUS_MSG_MODIFYCHANNEL;		/* before 4.1 */
	guest_msg(m, 16);
	CHECK_EQ(fake.nr_posts, 1);
	vmbus_destroy(bus);
}

static void test_gpadls(void)
{
	struct vmbus_msg_gpadl_teardown t = {
		.header.msgtype = VMBUS_MSG_GPADL_TEARDOWN,
		.child_relid = 1,
		.gpadl = 0x100,
	};
	uint8_t m[64];
	uint32_t n;

	setup();
	contact(VMBUS_VERSION_WIN10, 0);
	/* good, and long enough to need two body messages */
	gpadl(1, 0x100, 0, 60);
	CHECK_EQ(last_gpadl_status(), 0);
	CHECK(bus->gpadls && bus->gpadls->have == 60);
	/* the same handle again, an unknown channel, a page beyond RAM */
	gpadl(1, 0x100, 0, 2);
	CHECK(last_gpadl_status() != 0);
	gpadl(9, 0x101, 0, 2);
	CHECK(last_gpadl_status() != 0);
	gpadl(1, 0x102, RAM_PAGES - 1, 2);
	CHECK(last_gpadl_status() != 0);
	gpadl(1, 0x103, RAM_PAGES + 40, 40);	/* the bad page in a body */
	CHECK(last_gpadl_status() != 0);
	CHECK(!vmbus_find_gpadl(bus, 0x103));
	/* two ranges, a range_buflen that does not match */
	memset(m, 0, sizeof(m));
	m[0] = VMBUS_MSG_GPADL_HEADER;
	m[8] = 1;
	m[12] = 0x4;
	m[16] = 16;				/* range_buflen */
	m[18] = 2;				/* rangecount */
	m[21] = 0x10;				/* 4096 bytes */
	n = fake.nr_posts;
	guest_msg(m, 36);
	CHECK(fake.nr_posts == n + 1 && last_gpadl_status() != 0);
	m[18] = 1;
	m[16] = 24;
	guest_msg(m, 36);
	CHECK(last_gpadl_status() != 0);
	/* a body for a GPADL that waits for none: no answer */
	n = fake.nr_posts;
	memset(m, 0, sizeof(m));
	m[0] = VMBUS_MSG_GPADL_BODY;
	m[12] = 0x77;
	guest_msg(m, 24);
	CHECK_EQ(fake.nr_posts, n);
	/* teardown: torn down, then unknown */
	guest_msg(&t, sizeof(t));
	CHECK_EQ(posted_type(fake.nr_posts - 1), VMBUS_MSG_GPADL_TORNDOWN);
	n = fake.nr_posts;
	guest_msg(&t, sizeof(t));
	CHECK_EQ(fake.nr_posts, n);
	CHECK(!bus->gpadls);
	vmbus_destroy(bus);
}

static void test_open_and_rings(void)
{
	struct vmbus_chan *ch;
	uint8_t reply[100];
	unsigned int i;

	setup();
	contact(VMBUS_VERSION_WIN10_V5_3, 2);
	gpadl(1, 0x200, 10, 8);
	CHECK_EQ(last_gpadl_status(), 0);
	gpadl(2, 0x201, 20, 4);
	CHECK_EQ(last_gpadl_status(), 0);
	/* refusals */
	CHECK(open_chan(9, 0x200, 4, 0) != 0);		/* no channel */
	CHECK(open_chan(1, 0x201, 2, 0) != 0);		/* not its GPADL */
	CHECK(open_chan(1, 0x999, 4, 0) != 0);		/* no GPADL */
	CHECK(open_chan(1, 0x200, 0, 0) != 0);		/* no outbound ring */
	CHECK(open_chan(1, 0x200, 7, 0) != 0);		/* no inbound ring */
	CHECK(open_chan(1, 0x200, 4, 2) != 0);		/* no VP 2 */
	dev_open_status = VMBUS_STATUS_UNSUCCESSFUL;	/* the device says no */
	CHECK(open_chan(1, 0x200, 4, 0) != 0);
	dev_open_status = 0;
	CHECK(open_chan(1, 0x200, 4, 1) == 0);
	CHECK(open_chan(1, 0x200, 4, 1) != 0);		/* open already */
	ch = chan1();
	CHECK(ch->open && ch->rx.size == G_RING && ch->tx.size == G_RING);
	/* the guest writes, signals: the device gets it whole */
	guest_write(0xab, 40, 0x55);
	dev_events = 0;
	vmbus_chan_event(ch);
	CHECK(dev_events == 1 && !dev_recv_ret && dev_pkt.trans_id == 0x55 &&
	      dev_pkt.len == 40 && dev_data[0] == 0xab && dev_data[39] == 0xab);
	CHECK_EQ(g_out->read_index, g_out->write_index);
	CHECK_EQ(g_out->interrupt_mask, 0);
	/* many packets, around the end of the ring */
	for (i = 0; i < 200; i++) {
		guest_write(i, 100 + i % 50, i);
		vmbus_chan_event(ch);
		CHECK(!dev_recv_ret && dev_data[0] == (uint8_t)i &&
		      dev_pkt.len == ((100 + i % 50 + 7) & ~7u));
	}
	/* host to guest: the packet, the trailer, a signal to VP 1 */
	fake.nr_signals = 0;
	memset(reply, 0x5a, sizeof(reply));
	CHECK_EQ(vmbus_chan_send(ch, VMBUS_PKT_COMP, 0, 0x66, reply, 100), 0);
	CHECK(fake.nr_signals == 1 && fake.signals[0].vp_index == 1 &&
	      fake.signals[0].sint == 2 && fake.signals[0].flag_number == 1);
	CHECK_EQ(g_in->write_index, 16 + 104 + 8);
	CHECK(get16(g_in_data) == VMBUS_PKT_COMP && get16(g_in_data + 2) == 2 &&
	      get16(g_in_data + 4) == 15 && get64(g_in_data + 8) == 0x66 &&
	      g_in_data[16] == 0x5a && g_in_data[115] == 0x5a &&
	      g_in_data[116] == 0);
	/* the ring not empty, or masked: no signal */
	CHECK_EQ(vmbus_chan_send(ch, VMBUS_PKT_COMP, 0, 1, reply, 8), 0);
	g_in->read_index = g_in->write_index;
	g_in->interrupt_mask = 1;
	CHECK_EQ(vmbus_chan_send(ch, VMBUS_PKT_COMP, 0, 1, reply, 8), 0);
	CHECK_EQ(fake.nr_signals, 1);
	g_in->interrupt_mask = 0;
	/* full: -EAGAIN and the guest asked to signal */
	g_in->read_index = (g_in->write_index + 40) % G_RING;
	CHECK_EQ(vmbus_chan_send(ch, VMBUS_PKT_COMP, 0, 1, reply, 100),
		 -EAGAIN);
	CHECK(g_in->pending_send_sz > 100);
	vmbus_destroy(bus);
}

/*
 * The guest's pending_send_sz on its outbound ring: a read that frees
 * what it waits for signals it, once.
 */
static void test_pending_send(void)
{
	struct vmbus_chan *ch;

	setup();
	contact(VMBUS_VERSION_WIN8_1, 0);
	gpadl(1, 0x200, 10, 8);
	CHECK(open_chan(1, 0x200, 4, 0) == 0);
	ch = chan1();
	g_out->feature_bits = VMBUS_RING_FEAT_PENDING_SEND_SZ;
	/* nearly full */
	while (G_RING - (g_out->write_index - g_out->read_index) > 600)
		guest_write(1, 300, 1);
	/* it waits for more than is free now, less than the ring */
	g_out->pending_send_sz = 1000;
	fake.nr_signals = 0;
	vmbus_chan_event(ch);
	CHECK_EQ(fake.nr_signals, 1);
	/* not waiting: no signal */
	guest_write(1, 300, 1);
	g_out->pending_send_sz = 0;
	vmbus_chan_event(ch);
	CHECK_EQ(fake.nr_signals, 1);
	vmbus_destroy(bus);
}

/* A guest that breaks its ring: the channel takes nothing more */
static void test_hostile_ring(void)
{
	struct vmbus_chan *ch;
	struct vmbus_packet_desc d;

	setup();
	contact(VMBUS_VERSION_WIN10, 0);
	gpadl(1, 0x200, 10, 8);
	CHECK(open_chan(1, 0x200, 4, 0) == 0);
	ch = chan1();
	g_out->write_index = G_RING + 8;		/* past the ring */
	dev_events = 0;
	vmbus_chan_event(ch);
	CHECK(dev_events == 1 && dev_recv_ret == -EBADMSG);
	vmbus_chan_event(ch);
	CHECK_EQ(dev_events, 1);
	/* reopen; then a packet longer than what was written */
	guest_msg(&(struct vmbus_msg_relid){
		.header.msgtype = VMBUS_MSG_CLOSECHANNEL, .child_relid = 1 },
		  sizeof(struct vmbus_msg_relid));
	CHECK(!ch->open && dev_closes);
	memset(g_out, 0, 4096);
	CHECK(open_chan(1, 0x200, 4, 0) == 0);
	d = (struct vmbus_packet_desc){ .type = 6, .offset8 = 2, .len8 = 200 };
	memcpy(g_out_data, &d, sizeof(d));
	g_out->write_index = 64;
	vmbus_chan_event(ch);
	CHECK_EQ(dev_recv_ret, -EBADMSG);
	/* and an offset8 inside the descriptor */
	guest_msg(&(struct vmbus_msg_relid){
		.header.msgtype = VMBUS_MSG_CLOSECHANNEL, .child_relid = 1 },
		  sizeof(struct vmbus_msg_relid));
	memset(g_out, 0, 4096);
	CHECK(open_chan(1, 0x200, 4, 0) == 0);
	d = (struct vmbus_packet_desc){ .type = 6, .offset8 = 1, .len8 = 4 };
	memcpy(g_out_data, &d, sizeof(d));
	g_out->write_index = 40;
	vmbus_chan_event(ch);
	CHECK_EQ(dev_recv_ret, -EBADMSG);
	/* the guest tears the ring's GPADL down under the open channel */
	guest_msg(&(struct vmbus_msg_gpadl_teardown){
		.header.msgtype = VMBUS_MSG_GPADL_TEARDOWN, .child_relid = 1,
		.gpadl = 0x200 }, sizeof(struct vmbus_msg_gpadl_teardown));
	CHECK(!ch->open);
	CHECK_EQ(posted_type(fake.nr_posts - 1), VMBUS_MSG_GPADL_TORNDOWN);
	/* unload: everything goes, the answer comes */
	gpadl(2, 0x300, 20, 4);
	guest_msg(&(struct vmbus_msg_header){ .msgtype = VMBUS_MSG_UNLOAD },
		  sizeof(struct vmbus_msg_header));
	CHECK(!bus->gpadls && !bus->connected);
	CHECK_EQ(posted_type(fake.nr_posts - 1), VMBUS_MSG_UNLOAD_RESPONSE);
	vmbus_destroy(bus);
}

/* Random control messages, then random ring contents: nothing breaks */
static void test_fuzz(void)
{
	uint32_t seed = 4242, len;
	uint8_t m[240];
	unsigned int i, j;
	struct vmbus_chan *ch;

	setup();
	for (i = 0; i < 200000; i++) {
		for (j = 0; j < sizeof(m); j++) {
			seed = seed * 1103515245 + 12345;
			m[j] = seed >> 16;
		}
		m[0] %= 26;
		memset(m + 1, 0, 3);
		/* small relids, handles and page numbers, sometimes */
		if (i % 3) {
			m[8] %= 4;
			memset(m + 9, 0, 3);
		}
		seed = seed * 1103515245 + 12345;
		len = (seed >> 16) % 241;
		if (i % 1000 == 0)
			contact(VMBUS_VERSION_WIN10_V5_3, 2);
		guest_msg(m, len);
		if (fake.nr_posts > 16)
			fake.nr_posts = 0;
		if (fake.nr_ports > 16)
			fake.nr_ports = 0;
		CHECK(bus->nr_gpadls <= VMBUS_MAX_GPADLS);
		if (test_failed)
			break;
	}
	/* a ring full of noise */
	contact(VMBUS_VERSION_WIN10_V5_3, 2);
	gpadl(1, 0x900, 10, 8);
	for (i = 0; i < 20000 && !test_failed; i++) {
		ch = chan1();
		if (!ch->open) {
			memset(g_out, 0, 4096);
			fake.nr_posts = 0;
			fake.nr_ports = 0;	/* the fake's table, not ours */
			CHECK(open_chan(1, 0x900, 4, 0) == 0);
		}
		for (j = 0; j < 64; j++) {
			seed = seed * 1103515245 + 12345;
			g_out_data[(seed >> 8) % G_RING] = seed >> 16;
		}
		seed = seed * 1103515245 + 12345;
		g_out->write_index = (seed >> 4) % (G_RING + 64) & ~7u;
		vmbus_chan_event(ch);
		CHECK(dev_recv_ret || dev_pkt.len <= VMBUS_MAX_PKT);
		if (i % 100 == 0)
			guest_msg(&(struct vmbus_msg_relid){
				.header.msgtype = VMBUS_MSG_CLOSECHANNEL,
				.child_relid = 1 },
				  sizeof(struct vmbus_msg_relid));
	}
	vmbus_destroy(bus);
}

/* Sub-channels: offered on request, opened, gone with the connection */
static void test_subchannels(void)
{
	struct vmbus_chan *sub;
	const struct vmbus_msg_offer_channel *o;
	unsigned int n;

	setup();
	contact(VMBUS_VERSION_WIN10_V5_3, 2);
	gpadl(1, 0x200, 10, 8);
	CHECK(open_chan(1, 0x200, 4, 0) == 0);
	n = fake.nr_posts;
	sub = vmbus_add_subchannel(chan1(), 1, NULL);
	CHECK(sub && vmbus_chan_primary(sub) == chan1() &&
	      vmbus_chan_sub_index(sub) == 1 && sub->relid == 3);
	CHECK_EQ(posted_type(n), VMBUS_MSG_OFFERCHANNEL);
	o = posted(n);
	CHECK(o->child_relid == 3 && o->offer.sub_channel_index == 1 &&
	      !memcmp(&o->offer.if_instance, &chan1()->instance, 16));
	gpadl(3, 0x300, 20, 4);
	CHECK(open_chan(3, 0x300, 2, 1) == 0);
	/* a new contact: the sub-channel is gone, the primaries stay */
	contact(VMBUS_VERSION_WIN10_V5_3, 2);
	CHECK_EQ(bus->nr_chans, 2);
	sub = vmbus_add_subchannel(chan1(), 1, NULL);
	CHECK(sub && sub->relid == 3);
	vmbus_destroy(bus);
}

static uint32_t posted_relid(unsigned int i, uint32_t type)
{
	const struct vmbus_msg_relid *m = posted(i);

	return posted_type(i) == type ? m->child_relid : 0;
}

/* Dynamic channels: offered, rescinded, released, their relid reused */
static void test_rescind(void)
{
	static const struct vmbus_guid type = { { 0xaa, 0xbb } };
	static const struct vmbus_guid inst = { { 0xcc } };
	struct vmbus_msg_relid rel = {
		.header.msgtype = VMBUS_MSG_RELID_RELEASED,
	};
	struct vmbus_msg_relid cl = {
		.header.msgtype = VMBUS_MSG_CLOSECHANNEL,
	};
	const struct vmbus_msg_offer_channel *o;
	uint8_t ud[5] = { 0, 0, 0, 0, 1 };
	struct vmbus_chan *ch;
	unsigned int n;

	setup();
	/* none before the guest connects */
	CHECK(!vmbus_offer_channel(bus, &dev_ops, NULL, &type, &inst, 0x2010,
				   ud, sizeof(ud)));
	contact(VMBUS_VERSION_WIN10_V5_3, 2);
	n = fake.nr_posts;
	ch = vmbus_offer_channel(bus, &dev_ops, NULL, &type, &inst, 0x2010,
				 ud, sizeof(ud));
	CHECK(ch && ch->relid == 3 && bus->nr_chans == 3);
	CHECK_EQ(posted_type(n), VMBUS_MSG_OFFERCHANNEL);
	o = posted(n);
	CHECK(o->child_relid == 3 && o->offer.chn_flags == 0x2010 &&
	      o->offer.user_def[4] == 1 && o->offer.if_type.b[1] == 0xbb &&
	      o->offer.if_instance.b[0] == 0xcc);
	gpadl(3, 0x400, 10, 8);
	CHECK(open_chan(3, 0x400, 4, 0) == 0);
	/* a device's primary channel is never rescinded */
	n = fake.nr_posts;
	vmbus_chan_rescind(chan1());
	CHECK(fake.nr_posts == n && !chan1()->rescinded);
	dev_closes = 0;
	vmbus_chan_rescind(ch);
	CHECK(dev_closes == 1 && !ch->open && ch->rescinded);
	CHECK_EQ(posted_relid(n, VMBUS_MSG_RESCIND_CHANNELOFFER), 3);
	/* a second rescind sends nothing */
	vmbus_chan_rescind(ch);
	CHECK_EQ(fake.nr_posts, n + 1);
	/* the guest's close crosses it: quiet; an open: refused */
	cl.child_relid = 3;
	guest_msg(&cl, sizeof(cl));
	CHECK(open_chan(3, 0x400, 4, 0) != 0);
	/* the relid is not free before the guest releases it */
	CHECK(vmbus_offer_channel(bus, &dev_ops, NULL, &type, &inst, 0, NULL,
				  0)->relid == 4);
	/* releases of channels that are not rescinded: ignored */
	rel.child_relid = 1;
	guest_msg(&rel, sizeof(rel));
	rel.child_relid = 9;
	guest_msg(&rel, sizeof(rel));
	CHECK(bus->chans[0] && dev_releases == 0);
	rel.child_relid = 3;
	guest_msg(&rel, sizeof(rel));
	CHECK(dev_releases == 1 && !bus->chans[2] && bus->nr_chans == 4);
	/* its GPADL went with it (Linux tears down none after a rescind) */
	CHECK(!vmbus_find_gpadl(bus, 0x400));
	ch = vmbus_offer_channel(bus, &dev_ops, NULL, &type, &inst, 0, NULL, 0);
	CHECK(ch && ch->relid == 3);
	/* a new contact: the dynamic channels go, released */
	contact(VMBUS_VERSION_WIN10_V5_3, 2);
	CHECK(dev_releases == 3 && bus->nr_chans == 2);
	vmbus_destroy(bus);
}

/* hv_sock: the root's control connection (its worker's end in *@reply) */
static int sock_ctl(int *reply)
{
	int sv[2];

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	*reply = sv[1];
	return sv[0];
}

/* The answer on a control connection: its fd, -1 for none; @line */
static int sock_answer(int fd, char *line, size_t size)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = line, .iov_len = size - 1 };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int got = -1;
	ssize_t n;

	n = recvmsg(fd, &mh, MSG_DONTWAIT);
	line[n > 0 ? n : 0] = '\0';
	c = CMSG_FIRSTHDR(&mh);
	if (n > 0 && c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&got, CMSG_DATA(c), sizeof(int));
	return got;
}

static struct sock_conn *sock_conn_of(uint32_t relid)
{
	return vmbus_chan_priv(bus->chans[relid - 1]);
}

static void test_sock(void)
{
	char line[200], buf[64];
	const struct vmbus_msg_offer_channel *o;
	struct sock_conn *c;
	int ctl, reply, fd, i;
	unsigned int n;

	setup();
	/* no connection yet: refused */
	ctl = sock_ctl(&reply);
	CHECK_EQ(vmbus_sock_connect(bus->sock, 5000, reply), 0);
	vmbus_sock_on_wake(bus->sock);
	CHECK(sock_answer(ctl, line, sizeof(line)) < 0 &&
	      strstr(line, "error the guest has no VMBus connection"));
	close(ctl);
	/* 3.0 has no hv_sock */
	contact(VMBUS_VERSION_WIN8_1, 0);
	ctl = sock_ctl(&reply);
	vmbus_sock_connect(bus->sock, 5000, reply);
	vmbus_sock_on_wake(bus->sock);
	CHECK(sock_answer(ctl, line, sizeof(line)) < 0 &&
	      strstr(line, "needs VMBus 4.0"));
	close(ctl);

	contact(VMBUS_VERSION_WIN10_V5_3, 2);
	ctl = sock_ctl(&reply);
	n = fake.nr_posts;
	vmbus_sock_connect(bus->sock, 5000, reply);
	vmbus_sock_on_wake(bus->sock);
	/* the offer: port 5000's service GUID, the host's endpoint */
	CHECK_EQ(posted_type(n), VMBUS_MSG_OFFERCHANNEL);
	o = posted(n);
	CHECK(o->child_relid == 3 && o->offer.if_type.b[0] == 0x88 &&
	      o->offer.if_type.b[1] == 0x13 && o->offer.if_type.b[15] == 0xd3 &&
	      !memcmp(o->offer.if_instance.b + 4, o->offer.if_type.b + 4, 12) &&
	      (o->offer.chn_flags & VMBUS_CHANNEL_TLNPI_PROVIDER_OFFER) &&
	      o->offer.user_def[4] == 1);
	/* no answer until the guest accepts */
	CHECK(sock_answer(ctl, line, sizeof(line)) < 0 && !line[0]);
	gpadl(3, 0x500, 10, 8);
	CHECK(open_chan(3, 0x500, 4, 0) == 0);
	fd = sock_answer(ctl, line, sizeof(line));
	CHECK(fd >= 0 && !strcmp(line, "ok\n"));
	close(ctl);
	c = sock_conn_of(3);
	/* root to guest: one packet, a pipe header and the bytes */
	CHECK_EQ(write(fd, "hello", 5), 5);
	conn_fd_ready(c);
	CHECK_EQ(guest_read(buf, sizeof(buf)), 16);
	CHECK(!memcmp(buf, "\x01\0\0\0\x05\0\0\0hello", 13));
	/* guest to root */
	guest_sock_write(1, "abc", 3, 3);
	vmbus_chan_event(bus->chans[2]);
	CHECK(read(fd, buf, sizeof(buf)) == 3 && !memcmp(buf, "abc", 3));
	/* the guest's FIN: the root reads EOF */
	guest_sock_write(1, NULL, 0, 0);
	vmbus_chan_event(bus->chans[2]);
	CHECK(read(fd, buf, sizeof(buf)) == 0 && c->fin_rx);
	/* the root's EOF: a FIN to the guest, then the rescind */
	n = fake.nr_posts;
	shutdown(fd, SHUT_WR);
	conn_fd_ready(c);
	CHECK_EQ(guest_read(buf, sizeof(buf)), 8);
	CHECK(!memcmp(buf, "\x01\0\0\0\0\0\0\0", 8));
	CHECK_EQ(posted_relid(n, VMBUS_MSG_RESCIND_CHANNELOFFER), 3);
	close(fd);

	/* a packet that lies about its size: ended, rescinded */
	ctl = sock_ctl(&reply);
	vmbus_sock_connect(bus->sock, 5001, reply);
	vmbus_sock_on_wake(bus->sock);
	CHECK(bus->chans[3] && bus->chans[3]->relid == 4);
	memset(g_out, 0, 4096);
	memset(g_in, 0, 4096);
	gpadl(4, 0x600, 10, 8);
	CHECK(open_chan(4, 0x600, 4, 0) == 0);
	fd = sock_answer(ctl, line, sizeof(line));
	close(ctl);
	n = fake.nr_posts;
	guest_sock_write(1, "xy", 2, 3000);
	vmbus_chan_event(bus->chans[3]);
	CHECK_EQ(posted_relid(n, VMBUS_MSG_RESCIND_CHANNELOFFER), 4);
	CHECK(read(fd, buf, sizeof(buf)) == 0);
	close(fd);

	/* nobody accepts: refused after SOCK_CONNECT_TICKS, rescinded */
	ctl = sock_ctl(&reply);
	vmbus_sock_connect(bus->sock, 5002, reply);
	vmbus_sock_on_wake(bus->sock);
	n = fake.nr_posts;
	for (i = 0; i < SOCK_CONNECT_TICKS - 1; i++)
		vmbus_sock_tick(bus->sock);
	CHECK(sock_answer(ctl, line, sizeof(line)) < 0 && !line[0]);
	vmbus_sock_tick(bus->sock);
	CHECK(sock_answer(ctl, line, sizeof(line)) < 0 &&
	      strstr(line, "error the guest did not accept"));
	CHECK_EQ(posted_relid(n, VMBUS_MSG_RESCIND_CHANNELOFFER), 5);
	close(ctl);
	CHECK_EQ(bus->sock->nr_conns, 3);

	/* the guest releases one; a new contact frees the rest */
	guest_msg(&(struct vmbus_msg_relid){
		.header.msgtype = VMBUS_MSG_RELID_RELEASED,
		.child_relid = 3 }, sizeof(struct vmbus_msg_relid));
	CHECK(bus->sock->nr_conns == 2 && !bus->chans[2]);
	contact(VMBUS_VERSION_WIN10_V5_3, 2);
	CHECK(bus->sock->nr_conns == 0 && !bus->sock->conns);

	/* at most VMBUS_SOCK_MAX_CONNS at once */
	for (i = 0; i <= VMBUS_SOCK_MAX_CONNS; i++) {
		ctl = sock_ctl(&reply);
		vmbus_sock_connect(bus->sock, 6000 + i, reply);
		vmbus_sock_on_wake(bus->sock);
		if (i == VMBUS_SOCK_MAX_CONNS)
			CHECK(sock_answer(ctl, line, sizeof(line)) < 0 &&
			      strstr(line, "connections already"));
		close(ctl);
	}
	CHECK_EQ(bus->sock->nr_conns, VMBUS_SOCK_MAX_CONNS);
	/* requests left waiting when the bus goes are refused */
	ctl = sock_ctl(&reply);
	vmbus_sock_connect(bus->sock, 7000, reply);
	vmbus_destroy(bus);
	CHECK(sock_answer(ctl, line, sizeof(line)) < 0 &&
	      strstr(line, "stopping"));
	close(ctl);
}

int main(void)
{
	printf("TAP version 13\n");
	TEST(test_contact);
	TEST(test_bad_messages);
	TEST(test_gpadls);
	TEST(test_open_and_rings);
	TEST(test_pending_send);
	TEST(test_hostile_ring);
	TEST(test_subchannels);
	TEST(test_rescind);
	TEST(test_sock);
	TEST(test_fuzz);
	printf("1..%d\n", test_total);
	if (test_bad)
		printf("# %d of %d failed\n", test_bad, test_total);
	return test_bad ? 1 : 0;
}
