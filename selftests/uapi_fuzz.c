// SPDX-License-Identifier: GPL-2.0
/*
 * uapi_fuzz: random ioctl sequences on /dev/hvpart, partition fds and VP
 * fds, with random and boundary arguments, from several processes with
 * several threads each.  Around the ioctls: fds closed and dup()ed while
 * other threads use them, fds passed over a unix socket (SCM_RIGHTS) and
 * used after fork() (a foreign mm must get -EIO), guest memory
 * munmap()ed and remapped under MAP and under running VPs, run pages
 * mapped and unmapped, module unload attempts (refused while fds are
 * open), and child processes killed with SIGKILL in the middle of RUN.
 * Partitions come with and without the in-kernel local APIC
 * (HVPART_CREATE_PARTITION_LOCAL_APIC): interrupts are asserted with
 * random and boundary arguments from every thread while VPs run, sleep
 * in HLT or wait for SIPI, the APIC registers and the activity state are
 * read and written, and child processes whose VP threads block in RUN
 * (halted, or waiting for SIPI) are SIGKILLed, exit, have their fds
 * closed under them, or are woken by INIT, SIPI, NMI and fixed
 * interrupts; each must be gone within a bound, or the VP threads are
 * reported wedged.
 *
 * The verdict is the host's: the kernel log stays clean (scripts/vmrun
 * fails the run otherwise), the few answers the UAPI promises whatever
 * the arguments (-EIO for a foreign mm, -ENOTTY for an unknown command,
 * no unload) hold, no process dies unexpectedly, and once everything is
 * closed VmLck is 0 and every pinned page has been released.
 *
 *   uapi_fuzz [--seed N] [--iterations N] [--soak SECONDS]
 *
 * --iterations is per thread (default 1500); HVPART_FUZZ_SCALE=PCT
 * scales the default.  A default run also stops after 40 s of wall time.
 * The same seed replays the same choices in every thread (their
 * interleaving is the scheduler's).
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "hvpart_util.h"
#include "fuzz_util.h"

#define WORKERS		3	/* processes */
#define THREADS		3	/* fuzzing threads per process */
#define SLOTS		24	/* fds a process juggles */
#define BUFS		4	/* guest memory buffers per process */
#define BUF_SIZE	(64 * 1024)
#define DEFAULT_ITERS	1500
#define DEFAULT_BUDGET	40.0

enum slot_kind { SLOT_FREE, SLOT_DEV, SLOT_PT, SLOT_VP };

struct slot {
	atomic_int fd;		/* -1 when free */
	atomic_int kind;
};

struct buf {
	pthread_mutex_t lock;
	uint8_t *addr;		/* fixed: remapped in place */
};

/* Figures and findings, shared by every process (MAP_SHARED). */
struct shared {
	atomic_long ioctls;
	atomic_long ok;
	atomic_long runs;
	atomic_long forks;
	atomic_long passed;
	atomic_long kills;
	atomic_long unloads;
	atomic_long closes;
	atomic_long remaps;
	atomic_long eio_checks;
	atomic_long asserts;
	atomic_long asserts_ok;
	atomic_long apic_regs;
	atomic_long apic_partitions;
	atomic_long blocked;	/* children with VP threads blocked in RUN */
	atomic_long blocked_vps;
	atomic_long blocked_how[4];
	atomic_long violations;
	atomic_int stop;
	double deadline;
};

static struct shared *sh;
static struct fz_opts opts = {
	.seed = 0x68767061,	/* "hvpa" */
	.iterations = DEFAULT_ITERS,
	.budget_s = DEFAULT_BUDGET,
};

static int sock_tx = -1;	/* workers send fds here ... */
static int sock_rx = -1;	/* ... and the main process receives them */

/* Per process */
static struct slot slots[SLOTS];
static struct buf bufs[BUFS];
static int dev_fd = -1;		/* held for the whole run: no unload */
static long mmap_size;
static bool no_lme;		/* hv_qemu_tcg_svm(): EFER writes keep LME clear */
static uint64_t gpa_pages;	/* pages in the GPA space (MAX_GPA_BITS) */

struct maprec {
	int fd;
	uint64_t gfn, size;
};

static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;
static struct maprec maps[32];
static unsigned int maps_next;

struct thr {
	struct fz_rng rng;
	int id;
	uint8_t *scratch;	/* 3 RW pages, then a PROT_NONE guard page */
	uint8_t *ro;		/* a read-only page */
	void *runmaps[4];
};

static const char usage[] =
	"usage: uapi_fuzz [--seed N] [--iterations N] [--soak SECONDS] [-v]\n";

static void violation(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void violation(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	atomic_fetch_add(&sh->violations, 1);
	if (n > 0 && write(2, msg, strnlen(msg, sizeof(msg))) < 0)
		return;
}

static bool stopping(void)
{
	return atomic_load(&sh->stop) || fz_now() > sh->deadline;
}

/* ---- fds ------------------------------------------------------------ */

static int slot_put(struct thr *t, int fd, int kind)
{
	unsigned int i, start = fz_below(&t->rng, SLOTS);

	for (i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[(start + i) % SLOTS];
		int expect = -1;

		if (atomic_compare_exchange_strong(&s->fd, &expect, fd)) {
			atomic_store(&s->kind, kind);
			return 0;
		}
	}
	close(fd);		/* full */
	atomic_fetch_add(&sh->closes, 1);
	return -1;
}

/* A random fd of @kind (any kind for SLOT_FREE), or -1. */
static int slot_pick(struct thr *t, int kind)
{
	unsigned int i, start = fz_below(&t->rng, SLOTS);

	for (i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[(start + i) % SLOTS];
		int fd = atomic_load(&s->fd);

		if (fd >= 0 && (kind == SLOT_FREE ||
				atomic_load(&s->kind) == kind))
			return fd;
	}
	return -1;
}

static void slot_close_random(struct thr *t)
{
	struct slot *s = &slots[fz_below(&t->rng, SLOTS)];
	int fd = atomic_exchange(&s->fd, -1);

	if (fd >= 0 && fd != dev_fd) {
		close(fd);
		atomic_fetch_add(&sh->closes, 1);
	}
}

/* What an fd really is now (numbers get reused under us). */
static int fd_kind(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return SLOT_FREE;
	link[n] = 0;
	if (!strcmp(link, "anon_inode:hvpart-partition"))
		return SLOT_PT;
	if (!strcmp(link, "anon_inode:hvpart-vp"))
		return SLOT_VP;
	if (strstr(link, "hvpart"))
		return SLOT_DEV;
	return SLOT_FREE;
}

/* ---- arguments ------------------------------------------------------ */

/*
 * Where an ioctl argument goes: mostly a good buffer, else NULL, an
 * odd address, a kernel or non-canonical one, the read-only page, or a
 * struct that runs into the guard page.
 */
static void *arg_ptr(struct thr *t, size_t size, bool *good)
{
	*good = false;
	switch (fz_below(&t->rng, 16)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)fz_value(&t->rng);
	case 2:
		return (void *)0xffffffff81000000ULL;
	case 3:
		return t->ro;
	case 4:
		/* the struct's last bytes in the guard page */
		return t->scratch + 3 * PAGE_SIZE - size / 2;
	case 5:
		*good = true;
		return t->scratch + 1;	/* unaligned is fine */
	}
	*good = true;
	return t->scratch;
}

/* A u64 for a user pointer field inside a struct. */
static uint64_t ptr_field(struct thr *t)
{
	switch (fz_below(&t->rng, 6)) {
	case 0:
		return 0;
	case 1:
		return fz_value(&t->rng);
	case 2:
		return (uintptr_t)(t->scratch + 3 * PAGE_SIZE - 64);
	}
	return (uintptr_t)(t->scratch + PAGE_SIZE);
}

