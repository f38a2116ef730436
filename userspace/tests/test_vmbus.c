// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of the VMBus server (vmbus/vmbus.c, included so that
 * its message handlers and ring code can be driven directly, without
 * its thread): the control protocol as a guest speaks it, every refusal
 * of a bad request, the rings both ways with their signalling rules, a
 * guest that breaks its ring, and fuzzers of control messages and ring
 * contents.  "Guest RAM" is a buffer; the fake /dev/hvpart records the
 * messages posted and the events signalled.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../vmbus/vmbus.c"
#include "fake_hvpart.h"
#include "le.h"
#include "test.h"

#define RAM_PAGES	64
static uint8_t ram[RAM_PAGES * VMBUS_PAGE_SIZE]
	__attribute__((aligned(VMBUS_PAGE_SIZE)));

static struct vmbus *bus;

/* What the test device saw */
static unsigned int dev_opens, dev_events, dev_closes;
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

static const struct vmbus_dev_ops dev_ops = {
	.name = "test",
	.if_type = { { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 } },
	.open = dev_open,
	.event = dev_event,
	.close = dev_close,
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
	TEST(test_fuzz);
	printf("1..%d\n", test_total);
	if (test_bad)
		printf("# %d of %d failed\n", test_bad, test_total);
	return test_bad ? 1 : 0;
}
