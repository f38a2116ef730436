// SPDX-License-Identifier: GPL-2.0
/*
 * hyperv_msrs: the TLFS synthetic MSRs from a child partition, in 64-bit
 * mode and (where the 64-bit value travels in EDX:EAX) in 32-bit protected
 * mode: guest OS ID, the hypercall page (enable rule, contents, overlay,
 * write protection, RsvdP bits, lock, GPA bounds), VP index, VP runtime,
 * the frequencies, reset and crash messages to the root, guest idle, and
 * #GP without the privilege or feature bit that grants each of them; and
 * the root's view of the same state through GET/SET_VP_REGISTERS.
 * Reference time (TIME_REF_COUNT, REFERENCE_TSC) is hyperv_reftime's.
 */
#include <time.h>

#include "kselftest_harness.h"
#include "hyperv_util.h"

#define OS_ID		0x8100060e00000001ULL
#define PATTERN		0x5a5aa5a55a5aa5a5ULL

FIXTURE(msr) {
	struct hv_vm *vm;
	struct hv_vp *vp;
};

FIXTURE_SETUP(msr)
{
	HV_SETUP_REQUIRE_DEV();
	self->vm = vm_create(GUEST_MEM_SIZE);
	self->vp = vm_add_vp(self->vm, 0);
	tp_load(self->vp, GUEST_MODE_LONG64);
}

FIXTURE_TEARDOWN(msr)
{
	vm_free(self->vm);
}

static uint64_t *gpa64(struct hv_vm *vm, uint64_t gpa)
{
	return vm_gpa_to_hva(vm, gpa);
}

/* RDMSR that must not fault; returns the value. */
static uint64_t rdmsr_ok(struct __test_metadata *_metadata, struct hv_vp *vp,
			 uint32_t msr)
{
	uint64_t v = 0;
	int vec = tp_rdmsr(vp, msr, &v);

	EXPECT_EQ(0, vec) {
		TH_LOG("RDMSR %#x raised vector %d", msr, vec);
	}
	return v;
}

static void wrmsr_ok(struct __test_metadata *_metadata, struct hv_vp *vp,
		     uint32_t msr, uint64_t val)
{
	int vec = tp_wrmsr(vp, msr, val);

	EXPECT_EQ(0, vec) {
		TH_LOG("WRMSR %#x raised vector %d", msr, vec);
	}
}

static void rdmsr_gp(struct __test_metadata *_metadata, struct hv_vp *vp,
		     uint32_t msr)
{
	uint64_t v;

	EXPECT_EQ(GP_VECTOR, tp_rdmsr(vp, msr, &v)) {
		TH_LOG("RDMSR %#x did not #GP", msr);
	}
}

static void wrmsr_gp(struct __test_metadata *_metadata, struct hv_vp *vp,
		     uint32_t msr, uint64_t val)
{
	EXPECT_EQ(GP_VECTOR, tp_wrmsr(vp, msr, val)) {
		TH_LOG("WRMSR %#x did not #GP", msr);
	}
}

#define RDMSR_OK(vp, msr)	rdmsr_ok(_metadata, vp, msr)
#define WRMSR_OK(vp, msr, val)	wrmsr_ok(_metadata, vp, msr, val)
#define RDMSR_GP(vp, msr)	rdmsr_gp(_metadata, vp, msr)
#define WRMSR_GP(vp, msr, val)	wrmsr_gp(_metadata, vp, msr, val)

static int __set_reg(struct hv_vp *vp, uint32_t name, uint64_t val)
{
	struct hvpart_register r = hv_reg(name, val);
	struct hvpart_vp_registers vr = {
		.count = 1,
		.regs_ptr = (uintptr_t)&r,
	};

	return ioctl(vp->fd, HVPART_SET_VP_REGISTERS, &vr);
}

/* The first 4 bytes of the page as the guest sees it: the call, RET. */
static void expect_hypercall_page(struct __test_metadata *_metadata,
				  struct hv_vp *vp, uint64_t gpa)
{
	uint64_t got = tp_read(vp, gpa);
	uint8_t want[4];

	hv_hypercall_insn(vp->vm, want);
	want[3] = 0xc3;
	EXPECT_EQ(0, memcmp(&got, want, 4)) {
		TH_LOG("hypercall page at %#llx starts %02x %02x %02x %02x, want %02x %02x %02x c3",
		       (unsigned long long)gpa, (uint8_t)got,
		       (uint8_t)(got >> 8), (uint8_t)(got >> 16),
		       (uint8_t)(got >> 24), want[0], want[1], want[2]);
	}
}

/* ---- guest OS ID and the hypercall page ----------------------------- */

/* Partition-wide, initially zero, read/write; the root sees the same. */
TEST_F(msr, guest_os_id_rw)
{
	EXPECT_EQ(0, RDMSR_OK(self->vp, HV_X64_MSR_GUEST_OS_ID));
	WRMSR_OK(self->vp, HV_X64_MSR_GUEST_OS_ID, OS_ID);
	EXPECT_EQ(OS_ID, RDMSR_OK(self->vp, HV_X64_MSR_GUEST_OS_ID));
	EXPECT_EQ(OS_ID, vp_get_reg(self->vp, HVPART_REG_GUEST_OS_ID));
	vp_set_reg(self->vp, HVPART_REG_GUEST_OS_ID, OS_ID + 1);
	EXPECT_EQ(OS_ID + 1, RDMSR_OK(self->vp, HV_X64_MSR_GUEST_OS_ID));
}

