// SPDX-License-Identifier: GPL-2.0
/*
 * hyperv_discovery: the TLFS feature and interface discovery leaves as a
 * child partition sees them (TLFS "Feature and Interface Discovery"):
 * the hypervisor-present bit, 0x40000000 vendor and maximum leaf,
 * 0x40000001 "Hv#1", 0x40000002 version, 0x40000003 privileges and
 * features, 0x40000004 recommendations, spin retries and physical address
 * width, 0x40000005 limits, 0x40000006 hardware features, 0x40000007 to
 * 0x4000000A empty; and the partition properties through which the root
 * sets them, with their error paths.
 */
#include "kselftest_harness.h"
#include "hyperv_util.h"

FIXTURE(disc) {
	struct hv_vm *vm;
	struct hv_vp *vp;
};

FIXTURE_SETUP(disc)
{
	HV_SETUP_REQUIRE_DEV();
	self->vm = vm_create(GUEST_MEM_SIZE);
	self->vp = vm_add_vp(self->vm, 0);
	tp_load(self->vp, GUEST_MODE_LONG64);
}

FIXTURE_TEARDOWN(disc)
{
	vm_free(self->vm);
}

static int set_prop(struct hv_vm *vm, uint32_t code, uint64_t value)
{
	struct hvpart_partition_property p = { .code = code, .value = value };

	return ioctl(vm->fd, HVPART_SET_PARTITION_PROPERTY, &p);
}

/* The lowest bit of @width bits that is not in @supported, or 0. */
static uint64_t unsupported_bit(uint64_t supported, int width)
{
	int i;

	for (i = 0; i < width; i++)
		if (!(supported & (1ULL << i)))
			return 1ULL << i;
	return 0;
}

/* TLFS: CPUID.01h:ECX[31] is the hypervisor-present bit. */
TEST_F(disc, hypervisor_present)
{
	uint32_t r[4];

	tp_cpuid(self->vp, 1, r);
	EXPECT_EQ(1U << 31, r[2] & (1U << 31));
}

/*
 * 0x40000000: EAX the maximum leaf (hvpart implements up to 0x4000000A;
 * the TLFS wants at least 0x40000005), EBX:ECX:EDX "Microsoft Hv".
 */
TEST_F(disc, vendor_and_max_leaf)
{
	uint32_t r[4];
	char vendor[13];

	tp_cpuid(self->vp, HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS, r);
	EXPECT_EQ(HYPERV_CPUID_NESTED_FEATURES, r[0]);
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[2], 4);
	memcpy(vendor + 8, &r[3], 4);
	vendor[12] = 0;
	EXPECT_STREQ("Microsoft Hv", vendor);
}

/* 0x40000001: EAX "Hv#1" (0x31237648). */
TEST_F(disc, interface_signature)
{
	uint32_t r[4];

	tp_cpuid(self->vp, HYPERV_CPUID_INTERFACE, r);
	EXPECT_EQ(0x31237648, r[0]);
	EXPECT_EQ(0, memcmp(&r[0], "Hv#1", 4));
}

/* 0x40000002: EAX build number, EBX major (31:16) and minor (15:0). */
TEST_F(disc, version)
{
	uint32_t r[4];

	tp_cpuid(self->vp, HYPERV_CPUID_VERSION, r);
	TH_LOG("hypervisor version %u.%u build %u", r[1] >> 16,
	       r[1] & 0xffff, r[0]);
	EXPECT_NE(0, r[0]);
	EXPECT_NE(0, r[1] >> 16);
}

/*
 * A new partition is granted everything hvpart can grant, and the guest
 * sees exactly that in 0x40000003 (EBX:EAX privileges, EDX features).
 * "Hv#1" implies the guest OS ID, hypercall and VP index MSRs, so those
 * privileges must be among what can be granted.
 */
TEST_F(disc, features_default)
{
	uint64_t sp = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_PRIVILEGES);
	uint64_t sf = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_FEATURES);
	uint64_t sr = vm_get_property(self->vm,
				      HVPART_PROP_SUPPORTED_RECOMMENDATIONS);
	uint32_t r[4];

	EXPECT_EQ(sp, vm_get_property(self->vm, HVPART_PROP_PRIVILEGE_MASK));
	EXPECT_EQ(sf, vm_get_property(self->vm, HVPART_PROP_FEATURES));
	EXPECT_EQ(sr, vm_get_property(self->vm, HVPART_PROP_RECOMMENDATIONS));
	EXPECT_EQ(HV_MSR_HYPERCALL_AVAILABLE | HV_MSR_VP_INDEX_AVAILABLE,
		  sp & (HV_MSR_HYPERCALL_AVAILABLE | HV_MSR_VP_INDEX_AVAILABLE));
	EXPECT_EQ(0, sf >> 32);
	EXPECT_EQ(0, sr >> 32);

	tp_cpuid(self->vp, HYPERV_CPUID_FEATURES, r);
	EXPECT_EQ((uint32_t)sp, r[0]);
	EXPECT_EQ(sp >> 32, r[1]);
	EXPECT_EQ(sf, r[3]);
}

