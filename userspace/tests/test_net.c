// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the network VSP (vmbus/net.c) against a fake VMBus: the
 * channel API is defined here, so each test plays the guest's side of
 * NVSP and RNDIS packet by packet (as Linux's hv_netvsc sends them) and
 * reads what the VSP wrote back; a SOCK_SEQPACKET socket pair stands in
 * for the tap.  Then the hostile cases: out-of-range sections and
 * pages, lengths and offsets that do not fit, completions of nothing, a
 * guest ring without room, a guest that never completes its sections.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "../util.h"
#include "../vmbus/net_proto.h"
#include "../vmbus/vmbus.h"
#include "test.h"

/* ---- the fake bus ---------------------------------------------------- */

#define RAM_PAGES	64
#define RBUF_GPADL	0x100
#define SBUF_GPADL	0x200
#define RBUF_PAGES	16	/* 32 sections of 2048 */
#define SBUF_PAGES	3	/* 2 sections of 6144 */
#define MAX_SENT	256
/* net.c's transaction ids of its transfer-page packets: this | section */
#define NET_XFER_TID_FOR_TEST	0x4e45540000000000ull

struct fake_pkt {
	uint16_t type;
	uint16_t flags;
	uint64_t trans_id;
	uint32_t hdr_len;	/* after the 16-byte descriptor */
	uint32_t len;
	uint8_t b[4096];	/* descriptor, header, payload */
};

static struct fake {
	const struct vmbus_dev_ops *ops;
	void *priv;
	uint8_t ram[RAM_PAGES][VMBUS_PAGE_SIZE];
	/* the guest's packets for the VSP, in order */
	struct fake_pkt in[32];
	unsigned int in_head, in_len;
	/* what the VSP sent */
	struct fake_pkt sent[MAX_SENT];
	unsigned int nr_sent;
	bool ring_full;
	unsigned int ring_room;	/* packets the ring takes; 0: any */
	int watched_fd;
	void (*watch_cb)(void *arg);
	void *watch_arg;
	bool paused;
	unsigned int notes;
} f;

static struct vmbus_chan *const CH = (struct vmbus_chan *)&f;
static struct vmbus *const BUS = (struct vmbus *)&f;

void *vmbus_chan_priv(struct vmbus_chan *ch)
{
	(void)ch;
	return f.priv;
}

struct vmbus *vmbus_chan_bus(struct vmbus_chan *ch)
{
	(void)ch;
	return BUS;
}

struct vmbus_chan *vmbus_chan_primary(struct vmbus_chan *ch)
{
	return ch;
}

int vmbus_add_device(struct vmbus *bus, const struct vmbus_dev_ops *ops,
		     void *priv)
{
	(void)bus;
	f.ops = ops;
	f.priv = priv;
	return 0;
}

void vmbus_chan_note(struct vmbus_chan *ch, const char *what)
{
	(void)ch;
	printf("# note: %s\n", what);
	f.notes++;
}

uint8_t *vmbus_gpa_page(struct vmbus *bus, uint64_t pfn)
{
	(void)bus;
	return pfn < RAM_PAGES ? f.ram[pfn] : NULL;
}

/* The receive buffer is pages 16-31, the send buffer pages 40-42. */
int vmbus_chan_gpadl_pages(struct vmbus_chan *ch, uint32_t handle,
			   uint8_t ***pages, uint32_t *n)
{
	uint32_t i, first;

	(void)ch;
	if (handle == RBUF_GPADL) {
		*n = RBUF_PAGES;
		first = 16;
	} else if (handle == SBUF_GPADL) {
		*n = SBUF_PAGES;
		first = 40;
	} else {
		return -ENOENT;
	}
	*pages = calloc(*n, sizeof(**pages));
	for (i = 0; i < *n; i++)
		(*pages)[i] = f.ram[first + i];
	return 0;
}

int vmbus_chan_recv(struct vmbus_chan *ch, struct vmbus_pkt *pkt)
{
	struct fake_pkt *p;

	(void)ch;
	if (!f.in_len)
		return -EAGAIN;
	p = &f.in[f.in_head];
	f.in_head = (f.in_head + 1) % ARRAY_SIZE(f.in);
	f.in_len--;
	pkt->type = p->type;
	pkt->flags = p->flags;
	pkt->trans_id = p->trans_id;
	pkt->hdr = p->b;
	pkt->hdr_len = 16 + p->hdr_len;
	pkt->data = p->b + 16 + p->hdr_len;
	pkt->len = p->len;
	return 0;
}

int vmbus_chan_send_hdr(struct vmbus_chan *ch, uint16_t type, uint16_t flags,
			uint64_t trans_id, const void *hdr, uint32_t hdr_len,
			const void *data, uint32_t len)
{
	struct fake_pkt *p;

	(void)ch;
	if (f.ring_full)
		return -EAGAIN;
	if (f.ring_room && !--f.ring_room)
		f.ring_full = true;
	if (f.nr_sent == MAX_SENT || hdr_len + len > sizeof(p->b))
		return -EMSGSIZE;
	p = &f.sent[f.nr_sent++];
	p->type = type;
	p->flags = flags;
	p->trans_id = trans_id;
	p->hdr_len = hdr_len;
	p->len = len;
	if (hdr_len)
		memcpy(p->b, hdr, hdr_len);
	memcpy(p->b + hdr_len, data, len);
	return 0;
}

int vmbus_chan_send(struct vmbus_chan *ch, uint16_t type, uint16_t flags,
		    uint64_t trans_id, const void *data, uint32_t len)
{
	return vmbus_chan_send_hdr(ch, type, flags, trans_id, NULL, 0, data,
				   len);
}

void vmbus_chan_kick(struct vmbus_chan *ch)
{
	f.ops->event(ch);
}

int vmbus_watch_fd(struct vmbus *bus, int fd, void (*cb)(void *arg),
		   void *arg)
{
	(void)bus;
	f.watched_fd = fd;
	f.watch_cb = cb;
	f.watch_arg = arg;
	f.paused = false;
	return 0;
}

int vmbus_watch_fd_pause(struct vmbus *bus, int fd, bool pause)
{
	(void)bus;
	CHECK_EQ(fd, f.watched_fd);
	f.paused = pause;
	return 0;
}

void vmbus_unwatch_fd(struct vmbus *bus, int fd)
{
	(void)bus;
	CHECK_EQ(fd, f.watched_fd);
	f.watch_cb = NULL;
}

/* ---- the guest's side ------------------------------------------------ */

static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static int tap[2];	/* [0] the VSP's, [1] the host network's */
static uint64_t next_tid = 1;
static uint32_t next_req = 1;

static struct fake_pkt *guest_pkt(uint16_t type, uint32_t hdr_len)
{
	struct fake_pkt *p;

	p = &f.in[(f.in_head + f.in_len) % ARRAY_SIZE(f.in)];
	f.in_len++;
	memset(p, 0, sizeof(*p));
	p->type = type;
	p->flags = VMBUS_PKT_FLAG_COMPLETION_REQUESTED;
	p->trans_id = next_tid++;
	p->hdr_len = hdr_len;
	p->len = NVSP_MSG_SIZE;
	return p;
}

static struct nvsp_msg *pkt_msg(struct fake_pkt *p)
{
	return (struct nvsp_msg *)(p->b + 16 + p->hdr_len);
}

/* Queues an inband NVSP message; the VSP runs on event(). */
static struct nvsp_msg *guest_nvsp(uint32_t type)
{
	struct nvsp_msg *m = pkt_msg(guest_pkt(VMBUS_PKT_DATA_INBAND, 0));

	m->type = type;
	return m;
}

static void event(void)
{
	f.ops->event(CH);
}

static struct fake_pkt *last_sent(void)
{
	return f.nr_sent ? &f.sent[f.nr_sent - 1] : NULL;
}

/* The NVSP message of the last completion */
static const struct nvsp_msg *last_comp(void)
{
	struct fake_pkt *p = last_sent();

	if (!p || p->type != VMBUS_PKT_COMP || p->len != NVSP_MSG_SIZE)
		return NULL;
	return (const struct nvsp_msg *)p->b;
}

static uint8_t *rbuf_at(uint32_t off)
{
	return f.ram[16 + off / VMBUS_PAGE_SIZE] + off % VMBUS_PAGE_SIZE;
}

/*
 * The RNDIS message in range @idx of transfer-page packet @p: its
 * section's bytes; NULL if it is no such packet (whose transaction id
 * names its first range's section) or has no such range.
 */
static const uint8_t *xfer_msg_at(const struct fake_pkt *p, uint32_t idx,
				  uint32_t *len, uint32_t *section)
{
	struct vmbus_xfer_hdr h;
	struct vmbus_xfer_range r, r0;
	static uint8_t buf[4096];
	uint32_t i;

	if (!p || p->type != VMBUS_PKT_DATA_USING_XFER_PAGES ||
	    p->hdr_len < sizeof(h) + sizeof(r))
		return NULL;
	memcpy(&h, p->b, sizeof(h));
	if (!h.range_cnt || idx >= h.range_cnt ||
	    p->hdr_len != sizeof(h) + h.range_cnt * sizeof(r))
		return NULL;
	memcpy(&r0, p->b + sizeof(h), sizeof(r0));
	memcpy(&r, p->b + sizeof(h) + idx * sizeof(r), sizeof(r));
	if (h.xfer_pageset_id != 0xcafe ||
	    r.byte_offset % 2048 || r.byte_count > 2048 ||
	    r.byte_offset >= RBUF_PAGES * VMBUS_PAGE_SIZE ||
	    (p->trans_id & 0xffffffff) != r0.byte_offset / 2048)
		return NULL;
	for (i = 0; i < r.byte_count; i++)
		buf[i] = *rbuf_at(r.byte_offset + i);
	*len = r.byte_count;
	*section = r.byte_offset / 2048;
	return buf;
}

/* The RNDIS message of transfer-page packet @p: its first range's. */
static const uint8_t *xfer_msg(const struct fake_pkt *p, uint32_t *len,
			       uint32_t *section)
{
	return xfer_msg_at(p, 0, len, section);
}

/*
 * Sends RNDIS message @msg (@len bytes) as Linux sends control
 * messages: GPA-direct, in guest page 50 (at @pgoff, crossing into 51 if
 * it must).
 */
static void guest_rndis_pages(const void *msg, uint32_t len, uint32_t pgoff)
{
	struct fake_pkt *p;
	struct nvsp_msg *m;
	uint32_t npfn = (pgoff + len + VMBUS_PAGE_SIZE - 1) / VMBUS_PAGE_SIZE;
	uint32_t hdr[4] = { 0, 1, len, pgoff };
	uint64_t pfn;
	uint32_t i;

	p = guest_pkt(VMBUS_PKT_DATA_USING_GPA_DIRECT, 16 + 8 * npfn);
	memcpy(p->b + 16, hdr, sizeof(hdr));
	for (i = 0; i < npfn; i++) {
		pfn = 50 + i;
		memcpy(p->b + 32 + 8 * i, &pfn, 8);
	}
	memcpy(f.ram[50] + pgoff, msg, len);
	m = pkt_msg(p);
	m->type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;
	m->rndis_pkt.channel_type = 1;
	m->rndis_pkt.send_buf_section_index = NVSP_NO_SECTION;
}

/* The same through send section @s, as Linux sends frames */
static struct fake_pkt *guest_rndis_section(const void *msg, uint32_t len,
					    uint32_t s)
{
	struct nvsp_msg *m = guest_nvsp(NVSP_MSG1_TYPE_SEND_RNDIS_PKT);
	uint32_t i;

	for (i = 0; i < len; i++)
		f.ram[40 + (s * 6144 + i) / VMBUS_PAGE_SIZE]
		     [(s * 6144 + i) % VMBUS_PAGE_SIZE] = ((const uint8_t *)msg)[i];
	m->rndis_pkt.send_buf_section_index = s;
	m->rndis_pkt.send_buf_section_size = len;
	return &f.in[(f.in_head + f.in_len - 1) % ARRAY_SIZE(f.in)];
}

/* Completes the VSP's transfer-page packet @p (frees its section). */
static void guest_complete(uint64_t trans_id)
{
	struct fake_pkt *p = guest_pkt(VMBUS_PKT_COMP, 0);
	struct nvsp_msg *m = pkt_msg(p);

	p->flags = 0;
	p->trans_id = trans_id;
	p->len = 8;
	m->type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE;
	m->rndis_pkt_complete.status = NVSP_STAT_SUCCESS;
}

/* A fresh VSP, opened by the guest */
static void setup(void)
{
	if (f.ops && f.ops->close)
		f.ops->close(CH);
	free(f.priv);
	memset(&f, 0, sizeof(f));
	if (tap[0]) {
		close(tap[0]);
		close(tap[1]);
	}
	CHECK(!socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, tap));
	CHECK(!vmbus_add_net(BUS, tap[0], mac));
	CHECK_EQ(f.ops->open(CH), 0);
	CHECK(f.watch_cb);
}