static void maybe_dirty(struct thr *t, void *rsvd, size_t len)
{
	if (fz_one_in(&t->rng, 8))
		((uint8_t *)rsvd)[fz_below(&t->rng, len)] = 1 + fz_below(&t->rng, 255);
}

static uint32_t maybe_flags(struct thr *t, uint32_t good)
{
	if (fz_one_in(&t->rng, 8))
		return fz_value(&t->rng);
	return good;
}

/* Counts the call; checks what holds whatever the arguments. */
static long do_ioctl(int fd, unsigned long cmd, void *arg, bool unknown)
{
	long r = ioctl(fd, cmd, arg);
	int e = errno;

	atomic_fetch_add(&sh->ioctls, 1);
	if (r >= 0)
		atomic_fetch_add(&sh->ok, 1);
	else if (e == EIO)
		violation("# ioctl %#lx on own fd %d: EIO\n", cmd, fd);
	if (unknown && r >= 0)
		violation("# unknown ioctl %#lx on fd %d returned %ld\n",
			  cmd, fd, r);
	else if (unknown && e != ENOTTY && e != EBADF)
		violation("# unknown ioctl %#lx on fd %d: errno %d\n",
			  cmd, fd, e);
	errno = e;
	return r;
}

/* ---- operations ----------------------------------------------------- */

static void op_dev(struct thr *t)
{
	struct hvpart_create_partition cp = { 0 };
	int fd = fz_one_in(&t->rng, 4) ? slot_pick(t, SLOT_DEV) : dev_fd;
	bool good;
	void *p;
	long r;

	if (fd < 0)
		fd = dev_fd;
	switch (fz_below(&t->rng, 5)) {
	case 0:
		do_ioctl(fd, HVPART_GET_API_VERSION,
			 (void *)(uintptr_t)(fz_one_in(&t->rng, 2) ? 0 :
					     fz_value(&t->rng)), false);
		return;
	case 1:
		do_ioctl(fd, HVPART_CHECK_EXTENSION,
			 (void *)(uintptr_t)fz_value(&t->rng), false);
		return;
	case 2:
		do_ioctl(fd, HVPART_GET_VP_MMAP_SIZE,
			 (void *)(uintptr_t)(fz_one_in(&t->rng, 2) ? 0 :
					     fz_value(&t->rng)), false);
		return;
	}
	switch (fz_below(&t->rng, 8)) {
	case 0:
		cp.flags = fz_value(&t->rng);
		break;
	case 1:
		cp.flags = 1ULL << fz_below(&t->rng, 64);
		break;
	case 2:
	case 3:
	case 4:
		cp.flags = HVPART_CREATE_PARTITION_LOCAL_APIC;
		break;
	}
	maybe_dirty(t, cp.rsvd, sizeof(cp.rsvd));
	p = arg_ptr(t, sizeof(cp), &good);
	if (good)
		memcpy(p, &cp, sizeof(cp));
	r = do_ioctl(fd, HVPART_CREATE_PARTITION, p, false);
	if (r >= 0 && (cp.flags & HVPART_CREATE_PARTITION_LOCAL_APIC) && good)
		atomic_fetch_add(&sh->apic_partitions, 1);
	if (r >= 0)
		slot_put(t, r, SLOT_PT);
}

