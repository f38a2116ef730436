// SPDX-License-Identifier: GPL-2.0
/*
 * hyperv_hypercall: the TLFS hypercall ABI from a child partition
 * (TLFS "Hypercall Interface"): calls through the hypercall page and
 * through a direct VMMCALL/VMCALL; #UD before the page is enabled, from
 * CPL 3 and from real mode; the hypercall input value (call code, fast
 * bit, variable header size, rep count and start index, reserved bits)
 * and its status codes; memory parameters (alignment, page crossing, GPA
 * bounds, memory intercepts for the root on unmapped or protected pages);
 * register and XMM fast input and output, with and without their feature
 * bits; the 32-bit calling convention; rep calls with continuation; and
 * the calls a child partition is denied.
 */
#include "kselftest_harness.h"
#include "hyperv_util.h"

#define FAST		HV_HYPERCALL_FAST_BIT
#define VARHEAD(n)	((uint64_t)(n) << HV_HYPERCALL_VARHEAD_OFFSET)
#define SPIN_WAIT_FAST	(HVCALL_NOTIFY_LONG_SPIN_WAIT | FAST)
#define SPIN_WAIT_FAST_IMM 0x10008	/* the same, for the guest snippets */
_Static_assert(SPIN_WAIT_FAST == SPIN_WAIT_FAST_IMM, "SPIN_WAIT_FAST_IMM");

FIXTURE(hc) {
	struct hv_vm *vm;
	struct hv_vp *vp;
};

FIXTURE_SETUP(hc)
{
	HV_SETUP_REQUIRE_DEV();
	self->vm = vm_create(GUEST_MEM_SIZE);
	self->vp = vm_add_vp(self->vm, 0);
	tp_load(self->vp, GUEST_MODE_LONG64);
	vm_enable_hypercall_page(self->vp);
}

FIXTURE_TEARDOWN(hc)
{
	vm_free(self->vm);
}

static void *gpa_ptr(struct hv_vm *vm, uint64_t gpa)
{
	return vm_gpa_to_hva(vm, gpa);
}

/* HV_INPUT_FLUSH_VIRTUAL_ADDRESS_SPACE (and _LIST's header) at @gpa. */
static void put_flush_input(struct hv_vm *vm, uint64_t gpa, uint64_t flags,
			    uint64_t mask, unsigned int gvas)
{
	uint64_t *in = gpa_ptr(vm, gpa);
	unsigned int i;

	in[0] = 0;		/* address space: ignored with the flag */
	in[1] = flags | HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES;
	in[2] = mask;
	for (i = 0; i < gvas; i++)
		in[3 + i] = 0x40000000ULL + i * PAGE_SIZE;
}

static uint16_t hcall_status(struct hv_vp *vp, uint64_t control, uint64_t in,
			     uint64_t out)
{
	struct tp t = { 0 };
	uint64_t r = tp_hcall(vp, control, in, out, &t);

	HV_ASSERT(!t.vector, "hypercall %#llx raised vector %d",
		  (unsigned long long)control, t.vector);
	return hv_result_status(r);
}

/* ---- calling it ----------------------------------------------------- */

/*
 * HvCallNotifyLongSpinWait (fast, simple): through the page and through
 * a VMMCALL/VMCALL of the guest's own.  The fast input registers stay as
 * they were; RAX holds the result.
 */
TEST_F(hc, page_and_direct)
{
	struct tp t = { .op = TP_HCALL_PAGE };
	uint64_t r;

	r = tp_hcall(self->vp, SPIN_WAIT_FAST, 100, 0x5555, &t);
	EXPECT_EQ(0, t.vector);
	EXPECT_EQ(HV_STATUS_SUCCESS, r);
	EXPECT_EQ(100, t.rdx);
	EXPECT_EQ(0x5555, t.r8);
	EXPECT_EQ(SPIN_WAIT_FAST, t.rcx);

	t = (struct tp) { .op = TP_HCALL_DIRECT };
	r = tp_hcall(self->vp, SPIN_WAIT_FAST, 100, 0, &t);
	EXPECT_EQ(0, t.vector);
	EXPECT_EQ(HV_STATUS_SUCCESS, r);
}

/*
 * TLFS "Volatile Registers": a memory call changes RAX (the result) and
 * nothing else: RCX, RDX and R8 come back as they were.
 */
TEST_F(hc, memory_call_preserves_registers)
{
	struct tp t = { .op = TP_HCALL_PAGE, .rbx = 0x1111, .rsi = 0x2222,
			.rdi = 0x3333 };
	uint64_t r;

	r = tp_hcall(self->vp, HVCALL_EXT_CALL_QUERY_CAPABILITIES, HC_IN_GPA,
		     HC_OUT_GPA, &t);
	EXPECT_EQ(HV_STATUS_SUCCESS, hv_result_status(r));
	EXPECT_EQ(HVCALL_EXT_CALL_QUERY_CAPABILITIES, t.rcx);
	EXPECT_EQ(HC_IN_GPA, t.rdx);
	EXPECT_EQ(HC_OUT_GPA, t.r8);
	EXPECT_EQ(0x1111, t.rbx);
	EXPECT_EQ(0x2222, t.rsi);
	EXPECT_EQ(0x3333, t.rdi);
}

/*
 * TLFS: the page "can be placed anywhere within the guest's GPA space" and
 * "covers whatever else is mapped": also where no RAM is.
 */
TEST_F(hc, page_over_unmapped_gpa)
{
	struct tp t = { .op = TP_HCALL_PAGE };

	vp_set_reg(self->vp, HVPART_REG_HYPERCALL,
		   UNMAPPED_GPA | HV_X64_MSR_HYPERCALL_ENABLE);
	*(uint64_t *)gpa_ptr(self->vm, TP_PAGE_PTR) = UNMAPPED_GPA;
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  tp_hcall(self->vp, SPIN_WAIT_FAST, 1, 0, &t));
	EXPECT_EQ(0, t.vector);
}

