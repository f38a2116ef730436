// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the network VSP, the host's side of Linux's hv_netvsc, backed
 * by a tap device (docs/vmbus.rst, "The network device").
 *
 * On the channel the guest speaks NVSP: it negotiates a version, names
 * a receive buffer and a send buffer (GPADLs of its own memory), then
 * carries RNDIS messages.  Guest to host, each RNDIS message (a frame,
 * or a request: INITIALIZE, QUERY, SET, ...) lies in a section of the
 * send buffer or in guest pages that a GPA-direct packet names, and the
 * host completes the packet.  Host to guest, each RNDIS message (a frame
 * from the tap, or an answer) is copied into a section of the receive
 * buffer and announced by a transfer-page packet, which the guest
 * completes when the section is free again.
 *
 * One channel, one queue: sub-channels (vRSS) are refused, as is RSC.
 * On a tap opened with IFF_VNET_HDR (hvctl's), the VSP offers the
 * guest's TCP over IPv4 checksum and large send (LSOv2) offloads: such a
 * frame goes to the tap whole, its virtio-net header asking the host's
 * kernel for the checksum and the segments.  Without one (a socket in
 * the unit tests), it offers no offload, and every frame is whole and
 * has its checksums.  Everything runs on the VMBus thread; the tap fd is one
 * of the fds that thread watches.  Every value the guest gives (buffer
 * GPADLs, section indices, page ranges, RNDIS lengths and offsets) is
 * checked before it is used; a bad request is refused, noted once, and
 * the device goes on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#include "cli.h"
#include "util.h"
#include "vmbus/net_proto.h"
#include "vmbus/vmbus.h"

/* The host's choice of section sizes, which the guest adopts */
#define NET_RECV_SECTION	2048u
#define NET_SEND_SECTION	6144u
/* Receive sections that frames leave to control answers */
#define NET_CTL_RESERVE		8u
/* The largest frame the guest can receive (the rest is RNDIS' header) */
#define NET_MAX_RX_FRAME	(NET_RECV_SECTION - RNDIS_HDR_SIZE - \
				 sizeof(struct rndis_packet))
/* The largest frame hvctl reads from or writes to the tap */
#define NET_MAX_FRAME		(64u * 1024)
/* RNDIS bytes one guest packet may carry (a section and page ranges) */
#define NET_MAX_STREAM		(NET_MAX_FRAME + 2 * VMBUS_PAGE_SIZE)
/* Answers that wait for room in the guest's ring, and for a section */
#define NET_OUTQ_LEN		4
#define NET_CTLQ_LEN		8
#define NET_CTL_MAX		256
/* The largest TCP segment the guest may hand over with LSO */
#define NET_LSO_MAX		61440u
/* NDIS: 802.3 encapsulation; TCPv4 checksums, with options too */
#define NDIS_ENCAP_8023		0x2u
#define NDIS_TXCSUM_TCP4	0x14u
/* struct ndis_offload: the offsets of what the VSP fills in */
#define NDIS_OFF_IP4_TXENC	4
#define NDIS_OFF_IP4_TXCSUM	8
#define NDIS_OFF_LSOV2_ENCAP	80
#define NDIS_OFF_LSOV2_MAXSZ	84
#define NDIS_OFF_LSOV2_MINSG	88
/* ndis_offload_params: TCPv4 checksum, LSOv2 for IPv4 */
#define NDIS_PARAM_TCP4_CSUM	5
#define NDIS_PARAM_LSOV2_IP4	11
#define NDIS_PARAM_LSOV2_ON	2
#define NDIS_PARAM_CSUM_MAX	4	/* TX and RX enabled */
/* The per-packet information's bits: checksums, LSOv2 */
#define NDIS_CSUM_IPV4		0x1u
#define NDIS_CSUM_TCP		0x4u
#define NDIS_CSUM_UDP		0x8u
#define NDIS_CSUM_IPHDR		0x10u
#define NDIS_CSUM_TCP_OFF(v)	((v) >> 16 & 0x3ff)
#define NDIS_LSO_MSS(v)		((v) & 0xfffff)
#define NDIS_LSO_TCP_OFF(v)	((v) >> 20 & 0x3ff)
#define NDIS_LSO_V2		(1u << 30)
#define NDIS_LSO_IPV6		(1u << 31)

/* What a frame's per-packet information asks for */
struct net_tx_info {
	int vlan;		/* the VLAN tag, or -1 */
	uint32_t csum;		/* NDIS_CSUM_*, 0 for none */
	uint32_t csum_off;	/* the TCP or UDP header's offset */
	uint32_t mss;		/* LSO's segment size, 0 for none */
	uint32_t lso_off;	/* LSO's TCP header offset */
};

/* The transaction id of a transfer-page packet: this | its first section */
#define NET_XFER_TID		0x4e45540000000000ull	/* "NET" */
/* Frames from the tap that one transfer-page packet may carry */
#define NET_RX_BATCH		16u
/* The end of a transfer-page packet's chain of sections */
#define NET_NO_SECTION		0xffffffffu
/* rsec_busy: the guest holds a section, the first of its packet's */
#define NET_SEC_HELD		1
#define NET_SEC_FIRST		2

/* What the VSP waits to write into the guest's ring */
struct net_out {
	bool xfer;		/* a transfer-page packet, else a completion */
	uint64_t trans_id;
	uint32_t len;		/* of @msg (a completion) */
	uint32_t nr;		/* a transfer-page packet's ranges: */
	uint32_t section[NET_RX_BATCH];	/* a section each, */
	uint32_t bytes[NET_RX_BATCH];	/* its message's length */
	struct nvsp_msg msg;
};

struct net_ctl {
	uint32_t len;
	uint8_t b[NET_CTL_MAX];
};

/**
 * struct net - the network VSP of one partition (the channel's priv)
 * @tap_fd: the tap device (the worker owns it)
 * @vnet: @tap_fd has IFF_VNET_HDR: each frame comes with, and goes with,
 *	a struct virtio_net_hdr, and the offloads are offered
 * @mac: the guest's address
 * @ch: the open channel, or NULL
 * @watched: @tap_fd is in the VMBus thread's epoll set
 * @paused: ... but its callbacks are paused
 * @nvsp_version: negotiated, 0 before
 * @rbuf: the receive buffer's pages (host addresses); NULL before
 * @rbuf_pages: their number
 * @rbuf_id: the guest's id for it, echoed in transfer-page packets
 * @nr_rsec: receive sections
 * @rsec_free: a stack of free sections, @nr_rfree of them
 * @rsec_busy: per section: the guest holds it (NET_SEC_HELD), as the
 *	first of a transfer-page packet (NET_SEC_FIRST)
 * @rsec_next: per section held: the next of its packet, or NET_NO_SECTION
 * @sbuf: the send buffer's pages; NULL before
 * @nr_ssec: send sections
 * @rndis_up: RNDIS INITIALIZE done, no HALT since
 * @filter: the packet filter the guest set (0: no frames)
 * @outq: answers for the guest's ring, in order
 * @ctlq: RNDIS answers waiting for a receive section
 * @stream: the RNDIS bytes of the packet at hand
 * @frame: one frame, to or from the tap
 */
