/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: the wire formats of the network VSP (net.c): NVSP, the
 * netvsc protocol on the channel, and RNDIS, the messages NVSP carries
 * (layouts and values from Linux's drivers/net/hyperv/hyperv_net.h and
 * include/linux/rndis.h, the facts of the protocol).  Little-endian,
 * packed; the size asserts at the end pin each to the guest's.
 */
#ifndef HVCTL_VMBUS_NET_PROTO_H
#define HVCTL_VMBUS_NET_PROTO_H

#include <stdint.h>

/* NVSP versions, the newest Linux asks for first */
#define NVSP_PROTOCOL_VERSION_1		0x00002
#define NVSP_PROTOCOL_VERSION_2		0x30002
#define NVSP_PROTOCOL_VERSION_4		0x40000
#define NVSP_PROTOCOL_VERSION_5		0x50000
#define NVSP_PROTOCOL_VERSION_6		0x60000
#define NVSP_PROTOCOL_VERSION_61	0x60001

/* NVSP message types */
#define NVSP_MSG_TYPE_INIT			1
#define NVSP_MSG_TYPE_INIT_COMPLETE		2
#define NVSP_MSG1_TYPE_SEND_NDIS_VER		100
#define NVSP_MSG1_TYPE_SEND_RECV_BUF		101
#define NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE	102
#define NVSP_MSG1_TYPE_REVOKE_RECV_BUF		103
#define NVSP_MSG1_TYPE_SEND_SEND_BUF		104
#define NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE	105
#define NVSP_MSG1_TYPE_REVOKE_SEND_BUF		106
#define NVSP_MSG1_TYPE_SEND_RNDIS_PKT		107
#define NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE	108
#define NVSP_MSG2_TYPE_SEND_NDIS_CONFIG		125
#define NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION	128
#define NVSP_MSG4_TYPE_SWITCH_DATA_PATH		129
#define NVSP_MSG5_TYPE_OID_QUERY_EX		131
#define NVSP_MSG5_TYPE_SUBCHANNEL		133
#define NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE	134

/* NVSP status */
#define NVSP_STAT_SUCCESS		1
#define NVSP_STAT_FAIL			2
#define NVSP_STAT_INVALID_RNDIS_PKT	5

/* send_rndis_pkt's send_buf_section_index when the data is not there */
#define NVSP_NO_SECTION			0xffffffffu

/*
 * Every NVSP message, whatever its type, is this long on the wire: the
 * type and the largest of the bodies (Linux's union nvsp_all_messages).
 */
#define NVSP_MSG_SIZE			40

struct nvsp_init {
	uint32_t min_protocol_ver;
	uint32_t max_protocol_ver;
} __attribute__((packed));

struct nvsp_init_complete {
	uint32_t negotiated_protocol_ver;
	uint32_t max_mdl_chain_len;
	uint32_t status;
} __attribute__((packed));

struct nvsp_send_ndis_ver {
	uint32_t ndis_major_ver;
	uint32_t ndis_minor_ver;
} __attribute__((packed));

struct nvsp_ndis_config {
	uint32_t mtu;
	uint32_t reserved;
	uint64_t capability;
} __attribute__((packed));

struct nvsp_send_buf {			/* SEND_RECV_BUF, SEND_SEND_BUF */
	uint32_t gpadl_handle;
	uint16_t id;
} __attribute__((packed));

struct nvsp_recv_buf_section {
	uint32_t offset;
	uint32_t sub_alloc_size;
	uint32_t num_sub_allocs;
	uint32_t end_offset;
} __attribute__((packed));

struct nvsp_recv_buf_complete {
	uint32_t status;
	uint32_t num_sections;
	struct nvsp_recv_buf_section sections[1];
} __attribute__((packed));

struct nvsp_send_buf_complete {
	uint32_t status;
	uint32_t section_size;
} __attribute__((packed));

struct nvsp_rndis_pkt {
	uint32_t channel_type;		/* 0 data, 1 control */
	uint32_t send_buf_section_index;
	uint32_t send_buf_section_size;
} __attribute__((packed));

struct nvsp_status {			/* RNDIS_PKT_COMPLETE */
	uint32_t status;
} __attribute__((packed));

struct nvsp_subchannel {		/* request and completion */
	uint32_t op_or_status;
	uint32_t num_subchannels;
} __attribute__((packed));