/* HvCallNotifyLongSpinWait: advisory, "only HV_STATUS_SUCCESS", both ways. */
TEST_F(hc, notify_long_spin_wait)
{
	*(uint64_t *)gpa_ptr(self->vm, HC_IN_GPA) = 0x1234;
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  hcall_status(self->vp, SPIN_WAIT_FAST, 0x1234, 0));
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  hcall_status(self->vp, HVCALL_NOTIFY_LONG_SPIN_WAIT,
			       HC_IN_GPA, 0));
}

/* TLFS: with no hypercall page, the instruction is #UD. */
TEST(not_enabled_ud)
{
	struct tp t = { .op = TP_HCALL_DIRECT };
	struct hv_vm *vm;
	struct hv_vp *vp;

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	vm = vm_create(GUEST_MEM_SIZE);
	vp = vm_add_vp(vm, 0);
	tp_load(vp, GUEST_MODE_LONG64);
	tp_hcall(vp, SPIN_WAIT_FAST, 0, 0, &t);
	EXPECT_EQ(UD_VECTOR, t.vector);
	EXPECT_EQ(tp_direct_gpa(GUEST_MODE_LONG64), t.fault_rip);

	/* enabled: fine; disabled again: #UD again */
	vm_enable_hypercall_page(vp);
	t = (struct tp) { .op = TP_HCALL_DIRECT };
	EXPECT_EQ(HV_STATUS_SUCCESS, tp_hcall(vp, SPIN_WAIT_FAST, 0, 0, &t));
	EXPECT_EQ(0, t.vector);
	EXPECT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_HYPERCALL, HC_PAGE_GPA));
	t = (struct tp) { .op = TP_HCALL_DIRECT };
	tp_hcall(vp, SPIN_WAIT_FAST, 0, 0, &t);
	EXPECT_EQ(UD_VECTOR, t.vector);
	vm_free(vm);
}

/*
 * From CPL 3: the guest builds a ring-3 code and data segment (GDT slots
 * 7 and 8), makes its page tables user-accessible, IRETs to ring 3 and
 * calls (RBX = 0: a direct VMMCALL/VMCALL; 1: the page).  The #UD
 * handler, in ring 0, reports the faulting RIP and CS.  Should the call
 * return instead, UD2 faults at another RIP.
 */
#define SEL_UCODE	0x38
#define SEL_UDATA	0x40
#define USER_STACK	0x60000
#define RING0_STACK	0x7c000

__asm__(GUEST_ASM_BEGIN(g_cpl3)
	".code64\n"
	"	push $(" G_STR(SEL_UDATA) " | 3)\n"
	"	push $" G_STR(USER_STACK) "\n"
	"	pushfq\n"
	"	push $(" G_STR(SEL_UCODE) " | 3)\n"
	"	lea 1f(%rip), %rax\n"
	"	push %rax\n"
	"	iretq\n"
	"1:	mov $" G_STR(SPIN_WAIT_FAST_IMM) ", %ecx\n"
	"	xor %edx, %edx\n"
	"	test %ebx, %ebx\n"
	"	jnz 2f\n"
	".global g_cpl3_direct\n"
	"g_cpl3_direct:\n"
	"	.byte 0x0f, 0x01, 0xd9\n"
	"	ud2\n"
	"2:	mov $" G_STR(HC_PAGE_GPA) ", %r11d\n"
	"	call *%r11\n"
	"	ud2\n"
	".global g_cpl3_ud\n"
	"g_cpl3_ud:\n"
	"	mov (%rsp), %rax\n"
	"	GUEST_REPORT\n"
	"	mov 8(%rsp), %rax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_cpl3));
GUEST_CODE_DECLARE(g_cpl3);
GUEST_LABEL_DECLARE(g_cpl3_direct);
GUEST_LABEL_DECLARE(g_cpl3_ud);

static void cpl3_call(struct __test_metadata *_metadata, bool page)
{
	struct hv_vm *vm = vm_create(GUEST_MEM_SIZE);
	struct hv_vp *vp = vm_add_vp(vm, 0);
	uint64_t *gdt = gpa_ptr(vm, GDT_GPA);
	uint64_t want_rip;

	vm_load(vm, LOAD_GPA, g_cpl3_start, g_cpl3_end);
	vm_patch_hypercall_insn(vm, GUEST_GPA(g_cpl3, g_cpl3_direct));
	vm_set_idt_gate(vm, UD_VECTOR, GUEST_GPA(g_cpl3, g_cpl3_ud));
	gdt[SEL_UCODE / 8] = 0x00affb000000ffffULL;	/* 64-bit code, DPL 3 */
	gdt[SEL_UDATA / 8] = 0x00cff3000000ffffULL;	/* data, DPL 3 */
	*(uint64_t *)gpa_ptr(vm, TSS_GPA + 4) = RING0_STACK;	/* RSP0 */
	/* the first 2 MiB user-accessible: code, stack, the page */
	*(uint64_t *)gpa_ptr(vm, PML4_GPA) |= PTE_US;
	*(uint64_t *)gpa_ptr(vm, PDPT_GPA) |= PTE_US;
	*(uint64_t *)gpa_ptr(vm, PD_GPA) |= PTE_US;
	vp_setup_mode(vp, GUEST_MODE_LONG64, LOAD_GPA);
	vp_set_reg(vp, HVPART_REG_RBX, page);
	{
		struct hvpart_register gdtr = hv_table_reg(HVPART_REG_GDTR,
							   GDT_GPA, 0x47);

		vp_set_regs(vp, &gdtr, 1);
	}
	vm_enable_hypercall_page(vp);

	want_rip = page ? HC_PAGE_GPA : GUEST_GPA(g_cpl3, g_cpl3_direct);
	ASSERT_REPORT(vp, want_rip);
	ASSERT_REPORT(vp, SEL_UCODE | 3);
	ASSERT_DONE(vp);
	vm_free(vm);
}

TEST(cpl3_direct_ud)
{
	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	cpl3_call(_metadata, false);
}

TEST(cpl3_page_ud)
{
	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	cpl3_call(_metadata, true);
}

/*
 * Real mode (CPL 0, but no hypercalls): the page is enabled, and the
 * hypercall instruction is #UD all the same.  The IVT handler reports
 * the IP and CS the #UD pushed.
 */
__asm__(GUEST_ASM_BEGIN(g_real_hc)
	".code16\n"
	"	mov $" G_STR(SPIN_WAIT_FAST_IMM) ", %ecx\n"
	"	xor %edx, %edx\n"
	".global g_real_hc_call\n"
	"g_real_hc_call:\n"
	"	.byte 0x0f, 0x01, 0xd9\n"
	"	ud2\n"
	".global g_real_hc_ud\n"
	"g_real_hc_ud:\n"
	"	xor %eax, %eax\n"
	"	pop %ax\n"
	"	GUEST_REPORT\n"
	"	pop %ax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_real_hc));
GUEST_CODE_DECLARE(g_real_hc);
GUEST_LABEL_DECLARE(g_real_hc_call);
GUEST_LABEL_DECLARE(g_real_hc_ud);

TEST(real_mode_ud)
{
	struct hv_vm *vm;
	struct hv_vp *vp;

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	vm = vm_create(GUEST_MEM_SIZE);
	vp = vm_add_vp(vm, 0);
	vm_load(vm, LOAD_GPA, g_real_hc_start, g_real_hc_end);
	vm_patch_hypercall_insn(vm, GUEST_GPA(g_real_hc, g_real_hc_call));
	/* IVT entry 6: offset, segment 0 */
	*(uint32_t *)gpa_ptr(vm, UD_VECTOR * 4) =
		GUEST_GPA(g_real_hc, g_real_hc_ud);
	vp_setup_mode(vp, GUEST_MODE_REAL, LOAD_GPA);
	vm_enable_hypercall_page(vp);
	ASSERT_REPORT(vp, GUEST_GPA(g_real_hc, g_real_hc_call));
	ASSERT_REPORT(vp, 0);
	ASSERT_DONE(vp);
	vm_free(vm);
}

/* ---- the hypercall input value -------------------------------------- */

TEST_F(hc, unknown_code)
{
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_CODE,
		  hcall_status(self->vp, 0x00ff | FAST, 0, 0));
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_CODE,
		  hcall_status(self->vp, 0x0fff, HC_IN_GPA, HC_OUT_GPA));
}

