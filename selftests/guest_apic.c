// SPDX-License-Identifier: GPL-2.0
/*
 * guest_apic: the in-kernel local APIC of LOCAL_APIC partitions.  Guests
 * in 64-bit mode use the xAPIC page (identity-mapped at 0xfee00000) or
 * the x2APIC MSRs: register semantics, self-IPIs, priority and EOI, TPR
 * through CR8, the timer in its three modes, HLT, NMI, level-triggered
 * interrupts from the root, INIT-SIPI-SIPI bring-up and IPIs between VPs
 * on their own threads, and a timer storm that must not starve the host.
 * Timing is only ever asserted as order or as a generous lower bound.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>

#include "kselftest_harness.h"
#include "hvpart_util.h"
#include "hyperv_tlfs.h"

#define APIC		0xfee00000
#define NMI_VECTOR	2
#define V_LOW		0x40
#define V_AP		0x41
#define V_BSP		0x42
#define V_TIMER		0x50
#define V_ROOT		0x60
#define V_HIGH		0x80
#define FLAG_GPA	(DATA_GPA)		/* handlers count here */
#define COUNT2_GPA	(DATA_GPA + 8)
#define READY_GPA	(DATA_GPA + 16)
#define RESENT_GPA	(DATA_GPA + 24)		/* pings sent again */
#define SIPI_PAGE	0x7			/* APs start at 0x7000 */
#define SIPI_COUNT	0x7f00			/* APs count here */
#define PINGS		25
#define STORM_IRQS	200

/* An interrupt handler: report @vec, count it, EOI, return (RBX: APIC). */
#define HANDLER(label, vec)						\
	".global " #label "\n"						\
	#label ":\n"							\
	"	push %rax\n"						\
	"	mov $" G_STR(vec) ", %eax\n"				\
	"	GUEST_REPORT\n"						\
	"	lock incl " G_STR(FLAG_GPA) "\n"			\
	"	movl $0, 0xb0(%rbx)\n"				\
	"	pop %rax\n"						\
	"	iretq\n"

/*
 * An interrupt count: exact, but a lower bound on QEMU's emulated SVM,
 * which now and then runs a handler twice for one injection (README,
 * Limits; make bench sees it under kvm_amd too).
 */
#define EXPECT_COUNT(want, got) do {					\
	unsigned long long __w = (want), __g = (got);			\
	bool __exact = !hv_qemu_tcg_svm();				\
	if (__exact ? __g != __w : __g < __w)				\
		TH_LOG("count %s: wanted %s%llu, got %llu", #got,	\
		       __exact ? "" : "at least ", __w, __g);		\
	EXPECT_TRUE(__exact ? __g == __w : __g >= __w);			\
} while (0)

FIXTURE(apic) {
	struct hv_vm *vm;
	struct hv_vp *vp;
};

FIXTURE_SETUP(apic)
{
	HV_SETUP_REQUIRE_DEV();
	if (!hvpart_has_cap(HVPART_CAP_LOCAL_APIC))
		HV_SETUP_SKIP("no HVPART_CAP_LOCAL_APIC");
	self->vm = vm_create_apic(GUEST_MEM_SIZE);
	self->vp = vm_add_vp(self->vm, 0);
}

FIXTURE_TEARDOWN(apic)
{
	vm_free(self->vm);
}

static void load(struct hv_vm *vm, struct hv_vp *vp, const void *start,
		 const void *end)
{
	vm_load(vm, LOAD_GPA, start, end);
	vp_setup_mode(vp, GUEST_MODE_LONG64, LOAD_GPA);
}