/* NVSP up to the buffers, as hv_netvsc does it */
static void nvsp_connect(void)
{
	struct nvsp_msg *m;

	m = guest_nvsp(NVSP_MSG_TYPE_INIT);
	m->init.min_protocol_ver = NVSP_PROTOCOL_VERSION_61;
	m->init.max_protocol_ver = NVSP_PROTOCOL_VERSION_61;
	event();
	m = guest_nvsp(NVSP_MSG2_TYPE_SEND_NDIS_CONFIG);
	m->ndis_config.mtu = 1514;
	m = guest_nvsp(NVSP_MSG1_TYPE_SEND_NDIS_VER);
	m->ndis_ver.ndis_major_ver = 6;
	m->ndis_ver.ndis_minor_ver = 30;
	m = guest_nvsp(NVSP_MSG1_TYPE_SEND_RECV_BUF);
	m->send_buf.gpadl_handle = RBUF_GPADL;
	m->send_buf.id = 0xcafe;
	m = guest_nvsp(NVSP_MSG1_TYPE_SEND_SEND_BUF);
	m->send_buf.gpadl_handle = SBUF_GPADL;
	event();
}

/* The answer to the RNDIS request just sent: its bytes, completed */
static const uint8_t *rndis_answer(uint32_t *len)
{
	uint32_t s;
	const uint8_t *a;
	unsigned int i;

	event();
	/* the send's completion and the answer, in either order */
	for (i = f.nr_sent; i-- > 0;) {
		a = xfer_msg(&f.sent[i], len, &s);
		if (a) {
			guest_complete(f.sent[i].trans_id);
			event();
			return a;
		}
	}
	return NULL;
}