TEST_F(hc, unknown_extended_code)
{
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_CODE,
		  hcall_status(self->vp, 0x80ff, HC_IN_GPA, HC_OUT_GPA));
}

/* "It is illegal to specify a non-zero variable header size" for these. */
TEST_F(hc, varhead_on_call_without_one)
{
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT,
		  hcall_status(self->vp, SPIN_WAIT_FAST | VARHEAD(1), 1, 0));
}

TEST_F(hc, rsvd_bits_27_31)
{
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT,
		  hcall_status(self->vp, SPIN_WAIT_FAST | (1ULL << 27), 1, 0));
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT,
		  hcall_status(self->vp, SPIN_WAIT_FAST | (1ULL << 31), 1, 0));
}

TEST_F(hc, rsvd_bits_44_47)
{
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT,
		  hcall_status(self->vp, SPIN_WAIT_FAST | (1ULL << 44), 1, 0));
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT,
		  hcall_status(self->vp, SPIN_WAIT_FAST | (1ULL << 47), 1, 0));
}

TEST_F(hc, rsvd_bits_60_63)
{
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT,
		  hcall_status(self->vp, SPIN_WAIT_FAST | (1ULL << 60), 1, 0));
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT,
		  hcall_status(self->vp, SPIN_WAIT_FAST | (1ULL << 63), 1, 0));
}

/* "a non-zero rep count is passed to a non-rep call" */
TEST_F(hc, rep_count_on_simple_call)
{
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT,
		  hcall_status(self->vp,
			       SPIN_WAIT_FAST | hv_control(0, 1, 0), 1, 0));
}

/* Rep start index: "for rep call, must be zero otherwise". */
TEST_F(hc, rep_start_on_simple_call)
{
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT,
		  hcall_status(self->vp,
			       SPIN_WAIT_FAST | hv_control(0, 0, 1), 1, 0));
}

/* "The rep start index is not less than the rep count." */
TEST_F(hc, rep_start_not_below_count)
{
	put_flush_input(self->vm, HC_IN_GPA, 0, 1, 20);
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT,
		  hcall_status(self->vp,
			       hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST,
					  20, 20), HC_IN_GPA, 0));
}

/* "a zero rep count is passed to a rep call" */
TEST_F(hc, zero_rep_count_on_rep_call)
{
	put_flush_input(self->vm, HC_IN_GPA, 0, 1, 0);
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT,
		  hcall_status(self->vp,
			       hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST,
					  0, 0), HC_IN_GPA, 0));
}

/* ---- memory parameters ---------------------------------------------- */

/* "The specified input or output GPA pointer is not aligned to 8 bytes." */
TEST_F(hc, input_misaligned)
{
	put_flush_input(self->vm, HC_IN_GPA + 4, 0, 1, 0);
	EXPECT_EQ(HV_STATUS_INVALID_ALIGNMENT,
		  hcall_status(self->vp, HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
			       HC_IN_GPA + 4, 0));
}

TEST_F(hc, output_misaligned)
{
	EXPECT_EQ(HV_STATUS_INVALID_ALIGNMENT,
		  hcall_status(self->vp, HVCALL_EXT_CALL_QUERY_CAPABILITIES,
			       0, HC_OUT_GPA + 4));
}

/* "The specified input or output parameter lists spans pages." */
TEST_F(hc, input_crosses_page)
{
	put_flush_input(self->vm, HC_IN_GPA + PAGE_SIZE - 16, 0, 1, 0);
	EXPECT_EQ(HV_STATUS_INVALID_ALIGNMENT,
		  hcall_status(self->vp, HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
			       HC_IN_GPA + PAGE_SIZE - 16, 0));
}