/* TLFS: with no guest OS ID "the enable bit will remain zero". */
TEST_F(msr, hypercall_enable_needs_os_id)
{
	uint64_t v;

	WRMSR_OK(self->vp, HV_X64_MSR_HYPERCALL,
		 HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE);
	v = RDMSR_OK(self->vp, HV_X64_MSR_HYPERCALL);
	EXPECT_EQ(0, v & HV_X64_MSR_HYPERCALL_ENABLE);
	EXPECT_EQ(0, vp_get_reg(self->vp, HVPART_REG_HYPERCALL) &
		  HV_X64_MSR_HYPERCALL_ENABLE);
	/* nothing covers the RAM there */
	*gpa64(self->vm, HC_PAGE_GPA) = PATTERN;
	EXPECT_EQ(PATTERN, tp_read(self->vp, HC_PAGE_GPA));
}

/*
 * With an OS ID the page appears where the MSR says, holding the vendor's
 * hypercall instruction (VMMCALL on SVM, VMCALL on VMX) and a RET.
 */
TEST_F(msr, hypercall_page_contents)
{
	WRMSR_OK(self->vp, HV_X64_MSR_GUEST_OS_ID, OS_ID);
	WRMSR_OK(self->vp, HV_X64_MSR_HYPERCALL,
		 HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE);
	EXPECT_EQ(HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE,
		  RDMSR_OK(self->vp, HV_X64_MSR_HYPERCALL));
	EXPECT_EQ(HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE,
		  vp_get_reg(self->vp, HVPART_REG_HYPERCALL));
	TH_LOG("vendor %s", hv_vendor(self->vm) == HVPART_VENDOR_SVM ?
	       "SVM: VMMCALL" : "VMX: VMCALL");
	expect_hypercall_page(_metadata, self->vp, HC_PAGE_GPA);

	/* moved: it leaves the old place and covers the new one */
	*gpa64(self->vm, HC_PAGE_GPA) = PATTERN;
	WRMSR_OK(self->vp, HV_X64_MSR_HYPERCALL,
		 HV_TEST_FREE | HV_X64_MSR_HYPERCALL_ENABLE);
	expect_hypercall_page(_metadata, self->vp, HV_TEST_FREE);
	EXPECT_EQ(PATTERN, tp_read(self->vp, HC_PAGE_GPA));
}

/*
 * TLFS: the page is an overlay; it "covers whatever else is mapped"
 * there.  The RAM under it is untouched (the root's mapping of it shows
 * the old contents all along) and comes back when the page goes.
 */
TEST_F(msr, hypercall_page_overlay)
{
	*gpa64(self->vm, HC_PAGE_GPA) = PATTERN;
	*gpa64(self->vm, HC_PAGE_GPA + 0x800) = ~PATTERN;
	WRMSR_OK(self->vp, HV_X64_MSR_GUEST_OS_ID, OS_ID);
	WRMSR_OK(self->vp, HV_X64_MSR_HYPERCALL,
		 HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE);
	expect_hypercall_page(_metadata, self->vp, HC_PAGE_GPA);
	EXPECT_NE(~PATTERN, tp_read(self->vp, HC_PAGE_GPA + 0x800));
	EXPECT_EQ(PATTERN, *gpa64(self->vm, HC_PAGE_GPA));
	EXPECT_EQ(~PATTERN, *gpa64(self->vm, HC_PAGE_GPA + 0x800));

	WRMSR_OK(self->vp, HV_X64_MSR_HYPERCALL, HC_PAGE_GPA);
	EXPECT_EQ(PATTERN, tp_read(self->vp, HC_PAGE_GPA));
	EXPECT_EQ(~PATTERN, tp_read(self->vp, HC_PAGE_GPA + 0x800));
	EXPECT_EQ(PATTERN, *gpa64(self->vm, HC_PAGE_GPA));
}

/* TLFS: "Attempts to write to the hypercall page will result in #GP". */
TEST_F(msr, hypercall_page_write_gp)
{
	struct tp t = { .op = TP_WRITE8, .rcx = HC_PAGE_GPA + 1, .rax = 0x90 };

	*gpa64(self->vm, HC_PAGE_GPA) = PATTERN;
	vm_enable_hypercall_page(self->vp);
	ASSERT_EQ(0, tp_run(self->vp, &t));
	EXPECT_EQ(GP_VECTOR, t.vector);
	EXPECT_EQ(tp_write8_gpa(GUEST_MODE_LONG64), t.fault_rip);
	expect_hypercall_page(_metadata, self->vp, HC_PAGE_GPA);
	EXPECT_EQ(PATTERN, *gpa64(self->vm, HC_PAGE_GPA));
}

/* TLFS: bits 11:2 are RsvdP, "preserved on writes". */
TEST_F(msr, hypercall_rsvdp_preserved)
{
	uint64_t v;

	WRMSR_OK(self->vp, HV_X64_MSR_GUEST_OS_ID, OS_ID);
	WRMSR_OK(self->vp, HV_X64_MSR_HYPERCALL,
		 HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_RSVDP |
		 HV_X64_MSR_HYPERCALL_ENABLE);
	v = RDMSR_OK(self->vp, HV_X64_MSR_HYPERCALL);
	EXPECT_EQ(HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE, v);
	expect_hypercall_page(_metadata, self->vp, HC_PAGE_GPA);
}

