// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the storage VSP, SCSI over VMBus as Linux's hv_storvsc speaks
 * it (packet layouts and values from Linux's drivers/scsi/storvsc_drv.c,
 * the SCSI commands from SPC-4 and SBC-3).  One SCSI controller with
 * the --disk images as LUNs 0 to n-1 of target 0 on path 0, 512-byte
 * blocks; the guest's buffers are read and written in place (preadv and
 * pwritev straight into guest RAM).  One sub-channel per VP beyond the
 * first, on the guest's request.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cli.h"
#include "le.h"
#include "util.h"
#include "vmbus/vmbus.h"

/* vstor_packet operations */
enum {
	VSTOR_COMPLETE_IO = 1,
	VSTOR_EXECUTE_SRB = 3,
	VSTOR_BEGIN_INITIALIZATION = 7,
	VSTOR_END_INITIALIZATION = 8,
	VSTOR_QUERY_PROTOCOL_VERSION = 9,
	VSTOR_QUERY_PROPERTIES = 10,
	VSTOR_CREATE_SUB_CHANNELS = 13,
};

/* Protocol versions: major << 8 | minor (Windows 8, 8.1, 10) */
#define VSTOR_VERSION_WIN8	0x0501
#define VSTOR_VERSION_WIN8_1	0x0600
#define VSTOR_VERSION_WIN10	0x0602

#define VSTOR_MULTI_CHANNEL	0x1

/* SRB status */
#define SRB_STATUS_SUCCESS		0x01
#define SRB_STATUS_ERROR		0x04
#define SRB_STATUS_INVALID_REQUEST	0x06
#define SRB_STATUS_AUTOSENSE_VALID	0x80

/* vm_srb.data_in */
#define SRB_WRITE	0
#define SRB_READ	1

#define SCSI_CHECK_CONDITION	0x02
#define SENSE_LEN		18

struct vmscsi_request {
	uint16_t length;
	uint8_t srb_status;
	uint8_t scsi_status;
	uint8_t port_number;
	uint8_t path_id;
	uint8_t target_id;
	uint8_t lun;
	uint8_t cdb_length;
	uint8_t sense_info_length;
	uint8_t data_in;
	uint8_t reserved;
	uint32_t data_transfer_length;
	uint8_t cdb[20];		/* or the sense data */
	uint16_t reserve;
	uint8_t queue_tag;
	uint8_t queue_action;
	uint32_t srb_flags;
	uint32_t time_out_value;
	uint32_t queue_sort_key;
} __attribute__((packed));

struct vstor_properties {
	uint32_t reserved;
	uint16_t max_channel_cnt;
	uint16_t reserved1;
	uint32_t flags;
	uint32_t max_transfer_bytes;
	uint64_t reserved2;
} __attribute__((packed));

struct vstor_packet {
	uint32_t operation;
	uint32_t flags;
	uint32_t status;
	union {
		struct vmscsi_request srb;
		struct vstor_properties props;
		struct {
			uint16_t major_minor;
			uint16_t revision;
		} __attribute__((packed)) version;
		uint16_t sub_channel_count;
		uint8_t buffer[0x34];
	};
} __attribute__((packed));

_Static_assert(sizeof(struct vmscsi_request) == 0x34, "vmscsi_request");
_Static_assert(sizeof(struct vstor_packet) == 0x40, "vstor_packet");

/* The largest transfer one request may ask for */
#define STOR_MAX_TRANSFER	(1024 * 1024)
#define STOR_MAX_PAGES		(STOR_MAX_TRANSFER / VMBUS_PAGE_SIZE + 1)
#define STOR_BLOCK		512
/* Block-limits page: the most blocks one UNMAP descriptor may free */
#define STOR_MAX_UNMAP_BLOCKS	(1u << 22)

struct stor_disk {
	char *path;
	int fd;
	bool ro;
	bool blockdev;
	uint64_t blocks;
};

/**
 * struct stor - the controller: its disks, and the primary channel's
 *	protocol state
 * @disks: the LUNs
 * @nr_disks: how many
 * @nr_vps: the partition's VPs: the sub-channels it offers, one per VP
 *	beyond the first
 * @version: the protocol version agreed, 0 before
 * @initialized: END_INITIALIZATION arrived
 * @nr_sub: sub-channels made at the guest's request
 * @backlog: a completion the guest's ring had no room for, per channel
 *	index (primary 0, sub-channels 1 and up)
 */
