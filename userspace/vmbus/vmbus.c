// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the VMBus server (docs/vmbus.rst): the channel management
 * protocol, GPADLs, channels and their ring buffers in guest memory.
 *
 * Everything the guest writes is untrusted: each control message is
 * checked for its type, its size and every field before it changes any
 * state, and each ring access is bounded by the ring the guest opened.
 * A bad request is refused (a failure status where the protocol has
 * one, else dropped), reported once per kind with --verbose, and the
 * server goes on.  Guest memory is only ever reached through
 * vmbus_gpa(), which checks the range against guest RAM.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

#include <linux/hvpart.h>

#include "cli.h"
#include "libhvpart.h"
#include "util.h"
#include "vmbus/vmbus.h"

/* Port ids of the server, out of the way of hvtestdev's (below 0x300) */
#define VMBUS_PORT_MSG		0xb00000u
#define VMBUS_PORT_CHAN_BASE	0xb00000u	/* + relid */
/* The connection id a channel's HvSignalEvent names: base + relid */
#define VMBUS_CONN_CHAN_BASE	0x2000u

#define VMBUS_MAX_CHANNELS	64
/* Bounds on what a guest may make the server hold */
#define VMBUS_MAX_GPADLS	1024
#define VMBUS_MAX_GPADL_PAGES	(64u * 1024)	/* 256 MiB */
#define VMBUS_OUTQ_LEN		64
/* How often messages the SINT's queue refused are retried */
#define VMBUS_RETRY_MS		10
/* fds devices may have the thread watch (vmbus_watch_fd()) */
#define VMBUS_MAX_WATCH		48

/*
 * epoll tags: fixed ones, then VMBUS_EP_WATCH + watch slot, then
 * VMBUS_EP_CHAN + channel index
 */
enum {
	VMBUS_EP_MSG,
	VMBUS_EP_WAKE,
	VMBUS_EP_TIMER,
	VMBUS_EP_RETRY,
	VMBUS_EP_WATCH = 0x10,
	VMBUS_EP_CHAN = 0x100,
};

/* A device's fd that the VMBus thread waits on (vmbus_watch_fd()) */
struct vmbus_watch {
	int fd;
	void (*cb)(void *arg);
	void *arg;
};

/**
 * struct vmbus_gpadl - a guest physical address descriptor list
 * @handle: the guest's name for it
 * @relid: the channel it was made for
 * @nr_pfns: pages it describes
 * @have: pages received so far (GPADL_HEADER, then GPADL_BODY)
 * @pfns: the guest page frames, each checked against guest RAM
 * @next: the server's list
 */
struct vmbus_gpadl {
	uint32_t handle;
	uint32_t relid;
	uint32_t nr_pfns;
	uint32_t have;
	uint64_t *pfns;
	struct vmbus_gpadl *next;
};

/*
 * One direction of a channel: the header page and the data pages, as
 * host pointers into guest RAM (the GPADL's pages need not be
 * contiguous).
 */
struct vmbus_ring {
	struct vmbus_ring_header *hdr;
	uint8_t **page;
	uint32_t size;
};

/*
 * A channel: a device's primary one (offered at start, for the worker's
 * life), or a dynamic one (a sub-channel, a hv_sock connection): offered
 * while the guest is connected, freed when it goes, or when the guest
 * releases its relid after a rescind.
 */
struct vmbus_chan {
	struct vmbus *bus;
	const struct vmbus_dev_ops *ops;
	void *priv;
	unsigned int index;		/* in bus->chans: relid - 1 */
	uint32_t relid;
	uint32_t conn_id;
	struct vmbus_guid if_type;
	struct vmbus_guid instance;
	uint16_t chn_flags;
	uint8_t user_def[VMBUS_USER_DEFINED_BYTES];
	bool dynamic;
	bool rescinded;			/* until the guest releases the relid */
	int efd;
	bool open;
	uint32_t target_vp;
	uint32_t gpadl;
	struct vmbus_ring rx;		/* guest to host: the server reads */
	struct vmbus_ring tx;		/* host to guest: the server writes */
	uint32_t rx_read;		/* rx's read index while draining */
	uint32_t rx_start;		/* rx's read index when draining began */
	bool rx_empty;			/* the device's last recv found none */
	uint8_t *pkt;			/* VMBUS_MAX_PKT: the packet copy */
	bool noted;
	struct vmbus_chan *primary;	/* a sub-channel's; else itself */
	uint16_t sub_index;
};

struct vmbus_outmsg {
	uint32_t vp;
	uint32_t len;
	uint8_t payload[HVPART_MESSAGE_PAYLOAD_BYTES];
};

struct vmbus {
	int pt_fd;
	uint8_t *ram;
	uint64_t ram_size;
	unsigned int nr_vps;
	int epfd;
	int msg_fd;
	int wake_fd;
	int timer_fd;			/* the channels' ticks */
	int retry_fd;			/* one-shot: post what waited */
	pthread_t thread;
	bool running;
	atomic_bool stop;
	/* the guest's connection */
	bool connected;
	uint32_t version;
	uint32_t target_vcpu;
	/*
	 * channels by relid - 1, NULL for a free relid; the devices' first,
	 * then dynamic ones in the lowest free slots
	 */
	struct vmbus_chan *chans[VMBUS_MAX_CHANNELS];
	unsigned int nr_chans;		/* slots in use up to here */
	struct vmbus_sock *sock;	/* hv_sock (sock.c) */
	struct vmbus_gpadl *gpadls;
	unsigned int nr_gpadls;
	/* control messages the target SINT's queue had no room for */
	struct vmbus_outmsg outq[VMBUS_OUTQ_LEN];
	unsigned int outq_head;
	unsigned int outq_len;
	bool retry_armed;
	/* requests from other threads, under @req_lock */
	pthread_mutex_t req_lock;
	bool shutdown_req;
	bool shutdown_open;
	/* kinds of bad requests already reported */
	uint32_t noted;
	unsigned long ticks;
	/* devices' fds (a tap, say): the VMBus thread's alone */
	struct vmbus_watch watch[VMBUS_MAX_WATCH];
};

/* What a bad request is reported as, once each */
enum vmbus_note {
	NOTE_SHORT,
	NOTE_TYPE,
	NOTE_STATE,
	NOTE_RELID,
	NOTE_GPADL,
	NOTE_RING,
	NOTE_VP,
	NOTE_POST,
	NOTE_SIGNAL,
	NOTE_OUTQ,
};