static void rndis_init(void)
{
	struct {
		struct rndis_hdr h;
		struct rndis_init_req r;
	} __attribute__((packed)) req = {
		{ RNDIS_MSG_INIT, sizeof(req) }, { next_req++, 1, 0, 0x4000 },
	};

	guest_rndis_pages(&req, sizeof(req), 0xff0);	/* crosses a page */
	rndis_answer(&(uint32_t){ 0 });
}

static const uint8_t *rndis_query(uint32_t oid, const void *in,
				  uint32_t in_len, uint32_t *len)
{
	uint8_t buf[256] = { 0 };
	struct rndis_hdr h = { RNDIS_MSG_QUERY, 28 + in_len };
	struct rndis_query_req q = { next_req++, oid, in_len, 20, 0 };

	memcpy(buf, &h, 8);
	memcpy(buf + 8, &q, 20);
	if (in_len)
		memcpy(buf + 28, in, in_len);
	guest_rndis_pages(buf, h.len, 0x100);
	return rndis_answer(len);
}

static uint32_t rndis_set(uint32_t oid, const void *in, uint32_t in_len)
{
	uint8_t buf[256] = { 0 };
	struct rndis_hdr h = { RNDIS_MSG_SET, 28 + in_len };
	struct rndis_query_req q = { next_req++, oid, in_len, 20, 0 };
	struct rndis_set_complete c = { 0, ~0u };
	const uint8_t *a;
	uint32_t len = 0;

	memcpy(buf, &h, 8);
	memcpy(buf + 8, &q, 20);
	memcpy(buf + 28, in, in_len);
	guest_rndis_pages(buf, h.len, 0x200);
	a = rndis_answer(&len);
	CHECK(a && len == 16);
	if (a) {
		CHECK_EQ(((const struct rndis_hdr *)a)->type,
			 RNDIS_MSG_SET | RNDIS_MSG_COMPLETION);
		memcpy(&c, a + 8, sizeof(c));
		CHECK_EQ(c.req_id, q.req_id);
	}
	return c.status;
}

/* A VSP that the guest brought up, with frames flowing */
static void bring_up(void)
{
	uint32_t filter = RNDIS_PACKET_TYPE_DIRECTED |
			  RNDIS_PACKET_TYPE_BROADCAST;

	setup();
	nvsp_connect();
	rndis_init();
	CHECK_EQ(rndis_set(RNDIS_OID_GEN_CURRENT_PACKET_FILTER, &filter, 4),
		 RNDIS_STATUS_SUCCESS);
	f.nr_sent = 0;
	f.notes = 0;
}

/* A frame as the guest sends it: RNDIS packet, maybe a VLAN PPI */
static uint32_t make_frame_msg(uint8_t *buf, const uint8_t *frame,
			       uint32_t len, int vlan)
{
	struct rndis_packet p = { .data_offset = sizeof(p), .data_len = len };
	struct rndis_ppi ppi = { 16, RNDIS_PPI_IEEE_8021Q, 12 };
	struct rndis_hdr h = { RNDIS_MSG_PACKET, 8 + sizeof(p) + len };
	uint32_t info;

	if (vlan >= 0) {
		p.per_pkt_info_offset = sizeof(p);
		p.per_pkt_info_len = 16;
		p.data_offset += 16;
		h.len += 16;
		/* pri 5, VLAN id @vlan */
		info = 5 | (uint32_t)vlan << 4;
		memcpy(buf + 8 + sizeof(p), &ppi, sizeof(ppi));
		memcpy(buf + 8 + sizeof(p) + 12, &info, 4);
	}
	memcpy(buf, &h, 8);
	memcpy(buf + 8, &p, sizeof(p));
	memcpy(buf + 8 + p.data_offset, frame, len);
	return h.len;
}

