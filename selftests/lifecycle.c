// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle: partitions come and go without leaking.  Many partitions,
 * each with guest memory and VPs that ran, are created and destroyed with
 * their fds closed in varying orders, and the system's free memory and
 * slab usage must come back; mapping 64 MiB pins it and unmapping (or
 * destroying the partition) gives it back.
 *
 * Memory readings are noisy.  Freed pages sit on per-CPU lists that
 * MemFree and MemAvailable do not count (6.12 grows those lists to tens
 * of MiB), so a reading adds them from /proc/zoneinfo; it also drops
 * caches and asks for compaction first, and a reading after the work is
 * retried a few times and the best one counts: noise goes away on a
 * retry, a leak does not.  On a KASAN kernel freed objects wait in a
 * quarantine and keep their slab pages: shrinking every slab cache
 * (/sys/kernel/slab/<cache>/shrink) empties it first.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hvpart_util.h"

#define PARTITIONS	200
#define VPS		3
#define MEM_SIZE	(256 * 1024)	/* guest memory of each partition */

/*
 * Bounds, in KiB, on what may be missing after PARTITIONS partitions.
 * Each partition pins MEM_SIZE (256 KiB) and needs kernel pages per VP
 * (VMCB or VMCS, run page) and for its nested page tables.  Leaking even
 * one 4 KiB page per partition costs 800 KiB: 640 KiB of MemAvailable
 * catches that, and is four times the noise seen once the per-CPU lists
 * are counted (< 160 KiB on 6.1 and 6.12).  Slab: 512 KiB is ~2.6 KiB per
 * partition, less than a partition's, a VP's and an fd's (file, anon
 * inode dentry) objects together.
 */
#define MAX_AVAIL_LOSS_KB	640
#define MAX_SLAB_GROWTH_KB	512

struct mem_reading {
	long avail_kb;		/* MemAvailable + the per-CPU free lists */
	long slab_kb;
};

/* Pages on the per-CPU free lists ("count:" of each pageset), in KiB. */
static long pcp_free_kb(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[256];
	long pages = 0, n;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &n) == 1)
			pages += n;
	fclose(f);
	return pages * (PAGE_SIZE / 1024);
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return;
	/* Best effort: without compaction, drop_caches still helps. */
	n = write(fd, s, strlen(s));
	(void)n;
	close(fd);
}

/* Shrink every slab cache: frees empty slabs and KASAN's quarantine. */
static void shrink_slabs(void)
{
	DIR *d = opendir("/sys/kernel/slab");
	struct dirent *e;
	char path[300];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 e->d_name);
		write_file(path, "1");
	}
	closedir(d);
}

static struct mem_reading read_mem(bool shrink)
{
	struct mem_reading r;

	sync();
	write_file("/proc/sys/vm/drop_caches", "3");
	if (shrink)		/* slow on KASAN: once per settled reading */
		shrink_slabs();
	write_file("/proc/sys/vm/compact_memory", "1");
	usleep(300 * 1000);
	r.avail_kb = meminfo_kb("MemAvailable") + pcp_free_kb();
	r.slab_kb = meminfo_kb("Slab");
	return r;
}

/* The best of a few readings: the most available, the least slab. */
static struct mem_reading read_mem_settled(void)
{
	struct mem_reading best = read_mem(true);
	int i;

	for (i = 0; i < 4; i++) {
		struct mem_reading r;

		sleep(1);
		r = read_mem(false);
		if (r.avail_kb > best.avail_kb)
			best.avail_kb = r.avail_kb;
		if (r.slab_kb < best.slab_kb)
			best.slab_kb = r.slab_kb;
	}
	return best;
}

/* Real mode at 0:0x1000: out %al, $UCALL_PORT_DONE. */
static const uint8_t done_code[] = { 0xe6, UCALL_PORT_DONE };

/*
 * One partition's life: memory, VPS VPs that each run to GUEST_DONE, then
 * the fds closed (and the run pages unmapped) in an order picked by @i.
 */
static int one_partition(int i)
{
	struct hv_vp *vps[VPS];
	struct hv_vm *vm = vm_create(MEM_SIZE);
	struct ucall uc;
	int v;

	vm_load(vm, LOAD_GPA, done_code, done_code + sizeof(done_code));
	for (v = 0; v < VPS; v++) {
		vps[v] = vm_add_vp(vm, v);
		vp_setup_mode(vps[v], GUEST_MODE_REAL, LOAD_GPA);
		vp_run(vps[v]);
		if (get_ucall(vps[v], &uc) != UCALL_DONE) {
			hv_dump_msg(&vps[v]->run->msg);
			return -1;
		}
	}

	switch (i % 4) {
	case 0:		/* VPs, then partition, then /dev/hvpart */
		vm_free(vm);
		break;
	case 1:		/* partition first, then the VPs */
		close(vm->fd);
		vm->fd = -1;
		vm_free(vm);
		break;
	case 2:		/* /dev/hvpart, a VP, the partition, the rest */
		close(vm->dev_fd);
		vm->dev_fd = -1;
		vp_free(vps[1]);
		close(vm->fd);
		vm->fd = -1;
		vm_free(vm);
		break;
	case 3:		/* VP fds closed before their run pages go */
		for (v = 0; v < VPS; v++) {
			close(vps[v]->fd);
			vps[v]->fd = -1;
		}
		close(vm->fd);
		vm->fd = -1;
		vm_free(vm);	/* munmaps the run pages last */
		break;
	}
	return 0;
}

