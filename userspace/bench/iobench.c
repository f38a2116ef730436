// SPDX-License-Identifier: GPL-2.0
/*
 * iobench: disk and network throughput in a Linux child partition, for
 * scripts/bench's I/O rows.  The child's init (userspace/tests/linux/
 * init, hvbench=io) runs "iobench disk" and "iobench net"; the emulated
 * machine runs "iobench serve", the network's other end.
 *
 *   iobench disk [-t SECS] [-s MIB] DEV
 *   iobench net [-t SECS] [-i IFACE] HOST PORT
 *   iobench serve PORT
 *
 * disk: O_DIRECT on DEV, its first MIB MiB (default 64), one I/O at a
 * time (queue depth 1), each phase SECS seconds (default 3):
 *   seqwrite  1 MiB writes from offset 0 on, wrapping; at least one pass
 *   seqread   1 MiB reads the same way
 *   randwrite 4 KiB writes at random 4 KiB-aligned offsets
 *   randread  4 KiB reads the same way
 * then an untimed pass that reads the whole area back.  Every 4 KiB
 * block written carries its offset and a generation number at its start
 * and end; each read, and the final pass, checks every block it got
 * against the generation last written there.
 * net: two TCP connections to "iobench serve" at HOST:PORT, 64 KiB
 * blocks, each SECS seconds: tx, the child sends, the server checks each
 * block and answers the count it got once the child shuts its side down
 * (the time ends with that answer); rx, the server sends, the child
 * checks each block, until the server closes.  Every block carries its
 * index in three words, which the receiver checks.
 *
 * Before and after each phase, and around an idle second, it prints
 * "hvbench-sample TAG" (TAG PHASE-0, PHASE-1; idle-0, idle-1) and sleeps
 * a second, for the host to count the VP exits there (boottime -s).
 * Output, one line a phase:
 *   iobench PHASE IOS BYTES NS [TX_PACKETS RX_PACKETS]
 *   iobench fail PHASE WHY       (and status 1)
 *   iobench verify BLOCKS        (disk: the final pass found all good)
 * NS is CLOCK_MONOTONIC's time for the phase; for net the packet counts
 * of IFACE (default eth0) over the phase.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BLK		4096UL
#define SEQ_IO		(1024UL * 1024)
#define NET_BLK		(64UL * 1024)
#define BLK_MAGIC	0x6876706172742d62ULL
#define NET_MAGIC	0x696f62656e63686eULL
#define NET_TX		1
#define NET_RX		2
#define IO_TIMEOUT_S	60

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The host counts exits here (boottime -s), during the sleep. */
static void sample(const char *phase, int end)
{
	printf("hvbench-sample %s-%d\n", phase, end);
	fflush(stdout);
	sleep(1);
}

static int failed(const char *phase, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int failed(const char *phase, const char *fmt, ...)
{
	va_list ap;

	printf("iobench fail %s ", phase);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return 1;
}

/* --- disk --------------------------------------------------------------- */

struct disk {
	int fd;
	uint64_t size;		/* bytes used, a multiple of SEQ_IO */
	uint32_t *gen;		/* per 4 KiB block: last generation written */
	uint32_t next_gen;
	unsigned char *buf;
	uint64_t rng;
};

static uint64_t rnd(struct disk *d)
{
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return d->rng;
}

static uint64_t blk_tail(uint64_t off, uint64_t gen)
{
	return ~(off * 0x9e3779b97f4a7c15ULL) ^ gen;
}

/* Marks the blocks of @len bytes at @off in the buffer with @gen. */
static void blk_fill(struct disk *d, uint64_t off, size_t len, uint32_t gen)
{
	size_t i;

	for (i = 0; i < len; i += BLK) {
		uint64_t *w = (uint64_t *)(d->buf + i);

		w[0] = BLK_MAGIC;
		w[1] = off + i;
		w[2] = gen;
		w[BLK / 8 - 1] = blk_tail(off + i, gen);
		d->gen[(off + i) / BLK] = gen;
	}
}

/* Checks the blocks read: the offset of the first bad one, or -1. */
static int64_t blk_check(struct disk *d, uint64_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += BLK) {
		const uint64_t *w = (const uint64_t *)(d->buf + i);
		uint32_t gen = d->gen[(off + i) / BLK];

		if (w[0] != BLK_MAGIC || w[1] != off + i || w[2] != gen ||
		    w[BLK / 8 - 1] != blk_tail(off + i, gen))
			return off + i;
	}
	return -1;
}

