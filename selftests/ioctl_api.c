// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl_api: the /dev/hvpart ABI without guest code, one error path per
 * test (Documentation/process/botching-up-ioctls.rst): each bad-input test
 * submits otherwise valid data, so that only the one bad field can explain
 * the error.  What is checked is what uapi/linux/hvpart.h documents.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "hvpart_util.h"

#define KERNEL_ADDR	((void *)0xffffffff81000000UL)

/* An address with nothing mapped at it. */
static void *unmapped_addr(void)
{
	void *p = hv_alloc_pages(PAGE_SIZE);

	hv_free_pages(p, PAGE_SIZE);
	return p;
}

/* A page that the caller can read but not write, holding @len of @src. */
static void *readonly_copy(const void *src, size_t len)
{
	void *p = hv_alloc_pages(PAGE_SIZE);

	memcpy(p, src, len);
	HV_ASSERT(!mprotect(p, PAGE_SIZE, PROT_READ), "mprotect");
	return p;
}

/* ---------------------------------------------------------------------- */
/* /dev/hvpart                                                            */
/* ---------------------------------------------------------------------- */

FIXTURE(dev) {
	int dev_fd;
};

FIXTURE_SETUP(dev)
{
	HV_SETUP_REQUIRE_DEV();
	self->dev_fd = hvpart_open();
}

FIXTURE_TEARDOWN(dev)
{
	close(self->dev_fd);
}

TEST_F(dev, api_version)
{
	EXPECT_EQ(HVPART_API_VERSION,
		  ioctl(self->dev_fd, HVPART_GET_API_VERSION, 0));
}

TEST_F(dev, vp_mmap_size)
{
	long size = ioctl(self->dev_fd, HVPART_GET_VP_MMAP_SIZE, 0);

	EXPECT_LE((long)sizeof(struct hvpart_run), size);
}

/* The vendor capability names the CPU's own virtualization extension. */
TEST_F(dev, cap_vendor_matches_cpu)
{
	uint32_t a, b, c, d;
	long vendor = ioctl(self->dev_fd, HVPART_CHECK_EXTENSION,
			    HVPART_CAP_VENDOR);

	host_cpuid(0, 0, &a, &b, &c, &d);
	if (b == 0x68747541) {			/* "Auth"enticAMD */
		EXPECT_EQ(HVPART_VENDOR_SVM, vendor);
	} else if (b == 0x756e6547) {		/* "Genu"ineIntel */
		EXPECT_EQ(HVPART_VENDOR_VMX, vendor);
	} else {
		SKIP(return, "CPU vendor %#x is neither AMD nor Intel", b);
	}
}

/* No more guest physical bits than the CPU has physical address bits. */
TEST_F(dev, cap_max_gpa_bits_within_cpu)
{
	uint32_t a, b, c, d;
	long bits = ioctl(self->dev_fd, HVPART_CHECK_EXTENSION,
			  HVPART_CAP_MAX_GPA_BITS);

	host_cpuid(0x80000008, 0, &a, &b, &c, &d);
	EXPECT_LE(bits, (long)(a & 0xff));
}

TEST_F(dev, unknown_ioctl)
{
	struct hvpart_gpa_range range = { .size = PAGE_SIZE };

	EXPECT_ERRNO(ENOTTY, ioctl(self->dev_fd, _IO(HVPART_IO, 0x3f), 0));
	/* A known number with a different size encoded is another command. */
	EXPECT_ERRNO(ENOTTY, ioctl(self->dev_fd,
				   _IOW(HVPART_IO, 0x03, __u64), &range));
	/* Partition and VP commands are not /dev/hvpart commands. */
	EXPECT_ERRNO(ENOTTY, ioctl(self->dev_fd, HVPART_MAP_GPA_RANGE,
				   &range));
	EXPECT_ERRNO(ENOTTY, ioctl(self->dev_fd, HVPART_RUN_VP, 0));
	/* KVM_GET_API_VERSION: another magic. */
	EXPECT_ERRNO(ENOTTY, ioctl(self->dev_fd, _IO(0xAE, 0x00), 0));
}

TEST_F(dev, create_partition)
{
	struct hvpart_create_partition cp = { 0 };
	int fd = ioctl(self->dev_fd, HVPART_CREATE_PARTITION, &cp);

	ASSERT_LE(0, fd);
	/* Close-on-exec, like every fd hvpart hands out (STYLE.md rule 3). */
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, close(fd));
}

TEST_F(dev, create_partition_unknown_flags)
{
	struct hvpart_create_partition cp = {
		.flags = HVPART_CREATE_PARTITION_FLAGS_MASK + 1,
	};

	EXPECT_ERRNO(EINVAL, ioctl(self->dev_fd, HVPART_CREATE_PARTITION, &cp));
	cp.flags = 1ULL << 63;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev_fd, HVPART_CREATE_PARTITION, &cp));
}

TEST_F(dev, create_partition_rsvd)
{
	struct hvpart_create_partition cp = { 0 };

	cp.rsvd[0] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev_fd, HVPART_CREATE_PARTITION, &cp));
	cp.rsvd[0] = 0;
	cp.rsvd[sizeof(cp.rsvd) - 1] = 0x80;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev_fd, HVPART_CREATE_PARTITION, &cp));
}

/* CHECK_EXTENSION, one variant per capability. */
FIXTURE(cap) {
	int dev_fd;
};

FIXTURE_VARIANT(cap) {
	unsigned long cap;
	long min, max;
};

FIXTURE_VARIANT_ADD(cap, max_vps) { HVPART_CAP_MAX_VPS, 1, INT_MAX };
FIXTURE_VARIANT_ADD(cap, vendor) { HVPART_CAP_VENDOR, HVPART_VENDOR_SVM, HVPART_VENDOR_VMX };
FIXTURE_VARIANT_ADD(cap, io_intercept) { HVPART_CAP_IO_INTERCEPT, 1, 1 };
FIXTURE_VARIANT_ADD(cap, cpuid_intercept) { HVPART_CAP_CPUID_INTERCEPT, 1, 1 };
FIXTURE_VARIANT_ADD(cap, msr_intercept) { HVPART_CAP_MSR_INTERCEPT, 1, 1 };
FIXTURE_VARIANT_ADD(cap, run_completion) { HVPART_CAP_RUN_COMPLETION, 1, 1 };
FIXTURE_VARIANT_ADD(cap, translate_gva) { HVPART_CAP_TRANSLATE_GVA, 1, 1 };
/* At least 4 GiB of GPA space; at most what 4-level tables give. */
FIXTURE_VARIANT_ADD(cap, max_gpa_bits) { HVPART_CAP_MAX_GPA_BITS, 32, 52 };
FIXTURE_VARIANT_ADD(cap, max_mappings) { HVPART_CAP_MAX_MAPPINGS, 1, INT_MAX };
FIXTURE_VARIANT_ADD(cap, set_cpuid) { HVPART_CAP_SET_CPUID, 1, INT_MAX };
FIXTURE_VARIANT_ADD(cap, unknown_0) { 0, 0, 0 };
FIXTURE_VARIANT_ADD(cap, supported_cpuid) { HVPART_CAP_SUPPORTED_CPUID, 1, INT_MAX };
FIXTURE_VARIANT_ADD(cap, local_apic) { HVPART_CAP_LOCAL_APIC, 1, 1 };
FIXTURE_VARIANT_ADD(cap, synic) { HVPART_CAP_SYNIC, 1, 1 };
FIXTURE_VARIANT_ADD(cap, hypercall_intercept) { HVPART_CAP_HYPERCALL_INTERCEPT, 1, 1 };
FIXTURE_VARIANT_ADD(cap, vp_synic_pages) { HVPART_CAP_VP_SYNIC_PAGES, 1, 1 };
FIXTURE_VARIANT_ADD(cap, monitor) { HVPART_CAP_MONITOR, 1, 1 };
FIXTURE_VARIANT_ADD(cap, unknown_next) { HVPART_CAP_MONITOR + 1, 0, 0 };
FIXTURE_VARIANT_ADD(cap, unknown_ffff) { 0xffff, 0, 0 };
/* A kernel that truncates the argument to 32 bits would see cap 1. */
FIXTURE_VARIANT_ADD(cap, unknown_high_bits) { (1UL << 32) | HVPART_CAP_MAX_VPS, 0, 0 };

FIXTURE_SETUP(cap)
{
	HV_SETUP_REQUIRE_DEV();
	self->dev_fd = hvpart_open();
}

FIXTURE_TEARDOWN(cap)
{
	close(self->dev_fd);
}

TEST_F(cap, check_extension)
{
	long r = ioctl(self->dev_fd, HVPART_CHECK_EXTENSION, variant->cap);

	EXPECT_LE(variant->min, r);
	EXPECT_GE(variant->max, r);
}

/* ---------------------------------------------------------------------- */
/* A bad pointer fails every struct-taking ioctl with EFAULT.             */
/* ---------------------------------------------------------------------- */

enum fd_class { FD_DEV, FD_PARTITION, FD_VP };

FIXTURE(efault) {
	struct hv_vm *vm;
	struct hv_vp *vp;
};

FIXTURE_VARIANT(efault) {
	enum fd_class fd;
	unsigned long cmd;
};

