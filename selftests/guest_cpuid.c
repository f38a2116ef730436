// SPDX-License-Identifier: GPL-2.0
/*
 * guest_cpuid: CPUID as a child partition sees it (the host's vendor, the
 * hypervisor-present bit, the TLFS leaves) and CPUID intercepts, whose
 * message carries the leaf and the results hvpart would have given.
 */
#include "kselftest_harness.h"
#include "hvpart_util.h"

FIXTURE(guest) {
	struct hv_vm *vm;
	struct hv_vp *vp;
};

FIXTURE_SETUP(guest)
{
	HV_SETUP_REQUIRE_DEV();
	self->vm = vm_create(GUEST_MEM_SIZE);
	self->vp = vm_add_vp(self->vm, 0);
}

FIXTURE_TEARDOWN(guest)
{
	vm_free(self->vm);
}

/* CPUID leaf \leaf; reports EAX, EBX, ECX, EDX in that order. */
__asm__(".macro CPUID_REPORT leaf\n"
	"	mov $\\leaf, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cpuid\n"
	"	GUEST_REPORT\n"
	"	mov %rbx, %rax\n"
	"	GUEST_REPORT\n"
	"	mov %rcx, %rax\n"
	"	GUEST_REPORT\n"
	"	mov %rdx, %rax\n"
	"	GUEST_REPORT\n"
	".endm\n");

__asm__(GUEST_ASM_BEGIN(g_cpuid)
	".code64\n"
	"	CPUID_REPORT 0\n"
	"	CPUID_REPORT 1\n"
	"	CPUID_REPORT 0x40000000\n"
	"	CPUID_REPORT 0x40000001\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_cpuid));
GUEST_CODE_DECLARE(g_cpuid);

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static void read_cpuid_reports(struct __test_metadata *_metadata,
			       struct hv_vp *vp, struct cpuid_regs *r)
{
	uint32_t *out[] = { &r->eax, &r->ebx, &r->ecx, &r->edx };
	struct ucall uc;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		vp_run(vp);
		if (get_ucall(vp, &uc) != UCALL_REPORT)
			hv_dump_msg(&vp->run->msg);
		ASSERT_EQ(UCALL_REPORT, uc.type);
		/* CPUID clears the upper halves of the registers. */
		EXPECT_EQ(0, uc.arg >> 32);
		*out[i] = uc.arg;
	}
}

/* Runs g_cpuid to the end and returns what it reported. */
static void run_g_cpuid(struct __test_metadata *_metadata, struct hv_vp *vp,
			struct cpuid_regs r[4])
{
	int i;

	vp_load_guest(vp, GUEST_MODE_LONG64, g_cpuid_start, g_cpuid_end);
	for (i = 0; i < 4; i++)
		read_cpuid_reports(_metadata, vp, &r[i]);
	ASSERT_DONE(vp);
}

/* Leaf 0 gives the host's vendor; leaf 1 ECX bit 31: hypervisor present. */
TEST_F(guest, cpuid_vendor_hypervisor_bit)
{
	struct cpuid_regs host, r[4];

	run_g_cpuid(_metadata, self->vp, r);
	host_cpuid(0, 0, &host.eax, &host.ebx, &host.ecx, &host.edx);
	EXPECT_EQ(host.ebx, r[0].ebx);
	EXPECT_EQ(host.edx, r[0].edx);
	EXPECT_EQ(host.ecx, r[0].ecx);
	EXPECT_LE(1, r[0].eax);
	EXPECT_EQ(1U << 31, r[1].ecx & (1U << 31));
}

/*
 * The TLFS interface: "Microsoft Hv" with leaves up to at least 0x40000005
 * (Linux's HYPERV_CPUID_MIN: below it Linux does not detect Hyper-V), and
 * "Hv#1".
 */
