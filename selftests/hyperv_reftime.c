// SPDX-License-Identifier: GPL-2.0
/*
 * hyperv_reftime: partition reference time (TLFS "Timers"): the reference
 * counter HV_X64_MSR_TIME_REF_COUNT (zero at partition creation, strictly
 * increasing, 100 ns units, read-only) and the reference TSC page
 * (HV_X64_MSR_REFERENCE_TSC: an overlay from which the guest computes the
 * same count as ((TSC * TscScale) >> 64) + TscOffset, or TscSequence 0:
 * "fall back to the MSR").
 *
 * Which of the two the page must say depends on the host: hvpart derives
 * reference time from the TSC only when the host's clocksource is the TSC
 * and Linux never marked it unstable (KVM's master-clock rule).  The tests
 * decide the same way from sysfs and the kernel log, and say which path
 * they checked.
 */
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hyperv_util.h"

#define PATTERN		0x5a5aa5a55a5aa5a5ULL
/* the MSR read after the page: how far apart the two may be (10 ms) */
#define PAGE_MSR_SLACK	100000ULL

FIXTURE(reftime) {
	struct hv_vm *vm;
	struct hv_vp *vp;
};

FIXTURE_SETUP(reftime)
{
	HV_SETUP_REQUIRE_DEV();
	self->vm = vm_create(GUEST_MEM_SIZE);
	self->vp = vm_add_vp(self->vm, 0);
	tp_load(self->vp, GUEST_MODE_LONG64);
}

