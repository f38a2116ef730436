/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvpart selftest library: /dev/hvpart, partitions with guest memory, VPs
 * with their run page, host-prepared guest modes and ucalls over port I/O.
 *
 * Helpers named foo() check their ioctl and abort the test (which the
 * kselftest harness reports as a failure) with a "# ..." diagnostic when it
 * fails; __foo() variants return the raw result (-1 with errno) for tests of
 * error paths.  Tests of one error path call ioctl() directly.
 */
#ifndef SELFTEST_HVPART_UTIL_H
#define SELFTEST_HVPART_UTIL_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/hvpart.h>

#include "guest_asm.h"
#include "x86.h"

#define HVPART_DEV	"/dev/hvpart"
#define PAGE_SIZE	4096UL

/* The layout pinned by uapi/linux/hvpart.h (STYLE.md rule 4). */
_Static_assert(sizeof(struct hvpart_create_partition) == 32, "abi");
_Static_assert(sizeof(struct hvpart_partition_property) == 32, "abi");
_Static_assert(sizeof(struct hvpart_gpa_range) == 32, "abi");
_Static_assert(sizeof(struct hvpart_create_vp) == 16, "abi");
_Static_assert(sizeof(struct hvpart_intercept) == 24, "abi");
_Static_assert(sizeof(struct hvpart_x64_segment) == 16, "abi");
_Static_assert(sizeof(struct hvpart_x64_table) == 16, "abi");
_Static_assert(sizeof(struct hvpart_register) == 32, "abi");
_Static_assert(sizeof(struct hvpart_vp_registers) == 32, "abi");
_Static_assert(sizeof(struct hvpart_translate_gva) == 32, "abi");
_Static_assert(sizeof(struct hvpart_x64_intercept_header) == 40, "abi");
_Static_assert(sizeof(struct hvpart_x64_io_port_intercept) == 128, "abi");
_Static_assert(sizeof(struct hvpart_message) == 256, "abi");
_Static_assert(sizeof(struct hvpart_run) == 320, "abi");
_Static_assert(offsetof(struct hvpart_run, msg) == 64, "abi");

/*
 * Guest physical layout of a VM made by vm_create() (all of it mapped
 * readable, writable and executable from GPA 0).  Plain literals: the asm
 * snippets use some of them.
 */
#define LOAD_GPA	0x1000		/* guest code, up to CODE_END */
#define CODE_END	0x8000
#define GDT_GPA		0x8000
#define IDT_GPA		0x9000
#define TSS_GPA		0xa000
#define REAL_STACK_TOP	0xf000		/* SS:SP = 0:0xf000 in real mode */
#define PML4_GPA	0x10000		/* host-built long-mode tables ... */
#define PDPT_GPA	0x11000
#define PD_GPA		0x12000		/* ... identity-map GVA 0-1 GiB */
#define PT_POOL_GPA	0x13000		/* page-table pages for vm_map_gva() */
#define PT_POOL_END	0x20000
#define DATA_GPA	0x20000		/* free for tests up to STACK_TOP - 64K */
#define STACK_TOP	0x80000		/* RSP of VP 0; VP n: - n * 64 KiB */
#define GUEST_MEM_SIZE	0x200000	/* 2 MiB */
#define IDENTITY_MAP_END 0x40000000ULL

/* Selectors of the GDT that vm_create() writes at GDT_GPA. */
#define SEL_CODE64	0x08
#define SEL_DATA	0x10
#define SEL_CODE32	0x18
#define SEL_TSS		0x28
#define GDT_LIMIT	0x37

#define HV_MAP_RWX	(HVPART_MAP_READABLE | HVPART_MAP_WRITABLE | \
			 HVPART_MAP_EXECUTABLE)

enum guest_mode {
	GUEST_MODE_REAL,	/* CS:IP = 0:rip, reset state otherwise */
	GUEST_MODE_PROT32,	/* flat 32-bit protected mode, no paging */
	GUEST_MODE_LONG64,	/* 64-bit, identity paging of 0-1 GiB */
};