/* A rep list counts: 24 + 300 * 8 bytes from mid-page spill over. */
TEST_F(hc, rep_list_crosses_page)
{
	uint64_t in = HC_IN_GPA + PAGE_SIZE / 2;

	EXPECT_EQ(HV_STATUS_INVALID_ALIGNMENT,
		  hcall_status(self->vp,
			       hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST,
					  300, 0), in, 0));
}

/* "The input or output GPA pointer is not within the bounds of the GPA
 * space."
 */
TEST_F(hc, input_beyond_gpa_space)
{
	EXPECT_EQ(HV_STATUS_INVALID_ALIGNMENT,
		  hcall_status(self->vp, HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
			       1ULL << hv_max_gpa_bits(self->vm), 0));
}

TEST_F(hc, output_beyond_gpa_space)
{
	EXPECT_EQ(HV_STATUS_INVALID_ALIGNMENT,
		  hcall_status(self->vp, HVCALL_EXT_CALL_QUERY_CAPABILITIES,
			       0, 1ULL << hv_max_gpa_bits(self->vm)));
}

/* "If the hypercall involves no input ... the hypervisor ignores" its GPA. */
TEST_F(hc, unused_gpa_ignored)
{
	uint64_t *out = gpa_ptr(self->vm, HC_OUT_GPA);

	*out = ~0ULL;
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  hcall_status(self->vp, HVCALL_EXT_CALL_QUERY_CAPABILITIES,
			       0x3, HC_OUT_GPA));
	EXPECT_EQ(0, *out);
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  hcall_status(self->vp, HVCALL_NOTIFY_LONG_SPIN_WAIT,
			       HC_IN_GPA, (1ULL << hv_max_gpa_bits(self->vm)) |
			       0x5));
}

/*
 * An unmapped input page: a memory intercept for the root (UNMAPPED_GPA,
 * a read) with the VP still at the call; once the root maps the page the
 * call runs and completes.
 */
TEST_F(hc, unmapped_input_page)
{
	const struct hvpart_x64_memory_intercept *m = &self->vp->run->msg.u.memory;
	struct tp t = {
		.op = TP_HCALL_PAGE,
		.rcx = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
		.rdx = UNMAPPED_GPA,
	};
	uint64_t *page = hv_alloc_pages(PAGE_SIZE);

	ASSERT_EQ(HVPART_MSG_UNMAPPED_GPA, tp_run(self->vp, &t));
	EXPECT_EQ(UNMAPPED_GPA, m->guest_physical_address);
	EXPECT_EQ(HVPART_INTERCEPT_ACCESS_READ,
		  m->header.intercept_access_type);
	EXPECT_EQ(HC_PAGE_GPA, m->header.rip);
	EXPECT_EQ(HC_PAGE_GPA, vp_get_reg(self->vp, HVPART_REG_RIP));

	page[0] = 0;
	page[1] = HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES;
	page[2] = 1;
	vm_map(self->vm, UNMAPPED_GPA, PAGE_SIZE, page, HVPART_MAP_READABLE |
	       HVPART_MAP_WRITABLE);
	ASSERT_EQ(0, tp_resume(self->vp, &t));
	EXPECT_EQ(0, t.vector);
	EXPECT_EQ(HV_STATUS_SUCCESS, hv_result_status(t.rax));
	vm_unmap(self->vm, UNMAPPED_GPA, PAGE_SIZE);
	hv_free_pages(page, PAGE_SIZE);
}

/* An unmapped output page: the same, for a write. */
TEST_F(hc, unmapped_output_page)
{
	const struct hvpart_x64_memory_intercept *m = &self->vp->run->msg.u.memory;
	struct tp t = {
		.op = TP_HCALL_PAGE,
		.rcx = HVCALL_EXT_CALL_QUERY_CAPABILITIES,
		.r8 = UNMAPPED_GPA + 0x10,
	};

	ASSERT_EQ(HVPART_MSG_UNMAPPED_GPA, tp_run(self->vp, &t));
	EXPECT_EQ(UNMAPPED_GPA + 0x10, m->guest_physical_address);
	EXPECT_EQ(HVPART_INTERCEPT_ACCESS_WRITE,
		  m->header.intercept_access_type);
	EXPECT_EQ(HC_PAGE_GPA, m->header.rip);
}

/*
 * A read-only output page: the GPA is mapped but not writable, so the
 * root gets a GPA intercept for a write; it makes the page writable and
 * the call completes into it.
 */
TEST_F(hc, readonly_output_page)
{
	const struct hvpart_x64_memory_intercept *m = &self->vp->run->msg.u.memory;
	struct tp t = {
		.op = TP_HCALL_PAGE,
		.rcx = HVCALL_EXT_CALL_QUERY_CAPABILITIES,
		.r8 = UNMAPPED_GPA + 0x18,
	};
	uint64_t *page = hv_alloc_pages(PAGE_SIZE);

	memset(page, 0xff, PAGE_SIZE);
	vm_map(self->vm, UNMAPPED_GPA, PAGE_SIZE, page, HVPART_MAP_READABLE);
	ASSERT_EQ(HVPART_MSG_GPA_INTERCEPT, tp_run(self->vp, &t));
	EXPECT_EQ(UNMAPPED_GPA + 0x18, m->guest_physical_address);
	EXPECT_EQ(HVPART_INTERCEPT_ACCESS_WRITE,
		  m->header.intercept_access_type);
	EXPECT_EQ(HC_PAGE_GPA, m->header.rip);
	EXPECT_EQ(~0ULL, page[3]);

	vm_unmap(self->vm, UNMAPPED_GPA, PAGE_SIZE);
	vm_map(self->vm, UNMAPPED_GPA, PAGE_SIZE, page, HVPART_MAP_READABLE |
	       HVPART_MAP_WRITABLE);
	ASSERT_EQ(0, tp_resume(self->vp, &t));
	EXPECT_EQ(HV_STATUS_SUCCESS, hv_result_status(t.rax));
	EXPECT_EQ(0, page[3]);
	vm_unmap(self->vm, UNMAPPED_GPA, PAGE_SIZE);
	hv_free_pages(page, PAGE_SIZE);
}