static void open_dev(struct thr *t)
{
	int fd = open(HVPART_DEV, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		slot_put(t, fd, SLOT_DEV);
}

static uint64_t gpa_size(struct thr *t)
{
	switch (fz_below(&t->rng, 10)) {
	case 4:		/* all of the GPA space, or all of it past a page */
		return (gpa_pages - fz_below(&t->rng, 2)) * PAGE_SIZE;
	case 0:
		return fz_value(&t->rng);
	case 1:
		return fz_value(&t->rng) & ~0xfffULL;
	case 2:
		return 1 + fz_below(&t->rng, 0x2000);
	case 3:		/* huge: up to the whole GPA space and past it */
		return 1ULL << (30 + fz_below(&t->rng, 20));
	}
	return (1 + fz_below(&t->rng, BUF_SIZE / PAGE_SIZE)) * PAGE_SIZE;
}

static uint64_t gpa_pfn(struct thr *t)
{
	switch (fz_below(&t->rng, 6)) {
	case 0:
		return fz_value(&t->rng);
	case 1:		/* around the end of the GPA space */
		return gpa_pages - fz_below(&t->rng, 4);
	}
	return fz_below(&t->rng, 0x400);
}

static void op_map(struct thr *t)
{
	struct hvpart_gpa_range r = { 0 };
	int fd = slot_pick(t, SLOT_PT);
	struct buf *b = &bufs[fz_below(&t->rng, BUFS)];
	bool good;
	void *p;

	if (fd < 0)
		return;
	r.guest_pfn = gpa_pfn(t);
	r.size = gpa_size(t);
	r.userspace_addr = (uintptr_t)b->addr;
	if (fz_one_in(&t->rng, 6))
		r.userspace_addr = fz_one_in(&t->rng, 2) ? ptr_field(t) :
				   r.userspace_addr + fz_below(&t->rng, 0x2000);
	r.flags = fz_one_in(&t->rng, 2) ? HV_MAP_RWX :
		  fz_one_in(&t->rng, 4) ? fz_value(&t->rng) :
		  fz_below(&t->rng, 16);
	r.rsvd = fz_one_in(&t->rng, 16);
	p = arg_ptr(t, sizeof(r), &good);
	if (good)
		memcpy(p, &r, sizeof(r));
	if (do_ioctl(fd, HVPART_MAP_GPA_RANGE, p, false) == 0 && good) {
		pthread_mutex_lock(&maps_lock);
		maps[maps_next++ % 32] = (struct maprec){ fd, r.guest_pfn, r.size };
		pthread_mutex_unlock(&maps_lock);
	}
}

static void op_unmap(struct thr *t)
{
	struct hvpart_gpa_range r = { 0 };
	struct maprec m;
	int fd;
	bool good;
	void *p;

	pthread_mutex_lock(&maps_lock);
	m = maps[fz_below(&t->rng, 32)];
	pthread_mutex_unlock(&maps_lock);
	fd = m.size && !fz_one_in(&t->rng, 4) ? m.fd : slot_pick(t, SLOT_PT);
	if (fd < 0)
		return;
	r.guest_pfn = m.size && !fz_one_in(&t->rng, 4) ? m.gfn : gpa_pfn(t);
	r.size = m.size && !fz_one_in(&t->rng, 4) ? m.size : gpa_size(t);
	if (fz_one_in(&t->rng, 10))
		r.userspace_addr = fz_value(&t->rng);
	if (fz_one_in(&t->rng, 10))
		r.flags = fz_value(&t->rng);
	r.rsvd = fz_one_in(&t->rng, 16);
	p = arg_ptr(t, sizeof(r), &good);
	if (good)
		memcpy(p, &r, sizeof(r));
	do_ioctl(fd, HVPART_UNMAP_GPA_RANGE, p, false);
}

static void op_create_vp(struct thr *t)
{
	struct hvpart_create_vp cv = { 0 };
	int fd = slot_pick(t, SLOT_PT);
	bool good;
	void *p;
	long r;

	if (fd < 0)
		return;
	cv.vp_index = fz_one_in(&t->rng, 8) ? fz_value(&t->rng) :
		      fz_below(&t->rng, 8);
	cv.flags = maybe_flags(t, 0);
	maybe_dirty(t, cv.rsvd, sizeof(cv.rsvd));
	p = arg_ptr(t, sizeof(cv), &good);
	if (good)
		memcpy(p, &cv, sizeof(cv));
	r = do_ioctl(fd, HVPART_CREATE_VP, p, false);
	if (r >= 0)
		slot_put(t, r, SLOT_VP);
}

static void op_property(struct thr *t)
{
	struct hvpart_partition_property pp = { 0 };
	int fd = slot_pick(t, SLOT_PT);
	bool set = fz_one_in(&t->rng, 2), good;
	void *p;

	if (fd < 0)
		return;
	pp.code = fz_one_in(&t->rng, 6) ? fz_value(&t->rng) :
		  fz_below(&t->rng, HVPART_PROP_COUNT + 1);
	pp.flags = maybe_flags(t, 0);
	pp.value = fz_value(&t->rng);
	maybe_dirty(t, pp.rsvd, sizeof(pp.rsvd));
	p = arg_ptr(t, sizeof(pp), &good);
	if (good)
		memcpy(p, &pp, sizeof(pp));
	do_ioctl(fd, set ? HVPART_SET_PARTITION_PROPERTY :
		 HVPART_GET_PARTITION_PROPERTY, p, false);
}

static void op_intercept(struct thr *t)
{
	struct hvpart_intercept ic = { 0 };
	int fd = slot_pick(t, SLOT_PT);
	bool good;
	void *p;

	if (fd < 0)
		return;
	/* the four types: I/O port, MSR, CPUID (0-2) and hypercall (8) */
	ic.type = fz_one_in(&t->rng, 8) ? fz_value(&t->rng) :
		  fz_below(&t->rng, 4);
	if (ic.type == 3)
		ic.type = HVPART_INTERCEPT_TYPE_HYPERCALL;
	ic.access_mask = fz_one_in(&t->rng, 8) ? fz_value(&t->rng) :
			 fz_below(&t->rng, 8);
	ic.first = fz_one_in(&t->rng, 2) ? fz_value(&t->rng) :
		   fz_below(&t->rng, 0x10000);
	ic.last = fz_one_in(&t->rng, 2) ? ic.first + fz_below(&t->rng, 0x100) :
		  fz_value(&t->rng);
	ic.flags = maybe_flags(t, 0);
	ic.rsvd = fz_one_in(&t->rng, 16);
	p = arg_ptr(t, sizeof(ic), &good);
	if (good)
		memcpy(p, &ic, sizeof(ic));
	do_ioctl(fd, fz_one_in(&t->rng, 2) ? HVPART_INSTALL_INTERCEPT :
		 HVPART_REMOVE_INTERCEPT, p, false);
}

static void op_cpuid(struct thr *t)
{
	struct hvpart_cpuid c = { 0 };
	struct hvpart_cpuid_entry *e = (void *)(t->scratch + PAGE_SIZE);
	int fd = slot_pick(t, SLOT_PT);
	uint32_t i, n;
	bool good;
	void *p;

	if (fd < 0)
		return;
	n = fz_below(&t->rng, HVPART_MAX_CPUID_ENTRIES + 2);
	for (i = 0; i < n && i < HVPART_MAX_CPUID_ENTRIES + 1; i++) {
		fz_fill(&t->rng, &e[i], sizeof(e[i]));
		e[i].function = fz_one_in(&t->rng, 2) ? fz_below(&t->rng, 0x20) :
				fz_value(&t->rng);
		e[i].flags &= fz_one_in(&t->rng, 8) ? ~0U : 1;
		e[i].rsvd = fz_one_in(&t->rng, 8);
	}
	c.nent = fz_one_in(&t->rng, 8) ? fz_value(&t->rng) : n;
	c.flags = maybe_flags(t, 0);
	c.entries_ptr = fz_one_in(&t->rng, 6) ? ptr_field(t) : (uintptr_t)e;
	maybe_dirty(t, c.rsvd, sizeof(c.rsvd));
	p = arg_ptr(t, sizeof(c), &good);
	if (good)
		memcpy(p, &c, sizeof(c));
	do_ioctl(fd, HVPART_SET_CPUID, p, false);
}

static const uint32_t reg_names[] = {
	HVPART_REG_PENDING_INTERRUPTION, HVPART_REG_INTERRUPT_STATE,
	HVPART_REG_DELIVERABILITY_NOTIFICATIONS, HVPART_REG_RAX,
	HVPART_REG_RCX, HVPART_REG_RSP, HVPART_REG_R15, HVPART_REG_RIP,
	HVPART_REG_RFLAGS, HVPART_REG_CR0, HVPART_REG_CR2, HVPART_REG_CR3,
	HVPART_REG_CR4, HVPART_REG_CR8, HVPART_REG_XFEM, HVPART_REG_DR0,
	HVPART_REG_DR3, HVPART_REG_DR6, HVPART_REG_DR7, HVPART_REG_ES,
	HVPART_REG_CS, HVPART_REG_SS, HVPART_REG_DS, HVPART_REG_FS,
	HVPART_REG_GS, HVPART_REG_LDTR, HVPART_REG_TR, HVPART_REG_IDTR,
	HVPART_REG_GDTR, HVPART_REG_TSC, HVPART_REG_EFER,
	HVPART_REG_KERNEL_GS_BASE, HVPART_REG_APIC_BASE, HVPART_REG_PAT,
	HVPART_REG_SYSENTER_CS, HVPART_REG_SYSENTER_EIP, HVPART_REG_STAR,
	HVPART_REG_LSTAR, HVPART_REG_SFMASK, HVPART_REG_TSC_AUX,
	HVPART_REG_VP_RUNTIME, HVPART_REG_HYPERCALL, HVPART_REG_GUEST_OS_ID,
	HVPART_REG_VP_INDEX, HVPART_REG_TIME_REF_COUNT,
	HVPART_REG_REFERENCE_TSC, HVPART_REG_GUEST_CRASH_P0,
	HVPART_REG_GUEST_CRASH_P4, HVPART_REG_GUEST_CRASH_CTL,
	HVPART_REG_PROCESSOR_CLOCK_FREQUENCY,
	HVPART_REG_INTERRUPT_CLOCK_FREQUENCY,
};

/* A register of LOCAL_APIC partitions, with a value worth trying. */
static void apic_reg(struct thr *t, struct hvpart_register *reg)
{
	static const uint64_t bases[] = {
		0xfee00900, 0xfee00800, 0xfee00d00, 0xfee00c00, 0xfee00400,
		0, 0x100900, 0xa0900, 0xfffff000900ULL,
	};
	struct fz_rng *r = &t->rng;

	switch (fz_below(r, 8)) {
	case 0:
		reg->name = HVPART_REG_INTERNAL_ACTIVITY_STATE;
		reg->value.reg64 = fz_one_in(r, 4) ? fz_value(r) : fz_below(r, 4);
		return;
	case 1:
		reg->name = HVPART_REG_VP_ASSIST_PAGE;
		reg->value.reg64 = fz_one_in(r, 2) ? fz_value(r) :
				   fz_below(r, 0x400) << 12 | fz_below(r, 2);
		return;
	case 2:
		reg->name = HVPART_REG_APIC_BASE;
		reg->value.reg64 = fz_one_in(r, 4) ? fz_value(r) :
				   bases[fz_below(r, ARRAY_SIZE(bases))];
		return;
	}
	/* 0x84800-0x84841: every register and a few past either end */
	reg->name = HVPART_REG_APIC_FIRST - 2 + fz_below(r, 0x42);
	switch (fz_below(r, 4)) {
	case 0:
		reg->value.reg64 = fz_value(r);
		break;
	case 1:		/* an LVT, ICR or SPIV shaped value */
		reg->value.reg64 = fz_below(r, 8) << 8 | fz_below(r, 256) |
				   (fz_below(r, 16) << 12) | fz_below(r, 8) << 16;
		break;
	case 2:		/* a timer count: tiny or huge */
		reg->value.reg64 = fz_one_in(r, 2) ? fz_below(r, 4) :
				   0xffffffff - fz_below(r, 2);
		break;
	default:
		reg->value.reg64 = (uint32_t)fz_next(r);
		break;
	}
}

static void op_regs(struct thr *t)
{
	struct hvpart_register *regs = (void *)(t->scratch + 4);
	struct hvpart_vp_registers vr = { 0 };
	struct hvpart_register *slot = (void *)t->scratch;
	int fd = slot_pick(t, SLOT_VP);
	bool good, apic = false;
	uint32_t i, n;
	void *p;

	if (fd < 0)
		return;
	/* the array after a header-sized gap, at an odd offset */
	regs = (void *)((uint8_t *)slot + 64 + fz_below(&t->rng, 8));
	n = fz_one_in(&t->rng, 2) ? 1 + fz_below(&t->rng, 4) :
	    fz_below(&t->rng, HVPART_MAX_REGISTERS_PER_CALL + 2);
	for (i = 0; i < n && i < 90; i++) {
		memset(&regs[i], 0, sizeof(regs[i]));
		regs[i].name = fz_one_in(&t->rng, 10) ? fz_value(&t->rng) :
			reg_names[fz_below(&t->rng, ARRAY_SIZE(reg_names))];
		regs[i].value.reg128[0] = fz_value(&t->rng);
		if (fz_one_in(&t->rng, 3)) {
			apic_reg(t, &regs[i]);
			apic = true;
		}
		if (no_lme && regs[i].name == HVPART_REG_EFER)
			regs[i].value.reg128[0] &= ~EFER_LME;
		if (fz_one_in(&t->rng, 8))
			regs[i].value.reg128[1] = fz_value(&t->rng);
		regs[i].rsvd1 = fz_one_in(&t->rng, 16);
		regs[i].rsvd2 = fz_one_in(&t->rng, 16);
	}
	vr.count = fz_one_in(&t->rng, 10) ? fz_value(&t->rng) : n;
	vr.flags = maybe_flags(t, 0);
	vr.regs_ptr = fz_one_in(&t->rng, 8) ? ptr_field(t) : (uintptr_t)regs;
	maybe_dirty(t, vr.rsvd, sizeof(vr.rsvd));
	p = fz_one_in(&t->rng, 8) ? arg_ptr(t, sizeof(vr), &good) : t->scratch;
	if (p == t->scratch || good)
		memcpy(p, &vr, sizeof(vr));
	if (apic)
		atomic_fetch_add(&sh->apic_regs, 1);
	do_ioctl(fd, fz_one_in(&t->rng, 2) ? HVPART_GET_VP_REGISTERS :
		 HVPART_SET_VP_REGISTERS, p, false);
}

/*
 * HVPART_ASSERT_INTERRUPT, as the root's I/O APIC would, but with any
 * type, flags, destination (broadcast, past 32 bits), vector and
 * reserved field, on partitions with and without a local APIC.
 */
static void op_assert(struct thr *t)
{
	static const uint64_t dests[] = {
		0, 1, 2, 3, 4, 7, 0xf, 0x10, 0xff, 0x100, 0xffff, 0x10001,
		0xfffffffe, 0xffffffff, 0x100000000ULL, 0x1000000ff,
		0xffffffffffffffffULL,
	};
	/* fixed twice as often; NMI, INIT, SIPI */
	static const uint32_t types[] = { 0, 0, 1, 4, 5, 6 };
	static const uint32_t vectors[] = { 0, 15, 16, 255, 256 };
	struct hvpart_assert_interrupt ai = { 0 };
	struct fz_rng *r = &t->rng;
	int fd = slot_pick(t, fz_one_in(r, 16) ? SLOT_FREE : SLOT_PT);
	bool bad = fz_one_in(r, 3);	/* else as a chipset would */
	bool good;
	void *p;

	if (fd < 0)
		return;

	ai.type = types[fz_below(r, ARRAY_SIZE(types))];
	ai.destination = fz_one_in(r, 3) ? dests[fz_below(r, ARRAY_SIZE(dests))] :
			 fz_below(r, 8);
	ai.vector = ai.type == HVPART_INTERRUPT_TYPE_NMI ||
		    ai.type == HVPART_INTERRUPT_TYPE_INIT ? 0 : 16 + fz_below(r, 240);
	if (ai.type <= HVPART_INTERRUPT_TYPE_LOWEST_PRIORITY)
		ai.flags = fz_below(r, 4);
	else if (ai.type != HVPART_INTERRUPT_TYPE_SIPI)
		ai.flags = fz_below(r, 2) * HVPART_INTERRUPT_LOGICAL_DEST;
	if (bad) {
		switch (fz_below(r, 5)) {
		case 0:
			ai.type = fz_one_in(r, 2) ? fz_value(r) : fz_below(r, 8);
			break;
		case 1:
			ai.flags = fz_value(r);
			break;
		case 2:
			ai.destination = fz_value(r);
			break;
		case 3:		/* 0, 15, 16, 255, 256 and anything */
			ai.vector = fz_one_in(r, 2) ? fz_value(r) :
				    vectors[fz_below(r, ARRAY_SIZE(vectors))];
			break;
		default:
			ai.rsvd = fz_value(r);
			break;
		}
	}
	p = arg_ptr(t, sizeof(ai), &good);
	if (good)
		memcpy(p, &ai, sizeof(ai));
	atomic_fetch_add(&sh->asserts, 1);
	if (do_ioctl(fd, HVPART_ASSERT_INTERRUPT, p, false) == 0)
		atomic_fetch_add(&sh->asserts_ok, 1);
}

static void op_translate(struct thr *t)
{
	struct hvpart_translate_gva tr = { 0 };
	int fd = slot_pick(t, SLOT_VP);
	bool good;
	void *p;

	if (fd < 0)
		return;
	tr.gva = fz_value(&t->rng);
	tr.flags = fz_one_in(&t->rng, 8) ? fz_value(&t->rng) :
		   fz_below(&t->rng, 16);
	tr.result = fz_one_in(&t->rng, 16);
	tr.gpa = fz_one_in(&t->rng, 16);
	maybe_dirty(t, tr.rsvd, sizeof(tr.rsvd));
	p = arg_ptr(t, sizeof(tr), &good);
	if (good)
		memcpy(p, &tr, sizeof(tr));
	do_ioctl(fd, HVPART_TRANSLATE_GVA, p, false);
}

/* RUN, with a random completion when this thread has the run page. */
static void op_run(struct thr *t)
{
	int fd = slot_pick(t, SLOT_VP);
	struct hvpart_run *run;

	if (fd < 0)
		return;
	run = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run != MAP_FAILED) {
		run->completion = fz_one_in(&t->rng, 3) ?
				  fz_below(&t->rng, 32) : 0;
		run->completion_rax = fz_value(&t->rng);
		run->immediate_exit = fz_one_in(&t->rng, 8);
		if (fz_one_in(&t->rng, 32))
			run->rsvd1[fz_below(&t->rng, 16)] = 1;
	}
	atomic_fetch_add(&sh->runs, 1);
	do_ioctl(fd, HVPART_RUN_VP,
		 (void *)(uintptr_t)(fz_one_in(&t->rng, 16) ? 1 : 0), false);
	if (run != MAP_FAILED) {
		memset(run->rsvd1, 0, sizeof(run->rsvd1));
		munmap(run, PAGE_SIZE);
	}
}