FIXTURE_VARIANT_ADD(efault, create_partition) { FD_DEV, HVPART_CREATE_PARTITION };
FIXTURE_VARIANT_ADD(efault, set_partition_property) { FD_PARTITION, HVPART_SET_PARTITION_PROPERTY };
FIXTURE_VARIANT_ADD(efault, get_partition_property) { FD_PARTITION, HVPART_GET_PARTITION_PROPERTY };
FIXTURE_VARIANT_ADD(efault, map_gpa_range) { FD_PARTITION, HVPART_MAP_GPA_RANGE };
FIXTURE_VARIANT_ADD(efault, unmap_gpa_range) { FD_PARTITION, HVPART_UNMAP_GPA_RANGE };
FIXTURE_VARIANT_ADD(efault, create_vp) { FD_PARTITION, HVPART_CREATE_VP };
FIXTURE_VARIANT_ADD(efault, install_intercept) { FD_PARTITION, HVPART_INSTALL_INTERCEPT };
FIXTURE_VARIANT_ADD(efault, remove_intercept) { FD_PARTITION, HVPART_REMOVE_INTERCEPT };
FIXTURE_VARIANT_ADD(efault, create_port) { FD_PARTITION, HVPART_CREATE_PORT };
FIXTURE_VARIANT_ADD(efault, delete_port) { FD_PARTITION, HVPART_DELETE_PORT };
FIXTURE_VARIANT_ADD(efault, connect_port) { FD_PARTITION, HVPART_CONNECT_PORT };
FIXTURE_VARIANT_ADD(efault, disconnect_port) { FD_PARTITION, HVPART_DISCONNECT_PORT };
FIXTURE_VARIANT_ADD(efault, post_message) { FD_PARTITION, HVPART_POST_MESSAGE };
FIXTURE_VARIANT_ADD(efault, signal_event) { FD_PARTITION, HVPART_SIGNAL_EVENT };
FIXTURE_VARIANT_ADD(efault, get_vp_registers) { FD_VP, HVPART_GET_VP_REGISTERS };
FIXTURE_VARIANT_ADD(efault, set_vp_registers) { FD_VP, HVPART_SET_VP_REGISTERS };
FIXTURE_VARIANT_ADD(efault, translate_gva) { FD_VP, HVPART_TRANSLATE_GVA };

FIXTURE_SETUP(efault)
{
	HV_SETUP_REQUIRE_DEV();
	self->vm = vm_create_bare();
	self->vp = vm_add_vp(self->vm, 0);
}

FIXTURE_TEARDOWN(efault)
{
	vm_free(self->vm);
}

TEST_F(efault, bad_pointer)
{
	int fd = variant->fd == FD_DEV ? self->vm->dev_fd :
		 variant->fd == FD_PARTITION ? self->vm->fd : self->vp->fd;

	EXPECT_ERRNO(EFAULT, ioctl(fd, variant->cmd, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(fd, variant->cmd, unmapped_addr()));
	EXPECT_ERRNO(EFAULT, ioctl(fd, variant->cmd, KERNEL_ADDR));
}

/* ---------------------------------------------------------------------- */
/* Partition fd: properties, GPA ranges, VPs, intercepts                  */
/* ---------------------------------------------------------------------- */

#define BUF_PAGES	16
#define GOOD_PFN	0x100
#define GOOD_PAGES	4

FIXTURE(partition) {
	struct hv_vm *vm;
	int fd;
	uint8_t *buf;		/* BUF_PAGES of the caller's memory */
	long max_vps;
	int gpa_bits;
};

FIXTURE_SETUP(partition)
{
	HV_SETUP_REQUIRE_DEV();
	self->vm = vm_create_bare();
	self->fd = self->vm->fd;
	self->buf = hv_alloc_pages(BUF_PAGES * PAGE_SIZE);
	self->max_vps = hvpart_cap(self->vm->dev_fd, HVPART_CAP_MAX_VPS);
	self->gpa_bits = hvpart_cap(self->vm->dev_fd, HVPART_CAP_MAX_GPA_BITS);
}

FIXTURE_TEARDOWN(partition)
{
	vm_free(self->vm);
	hv_free_pages(self->buf, BUF_PAGES * PAGE_SIZE);
}

/* A valid MAP argument: GOOD_PAGES at GOOD_PFN backed by @buf. */
static struct hvpart_gpa_range __good_range(void *buf)
{
	struct hvpart_gpa_range r = {
		.guest_pfn = GOOD_PFN,
		.size = GOOD_PAGES * PAGE_SIZE,
		.userspace_addr = (uintptr_t)buf,
		.flags = HV_MAP_RWX,
	};

	return r;
}

#define good_range(self)	__good_range((self)->buf)

static struct hvpart_gpa_range unmap_arg(uint64_t pfn, uint64_t pages)
{
	struct hvpart_gpa_range r = { .guest_pfn = pfn, .size = pages * PAGE_SIZE };

	return r;
}

TEST_F(partition, unknown_ioctl)
{
	struct hvpart_create_partition cp = { 0 };

	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(HVPART_IO, 0x7f), 0));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, HVPART_CREATE_PARTITION, &cp));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, HVPART_RUN_VP, 0));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(0xAE, 0x41), 0));
}

TEST_F(partition, property_max_vps_default)
{
	EXPECT_EQ((uint64_t)self->max_vps,
		  vm_get_property(self->vm, HVPART_PROP_MAX_VPS));
}

TEST_F(partition, property_defaults_readable)
{
	struct hvpart_partition_property p = { 0 };
	uint32_t code;

	for (code = HVPART_PROP_MAX_VPS; code < HVPART_PROP_COUNT; code++) {
		p.code = code;
		EXPECT_OK(ioctl(self->fd, HVPART_GET_PARTITION_PROPERTY, &p));
	}
}

TEST_F(partition, property_roundtrip_max_vps)
{
	vm_set_property(self->vm, HVPART_PROP_MAX_VPS, 1);
	EXPECT_EQ(1, vm_get_property(self->vm, HVPART_PROP_MAX_VPS));
	vm_set_property(self->vm, HVPART_PROP_MAX_VPS, self->max_vps);
	EXPECT_EQ((uint64_t)self->max_vps,
		  vm_get_property(self->vm, HVPART_PROP_MAX_VPS));
}

/* No bits is a valid privilege mask and feature set; so is the default. */
TEST_F(partition, property_roundtrip_privileges_features)
{
	uint32_t codes[] = { HVPART_PROP_PRIVILEGE_MASK, HVPART_PROP_FEATURES };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		uint64_t def = vm_get_property(self->vm, codes[i]);

		vm_set_property(self->vm, codes[i], 0);
		EXPECT_EQ(0, vm_get_property(self->vm, codes[i]));
		vm_set_property(self->vm, codes[i], def);
		EXPECT_EQ(def, vm_get_property(self->vm, codes[i]));
	}
}

TEST_F(partition, property_unknown_code_get)
{
	uint32_t codes[] = { 0, HVPART_PROP_COUNT, 0xffffffff };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		struct hvpart_partition_property p = { .code = codes[i] };

		EXPECT_ERRNO(EINVAL, ioctl(self->fd,
					   HVPART_GET_PARTITION_PROPERTY, &p));
	}
}

TEST_F(partition, property_unknown_code_set)
{
	uint32_t codes[] = { 0, HVPART_PROP_COUNT, 0xffffffff };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		struct hvpart_partition_property p = {
			.code = codes[i], .value = 1,
		};

		EXPECT_ERRNO(EINVAL, ioctl(self->fd,
					   HVPART_SET_PARTITION_PROPERTY, &p));
	}
}

TEST_F(partition, property_flags_get)
{
	struct hvpart_partition_property p = {
		.code = HVPART_PROP_MAX_VPS, .flags = 1,
	};

	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_GET_PARTITION_PROPERTY, &p));
	p.flags = 0x80000000;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_GET_PARTITION_PROPERTY, &p));
}

TEST_F(partition, property_flags_set)
{
	struct hvpart_partition_property p = {
		.code = HVPART_PROP_MAX_VPS, .flags = 1, .value = 1,
	};

	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_PARTITION_PROPERTY, &p));
	p.flags = 0x80000000;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_PARTITION_PROPERTY, &p));
	EXPECT_EQ((uint64_t)self->max_vps,
		  vm_get_property(self->vm, HVPART_PROP_MAX_VPS));
}

TEST_F(partition, property_rsvd_get)
{
	struct hvpart_partition_property p = { .code = HVPART_PROP_MAX_VPS };

	p.rsvd[0] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_GET_PARTITION_PROPERTY, &p));
	p.rsvd[0] = 0;
	p.rsvd[sizeof(p.rsvd) - 1] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_GET_PARTITION_PROPERTY, &p));
}

TEST_F(partition, property_rsvd_set)
{
	struct hvpart_partition_property p = {
		.code = HVPART_PROP_MAX_VPS, .value = 1,
	};

	p.rsvd[0] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_PARTITION_PROPERTY, &p));
	p.rsvd[0] = 0;
	p.rsvd[sizeof(p.rsvd) - 1] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_PARTITION_PROPERTY, &p));
}