struct net {
	int tap_fd;
	bool vnet;
	uint8_t mac[6];
	struct vmbus_chan *ch;
	bool watched;
	bool paused;
	uint32_t nvsp_version;
	uint8_t **rbuf;
	uint32_t rbuf_pages;
	uint16_t rbuf_id;
	uint32_t nr_rsec;
	uint32_t *rsec_free;
	uint32_t nr_rfree;
	uint8_t *rsec_busy;
	uint32_t *rsec_next;
	uint8_t **sbuf;
	uint32_t sbuf_pages;
	uint32_t nr_ssec;
	bool rndis_up;
	uint32_t filter;
	struct net_out outq[NET_OUTQ_LEN];
	unsigned int out_head;
	unsigned int out_len;
	struct net_ctl ctlq[NET_CTLQ_LEN];
	unsigned int ctl_head;
	unsigned int ctl_len;
	uint8_t stream[NET_MAX_STREAM];
	uint8_t frame[NET_MAX_FRAME + 4];
	uint64_t tx_frames;
	uint64_t rx_frames;
	uint64_t rx_dropped;
};

/* ---- buffers in guest pages ------------------------------------------ */

/* Copies @len bytes at @off of a paged buffer; the caller checked it. */
static void pages_read(uint8_t **pages, uint64_t off, void *buf,
		       uint32_t len)
{
	vmbus_pages_copy(pages, off, buf, len, false);
}

static void pages_write(uint8_t **pages, uint64_t off, const void *buf,
			uint32_t len)
{
	vmbus_pages_copy(pages, off, (void *)buf, len, true);
}

static void net_drop_recv_buf(struct net *n)
{
	free(n->rbuf);
	free(n->rsec_free);
	free(n->rsec_busy);
	free(n->rsec_next);
	n->rbuf = NULL;
	n->rsec_free = NULL;
	n->rsec_busy = NULL;
	n->rsec_next = NULL;
	n->nr_rsec = 0;
	n->nr_rfree = 0;
}

static void net_drop_send_buf(struct net *n)
{
	free(n->sbuf);
	n->sbuf = NULL;
	n->nr_ssec = 0;
}

/* ---- answers to the guest -------------------------------------------- */

static int net_out_send(struct net *n, const struct net_out *o)
{
	struct {
		struct vmbus_xfer_hdr h;
		struct vmbus_xfer_range r[NET_RX_BATCH];
	} __attribute__((packed)) x = {
		.h.xfer_pageset_id = n->rbuf_id,
		.h.range_cnt = o->nr,
	};
	struct nvsp_msg m = {
		.type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT,
		.rndis_pkt.send_buf_section_index = NVSP_NO_SECTION,
	};
	uint32_t i;

	if (!o->xfer)
		return vmbus_chan_send(n->ch, VMBUS_PKT_COMP, 0, o->trans_id,
				       &o->msg, o->len);
	for (i = 0; i < o->nr; i++) {
		x.r[i].byte_count = o->bytes[i];
		x.r[i].byte_offset = o->section[i] * NET_RECV_SECTION;
	}
	return vmbus_chan_send_hdr(n->ch, VMBUS_PKT_DATA_USING_XFER_PAGES,
				   VMBUS_PKT_FLAG_COMPLETION_REQUESTED,
				   o->trans_id, &x,
				   sizeof(x.h) + o->nr * sizeof(x.r[0]),
				   &m, sizeof(m));
}

/*
 * Writes @o into the guest's ring, or queues it behind what waits
 * already; while anything waits, the VSP takes no more packets.
 */
static void net_emit(struct net *n, const struct net_out *o)
{
	int ret = -EAGAIN;

	if (!n->out_len)
		ret = net_out_send(n, o);
	if (ret != -EAGAIN) {
		if (ret)
			vmbus_chan_note(n->ch, "cannot write into the guest's ring");
		return;
	}
	if (n->out_len == NET_OUTQ_LEN) {
		/* Each packet adds at most two, and none while any wait. */
		vmbus_chan_note(n->ch, "an answer was lost");
		return;
	}
	n->outq[(n->out_head + n->out_len) % NET_OUTQ_LEN] = *o;
	n->out_len++;
}

/* Completes the guest's packet @trans_id with NVSP message @m. */
static void net_complete(struct net *n, uint64_t trans_id,
			 const struct nvsp_msg *m)
{
	struct net_out o = {
		.trans_id = trans_id,
		.len = m ? sizeof(*m) : 0,
	};

	if (m)
		o.msg = *m;
	net_emit(n, &o);
}

static void net_complete_rndis(struct net *n, uint64_t trans_id,
			       uint32_t status)
{
	struct nvsp_msg m = {
		.type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE,
		.rndis_pkt_complete.status = status,
	};

	net_complete(n, trans_id, &m);
}

static bool net_section_get(struct net *n, bool ctl, uint32_t *s)
{
	if (!n->rbuf || n->nr_rfree <= (ctl ? 0 : NET_CTL_RESERVE))
		return false;
	*s = n->rsec_free[--n->nr_rfree];
	n->rsec_busy[*s] = NET_SEC_HELD;
	return true;
}

/*
 * Sends the @o->nr RNDIS messages in @o's sections to the guest in one
 * transfer-page packet, which the guest completes once for all: its
 * transaction id names the first section, which chains the others.
 */
static void net_indicate_all(struct net *n, struct net_out *o)
{
	uint32_t i;

	o->xfer = true;
	o->trans_id = NET_XFER_TID | o->section[0];
	for (i = 0; i < o->nr; i++)
		n->rsec_next[o->section[i]] = i + 1 < o->nr ?
					      o->section[i + 1] : NET_NO_SECTION;
	n->rsec_busy[o->section[0]] = NET_SEC_FIRST;
	net_emit(n, o);
}

/* Sends the RNDIS message of @len bytes in section @s to the guest. */
static void net_indicate(struct net *n, uint32_t s, uint32_t len)
{
	struct net_out o = {
		.nr = 1,
		.section[0] = s,
		.bytes[0] = len,
	};

	net_indicate_all(n, &o);
}

/* Writes what waits, in order: 0 once all went. */
static int net_flush(struct net *n)
{
	struct net_ctl *c;
	uint32_t s;
	int ret;

	while (n->out_len) {
		ret = net_out_send(n, &n->outq[n->out_head]);
		if (ret == -EAGAIN)
			return ret;
		n->out_head = (n->out_head + 1) % NET_OUTQ_LEN;
		n->out_len--;
	}
	/* One at a time: each waits for the ring once it has a section. */
	while (n->ctl_len && !n->out_len && net_section_get(n, true, &s)) {
		c = &n->ctlq[n->ctl_head];
		pages_write(n->rbuf, (uint64_t)s * NET_RECV_SECTION, c->b,
			    c->len);
		n->ctl_head = (n->ctl_head + 1) % NET_CTLQ_LEN;
		n->ctl_len--;
		net_indicate(n, s, c->len);
	}
	return n->out_len ? -EAGAIN : 0;
}