TEST_F(guest, cpuid_hyperv_leaves)
{
	struct cpuid_regs r[4];

	run_g_cpuid(_metadata, self->vp, r);
	EXPECT_LE(0x40000005, r[2].eax);
	EXPECT_GE(0x4000ffff, r[2].eax);
	EXPECT_EQ(0x7263694d, r[2].ebx);	/* "Micr" */
	EXPECT_EQ(0x666f736f, r[2].ecx);	/* "osof" */
	EXPECT_EQ(0x76482074, r[2].edx);	/* "t Hv" */
	EXPECT_EQ(0x31237648, r[3].eax);	/* "Hv#1" */
}

/*
 * Leaf 1 twice: first with no intercept, then (after SYNC 1, when the
 * host installs one) intercepted; then leaf 0, outside the range.
 */
__asm__(GUEST_ASM_BEGIN(g_cpuid_icpt)
	".code64\n"
	"	CPUID_REPORT 1\n"
	"	GUEST_SYNC 1\n"
	"	mov $1, %eax\n"
	"	mov $0x5a5a, %ecx\n"
	"	movabs $0x1111111111111111, %rbx\n"
	"	movabs $0x2222222222222222, %rdx\n"
	".global g_cpuid_icpt_insn\n"
	"g_cpuid_icpt_insn:\n"
	"	cpuid\n"
	"	GUEST_REPORT\n"
	"	mov %rbx, %rax\n"
	"	GUEST_REPORT\n"
	"	mov %rcx, %rax\n"
	"	GUEST_REPORT\n"
	"	mov %rdx, %rax\n"
	"	GUEST_REPORT\n"
	"	CPUID_REPORT 0\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_cpuid_icpt));
GUEST_CODE_DECLARE(g_cpuid_icpt);
GUEST_LABEL_DECLARE(g_cpuid_icpt_insn);

TEST_F(guest, cpuid_intercept)
{
	const struct hvpart_x64_cpuid_intercept *c =
		&self->vp->run->msg.u.cpuid;
	struct cpuid_regs plain, l0;
	uint32_t a, b, cx, d;

	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_cpuid_icpt_start,
		      g_cpuid_icpt_end);
	read_cpuid_reports(_metadata, self->vp, &plain);
	ASSERT_SYNC(self->vp, 1);

	vm_install_intercept(self->vm, HVPART_INTERCEPT_TYPE_X64_CPUID,
			     HVPART_INTERCEPT_ACCESS_MASK_EXECUTE, 1, 1);
	ASSERT_MSG(self->vp, HVPART_MSG_X64_CPUID_INTERCEPT);
	EXPECT_EQ(GUEST_GPA(g_cpuid_icpt, g_cpuid_icpt_insn), c->header.rip);
	EXPECT_EQ(2, c->header.instruction_length);
	EXPECT_EQ(HVPART_INTERCEPT_ACCESS_EXECUTE,
		  c->header.intercept_access_type);
	EXPECT_EQ(0, c->header.vp_index);
	EXPECT_EQ(1, c->rax);
	EXPECT_EQ(0x5a5a, c->rcx);
	EXPECT_EQ(0x1111111111111111ULL, c->rbx);
	EXPECT_EQ(0x2222222222222222ULL, c->rdx);
	/* The default results are what the guest got without the intercept
	 * (the subleaf does not matter for leaf 1).
	 */
	EXPECT_EQ(plain.eax, c->default_result_rax);
	EXPECT_EQ(plain.ebx, c->default_result_rbx);
	EXPECT_EQ(plain.ecx, c->default_result_rcx);
	EXPECT_EQ(plain.edx, c->default_result_rdx);

	/* The root answers with its own values. */
	self->vp->run->completion = HVPART_RUN_COMPLETE_ADVANCE_RIP |
		HVPART_RUN_COMPLETE_SET_RAX | HVPART_RUN_COMPLETE_SET_RDX |
		HVPART_RUN_COMPLETE_SET_RCX_RBX;
	self->vp->run->completion_rax = 0xa1;
	self->vp->run->completion_rbx = 0xb2;
	self->vp->run->completion_rcx = 0xc3;
	self->vp->run->completion_rdx = 0xd4;
	ASSERT_REPORT(self->vp, 0xa1);
	ASSERT_REPORT(self->vp, 0xb2);
	ASSERT_REPORT(self->vp, 0xc3);
	ASSERT_REPORT(self->vp, 0xd4);

	/* Leaf 0 is not in the intercepted range. */
	read_cpuid_reports(_metadata, self->vp, &l0);
	host_cpuid(0, 0, &a, &b, &cx, &d);
	EXPECT_EQ(b, l0.ebx);
	ASSERT_DONE(self->vp);
}