static int disk_io(struct disk *d, const char *phase, int wr, uint64_t off,
		   size_t len)
{
	ssize_t r;

	if (wr)
		r = pwrite(d->fd, d->buf, len, off);
	else
		r = pread(d->fd, d->buf, len, off);
	if (r == (ssize_t)len)
		return 0;
	if (r < 0)
		return failed(phase, "%s at %llu: %s", wr ? "pwrite" : "pread",
			      (unsigned long long)off, strerror(errno));
	return failed(phase, "%s at %llu: %zd of %zu bytes",
		      wr ? "pwrite" : "pread", (unsigned long long)off, r, len);
}

/*
 * One phase: I/Os of @len bytes, sequential from 0 (wrapping) or random,
 * writes if @wr, for @secs seconds (sequential writes: and one pass).
 */
static int disk_phase(struct disk *d, const char *phase, int wr, int seq,
		      size_t len, int secs)
{
	uint64_t t0, t, off = 0, ios = 0, min = seq && wr ? d->size / len : 0;
	uint64_t stop_ns = secs * 1000000000ULL;
	int64_t bad;

	sample(phase, 0);
	t0 = now_ns();
	do {
		if (!seq)
			off = rnd(d) % (d->size / BLK) * BLK;
		if (wr)
			blk_fill(d, off, len, ++d->next_gen);
		if (disk_io(d, phase, wr, off, len))
			return 1;
		if (!wr) {
			bad = blk_check(d, off, len);
			if (bad >= 0)
				return failed(phase, "bad data at %lld",
					      (long long)bad);
		}
		ios++;
		off = (off + len) % d->size;
		t = now_ns() - t0;
	} while (t < stop_ns || ios < min);
	printf("iobench %s %llu %llu %llu\n", phase, (unsigned long long)ios,
	       (unsigned long long)(ios * len), (unsigned long long)t);
	fflush(stdout);
	sample(phase, 1);
	return 0;
}