struct stor {
	struct stor_disk disks[VMBUS_MAX_DISKS];
	unsigned int nr_disks;
	unsigned int nr_vps;
	uint16_t version;
	bool initialized;
	unsigned int nr_sub;
	struct {
		bool full;
		uint64_t trans_id;
		struct vstor_packet pkt;
	} backlog[VMBUS_MAX_SUBCHANNELS + 1];
};

static struct stor *stor_of(struct vmbus_chan *ch)
{
	return vmbus_chan_priv(vmbus_chan_primary(ch));
}

/* ---- SCSI -------------------------------------------------------------- */

/* Fixed-format sense data: @key, @asc, @ascq, as CHECK CONDITION */
static void scsi_sense(struct vmscsi_request *srb, uint8_t key, uint8_t asc,
		       uint8_t ascq)
{
	uint8_t *s = srb->cdb;

	memset(srb->cdb, 0, sizeof(srb->cdb));
	s[0] = 0x70;			/* current, fixed format */
	s[2] = key;
	s[7] = SENSE_LEN - 8;		/* additional sense length */
	s[12] = asc;
	s[13] = ascq;
	srb->scsi_status = SCSI_CHECK_CONDITION;
	srb->srb_status = SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID;
	srb->sense_info_length = SENSE_LEN;
	srb->data_transfer_length = 0;
}

#define SENSE_ILLEGAL_REQUEST	0x05
#define SENSE_DATA_PROTECT	0x07
#define SENSE_MEDIUM_ERROR	0x03
#define ASC_INVALID_OPCODE	0x20
#define ASC_LBA_OUT_OF_RANGE	0x21
#define ASC_INVALID_FIELD_CDB	0x24
#define ASC_INVALID_FIELD_PARAM	0x26
#define ASC_LUN_NOT_SUPPORTED	0x25
#define ASC_WRITE_PROTECTED	0x27
#define ASC_UNRECOVERED_READ	0x11
#define ASC_WRITE_ERROR		0x0c

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/**
 * struct scsi_io - one request's data buffer in guest memory
 * @iov: its pieces, page by page (host addresses in guest RAM)
 * @nr: pieces
 * @len: bytes the guest's buffer holds (the request's transfer length)
 */
struct scsi_io {
	struct iovec iov[STOR_MAX_PAGES];
	unsigned int nr;
	uint32_t len;
};

/* Cuts @io to its first @len bytes */
static void io_trim(struct scsi_io *io, uint32_t len)
{
	uint32_t done = 0;
	unsigned int i;

	for (i = 0; i < io->nr && done < len; i++) {
		if (io->iov[i].iov_len > len - done)
			io->iov[i].iov_len = len - done;
		done += io->iov[i].iov_len;
	}
	io->nr = i;
	io->len = len;
}

/*
 * Copies up to @n bytes between @buf and the guest's buffer, into it if
 * @to_guest; returns the bytes copied.
 */
static uint32_t io_copy(const struct scsi_io *io, void *buf, uint32_t n,
			bool to_guest)
{
	uint8_t *p = buf;
	uint32_t done = 0, k;
	unsigned int i;

	if (n > io->len)
		n = io->len;
	for (i = 0; i < io->nr && done < n; i++) {
		k = io->iov[i].iov_len;
		if (k > n - done)
			k = n - done;
		if (to_guest)
			memcpy(io->iov[i].iov_base, p + done, k);
		else
			memcpy(p + done, io->iov[i].iov_base, k);
		done += k;
	}
	return done;
}

static uint32_t io_put(const struct scsi_io *io, const void *src, uint32_t n)
{
	return io_copy(io, (void *)src, n, true);
}

static uint32_t io_get(const struct scsi_io *io, void *dst, uint32_t n)
{
	return io_copy(io, dst, n, false);
}

/* Answers with @data (@n bytes, cut at the CDB's allocation length) */
static void scsi_reply(struct vmscsi_request *srb, const struct scsi_io *io,
		       const void *data, uint32_t n, uint32_t alloc)
{
	if (n > alloc)
		n = alloc;
	srb->data_transfer_length = io_put(io, data, n);
	srb->srb_status = SRB_STATUS_SUCCESS;
	srb->scsi_status = 0;
}

