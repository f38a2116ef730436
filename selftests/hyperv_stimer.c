// SPDX-License-Identifier: GPL-2.0
/*
 * hyperv_stimer: the TLFS synthetic timers of LOCAL_APIC partitions.
 * Guests that take the interrupts: one-shot and periodic timers in
 * message mode (HVMSG_TIMER_EXPIRED with its expiration and delivery
 * times) and in direct mode (an APIC vector), lazy timers, an expiration
 * that finds its slot busy and comes after EOM, and the rate clamp of a
 * one-tick periodic timer.  Through the TLFS probe: AutoEnable, COUNT 0,
 * SINTx 0, and the #GP cases of the CONFIG register.  Timing is asserted
 * only as order and as generous lower bounds.
 */
#include <stdio.h>
#include <time.h>

#include "kselftest_harness.h"
#include "hyperv_util.h"

#define APIC		0xfee00000
#define SIMP_GPA	0x40000
#define SLOT2		(SIMP_GPA + 2 * 256)
#define V_TMR		0x70
#define V_DIR		0x71
#define COUNT_GPA	(DATA_GPA)		/* u32: handlers count here */
#define WANT_GPA	(DATA_GPA + 4)		/* u32: ... until this many */
#define CONFIG_GPA	(DATA_GPA + 0x10)	/* u64: STIMER0_CONFIG */
#define TCOUNT_GPA	(DATA_GPA + 0x18)	/* u64: STIMER0_COUNT */
#define ABS_GPA		(DATA_GPA + 0x20)	/* u32: COUNT += now */
#define START_GPA	(DATA_GPA + 0x28)	/* u64: reference time, armed */
#define END_GPA		(DATA_GPA + 0x30)	/* u64: ... WANT reached */
#define AFTER_GPA	(DATA_GPA + 0x38)	/* u64: CONFIG then */
#define WRITTEN_GPA	(DATA_GPA + 0x40)	/* u64: the COUNT written */
#define LOG_GPA		(DATA_GPA + 0x100)	/* 16 x struct log_entry */
#define REF_MS		10000ULL		/* reference units a ms */
#define TIME_REF_COUNT	0x40000020

struct log_entry {
	uint64_t type;		/* message type, 0 in direct mode */
	uint64_t expiration;	/* direct mode: reference time at entry */
	uint64_t delivery;
	uint64_t index;
};

/*
 * An interrupt handler's IRET that steps over the wait loop's HLT if the
 * interrupt came in the STI shadow, just before it: QEMU's emulated SVM
 * now and then delivers one there (see hyperv_synic.c).
 */
#define IRET_PAST(start, hlt)						\
	"	cmpq $(" #hlt " - " #start " + " G_STR(LOAD_GPA) "), (%rsp)\n" \
	"	jne 9f\n"						\
	"	incq (%rsp)\n"						\
	"9:	iretq\n"

#define WRMSR(msr, val)							\
	"	mov $" G_STR(msr) ", %ecx\n"				\
	"	mov $" G_STR(val) ", %eax\n"				\
	"	xor %edx, %edx\n"					\
	"	wrmsr\n"
/* RAX = the 64-bit MSR */
#define RDMSR64(msr)							\
	"	mov $" G_STR(msr) ", %ecx\n"				\
	"	rdmsr\n"						\
	"	shl $32, %rdx\n"					\
	"	or %rdx, %rax\n"
/* the MSR = RAX */
#define WRMSR64(msr)							\
	"	mov $" G_STR(msr) ", %ecx\n"				\
	"	mov %rax, %rdx\n"					\
	"	shr $32, %rdx\n"					\
	"	wrmsr\n"
#define SETUP								\
	"	mov $" G_STR(APIC) ", %ebx\n"				\
	"	movl $0x1ff, 0xf0(%rbx)\n"				\
	WRMSR(HV_X64_MSR_SIMP, SIMP_GPA + 1)				\
	WRMSR(HV_X64_MSR_SINT0 + 2, V_TMR)				\
	WRMSR(HV_X64_MSR_SCONTROL, 1)
/* RSI = the log entry of this interrupt */
#define LOG_ENTRY							\
	"	mov " G_STR(COUNT_GPA) ", %esi\n"			\
	"	and $15, %esi\n"					\
	"	shl $5, %esi\n"						\
	"	add $" G_STR(LOG_GPA) ", %rsi\n"
