// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the Integration Components, the util VSPs that Linux's
 * hv_utils serves: shutdown, time sync and heartbeat.  Each is a
 * message-mode pipe on which the host asks and the guest answers: the
 * host first negotiates the framework and message versions, then sends
 * its requests (a shutdown on the root's request; the time once at
 * start and every few seconds after; a heartbeat every second).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "util.h"
#include "vmbus/vmbus.h"

/* Seconds between time samples once the guest has the time */
#define IC_TIMESYNC_SAMPLE_TICKS	5

enum ic_state {
	IC_NEGOTIATING,		/* the negotiation went out, no answer yet */
	IC_READY,
	IC_FAILED,		/* no common version: the channel idles */
};

/* One IC channel's state, in the channel's priv */
struct ic {
	enum ic_state state;
	uint8_t txn;
	bool waiting;		/* a request of ours is unanswered */
	uint64_t hb_seq;
	unsigned long hb_answers;
	unsigned int ticks;
};

/* What each IC offers in the negotiation, newest first */
struct ic_kind {
	uint16_t msgtype;
	unsigned int nr_versions;
	struct vmbus_ic_version versions[4];
};

static const struct vmbus_ic_version ic_fw_versions[] = {
	{ 3, 0 }, { 1, 0 },
};

static const struct ic_kind ic_shutdown_kind = {
	VMBUS_ICMSGTYPE_SHUTDOWN, 3, { { 3, 2 }, { 3, 0 }, { 1, 0 } },
};

/*
 * Time sync 3.0 and 1.0: the guest takes the time as it reads the
 * message.  4.0 would carry the partition's reference time at the
 * sample, which the root cannot read without stopping a VP.
 */
static const struct ic_kind ic_timesync_kind = {
	VMBUS_ICMSGTYPE_TIMESYNC, 2, { { 3, 0 }, { 1, 0 } },
};

static const struct ic_kind ic_heartbeat_kind = {
	VMBUS_ICMSGTYPE_HEARTBEAT, 2, { { 3, 0 }, { 1, 0 } },
};

static const struct ic_kind *ic_kind_of(struct vmbus_chan *ch);

/* Sends request @type with @body; the framing around it is ours. */
static int ic_send(struct vmbus_chan *ch, uint16_t type, const void *body,
		   uint16_t len)
{
	struct ic *ic = vmbus_chan_priv(ch);
	struct {
		struct vmbus_pipe_hdr pipe;
		struct vmbus_icmsg_hdr ic;
		uint8_t body[sizeof(struct vmbus_ic_shutdown)];
	} __attribute__((packed)) m = {
		.pipe.flags = 1,
		.pipe.msgsize = sizeof(m.ic) + len,
		.ic.icverframe = { 3, 0 },
		.ic.icmsgtype = type,
		.ic.icmsgsize = len,
		.ic.ictransaction_id = ++ic->txn,
		.ic.icflags = VMBUS_ICMSGHDRFLAG_TRANSACTION |
			      VMBUS_ICMSGHDRFLAG_REQUEST,
	};
	int ret;

	memcpy(m.body, body, len);
	ret = vmbus_chan_send(ch, VMBUS_PKT_DATA_INBAND,
			      VMBUS_PKT_FLAG_COMPLETION_REQUESTED, ic->txn, &m,
			      sizeof(m.pipe) + sizeof(m.ic) + len);
	if (!ret)
		ic->waiting = true;
	return ret;
}

static void ic_negotiate(struct vmbus_chan *ch)
{
	const struct ic_kind *k = ic_kind_of(ch);
	uint8_t buf[sizeof(struct vmbus_icmsg_negotiate) +
		    sizeof(struct vmbus_ic_version) * 6];
	struct vmbus_icmsg_negotiate n = {
		.icframe_vercnt = ARRAY_SIZE(ic_fw_versions),
		.icmsg_vercnt = k->nr_versions,
	};
	uint16_t len = sizeof(n);

	memcpy(buf, &n, sizeof(n));
	memcpy(buf + len, ic_fw_versions, sizeof(ic_fw_versions));
	len += sizeof(ic_fw_versions);
	memcpy(buf + len, k->versions, k->nr_versions * sizeof(k->versions[0]));
	len += k->nr_versions * sizeof(k->versions[0]);
	if (ic_send(ch, VMBUS_ICMSGTYPE_NEGOTIATE, buf, len))
		vmbus_chan_note(ch, "cannot send the version negotiation");
}

