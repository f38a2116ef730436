// SPDX-License-Identifier: GPL-2.0
/*
 * guest_hardening: what a guest must not be able to do to the host, and
 * the event-injection rules both backends share (hv_core/event.c).
 *
 * - RDPMC raises #GP (no PMU: the host's counters stay unreadable);
 * - WBINVD exits, every time, and retires as a no-op;
 * - after a VP ran, this thread's GDTR has the host's real limit again
 *   (VMX leaves 0xffff behind) and its LDT is back;
 * - an external interrupt the root queues waits while the guest has
 *   RFLAGS.IF clear, and arrives once it sets it;
 * - an INT3 whose delivery the exit cut short (a nested page fault on
 *   the handler's stack) is delivered again with the return address
 *   after the INT3, not at it;
 * - a breakpoint the root arms (DR0, DR7) fires in the guest: the VP's
 *   own DR0-3 are loaded, not whatever the CPU last held.
 */
#include <sched.h>
#include <string.h>
#include <asm/ldt.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "hvpart_util.h"

#define GP_VECTOR	13
#define UD_VECTOR	6
#define BP_VECTOR	3
#define DB_VECTOR	1
#define IRQ_VECTOR	0x40
#define NR_WBINVD	50
#define STACK2_GPA	0x300000	/* a page of its own, mapped on demand */

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

/* RDPMC of counter 0; the #GP and #UD handlers report their vector. */
__asm__(GUEST_ASM_BEGIN(g_rdpmc)
	".code64\n"
	"	xor %ecx, %ecx\n"
	".global g_rdpmc_insn\n"
	"g_rdpmc_insn:	rdpmc\n"
	"	GUEST_SYNC 1\n"
	"	GUEST_DONE\n"
	".global g_rdpmc_gp\n"
	"g_rdpmc_gp:\n"
	"	mov $" G_STR(GP_VECTOR) ", %eax\n"
	"	GUEST_REPORT\n"
	"	mov 8(%rsp), %rax\n"		/* RIP */
	"	GUEST_REPORT\n"
	"	addq $2, 8(%rsp)\n"
	"	add $8, %rsp\n"			/* error code */
	"	iretq\n"
	".global g_rdpmc_ud\n"
	"g_rdpmc_ud:\n"
	"	mov $" G_STR(UD_VECTOR) ", %eax\n"
	"	GUEST_REPORT\n"
	"	mov (%rsp), %rax\n"
	"	GUEST_REPORT\n"
	"	addq $2, (%rsp)\n"
	"	iretq\n"
	GUEST_ASM_END(g_rdpmc));
GUEST_CODE_DECLARE(g_rdpmc);
GUEST_LABEL_DECLARE(g_rdpmc_insn);
GUEST_LABEL_DECLARE(g_rdpmc_gp);
GUEST_LABEL_DECLARE(g_rdpmc_ud);

TEST_F(guest, rdpmc_gp)
{
	vm_load(self->vm, LOAD_GPA, g_rdpmc_start, g_rdpmc_end);
	vm_set_idt_gate(self->vm, GP_VECTOR, GUEST_GPA(g_rdpmc, g_rdpmc_gp));
	vm_set_idt_gate(self->vm, UD_VECTOR, GUEST_GPA(g_rdpmc, g_rdpmc_ud));
	vp_setup_mode(self->vp, GUEST_MODE_LONG64, LOAD_GPA);

	ASSERT_REPORT(self->vp, GP_VECTOR);
	ASSERT_REPORT(self->vp, GUEST_GPA(g_rdpmc, g_rdpmc_insn));
	ASSERT_SYNC(self->vp, 1);
	ASSERT_DONE(self->vp);
}

