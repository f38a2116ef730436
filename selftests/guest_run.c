// SPDX-License-Identifier: GPL-2.0
/*
 * guest_run: how HVPART_RUN_VP ends and resumes.  HLT retires before the
 * halt message; a triple fault is an unrecoverable-exception message that
 * repeats until RIP is set again and leaves the host unharmed; a signal or
 * immediate_exit ends RUN with EINTR and the VP's state intact; the run
 * page's completion is applied once, before the VP runs, and bad
 * completion bits or reserved bytes fail RUN.
 */
#include <signal.h>
#include <time.h>

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

/* HLT */
__asm__(GUEST_ASM_BEGIN(g_hlt)
	".code64\n"
	"	GUEST_SYNC 1\n"
	".global g_hlt_insn\n"
	"g_hlt_insn:	hlt\n"
	"	GUEST_SYNC 2\n"
	"	sti\n"
	"	hlt\n"
	"	GUEST_SYNC 3\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_hlt));
GUEST_CODE_DECLARE(g_hlt);
GUEST_LABEL_DECLARE(g_hlt_insn);

TEST_F(guest, hlt)
{
	uint64_t exits;

	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_hlt_start, g_hlt_end);
	ASSERT_SYNC(self->vp, 1);
	exits = self->vp->run->exits;
	EXPECT_LT(0, exits);
	ASSERT_MSG(self->vp, HVPART_MSG_X64_HALT);
	EXPECT_LT(exits, self->vp->run->exits);
	EXPECT_EQ(0, self->vp->run->msg.u.intercept.vp_index);
	/* HLT has retired: RIP is past it, and RUN goes on after it. */
	EXPECT_EQ(GUEST_GPA(g_hlt, g_hlt_insn) + 1,
		  vp_get_reg(self->vp, HVPART_REG_RIP));
	ASSERT_SYNC(self->vp, 2);
	/* The same with interrupts enabled (nothing will interrupt it). */
	ASSERT_MSG(self->vp, HVPART_MSG_X64_HALT);
	ASSERT_SYNC(self->vp, 3);
	ASSERT_DONE(self->vp);
}

/* A triple fault: #UD with an IDT of limit 0, then #GP, then #DF. */
__asm__(GUEST_ASM_BEGIN(g_tf)
	".code64\n"
	"	GUEST_SYNC 1\n"
	"	lidt g_tf_idtr(%rip)\n"
	"	ud2\n"
	".global g_tf_after\n"
	"g_tf_after:\n"
	"	GUEST_SYNC 2\n"
	"	GUEST_DONE\n"
	".balign 8\n"
	"g_tf_idtr:	.word 0\n"
	"	.quad 0\n"
	GUEST_ASM_END(g_tf));
GUEST_CODE_DECLARE(g_tf);
GUEST_LABEL_DECLARE(g_tf_after);

__asm__(GUEST_ASM_BEGIN(g_ok)
	".code64\n"
	"	GUEST_SYNC 7\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_ok));
GUEST_CODE_DECLARE(g_ok);

TEST_F(guest, triple_fault)
{
	struct hv_vm *vm2;
	struct hv_vp *vp2;

	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_tf_start, g_tf_end);
	ASSERT_SYNC(self->vp, 1);
	ASSERT_MSG(self->vp, HVPART_MSG_UNRECOVERABLE_EXCEPTION);
	EXPECT_EQ(0, self->vp->run->msg.u.intercept.vp_index);
	/* The VP stays shut down: RUN says so again ... */
	ASSERT_MSG(self->vp, HVPART_MSG_UNRECOVERABLE_EXCEPTION);
	ASSERT_MSG(self->vp, HVPART_MSG_UNRECOVERABLE_EXCEPTION);

	/* ... and the host and other partitions are fine. */
	vm2 = vm_create(GUEST_MEM_SIZE);
	vp2 = vm_add_vp(vm2, 0);
	vp_load_guest(vp2, GUEST_MODE_LONG64, g_ok_start, g_ok_end);
	ASSERT_SYNC(vp2, 7);
	ASSERT_DONE(vp2);
	vm_free(vm2);

	/* Setting RIP again brings the VP back. */
	if (vp_get_reg(self->vp, HVPART_REG_PENDING_INTERRUPTION))
		TH_LOG("after the triple fault PENDING_INTERRUPTION is %#llx",
		       (unsigned long long)vp_get_reg(self->vp,
				HVPART_REG_PENDING_INTERRUPTION));
	vp_set_reg(self->vp, HVPART_REG_RIP, GUEST_GPA(g_tf, g_tf_after));
	ASSERT_SYNC(self->vp, 2);
	ASSERT_DONE(self->vp);
}