#define HV_MAX_VPS_TRACKED	64

struct hv_vm;

struct hv_vp {
	struct hv_vm *vm;
	int fd;
	uint32_t index;
	struct hvpart_run *run;
	size_t run_size;
};

struct hv_vm {
	int dev_fd;
	int fd;			/* partition fd */
	uint8_t *mem;		/* backs GPA 0 .. mem_size */
	size_t mem_size;
	uint64_t pt_next;	/* next free page of the page-table pool */
	struct hv_vp *vps[HV_MAX_VPS_TRACKED];
};

/* Aborts the test with a diagnostic when @cond is false. */
#define HV_ASSERT(cond, fmt, ...) do {					\
	if (!(cond))							\
		hv_abort(__FILE__, __LINE__, #cond, fmt, ##__VA_ARGS__);\
} while (0)

void hv_abort(const char *file, int line, const char *cond,
	      const char *fmt, ...) __attribute__((noreturn, format(printf, 4, 5)));

/* /dev/hvpart */
bool hvpart_present(void);
int hvpart_open(void);
long hvpart_cap(int dev_fd, unsigned long cap);
size_t hvpart_vp_mmap_size(int dev_fd);
int hvpart_create_partition(int dev_fd);
int hvpart_create_partition_flags(int dev_fd, uint64_t flags);
bool hvpart_has_cap(unsigned long cap);
bool hv_qemu_tcg_svm(void);

/*
 * A VP run on a thread of its own until it exits to the root or is
 * stopped (hv_ap_stop(), hv_ap_join()).
 */
struct hv_ap {
	struct hv_vp *vp;
	pthread_t tid;
	volatile bool stop;
	uint32_t msg;		/* the message that ended its run, or 0 */
	int err;		/* errno of a failed run other than EINTR */
};

void hv_ap_start(struct hv_ap *ap);
void hv_ap_stop(struct hv_ap *ap, int n);
int hv_ap_join(struct hv_ap *ap, int secs);

/* Partitions and memory */
struct hv_vm *vm_create_bare(void);
struct hv_vm *vm_create(size_t mem_size);
struct hv_vm *vm_create_bare_flags(uint64_t flags);
struct hv_vm *vm_create_flags(size_t mem_size, uint64_t flags);
struct hv_vm *vm_create_apic(size_t mem_size);
void vm_free(struct hv_vm *vm);
void *vm_gpa_to_hva(struct hv_vm *vm, uint64_t gpa);
void vm_load(struct hv_vm *vm, uint64_t gpa, const void *start,
	     const void *end);
void *hv_alloc_pages(size_t size);
void hv_free_pages(void *p, size_t size);
void vm_map(struct hv_vm *vm, uint64_t gpa, uint64_t size, void *uaddr,
	    uint32_t flags);
int __vm_unmap(struct hv_vm *vm, uint64_t gpa, uint64_t size);
void vm_unmap(struct hv_vm *vm, uint64_t gpa, uint64_t size);
void vm_install_intercept(struct hv_vm *vm, uint32_t type, uint32_t access,
			  uint32_t first, uint32_t last);
void vm_remove_intercept(struct hv_vm *vm, uint32_t type, uint32_t access,
			 uint32_t first, uint32_t last);
void vm_set_property(struct hv_vm *vm, uint32_t code, uint64_t value);
uint64_t vm_get_property(struct hv_vm *vm, uint32_t code);

/* Guest-side structures built by the host */
void vm_setup_tables(struct hv_vm *vm);
void vm_map_gva(struct hv_vm *vm, uint64_t gva, uint64_t gpa, uint64_t pte_flags);
void vm_set_idt_gate(struct hv_vm *vm, int vector, uint64_t handler_gpa);