/* NR_WBINVD WBINVDs between two syncs. */
__asm__(GUEST_ASM_BEGIN(g_wbinvd)
	".code64\n"
	"	GUEST_SYNC 1\n"
	"	mov $" G_STR(NR_WBINVD) ", %ecx\n"
	"1:	wbinvd\n"
	"	dec %ecx\n"
	"	jnz 1b\n"
	"	GUEST_SYNC 2\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_wbinvd));
GUEST_CODE_DECLARE(g_wbinvd);

TEST_F(guest, wbinvd_exits)
{
	uint64_t before;

	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_wbinvd_start,
		      g_wbinvd_end);
	ASSERT_SYNC(self->vp, 1);
	before = self->vp->run->exits;
	ASSERT_SYNC(self->vp, 2);
	/* each WBINVD exited; timer ticks may add more */
	EXPECT_LE(before + NR_WBINVD, self->vp->run->exits);
	ASSERT_DONE(self->vp);
}

__asm__(GUEST_ASM_BEGIN(g_done)
	".code64\n"
	"	GUEST_SYNC 1\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_done));
GUEST_CODE_DECLARE(g_done);

struct __attribute__((packed)) desc_ptr64 {
	uint16_t limit;
	uint64_t base;
};

static struct desc_ptr64 read_gdtr(void)
{
	struct desc_ptr64 d;

	__asm__ volatile("sgdt %0" : "=m"(d));
	return d;
}

static bool cpu_has_umip(void)
{
	char line[4096];
	bool umip = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (!umip && fgets(line, sizeof(line), f))
		umip = !strncmp(line, "flags", 5) && strstr(line, " umip");
	fclose(f);
	return umip;
}

/*
 * The GDTR a user process sees is the host's, limit included, after a VP
 * ran on its CPU; and an LDT the process installed still works.
 */
TEST_F(guest, host_descriptor_tables_back)
{
	struct user_desc ud = {
		.entry_number = 0, .base_addr = 0, .limit = 0xfffff,
		.seg_32bit = 1, .limit_in_pages = 1,
	};
	struct desc_ptr64 before, after;
	cpu_set_t cpus;
	uint16_t sel = 0x7;	/* LDT entry 0, RPL 3 */
	uint16_t gs_before;

	if (cpu_has_umip())
		SKIP(return, "UMIP: SGDT in user mode is emulated");
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
	ASSERT_EQ(0, syscall(SYS_modify_ldt, 1, &ud, sizeof(ud)));
	/* GS, not FS: FS holds glibc's thread pointer */
	__asm__ volatile("mov %%gs, %0" : "=r"(gs_before));

	before = read_gdtr();
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_done_start, g_done_end);
	ASSERT_SYNC(self->vp, 1);
	ASSERT_DONE(self->vp);
	after = read_gdtr();
	EXPECT_EQ(before.limit, after.limit);
	EXPECT_EQ(before.base, after.base);
	EXPECT_GT(0xffff, after.limit);

	/* loading an LDT selector faults unless LDTR is the task's again */
	__asm__ volatile("mov %0, %%gs" :: "r"(sel));
	__asm__ volatile("mov %0, %%gs" :: "r"(gs_before));
}

/*
 * With IF clear the queued interrupt waits (SYNC 2 comes first); STI
 * lets it in (its report comes before SYNC 3).
 */
__asm__(GUEST_ASM_BEGIN(g_irq)
	".code64\n"
	"	cli\n"
	"	GUEST_SYNC 1\n"
	"	nop\n"
	"	nop\n"
	"	GUEST_SYNC 2\n"
	"	sti\n"
	"	nop\n"
	"	nop\n"
	"	GUEST_SYNC 3\n"
	"	GUEST_DONE\n"
	".global g_irq_handler\n"
	"g_irq_handler:\n"
	"	mov $" G_STR(IRQ_VECTOR) ", %eax\n"
	"	GUEST_REPORT\n"
	"	iretq\n"
	GUEST_ASM_END(g_irq));
GUEST_CODE_DECLARE(g_irq);
GUEST_LABEL_DECLARE(g_irq_handler);