static int cmd_disk(int argc, char **argv)
{
	struct disk d = { .rng = 0x853c49e6748fea9bULL };
	unsigned long mib = 64;
	uint64_t devsize, off;
	int secs = 3, opt;
	struct stat st;
	int64_t bad;

	while ((opt = getopt(argc, argv, "t:s:")) != -1) {
		switch (opt) {
		case 't':
			secs = atoi(optarg);
			break;
		case 's':
			mib = strtoul(optarg, NULL, 0);
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1 || secs < 1 || secs > 3600 || !mib ||
	    mib > 65536)
		return 2;
	d.fd = open(argv[optind], O_RDWR | O_DIRECT);
	if (d.fd < 0)
		return failed("disk", "open %s: %s", argv[optind],
			      strerror(errno));
	if (fstat(d.fd, &st))
		return failed("disk", "fstat: %s", strerror(errno));
	devsize = st.st_size;	/* a file: for a try-out */
	if (S_ISBLK(st.st_mode) && ioctl(d.fd, BLKGETSIZE64, &devsize))
		return failed("disk", "BLKGETSIZE64: %s", strerror(errno));
	d.size = mib * SEQ_IO;
	if (devsize < d.size)
		return failed("disk", "%s has %llu bytes, under %lu MiB",
			      argv[optind], (unsigned long long)devsize, mib);
	d.gen = calloc(d.size / BLK, sizeof(*d.gen));
	if (!d.gen || posix_memalign((void **)&d.buf, BLK, SEQ_IO))
		return failed("disk", "out of memory");
	memset(d.buf, 0x5a, SEQ_IO);

	sample("idle", 0);
	sample("idle", 1);
	if (disk_phase(&d, "seqwrite", 1, 1, SEQ_IO, secs) ||
	    disk_phase(&d, "seqread", 0, 1, SEQ_IO, secs) ||
	    disk_phase(&d, "randwrite", 1, 0, BLK, secs) ||
	    disk_phase(&d, "randread", 0, 0, BLK, secs))
		return 1;
	for (off = 0; off < d.size; off += SEQ_IO) {
		if (disk_io(&d, "verify", 0, off, SEQ_IO))
			return 1;
		bad = blk_check(&d, off, SEQ_IO);
		if (bad >= 0)
			return failed("verify", "bad data at %lld",
				      (long long)bad);
	}
	printf("iobench verify %llu\n", (unsigned long long)(d.size / BLK));
	return 0;
}

/* --- network ------------------------------------------------------------ */

struct net_hdr {
	uint64_t magic;
	uint64_t dir;		/* NET_TX: client sends; NET_RX: server sends */
	uint64_t secs;
};

static void net_fill(unsigned char *b, uint64_t idx)
{
	uint64_t *w = (uint64_t *)b;

	w[0] = NET_MAGIC ^ idx;
	w[NET_BLK / 16] = idx * 0x9e3779b97f4a7c15ULL;
	w[NET_BLK / 8 - 1] = ~idx;
}

static int net_ok(const unsigned char *b, uint64_t idx)
{
	const uint64_t *w = (const uint64_t *)b;

	return w[0] == (NET_MAGIC ^ idx) &&
	       w[NET_BLK / 16] == idx * 0x9e3779b97f4a7c15ULL &&
	       w[NET_BLK / 8 - 1] == ~idx;
}

static int send_all(int fd, const void *p, size_t len)
{
	const char *c = p;
	ssize_t w;

	while (len) {
		w = send(fd, c, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		len -= w;
	}
	return 0;
}

/* A whole block: 1, 0 at the end of the stream, -1 on an error. */
static int recv_block(int fd, unsigned char *b, size_t len)
{
	size_t got = 0;
	ssize_t r;

	while (got < len) {
		r = recv(fd, b + got, len - got, MSG_WAITALL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (!r)
			return got ? -1 : 0;
		got += r;
	}
	return 1;
}

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Sends blocks for @secs seconds: the count, or -1. */
static int64_t send_blocks(int fd, unsigned char *b, uint64_t secs)
{
	uint64_t t0 = now_ns(), idx = 0;

	do {
		net_fill(b, idx);
		if (send_all(fd, b, NET_BLK))
			return -1;
		idx++;
	} while (now_ns() - t0 < secs * 1000000000ULL);
	return idx;
}

/* Receives and checks blocks until the end: the count, -1 or -2 (bad). */
static int64_t recv_blocks(int fd, unsigned char *b)
{
	uint64_t idx = 0;
	int r;

	while ((r = recv_block(fd, b, NET_BLK)) > 0) {
		if (!net_ok(b, idx))
			return -2;
		idx++;
	}
	return r ? -1 : (int64_t)idx;
}

static unsigned long long read_stat(const char *ifc, const char *what)
{
	unsigned long long v = 0;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", ifc,
		 what);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static int net_connect(const char *host, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int fd, i;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -1;
	for (i = 0; i < 20; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			return -1;
		set_timeouts(fd);
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		close(fd);
		sleep(1);
	}
	return -1;
}

static int net_phase(const char *host, int port, const char *ifc, int dir,
		     int secs, unsigned char *b)
{
	const char *phase = dir == NET_TX ? "net-tx" : "net-rx";
	struct net_hdr h = { NET_MAGIC, dir, secs };
	unsigned long long tx0, rx0;
	int64_t blocks, got = 0;
	uint64_t t0, t;
	int fd;

	sample(phase, 0);
	tx0 = read_stat(ifc, "tx_packets");
	rx0 = read_stat(ifc, "rx_packets");
	fd = net_connect(host, port);
	if (fd < 0)
		return failed(phase, "connect to %s:%d: %s", host, port,
			      strerror(errno));
	t0 = now_ns();
	if (send_all(fd, &h, sizeof(h))) {
		close(fd);
		return failed(phase, "send: %s", strerror(errno));
	}
	if (dir == NET_TX) {
		blocks = send_blocks(fd, b, secs);
		if (blocks < 0 || shutdown(fd, SHUT_WR) ||
		    recv_block(fd, (unsigned char *)&got, sizeof(got)) != 1) {
			close(fd);
			return failed(phase, "sending: %s", strerror(errno));
		}
		if (got != blocks) {
			close(fd);
			return failed(phase, "sent %lld blocks, the server got %lld",
				      (long long)blocks, (long long)got);
		}
	} else {
		blocks = recv_blocks(fd, b);
		if (blocks < 0) {
			close(fd);
			if (blocks == -2)
				return failed(phase, "a bad block");
			return failed(phase, "receiving: %s", strerror(errno));
		}
	}
	t = now_ns() - t0;
	close(fd);
	printf("iobench %s %lld %llu %llu %llu %llu\n", phase,
	       (long long)blocks, (unsigned long long)blocks * NET_BLK,
	       (unsigned long long)t, read_stat(ifc, "tx_packets") - tx0,
	       read_stat(ifc, "rx_packets") - rx0);
	fflush(stdout);
	sample(phase, 1);
	return 0;
}

static int cmd_net(int argc, char **argv)
{
	const char *ifc = "eth0";
	unsigned char *b;
	int secs = 3, opt;

	while ((opt = getopt(argc, argv, "t:i:")) != -1) {
		switch (opt) {
		case 't':
			secs = atoi(optarg);
			break;
		case 'i':
			ifc = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 2 || secs < 1 || secs > 3600)
		return 2;
	b = calloc(1, NET_BLK);
	if (!b)
		return failed("net", "out of memory");
	if (net_phase(argv[optind], atoi(argv[optind + 1]), ifc, NET_TX, secs,
		      b) ||
	    net_phase(argv[optind], atoi(argv[optind + 1]), ifc, NET_RX, secs,
		      b))
		return 1;
	return 0;
}

/* One connection of "iobench serve". */
static void serve_one(int fd, unsigned char *b)
{
	struct net_hdr h;
	int64_t got;

	set_timeouts(fd);
	if (recv_block(fd, (unsigned char *)&h, sizeof(h)) != 1 ||
	    h.magic != NET_MAGIC || h.secs < 1 || h.secs > 3600) {
		fprintf(stderr, "iobench serve: a bad request\n");
		return;
	}
	if (h.dir == NET_TX) {
		got = recv_blocks(fd, b);
		send_all(fd, &got, sizeof(got));
	} else if (send_blocks(fd, b, h.secs) < 0) {
		fprintf(stderr, "iobench serve: send: %s\n", strerror(errno));
	}
}

static int cmd_serve(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned char *b;
	int fd, c, one = 1;

	if (argc != 2)
		return 2;
	sa.sin_port = htons(atoi(argv[1]));
	b = calloc(1, NET_BLK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (!b || fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
		perror("iobench serve");
		return 1;
	}
	for (;;) {
		c = accept(fd, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			perror("iobench serve: accept");
			return 1;
		}
		serve_one(c, b);
		close(c);
	}
}

int main(int argc, char **argv)
{
	int ret = 2;

	if (argc >= 2 && !strcmp(argv[1], "disk"))
		ret = cmd_disk(argc - 1, argv + 1);
	else if (argc >= 2 && !strcmp(argv[1], "net"))
		ret = cmd_net(argc - 1, argv + 1);
	else if (argc >= 2 && !strcmp(argv[1], "serve"))
		ret = cmd_serve(argc - 1, argv + 1);
	if (ret == 2)
		fprintf(stderr,
			"usage: iobench disk [-t SECS] [-s MIB] DEV\n"
			"       iobench net [-t SECS] [-i IFACE] HOST PORT\n"
			"       iobench serve PORT\n");
	return ret;
}
