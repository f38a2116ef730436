/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: the VMBus server, the root's side of VMBus (docs/vmbus.rst).
 *
 * One thread per partition runs the channel management protocol on the
 * message port (connections 1 and 4), each open channel's event port
 * (the guest's HvSignalEvent arrives as an eventfd) and a timer.  A
 * device (a VSP) is a struct vmbus_dev_ops: it is offered at start, and
 * once the guest opens its channel it is called on each signal from
 * the guest, reads packets with vmbus_chan_recv() and answers with
 * vmbus_chan_send().  Every callback runs on the VMBus thread.
 */
#ifndef HVCTL_VMBUS_H
#define HVCTL_VMBUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmbus/proto.h"

struct vmbus;
struct vmbus_chan;
struct vmbus_sock;

/**
 * struct vmbus_dev_ops - one kind of device (VSP)
 * @name: for messages, and what `hvctl` calls it
 * @if_type: the class GUID the guest's driver matches
 * @pipe_mode: offered as a message-mode pipe (the ICs)
 * @open: the guest opened the channel (rings mapped); nonzero refuses
 *	the open with that NTSTATUS
 * @event: the guest signalled the channel, or vmbus_chan_kick() asked
 * @tick: called every VMBUS_TICK_MS while the channel is open (optional)
 * @close: the guest closed the channel, the bus went away, or the
 *	channel was rescinded (optional)
 * @destroy: the bus goes: release what the primary channel's priv holds
 *	(optional; the bus free()s priv itself)
 * @release: a dynamic channel (vmbus_offer_channel()) goes: free its
 *	priv (optional)
 */
struct vmbus_dev_ops {
	const char *name;
	struct vmbus_guid if_type;
	bool pipe_mode;
	uint32_t (*open)(struct vmbus_chan *ch);
	void (*event)(struct vmbus_chan *ch);
	void (*tick)(struct vmbus_chan *ch);
	void (*close)(struct vmbus_chan *ch);
	void (*destroy)(void *priv);
	void (*release)(struct vmbus_chan *ch);
};

#define VMBUS_TICK_MS	1000

/* Disks one SCSI controller takes (--disk), and its sub-channels */
#define VMBUS_MAX_DISKS		16
#define VMBUS_MAX_SUBCHANNELS	63

/**
 * struct vmbus_pkt - one packet the guest sent, copied out of its ring
 * @type: VMBUS_PKT_*
 * @flags: VMBUS_PKT_FLAG_*
 * @trans_id: the guest's transaction id, echoed in a completion
 * @hdr: the packet from its descriptor (the bytes before @data hold a
 *	GPA-direct packet's ranges)
 * @hdr_len: bytes from @hdr to @data
 * @data: the payload
 * @len: its bytes
 */
struct vmbus_pkt {
	uint16_t type;
	uint16_t flags;
	uint64_t trans_id;
	const uint8_t *hdr;
	uint32_t hdr_len;
	const uint8_t *data;
	uint32_t len;
};

/* The largest packet a channel takes from the guest */
#define VMBUS_MAX_PKT	(64 * 1024)

/* vmbus.c */
struct vmbus *vmbus_create(int pt_fd, uint8_t *ram, uint64_t ram_size,
			   unsigned int nr_vps);
int vmbus_add_device(struct vmbus *bus, const struct vmbus_dev_ops *ops,
		     void *priv);
int vmbus_start(struct vmbus *bus);
void vmbus_destroy(struct vmbus *bus);
int vmbus_request_shutdown(struct vmbus *bus);
int vmbus_connect_port(struct vmbus *bus, uint32_t port, int reply_fd);

void *vmbus_chan_priv(struct vmbus_chan *ch);
struct vmbus *vmbus_chan_bus(struct vmbus_chan *ch);
const struct vmbus_dev_ops *vmbus_chan_ops(struct vmbus_chan *ch);
uint32_t vmbus_chan_relid(struct vmbus_chan *ch);
int vmbus_chan_recv(struct vmbus_chan *ch, struct vmbus_pkt *pkt);
int vmbus_chan_send(struct vmbus_chan *ch, uint16_t type, uint16_t flags,
		    uint64_t trans_id, const void *data, uint32_t len);
int vmbus_chan_send_hdr(struct vmbus_chan *ch, uint16_t type, uint16_t flags,
			uint64_t trans_id, const void *hdr, uint32_t hdr_len,
			const void *data, uint32_t len);
int vmbus_chan_gpadl_pages(struct vmbus_chan *ch, uint32_t handle,
			   uint8_t ***pages, uint32_t *n);
struct vmbus_chan *vmbus_add_subchannel(struct vmbus_chan *primary,
					uint16_t index, void *priv);
struct vmbus_chan *vmbus_chan_primary(struct vmbus_chan *ch);
uint16_t vmbus_chan_sub_index(struct vmbus_chan *ch);
uint8_t *vmbus_gpa_page(struct vmbus *bus, uint64_t pfn);
void vmbus_chan_note(struct vmbus_chan *ch, const char *what);
void vmbus_chan_kick(struct vmbus_chan *ch);
int vmbus_watch_fd(struct vmbus *bus, int fd, void (*cb)(void *arg),
		   void *arg);
int vmbus_watch_fd_pause(struct vmbus *bus, int fd, bool pause);
int vmbus_watch_fd_events(struct vmbus *bus, int fd, uint32_t events);
void vmbus_unwatch_fd(struct vmbus *bus, int fd);
struct vmbus_chan *vmbus_offer_channel(struct vmbus *bus,
				       const struct vmbus_dev_ops *ops,
				       void *priv,
				       const struct vmbus_guid *if_type,
				       const struct vmbus_guid *instance,
				       uint16_t chn_flags,
				       const void *user_def, size_t len);
void vmbus_chan_rescind(struct vmbus_chan *ch);
bool vmbus_chan_rescinded(struct vmbus_chan *ch);
uint32_t vmbus_version(struct vmbus *bus);
void vmbus_wake(struct vmbus *bus);

/* ic.c: the Integration Components (util VSPs) */
extern const struct vmbus_dev_ops vmbus_ic_shutdown_ops;
extern const struct vmbus_dev_ops vmbus_ic_timesync_ops;
extern const struct vmbus_dev_ops vmbus_ic_heartbeat_ops;
int vmbus_add_ics(struct vmbus *bus);
int vmbus_ic_shutdown(struct vmbus_chan *ch);
bool vmbus_ic_heartbeat_alive(struct vmbus_chan *ch);

/* storage.c: SCSI (Linux's hv_storvsc) */
int vmbus_disk_parse(const char *spec, char **path, bool *ro);
int vmbus_add_storage(struct vmbus *bus, const char *const *specs,
		      unsigned int nr, unsigned int nr_vps);

/* net.c: the network VSP (netvsc), backed by a tap device */
extern const struct vmbus_dev_ops vmbus_net_ops;
int vmbus_add_net(struct vmbus *bus, int tap_fd, const uint8_t mac[6]);
int vmbus_net_parse(const char *spec, char ifname[16], uint8_t mac[6],
		    char *err, size_t err_len);

/* sock.c: hv_sock, the root's connections to the guest's AF_VSOCK ports */
#define VMBUS_SOCK_MAX_CONNS	32
struct vmbus_sock *vmbus_sock_create(struct vmbus *bus);
void vmbus_sock_destroy(struct vmbus_sock *s);
int vmbus_sock_connect(struct vmbus_sock *s, uint32_t port, int reply_fd);
void vmbus_sock_on_wake(struct vmbus_sock *s);
void vmbus_sock_tick(struct vmbus_sock *s);
void vmbus_sock_on_tl_connect(struct vmbus_sock *s,
			      const struct vmbus_msg_tl_connect_request *m);

/*
 * Copies @len bytes between @buf and a buffer of guest pages at byte
 * @off of it, into the pages if @to_pages; the caller checked the range.
 */
static inline void vmbus_pages_copy(uint8_t **pages, uint64_t off,
				    void *buf, uint32_t len, bool to_pages)
{
	uint8_t *p = buf, *page;
	uint32_t in_page, n;

	while (len) {
		in_page = off % VMBUS_PAGE_SIZE;
		n = VMBUS_PAGE_SIZE - in_page;
		if (n > len)
			n = len;
		page = pages[off / VMBUS_PAGE_SIZE] + in_page;
		if (to_pages)
			memcpy(page, p, n);
		else
			memcpy(p, page, n);
		p += n;
		off += n;
		len -= n;
	}
}

#endif /* HVCTL_VMBUS_H */