/* A command no fd class knows: wrong number, direction or size. */
static void op_unknown(struct thr *t)
{
	static const unsigned long known[] = {
		HVPART_GET_API_VERSION, HVPART_CHECK_EXTENSION,
		HVPART_GET_VP_MMAP_SIZE, HVPART_CREATE_PARTITION,
		HVPART_SET_PARTITION_PROPERTY, HVPART_GET_PARTITION_PROPERTY,
		HVPART_MAP_GPA_RANGE, HVPART_UNMAP_GPA_RANGE,
		HVPART_CREATE_VP, HVPART_INSTALL_INTERCEPT,
		HVPART_REMOVE_INTERCEPT, HVPART_SET_CPUID, HVPART_RUN_VP,
		HVPART_GET_VP_REGISTERS, HVPART_SET_VP_REGISTERS,
		HVPART_TRANSLATE_GVA, HVPART_ASSERT_INTERRUPT,
		HVPART_GET_SUPPORTED_CPUID,
	};
	unsigned long cmd;
	unsigned int i;
	int fd = slot_pick(t, SLOT_FREE);

	if (fd < 0)
		fd = dev_fd;
	if (fz_one_in(&t->rng, 2))
		cmd = known[fz_below(&t->rng, ARRAY_SIZE(known))] ^
		      (1UL << (fz_one_in(&t->rng, 2) ? 16 + fz_below(&t->rng, 14) :
			       30 + fz_below(&t->rng, 2)));
	else
		cmd = _IOC(fz_below(&t->rng, 4), HVPART_IO, fz_below(&t->rng, 256),
			   fz_below(&t->rng, 512));
	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (cmd == known[i])
			return;
	do_ioctl(fd, cmd, t->scratch, true);
}