/* HVPART_SET_CPUID with @n entries at @e; returns the ioctl's result. */
static int set_cpuid(struct hv_vm *vm, struct hvpart_cpuid_entry *e, __u32 n)
{
	struct hvpart_cpuid c = {
		.nent = n,
		.entries_ptr = (unsigned long)e,
	};

	return ioctl(vm->fd, HVPART_SET_CPUID, &c);
}

/*
 * The root's own leaves (as KVM_SET_CPUID2): leaf 0 and leaf 1 come back
 * exactly as set, the hypervisor leaves still come from the properties,
 * and emptying the table brings the host's defaults back.
 */
TEST_F(guest, set_cpuid_leaves)
{
	struct hvpart_cpuid_entry e[] = {
		{ .function = 0, .eax = 0xd, .ebx = 0x11111111,
		  .ecx = 0x22222222, .edx = 0x33333333 },
		{ .function = 1, .eax = 0x00a00f11, .ebx = 0x44,
		  .ecx = 0x55, .edx = 0x66 },
	};
	struct cpuid_regs host, r[4];

	ASSERT_LE(2, ioctl(self->vm->dev_fd, HVPART_CHECK_EXTENSION,
			   HVPART_CAP_SET_CPUID));
	ASSERT_EQ(0, set_cpuid(self->vm, e, 2));
	run_g_cpuid(_metadata, self->vp, r);
	EXPECT_EQ(0xd, r[0].eax);
	EXPECT_EQ(0x11111111, r[0].ebx);
	EXPECT_EQ(0x22222222, r[0].ecx);
	EXPECT_EQ(0x33333333, r[0].edx);
	EXPECT_EQ(0x00a00f11, r[1].eax);
	EXPECT_EQ(0x44, r[1].ebx);
	EXPECT_EQ(0x55, r[1].ecx);	/* exactly as set: no hypervisor bit */
	EXPECT_EQ(0x66, r[1].edx);
	EXPECT_EQ(0x7263694d, r[2].ebx);	/* "Micr": still the properties' */

	ASSERT_EQ(0, set_cpuid(self->vm, NULL, 0));
	run_g_cpuid(_metadata, self->vp, r);
	host_cpuid(0, 0, &host.eax, &host.ebx, &host.ecx, &host.edx);
	EXPECT_EQ(host.ebx, r[0].ebx);
	EXPECT_EQ(1U << 31, r[1].ecx & (1U << 31));
}

TEST_F(guest, set_cpuid_rejects)
{
	struct hvpart_cpuid_entry e[2] = { { .function = 1 }, { .function = 7 } };
	struct hvpart_cpuid c = { .nent = 1, .entries_ptr = (unsigned long)e };

	/* the hypervisor range belongs to the properties */
	e[0].function = 0x40000003;
	EXPECT_EQ(-1, set_cpuid(self->vm, e, 1));
	EXPECT_EQ(EINVAL, errno);
	e[0].function = 1;
	/* one leaf twice */
	e[1].function = 1;
	EXPECT_EQ(-1, set_cpuid(self->vm, e, 2));
	EXPECT_EQ(EINVAL, errno);
	e[1].function = 7;
	/* unknown entry flags, nonzero entry reserved field */
	e[0].flags = 2;
	EXPECT_EQ(-1, set_cpuid(self->vm, e, 1));
	EXPECT_EQ(EINVAL, errno);
	e[0].flags = 0;
	e[0].rsvd = 1;
	EXPECT_EQ(-1, set_cpuid(self->vm, e, 1));
	EXPECT_EQ(EINVAL, errno);
	e[0].rsvd = 0;
	/* header: flags, reserved bytes, too many entries, bad pointer */
	c.flags = 1;
	EXPECT_EQ(-1, ioctl(self->vm->fd, HVPART_SET_CPUID, &c));
	EXPECT_EQ(EINVAL, errno);
	c.flags = 0;
	c.rsvd[3] = 1;
	EXPECT_EQ(-1, ioctl(self->vm->fd, HVPART_SET_CPUID, &c));
	EXPECT_EQ(EINVAL, errno);
	c.rsvd[3] = 0;
	c.nent = HVPART_MAX_CPUID_ENTRIES + 1;
	EXPECT_EQ(-1, ioctl(self->vm->fd, HVPART_SET_CPUID, &c));
	EXPECT_EQ(EINVAL, errno);
	c.nent = 1;
	c.entries_ptr = 8;
	EXPECT_EQ(-1, ioctl(self->vm->fd, HVPART_SET_CPUID, &c));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->vm->fd, HVPART_SET_CPUID, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* and the valid table still goes in */
	EXPECT_EQ(0, set_cpuid(self->vm, e, 2));
}