/* ---- XMM fast input and output -------------------------------------- */

/*
 * HvCallFlushVirtualAddressSpaceEx, fast, with a sparse VP set of one
 * bank: 40 bytes of input, RDX and R8 then XMM0 and XMM1.
 */
static void xmm_flush_ex(struct tp *t)
{
	int i;

	*t = (struct tp) { .op = TP_HCALL_PAGE, .xmm = true };
	for (i = 0; i < 12; i++)
		t->xmm_in[i] = 0x1111111111111111ULL * (i + 1);
	t->xmm_in[0] = HV_GENERIC_SET_SPARSE_4K;	/* format */
	t->xmm_in[1] = 1;				/* valid banks: 0 */
	t->xmm_in[2] = 1;				/* bank 0: VP 0 */
}

/* ---- the root's hypercall intercept ---------------------------------- */

static int hcall_intercept(struct hv_vm *vm, unsigned long op, uint32_t first,
			   uint32_t last, uint32_t access)
{
	struct hvpart_intercept ic = {
		.type = HVPART_INTERCEPT_TYPE_HYPERCALL, .access_mask = access,
		.first = first, .last = last,
	};

	return ioctl(vm->fd, op, &ic);
}

/*
 * An intercepted call code ends the run before hvpart reads any input:
 * the root gets the registers and the XMM fast input, and sets the result
 * and RIP itself.  Codes outside the range stay hvpart's, and REMOVE
 * gives the call back.
 */
TEST_F(hc, intercept_by_code)
{
	const struct hvpart_x64_hypercall_intercept *h =
		&self->vp->run->msg.u.hypercall;
	struct hvpart_run *run = self->vp->run;
	struct tp t = { .op = TP_HCALL_PAGE, .rbx = 0x1111, .rsi = 0x2222,
			.rdi = 0x3333, .rcx = HVCALL_POST_MESSAGE,
			.rdx = HC_IN_GPA, .r8 = 0x4444 };
	unsigned int i;

	ASSERT_OK(hcall_intercept(self->vm, HVPART_INSTALL_INTERCEPT,
				  HVCALL_POST_MESSAGE, HVCALL_SIGNAL_EVENT,
				  HVPART_INTERCEPT_ACCESS_MASK_EXECUTE));
	ASSERT_EQ(HVPART_MSG_HYPERCALL_INTERCEPT, tp_run(self->vp, &t));
	EXPECT_EQ(HVPART_INTERCEPT_ACCESS_EXECUTE,
		  h->header.intercept_access_type);
	EXPECT_EQ(3, h->header.instruction_length);
	EXPECT_EQ(HVCALL_POST_MESSAGE, h->rcx);
	EXPECT_EQ(HC_IN_GPA, h->rdx);
	EXPECT_EQ(0x4444, h->r8);
	EXPECT_EQ(0x1111, h->rbx);
	EXPECT_EQ(0x2222, h->rsi);
	EXPECT_EQ(0x3333, h->rdi);
	EXPECT_EQ(HVPART_HYPERCALL_LONG_MODE, h->flags);
	run->completion_rax = HV_STATUS_INSUFFICIENT_BUFFERS;
	run->completion = HVPART_RUN_COMPLETE_SET_RAX |
			  HVPART_RUN_COMPLETE_ADVANCE_RIP;
	ASSERT_EQ(0, tp_resume(self->vp, &t));
	EXPECT_EQ(0, t.vector);
	EXPECT_EQ(HV_STATUS_INSUFFICIENT_BUFFERS, t.rax);

	/* XMM fast input: XMM0-5 as the guest loaded them */
	t = (struct tp) { .op = TP_HCALL_PAGE, .xmm = true,
			  .rcx = HVCALL_SIGNAL_EVENT | FAST, .rdx = 7 };
	for (i = 0; i < ARRAY_SIZE(t.xmm_in); i++)
		t.xmm_in[i] = 0x0101010101010101ULL * (i + 1);
	ASSERT_EQ(HVPART_MSG_HYPERCALL_INTERCEPT, tp_run(self->vp, &t));
	EXPECT_EQ(HVCALL_SIGNAL_EVENT | FAST, h->rcx);
	EXPECT_EQ(0, memcmp(h->xmm, t.xmm_in, sizeof(h->xmm)));
	run->completion_rax = HV_STATUS_SUCCESS;
	run->completion = HVPART_RUN_COMPLETE_SET_RAX |
			  HVPART_RUN_COMPLETE_ADVANCE_RIP;
	ASSERT_EQ(0, tp_resume(self->vp, &t));
	EXPECT_EQ(HV_STATUS_SUCCESS, t.rax);

	/* outside the range: hvpart's own call */
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  hcall_status(self->vp, SPIN_WAIT_FAST, 1, 0));
	ASSERT_OK(hcall_intercept(self->vm, HVPART_REMOVE_INTERCEPT,
				  HVCALL_POST_MESSAGE, HVCALL_SIGNAL_EVENT,
				  HVPART_INTERCEPT_ACCESS_MASK_EXECUTE));
	/* this partition has no SynIC: hvpart denies the call */
	EXPECT_EQ(HV_STATUS_ACCESS_DENIED,
		  hcall_status(self->vp, HVCALL_POST_MESSAGE, HC_IN_GPA, 0));
}

/* A VMCALL that is no hypercall (no page) is #UD, intercepted or not. */
TEST_F(hc, intercept_after_ud_checks)
{
	struct tp t = { .op = TP_HCALL_DIRECT };

	ASSERT_OK(hcall_intercept(self->vm, HVPART_INSTALL_INTERCEPT, 0,
				  0xffff,
				  HVPART_INTERCEPT_ACCESS_MASK_EXECUTE));
	EXPECT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_HYPERCALL, HC_PAGE_GPA));
	tp_hcall(self->vp, SPIN_WAIT_FAST, 0, 0, &t);
	EXPECT_EQ(UD_VECTOR, t.vector);
}