static void op_dup(struct thr *t)
{
	int fd = slot_pick(t, SLOT_FREE);
	int kind, nfd;

	if (fd < 0)
		return;
	kind = fd_kind(fd);
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (nfd >= 0)
		slot_put(t, nfd, kind == SLOT_FREE ? SLOT_DEV : kind);
}

/* Map, poke and unmap a VP fd with odd offsets, sizes and rights. */
static void op_mmap(struct thr *t)
{
	int fd = slot_pick(t, SLOT_VP), i = fz_below(&t->rng, 4);
	size_t len = fz_one_in(&t->rng, 4) ? PAGE_SIZE * fz_below(&t->rng, 3) :
		     PAGE_SIZE;
	off_t off = fz_one_in(&t->rng, 4) ? PAGE_SIZE * fz_below(&t->rng, 3) : 0;
	int prot = fz_one_in(&t->rng, 4) ? PROT_READ : PROT_READ | PROT_WRITE;
	void *p;

	if (t->runmaps[i]) {
		munmap(t->runmaps[i], PAGE_SIZE);
		t->runmaps[i] = NULL;
	}
	if (fd < 0)
		return;
	p = mmap(NULL, len, prot, fz_one_in(&t->rng, 4) ? MAP_PRIVATE :
		 MAP_SHARED, fd, off);
	if (p == MAP_FAILED)
		return;
	if (len == PAGE_SIZE && !off) {
		/* reading the page must not fault */
		volatile uint32_t *m = p;

		(void)m[fz_below(&t->rng, PAGE_SIZE / 4)];
		t->runmaps[i] = p;
	} else {
		munmap(p, len);
	}
}

/*
 * Guest memory goes away and comes back in place, under MAP, UNMAP and
 * running VPs: anonymous (filled with HLT), read-only, PROT_NONE or a
 * shared memfd.
 */
static void op_remap(struct thr *t)
{
	struct buf *b = &bufs[fz_below(&t->rng, BUFS)];
	int prot = PROT_READ | PROT_WRITE, flags = MAP_FIXED, fd = -1;
	void *p;

	pthread_mutex_lock(&b->lock);
	switch (fz_below(&t->rng, 5)) {
	case 0:
	case 1:
		/*
		 * As good as munmap() for the pinned pages, but with no
		 * hole that another thread's mmap() could land in.
		 */
		prot = PROT_NONE;
		break;
	case 2:
		fd = memfd_create("uapi_fuzz", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, BUF_SIZE))
			goto unlock;
		break;
	}
	flags |= fd >= 0 ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS;
	p = mmap(b->addr, BUF_SIZE, prot, flags, fd, 0);
	if (p != MAP_FAILED && (prot & PROT_WRITE)) {
		memset(p, 0xf4, BUF_SIZE);	/* HLT */
		if (fz_one_in(&t->rng, 3))
			mprotect(p, BUF_SIZE, PROT_READ);
	}
	atomic_fetch_add(&sh->remaps, 1);
unlock:
	if (fd >= 0)
		close(fd);
	pthread_mutex_unlock(&b->lock);
}

/*
 * A child with copies of our fds: it may use /dev/hvpart, but every
 * partition and VP fd must answer -EIO, whatever the command.
 */
static void op_fork(struct thr *t)
{
	static const unsigned long pt_cmds[] = {
		HVPART_SET_PARTITION_PROPERTY, HVPART_GET_PARTITION_PROPERTY,
		HVPART_MAP_GPA_RANGE, HVPART_UNMAP_GPA_RANGE,
		HVPART_CREATE_VP, HVPART_INSTALL_INTERCEPT,
		HVPART_REMOVE_INTERCEPT, HVPART_SET_CPUID,
		HVPART_ASSERT_INTERRUPT,
	};
	static const unsigned long vp_cmds[] = {
		HVPART_RUN_VP, HVPART_GET_VP_REGISTERS,
		HVPART_SET_VP_REGISTERS, HVPART_TRANSLATE_GVA,
	};
	uint64_t seed = fz_next(&t->rng);
	pid_t pid;
	int st;

	atomic_fetch_add(&sh->forks, 1);
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		struct fz_rng r;
		int i, fd, kind, n = 0;

		fz_seed(&r, seed);
		for (i = 0; i < SLOTS; i++) {
			fd = atomic_load(&slots[i].fd);
			if (fd < 0)
				continue;
			kind = fd_kind(fd);
			if (kind == SLOT_PT || kind == SLOT_VP) {
				unsigned long cmd = kind == SLOT_PT ?
					pt_cmds[fz_below(&r, ARRAY_SIZE(pt_cmds))] :
					vp_cmds[fz_below(&r, ARRAY_SIZE(vp_cmds))];
				long ret = ioctl(fd, cmd, t->scratch);

				n++;
				if (ret != -1 || errno != EIO)
					violation("# fork: %#lx on fd %d: %ld errno %d\n",
						  cmd, fd, ret, errno);
			}
			if (kind == SLOT_DEV && fz_one_in(&r, 2)) {
				struct hvpart_create_partition cp = { 0 };
				long p = ioctl(fd, HVPART_CREATE_PARTITION, &cp);

				if (p >= 0)
					close(p);
			}
		}
		atomic_fetch_add(&sh->eio_checks, n);
		atomic_fetch_add(&sh->ioctls, n);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) == pid && (!WIFEXITED(st) || WEXITSTATUS(st)))
		violation("# fork child ended with status %#x\n", st);
}

static void op_pass(struct thr *t)
{
	int fd = slot_pick(t, fz_one_in(&t->rng, 2) ? SLOT_PT : SLOT_VP);
	char c = 'f', cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	if (fd < 0)
		return;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(sock_tx, &mh, MSG_DONTWAIT) == 1)
		atomic_fetch_add(&sh->passed, 1);
}

/* rmmod must be refused while this process holds /dev/hvpart open. */
static void op_unload(void)
{
	long r = syscall(SYS_delete_module, "hvpart", O_NONBLOCK);

	atomic_fetch_add(&sh->unloads, 1);
	if (r == 0)
		violation("# delete_module(hvpart) succeeded with fds open\n");
	else if (errno != EWOULDBLOCK && errno != EBUSY && errno != EPERM)
		violation("# delete_module(hvpart): errno %d\n", errno);
}

/* Real mode at 0:0x1000: "1: out %al, $0x80; jmp 1b": exits, never ends. */
static const uint8_t spin_code[] = { 0xe6, 0x80, 0xeb, 0xfc };

/*
 * A child that runs a VP (and maps memory in a second thread) until a
 * SIGKILL lands at a random moment.
 */
static void *victim_mapper(void *arg)
{
	struct hv_vm *vm = arg;
	uint8_t *mem = hv_alloc_pages(1 << 20);

	for (;;) {
		struct hvpart_gpa_range r = {
			.guest_pfn = 0x1000, .size = 1 << 20,
			.userspace_addr = (uintptr_t)mem, .flags = HV_MAP_RWX,
		};

		ioctl(vm->fd, HVPART_MAP_GPA_RANGE, &r);
		r.userspace_addr = 0;
		r.flags = 0;
		ioctl(vm->fd, HVPART_UNMAP_GPA_RANGE, &r);
	}
	return NULL;
}