static int get_supported(int dev_fd, struct hvpart_cpuid_entry *e,
			 uint32_t *nent)
{
	struct hvpart_cpuid c = {
		.nent = *nent, .entries_ptr = (unsigned long)e,
	};
	int ret = ioctl(dev_fd, HVPART_GET_SUPPORTED_CPUID, &c);

	*nent = c.nent;
	return ret;
}

static const struct hvpart_cpuid_entry *
find_leaf(const struct hvpart_cpuid_entry *e, uint32_t n, uint32_t leaf,
	  uint32_t index)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (e[i].function == leaf && e[i].index == index)
			return &e[i];
	}
	return NULL;
}

#define BIT32(n)	(1U << (n))

/*
 * HVPART_GET_SUPPORTED_CPUID lists what hvpart offers, built up from what
 * it virtualizes: none of the features whose MSRs or instructions it
 * does not handle (PMU, MTRR, MCA, speculation control, INVPCID,
 * WAITPKG, PKU, MONITOR, VMX/SVM, x2APIC, RDTSCP/RDPID).
 */
TEST_F(guest, supported_cpuid)
{
	struct hvpart_cpuid_entry e[HVPART_MAX_CPUID_ENTRIES];
	const struct hvpart_cpuid_entry *l;
	uint32_t n = HVPART_MAX_CPUID_ENTRIES;
	struct cpuid_regs host;

	EXPECT_EQ(HVPART_MAX_CPUID_ENTRIES,
		  hvpart_cap(self->vm->dev_fd, HVPART_CAP_SUPPORTED_CPUID));
	ASSERT_EQ(0, get_supported(self->vm->dev_fd, e, &n));
	ASSERT_LT(2, n);

	l = find_leaf(e, n, 0, 0);
	ASSERT_NE(NULL, l);
	host_cpuid(0, 0, &host.eax, &host.ebx, &host.ecx, &host.edx);
	EXPECT_EQ(host.ebx, l->ebx);
	EXPECT_GE(0xd, l->eax);

	l = find_leaf(e, n, 1, 0);
	ASSERT_NE(NULL, l);
	EXPECT_TRUE(l->ecx & BIT32(31));		/* hypervisor */
	EXPECT_EQ(0, l->ecx & (BIT32(3) | BIT32(5) | BIT32(6) | BIT32(15) |
			       BIT32(21) | BIT32(24)));
	EXPECT_EQ(0, l->edx & (BIT32(12) | BIT32(14) | BIT32(28)));
	l = find_leaf(e, n, 7, 0);
	if (l) {
		EXPECT_EQ(HVPART_CPUID_FLAG_SIGNIFICANT_INDEX, l->flags);
		EXPECT_EQ(0, l->ebx & (BIT32(10) | BIT32(11) | BIT32(4)));
		EXPECT_EQ(0, l->ecx & (BIT32(3) | BIT32(4) | BIT32(5) |
				       BIT32(16) | BIT32(22)));
		EXPECT_EQ(0, l->edx & (BIT32(26) | BIT32(27) | BIT32(29) |
				       BIT32(31)));
	}
	/* no PMU: leaf 0xA is not listed (and reads as zero) */
	EXPECT_EQ(NULL, find_leaf(e, n, 0xa, 0));
	l = find_leaf(e, n, 0x80000001, 0);
	if (l) {
		EXPECT_EQ(0, l->ecx & BIT32(2));		/* SVM */
		EXPECT_EQ(0, l->edx & BIT32(27));		/* RDTSCP */
	}
	l = find_leaf(e, n, 0x80000008, 0);
	if (l)
		EXPECT_EQ(0, l->ebx & (BIT32(12) | BIT32(14) | BIT32(24)));
	EXPECT_EQ(NULL, find_leaf(e, n, 0x8000000a, 0));
}