/* GET writes its result back: a read-only argument cannot take it. */
TEST_F(partition, property_get_readonly_arg)
{
	struct hvpart_partition_property p = { .code = HVPART_PROP_MAX_VPS };

	EXPECT_ERRNO(EFAULT, ioctl(self->fd, HVPART_GET_PARTITION_PROPERTY,
				   readonly_copy(&p, sizeof(p))));
}

TEST_F(partition, max_vps_zero)
{
	struct hvpart_partition_property p = { .code = HVPART_PROP_MAX_VPS };

	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_PARTITION_PROPERTY, &p));
}

TEST_F(partition, max_vps_above_cap)
{
	struct hvpart_partition_property p = {
		.code = HVPART_PROP_MAX_VPS, .value = self->max_vps + 1,
	};

	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_PARTITION_PROPERTY, &p));
	/* The upper 32 bits count: 2^32 + 1 is not 1. */
	p.value = (1ULL << 32) | 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_PARTITION_PROPERTY, &p));
}

TEST_F(partition, max_vps_after_vp)
{
	struct hvpart_partition_property p = {
		.code = HVPART_PROP_MAX_VPS, .value = 1,
	};

	vm_add_vp(self->vm, 0);
	EXPECT_ERRNO(EBUSY, ioctl(self->fd, HVPART_SET_PARTITION_PROPERTY, &p));
}

/* MAP_GPA_RANGE */

TEST_F(partition, map_unmap_roundtrip)
{
	struct hvpart_gpa_range r = good_range(self);
	struct hvpart_gpa_range u = unmap_arg(GOOD_PFN, GOOD_PAGES);

	ASSERT_OK(ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	ASSERT_OK(ioctl(self->fd, HVPART_UNMAP_GPA_RANGE, &u));
	ASSERT_OK(ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	ASSERT_OK(ioctl(self->fd, HVPART_UNMAP_GPA_RANGE, &u));
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, HVPART_UNMAP_GPA_RANGE, &u));
}

TEST_F(partition, map_access_rights_ok)
{
	uint32_t rights[] = {
		HVPART_MAP_READABLE,
		HVPART_MAP_READABLE | HVPART_MAP_WRITABLE,
		HVPART_MAP_READABLE | HVPART_MAP_EXECUTABLE,
		HV_MAP_RWX,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rights); i++) {
		struct hvpart_gpa_range r = good_range(self);

		r.guest_pfn += i * GOOD_PAGES;
		r.flags = rights[i];
		EXPECT_OK(ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	}
}