static void make_frame(uint8_t *fr, uint32_t len, const uint8_t *dst,
		       uint8_t fill)
{
	memcpy(fr, dst, 6);
	memcpy(fr + 6, "\x02\xaa\xbb\xcc\xdd\xee", 6);
	fr[12] = 0x08;
	fr[13] = 0x00;
	memset(fr + 14, fill, len - 14);
}

/* ---- the tests ------------------------------------------------------- */

static void nvsp_versions(void)
{
	const struct nvsp_msg *a;
	struct nvsp_msg *m;
	static const uint32_t asks[][3] = {
		/* min, max, what the VSP must answer (0: failure) */
		{ 0x60001, 0x60001, 0x60001 },
		{ 0x2, 0x60001, 0x60001 },
		{ 0x30002, 0x30002, 0x30002 },
		{ 0x2, 0x2, 0x2 },
		{ 0x70000, 0x70000, 0 },
		{ 0x60001, 0x2, 0 },
		{ 0x3, 0x4, 0 },
	};
	unsigned int i;

	setup();
	for (i = 0; i < ARRAY_SIZE(asks); i++) {
		m = guest_nvsp(NVSP_MSG_TYPE_INIT);
		m->init.min_protocol_ver = asks[i][0];
		m->init.max_protocol_ver = asks[i][1];
		event();
		a = last_comp();
		CHECK(a);
		if (!a)
			continue;
		CHECK_EQ(last_sent()->trans_id, next_tid - 1);
		CHECK_EQ(a->type, NVSP_MSG_TYPE_INIT_COMPLETE);
		CHECK_EQ(a->init_complete.status, asks[i][2] ?
			 NVSP_STAT_SUCCESS : NVSP_STAT_FAIL);
		if (asks[i][2])
			CHECK_EQ(a->init_complete.negotiated_protocol_ver,
				 asks[i][2]);
	}
}

static void nvsp_buffers(void)
{
	const struct nvsp_msg *a;
	struct nvsp_msg *m;

	setup();
	/* before INIT: refused */
	m = guest_nvsp(NVSP_MSG1_TYPE_SEND_RECV_BUF);
	m->send_buf.gpadl_handle = RBUF_GPADL;
	event();
	a = last_comp();
	CHECK(a && a->recv_buf_complete.status == NVSP_STAT_FAIL);

	nvsp_connect();
	CHECK_EQ(f.nr_sent, 4);
	a = (const struct nvsp_msg *)f.sent[2].b;
	CHECK_EQ(a->type, NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE);
	CHECK_EQ(a->recv_buf_complete.status, NVSP_STAT_SUCCESS);
	CHECK_EQ(a->recv_buf_complete.num_sections, 1);
	CHECK_EQ(a->recv_buf_complete.sections[0].offset, 0);
	CHECK_EQ(a->recv_buf_complete.sections[0].sub_alloc_size, 2048);
	CHECK_EQ(a->recv_buf_complete.sections[0].num_sub_allocs, 32);
	a = (const struct nvsp_msg *)f.sent[3].b;
	CHECK_EQ(a->type, NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE);
	CHECK_EQ(a->send_buf_complete.status, NVSP_STAT_SUCCESS);
	CHECK_EQ(a->send_buf_complete.section_size, 6144);

	/* a second receive buffer, an unknown GPADL: refused */
	m = guest_nvsp(NVSP_MSG1_TYPE_SEND_RECV_BUF);
	m->send_buf.gpadl_handle = RBUF_GPADL;
	event();
	a = last_comp();
	CHECK(a && a->recv_buf_complete.status == NVSP_STAT_FAIL);
	setup();
	m = guest_nvsp(NVSP_MSG_TYPE_INIT);
	m->init.min_protocol_ver = 2;
	m->init.max_protocol_ver = 2;
	m = guest_nvsp(NVSP_MSG1_TYPE_SEND_SEND_BUF);
	m->send_buf.gpadl_handle = 0x999;
	event();
	a = last_comp();
	CHECK(a && a->send_buf_complete.status == NVSP_STAT_FAIL);
	/* sub-channels: refused */
	m = guest_nvsp(NVSP_MSG5_TYPE_SUBCHANNEL);
	m->subchannel.op_or_status = 1;
	m->subchannel.num_subchannels = 3;
	event();
	a = last_comp();
	CHECK(a && a->subchannel.op_or_status == NVSP_STAT_FAIL &&
	      a->subchannel.num_subchannels == 0);
}