FIXTURE_TEARDOWN(reftime)
{
	vm_free(self->vm);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Runs a guest that makes two GUEST_REPORTs and is done: the values in
 * *@a and *@b; returns the host's ns for the RUN up to the first.
 */
static uint64_t run_two_reports(struct __test_metadata *_metadata,
				struct hv_vp *vp, uint64_t *a, uint64_t *b)
{
	struct ucall uc;
	uint64_t t0, t1;

	t0 = now_ns();
	vp_run(vp);
	t1 = now_ns();
	ASSERT_EQ(UCALL_REPORT, get_ucall(vp, &uc));
	*a = uc.arg;
	vp_run(vp);
	ASSERT_EQ(UCALL_REPORT, get_ucall(vp, &uc));
	*b = uc.arg;
	ASSERT_DONE(vp);
	return t1 - t0;
}

static uint64_t rd_trc(struct __test_metadata *_metadata, struct hv_vp *vp)
{
	uint64_t v = 0;

	EXPECT_EQ(0, tp_rdmsr(vp, HV_X64_MSR_TIME_REF_COUNT, &v));
	return v;
}

/* ---- the reference counter ------------------------------------------ */

/* TLFS: "set to 0x0000000000000000" when the partition is created. */
TEST_F(reftime, counter_starts_at_zero)
{
	uint64_t v = rd_trc(_metadata, self->vp);

	TH_LOG("TIME_REF_COUNT %llu after the partition's set-up",
	       (unsigned long long)v);
	EXPECT_GT(100000000ULL, v);	/* 10 s */
}

/* "Successive accesses ... return strictly monotonically increasing". */
TEST_F(reftime, counter_strictly_increasing)
{
	uint64_t prev = rd_trc(_metadata, self->vp), v, root;
	int i;

	for (i = 0; i < 20; i++) {
		v = rd_trc(_metadata, self->vp);
		EXPECT_LT(prev, v);
		prev = v;
	}
	root = vp_get_reg(self->vp, HVPART_REG_TIME_REF_COUNT);
	EXPECT_LT(prev, root);
	EXPECT_LT(root, rd_trc(_metadata, self->vp));
}

/* "This value cannot be modified by a virtual processor": #GP. */
TEST_F(reftime, counter_write_gp)
{
	uint64_t v = rd_trc(_metadata, self->vp);

	EXPECT_EQ(GP_VECTOR, tp_wrmsr(self->vp, HV_X64_MSR_TIME_REF_COUNT,
				      v + 1000000000ULL));
	EXPECT_GT(v + 1000000000ULL, rd_trc(_metadata, self->vp));
}

/* The root restores a count; it goes on from there. */
TEST_F(reftime, counter_set_by_root)
{
	const uint64_t base = 0x123456789abcULL;
	uint64_t v;

	vp_set_reg(self->vp, HVPART_REG_TIME_REF_COUNT, base);
	v = rd_trc(_metadata, self->vp);
	EXPECT_LE(base, v);
	EXPECT_GT(base + 100000000ULL, v);
	EXPECT_LT(v, vp_get_reg(self->vp, HVPART_REG_TIME_REF_COUNT));
}

/*
 * Read the counter, spin on it until it has moved by 50 ms' worth, read
 * it again, report both.
 */
#define SPIN_UNITS	500000
__asm__(GUEST_ASM_BEGIN(g_spin)
	".code64\n"
	"	mov $" G_STR(HV_X64_MSR_TIME_REF_COUNT) ", %ecx\n"
	"	rdmsr\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	mov %rax, %rbx\n"
	"	lea " G_STR(SPIN_UNITS) "(%rbx), %rsi\n"
	"1:	rdmsr\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	cmp %rsi, %rax\n"
	"	jb 1b\n"
	"	mov %rax, %r12\n"
	"	mov %rbx, %rax\n"
	"	GUEST_REPORT\n"
	"	mov %r12, %rax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_spin));
GUEST_CODE_DECLARE(g_spin);

/*
 * 100 ns units: what the counter advanced during one RUN, against the
 * host's monotonic clock around that RUN.  The counter may not run ahead
 * of real time, nor far behind it (generous bounds: this checks the unit,
 * not the timing).
 */
TEST(counter_100ns_units)
{
	uint64_t host, a, b, ref;
	struct hv_vm *vm;
	struct hv_vp *vp;

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	vm = vm_create(GUEST_MEM_SIZE);
	vp = vm_add_vp(vm, 0);
	vp_load_guest(vp, GUEST_MODE_LONG64, g_spin_start, g_spin_end);
	host = run_two_reports(_metadata, vp, &a, &b);
	ref = (b - a) * 100;
	TH_LOG("counter advanced %llu units (%llu ns) in a RUN of %llu ns",
	       (unsigned long long)(b - a), (unsigned long long)ref,
	       (unsigned long long)host);
	EXPECT_LE(SPIN_UNITS, b - a);
	EXPECT_LE(ref, host + 1000);
	EXPECT_LE(host, 3 * ref + 50000000ULL);
	vm_free(vm);
}

/*
 * VP_RUNTIME over a spin of 50 ms of the guest's TSC (TSC_FREQUENCY / 20
 * cycles, no exits): report it before and after.
 */
__asm__(GUEST_ASM_BEGIN(g_runtime)
	".code64\n"
	"	mov $" G_STR(HV_X64_MSR_TSC_FREQUENCY) ", %ecx\n"
	"	rdmsr\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	xor %edx, %edx\n"
	"	mov $20, %ecx\n"
	"	div %rcx\n"
	"	mov %rax, %rsi\n"
	"	mov $" G_STR(HV_X64_MSR_VP_RUNTIME) ", %ecx\n"
	"	rdmsr\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	mov %rax, %rbx\n"
	"	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	mov %rax, %rdi\n"
	"1:	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	sub %rdi, %rax\n"
	"	cmp %rsi, %rax\n"
	"	jb 1b\n"
	"	mov $" G_STR(HV_X64_MSR_VP_RUNTIME) ", %ecx\n"
	"	rdmsr\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	mov %rax, %r12\n"
	"	mov %rbx, %rax\n"
	"	GUEST_REPORT\n"
	"	mov %r12, %rax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_runtime));
GUEST_CODE_DECLARE(g_runtime);

/*
 * VP_RUNTIME is in 100 ns units too: over 50 ms of spinning in the guest
 * it grows by tens of ms, and never by more than the host saw pass.  A
 * unit check, not a timing test: hvpart measures run time with the host's
 * scheduler clock, which in the emulated machine under Linux 6.1 (TSC
 * marked unstable) was seen in some runs to count only ~45% of the spin
 * (~100% in others, and under 6.12); a unit ten times off fails either
 * bound.
 */
TEST(vp_runtime_100ns_units)
{
	uint64_t host, a, b, run;
	struct hv_vm *vm;
	struct hv_vp *vp;

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	vm = vm_create(GUEST_MEM_SIZE);
	vp = vm_add_vp(vm, 0);
	vp_load_guest(vp, GUEST_MODE_LONG64, g_runtime_start, g_runtime_end);
	host = run_two_reports(_metadata, vp, &a, &b);
	run = (b - a) * 100;
	TH_LOG("VP_RUNTIME grew %llu units (%llu ns) in a RUN of %llu ns spinning 50 ms",
	       (unsigned long long)(b - a), (unsigned long long)run,
	       (unsigned long long)host);
	EXPECT_LE(run, host + 1000);
	EXPECT_LE(50000000ULL / 3, run);
	vm_free(vm);
}

/* ---- the reference TSC page ----------------------------------------- */

/*
 * Enable the page at REFTSC_GPA (WRMSR by the guest), then per GUEST_SYNC
 * 1: read it as the TLFS says (sequence, TSC, scale, offset, sequence
 * again), read the counter MSR, report the sequence, the page's time and
 * the MSR's.
 */
__asm__(GUEST_ASM_BEGIN(g_reftsc)
	".code64\n"
	"	mov $" G_STR(HV_X64_MSR_REFERENCE_TSC) ", %ecx\n"
	"	mov $(" G_STR(REFTSC_GPA) " | 1), %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"1:	GUEST_SYNC 1\n"
	"2:	movl " G_STR(REFTSC_GPA) ", %r8d\n"
	"	lfence\n"
	"	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	mov %rax, %r9\n"
	"	mov " G_STR(REFTSC_GPA) " + 8, %r10\n"
	"	mov " G_STR(REFTSC_GPA) " + 16, %r11\n"
	"	lfence\n"
	"	movl " G_STR(REFTSC_GPA) ", %eax\n"
	"	cmp %eax, %r8d\n"
	"	jne 2b\n"
	"	mov %r9, %rax\n"
	"	mul %r10\n"
	"	add %r11, %rdx\n"
	"	mov %rdx, %r13\n"
	"	mov $" G_STR(HV_X64_MSR_TIME_REF_COUNT) ", %ecx\n"
	"	rdmsr\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	mov %rax, %r14\n"
	"	mov %r8, %rax\n"
	"	GUEST_REPORT\n"
	"	mov %r13, %rax\n"
	"	GUEST_REPORT\n"
	"	mov %r14, %rax\n"
	"	GUEST_REPORT\n"
	"	jmp 1b\n"
	GUEST_ASM_END(g_reftsc));
GUEST_CODE_DECLARE(g_reftsc);

struct sample {
	uint32_t seq;
	uint64_t page;		/* time computed from the page */
	uint64_t msr;		/* TIME_REF_COUNT read right after */
};

static void reftsc_start(struct __test_metadata *_metadata, struct hv_vp *vp)
{
	/* a fresh start: no completion left over from an earlier guest */
	vp_complete(vp, 0, 0);
	vp_load_guest(vp, GUEST_MODE_LONG64, g_reftsc_start, g_reftsc_end);
	ASSERT_SYNC(vp, 1);
	EXPECT_EQ(REFTSC_GPA | HV_X64_MSR_TSC_REFERENCE_ENABLE,
		  vp_get_reg(vp, HVPART_REG_REFERENCE_TSC));
}

static void sample(struct __test_metadata *_metadata, struct hv_vp *vp,
		   struct sample *s)
{
	struct ucall uc;

	vp_run(vp);
	ASSERT_EQ(UCALL_REPORT, get_ucall(vp, &uc));
	s->seq = uc.arg;
	vp_run(vp);
	ASSERT_EQ(UCALL_REPORT, get_ucall(vp, &uc));
	s->page = uc.arg;
	vp_run(vp);
	ASSERT_EQ(UCALL_REPORT, get_ucall(vp, &uc));
	s->msr = uc.arg;
	ASSERT_SYNC(vp, 1);
}

/*
 * The page must be right: valid, agreeing with the MSR read just after
 * it, if the host TSC is reliable; otherwise invalid (sequence 0).
 */
static void expect_page(struct __test_metadata *_metadata,
			const struct sample *s, bool reliable)
{
	if (!reliable) {
		EXPECT_EQ(0, s->seq);
		return;
	}
	EXPECT_NE(0, s->seq);
	EXPECT_NE(0xffffffff, s->seq);
	EXPECT_LE(s->page, s->msr) {
		TH_LOG("page %llu ahead of the MSR read after it, %llu",
		       (unsigned long long)s->page,
		       (unsigned long long)s->msr);
	}
	EXPECT_GT(s->page + PAGE_MSR_SLACK, s->msr) {
		TH_LOG("page %llu far behind the MSR %llu",
		       (unsigned long long)s->page,
		       (unsigned long long)s->msr);
	}
}

static bool tsc_path(struct __test_metadata *_metadata)
{
	char why[600];
	bool reliable = host_tsc_reliable(why, sizeof(why));

	TH_LOG("host TSC %s (%s): checking the %s", reliable ? "reliable" :
	       "not reliable", why, reliable ?
	       "valid page (sequence != 0, agrees with TIME_REF_COUNT)" :
	       "invalid fallback (sequence 0)");
	return reliable;
}

/* The page as the guest reads it. */
TEST_F(reftime, tsc_page)
{
	bool reliable = tsc_path(_metadata);
	struct sample s;
	int i;

	reftsc_start(_metadata, self->vp);
	for (i = 0; i < 3; i++) {
		sample(_metadata, self->vp, &s);
		TH_LOG("sequence %u, page %llu, MSR %llu", s.seq,
		       (unsigned long long)s.page, (unsigned long long)s.msr);
		expect_page(_metadata, &s, reliable);
	}
}

static bool pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return !sched_setaffinity(0, sizeof(set), &set);
}

/*
 * The VP moves between physical CPUs (its thread does): the page stays
 * right, and the counter keeps increasing.
 */
TEST_F(reftime, tsc_page_across_migration)
{
	bool reliable = tsc_path(_metadata);
	static const int cpus[] = { 0, 1, 0, 1 };
	uint64_t last = 0;
	struct sample s;
	unsigned int i;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU: nowhere to migrate to");
	reftsc_start(_metadata, self->vp);
	for (i = 0; i < ARRAY_SIZE(cpus); i++) {
		ASSERT_TRUE(pin(cpus[i]));
		sample(_metadata, self->vp, &s);
		TH_LOG("CPU %d: sequence %u, page %llu, MSR %llu", cpus[i],
		       s.seq, (unsigned long long)s.page,
		       (unsigned long long)s.msr);
		expect_page(_metadata, &s, reliable);
		EXPECT_LT(last, s.msr);
		last = s.msr;
	}
}

/* The root moves the counter: the page follows (a new sequence). */
TEST_F(reftime, tsc_page_follows_root_counter)
{
	bool reliable = tsc_path(_metadata);
	const uint64_t base = 0x10000000000ULL;
	struct sample s1, s2;

	reftsc_start(_metadata, self->vp);
	sample(_metadata, self->vp, &s1);
	expect_page(_metadata, &s1, reliable);
	vp_set_reg(self->vp, HVPART_REG_TIME_REF_COUNT, base);
	sample(_metadata, self->vp, &s2);
	expect_page(_metadata, &s2, reliable);
	EXPECT_LE(base, s2.msr);
	if (reliable) {
		EXPECT_NE(s1.seq, s2.seq);
		EXPECT_LE(base, s2.page);
	}
}

/* A TSC change on the partition's only VP: still one TSC, still right. */
TEST_F(reftime, tsc_page_single_vp_tsc_set)
{
	bool reliable = tsc_path(_metadata);
	struct sample s;

	reftsc_start(_metadata, self->vp);
	vp_set_reg(self->vp, HVPART_REG_TSC, 1ULL << 40);
	sample(_metadata, self->vp, &s);
	expect_page(_metadata, &s, reliable);
}

/*
 * Two VPs, and the root sets one's TSC: they no longer share a TSC, so no
 * single page can be right for both: it must say "invalid".
 */
TEST(tsc_page_invalid_after_root_sets_one_tsc)
{
	struct hv_vm *vm;
	struct hv_vp *vp0, *vp1;
	struct sample s;
	char why[600];
	bool reliable;

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	reliable = host_tsc_reliable(why, sizeof(why));
	TH_LOG("host TSC %s (%s)", reliable ? "reliable" : "not reliable",
	       why);
	vm = vm_create(GUEST_MEM_SIZE);
	vp0 = vm_add_vp(vm, 0);
	vp1 = vm_add_vp(vm, 1);
	reftsc_start(_metadata, vp0);
	sample(_metadata, vp0, &s);
	expect_page(_metadata, &s, reliable);

	vp_set_reg(vp1, HVPART_REG_TSC, vp_get_reg(vp1, HVPART_REG_TSC) +
		   (1ULL << 36));
	sample(_metadata, vp0, &s);
	EXPECT_EQ(0, s.seq);
	vm_free(vm);
}

/* TLFS: the page is an overlay; RAM under it is untouched; #GP on write. */
TEST_F(reftime, tsc_page_overlay)
{
	uint64_t *ram = vm_gpa_to_hva(self->vm, REFTSC_GPA);
	uint64_t v;

	ram[0] = PATTERN;
	ram[1] = PATTERN;
	EXPECT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_REFERENCE_TSC,
			      REFTSC_GPA | HV_X64_MSR_TSC_REFERENCE_ENABLE));
	EXPECT_EQ(0, tp_rdmsr(self->vp, HV_X64_MSR_REFERENCE_TSC, &v));
	EXPECT_EQ(REFTSC_GPA | HV_X64_MSR_TSC_REFERENCE_ENABLE, v);
	EXPECT_NE(PATTERN, tp_read(self->vp, REFTSC_GPA + 8));
	EXPECT_EQ(GP_VECTOR, tp_write8(self->vp, REFTSC_GPA + 8, 0));
	EXPECT_EQ(PATTERN, ram[0]);
	EXPECT_EQ(PATTERN, ram[1]);

	/* disabled: the RAM again */
	EXPECT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_REFERENCE_TSC, REFTSC_GPA));
	EXPECT_EQ(PATTERN, tp_read(self->vp, REFTSC_GPA + 8));
	EXPECT_EQ(0, tp_write8(self->vp, REFTSC_GPA + 8, 0x11));
	EXPECT_EQ(0x11, *(uint8_t *)vm_gpa_to_hva(self->vm, REFTSC_GPA + 8));
}

