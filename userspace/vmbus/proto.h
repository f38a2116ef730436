/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: the VMBus wire formats, the host's side of what Linux's
 * hv_vmbus, hv_utils and the other VSCs speak (layouts and values from
 * Linux's include/linux/hyperv.h, the facts of the protocol).  Every
 * struct is little-endian and packed; the size asserts at the end pin
 * each one to the guest's.
 */
#ifndef HVCTL_VMBUS_PROTO_H
#define HVCTL_VMBUS_PROTO_H

#include <stdint.h>

#define VMBUS_PAGE_SIZE			4096u

/* Protocol versions, major << 16 | minor */
#define VMBUS_VERSION_WIN8		0x00020004
#define VMBUS_VERSION_WIN8_1		0x00030000
#define VMBUS_VERSION_WIN10		0x00040000
#define VMBUS_VERSION_WIN10_V4_1	0x00040001
#define VMBUS_VERSION_WIN10_V5		0x00050000
#define VMBUS_VERSION_WIN10_V5_1	0x00050001
#define VMBUS_VERSION_WIN10_V5_2	0x00050002
#define VMBUS_VERSION_WIN10_V5_3	0x00050003

/*
 * The guest posts control messages to connection 1 (before 5.0) or 4
 * (5.0 and later, then to the one the version response names); the host
 * answers into SINT 2 of the VP the guest named, and signals channels
 * with SINT 2's event flag numbered by the channel's relid.
 */
#define VMBUS_MESSAGE_CONNECTION_ID	1
#define VMBUS_MESSAGE_CONNECTION_ID_4	4
#define VMBUS_MESSAGE_SINT		2
/* The SynIC message type of every VMBus control message */
#define VMBUS_HV_MESSAGE_TYPE		1
/* relids name SINT 2's event flags: 1 to 2047 */
#define VMBUS_MAX_RELID			2047

/* Control message types */
enum vmbus_msgtype {
	VMBUS_MSG_INVALID		= 0,
	VMBUS_MSG_OFFERCHANNEL		= 1,
	VMBUS_MSG_RESCIND_CHANNELOFFER	= 2,
	VMBUS_MSG_REQUESTOFFERS		= 3,
	VMBUS_MSG_ALLOFFERS_DELIVERED	= 4,
	VMBUS_MSG_OPENCHANNEL		= 5,
	VMBUS_MSG_OPENCHANNEL_RESULT	= 6,
	VMBUS_MSG_CLOSECHANNEL		= 7,
	VMBUS_MSG_GPADL_HEADER		= 8,
	VMBUS_MSG_GPADL_BODY		= 9,
	VMBUS_MSG_GPADL_CREATED		= 10,
	VMBUS_MSG_GPADL_TEARDOWN	= 11,
	VMBUS_MSG_GPADL_TORNDOWN	= 12,
	VMBUS_MSG_RELID_RELEASED	= 13,
	VMBUS_MSG_INITIATE_CONTACT	= 14,
	VMBUS_MSG_VERSION_RESPONSE	= 15,
	VMBUS_MSG_UNLOAD		= 16,
	VMBUS_MSG_UNLOAD_RESPONSE	= 17,
	VMBUS_MSG_TL_CONNECT_REQUEST	= 21,
	VMBUS_MSG_MODIFYCHANNEL		= 22,
	VMBUS_MSG_TL_CONNECT_RESULT	= 23,
	VMBUS_MSG_MODIFYCHANNEL_RESPONSE = 24,
	VMBUS_MSG_COUNT
};

struct vmbus_msg_header {
	uint32_t msgtype;
	uint32_t padding;
} __attribute__((packed));

/* A GUID as its 16 bytes on the wire (the first three fields LE) */
struct vmbus_guid {
	uint8_t b[16];
};

#define VMBUS_USER_DEFINED_BYTES	120

struct vmbus_offer {
	struct vmbus_guid if_type;
	struct vmbus_guid if_instance;
	uint64_t reserved1;
	uint64_t reserved2;
	uint16_t chn_flags;
	uint16_t mmio_megabytes;
	uint8_t user_def[VMBUS_USER_DEFINED_BYTES];
	uint16_t sub_channel_index;
	uint16_t reserved3;
} __attribute__((packed));

/* chn_flags */
#define VMBUS_CHANNEL_ENUMERATE_DEVICE_INTERFACE	0x0001
#define VMBUS_CHANNEL_NAMED_PIPE_MODE			0x0010
/* a hv_sock connection (Linux's is_hvsock_offer()) */
#define VMBUS_CHANNEL_TLNPI_PROVIDER_OFFER		0x2000

/*
 * In a pipe-mode offer, user_def holds the pipe mode (4 bytes), then the
 * pipe's own bytes; hv_sock's first says who connected: 1 the host
 * (Linux's offer.u.pipe.user_def[0]).
 */
#define VMBUS_OFFER_PIPE_USER_DEF	4

struct vmbus_msg_offer_channel {
	struct vmbus_msg_header header;
	struct vmbus_offer offer;
	uint32_t child_relid;
	uint8_t monitorid;
	uint8_t monitor_allocated;	/* bit 0 */
	uint16_t is_dedicated_interrupt; /* bit 0 */
	uint32_t connection_id;
} __attribute__((packed));

struct vmbus_msg_relid {			/* RESCIND, CLOSE, RELEASED */
	struct vmbus_msg_header header;
	uint32_t child_relid;
} __attribute__((packed));

/* TL_CONNECT_REQUEST: a guest's hv_sock connect() to the host */
struct vmbus_msg_tl_connect_request {
	struct vmbus_msg_header header;
	struct vmbus_guid guest_endpoint_id;
	struct vmbus_guid host_service_id;
} __attribute__((packed));

struct vmbus_msg_open_channel {
	struct vmbus_msg_header header;
	uint32_t child_relid;
	uint32_t openid;
	uint32_t ringbuffer_gpadl;
	uint32_t target_vp;
	uint32_t downstream_ring_pageoffset;
	uint8_t user_data[VMBUS_USER_DEFINED_BYTES];
} __attribute__((packed));

struct vmbus_msg_open_result {
	struct vmbus_msg_header header;
	uint32_t child_relid;
	uint32_t openid;
	uint32_t status;
} __attribute__((packed));

struct vmbus_gpa_range {
	uint32_t byte_count;
	uint32_t byte_offset;
	/* uint64_t pfn_array[] follows */
} __attribute__((packed));

struct vmbus_msg_gpadl_header {
	struct vmbus_msg_header header;
	uint32_t child_relid;
	uint32_t gpadl;
	uint16_t range_buflen;
	uint16_t rangecount;
	/* struct vmbus_gpa_range range[] follows */
} __attribute__((packed));

struct vmbus_msg_gpadl_body {
	struct vmbus_msg_header header;
	uint32_t msgnumber;
	uint32_t gpadl;
	/* uint64_t pfn[] follows */
} __attribute__((packed));

struct vmbus_msg_gpadl_created {
	struct vmbus_msg_header header;
	uint32_t child_relid;
	uint32_t gpadl;
	uint32_t creation_status;
} __attribute__((packed));

struct vmbus_msg_gpadl_teardown {
	struct vmbus_msg_header header;
	uint32_t child_relid;
	uint32_t gpadl;
} __attribute__((packed));

struct vmbus_msg_gpadl_torndown {
	struct vmbus_msg_header header;
	uint32_t gpadl;
} __attribute__((packed));

struct vmbus_msg_initiate_contact {
	struct vmbus_msg_header header;
	uint32_t version_requested;
	uint32_t target_vcpu;
	union {
		uint64_t interrupt_page;	/* before 5.0 */
		struct {			/* 5.0 and later */
			uint8_t msg_sint;
			uint8_t msg_vtl;
			uint8_t reserved[6];
		} __attribute__((packed));
	};
	uint64_t monitor_page1;
	uint64_t monitor_page2;
} __attribute__((packed));

struct vmbus_msg_version_response {
	struct vmbus_msg_header header;
	uint8_t version_supported;
	uint8_t connection_state;
	uint16_t padding;
	uint32_t msg_conn_id;
} __attribute__((packed));

struct vmbus_msg_modifychannel {
	struct vmbus_msg_header header;
	uint32_t child_relid;
	uint32_t target_vp;
} __attribute__((packed));

struct vmbus_msg_modifychannel_response {
	struct vmbus_msg_header header;
	uint32_t child_relid;
	uint32_t status;
} __attribute__((packed));

/* NTSTATUS values in results */
#define VMBUS_STATUS_SUCCESS		0x00000000u
#define VMBUS_STATUS_UNSUCCESSFUL	0xc0000001u
#define VMBUS_STATUS_INVALID_PARAMETER	0xc000000du

/*
 * The shared header page in front of each ring's data (naturally
 * aligned, not packed: its fields are accessed atomically)
 */
struct vmbus_ring_header {
	uint32_t write_index;
	uint32_t read_index;
	uint32_t interrupt_mask;
	uint32_t pending_send_sz;
	uint32_t reserved1[12];
	uint32_t feature_bits;		/* bit 0: pending_send_sz used */
	uint8_t reserved2[VMBUS_PAGE_SIZE - 68];
};

#define VMBUS_RING_FEAT_PENDING_SEND_SZ	1u

/* A packet in a ring: this, the payload from offset8 * 8, 8 bytes more */
struct vmbus_packet_desc {
	uint16_t type;
	uint16_t offset8;
	uint16_t len8;
	uint16_t flags;
	uint64_t trans_id;
} __attribute__((packed));

#define VMBUS_PKT_TRAILER		8

/* Packet types */
#define VMBUS_PKT_DATA_INBAND		0x6
#define VMBUS_PKT_DATA_USING_XFER_PAGES	0x7
#define VMBUS_PKT_DATA_USING_GPA_DIRECT	0x9
#define VMBUS_PKT_COMP			0xb

#define VMBUS_PKT_FLAG_COMPLETION_REQUESTED	1

/* The Integration Components' framing, in front of every IC message */
struct vmbus_pipe_hdr {
	uint32_t flags;
	uint32_t msgsize;
} __attribute__((packed));

struct vmbus_ic_version {
	uint16_t major;
	uint16_t minor;
} __attribute__((packed));

struct vmbus_icmsg_hdr {
	struct vmbus_ic_version icverframe;
	uint16_t icmsgtype;
	struct vmbus_ic_version icvermsg;
	uint16_t icmsgsize;
	uint32_t status;
	uint8_t ictransaction_id;
	uint8_t icflags;
	uint8_t reserved[2];
} __attribute__((packed));

#define VMBUS_ICMSGTYPE_NEGOTIATE	0
#define VMBUS_ICMSGTYPE_HEARTBEAT	1
#define VMBUS_ICMSGTYPE_SHUTDOWN	3
#define VMBUS_ICMSGTYPE_TIMESYNC	4

#define VMBUS_ICMSGHDRFLAG_TRANSACTION	1
#define VMBUS_ICMSGHDRFLAG_REQUEST	2
#define VMBUS_ICMSGHDRFLAG_RESPONSE	4

#define VMBUS_IC_S_OK			0x00000000u
#define VMBUS_IC_E_FAIL			0x80004005u

struct vmbus_icmsg_negotiate {
	uint16_t icframe_vercnt;
	uint16_t icmsg_vercnt;
	uint32_t reserved;
	/* struct vmbus_ic_version icversion_data[] follows */
} __attribute__((packed));

struct vmbus_ic_shutdown {
	uint32_t reason_code;
	uint32_t timeout_seconds;
	uint32_t flags;			/* 0 shut down, 2 restart; | 1 force */
	uint8_t display_message[2048];
} __attribute__((packed));

struct vmbus_ic_heartbeat {
	uint64_t seq_num;
	uint32_t reserved[8];
} __attribute__((packed));

/* Time sync 3.0: the host's time in 100 ns units since 1601 */
struct vmbus_ic_timesync {
	uint64_t parenttime;
	uint64_t childtime;
	uint64_t roundtriptime;
	uint8_t flags;
} __attribute__((packed));

#define VMBUS_ICTIMESYNCFLAG_PROBE	0
#define VMBUS_ICTIMESYNCFLAG_SYNC	1
#define VMBUS_ICTIMESYNCFLAG_SAMPLE	2
/* 100 ns units from 1601-01-01 to 1970-01-01 */
#define VMBUS_WLTIMEDELTA		116444736000000000ull

_Static_assert(sizeof(struct vmbus_offer) == 176, "vmbus_offer");
_Static_assert(sizeof(struct vmbus_msg_offer_channel) == 196, "offer_channel");
_Static_assert(sizeof(struct vmbus_msg_open_channel) == 148, "open_channel");
_Static_assert(sizeof(struct vmbus_msg_tl_connect_request) == 40, "tl_connect");
_Static_assert(sizeof(struct vmbus_msg_open_result) == 20, "open_result");
_Static_assert(sizeof(struct vmbus_msg_gpadl_header) == 20, "gpadl_header");
_Static_assert(sizeof(struct vmbus_msg_gpadl_body) == 16, "gpadl_body");
_Static_assert(sizeof(struct vmbus_msg_initiate_contact) == 40, "initiate_contact");
_Static_assert(sizeof(struct vmbus_msg_version_response) == 16, "version_response");
_Static_assert(sizeof(struct vmbus_ring_header) == VMBUS_PAGE_SIZE, "ring_header");
_Static_assert(sizeof(struct vmbus_packet_desc) == 16, "packet_desc");
_Static_assert(sizeof(struct vmbus_icmsg_hdr) == 20, "icmsg_hdr");
_Static_assert(sizeof(struct vmbus_ic_timesync) == 25, "ic_timesync");

#endif /* HVCTL_VMBUS_PROTO_H */