TEST_F(guest, queued_irq_waits_for_if)
{
	vm_load(self->vm, LOAD_GPA, g_irq_start, g_irq_end);
	vm_set_idt_gate(self->vm, IRQ_VECTOR,
			GUEST_GPA(g_irq, g_irq_handler));
	vp_setup_mode(self->vp, GUEST_MODE_LONG64, LOAD_GPA);

	ASSERT_SYNC(self->vp, 1);
	/* valid, type 0 (external interrupt), the vector */
	vp_set_reg(self->vp, HVPART_REG_PENDING_INTERRUPTION,
		   1 | (uint64_t)IRQ_VECTOR << 16);
	ASSERT_SYNC(self->vp, 2);
	EXPECT_EQ(1 | (uint64_t)IRQ_VECTOR << 16,
		  vp_get_reg(self->vp, HVPART_REG_PENDING_INTERRUPTION));
	ASSERT_REPORT(self->vp, IRQ_VECTOR);
	ASSERT_SYNC(self->vp, 3);
	EXPECT_EQ(0, vp_get_reg(self->vp, HVPART_REG_PENDING_INTERRUPTION));
	ASSERT_DONE(self->vp);
}

/*
 * INT3 with RSP on a page that is not mapped yet: its delivery exits
 * with an unmapped-GPA message; once the root maps the page, the #BP
 * handler sees the return address after the INT3, once.
 */
__asm__(GUEST_ASM_BEGIN(g_int3)
	".code64\n"
	"	mov %rsp, %rbx\n"
	"	mov $" G_STR(STACK2_GPA) " + 0x1000, %rsp\n"
	"	int3\n"
	".global g_int3_after\n"
	"g_int3_after:\n"
	"	mov %rbx, %rsp\n"
	"	GUEST_SYNC 1\n"
	"	GUEST_DONE\n"
	".global g_int3_handler\n"
	"g_int3_handler:\n"
	"	mov $" G_STR(BP_VECTOR) ", %eax\n"
	"	GUEST_REPORT\n"
	"	mov (%rsp), %rax\n"		/* RIP pushed */
	"	GUEST_REPORT\n"
	"	iretq\n"
	GUEST_ASM_END(g_int3));
GUEST_CODE_DECLARE(g_int3);
GUEST_LABEL_DECLARE(g_int3_after);
GUEST_LABEL_DECLARE(g_int3_handler);

TEST_F(guest, int3_cut_short_is_redelivered)
{
	void *stack = hv_alloc_pages(PAGE_SIZE);

	vm_load(self->vm, LOAD_GPA, g_int3_start, g_int3_end);
	vm_set_idt_gate(self->vm, BP_VECTOR,
			GUEST_GPA(g_int3, g_int3_handler));
	vp_setup_mode(self->vp, GUEST_MODE_LONG64, LOAD_GPA);

	ASSERT_MSG(self->vp, HVPART_MSG_UNMAPPED_GPA);
	EXPECT_EQ(STACK2_GPA >> 12,
		  self->vp->run->msg.u.memory.guest_physical_address >> 12);
	vm_map(self->vm, STACK2_GPA, PAGE_SIZE, stack, HV_MAP_RWX);
	ASSERT_REPORT(self->vp, BP_VECTOR);
	ASSERT_REPORT(self->vp, GUEST_GPA(g_int3, g_int3_after));
	ASSERT_SYNC(self->vp, 1);
	ASSERT_DONE(self->vp);
	hv_free_pages(stack, PAGE_SIZE);
}

/* An instruction breakpoint the root set; the #DB handler disarms it. */
__asm__(GUEST_ASM_BEGIN(g_dr)
	".code64\n"
	"	GUEST_SYNC 1\n"
	".global g_dr_target\n"
	"g_dr_target:\n"
	"	nop\n"
	"	GUEST_SYNC 2\n"
	"	GUEST_DONE\n"
	".global g_dr_handler\n"
	"g_dr_handler:\n"
	"	mov $" G_STR(DB_VECTOR) ", %eax\n"
	"	GUEST_REPORT\n"
	"	mov (%rsp), %rax\n"		/* RIP of the breakpoint */
	"	GUEST_REPORT\n"
	"	xor %eax, %eax\n"
	"	mov %rax, %dr7\n"
	"	iretq\n"
	GUEST_ASM_END(g_dr));