/*
 * Without HypercallMsrLockAvailable (CPUID 0x40000003 EDX bit 18) the
 * lock bit cannot be set: #GP, and the MSR keeps its value.
 */
TEST_F(msr, hypercall_lock_without_feature_gp)
{
	uint64_t sf = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_FEATURES);

	vm_set_property(self->vm, HVPART_PROP_FEATURES,
			sf & ~(uint64_t)HV_FEATURE_HYPERCALL_MSR_LOCK_AVAILABLE);
	WRMSR_OK(self->vp, HV_X64_MSR_GUEST_OS_ID, OS_ID);
	WRMSR_GP(self->vp, HV_X64_MSR_HYPERCALL,
		 HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_LOCKED |
		 HV_X64_MSR_HYPERCALL_ENABLE);
	EXPECT_EQ(0, RDMSR_OK(self->vp, HV_X64_MSR_HYPERCALL));
}

/*
 * With it, a locked MSR is immutable ("only a system reset can clear the
 * bit"): later guest writes are ignored.  The root, which plays the part
 * of reset and restore, is not bound by it.
 */
TEST_F(msr, hypercall_lock)
{
	uint64_t locked = HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_LOCKED |
			  HV_X64_MSR_HYPERCALL_ENABLE;

	ASSERT_NE(0, vm_get_property(self->vm, HVPART_PROP_FEATURES) &
		  HV_FEATURE_HYPERCALL_MSR_LOCK_AVAILABLE);
	WRMSR_OK(self->vp, HV_X64_MSR_GUEST_OS_ID, OS_ID);
	WRMSR_OK(self->vp, HV_X64_MSR_HYPERCALL, locked);
	EXPECT_EQ(locked, RDMSR_OK(self->vp, HV_X64_MSR_HYPERCALL));

	WRMSR_OK(self->vp, HV_X64_MSR_HYPERCALL,
		 HV_TEST_FREE | HV_X64_MSR_HYPERCALL_ENABLE);
	EXPECT_EQ(locked, RDMSR_OK(self->vp, HV_X64_MSR_HYPERCALL));
	WRMSR_OK(self->vp, HV_X64_MSR_HYPERCALL, 0);
	EXPECT_EQ(locked, RDMSR_OK(self->vp, HV_X64_MSR_HYPERCALL));
	expect_hypercall_page(_metadata, self->vp, HC_PAGE_GPA);

	vp_set_reg(self->vp, HVPART_REG_HYPERCALL, 0);
	EXPECT_EQ(0, vp_get_reg(self->vp, HVPART_REG_HYPERCALL));
	EXPECT_EQ(0, RDMSR_OK(self->vp, HV_X64_MSR_HYPERCALL));
}

/* TLFS: moving the page beyond the GPA space raises #GP on the write. */
TEST_F(msr, hypercall_beyond_gpa_space_gp)
{
	uint64_t beyond = 1ULL << hv_max_gpa_bits(self->vm);

	WRMSR_OK(self->vp, HV_X64_MSR_GUEST_OS_ID, OS_ID);
	WRMSR_GP(self->vp, HV_X64_MSR_HYPERCALL,
		 beyond | HV_X64_MSR_HYPERCALL_ENABLE);
	EXPECT_EQ(0, RDMSR_OK(self->vp, HV_X64_MSR_HYPERCALL));
	/* the last page of the GPA space is fine */
	WRMSR_OK(self->vp, HV_X64_MSR_HYPERCALL,
		 (beyond - PAGE_SIZE) | HV_X64_MSR_HYPERCALL_ENABLE);
	EXPECT_EQ((beyond - PAGE_SIZE) | HV_X64_MSR_HYPERCALL_ENABLE,
		  RDMSR_OK(self->vp, HV_X64_MSR_HYPERCALL));
}

/*
 * Moving the hypercall page onto the reference TSC page fails (#GP): the
 * old page is gone, and the MSR no longer claims a page is enabled.
 */
TEST_F(msr, hypercall_move_onto_overlay_gp)
{
	uint64_t v;

	WRMSR_OK(self->vp, HV_X64_MSR_GUEST_OS_ID, OS_ID);
	WRMSR_OK(self->vp, HV_X64_MSR_HYPERCALL,
		 HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE);
	WRMSR_OK(self->vp, HV_X64_MSR_REFERENCE_TSC,
		 REFTSC_GPA | HV_X64_MSR_TSC_REFERENCE_ENABLE);
	WRMSR_GP(self->vp, HV_X64_MSR_HYPERCALL,
		 REFTSC_GPA | HV_X64_MSR_HYPERCALL_ENABLE);
	v = RDMSR_OK(self->vp, HV_X64_MSR_HYPERCALL);
	EXPECT_EQ(0, v & HV_X64_MSR_HYPERCALL_ENABLE);
	/* the RAM under the old place shows again */
	*gpa64(self->vm, HC_PAGE_GPA) = PATTERN;
	EXPECT_EQ(PATTERN, tp_read(self->vp, HC_PAGE_GPA));
	/* the reference TSC page stays where it was */
	EXPECT_EQ(REFTSC_GPA | HV_X64_MSR_TSC_REFERENCE_ENABLE,
		  RDMSR_OK(self->vp, HV_X64_MSR_REFERENCE_TSC));
}

