// SPDX-License-Identifier: GPL-2.0
/*
 * guest_msr: RDMSR and WRMSR from a 64-bit guest.  MSRs that hvpart
 * emulates keep what the guest writes (and agree with the register
 * interface); an MSR that is neither emulated nor intercepted raises #GP
 * in the guest; an intercepted one ends RUN with an MSR intercept message.
 */
#include "kselftest_harness.h"
#include "hvpart_util.h"

#define UNKNOWN_MSR	0x12345		/* no CPU has it */

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

/* RDMSR \msr and report EDX:EAX as one value. */
__asm__(".macro RDMSR_REPORT msr\n"
	"	mov $\\msr, %ecx\n"
	"	rdmsr\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	GUEST_REPORT\n"
	".endm\n"
	".macro WRMSR64 msr, val\n"
	"	mov $\\msr, %ecx\n"
	"	movabs $\\val, %rax\n"
	"	mov %rax, %rdx\n"
	"	shr $32, %rdx\n"
	"	wrmsr\n"
	".endm\n"
	/*
	 * A #GP handler: reports the vector, the error code and the
	 * faulting RIP, then skips the 2-byte instruction.
	 */
	".macro GP_REPORT_HANDLER\n"
	"	push %rax\n"
	"	mov $" G_STR(GP_VECTOR) ", %eax\n"
	"	GUEST_REPORT\n"
	"	mov 8(%rsp), %rax\n"		/* error code */
	"	GUEST_REPORT\n"
	"	mov 16(%rsp), %rax\n"		/* RIP */
	"	GUEST_REPORT\n"
	"	addq $2, 16(%rsp)\n"
	"	pop %rax\n"
	"	add $8, %rsp\n"
	"	iretq\n"
	".endm\n");

#define SYSENTER_ESP_VAL	0xffffc90000004000
#define KERNEL_GS_VAL		0xffff888000123000
#define LSTAR_VAL		0xffffffff81234560
#define PAT_VAL			0x0007010600070106
/* fast strings; no branch trace store, no PEBS */
#define MISC_ENABLE_VAL		0x1801
#define UCODE_REV_VAL		0x100000000