static void rndis_control(void)
{
	struct rndis_init_complete ic;
	struct rndis_query_complete qc;
	const uint8_t *a;
	uint32_t len = 0, s;
	uint8_t caps_req[156] = { NDIS_OBJECT_TYPE_OFFLOAD, 3, 156 };
	uint8_t offload[28] = { NDIS_OBJECT_TYPE_DEFAULT, 3, 28 };
	struct {
		struct rndis_hdr h;
		uint32_t req_id;
	} __attribute__((packed)) ka = { { RNDIS_MSG_KEEPALIVE, 12 }, 77 };

	setup();
	nvsp_connect();
	f.nr_sent = 0;
	{
		struct {
			struct rndis_hdr h;
			struct rndis_init_req r;
		} __attribute__((packed)) req = {
			{ RNDIS_MSG_INIT, sizeof(req) }, { 42, 1, 0, 0x4000 },
		};

		guest_rndis_pages(&req, sizeof(req), 0xff0);
		event();
	}
	/* the answer in a section, then the completion of the send */
	CHECK_EQ(f.nr_sent, 2);
	CHECK(last_comp());
	CHECK_EQ(f.sent[1].trans_id, next_tid - 1);
	CHECK(last_comp() &&
	      last_comp()->type == NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE &&
	      last_comp()->rndis_pkt_complete.status == NVSP_STAT_SUCCESS);
	a = xfer_msg(&f.sent[0], &len, &s);
	CHECK(a);
	if (a) {
		CHECK_EQ(len, 8 + sizeof(ic));
		CHECK_EQ(((const struct rndis_hdr *)a)->type,
			 RNDIS_MSG_INIT | RNDIS_MSG_COMPLETION);
		memcpy(&ic, a + 8, sizeof(ic));
		CHECK_EQ(ic.req_id, 42);
		CHECK_EQ(ic.status, RNDIS_STATUS_SUCCESS);
		CHECK_EQ(ic.major_ver, 1);
		CHECK(ic.max_pkt_per_msg >= 1);
		CHECK_EQ(f.sent[0].flags, VMBUS_PKT_FLAG_COMPLETION_REQUESTED);
		guest_complete(f.sent[0].trans_id);
		event();
	}

	/* the MAC address, the frame size, the offloads (none) */
	a = rndis_query(RNDIS_OID_802_3_PERMANENT_ADDRESS, NULL, 0, &len);
	CHECK(a && len == 24 + 6);
	if (a) {
		memcpy(&qc, a + 8, sizeof(qc));
		CHECK_EQ(qc.status, RNDIS_STATUS_SUCCESS);
		CHECK_EQ(qc.info_buflen, 6);
		CHECK_EQ(qc.info_buf_offset, 16);
		CHECK(!memcmp(a + 24, mac, 6));
	}
	a = rndis_query(RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE, NULL, 0, &len);
	CHECK(a && len == 28 && *(const uint32_t *)(a + 24) == 1500);
	a = rndis_query(RNDIS_OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0, &len);
	CHECK(a && len == 28 && *(const uint32_t *)(a + 24) == 0);
	a = rndis_query(RNDIS_OID_TCP_OFFLOAD_HW_CAPS, caps_req,
			sizeof(caps_req), &len);
	CHECK(a && len == 24 + 156);
	if (a) {
		CHECK_EQ(a[24], NDIS_OBJECT_TYPE_OFFLOAD);
		CHECK_EQ(a[25], 3);
		CHECK_EQ(a[26], 156);
		for (s = 28; s < len; s++)
			CHECK_EQ(a[s], 0);
	}
	/* vRSS: not supported, and says so without a value */
	a = rndis_query(0x00010203, NULL, 0, &len);
	CHECK(a && len == 24);
	if (a) {
		memcpy(&qc, a + 8, sizeof(qc));
		CHECK_EQ(qc.status, RNDIS_STATUS_NOT_SUPPORTED);
		CHECK_EQ(qc.info_buflen, 0);
		CHECK_EQ(qc.info_buf_offset, 16);
	}

	/* offloads: turning them off is fine, on is refused */
	offload[4] = 1;		/* IPv4 checksum: disabled */
	CHECK_EQ(rndis_set(RNDIS_OID_TCP_OFFLOAD_PARAMETERS, offload, 28),
		 RNDIS_STATUS_SUCCESS);
	offload[5] = 4;		/* TCPv4 checksum: TX and RX */
	CHECK_EQ(rndis_set(RNDIS_OID_TCP_OFFLOAD_PARAMETERS, offload, 28),
		 RNDIS_STATUS_NOT_SUPPORTED);
	offload[5] = 0;
	offload[22] = 2;	/* RSC for IPv4 */
	CHECK_EQ(rndis_set(RNDIS_OID_TCP_OFFLOAD_PARAMETERS, offload, 28),
		 RNDIS_STATUS_NOT_SUPPORTED);
	CHECK_EQ(rndis_set(0x0001021b, offload, 8),	/* a config param */
		 RNDIS_STATUS_NOT_SUPPORTED);
	CHECK_EQ(rndis_set(RNDIS_OID_GEN_CURRENT_PACKET_FILTER, offload, 2),
		 RNDIS_STATUS_INVALID_LENGTH);

	guest_rndis_pages(&ka, sizeof(ka), 0x300);
	a = rndis_answer(&len);
	CHECK(a && len == 16 && *(const uint32_t *)a ==
	      (RNDIS_MSG_KEEPALIVE | RNDIS_MSG_COMPLETION) &&
	      *(const uint32_t *)(a + 8) == 77);
	CHECK_EQ(f.notes, 0);
}

static void frames_to_tap(void)
{
	uint8_t msg[2048], fr[1514], got[2048];
	struct fake_pkt *p;
	uint32_t len;
	ssize_t n;

	bring_up();
	make_frame(fr, sizeof(fr), (const uint8_t *)"\x02\x01\x02\x03\x04\x05",
		   0x5a);
	len = make_frame_msg(msg, fr, sizeof(fr), -1);
	guest_rndis_section(msg, len, 1);
	event();
	n = read(tap[1], got, sizeof(got));
	CHECK_EQ(n, sizeof(fr));
	CHECK(!memcmp(got, fr, sizeof(fr)));
	CHECK(last_comp() &&
	      last_comp()->rndis_pkt_complete.status == NVSP_STAT_SUCCESS);

	/* a VLAN tag in the PPI: the frame goes out tagged */
	len = make_frame_msg(msg, fr, 100, 42);
	guest_rndis_section(msg, len, 0);
	event();
	n = read(tap[1], got, sizeof(got));
	CHECK_EQ(n, 104);
	CHECK(!memcmp(got, fr, 12));
	CHECK(!memcmp(got + 12, "\x81\x00\xa0\x2a", 4));
	CHECK(!memcmp(got + 16, fr + 12, 88));

	/* two batched in a section, the second's frame in guest pages */
	len = make_frame_msg(msg, fr, 60, -1);
	len += make_frame_msg(msg + len, fr, 1000, -1);
	p = guest_rndis_section(msg, len - 1000, 1);
	p->type = VMBUS_PKT_DATA_USING_GPA_DIRECT;
	memmove(p->b + 16 + 32, p->b + 16, NVSP_MSG_SIZE);
	p->hdr_len = 32;
	{
		/* 512 bytes at the end of page 52, the rest in 53 */
		uint32_t h[4] = { 0, 1, 1000, 0xe00 };
		uint64_t pfn[2] = { 52, 53 };

		memcpy(p->b + 16, h, 16);
		memcpy(p->b + 32, pfn, 16);
		memcpy(f.ram[52] + 0xe00, fr, 0x200);
		memcpy(f.ram[53], fr + 0x200, 1000 - 0x200);
	}
	event();
	CHECK_EQ(read(tap[1], got, sizeof(got)), 60);
	CHECK_EQ(read(tap[1], got, sizeof(got)), 1000);
	CHECK(!memcmp(got, fr, 1000));
	CHECK(last_comp() &&
	      last_comp()->rndis_pkt_complete.status == NVSP_STAT_SUCCESS);
	CHECK_EQ(f.notes, 0);
}

