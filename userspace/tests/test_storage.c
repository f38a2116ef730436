// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of the storage VSP (vmbus/storage.c, included so that
 * its static SCSI and packet code can be reached): the --disk syntax,
 * the setup protocol and sub-channels, the SCSI commands Linux's sd
 * sends against an image file, the read-only disk, the bounds on every
 * guest-controlled field, and a fuzzer of random requests.  The channel
 * is a fake: packets go in and completions come out of arrays, and
 * "guest RAM" is a buffer here.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../vmbus/storage.c"
#include "test.h"

/* ---- the fake channel ------------------------------------------------- */

#define RAM_PAGES	300
static uint8_t ram[RAM_PAGES * VMBUS_PAGE_SIZE]
	__attribute__((aligned(VMBUS_PAGE_SIZE)));

struct vmbus_chan {
	void *priv;
	struct vmbus_chan *primary;
	uint16_t sub_index;
};

static struct vmbus_chan primary_ch, sub_ch;
static void *added_priv;
static unsigned int nr_subs, notes;

/* the packet vmbus_chan_recv() hands out next, if any */
static uint8_t in_pkt[4096];
static struct vmbus_pkt in;
static bool have_in;

/* the last completion */
static struct vstor_packet out;
static uint64_t out_id;
static unsigned int nr_out;
static bool ring_full;

void *vmbus_chan_priv(struct vmbus_chan *ch)
{
	return ch->priv;
}

struct vmbus_chan *vmbus_chan_primary(struct vmbus_chan *ch)
{
	return ch->primary;
}

uint16_t vmbus_chan_sub_index(struct vmbus_chan *ch)
{
	return ch->sub_index;
}

struct vmbus *vmbus_chan_bus(struct vmbus_chan *ch)
{
	(void)ch;
	return NULL;
}

uint8_t *vmbus_gpa_page(struct vmbus *bus, uint64_t pfn)
{
	(void)bus;
	return pfn < RAM_PAGES ? ram + pfn * VMBUS_PAGE_SIZE : NULL;
}

int vmbus_chan_recv(struct vmbus_chan *ch, struct vmbus_pkt *pkt)
{
	(void)ch;
	if (!have_in)
		return -EAGAIN;
	have_in = false;
	*pkt = in;
	return 0;
}

int vmbus_chan_send(struct vmbus_chan *ch, uint16_t type, uint16_t flags,
		    uint64_t trans_id, const void *data, uint32_t len)
{
	(void)ch;
	(void)flags;
	if (ring_full)
		return -EAGAIN;
	CHECK_EQ(type, VMBUS_PKT_COMP);
	CHECK_EQ(len, sizeof(out));
	memcpy(&out, data, sizeof(out));
	out_id = trans_id;
	nr_out++;
	return 0;
}

void vmbus_chan_note(struct vmbus_chan *ch, const char *what)
{
	(void)ch;
	(void)what;
	notes++;
}

struct vmbus_chan *vmbus_add_subchannel(struct vmbus_chan *primary,
					uint16_t index, void *priv)
{
	(void)primary;
	(void)index;
	(void)priv;
	nr_subs++;
	return &sub_ch;
}