/* Register defaults and read-back through the xAPIC page. */
__asm__(GUEST_ASM_BEGIN(g_regs)
	".code64\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	mov 0x20(%rbx), %eax\n"		/* ID */
	"	GUEST_REPORT\n"
	"	mov 0x30(%rbx), %eax\n"		/* version */
	"	GUEST_REPORT\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"	/* SPIV: enabled, vector 0xff */
	"	mov 0xf0(%rbx), %eax\n"
	"	GUEST_REPORT\n"
	"	movl $0x57, 0x80(%rbx)\n"	/* TPR */
	"	mov 0x80(%rbx), %eax\n"
	"	GUEST_REPORT\n"
	"	mov 0xa0(%rbx), %eax\n"		/* PPR follows TPR */
	"	GUEST_REPORT\n"
	"	mov %cr8, %rax\n"		/* CR8 is TPR[7:4] */
	"	GUEST_REPORT\n"
	"	mov $0x3000000, %ecx\n"
	"	mov %ecx, 0xd0(%rbx)\n"		/* LDR */
	"	mov 0xd0(%rbx), %eax\n"
	"	GUEST_REPORT\n"
	"	mov 0xe0(%rbx), %eax\n"		/* DFR: flat */
	"	GUEST_REPORT\n"
	"	mov 0x320(%rbx), %eax\n"	/* LVT timer: masked */
	"	GUEST_REPORT\n"
	"	movabs " G_STR(APIC) " + 0x30, %eax\n"	/* A1 moffs64 */
	"	GUEST_REPORT\n"
	"	mov $0x20, %eax\n"
	"	movabs %eax, " G_STR(APIC) " + 0x80\n"	/* A3 moffs64 */
	"	mov 0x80(%rbx), %eax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_regs));
GUEST_CODE_DECLARE(g_regs);

TEST_F(apic, xapic_registers)
{
	load(self->vm, self->vp, g_regs_start, g_regs_end);
	ASSERT_REPORT(self->vp, 0);
	ASSERT_REPORT(self->vp, 0x50014);
	ASSERT_REPORT(self->vp, 0x1ff);
	ASSERT_REPORT(self->vp, 0x57);
	ASSERT_REPORT(self->vp, 0x57);
	ASSERT_REPORT(self->vp, 5);
	ASSERT_REPORT(self->vp, 0x3000000);
	ASSERT_REPORT(self->vp, 0xffffffff);
	ASSERT_REPORT(self->vp, 0x10000);
	ASSERT_REPORT(self->vp, 0x50014);
	ASSERT_REPORT(self->vp, 0x20);
	ASSERT_DONE(self->vp);
	/* the root reads the same registers by their TLFS names */
	EXPECT_EQ(0x20, vp_get_reg(self->vp, HVPART_REG_APIC_TPR));
	EXPECT_EQ(0x1ff, vp_get_reg(self->vp, HVPART_REG_APIC(0xf0)));
}

/*
 * Two self-IPIs while IF=0 wait in IRR; STI takes the higher one first,
 * and the lower one only after the higher one's EOI and IRET.
 */
__asm__(GUEST_ASM_BEGIN(g_selfipi)
	".code64\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"
	"	cli\n"
	"	movl $0x40000 + " G_STR(V_LOW) ", 0x300(%rbx)\n"
	"	movl $0x40000 + " G_STR(V_HIGH) ", 0x300(%rbx)\n"
	"	mov 0x220(%rbx), %eax\n"	/* IRR 64-95: V_LOW */
	"	GUEST_REPORT\n"
	"	mov 0x240(%rbx), %eax\n"	/* IRR 128-159: V_HIGH */
	"	GUEST_REPORT\n"
	"	GUEST_SYNC 1\n"
	"	sti\n"
	"	nop\n"
	"	GUEST_SYNC 2\n"
	"	mov 0x120(%rbx), %eax\n"	/* ISR: empty again */
	"	GUEST_REPORT\n"
	"	mov 0x140(%rbx), %eax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	HANDLER(g_selfipi_low, V_LOW)
	".global g_selfipi_high\n"
	"g_selfipi_high:\n"
	"	mov $" G_STR(V_HIGH) ", %eax\n"
	"	GUEST_REPORT\n"
	"	mov 0x140(%rbx), %eax\n"	/* in service while it runs */
	"	GUEST_REPORT\n"
	"	movl $0, 0xb0(%rbx)\n"
	"	iretq\n"
	GUEST_ASM_END(g_selfipi));
GUEST_CODE_DECLARE(g_selfipi);
GUEST_LABEL_DECLARE(g_selfipi_low);
GUEST_LABEL_DECLARE(g_selfipi_high);

TEST_F(apic, self_ipi_priority_and_eoi)
{
	load(self->vm, self->vp, g_selfipi_start, g_selfipi_end);
	vm_set_idt_gate(self->vm, V_LOW, GUEST_GPA(g_selfipi, g_selfipi_low));
	vm_set_idt_gate(self->vm, V_HIGH,
			GUEST_GPA(g_selfipi, g_selfipi_high));
	ASSERT_REPORT(self->vp, 1);
	ASSERT_REPORT(self->vp, 1);
	ASSERT_SYNC(self->vp, 1);
	ASSERT_REPORT(self->vp, V_HIGH);
	ASSERT_REPORT(self->vp, 1);
	ASSERT_REPORT(self->vp, V_LOW);
	ASSERT_SYNC(self->vp, 2);
	ASSERT_REPORT(self->vp, 0);
	ASSERT_REPORT(self->vp, 0);
	ASSERT_DONE(self->vp);
}

/*
 * CR8 = 5 holds back vector 0x40 (class 4); lowering CR8 must deliver it
 * at once, before the next instruction that exits, on both vendors (TPR
 * threshold on VMX, a prioritised virtual interrupt on SVM).
 */
__asm__(GUEST_ASM_BEGIN(g_cr8)
	".code64\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"
	"	mov $5, %eax\n"
	"	mov %rax, %cr8\n"
	"	sti\n"
	"	movl $0x40000 + " G_STR(V_LOW) ", 0x300(%rbx)\n"
	"	nop\n"
	"	GUEST_SYNC 1\n"
	"	mov 0x220(%rbx), %eax\n"
	"	GUEST_REPORT\n"
	"	xor %eax, %eax\n"
	"	mov %rax, %cr8\n"
	"	nop\n"
	"	nop\n"
	"	GUEST_SYNC 2\n"
	"	GUEST_DONE\n"
	HANDLER(g_cr8_handler, V_LOW)
	GUEST_ASM_END(g_cr8));
GUEST_CODE_DECLARE(g_cr8);
GUEST_LABEL_DECLARE(g_cr8_handler);

TEST_F(apic, cr8_holds_back_and_releases)
{
	load(self->vm, self->vp, g_cr8_start, g_cr8_end);
	vm_set_idt_gate(self->vm, V_LOW, GUEST_GPA(g_cr8, g_cr8_handler));
	ASSERT_SYNC(self->vp, 1);
	ASSERT_REPORT(self->vp, 1);
	ASSERT_REPORT(self->vp, V_LOW);
	ASSERT_SYNC(self->vp, 2);
	ASSERT_DONE(self->vp);
}

/*
 * One-shot timer of 100 ms: the current count runs down from the
 * initial one, HLT sleeps until the interrupt, and the count ends at 0.
 */
__asm__(GUEST_ASM_BEGIN(g_oneshot)
	".code64\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"
	"	movl $0xb, 0x3e0(%rbx)\n"	/* divide by 1 */
	"	movl $" G_STR(V_TIMER) ", 0x320(%rbx)\n"
	"	movl $20000000, 0x380(%rbx)\n"	/* 100 ms of 5 ns ticks */
	"	mov 0x390(%rbx), %eax\n"
	"	GUEST_REPORT\n"
	"1:	cli\n"
	"	cmpl $0, " G_STR(FLAG_GPA) "\n"
	"	jne 2f\n"
	"	sti\n"
	"	hlt\n"
	"	jmp 1b\n"
	"2:	mov 0x390(%rbx), %eax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	HANDLER(g_oneshot_handler, V_TIMER)
	GUEST_ASM_END(g_oneshot));
GUEST_CODE_DECLARE(g_oneshot);
GUEST_LABEL_DECLARE(g_oneshot_handler);

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

TEST_F(apic, timer_oneshot)
{
	struct ucall uc;
	uint64_t t0;

	load(self->vm, self->vp, g_oneshot_start, g_oneshot_end);
	vm_set_idt_gate(self->vm, V_TIMER,
			GUEST_GPA(g_oneshot, g_oneshot_handler));
	vp_run(self->vp);
	ASSERT_EQ(UCALL_REPORT, get_ucall(self->vp, &uc));
	EXPECT_GT(uc.arg, 0);
	EXPECT_LE(uc.arg, 20000000);
	t0 = now_ns();
	ASSERT_REPORT(self->vp, V_TIMER);
	/* the interrupt never comes early */
	EXPECT_GE(now_ns() - t0, 50000000ULL);
	ASSERT_REPORT(self->vp, 0);
	ASSERT_DONE(self->vp);
}

/* Periodic timer of 1 ms: five interrupts, then masked and stopped. */
__asm__(GUEST_ASM_BEGIN(g_periodic)
	".code64\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"
	"	movl $0xb, 0x3e0(%rbx)\n"
	"	movl $0x20000 + " G_STR(V_TIMER) ", 0x320(%rbx)\n"
	"	movl $200000, 0x380(%rbx)\n"
	"1:	cli\n"
	"	cmpl $5, " G_STR(FLAG_GPA) "\n"
	"	jae 2f\n"
	"	sti\n"
	"	hlt\n"
	"	jmp 1b\n"
	"2:	movl $0x30000 + " G_STR(V_TIMER) ", 0x320(%rbx)\n"
	"	movl $0, 0x380(%rbx)\n"
	"	mov " G_STR(FLAG_GPA) ", %eax\n"
	"	GUEST_SYNC 1\n"
	"	GUEST_DONE\n"
	".global g_periodic_handler\n"
	"g_periodic_handler:\n"
	"	lock incl " G_STR(FLAG_GPA) "\n"
	"	movl $0, 0xb0(%rbx)\n"
	"	iretq\n"
	GUEST_ASM_END(g_periodic));
GUEST_CODE_DECLARE(g_periodic);
GUEST_LABEL_DECLARE(g_periodic_handler);

TEST_F(apic, timer_periodic)
{
	load(self->vm, self->vp, g_periodic_start, g_periodic_end);
	vm_set_idt_gate(self->vm, V_TIMER,
			GUEST_GPA(g_periodic, g_periodic_handler));
	ASSERT_SYNC(self->vp, 1);
	ASSERT_DONE(self->vp);
	EXPECT_COUNT(5, *(uint32_t *)vm_gpa_to_hva(self->vm, FLAG_GPA));
}

/* TSC-deadline mode: IA32_TSC_DEADLINE 2G TSC ticks ahead, cleared on fire. */
__asm__(GUEST_ASM_BEGIN(g_deadline)
	".code64\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"
	"	movl $0x40000 + " G_STR(V_TIMER) ", 0x320(%rbx)\n"
	"	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	mov $2000000000, %ecx\n"	/* well under a second */
	"	add %rcx, %rax\n"
	"	mov %rax, %rdx\n"
	"	shr $32, %rdx\n"
	"	mov $0x6e0, %ecx\n"
	"	wrmsr\n"
	"	rdmsr\n"
	"	or %edx, %eax\n"
	"	setnz %al\n"
	"	movzbl %al, %eax\n"
	"	GUEST_REPORT\n"
	"1:	cli\n"
	"	cmpl $0, " G_STR(FLAG_GPA) "\n"
	"	jne 2f\n"
	"	sti\n"
	"	hlt\n"
	"	jmp 1b\n"
	"2:	mov $0x6e0, %ecx\n"
	"	rdmsr\n"
	"	or %edx, %eax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	HANDLER(g_deadline_handler, V_TIMER)
	GUEST_ASM_END(g_deadline));
GUEST_CODE_DECLARE(g_deadline);
GUEST_LABEL_DECLARE(g_deadline_handler);

TEST_F(apic, timer_tsc_deadline)
{
	load(self->vm, self->vp, g_deadline_start, g_deadline_end);
	vm_set_idt_gate(self->vm, V_TIMER,
			GUEST_GPA(g_deadline, g_deadline_handler));
	ASSERT_REPORT(self->vp, 1);
	ASSERT_REPORT(self->vp, V_TIMER);
	ASSERT_REPORT(self->vp, 0);
	ASSERT_DONE(self->vp);
}

/*
 * x2APIC: ID is the VP index, SELF_IPI works, EOI and ICR are MSRs;
 * reading the write-only EOI raises #GP, and so does going back to xAPIC
 * without disabling first.
 */
__asm__(GUEST_ASM_BEGIN(g_x2apic)
	".code64\n"
	"	mov $0x1b, %ecx\n"
	"	rdmsr\n"
	"	or $0xc00, %eax\n"
	"	wrmsr\n"
	"	mov $0x802, %ecx\n"
	"	rdmsr\n"
	"	GUEST_REPORT\n"
	"	mov $0x80f, %ecx\n"
	"	mov $0x1ff, %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"	cli\n"
	"	mov $0x83f, %ecx\n"
	"	mov $" G_STR(V_ROOT) ", %eax\n"
	"	wrmsr\n"
	"	sti\n"
	"	nop\n"
	"	GUEST_SYNC 1\n"
	"	mov $0x80b, %ecx\n"
	"	rdmsr\n"			/* #GP */
	"	GUEST_SYNC 2\n"
	"	mov $0x1b, %ecx\n"
	"	rdmsr\n"
	"	and $~0x400, %eax\n"
	"	wrmsr\n"			/* #GP */
	"	GUEST_SYNC 3\n"
	"	GUEST_DONE\n"
	".global g_x2apic_handler\n"
	"g_x2apic_handler:\n"
	"	push %rax\n"
	"	push %rcx\n"
	"	push %rdx\n"
	"	mov $" G_STR(V_ROOT) ", %eax\n"
	"	GUEST_REPORT\n"
	"	mov $0x80b, %ecx\n"
	"	xor %eax, %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"	pop %rdx\n"
	"	pop %rcx\n"
	"	pop %rax\n"
	"	iretq\n"
	".global g_x2apic_gp\n"
	"g_x2apic_gp:\n"
	"	add $8, %rsp\n"			/* error code */
	"	push %rax\n"
	"	mov $" G_STR(GP_VECTOR) ", %eax\n"
	"	GUEST_REPORT\n"
	"	pop %rax\n"
	"	addq $2, (%rsp)\n"		/* past RDMSR / WRMSR */
	"	iretq\n"
	GUEST_ASM_END(g_x2apic));
GUEST_CODE_DECLARE(g_x2apic);
GUEST_LABEL_DECLARE(g_x2apic_handler);
GUEST_LABEL_DECLARE(g_x2apic_gp);

TEST_F(apic, x2apic_msrs)
{
	load(self->vm, self->vp, g_x2apic_start, g_x2apic_end);
	vm_set_idt_gate(self->vm, V_ROOT,
			GUEST_GPA(g_x2apic, g_x2apic_handler));
	vm_set_idt_gate(self->vm, GP_VECTOR, GUEST_GPA(g_x2apic, g_x2apic_gp));
	ASSERT_REPORT(self->vp, 0);
	ASSERT_REPORT(self->vp, V_ROOT);
	ASSERT_SYNC(self->vp, 1);
	ASSERT_REPORT(self->vp, GP_VECTOR);
	ASSERT_SYNC(self->vp, 2);
	ASSERT_REPORT(self->vp, GP_VECTOR);
	ASSERT_SYNC(self->vp, 3);
	ASSERT_DONE(self->vp);
	EXPECT_EQ(0xc00, vp_get_reg(self->vp, HVPART_REG_APIC_BASE) & 0xc00);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* HVPART_RUN_VP that a signal ends after @ms: returns its result. */
static int run_for(struct hv_vp *vp, unsigned int ms)
{
	struct itimerval it = { .it_value = { .tv_sec = ms / 1000,
					      .tv_usec = ms % 1000 * 1000 } };
	struct sigaction sa = { .sa_handler = on_alarm };
	int ret;

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	ret = __vp_run(vp);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	return ret;
}

static int assert_irq(struct hv_vm *vm, uint32_t type, uint32_t flags,
		      uint64_t dest, uint32_t vector)
{
	struct hvpart_assert_interrupt a = {
		.type = type, .flags = flags, .destination = dest,
		.vector = vector,
	};

	return ioctl(vm->fd, HVPART_ASSERT_INTERRUPT, &a);
}

/*
 * HLT with IF=0: the root hears of it, a fixed interrupt does not wake
 * the VP (nor does a signal end its halt), an NMI does.
 */
__asm__(GUEST_ASM_BEGIN(g_hltnmi)
	".code64\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"
	"	cli\n"
	"	hlt\n"
	"	GUEST_SYNC 1\n"
	"	GUEST_DONE\n"
	".global g_hltnmi_nmi\n"
	"g_hltnmi_nmi:\n"
	"	mov $" G_STR(NMI_VECTOR) ", %eax\n"
	"	GUEST_REPORT\n"
	"	iretq\n"
	GUEST_ASM_END(g_hltnmi));
GUEST_CODE_DECLARE(g_hltnmi);
GUEST_LABEL_DECLARE(g_hltnmi_nmi);

TEST_F(apic, halt_with_if_clear_waits_for_nmi)
{
	load(self->vm, self->vp, g_hltnmi_start, g_hltnmi_end);
	vm_set_idt_gate(self->vm, NMI_VECTOR,
			GUEST_GPA(g_hltnmi, g_hltnmi_nmi));
	ASSERT_MSG(self->vp, HVPART_MSG_X64_HALT);
	EXPECT_EQ(HVPART_ACTIVITY_HALT_SUSPEND,
		  vp_get_reg(self->vp, HVPART_REG_INTERNAL_ACTIVITY_STATE));
	ASSERT_OK(assert_irq(self->vm, HVPART_INTERRUPT_TYPE_FIXED, 0, 0,
			     V_ROOT));
	EXPECT_ERRNO(EINTR, run_for(self->vp, 300));
	EXPECT_EQ(HVPART_ACTIVITY_HALT_SUSPEND,
		  vp_get_reg(self->vp, HVPART_REG_INTERNAL_ACTIVITY_STATE));
	ASSERT_OK(assert_irq(self->vm, HVPART_INTERRUPT_TYPE_NMI, 0, 0, 0));
	ASSERT_REPORT(self->vp, NMI_VECTOR);
	ASSERT_SYNC(self->vp, 1);
	ASSERT_DONE(self->vp);
}

/*
 * GUEST_IDLE with IF=0 and TPR 15: unlike HLT, a fixed interrupt ends the
 * idle state even masked (the TLFS).  The root hears nothing, a signal
 * leaves the VP idle, and the interrupt waits in IRR until the guest
 * lowers TPR and sets IF.
 */
__asm__(GUEST_ASM_BEGIN(g_idle)
	".code64\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"
	"	cli\n"
	"	mov $15, %eax\n"
	"	mov %rax, %cr8\n"
	"	mov $" G_STR(HV_X64_MSR_GUEST_IDLE) ", %ecx\n"
	"	rdmsr\n"
	"	mov 0x230(%rbx), %eax\n"	/* IRR 0x60-0x7f */
	"	GUEST_REPORT\n"
	"	xor %eax, %eax\n"
	"	mov %rax, %cr8\n"
	"	sti\n"
	"	nop\n"
	"	cli\n"
	"	GUEST_SYNC 1\n"
	"	GUEST_DONE\n"
	HANDLER(g_idle_handler, V_ROOT)
	GUEST_ASM_END(g_idle));
GUEST_CODE_DECLARE(g_idle);
GUEST_LABEL_DECLARE(g_idle_handler);

TEST_F(apic, guest_idle_wakes_with_if_clear)
{
	load(self->vm, self->vp, g_idle_start, g_idle_end);
	vm_set_idt_gate(self->vm, V_ROOT, GUEST_GPA(g_idle, g_idle_handler));
	EXPECT_ERRNO(EINTR, run_for(self->vp, 300));
	EXPECT_EQ(HVPART_ACTIVITY_HALT_SUSPEND,
		  vp_get_reg(self->vp, HVPART_REG_INTERNAL_ACTIVITY_STATE));
	EXPECT_ERRNO(EINTR, run_for(self->vp, 100));
	ASSERT_OK(assert_irq(self->vm, HVPART_INTERRUPT_TYPE_FIXED, 0, 0,
			     V_ROOT));
	ASSERT_REPORT(self->vp, 1u << (V_ROOT - 0x60));
	ASSERT_REPORT(self->vp, V_ROOT);
	ASSERT_SYNC(self->vp, 1);
	ASSERT_DONE(self->vp);
}

/*
 * NMI blocking: a second NMI waits for the handler's IRET, and comes
 * right after it; the root's INTERRUPT_STATE bit 1 reads and sets it.
 * R15 counts handler entries, so a nested NMI would show as a 2 inside.
 */
__asm__(GUEST_ASM_BEGIN(g_nmiblk)
	".code64\n"
	"	xor %r15d, %r15d\n"
	"	GUEST_SYNC 1\n"
	"	GUEST_SYNC 2\n"
	"	GUEST_SYNC 3\n"
	"	GUEST_DONE\n"
	".global g_nmiblk_nmi\n"
	"g_nmiblk_nmi:\n"
	"	inc %r15\n"
	"	mov %r15, %rax\n"
	"	GUEST_REPORT\n"
	"	mov %r15, %rax\n"
	"	GUEST_REPORT\n"
	"	iretq\n"
	GUEST_ASM_END(g_nmiblk));
GUEST_CODE_DECLARE(g_nmiblk);
GUEST_LABEL_DECLARE(g_nmiblk_nmi);

TEST_F(apic, nmi_blocked_until_iret)
{
	load(self->vm, self->vp, g_nmiblk_start, g_nmiblk_end);
	vm_set_idt_gate(self->vm, NMI_VECTOR,
			GUEST_GPA(g_nmiblk, g_nmiblk_nmi));
	ASSERT_SYNC(self->vp, 1);
	EXPECT_EQ(0, vp_get_reg(self->vp, HVPART_REG_INTERRUPT_STATE) & 2);
	ASSERT_OK(assert_irq(self->vm, HVPART_INTERRUPT_TYPE_NMI, 0, 0, 0));
	ASSERT_REPORT(self->vp, 1);
	EXPECT_EQ(2, vp_get_reg(self->vp, HVPART_REG_INTERRUPT_STATE) & 2);
	/* in the handler: this one waits for its IRET */
	ASSERT_OK(assert_irq(self->vm, HVPART_INTERRUPT_TYPE_NMI, 0, 0, 0));
	ASSERT_REPORT(self->vp, 1);
	ASSERT_REPORT(self->vp, 2);
	ASSERT_REPORT(self->vp, 2);
	ASSERT_SYNC(self->vp, 2);
	EXPECT_EQ(0, vp_get_reg(self->vp, HVPART_REG_INTERRUPT_STATE) & 2);

	/* blocked by the root: held until the root unblocks */
	vp_set_reg(self->vp, HVPART_REG_INTERRUPT_STATE, 2);
	ASSERT_OK(assert_irq(self->vm, HVPART_INTERRUPT_TYPE_NMI, 0, 0, 0));
	ASSERT_SYNC(self->vp, 3);
	EXPECT_EQ(2, vp_get_reg(self->vp, HVPART_REG_INTERRUPT_STATE) & 2);
	vp_set_reg(self->vp, HVPART_REG_INTERRUPT_STATE, 0);
	ASSERT_REPORT(self->vp, 3);
	ASSERT_REPORT(self->vp, 3);
	ASSERT_DONE(self->vp);
}

/* A level-triggered interrupt's EOI ends the run with its message. */
__asm__(GUEST_ASM_BEGIN(g_level)
	".code64\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"
	"	sti\n"
	"	GUEST_SYNC 1\n"
	"	nop\n"
	"	GUEST_SYNC 2\n"
	"	GUEST_DONE\n"
	HANDLER(g_level_handler, V_ROOT)
	GUEST_ASM_END(g_level));
GUEST_CODE_DECLARE(g_level);
GUEST_LABEL_DECLARE(g_level_handler);

TEST_F(apic, level_interrupt_eoi_to_root)
{
	const struct hvpart_x64_apic_eoi *eoi = &self->vp->run->msg.u.apic_eoi;

	load(self->vm, self->vp, g_level_start, g_level_end);
	vm_set_idt_gate(self->vm, V_ROOT, GUEST_GPA(g_level, g_level_handler));
	ASSERT_SYNC(self->vp, 1);
	ASSERT_OK(assert_irq(self->vm, HVPART_INTERRUPT_TYPE_FIXED,
			     HVPART_INTERRUPT_LEVEL_TRIGGERED, 0, V_ROOT));
	ASSERT_REPORT(self->vp, V_ROOT);
	ASSERT_MSG(self->vp, HVPART_MSG_X64_APIC_EOI);
	EXPECT_EQ(0, eoi->vp_index);
	EXPECT_EQ(V_ROOT, eoi->interrupt_vector);
	ASSERT_SYNC(self->vp, 2);
	ASSERT_DONE(self->vp);
}

/*
 * A VP stopped in an STI shadow (after STI; the root sets the shadow, as
 * an exit on the next instruction may leave it), then IF cleared under
 * it: by an INIT (the reset state), or by the root's RFLAGS write.  VMX
 * refuses to enter with blocking by STI and IF clear; the VP must go on,
 * not fail its VM entry.
 */
__asm__(GUEST_ASM_BEGIN(g_sti_shadow)
	".code64\n"
	"	sti\n"
	"	GUEST_SYNC 1\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_sti_shadow));
GUEST_CODE_DECLARE(g_sti_shadow);

TEST_F(apic, init_in_sti_shadow)
{
	const struct hvpart_x64_intercept_header *h =
		&self->vp->run->msg.u.intercept;

	load(self->vm, self->vp, g_sti_shadow_start, g_sti_shadow_end);
	ASSERT_SYNC(self->vp, 1);
	self->vp->run->completion = 0;		/* the OUT stays undone */
	vp_set_reg(self->vp, HVPART_REG_INTERRUPT_STATE, 1);
	ASSERT_OK(assert_irq(self->vm, HVPART_INTERRUPT_TYPE_INIT, 0, 0, 0));
	/* VP 0 starts over at the reset vector, which no range maps here */
	ASSERT_MSG(self->vp, HVPART_MSG_UNMAPPED_GPA);
	EXPECT_EQ(0xfff0, h->rip);
}

TEST_F(apic, root_clears_if_in_sti_shadow)
{
	load(self->vm, self->vp, g_sti_shadow_start, g_sti_shadow_end);
	ASSERT_SYNC(self->vp, 1);
	self->vp->run->completion = 0;		/* the OUT runs again */
	vp_set_reg(self->vp, HVPART_REG_INTERRUPT_STATE, 1);
	vp_set_reg(self->vp, HVPART_REG_RFLAGS, X86_RFLAGS_FIXED);
	ASSERT_SYNC(self->vp, 1);
	ASSERT_DONE(self->vp);
}

TEST(assert_interrupt_invalid)
{
	struct hvpart_assert_interrupt a = {
		.type = HVPART_INTERRUPT_TYPE_FIXED, .vector = V_ROOT,
	};
	struct hv_vm *vm, *plain;

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	if (!hvpart_has_cap(HVPART_CAP_LOCAL_APIC))
		SKIP(return, "no HVPART_CAP_LOCAL_APIC");
	vm = vm_create_bare_flags(HVPART_CREATE_PARTITION_LOCAL_APIC);
	plain = vm_create_bare();

	EXPECT_ERRNO(ENXIO, ioctl(plain->fd, HVPART_ASSERT_INTERRUPT, &a));
	EXPECT_OK(ioctl(vm->fd, HVPART_ASSERT_INTERRUPT, &a));
	a.flags = 4;
	EXPECT_ERRNO(EINVAL, ioctl(vm->fd, HVPART_ASSERT_INTERRUPT, &a));
	a.flags = 0;
	a.rsvd = 1;
	EXPECT_ERRNO(EINVAL, ioctl(vm->fd, HVPART_ASSERT_INTERRUPT, &a));
	a.rsvd = 0;
	a.vector = 15;
	EXPECT_ERRNO(EINVAL, ioctl(vm->fd, HVPART_ASSERT_INTERRUPT, &a));
	a.vector = 256;
	EXPECT_ERRNO(EINVAL, ioctl(vm->fd, HVPART_ASSERT_INTERRUPT, &a));
	a.vector = V_ROOT;
	a.destination = 1ULL << 32;
	EXPECT_ERRNO(EINVAL, ioctl(vm->fd, HVPART_ASSERT_INTERRUPT, &a));
	a.destination = 0;
	a.type = 2;		/* SMI */
	EXPECT_ERRNO(EINVAL, ioctl(vm->fd, HVPART_ASSERT_INTERRUPT, &a));
	a.type = 7;		/* ExtINT */
	EXPECT_ERRNO(EINVAL, ioctl(vm->fd, HVPART_ASSERT_INTERRUPT, &a));
	a.type = HVPART_INTERRUPT_TYPE_NMI;
	EXPECT_ERRNO(EINVAL, ioctl(vm->fd, HVPART_ASSERT_INTERRUPT, &a));
	a.vector = 0;
	a.flags = HVPART_INTERRUPT_LEVEL_TRIGGERED;
	EXPECT_ERRNO(EINVAL, ioctl(vm->fd, HVPART_ASSERT_INTERRUPT, &a));
	EXPECT_ERRNO(EFAULT, ioctl(vm->fd, HVPART_ASSERT_INTERRUPT, 8));
	/* a destination with no VP drops the interrupt, as on the bus */
	a.flags = 0;
	a.type = HVPART_INTERRUPT_TYPE_FIXED;
	a.vector = V_ROOT;
	a.destination = 7;
	EXPECT_OK(ioctl(vm->fd, HVPART_ASSERT_INTERRUPT, &a));
	vm_free(plain);
	vm_free(vm);
}

TEST(create_flags_and_apic_registers)
{
	struct hvpart_create_partition cp = { .flags = 2 };
	struct hvpart_register r = { .name = HVPART_REG_APIC_TPR };
	struct hvpart_vp_registers regs = {
		.count = 1, .regs_ptr = (uintptr_t)&r,
	};
	struct hv_vm *plain;
	struct hv_vp *vp;
	int dev;

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	dev = hvpart_open();
	EXPECT_ERRNO(EINVAL, ioctl(dev, HVPART_CREATE_PARTITION, &cp));
	/* without a local APIC there are no APIC registers */
	plain = vm_create_bare();
	vp = vm_add_vp(plain, 0);
	EXPECT_ERRNO(EINVAL, ioctl(vp->fd, HVPART_GET_VP_REGISTERS, &regs));
	r.name = HVPART_REG_INTERNAL_ACTIVITY_STATE;
	EXPECT_ERRNO(EINVAL, ioctl(vp->fd, HVPART_GET_VP_REGISTERS, &regs));
	/* nor can the root switch its VPs to x2APIC */
	r.name = HVPART_REG_APIC_BASE;
	r.value.reg64 = 0xfee00000 | APIC_BASE_ENABLE | 0x400;
	EXPECT_ERRNO(EINVAL, ioctl(vp->fd, HVPART_SET_VP_REGISTERS, &regs));
	vm_free(plain);
	close(dev);
}

/* ---- several VPs ---------------------------------------------------- */

/* Emulated machines are slow with several VP threads: generous limits. */
#define SMP_TIMEOUT	300

FIXTURE(smp) {
	int unused;
};

FIXTURE_SETUP(smp)
{
	HV_SETUP_REQUIRE_DEV();
	if (!hvpart_has_cap(HVPART_CAP_LOCAL_APIC))
		HV_SETUP_SKIP("no HVPART_CAP_LOCAL_APIC");
}

FIXTURE_TEARDOWN(smp)
{
}

/*
 * Run @bsp (long mode at LOAD_GPA) to its DONE, with VPs 1 to @naps
 * running @ap_gpa in long mode on threads of their own (R13: each one's
 * index), started by the root; then stop them.
 */
static void run_bsp_with_aps(struct __test_metadata *_metadata,
			     struct hv_vm *vm, int naps, uint64_t ap_gpa)
{
	struct hv_ap t[4] = { 0 };
	struct hv_vp *bsp;
	struct ucall uc;
	int i, r;

	bsp = vm_add_vp(vm, 0);
	vp_setup_mode(bsp, GUEST_MODE_LONG64, LOAD_GPA);
	for (i = 0; i < naps; i++) {
		t[i].vp = vm_add_vp(vm, i + 1);
		vp_setup_mode(t[i].vp, GUEST_MODE_LONG64, ap_gpa);
		vp_set_reg(t[i].vp, HVPART_REG_R13, i + 1);
		vp_set_reg(t[i].vp, HVPART_REG_INTERNAL_ACTIVITY_STATE, 0);
		hv_ap_start(&t[i]);
	}
	r = run_for(bsp, 240000);
	EXPECT_EQ(0, r);
	EXPECT_EQ(UCALL_DONE, r ? UCALL_NONE : get_ucall(bsp, &uc));
	hv_ap_stop(t, naps);
}

/*
 * INIT-SIPI-SIPI through the xAPIC ICR (all but self): every AP starts in
 * real mode at the SIPI page, counts itself once (the second SIPI finds
 * it running and is ignored) and halts with IF=0.
 */
__asm__(GUEST_ASM_BEGIN(g_sipi_ap)
	".code16\n"
	"	lock incw %ds:" G_STR(SIPI_COUNT) "\n"
	"	cli\n"
	"	hlt\n"
	"	jmp .-1\n"
	GUEST_ASM_END(g_sipi_ap));
GUEST_CODE_DECLARE(g_sipi_ap);

__asm__(GUEST_ASM_BEGIN(g_sipi_bsp)
	".code64\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"
	"	movl $0xc4500, 0x300(%rbx)\n"	/* INIT, assert, all but self */
	"	movl $0xc4600 + " G_STR(SIPI_PAGE) ", 0x300(%rbx)\n"
	"	movl $0xc4600 + " G_STR(SIPI_PAGE) ", 0x300(%rbx)\n"
	"1:	pause\n"
	"	movzwl " G_STR(SIPI_COUNT) ", %eax\n"
	"	cmp %r12d, %eax\n"
	"	jne 1b\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_sipi_bsp));
GUEST_CODE_DECLARE(g_sipi_bsp);

static void init_sipi(struct __test_metadata *_metadata, int nvps)
{
	struct hv_vm *vm = vm_create_apic(GUEST_MEM_SIZE);
	struct hv_ap t[8] = { 0 };
	struct hv_vp *bsp;
	struct ucall uc;
	int i, r;

	bsp = vm_add_vp(vm, 0);
	vm_load(vm, LOAD_GPA, g_sipi_bsp_start, g_sipi_bsp_end);
	vm_load(vm, SIPI_PAGE << 12, g_sipi_ap_start, g_sipi_ap_end);
	vp_setup_mode(bsp, GUEST_MODE_LONG64, LOAD_GPA);
	vp_set_reg(bsp, HVPART_REG_R12, nvps - 1);
	for (i = 0; i < nvps - 1; i++) {
		t[i].vp = vm_add_vp(vm, i + 1);
		/* an AP waits for SIPI from the start */
		EXPECT_EQ(HVPART_ACTIVITY_STARTUP_SUSPEND,
			  vp_get_reg(t[i].vp,
				     HVPART_REG_INTERNAL_ACTIVITY_STATE));
		hv_ap_start(&t[i]);
	}
	r = run_for(bsp, 240000);
	EXPECT_EQ(0, r);
	EXPECT_EQ(UCALL_DONE, r ? UCALL_NONE : get_ucall(bsp, &uc));
	/* each AP halts after counting: HALT message, IF clear */
	for (i = 0; i < nvps - 1; i++) {
		EXPECT_EQ(0, hv_ap_join(&t[i], 30));
		EXPECT_EQ(0, t[i].err);
		EXPECT_EQ(HVPART_MSG_X64_HALT, t[i].msg);
		/* past LOCK INC (5 bytes), CLI and HLT, in the SIPI page */
		EXPECT_EQ(7, vp_get_reg(t[i].vp, HVPART_REG_RIP));
		EXPECT_EQ(SIPI_PAGE << 12, vp_get_reg(t[i].vp, HVPART_REG_CS));
	}
	EXPECT_EQ(nvps - 1,
		  *(uint16_t *)vm_gpa_to_hva(vm, SIPI_COUNT));
	vm_free(vm);
}

TEST_F_TIMEOUT(smp, init_sipi_two_vps, SMP_TIMEOUT)
{
	init_sipi(_metadata, 2);
}

TEST_F_TIMEOUT(smp, init_sipi_four_vps, SMP_TIMEOUT)
{
	init_sipi(_metadata, 4);
}

/*
 * A VP halted with IF clear wakes for INIT (the root's, here), then waits
 * for SIPI in RUN; the root's SIPI starts it at the SIPI page.
 */
__asm__(GUEST_ASM_BEGIN(g_inithlt)
	".code64\n"
	"	cli\n"
	"	hlt\n"
	"	GUEST_FAIL 1\n"
	GUEST_ASM_END(g_inithlt));
GUEST_CODE_DECLARE(g_inithlt);

TEST_F_TIMEOUT(smp, init_wakes_halted_vp, SMP_TIMEOUT)
{
	struct hv_vm *vm = vm_create_flags(GUEST_MEM_SIZE,
					   HVPART_CREATE_PARTITION_LOCAL_APIC);
	struct hv_vp *ap;

	vm_add_vp(vm, 0);
	ap = vm_add_vp(vm, 1);
	vm_load(vm, LOAD_GPA, g_inithlt_start, g_inithlt_end);
	vm_load(vm, SIPI_PAGE << 12, g_sipi_ap_start, g_sipi_ap_end);
	vp_setup_mode(ap, GUEST_MODE_LONG64, LOAD_GPA);
	vp_set_reg(ap, HVPART_REG_INTERNAL_ACTIVITY_STATE, 0);
	ASSERT_MSG(ap, HVPART_MSG_X64_HALT);
	/* a fixed interrupt does not end a halt with IF clear */
	vp_set_reg(ap, HVPART_REG_APIC(0xf0), 0x1ff);
	ASSERT_OK(assert_irq(vm, HVPART_INTERRUPT_TYPE_FIXED, 0, 1, V_AP));
	EXPECT_EQ(1 << (V_AP % 32), vp_get_reg(ap, HVPART_REG_APIC(0x220)));
	EXPECT_ERRNO(EINTR, run_for(ap, 300));
	ASSERT_OK(assert_irq(vm, HVPART_INTERRUPT_TYPE_INIT, 0, 1, 0));
	EXPECT_ERRNO(EINTR, run_for(ap, 300));
	EXPECT_EQ(HVPART_ACTIVITY_STARTUP_SUSPEND,
		  vp_get_reg(ap, HVPART_REG_INTERNAL_ACTIVITY_STATE));
	/* INIT left the reset state: real mode, no pending interrupt */
	EXPECT_EQ(0, vp_get_reg(ap, HVPART_REG_CR0) & X86_CR0_PE);
	EXPECT_EQ(0, vp_get_reg(ap, HVPART_REG_APIC(0x220)));
	ASSERT_OK(assert_irq(vm, HVPART_INTERRUPT_TYPE_SIPI, 0, 1,
			     SIPI_PAGE));
	ASSERT_MSG(ap, HVPART_MSG_X64_HALT);
	EXPECT_EQ(1, *(uint16_t *)vm_gpa_to_hva(vm, SIPI_COUNT));
	EXPECT_EQ(7, vp_get_reg(ap, HVPART_REG_RIP));
	vm_free(vm);
}

/*
 * IPI ping-pong: the BSP sends V_AP to APIC ID 1, whose handler answers
 * with V_BSP to APIC ID 0; the AP sleeps in HLT between, the BSP spins
 * with interrupts on (so the pong kicks it out of the guest), each on
 * its own host thread.  Every ping gets exactly one pong.
 */
__asm__(GUEST_ASM_BEGIN(g_ping)
	".code64\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"
	"1:	pause\n"
	"	cmpl $1, " G_STR(READY_GPA) "\n"
	"	jne 1b\n"
	"	xor %r12d, %r12d\n"
	"2:	inc %r12d\n"
	"6:	cli\n"
	"	movl $0x1000000, 0x310(%rbx)\n"	/* to APIC ID 1 */
	"	movl $" G_STR(V_AP) ", 0x300(%rbx)\n"
	"	sti\n"
	"	xor %r13d, %r13d\n"
	/* the pong comes in while spinning (a kick into the guest) */
	"3:	cmp " G_STR(COUNT2_GPA) ", %r12d\n"
	"	jbe 4f\n"
	"	pause\n"
	"	inc %r13d\n"
	"	cmp $20000000, %r13d\n"
	"	jb 3b\n"
	"	lock incl " G_STR(RESENT_GPA) "\n"	/* lost: send again */
	"	jmp 6b\n"
	"4:	cli\n"
	"	cmp $" G_STR(PINGS) ", %r12d\n"
	"	jne 2b\n"
	"	mov " G_STR(FLAG_GPA) ", %eax\n"	/* the AP's count */
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	".global g_ping_ap\n"
	"g_ping_ap:\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"
	"	movl $1, " G_STR(READY_GPA) "\n"
	"5:	sti\n"
	"	hlt\n"
	"	jmp 5b\n"
	".global g_ping_ap_handler\n"
	"g_ping_ap_handler:\n"
	"	lock incl " G_STR(FLAG_GPA) "\n"
	"	movl $0, 0x310(%rbx)\n"		/* to APIC ID 0 */
	"	movl $" G_STR(V_BSP) ", 0x300(%rbx)\n"
	"	movl $0, 0xb0(%rbx)\n"
	"	iretq\n"
	".global g_ping_bsp_handler\n"
	"g_ping_bsp_handler:\n"
	"	lock incl " G_STR(COUNT2_GPA) "\n"
	"	movl $0, 0xb0(%rbx)\n"
	"	iretq\n"
	GUEST_ASM_END(g_ping));
GUEST_CODE_DECLARE(g_ping);
GUEST_LABEL_DECLARE(g_ping_ap);
GUEST_LABEL_DECLARE(g_ping_ap_handler);
GUEST_LABEL_DECLARE(g_ping_bsp_handler);

TEST_F_TIMEOUT(smp, ipi_ping_pong, SMP_TIMEOUT)
{
	struct hv_ap t = { 0 };
	struct hv_vm *vm;
	struct hv_vp *bsp;
	struct ucall uc;
	uint32_t resent;
	int r;

	vm = vm_create_apic(GUEST_MEM_SIZE);
	vm_load(vm, LOAD_GPA, g_ping_start, g_ping_end);
	vm_set_idt_gate(vm, V_AP, GUEST_GPA(g_ping, g_ping_ap_handler));
	vm_set_idt_gate(vm, V_BSP, GUEST_GPA(g_ping, g_ping_bsp_handler));
	bsp = vm_add_vp(vm, 0);
	t.vp = vm_add_vp(vm, 1);
	vp_setup_mode(bsp, GUEST_MODE_LONG64, LOAD_GPA);
	vp_setup_mode(t.vp, GUEST_MODE_LONG64, GUEST_GPA(g_ping, g_ping_ap));
	/* the root starts the AP itself instead of INIT-SIPI */
	vp_set_reg(t.vp, HVPART_REG_INTERNAL_ACTIVITY_STATE, 0);
	hv_ap_start(&t);

	r = run_for(bsp, 240000);
	EXPECT_EQ(0, r);
	if (!r) {
		EXPECT_EQ(UCALL_REPORT, get_ucall(bsp, &uc));
		EXPECT_COUNT(PINGS, uc.arg);
		ASSERT_DONE(bsp);
	}
	hv_ap_stop(&t, 1);
	EXPECT_EQ(0, t.err);
	/* the AP never left the kernel: it only ever slept in HLT */
	EXPECT_EQ(0, t.msg);
	EXPECT_COUNT(PINGS, *(uint32_t *)vm_gpa_to_hva(vm, COUNT2_GPA));
	/*
	 * QEMU's emulated SVM now and then loses an IPI, under kvm_amd
	 * too (make bench): the BSP sends it again after a long wait, and
	 * only there may it have had to.
	 */
	resent = *(uint32_t *)vm_gpa_to_hva(vm, RESENT_GPA);
	if (resent)
		TH_LOG("%u pings sent again", resent);
	if (!hv_qemu_tcg_svm())
		EXPECT_EQ(0, resent);
	vm_free(vm);
}

/*
 * Destinations, with three VPs: VP n sets its flat logical ID to 1 << n
 * and counts V_AP in COUNT[n] (its APIC ID tells n).  The BSP sends to
 * physical ID 2, to logical 0x06 (VPs 1 and 2), all but self, all
 * including self, and lowest priority to logical 0x06 (exactly one);
 * then every VP goes to the cluster model (APs: cluster 1, member n-1)
 * and the BSP sends to cluster 1's members 0-1, then to member 1.
 */
#define COUNTS_GPA	(DATA_GPA + 0x100)

__asm__(GUEST_ASM_BEGIN(g_dest)
	".code64\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"
	"	movl $0x1000000, 0xd0(%rbx)\n"	/* LDR: bit 0 */
	"1:	pause\n"
	"	cmpl $2, " G_STR(READY_GPA) "\n"
	"	jne 1b\n"
	"	movl $0x2000000, 0x310(%rbx)\n"	/* physical ID 2 */
	"	movl $" G_STR(V_AP) ", 0x300(%rbx)\n"
	"	mov $1, %r12d\n"
	"	call 9f\n"
	"	movl $0x6000000, 0x310(%rbx)\n"	/* logical 0x06 */
	"	movl $0x800 + " G_STR(V_AP) ", 0x300(%rbx)\n"
	"	mov $3, %r12d\n"
	"	call 9f\n"
	"	movl $0xc0000 + " G_STR(V_AP) ", 0x300(%rbx)\n"	/* all but self */
	"	mov $5, %r12d\n"
	"	call 9f\n"
	"	sti\n"
	"	movl $0x80000 + " G_STR(V_AP) ", 0x300(%rbx)\n"	/* all incl. self */
	"	mov $8, %r12d\n"
	"	call 9f\n"
	"	cli\n"
	"	movl $0x6000000, 0x310(%rbx)\n"
	"	movl $0x900 + " G_STR(V_AP) ", 0x300(%rbx)\n"	/* lowest, logical */
	"	mov $9, %r12d\n"
	"	call 9f\n"
	/* cluster model: V_BSP makes the APs switch (cluster 1, member n-1) */
	"	movl $0xc0000 + " G_STR(V_BSP) ", 0x300(%rbx)\n"
	"3:	pause\n"
	"	cmpl $4, " G_STR(READY_GPA) "\n"
	"	jne 3b\n"
	"	movl $0x0fffffff, 0xe0(%rbx)\n"	/* DFR: cluster */
	"	movl $0x01000000, 0xd0(%rbx)\n"	/* cluster 0, member 0 */
	"	movl $0x13000000, 0x310(%rbx)\n"	/* cluster 1, members 0-1 */
	"	movl $0x800 + " G_STR(V_AP) ", 0x300(%rbx)\n"
	"	mov $11, %r12d\n"
	"	call 9f\n"
	"	movl $0x12000000, 0x310(%rbx)\n"	/* cluster 1, member 1 */
	"	movl $0x800 + " G_STR(V_AP) ", 0x300(%rbx)\n"
	"	mov $12, %r12d\n"
	"	call 9f\n"
	"	GUEST_DONE\n"
	/* wait until the three counts add up to R12 */
	"9:	pause\n"
	"	mov " G_STR(COUNTS_GPA) ", %eax\n"
	"	add " G_STR(COUNTS_GPA) " + 4, %eax\n"
	"	add " G_STR(COUNTS_GPA) " + 8, %eax\n"
	"	cmp %r12d, %eax\n"
	"	jb 9b\n"
	"	ret\n"
	".global g_dest_ap\n"
	"g_dest_ap:\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"
	"	mov %r13d, %ecx\n"
	"	mov $0x1000000, %eax\n"
	"	shl %cl, %eax\n"
	"	mov %eax, 0xd0(%rbx)\n"		/* LDR: bit n */
	"	lock incl " G_STR(READY_GPA) "\n"
	"2:	sti\n"
	"	hlt\n"
	"	jmp 2b\n"
	".global g_dest_handler\n"
	"g_dest_handler:\n"
	"	push %rax\n"
	"	mov 0x20(%rbx), %eax\n"
	"	shr $24, %eax\n"
	"	lock incl " G_STR(COUNTS_GPA) "(,%rax,4)\n"
	"	movl $0, 0xb0(%rbx)\n"
	"	pop %rax\n"
	"	iretq\n"
	".global g_dest_cluster\n"
	"g_dest_cluster:\n"
	"	push %rax\n"
	"	push %rcx\n"
	"	movl $0x0fffffff, 0xe0(%rbx)\n"
	"	mov 0x20(%rbx), %ecx\n"
	"	shr $24, %ecx\n"
	"	dec %ecx\n"
	"	mov $0x1000000, %eax\n"
	"	shl %cl, %eax\n"
	"	or $0x10000000, %eax\n"
	"	mov %eax, 0xd0(%rbx)\n"
	"	lock incl " G_STR(READY_GPA) "\n"
	"	movl $0, 0xb0(%rbx)\n"
	"	pop %rcx\n"
	"	pop %rax\n"
	"	iretq\n"
	GUEST_ASM_END(g_dest));
GUEST_CODE_DECLARE(g_dest);
GUEST_LABEL_DECLARE(g_dest_ap);
GUEST_LABEL_DECLARE(g_dest_handler);
GUEST_LABEL_DECLARE(g_dest_cluster);

TEST_F_TIMEOUT(smp, ipi_destinations, SMP_TIMEOUT)
{
	struct hv_vm *vm = vm_create_apic(GUEST_MEM_SIZE);
	uint32_t *counts;

	vm_load(vm, LOAD_GPA, g_dest_start, g_dest_end);
	vm_set_idt_gate(vm, V_AP, GUEST_GPA(g_dest, g_dest_handler));
	vm_set_idt_gate(vm, V_BSP, GUEST_GPA(g_dest, g_dest_cluster));
	run_bsp_with_aps(_metadata, vm, 2, GUEST_GPA(g_dest, g_dest_ap));
	counts = vm_gpa_to_hva(vm, COUNTS_GPA);
	EXPECT_COUNT(1, counts[0]);
	/*
	 * VP 1: flat logical, all but self, all, cluster 1 members 0-1;
	 * VP 2: those, physical and cluster 1 member 1
	 */
	EXPECT_LE(4, counts[1]);
	EXPECT_LE(6, counts[2]);
	/* and lowest priority went to exactly one of them */
	EXPECT_COUNT(11, counts[1] + counts[2]);
	vm_free(vm);
}

/*
 * x2APIC destinations with three VPs in x2APIC mode: physical ID 2,
 * logical cluster 0 with members 1 and 2 (the x2APIC LDR is derived from
 * the ID), and the physical broadcast, through the 64-bit ICR MSR.
 */
#define X2APIC_ON							\
	"	mov $0x1b, %ecx\n"					\
	"	rdmsr\n"						\
	"	or $0xc00, %eax\n"					\
	"	wrmsr\n"						\
	"	mov $0x80f, %ecx\n"					\
	"	mov $0x1ff, %eax\n"					\
	"	xor %edx, %edx\n"					\
	"	wrmsr\n"
#define X2APIC_IPI(dest, low)						\
	"	mov $0x830, %ecx\n"					\
	"	mov $" #low ", %eax\n"				\
	"	mov $" #dest ", %edx\n"				\
	"	wrmsr\n"

__asm__(GUEST_ASM_BEGIN(g_x2dest)
	".code64\n"
	X2APIC_ON
	"1:	pause\n"
	"	cmpl $2, " G_STR(READY_GPA) "\n"
	"	jne 1b\n"
	X2APIC_IPI(2, 0x41)
	"	mov $1, %r12d\n"
	"	call 9f\n"
	X2APIC_IPI(6, 0x841)
	"	mov $3, %r12d\n"
	"	call 9f\n"
	"	sti\n"
	X2APIC_IPI(0xffffffff, 0x41)
	"	mov $6, %r12d\n"
	"	call 9f\n"
	"	cli\n"
	"	GUEST_DONE\n"
	"9:	pause\n"
	"	mov " G_STR(COUNTS_GPA) ", %eax\n"
	"	add " G_STR(COUNTS_GPA) " + 4, %eax\n"
	"	add " G_STR(COUNTS_GPA) " + 8, %eax\n"
	"	cmp %r12d, %eax\n"
	"	jb 9b\n"
	"	ret\n"
	".global g_x2dest_ap\n"
	"g_x2dest_ap:\n"
	X2APIC_ON
	"	lock incl " G_STR(READY_GPA) "\n"
	"2:	sti\n"
	"	hlt\n"
	"	jmp 2b\n"
	".global g_x2dest_handler\n"
	"g_x2dest_handler:\n"
	"	push %rax\n"
	"	push %rcx\n"
	"	push %rdx\n"
	"	mov $0x802, %ecx\n"
	"	rdmsr\n"
	"	lock incl " G_STR(COUNTS_GPA) "(,%rax,4)\n"
	"	mov $0x80b, %ecx\n"
	"	xor %eax, %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"	pop %rdx\n"
	"	pop %rcx\n"
	"	pop %rax\n"
	"	iretq\n"
	GUEST_ASM_END(g_x2dest));
GUEST_CODE_DECLARE(g_x2dest);
GUEST_LABEL_DECLARE(g_x2dest_ap);
GUEST_LABEL_DECLARE(g_x2dest_handler);

TEST_F_TIMEOUT(smp, x2apic_destinations, SMP_TIMEOUT)
{
	struct hv_vm *vm = vm_create_flags(GUEST_MEM_SIZE,
					   HVPART_CREATE_PARTITION_LOCAL_APIC);
	uint32_t *counts;

	vm_load(vm, LOAD_GPA, g_x2dest_start, g_x2dest_end);
	vm_set_idt_gate(vm, V_AP, GUEST_GPA(g_x2dest, g_x2dest_handler));
	run_bsp_with_aps(_metadata, vm, 2, GUEST_GPA(g_x2dest, g_x2dest_ap));
	counts = vm_gpa_to_hva(vm, COUNTS_GPA);
	EXPECT_COUNT(1, counts[0]);
	EXPECT_COUNT(2, counts[1]);
	EXPECT_COUNT(3, counts[2]);
	vm_free(vm);
}

/*
 * A periodic timer of one tick (5 ns) is held to hvpart's shortest
 * period (apic_min_period_us, 200 us by default): 200 interrupts take at
 * least 200 periods, and the host, which runs this test, is not starved
 * meanwhile.
 */
__asm__(GUEST_ASM_BEGIN(g_storm)
	".code64\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"
	"	movl $0xb, 0x3e0(%rbx)\n"
	"	movl $0x20000 + " G_STR(V_TIMER) ", 0x320(%rbx)\n"
	"	movl $1, 0x380(%rbx)\n"
	"	sti\n"
	"1:	cmpl $" G_STR(STORM_IRQS) ", " G_STR(FLAG_GPA) "\n"
	"	jb 1b\n"
	"	cli\n"
	"	movl $0, 0x380(%rbx)\n"
	"	GUEST_DONE\n"
	".global g_storm_handler\n"
	"g_storm_handler:\n"
	"	lock incl " G_STR(FLAG_GPA) "\n"
	"	movl $0, 0xb0(%rbx)\n"
	"	iretq\n"
	GUEST_ASM_END(g_storm));
GUEST_CODE_DECLARE(g_storm);
GUEST_LABEL_DECLARE(g_storm_handler);

/* hvpart's apic_min_period_us, in ns (KVM's min_timer_period_us). */
static uint64_t min_period_ns(void)
{
	FILE *f = fopen("/sys/module/hvpart/parameters/apic_min_period_us",
			"r");
	unsigned int us = 200;

	if (f) {
		if (fscanf(f, "%u", &us) != 1)
			us = 200;
		fclose(f);
	}
	return us * 1000ULL;
}

TEST_F(apic, timer_storm_is_rate_limited)
{
	uint64_t t0;

	load(self->vm, self->vp, g_storm_start, g_storm_end);
	vm_set_idt_gate(self->vm, V_TIMER,
			GUEST_GPA(g_storm, g_storm_handler));
	t0 = now_ns();
	ASSERT_DONE(self->vp);
	EXPECT_GE(now_ns() - t0, STORM_IRQS * min_period_ns() * 9 / 10);
}

/*
 * An IPI flood (20000 self-IPIs, each taken and EOI'd) must not starve
 * the host: a thread on the same CPU as the VP, sleeping 1 ms at a time,
 * still runs at least once per 20 ms of the flood on average.
 */
#define FLOOD_IPIS	20000

__asm__(GUEST_ASM_BEGIN(g_flood)
	".code64\n"
	X2APIC_ON
	"	mov $" G_STR(FLOOD_IPIS) ", %r12d\n"
	"	sti\n"
	"1:	mov $0x83f, %ecx\n"
	"	mov $" G_STR(V_LOW) ", %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"	dec %r12d\n"
	"	jnz 1b\n"
	"	cli\n"
	"	mov " G_STR(FLAG_GPA) ", %eax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	".global g_flood_handler\n"
	"g_flood_handler:\n"
	"	push %rax\n"
	"	push %rcx\n"
	"	push %rdx\n"
	"	lock incl " G_STR(FLAG_GPA) "\n"
	"	mov $0x80b, %ecx\n"
	"	xor %eax, %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"	pop %rdx\n"
	"	pop %rcx\n"
	"	pop %rax\n"
	"	iretq\n"
	GUEST_ASM_END(g_flood));
GUEST_CODE_DECLARE(g_flood);
GUEST_LABEL_DECLARE(g_flood_handler);

struct sleeper {
	volatile bool stop;
	unsigned long runs;
};

static void *sleeper_run(void *arg)
{
	struct sleeper *s = arg;
	struct timespec ms = { .tv_nsec = 1000000 };

	while (!s->stop) {
		nanosleep(&ms, NULL);
		s->runs++;
	}
	return NULL;
}

TEST_F_TIMEOUT(apic, ipi_flood_does_not_starve_host, 300)
{
	struct sleeper sl = { 0 };
	pthread_attr_t attr;
	struct ucall uc;
	cpu_set_t cpu0;
	uint64_t t0, ms;
	pthread_t tid;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpu0), &cpu0));
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(cpu0), &cpu0);
	load(self->vm, self->vp, g_flood_start, g_flood_end);
	vm_set_idt_gate(self->vm, V_LOW, GUEST_GPA(g_flood, g_flood_handler));
	pthread_create(&tid, &attr, sleeper_run, &sl);
	t0 = now_ns();
	/*
	 * Each IPI is handled once, but QEMU's emulated SVM now and then
	 * delivers an injected interrupt twice (helper_vmrun leaves its
	 * exception_index set; kvm_amd shows the same in `make bench`):
	 * there, a few extra handler runs are QEMU's, not hvpart's.
	 */
	vp_run(self->vp);
	ASSERT_EQ(UCALL_REPORT, get_ucall(self->vp, &uc));
	EXPECT_COUNT(FLOOD_IPIS, uc.arg);
	ms = (now_ns() - t0) / 1000000;
	sl.stop = true;
	pthread_join(tid, NULL);
	ASSERT_DONE(self->vp);
	TH_LOG("%d IPIs in %llu ms; the sleeper ran %lu times", FLOOD_IPIS,
	       (unsigned long long)ms, sl.runs);
	EXPECT_GE(sl.runs, ms / 20);
}

TEST_HARNESS_MAIN