static void vmbus_note(struct vmbus *bus, enum vmbus_note kind,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void vmbus_note(struct vmbus *bus, enum vmbus_note kind,
		       const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	if (bus->noted & (1u << kind))
		return;
	bus->noted |= 1u << kind;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	hvctl_info("vmbus: %s (reported once)", buf);
}

void vmbus_chan_note(struct vmbus_chan *ch, const char *what)
{
	if (ch->noted)
		return;
	ch->noted = true;
	hvctl_info("vmbus: %s channel %u: %s (reported once)", ch->ops->name,
		   ch->relid, what);
}

/* Host address of guest page frame @pfn, or NULL if it is not RAM */
uint8_t *vmbus_gpa_page(struct vmbus *bus, uint64_t pfn)
{
	if (pfn >= bus->ram_size / VMBUS_PAGE_SIZE)
		return NULL;
	return bus->ram + pfn * VMBUS_PAGE_SIZE;
}

static void vmbus_chan_drop(struct vmbus_chan *ch);
static void vmbus_send_offer(struct vmbus *bus, struct vmbus_chan *ch);

/* ---- messages to the guest ------------------------------------------ */

static void vmbus_arm_retry(struct vmbus *bus)
{
	struct itimerspec its = {
		.it_value.tv_nsec = VMBUS_RETRY_MS * 1000000L,
	};

	if (bus->retry_armed)
		return;
	bus->retry_armed = true;
	timerfd_settime(bus->retry_fd, 0, &its, NULL);
}

static int vmbus_post_now(struct vmbus *bus, const struct vmbus_outmsg *m)
{
	return hvp_post_message(bus->pt_fd, m->vp, VMBUS_MESSAGE_SINT,
				VMBUS_HV_MESSAGE_TYPE, m->payload, m->len);
}

/* Posts what waited, in order, until the SINT's queue is full again. */
static void vmbus_flush_outq(struct vmbus *bus)
{
	int ret;

	while (bus->outq_len) {
		ret = vmbus_post_now(bus, &bus->outq[bus->outq_head]);
		if (ret == -EAGAIN) {
			vmbus_arm_retry(bus);
			return;
		}
		if (ret)
			vmbus_note(bus, NOTE_POST,
				   "a control message to VP%u was lost: %s",
				   bus->outq[bus->outq_head].vp,
				   strerror(-ret));
		bus->outq_head = (bus->outq_head + 1) % VMBUS_OUTQ_LEN;
		bus->outq_len--;
	}
}

/* Sends a control message to the VP the guest's contact named. */
static void vmbus_post(struct vmbus *bus, const void *msg, uint32_t len)
{
	struct vmbus_outmsg *m;

	if (bus->outq_len == VMBUS_OUTQ_LEN) {
		vmbus_note(bus, NOTE_OUTQ,
			   "the guest takes no control messages: one dropped");
		return;
	}
	m = &bus->outq[(bus->outq_head + bus->outq_len) % VMBUS_OUTQ_LEN];
	m->vp = bus->target_vcpu;
	m->len = len;
	memcpy(m->payload, msg, len);
	bus->outq_len++;
	vmbus_flush_outq(bus);
}

/* ---- rings ------------------------------------------------------------ */

/* The same for ring @r's data at ring offset @off (below 2 * size), wrapping */
static void ring_copy(const struct vmbus_ring *r, uint32_t off, void *buf,
		      uint32_t len, bool to_ring)
{
	uint32_t first;

	if (off >= r->size)
		off -= r->size;
	first = r->size - off < len ? r->size - off : len;
	vmbus_pages_copy(r->page, off, buf, first, to_ring);
	vmbus_pages_copy(r->page, 0, (uint8_t *)buf + first, len - first,
			 to_ring);
}

static void ring_read(const struct vmbus_ring *r, uint32_t off, void *buf,
		      uint32_t len)
{
	ring_copy(r, off, buf, len, false);
}

static void ring_write(const struct vmbus_ring *r, uint32_t off,
		       const void *buf, uint32_t len)
{
	ring_copy(r, off, (void *)buf, len, true);
}

static uint32_t ring_load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void ring_store(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Bytes from @from to @to in a ring of @size */
static uint32_t ring_dist(uint32_t from, uint32_t to, uint32_t size)
{
	return to >= from ? to - from : size - from + to;
}

static void vmbus_chan_signal(struct vmbus_chan *ch)
{
	int ret;

	ret = hvp_signal_event(ch->bus->pt_fd, ch->target_vp,
			       VMBUS_MESSAGE_SINT, ch->relid, 0);
	if (ret)
		vmbus_note(ch->bus, NOTE_SIGNAL,
			   "cannot signal channel %u on VP%u: %s", ch->relid,
			   ch->target_vp, strerror(-ret));
}

/*
 * Takes the next packet of the guest's ring: 0 and @pkt, -EAGAIN when
 * the ring is empty, -EBADMSG when the guest broke its ring (indices
 * out of range, a packet that does not fit what was written): the
 * channel then takes nothing more until it is opened again.
 */
int vmbus_chan_recv(struct vmbus_chan *ch, struct vmbus_pkt *pkt)
{
	struct vmbus_ring *r = &ch->rx;
	struct vmbus_packet_desc d;
	uint32_t write, avail, len, off;

	if (!ch->open || !r->hdr)
		return -EBADMSG;
	write = ring_load(&r->hdr->write_index);
	if (write >= r->size || write % 8) {
		vmbus_chan_note(ch, "the guest's write index is out of its ring");
		r->hdr = NULL;
		return -EBADMSG;
	}
	avail = ring_dist(ch->rx_read, write, r->size);
	ch->rx_empty = !avail;
	if (!avail)
		return -EAGAIN;
	if (avail < sizeof(d) + VMBUS_PKT_TRAILER)
		goto bad;
	ring_read(r, ch->rx_read, &d, sizeof(d));
	len = (uint32_t)d.len8 * 8;
	off = (uint32_t)d.offset8 * 8;
	if (len < sizeof(d) || len > VMBUS_MAX_PKT ||
	    len + VMBUS_PKT_TRAILER > avail || off < sizeof(d) || off > len)
		goto bad;
	ring_read(r, ch->rx_read, ch->pkt, len);
	/* The copy is what counts: the guest may change its ring meanwhile. */
	memcpy(ch->pkt, &d, sizeof(d));
	pkt->type = d.type;
	pkt->flags = d.flags;
	pkt->trans_id = d.trans_id;
	pkt->hdr = ch->pkt;
	pkt->hdr_len = off;
	pkt->data = ch->pkt + off;
	pkt->len = len - off;
	ch->rx_read += len + VMBUS_PKT_TRAILER;
	if (ch->rx_read >= r->size)
		ch->rx_read -= r->size;
	return 0;
bad:
	vmbus_chan_note(ch, "a packet does not fit the guest's ring");
	r->hdr = NULL;
	return -EBADMSG;
}

/*
 * Publishes what vmbus_chan_recv() took: the read index, then the
 * guest's pending_send_sz protocol (signal the guest if this read gave
 * it the room it waits for).
 */
static void vmbus_chan_recv_done(struct vmbus_chan *ch)
{
	struct vmbus_ring *r = &ch->rx;
	uint32_t pending, write, before, after;

	if (!r->hdr || ch->rx_read == ch->rx_start)
		return;
	ring_store(&r->hdr->read_index, ch->rx_read);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(ring_load(&r->hdr->feature_bits) &
	      VMBUS_RING_FEAT_PENDING_SEND_SZ))
		goto out;
	pending = ring_load(&r->hdr->pending_send_sz);
	if (!pending)
		goto out;
	write = ring_load(&r->hdr->write_index);
	if (write >= r->size)
		goto out;
	/* free bytes before and after this read */
	before = r->size - ring_dist(ch->rx_start, write, r->size);
	after = r->size - ring_dist(ch->rx_read, write, r->size);
	if (before <= pending && after > pending)
		vmbus_chan_signal(ch);
out:
	ch->rx_start = ch->rx_read;
}

/*
 * Writes one packet into the guest's receive ring and signals the guest
 * if it waits for one.  -EAGAIN when the ring has no room: the guest is
 * then asked (pending_send_sz) to signal the channel once it has, and
 * the device's event callback runs again.
 */
int vmbus_chan_send(struct vmbus_chan *ch, uint16_t type, uint16_t flags,
		    uint64_t trans_id, const void *data, uint32_t len)
{
	return vmbus_chan_send_hdr(ch, type, flags, trans_id, NULL, 0, data,
				   len);
}

/*
 * vmbus_chan_send() with @hdr_len bytes (a multiple of 8) of @hdr
 * between the descriptor and the payload: a transfer-page packet's
 * ranges, say.  The payload starts at offset8 = (16 + @hdr_len) / 8.
 */
int vmbus_chan_send_hdr(struct vmbus_chan *ch, uint16_t type, uint16_t flags,
			uint64_t trans_id, const void *hdr, uint32_t hdr_len,
			const void *data, uint32_t len)
{
	struct vmbus_ring *r = &ch->tx;
	struct vmbus_packet_desc d;
	static const uint8_t pad[8];
	uint32_t total, padded, read, write, free_bytes, next, off;
	uint64_t trailer;

	if (!ch->open || !r->hdr)
		return -EPIPE;
	if (hdr_len % 8 || hdr_len > VMBUS_MAX_PKT)
		return -EINVAL;
	off = sizeof(d) + hdr_len;
	padded = (len + 7) & ~7u;
	total = off + padded + VMBUS_PKT_TRAILER;
	if (off + padded > 0xffff * 8 || total >= r->size)
		return -EMSGSIZE;
	read = ring_load(&r->hdr->read_index);
	write = r->hdr->write_index;
	if (read >= r->size || write >= r->size || write % 8) {
		vmbus_chan_note(ch, "the guest's read index is out of its ring");
		r->hdr = NULL;
		return -EPIPE;
	}
	free_bytes = r->size - ring_dist(read, write, r->size);
	if (free_bytes <= total) {
		ring_store(&r->hdr->pending_send_sz, total + 1);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		/* The guest may have read meanwhile: look once more. */
		read = ring_load(&r->hdr->read_index);
		if (read >= r->size ||
		    r->size - ring_dist(read, write, r->size) <= total)
			return -EAGAIN;
	}
	ring_store(&r->hdr->pending_send_sz, 0);
	d.type = type;
	d.offset8 = off / 8;
	d.len8 = (off + padded) / 8;
	d.flags = flags;
	d.trans_id = trans_id;
	ring_write(r, write, &d, sizeof(d));
	if (hdr_len)
		ring_write(r, write + sizeof(d), hdr, hdr_len);
	ring_write(r, write + off, data, len);
	if (padded != len)
		ring_write(r, write + off + len, pad, padded - len);
	trailer = (uint64_t)write << 32;
	ring_write(r, write + off + padded, &trailer, sizeof(trailer));
	next = write + total;
	if (next >= r->size)
		next -= r->size;
	ring_store(&r->hdr->write_index, next);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* Signal only an empty ring's reader that does not mask us. */
	if (!ring_load(&r->hdr->interrupt_mask) &&
	    ring_load(&r->hdr->read_index) == write)
		vmbus_chan_signal(ch);
	return 0;
}

/*
 * The guest signalled: the device drains its ring with its interrupt
 * masked, then unmasks it and looks once more, as the guest expects of
 * a host (Linux's ring_buffer.c: the host masks while it drains, and
 * drains again after it unmasks).  A device may stop before the ring is
 * empty (it waits for room in the guest's ring to answer): it is then
 * called again on the guest's next signal or its vmbus_chan_kick(),
 * not at once.
 */
static void vmbus_chan_event(struct vmbus_chan *ch)
{
	struct vmbus_ring *r = &ch->rx;
	uint32_t write;

	for (;;) {
		if (!ch->open || !r->hdr)
			return;
		ring_store(&r->hdr->interrupt_mask, 1);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		ch->rx_empty = false;
		ch->ops->event(ch);
		vmbus_chan_recv_done(ch);
		if (!r->hdr)
			return;
		ring_store(&r->hdr->interrupt_mask, 0);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!ch->rx_empty)
			return;
		write = ring_load(&r->hdr->write_index);
		if (write == ch->rx_read)
			return;
	}
}