static void op_kill(struct thr *t)
{
	unsigned int delay = fz_below(&t->rng, 30000);
	pid_t pid;
	int st;

	atomic_fetch_add(&sh->kills, 1);
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		struct hv_vm *vm = vm_create(GUEST_MEM_SIZE);
		struct hv_vp *vp = vm_add_vp(vm, 0);
		pthread_t th;

		vm_load(vm, LOAD_GPA, spin_code, spin_code + sizeof(spin_code));
		vp_setup_mode(vp, GUEST_MODE_REAL, LOAD_GPA);
		pthread_create(&th, NULL, victim_mapper, vm);
		for (;;)
			__vp_run(vp);
	}
	usleep(delay);
	kill(pid, SIGKILL);
	if (waitpid(pid, &st, 0) == pid &&
	    !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL))
		violation("# victim ended with status %#x, not by SIGKILL\n", st);
}

/*
 * VP threads blocked in RUN in a LOCAL_APIC partition: VP 0 halts (HLT
 * with IF set sleeps in the kernel; with IF clear the root hears of it
 * and the next RUN sleeps), the others wait for SIPI.  Then, by @how:
 * the parent SIGKILLs the child, the child closes every fd under the
 * blocked RUNs, the child wakes them with INIT, SIPI, NMI and fixed
 * interrupts from two threads (with signals between), or the child just
 * exits with them blocked.  The child must be gone within a bound.
 */
enum { BLOCKED_KILL, BLOCKED_CLOSE, BLOCKED_WAKE, BLOCKED_EXIT };

#define BLOCKED_VPS	4
#define BLOCKED_WAIT_S	20.0	/* the debug kernel under TCG is slow */

/* Real mode at LOAD_GPA: "1: sti or cli; hlt; jmp 1b"; IRET at +0x10. */
static const uint8_t halt_code[] = {
	0xfb, 0xf4, 0xeb, 0xfc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xcf,
};

struct blocked_vp {
	pthread_t th;
	int fd;
	atomic_int *stop;
};

static void *blocked_runner(void *arg)
{
	struct blocked_vp *b = arg;

	while (!atomic_load(b->stop))
		if (ioctl(b->fd, HVPART_RUN_VP, 0) < 0 && errno == EBADF)
			break;
	return NULL;
}

struct blocked_waker {
	pthread_t th;
	struct hv_vm *vm;
	uint64_t seed;
	atomic_int *stop;
};

static void *blocked_waker_main(void *arg)
{
	struct blocked_waker *w = arg;
	struct fz_rng r;

	fz_seed(&r, w->seed);
	while (!atomic_load(w->stop)) {
		static const uint32_t types[] = { 0, 1, 4, 5, 6 };
		struct hvpart_assert_interrupt ai = {
			.type = types[fz_below(&r, ARRAY_SIZE(types))],
			.destination = fz_one_in(&r, 3) ? 0xff : fz_below(&r, 5),
		};

		if (ai.type == HVPART_INTERRUPT_TYPE_SIPI)
			ai.vector = LOAD_GPA >> 12;
		else if (ai.type < HVPART_INTERRUPT_TYPE_NMI)
			ai.vector = 0x20 + fz_below(&r, 0xe0);
		ioctl(w->vm->fd, HVPART_ASSERT_INTERRUPT, &ai);
		usleep(fz_below(&r, 2000));
	}
	return NULL;
}

static void blocked_child(uint64_t seed, int how)
{
	struct hv_vm *vm = vm_create_flags(GUEST_MEM_SIZE,
					   HVPART_CREATE_PARTITION_LOCAL_APIC);
	struct blocked_vp b[BLOCKED_VPS];
	struct blocked_waker w[2];
	atomic_int stop = 0;
	uint32_t *ivt = vm_gpa_to_hva(vm, 0);
	struct fz_rng r;
	int i, n, k;

	fz_seed(&r, seed);
	n = 1 + fz_below(&r, BLOCKED_VPS);
	atomic_fetch_add(&sh->blocked_vps, n);
	vm_load(vm, LOAD_GPA, halt_code, halt_code + sizeof(halt_code));
	if (fz_one_in(&r, 2))
		*(uint8_t *)vm_gpa_to_hva(vm, LOAD_GPA) = 0xfa;	/* cli */
	for (i = 0; i < 256; i++)
		ivt[i] = LOAD_GPA + 0x10;
	for (i = 0; i < n; i++) {
		struct hv_vp *vp = vm_add_vp(vm, i);

		if (!i)
			vp_setup_mode(vp, GUEST_MODE_REAL, LOAD_GPA);
		b[i] = (struct blocked_vp){ .fd = vp->fd, .stop = &stop };
		pthread_create(&b[i].th, NULL, blocked_runner, &b[i]);
	}
	usleep(1000 + fz_below(&r, 20000));
	switch (how) {
	case BLOCKED_KILL:
		for (;;)
			pause();
	case BLOCKED_CLOSE:
		/* the RUNs hold their files: they go on until a signal */
		for (i = 0; i < n; i++)
			close(b[i].fd);
		close(vm->fd);
		break;
	case BLOCKED_WAKE:
		for (k = 0; k < 2; k++) {
			w[k] = (struct blocked_waker){
				.vm = vm, .seed = fz_next(&r), .stop = &stop,
			};
			pthread_create(&w[k].th, NULL, blocked_waker_main, &w[k]);
		}
		for (k = 0; k < 10; k++) {
			usleep(fz_below(&r, 3000));
			pthread_kill(b[fz_below(&r, n)].th, SIGUSR1);
		}
		atomic_store(&stop, 1);
		for (k = 0; k < 2; k++)
			pthread_join(w[k].th, NULL);
		break;
	case BLOCKED_EXIT:
		_exit(0);
	}
	atomic_store(&stop, 1);
	for (i = 0; i < n; i++) {
		/* signal until it leaves RUN; the parent bounds the wait */
		while (pthread_tryjoin_np(b[i].th, NULL)) {
			pthread_kill(b[i].th, SIGUSR1);
			usleep(1000);
		}
	}
	_exit(0);
}

static void op_blocked(struct thr *t)
{
	int how = fz_below(&t->rng, 4), st = 0;
	uint64_t seed = fz_next(&t->rng);
	unsigned int delay = 2000 + fz_below(&t->rng, 30000);
	bool gone = false, killed = false;
	double until;
	pid_t pid;

	atomic_fetch_add(&sh->blocked, 1);
	atomic_fetch_add(&sh->blocked_how[how], 1);
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0)
		blocked_child(seed, how);
	if (how == BLOCKED_KILL) {
		usleep(delay);
		kill(pid, SIGKILL);
		killed = true;
	}
	until = fz_now() + BLOCKED_WAIT_S;
	while (!gone) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid) {
			gone = true;
			break;
		}
		if (r < 0 || fz_now() > until)
			break;
		usleep(2000);
	}
	if (!gone && !killed) {
		violation("# child %d, VPs in RUN: still there after %.0f s\n",
			  pid, BLOCKED_WAIT_S);
		kill(pid, SIGKILL);
		killed = true;
		until = fz_now() + BLOCKED_WAIT_S;
		while (fz_now() < until && !gone) {
			gone = waitpid(pid, &st, WNOHANG) == pid;
			usleep(10000);
		}
	}
	if (!gone) {
		/* a thread that ignores SIGKILL is stuck in the kernel */
		violation("# child %d, VPs in RUN: survives SIGKILL: wedged\n",
			  pid);
		atomic_store(&sh->stop, 1);
		return;
	}
	if (killed ? !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) :
		     !(WIFEXITED(st) && !WEXITSTATUS(st)))
		violation("# child with VPs blocked in RUN (case %d) ended with status %#x\n",
			  how, st);
}