TEST_F(partition, map_zero_size)
{
	struct hvpart_gpa_range r = good_range(self);

	r.size = 0;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

TEST_F(partition, map_unaligned_size)
{
	struct hvpart_gpa_range r = good_range(self);

	r.size = PAGE_SIZE + 512;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	r.size = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

TEST_F(partition, map_unaligned_userspace_addr)
{
	struct hvpart_gpa_range r = good_range(self);

	r.userspace_addr += 16;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

/* The last pages below 2^MAX_GPA_BITS can be mapped (an off-by-one check). */
TEST_F(partition, map_top_of_gpa_space)
{
	struct hvpart_gpa_range r = good_range(self);

	r.guest_pfn = (1ULL << (self->gpa_bits - 12)) - GOOD_PAGES;
	EXPECT_OK(ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

TEST_F(partition, map_beyond_max_gpa)
{
	struct hvpart_gpa_range r = good_range(self);
	uint64_t limit_pfn = 1ULL << (self->gpa_bits - 12);

	r.guest_pfn = limit_pfn;			/* starts at the limit */
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	r.guest_pfn = limit_pfn - 1;			/* straddles it */
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

TEST_F(partition, map_oversized)
{
	struct hvpart_gpa_range r = good_range(self);

	r.guest_pfn = 0;
	r.size = (1ULL << self->gpa_bits) + PAGE_SIZE;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

/* One range pins at most 2^27 pages (512 GiB): E2BIG before any work. */
TEST_F(partition, map_over_max_pages)
{
	struct hvpart_gpa_range r = good_range(self);

	if (self->gpa_bits < 40)
		SKIP(return, "GPA space below 1 TiB");
	r.guest_pfn = 0;
	r.size = ((1ULL << 27) + 1) * PAGE_SIZE;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

/* Drop CAP_IPC_LOCK from this process's effective set. */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
	return syscall(SYS_capset, &hdr, data);
}

/*
 * MAP charges RLIMIT_MEMLOCK before it allocates or pins: past the
 * limit it fails with ENOMEM, even for a range far too big to pin, and
 * charges nothing; within the limit it works.  In a child, which drops
 * CAP_IPC_LOCK and makes its own partition.
 */
TEST(map_memlock_limit)
{
	struct rlimit rl = { 16 * PAGE_SIZE, 16 * PAGE_SIZE };
	size_t big = 64 * PAGE_SIZE;
	int status;
	pid_t pid;

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct hvpart_gpa_range r = { .guest_pfn = 0, .flags = HV_MAP_RWX };
		struct hv_vm *vm;
		void *buf;

		if (drop_ipc_lock() || setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(10);
		vm = vm_create_bare();
		buf = hv_alloc_pages(big);
		r.userspace_addr = (uintptr_t)buf;
		r.size = big;
		if (ioctl(vm->fd, HVPART_MAP_GPA_RANGE, &r) != -1 ||
		    errno != ENOMEM)
			_exit(11);
		r.size = (1ULL << 27) * PAGE_SIZE;
		if (ioctl(vm->fd, HVPART_MAP_GPA_RANGE, &r) != -1 ||
		    errno != ENOMEM)
			_exit(12);
		if (hv_vmlck_kb() != 0)
			_exit(13);
		r.size = 8 * PAGE_SIZE;
		if (ioctl(vm->fd, HVPART_MAP_GPA_RANGE, &r))
			_exit(14);
		if (hv_vmlck_kb() != 8 * PAGE_SIZE / 1024)
			_exit(15);
		vm_free(vm);
		_exit(hv_vmlck_kb() == 0 ? 0 : 16);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(partition, map_wrapping)
{
	struct hvpart_gpa_range r = good_range(self);

	/* guest_pfn * 4096 + size wraps around 2^64 */
	r.guest_pfn = (~0ULL >> 12);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	/* guest_pfn * 4096 itself overflows */
	r.guest_pfn = 1ULL << 63;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	/* the size wraps the GPA */
	r.guest_pfn = GOOD_PFN;
	r.size = ~(PAGE_SIZE - 1);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

TEST_F(partition, map_overlap)
{
	struct hvpart_gpa_range r = good_range(self);
	struct { int64_t pfn_delta; uint64_t pages; } cases[] = {
		{ 0, GOOD_PAGES },		/* the same range */
		{ -2, 4 },			/* overlaps its head */
		{ 3, 4 },			/* overlaps its tail */
		{ -1, GOOD_PAGES + 2 },		/* contains it */
		{ 1, 1 },			/* inside it */
	};
	unsigned int i;

	ASSERT_OK(ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hvpart_gpa_range o = good_range(self);

		o.guest_pfn += cases[i].pfn_delta;
		o.size = cases[i].pages * PAGE_SIZE;
		o.userspace_addr += 8 * PAGE_SIZE;
		EXPECT_ERRNO(EEXIST, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &o));
	}
}

/* Ranges that touch without overlapping are fine. */
TEST_F(partition, map_adjacent)
{
	struct hvpart_gpa_range r = good_range(self);

	ASSERT_OK(ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	r.guest_pfn = GOOD_PFN - 1;
	r.size = PAGE_SIZE;
	r.userspace_addr += 8 * PAGE_SIZE;
	EXPECT_OK(ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	r.guest_pfn = GOOD_PFN + GOOD_PAGES;
	r.userspace_addr += PAGE_SIZE;
	EXPECT_OK(ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

TEST_F(partition, map_not_readable)
{
	uint32_t bad[] = {
		0,
		HVPART_MAP_WRITABLE,
		HVPART_MAP_EXECUTABLE,
		HVPART_MAP_WRITABLE | HVPART_MAP_EXECUTABLE,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct hvpart_gpa_range r = good_range(self);

		r.flags = bad[i];
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	}
}

TEST_F(partition, map_kernel_executable_only)
{
	struct hvpart_gpa_range r = good_range(self);

	r.flags = HVPART_MAP_READABLE | HVPART_MAP_KERNEL_EXECUTABLE;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

TEST_F(partition, map_user_executable_only)
{
	struct hvpart_gpa_range r = good_range(self);

	r.flags = HVPART_MAP_READABLE | HVPART_MAP_WRITABLE |
		  HVPART_MAP_USER_EXECUTABLE;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

TEST_F(partition, map_unknown_flags)
{
	struct hvpart_gpa_range r = good_range(self);

	r.flags = HV_MAP_RWX | (1U << HVPART_MAP_BIT_COUNT);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	r.flags = HV_MAP_RWX | (1U << 31);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

TEST_F(partition, map_rsvd)
{
	struct hvpart_gpa_range r = good_range(self);

	r.rsvd = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

/* The caller's read-only memory maps read-only, but not writable. */
TEST_F(partition, map_readonly_memory_readonly)
{
	struct hvpart_gpa_range r = good_range(self);

	ASSERT_OK(mprotect(self->buf, GOOD_PAGES * PAGE_SIZE, PROT_READ));
	r.flags = HVPART_MAP_READABLE;
	EXPECT_OK(ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

TEST_F(partition, map_readonly_memory_writable)
{
	struct hvpart_gpa_range r = good_range(self);

	ASSERT_OK(mprotect(self->buf, GOOD_PAGES * PAGE_SIZE, PROT_READ));
	r.flags = HVPART_MAP_READABLE | HVPART_MAP_WRITABLE;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

TEST_F(partition, map_unmapped_userspace_addr)
{
	struct hvpart_gpa_range r = good_range(self);

	r.userspace_addr = (uintptr_t)unmapped_addr();
	r.size = PAGE_SIZE;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	/* Memory that ends in a hole: the first pages exist, the last not. */
	ASSERT_OK(munmap(self->buf + (GOOD_PAGES - 1) * PAGE_SIZE, PAGE_SIZE));
	r = good_range(self);
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

TEST_F(partition, map_kernel_userspace_addr)
{
	struct hvpart_gpa_range r = good_range(self);

	r.userspace_addr = (uintptr_t)KERNEL_ADDR;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

TEST_F_TIMEOUT(partition, map_too_many, 300)
{
	long max = hvpart_cap(self->vm->dev_fd, HVPART_CAP_MAX_MAPPINGS);
	struct hvpart_gpa_range r = good_range(self);
	long i;

	if (max > 65536)
		SKIP(return, "CAP_MAX_MAPPINGS is %ld; filling it takes too long",
		     max);
	/* One page of the caller's memory behind all the ranges; gaps keep
	 * the ranges apart.
	 */
	r.size = PAGE_SIZE;
	for (i = 0; i < max; i++) {
		r.guest_pfn = GOOD_PFN + 2 * i;
		ASSERT_OK(ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	}
	r.guest_pfn = GOOD_PFN + 2 * max;
	EXPECT_ERRNO(ENOSPC, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	/* One slot freed is one slot usable. */
	ASSERT_OK(__vm_unmap(self->vm, GOOD_PFN * PAGE_SIZE, PAGE_SIZE));
	EXPECT_OK(ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
}

/* UNMAP_GPA_RANGE */

TEST_F(partition, unmap_never_mapped)
{
	struct hvpart_gpa_range u = unmap_arg(GOOD_PFN, GOOD_PAGES);

	EXPECT_ERRNO(ENOENT, ioctl(self->fd, HVPART_UNMAP_GPA_RANGE, &u));
}

TEST_F(partition, unmap_inexact)
{
	struct hvpart_gpa_range r = good_range(self);
	struct hvpart_gpa_range cases[] = {
		unmap_arg(GOOD_PFN, 1),				/* head */
		unmap_arg(GOOD_PFN + GOOD_PAGES - 1, 1),	/* tail */
		unmap_arg(GOOD_PFN + 1, GOOD_PAGES - 2),	/* middle */
		unmap_arg(GOOD_PFN - 1, GOOD_PAGES + 2),	/* superset */
		unmap_arg(GOOD_PFN + 1, GOOD_PAGES),		/* shifted */
	};
	unsigned int i;

	ASSERT_OK(ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		EXPECT_ERRNO(ENOENT, ioctl(self->fd, HVPART_UNMAP_GPA_RANGE,
					   &cases[i]));
	/* The range itself is still there. */
	cases[0] = unmap_arg(GOOD_PFN, GOOD_PAGES);
	EXPECT_OK(ioctl(self->fd, HVPART_UNMAP_GPA_RANGE, &cases[0]));
}

TEST_F(partition, unmap_nonzero_userspace_addr)
{
	struct hvpart_gpa_range r = good_range(self);
	struct hvpart_gpa_range u = unmap_arg(GOOD_PFN, GOOD_PAGES);

	ASSERT_OK(ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	u.userspace_addr = r.userspace_addr;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_UNMAP_GPA_RANGE, &u));
}

TEST_F(partition, unmap_nonzero_flags)
{
	struct hvpart_gpa_range r = good_range(self);
	struct hvpart_gpa_range u = unmap_arg(GOOD_PFN, GOOD_PAGES);

	ASSERT_OK(ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	u.flags = HVPART_MAP_READABLE;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_UNMAP_GPA_RANGE, &u));
}

TEST_F(partition, unmap_rsvd)
{
	struct hvpart_gpa_range r = good_range(self);
	struct hvpart_gpa_range u = unmap_arg(GOOD_PFN, GOOD_PAGES);

	ASSERT_OK(ioctl(self->fd, HVPART_MAP_GPA_RANGE, &r));
	u.rsvd = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_UNMAP_GPA_RANGE, &u));
}

/* CREATE_VP */

TEST_F(partition, create_vp)
{
	struct hvpart_create_vp cv = { .vp_index = 0 };
	int fd = ioctl(self->fd, HVPART_CREATE_VP, &cv);

	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	if (self->max_vps > 1) {
		cv.vp_index = self->max_vps - 1;
		EXPECT_OK(ioctl(self->fd, HVPART_CREATE_VP, &cv));
	}
}

TEST_F(partition, create_vp_index_out_of_range)
{
	struct hvpart_create_vp cv = { .vp_index = self->max_vps };

	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_CREATE_VP, &cv));
	cv.vp_index = 0xffffffff;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_CREATE_VP, &cv));
}

/* The limit is the MAX_VPS property, not the capability. */
TEST_F(partition, create_vp_index_above_property)
{
	struct hvpart_create_vp cv = { .vp_index = 2 };

	if (self->max_vps < 3)
		SKIP(return, "CAP_MAX_VPS is %ld, this needs 3", self->max_vps);
	vm_set_property(self->vm, HVPART_PROP_MAX_VPS, 2);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_CREATE_VP, &cv));
	cv.vp_index = 1;
	EXPECT_OK(ioctl(self->fd, HVPART_CREATE_VP, &cv));
}

TEST_F(partition, create_vp_duplicate)
{
	struct hvpart_create_vp cv = { .vp_index = 0 };

	ASSERT_OK(ioctl(self->fd, HVPART_CREATE_VP, &cv));
	EXPECT_ERRNO(EEXIST, ioctl(self->fd, HVPART_CREATE_VP, &cv));
}

TEST_F(partition, create_vp_flags)
{
	struct hvpart_create_vp cv = { .vp_index = 0, .flags = 1 };

	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_CREATE_VP, &cv));
	cv.flags = 0x80000000;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_CREATE_VP, &cv));
}

TEST_F(partition, create_vp_rsvd)
{
	struct hvpart_create_vp cv = { .vp_index = 0 };

	cv.rsvd[0] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_CREATE_VP, &cv));
	cv.rsvd[0] = 0;
	cv.rsvd[sizeof(cv.rsvd) - 1] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_CREATE_VP, &cv));
}

/* INSTALL_INTERCEPT / REMOVE_INTERCEPT */

#define RW	(HVPART_INTERCEPT_ACCESS_MASK_READ | HVPART_INTERCEPT_ACCESS_MASK_WRITE)

static struct hvpart_intercept good_intercept(void)
{
	struct hvpart_intercept ic = {
		.type = HVPART_INTERCEPT_TYPE_X64_IO_PORT,
		.access_mask = RW,
		.first = 0x80,
		.last = 0x8f,
	};

	return ic;
}

TEST_F(partition, intercept_install_remove)
{
	struct hvpart_intercept ics[] = {
		good_intercept(),
		{ HVPART_INTERCEPT_TYPE_X64_IO_PORT,
		  HVPART_INTERCEPT_ACCESS_MASK_READ, 0, 0xffff, 0, 0 },
		{ HVPART_INTERCEPT_TYPE_X64_MSR, RW, 0x1000, 0x10ff, 0, 0 },
		{ HVPART_INTERCEPT_TYPE_X64_CPUID,
		  HVPART_INTERCEPT_ACCESS_MASK_EXECUTE, 1, 1, 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ics); i++) {
		EXPECT_OK(ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ics[i]));
		EXPECT_OK(ioctl(self->fd, HVPART_REMOVE_INTERCEPT, &ics[i]));
	}
}

TEST_F(partition, intercept_unknown_type)
{
	struct hvpart_intercept ic = good_intercept();

	ic.type = HVPART_INTERCEPT_TYPE_X64_CPUID + 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
	ic.type = 0xffffffff;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
}

TEST_F(partition, intercept_unknown_access)
{
	struct hvpart_intercept ic = good_intercept();

	ic.access_mask = RW | 0x08;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
	ic.access_mask = RW | 0x80000000;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
}

TEST_F(partition, intercept_first_after_last)
{
	struct hvpart_intercept ic = good_intercept();

	ic.first = ic.last + 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
}

TEST_F(partition, intercept_port_above_ffff)
{
	struct hvpart_intercept ic = good_intercept();

	ic.first = 0xfff0;
	ic.last = 0x10000;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
	ic.first = 0x10000;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
	ic.first = 0x10080;	/* truncated to 16 bits this is 0x80 */
	ic.last = 0x1008f;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
}

TEST_F(partition, intercept_flags)
{
	struct hvpart_intercept ic = good_intercept();

	ic.flags = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
	ic.flags = 0x80000000;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
}

TEST_F(partition, intercept_rsvd)
{
	struct hvpart_intercept ic = good_intercept();

	ic.rsvd = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
}

TEST_F(partition, intercept_synthetic_msrs)
{
	uint32_t ranges[][2] = {
		{ 0x40000000, 0x40000000 },
		{ 0x400000ff, 0x400000ff },
		{ 0x40000070, 0x40000073 },	/* HV_X64_MSR_EOI..VP_ASSIST */
		{ 0x3fffffff, 0x40000000 },	/* straddles the start */
		{ 0x400000ff, 0x40000100 },	/* straddles the end */
		{ 0x00000000, 0xffffffff },	/* covers them */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ranges); i++) {
		struct hvpart_intercept ic = {
			.type = HVPART_INTERCEPT_TYPE_X64_MSR,
			.access_mask = RW,
			.first = ranges[i][0],
			.last = ranges[i][1],
		};

		EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_INSTALL_INTERCEPT,
					   &ic));
	}
}

/* The MSRs just outside 0x40000000-0x400000ff are not synthetic. */
TEST_F(partition, intercept_msrs_beside_synthetic)
{
	struct hvpart_intercept ic = {
		.type = HVPART_INTERCEPT_TYPE_X64_MSR,
		.access_mask = RW,
		.first = 0x3fffffff,
		.last = 0x3fffffff,
	};

	EXPECT_OK(ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
	/* the crash MSRs (0x40000100-0x40000105) are synthetic too */
	ic.first = 0x40000100;
	ic.last = 0x40000100;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
	ic.first = 0x40000200;
	ic.last = 0x40000200;
	EXPECT_OK(ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
}

TEST_F(partition, intercept_remove_not_installed)
{
	struct hvpart_intercept ic = good_intercept();

	EXPECT_ERRNO(ENOENT, ioctl(self->fd, HVPART_REMOVE_INTERCEPT, &ic));
	ASSERT_OK(ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
	/* Other ports, and the same numbers as MSRs, were not intercepted. */
	ic.first = 0x90;
	ic.last = 0x9f;
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, HVPART_REMOVE_INTERCEPT, &ic));
	ic = good_intercept();
	ic.type = HVPART_INTERCEPT_TYPE_X64_MSR;
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, HVPART_REMOVE_INTERCEPT, &ic));
}

/* REMOVE fails only if no part of the range was intercepted. */
TEST_F(partition, intercept_remove_overlapping)
{
	struct hvpart_intercept ic = good_intercept();

	ASSERT_OK(ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
	ic.first = 0x88;
	ic.last = 0x97;
	EXPECT_OK(ioctl(self->fd, HVPART_REMOVE_INTERCEPT, &ic));
	ic.first = 0x80;
	ic.last = 0x87;
	EXPECT_OK(ioctl(self->fd, HVPART_REMOVE_INTERCEPT, &ic));
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, HVPART_REMOVE_INTERCEPT, &ic));
}

TEST_F(partition, intercept_remove_flags)
{
	struct hvpart_intercept ic = good_intercept();

	ASSERT_OK(ioctl(self->fd, HVPART_INSTALL_INTERCEPT, &ic));
	ic.flags = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_REMOVE_INTERCEPT, &ic));
}

