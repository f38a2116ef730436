// SPDX-License-Identifier: GPL-2.0
/*
 * mode_switch: guests in each x86 mode.  Real mode and flat 32-bit
 * protected mode prepared by the host, then a guest that starts in real
 * mode at 0:0x1000 and goes to long mode by itself: GDT, CR0.PE, a far
 * jump to 32-bit code, its own 4-level page tables, CR4.PAE, EFER.LME,
 * CR0.PG, a far jump to 64-bit code, reporting each step.
 */
#include "kselftest_harness.h"
#include "hvpart_util.h"

/* Where the mode-switching guest builds its page tables. */
#define G_PML4		0x40000
#define G_PDPT		0x41000
#define G_PD		0x42000

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

/*
 * Checks the message of a GUEST_SYNC for mode bits and CS.  In real mode
 * the type of CS is the CPU's business: Intel's VM entry takes a code
 * (11) or a data (3) type there, and Bochs saves real-mode CS as data.
 */
static void expect_state(struct __test_metadata *_metadata, struct hv_vp *vp,
			 uint16_t exec_bits, uint16_t cs_sel, uint16_t cs_attr)
{
	const struct hvpart_x64_intercept_header *h = &vp->run->msg.u.intercept;
	uint16_t mask = SEG_L | SEG_DB | SEG_P | SEG_S | SEG_TYPE_CODE;

	if (!(exec_bits & HVPART_EXEC_STATE_CR0_PE))
		mask &= ~SEG_TYPE_CODE;
	EXPECT_EQ(exec_bits, h->execution_state &
		  (HVPART_EXEC_STATE_CR0_PE | HVPART_EXEC_STATE_EFER_LMA |
		   HVPART_EXEC_STATE_CPL_MASK));
	EXPECT_EQ(cs_sel, h->cs_segment.selector);
	EXPECT_EQ(cs_attr & mask, h->cs_segment.attributes & mask);
}

#define CODE16	(SEG_P | SEG_S | SEG_TYPE_CODE)
#define CODE32	(SEG_DB | SEG_P | SEG_S | SEG_TYPE_CODE)
#define CODE64	(SEG_L | SEG_P | SEG_S | SEG_TYPE_CODE)