/*
 * On the VMBus thread: runs @ch's event callback as if the guest had
 * signalled, for a device that stopped draining and can go on (its
 * answers found room, say).
 */
void vmbus_chan_kick(struct vmbus_chan *ch)
{
	vmbus_chan_event(ch);
}

/* ---- channels -------------------------------------------------------- */

void *vmbus_chan_priv(struct vmbus_chan *ch)
{
	return ch->priv;
}

struct vmbus *vmbus_chan_bus(struct vmbus_chan *ch)
{
	return ch->bus;
}

const struct vmbus_dev_ops *vmbus_chan_ops(struct vmbus_chan *ch)
{
	return ch->ops;
}

uint32_t vmbus_chan_relid(struct vmbus_chan *ch)
{
	return ch->relid;
}

static struct vmbus_chan *vmbus_find_chan(struct vmbus *bus, uint32_t relid)
{
	if (!relid || relid > bus->nr_chans)
		return NULL;
	return bus->chans[relid - 1];
}

static void vmbus_ring_unmap(struct vmbus_ring *r)
{
	free(r->page);
	r->page = NULL;
	r->hdr = NULL;
	r->size = 0;
}

static void vmbus_chan_close(struct vmbus_chan *ch)
{
	if (!ch->open)
		return;
	/* first: a device's close may rescind the channel */
	ch->open = false;
	if (ch->ops->close)
		ch->ops->close(ch);
	if (ch->ops == &vmbus_ic_shutdown_ops) {
		pthread_mutex_lock(&ch->bus->req_lock);
		ch->bus->shutdown_open = false;
		pthread_mutex_unlock(&ch->bus->req_lock);
	}
	epoll_ctl(ch->bus->epfd, EPOLL_CTL_DEL, ch->efd, NULL);
	hvp_disconnect_port(ch->bus->pt_fd, ch->conn_id);
	hvp_delete_port(ch->bus->pt_fd, VMBUS_PORT_CHAN_BASE + ch->relid);
	vmbus_ring_unmap(&ch->rx);
	vmbus_ring_unmap(&ch->tx);
}

/* Maps @n pages of @g from page @first as a ring: a header, then data. */
static int vmbus_ring_map(struct vmbus *bus, struct vmbus_ring *r,
			  const struct vmbus_gpadl *g, uint32_t first,
			  uint32_t n)
{
	uint32_t i;

	r->page = calloc(n - 1, sizeof(*r->page));
	if (!r->page)
		return -ENOMEM;
	r->hdr = (void *)vmbus_gpa_page(bus, g->pfns[first]);
	for (i = 1; i < n; i++)
		r->page[i - 1] = vmbus_gpa_page(bus, g->pfns[first + i]);
	r->size = (n - 1) * VMBUS_PAGE_SIZE;
	return 0;
}

static struct vmbus_gpadl *vmbus_find_gpadl(struct vmbus *bus,
					    uint32_t handle)
{
	struct vmbus_gpadl *g;

	for (g = bus->gpadls; g; g = g->next)
		if (g->handle == handle)
			return g;
	return NULL;
}

/*
 * The pages of GPADL @handle, made for @ch and complete: 0, the number
 * of pages in *@n and the host address of each in *@pages (malloc()ed,
 * the caller frees it); -ENOENT otherwise.  The addresses stay valid
 * for the worker's life (they are guest RAM), whatever the guest does
 * with the GPADL later.
 */
int vmbus_chan_gpadl_pages(struct vmbus_chan *ch, uint32_t handle,
			   uint8_t ***pages, uint32_t *n)
{
	struct vmbus_gpadl *g = vmbus_find_gpadl(ch->bus, handle);
	uint32_t i;

	if (!g || g->have != g->nr_pfns || g->relid != ch->relid)
		return -ENOENT;
	*pages = calloc(g->nr_pfns, sizeof(**pages));
	if (!*pages)
		return -ENOMEM;
	for (i = 0; i < g->nr_pfns; i++)
		(*pages)[i] = vmbus_gpa_page(ch->bus, g->pfns[i]);
	*n = g->nr_pfns;
	return 0;
}