/* Sends an RNDIS answer (@len <= NET_CTL_MAX) through the receive buffer. */
static void net_answer(struct net *n, const void *msg, uint32_t len)
{
	struct net_ctl *c;

	if (n->ctl_len == NET_CTLQ_LEN) {
		vmbus_chan_note(n->ch, "RNDIS requests pile up: one dropped");
		return;
	}
	c = &n->ctlq[(n->ctl_head + n->ctl_len) % NET_CTLQ_LEN];
	c->len = len;
	memcpy(c->b, msg, len);
	n->ctl_len++;
	net_flush(n);
}

/* ---- the tap: frames to the guest ------------------------------------ */

static bool net_frame_passes(const struct net *n, const uint8_t *f)
{
	static const uint8_t bcast[6] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};

	if (n->filter & RNDIS_PACKET_TYPE_PROMISCUOUS)
		return true;
	if (!memcmp(f, bcast, 6))
		return n->filter & RNDIS_PACKET_TYPE_BROADCAST;
	if (f[0] & 1)
		return n->filter & (RNDIS_PACKET_TYPE_MULTICAST |
				    RNDIS_PACKET_TYPE_ALL_MULTICAST);
	return (n->filter & RNDIS_PACKET_TYPE_DIRECTED) &&
	       !memcmp(f, n->mac, 6);
}

/* The tap may be read while the guest can take a frame. */
static bool net_can_receive(const struct net *n)
{
	return n->ch && !n->out_len && !n->ctl_len && n->rbuf &&
	       n->nr_rfree > NET_CTL_RESERVE;
}

static void net_update_watch(struct net *n)
{
	bool pause = n->rndis_up && n->filter && !net_can_receive(n);

	if (!n->watched || pause == n->paused)
		return;
	if (!vmbus_watch_fd_pause(vmbus_chan_bus(n->ch), n->tap_fd, pause))
		n->paused = pause;
}

/*
 * One frame from the tap into a receive section, which is added to @o:
 * false when the tap had none.
 */
static bool net_rx_one(struct net *n, struct net_out *o)
{
	struct {
		struct rndis_hdr h;
		struct rndis_packet p;
	} __attribute__((packed)) m;
	struct virtio_net_hdr vh;
	struct iovec iov[2] = {
		{ .iov_base = &vh, .iov_len = sizeof(vh) },
		{ .iov_base = n->frame, .iov_len = NET_MAX_FRAME },
	};
	ssize_t len;
	uint32_t s;

	/* The host's kernel asks no offload of us: it set no TUNSETOFFLOAD. */
	if (n->vnet) {
		len = readv(n->tap_fd, iov, 2);
		if (len < (ssize_t)sizeof(vh))
			return len >= 0;
		len -= sizeof(vh);
	} else {
		len = read(n->tap_fd, n->frame, NET_MAX_FRAME);
		if (len <= 0)
			return false;
	}
	/* Frames reach the guest once it asked for them. */
	if (!n->rndis_up || len < 14 || !net_frame_passes(n, n->frame))
		return true;
	if ((size_t)len > NET_MAX_RX_FRAME || !net_section_get(n, false, &s)) {
		n->rx_dropped++;
		return true;
	}
	memset(&m, 0, sizeof(m));
	m.h.type = RNDIS_MSG_PACKET;
	m.h.len = sizeof(m) + len;
	m.p.data_offset = sizeof(m.p);
	m.p.data_len = len;
	pages_write(n->rbuf, (uint64_t)s * NET_RECV_SECTION, &m, sizeof(m));
	pages_write(n->rbuf, (uint64_t)s * NET_RECV_SECTION + sizeof(m),
		    n->frame, len);
	n->rx_frames++;
	o->section[o->nr] = s;
	o->bytes[o->nr++] = m.h.len;
	return true;
}

/*
 * The tap has frames: pass them on while the guest has room, up to
 * NET_RX_BATCH in each transfer-page packet, so that the guest, which
 * the packet's signal wakes, finds them together.
 */
static void net_on_tap(void *arg)
{
	struct net *n = arg;
	unsigned int budget = 64;
	struct net_out o;
	bool more = true;

	if (!n->ch)
		return;
	while (more && budget) {
		o.nr = 0;
		while (budget && o.nr < NET_RX_BATCH &&
		       (net_can_receive(n) || !n->rndis_up || !n->filter)) {
			budget--;
			more = net_rx_one(n, &o);
			if (!more)
				break;
		}
		if (!o.nr)
			break;
		net_indicate_all(n, &o);
	}
	net_update_watch(n);
}

/* ---- RNDIS from the guest -------------------------------------------- */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/*
 * The virtio-net header of frame @f (@len bytes, modifiable) as @ti asks:
 * a checksum for the host to fill in, LSO's segments.  LSOv2 leaves the
 * IPv4 total length and header checksum 0 and the TCP checksum the
 * pseudo header's without its length: they are set here.  -EINVAL if
 * the frame is not what the request says.
 */
static int net_tx_vnet(uint8_t *f, uint32_t len, const struct net_tx_info *ti,
		       struct virtio_net_hdr *vh)
{
	uint32_t l3, l4, ihl, thl, tcp_len, sum;
	uint16_t csum;

	memset(vh, 0, sizeof(*vh));
	if (!ti->mss && !(ti->csum & (NDIS_CSUM_TCP | NDIS_CSUM_UDP)))
		return 0;
	l3 = 14;
	l4 = ti->mss ? ti->lso_off : ti->csum_off;
	if (len < l3 + 20 || (f[l3] >> 4) != 4)
		return -EINVAL;
	ihl = (f[l3] & 0xf) * 4;
	if (ihl < 20 || l4 != l3 + ihl || len < l4 + 8)
		return -EINVAL;
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = l4;
	vh->csum_offset = ti->csum & NDIS_CSUM_UDP && !ti->mss ? 6 : 16;
	if (!ti->mss)
		return 0;
	if (f[l3 + 9] != 6 || len < l4 + 20)
		return -EINVAL;
	thl = (f[l4 + 12] >> 4) * 4;
	if (thl < 20 || len < l4 + thl)
		return -EINVAL;
	/* the IPv4 header: its total length and checksum */
	f[l3 + 2] = (len - l3) >> 8;
	f[l3 + 3] = len - l3;
	f[l3 + 10] = 0;
	f[l3 + 11] = 0;
	csum = ~csum_fold(csum_add(0, f + l3, ihl));
	f[l3 + 10] = csum >> 8;
	f[l3 + 11] = csum;
	/* the pseudo header's sum, now with the TCP length */
	tcp_len = len - l4;
	sum = (uint32_t)f[l4 + 16] << 8 | f[l4 + 17];
	csum = csum_fold(sum + tcp_len);
	f[l4 + 16] = csum >> 8;
	f[l4 + 17] = csum;
	vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh->gso_size = ti->mss;
	vh->hdr_len = l4 + thl;
	return 0;
}