/* Another process (here a child that shares the fd) gets EIO. */
static int errno_in_child(int fd, unsigned long cmd, void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int r = ioctl(fd, cmd, arg);

		_exit(r == -1 ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(partition, partition_fd_other_process)
{
	struct hvpart_partition_property p = { .code = HVPART_PROP_MAX_VPS };
	struct hvpart_create_vp cv = { .vp_index = 0 };

	EXPECT_EQ(EIO, errno_in_child(self->fd, HVPART_GET_PARTITION_PROPERTY,
				      &p));
	EXPECT_EQ(EIO, errno_in_child(self->fd, HVPART_CREATE_VP, &cv));
	/* ... and the creator still can. */
	EXPECT_OK(ioctl(self->fd, HVPART_CREATE_VP, &cv));
}

/* A partition outlives the /dev/hvpart fd that made it. */
TEST_F(partition, close_dev_fd_first)
{
	struct hvpart_create_vp cv = { .vp_index = 0 };

	ASSERT_OK(close(self->vm->dev_fd));
	self->vm->dev_fd = -1;
	EXPECT_OK(ioctl(self->fd, HVPART_CREATE_VP, &cv));
	EXPECT_EQ((uint64_t)self->max_vps,
		  vm_get_property(self->vm, HVPART_PROP_MAX_VPS));
}

/* ---------------------------------------------------------------------- */
/* VP fd                                                                  */
/* ---------------------------------------------------------------------- */

FIXTURE(vp) {
	struct hv_vm *vm;
	struct hv_vp *vp;
	int fd;
};

FIXTURE_SETUP(vp)
{
	HV_SETUP_REQUIRE_DEV();
	self->vm = vm_create_bare();
	self->vp = vm_add_vp(self->vm, 0);
	self->fd = self->vp->fd;
}

FIXTURE_TEARDOWN(vp)
{
	vm_free(self->vm);
}

static struct hvpart_vp_registers vp_regs_arg(struct hvpart_register *regs,
					      uint32_t count)
{
	struct hvpart_vp_registers vr = {
		.count = count,
		.regs_ptr = (uintptr_t)regs,
	};

	return vr;
}

TEST_F(vp, unknown_ioctl)
{
	struct hvpart_gpa_range range = { .size = PAGE_SIZE };
	struct hvpart_create_vp cv = { .vp_index = 1 };

	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(HVPART_IO, 0xbf), 0));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, HVPART_MAP_GPA_RANGE, &range));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, HVPART_CREATE_VP, &cv));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(0xAE, 0x80), 0));
}

/* VPs start in the x86 reset state (Intel SDM Vol. 3 Table 10-1). */
TEST_F(vp, reset_state)
{
	struct hvpart_register r[] = {
		{ .name = HVPART_REG_RIP }, { .name = HVPART_REG_RFLAGS },
		{ .name = HVPART_REG_CR0 }, { .name = HVPART_REG_CR3 },
		{ .name = HVPART_REG_CR4 }, { .name = HVPART_REG_EFER },
		{ .name = HVPART_REG_CS }, { .name = HVPART_REG_DS },
		{ .name = HVPART_REG_SS }, { .name = HVPART_REG_GDTR },
		{ .name = HVPART_REG_IDTR }, { .name = HVPART_REG_DR6 },
		{ .name = HVPART_REG_DR7 }, { .name = HVPART_REG_PAT },
		{ .name = HVPART_REG_APIC_BASE }, { .name = HVPART_REG_RAX },
		{ .name = HVPART_REG_RSP }, { .name = HVPART_REG_R15 },
	};

	vp_get_regs(self->vp, r, ARRAY_SIZE(r));
	EXPECT_EQ(0xfff0, r[0].value.reg64);
	EXPECT_EQ(X86_RFLAGS_FIXED, r[1].value.reg64);
	EXPECT_EQ(X86_CR0_CD | X86_CR0_NW | X86_CR0_ET, r[2].value.reg64);
	EXPECT_EQ(0, r[3].value.reg64);
	EXPECT_EQ(0, r[4].value.reg64);
	EXPECT_EQ(0, r[5].value.reg64);
	EXPECT_EQ(0xf000, r[6].value.segment.selector);
	EXPECT_EQ(0xffff0000, r[6].value.segment.base);
	EXPECT_EQ(0xffff, r[6].value.segment.limit);
	EXPECT_EQ(SEG_P | SEG_S | SEG_TYPE_CODE,
		  r[6].value.segment.attributes & (SEG_P | SEG_S | SEG_TYPE_CODE));
	EXPECT_EQ(0, r[7].value.segment.selector);
	EXPECT_EQ(0, r[7].value.segment.base);
	EXPECT_EQ(0xffff, r[7].value.segment.limit);
	EXPECT_EQ(SEG_P | SEG_S | SEG_TYPE_RW,
		  r[7].value.segment.attributes &
		  (SEG_P | SEG_S | SEG_TYPE_CODE | SEG_TYPE_RW));
	EXPECT_EQ(0, r[8].value.segment.base);
	EXPECT_EQ(0xffff, r[8].value.segment.limit);
	EXPECT_EQ(0, r[9].value.table.base);
	EXPECT_EQ(0xffff, r[9].value.table.limit);
	EXPECT_EQ(0, r[10].value.table.base);
	EXPECT_EQ(0xffff, r[10].value.table.limit);
	EXPECT_EQ(0xffff0ff0, r[11].value.reg64);
	EXPECT_EQ(0x400, r[12].value.reg64);
	EXPECT_EQ(0x0007040600070406ULL, r[13].value.reg64);
	EXPECT_EQ(APIC_DEFAULT_PHYS_BASE | APIC_BASE_ENABLE,
		  r[14].value.reg64 & ~APIC_BASE_BSP);
	EXPECT_EQ(0, r[15].value.reg64);
	EXPECT_EQ(0, r[16].value.reg64);
	EXPECT_EQ(0, r[17].value.reg64);
}