/* TLFS: zeroing the guest OS ID disables the hypercall page. */
TEST_F(msr, clear_os_id_disables_page)
{
	*gpa64(self->vm, HC_PAGE_GPA) = PATTERN;
	WRMSR_OK(self->vp, HV_X64_MSR_GUEST_OS_ID, OS_ID);
	WRMSR_OK(self->vp, HV_X64_MSR_HYPERCALL,
		 HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE);
	expect_hypercall_page(_metadata, self->vp, HC_PAGE_GPA);
	WRMSR_OK(self->vp, HV_X64_MSR_GUEST_OS_ID, 0);
	EXPECT_EQ(0, RDMSR_OK(self->vp, HV_X64_MSR_HYPERCALL) &
		  HV_X64_MSR_HYPERCALL_ENABLE);
	EXPECT_EQ(PATTERN, tp_read(self->vp, HC_PAGE_GPA));
}

/* The root's writes follow the same rules (no OS ID, no page). */
TEST_F(msr, root_hypercall_needs_os_id)
{
	vp_set_reg(self->vp, HVPART_REG_HYPERCALL,
		   HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE);
	EXPECT_EQ(0, vp_get_reg(self->vp, HVPART_REG_HYPERCALL) &
		  HV_X64_MSR_HYPERCALL_ENABLE);
	vm_enable_hypercall_page(self->vp);
	EXPECT_EQ(HV_TEST_GUEST_OS_ID,
		  RDMSR_OK(self->vp, HV_X64_MSR_GUEST_OS_ID));
	EXPECT_EQ(HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE,
		  RDMSR_OK(self->vp, HV_X64_MSR_HYPERCALL));
	expect_hypercall_page(_metadata, self->vp, HC_PAGE_GPA);
}

/*
 * TLFS: the guest OS ID and hypercall MSRs are partition-wide ("If one
 * virtual processor successfully writes to the MSR, another virtual
 * processor will read the same value"); so are the reference TSC MSR and
 * the reference counter, which no VP sees go backwards.
 */
TEST_F(msr, partition_wide)
{
	struct hv_vp *vp1 = vm_add_vp(self->vm, 1);
	uint64_t t0, t1;

	WRMSR_OK(self->vp, HV_X64_MSR_GUEST_OS_ID, OS_ID);
	WRMSR_OK(self->vp, HV_X64_MSR_HYPERCALL,
		 HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE);
	WRMSR_OK(self->vp, HV_X64_MSR_REFERENCE_TSC,
		 REFTSC_GPA | HV_X64_MSR_TSC_REFERENCE_ENABLE);
	t0 = RDMSR_OK(self->vp, HV_X64_MSR_TIME_REF_COUNT);

	tp_load(vp1, GUEST_MODE_LONG64);
	t1 = RDMSR_OK(vp1, HV_X64_MSR_TIME_REF_COUNT);
	EXPECT_LT(t0, t1);
	EXPECT_EQ(OS_ID, RDMSR_OK(vp1, HV_X64_MSR_GUEST_OS_ID));
	EXPECT_EQ(HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE,
		  RDMSR_OK(vp1, HV_X64_MSR_HYPERCALL));
	EXPECT_EQ(REFTSC_GPA | HV_X64_MSR_TSC_REFERENCE_ENABLE,
		  RDMSR_OK(vp1, HV_X64_MSR_REFERENCE_TSC));
	expect_hypercall_page(_metadata, vp1, HC_PAGE_GPA);
	EXPECT_EQ(1, RDMSR_OK(vp1, HV_X64_MSR_VP_INDEX));

	/* and back: VP 1 disables the page for VP 0 too */
	WRMSR_OK(vp1, HV_X64_MSR_HYPERCALL, HC_PAGE_GPA);
	EXPECT_EQ(HC_PAGE_GPA, vp_get_reg(self->vp, HVPART_REG_HYPERCALL));
}

/* ---- VP index, runtime, frequencies --------------------------------- */

/* VP_INDEX reads the VP's index and is read-only, for guest and root. */
TEST_F(msr, vp_index)
{
	struct hv_vp *vp3 = vm_add_vp(self->vm, 3);

	EXPECT_EQ(0, RDMSR_OK(self->vp, HV_X64_MSR_VP_INDEX));
	WRMSR_GP(self->vp, HV_X64_MSR_VP_INDEX, 0);
	EXPECT_EQ(0, vp_get_reg(self->vp, HVPART_REG_VP_INDEX));
	EXPECT_ERRNO(EINVAL, __set_reg(self->vp, HVPART_REG_VP_INDEX, 1));

	tp_load(vp3, GUEST_MODE_LONG64);
	EXPECT_EQ(3, RDMSR_OK(vp3, HV_X64_MSR_VP_INDEX));
	WRMSR_GP(vp3, HV_X64_MSR_VP_INDEX, 3);
	EXPECT_EQ(3, vp_get_reg(vp3, HVPART_REG_VP_INDEX));
}

/*
 * VP_RUNTIME: the VP's run time in 100 ns units, read-only, growing as
 * the VP runs (never faster than real time).
 */