/* The guest's frame (@len bytes at @f, as @ti asks) to the tap */
static void net_tx_frame(struct net *n, uint8_t *f, uint32_t len,
			 const struct net_tx_info *ti)
{
	struct virtio_net_hdr vh = { 0 };
	struct iovec iov[2];
	uint8_t *out = f;
	uint32_t out_len = len;
	int vlan = ti->vlan;

	if (n->vnet && net_tx_vnet(f, len, ti, &vh)) {
		vmbus_chan_note(n->ch, "a frame unlike its offload request");
		return;
	}
	if (vlan >= 0) {
		/* 802.1Q: the tag goes after the addresses. */
		memcpy(n->frame, f, 12);
		n->frame[12] = 0x81;
		n->frame[13] = 0x00;
		n->frame[14] = vlan >> 8;
		n->frame[15] = vlan;
		memcpy(n->frame + 16, f + 12, len - 12);
		out = n->frame;
		out_len = len + 4;
		if (vh.csum_start)
			vh.csum_start += 4;
		if (vh.hdr_len)
			vh.hdr_len += 4;
	}
	if (n->vnet) {
		iov[0].iov_base = &vh;
		iov[0].iov_len = sizeof(vh);
		iov[1].iov_base = out;
		iov[1].iov_len = out_len;
		if (writev(n->tap_fd, iov, 2) == (ssize_t)(sizeof(vh) + out_len))
			n->tx_frames++;
		return;
	}
	if (write(n->tap_fd, out, out_len) == (ssize_t)out_len)
		n->tx_frames++;
}

/*
 * The per-packet information of RNDIS packet @p (in @msg of @len
 * bytes) into @ti: a VLAN tag goes into the frame; a checksum or LSO
 * request refuses the frame unless the VSP offered them (@vnet).
 */
static int net_tx_ppi(const uint8_t *msg, uint32_t len,
		      const struct rndis_packet *p, bool vnet,
		      struct net_tx_info *ti)
{
	uint64_t off = RNDIS_HDR_SIZE + (uint64_t)p->per_pkt_info_offset;
	uint64_t end = off + p->per_pkt_info_len;
	struct rndis_ppi ppi;
	uint32_t v;

	memset(ti, 0, sizeof(*ti));
	ti->vlan = -1;
	if (!p->per_pkt_info_len)
		return 0;
	if (end > len)
		return -EINVAL;
	while (off < end) {
		if (end - off < sizeof(ppi))
			return -EINVAL;
		memcpy(&ppi, msg + off, sizeof(ppi));
		if (ppi.size < sizeof(ppi) || ppi.size > end - off ||
		    ppi.ppi_offset > ppi.size)
			return -EINVAL;
		/* internal ones (bit 31) are the host's to send */
		switch (ppi.type & 0x80000000u ? ~0u : ppi.type) {
		case RNDIS_PPI_IEEE_8021Q:
			if (ppi.size - ppi.ppi_offset < 4)
				return -EINVAL;
			memcpy(&v, msg + off + ppi.ppi_offset, 4);
			/* priority (bits 0-2), CFI (3), VLAN id (4-15) */
			ti->vlan = (v & 7) << 13 | (v >> 3 & 1) << 12 |
				   (v >> 4 & 0xfff);
			break;
		case RNDIS_PPI_TCPIP_CHKSUM:
			if (ppi.size - ppi.ppi_offset < 4)
				return -EOPNOTSUPP;
			memcpy(&v, msg + off + ppi.ppi_offset, 4);
			/* no checksum left for the host to do */
			if (!(v & (NDIS_CSUM_TCP | NDIS_CSUM_UDP |
				   NDIS_CSUM_IPHDR)))
				break;
			/* TCP or UDP over IPv4, as offered */
			if (!vnet || !(v & NDIS_CSUM_IPV4) ||
			    (v & NDIS_CSUM_IPHDR) ||
			    (v & (NDIS_CSUM_TCP | NDIS_CSUM_UDP)) ==
			    (NDIS_CSUM_TCP | NDIS_CSUM_UDP))
				return -EOPNOTSUPP;
			ti->csum = v;
			ti->csum_off = NDIS_CSUM_TCP_OFF(v);
			break;
		case RNDIS_PPI_LARGESEND:
			if (ppi.size - ppi.ppi_offset < 4)
				return -EOPNOTSUPP;
			memcpy(&v, msg + off + ppi.ppi_offset, 4);
			if (!vnet || !(v & NDIS_LSO_V2) || (v & NDIS_LSO_IPV6) ||
			    !NDIS_LSO_MSS(v) || NDIS_LSO_MSS(v) > NET_LSO_MAX)
				return -EOPNOTSUPP;
			ti->mss = NDIS_LSO_MSS(v);
			ti->lso_off = NDIS_LSO_TCP_OFF(v);
			break;
		}
		off += ppi.size;
	}
	return 0;
}

/* An RNDIS data packet: the frame goes to the tap. */
static int net_rndis_packet(struct net *n, const uint8_t *msg, uint32_t len)
{
	struct net_tx_info ti;
	struct rndis_packet p;
	uint64_t off;

	if (len < RNDIS_HDR_SIZE + sizeof(p))
		return -EINVAL;
	memcpy(&p, msg + RNDIS_HDR_SIZE, sizeof(p));
	off = RNDIS_HDR_SIZE + (uint64_t)p.data_offset;
	if (p.data_offset < sizeof(p) || off + p.data_len > len ||
	    p.data_len < 14 || p.data_len > NET_MAX_FRAME - 4)
		return -EINVAL;
	if (net_tx_ppi(msg, len, &p, n->vnet, &ti))
		return -EINVAL;
	if (!n->rndis_up)
		return -EPERM;
	/* @msg lies in n->stream, the VSP's copy, which LSO may adjust */
	net_tx_frame(n, (uint8_t *)msg + off, p.data_len, &ti);
	return 0;
}