/* Its argument's checks: -EINVAL, and -ENOENT for what is not installed. */
TEST_F(hc, intercept_bad_input)
{
	const uint32_t x = HVPART_INTERCEPT_ACCESS_MASK_EXECUTE;

	EXPECT_ERRNO(EINVAL, hcall_intercept(self->vm,
					     HVPART_INSTALL_INTERCEPT, 0,
					     0x10000, x));
	EXPECT_ERRNO(EINVAL, hcall_intercept(self->vm,
					     HVPART_INSTALL_INTERCEPT, 9, 8,
					     x));
	EXPECT_ERRNO(EINVAL, hcall_intercept(self->vm,
					     HVPART_INSTALL_INTERCEPT, 1, 1,
					     HVPART_INTERCEPT_ACCESS_MASK_READ));
	EXPECT_ERRNO(EINVAL, hcall_intercept(self->vm,
					     HVPART_INSTALL_INTERCEPT, 1, 1,
					     0));
	EXPECT_ERRNO(ENOENT, hcall_intercept(self->vm,
					     HVPART_REMOVE_INTERCEPT, 1, 1,
					     x));
}

TEST_F(hc, xmm_fast_input)
{
	struct tp t;
	uint64_t r;

	ASSERT_NE(0, vm_get_property(self->vm, HVPART_PROP_FEATURES) &
		  HV_X64_HYPERCALL_XMM_INPUT_AVAILABLE);
	xmm_flush_ex(&t);
	r = tp_hcall(self->vp, HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX | FAST |
		     VARHEAD(1), 0, HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, &t);
	EXPECT_EQ(0, t.vector);
	EXPECT_EQ(HV_STATUS_SUCCESS, hv_result_status(r));
	/* input registers "remain unmodified" */
	EXPECT_EQ(0, t.rdx);
	EXPECT_EQ(HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, t.r8);
	EXPECT_EQ(0, memcmp(t.xmm_in, t.xmm_out, sizeof(t.xmm_in)));
}

/*
 * TLFS: "Any attempt to use this interface when the hypervisor does not
 * indicate availability will result in a #UD fault."
 */
TEST_F(hc, xmm_fast_input_without_feature_ud)
{
	uint64_t sf = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_FEATURES);
	struct tp t;

	vm_set_property(self->vm, HVPART_PROP_FEATURES,
			sf & ~(uint64_t)HV_X64_HYPERCALL_XMM_INPUT_AVAILABLE);
	xmm_flush_ex(&t);
	tp_hcall(self->vp, HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX | FAST |
		 VARHEAD(1), 0, HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, &t);
	EXPECT_EQ(UD_VECTOR, t.vector);
	EXPECT_EQ(HC_PAGE_GPA, t.fault_rip);
}

/* Register-only fast input (16 bytes or less) needs no XMM feature. */
TEST_F(hc, register_fast_input_without_xmm_feature)
{
	uint64_t sf = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_FEATURES);

	vm_set_property(self->vm, HVPART_PROP_FEATURES,
			sf & ~(uint64_t)(HV_X64_HYPERCALL_XMM_INPUT_AVAILABLE |
					 HV_X64_HYPERCALL_XMM_OUTPUT_AVAILABLE));
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  hcall_status(self->vp, SPIN_WAIT_FAST, 7, 0));
}

/*
 * HvExtCallQueryCapabilities, fast: no input, so the 8-byte output comes
 * back in the first register free of input, RDX.
 */
TEST_F(hc, fast_output)
{
	struct tp t = { .op = TP_HCALL_PAGE };
	uint64_t r;

	r = tp_hcall(self->vp, HVCALL_EXT_CALL_QUERY_CAPABILITIES | FAST,
		     0xdeadbeefcafef00dULL, 0, &t);
	EXPECT_EQ(0, t.vector);
	EXPECT_EQ(HV_STATUS_SUCCESS, hv_result_status(r));
	EXPECT_EQ(0, t.rdx);	/* no extended hypercalls beyond this one */
}

TEST_F(hc, fast_output_without_feature_ud)
{
	uint64_t sf = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_FEATURES);
	struct tp t = { .op = TP_HCALL_PAGE };

	vm_set_property(self->vm, HVPART_PROP_FEATURES,
			sf & ~(uint64_t)HV_X64_HYPERCALL_XMM_OUTPUT_AVAILABLE);
	tp_hcall(self->vp, HVCALL_EXT_CALL_QUERY_CAPABILITIES | FAST, 0, 0, &t);
	EXPECT_EQ(UD_VECTOR, t.vector);
	EXPECT_EQ(HC_PAGE_GPA, t.fault_rip);
}

/* ---- rep calls and continuation ------------------------------------- */

/*
 * HvCallFlushVirtualAddressList with 300 GVAs: it completes all 300, in
 * several entries (continuations: RIP left on the call, RCX carrying the
 * new rep start index), which the run page's exit counter shows.
 */
TEST_F(hc, rep_continuation)
{
	uint64_t control = hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 300, 0);
	struct tp t = { .op = TP_HCALL_PAGE };
	uint64_t r, start;

	put_flush_input(self->vm, HC_IN_GPA, 0, 1, 300);
	r = tp_hcall(self->vp, control, HC_IN_GPA, 0, &t);
	start = (t.rcx & HV_HYPERCALL_REP_START_MASK) >>
		HV_HYPERCALL_REP_START_OFFSET;
	TH_LOG("300 reps: %llu exits, RCX rep start index %llu after",
	       (unsigned long long)t.exits, (unsigned long long)start);
	EXPECT_EQ(0, t.vector);
	EXPECT_EQ(HV_STATUS_SUCCESS, hv_result_status(r));
	EXPECT_EQ(300, hv_result_reps(r));
	EXPECT_LE(2, t.exits);
	EXPECT_LT(0, start);
	EXPECT_GE(300, start);
	EXPECT_EQ(control, t.rcx & ~HV_HYPERCALL_REP_START_MASK);
}