static void fuzz_one(struct thr *t)
{
	unsigned int op = fz_below(&t->rng, 1000);

	if (op < 60)
		op_dev(t);
	else if (op < 70)
		open_dev(t);
	else if (op < 170)
		op_map(t);
	else if (op < 240)
		op_unmap(t);
	else if (op < 300)
		op_create_vp(t);
	else if (op < 350)
		op_property(t);
	else if (op < 400)
		op_intercept(t);
	else if (op < 440)
		op_cpuid(t);
	else if (op < 560)
		op_regs(t);
	else if (op < 590)
		op_translate(t);
	else if (op < 730)
		op_run(t);
	else if (op < 790)
		op_assert(t);
	else if (op < 830)
		op_unknown(t);
	else if (op < 890)
		slot_close_random(t);
	else if (op < 920)
		op_dup(t);
	else if (op < 955)
		op_mmap(t);
	else if (op < 980)
		op_remap(t);
	else if (op < 986)
		op_fork(t);
	else if (op < 993)
		op_pass(t);
	else if (op < 995)
		op_unload();
	else if (op < 998)
		op_kill(t);
	else
		op_blocked(t);
}

static void *thread_main(void *arg)
{
	struct thr *t = arg;
	long i;
	int j;

	for (i = 0; i < opts.iterations && !stopping(); i++)
		fuzz_one(t);
	for (j = 0; j < 4; j++)
		if (t->runmaps[j])
			munmap(t->runmaps[j], PAGE_SIZE);
	return NULL;
}

static void sig_nop(int sig)
{
	(void)sig;
}

/* Interrupts RUNs (every 5 ms) so that no guest runs for long. */
struct kicker {
	pthread_t *threads;
	int n;
	atomic_int done;
};

static void *kicker_main(void *arg)
{
	struct kicker *k = arg;
	int i;

	while (!atomic_load(&k->done)) {
		usleep(5000);
		for (i = 0; i < k->n; i++)
			pthread_kill(k->threads[i], SIGUSR1);
	}
	return NULL;
}

static void thr_init(struct thr *t, uint64_t seed, int id)
{
	memset(t, 0, sizeof(*t));
	fz_seed(&t->rng, seed);
	t->id = id;
	t->scratch = hv_alloc_pages(4 * PAGE_SIZE);
	HV_ASSERT(!mprotect(t->scratch + 3 * PAGE_SIZE, PAGE_SIZE, PROT_NONE),
		  "mprotect");
	t->ro = hv_alloc_pages(PAGE_SIZE);
	HV_ASSERT(!mprotect(t->ro, PAGE_SIZE, PROT_READ), "mprotect");
}

/* One worker process: THREADS fuzzing threads over one fd table. */
static void worker(int w)
{
	pthread_t th[THREADS], kt;
	struct kicker k = { .threads = th, .n = THREADS };
	struct thr *thr = calloc(THREADS, sizeof(*thr));
	struct sigaction sa = { .sa_handler = sig_nop };
	int i;

	HV_ASSERT(thr, "calloc");
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: RUN ends -EINTR */
	dev_fd = hvpart_open();
	no_lme = hv_qemu_tcg_svm();
	mmap_size = hvpart_vp_mmap_size(dev_fd);
	gpa_pages = 1ULL << (hvpart_cap(dev_fd, HVPART_CAP_MAX_GPA_BITS) - 12);
	for (i = 0; i < SLOTS; i++)
		atomic_init(&slots[i].fd, -1);
	for (i = 0; i < BUFS; i++) {
		pthread_mutex_init(&bufs[i].lock, NULL);
		bufs[i].addr = hv_alloc_pages(BUF_SIZE);
		memset(bufs[i].addr, 0xf4, BUF_SIZE);	/* HLT */
	}
	for (i = 0; i < THREADS; i++) {
		thr_init(&thr[i], opts.seed * 1000 + w * 10 + i, i);
		HV_ASSERT(!pthread_create(&th[i], NULL, thread_main, &thr[i]),
			  "pthread_create");
	}
	pthread_create(&kt, NULL, kicker_main, &k);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	atomic_store(&k.done, 1);
	pthread_join(kt, NULL);
	for (i = 0; i < SLOTS; i++) {
		int fd = atomic_exchange(&slots[i].fd, -1);

		if (fd >= 0)
			close(fd);
	}
	close(dev_fd);
	_exit(0);
}

/*
 * The main process's side of SCM_RIGHTS: every partition or VP fd that
 * arrives is foreign here and must answer -EIO; it is held a while (the
 * sender may exit meanwhile), then closed.
 */
struct receiver {
	atomic_int done;
	long received;
};