/* VPs */
struct hv_vp *vm_add_vp(struct hv_vm *vm, uint32_t index);
void vp_free(struct hv_vp *vp);
void vp_get_regs(struct hv_vp *vp, struct hvpart_register *regs, uint32_t n);
void vp_set_regs(struct hv_vp *vp, struct hvpart_register *regs, uint32_t n);
uint64_t vp_get_reg(struct hv_vp *vp, uint32_t name);
void vp_set_reg(struct hv_vp *vp, uint32_t name, uint64_t value);
void vp_setup_mode(struct hv_vp *vp, enum guest_mode mode, uint64_t rip);
void vp_load_guest(struct hv_vp *vp, enum guest_mode mode, const void *start,
		   const void *end);

static inline struct hvpart_register hv_reg(uint32_t name, uint64_t value)
{
	struct hvpart_register r = { .name = name };

	r.value.reg64 = value;
	return r;
}

static inline struct hvpart_register hv_seg_reg(uint32_t name, uint64_t base,
						uint32_t limit, uint16_t sel,
						uint16_t attr)
{
	struct hvpart_register r = { .name = name };

	r.value.segment.base = base;
	r.value.segment.limit = limit;
	r.value.segment.selector = sel;
	r.value.segment.attributes = attr;
	return r;
}

static inline struct hvpart_register hv_table_reg(uint32_t name, uint64_t base,
						  uint16_t limit)
{
	struct hvpart_register r = { .name = name };

	r.value.table.base = base;
	r.value.table.limit = limit;
	return r;
}

/* Running */
int __vp_run(struct hv_vp *vp);
uint32_t vp_run(struct hv_vp *vp);
void vp_complete(struct hv_vp *vp, uint32_t flags, uint64_t rax);
const char *hv_msg_name(uint32_t type);
void hv_dump_msg(const struct hvpart_message *msg);

enum ucall_type {
	UCALL_NONE,	/* the exit is not a ucall: see vp->run->msg */
	UCALL_SYNC,
	UCALL_DONE,
	UCALL_FAIL,
	UCALL_REPORT,
};

struct ucall {
	enum ucall_type type;
	uint64_t arg;		/* RAX: the stage, failure id or report */
	uint64_t rip;		/* of the OUT instruction */
	const struct hvpart_message *msg;
};

/*
 * Decodes the message of the last run as a ucall.  For a ucall it also
 * asks the next run to step over the OUT (ADVANCE_RIP completion).
 */
enum ucall_type get_ucall(struct hv_vp *vp, struct ucall *uc);
const char *ucall_name(enum ucall_type type);

/*
 * Checks for tests: each __HV_* evaluates its arguments once, logs what it
 * got when that is not what was wanted, and yields true if it was.
 */

/* Runs @vp and expects ucall @type (and for @check_arg, the value @arg). */
#define __HV_UCALL(_vp, _type, _check_arg, _arg) ({			\
	struct hv_vp *__vp = (_vp);					\
	enum ucall_type __want = (_type), __t;				\
	uint64_t __want_arg = (_arg);					\
	bool __check = (_check_arg);					\
	struct ucall __uc;						\
	vp_run(__vp);							\
	__t = get_ucall(__vp, &__uc);					\
	if (__t == UCALL_FAIL && __want != UCALL_FAIL)			\
		TH_LOG("guest failure id %llu at rip %#llx",		\
		       (unsigned long long)__uc.arg,			\
		       (unsigned long long)__uc.rip);			\
	else if (__t != __want)						\
		hv_dump_msg(&__vp->run->msg);				\
	if (__t != __want)						\
		TH_LOG("wanted %s, got %s", ucall_name(__want),		\
		       ucall_name(__t));				\
	else if (__check && __uc.arg != __want_arg)			\
		TH_LOG("%s: wanted %#llx, got %#llx",			\
		       ucall_name(__t), (unsigned long long)__want_arg,	\
		       (unsigned long long)__uc.arg);			\
	__t == __want && (!__check || __uc.arg == __want_arg);		\
})
#define ASSERT_SYNC(vp, n)	ASSERT_TRUE(__HV_UCALL(vp, UCALL_SYNC, 1, n))
#define ASSERT_REPORT(vp, v)	ASSERT_TRUE(__HV_UCALL(vp, UCALL_REPORT, 1, v))
#define ASSERT_DONE(vp)		ASSERT_TRUE(__HV_UCALL(vp, UCALL_DONE, 0, 0))