/* The answer to a QUERY: @oid's value, or a status */
static void net_rndis_query(struct net *n, const uint8_t *msg, uint32_t len)
{
	static const uint32_t oids[] = {
		RNDIS_OID_GEN_SUPPORTED_LIST,
		RNDIS_OID_GEN_HARDWARE_STATUS,
		RNDIS_OID_GEN_MEDIA_SUPPORTED,
		RNDIS_OID_GEN_MEDIA_IN_USE,
		RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE,
		RNDIS_OID_GEN_LINK_SPEED,
		RNDIS_OID_GEN_CURRENT_PACKET_FILTER,
		RNDIS_OID_GEN_MAXIMUM_TOTAL_SIZE,
		RNDIS_OID_GEN_MEDIA_CONNECT_STATUS,
		RNDIS_OID_802_3_PERMANENT_ADDRESS,
		RNDIS_OID_802_3_CURRENT_ADDRESS,
		RNDIS_OID_802_3_MAXIMUM_LIST_SIZE,
		RNDIS_OID_TCP_OFFLOAD_HW_CAPS,
	};
	struct {
		struct rndis_hdr h;
		struct rndis_query_complete c;
		uint8_t info[NET_CTL_MAX - 24];
	} __attribute__((packed)) a;
	struct rndis_query_req q;
	uint32_t u32 = 0, info_len = 4;
	uint8_t rev;

	memcpy(&q, msg + RNDIS_HDR_SIZE, sizeof(q));
	memset(&a, 0, sizeof(a));
	a.h.type = RNDIS_MSG_QUERY | RNDIS_MSG_COMPLETION;
	a.c.req_id = q.req_id;
	a.c.info_buf_offset = sizeof(a.c);
	switch (q.oid) {
	case RNDIS_OID_GEN_SUPPORTED_LIST:
		info_len = sizeof(oids);
		memcpy(a.info, oids, sizeof(oids));
		break;
	case RNDIS_OID_GEN_HARDWARE_STATUS:	/* ready */
	case RNDIS_OID_GEN_MEDIA_SUPPORTED:	/* 802.3 */
	case RNDIS_OID_GEN_MEDIA_IN_USE:
	case RNDIS_OID_GEN_MEDIA_CONNECT_STATUS: /* connected */
		break;
	case RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE:
		u32 = 1500;
		break;
	case RNDIS_OID_GEN_MAXIMUM_TOTAL_SIZE:
		u32 = 1514;
		break;
	case RNDIS_OID_GEN_LINK_SPEED:
		u32 = 100000000;	/* 10 Gb/s, in 100 b/s */
		break;
	case RNDIS_OID_GEN_CURRENT_PACKET_FILTER:
		u32 = n->filter;
		break;
	case RNDIS_OID_802_3_MAXIMUM_LIST_SIZE:
		u32 = 0;
		break;
	case RNDIS_OID_802_3_PERMANENT_ADDRESS:
	case RNDIS_OID_802_3_CURRENT_ADDRESS:
		info_len = 6;
		memcpy(a.info, n->mac, 6);
		break;
	case RNDIS_OID_TCP_OFFLOAD_HW_CAPS:
		/* No offload at all, in the revision the guest asked for. */
		rev = 3;
		if (q.info_buflen >= 4 &&
		    (uint64_t)q.info_buf_offset + RNDIS_HDR_SIZE + 4 <= len)
			rev = msg[RNDIS_HDR_SIZE + q.info_buf_offset + 1];
		if (rev < 1 || rev > 3)
			rev = 3;
		info_len = rev == 1 ? NDIS_OFFLOAD_SIZE_REV1 :
			   rev == 2 ? NDIS_OFFLOAD_SIZE_REV2 :
			   NDIS_OFFLOAD_SIZE_REV3;
		a.info[0] = NDIS_OBJECT_TYPE_OFFLOAD;
		a.info[1] = rev;
		a.info[2] = info_len;
		if (n->vnet) {
			/* TCPv4 checksums and LSOv2 for IPv4: the tap's */
			u32 = NDIS_ENCAP_8023;
			memcpy(a.info + NDIS_OFF_IP4_TXENC, &u32, 4);
			memcpy(a.info + NDIS_OFF_LSOV2_ENCAP, &u32, 4);
			u32 = NDIS_TXCSUM_TCP4;
			memcpy(a.info + NDIS_OFF_IP4_TXCSUM, &u32, 4);
			u32 = NET_LSO_MAX;
			memcpy(a.info + NDIS_OFF_LSOV2_MAXSZ, &u32, 4);
			u32 = 2;
			memcpy(a.info + NDIS_OFF_LSOV2_MINSG, &u32, 4);
			u32 = 0;
		}
		break;
	default:
		/* vRSS, the friendly name, statistics, ... */
		a.c.status = RNDIS_STATUS_NOT_SUPPORTED;
		info_len = 0;
		break;
	}
	if (info_len == 4 && q.oid != RNDIS_OID_GEN_SUPPORTED_LIST)
		memcpy(a.info, &u32, 4);
	a.c.info_buflen = info_len;
	a.h.len = sizeof(a.h) + sizeof(a.c) + info_len;
	net_answer(n, &a, a.h.len);
}

/*
 * Offload parameters: fine as long as nothing is to be turned on but
 * what the VSP offered (@vnet: TCPv4 checksums, LSOv2 for IPv4).
 */
static uint32_t net_set_offload(const uint8_t *info, uint32_t len, bool vnet)
{
	uint32_t i;

	if (len < NDIS_OFFLOAD_PARAMS_LAST + 1)
		return RNDIS_STATUS_INVALID_LENGTH;
	for (i = NDIS_OFFLOAD_PARAMS_FIRST; i <= NDIS_OFFLOAD_PARAMS_LAST; i++) {
		if (vnet && i == NDIS_PARAM_TCP4_CSUM &&
		    info[i] <= NDIS_PARAM_CSUM_MAX)
			continue;
		if (vnet && i == NDIS_PARAM_LSOV2_IP4 &&
		    info[i] <= NDIS_PARAM_LSOV2_ON)
			continue;
		if (info[i] > 1)
			return RNDIS_STATUS_NOT_SUPPORTED;
	}
	for (i = NDIS_OFFLOAD_PARAMS_V2_FIRST;
	     i <= NDIS_OFFLOAD_PARAMS_V2_LAST && i < len; i++)
		if (info[i] > 1)
			return RNDIS_STATUS_NOT_SUPPORTED;
	return RNDIS_STATUS_SUCCESS;
}

static void net_rndis_set(struct net *n, const uint8_t *msg, uint32_t len)
{
	struct {
		struct rndis_hdr h;
		struct rndis_set_complete c;
	} __attribute__((packed)) a = {
		.h.type = RNDIS_MSG_SET | RNDIS_MSG_COMPLETION,
		.h.len = sizeof(a),
	};
	struct rndis_query_req q;	/* a SET starts the same */
	const uint8_t *info;
	uint64_t off;

	memcpy(&q, msg + RNDIS_HDR_SIZE, sizeof(q));
	a.c.req_id = q.req_id;
	off = RNDIS_HDR_SIZE + (uint64_t)q.info_buf_offset;
	if (off + q.info_buflen > len) {
		vmbus_chan_note(n->ch, "an RNDIS SET's buffer lies outside it");
		a.c.status = RNDIS_STATUS_INVALID_DATA;
		goto answer;
	}
	info = msg + off;
	switch (q.oid) {
	case RNDIS_OID_GEN_CURRENT_PACKET_FILTER:
		if (q.info_buflen < 4) {
			a.c.status = RNDIS_STATUS_INVALID_LENGTH;
			break;
		}
		memcpy(&n->filter, info, 4);
		break;
	case RNDIS_OID_TCP_OFFLOAD_PARAMETERS:
		a.c.status = net_set_offload(info, q.info_buflen, n->vnet);
		break;
	case RNDIS_OID_802_3_MULTICAST_LIST:
		/* Multicast frames pass by the filter's bits alone. */
		break;
	default:
		/* vRSS, a new MAC address, ... */
		a.c.status = RNDIS_STATUS_NOT_SUPPORTED;
		break;
	}
answer:
	net_answer(n, &a, sizeof(a));
}