static void *receiver_main(void *arg)
{
	struct receiver *rc = arg;
	int held[8], nheld = 0, i;
	struct timeval tv = { .tv_usec = 50000 };

	setsockopt(sock_rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		char c, cbuf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { .iov_base = &c, .iov_len = 1 };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct cmsghdr *cm;
		struct hvpart_create_vp cv = { 0 };
		struct hvpart_register reg = { .name = HVPART_REG_RIP };
		struct hvpart_vp_registers vr = {
			.count = 1, .regs_ptr = (uintptr_t)&reg,
		};
		int fd, kind;
		long r;

		if (recvmsg(sock_rx, &mh, MSG_CMSG_CLOEXEC) != 1) {
			if (atomic_load(&rc->done))
				break;
			continue;
		}
		cm = CMSG_FIRSTHDR(&mh);
		if (!cm || cm->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		rc->received++;
		kind = fd_kind(fd);
		r = 0;
		if (kind == SLOT_PT)
			r = ioctl(fd, HVPART_CREATE_VP, &cv);
		else if (kind == SLOT_VP)
			r = ioctl(fd, rc->received & 1 ? HVPART_GET_VP_REGISTERS :
				  HVPART_RUN_VP, &vr);
		if ((kind == SLOT_PT || kind == SLOT_VP) &&
		    (r != -1 || errno != EIO))
			violation("# passed fd (%s): got %ld errno %d, want EIO\n",
				  kind == SLOT_PT ? "partition" : "VP", r, errno);
		atomic_fetch_add(&sh->eio_checks, 1);
		atomic_fetch_add(&sh->ioctls, 1);
		if (nheld == 8) {
			close(held[0]);
			memmove(held, held + 1, 7 * sizeof(int));
			nheld--;
		}
		held[nheld++] = fd;
	}
	for (i = 0; i < nheld; i++)
		close(held[i]);
	return NULL;
}

/*
 * Guest memory munmap()ed, unmapped from the partition and the fds
 * closed while a VP runs a guest that reads it: the pages stay pinned
 * until UNMAP, after which the guest gets UNMAPPED_GPA.
 */
#define EXTRA_GPA	0x300000
#define EXTRA_SIZE	(64 * 1024)

__asm__(GUEST_ASM_BEGIN(g_reader)
	".code64\n"
	"1:	mov " G_STR(EXTRA_GPA) ", %rax\n"
	"	out %al, $0x80\n"
	"	jmp 1b\n"
	GUEST_ASM_END(g_reader));
GUEST_CODE_DECLARE(g_reader);

struct runner {
	struct hv_vp *vp;
	int fd;
	atomic_int stop;
	atomic_int unmapped;	/* the root has unmapped EXTRA_GPA */
	long runs, after_unmap;
	bool saw_unmapped;
};

static void *runner_main(void *arg)
{
	struct runner *r = arg;

	while (!atomic_load(&r->stop)) {
		int unmapped = atomic_load(&r->unmapped);
		long ret = ioctl(r->fd, HVPART_RUN_VP, 0);

		r->runs++;
		if (ret < 0 && errno == EBADF)
			break;
		if (ret < 0 && errno != EINTR)
			violation("# runner: RUN errno %d\n", errno);
		if (ret == 0 && r->vp->run->msg.header.message_type ==
		    HVPART_MSG_UNMAPPED_GPA) {
			if (!unmapped && !atomic_load(&r->unmapped))
				violation("# runner: UNMAPPED_GPA while mapped\n");
			r->saw_unmapped = true;
		}
		if (unmapped)
			r->after_unmap++;
	}
	return NULL;
}

static int unmap_under_run(struct fz_rng *rng, int rounds)
{
	struct sigaction sa = { .sa_handler = sig_nop };
	int i, fails = 0;

	sigaction(SIGUSR1, &sa, NULL);
	for (i = 0; i < rounds; i++) {
		struct hv_vm *vm = vm_create(GUEST_MEM_SIZE);
		struct hv_vp *vp = vm_add_vp(vm, 0);
		uint8_t *extra = hv_alloc_pages(EXTRA_SIZE);
		struct runner r = { .vp = vp, .fd = vp->fd };
		pthread_t th;
		int k;

		memset(extra, 0x5a, EXTRA_SIZE);
		vm_map(vm, EXTRA_GPA, EXTRA_SIZE, extra,
		       HVPART_MAP_READABLE | HVPART_MAP_WRITABLE);
		vp_load_guest(vp, GUEST_MODE_LONG64, g_reader_start, g_reader_end);
		HV_ASSERT(!pthread_create(&th, NULL, runner_main, &r), "thread");
		usleep(fz_below(rng, 5000));
		HV_ASSERT(!munmap(extra, EXTRA_SIZE), "munmap");
		usleep(fz_below(rng, 5000));
		atomic_store(&r.unmapped, 1);
		vm_unmap(vm, EXTRA_GPA, EXTRA_SIZE);
		/* the guest memory itself goes too; it stays pinned */
		HV_ASSERT(!munmap(vm->mem, vm->mem_size), "munmap");
		vm->mem = NULL;
		for (k = 0; k < 20 && r.after_unmap < 2; k++) {
			pthread_kill(th, SIGUSR1);
			usleep(2000);
		}
		if (fz_one_in(rng, 2)) {
			/* close under the RUN: the ioctl holds its file */
			close(vm->fd);
			vm->fd = -1;
		}
		atomic_store(&r.stop, 1);
		pthread_kill(th, SIGUSR1);
		pthread_join(th, NULL);
		if (r.after_unmap >= 2 && !r.saw_unmapped) {
			ksft_print_msg("round %d: no UNMAPPED_GPA after UNMAP (%ld runs)\n",
				       i, r.after_unmap);
			fails++;
		}
		atomic_fetch_add(&sh->runs, r.runs);
		atomic_fetch_add(&sh->ioctls, r.runs);
		vm_free(vm);
	}
	return fails;
}

int main(int argc, char **argv)
{
	struct receiver rc = { 0 };
	struct fz_leaks leaks;
	pthread_t rt;
	int sv[2], w, st, bad_exits = 0, unmap_fails, splats;
	pid_t pids[WORKERS];
	struct fz_rng rng;
	double t0;

	fz_parse_opts(argc, argv, &opts, usage);
	ksft_print_header();
	if (!hvpart_present())
		ksft_exit_skip(HV_SKIP_REASON "\n");
	ksft_set_plan(7);
	ksft_print_msg("seed %llu, %ld iterations per thread, %d processes x %d threads%s\n",
		       (unsigned long long)opts.seed, opts.iterations, WORKERS,
		       THREADS, opts.soak ? " (soak)" : "");
	fz_seed(&rng, opts.seed);
	fz_leaks_begin(&leaks);
	splats = fz_klog_splats(-1);
	if (hv_qemu_tcg_svm())
		ksft_print_msg("QEMU TCG SVM: no EFER.LME from the root (see guest_fuzz)\n");

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	HV_ASSERT(sh != MAP_FAILED, "mmap");
	t0 = fz_now();
	sh->deadline = t0 + opts.budget_s;
	HV_ASSERT(!socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv),
		  "socketpair");
	sock_rx = sv[0];
	sock_tx = sv[1];
	fflush(stdout);
	for (w = 0; w < WORKERS; w++) {
		pids[w] = fork();
		HV_ASSERT(pids[w] >= 0, "fork");
		if (!pids[w]) {
			close(sock_rx);
			worker(w);
		}
	}
	close(sock_tx);
	HV_ASSERT(!pthread_create(&rt, NULL, receiver_main, &rc), "thread");
	for (w = 0; w < WORKERS; w++) {
		HV_ASSERT(waitpid(pids[w], &st, 0) == pids[w], "waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			ksft_print_msg("worker %d ended with status %#x\n", w, st);
			bad_exits++;
		}
	}
	atomic_store(&rc.done, 1);
	pthread_join(rt, NULL);
	close(sock_rx);
	ksft_print_msg("%ld ioctl calls (%ld succeeded, %ld RUN) in %.1f s\n",
		       atomic_load(&sh->ioctls), atomic_load(&sh->ok),
		       atomic_load(&sh->runs), fz_now() - t0);
	ksft_print_msg("%ld forks, %ld fds passed, %ld children killed, %ld unload attempts\n",
		       atomic_load(&sh->forks), atomic_load(&sh->passed),
		       atomic_load(&sh->kills), atomic_load(&sh->unloads));
	ksft_print_msg("%ld closes, %ld remaps, %ld foreign-mm checks\n",
		       atomic_load(&sh->closes), atomic_load(&sh->remaps),
		       atomic_load(&sh->eio_checks));
	ksft_print_msg("%ld LOCAL_APIC partitions, %ld APIC register calls\n",
		       atomic_load(&sh->apic_partitions),
		       atomic_load(&sh->apic_regs));
	ksft_print_msg("%ld interrupts asserted (%ld accepted)\n",
		       atomic_load(&sh->asserts), atomic_load(&sh->asserts_ok));
	ksft_print_msg("%ld children with %ld VPs blocked in RUN:\n",
		       atomic_load(&sh->blocked), atomic_load(&sh->blocked_vps));
	ksft_print_msg("... %ld killed, %ld fds closed, %ld woken, %ld exited\n",
		       atomic_load(&sh->blocked_how[BLOCKED_KILL]),
		       atomic_load(&sh->blocked_how[BLOCKED_CLOSE]),
		       atomic_load(&sh->blocked_how[BLOCKED_WAKE]),
		       atomic_load(&sh->blocked_how[BLOCKED_EXIT]));
	if (fz_now() > sh->deadline && !opts.soak)
		ksft_print_msg("stopped at the %.0f s bound\n", opts.budget_s);
	ksft_test_result(!bad_exits, "workers_exited\n");
	ksft_test_result(!atomic_load(&sh->violations), "uapi_promises_held (%ld violations)\n",
			 atomic_load(&sh->violations));

	unmap_fails = unmap_under_run(&rng, 8);
	ksft_test_result(!unmap_fails && !atomic_load(&sh->violations),
			 "unmap_under_running_vp\n");
	ksft_test_result(access("/sys/module/hvpart", F_OK) == 0,
			 "module_still_loaded\n");

	fz_settle(&leaks);
	ksft_print_msg("VmLck %ld kB after all partitions are closed\n",
		       leaks.vmlck_kb);
	ksft_test_result(leaks.vmlck_kb == 0, "locked_vm_released\n");
	if (leaks.have_pins) {
		ksft_print_msg("pinned pages outstanding: %lld before, %lld after\n",
			       leaks.pins_before, leaks.pins_after);
		ksft_test_result(leaks.pins_after == leaks.pins_before,
				 "pins_released\n");
	} else {
		ksft_test_result_skip("pins_released: no exact nr_foll_pin_* reading\n");
	}
	ksft_test_result(fz_klog_splats(splats) == splats,
			 "kernel_log_clean\n");
	ksft_finished();
}