__asm__(GUEST_ASM_BEGIN(g_msr_emul)
	".code64\n"
	"	RDMSR_REPORT " G_STR(MSR_IA32_SYSENTER_CS) "\n"
	"	WRMSR64 " G_STR(MSR_IA32_SYSENTER_CS) ", 0x10\n"
	"	RDMSR_REPORT " G_STR(MSR_IA32_SYSENTER_CS) "\n"
	"	WRMSR64 " G_STR(MSR_IA32_SYSENTER_ESP) ", " G_STR(SYSENTER_ESP_VAL) "\n"
	"	RDMSR_REPORT " G_STR(MSR_IA32_SYSENTER_ESP) "\n"
	"	WRMSR64 " G_STR(MSR_KERNEL_GS_BASE) ", " G_STR(KERNEL_GS_VAL) "\n"
	"	RDMSR_REPORT " G_STR(MSR_KERNEL_GS_BASE) "\n"
	"	WRMSR64 " G_STR(MSR_LSTAR) ", " G_STR(LSTAR_VAL) "\n"
	"	RDMSR_REPORT " G_STR(MSR_LSTAR) "\n"
	"	WRMSR64 " G_STR(MSR_IA32_CR_PAT) ", " G_STR(PAT_VAL) "\n"
	"	RDMSR_REPORT " G_STR(MSR_IA32_CR_PAT) "\n"
	"	RDMSR_REPORT " G_STR(MSR_EFER) "\n"
	/* EFER.SCE on: rdmsr, or 1, wrmsr */
	"	mov $" G_STR(MSR_EFER) ", %ecx\n"
	"	rdmsr\n"
	"	or $1, %eax\n"
	"	wrmsr\n"
	"	RDMSR_REPORT " G_STR(MSR_EFER) "\n"
	/* AMD's interrupt pending message: zero, no C1E, as in KVM */
	"	mov $-1, %eax\n"
	"	mov $-1, %edx\n"
	"	RDMSR_REPORT 0xc0010055\n"
	/* IA32_MISC_ENABLE: read-only, and rewriting its value is fine */
	"	RDMSR_REPORT " G_STR(MSR_IA32_MISC_ENABLE) "\n"
	"	WRMSR64 " G_STR(MSR_IA32_MISC_ENABLE) ", " G_STR(MISC_ENABLE_VAL) "\n"
	"	RDMSR_REPORT " G_STR(MSR_IA32_MISC_ENABLE) "\n"
	/* the microcode revision, read the SDM's way: write 0, CPUID 1 */
	"	WRMSR64 " G_STR(MSR_IA32_UCODE_REV) ", 0\n"
	"	mov $1, %eax\n"
	"	cpuid\n"
	"	RDMSR_REPORT " G_STR(MSR_IA32_UCODE_REV) "\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_msr_emul));
GUEST_CODE_DECLARE(g_msr_emul);

TEST_F(guest, emulated_msrs)
{
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_msr_emul_start, g_msr_emul_end);
	/* What the root sets, the guest reads. */
	vp_set_reg(self->vp, HVPART_REG_SYSENTER_CS, 0x33);

	ASSERT_REPORT(self->vp, 0x33);
	ASSERT_REPORT(self->vp, 0x10);
	ASSERT_REPORT(self->vp, SYSENTER_ESP_VAL);
	ASSERT_REPORT(self->vp, KERNEL_GS_VAL);
	ASSERT_REPORT(self->vp, LSTAR_VAL);
	ASSERT_REPORT(self->vp, PAT_VAL);
	ASSERT_REPORT(self->vp, EFER_LME | EFER_LMA);
	ASSERT_REPORT(self->vp, EFER_LME | EFER_LMA | EFER_SCE);
	ASSERT_REPORT(self->vp, 0);
	ASSERT_REPORT(self->vp, MISC_ENABLE_VAL);
	ASSERT_REPORT(self->vp, MISC_ENABLE_VAL);
	ASSERT_REPORT(self->vp, UCODE_REV_VAL);
	ASSERT_DONE(self->vp);

	/* What the guest wrote, the root reads. */
	EXPECT_EQ(0x10, vp_get_reg(self->vp, HVPART_REG_SYSENTER_CS));
	EXPECT_EQ(SYSENTER_ESP_VAL,
		  vp_get_reg(self->vp, HVPART_REG_SYSENTER_ESP));
	EXPECT_EQ(KERNEL_GS_VAL,
		  vp_get_reg(self->vp, HVPART_REG_KERNEL_GS_BASE));
	EXPECT_EQ(LSTAR_VAL, vp_get_reg(self->vp, HVPART_REG_LSTAR));
	EXPECT_EQ(PAT_VAL, vp_get_reg(self->vp, HVPART_REG_PAT));
	EXPECT_EQ(EFER_LME | EFER_LMA | EFER_SCE,
		  vp_get_reg(self->vp, HVPART_REG_EFER));
}

/*
 * RDMSR and WRMSR of an MSR nobody handles; the #GP handler reports the
 * vector, the error code and the faulting RIP.
 */
__asm__(GUEST_ASM_BEGIN(g_msr_gp)
	".code64\n"
	"	mov $" G_STR(UNKNOWN_MSR) ", %ecx\n"
	".global g_msr_gp_rd\n"
	"g_msr_gp_rd:	rdmsr\n"
	"	GUEST_SYNC 1\n"
	"	mov $" G_STR(UNKNOWN_MSR) ", %ecx\n"
	".global g_msr_gp_wr\n"
	"g_msr_gp_wr:	wrmsr\n"
	"	GUEST_SYNC 2\n"
	"	GUEST_DONE\n"
	".global g_msr_gp_handler\n"
	"g_msr_gp_handler:\n"
	"	GP_REPORT_HANDLER\n"
	GUEST_ASM_END(g_msr_gp));