/* Opens @ch on the guest's request; returns the status to answer. */
static uint32_t vmbus_chan_open(struct vmbus_chan *ch,
				const struct vmbus_msg_open_channel *m)
{
	struct vmbus *bus = ch->bus;
	struct vmbus_gpadl *g = vmbus_find_gpadl(bus, m->ringbuffer_gpadl);
	struct hvpart_port_info port = {
		.port_id = VMBUS_PORT_CHAN_BASE + ch->relid,
		.port_type = HVPART_PORT_TYPE_EVENT,
		.flags = HVPART_PORT_TO_ROOT,
		.flag_count = 1,
		.eventfd = ch->efd,
	};
	struct epoll_event ev = {
		.events = EPOLLIN,
		.data.u64 = VMBUS_EP_CHAN + ch->index,
	};
	uint32_t off = m->downstream_ring_pageoffset, status;
	uint64_t count;
	int ret;

	if (!g || g->have != g->nr_pfns || g->relid != ch->relid) {
		vmbus_note(bus, NOTE_GPADL,
			   "open of channel %u names GPADL %#x, not one of its complete ones",
			   ch->relid, m->ringbuffer_gpadl);
		return VMBUS_STATUS_INVALID_PARAMETER;
	}
	if (off < 2 || off > g->nr_pfns - 2 ||
	    (uint64_t)(g->nr_pfns - off) * VMBUS_PAGE_SIZE > VMBUS_MAX_PKT * 64ull) {
		vmbus_note(bus, NOTE_RING,
			   "open of channel %u splits its %u ring pages at %u",
			   ch->relid, g->nr_pfns, off);
		return VMBUS_STATUS_INVALID_PARAMETER;
	}
	if (m->target_vp >= bus->nr_vps) {
		vmbus_note(bus, NOTE_VP, "open of channel %u targets VP%u",
			   ch->relid, m->target_vp);
		return VMBUS_STATUS_INVALID_PARAMETER;
	}
	if (vmbus_ring_map(bus, &ch->rx, g, 0, off) ||
	    vmbus_ring_map(bus, &ch->tx, g, off, g->nr_pfns - off))
		goto nomem;
	ch->gpadl = g->handle;
	ch->target_vp = m->target_vp;
	ch->rx_read = ring_load(&ch->rx.hdr->read_index);
	if (ch->rx_read >= ch->rx.size || ch->rx_read % 8) {
		vmbus_note(bus, NOTE_RING, "open of channel %u: read index %u",
			   ch->relid, ch->rx_read);
		status = VMBUS_STATUS_INVALID_PARAMETER;
		goto unmap;
	}
	ch->rx_start = ch->rx_read;
	ch->noted = false;
	/* stale signals of an earlier open */
	if (read(ch->efd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		goto nomem;
	ret = hvp_create_port(bus->pt_fd, &port);
	if (!ret) {
		ret = hvp_connect_port(bus->pt_fd, ch->conn_id, port.port_id);
		if (ret)
			hvp_delete_port(bus->pt_fd, port.port_id);
	}
	if (ret) {
		hvctl_warn("vmbus: channel %u's event port: %s", ch->relid,
			   strerror(-ret));
		status = VMBUS_STATUS_UNSUCCESSFUL;
		goto unmap;
	}
	ch->open = true;
	status = ch->ops->open ? ch->ops->open(ch) : 0;
	if (status) {
		ch->open = false;
		hvp_disconnect_port(bus->pt_fd, ch->conn_id);
		hvp_delete_port(bus->pt_fd, port.port_id);
		goto unmap;
	}
	epoll_ctl(bus->epfd, EPOLL_CTL_ADD, ch->efd, &ev);
	if (ch->ops == &vmbus_ic_shutdown_ops) {
		pthread_mutex_lock(&bus->req_lock);
		bus->shutdown_open = true;
		pthread_mutex_unlock(&bus->req_lock);
	}
	return 0;
nomem:
	status = VMBUS_STATUS_UNSUCCESSFUL;
unmap:
	vmbus_ring_unmap(&ch->rx);
	vmbus_ring_unmap(&ch->tx);
	return status;
}

/* ---- GPADLs ---------------------------------------------------------- */

static void vmbus_gpadl_free(struct vmbus *bus, struct vmbus_gpadl *g)
{
	struct vmbus_gpadl **pp;

	for (pp = &bus->gpadls; *pp; pp = &(*pp)->next) {
		if (*pp == g) {
			*pp = g->next;
			bus->nr_gpadls--;
			break;
		}
	}
	free(g->pfns);
	free(g);
}

static void vmbus_gpadl_answer(struct vmbus *bus, uint32_t relid,
			       uint32_t handle, uint32_t status)
{
	struct vmbus_msg_gpadl_created r = {
		.header.msgtype = VMBUS_MSG_GPADL_CREATED,
		.child_relid = relid,
		.gpadl = handle,
		.creation_status = status,
	};

	vmbus_post(bus, &r, sizeof(r));
}

/* Appends @n pfns to @g; false if one is not guest RAM. */
static bool vmbus_gpadl_add(struct vmbus *bus, struct vmbus_gpadl *g,
			    const uint8_t *p, uint32_t n)
{
	uint64_t pfn;
	uint32_t i;

	for (i = 0; i < n; i++) {
		memcpy(&pfn, p + 8 * i, 8);
		if (!vmbus_gpa_page(bus, pfn))
			return false;
		g->pfns[g->have++] = pfn;
	}
	return true;
}

/*
 * Takes @n more pfns at @p for @g: a page beyond RAM refuses the whole
 * GPADL (answered, freed); the last page answers that it is created.
 */
static void vmbus_gpadl_take(struct vmbus *bus, struct vmbus_gpadl *g,
			     const uint8_t *p, uint32_t n)
{
	if (!vmbus_gpadl_add(bus, g, p, n)) {
		vmbus_note(bus, NOTE_GPADL, "GPADL %#x names a page beyond RAM",
			   g->handle);
		vmbus_gpadl_answer(bus, g->relid, g->handle,
				   VMBUS_STATUS_INVALID_PARAMETER);
		vmbus_gpadl_free(bus, g);
		return;
	}
	if (g->have == g->nr_pfns)
		vmbus_gpadl_answer(bus, g->relid, g->handle, 0);
}

static void vmbus_on_gpadl_header(struct vmbus *bus, const uint8_t *msg,
				  uint32_t len)
{
	const struct vmbus_msg_gpadl_header *m = (const void *)msg;
	struct vmbus_gpa_range range;
	struct vmbus_gpadl *g;
	uint32_t n, here;

	if (len < sizeof(*m) + sizeof(range)) {
		vmbus_note(bus, NOTE_SHORT, "a GPADL header of %u bytes", len);
		return;
	}
	memcpy(&range, msg + sizeof(*m), sizeof(range));
	n = (uint32_t)(((uint64_t)range.byte_offset % VMBUS_PAGE_SIZE +
			range.byte_count + VMBUS_PAGE_SIZE - 1) /
		       VMBUS_PAGE_SIZE);
	if (!vmbus_find_chan(bus, m->child_relid) || m->rangecount != 1 ||
	    !range.byte_count || range.byte_offset >= VMBUS_PAGE_SIZE ||
	    n > VMBUS_MAX_GPADL_PAGES ||
	    m->range_buflen != sizeof(range) + 8 * n ||
	    vmbus_find_gpadl(bus, m->gpadl) ||
	    bus->nr_gpadls >= VMBUS_MAX_GPADLS) {
		vmbus_note(bus, NOTE_GPADL,
			   "GPADL %#x refused: channel %u, %u ranges, %u bytes at %u, %u bytes of ranges",
			   m->gpadl, m->child_relid, m->rangecount,
			   range.byte_count, range.byte_offset,
			   m->range_buflen);
		vmbus_gpadl_answer(bus, m->child_relid, m->gpadl,
				   VMBUS_STATUS_INVALID_PARAMETER);
		return;
	}
	g = calloc(1, sizeof(*g));
	if (g)
		g->pfns = calloc(n, sizeof(*g->pfns));
	if (!g || !g->pfns) {
		free(g);
		vmbus_gpadl_answer(bus, m->child_relid, m->gpadl,
				   VMBUS_STATUS_UNSUCCESSFUL);
		return;
	}
	g->handle = m->gpadl;
	g->relid = m->child_relid;
	g->nr_pfns = n;
	g->next = bus->gpadls;
	bus->gpadls = g;
	bus->nr_gpadls++;
	here = (len - sizeof(*m) - sizeof(range)) / 8;
	if (here > n)
		here = n;
	vmbus_gpadl_take(bus, g, msg + sizeof(*m) + sizeof(range), here);
}

static void vmbus_on_gpadl_body(struct vmbus *bus, const uint8_t *msg,
				uint32_t len)
{
	const struct vmbus_msg_gpadl_body *m = (const void *)msg;
	struct vmbus_gpadl *g;
	uint32_t n;

	if (len < sizeof(*m) + 8) {
		vmbus_note(bus, NOTE_SHORT, "a GPADL body of %u bytes", len);
		return;
	}
	g = vmbus_find_gpadl(bus, m->gpadl);
	if (!g || g->have == g->nr_pfns) {
		vmbus_note(bus, NOTE_GPADL,
			   "a GPADL body for GPADL %#x, which waits for none",
			   m->gpadl);
		return;
	}
	n = (len - sizeof(*m)) / 8;
	if (n > g->nr_pfns - g->have)
		n = g->nr_pfns - g->have;
	vmbus_gpadl_take(bus, g, msg + sizeof(*m), n);
}

static void vmbus_on_gpadl_teardown(struct vmbus *bus,
				    const struct vmbus_msg_gpadl_teardown *m)
{
	struct vmbus_msg_gpadl_torndown r = {
		.header.msgtype = VMBUS_MSG_GPADL_TORNDOWN,
		.gpadl = m->gpadl,
	};
	struct vmbus_gpadl *g = vmbus_find_gpadl(bus, m->gpadl);
	struct vmbus_chan *ch;

	if (!g) {
		vmbus_note(bus, NOTE_GPADL, "teardown of unknown GPADL %#x",
			   m->gpadl);
		return;
	}
	/* A ring's GPADL goes with its channel's open. */
	ch = vmbus_find_chan(bus, g->relid);
	if (ch && ch->open && ch->gpadl == g->handle) {
		vmbus_chan_note(ch, "its ring's GPADL was torn down while open: closed");
		vmbus_chan_close(ch);
	}
	vmbus_gpadl_free(bus, g);
	vmbus_post(bus, &r, sizeof(r));
}

/* ---- the channel management protocol --------------------------------- */

static bool vmbus_version_ok(uint32_t v)
{
	switch (v) {
	case VMBUS_VERSION_WIN8:
	case VMBUS_VERSION_WIN8_1:
	case VMBUS_VERSION_WIN10:
	case VMBUS_VERSION_WIN10_V4_1:
	case VMBUS_VERSION_WIN10_V5:
	case VMBUS_VERSION_WIN10_V5_1:
	case VMBUS_VERSION_WIN10_V5_2:
	case VMBUS_VERSION_WIN10_V5_3:
		return true;
	}
	return false;
}

/* Everything the guest's connection held: channels, GPADLs. */
static void vmbus_reset(struct vmbus *bus)
{
	unsigned int i;

	/* first: what the closes below do goes to no guest */
	bus->connected = false;
	for (i = 0; i < bus->nr_chans; i++)
		if (bus->chans[i])
			vmbus_chan_close(bus->chans[i]);
	while (bus->gpadls)
		vmbus_gpadl_free(bus, bus->gpadls);
	/* Dynamic channels were this connection's: they go with it. */
	for (i = 0; i < bus->nr_chans; i++)
		if (bus->chans[i] && bus->chans[i]->dynamic)
			vmbus_chan_drop(bus->chans[i]);
}

static void vmbus_on_contact(struct vmbus *bus,
			     const struct vmbus_msg_initiate_contact *m)
{
	struct vmbus_msg_version_response r = {
		.header.msgtype = VMBUS_MSG_VERSION_RESPONSE,
	};

	if (m->target_vcpu >= bus->nr_vps) {
		vmbus_note(bus, NOTE_VP, "contact asks for answers on VP%u",
			   m->target_vcpu);
		return;
	}
	/* A new contact starts over, as after an unload. */
	vmbus_reset(bus);
	bus->target_vcpu = m->target_vcpu;
	if (vmbus_version_ok(m->version_requested) &&
	    (m->version_requested < VMBUS_VERSION_WIN10_V5 ||
	     m->msg_sint == VMBUS_MESSAGE_SINT)) {
		bus->connected = true;
		bus->version = m->version_requested;
		r.version_supported = 1;
		r.msg_conn_id = VMBUS_MESSAGE_CONNECTION_ID_4;
		hvctl_info("vmbus: the guest connected with version %u.%u",
			   bus->version >> 16, bus->version & 0xffff);
	}
	vmbus_post(bus, &r, sizeof(r));
}

static void vmbus_send_offer(struct vmbus *bus, struct vmbus_chan *ch)
{
	struct vmbus_msg_offer_channel o = {
		.header.msgtype = VMBUS_MSG_OFFERCHANNEL,
		.offer.if_type = ch->if_type,
		.offer.if_instance = ch->instance,
		.offer.chn_flags = ch->chn_flags,
		.offer.sub_channel_index = ch->sub_index,
		.child_relid = ch->relid,
		.is_dedicated_interrupt = 1,
		.connection_id = ch->conn_id,
	};

	memcpy(o.offer.user_def, ch->user_def, sizeof(o.offer.user_def));
	vmbus_post(bus, &o, sizeof(o));
}

static void vmbus_on_request_offers(struct vmbus *bus)
{
	struct vmbus_msg_header done = {
		.msgtype = VMBUS_MSG_ALLOFFERS_DELIVERED,
	};
	unsigned int i;

	for (i = 0; i < bus->nr_chans; i++)
		if (bus->chans[i] && !bus->chans[i]->rescinded)
			vmbus_send_offer(bus, bus->chans[i]);
	vmbus_post(bus, &done, sizeof(done));
}

static void vmbus_on_open(struct vmbus *bus,
			  const struct vmbus_msg_open_channel *m)
{
	struct vmbus_msg_open_result r = {
		.header.msgtype = VMBUS_MSG_OPENCHANNEL_RESULT,
		.child_relid = m->child_relid,
		.openid = m->openid,
	};
	struct vmbus_chan *ch = vmbus_find_chan(bus, m->child_relid);

	if (!ch) {
		vmbus_note(bus, NOTE_RELID, "open of unknown channel %u",
			   m->child_relid);
		r.status = VMBUS_STATUS_INVALID_PARAMETER;
	} else if (ch->open || ch->rescinded) {
		vmbus_note(bus, NOTE_STATE, "open of %s channel %u",
			   ch->open ? "open" : "rescinded", m->child_relid);
		r.status = VMBUS_STATUS_UNSUCCESSFUL;
	} else {
		r.status = vmbus_chan_open(ch, m);
	}
	vmbus_post(bus, &r, sizeof(r));
	if (ch && ch->open)
		vmbus_chan_event(ch);
}

static void vmbus_on_close(struct vmbus *bus, const struct vmbus_msg_relid *m)
{
	struct vmbus_chan *ch = vmbus_find_chan(bus, m->child_relid);

	/* A rescind crosses the guest's close: expected. */
	if (ch && ch->rescinded)
		return;
	if (!ch || !ch->open) {
		vmbus_note(bus, NOTE_RELID, "close of channel %u, not open",
			   m->child_relid);
		return;
	}
	vmbus_chan_close(ch);
}

/*
 * The guest is done with a rescinded channel: its relid, and the GPADLs
 * it made for it (Linux tears down none after a rescind), are free.
 */
static void vmbus_on_relid_released(struct vmbus *bus,
				    const struct vmbus_msg_relid *m)
{
	struct vmbus_chan *ch = vmbus_find_chan(bus, m->child_relid);
	struct vmbus_gpadl *g, *next;

	if (!ch || !ch->rescinded) {
		vmbus_note(bus, NOTE_RELID,
			   "release of channel %u, not rescinded",
			   m->child_relid);
		return;
	}
	for (g = bus->gpadls; g; g = next) {
		next = g->next;
		if (g->relid == ch->relid)
			vmbus_gpadl_free(bus, g);
	}
	vmbus_chan_drop(ch);
}

static void vmbus_on_modify(struct vmbus *bus,
			    const struct vmbus_msg_modifychannel *m)
{
	struct vmbus_msg_modifychannel_response r = {
		.header.msgtype = VMBUS_MSG_MODIFYCHANNEL_RESPONSE,
		.child_relid = m->child_relid,
	};
	struct vmbus_chan *ch = vmbus_find_chan(bus, m->child_relid);

	if (bus->version < VMBUS_VERSION_WIN10_V4_1) {
		vmbus_note(bus, NOTE_STATE, "modify channel before version 4.1");
		return;
	}
	if (!ch || !ch->open || m->target_vp >= bus->nr_vps) {
		vmbus_note(bus, NOTE_RELID, "modify of channel %u to VP%u",
			   m->child_relid, m->target_vp);
		r.status = VMBUS_STATUS_INVALID_PARAMETER;
	} else {
		ch->target_vp = m->target_vp;
	}
	if (bus->version >= VMBUS_VERSION_WIN10_V5_3)
		vmbus_post(bus, &r, sizeof(r));
}

static void vmbus_on_unload(struct vmbus *bus)
{
	struct vmbus_msg_header r = {
		.msgtype = VMBUS_MSG_UNLOAD_RESPONSE,
	};

	vmbus_reset(bus);
	vmbus_post(bus, &r, sizeof(r));
}

/* The smallest payload of each message type the guest may send */
static const uint8_t vmbus_msg_min[VMBUS_MSG_COUNT] = {
	[VMBUS_MSG_REQUESTOFFERS] = sizeof(struct vmbus_msg_header),
	[VMBUS_MSG_OPENCHANNEL] = sizeof(struct vmbus_msg_open_channel),
	[VMBUS_MSG_CLOSECHANNEL] = sizeof(struct vmbus_msg_relid),
	[VMBUS_MSG_GPADL_HEADER] = sizeof(struct vmbus_msg_gpadl_header),
	[VMBUS_MSG_GPADL_BODY] = sizeof(struct vmbus_msg_gpadl_body),
	[VMBUS_MSG_GPADL_TEARDOWN] = sizeof(struct vmbus_msg_gpadl_teardown),
	[VMBUS_MSG_RELID_RELEASED] = sizeof(struct vmbus_msg_relid),
	[VMBUS_MSG_INITIATE_CONTACT] = sizeof(struct vmbus_msg_initiate_contact),
	[VMBUS_MSG_UNLOAD] = sizeof(struct vmbus_msg_header),
	[VMBUS_MSG_MODIFYCHANNEL] = sizeof(struct vmbus_msg_modifychannel),
	[VMBUS_MSG_TL_CONNECT_REQUEST] = sizeof(struct vmbus_msg_tl_connect_request),
};

/* One control message from the guest (@len bytes, at most 240). */
static void vmbus_on_message(struct vmbus *bus, const uint8_t *msg,
			     uint32_t len)
{
	struct vmbus_msg_header h;

	if (len < sizeof(h)) {
		vmbus_note(bus, NOTE_SHORT, "a control message of %u bytes",
			   len);
		return;
	}
	memcpy(&h, msg, sizeof(h));
	if (h.msgtype >= VMBUS_MSG_COUNT || !vmbus_msg_min[h.msgtype]) {
		vmbus_note(bus, NOTE_TYPE, "control message type %u",
			   h.msgtype);
		return;
	}
	if (len < vmbus_msg_min[h.msgtype]) {
		vmbus_note(bus, NOTE_SHORT,
			   "control message type %u of %u bytes", h.msgtype,
			   len);
		return;
	}
	if (!bus->connected && h.msgtype != VMBUS_MSG_INITIATE_CONTACT) {
		vmbus_note(bus, NOTE_STATE,
			   "control message type %u before contact", h.msgtype);
		return;
	}
	switch (h.msgtype) {
	case VMBUS_MSG_INITIATE_CONTACT:
		vmbus_on_contact(bus, (const void *)msg);
		break;
	case VMBUS_MSG_REQUESTOFFERS:
		vmbus_on_request_offers(bus);
		break;
	case VMBUS_MSG_GPADL_HEADER:
		vmbus_on_gpadl_header(bus, msg, len);
		break;
	case VMBUS_MSG_GPADL_BODY:
		vmbus_on_gpadl_body(bus, msg, len);
		break;
	case VMBUS_MSG_GPADL_TEARDOWN:
		vmbus_on_gpadl_teardown(bus, (const void *)msg);
		break;
	case VMBUS_MSG_OPENCHANNEL:
		vmbus_on_open(bus, (const void *)msg);
		break;
	case VMBUS_MSG_CLOSECHANNEL:
		vmbus_on_close(bus, (const void *)msg);
		break;
	case VMBUS_MSG_MODIFYCHANNEL:
		vmbus_on_modify(bus, (const void *)msg);
		break;
	case VMBUS_MSG_UNLOAD:
		vmbus_on_unload(bus);
		break;
	case VMBUS_MSG_RELID_RELEASED:
		vmbus_on_relid_released(bus, (const void *)msg);
		break;
	case VMBUS_MSG_TL_CONNECT_REQUEST:
		vmbus_sock_on_tl_connect(bus->sock, (const void *)msg);
		break;
	}
}

/* ---- the thread ------------------------------------------------------ */

static void vmbus_read_messages(struct vmbus *bus)
{
	struct hvpart_message m;
	ssize_t n;

	for (;;) {
		n = read(bus->msg_fd, &m, sizeof(m));
		if (n != sizeof(m))
			return;
		vmbus_on_message(bus, (const uint8_t *)m.u.payload,
				 m.header.payload_size <= HVPART_MESSAGE_PAYLOAD_BYTES ?
				 m.header.payload_size : 0);
	}
}

static void vmbus_on_retry(struct vmbus *bus)
{
	uint64_t n;

	if (read(bus->retry_fd, &n, sizeof(n)) != sizeof(n))
		return;
	bus->retry_armed = false;
	vmbus_flush_outq(bus);
}

static void vmbus_on_timer(struct vmbus *bus)
{
	uint64_t n;
	unsigned int i;

	if (read(bus->timer_fd, &n, sizeof(n)) != sizeof(n))
		return;
	bus->ticks++;
	for (i = 0; i < bus->nr_chans; i++) {
		struct vmbus_chan *ch = bus->chans[i];

		if (ch && ch->open && ch->ops->tick)
			ch->ops->tick(ch);
	}
	vmbus_sock_tick(bus->sock);
}

static void vmbus_on_wake(struct vmbus *bus)
{
	bool shutdown;
	uint64_t n;
	unsigned int i;

	if (read(bus->wake_fd, &n, sizeof(n)) != sizeof(n))
		return;
	pthread_mutex_lock(&bus->req_lock);
	shutdown = bus->shutdown_req;
	bus->shutdown_req = false;
	pthread_mutex_unlock(&bus->req_lock);
	vmbus_sock_on_wake(bus->sock);
	if (!shutdown)
		return;
	for (i = 0; i < bus->nr_chans; i++)
		if (bus->chans[i] && bus->chans[i]->open &&
		    bus->chans[i]->ops == &vmbus_ic_shutdown_ops)
			vmbus_ic_shutdown(bus->chans[i]);
}

/* ---- devices' own fds ------------------------------------------------ */

static struct vmbus_watch *vmbus_find_watch(struct vmbus *bus, int fd)
{
	unsigned int i;

	for (i = 0; i < VMBUS_MAX_WATCH; i++)
		if (bus->watch[i].cb && bus->watch[i].fd == fd)
			return &bus->watch[i];
	return NULL;
}

/*
 * On the VMBus thread (from a device's open, say): calls @cb(@arg) on
 * the VMBus thread while @fd is readable (level-triggered), until
 * vmbus_unwatch_fd().  A device that cannot take what @fd has pauses the
 * watch with vmbus_watch_fd_pause() instead of leaving it unread.
 * -ENOSPC when VMBUS_MAX_WATCH fds are watched.
 */
int vmbus_watch_fd(struct vmbus *bus, int fd, void (*cb)(void *arg),
		   void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };
	unsigned int i;

	if (vmbus_find_watch(bus, fd))
		return -EEXIST;
	for (i = 0; i < VMBUS_MAX_WATCH; i++)
		if (!bus->watch[i].cb)
			break;
	if (i == VMBUS_MAX_WATCH)
		return -ENOSPC;
	ev.data.u64 = VMBUS_EP_WATCH + i;
	if (epoll_ctl(bus->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	bus->watch[i].fd = fd;
	bus->watch[i].cb = cb;
	bus->watch[i].arg = arg;
	return 0;
}

/*
 * What a watched @fd's callback runs on: EPOLLIN, EPOLLOUT, both or
 * none (level-triggered).
 */
int vmbus_watch_fd_events(struct vmbus *bus, int fd, uint32_t events)
{
	struct vmbus_watch *w = vmbus_find_watch(bus, fd);
	struct epoll_event ev = { .events = events };

	if (!w)
		return -ENOENT;
	ev.data.u64 = VMBUS_EP_WATCH + (w - bus->watch);
	return epoll_ctl(bus->epfd, EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
}

/* Stops (@pause) or resumes the callbacks of a watched @fd. */
int vmbus_watch_fd_pause(struct vmbus *bus, int fd, bool pause)
{
	return vmbus_watch_fd_events(bus, fd, pause ? 0 : EPOLLIN);
}

void vmbus_unwatch_fd(struct vmbus *bus, int fd)
{
	struct vmbus_watch *w = vmbus_find_watch(bus, fd);

	if (!w)
		return;
	epoll_ctl(bus->epfd, EPOLL_CTL_DEL, fd, NULL);
	w->cb = NULL;
}

static void vmbus_on_watch(struct vmbus *bus, unsigned int slot)
{
	struct vmbus_watch *w = &bus->watch[slot];

	/* It may have gone earlier in this epoll batch. */
	if (w->cb)
		w->cb(w->arg);
}

static void *vmbus_thread(void *arg)
{
	struct vmbus *bus = arg;
	struct epoll_event ev[16];
	uint64_t count;
	int i, n;

	while (!atomic_load(&bus->stop)) {
		n = epoll_wait(bus->epfd, ev, ARRAY_SIZE(ev), -1);
		for (i = 0; i < n; i++) {
			uint64_t tag = ev[i].data.u64;
			struct vmbus_chan *ch;

			switch (tag) {
			case VMBUS_EP_MSG:
				vmbus_read_messages(bus);
				continue;
			case VMBUS_EP_WAKE:
				vmbus_on_wake(bus);
				continue;
			case VMBUS_EP_TIMER:
				vmbus_on_timer(bus);
				continue;
			case VMBUS_EP_RETRY:
				vmbus_on_retry(bus);
				continue;
			}
			if (tag - VMBUS_EP_WATCH < VMBUS_MAX_WATCH) {
				vmbus_on_watch(bus, tag - VMBUS_EP_WATCH);
				continue;
			}
			if (tag - VMBUS_EP_CHAN >= bus->nr_chans)
				continue;
			ch = bus->chans[tag - VMBUS_EP_CHAN];
			/* it may have gone earlier in this batch */
			if (!ch || read(ch->efd, &count, sizeof(count)) < 0)
				continue;
			vmbus_chan_event(ch);
		}
	}
	return NULL;
}

/* ---- setup ----------------------------------------------------------- */

struct vmbus *vmbus_create(int pt_fd, uint8_t *ram, uint64_t ram_size,
			   unsigned int nr_vps)
{
	struct vmbus *bus = calloc(1, sizeof(*bus));

	if (!bus)
		return NULL;
	bus->pt_fd = pt_fd;
	bus->ram = ram;
	bus->ram_size = ram_size;
	bus->nr_vps = nr_vps;
	bus->epfd = -1;
	bus->msg_fd = -1;
	bus->wake_fd = -1;
	bus->timer_fd = -1;
	bus->retry_fd = -1;
	pthread_mutex_init(&bus->req_lock, NULL);
	bus->sock = vmbus_sock_create(bus);
	if (!bus->sock) {
		pthread_mutex_destroy(&bus->req_lock);
		free(bus);
		return NULL;
	}
	return bus;
}

static void vmbus_chan_free(struct vmbus_chan *ch)
{
	close(ch->efd);
	if (ch->dynamic) {
		if (ch->ops->release)
			ch->ops->release(ch);
	} else {
		if (ch->ops->destroy && ch->priv)
			ch->ops->destroy(ch->priv);
		free(ch->priv);
	}
	free(ch->pkt);
	free(ch);
}

/* Frees @ch and its relid (its slot). */
static void vmbus_chan_drop(struct vmbus_chan *ch)
{
	struct vmbus *bus = ch->bus;

	bus->chans[ch->index] = NULL;
	while (bus->nr_chans && !bus->chans[bus->nr_chans - 1])
		bus->nr_chans--;
	vmbus_chan_free(ch);
}

/*
 * A channel for @ops with the lowest free relid; NULL without memory or
 * room.  Its offer is the device's until the caller changes it.
 */
static struct vmbus_chan *vmbus_new_chan(struct vmbus *bus,
					 const struct vmbus_dev_ops *ops,
					 void *priv)
{
	struct vmbus_chan *ch;
	unsigned int i;

	for (i = 0; i < VMBUS_MAX_CHANNELS; i++)
		if (!bus->chans[i])
			break;
	if (i == VMBUS_MAX_CHANNELS)
		return NULL;
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return NULL;
	ch->pkt = malloc(VMBUS_MAX_PKT);
	ch->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!ch->pkt || ch->efd < 0) {
		free(ch->pkt);
		if (ch->efd >= 0)
			close(ch->efd);
		free(ch);
		return NULL;
	}
	ch->bus = bus;
	ch->ops = ops;
	ch->priv = priv;
	ch->primary = ch;
	ch->index = i;
	ch->relid = i + 1;
	ch->conn_id = VMBUS_CONN_CHAN_BASE + ch->relid;
	ch->if_type = ops->if_type;
	ch->chn_flags = VMBUS_CHANNEL_ENUMERATE_DEVICE_INTERFACE;
	if (ops->pipe_mode)
		ch->chn_flags |= VMBUS_CHANNEL_NAMED_PIPE_MODE;
	bus->chans[i] = ch;
	if (i >= bus->nr_chans)
		bus->nr_chans = i + 1;
	return ch;
}

/*
 * Offers a device: its channel gets the next relid and an instance GUID
 * made from it.  Before vmbus_start().  The bus owns @priv from here on
 * (malloc()ed; freed with the bus), also when this fails.
 */
int vmbus_add_device(struct vmbus *bus, const struct vmbus_dev_ops *ops,
		     void *priv)
{
	struct vmbus_chan *ch;

	if (bus->running) {
		free(priv);
		return -EBUSY;
	}
	ch = vmbus_new_chan(bus, ops, priv);
	if (!ch) {
		free(priv);
		return -ENOMEM;
	}
	/* "hvpart" + the class's first bytes + the relid: unique, stable */
	memcpy(ch->instance.b, "hvpart", 6);
	memcpy(ch->instance.b + 6, ops->if_type.b, 8);
	ch->instance.b[14] = ch->relid >> 8;
	ch->instance.b[15] = ch->relid;
	return 0;
}

/*
 * On the VMBus thread, at the guest's request (a device's own protocol,
 * as storvsc's CREATE_SUB_CHANNELS): offers sub-channel @index (1 and
 * up) of @primary's device, with @priv (owned by the device: the bus
 * does not free a sub-channel's priv).  The sub-channel goes when the
 * guest's connection does.  NULL when there is no room.
 */
struct vmbus_chan *vmbus_add_subchannel(struct vmbus_chan *primary,
					uint16_t index, void *priv)
{
	struct vmbus *bus = primary->bus;
	struct vmbus_chan *ch;

	ch = vmbus_new_chan(bus, primary->ops, priv);
	if (!ch)
		return NULL;
	ch->dynamic = true;
	ch->primary = primary;
	ch->sub_index = index;
	ch->instance = primary->instance;
	if (bus->connected)
		vmbus_send_offer(bus, ch);
	return ch;
}

/*
 * On the VMBus thread, while the guest is connected: offers a channel of
 * its own kind (a hv_sock connection): class @if_type, instance
 * @instance, @chn_flags and the offer's user-defined bytes.  A dynamic
 * channel: @ops->release() frees @priv when it goes.  NULL when the
 * guest is not connected or there is no room.
 */
struct vmbus_chan *vmbus_offer_channel(struct vmbus *bus,
				       const struct vmbus_dev_ops *ops,
				       void *priv,
				       const struct vmbus_guid *if_type,
				       const struct vmbus_guid *instance,
				       uint16_t chn_flags,
				       const void *user_def, size_t len)
{
	struct vmbus_chan *ch;

	if (!bus->connected || len > sizeof(ch->user_def))
		return NULL;
	ch = vmbus_new_chan(bus, ops, priv);
	if (!ch)
		return NULL;
	ch->dynamic = true;
	ch->if_type = *if_type;
	ch->instance = *instance;
	ch->chn_flags = chn_flags;
	if (len)
		memcpy(ch->user_def, user_def, len);
	vmbus_send_offer(bus, ch);
	return ch;
}

/*
 * On the VMBus thread: takes a dynamic channel back from the guest
 * (RESCIND_CHANNELOFFER): it is closed (the device's close runs) and
 * takes nothing more; it goes when the guest releases its relid, or with
 * the guest's connection.
 */
void vmbus_chan_rescind(struct vmbus_chan *ch)
{
	struct vmbus_msg_relid m = {
		.header.msgtype = VMBUS_MSG_RESCIND_CHANNELOFFER,
		.child_relid = ch->relid,
	};

	if (!ch->dynamic || ch->rescinded)
		return;
	ch->rescinded = true;
	vmbus_chan_close(ch);
	if (ch->bus->connected)
		vmbus_post(ch->bus, &m, sizeof(m));
}

bool vmbus_chan_rescinded(struct vmbus_chan *ch)
{
	return ch->rescinded;
}

/* The version the guest connected with, 0 while it is not connected */
uint32_t vmbus_version(struct vmbus *bus)
{
	return bus->connected ? bus->version : 0;
}

/* Any thread: the VMBus thread looks at its requests (sock.c's). */
void vmbus_wake(struct vmbus *bus)
{
	const uint64_t one = 1;

	if (write(bus->wake_fd, &one, sizeof(one)) != sizeof(one))
		hvctl_warn("vmbus: cannot wake its thread");
}

struct vmbus_chan *vmbus_chan_primary(struct vmbus_chan *ch)
{
	return ch->primary;
}

uint16_t vmbus_chan_sub_index(struct vmbus_chan *ch)
{
	return ch->sub_index;
}

int vmbus_start(struct vmbus *bus)
{
	struct hvpart_port_info port = {
		.port_id = VMBUS_PORT_MSG,
		.port_type = HVPART_PORT_TYPE_MESSAGE,
		.flags = HVPART_PORT_TO_ROOT,
	};
	struct itimerspec its = {
		.it_value.tv_sec = VMBUS_TICK_MS / 1000,
		.it_interval.tv_sec = VMBUS_TICK_MS / 1000,
	};
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t all, old;
	int ret;

	bus->epfd = epoll_create1(EPOLL_CLOEXEC);
	bus->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	bus->timer_fd = timerfd_create(CLOCK_MONOTONIC,
				       TFD_CLOEXEC | TFD_NONBLOCK);
	bus->retry_fd = timerfd_create(CLOCK_MONOTONIC,
				       TFD_CLOEXEC | TFD_NONBLOCK);
	if (bus->epfd < 0 || bus->wake_fd < 0 || bus->timer_fd < 0 ||
	    bus->retry_fd < 0)
		return -errno;
	ret = hvp_create_port(bus->pt_fd, &port);
	if (ret < 0)
		return ret;
	bus->msg_fd = ret;
	ret = hvp_connect_port(bus->pt_fd, VMBUS_MESSAGE_CONNECTION_ID,
			       VMBUS_PORT_MSG);
	if (!ret)
		ret = hvp_connect_port(bus->pt_fd,
				       VMBUS_MESSAGE_CONNECTION_ID_4,
				       VMBUS_PORT_MSG);
	if (ret)
		return ret;
	/* The message fd is read until empty: it must not block. */
	if (fcntl(bus->msg_fd, F_SETFL, O_NONBLOCK))
		return -errno;
	ev.data.u64 = VMBUS_EP_MSG;
	epoll_ctl(bus->epfd, EPOLL_CTL_ADD, bus->msg_fd, &ev);
	ev.data.u64 = VMBUS_EP_WAKE;
	epoll_ctl(bus->epfd, EPOLL_CTL_ADD, bus->wake_fd, &ev);
	ev.data.u64 = VMBUS_EP_TIMER;
	epoll_ctl(bus->epfd, EPOLL_CTL_ADD, bus->timer_fd, &ev);
	ev.data.u64 = VMBUS_EP_RETRY;
	epoll_ctl(bus->epfd, EPOLL_CTL_ADD, bus->retry_fd, &ev);
	timerfd_settime(bus->timer_fd, 0, &its, NULL);
	/*
	 * The thread takes no signal: SIGINT and SIGTERM are for the VP
	 * threads, whose HVPART_RUN_VP they interrupt.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ret = pthread_create(&bus->thread, NULL, vmbus_thread, bus);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return -ret;
	bus->running = true;
	return 0;
}

/*
 * Asks the guest to shut down through the shutdown IC.  -ENODEV when
 * the guest has not opened it (no hv_utils, or not yet).
 */
int vmbus_request_shutdown(struct vmbus *bus)
{
	const uint64_t one = 1;
	int ret = 0;

	pthread_mutex_lock(&bus->req_lock);
	if (bus->shutdown_open)
		bus->shutdown_req = true;
	else
		ret = -ENODEV;
	pthread_mutex_unlock(&bus->req_lock);
	if (!ret && write(bus->wake_fd, &one, sizeof(one)) != sizeof(one))
		ret = -errno;
	return ret;
}

/*
 * Any thread: connects @reply_fd's client to the guest's AF_VSOCK @port
 * (sock.c); the bus owns @reply_fd from here on.
 */
int vmbus_connect_port(struct vmbus *bus, uint32_t port, int reply_fd)
{
	return vmbus_sock_connect(bus->sock, port, reply_fd);
}

void vmbus_destroy(struct vmbus *bus)
{
	const uint64_t one = 1;
	unsigned int i;

	if (!bus)
		return;
	if (bus->running) {
		atomic_store(&bus->stop, true);
		if (write(bus->wake_fd, &one, sizeof(one)) != sizeof(one))
			hvctl_warn("vmbus: cannot wake its thread");
		pthread_join(bus->thread, NULL);
	}
	vmbus_reset(bus);
	for (i = 0; i < bus->nr_chans; i++)
		if (bus->chans[i])
			vmbus_chan_free(bus->chans[i]);
	vmbus_sock_destroy(bus->sock);
	if (bus->msg_fd >= 0) {
		hvp_disconnect_port(bus->pt_fd, VMBUS_MESSAGE_CONNECTION_ID);
		hvp_disconnect_port(bus->pt_fd, VMBUS_MESSAGE_CONNECTION_ID_4);
		hvp_delete_port(bus->pt_fd, VMBUS_PORT_MSG);
		close(bus->msg_fd);
	}
	if (bus->epfd >= 0)
		close(bus->epfd);
	if (bus->wake_fd >= 0)
		close(bus->wake_fd);
	if (bus->timer_fd >= 0)
		close(bus->timer_fd);
	if (bus->retry_fd >= 0)
		close(bus->retry_fd);
	pthread_mutex_destroy(&bus->req_lock);
	free(bus);
}