/*
 * TLFS: "if the caller specified a rep start index of 5, and a rep count
 * of 10, the reps complete field would indicate 10".
 */
TEST_F(hc, rep_start_index)
{
	uint64_t r;
	struct tp t = { .op = TP_HCALL_PAGE };

	put_flush_input(self->vm, HC_IN_GPA, 0, 1, 20);
	r = tp_hcall(self->vp,
		     hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 20, 10),
		     HC_IN_GPA, 0, &t);
	EXPECT_EQ(HV_STATUS_SUCCESS, hv_result_status(r));
	EXPECT_EQ(20, hv_result_reps(r));
}

/* ---- privileges ----------------------------------------------------- */

/* HvExtCallQueryCapabilities needs EnableExtendedHypercalls. */
TEST_F(hc, extended_with_privilege)
{
	uint64_t *out = gpa_ptr(self->vm, HC_OUT_GPA);

	ASSERT_NE(0, vm_get_property(self->vm, HVPART_PROP_PRIVILEGE_MASK) &
		  HV_ENABLE_EXTENDED_HYPERCALLS);
	*out = ~0ULL;
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  hcall_status(self->vp, HVCALL_EXT_CALL_QUERY_CAPABILITIES,
			       0, HC_OUT_GPA));
	EXPECT_EQ(0, *out);
}

TEST_F(hc, extended_without_privilege_denied)
{
	uint64_t sp = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_PRIVILEGES);
	uint64_t *out = gpa_ptr(self->vm, HC_OUT_GPA);

	vm_set_property(self->vm, HVPART_PROP_PRIVILEGE_MASK,
			sp & ~HV_ENABLE_EXTENDED_HYPERCALLS);
	*out = ~0ULL;
	EXPECT_EQ(HV_STATUS_ACCESS_DENIED,
		  hcall_status(self->vp, HVCALL_EXT_CALL_QUERY_CAPABILITIES,
			       0, HC_OUT_GPA));
	EXPECT_EQ(HV_STATUS_ACCESS_DENIED,
		  hcall_status(self->vp,
			       HVCALL_EXT_CALL_QUERY_CAPABILITIES | FAST, 0, 0));
}

/* A child partition may not post messages (no PostMessages privilege). */
TEST_F(hc, post_message_denied)
{
	uint32_t *in = gpa_ptr(self->vm, HC_IN_GPA);

	in[0] = 1;		/* connection ID */
	in[2] = 1;		/* message type */
	in[3] = 8;		/* payload size */
	EXPECT_EQ(HV_STATUS_ACCESS_DENIED,
		  hcall_status(self->vp, HVCALL_POST_MESSAGE, HC_IN_GPA, 0));
}

/* ... nor signal events (no SignalEvents privilege). */
TEST_F(hc, signal_event_denied)
{
	EXPECT_EQ(HV_STATUS_ACCESS_DENIED,
		  hcall_status(self->vp, HVCALL_SIGNAL_EVENT | FAST, 1, 0));
}

/* ... nor send synthetic cluster IPIs (not offered: 0x40000004 bit 10). */
TEST_F(hc, send_ipi_denied)
{
	EXPECT_EQ(HV_STATUS_ACCESS_DENIED,
		  hcall_status(self->vp, HVCALL_SEND_IPI | FAST, 0x30, 1));
}

TEST_F(hc, send_ipi_ex_denied)
{
	uint64_t *in = gpa_ptr(self->vm, HC_IN_GPA);

	in[0] = 0x30;				/* vector */
	in[1] = HV_GENERIC_SET_SPARSE_4K;	/* VP set: VP 0 */
	in[2] = 1;
	in[3] = 1;
	EXPECT_EQ(HV_STATUS_ACCESS_DENIED,
		  hcall_status(self->vp, HVCALL_SEND_IPI_EX | VARHEAD(1),
			       HC_IN_GPA, 0));
}

/* ---- the 32-bit calling convention ---------------------------------- */

FIXTURE(hc32) {
	struct hv_vm *vm;
	struct hv_vp *vp;
};

FIXTURE_SETUP(hc32)
{
	HV_SETUP_REQUIRE_DEV();
	self->vm = vm_create(GUEST_MEM_SIZE);
	self->vp = vm_add_vp(self->vm, 0);
	tp_load(self->vp, GUEST_MODE_PROT32);
	vm_enable_hypercall_page(self->vp);
}

FIXTURE_TEARDOWN(hc32)
{
	vm_free(self->vm);
}

/* Input value in EDX:EAX, input in EBX:ECX; result in EDX:EAX. */
TEST_F(hc32, fast_call)
{
	struct tp t = { 0 };
	uint64_t r = tp_hcall32(self->vp, SPIN_WAIT_FAST, 0x1234, 0, &t);

	EXPECT_EQ(0, t.vector);
	EXPECT_EQ(HV_STATUS_SUCCESS, r);
	EXPECT_EQ(0x1234, (uint32_t)t.rcx);
	EXPECT_EQ(0, (uint32_t)t.rbx);
}

/* EDX is the input value's high half: a reserved bit 60 there is seen. */
TEST_F(hc32, control_high_half_in_edx)
{
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT,
		  hv_result_status(tp_hcall32(self->vp,
					      SPIN_WAIT_FAST | (1ULL << 60),
					      0, 0, NULL)));
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_CODE,
		  hv_result_status(tp_hcall32(self->vp, 0x0fff, HC_IN_GPA,
					      HC_OUT_GPA, NULL)));
}

/* Output GPA in EDI:ESI. */
TEST_F(hc32, memory_output)
{
	uint64_t *out = gpa_ptr(self->vm, HC_OUT_GPA);

	*out = ~0ULL;
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  tp_hcall32(self->vp, HVCALL_EXT_CALL_QUERY_CAPABILITIES,
			     0, HC_OUT_GPA, NULL));
	EXPECT_EQ(0, *out);
}