TEST_F(msr, vp_runtime)
{
	struct timespec t0, t1;
	uint64_t a, b, root, ns;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	a = RDMSR_OK(self->vp, HV_X64_MSR_VP_RUNTIME);
	for (i = 0; i < 20; i++)
		tp_read(self->vp, LOAD_GPA);
	b = RDMSR_OK(self->vp, HV_X64_MSR_VP_RUNTIME);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (t1.tv_sec - t0.tv_sec) * 1000000000ULL + t1.tv_nsec - t0.tv_nsec;
	TH_LOG("VP_RUNTIME %llu -> %llu over %llu ns of host time",
	       (unsigned long long)a, (unsigned long long)b,
	       (unsigned long long)ns);
	EXPECT_LT(a, b);
	EXPECT_LE((b - a) * 100, ns);
	root = vp_get_reg(self->vp, HVPART_REG_VP_RUNTIME);
	EXPECT_LE(b, root);
	WRMSR_GP(self->vp, HV_X64_MSR_VP_RUNTIME, 0);

	/* the root restores a value; time goes on from there */
	vp_set_reg(self->vp, HVPART_REG_VP_RUNTIME, 1000000000ULL);
	a = RDMSR_OK(self->vp, HV_X64_MSR_VP_RUNTIME);
	EXPECT_LE(1000000000ULL, a);
	EXPECT_GT(1000000000ULL + 10000000ULL, a);
}

/* TSC and APIC frequencies, in Hz, read-only; the root sees the same. */
TEST_F(msr, frequencies)
{
	uint64_t tsc = RDMSR_OK(self->vp, HV_X64_MSR_TSC_FREQUENCY);
	uint64_t apic = RDMSR_OK(self->vp, HV_X64_MSR_APIC_FREQUENCY);

	TH_LOG("TSC %llu Hz, APIC %llu Hz", (unsigned long long)tsc,
	       (unsigned long long)apic);
	/* Hz, not kHz or MHz: some MHz to some GHz */
	EXPECT_LT(10000000ULL, tsc);
	EXPECT_GT(100000000000ULL, tsc);
	EXPECT_LT(1000000ULL, apic);
	EXPECT_GT(100000000000ULL, apic);
	EXPECT_EQ(tsc, vp_get_reg(self->vp,
				  HVPART_REG_PROCESSOR_CLOCK_FREQUENCY));
	EXPECT_EQ(apic, vp_get_reg(self->vp,
				   HVPART_REG_INTERRUPT_CLOCK_FREQUENCY));
	WRMSR_GP(self->vp, HV_X64_MSR_TSC_FREQUENCY, tsc);
	WRMSR_GP(self->vp, HV_X64_MSR_APIC_FREQUENCY, apic);
	EXPECT_ERRNO(EINVAL, __set_reg(self->vp,
				       HVPART_REG_PROCESSOR_CLOCK_FREQUENCY,
				       tsc));
	EXPECT_ERRNO(EINVAL, __set_reg(self->vp,
				       HVPART_REG_INTERRUPT_CLOCK_FREQUENCY,
				       apic));
}

/* ---- reset, crash, idle: messages to the root ----------------------- */

/*
 * Writing 1 to HV_X64_MSR_RESET asks the root for a reset: RUN ends with
 * HVPART_MSG_HVPART_RESET after the WRMSR, which has completed.
 */
TEST_F(msr, reset_message)
{
	const struct hvpart_x64_intercept_header *h =
		&self->vp->run->msg.u.intercept;
	struct tp t = { .op = TP_WRMSR, .rcx = HV_X64_MSR_RESET, .rax = 1 };
	uint64_t v;

	EXPECT_EQ(0, RDMSR_OK(self->vp, HV_X64_MSR_RESET));
	ASSERT_EQ(HVPART_MSG_HVPART_RESET, tp_run(self->vp, &t));
	EXPECT_EQ(0, h->vp_index);
	EXPECT_EQ(tp_msr_insn_gpa(GUEST_MODE_LONG64, true) + 2, h->rip);
	EXPECT_EQ(HVPART_INTERCEPT_ACCESS_WRITE, h->intercept_access_type);
	ASSERT_EQ(0, tp_resume(self->vp, &t));
	EXPECT_EQ(0, t.vector);
	EXPECT_EQ(0, tp_rdmsr(self->vp, HV_X64_MSR_RESET, &v));
}

/* Writing 0 does nothing; any other value is #GP. */
TEST_F(msr, reset_write_0_nothing)
{
	WRMSR_OK(self->vp, HV_X64_MSR_RESET, 0);
}

TEST_F(msr, reset_write_2_gp)
{
	WRMSR_GP(self->vp, HV_X64_MSR_RESET, 2);
}

/* CRASH_P0-P4 are read/write; the root sees and sets the same values. */
TEST_F(msr, crash_params_rw)
{
	int i;

	for (i = 0; i < 5; i++)
		WRMSR_OK(self->vp, HV_X64_MSR_CRASH_P0 + i, PATTERN + i);
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(PATTERN + i,
			  RDMSR_OK(self->vp, HV_X64_MSR_CRASH_P0 + i));
		EXPECT_EQ(PATTERN + i,
			  vp_get_reg(self->vp, HVPART_REG_GUEST_CRASH_P0 + i));
	}
	vp_set_reg(self->vp, HVPART_REG_GUEST_CRASH_P2, 0x1234);
	EXPECT_EQ(0x1234, RDMSR_OK(self->vp, HV_X64_MSR_CRASH_P2));
}