/* What the root sets is what the guest sees, at once, VP running or not. */
TEST_F(disc, features_set_by_root)
{
	uint64_t sp = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_PRIVILEGES);
	uint64_t sf = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_FEATURES);
	uint64_t priv = sp & (HV_MSR_HYPERCALL_AVAILABLE |
			      HV_MSR_VP_INDEX_AVAILABLE |
			      HV_ENABLE_EXTENDED_HYPERCALLS);
	uint64_t feat = sf & (HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE |
			      HV_FEATURE_HYPERCALL_MSR_LOCK_AVAILABLE);
	uint32_t r[4];

	/* an upper-half privilege, to see EBX */
	ASSERT_NE(0, sp & HV_ENABLE_EXTENDED_HYPERCALLS);
	vm_set_property(self->vm, HVPART_PROP_PRIVILEGE_MASK, priv);
	vm_set_property(self->vm, HVPART_PROP_FEATURES, feat);
	EXPECT_EQ(priv, vm_get_property(self->vm, HVPART_PROP_PRIVILEGE_MASK));
	EXPECT_EQ(feat, vm_get_property(self->vm, HVPART_PROP_FEATURES));
	tp_cpuid(self->vp, HYPERV_CPUID_FEATURES, r);
	EXPECT_EQ((uint32_t)priv, r[0]);
	EXPECT_EQ(priv >> 32, r[1]);
	EXPECT_EQ(feat, r[3]);

	vm_set_property(self->vm, HVPART_PROP_PRIVILEGE_MASK, 0);
	vm_set_property(self->vm, HVPART_PROP_FEATURES, 0);
	tp_cpuid(self->vp, HYPERV_CPUID_FEATURES, r);
	EXPECT_EQ(0, r[0]);
	EXPECT_EQ(0, r[1]);
	EXPECT_EQ(0, r[3]);
}

/*
 * 0x40000004: EAX the recommendations the root set, EBX the spin retry
 * count (0xffffffff, "never notify", by default), ECX[6:0] the physical
 * address width (MAXPHYADDR) of the system's processors.
 */
TEST_F(disc, recommendations_spin_retry_phys_bits)
{
	uint64_t sr = vm_get_property(self->vm,
				      HVPART_PROP_SUPPORTED_RECOMMENDATIONS);
	uint32_t rec = sr & (HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED |
			     HV_X64_EX_PROCESSOR_MASKS_RECOMMENDED);
	uint32_t r[4], a, b, c, d;

	tp_cpuid(self->vp, HYPERV_CPUID_ENLIGHTMENT_INFO, r);
	EXPECT_EQ(sr, r[0]);
	EXPECT_EQ(0xffffffff, r[1]);
	EXPECT_EQ(0xffffffffULL,
		  vm_get_property(self->vm, HVPART_PROP_SPIN_RETRY));

	vm_set_property(self->vm, HVPART_PROP_RECOMMENDATIONS, rec);
	vm_set_property(self->vm, HVPART_PROP_SPIN_RETRY, 0x1234);
	EXPECT_EQ(0x1234, vm_get_property(self->vm, HVPART_PROP_SPIN_RETRY));
	tp_cpuid(self->vp, HYPERV_CPUID_ENLIGHTMENT_INFO, r);
	EXPECT_EQ(rec, r[0]);
	EXPECT_EQ(0x1234, r[1]);

	host_cpuid(0x80000008, 0, &a, &b, &c, &d);
	TH_LOG("ImplementedPhysicalAddressBits %u, host MAXPHYADDR %u, CAP_MAX_GPA_BITS %u",
	       r[2] & 0x7f, a & 0xff, hv_max_gpa_bits(self->vm));
	EXPECT_EQ(a & 0xff, r[2] & 0x7f);
	EXPECT_NE(0, r[2] & 0x7f);
}

/* 0x40000005: EAX the maximum number of VPs (the MAX_VPS property). */
TEST(limits_max_vps)
{
	struct hv_vm *vm;
	struct hv_vp *vp;
	uint32_t r[4];

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	vm = vm_create(GUEST_MEM_SIZE);
	vm_set_property(vm, HVPART_PROP_MAX_VPS, 3);
	vp = vm_add_vp(vm, 0);
	tp_load(vp, GUEST_MODE_LONG64);
	tp_cpuid(vp, HYPERV_CPUID_IMPLEMENT_LIMITS, r);
	EXPECT_EQ(3, r[0]);
	vm_free(vm);
}