/* Every register name in the header can be read, all in one call. */
TEST_F(vp, regs_get_all_names)
{
	static const uint32_t names[] = {
		HVPART_REG_PENDING_INTERRUPTION, HVPART_REG_INTERRUPT_STATE,
		HVPART_REG_DELIVERABILITY_NOTIFICATIONS,
		HVPART_REG_RAX, HVPART_REG_RCX, HVPART_REG_RDX, HVPART_REG_RBX,
		HVPART_REG_RSP, HVPART_REG_RBP, HVPART_REG_RSI, HVPART_REG_RDI,
		HVPART_REG_R8, HVPART_REG_R9, HVPART_REG_R10, HVPART_REG_R11,
		HVPART_REG_R12, HVPART_REG_R13, HVPART_REG_R14, HVPART_REG_R15,
		HVPART_REG_RIP, HVPART_REG_RFLAGS,
		HVPART_REG_CR0, HVPART_REG_CR2, HVPART_REG_CR3, HVPART_REG_CR4,
		HVPART_REG_CR8, HVPART_REG_XFEM,
		HVPART_REG_DR0, HVPART_REG_DR1, HVPART_REG_DR2, HVPART_REG_DR3,
		HVPART_REG_DR6, HVPART_REG_DR7,
		HVPART_REG_ES, HVPART_REG_CS, HVPART_REG_SS, HVPART_REG_DS,
		HVPART_REG_FS, HVPART_REG_GS, HVPART_REG_LDTR, HVPART_REG_TR,
		HVPART_REG_IDTR, HVPART_REG_GDTR,
		HVPART_REG_TSC, HVPART_REG_EFER, HVPART_REG_KERNEL_GS_BASE,
		HVPART_REG_APIC_BASE, HVPART_REG_PAT, HVPART_REG_SYSENTER_CS,
		HVPART_REG_SYSENTER_EIP, HVPART_REG_SYSENTER_ESP,
		HVPART_REG_STAR, HVPART_REG_LSTAR, HVPART_REG_CSTAR,
		HVPART_REG_SFMASK, HVPART_REG_TSC_AUX,
	};
	struct hvpart_register regs[ARRAY_SIZE(names)];
	struct hvpart_vp_registers vr = vp_regs_arg(regs, ARRAY_SIZE(regs));
	unsigned int i;

	memset(regs, 0, sizeof(regs));
	for (i = 0; i < ARRAY_SIZE(names); i++)
		regs[i].name = names[i];
	if (ioctl(self->fd, HVPART_GET_VP_REGISTERS, &vr) && vr.count < ARRAY_SIZE(names))
		TH_LOG("first register refused: %#x", names[vr.count]);
	EXPECT_EQ(ARRAY_SIZE(names), vr.count);
}

TEST_F(vp, regs_count_zero)
{
	struct hvpart_register r = { .name = HVPART_REG_RAX };
	struct hvpart_vp_registers vr = vp_regs_arg(&r, 0);

	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_GET_VP_REGISTERS, &vr));
	vr = vp_regs_arg(&r, 0);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_VP_REGISTERS, &vr));
}

TEST_F(vp, regs_count_max)
{
	struct hvpart_register regs[HVPART_MAX_REGISTERS_PER_CALL + 1];
	struct hvpart_vp_registers vr;
	unsigned int i;

	memset(regs, 0, sizeof(regs));
	for (i = 0; i < ARRAY_SIZE(regs); i++)
		regs[i].name = HVPART_REG_R8 + i % 8;
	vr = vp_regs_arg(regs, HVPART_MAX_REGISTERS_PER_CALL);
	EXPECT_OK(ioctl(self->fd, HVPART_GET_VP_REGISTERS, &vr));
	EXPECT_EQ(HVPART_MAX_REGISTERS_PER_CALL, vr.count);
	vr = vp_regs_arg(regs, HVPART_MAX_REGISTERS_PER_CALL);
	EXPECT_OK(ioctl(self->fd, HVPART_SET_VP_REGISTERS, &vr));
}

TEST_F(vp, regs_count_too_big)
{
	struct hvpart_register regs[HVPART_MAX_REGISTERS_PER_CALL + 1];
	struct hvpart_vp_registers vr;
	unsigned int i;

	memset(regs, 0, sizeof(regs));
	for (i = 0; i < ARRAY_SIZE(regs); i++)
		regs[i].name = HVPART_REG_RAX;
	vr = vp_regs_arg(regs, HVPART_MAX_REGISTERS_PER_CALL + 1);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_GET_VP_REGISTERS, &vr));
	vr = vp_regs_arg(regs, HVPART_MAX_REGISTERS_PER_CALL + 1);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_VP_REGISTERS, &vr));
	vr = vp_regs_arg(regs, 0xffffffff);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_GET_VP_REGISTERS, &vr));
}

TEST_F(vp, regs_unknown_name_get)
{
	struct hvpart_register regs[] = {
		{ .name = HVPART_REG_RAX }, { .name = HVPART_REG_RBX },
		{ .name = 0x0002ffff }, { .name = HVPART_REG_RCX },
	};
	struct hvpart_vp_registers vr = vp_regs_arg(regs, ARRAY_SIZE(regs));

	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_GET_VP_REGISTERS, &vr));
	EXPECT_EQ(2, vr.count);
}

TEST_F(vp, regs_unknown_name_set)
{
	struct hvpart_register regs[] = {
		hv_reg(HVPART_REG_RAX, 0x1111), hv_reg(HVPART_REG_RBX, 0x2222),
		hv_reg(0xdeadbeef, 0), hv_reg(HVPART_REG_RCX, 0x3333),
	};
	struct hvpart_vp_registers vr = vp_regs_arg(regs, ARRAY_SIZE(regs));

	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_VP_REGISTERS, &vr));
	EXPECT_EQ(2, vr.count);
	/* The entries before the failure were processed, the rest not. */
	EXPECT_EQ(0x1111, vp_get_reg(self->vp, HVPART_REG_RAX));
	EXPECT_EQ(0x2222, vp_get_reg(self->vp, HVPART_REG_RBX));
	EXPECT_EQ(0, vp_get_reg(self->vp, HVPART_REG_RCX));
}

TEST_F(vp, regs_bad_regs_ptr_get)
{
	struct hvpart_vp_registers vr = vp_regs_arg(NULL, 1);

	vr.regs_ptr = (uintptr_t)unmapped_addr();
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, HVPART_GET_VP_REGISTERS, &vr));
}

TEST_F(vp, regs_bad_regs_ptr_set)
{
	struct hvpart_vp_registers vr = vp_regs_arg(NULL, 1);

	vr.regs_ptr = (uintptr_t)unmapped_addr();
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, HVPART_SET_VP_REGISTERS, &vr));
}

/* GET writes the values back: a read-only array cannot take them. */
TEST_F(vp, regs_readonly_regs_get)
{
	struct hvpart_register r = { .name = HVPART_REG_RAX };
	struct hvpart_vp_registers vr =
		vp_regs_arg(readonly_copy(&r, sizeof(r)), 1);

	EXPECT_ERRNO(EFAULT, ioctl(self->fd, HVPART_GET_VP_REGISTERS, &vr));
}

TEST_F(vp, regs_flags)
{
	struct hvpart_register r = hv_reg(HVPART_REG_RAX, 1);
	struct hvpart_vp_registers vr = vp_regs_arg(&r, 1);

	vr.flags = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_GET_VP_REGISTERS, &vr));
	vr = vp_regs_arg(&r, 1);
	vr.flags = 0x80000000;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_VP_REGISTERS, &vr));
}

TEST_F(vp, regs_rsvd)
{
	struct hvpart_register r = hv_reg(HVPART_REG_RAX, 1);
	struct hvpart_vp_registers vr = vp_regs_arg(&r, 1);

	vr.rsvd[0] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_GET_VP_REGISTERS, &vr));
	vr = vp_regs_arg(&r, 1);
	vr.rsvd[sizeof(vr.rsvd) - 1] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_VP_REGISTERS, &vr));
}

TEST_F(vp, regs_element_rsvd1)
{
	struct hvpart_register r = hv_reg(HVPART_REG_RAX, 1);
	struct hvpart_vp_registers vr = vp_regs_arg(&r, 1);

	r.rsvd1 = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_VP_REGISTERS, &vr));
	EXPECT_EQ(0, vr.count);
	vr = vp_regs_arg(&r, 1);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_GET_VP_REGISTERS, &vr));
	EXPECT_EQ(0, vr.count);
}

TEST_F(vp, regs_element_rsvd2)
{
	struct hvpart_register r = hv_reg(HVPART_REG_RAX, 1);
	struct hvpart_vp_registers vr = vp_regs_arg(&r, 1);

	r.rsvd2 = 1ULL << 63;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_VP_REGISTERS, &vr));
	EXPECT_EQ(0, vr.count);
	vr = vp_regs_arg(&r, 1);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_GET_VP_REGISTERS, &vr));
	EXPECT_EQ(0, vr.count);
}

/* reg64: "bits 64-127 MBZ" */
TEST_F(vp, regs_reg64_high_half)
{
	struct hvpart_register r = hv_reg(HVPART_REG_RAX, 1);
	struct hvpart_vp_registers vr = vp_regs_arg(&r, 1);

	r.value.reg128[1] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_VP_REGISTERS, &vr));
	EXPECT_EQ(0, vp_get_reg(self->vp, HVPART_REG_RAX));
}