static void frames_from_tap(void)
{
	uint8_t fr[1514];
	const uint8_t *a;
	struct rndis_packet rp;
	uint32_t len, s;

	bring_up();
	/* to the guest's address, broadcast; not to another's */
	make_frame(fr, sizeof(fr), mac, 0x33);
	CHECK_EQ(write(tap[1], fr, sizeof(fr)), sizeof(fr));
	make_frame(fr, 60, (const uint8_t *)"\x02\x00\x00\x00\x00\x01", 1);
	CHECK_EQ(write(tap[1], fr, 60), 60);
	make_frame(fr, 80, (const uint8_t *)"\xff\xff\xff\xff\xff\xff", 2);
	CHECK_EQ(write(tap[1], fr, 80), 80);
	f.watch_cb(f.watch_arg);
	/* the two that pass, in one packet, two ranges */
	CHECK_EQ(f.nr_sent, 1);
	a = xfer_msg(&f.sent[0], &len, &s);
	CHECK(a && len == 44 + 1514);
	if (a) {
		CHECK_EQ(((const struct rndis_hdr *)a)->type, RNDIS_MSG_PACKET);
		CHECK_EQ(((const struct rndis_hdr *)a)->len, len);
		memcpy(&rp, a + 8, sizeof(rp));
		CHECK_EQ(rp.data_offset, 36);
		CHECK_EQ(rp.data_len, 1514);
		CHECK(!memcmp(a + 44, mac, 6) && a[44 + 1513] == 0x33);
	}
	a = xfer_msg_at(&f.sent[0], 1, &len, &s);
	CHECK(a && len == 44 + 80 && a[44] == 0xff && a[44 + 79] == 2);
	CHECK(!xfer_msg_at(&f.sent[0], 2, &len, &s));
	CHECK(!f.paused);
	/*
	 * The packet is completed once, by its id: the second range's
	 * section names no packet; a second completion finds none in use.
	 */
	if (a)
		guest_complete((f.sent[0].trans_id & ~0xffffffffull) | s);
	event();
	CHECK_EQ(f.notes, 1);
	guest_complete(f.sent[0].trans_id);
	event();
	CHECK_EQ(f.notes, 1);
	guest_complete(f.sent[0].trans_id);
	event();
	CHECK_EQ(f.notes, 2);
	/* a frame too big for a section is dropped, not cut */
	make_frame(fr, sizeof(fr), mac, 0x33);
	{
		static uint8_t big[4000];

		memcpy(big, fr, 14);
		CHECK_EQ(write(tap[1], big, sizeof(big)), sizeof(big));
	}
	f.watch_cb(f.watch_arg);
	CHECK_EQ(f.nr_sent, 1);
}

/* The guest never completes: frames stop short of the reserve. */
static void sections_run_out(void)
{
	uint8_t fr[200];
	unsigned int i, xfers = 0;
	uint32_t len, s;
	const uint8_t *a;

	bring_up();
	make_frame(fr, sizeof(fr), mac, 7);
	for (i = 0; i < 40; i++) {
		CHECK_EQ(write(tap[1], fr, sizeof(fr)), sizeof(fr));
		f.watch_cb(f.watch_arg);
	}
	for (i = 0; i < f.nr_sent; i++)
		xfers += f.sent[i].type == VMBUS_PKT_DATA_USING_XFER_PAGES;
	/* 32 sections, 8 kept for answers */
	CHECK_EQ(xfers, 24);
	CHECK(f.paused);
	/* answers still get through */
	a = rndis_query(RNDIS_OID_GEN_LINK_SPEED, NULL, 0, &len);
	CHECK(a && len == 28);
	/* completing frames resumes the tap */
	guest_complete(f.sent[0].trans_id);
	guest_complete(f.sent[1].trans_id);
	event();
	CHECK(!f.paused);
	(void)s;
}

/*
 * Answers pile up for want of sections, then the ring is full when the
 * sections come back: none is lost, each goes out once, in order.
 */