TEST_F(guest, supported_cpuid_rejects)
{
	struct hvpart_cpuid_entry e[HVPART_MAX_CPUID_ENTRIES];
	struct hvpart_cpuid c = { .entries_ptr = (unsigned long)e };
	uint32_t n = 1, all = HVPART_MAX_CPUID_ENTRIES;
	int dev = self->vm->dev_fd;

	ASSERT_EQ(0, get_supported(dev, e, &all));
	/* too small: E2BIG, and nent says how many are needed */
	EXPECT_EQ(-1, get_supported(dev, e, &n));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(all, n);
	c.nent = HVPART_MAX_CPUID_ENTRIES;
	c.flags = 1;
	EXPECT_EQ(-1, ioctl(dev, HVPART_GET_SUPPORTED_CPUID, &c));
	EXPECT_EQ(EINVAL, errno);
	c.flags = 0;
	c.rsvd[0] = 1;
	EXPECT_EQ(-1, ioctl(dev, HVPART_GET_SUPPORTED_CPUID, &c));
	EXPECT_EQ(EINVAL, errno);
	c.rsvd[0] = 0;
	c.nent = HVPART_MAX_CPUID_ENTRIES + 1;
	EXPECT_EQ(-1, ioctl(dev, HVPART_GET_SUPPORTED_CPUID, &c));
	EXPECT_EQ(EINVAL, errno);
	c.nent = HVPART_MAX_CPUID_ENTRIES;
	c.entries_ptr = 8;
	EXPECT_EQ(-1, ioctl(dev, HVPART_GET_SUPPORTED_CPUID, &c));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(dev, HVPART_GET_SUPPORTED_CPUID, NULL));
	EXPECT_EQ(EFAULT, errno);
}

/* The guest's leaf 7 and 0x80000008 are the supported ones. */
__asm__(GUEST_ASM_BEGIN(g_cpuid_sup)
	".code64\n"
	"	CPUID_REPORT 7\n"
	"	CPUID_REPORT 0x80000008\n"
	"	CPUID_REPORT 0xa\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_cpuid_sup));
GUEST_CODE_DECLARE(g_cpuid_sup);

TEST_F(guest, guest_sees_supported_cpuid)
{
	struct hvpart_cpuid_entry e[HVPART_MAX_CPUID_ENTRIES];
	static const uint32_t leaves[] = { 7, 0x80000008, 0xa };
	uint32_t n = HVPART_MAX_CPUID_ENTRIES;
	struct cpuid_regs r;
	unsigned int i;

	ASSERT_EQ(0, get_supported(self->vm->dev_fd, e, &n));
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_cpuid_sup_start,
		      g_cpuid_sup_end);
	for (i = 0; i < ARRAY_SIZE(leaves); i++) {
		const struct hvpart_cpuid_entry *l;

		read_cpuid_reports(_metadata, self->vp, &r);
		l = find_leaf(e, n, leaves[i], 0);
		EXPECT_EQ(l ? l->eax : 0, r.eax);
		EXPECT_EQ(l ? l->ebx : 0, r.ebx);
		EXPECT_EQ(l ? l->ecx : 0, r.ecx);
		EXPECT_EQ(l ? l->edx : 0, r.edx);
	}
	ASSERT_DONE(self->vp);
}

TEST_HARNESS_MAIN