static void net_rndis_init(struct net *n, const uint8_t *msg)
{
	struct {
		struct rndis_hdr h;
		struct rndis_init_complete c;
	} __attribute__((packed)) a = {
		.h.type = RNDIS_MSG_INIT | RNDIS_MSG_COMPLETION,
		.h.len = sizeof(a),
		.c.major_ver = RNDIS_MAJOR_VERSION,
		.c.minor_ver = RNDIS_MINOR_VERSION,
		.c.dev_flags = RNDIS_DF_CONNECTIONLESS,
		.c.medium = RNDIS_MEDIUM_802_3,
		.c.max_pkt_per_msg = 8,
		.c.max_xfer_size = NET_SEND_SECTION,
		.c.pkt_alignment_factor = 3,	/* 8 bytes */
	};
	struct rndis_init_req r;

	memcpy(&r, msg + RNDIS_HDR_SIZE, sizeof(r));
	a.c.req_id = r.req_id;
	n->rndis_up = true;
	n->filter = 0;
	net_answer(n, &a, sizeof(a));
}

/* One RNDIS message of @len bytes (its header's) at @msg: 0 or -errno */
static int net_rndis_msg(struct net *n, const uint8_t *msg, uint32_t len)
{
	struct {
		struct rndis_hdr h;
		struct rndis_set_complete c;
	} __attribute__((packed)) ka;
	struct rndis_hdr h;
	uint32_t req_id;

	memcpy(&h, msg, sizeof(h));
	if (h.type == RNDIS_MSG_PACKET)
		return net_rndis_packet(n, msg, len);
	/* Every request starts with its id; QUERY and SET with more. */
	if (len < RNDIS_HDR_SIZE + 4)
		return -EINVAL;
	memcpy(&req_id, msg + RNDIS_HDR_SIZE, 4);
	switch (h.type) {
	case RNDIS_MSG_INIT:
		if (len < RNDIS_HDR_SIZE + sizeof(struct rndis_init_req))
			return -EINVAL;
		net_rndis_init(n, msg);
		return 0;
	case RNDIS_MSG_QUERY:
	case RNDIS_MSG_SET:
		if (len < RNDIS_HDR_SIZE + sizeof(struct rndis_query_req))
			return -EINVAL;
		if (h.type == RNDIS_MSG_QUERY)
			net_rndis_query(n, msg, len);
		else
			net_rndis_set(n, msg, len);
		return 0;
	case RNDIS_MSG_KEEPALIVE:
		ka.h.type = RNDIS_MSG_KEEPALIVE | RNDIS_MSG_COMPLETION;
		ka.h.len = sizeof(ka);
		ka.c.req_id = req_id;
		ka.c.status = RNDIS_STATUS_SUCCESS;
		net_answer(n, &ka, sizeof(ka));
		return 0;
	case RNDIS_MSG_HALT:
		n->rndis_up = false;
		n->filter = 0;
		return 0;
	}
	return -EOPNOTSUPP;
}

/* The RNDIS messages in @n->stream, one after the other */
static int net_rndis_stream(struct net *n, uint32_t len)
{
	uint32_t off = 0;
	struct rndis_hdr h;
	int ret;

	if (!len)
		return -EINVAL;
	while (off < len) {
		if (len - off < sizeof(h))
			return -EINVAL;
		memcpy(&h, n->stream + off, sizeof(h));
		if (h.len < sizeof(h) || h.len > len - off)
			return -EINVAL;
		ret = net_rndis_msg(n, n->stream + off, h.len);
		if (ret)
			return ret;
		off += h.len;
	}
	return 0;
}

/*
 * Gathers the RNDIS bytes of a SEND_RNDIS_PKT: the send section it
 * names, then the pages of a GPA-direct packet (a guest that copied the
 * RNDIS header alone into a section sends the frame as pages).
 * Returns the bytes, or -errno for anything out of bounds.
 */
static int net_gather(struct net *n, const struct vmbus_pkt *pkt,
		      const struct nvsp_rndis_pkt *r)
{
	struct vmbus_gpa_direct_hdr gh;
	struct vmbus_mpb_range range;
	uint32_t len = 0, off, i, npfn, first, chunk, pfns;
	uint64_t pfn;
	uint8_t *page;

	if (r->send_buf_section_index != NVSP_NO_SECTION) {
		if (!n->sbuf || r->send_buf_section_index >= n->nr_ssec ||
		    r->send_buf_section_size > NET_SEND_SECTION)
			return -ERANGE;
		len = r->send_buf_section_size;
		pages_read(n->sbuf, (uint64_t)r->send_buf_section_index *
			   NET_SEND_SECTION, n->stream, len);
	}
	if (pkt->type != VMBUS_PKT_DATA_USING_GPA_DIRECT)
		return len;
	off = sizeof(struct vmbus_packet_desc);
	if (pkt->hdr_len < off + sizeof(gh))
		return -EINVAL;
	memcpy(&gh, pkt->hdr + off, sizeof(gh));
	off += sizeof(gh);
	for (i = 0; i < gh.range_cnt; i++) {
		if (pkt->hdr_len - off < sizeof(range))
			return -EINVAL;
		memcpy(&range, pkt->hdr + off, sizeof(range));
		off += sizeof(range);
		if (range.offset >= VMBUS_PAGE_SIZE ||
		    range.len > NET_MAX_STREAM - len)
			return -EMSGSIZE;
		npfn = (range.offset + range.len + VMBUS_PAGE_SIZE - 1) /
		       VMBUS_PAGE_SIZE;
		if ((pkt->hdr_len - off) / 8 < npfn)
			return -EINVAL;
		pfns = off;
		off += npfn * 8;
		first = range.offset;
		while (range.len) {
			memcpy(&pfn, pkt->hdr + pfns, 8);
			pfns += 8;
			page = vmbus_gpa_page(vmbus_chan_bus(n->ch), pfn);
			if (!page)
				return -EFAULT;
			chunk = VMBUS_PAGE_SIZE - first;
			if (chunk > range.len)
				chunk = range.len;
			memcpy(n->stream + len, page + first, chunk);
			len += chunk;
			range.len -= chunk;
			first = 0;
		}
	}
	return len;
}

/* ---- NVSP ------------------------------------------------------------ */