static void answers_wait(void)
{
	struct {
		struct rndis_hdr h;
		uint32_t req_id;
	} __attribute__((packed)) ka[8];
	uint8_t fr[200];
	unsigned int i, xfers = 0, got = 0;
	uint32_t len, s;
	const uint8_t *a;
	struct nvsp_msg *m;

	bring_up();
	make_frame(fr, sizeof(fr), mac, 7);
	/* all 32 sections: 24 frames, then 8 keep-alive answers */
	for (i = 0; i < 24; i++) {
		CHECK_EQ(write(tap[1], fr, sizeof(fr)), sizeof(fr));
		f.watch_cb(f.watch_arg);
	}
	for (i = 0; i < 8; i++) {
		ka[i].h.type = RNDIS_MSG_KEEPALIVE;
		ka[i].h.len = sizeof(ka[i]);
		ka[i].req_id = 100 + i;
	}
	guest_rndis_pages(ka, sizeof(ka), 0);
	guest_rndis_pages(ka, sizeof(ka), 0);
	event();
	/* 8 answered, 8 wait for sections (8 at most may) */
	for (i = 0; i < f.nr_sent; i++)
		xfers += f.sent[i].type == VMBUS_PKT_DATA_USING_XFER_PAGES;
	CHECK_EQ(xfers, 32);
	CHECK_EQ(f.notes, 0);
	f.ring_full = true;
	for (i = 0; i < 6; i++)
		guest_complete(f.sent[i].trans_id);
	event();
	f.ring_full = false;
	CHECK_EQ(f.notes, 0);
	xfers = f.nr_sent;
	event();
	for (i = xfers; i < f.nr_sent; i++) {
		a = xfer_msg(&f.sent[i], &len, &s);
		if (a && *(const uint32_t *)a ==
		    (RNDIS_MSG_KEEPALIVE | RNDIS_MSG_COMPLETION)) {
			CHECK_EQ(*(const uint32_t *)(a + 8), 100 + got);
			got++;
		}
	}
	CHECK_EQ(got, 6);
	CHECK_EQ(f.notes, 0);

	/*
	 * 2 still wait; 8 more make the queue full.  The guest revokes its
	 * receive buffer and names it again: every section is free at once,
	 * and the ring takes one packet (the buffer's completion) only.
	 */
	guest_rndis_pages(ka, sizeof(ka), 0);
	event();
	CHECK_EQ(f.notes, 2);	/* the queue of 8 had room for 6 */
	f.notes = 0;
	guest_nvsp(NVSP_MSG1_TYPE_REVOKE_RECV_BUF);
	event();
	m = guest_nvsp(NVSP_MSG1_TYPE_SEND_RECV_BUF);
	m->send_buf.gpadl_handle = RBUF_GPADL;
	m->send_buf.id = 0xcafe;
	f.ring_room = 1;
	event();
	CHECK(last_comp() && last_comp()->recv_buf_complete.status ==
	      NVSP_STAT_SUCCESS);
	f.ring_full = false;
	xfers = f.nr_sent;
	event();
	got = 0;
	for (i = xfers; i < f.nr_sent; i++) {
		a = xfer_msg(&f.sent[i], &len, &s);
		if (a && *(const uint32_t *)a ==
		    (RNDIS_MSG_KEEPALIVE | RNDIS_MSG_COMPLETION)) {
			CHECK_EQ(*(const uint32_t *)(a + 8),
				 got < 2 ? 106 + got : 100 + got - 2);
			got++;
		}
	}
	CHECK_EQ(got, 8);
	CHECK_EQ(f.notes, 0);
}

/* The guest's ring is full: the VSP takes nothing more until it is not. */
static void ring_full(void)
{
	uint8_t msg[256], fr[100];
	uint32_t len;
	unsigned int sent;

	bring_up();
	make_frame(fr, sizeof(fr), (const uint8_t *)"\x02\x01\x02\x03\x04\x05",
		   9);
	len = make_frame_msg(msg, fr, sizeof(fr), -1);
	guest_rndis_section(msg, len, 0);
	guest_rndis_section(msg, len, 1);
	f.ring_full = true;
	event();
	/* the first went out to the tap, its completion waits, the second
	 * is still in the guest's ring
	 */
	CHECK_EQ(f.in_len, 1);
	CHECK_EQ(f.nr_sent, 0);
	CHECK_EQ(read(tap[1], msg, sizeof(msg)), sizeof(fr));
	CHECK(read(tap[1], msg, sizeof(msg)) < 0);
	/* frames from the tap wait too */
	make_frame(fr, sizeof(fr), mac, 3);
	CHECK_EQ(write(tap[1], fr, sizeof(fr)), sizeof(fr));
	f.watch_cb(f.watch_arg);
	CHECK(f.paused);
	f.ring_full = false;
	event();
	sent = f.nr_sent;
	CHECK_EQ(sent, 2);
	CHECK_EQ(f.in_len, 0);
	CHECK(!f.paused);
	f.watch_cb(f.watch_arg);
	CHECK_EQ(f.nr_sent, 3);
	CHECK_EQ(f.sent[2].type, VMBUS_PKT_DATA_USING_XFER_PAGES);
}