FIXTURE(lifecycle) {
	long mem_total_kb;
};

FIXTURE_SETUP(lifecycle)
{
	HV_SETUP_REQUIRE_DEV();
	if (getuid() != 0)
		HV_SETUP_SKIP("needs root to drop caches");
	self->mem_total_kb = meminfo_kb("MemTotal");
}

FIXTURE_TEARDOWN(lifecycle)
{
}

TEST_F_TIMEOUT(lifecycle, many_partitions, 600)
{
	struct mem_reading before, after;
	int i;

	/* Warm up: first use fills slab caches and per-CPU lists. */
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, one_partition(i));
	before = read_mem_settled();
	for (i = 0; i < PARTITIONS; i++)
		ASSERT_EQ(0, one_partition(i));
	after = read_mem_settled();

	TH_LOG("%d partitions: MemAvailable %ld -> %ld kB, Slab %ld -> %ld kB",
	       PARTITIONS, before.avail_kb, after.avail_kb, before.slab_kb,
	       after.slab_kb);
	EXPECT_GT(MAX_AVAIL_LOSS_KB, before.avail_kb - after.avail_kb);
	EXPECT_GT(MAX_SLAB_GROWTH_KB, after.slab_kb - before.slab_kb);
}

#define PIN_SIZE	(64UL << 20)
#define PIN_KB		(PIN_SIZE >> 10)
/* While pinned, at most 8 MiB of the 64 may not show; after release, at
 * most 2 MiB may be missing (noise seen: < 160 KiB).
 */
#define PINNED_MIN_KB	(PIN_KB - (8 << 10))
#define RELEASED_MAX_KB	(2 << 10)

/* How the 64 MiB goes away. */
enum pin_release { UNMAP_THEN_MUNMAP, MUNMAP_THEN_UNMAP, CLOSE_PARTITION };

/*
 * Pins 64 MiB of the caller's memory, which was never touched: MAP itself
 * has to fault it in.  Returns the mapping.
 */
static void *pin(struct hv_vm *vm)
{
	void *mem = mmap(NULL, PIN_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	HV_ASSERT(mem != MAP_FAILED, "mmap");
	vm_map(vm, 0, PIN_SIZE, mem, HV_MAP_RWX);
	return mem;
}

static void pinned_pages(struct __test_metadata *_metadata, long mem_total_kb,
			 enum pin_release how)
{
	struct mem_reading before, pinned, after;
	struct hv_vm *vm;
	void *mem;

	if (mem_total_kb < 4 * (long)PIN_KB)
		SKIP(return, "MemTotal %ld kB is too small to pin 64 MiB",
		     mem_total_kb);
	vm = vm_create_bare();
	/* Warm up: first use fills caches (THP, page tables, slab). */
	mem = pin(vm);
	vm_unmap(vm, 0, PIN_SIZE);
	ASSERT_OK(munmap(mem, PIN_SIZE));
	before = read_mem_settled();

	mem = pin(vm);
	pinned = read_mem(false);
	TH_LOG("MemAvailable %ld kB, with 64 MiB pinned %ld kB",
	       before.avail_kb, pinned.avail_kb);
	EXPECT_LT(PINNED_MIN_KB, before.avail_kb - pinned.avail_kb);

	switch (how) {
	case UNMAP_THEN_MUNMAP:
		vm_unmap(vm, 0, PIN_SIZE);
		ASSERT_OK(munmap(mem, PIN_SIZE));
		break;
	case MUNMAP_THEN_UNMAP:
		/* Still pinned after munmap: the pages stay in use ... */
		ASSERT_OK(munmap(mem, PIN_SIZE));
		pinned = read_mem(false);
		TH_LOG("after munmap, still pinned: %ld kB", pinned.avail_kb);
		EXPECT_LT(PINNED_MIN_KB, before.avail_kb - pinned.avail_kb);
		/* ... until UNMAP lets them go. */
		vm_unmap(vm, 0, PIN_SIZE);
		break;
	case CLOSE_PARTITION:
		ASSERT_OK(munmap(mem, PIN_SIZE));
		close(vm->fd);
		vm->fd = -1;
		break;
	}
	after = read_mem_settled();
	TH_LOG("after release: %ld kB", after.avail_kb);
	EXPECT_GT(RELEASED_MAX_KB, before.avail_kb - after.avail_kb);
	vm_free(vm);
}

TEST_F_TIMEOUT(lifecycle, pinned_pages_unmap, 120)
{
	pinned_pages(_metadata, self->mem_total_kb, UNMAP_THEN_MUNMAP);
}

TEST_F_TIMEOUT(lifecycle, pinned_pages_munmap_first, 120)
{
	pinned_pages(_metadata, self->mem_total_kb, MUNMAP_THEN_UNMAP);
}

TEST_F_TIMEOUT(lifecycle, pinned_pages_close_partition, 120)
{
	pinned_pages(_metadata, self->mem_total_kb, CLOSE_PARTITION);
}

TEST_HARNESS_MAIN