static const uint32_t net_versions[] = {
	NVSP_PROTOCOL_VERSION_61, NVSP_PROTOCOL_VERSION_6,
	NVSP_PROTOCOL_VERSION_5, NVSP_PROTOCOL_VERSION_4,
	NVSP_PROTOCOL_VERSION_2, NVSP_PROTOCOL_VERSION_1,
};

static void net_on_init(struct net *n, uint64_t tid, const struct nvsp_msg *m)
{
	struct nvsp_msg a = {
		.type = NVSP_MSG_TYPE_INIT_COMPLETE,
		.init_complete.status = NVSP_STAT_FAIL,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(net_versions); i++) {
		if (net_versions[i] <= m->init.max_protocol_ver &&
		    net_versions[i] >= m->init.min_protocol_ver) {
			n->nvsp_version = net_versions[i];
			a.init_complete.negotiated_protocol_ver = n->nvsp_version;
			a.init_complete.status = NVSP_STAT_SUCCESS;
			break;
		}
	}
	net_complete(n, tid, &a);
}

/* The receive buffer: one section list over all of it */
static uint32_t net_on_recv_buf(struct net *n, const struct nvsp_msg *m,
				struct nvsp_msg *a)
{
	uint32_t i, nr;

	if (n->rbuf || !n->nvsp_version)
		return NVSP_STAT_FAIL;
	if (vmbus_chan_gpadl_pages(n->ch, m->send_buf.gpadl_handle, &n->rbuf,
				   &n->rbuf_pages))
		return NVSP_STAT_FAIL;
	nr = (uint64_t)n->rbuf_pages * VMBUS_PAGE_SIZE / NET_RECV_SECTION;
	if (nr <= NET_CTL_RESERVE) {
		free(n->rbuf);
		n->rbuf = NULL;
		return NVSP_STAT_FAIL;
	}
	n->rsec_free = calloc(nr, sizeof(*n->rsec_free));
	n->rsec_busy = calloc(nr, 1);
	n->rsec_next = calloc(nr, sizeof(*n->rsec_next));
	if (!n->rsec_free || !n->rsec_busy || !n->rsec_next) {
		net_drop_recv_buf(n);
		return NVSP_STAT_FAIL;
	}
	for (i = 0; i < nr; i++)
		n->rsec_free[i] = nr - 1 - i;
	n->nr_rsec = nr;
	n->nr_rfree = nr;
	n->rbuf_id = m->send_buf.id;
	a->recv_buf_complete.num_sections = 1;
	a->recv_buf_complete.sections[0].sub_alloc_size = NET_RECV_SECTION;
	a->recv_buf_complete.sections[0].num_sub_allocs = nr;
	a->recv_buf_complete.sections[0].end_offset = nr * NET_RECV_SECTION;
	return NVSP_STAT_SUCCESS;
}

static uint32_t net_on_send_buf(struct net *n, const struct nvsp_msg *m,
				struct nvsp_msg *a)
{
	if (n->sbuf || !n->nvsp_version)
		return NVSP_STAT_FAIL;
	if (vmbus_chan_gpadl_pages(n->ch, m->send_buf.gpadl_handle, &n->sbuf,
				   &n->sbuf_pages))
		return NVSP_STAT_FAIL;
	n->nr_ssec = (uint64_t)n->sbuf_pages * VMBUS_PAGE_SIZE /
		     NET_SEND_SECTION;
	if (!n->nr_ssec) {
		free(n->sbuf);
		n->sbuf = NULL;
		return NVSP_STAT_FAIL;
	}
	a->send_buf_complete.section_size = NET_SEND_SECTION;
	return NVSP_STAT_SUCCESS;
}

static void net_on_rndis_pkt(struct net *n, const struct vmbus_pkt *pkt,
			     const struct nvsp_msg *m)
{
	int len, ret = -EPROTO;

	if (n->rbuf && n->sbuf) {
		len = net_gather(n, pkt, &m->rndis_pkt);
		ret = len < 0 ? len : net_rndis_stream(n, len);
	}
	if (ret == -EPERM)
		vmbus_chan_note(n->ch, "a frame before RNDIS is initialized");
	else if (ret)
		vmbus_chan_note(n->ch, "a bad RNDIS packet (section, pages or lengths)");
	if (pkt->flags & VMBUS_PKT_FLAG_COMPLETION_REQUESTED)
		net_complete_rndis(n, pkt->trans_id, ret ? NVSP_STAT_FAIL :
				   NVSP_STAT_SUCCESS);
}

/* The guest is done with the sections of our transfer-page packet. */
static void net_on_completion(struct net *n, const struct vmbus_pkt *pkt)
{
	uint64_t s = pkt->trans_id & ~NET_XFER_TID;
	uint32_t next;

	if ((pkt->trans_id & NET_XFER_TID) != NET_XFER_TID ||
	    s >= n->nr_rsec || n->rsec_busy[s] != NET_SEC_FIRST) {
		vmbus_chan_note(n->ch, "a completion of no receive section in use");
		return;
	}
	/* the chain is the VSP's own: each section in it is held */
	for (; s != NET_NO_SECTION; s = next) {
		next = n->rsec_next[s];
		n->rsec_busy[s] = 0;
		n->rsec_free[n->nr_rfree++] = s;
	}
}

static void net_on_packet(struct net *n, const struct vmbus_pkt *pkt)
{
	struct nvsp_msg m, a;
	uint32_t status;

	if (pkt->type == VMBUS_PKT_COMP) {
		net_on_completion(n, pkt);
		return;
	}
	if ((pkt->type != VMBUS_PKT_DATA_INBAND &&
	     pkt->type != VMBUS_PKT_DATA_USING_GPA_DIRECT) ||
	    pkt->len < 4) {
		vmbus_chan_note(n->ch, "a packet that is no NVSP message");
		return;
	}
	/* Short messages read as zeros past their end. */
	memset(&m, 0, sizeof(m));
	memcpy(&m, pkt->data, pkt->len < sizeof(m) ? pkt->len : sizeof(m));
	if (pkt->type == VMBUS_PKT_DATA_USING_GPA_DIRECT &&
	    m.type != NVSP_MSG1_TYPE_SEND_RNDIS_PKT) {
		vmbus_chan_note(n->ch, "pages with an NVSP message that takes none");
		return;
	}
	memset(&a, 0, sizeof(a));
	switch (m.type) {
	case NVSP_MSG_TYPE_INIT:
		net_on_init(n, pkt->trans_id, &m);
		return;
	case NVSP_MSG1_TYPE_SEND_NDIS_VER:
	case NVSP_MSG2_TYPE_SEND_NDIS_CONFIG:
		/* Noted by the guest; nothing to answer. */
		return;
	case NVSP_MSG1_TYPE_SEND_RECV_BUF:
		a.type = NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE;
		status = net_on_recv_buf(n, &m, &a);
		a.recv_buf_complete.status = status;
		break;
	case NVSP_MSG1_TYPE_SEND_SEND_BUF:
		a.type = NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE;
		status = net_on_send_buf(n, &m, &a);
		a.send_buf_complete.status = status;
		break;
	case NVSP_MSG1_TYPE_REVOKE_RECV_BUF:
		/*
		 * The guest tears its buffers down: no more frames.  The
		 * pages stay guest RAM, so nothing dangles meanwhile.
		 */
		net_drop_recv_buf(n);
		return;
	case NVSP_MSG1_TYPE_REVOKE_SEND_BUF:
		net_drop_send_buf(n);
		return;
	case NVSP_MSG1_TYPE_SEND_RNDIS_PKT:
		net_on_rndis_pkt(n, pkt, &m);
		return;
	case NVSP_MSG4_TYPE_SWITCH_DATA_PATH:
		/* There is no VF: the synthetic path is the only one. */
		if (pkt->flags & VMBUS_PKT_FLAG_COMPLETION_REQUESTED)
			net_complete(n, pkt->trans_id, NULL);
		return;
	case NVSP_MSG5_TYPE_SUBCHANNEL:
		a.type = NVSP_MSG5_TYPE_SUBCHANNEL;
		a.subchannel.op_or_status = NVSP_STAT_FAIL;
		status = NVSP_STAT_FAIL;
		break;
	default:
		vmbus_chan_note(n->ch, "an NVSP message of an unknown type");
		return;
	}
	if (status != NVSP_STAT_SUCCESS)
		vmbus_chan_note(n->ch, "an NVSP request refused (buffer or sub-channels)");
	net_complete(n, pkt->trans_id, &a);
}