/* TLFS: reading CRASH_CTL reports the supported actions. */
TEST_F(msr, crash_ctl_read_capabilities)
{
	EXPECT_EQ(HV_CRASH_CTL_CRASH_NOTIFY | HV_CRASH_CTL_CRASH_NOTIFY_MSG,
		  RDMSR_OK(self->vp, HV_X64_MSR_CRASH_CTL));
	/* whatever the root stored there */
	vp_set_reg(self->vp, HVPART_REG_GUEST_CRASH_CTL, 0);
	EXPECT_EQ(0, vp_get_reg(self->vp, HVPART_REG_GUEST_CRASH_CTL));
	EXPECT_EQ(HV_CRASH_CTL_CRASH_NOTIFY | HV_CRASH_CTL_CRASH_NOTIFY_MSG,
		  RDMSR_OK(self->vp, HV_X64_MSR_CRASH_CTL));
}

static void crash_notify(struct __test_metadata *_metadata, struct hv_vp *vp,
			 uint64_t ctl)
{
	const struct hvpart_guest_crash *c = &vp->run->msg.u.crash;
	struct tp t = {
		.op = TP_WRMSR,
		.rcx = HV_X64_MSR_CRASH_CTL,
		.rax = (uint32_t)ctl,
		.rdx = ctl >> 32,
	};
	int i;

	for (i = 0; i < 5; i++)
		WRMSR_OK(vp, HV_X64_MSR_CRASH_P0 + i, 0x1000 + i);
	ASSERT_EQ(HVPART_MSG_HVPART_GUEST_CRASH, tp_run(vp, &t));
	EXPECT_EQ(sizeof(*c), vp->run->msg.header.payload_size);
	EXPECT_EQ(ctl, c->crash_ctl);
	for (i = 0; i < 5; i++)
		EXPECT_EQ(0x1000 + i, c->params[i]);
	/* the WRMSR has completed: RIP is after it */
	EXPECT_EQ(tp_msr_insn_gpa(GUEST_MODE_LONG64, true) + 2, c->header.rip);
	EXPECT_EQ(vp->index, c->header.vp_index);
	/* the root reads back what the guest reported */
	EXPECT_EQ(ctl, vp_get_reg(vp, HVPART_REG_GUEST_CRASH_CTL));
	ASSERT_EQ(0, tp_resume(vp, &t));
	EXPECT_EQ(0, t.vector);
}

/* CrashNotify: the root gets the parameters. */
TEST_F(msr, crash_notify_message)
{
	crash_notify(_metadata, self->vp, HV_CRASH_CTL_CRASH_NOTIFY);
}

/* CrashMessage with CrashNotify: P3/P4 locate a message. */
TEST_F(msr, crash_notify_msg_message)
{
	crash_notify(_metadata, self->vp, HV_CRASH_CTL_CRASH_NOTIFY |
		     HV_CRASH_CTL_CRASH_NOTIFY_MSG);
}

/* Without CrashNotify nothing is logged. */
TEST_F(msr, crash_ctl_write_0_nothing)
{
	WRMSR_OK(self->vp, HV_X64_MSR_CRASH_CTL, 0);
}

/* Bits 61:0 are reserved. */
TEST_F(msr, crash_ctl_reserved_gp)
{
	WRMSR_GP(self->vp, HV_X64_MSR_CRASH_CTL,
		 HV_CRASH_CTL_CRASH_NOTIFY | 1);
}

/*
 * TLFS: reading HV_X64_MSR_GUEST_IDLE puts the VP in the idle state until
 * an interrupt: the root gets a HALT message after the RDMSR, which then
 * reads 0.  It is not writable.
 */
TEST_F(msr, guest_idle_halts)
{
	const struct hvpart_x64_intercept_header *h =
		&self->vp->run->msg.u.intercept;
	struct tp t = { .op = TP_RDMSR, .rcx = HV_X64_MSR_GUEST_IDLE,
			.rax = 0x1111, .rdx = 0x2222 };

	ASSERT_EQ(HVPART_MSG_X64_HALT, tp_run(self->vp, &t));
	EXPECT_EQ(tp_msr_insn_gpa(GUEST_MODE_LONG64, false) + 2, h->rip);
	ASSERT_EQ(0, tp_resume(self->vp, &t));
	EXPECT_EQ(0, t.vector);
	EXPECT_EQ(0, (uint32_t)t.rax);
	EXPECT_EQ(0, (uint32_t)t.rdx);
}

TEST_F(msr, guest_idle_write_gp)
{
	WRMSR_GP(self->vp, HV_X64_MSR_GUEST_IDLE, 0);
}

/* Synthetic MSRs hvpart does not implement raise #GP. */
TEST_F(msr, unknown_synthetic_msr_gp)
{
	RDMSR_GP(self->vp, 0x400000ff);
	WRMSR_GP(self->vp, 0x400000ff, 0);
	RDMSR_GP(self->vp, 0x40000004);
	WRMSR_GP(self->vp, 0x40000004, 0);
}

/* ---- 32-bit protected mode ------------------------------------------ */

/*
 * The same MSRs from a 32-bit guest: 64-bit values in EDX:EAX, the
 * hypercall page placed and readable, #GP for a read-only MSR.
 */