/* A guest that only counts in RBX, never exiting by itself. */
__asm__(GUEST_ASM_BEGIN(g_spin)
	".code64\n"
	"	xor %ebx, %ebx\n"
	".global g_spin_loop\n"
	"g_spin_loop:\n"
	"	inc %rbx\n"
	"	jmp g_spin_loop\n"
	".global g_spin_loop_end\n"
	"g_spin_loop_end:\n"
	GUEST_ASM_END(g_spin));
GUEST_CODE_DECLARE(g_spin);
GUEST_LABEL_DECLARE(g_spin_loop);
GUEST_LABEL_DECLARE(g_spin_loop_end);

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

TEST_F(guest, signal_interrupts_run)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL,
		.sigev_signo = SIGALRM,
	};
	struct itimerspec its = { .it_value.tv_nsec = 200 * 1000 * 1000 };
	uint64_t count = 0;
	timer_t timer;
	int i;

	ASSERT_OK(sigaction(SIGALRM, &sa, NULL));
	ASSERT_OK(timer_create(CLOCK_MONOTONIC, &sev, &timer));
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_spin_start, g_spin_end);
	for (i = 0; i < 3; i++) {
		uint64_t rbx, rip;
		int r;

		ASSERT_OK(timer_settime(timer, 0, &its, NULL));
		r = __vp_run(self->vp);
		ASSERT_EQ(-1, r);
		ASSERT_EQ(EINTR, errno);
		EXPECT_EQ(HVPART_MSG_NONE,
			  self->vp->run->msg.header.message_type);
		EXPECT_EQ(i + 1, alarms);
		/* The guest ran, and its state is where it left off. */
		rbx = vp_get_reg(self->vp, HVPART_REG_RBX);
		rip = vp_get_reg(self->vp, HVPART_REG_RIP);
		EXPECT_LT(count, rbx);
		EXPECT_LE(GUEST_GPA(g_spin, g_spin_loop), rip);
		EXPECT_GT(GUEST_GPA(g_spin, g_spin_loop_end), rip);
		count = rbx;
	}
	timer_delete(timer);
}

/* SYNC 1, SYNC 2, DONE. */
__asm__(GUEST_ASM_BEGIN(g_steps)
	".code64\n"
	".global g_steps_1\n"
	"g_steps_1:\n"
	"	GUEST_SYNC 1\n"
	".global g_steps_2\n"
	"g_steps_2:\n"
	"	GUEST_SYNC 2\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_steps));
GUEST_CODE_DECLARE(g_steps);
GUEST_LABEL_DECLARE(g_steps_1);
GUEST_LABEL_DECLARE(g_steps_2);

/* GUEST_SYNC n is "mov $n, %eax" (5 bytes) and "out %eax, $imm8". */
#define SYNC_OUT_OFFSET	5

TEST_F(guest, immediate_exit)
{
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_steps_start, g_steps_end);
	self->vp->run->immediate_exit = 1;
	ASSERT_EQ(-1, __vp_run(self->vp));
	ASSERT_EQ(EINTR, errno);
	EXPECT_EQ(HVPART_MSG_NONE, self->vp->run->msg.header.message_type);
	/* The guest did not run at all. */
	EXPECT_EQ(LOAD_GPA, vp_get_reg(self->vp, HVPART_REG_RIP));

	self->vp->run->immediate_exit = 0;
	ASSERT_SYNC(self->vp, 1);
	ASSERT_SYNC(self->vp, 2);
	ASSERT_DONE(self->vp);
}