/* ---- the channel ----------------------------------------------------- */

static void net_event(struct vmbus_chan *ch)
{
	struct net *n = vmbus_chan_priv(ch);
	struct vmbus_pkt pkt;

	/* Nothing more while answers wait for room in the guest's ring. */
	while (!net_flush(n) && !vmbus_chan_recv(ch, &pkt))
		net_on_packet(n, &pkt);
	net_update_watch(n);
}

static void net_tick(struct vmbus_chan *ch)
{
	struct net *n = vmbus_chan_priv(ch);

	/* A fallback: the guest's signal normally brings this. */
	if (n->out_len && !net_flush(n))
		vmbus_chan_kick(ch);
}

static void net_reset(struct net *n)
{
	net_drop_recv_buf(n);
	net_drop_send_buf(n);
	n->nvsp_version = 0;
	n->rndis_up = false;
	n->filter = 0;
	n->out_len = 0;
	n->ctl_len = 0;
}

static uint32_t net_open(struct vmbus_chan *ch)
{
	struct net *n = vmbus_chan_priv(ch);
	int ret;

	if (vmbus_chan_primary(ch) != ch)
		return VMBUS_STATUS_UNSUCCESSFUL;
	net_reset(n);
	n->ch = ch;
	ret = vmbus_watch_fd(vmbus_chan_bus(ch), n->tap_fd, net_on_tap, n);
	if (ret) {
		hvctl_warn("vmbus: network: cannot watch the tap: %s",
			   strerror(-ret));
		n->ch = NULL;
		return VMBUS_STATUS_UNSUCCESSFUL;
	}
	n->watched = true;
	n->paused = false;
	return 0;
}

static void net_close(struct vmbus_chan *ch)
{
	struct net *n = vmbus_chan_priv(ch);

	if (n->watched)
		vmbus_unwatch_fd(vmbus_chan_bus(ch), n->tap_fd);
	n->watched = false;
	hvctl_info("vmbus: network: %llu frames to the tap, %llu from it, %llu dropped (no room)",
		   (unsigned long long)n->tx_frames,
		   (unsigned long long)n->rx_frames,
		   (unsigned long long)n->rx_dropped);
	net_reset(n);
	n->ch = NULL;
}

const struct vmbus_dev_ops vmbus_net_ops = {
	.name = "network",
	/* {f8615163-df3e-46c5-913f-f2d2f965ed0e} */
	.if_type = { {
		0x63, 0x51, 0x61, 0xf8, 0x3e, 0xdf, 0xc5, 0x46,
		0x91, 0x3f, 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e,
	} },
	.open = net_open,
	.event = net_event,
	.tick = net_tick,
	.close = net_close,
};

/* What a tap's name may hold */
static const char net_name_chars[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";

/*
 * Parses --net's value, "tap=NAME[,mac=XX:XX:XX:XX:XX:XX]": the tap's
 * name and the guest's address (without mac=, a locally administered
 * one made from NAME: 02:68:76 and three bytes of its hash).  0, or
 * -EINVAL with why in @err.
 */
int vmbus_net_parse(const char *spec, char ifname[16], uint8_t mac[6],
		    char *err, size_t err_len)
{
	const char *name, *end, *m;
	unsigned int b[6], i;
	uint32_t hash = 2166136261u;
	size_t len;
	int used;

	if (strncmp(spec, "tap=", 4))
		goto bad;
	name = spec + 4;
	end = strchr(name, ',');
	len = end ? (size_t)(end - name) : strlen(name);
	if (!len || len >= 16 || strspn(name, net_name_chars) < len)
		goto bad;
	memcpy(ifname, name, len);
	ifname[len] = '\0';
	for (i = 0; i < len; i++)
		hash = (hash ^ (uint8_t)name[i]) * 16777619u;
	mac[0] = 0x02;
	mac[1] = 0x68;
	mac[2] = 0x76;
	mac[3] = hash >> 16;
	mac[4] = hash >> 8;
	mac[5] = hash;
	if (!end)
		return 0;
	m = end + 1;
	if (strncmp(m, "mac=", 4) ||
	    sscanf(m + 4, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2],
		   &b[3], &b[4], &b[5], &used) != 6 ||
	    m[4 + used] || strlen(m + 4) != 17 || (b[0] & 1))
		goto bad;
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	return 0;
bad:
	snprintf(err, err_len,
		 "bad --net '%s': want tap=NAME (at most 15 of A-Z a-z 0-9 _ . -) and optionally ,mac=XX:XX:XX:XX:XX:XX (unicast)",
		 spec);
	return -EINVAL;
}

/*
 * Offers a network adapter with address @mac whose frames go to and
 * come from @tap_fd (non-blocking; the caller keeps it open as long as
 * the bus and closes it after).
 */
int vmbus_add_net(struct vmbus *bus, int tap_fd, const uint8_t mac[6])
{
	struct net *n = calloc(1, sizeof(*n));
	struct ifreq ifr;

	if (!n)
		return -ENOMEM;
	n->tap_fd = tap_fd;
	/* a tap with virtio-net headers (not a socket, say) */
	memset(&ifr, 0, sizeof(ifr));
	n->vnet = !ioctl(tap_fd, TUNGETIFF, &ifr) &&
		  (ifr.ifr_flags & IFF_VNET_HDR);
	memcpy(n->mac, mac, 6);
	return vmbus_add_device(bus, &vmbus_net_ops, n);
}