/* Runs @vp and expects message @type (an HVPART_MSG_*). */
#define __HV_MSG(_vp, _type) ({						\
	struct hv_vp *__vp = (_vp);					\
	uint32_t __m = vp_run(__vp), __want = (_type);			\
	if (__m != __want) {						\
		hv_dump_msg(&__vp->run->msg);				\
		TH_LOG("wanted message %s, got %s",			\
		       hv_msg_name(__want), hv_msg_name(__m));		\
	}								\
	__m == __want;							\
})
#define ASSERT_MSG(vp, type)	ASSERT_TRUE(__HV_MSG(vp, type))

/* Expects @call to fail, returning -1 with errno @err. */
#define __HV_ERRNO(_err, _call) ({					\
	int __want = (_err), __e;					\
	long __r;							\
	errno = 0;							\
	__r = (long)(_call);						\
	__e = errno;							\
	if (__r != -1 || __e != __want)					\
		TH_LOG("%s: got %ld errno %d (%s), want -1 errno %d (%s)",\
		       #_call, __r, __e, strerror(__e), __want,		\
		       strerror(__want));				\
	__r == -1 && __e == __want;					\
})
#define ASSERT_ERRNO(err, call)	ASSERT_TRUE(__HV_ERRNO(err, call))
#define EXPECT_ERRNO(err, call)	EXPECT_TRUE(__HV_ERRNO(err, call))

/* Expects @call to succeed (return >= 0). */
#define __HV_OK(_call) ({						\
	long __r;							\
	errno = 0;							\
	__r = (long)(_call);						\
	if (__r < 0)							\
		TH_LOG("%s: got %ld errno %d (%s)", #_call, __r, errno,	\
		       strerror(errno));				\
	__r >= 0;							\
})
#define ASSERT_OK(call)	ASSERT_TRUE(__HV_OK(call))
#define EXPECT_OK(call)	EXPECT_TRUE(__HV_OK(call))

/*
 * Without the module every test is a skip:
 *	if (!hvpart_present())
 *		SKIP(return, HV_SKIP_REASON);
 * in a test, HV_SETUP_REQUIRE_DEV() in FIXTURE_SETUP.  6.1's harness
 * would run the test body after a SKIP(return, ...) in setup, so there
 * the test process ends the way the harness ends a skipped test: exit
 * status 255 in 6.1, KSFT_SKIP in harnesses that have
 * FIXTURE_TEARDOWN_PARENT (6.9 on).
 */
#define HV_SKIP_REASON	"hvpart.ko not loaded (no " HVPART_DEV ")"
#ifdef FIXTURE_TEARDOWN_PARENT
#define HV_SKIP_EXIT	KSFT_SKIP
#else
#define HV_SKIP_EXIT	255
#endif
#define HV_SETUP_SKIP(fmt, ...)	SKIP(_exit(HV_SKIP_EXIT), fmt, ##__VA_ARGS__)
#define HV_SETUP_REQUIRE_DEV() do {					\
	if (!hvpart_present())						\
		HV_SETUP_SKIP(HV_SKIP_REASON);				\
} while (0)

/* /proc/meminfo field in KiB, or -1. */
long meminfo_kb(const char *field);
/* This process's locked memory (VmLck: pinned guest memory) in KiB. */
long hv_vmlck_kb(void);

#endif /* SELFTEST_HVPART_UTIL_H */