static void ic_send_time(struct vmbus_chan *ch, uint8_t flags)
{
	struct vmbus_ic_timesync t = { .flags = flags };
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	t.parenttime = (uint64_t)now.tv_sec * 10000000 + now.tv_nsec / 100 +
		       VMBUS_WLTIMEDELTA;
	ic_send(ch, VMBUS_ICMSGTYPE_TIMESYNC, &t, sizeof(t));
}

static void ic_send_heartbeat(struct vmbus_chan *ch)
{
	struct ic *ic = vmbus_chan_priv(ch);
	struct vmbus_ic_heartbeat hb;

	/* The guest answers with the number plus one. */
	ic->hb_seq += 2;
	memset(&hb, 0, sizeof(hb));
	hb.seq_num = ic->hb_seq;
	ic_send(ch, VMBUS_ICMSGTYPE_HEARTBEAT, &hb, sizeof(hb));
}

/* The guest's answer to our negotiation: one version of each, or none */
static void ic_on_negotiated(struct vmbus_chan *ch, const uint8_t *body,
			     uint32_t len)
{
	struct ic *ic = vmbus_chan_priv(ch);
	struct vmbus_icmsg_negotiate n;
	struct vmbus_ic_version v[2];

	if (len < sizeof(n) + sizeof(v))
		goto fail;
	memcpy(&n, body, sizeof(n));
	memcpy(v, body + sizeof(n), sizeof(v));
	if (n.icframe_vercnt != 1 || n.icmsg_vercnt != 1)
		goto fail;
	ic->state = IC_READY;
	hvctl_info("vmbus: %s IC version %u.%u (framework %u.%u)",
		   ic_kind_of(ch) == &ic_shutdown_kind ? "shutdown" :
		   ic_kind_of(ch) == &ic_timesync_kind ? "time sync" :
		   "heartbeat", v[1].major, v[1].minor, v[0].major,
		   v[0].minor);
	if (ic_kind_of(ch) == &ic_timesync_kind)
		ic_send_time(ch, VMBUS_ICTIMESYNCFLAG_SYNC);
	return;
fail:
	ic->state = IC_FAILED;
	vmbus_chan_note(ch, "no IC version in common with the guest");
}

static void ic_event(struct vmbus_chan *ch)
{
	struct ic *ic = vmbus_chan_priv(ch);
	const uint32_t hdr_len = sizeof(struct vmbus_pipe_hdr) +
				 sizeof(struct vmbus_icmsg_hdr);
	struct vmbus_icmsg_hdr h;
	struct vmbus_ic_heartbeat hb;
	struct vmbus_pkt pkt;

	while (!vmbus_chan_recv(ch, &pkt)) {
		if (pkt.type != VMBUS_PKT_DATA_INBAND || pkt.len < hdr_len) {
			vmbus_chan_note(ch, "a packet that is no IC message");
			continue;
		}
		memcpy(&h, pkt.data + sizeof(struct vmbus_pipe_hdr), sizeof(h));
		if (!(h.icflags & VMBUS_ICMSGHDRFLAG_RESPONSE) ||
		    h.ictransaction_id != ic->txn || !ic->waiting) {
			vmbus_chan_note(ch, "an IC message that answers nothing");
			continue;
		}
		ic->waiting = false;
		if (h.icmsgtype == VMBUS_ICMSGTYPE_NEGOTIATE) {
			ic_on_negotiated(ch, pkt.data + hdr_len,
					 pkt.len - hdr_len);
		} else if (h.icmsgtype == VMBUS_ICMSGTYPE_HEARTBEAT &&
			   pkt.len >= hdr_len + sizeof(hb)) {
			memcpy(&hb, pkt.data + hdr_len, sizeof(hb));
			if (hb.seq_num == ic->hb_seq + 1) {
				if (!ic->hb_answers++)
					hvctl_info("vmbus: the guest's heartbeat answers");
			} else {
				vmbus_chan_note(ch, "a heartbeat with the wrong sequence number");
			}
		} else if (h.icmsgtype == VMBUS_ICMSGTYPE_SHUTDOWN) {
			if (h.status == VMBUS_IC_S_OK)
				hvctl_info("vmbus: the guest accepted the shutdown request");
			else
				hvctl_warn("vmbus: the guest refused the shutdown request (%#x)",
					   h.status);
		}
	}
}