/*
 * Values that would fail every later VM entry are refused: a PAT with a
 * reserved memory type, a non-canonical SYSENTER, LSTAR, CSTAR or
 * KERNEL_GS_BASE.  The register keeps its value; good values go in.
 */
TEST_F(vp, regs_entry_breaking_values)
{
	static const uint32_t addrs[] = {
		HVPART_REG_SYSENTER_ESP, HVPART_REG_SYSENTER_EIP,
		HVPART_REG_LSTAR, HVPART_REG_CSTAR, HVPART_REG_KERNEL_GS_BASE,
	};
	struct hvpart_register r = hv_reg(HVPART_REG_PAT, 0x0007040600070402ULL);
	struct hvpart_vp_registers vr = vp_regs_arg(&r, 1);
	uint64_t pat = vp_get_reg(self->vp, HVPART_REG_PAT);
	unsigned int i;

	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_VP_REGISTERS, &vr));
	r.value.reg64 = 0x0007040600070408ULL;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_VP_REGISTERS, &vr));
	EXPECT_EQ(pat, vp_get_reg(self->vp, HVPART_REG_PAT));
	vp_set_reg(self->vp, HVPART_REG_PAT, 0x0007010600070406ULL);
	EXPECT_EQ(0x0007010600070406ULL, vp_get_reg(self->vp, HVPART_REG_PAT));

	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		r = hv_reg(addrs[i], 0x0000800000000000ULL);
		EXPECT_ERRNO(EINVAL,
			     ioctl(self->fd, HVPART_SET_VP_REGISTERS, &vr));
		vp_set_reg(self->vp, addrs[i], 0xffff800000001000ULL);
		EXPECT_EQ(0xffff800000001000ULL,
			  vp_get_reg(self->vp, addrs[i]));
	}
}

/* segment attributes: "bits 8-11 MBZ" */
TEST_F(vp, regs_segment_attr_rsvd)
{
	struct hvpart_register r = hv_seg_reg(HVPART_REG_DS, 0, 0xffff, 0,
					      SEG_ATTR_DATA16 | 0x100);
	struct hvpart_vp_registers vr = vp_regs_arg(&r, 1);

	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_VP_REGISTERS, &vr));
	r.value.segment.attributes = SEG_ATTR_DATA16 | 0x800;
	vr = vp_regs_arg(&r, 1);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_VP_REGISTERS, &vr));
}

/* table registers: "pad MBZ" */
TEST_F(vp, regs_table_pad)
{
	struct hvpart_register r = hv_table_reg(HVPART_REG_GDTR, 0x1000, 0xff);
	struct hvpart_vp_registers vr = vp_regs_arg(&r, 1);

	r.value.table.pad[0] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_SET_VP_REGISTERS, &vr));
}

/* SETs @regs, GETs them back and compares every value. */
static void regs_roundtrip(struct __test_metadata *_metadata,
			   struct hv_vp *vp, struct hvpart_register *regs,
			   unsigned int n)
{
	struct hvpart_register got[32];
	unsigned int i;

	ASSERT_GE(32, n);
	vp_set_regs(vp, regs, n);
	memset(got, 0, sizeof(got));
	for (i = 0; i < n; i++)
		got[i].name = regs[i].name;
	vp_get_regs(vp, got, n);
	for (i = 0; i < n; i++) {
		if (memcmp(&got[i].value, &regs[i].value, sizeof(got[i].value)))
			TH_LOG("register %#x: set %#llx:%#llx, got %#llx:%#llx",
			       regs[i].name,
			       (unsigned long long)regs[i].value.reg128[1],
			       (unsigned long long)regs[i].value.reg128[0],
			       (unsigned long long)got[i].value.reg128[1],
			       (unsigned long long)got[i].value.reg128[0]);
		EXPECT_EQ(0, memcmp(&got[i].value, &regs[i].value,
				    sizeof(got[i].value)));
	}
}

TEST_F(vp, regs_roundtrip_gprs)
{
	struct hvpart_register regs[16];
	unsigned int i;

	for (i = 0; i < 16; i++)
		regs[i] = hv_reg(HVPART_REG_RAX + i,
				 0x0101010101010101ULL * (i + 1) ^ (1ULL << 63));
	regs_roundtrip(_metadata, self->vp, regs, 16);
}

TEST_F(vp, regs_roundtrip_rip_rflags)
{
	struct hvpart_register regs[] = {
		hv_reg(HVPART_REG_RIP, 0x7f0012345678ULL),
		/* CF, PF, ZF, SF, DF, OF and the fixed bit */
		hv_reg(HVPART_REG_RFLAGS, 0xcc7),
	};

	regs_roundtrip(_metadata, self->vp, regs, ARRAY_SIZE(regs));
}

TEST_F(vp, regs_roundtrip_segments)
{
	struct hvpart_register regs[] = {
		hv_seg_reg(HVPART_REG_CS, 0x10000, 0xffff, 0x1000,
			   SEG_ATTR_CODE16),
		hv_seg_reg(HVPART_REG_DS, 0x12345000, 0xfffff, 0x23,
			   SEG_ATTR_DATA16 | (3 << 5)),
		hv_seg_reg(HVPART_REG_ES, 0, 0xffffffff, 0x10, SEG_ATTR_DATA32),
		hv_seg_reg(HVPART_REG_SS, 0x2000, 0xffff, 0x200,
			   SEG_ATTR_DATA16),
		hv_seg_reg(HVPART_REG_FS, 0x7f0012345000ULL, 0xffffffff, 0x10,
			   SEG_ATTR_DATA32),
		hv_seg_reg(HVPART_REG_GS, 0xffff888012340000ULL, 0xffffffff,
			   0x18, SEG_ATTR_DATA32),
		hv_seg_reg(HVPART_REG_LDTR, 0x5000, 0x1ff, 0x38, SEG_ATTR_LDT),
		hv_seg_reg(HVPART_REG_TR, 0x6000, 0x67, 0x40,
			   SEG_ATTR_TSS_BUSY),
	};

	regs_roundtrip(_metadata, self->vp, regs, ARRAY_SIZE(regs));
}

TEST_F(vp, regs_roundtrip_tables)
{
	struct hvpart_register regs[] = {
		hv_table_reg(HVPART_REG_GDTR, 0xfffffe0000001000ULL, 0x7f),
		hv_table_reg(HVPART_REG_IDTR, 0x3000, 0xfff),
	};

	regs_roundtrip(_metadata, self->vp, regs, ARRAY_SIZE(regs));
}

/* A consistent long-mode set, in an order valid one register at a time. */
TEST_F(vp, regs_roundtrip_crs_efer)
{
	struct hvpart_register regs[] = {
		hv_reg(HVPART_REG_CR2, 0xdeadbeef000ULL),
		hv_reg(HVPART_REG_CR3, 0x12345000),
		hv_reg(HVPART_REG_CR4, X86_CR4_PAE),
		hv_reg(HVPART_REG_EFER, EFER_LME | EFER_LMA | EFER_SCE),
		hv_reg(HVPART_REG_CR0, X86_CR0_PG | X86_CR0_WP | X86_CR0_NE |
		       X86_CR0_ET | X86_CR0_MP | X86_CR0_PE),
	};

	regs_roundtrip(_metadata, self->vp, regs, ARRAY_SIZE(regs));
}

TEST_F(vp, regs_roundtrip_cr8)
{
	struct hvpart_register regs[] = { hv_reg(HVPART_REG_CR8, 5) };

	regs_roundtrip(_metadata, self->vp, regs, ARRAY_SIZE(regs));
}

/*
 * XCR0 holds x87 always; SSE too where the host has XSAVE enabled it
 * (the emulated qemu64 CPU has no XSAVE: there only x87 is valid).
 */
TEST_F(vp, regs_roundtrip_xfem)
{
	struct hvpart_register regs[] = { hv_reg(HVPART_REG_XFEM, 1) };
	uint32_t a, b, c, d;

	host_cpuid(1, 0, &a, &b, &c, &d);
	if (c & (1U << 27)) {			/* OSXSAVE */
		uint32_t lo, hi;

		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		regs[0].value.reg64 = lo & 3;	/* x87 | SSE */
	}
	regs_roundtrip(_metadata, self->vp, regs, ARRAY_SIZE(regs));
}

TEST_F(vp, regs_roundtrip_drs)
{
	struct hvpart_register regs[] = {
		hv_reg(HVPART_REG_DR0, 0x1000),
		hv_reg(HVPART_REG_DR1, 0x7fff0000ULL),
		hv_reg(HVPART_REG_DR2, 0xffffffff81000000ULL),
		hv_reg(HVPART_REG_DR3, 0x12345678),
		hv_reg(HVPART_REG_DR6, 0xffff0ff1),	/* B0 */
		hv_reg(HVPART_REG_DR7, 0x00000401),	/* L0 */
	};

	regs_roundtrip(_metadata, self->vp, regs, ARRAY_SIZE(regs));
}