/* Initially 0 (disabled); bits 11:1 are RsvdP, preserved on writes. */
TEST_F(reftime, tsc_msr_rsvdp_preserved)
{
	uint64_t v;

	EXPECT_EQ(0, tp_rdmsr(self->vp, HV_X64_MSR_REFERENCE_TSC, &v));
	EXPECT_EQ(0, v);
	EXPECT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_REFERENCE_TSC,
			      REFTSC_GPA | HV_X64_MSR_TSC_REFERENCE_RSVDP |
			      HV_X64_MSR_TSC_REFERENCE_ENABLE));
	EXPECT_EQ(0, tp_rdmsr(self->vp, HV_X64_MSR_REFERENCE_TSC, &v));
	EXPECT_EQ(REFTSC_GPA | HV_X64_MSR_TSC_REFERENCE_ENABLE, v);
	EXPECT_EQ(v, vp_get_reg(self->vp, HVPART_REG_REFERENCE_TSC));
}

/*
 * TLFS: "If the specified base address is beyond the end of the
 * partition's GPA space, the reference TSC page will not be accessible to
 * the guest" - not accessible, but no #GP (unlike the hypercall MSR).
 */
TEST_F(reftime, tsc_msr_beyond_gpa_space_no_gp)
{
	uint64_t beyond = 1ULL << hv_max_gpa_bits(self->vm);
	uint64_t v;

	*(uint64_t *)vm_gpa_to_hva(self->vm, REFTSC_GPA + 8) = PATTERN;
	EXPECT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_REFERENCE_TSC,
			      REFTSC_GPA | HV_X64_MSR_TSC_REFERENCE_ENABLE));
	EXPECT_NE(PATTERN, tp_read(self->vp, REFTSC_GPA + 8));
	EXPECT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_REFERENCE_TSC,
			      beyond | HV_X64_MSR_TSC_REFERENCE_ENABLE));
	EXPECT_EQ(0, tp_rdmsr(self->vp, HV_X64_MSR_REFERENCE_TSC, &v));
	EXPECT_EQ(beyond | HV_X64_MSR_TSC_REFERENCE_ENABLE, v);
	/* it left REFTSC_GPA */
	EXPECT_EQ(PATTERN, tp_read(self->vp, REFTSC_GPA + 8));
}

/* The root places the page the same way; the guest finds it. */
TEST_F(reftime, tsc_page_set_by_root)
{
	bool reliable = tsc_path(_metadata);
	struct hv_reference_tsc_page pg;
	uint64_t v;

	vp_set_reg(self->vp, HVPART_REG_REFERENCE_TSC,
		   REFTSC_GPA | HV_X64_MSR_TSC_REFERENCE_ENABLE);
	EXPECT_EQ(0, tp_rdmsr(self->vp, HV_X64_MSR_REFERENCE_TSC, &v));
	EXPECT_EQ(REFTSC_GPA | HV_X64_MSR_TSC_REFERENCE_ENABLE, v);
	v = tp_read(self->vp, REFTSC_GPA);
	pg.tsc_sequence = v;
	pg.tsc_scale = tp_read(self->vp, REFTSC_GPA + 8);
	if (reliable) {
		EXPECT_NE(0, pg.tsc_sequence);
		EXPECT_NE(0, pg.tsc_scale);
	} else {
		EXPECT_EQ(0, pg.tsc_sequence);
	}
}

TEST_HARNESS_MAIN