/* Each bad request: refused (completion with a failure), noted, no frame */
static void hostile(void)
{
	uint8_t msg[256], fr[100], got[256];
	struct nvsp_msg *m;
	struct fake_pkt *p;
	uint32_t len, h[4];
	uint64_t pfn;
	unsigned int i, cases = 0;

	bring_up();
	make_frame(fr, sizeof(fr), (const uint8_t *)"\x02\x01\x02\x03\x04\x05",
		   9);
	len = make_frame_msg(msg, fr, sizeof(fr), -1);
	for (i = 0; i < 12; i++) {
		f.notes = 0;
		switch (i) {
		case 0:	/* a section past the send buffer */
			m = pkt_msg(guest_rndis_section(msg, len, 0));
			m->rndis_pkt.send_buf_section_index = 2;
			break;
		case 1:	/* more than a section */
			m = pkt_msg(guest_rndis_section(msg, len, 0));
			m->rndis_pkt.send_buf_section_size = 6145;
			break;
		case 2:	/* no section, no pages */
			m = pkt_msg(guest_rndis_section(msg, len, 0));
			m->rndis_pkt.send_buf_section_index = NVSP_NO_SECTION;
			break;
		case 3:	/* an RNDIS length past what was sent */
			((struct rndis_hdr *)msg)->len = len + 8;
			guest_rndis_section(msg, len, 0);
			((struct rndis_hdr *)msg)->len = len;
			break;
		case 4:	/* a data offset past the message */
			((struct rndis_packet *)(msg + 8))->data_offset = 200;
			guest_rndis_section(msg, len, 0);
			((struct rndis_packet *)(msg + 8))->data_offset = 36;
			break;
		case 5:	/* a PPI longer than its area */
			((struct rndis_packet *)(msg + 8))->per_pkt_info_len = 8;
			guest_rndis_section(msg, len, 0);
			((struct rndis_packet *)(msg + 8))->per_pkt_info_len = 0;
			break;
		case 6:	/* a page beyond guest RAM */
		case 7:	/* a range offset past its page */
		case 8:	/* fewer page numbers than the range needs */
			p = guest_pkt(VMBUS_PKT_DATA_USING_GPA_DIRECT, 24);
			h[0] = 0;
			h[1] = 1;
			h[2] = i == 8 ? 5000 : 100;
			h[3] = i == 7 ? 4096 : 0;
			pfn = i == 6 ? RAM_PAGES : 50;
			memcpy(p->b + 16, h, 16);
			memcpy(p->b + 32, &pfn, 8);
			memcpy(f.ram[50], msg, len);
			m = pkt_msg(p);
			m->type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;
			m->rndis_pkt.send_buf_section_index = NVSP_NO_SECTION;
			break;
		case 9:	/* many ranges, a header too short for them */
			p = guest_pkt(VMBUS_PKT_DATA_USING_GPA_DIRECT, 8);
			h[0] = 0;
			h[1] = 1000;
			memcpy(p->b + 16, h, 8);
			m = pkt_msg(p);
			m->type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;
			m->rndis_pkt.send_buf_section_index = NVSP_NO_SECTION;
			break;
		case 10: /* an RNDIS message shorter than its header */
			((struct rndis_hdr *)msg)->len = 4;
			guest_rndis_section(msg, len, 0);
			((struct rndis_hdr *)msg)->len = len;
			break;
		case 11: /* an unknown RNDIS message */
			((struct rndis_hdr *)msg)->type = 0x55;
			guest_rndis_section(msg, len, 0);
			((struct rndis_hdr *)msg)->type = RNDIS_MSG_PACKET;
			break;
		}
		f.nr_sent = 0;
		event();
		CHECK(last_comp() && last_comp()->rndis_pkt_complete.status ==
		      NVSP_STAT_FAIL);
		CHECK_EQ(f.notes, 1);
		CHECK(read(tap[1], got, sizeof(got)) < 0);
		cases++;
	}
	CHECK_EQ(cases, 12);

	/* completions of sections not in use, of no section at all */
	f.notes = 0;
	guest_complete(NET_XFER_TID_FOR_TEST | 5);
	event();
	CHECK_EQ(f.notes, 1);
	f.notes = 0;
	guest_complete(0x1234);
	event();
	CHECK_EQ(f.notes, 1);
	/* unknown NVSP messages, short ones, other packet types */
	f.notes = 0;
	guest_nvsp(999);
	event();
	CHECK_EQ(f.notes, 1);
	f.notes = 0;
	p = guest_pkt(VMBUS_PKT_DATA_INBAND, 0);
	p->len = 2;
	event();
	CHECK_EQ(f.notes, 1);
	f.notes = 0;
	guest_pkt(0x42, 0);
	event();
	CHECK_EQ(f.notes, 1);

	/* still working after all that */
	guest_rndis_section(msg, len, 1);
	event();
	CHECK_EQ(read(tap[1], got, sizeof(got)), sizeof(fr));
	CHECK(last_comp() &&
	      last_comp()->rndis_pkt_complete.status == NVSP_STAT_SUCCESS);
}

/* HALT: no more frames either way until INITIALIZE */
static void halt(void)
{
	uint8_t msg[256], fr[100], got[256];
	struct {
		struct rndis_hdr h;
		uint32_t req_id;
	} __attribute__((packed)) hr = { { RNDIS_MSG_HALT, 12 }, 9 };
	uint32_t len;

	bring_up();
	guest_rndis_pages(&hr, sizeof(hr), 0);
	event();
	f.nr_sent = 0;
	make_frame(fr, sizeof(fr), mac, 3);
	CHECK_EQ(write(tap[1], fr, sizeof(fr)), sizeof(fr));
	f.watch_cb(f.watch_arg);
	CHECK_EQ(f.nr_sent, 0);
	CHECK(!f.paused);
	len = make_frame_msg(msg, fr, sizeof(fr), -1);
	guest_rndis_section(msg, len, 0);
	event();
	CHECK(read(tap[1], got, sizeof(got)) < 0);
	CHECK(last_comp() &&
	      last_comp()->rndis_pkt_complete.status == NVSP_STAT_FAIL);
}

/* --net's value: 0 or -EINVAL, the address in @m */
static int parse(const char *spec, uint8_t m[6])
{
	char ifname[16], err[256];
	int ret;

	ret = vmbus_net_parse(spec, ifname, m, err, sizeof(err));
	if (!ret)
		CHECK(!strncmp(ifname, spec + 4, strlen(ifname)) &&
		      strlen(ifname) >= 1 && strlen(ifname) <= 15);
	return ret;
}

static void net_option(void)
{
	uint8_t m[6], m2[6];

	CHECK_EQ(parse("tap=hvnet0", m), 0);
	CHECK(m[0] == 0x02 && m[1] == 0x68 && m[2] == 0x76);
	CHECK_EQ(parse("tap=hvnet1", m2), 0);
	CHECK(memcmp(m, m2, 6));
	CHECK_EQ(parse("tap=t,mac=02:0a:0B:0c:0d:0e", m), 0);
	CHECK(!memcmp(m, "\x02\x0a\x0b\x0c\x0d\x0e", 6));
	CHECK_EQ(parse("tap=", m), -EINVAL);
	CHECK_EQ(parse("tap=0123456789abcdef", m), -EINVAL);
	CHECK_EQ(parse("tap=a/b", m), -EINVAL);
	CHECK_EQ(parse("user", m), -EINVAL);
	CHECK_EQ(parse("tap=a,mac=03:00:00:00:00:00", m), -EINVAL);
	CHECK_EQ(parse("tap=a,mac=02:00:00:00:00:00:00", m), -EINVAL);
	CHECK_EQ(parse("tap=a,mac=02:00:00:00:00", m), -EINVAL);
	CHECK_EQ(parse("tap=a,foo", m), -EINVAL);
}

int main(void)
{
	TEST(nvsp_versions);
	TEST(nvsp_buffers);
	TEST(rndis_control);
	TEST(frames_to_tap);
	TEST(frames_from_tap);
	TEST(sections_run_out);
	TEST(ring_full);
	TEST(answers_wait);
	TEST(hostile);
	TEST(halt);
	TEST(net_option);
	return test_done();
}