static void scsi_inquiry(struct stor *s, unsigned int lun,
			 struct vmscsi_request *srb, const struct scsi_io *io)
{
	const uint8_t *cdb = srb->cdb;
	struct stor_disk *d = &s->disks[lun];
	uint32_t alloc = (uint32_t)cdb[3] << 8 | cdb[4];
	uint8_t b[96];
	unsigned int n;

	memset(b, 0, sizeof(b));
	if (!(cdb[1] & 1)) {			/* standard data */
		if (cdb[2])
			goto bad;
		b[2] = 0x06;			/* SPC-4 */
		b[3] = 0x02;			/* response format 2 */
		b[4] = 36 - 5;
		b[7] = 0x02;			/* CmdQue */
		memcpy(b + 8, "HVPART  ", 8);
		memcpy(b + 16, "Virtual Disk    ", 16);
		memcpy(b + 32, "1.0 ", 4);
		scsi_reply(srb, io, b, 36, alloc);
		return;
	}
	b[1] = cdb[2];
	switch (cdb[2]) {
	case 0x00:				/* supported pages */
		b[4] = 0x00;
		b[5] = 0x80;
		b[6] = 0x83;
		b[7] = 0xb0;
		b[8] = 0xb1;
		b[9] = 0xb2;
		n = 10;
		break;
	case 0x80:				/* unit serial number */
		n = 4 + snprintf((char *)b + 4, 17, "hvpart-lun%03u", lun);
		break;
	case 0x83:				/* device identification */
		/* T10 vendor ID designator, ASCII */
		b[4] = 0x02;
		b[5] = 0x01;
		memcpy(b + 8, "HVPART  ", 8);
		n = 16 + snprintf((char *)b + 16, 17, "disk%03u", lun);
		b[7] = n - 8;
		break;
	case 0xb0:				/* block limits */
		b[3] = 0x3c;
		put_be32(b + 8, STOR_MAX_TRANSFER / STOR_BLOCK);
		put_be32(b + 12, STOR_MAX_TRANSFER / STOR_BLOCK);
		if (!d->ro) {
			put_be32(b + 20, STOR_MAX_UNMAP_BLOCKS);
			put_be32(b + 24, 16);	/* unmap descriptors */
			put_be32(b + 28, 8);	/* granularity: 4 KiB */
		}
		n = 64;
		break;
	case 0xb1:				/* characteristics */
		b[3] = 0x3c;
		b[5] = 0x01;			/* non-rotating */
		n = 64;
		break;
	case 0xb2:				/* logical block provisioning */
		b[3] = 0x04;
		if (!d->ro)
			b[5] = 0x80;		/* LBPU: UNMAP works */
		n = 8;
		break;
	default:
		goto bad;
	}
	if (cdb[2] != 0xb0 && cdb[2] != 0xb1 && cdb[2] != 0xb2)
		b[3] = n - 4;			/* page length, big-endian */
	scsi_reply(srb, io, b, n, alloc);
	return;
bad:
	scsi_sense(srb, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB, 0);
}

/* MODE SENSE (6) and (10): the write-protect bit and the caching page */
static void scsi_mode_sense(struct stor_disk *d, struct vmscsi_request *srb,
			    const struct scsi_io *io)
{
	const uint8_t *cdb = srb->cdb;
	bool ten = cdb[0] == 0x5a;
	uint8_t page = cdb[2] & 0x3f, b[64];
	unsigned int hdr = ten ? 8 : 4, n = hdr;
	uint32_t alloc = ten ? (uint32_t)cdb[7] << 8 | cdb[8] : cdb[4];

	if (page != 0x08 && page != 0x3f) {
		scsi_sense(srb, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB,
			   0);
		return;
	}
	memset(b, 0, sizeof(b));
	/* The caching page: write cache on (SYNCHRONIZE CACHE flushes) */
	b[n] = 0x08;
	b[n + 1] = 0x12;
	if ((cdb[2] >> 6) != 1)			/* not "changeable values" */
		b[n + 2] = 0x04;		/* WCE */
	n += 20;
	if (ten) {
		b[1] = n - 2;			/* mode data length, big-endian */
		b[3] = d->ro ? 0x80 : 0;
	} else {
		b[0] = n - 1;
		b[2] = d->ro ? 0x80 : 0;
	}
	scsi_reply(srb, io, b, n, alloc);
}