TEST_F(vp, regs_roundtrip_msrs)
{
	struct hvpart_register regs[] = {
		hv_reg(HVPART_REG_KERNEL_GS_BASE, 0xffff888000001000ULL),
		hv_reg(HVPART_REG_PAT, 0x0007010600070106ULL),
		hv_reg(HVPART_REG_SYSENTER_CS, 0x10),
		hv_reg(HVPART_REG_SYSENTER_EIP, 0xffffffff81001000ULL),
		hv_reg(HVPART_REG_SYSENTER_ESP, 0xffffc90000004000ULL),
		hv_reg(HVPART_REG_STAR, 0x0023001000000000ULL),
		hv_reg(HVPART_REG_LSTAR, 0xffffffff81002000ULL),
		hv_reg(HVPART_REG_CSTAR, 0xffffffff81003000ULL),
		hv_reg(HVPART_REG_SFMASK, 0x47700),
		hv_reg(HVPART_REG_TSC_AUX, 3),
	};

	regs_roundtrip(_metadata, self->vp, regs, ARRAY_SIZE(regs));
}

/* The TSC moves on: what comes back lies between the set value and now. */
TEST_F(vp, regs_tsc)
{
	uint64_t set = 1ULL << 40, got;

	vp_set_reg(self->vp, HVPART_REG_TSC, set);
	got = vp_get_reg(self->vp, HVPART_REG_TSC);
	EXPECT_LE(set, got);
	EXPECT_GT(set + (1ULL << 36), got);	/* less than ~20 s at 4 GHz */
}

/* TRANSLATE_GVA */

static struct hvpart_translate_gva translate_arg(uint64_t gva, uint32_t flags)
{
	struct hvpart_translate_gva t = { .gva = gva, .flags = flags };

	return t;
}

TEST_F(vp, translate_gva_flags)
{
	struct hvpart_translate_gva t = translate_arg(0x1000, 0x10);

	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_TRANSLATE_GVA, &t));
	t = translate_arg(0x1000, HVPART_TRANSLATE_GVA_VALIDATE_READ |
			  0x80000000);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_TRANSLATE_GVA, &t));
}

TEST_F(vp, translate_gva_rsvd)
{
	struct hvpart_translate_gva t =
		translate_arg(0x1000, HVPART_TRANSLATE_GVA_VALIDATE_READ);

	t.rsvd[0] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, HVPART_TRANSLATE_GVA, &t));
}

TEST_F(vp, translate_gva_readonly_arg)
{
	struct hvpart_translate_gva t =
		translate_arg(0x1000, HVPART_TRANSLATE_GVA_VALIDATE_READ);

	EXPECT_ERRNO(EFAULT, ioctl(self->fd, HVPART_TRANSLATE_GVA,
				   readonly_copy(&t, sizeof(t))));
}

/* Paging is off in the reset state: the GVA is the GPA. */
TEST_F(vp, translate_gva_paging_off)
{
	uint8_t *mem = hv_alloc_pages(0x10000);
	struct hvpart_translate_gva t =
		translate_arg(0x1234, HVPART_TRANSLATE_GVA_VALIDATE_READ);

	vm_map(self->vm, 0, 0x10000, mem, HV_MAP_RWX);
	ASSERT_OK(ioctl(self->fd, HVPART_TRANSLATE_GVA, &t));
	EXPECT_EQ(HVPART_TRANSLATE_GVA_SUCCESS, t.result);
	EXPECT_EQ(0x1234, t.gpa);
}

/* Through host-built 4-level page tables. */
TEST(translate_gva_long_mode)
{
	uint64_t gva = 0x7f0000000000ULL;
	struct hvpart_translate_gva t;
	struct hv_vm *vm;
	struct hv_vp *vp;

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	vm = vm_create(GUEST_MEM_SIZE);
	vp = vm_add_vp(vm, 0);
	vp_setup_mode(vp, GUEST_MODE_LONG64, LOAD_GPA);
	vm_map_gva(vm, gva, DATA_GPA + 0x5000, PTE_RW);
	vm_map_gva(vm, gva + PAGE_SIZE, DATA_GPA + 0x6000, 0);	/* read-only */

	t = translate_arg(gva + 0x234, HVPART_TRANSLATE_GVA_VALIDATE_READ |
			  HVPART_TRANSLATE_GVA_VALIDATE_WRITE);
	ASSERT_OK(ioctl(vp->fd, HVPART_TRANSLATE_GVA, &t));
	EXPECT_EQ(HVPART_TRANSLATE_GVA_SUCCESS, t.result);
	EXPECT_EQ(DATA_GPA + 0x5234, t.gpa);

	/* the identity map */
	t = translate_arg(0x145678, HVPART_TRANSLATE_GVA_VALIDATE_READ);
	ASSERT_OK(ioctl(vp->fd, HVPART_TRANSLATE_GVA, &t));
	EXPECT_EQ(HVPART_TRANSLATE_GVA_SUCCESS, t.result);
	EXPECT_EQ(0x145678, t.gpa);
	/* ... beyond the guest's memory */
	t = translate_arg(GUEST_MEM_SIZE + 0x5678,
			  HVPART_TRANSLATE_GVA_VALIDATE_READ);
	ASSERT_OK(ioctl(vp->fd, HVPART_TRANSLATE_GVA, &t));
	EXPECT_EQ(HVPART_TRANSLATE_GVA_GPA_UNMAPPED, t.result);

	t = translate_arg(gva + 2 * PAGE_SIZE, HVPART_TRANSLATE_GVA_VALIDATE_READ);
	ASSERT_OK(ioctl(vp->fd, HVPART_TRANSLATE_GVA, &t));
	EXPECT_EQ(HVPART_TRANSLATE_GVA_PAGE_NOT_PRESENT, t.result);

	/* CR0.WP is set: a supervisor write to a read-only page fails */
	t = translate_arg(gva + PAGE_SIZE, HVPART_TRANSLATE_GVA_VALIDATE_WRITE);
	ASSERT_OK(ioctl(vp->fd, HVPART_TRANSLATE_GVA, &t));
	EXPECT_EQ(HVPART_TRANSLATE_GVA_PRIVILEGE_VIOLATION, t.result);
	t = translate_arg(gva + PAGE_SIZE, HVPART_TRANSLATE_GVA_VALIDATE_READ);
	ASSERT_OK(ioctl(vp->fd, HVPART_TRANSLATE_GVA, &t));
	EXPECT_EQ(HVPART_TRANSLATE_GVA_SUCCESS, t.result);
	EXPECT_EQ(DATA_GPA + 0x6000, t.gpa);
	vm_free(vm);
}

/* mmap of the VP fd */

TEST_F(vp, mmap_run_page)
{
	size_t size = hvpart_vp_mmap_size(self->vm->dev_fd);
	struct hvpart_run *run = mmap(NULL, size, PROT_READ | PROT_WRITE,
				      MAP_SHARED, self->fd, 0);

	ASSERT_NE(MAP_FAILED, run);
	EXPECT_EQ(HVPART_MSG_NONE, run->msg.header.message_type);
	EXPECT_EQ(0, run->completion);
	EXPECT_EQ(0, run->immediate_exit);
	/* The same page as the library's own mapping. */
	run->completion_rax = 0x5a5a5a5a;
	EXPECT_EQ(0x5a5a5a5a, self->vp->run->completion_rax);
	munmap(run, size);
}

TEST_F(vp, mmap_other_offset)
{
	size_t size = hvpart_vp_mmap_size(self->vm->dev_fd);
	off_t off = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	void *p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       self->fd, off);

	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, 16 * PAGE_SIZE);
	EXPECT_EQ(MAP_FAILED, p);
}

TEST_F(vp, vp_fd_other_process)
{
	struct hvpart_register r = { .name = HVPART_REG_RIP };
	struct hvpart_vp_registers vr = vp_regs_arg(&r, 1);

	EXPECT_EQ(EIO, errno_in_child(self->fd, HVPART_GET_VP_REGISTERS, &vr));
	EXPECT_EQ(EIO, errno_in_child(self->fd, HVPART_RUN_VP, NULL));
	/* ... and the creator still can. */
	EXPECT_OK(ioctl(self->fd, HVPART_GET_VP_REGISTERS, &vr));
}

/* Closing the partition fd first leaves the VP usable, memory included. */
TEST(close_partition_fd_first)
{
	static const uint8_t hlt[] = { 0xf4 };
	struct hv_vm *vm;
	struct hv_vp *vp;

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	vm = vm_create(GUEST_MEM_SIZE);
	vp = vm_add_vp(vm, 0);
	vm_load(vm, LOAD_GPA, hlt, hlt + 1);
	vp_setup_mode(vp, GUEST_MODE_REAL, LOAD_GPA);
	ASSERT_OK(close(vm->fd));
	vm->fd = -1;
	ASSERT_OK(close(vm->dev_fd));
	vm->dev_fd = -1;

	EXPECT_EQ(LOAD_GPA, vp_get_reg(vp, HVPART_REG_RIP));
	ASSERT_MSG(vp, HVPART_MSG_X64_HALT);
	EXPECT_EQ(LOAD_GPA + 1, vp_get_reg(vp, HVPART_REG_RIP));
	vm_free(vm);
}

TEST_HARNESS_MAIN