struct nvsp_msg {
	uint32_t type;
	union {
		struct nvsp_init init;
		struct nvsp_init_complete init_complete;
		struct nvsp_send_ndis_ver ndis_ver;
		struct nvsp_ndis_config ndis_config;
		struct nvsp_send_buf send_buf;
		struct nvsp_recv_buf_complete recv_buf_complete;
		struct nvsp_send_buf_complete send_buf_complete;
		struct nvsp_rndis_pkt rndis_pkt;
		struct nvsp_status rndis_pkt_complete;
		struct nvsp_subchannel subchannel;
		uint8_t bytes[NVSP_MSG_SIZE - 4];
	};
} __attribute__((packed));

/* A transfer-page packet's header after the descriptor, and a range */
struct vmbus_xfer_hdr {
	uint16_t xfer_pageset_id;
	uint8_t sender_owns_set;
	uint8_t reserved;
	uint32_t range_cnt;
} __attribute__((packed));

struct vmbus_xfer_range {
	uint32_t byte_count;
	uint32_t byte_offset;
} __attribute__((packed));

/* A GPA-direct packet's header after the descriptor, and a range */
struct vmbus_gpa_direct_hdr {
	uint32_t reserved;
	uint32_t range_cnt;
} __attribute__((packed));

struct vmbus_mpb_range {
	uint32_t len;
	uint32_t offset;
	/* uint64_t pfn[] follows: as many pages as offset + len covers */
} __attribute__((packed));

/* RNDIS message types */
#define RNDIS_MSG_COMPLETION	0x80000000u
#define RNDIS_MSG_PACKET	0x00000001u
#define RNDIS_MSG_INIT		0x00000002u
#define RNDIS_MSG_HALT		0x00000003u
#define RNDIS_MSG_QUERY		0x00000004u
#define RNDIS_MSG_SET		0x00000005u
#define RNDIS_MSG_RESET		0x00000006u
#define RNDIS_MSG_INDICATE	0x00000007u
#define RNDIS_MSG_KEEPALIVE	0x00000008u

#define RNDIS_STATUS_SUCCESS		0x00000000u
#define RNDIS_STATUS_FAILURE		0xc0000001u
#define RNDIS_STATUS_NOT_SUPPORTED	0xc00000bbu
#define RNDIS_STATUS_INVALID_LENGTH	0xc0010014u
#define RNDIS_STATUS_INVALID_DATA	0xc0010015u

#define RNDIS_MAJOR_VERSION		1
#define RNDIS_MINOR_VERSION		0
#define RNDIS_DF_CONNECTIONLESS		1
#define RNDIS_MEDIUM_802_3		0

/* OIDs the VSP answers */
#define RNDIS_OID_GEN_SUPPORTED_LIST		0x00010101u
#define RNDIS_OID_GEN_HARDWARE_STATUS		0x00010102u
#define RNDIS_OID_GEN_MEDIA_SUPPORTED		0x00010103u
#define RNDIS_OID_GEN_MEDIA_IN_USE		0x00010104u
#define RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE	0x00010106u
#define RNDIS_OID_GEN_LINK_SPEED		0x00010107u
#define RNDIS_OID_GEN_CURRENT_PACKET_FILTER	0x0001010eu
#define RNDIS_OID_GEN_MAXIMUM_TOTAL_SIZE	0x00010111u
#define RNDIS_OID_GEN_MEDIA_CONNECT_STATUS	0x00010114u
#define RNDIS_OID_802_3_PERMANENT_ADDRESS	0x01010101u
#define RNDIS_OID_802_3_CURRENT_ADDRESS		0x01010102u
#define RNDIS_OID_802_3_MULTICAST_LIST		0x01010103u
#define RNDIS_OID_802_3_MAXIMUM_LIST_SIZE	0x01010104u
#define RNDIS_OID_TCP_OFFLOAD_PARAMETERS	0xfc01020cu
#define RNDIS_OID_TCP_OFFLOAD_HW_CAPS		0xfc01020du

/* The packet filter's bits */
#define RNDIS_PACKET_TYPE_DIRECTED		0x01u
#define RNDIS_PACKET_TYPE_MULTICAST		0x02u
#define RNDIS_PACKET_TYPE_ALL_MULTICAST		0x04u
#define RNDIS_PACKET_TYPE_BROADCAST		0x08u
#define RNDIS_PACKET_TYPE_PROMISCUOUS		0x20u