/* Real mode: 16-bit arithmetic, a stack, a ucall. */
__asm__(GUEST_ASM_BEGIN(g_real)
	".code16\n"
	".global g_real_sync\n"
	"g_real_sync:\n"
	"	GUEST_SYNC 1\n"
	"	mov $0x1234, %ax\n"
	"	push %ax\n"
	"	mov $0x1111, %ax\n"
	"	pop %bx\n"
	"	add %bx, %ax\n"
	"	GUEST_REPORT\n"
	"	mov %sp, %ax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_real));
GUEST_CODE_DECLARE(g_real);
GUEST_LABEL_DECLARE(g_real_sync);

TEST_F(guest, real_mode)
{
	const struct hvpart_x64_intercept_header *h =
		&self->vp->run->msg.u.intercept;

	vp_load_guest(self->vp, GUEST_MODE_REAL, g_real_start, g_real_end);
	ASSERT_SYNC(self->vp, 1);
	expect_state(_metadata, self->vp, 0, 0, CODE16);
	/* "mov $1, %eax" is 66 b8 imm32: the OUT is at +6, 3 bytes long */
	EXPECT_EQ(GUEST_GPA(g_real, g_real_sync) + 6, h->rip);
	EXPECT_EQ(3, h->instruction_length);
	ASSERT_REPORT(self->vp, 0x2345);
	ASSERT_REPORT(self->vp, REAL_STACK_TOP);
	ASSERT_DONE(self->vp);
}

/* Flat 32-bit protected mode. */
__asm__(GUEST_ASM_BEGIN(g_prot)
	".code32\n"
	"	GUEST_SYNC 1\n"
	"	mov %esp, %eax\n"
	"	GUEST_REPORT\n"
	"	movl $0xabcdef01, " G_STR(DATA_GPA) "\n"
	"	mov " G_STR(DATA_GPA) ", %eax\n"
	"	GUEST_REPORT\n"
	"	mov %cr0, %eax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_prot));
GUEST_CODE_DECLARE(g_prot);

TEST_F(guest, protected_mode_32)
{
	vp_load_guest(self->vp, GUEST_MODE_PROT32, g_prot_start, g_prot_end);
	ASSERT_SYNC(self->vp, 1);
	expect_state(_metadata, self->vp, HVPART_EXEC_STATE_CR0_PE,
		     SEL_CODE32, CODE32);
	ASSERT_REPORT(self->vp, STACK_TOP);
	ASSERT_REPORT(self->vp, 0xabcdef01);
	ASSERT_REPORT(self->vp, X86_CR0_PE | X86_CR0_ET | X86_CR0_NE);
	ASSERT_DONE(self->vp);
}

/* Real mode to long mode, step by step. */
__asm__(GUEST_ASM_BEGIN(g_switch)
	".code16\n"
	"	cli\n"
	"	GUEST_SYNC 1\n"
	"	lgdtl " G_ADDR(g_switch, g_switch_gdtr) "\n"
	"	mov %cr0, %eax\n"
	"	or $1, %eax\n"
	"	mov %eax, %cr0\n"
	"	ljmpl $0x18, $" G_ADDR(g_switch, g_switch_pm) "\n"
	".code32\n"
	"g_switch_pm:\n"
	"	mov $0x10, %ax\n"
	"	mov %ax, %ds\n"
	"	mov %ax, %es\n"
	"	mov %ax, %ss\n"
	"	mov %ax, %fs\n"
	"	mov %ax, %gs\n"
	"	mov $" G_STR(STACK_TOP) ", %esp\n"
	"	GUEST_SYNC 2\n"
	/* PML4[0] -> PDPT, PDPT[0] -> PD, PD: 512 2 MiB pages (1 GiB) */
	"	mov $" G_STR(G_PML4) ", %edi\n"
	"	xor %eax, %eax\n"
	"	mov $(3 * 4096 / 4), %ecx\n"
	"	cld\n"
	"	rep stosl\n"
	"	movl $(" G_STR(G_PDPT) " | 3), " G_STR(G_PML4) "\n"
	"	movl $(" G_STR(G_PD) " | 3), " G_STR(G_PDPT) "\n"
	"	mov $" G_STR(G_PD) ", %edi\n"
	"	mov $0x83, %eax\n"
	"	mov $512, %ecx\n"
	"1:	mov %eax, (%edi)\n"
	"	add $0x200000, %eax\n"
	"	add $8, %edi\n"
	"	loop 1b\n"
	"	mov $" G_STR(G_PML4) ", %eax\n"
	"	mov %eax, %cr3\n"
	"	mov %cr4, %eax\n"
	"	or $0x20, %eax\n"			/* PAE */
	"	mov %eax, %cr4\n"
	"	GUEST_SYNC 3\n"
	"	mov $0xc0000080, %ecx\n"
	"	rdmsr\n"
	"	or $0x100, %eax\n"			/* LME */
	"	wrmsr\n"
	"	mov %cr0, %eax\n"
	"	or $0x80000000, %eax\n"			/* PG */
	"	mov %eax, %cr0\n"
	"	GUEST_SYNC 4\n"				/* compatibility mode */
	"	ljmp $0x08, $" G_ADDR(g_switch, g_switch_lm) "\n"
	".code64\n"
	"g_switch_lm:\n"
	"	GUEST_SYNC 5\n"
	"	movabs $0x0123456789abcdef, %rax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	".balign 8\n"
	"g_switch_gdt:\n"
	"	.quad 0\n"
	"	.quad 0x00af9b000000ffff\n"		/* 0x08: 64-bit code */
	"	.quad 0x00cf93000000ffff\n"		/* 0x10: data */
	"	.quad 0x00cf9b000000ffff\n"		/* 0x18: 32-bit code */
	"g_switch_gdtr:\n"
	"	.word g_switch_gdtr - g_switch_gdt - 1\n"
	"	.long " G_ADDR(g_switch, g_switch_gdt) "\n"
	GUEST_ASM_END(g_switch));
GUEST_CODE_DECLARE(g_switch);

TEST_F(guest, real_to_long_mode)
{
	struct hvpart_register r[] = {
		{ .name = HVPART_REG_CR0 }, { .name = HVPART_REG_CR3 },
		{ .name = HVPART_REG_CR4 }, { .name = HVPART_REG_EFER },
		{ .name = HVPART_REG_CS }, { .name = HVPART_REG_SS },
	};

	vp_load_guest(self->vp, GUEST_MODE_REAL, g_switch_start, g_switch_end);

	ASSERT_SYNC(self->vp, 1);
	expect_state(_metadata, self->vp, 0, 0, CODE16);
	ASSERT_SYNC(self->vp, 2);
	expect_state(_metadata, self->vp, HVPART_EXEC_STATE_CR0_PE, 0x18,
		     CODE32);
	ASSERT_SYNC(self->vp, 3);
	expect_state(_metadata, self->vp, HVPART_EXEC_STATE_CR0_PE, 0x18,
		     CODE32);
	ASSERT_SYNC(self->vp, 4);
	expect_state(_metadata, self->vp, HVPART_EXEC_STATE_CR0_PE |
		     HVPART_EXEC_STATE_EFER_LMA, 0x18, CODE32);
	ASSERT_SYNC(self->vp, 5);
	expect_state(_metadata, self->vp, HVPART_EXEC_STATE_CR0_PE |
		     HVPART_EXEC_STATE_EFER_LMA, 0x08, CODE64);
	ASSERT_REPORT(self->vp, 0x0123456789abcdefULL);
	ASSERT_DONE(self->vp);

	vp_get_regs(self->vp, r, ARRAY_SIZE(r));
	EXPECT_EQ(X86_CR0_PG | X86_CR0_PE,
		  r[0].value.reg64 & (X86_CR0_PG | X86_CR0_PE));
	EXPECT_EQ(G_PML4, r[1].value.reg64);
	EXPECT_EQ(X86_CR4_PAE, r[2].value.reg64 & X86_CR4_PAE);
	EXPECT_EQ(EFER_LME | EFER_LMA, r[3].value.reg64);
	EXPECT_EQ(0x08, r[4].value.segment.selector);
	EXPECT_EQ(SEG_L, r[4].value.segment.attributes & (SEG_L | SEG_DB));
	EXPECT_EQ(0x10, r[5].value.segment.selector);
}

TEST_HARNESS_MAIN