static void scsi_read_capacity(struct stor_disk *d, struct vmscsi_request *srb,
			       const struct scsi_io *io, bool sixteen)
{
	uint64_t last = d->blocks - 1;
	uint8_t b[32];

	memset(b, 0, sizeof(b));
	if (!sixteen) {
		put_be32(b, last > 0xffffffff ? 0xffffffff : (uint32_t)last);
		put_be32(b + 4, STOR_BLOCK);
		scsi_reply(srb, io, b, 8, 8);
		return;
	}
	put_be32(b, last >> 32);
	put_be32(b + 4, (uint32_t)last);
	put_be32(b + 8, STOR_BLOCK);
	if (!d->ro)
		b[14] = 0x80;			/* LBPME */
	scsi_reply(srb, io, b, 32, be32(srb->cdb + 10));
}

static void scsi_rw(struct stor_disk *d, struct vmscsi_request *srb,
		    const struct scsi_io *io)
{
	const uint8_t *cdb = srb->cdb;
	bool write = cdb[0] == 0x0a || cdb[0] == 0x2a || cdb[0] == 0xaa ||
		     cdb[0] == 0x8a;
	uint64_t lba;
	uint32_t count;
	ssize_t ret;

	switch (cdb[0]) {
	case 0x08: case 0x0a:			/* READ/WRITE (6) */
		lba = (uint32_t)(cdb[1] & 0x1f) << 16 | cdb[2] << 8 | cdb[3];
		count = cdb[4] ? cdb[4] : 256;
		break;
	case 0x28: case 0x2a:			/* (10) */
		lba = be32(cdb + 2);
		count = (uint32_t)cdb[7] << 8 | cdb[8];
		break;
	case 0xa8: case 0xaa:			/* (12) */
		lba = be32(cdb + 2);
		count = be32(cdb + 6);
		break;
	default:				/* (16) */
		lba = be64(cdb + 2);
		count = be32(cdb + 10);
		break;
	}
	if (lba > d->blocks || count > d->blocks - lba) {
		scsi_sense(srb, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
		return;
	}
	if ((uint64_t)count * STOR_BLOCK != io->len ||
	    srb->data_in != (write ? SRB_WRITE : SRB_READ)) {
		scsi_sense(srb, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB,
			   0);
		return;
	}
	if (write && d->ro) {
		scsi_sense(srb, SENSE_DATA_PROTECT, ASC_WRITE_PROTECTED, 0);
		return;
	}
	if (!count) {
		scsi_reply(srb, io, NULL, 0, 0);
		return;
	}
	if (write)
		ret = pwritev(d->fd, io->iov, io->nr, lba * STOR_BLOCK);
	else
		ret = preadv(d->fd, io->iov, io->nr, lba * STOR_BLOCK);
	if (ret != (ssize_t)io->len) {
		scsi_sense(srb, SENSE_MEDIUM_ERROR, write ? ASC_WRITE_ERROR :
			   ASC_UNRECOVERED_READ, 0);
		return;
	}
	srb->data_transfer_length = io->len;
	srb->srb_status = SRB_STATUS_SUCCESS;
	srb->scsi_status = 0;
}

/* UNMAP: punch each block range out of the image (or discard it) */
static void scsi_unmap(struct stor_disk *d, struct vmscsi_request *srb,
		       const struct scsi_io *io)
{
	uint8_t b[8 + 16 * 16];
	uint32_t n, len, i, count;
	uint64_t lba, range[2];
	int ret;

	if (d->ro) {
		scsi_sense(srb, SENSE_DATA_PROTECT, ASC_WRITE_PROTECTED, 0);
		return;
	}
	n = io_get(io, b, sizeof(b));
	len = n >= 8 ? ((uint32_t)b[2] << 8 | b[3]) : 0;
	if (n < 8 || len % 16 || len > n - 8) {
		scsi_sense(srb, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM,
			   0);
		return;
	}
	for (i = 0; i < len / 16; i++) {
		lba = be64(b + 8 + 16 * i);
		count = be32(b + 16 + 16 * i);
		if (lba > d->blocks || count > d->blocks - lba ||
		    count > STOR_MAX_UNMAP_BLOCKS) {
			scsi_sense(srb, SENSE_ILLEGAL_REQUEST,
				   ASC_LBA_OUT_OF_RANGE, 0);
			return;
		}
		if (!count)
			continue;
		if (d->blockdev) {
			range[0] = lba * STOR_BLOCK;
			range[1] = (uint64_t)count * STOR_BLOCK;
			ret = ioctl(d->fd, BLKDISCARD, range);
		} else {
			ret = fallocate(d->fd, FALLOC_FL_PUNCH_HOLE |
					FALLOC_FL_KEEP_SIZE, lba * STOR_BLOCK,
					(off_t)count * STOR_BLOCK);
		}
		/* A discard is a hint: one the backing refuses is no error. */
		(void)ret;
	}
	srb->data_transfer_length = 0;
	srb->srb_status = SRB_STATUS_SUCCESS;
	srb->scsi_status = 0;
}

/* The LUNs of the target: ours on target 0 of path 0 (@ours), else none */
static void scsi_report_luns(struct stor *s, struct vmscsi_request *srb,
			     const struct scsi_io *io, bool ours)
{
	uint8_t b[8 + 8 * VMBUS_MAX_DISKS];
	unsigned int i, n = ours ? s->nr_disks : 0;

	memset(b, 0, sizeof(b));
	put_be32(b, 8 * n);
	for (i = 0; i < n; i++)
		b[8 + 8 * i + 1] = i;		/* peripheral addressing */
	scsi_reply(srb, io, b, 8 + 8 * n, be32(srb->cdb + 6));
}

static void scsi_execute(struct stor *s, struct vmscsi_request *srb,
			 const struct scsi_io *io)
{
	const uint8_t *cdb = srb->cdb;
	struct stor_disk *d;
	uint8_t b[36];

	/*
	 * Linux's storvsc takes any INQUIRY as a success (it works around
	 * hosts that fail some), so an address with no disk must answer
	 * INQUIRY with data that says so: peripheral qualifier 3.  Other
	 * commands there fail as SCSI says (LOGICAL UNIT NOT SUPPORTED),
	 * never with SRB_STATUS_INVALID_LUN: storvsc answers that by
	 * removing the LUN of that number on path 0, one of ours.
	 */
	if (srb->path_id || srb->target_id || srb->lun >= s->nr_disks) {
		if (cdb[0] == 0x12) {
			memset(b, 0, sizeof(b));
			b[0] = 0x7f;
			b[3] = 0x02;
			b[4] = sizeof(b) - 5;
			scsi_reply(srb, io, b, sizeof(b),
				   (uint32_t)cdb[3] << 8 | cdb[4]);
			return;
		}
		if (cdb[0] == 0xa0) {
			scsi_report_luns(s, srb, io,
					 !srb->path_id && !srb->target_id);
			return;
		}
		scsi_sense(srb, SENSE_ILLEGAL_REQUEST, ASC_LUN_NOT_SUPPORTED, 0);
		return;
	}
	if (cdb[0] == 0xa0) {			/* REPORT LUNS */
		scsi_report_luns(s, srb, io, true);
		return;
	}
	d = &s->disks[srb->lun];
	switch (cdb[0]) {
	case 0x00:				/* TEST UNIT READY */
	case 0x1b:				/* START STOP UNIT */
	case 0x2f:				/* VERIFY (10) */
	case 0x8f:				/* VERIFY (16) */
		scsi_reply(srb, io, NULL, 0, 0);
		break;
	case 0x03:				/* REQUEST SENSE */
		memset(b, 0, sizeof(b));
		b[0] = 0x70;
		b[7] = SENSE_LEN - 8;
		scsi_reply(srb, io, b, SENSE_LEN, cdb[4]);
		break;
	case 0x12:
		scsi_inquiry(s, srb->lun, srb, io);
		break;
	case 0x1a:
	case 0x5a:
		scsi_mode_sense(d, srb, io);
		break;
	case 0x25:
		scsi_read_capacity(d, srb, io, false);
		break;
	case 0x9e:				/* SERVICE ACTION IN (16) */
		if ((cdb[1] & 0x1f) != 0x10)
			goto bad;
		scsi_read_capacity(d, srb, io, true);
		break;
	case 0x08: case 0x28: case 0xa8: case 0x88:
	case 0x0a: case 0x2a: case 0xaa: case 0x8a:
		scsi_rw(d, srb, io);
		break;
	case 0x35:				/* SYNCHRONIZE CACHE (10) */
	case 0x91:				/* (16) */
		if (!d->ro && fdatasync(d->fd)) {
			scsi_sense(srb, SENSE_MEDIUM_ERROR, ASC_WRITE_ERROR, 0);
			break;
		}
		scsi_reply(srb, io, NULL, 0, 0);
		break;
	case 0x42:
		scsi_unmap(d, srb, io);
		break;
	default:
bad:
		scsi_sense(srb, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE, 0);
		break;
	}
}

/* ---- the VMBus side --------------------------------------------------- */

/*
 * The data buffer of a GPA-direct packet: one range of @pkt's header
 * (reserved, range count 1, then length, offset and the page frames).
 * Returns 0, or -EINVAL if the range is malformed or names a page that
 * is not guest RAM.
 */
static int stor_map_buffer(struct vmbus_chan *ch, const struct vmbus_pkt *pkt,
			   struct scsi_io *io)
{
	const uint8_t *h = pkt->hdr + sizeof(struct vmbus_packet_desc);
	uint32_t hlen = pkt->hdr_len - sizeof(struct vmbus_packet_desc);
	uint32_t len, off, pages, i, left, n;
	uint64_t pfn;
	uint8_t *page;

	io->nr = 0;
	io->len = 0;
	if (pkt->type != VMBUS_PKT_DATA_USING_GPA_DIRECT)
		return 0;
	if (hlen < 16 || get32(h + 4) != 1)
		return -EINVAL;
	len = get32(h + 8);
	off = get32(h + 12);
	if (!len || len > STOR_MAX_TRANSFER || off >= VMBUS_PAGE_SIZE)
		return -EINVAL;
	pages = (off + len + VMBUS_PAGE_SIZE - 1) / VMBUS_PAGE_SIZE;
	if (hlen < 16 + 8 * pages)
		return -EINVAL;
	left = len;
	for (i = 0; i < pages; i++) {
		pfn = get64(h + 16 + 8 * i);
		page = vmbus_gpa_page(vmbus_chan_bus(ch), pfn);
		if (!page)
			return -EINVAL;
		n = VMBUS_PAGE_SIZE - (i ? 0 : off);
		if (n > left)
			n = left;
		io->iov[i].iov_base = page + (i ? 0 : off);
		io->iov[i].iov_len = n;
		left -= n;
	}
	io->nr = pages;
	io->len = len;
	return 0;
}

/* Sends @p as the completion of @trans_id; false if the ring is full */
static bool stor_complete(struct vmbus_chan *ch, uint64_t trans_id,
			  struct vstor_packet *p)
{
	struct stor *s = stor_of(ch);
	unsigned int idx = vmbus_chan_sub_index(ch);
	int ret;

	p->operation = VSTOR_COMPLETE_IO;
	ret = vmbus_chan_send(ch, VMBUS_PKT_COMP, 0, trans_id, p, sizeof(*p));
	if (ret == -EAGAIN) {
		s->backlog[idx].full = true;
		s->backlog[idx].trans_id = trans_id;
		s->backlog[idx].pkt = *p;
		return false;
	}
	if (ret)
		vmbus_chan_note(ch, "cannot complete a request");
	return true;
}

/* The primary channel's setup operations */
static void stor_control(struct vmbus_chan *ch, struct vstor_packet *p)
{
	struct stor *s = stor_of(ch);
	bool primary = vmbus_chan_primary(ch) == ch;
	unsigned int i, want;

	p->status = VMBUS_STATUS_SUCCESS;
	if (!primary) {
		p->status = VMBUS_STATUS_INVALID_PARAMETER;
		return;
	}
	switch (p->operation) {
	case VSTOR_BEGIN_INITIALIZATION:
		s->version = 0;
		s->initialized = false;
		break;
	case VSTOR_QUERY_PROTOCOL_VERSION:
		switch (p->version.major_minor) {
		case VSTOR_VERSION_WIN8:
		case VSTOR_VERSION_WIN8_1:
		case VSTOR_VERSION_WIN10:
			s->version = p->version.major_minor;
			break;
		default:
			/* Older ones have a shorter SRB: not offered. */
			p->status = VMBUS_STATUS_UNSUCCESSFUL;
		}
		break;
	case VSTOR_QUERY_PROPERTIES:
		memset(&p->props, 0, sizeof(p->props));
		p->props.max_channel_cnt = s->nr_vps - 1;
		p->props.flags = VSTOR_MULTI_CHANNEL;
		p->props.max_transfer_bytes = STOR_MAX_TRANSFER;
		break;
	case VSTOR_END_INITIALIZATION:
		if (!s->version)
			p->status = VMBUS_STATUS_INVALID_PARAMETER;
		else
			s->initialized = true;
		break;
	case VSTOR_CREATE_SUB_CHANNELS:
		want = p->sub_channel_count;
		if (!s->initialized || s->nr_sub || !want ||
		    want > s->nr_vps - 1 || want > VMBUS_MAX_SUBCHANNELS) {
			p->status = VMBUS_STATUS_INVALID_PARAMETER;
			break;
		}
		for (i = 1; i <= want; i++) {
			if (!vmbus_add_subchannel(ch, i, s))
				break;
			s->nr_sub++;
		}
		if (!s->nr_sub)
			p->status = VMBUS_STATUS_UNSUCCESSFUL;
		break;
	default:
		p->status = VMBUS_STATUS_INVALID_PARAMETER;
		break;
	}
}

static void stor_event(struct vmbus_chan *ch)
{
	struct stor *s = stor_of(ch);
	unsigned int idx = vmbus_chan_sub_index(ch);
	struct scsi_io io;
	struct vstor_packet p;
	struct vmbus_pkt pkt;

	if (s->backlog[idx].full) {
		if (vmbus_chan_send(ch, VMBUS_PKT_COMP, 0,
				    s->backlog[idx].trans_id,
				    &s->backlog[idx].pkt,
				    sizeof(s->backlog[idx].pkt)) == -EAGAIN)
			return;
		s->backlog[idx].full = false;
	}
	while (!vmbus_chan_recv(ch, &pkt)) {
		if (pkt.type == VMBUS_PKT_COMP)
			continue;
		if (pkt.len < sizeof(p) ||
		    (pkt.type != VMBUS_PKT_DATA_INBAND &&
		     pkt.type != VMBUS_PKT_DATA_USING_GPA_DIRECT)) {
			vmbus_chan_note(ch, "a packet that is no storage request");
			continue;
		}
		memcpy(&p, pkt.data, sizeof(p));
		if (p.operation != VSTOR_EXECUTE_SRB) {
			stor_control(ch, &p);
		} else if (!s->initialized ||
			   stor_map_buffer(ch, &pkt, &io) ||
			   p.srb.cdb_length > 16 ||
			   p.srb.data_transfer_length > io.len) {
			vmbus_chan_note(ch, "a malformed SCSI request: refused");
			p.srb.srb_status = SRB_STATUS_INVALID_REQUEST;
			p.srb.scsi_status = 0;
			p.srb.data_transfer_length = 0;
			p.status = VMBUS_STATUS_INVALID_PARAMETER;
		} else {
			/* what the guest asks for, not what its buffer holds */
			io_trim(&io, p.srb.data_transfer_length);
			p.status = VMBUS_STATUS_SUCCESS;
			p.srb.sense_info_length = 0;
			scsi_execute(s, &p.srb, &io);
		}
		/* The rest waits in the ring until the guest makes room. */
		if (!stor_complete(ch, pkt.trans_id, &p))
			return;
	}
}

static uint32_t stor_open(struct vmbus_chan *ch)
{
	struct stor *s = stor_of(ch);

	s->backlog[vmbus_chan_sub_index(ch)].full = false;
	if (vmbus_chan_primary(ch) == ch) {
		s->version = 0;
		s->initialized = false;
		/* the sub-channels went with the guest's last connection */
		s->nr_sub = 0;
	}
	return 0;
}

static void stor_destroy(void *priv)
{
	struct stor *s = priv;
	unsigned int i;

	for (i = 0; i < s->nr_disks; i++) {
		if (s->disks[i].fd >= 0)
			close(s->disks[i].fd);
		free(s->disks[i].path);
	}
}

static const struct vmbus_dev_ops stor_ops = {
	.name = "storage",
	/* {ba6163d9-04a1-4d29-b605-72e2ffb1dc7f}: SCSI */
	.if_type = { {
		0xd9, 0x63, 0x61, 0xba, 0xa1, 0x04, 0x29, 0x4d,
		0xb6, 0x05, 0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f,
	} },
	.open = stor_open,
	.event = stor_event,
	.destroy = stor_destroy,
};

/*
 * Splits "FILE[,ro]" into the path and the read-only flag; -EINVAL for
 * an unknown option.
 */
int vmbus_disk_parse(const char *spec, char **path, bool *ro)
{
	const char *comma = strrchr(spec, ',');

	*ro = false;
	if (comma && !strcmp(comma, ",ro"))
		*ro = true;
	else if (comma && strcmp(comma, ",rw"))
		return -EINVAL;
	*path = strndup(spec, comma ? (size_t)(comma - spec) : strlen(spec));
	if (!*path)
		return -ENOMEM;
	return **path ? 0 : -EINVAL;
}

static int stor_open_disk(struct stor_disk *d, const char *spec)
{
	struct stat st;
	uint64_t size;
	int ret;

	ret = vmbus_disk_parse(spec, &d->path, &d->ro);
	if (ret) {
		hvctl_err("bad --disk '%s': want FILE[,ro]", spec);
		return ret;
	}
	d->fd = open(d->path, (d->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (d->fd < 0) {
		ret = -errno;
		hvctl_err("cannot open disk %s: %s", d->path, strerror(-ret));
		return ret;
	}
	if (fstat(d->fd, &st)) {
		ret = -errno;
		hvctl_err("cannot stat disk %s: %s", d->path, strerror(-ret));
		return ret;
	}
	d->blockdev = S_ISBLK(st.st_mode);
	if (d->blockdev) {
		if (ioctl(d->fd, BLKGETSIZE64, &size)) {
			ret = -errno;
			hvctl_err("cannot size disk %s: %s", d->path,
				  strerror(-ret));
			return ret;
		}
	} else if (S_ISREG(st.st_mode)) {
		size = st.st_size;
	} else {
		hvctl_err("disk %s is neither a file nor a block device",
			  d->path);
		return -EINVAL;
	}
	if (size < STOR_BLOCK || size % STOR_BLOCK) {
		hvctl_err("disk %s: its size (%llu bytes) is not a nonzero multiple of 512",
			  d->path, (unsigned long long)size);
		return -EINVAL;
	}
	d->blocks = size / STOR_BLOCK;
	return 0;
}

/*
 * Offers a SCSI controller with the @nr disks of @specs ("FILE[,ro]")
 * as its LUNs, for a partition of @nr_vps VPs.  0, or -errno after
 * printing why.
 */
int vmbus_add_storage(struct vmbus *bus, const char *const *specs,
		      unsigned int nr, unsigned int nr_vps)
{
	struct stor *s;
	unsigned int i;
	int ret;

	if (nr > VMBUS_MAX_DISKS) {
		hvctl_err("too many --disk options (at most %d)",
			  VMBUS_MAX_DISKS);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->nr_vps = nr_vps;
	for (i = 0; i < nr; i++) {
		s->disks[i].fd = -1;
		s->nr_disks++;
		ret = stor_open_disk(&s->disks[i], specs[i]);
		if (ret)
			goto fail;
		hvctl_info("VMBus SCSI LUN %u: %s, %llu MiB%s", i,
			   s->disks[i].path,
			   (unsigned long long)(s->disks[i].blocks >> 11),
			   s->disks[i].ro ? ", read-only" : "");
	}
	/* The disks' fds live as long as the worker: the bus owns @s. */
	return vmbus_add_device(bus, &stor_ops, s);
fail:
	stor_destroy(s);
	free(s);
	return ret;
}