int vmbus_add_device(struct vmbus *bus, const struct vmbus_dev_ops *ops,
		     void *priv)
{
	(void)bus;
	(void)ops;
	added_priv = priv;
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

/* mkstemp() templates, filled in */
static char rw_path[32] = "/tmp/hvpart-test-disk-XXXXXX";
static char ro_path[32] = "/tmp/hvpart-test-ro-XXXXXX";
static struct stor *st;

/* An inband request @p, with trans_id @id, through stor_event() */
static void send_inband(struct vmbus_chan *ch, const struct vstor_packet *p,
			uint64_t id)
{
	memset(in_pkt, 0, sizeof(in_pkt));
	memcpy(in_pkt + 16, p, sizeof(*p));
	in.type = VMBUS_PKT_DATA_INBAND;
	in.flags = VMBUS_PKT_FLAG_COMPLETION_REQUESTED;
	in.trans_id = id;
	in.hdr = in_pkt;
	in.hdr_len = 16;
	in.data = in_pkt + 16;
	in.len = sizeof(*p);
	have_in = true;
	stor_event(ch);
}

/* A GPA-direct SRB: @len bytes at page @pfn + @off of "guest RAM" */
static void send_srb(struct vmbus_chan *ch, const uint8_t *cdb,
		     unsigned int cdb_len, uint8_t lun, uint8_t data_in,
		     uint64_t pfn, uint32_t off, uint32_t len)
{
	struct vstor_packet p;
	uint32_t pages = (off + len + VMBUS_PAGE_SIZE - 1) / VMBUS_PAGE_SIZE;
	uint32_t hdr = 16 + 16 + 8 * pages, i;

	memset(&p, 0, sizeof(p));
	p.operation = VSTOR_EXECUTE_SRB;
	p.srb.length = sizeof(p.srb);
	p.srb.lun = lun;
	p.srb.cdb_length = cdb_len;
	p.srb.data_in = data_in;
	p.srb.data_transfer_length = len;
	memcpy(p.srb.cdb, cdb, cdb_len);
	memset(in_pkt, 0, sizeof(in_pkt));
	in.type = len ? VMBUS_PKT_DATA_USING_GPA_DIRECT : VMBUS_PKT_DATA_INBAND;
	if (!len)
		hdr = 16;
	put32(in_pkt + 20, 1);			/* range count */
	put32(in_pkt + 24, len);
	put32(in_pkt + 28, off);
	for (i = 0; len && i < pages; i++)
		put64(in_pkt + 32 + 8 * i, pfn + i);
	memcpy(in_pkt + hdr, &p, sizeof(p));
	in.trans_id = 77;
	in.hdr = in_pkt;
	in.hdr_len = hdr;
	in.data = in_pkt + hdr;
	in.len = sizeof(p);
	have_in = true;
	nr_out = 0;
	stor_event(ch);
	if (ring_full)
		return;
	CHECK_EQ(nr_out, 1);
	CHECK_EQ(out_id, 77);
	CHECK_EQ(out.operation, VSTOR_COMPLETE_IO);
}

static void setup_protocol(void)
{
	struct vstor_packet p;

	memset(&p, 0, sizeof(p));
	p.operation = VSTOR_BEGIN_INITIALIZATION;
	send_inband(&primary_ch, &p, 1);
	CHECK_EQ(out.status, 0);
	p.operation = VSTOR_QUERY_PROTOCOL_VERSION;
	p.version.major_minor = VSTOR_VERSION_WIN10;
	send_inband(&primary_ch, &p, 1);
	CHECK_EQ(out.status, 0);
	p.operation = VSTOR_END_INITIALIZATION;
	send_inband(&primary_ch, &p, 1);
	CHECK_EQ(out.status, 0);
}

static bool good(void)
{
	return out.srb.srb_status == SRB_STATUS_SUCCESS &&
	       !out.srb.scsi_status;
}

/* CHECK CONDITION with sense key @key and ASC @asc */
static bool sense(uint8_t key, uint8_t asc)
{
	return out.srb.scsi_status == SCSI_CHECK_CONDITION &&
	       out.srb.srb_status == (SRB_STATUS_ERROR |
				      SRB_STATUS_AUTOSENSE_VALID) &&
	       out.srb.sense_info_length == SENSE_LEN &&
	       (out.srb.cdb[2] & 0xf) == key && out.srb.cdb[12] == asc;
}

/* ---- tests ------------------------------------------------------------ */

/* CDBs of single checks */
static const uint8_t inquiry_b0[6] = { 0x12, 1, 0xb0, 0, 64 };
static const uint8_t test_unit_ready[6] = { 0 };
static const uint8_t mode_sense_bad[6] = { 0x1a, 0, 0x19, 0, 64 };
static const uint8_t read10_one[10] = { 0x28, [8] = 1 };
static const uint8_t sync_cache10[10] = { 0x35 };
static const uint8_t read10_eight[10] = { 0x28, [8] = 8 };

static void test_disk_parse(void)
{
	char *path = NULL;
	bool ro = true;

	CHECK_EQ(vmbus_disk_parse("a.img", &path, &ro), 0);
	CHECK(!strcmp(path, "a.img") && !ro);
	free(path);
	CHECK_EQ(vmbus_disk_parse("/x/a,b.img,ro", &path, &ro), 0);
	CHECK(!strcmp(path, "/x/a,b.img") && ro);
	free(path);
	CHECK_EQ(vmbus_disk_parse("a.img,rw", &path, &ro), 0);
	CHECK(!ro);
	free(path);
	CHECK_EQ(vmbus_disk_parse("a.img,bogus", &path, &ro), -EINVAL);
	path = NULL;
	CHECK_EQ(vmbus_disk_parse(",ro", &path, &ro), -EINVAL);
	free(path);
	path = NULL;
	CHECK_EQ(vmbus_disk_parse("", &path, &ro), -EINVAL);
	free(path);
}

static void test_add_storage(void)
{
	char odd[] = "/tmp/hvpart-test-odd-XXXXXX";
	const char *specs[2];
	char ro_spec[64];
	int fd;

	fd = mkstemp(rw_path);
	CHECK(fd >= 0 && !ftruncate(fd, 1 << 20));
	close(fd);
	fd = mkstemp(ro_path);
	CHECK(fd >= 0 && !ftruncate(fd, 4096));
	CHECK(pwrite(fd, "readonly", 8, 0) == 8);
	close(fd);
	fd = mkstemp(odd);
	CHECK(fd >= 0 && !ftruncate(fd, 1000));
	close(fd);

	specs[0] = odd;
	CHECK_EQ(vmbus_add_storage(NULL, specs, 1, 2), -EINVAL);
	specs[0] = "/nonexistent/disk";
	CHECK_EQ(vmbus_add_storage(NULL, specs, 1, 2), -ENOENT);
	unlink(odd);

	snprintf(ro_spec, sizeof(ro_spec), "%s,ro", ro_path);
	specs[0] = rw_path;
	specs[1] = ro_spec;
	CHECK_EQ(vmbus_add_storage(NULL, specs, 2, 2), 0);
	st = added_priv;
	CHECK(st && st->nr_disks == 2 && st->disks[0].blocks == 2048 &&
	      st->disks[1].blocks == 8 && st->disks[1].ro);
	primary_ch.priv = st;
	primary_ch.primary = &primary_ch;
	sub_ch.priv = st;
	sub_ch.primary = &primary_ch;
	sub_ch.sub_index = 1;
}

static void test_protocol(void)
{
	struct vstor_packet p;

	memset(&p, 0, sizeof(p));
	/* an SRB before the setup: refused */
	p.operation = VSTOR_EXECUTE_SRB;
	send_inband(&primary_ch, &p, 5);
	CHECK(out.status != 0 &&
	      out.srb.srb_status == SRB_STATUS_INVALID_REQUEST);
	p.operation = VSTOR_BEGIN_INITIALIZATION;
	send_inband(&primary_ch, &p, 1);
	CHECK_EQ(out.status, 0);
	CHECK_EQ(out.operation, VSTOR_COMPLETE_IO);
	/* Windows 7's protocol (a shorter SRB) is refused, 8 and up taken */
	p.operation = VSTOR_QUERY_PROTOCOL_VERSION;
	p.version.major_minor = 0x0402;
	send_inband(&primary_ch, &p, 1);
	CHECK(out.status != 0);
	/* END before a version: refused */
	p.operation = VSTOR_END_INITIALIZATION;
	send_inband(&primary_ch, &p, 1);
	CHECK(out.status != 0);
	p.operation = VSTOR_QUERY_PROTOCOL_VERSION;
	p.version.major_minor = VSTOR_VERSION_WIN8;
	send_inband(&primary_ch, &p, 1);
	CHECK_EQ(out.status, 0);
	p.operation = VSTOR_QUERY_PROPERTIES;
	send_inband(&primary_ch, &p, 1);
	CHECK_EQ(out.status, 0);
	CHECK_EQ(out.props.max_channel_cnt, 1);
	CHECK_EQ(out.props.flags, VSTOR_MULTI_CHANNEL);
	CHECK_EQ(out.props.max_transfer_bytes, STOR_MAX_TRANSFER);
	/* sub-channels before the end of the setup: refused */
	memset(&p, 0, sizeof(p));
	p.operation = VSTOR_CREATE_SUB_CHANNELS;
	p.sub_channel_count = 1;
	send_inband(&primary_ch, &p, 1);
	CHECK(out.status != 0);
	p.operation = VSTOR_END_INITIALIZATION;
	send_inband(&primary_ch, &p, 1);
	CHECK_EQ(out.status, 0);
	/* more sub-channels than VPs beyond the first: refused */
	p.operation = VSTOR_CREATE_SUB_CHANNELS;
	p.sub_channel_count = 2;
	send_inband(&primary_ch, &p, 1);
	CHECK(out.status != 0 && !nr_subs);
	p.sub_channel_count = 1;
	send_inband(&primary_ch, &p, 1);
	CHECK(!out.status && nr_subs == 1);
	/* once only */
	send_inband(&primary_ch, &p, 1);
	CHECK(out.status != 0 && nr_subs == 1);
	/* setup operations on a sub-channel, unknown ones: refused */
	p.operation = VSTOR_BEGIN_INITIALIZATION;
	send_inband(&sub_ch, &p, 1);
	CHECK(out.status != 0);
	p.operation = 99;
	send_inband(&primary_ch, &p, 1);
	CHECK(out.status != 0);
	/* a packet too short for a request: no completion, noted */
	notes = 0;
	nr_out = 0;
	in.len = 8;
	have_in = true;
	stor_event(&primary_ch);
	CHECK(!nr_out && notes == 1);
}

static void test_inquiry(void)
{
	const uint8_t std[6] = { 0x12, 0, 0, 0, 96, 0 };
	const uint8_t vpd0[6] = { 0x12, 1, 0x00, 0, 64, 0 };
	const uint8_t vpdb2[6] = { 0x12, 1, 0xb2, 0, 64, 0 };
	const uint8_t vpdbad[6] = { 0x12, 1, 0x42, 0, 64, 0 };
	uint8_t *buf = ram + 4 * VMBUS_PAGE_SIZE;

	send_srb(&sub_ch, std, 6, 0, SRB_READ, 4, 0, 96);
	CHECK(good() && out.srb.data_transfer_length == 36);
	CHECK(buf[0] == 0 && !memcmp(buf + 8, "HVPART  ", 8));
	send_srb(&primary_ch, vpd0, 6, 0, SRB_READ, 4, 0, 64);
	CHECK(good() && buf[1] == 0 && buf[2] == 0 && buf[3] == 6 &&
	      buf[9] == 0xb2);
	send_srb(&primary_ch, inquiry_b0, 6, 0,
		 SRB_READ, 4, 0, 64);
	CHECK(good() && be32(buf + 8) == STOR_MAX_TRANSFER / 512 &&
	      be32(buf + 20) == STOR_MAX_UNMAP_BLOCKS);
	send_srb(&primary_ch, vpdb2, 6, 0, SRB_READ, 4, 0, 64);
	CHECK(good() && buf[5] == 0x80);		/* LBPU */
	send_srb(&primary_ch, vpdb2, 6, 1, SRB_READ, 4, 0, 64);
	CHECK(good() && buf[5] == 0);			/* read-only */
	send_srb(&primary_ch, vpdbad, 6, 0, SRB_READ, 4, 0, 64);
	CHECK(sense(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB));
	/* no disk at LUN 2, nor at target 1: qualifier 3 */
	memset(buf, 0, 96);
	send_srb(&primary_ch, std, 6, 2, SRB_READ, 4, 0, 96);
	CHECK(good() && buf[0] == 0x7f);
	/* other commands there: LOGICAL UNIT NOT SUPPORTED */
	send_srb(&primary_ch, test_unit_ready, 6, 2, SRB_READ, 4, 0, 0);
	CHECK(sense(SENSE_ILLEGAL_REQUEST, ASC_LUN_NOT_SUPPORTED));
}

static void test_capacity_luns_mode(void)
{
	const uint8_t rc10[10] = { 0x25 };
	const uint8_t rc16[16] = { 0x9e, 0x10, [13] = 32 };
	const uint8_t luns[12] = { 0xa0, [9] = 64 };
	const uint8_t ms6[6] = { 0x1a, 0, 0x3f, 0, 64, 0 };
	const uint8_t ms10[10] = { 0x5a, 0, 0x08, [8] = 64 };
	uint8_t *buf = ram + 5 * VMBUS_PAGE_SIZE;

	send_srb(&primary_ch, rc10, 10, 0, SRB_READ, 5, 0, 8);
	CHECK(good() && be32(buf) == 2047 && be32(buf + 4) == 512);
	send_srb(&primary_ch, rc16, 16, 1, SRB_READ, 5, 0, 32);
	CHECK(good() && be64(buf) == 7 && be32(buf + 8) == 512 &&
	      !(buf[14] & 0x80));
	send_srb(&primary_ch, rc16, 16, 0, SRB_READ, 5, 0, 32);
	CHECK(good() && (buf[14] & 0x80));
	send_srb(&primary_ch, luns, 12, 0, SRB_READ, 5, 0, 64);
	CHECK(good() && be32(buf) == 16 && buf[9] == 0 && buf[17] == 1);
	/* REPORT LUNS to the well-known address of target 0 works too */
	send_srb(&primary_ch, luns, 12, 9, SRB_READ, 5, 0, 64);
	CHECK(good() && be32(buf) == 16);
	send_srb(&primary_ch, ms6, 6, 1, SRB_READ, 5, 0, 64);
	CHECK(good() && (buf[2] & 0x80) && buf[4] == 0x08);	/* WP */
	send_srb(&primary_ch, ms10, 10, 0, SRB_READ, 5, 0, 64);
	CHECK(good() && buf[0] == 0 && buf[1] == 26 && !(buf[3] & 0x80) &&
	      buf[8] == 0x08 && (buf[10] & 0x04));		/* WCE */
	send_srb(&primary_ch, mode_sense_bad, 6,
		 0, SRB_READ, 5, 0, 64);
	CHECK(sense(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB));
}

static void test_read_write(void)
{
	uint8_t w16[16] = { 0x8a, [13] = 8 };	/* 8 blocks at LBA 0 */
	uint8_t r10[10] = { 0x28, [8] = 8 };
	uint8_t *buf = ram + 10 * VMBUS_PAGE_SIZE;
	uint8_t back[4096];
	int fd, i;

	/* 4 KiB from offset 100 of page 10: two pages */
	for (i = 0; i < 4096; i++)
		buf[100 + i] = i * 7 + 3;
	w16[9] = 16;				/* LBA 16 */
	send_srb(&primary_ch, w16, 16, 0, SRB_WRITE, 10, 100, 4096);
	CHECK(good() && out.srb.data_transfer_length == 4096);
	fd = open(rw_path, O_RDONLY);
	CHECK(pread(fd, back, 4096, 16 * 512) == 4096);
	close(fd);
	CHECK(!memcmp(back, buf + 100, 4096));
	memset(ram + 20 * VMBUS_PAGE_SIZE, 0, 2 * VMBUS_PAGE_SIZE);
	r10[5] = 16;
	send_srb(&sub_ch, r10, 10, 0, SRB_READ, 20, 0, 4096);
	CHECK(good() && !memcmp(ram + 20 * VMBUS_PAGE_SIZE, back, 4096));
	/* the direction must match the command */
	send_srb(&primary_ch, r10, 10, 0, SRB_WRITE, 20, 0, 4096);
	CHECK(sense(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB));
	/* and the length the blocks */
	send_srb(&primary_ch, r10, 10, 0, SRB_READ, 20, 0, 2048);
	CHECK(sense(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB));
	/* past the end */
	r10[2] = 0xff;
	send_srb(&primary_ch, r10, 10, 0, SRB_READ, 20, 0, 4096);
	CHECK(sense(SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE));
	put_be32(r10 + 2, 2041);		/* 2041 + 8 > 2048 blocks */
	send_srb(&primary_ch, r10, 10, 0, SRB_READ, 20, 0, 4096);
	CHECK(sense(SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE));
	/* the read-only disk: reads work, writes are refused */
	send_srb(&primary_ch, read10_one, 10, 1,
		 SRB_READ, 20, 0, 512);
	CHECK(good() && !memcmp(ram + 20 * VMBUS_PAGE_SIZE, "readonly", 8));
	w16[9] = 0;
	w16[13] = 1;
	send_srb(&primary_ch, w16, 16, 1, SRB_WRITE, 10, 0, 512);
	CHECK(sense(SENSE_DATA_PROTECT, ASC_WRITE_PROTECTED));
	send_srb(&primary_ch, sync_cache10, 10, 0, SRB_READ,
		 0, 0, 0);
	CHECK(good());
}

static void test_unmap(void)
{
	const uint8_t cmd[10] = { 0x42, [8] = 24 };
	uint8_t *buf = ram + 30 * VMBUS_PAGE_SIZE;

	memset(buf, 0, 24);
	buf[3] = 16;				/* one descriptor */
	buf[15] = 16;				/* LBA 16 */
	buf[19] = 8;				/* 8 blocks */
	send_srb(&primary_ch, cmd, 10, 0, SRB_WRITE, 30, 0, 24);
	CHECK(good());
	buf[15] = 0;
	buf[14] = 0x08;				/* LBA 2048: past the end */
	send_srb(&primary_ch, cmd, 10, 0, SRB_WRITE, 30, 0, 24);
	CHECK(sense(SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE));
	buf[3] = 17;				/* not whole descriptors */
	send_srb(&primary_ch, cmd, 10, 0, SRB_WRITE, 30, 0, 24);
	CHECK(sense(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM));
	send_srb(&primary_ch, cmd, 10, 1, SRB_WRITE, 30, 0, 24);
	CHECK(sense(SENSE_DATA_PROTECT, ASC_WRITE_PROTECTED));
}

/* Malformed GPA-direct headers never reach SCSI */
static void test_bad_buffers(void)
{
	const uint8_t r10[10] = { 0x28, [8] = 1 };

	/* a page beyond guest RAM */
	send_srb(&primary_ch, r10, 10, 0, SRB_READ, RAM_PAGES, 0, 512);
	CHECK_EQ(out.srb.srb_status, SRB_STATUS_INVALID_REQUEST);
	/* a range that ends beyond guest RAM */
	send_srb(&primary_ch, read10_eight, 10, 0,
		 SRB_READ, RAM_PAGES - 1, 100, 4096);
	CHECK_EQ(out.srb.srb_status, SRB_STATUS_INVALID_REQUEST);
	/* the header cut short of its page frames */
	send_srb(&primary_ch, r10, 10, 0, SRB_READ, 3, 0, 512);
	CHECK(good());
	in.hdr_len = 16 + 16;			/* no page frame */
	in.data = in_pkt + 40;
	have_in = true;
	nr_out = 0;
	stor_event(&primary_ch);
	CHECK(nr_out == 1 && out.srb.srb_status == SRB_STATUS_INVALID_REQUEST);
	/* two ranges; a transfer longer than the buffer; a 17-byte CDB */
	send_srb(&primary_ch, r10, 10, 0, SRB_READ, 3, 0, 512);
	put32(in_pkt + 20, 2);
	have_in = true;
	stor_event(&primary_ch);
	CHECK_EQ(out.srb.srb_status, SRB_STATUS_INVALID_REQUEST);
	send_srb(&primary_ch, r10, 10, 0, SRB_READ, 3, 0, 512);
	((struct vstor_packet *)in.data)->srb.data_transfer_length = 513;
	have_in = true;
	stor_event(&primary_ch);
	CHECK_EQ(out.srb.srb_status, SRB_STATUS_INVALID_REQUEST);
	send_srb(&primary_ch, r10, 10, 0, SRB_READ, 3, 0, 512);
	((struct vstor_packet *)in.data)->srb.cdb_length = 17;
	have_in = true;
	stor_event(&primary_ch);
	CHECK_EQ(out.srb.srb_status, SRB_STATUS_INVALID_REQUEST);
	/* more than the largest transfer */
	send_srb(&primary_ch, r10, 10, 0, SRB_READ, 0, 0,
		 STOR_MAX_TRANSFER + 512);
	CHECK_EQ(out.srb.srb_status, SRB_STATUS_INVALID_REQUEST);
}

/* A completion that finds the ring full waits, then goes first */
static void test_backlog(void)
{
	const uint8_t tur[6] = { 0 };

	ring_full = true;
	nr_out = 0;
	memset(in_pkt, 0, sizeof(in_pkt));
	send_srb(&primary_ch, tur, 6, 0, SRB_READ, 0, 0, 0);
	ring_full = false;
	CHECK_EQ(nr_out, 0);
	nr_out = 0;
	stor_event(&primary_ch);
	CHECK(nr_out == 1 && out_id == 77 && good());
	nr_out = 0;
	stor_event(&primary_ch);
	CHECK_EQ(nr_out, 0);
}

/* Random requests: any CDB, LUN, direction and buffer; nothing breaks */
static void test_fuzz(void)
{
	uint8_t cdb[16];
	unsigned int i, j, len;
	uint32_t seed = 12345;

	for (i = 0; i < 20000; i++) {
		for (j = 0; j < sizeof(cdb); j++) {
			seed = seed * 1103515245 + 12345;
			cdb[j] = seed >> 16;
		}
		/* mostly real opcodes with random fields */
		if (i % 2)
			cdb[0] = (const uint8_t[]){ 0x00, 0x03, 0x12, 0x1a,
						    0x25, 0x28, 0x2a, 0x35,
						    0x42, 0x5a, 0x88, 0x8a,
						    0x9e, 0xa0, 0x08, 0x0a }
				[seed % 16];
		seed = seed * 1103515245 + 12345;
		len = (seed >> 8) % (8 * VMBUS_PAGE_SIZE);
		send_srb(&primary_ch, cdb, 16, (seed >> 4) % 4, (seed >> 2) % 3,
			 40, (seed >> 12) % VMBUS_PAGE_SIZE, len);
		CHECK(out.srb.data_transfer_length <= len);
		CHECK(out.srb.sense_info_length <= 20);
		if (test_failed)
			return;
	}
}

int main(void)
{
	printf("TAP version 13\n");
	TEST(test_disk_parse);
	TEST(test_add_storage);
	TEST(test_protocol);
	setup_protocol();
	TEST(test_inquiry);
	TEST(test_capacity_luns_mode);
	TEST(test_read_write);
	TEST(test_unmap);
	TEST(test_bad_buffers);
	TEST(test_backlog);
	TEST(test_fuzz);
	unlink(rw_path);
	unlink(ro_path);
	printf("1..%d\n", test_total);
	if (test_bad)
		printf("# %d of %d failed\n", test_bad, test_total);
	return test_bad ? 1 : 0;
}