TEST(msrs_32bit)
{
	uint64_t v, a, b;
	struct hv_vm *vm;
	struct hv_vp *vp;
	uint8_t want[4];

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	vm = vm_create(GUEST_MEM_SIZE);
	vp = vm_add_vp(vm, 0);
	tp_load(vp, GUEST_MODE_PROT32);

	EXPECT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_GUEST_OS_ID, OS_ID));
	EXPECT_EQ(0, tp_rdmsr(vp, HV_X64_MSR_GUEST_OS_ID, &v));
	EXPECT_EQ(OS_ID, v);
	EXPECT_EQ(OS_ID, vp_get_reg(vp, HVPART_REG_GUEST_OS_ID));

	EXPECT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_HYPERCALL,
			      HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE));
	EXPECT_EQ(0, tp_rdmsr(vp, HV_X64_MSR_HYPERCALL, &v));
	EXPECT_EQ(HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE, v);
	v = tp_read(vp, HC_PAGE_GPA);
	hv_hypercall_insn(vm, want);
	want[3] = 0xc3;
	EXPECT_EQ(0, memcmp(&v, want, 4));

	/* a GPA above 4 GiB: the high half comes from EDX */
	EXPECT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_HYPERCALL,
			      0x100000000ULL | HV_X64_MSR_HYPERCALL_ENABLE));
	EXPECT_EQ(0x100000000ULL | HV_X64_MSR_HYPERCALL_ENABLE,
		  vp_get_reg(vp, HVPART_REG_HYPERCALL));

	EXPECT_EQ(0, tp_rdmsr(vp, HV_X64_MSR_VP_INDEX, &v));
	EXPECT_EQ(0, v);
	EXPECT_EQ(GP_VECTOR, tp_wrmsr(vp, HV_X64_MSR_VP_INDEX, 0));
	EXPECT_EQ(tp_msr_insn_gpa(GUEST_MODE_PROT32, true),
		  *(uint32_t *)vm_gpa_to_hva(vm, TP_RIP));

	/* a 64-bit counter across EDX:EAX */
	vp_set_reg(vp, HVPART_REG_TIME_REF_COUNT, 0x123400000000ULL);
	EXPECT_EQ(0, tp_rdmsr(vp, HV_X64_MSR_TIME_REF_COUNT, &a));
	EXPECT_EQ(0, tp_rdmsr(vp, HV_X64_MSR_TIME_REF_COUNT, &b));
	EXPECT_LE(0x123400000000ULL, a);
	EXPECT_GT(0x123400000000ULL + 100000000ULL, a);
	EXPECT_LT(a, b);
	vm_free(vm);
}

/* ---- each MSR without the privilege or feature that grants it ------- */

FIXTURE(gated) {
	struct hv_vm *vm;
	struct hv_vp *vp;
};

/*
 * One access: allowed (no #GP; @msg: ends RUN with that message first)
 * while the partition holds @priv and @feat, #GP once the root takes
 * either away (the other kept).
 */
FIXTURE_VARIANT(gated) {
	uint32_t msr;
	bool write;
	uint64_t value;
	uint64_t priv;		/* HV_PARTITION_PRIVILEGE_MASK bit, or 0 */
	uint32_t feat;		/* CPUID 0x40000003 EDX bit, or 0 */
	uint32_t msg;
};

FIXTURE_SETUP(gated)
{
	HV_SETUP_REQUIRE_DEV();
	self->vm = vm_create(GUEST_MEM_SIZE);
	self->vp = vm_add_vp(self->vm, 0);
	tp_load(self->vp, GUEST_MODE_LONG64);
}

FIXTURE_TEARDOWN(gated)
{
	vm_free(self->vm);
}

FIXTURE_VARIANT_ADD(gated, guest_os_id_rd) {
	.msr = HV_X64_MSR_GUEST_OS_ID,
	.write = false,
	.priv = HV_MSR_HYPERCALL_AVAILABLE,
};

FIXTURE_VARIANT_ADD(gated, guest_os_id_wr) {
	.msr = HV_X64_MSR_GUEST_OS_ID,
	.write = true,
	.value = OS_ID,
	.priv = HV_MSR_HYPERCALL_AVAILABLE,
};

FIXTURE_VARIANT_ADD(gated, hypercall_rd) {
	.msr = HV_X64_MSR_HYPERCALL,
	.write = false,
	.priv = HV_MSR_HYPERCALL_AVAILABLE,
};

FIXTURE_VARIANT_ADD(gated, hypercall_wr) {
	.msr = HV_X64_MSR_HYPERCALL,
	.write = true,
	.value = HC_PAGE_GPA,
	.priv = HV_MSR_HYPERCALL_AVAILABLE,
};

FIXTURE_VARIANT_ADD(gated, vp_index_rd) {
	.msr = HV_X64_MSR_VP_INDEX,
	.write = false,
	.priv = HV_MSR_VP_INDEX_AVAILABLE,
};

FIXTURE_VARIANT_ADD(gated, reset_rd) {
	.msr = HV_X64_MSR_RESET,
	.write = false,
	.priv = HV_MSR_RESET_AVAILABLE,
};

FIXTURE_VARIANT_ADD(gated, reset_wr) {
	.msr = HV_X64_MSR_RESET,
	.write = true,
	.value = 1,
	.priv = HV_MSR_RESET_AVAILABLE,
	.msg = HVPART_MSG_HVPART_RESET,
};

FIXTURE_VARIANT_ADD(gated, vp_runtime_rd) {
	.msr = HV_X64_MSR_VP_RUNTIME,
	.write = false,
	.priv = HV_MSR_VP_RUNTIME_AVAILABLE,
};

FIXTURE_VARIANT_ADD(gated, time_ref_count_rd) {
	.msr = HV_X64_MSR_TIME_REF_COUNT,
	.write = false,
	.priv = HV_MSR_TIME_REF_COUNT_AVAILABLE,
};