/*
 * The handlers: message mode logs the message, frees the slot, writes
 * EOM if MessagePending, EOI; direct mode logs the reference time.
 */
#define HANDLERS(p)							\
	".global " #p "_msg\n"						\
	#p "_msg:\n"							\
	"	push %rax\n"						\
	"	push %rcx\n"						\
	"	push %rdx\n"						\
	"	push %rsi\n"						\
	/* a slot with no message: an interrupt QEMU delivered twice */ \
	"	cmpl $0, " G_STR(SLOT2) "\n"				\
	"	je 2f\n"						\
	LOG_ENTRY							\
	"	mov " G_STR(SLOT2) ", %eax\n"				\
	"	mov %rax, (%rsi)\n"					\
	"	mov " G_STR(SLOT2) " + 24, %rax\n"			\
	"	mov %rax, 8(%rsi)\n"					\
	"	mov " G_STR(SLOT2) " + 32, %rax\n"			\
	"	mov %rax, 16(%rsi)\n"					\
	"	mov " G_STR(SLOT2) " + 16, %eax\n"			\
	"	mov %rax, 24(%rsi)\n"					\
	"	movl $0, " G_STR(SLOT2) "\n"				\
	"	mfence\n"						\
	"	testb $1, " G_STR(SLOT2) " + 5\n"			\
	"	jz 1f\n"						\
	WRMSR(HV_X64_MSR_EOM, 0)					\
	"1:	lock incl " G_STR(COUNT_GPA) "\n"			\
	"2:	movl $0, 0xb0(%rbx)\n"					\
	"	pop %rsi\n"						\
	"	pop %rdx\n"						\
	"	pop %rcx\n"						\
	"	pop %rax\n"						\
	IRET_PAST(p##_start, p##_hlt)						\
	".global " #p "_dir\n"						\
	#p "_dir:\n"							\
	"	push %rax\n"						\
	"	push %rcx\n"						\
	"	push %rdx\n"						\
	"	push %rsi\n"						\
	LOG_ENTRY							\
	"	movq $0, (%rsi)\n"					\
	RDMSR64(TIME_REF_COUNT)						\
	"	mov %rax, 8(%rsi)\n"					\
	"	lock incl " G_STR(COUNT_GPA) "\n"			\
	"	movl $0, 0xb0(%rbx)\n"					\
	"	pop %rsi\n"						\
	"	pop %rdx\n"						\
	"	pop %rcx\n"						\
	"	pop %rax\n"						\
	IRET_PAST(p##_start, p##_hlt)

/*
 * Arm STIMER0 as the host set CONFIG and COUNT (COUNT relative to now if
 * ABS), then HLT until the handlers have counted WANT; record the
 * reference time at both ends and CONFIG at the end, then stop it.
 */
__asm__(GUEST_ASM_BEGIN(g_stimer)
	".code64\n"
	SETUP
	RDMSR64(TIME_REF_COUNT)
	"	mov %rax, " G_STR(START_GPA) "\n"
	"	mov " G_STR(TCOUNT_GPA) ", %rsi\n"
	"	cmpl $0, " G_STR(ABS_GPA) "\n"
	"	je 1f\n"
	"	add %rax, %rsi\n"
	"1:	mov %rsi, " G_STR(WRITTEN_GPA) "\n"
	"	mov %rsi, %rax\n"
	WRMSR64(HV_X64_MSR_STIMER0_COUNT)
	"	mov " G_STR(CONFIG_GPA) ", %rax\n"
	WRMSR64(HV_X64_MSR_STIMER0_CONFIG)
	"	GUEST_SYNC 1\n"
	"2:	cli\n"
	"	mov " G_STR(COUNT_GPA) ", %eax\n"
	"	cmp " G_STR(WANT_GPA) ", %eax\n"
	"	jae 3f\n"
	"	sti\n"
	"g_stimer_hlt:\n"
	"	hlt\n"
	"	jmp 2b\n"
	"3:\n"
	RDMSR64(TIME_REF_COUNT)
	"	mov %rax, " G_STR(END_GPA) "\n"
	RDMSR64(HV_X64_MSR_STIMER0_CONFIG)
	"	mov %rax, " G_STR(AFTER_GPA) "\n"
	WRMSR(HV_X64_MSR_STIMER0_CONFIG, 0)
	"	GUEST_SYNC 2\n"
	"	GUEST_DONE\n"
	HANDLERS(g_stimer)
	GUEST_ASM_END(g_stimer));
GUEST_CODE_DECLARE(g_stimer);
GUEST_LABEL_DECLARE(g_stimer_msg);
GUEST_LABEL_DECLARE(g_stimer_dir);

FIXTURE(stimer) {
	struct hv_vm *vm;
	struct hv_vp *vp;
};

FIXTURE_SETUP(stimer)
{
	HV_SETUP_REQUIRE_DEV();
	if (!hvpart_has_cap(HVPART_CAP_SYNIC))
		HV_SETUP_SKIP("no HVPART_CAP_SYNIC");
	self->vm = vm_create_apic(GUEST_MEM_SIZE);
	self->vp = vm_add_vp(self->vm, 0);
}

FIXTURE_TEARDOWN(stimer)
{
	vm_free(self->vm);
}

static uint64_t g64(struct hv_vm *vm, uint64_t gpa)
{
	return *(uint64_t *)vm_gpa_to_hva(vm, gpa);
}

static struct log_entry *g_log(struct hv_vm *vm, int i)
{
	return (struct log_entry *)vm_gpa_to_hva(vm, LOG_GPA) + i;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Run g_stimer with @config and @count; returns the host's ns for it. */
static uint64_t run_stimer(struct __test_metadata *_metadata,
			   struct hv_vm *vm, struct hv_vp *vp,
			   uint64_t config, uint64_t count, bool abs,
			   uint32_t want)
{
	uint8_t *d = vm_gpa_to_hva(vm, DATA_GPA);
	uint64_t t0;

	vm_load(vm, LOAD_GPA, g_stimer_start, g_stimer_end);
	vp_setup_mode(vp, GUEST_MODE_LONG64, LOAD_GPA);
	vm_set_idt_gate(vm, V_TMR, GUEST_GPA(g_stimer, g_stimer_msg));
	vm_set_idt_gate(vm, V_DIR, GUEST_GPA(g_stimer, g_stimer_dir));
	memset(d, 0, 0x300);
	*(uint32_t *)(d + 4) = want;
	memcpy(d + 0x10, &config, 8);
	memcpy(d + 0x18, &count, 8);
	*(uint32_t *)(d + 0x20) = abs;
	t0 = now_ns();
	EXPECT_TRUE(__HV_UCALL(vp, UCALL_SYNC, 1, 1));
	EXPECT_TRUE(__HV_UCALL(vp, UCALL_SYNC, 1, 2));
	EXPECT_TRUE(__HV_UCALL(vp, UCALL_DONE, 0, 0));
	return now_ns() - t0;
}

#define RUN(config, count, abs, want)					\
	run_stimer(_metadata, self->vm, self->vp, config, count, abs, want)

/* One-shot, 100 ms ahead: one message, never early; then disabled. */
TEST_F(stimer, oneshot_message)
{
	uint64_t ns = RUN(HV_STIMER_ENABLE | HV_STIMER_SINT(2), 100 * REF_MS,
			  true, 1);
	struct log_entry *e = g_log(self->vm, 0);
	uint64_t when = g64(self->vm, WRITTEN_GPA);

	EXPECT_EQ(HVMSG_TIMER_EXPIRED, e->type);
	EXPECT_EQ(0, e->index);
	EXPECT_EQ(when, e->expiration);
	EXPECT_GE(e->delivery, e->expiration);
	EXPECT_GE(g64(self->vm, END_GPA), when);
	EXPECT_GE(ns, 50000000ULL);
	/* an expired one-shot timer is disabled */
	EXPECT_EQ(HV_STIMER_SINT(2), g64(self->vm, AFTER_GPA));
}

/* A one-shot count already past expires at once. */
TEST_F(stimer, oneshot_in_the_past)
{
	RUN(HV_STIMER_ENABLE | HV_STIMER_SINT(2), 1, false, 1);
	EXPECT_EQ(HVMSG_TIMER_EXPIRED, g_log(self->vm, 0)->type);
	EXPECT_EQ(1, g_log(self->vm, 0)->expiration);
}

/* Periodic, 5 ms: expirations a period or more apart, none early. */
static void periodic_message(struct __test_metadata *_metadata,
			     struct hv_vm *vm, struct hv_vp *vp,
			     uint64_t extra)
{
	uint64_t cfg = HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
		       HV_STIMER_SINT(2) | extra;
	uint64_t start;
	int i;

	run_stimer(_metadata, vm, vp, cfg, 5 * REF_MS, false, 5);
	start = g64(vm, START_GPA);
	EXPECT_GE(g_log(vm, 0)->expiration, start + 5 * REF_MS);
	for (i = 0; i < 5; i++) {
		struct log_entry *e = g_log(vm, i);

		EXPECT_EQ(HVMSG_TIMER_EXPIRED, e->type);
		EXPECT_GE(e->delivery, e->expiration);
		if (i)
			EXPECT_GE(e->expiration,
				  g_log(vm, i - 1)->expiration + 5 * REF_MS);
	}
	/* still enabled */
	EXPECT_EQ(cfg, g64(vm, AFTER_GPA));
}

TEST_F(stimer, periodic_message)
{
	periodic_message(_metadata, self->vm, self->vp, 0);
}

TEST_F(stimer, periodic_lazy)
{
	periodic_message(_metadata, self->vm, self->vp, HV_STIMER_LAZY);
}

/* Direct mode: the APIC vector, no message. */
TEST_F(stimer, direct_periodic)
{
	uint64_t cfg = HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
		       HV_STIMER_DIRECT_MODE | HV_STIMER_VECTOR(V_DIR);
	int i;

	RUN(cfg, REF_MS, false, 5);
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(0, g_log(self->vm, i)->type);
		EXPECT_GE(g_log(self->vm, i)->expiration,
			  g64(self->vm, START_GPA) + (i + 1) * REF_MS);
	}
	EXPECT_EQ(0, *(uint32_t *)vm_gpa_to_hva(self->vm, SLOT2));
}

TEST_F(stimer, direct_oneshot)
{
	uint64_t cfg = HV_STIMER_ENABLE | HV_STIMER_DIRECT_MODE |
		       HV_STIMER_VECTOR(V_DIR);

	RUN(cfg, 20 * REF_MS, true, 1);
	EXPECT_GE(g_log(self->vm, 0)->expiration,
		  g64(self->vm, WRITTEN_GPA));
	EXPECT_EQ(cfg & ~HV_STIMER_ENABLE, g64(self->vm, AFTER_GPA));
}

/*
 * A periodic timer of one 100 ns tick gets the APIC timer's shortest
 * period (module parameter apic_min_period_us, 200 us by default, more
 * in Bochs): N interrupts take at least N - 1 of them, in both modes, and
 * the host keeps running meanwhile.
 */
static uint64_t min_period_us(void)
{
	FILE *f = fopen("/sys/module/hvpart/parameters/apic_min_period_us",
			"r");
	unsigned long us = 200;

	if (f) {
		if (fscanf(f, "%lu", &us) != 1 || !us)
			us = 200;
		fclose(f);
	}
	return us;
}

static void rate_clamp(struct __test_metadata *_metadata, struct hv_vm *vm,
		       struct hv_vp *vp, uint64_t config)
{
	uint64_t us = min_period_us();
	uint32_t irqs = us > 1000 ? 20 : 200;
	uint64_t least = (irqs - 1) * us * 10;	/* reference units */

	run_stimer(_metadata, vm, vp, config, 1, false, irqs);
	EXPECT_GE(g64(vm, END_GPA) - g64(vm, START_GPA), least * 9 / 10) {
		TH_LOG("%u interrupts of a 1-tick timer in %llu x 100 ns",
		       irqs, (unsigned long long)(g64(vm, END_GPA) -
						  g64(vm, START_GPA)));
	}
}

TEST_F(stimer, rate_clamp_direct)
{
	rate_clamp(_metadata, self->vm, self->vp,
		   HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
		   HV_STIMER_DIRECT_MODE | HV_STIMER_VECTOR(V_DIR));
}

TEST_F(stimer, rate_clamp_message)
{
	rate_clamp(_metadata, self->vm, self->vp,
		   HV_STIMER_ENABLE | HV_STIMER_PERIODIC | HV_STIMER_SINT(2));
}

/*
 * The slot is busy when the timer expires: no interrupt, MessagePending
 * set, and the message comes once the guest frees the slot and writes
 * EOM, with its original expiration time.
 */
__asm__(GUEST_ASM_BEGIN(g_busy)
	".code64\n"
	SETUP
	"	movl $1, " G_STR(SLOT2) "\n"		/* a message sits there */
	RDMSR64(TIME_REF_COUNT)
	"	mov %rax, " G_STR(START_GPA) "\n"
	"	add $" G_STR(10 * REF_MS) ", %rax\n"
	"	mov %rax, " G_STR(WRITTEN_GPA) "\n"
	WRMSR64(HV_X64_MSR_STIMER0_COUNT)
	WRMSR(HV_X64_MSR_STIMER0_CONFIG, 0x20001)	/* SINT2, enabled */
	"	GUEST_SYNC 1\n"
	"	sti\n"
	"	mov " G_STR(START_GPA) ", %rsi\n"
	"	add $" G_STR(50 * REF_MS) ", %rsi\n"
	"1:\n"
	RDMSR64(TIME_REF_COUNT)
	"	cmp %rsi, %rax\n"
	"	jb 1b\n"
	"	cli\n"
	"	mov " G_STR(COUNT_GPA) ", %eax\n"
	"	GUEST_REPORT\n"
	"	movzbl " G_STR(SLOT2) " + 5, %eax\n"
	"	GUEST_REPORT\n"
	"	movl $0, " G_STR(SLOT2) "\n"
	WRMSR(HV_X64_MSR_EOM, 0)
	"2:	cli\n"
	"	cmpl $1, " G_STR(COUNT_GPA) "\n"
	"	jae 3f\n"
	"	sti\n"
	"g_busy_hlt:\n"
	"	hlt\n"
	"	jmp 2b\n"
	"3:	GUEST_SYNC 2\n"
	"	GUEST_DONE\n"
	HANDLERS(g_busy)
	GUEST_ASM_END(g_busy));
GUEST_CODE_DECLARE(g_busy);
GUEST_LABEL_DECLARE(g_busy_msg);
GUEST_LABEL_DECLARE(g_busy_dir);

TEST_F(stimer, busy_slot_then_eom)
{
	struct log_entry *e = g_log(self->vm, 0);

	vm_load(self->vm, LOAD_GPA, g_busy_start, g_busy_end);
	vp_setup_mode(self->vp, GUEST_MODE_LONG64, LOAD_GPA);
	vm_set_idt_gate(self->vm, V_TMR, GUEST_GPA(g_busy, g_busy_msg));
	ASSERT_SYNC(self->vp, 1);
	ASSERT_REPORT(self->vp, 0);		/* no interrupt */
	ASSERT_REPORT(self->vp, HV_MSG_FLAG_PENDING);
	ASSERT_SYNC(self->vp, 2);
	ASSERT_DONE(self->vp);
	EXPECT_EQ(HVMSG_TIMER_EXPIRED, e->type);
	EXPECT_EQ(g64(self->vm, WRITTEN_GPA), e->expiration);
	/* delivered after the guest's 50 ms wait, not at expiration */
	EXPECT_GE(e->delivery, g64(self->vm, START_GPA) + 50 * REF_MS);
}

/* ---- registers through the probe -------------------------------------- */

FIXTURE(probe) {
	struct hv_vm *vm;
	struct hv_vp *vp;
};

FIXTURE_SETUP(probe)
{
	HV_SETUP_REQUIRE_DEV();
	if (!hvpart_has_cap(HVPART_CAP_SYNIC))
		HV_SETUP_SKIP("no HVPART_CAP_SYNIC");
	self->vm = vm_create_flags(GUEST_MEM_SIZE,
				   HVPART_CREATE_PARTITION_LOCAL_APIC);
	self->vp = vm_add_vp(self->vm, 0);
	tp_load(self->vp, GUEST_MODE_LONG64);
}

FIXTURE_TEARDOWN(probe)
{
	vm_free(self->vm);
}

static uint64_t rd(struct __test_metadata *_metadata, struct hv_vp *vp,
		   uint32_t msr)
{
	uint64_t v = 0;

	EXPECT_EQ(0, tp_rdmsr(vp, msr, &v));
	return v;
}

#define RD(msr)		rd(_metadata, self->vp, msr)
#define WR_OK(msr, v)	EXPECT_EQ(0, tp_wrmsr(self->vp, msr, v))
#define WR_GP(msr, v)	EXPECT_EQ(GP_VECTOR, tp_wrmsr(self->vp, msr, v))
#define CFG(n)		(HV_X64_MSR_STIMER0_CONFIG + 2 * (n))
#define CNT(n)		(HV_X64_MSR_STIMER0_COUNT + 2 * (n))

/* AutoEnable: a nonzero COUNT enables; COUNT 0 always disables. */
TEST_F(probe, autoenable_and_count_zero)
{
	uint64_t far = RD(TIME_REF_COUNT) + 3600 * 1000 * REF_MS;

	WR_OK(CFG(1), HV_STIMER_AUTOENABLE | HV_STIMER_SINT(2));
	EXPECT_EQ(HV_STIMER_AUTOENABLE | HV_STIMER_SINT(2), RD(CFG(1)));
	WR_OK(CNT(1), far);
	EXPECT_EQ(far, RD(CNT(1)));
	EXPECT_EQ(HV_STIMER_ENABLE | HV_STIMER_AUTOENABLE | HV_STIMER_SINT(2),
		  RD(CFG(1)));
	WR_OK(CNT(1), 0);
	EXPECT_EQ(HV_STIMER_AUTOENABLE | HV_STIMER_SINT(2), RD(CFG(1)));
	/* without AutoEnable, COUNT leaves Enable alone */
	WR_OK(CFG(2), HV_STIMER_SINT(2));
	WR_OK(CNT(2), far);
	EXPECT_EQ(HV_STIMER_SINT(2), RD(CFG(2)));
}

/* A message-mode timer cannot be enabled with SINTx 0. */
TEST_F(probe, sint_zero_stays_disabled)
{
	WR_OK(CFG(0), HV_STIMER_ENABLE | HV_STIMER_PERIODIC);
	EXPECT_EQ(HV_STIMER_PERIODIC, RD(CFG(0)));
	WR_OK(CFG(0), HV_STIMER_ENABLE | HV_STIMER_DIRECT_MODE |
	      HV_STIMER_VECTOR(0x40));
	EXPECT_EQ(HV_STIMER_ENABLE | HV_STIMER_DIRECT_MODE |
		  HV_STIMER_VECTOR(0x40), RD(CFG(0)));
	WR_OK(CFG(0), 0);
}

TEST_F(probe, config_gp)
{
	uint64_t features;

	WR_GP(CFG(0), 1ULL << 13);
	WR_GP(CFG(0), 1ULL << 15);
	WR_GP(CFG(0), 1ULL << 20);
	WR_GP(CFG(3), 1ULL << 63);
	WR_GP(CFG(0), HV_STIMER_DIRECT_MODE | HV_STIMER_VECTOR(15));
	EXPECT_EQ(0, RD(CFG(0)));
	/* direct mode needs its CPUID bit */
	features = vm_get_property(self->vm, HVPART_PROP_FEATURES);
	vm_set_property(self->vm, HVPART_PROP_FEATURES,
			features & ~HV_STIMER_DIRECT_MODE_AVAILABLE);
	WR_GP(CFG(0), HV_STIMER_DIRECT_MODE | HV_STIMER_VECTOR(0x40));
	WR_OK(CFG(0), HV_STIMER_SINT(2));
}

/* An expired one-shot message lands in a polled SINT's slot. */
TEST_F(probe, oneshot_into_polled_slot)
{
	uint64_t hdr = 0;
	int i;

	WR_OK(HV_X64_MSR_SIMP, SIMP_GPA | 1);
	WR_OK(HV_X64_MSR_SINT0 + 2, V_TMR | HV_SYNIC_SINT_POLLING);
	WR_OK(HV_X64_MSR_SCONTROL, 1);
	WR_OK(CNT(3), RD(TIME_REF_COUNT) + REF_MS);
	WR_OK(CFG(3), HV_STIMER_ENABLE | HV_STIMER_SINT(2));
	for (i = 0; i < 1000 && (uint32_t)hdr != HVMSG_TIMER_EXPIRED; i++) {
		usleep(1000);
		hdr = tp_read(self->vp, SLOT2);
	}
	EXPECT_EQ(HVMSG_TIMER_EXPIRED, (uint32_t)hdr);
	EXPECT_EQ(24, (hdr >> 32) & 0xff);
	EXPECT_EQ(3, (uint32_t)tp_read(self->vp, SLOT2 + 16));
	EXPECT_EQ(HV_STIMER_SINT(2), RD(CFG(3)));
	/* no interrupt for a polled SINT */
	EXPECT_EQ(0, vp_get_reg(self->vp, 0x00084800 + (0x200 >> 4) + 3));
}

TEST_HARNESS_MAIN