static void ic_tick(struct vmbus_chan *ch)
{
	struct ic *ic = vmbus_chan_priv(ch);

	ic->ticks++;
	if (ic->state != IC_READY || ic->waiting)
		return;
	if (ic_kind_of(ch) == &ic_heartbeat_kind)
		ic_send_heartbeat(ch);
	else if (ic_kind_of(ch) == &ic_timesync_kind &&
		 !(ic->ticks % IC_TIMESYNC_SAMPLE_TICKS))
		ic_send_time(ch, VMBUS_ICTIMESYNCFLAG_SAMPLE);
}

static uint32_t ic_open(struct vmbus_chan *ch)
{
	struct ic *ic = vmbus_chan_priv(ch);

	memset(ic, 0, sizeof(*ic));
	ic_negotiate(ch);
	return 0;
}

/* Asks the guest to shut down (not forced); 0 once the request is sent. */
int vmbus_ic_shutdown(struct vmbus_chan *ch)
{
	struct ic *ic = vmbus_chan_priv(ch);
	struct vmbus_ic_shutdown s = {
		.reason_code = 0,
		.timeout_seconds = 0,
		.flags = 0,
	};
	static const char why[] = "hvctl stop";

	if (ic->state != IC_READY)
		return -ENODEV;
	memcpy(s.display_message, why, sizeof(why));
	return ic_send(ch, VMBUS_ICMSGTYPE_SHUTDOWN, &s, sizeof(s));
}

bool vmbus_ic_heartbeat_alive(struct vmbus_chan *ch)
{
	struct ic *ic = vmbus_chan_priv(ch);

	return ic->hb_answers > 0;
}

const struct vmbus_dev_ops vmbus_ic_shutdown_ops = {
	.name = "shutdown",
	/* {0e0b6031-5213-4934-818b-38d90ced39db} */
	.if_type = { {
		0x31, 0x60, 0x0b, 0x0e, 0x13, 0x52, 0x34, 0x49,
		0x81, 0x8b, 0x38, 0xd9, 0x0c, 0xed, 0x39, 0xdb,
	} },
	.pipe_mode = true,
	.open = ic_open,
	.event = ic_event,
	.tick = ic_tick,
};

const struct vmbus_dev_ops vmbus_ic_timesync_ops = {
	.name = "timesync",
	/* {9527e630-d0ae-497b-adce-e80ab0175caf} */
	.if_type = { {
		0x30, 0xe6, 0x27, 0x95, 0xae, 0xd0, 0x7b, 0x49,
		0xad, 0xce, 0xe8, 0x0a, 0xb0, 0x17, 0x5c, 0xaf,
	} },
	.pipe_mode = true,
	.open = ic_open,
	.event = ic_event,
	.tick = ic_tick,
};

const struct vmbus_dev_ops vmbus_ic_heartbeat_ops = {
	.name = "heartbeat",
	/* {57164f39-9115-4e78-ab55-382f3bd5422d} */
	.if_type = { {
		0x39, 0x4f, 0x16, 0x57, 0x15, 0x91, 0x78, 0x4e,
		0xab, 0x55, 0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d,
	} },
	.pipe_mode = true,
	.open = ic_open,
	.event = ic_event,
	.tick = ic_tick,
};

static const struct ic_kind *ic_kind_of(struct vmbus_chan *ch)
{
	if (vmbus_chan_ops(ch) == &vmbus_ic_shutdown_ops)
		return &ic_shutdown_kind;
	if (vmbus_chan_ops(ch) == &vmbus_ic_timesync_ops)
		return &ic_timesync_kind;
	return &ic_heartbeat_kind;
}

/* Offers the three ICs on @bus; their state lives as long as the bus. */
int vmbus_add_ics(struct vmbus *bus)
{
	static const struct vmbus_dev_ops *const ops[] = {
		&vmbus_ic_shutdown_ops,
		&vmbus_ic_timesync_ops,
		&vmbus_ic_heartbeat_ops,
	};
	unsigned int i;
	struct ic *ic;
	int ret;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		ic = calloc(1, sizeof(*ic));
		if (!ic)
			return -ENOMEM;
		ret = vmbus_add_device(bus, ops[i], ic);
		if (ret)
			return ret;
	}
	return 0;
}