FIXTURE_VARIANT_ADD(gated, reference_tsc_rd) {
	.msr = HV_X64_MSR_REFERENCE_TSC,
	.write = false,
	.priv = HV_MSR_REFERENCE_TSC_AVAILABLE,
};

FIXTURE_VARIANT_ADD(gated, reference_tsc_wr) {
	.msr = HV_X64_MSR_REFERENCE_TSC,
	.write = true,
	.value = REFTSC_GPA,
	.priv = HV_MSR_REFERENCE_TSC_AVAILABLE,
};

FIXTURE_VARIANT_ADD(gated, tsc_frequency_rd) {
	.msr = HV_X64_MSR_TSC_FREQUENCY,
	.write = false,
	.priv = HV_ACCESS_FREQUENCY_MSRS,
	.feat = HV_FEATURE_FREQUENCY_MSRS_AVAILABLE,
};

FIXTURE_VARIANT_ADD(gated, apic_frequency_rd) {
	.msr = HV_X64_MSR_APIC_FREQUENCY,
	.write = false,
	.priv = HV_ACCESS_FREQUENCY_MSRS,
	.feat = HV_FEATURE_FREQUENCY_MSRS_AVAILABLE,
};

FIXTURE_VARIANT_ADD(gated, guest_idle_rd) {
	.msr = HV_X64_MSR_GUEST_IDLE,
	.write = false,
	.priv = HV_MSR_GUEST_IDLE_AVAILABLE,
	.feat = HV_X64_GUEST_IDLE_STATE_AVAILABLE,
	.msg = HVPART_MSG_X64_HALT,
};

FIXTURE_VARIANT_ADD(gated, crash_p0_rd) {
	.msr = HV_X64_MSR_CRASH_P0,
	.write = false,
	.feat = HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE,
};

FIXTURE_VARIANT_ADD(gated, crash_p4_wr) {
	.msr = HV_X64_MSR_CRASH_P4,
	.write = true,
	.value = 4,
	.feat = HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE,
};

FIXTURE_VARIANT_ADD(gated, crash_ctl_rd) {
	.msr = HV_X64_MSR_CRASH_CTL,
	.write = false,
	.feat = HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE,
};

FIXTURE_VARIANT_ADD(gated, crash_ctl_wr) {
	.msr = HV_X64_MSR_CRASH_CTL,
	.write = true,
	.value = HV_CRASH_CTL_CRASH_NOTIFY,
	.feat = HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE,
	.msg = HVPART_MSG_HVPART_GUEST_CRASH,
};

static uint32_t gated_start(struct hv_vp *vp, uint32_t msr, bool write,
			    uint64_t value, struct tp *t)
{
	*t = (struct tp) {
		.op = write ? TP_WRMSR : TP_RDMSR,
		.rcx = msr,
		.rax = (uint32_t)value,
		.rdx = value >> 32,
	};
	return tp_run(vp, t);
}

/* The access to its end, through message @msg if it sends that. */
static uint32_t gated_access(struct hv_vp *vp, uint32_t msr, bool write,
			     uint64_t value, uint32_t msg, struct tp *t)
{
	uint32_t m = gated_start(vp, msr, write, value, t);

	if (m && m == msg)
		m = tp_resume(vp, t) ? m : 0;
	return m;
}

TEST_F(gated, with_and_without)
{
	uint64_t sp = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_PRIVILEGES);
	uint64_t sf = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_FEATURES);
	const char *insn = variant->write ? "WRMSR" : "RDMSR";
	uint32_t msr = variant->msr, msg = variant->msg;
	uint64_t val = variant->value;
	bool wr = variant->write;
	struct tp t;

	/* granted: the access works (a message first where it sends one) */
	ASSERT_EQ(variant->priv, sp & variant->priv);
	ASSERT_EQ(variant->feat, sf & variant->feat);
	vm_set_property(self->vm, HVPART_PROP_PRIVILEGE_MASK, sp);
	vm_set_property(self->vm, HVPART_PROP_FEATURES, sf);
	ASSERT_EQ(msg, gated_start(self->vp, msr, wr, val, &t));
	if (msg)
		ASSERT_EQ(0, tp_resume(self->vp, &t));
	EXPECT_EQ(0, t.vector);

	/* without the privilege */
	if (variant->priv) {
		vm_set_property(self->vm, HVPART_PROP_PRIVILEGE_MASK,
				sp & ~variant->priv);
		ASSERT_EQ(0, gated_access(self->vp, msr, wr, val, msg, &t));
		EXPECT_EQ(GP_VECTOR, t.vector) {
			TH_LOG("%s of %#x without privilege %#llx: no #GP",
			       insn, msr, (unsigned long long)variant->priv);
		}
		vm_set_property(self->vm, HVPART_PROP_PRIVILEGE_MASK, sp);
	}

	/* without the feature */
	if (variant->feat) {
		vm_set_property(self->vm, HVPART_PROP_FEATURES,
				sf & ~(uint64_t)variant->feat);
		ASSERT_EQ(0, gated_access(self->vp, msr, wr, val, msg, &t));
		EXPECT_EQ(GP_VECTOR, t.vector) {
			TH_LOG("%s of %#x without feature %#x: no #GP",
			       insn, msr, variant->feat);
		}
	}
}

TEST_HARNESS_MAIN