/* immediate_exit still applies the completion first, and only once. */
TEST_F(guest, immediate_exit_applies_completion)
{
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_steps_start, g_steps_end);
	ASSERT_SYNC(self->vp, 1);
	EXPECT_EQ(GUEST_GPA(g_steps, g_steps_1) + SYNC_OUT_OFFSET,
		  self->vp->run->msg.u.intercept.rip);
	ASSERT_EQ(HVPART_RUN_COMPLETE_ADVANCE_RIP, self->vp->run->completion);
	self->vp->run->immediate_exit = 1;
	ASSERT_EQ(-1, __vp_run(self->vp));
	ASSERT_EQ(EINTR, errno);
	EXPECT_EQ(0, self->vp->run->completion);
	EXPECT_EQ(GUEST_GPA(g_steps, g_steps_2),
		  vp_get_reg(self->vp, HVPART_REG_RIP));
	/* Applied once: a second immediate exit does not advance again. */
	ASSERT_EQ(-1, __vp_run(self->vp));
	ASSERT_EQ(EINTR, errno);
	EXPECT_EQ(GUEST_GPA(g_steps, g_steps_2),
		  vp_get_reg(self->vp, HVPART_REG_RIP));

	self->vp->run->immediate_exit = 0;
	ASSERT_SYNC(self->vp, 2);
	ASSERT_DONE(self->vp);
}

/* Without a completion the intercepted instruction runs again. */
TEST_F(guest, no_completion_repeats)
{
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_steps_start, g_steps_end);
	ASSERT_SYNC(self->vp, 1);
	self->vp->run->completion = 0;
	ASSERT_SYNC(self->vp, 1);
	ASSERT_SYNC(self->vp, 2);
	ASSERT_DONE(self->vp);
}

TEST_F(guest, completion_unknown_bits)
{
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_steps_start, g_steps_end);
	ASSERT_SYNC(self->vp, 1);
	self->vp->run->completion = HVPART_RUN_COMPLETE_ADVANCE_RIP |
				    (1U << HVPART_RUN_COMPLETE_BIT_COUNT);
	EXPECT_ERRNO(EINVAL, __vp_run(self->vp));
	self->vp->run->completion = HVPART_RUN_COMPLETE_ADVANCE_RIP | (1U << 31);
	EXPECT_ERRNO(EINVAL, __vp_run(self->vp));
	/* Nothing was applied. */
	EXPECT_EQ(GUEST_GPA(g_steps, g_steps_1) + SYNC_OUT_OFFSET,
		  vp_get_reg(self->vp, HVPART_REG_RIP));
	self->vp->run->completion = HVPART_RUN_COMPLETE_ADVANCE_RIP;
	ASSERT_SYNC(self->vp, 2);
}

/* rsvd0 and rsvd1 of struct hvpart_run are MBZ. */
TEST_F(guest, run_page_rsvd0)
{
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_steps_start, g_steps_end);
	self->vp->run->rsvd0[0] = 1;
	EXPECT_ERRNO(EINVAL, __vp_run(self->vp));
	EXPECT_EQ(LOAD_GPA, vp_get_reg(self->vp, HVPART_REG_RIP));
	self->vp->run->rsvd0[0] = 0;
	ASSERT_SYNC(self->vp, 1);
}

TEST_F(guest, run_page_rsvd1)
{
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_steps_start, g_steps_end);
	self->vp->run->rsvd1[15] = 1;
	EXPECT_ERRNO(EINVAL, __vp_run(self->vp));
	EXPECT_EQ(LOAD_GPA, vp_get_reg(self->vp, HVPART_REG_RIP));
	self->vp->run->rsvd1[15] = 0;
	ASSERT_SYNC(self->vp, 1);
}

TEST_HARNESS_MAIN