GUEST_CODE_DECLARE(g_msr_gp);
GUEST_LABEL_DECLARE(g_msr_gp_rd);
GUEST_LABEL_DECLARE(g_msr_gp_wr);
GUEST_LABEL_DECLARE(g_msr_gp_handler);

TEST_F(guest, unknown_msr_gp)
{
	vm_load(self->vm, LOAD_GPA, g_msr_gp_start, g_msr_gp_end);
	vm_set_idt_gate(self->vm, GP_VECTOR,
			GUEST_GPA(g_msr_gp, g_msr_gp_handler));
	vp_setup_mode(self->vp, GUEST_MODE_LONG64, LOAD_GPA);

	ASSERT_REPORT(self->vp, GP_VECTOR);
	ASSERT_REPORT(self->vp, 0);
	ASSERT_REPORT(self->vp, GUEST_GPA(g_msr_gp, g_msr_gp_rd));
	ASSERT_SYNC(self->vp, 1);
	ASSERT_REPORT(self->vp, GP_VECTOR);
	ASSERT_REPORT(self->vp, 0);
	ASSERT_REPORT(self->vp, GUEST_GPA(g_msr_gp, g_msr_gp_wr));
	ASSERT_SYNC(self->vp, 2);
	ASSERT_DONE(self->vp);
}

/*
 * A write that would change IA32_MISC_ENABLE (fast strings off) raises
 * #GP and leaves it as it was.
 */
__asm__(GUEST_ASM_BEGIN(g_misc_gp)
	".code64\n"
	"	mov $" G_STR(MSR_IA32_MISC_ENABLE) ", %ecx\n"
	"	rdmsr\n"
	"	xor $1, %eax\n"
	".global g_misc_gp_wr\n"
	"g_misc_gp_wr:	wrmsr\n"
	"	GUEST_SYNC 1\n"
	"	RDMSR_REPORT " G_STR(MSR_IA32_MISC_ENABLE) "\n"
	"	GUEST_DONE\n"
	".global g_misc_gp_handler\n"
	"g_misc_gp_handler:\n"
	"	GP_REPORT_HANDLER\n"
	GUEST_ASM_END(g_misc_gp));
GUEST_CODE_DECLARE(g_misc_gp);
GUEST_LABEL_DECLARE(g_misc_gp_wr);
GUEST_LABEL_DECLARE(g_misc_gp_handler);

TEST_F(guest, misc_enable_read_only)
{
	vm_load(self->vm, LOAD_GPA, g_misc_gp_start, g_misc_gp_end);
	vm_set_idt_gate(self->vm, GP_VECTOR,
			GUEST_GPA(g_misc_gp, g_misc_gp_handler));
	vp_setup_mode(self->vp, GUEST_MODE_LONG64, LOAD_GPA);

	ASSERT_REPORT(self->vp, GP_VECTOR);
	ASSERT_REPORT(self->vp, 0);
	ASSERT_REPORT(self->vp, GUEST_GPA(g_misc_gp, g_misc_gp_wr));
	ASSERT_SYNC(self->vp, 1);
	ASSERT_REPORT(self->vp, MISC_ENABLE_VAL);
	ASSERT_DONE(self->vp);
}