GUEST_CODE_DECLARE(g_dr);
GUEST_LABEL_DECLARE(g_dr_target);
GUEST_LABEL_DECLARE(g_dr_handler);

/*
 * The control: the guest has used a debug register (so DR0-3 were live
 * before this change too) and then the root arms the breakpoint.  QEMU
 * 7.2 loads DR7 at VMRUN without arming its breakpoints, so there this
 * never fires, and the test has nothing to show.
 */
__asm__(GUEST_ASM_BEGIN(g_drctl)
	".code64\n"
	"	mov %dr0, %rax\n"
	"	GUEST_SYNC 1\n"
	".global g_drctl_target\n"
	"g_drctl_target:\n"
	"	nop\n"
	"	GUEST_SYNC 2\n"
	"	GUEST_DONE\n"
	".global g_drctl_handler\n"
	"g_drctl_handler:\n"
	"	mov $" G_STR(DB_VECTOR) ", %eax\n"
	"	GUEST_REPORT\n"
	"	xor %eax, %eax\n"
	"	mov %rax, %dr7\n"
	"	iretq\n"
	GUEST_ASM_END(g_drctl));
GUEST_CODE_DECLARE(g_drctl);
GUEST_LABEL_DECLARE(g_drctl_target);
GUEST_LABEL_DECLARE(g_drctl_handler);

static bool entry_breakpoints_work(void)
{
	struct hv_vm *vm = vm_create(GUEST_MEM_SIZE);
	struct hv_vp *vp = vm_add_vp(vm, 0);
	struct ucall uc;
	bool works = false;

	vm_load(vm, LOAD_GPA, g_drctl_start, g_drctl_end);
	vm_set_idt_gate(vm, DB_VECTOR, GUEST_GPA(g_drctl, g_drctl_handler));
	vp_setup_mode(vp, GUEST_MODE_LONG64, LOAD_GPA);
	vp_run(vp);
	if (get_ucall(vp, &uc) == UCALL_SYNC && uc.arg == 1) {
		vp_set_reg(vp, HVPART_REG_DR0,
			   GUEST_GPA(g_drctl, g_drctl_target));
		vp_set_reg(vp, HVPART_REG_DR7, 0x401);
		vp_run(vp);
		works = get_ucall(vp, &uc) == UCALL_REPORT &&
			uc.arg == DB_VECTOR;
	}
	vm_free(vm);
	return works;
}

TEST_F(guest, root_breakpoint_fires)
{
	if (!entry_breakpoints_work())
		SKIP(return, "the (emulated) CPU arms no breakpoint from entry DR7");
	vm_load(self->vm, LOAD_GPA, g_dr_start, g_dr_end);
	vm_set_idt_gate(self->vm, DB_VECTOR, GUEST_GPA(g_dr, g_dr_handler));
	vp_setup_mode(self->vp, GUEST_MODE_LONG64, LOAD_GPA);

	ASSERT_SYNC(self->vp, 1);
	vp_set_reg(self->vp, HVPART_REG_DR0, GUEST_GPA(g_dr, g_dr_target));
	/* L0: an instruction breakpoint on DR0; bit 10 reads as one */
	vp_set_reg(self->vp, HVPART_REG_DR7, 0x401);
	ASSERT_REPORT(self->vp, DB_VECTOR);
	ASSERT_REPORT(self->vp, GUEST_GPA(g_dr, g_dr_target));
	ASSERT_SYNC(self->vp, 2);
	ASSERT_DONE(self->vp);
}

TEST_HARNESS_MAIN