/* NDIS objects: the offload capabilities and parameters */
#define NDIS_OBJECT_TYPE_DEFAULT	0x80
#define NDIS_OBJECT_TYPE_OFFLOAD	0xa7
/* struct ndis_offload's size by revision (1: NDIS 6.0, 2: 6.1, 3) */
#define NDIS_OFFLOAD_SIZE_REV1		112
#define NDIS_OFFLOAD_SIZE_REV2		144
#define NDIS_OFFLOAD_SIZE_REV3		156
/*
 * ndis_offload_params: bytes 4 to 14 and 20 to 23 (where given) say for each
 * offload 0 (no change), 1 (disabled) or a way to enable it.
 */
#define NDIS_OFFLOAD_PARAMS_FIRST	4
#define NDIS_OFFLOAD_PARAMS_LAST	14
#define NDIS_OFFLOAD_PARAMS_V2_FIRST	20
#define NDIS_OFFLOAD_PARAMS_V2_LAST	23

/* Per-packet information */
#define RNDIS_PPI_TCPIP_CHKSUM		0
#define RNDIS_PPI_LARGESEND		2
#define RNDIS_PPI_IEEE_8021Q		6

struct rndis_hdr {
	uint32_t type;
	uint32_t len;		/* the whole message, this header included */
} __attribute__((packed));

#define RNDIS_HDR_SIZE		8

struct rndis_init_req {
	uint32_t req_id;
	uint32_t major_ver;
	uint32_t minor_ver;
	uint32_t max_xfer_size;
} __attribute__((packed));

struct rndis_init_complete {
	uint32_t req_id;
	uint32_t status;
	uint32_t major_ver;
	uint32_t minor_ver;
	uint32_t dev_flags;
	uint32_t medium;
	uint32_t max_pkt_per_msg;
	uint32_t max_xfer_size;
	uint32_t pkt_alignment_factor;
	uint32_t af_list_offset;
	uint32_t af_list_size;
} __attribute__((packed));

/* QUERY and SET: the info buffer's offset counts from req_id */
struct rndis_query_req {
	uint32_t req_id;
	uint32_t oid;
	uint32_t info_buflen;
	uint32_t info_buf_offset;
	uint32_t dev_vc_handle;
} __attribute__((packed));

struct rndis_query_complete {
	uint32_t req_id;
	uint32_t status;
	uint32_t info_buflen;
	uint32_t info_buf_offset;
} __attribute__((packed));

struct rndis_set_complete {		/* also KEEPALIVE's */
	uint32_t req_id;
	uint32_t status;
} __attribute__((packed));

struct rndis_reset_complete {
	uint32_t status;
	uint32_t addressing_reset;
} __attribute__((packed));

struct rndis_indicate {
	uint32_t status;
	uint32_t status_buflen;
	uint32_t status_buf_offset;
} __attribute__((packed));

/* A data packet: offsets count from data_offset, this struct's start */
struct rndis_packet {
	uint32_t data_offset;
	uint32_t data_len;
	uint32_t oob_data_offset;
	uint32_t oob_data_len;
	uint32_t num_oob_data_elements;
	uint32_t per_pkt_info_offset;
	uint32_t per_pkt_info_len;
	uint32_t vc_handle;
	uint32_t reserved;
} __attribute__((packed));

struct rndis_ppi {
	uint32_t size;		/* this header and its data */
	uint32_t type;		/* bits 0-30; bit 31: internal */
	uint32_t ppi_offset;	/* of the data, from this header */
} __attribute__((packed));

_Static_assert(sizeof(struct nvsp_msg) == NVSP_MSG_SIZE, "nvsp_msg");
_Static_assert(sizeof(struct rndis_init_complete) == 44, "init_complete");
_Static_assert(sizeof(struct rndis_query_req) == 20, "query_req");
_Static_assert(sizeof(struct rndis_packet) == 36, "rndis_packet");
_Static_assert(sizeof(struct rndis_ppi) == 12, "rndis_ppi");
_Static_assert(sizeof(struct vmbus_xfer_hdr) == 8, "xfer_hdr");

#endif /* HVCTL_VMBUS_NET_PROTO_H */