/* The same MSR, intercepted for reads and writes. */
__asm__(GUEST_ASM_BEGIN(g_msr_icpt)
	".code64\n"
	"	mov $" G_STR(UNKNOWN_MSR) ", %ecx\n"
	"	movabs $0x5555555555555555, %rax\n"
	"	movabs $0x6666666666666666, %rdx\n"
	".global g_msr_icpt_rd\n"
	"g_msr_icpt_rd:	rdmsr\n"
	"	GUEST_REPORT\n"
	"	mov %rdx, %rax\n"
	"	GUEST_REPORT\n"
	"	mov $" G_STR(UNKNOWN_MSR) ", %ecx\n"
	"	mov $0xcafef00d, %eax\n"
	"	mov $0xdeadbeef, %edx\n"
	".global g_msr_icpt_wr\n"
	"g_msr_icpt_wr:	wrmsr\n"
	"	GUEST_SYNC 1\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_msr_icpt));
GUEST_CODE_DECLARE(g_msr_icpt);
GUEST_LABEL_DECLARE(g_msr_icpt_rd);
GUEST_LABEL_DECLARE(g_msr_icpt_wr);

TEST_F(guest, msr_intercept)
{
	const struct hvpart_x64_msr_intercept *m = &self->vp->run->msg.u.msr;

	vm_install_intercept(self->vm, HVPART_INTERCEPT_TYPE_X64_MSR,
			     HVPART_INTERCEPT_ACCESS_MASK_READ |
			     HVPART_INTERCEPT_ACCESS_MASK_WRITE,
			     UNKNOWN_MSR, UNKNOWN_MSR);
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_msr_icpt_start, g_msr_icpt_end);

	ASSERT_MSG(self->vp, HVPART_MSG_X64_MSR_INTERCEPT);
	EXPECT_EQ(HVPART_INTERCEPT_ACCESS_READ, m->header.intercept_access_type);
	EXPECT_EQ(GUEST_GPA(g_msr_icpt, g_msr_icpt_rd), m->header.rip);
	EXPECT_EQ(2, m->header.instruction_length);
	EXPECT_EQ(UNKNOWN_MSR, m->msr_number);
	/* RDMSR's result: the root sets both halves, upper bits clear. */
	self->vp->run->completion = HVPART_RUN_COMPLETE_ADVANCE_RIP |
		HVPART_RUN_COMPLETE_SET_RAX | HVPART_RUN_COMPLETE_SET_RDX;
	self->vp->run->completion_rax = 0x89abcdef;
	self->vp->run->completion_rdx = 0x01234567;
	ASSERT_REPORT(self->vp, 0x89abcdef);
	ASSERT_REPORT(self->vp, 0x01234567);

	ASSERT_MSG(self->vp, HVPART_MSG_X64_MSR_INTERCEPT);
	EXPECT_EQ(HVPART_INTERCEPT_ACCESS_WRITE,
		  m->header.intercept_access_type);
	EXPECT_EQ(GUEST_GPA(g_msr_icpt, g_msr_icpt_wr), m->header.rip);
	EXPECT_EQ(2, m->header.instruction_length);
	EXPECT_EQ(UNKNOWN_MSR, m->msr_number);
	EXPECT_EQ(0xcafef00d, m->rax);
	EXPECT_EQ(0xdeadbeef, m->rdx);
	vp_complete(self->vp, HVPART_RUN_COMPLETE_ADVANCE_RIP, 0);
	ASSERT_SYNC(self->vp, 1);
	ASSERT_DONE(self->vp);
}

/* An intercept for writes only leaves reads to #GP. */
TEST_F(guest, msr_intercept_write_only)
{
	vm_install_intercept(self->vm, HVPART_INTERCEPT_TYPE_X64_MSR,
			     HVPART_INTERCEPT_ACCESS_MASK_WRITE,
			     UNKNOWN_MSR, UNKNOWN_MSR);
	vm_load(self->vm, LOAD_GPA, g_msr_gp_start, g_msr_gp_end);
	vm_set_idt_gate(self->vm, GP_VECTOR,
			GUEST_GPA(g_msr_gp, g_msr_gp_handler));
	vp_setup_mode(self->vp, GUEST_MODE_LONG64, LOAD_GPA);

	ASSERT_REPORT(self->vp, GP_VECTOR);
	ASSERT_REPORT(self->vp, 0);
	ASSERT_REPORT(self->vp, GUEST_GPA(g_msr_gp, g_msr_gp_rd));
	ASSERT_SYNC(self->vp, 1);
	ASSERT_MSG(self->vp, HVPART_MSG_X64_MSR_INTERCEPT);
	EXPECT_EQ(HVPART_INTERCEPT_ACCESS_WRITE,
		  self->vp->run->msg.u.msr.header.intercept_access_type);
	vp_complete(self->vp, HVPART_RUN_COMPLETE_ADVANCE_RIP, 0);
	ASSERT_SYNC(self->vp, 2);
	ASSERT_DONE(self->vp);
}

TEST_HARNESS_MAIN