/* 0x40000006: hvpart uses second level address translation. */
TEST_F(disc, hardware_features)
{
	uint32_t r[4];

	tp_cpuid(self->vp, HYPERV_CPUID_HARDWARE_FEATURES, r);
	EXPECT_EQ(HV_X64_SLAT_IN_USE, r[0] & HV_X64_SLAT_IN_USE);
}

/* 0x40000007-0x4000000A (root CPU management, nested): nothing. */
TEST_F(disc, leaves_7_to_a_empty)
{
	uint32_t leaf, r[4];

	for (leaf = 0x40000007; leaf <= HYPERV_CPUID_NESTED_FEATURES; leaf++) {
		tp_cpuid(self->vp, leaf, r);
		EXPECT_EQ(0, r[0] | r[1] | r[2] | r[3]) {
			TH_LOG("leaf %#x: %#x %#x %#x %#x", leaf, r[0], r[1],
			       r[2], r[3]);
		}
	}
}

/* ---- the properties' error paths ------------------------------------ */

TEST_F(disc, set_unsupported_privilege_einval)
{
	uint64_t sp = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_PRIVILEGES);
	uint64_t bit = unsupported_bit(sp, 64);

	ASSERT_NE(0, bit);
	EXPECT_ERRNO(EINVAL, set_prop(self->vm, HVPART_PROP_PRIVILEGE_MASK,
				      sp | bit));
	EXPECT_EQ(sp, vm_get_property(self->vm, HVPART_PROP_PRIVILEGE_MASK));
}

/* A bit the TLFS defines that hvpart cannot grant: PostMessages. */
TEST_F(disc, set_post_messages_privilege_einval)
{
	uint64_t sp = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_PRIVILEGES);

	if (sp & HV_POST_MESSAGES)
		SKIP(return, "hvpart grants PostMessages");
	EXPECT_ERRNO(EINVAL, set_prop(self->vm, HVPART_PROP_PRIVILEGE_MASK,
				      HV_POST_MESSAGES));
}

TEST_F(disc, set_unsupported_feature_einval)
{
	uint64_t sf = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_FEATURES);
	uint64_t bit = unsupported_bit(sf, 32);

	ASSERT_NE(0, bit);
	EXPECT_ERRNO(EINVAL, set_prop(self->vm, HVPART_PROP_FEATURES, sf | bit));
	EXPECT_EQ(sf, vm_get_property(self->vm, HVPART_PROP_FEATURES));
}

/* EDX is 32 bits: a feature above bit 31 cannot exist. */
TEST_F(disc, set_feature_above_bit_31_einval)
{
	EXPECT_ERRNO(EINVAL, set_prop(self->vm, HVPART_PROP_FEATURES,
				      1ULL << 32));
}

TEST_F(disc, set_unsupported_recommendation_einval)
{
	uint64_t sr = vm_get_property(self->vm,
				      HVPART_PROP_SUPPORTED_RECOMMENDATIONS);
	uint64_t bit = unsupported_bit(sr, 32);

	ASSERT_NE(0, bit);
	EXPECT_ERRNO(EINVAL, set_prop(self->vm, HVPART_PROP_RECOMMENDATIONS,
				      sr | bit));
	EXPECT_EQ(sr, vm_get_property(self->vm, HVPART_PROP_RECOMMENDATIONS));
}

/* EBX is 32 bits. */
TEST_F(disc, set_spin_retry_above_32_bits_einval)
{
	EXPECT_ERRNO(EINVAL, set_prop(self->vm, HVPART_PROP_SPIN_RETRY,
				      1ULL << 32));
	EXPECT_EQ(0xffffffffULL,
		  vm_get_property(self->vm, HVPART_PROP_SPIN_RETRY));
}

TEST_F(disc, set_supported_privileges_eperm)
{
	uint64_t sp = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_PRIVILEGES);

	EXPECT_ERRNO(EPERM, set_prop(self->vm,
				     HVPART_PROP_SUPPORTED_PRIVILEGES, sp));
	EXPECT_ERRNO(EPERM, set_prop(self->vm,
				     HVPART_PROP_SUPPORTED_PRIVILEGES, 0));
}

TEST_F(disc, set_supported_features_eperm)
{
	uint64_t sf = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_FEATURES);

	EXPECT_ERRNO(EPERM, set_prop(self->vm,
				     HVPART_PROP_SUPPORTED_FEATURES, sf));
}

TEST_F(disc, set_supported_recommendations_eperm)
{
	uint64_t sr = vm_get_property(self->vm,
				      HVPART_PROP_SUPPORTED_RECOMMENDATIONS);

	EXPECT_ERRNO(EPERM, set_prop(self->vm,
				     HVPART_PROP_SUPPORTED_RECOMMENDATIONS, sr));
}

TEST_HARNESS_MAIN