/* EDI is the output GPA's high half: 4 GiB up is unmapped. */
TEST_F(hc32, output_gpa_high_half_in_edi)
{
	const struct hvpart_x64_memory_intercept *m = &self->vp->run->msg.u.memory;
	uint64_t out = 0x100000000ULL + HC_OUT_GPA;
	struct tp t = {
		.op = TP_HCALL_PAGE,
		.rax = HVCALL_EXT_CALL_QUERY_CAPABILITIES,
		.rdi = out >> 32,
		.rsi = (uint32_t)out,
	};

	ASSERT_EQ(HVPART_MSG_UNMAPPED_GPA, tp_run(self->vp, &t));
	EXPECT_EQ(out, m->guest_physical_address);
	EXPECT_EQ(HVPART_INTERCEPT_ACCESS_WRITE,
		  m->header.intercept_access_type);
}

/*
 * XMM fast input is not x64-only: the TLFS's register mapping for it has
 * an x86 column (EDX:EAX, EBX:ECX, EDI:ESI, then XMM0-XMM5); only XMM
 * fast output "is only supported on x64".  HvCallFlushVirtualAddressSpaceEx
 * with 40 bytes of input from a 32-bit caller.
 */
TEST_F(hc32, xmm_fast_input)
{
	struct tp t = { .op = TP_HCALL_PAGE, .xmm = true };
	uint64_t r;
	int i;

	for (i = 0; i < 12; i++)
		t.xmm_in[i] = 0x1111111111111111ULL * (i + 1);
	t.xmm_in[0] = HV_GENERIC_SET_SPARSE_4K;
	t.xmm_in[1] = 1;
	t.xmm_in[2] = 1;
	r = tp_hcall32(self->vp, HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX | FAST |
		       VARHEAD(1), 0, HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, &t);
	EXPECT_EQ(0, t.vector);
	EXPECT_EQ(HV_STATUS_SUCCESS, hv_result_status(r));
	EXPECT_EQ(0, memcmp(t.xmm_in, t.xmm_out, sizeof(t.xmm_in)));
}

/* ... and without the feature, #UD there too. */
TEST_F(hc32, xmm_fast_input_without_feature_ud)
{
	uint64_t sf = vm_get_property(self->vm, HVPART_PROP_SUPPORTED_FEATURES);
	struct tp t = { .op = TP_HCALL_PAGE, .xmm = true };

	vm_set_property(self->vm, HVPART_PROP_FEATURES,
			sf & ~(uint64_t)HV_X64_HYPERCALL_XMM_INPUT_AVAILABLE);
	t.xmm_in[0] = HV_GENERIC_SET_SPARSE_4K;
	t.xmm_in[1] = 1;
	t.xmm_in[2] = 1;
	tp_hcall32(self->vp, HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX | FAST |
		   VARHEAD(1), 0, HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, &t);
	EXPECT_EQ(UD_VECTOR, t.vector);
	EXPECT_EQ(HC_PAGE_GPA, t.fault_rip);
}

/*
 * TLFS: the caller is 64-bit if "both" EFER.LMA and CS.L are set.  In
 * compatibility mode (LMA set, CS.L clear) it is a 32-bit caller: the
 * same probe, switched to long mode with its 32-bit code segment, must
 * get the EDX:EAX convention (with the x64 one, RCX = 0x1234 would be an
 * unknown call code).
 */
TEST_F(hc32, compat_mode_is_32bit)
{
	struct hvpart_register regs[] = {
		hv_table_reg(HVPART_REG_IDTR, IDT_GPA, 0xfff),
		hv_reg(HVPART_REG_CR3, PML4_GPA),
		hv_reg(HVPART_REG_CR4, X86_CR4_PAE),
		hv_reg(HVPART_REG_EFER, EFER_LME | EFER_LMA),
		hv_reg(HVPART_REG_CR0, X86_CR0_PE | X86_CR0_MP | X86_CR0_ET |
		       X86_CR0_NE | X86_CR0_WP | X86_CR0_PG),
		hv_seg_reg(HVPART_REG_TR, TSS_GPA, 0x67, SEL_TSS,
			   SEG_ATTR_TSS_BUSY),
	};
	const struct hvpart_x64_intercept_header *h =
		&self->vp->run->msg.u.intercept;
	struct tp t = { 0 };
	uint64_t r;

	vp_set_regs(self->vp, regs, ARRAY_SIZE(regs));
	r = tp_hcall32(self->vp, SPIN_WAIT_FAST, 0x1234, 0, &t);
	EXPECT_EQ(0, t.vector);
	EXPECT_EQ(HV_STATUS_SUCCESS, r);
	/* it did run in compatibility mode */
	EXPECT_EQ(HVPART_EXEC_STATE_EFER_LMA,
		  h->execution_state & HVPART_EXEC_STATE_EFER_LMA);
	EXPECT_EQ(0, h->cs_segment.attributes & SEG_L);
	/* a rep call with continuations, also in EDX:EAX */
	put_flush_input(self->vm, HC_IN_GPA, 0, 1, 300);
	r = tp_hcall32(self->vp,
		       hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 300, 0),
		       HC_IN_GPA, 0, &t);
	EXPECT_EQ(HV_STATUS_SUCCESS, hv_result_status(r));
	EXPECT_EQ(300, hv_result_reps(r));
}

/* A rep call: reps completed in EDX (bits 43:32 of the result). */
TEST_F(hc32, rep_call)
{
	struct tp t = { 0 };
	uint64_t r;

	put_flush_input(self->vm, HC_IN_GPA, 0, 1, 300);
	r = tp_hcall32(self->vp,
		       hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 300, 0),
		       HC_IN_GPA, 0, &t);
	EXPECT_EQ(0, t.vector);
	EXPECT_EQ(HV_STATUS_SUCCESS, hv_result_status(r));
	EXPECT_EQ(300, hv_result_reps(r));
	EXPECT_LE(2, t.exits);
}

TEST_HARNESS_MAIN
