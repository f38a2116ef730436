// SPDX-License-Identifier: GPL-2.0
/*
 * hyperv_apic: the Hyper-V APIC enlightenments of LOCAL_APIC partitions.
 * HV_X64_MSR_EOI/ICR/TPR under AccessApicMsrs, the VP assist page and
 * its PV EOI flag, HvCallSendSyntheticClusterIpi(Ex) under the cluster
 * IPI recommendation, each with the TLFS's #GP and HV_STATUS answers,
 * HvCallStartVirtualProcessor under its privilege, and none of it for
 * partitions without the local APIC.
 */

#include "kselftest_harness.h"
#include "hvpart_util.h"
#include "hyperv_util.h"

#define HV_X64_MSR_EOI			0x40000070
#define HV_X64_MSR_ICR			0x40000071
#define HV_X64_MSR_TPR			0x40000072
#define HV_X64_MSR_VP_ASSIST_PAGE	0x40000073
#define HV_X64_APIC_ACCESS_RECOMMENDED	(1U << 3)

#define APIC		0xfee00000
#define V_SELF		0x40
#define V_AP		0x41
#define ASSIST_GPA	0x40000		/* the VP assist page */
#define COUNT_GPA	0x41000
#define READY_GPA	0x41008

FIXTURE(hvapic) {
	struct hv_vm *vm;
	struct hv_vp *vp;
};

FIXTURE_SETUP(hvapic)
{
	HV_SETUP_REQUIRE_DEV();
	if (!hvpart_has_cap(HVPART_CAP_LOCAL_APIC))
		HV_SETUP_SKIP("no HVPART_CAP_LOCAL_APIC");
	self->vm = vm_create_apic(GUEST_MEM_SIZE);
	self->vp = vm_add_vp(self->vm, 0);
}

FIXTURE_TEARDOWN(hvapic)
{
	vm_free(self->vm);
}

TEST(not_without_local_apic)
{
	struct hv_vm *vm;
	struct hv_vp *vp;
	uint32_t r[4];
	uint64_t v;

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	vm = vm_create(GUEST_MEM_SIZE);
	vp = vm_add_vp(vm, 0);
	tp_load(vp, GUEST_MODE_LONG64);
	EXPECT_EQ(0, vm_get_property(vm, HVPART_PROP_SUPPORTED_PRIVILEGES) &
		     HV_MSR_APIC_ACCESS_AVAILABLE);
	EXPECT_EQ(0, vm_get_property(vm, HVPART_PROP_SUPPORTED_RECOMMENDATIONS) &
		     (HV_X64_CLUSTER_IPI_RECOMMENDED |
		      HV_X64_APIC_ACCESS_RECOMMENDED));
	tp_cpuid(vp, 0x40000003, r);
	EXPECT_EQ(0, r[0] & HV_MSR_APIC_ACCESS_AVAILABLE);
	EXPECT_EQ(GP_VECTOR, tp_rdmsr(vp, HV_X64_MSR_TPR, &v));
	EXPECT_EQ(GP_VECTOR, tp_wrmsr(vp, HV_X64_MSR_EOI, 0));
	EXPECT_EQ(GP_VECTOR, tp_wrmsr(vp, HV_X64_MSR_VP_ASSIST_PAGE, 0));
	vm_free(vm);
}

TEST_F(hvapic, granted_and_revoked)
{
	uint64_t priv = vm_get_property(self->vm, HVPART_PROP_PRIVILEGE_MASK);
	uint32_t r[4];
	uint64_t v;

	tp_load(self->vp, GUEST_MODE_LONG64);
	tp_cpuid(self->vp, 0x40000003, r);
	EXPECT_TRUE(r[0] & HV_MSR_APIC_ACCESS_AVAILABLE);
	tp_cpuid(self->vp, 0x40000004, r);
	EXPECT_TRUE(r[0] & HV_X64_CLUSTER_IPI_RECOMMENDED);
	EXPECT_TRUE(r[0] & HV_X64_APIC_ACCESS_RECOMMENDED);
	EXPECT_EQ(0, tp_rdmsr(self->vp, HV_X64_MSR_TPR, &v));
	vm_set_property(self->vm, HVPART_PROP_PRIVILEGE_MASK,
			priv & ~HV_MSR_APIC_ACCESS_AVAILABLE);
	EXPECT_EQ(GP_VECTOR, tp_rdmsr(self->vp, HV_X64_MSR_TPR, &v));
	EXPECT_EQ(GP_VECTOR, tp_wrmsr(self->vp, HV_X64_MSR_ICR, V_SELF));
	EXPECT_EQ(GP_VECTOR, tp_rdmsr(self->vp, HV_X64_MSR_VP_ASSIST_PAGE, &v));
}

TEST_F(hvapic, eoi_icr_tpr_msrs)
{
	uint64_t v;

	tp_load(self->vp, GUEST_MODE_LONG64);
	EXPECT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_TPR, 0x30));
	EXPECT_EQ(0, tp_rdmsr(self->vp, HV_X64_MSR_TPR, &v));
	EXPECT_EQ(0x30, v);
	EXPECT_EQ(0x30, vp_get_reg(self->vp, HVPART_REG_APIC_TPR));
	EXPECT_EQ(GP_VECTOR, tp_wrmsr(self->vp, HV_X64_MSR_TPR, 0x100));
	/* EOI is write-only */
	EXPECT_EQ(GP_VECTOR, tp_rdmsr(self->vp, HV_X64_MSR_EOI, &v));
	EXPECT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_EOI, 0));
	/* a self-IPI through HV_X64_MSR_ICR waits in IRR behind TPR */
	EXPECT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_TPR, 0xf0));
	vp_set_reg(self->vp, HVPART_REG_APIC(0xf0), 0x1ff);
	EXPECT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_ICR, 0x40000 | V_SELF));
	EXPECT_EQ(0, tp_rdmsr(self->vp, HV_X64_MSR_ICR, &v));
	EXPECT_EQ(0x40000 | V_SELF, v);
	EXPECT_EQ(1ULL << (V_SELF % 32),
		  vp_get_reg(self->vp, HVPART_REG_APIC(0x200 + V_SELF / 32 * 16)));
	/* reserved ICR bits */
	EXPECT_EQ(GP_VECTOR, tp_wrmsr(self->vp, HV_X64_MSR_ICR, 1ULL << 20));
}

TEST_F(hvapic, assist_page_msr)
{
	uint64_t v;

	tp_load(self->vp, GUEST_MODE_LONG64);
	EXPECT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_VP_ASSIST_PAGE,
			      ASSIST_GPA | 1));
	EXPECT_EQ(0, tp_rdmsr(self->vp, HV_X64_MSR_VP_ASSIST_PAGE, &v));
	EXPECT_EQ(ASSIST_GPA | 1, v);
	EXPECT_EQ(ASSIST_GPA | 1,
		  vp_get_reg(self->vp, HVPART_REG_VP_ASSIST_PAGE));
	/* reserved bits 11:1; a page with no RAM behind it */
	EXPECT_EQ(GP_VECTOR, tp_wrmsr(self->vp, HV_X64_MSR_VP_ASSIST_PAGE,
				      ASSIST_GPA | 3));
	EXPECT_EQ(GP_VECTOR, tp_wrmsr(self->vp, HV_X64_MSR_VP_ASSIST_PAGE,
				      0x40000000 | 1));
	EXPECT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_VP_ASSIST_PAGE, 0));
	EXPECT_EQ(0, vp_get_reg(self->vp, HVPART_REG_VP_ASSIST_PAGE));
}

#define SELF_IPI(v)							\
	"	mov $" G_STR(HV_X64_MSR_ICR) ", %ecx\n"			\
	"	mov $0x40000 + " G_STR(v) ", %eax\n"			\
	"	xor %edx, %edx\n"					\
	"	wrmsr\n"

/* RBX = the APIC page, software-enabled; the VP assist page on. */
#define PVEOI_SETUP							\
	"	mov $" G_STR(APIC) ", %ebx\n"				\
	"	movl $0x1ff, 0xf0(%rbx)\n"				\
	"	mov $" G_STR(HV_X64_MSR_VP_ASSIST_PAGE) ", %ecx\n"	\
	"	mov $" G_STR(ASSIST_GPA) " + 1, %eax\n"			\
	"	xor %edx, %edx\n"					\
	"	wrmsr\n"

/*
 * PV EOI: the handler finds the "no EOI required" flag set, clears it
 * and returns without writing EOI; the next interrupt of the same
 * vector still arrives (hvpart ended the first one), and ISR is empty.
 */
__asm__(GUEST_ASM_BEGIN(g_pveoi)
	".code64\n"
	PVEOI_SETUP
	"	mov $2, %r12d\n"
	"1:	cli\n"
	SELF_IPI(V_SELF)
	"	sti\n"
	"	nop\n"
	"	cli\n"
	"	dec %r12d\n"
	"	jnz 1b\n"
	"	mov 0x120(%rbx), %eax\n"	/* ISR 64-95: empty */
	"	GUEST_REPORT\n"
	"	mov " G_STR(COUNT_GPA) ", %eax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	".global g_pveoi_handler\n"
	"g_pveoi_handler:\n"
	"	push %rax\n"
	"	incl " G_STR(COUNT_GPA) "\n"
	"	lock btrl $0, " G_STR(ASSIST_GPA) "\n"
	"	setc %al\n"
	"	movzbl %al, %eax\n"
	"	GUEST_REPORT\n"
	"	test %eax, %eax\n"
	"	jnz 2f\n"
	"	movl $0, 0xb0(%rbx)\n"
	"2:	pop %rax\n"
	"	iretq\n"
	GUEST_ASM_END(g_pveoi));
GUEST_CODE_DECLARE(g_pveoi);
GUEST_LABEL_DECLARE(g_pveoi_handler);

TEST_F(hvapic, pv_eoi)
{
	vm_load(self->vm, LOAD_GPA, g_pveoi_start, g_pveoi_end);
	vm_set_idt_gate(self->vm, V_SELF, GUEST_GPA(g_pveoi, g_pveoi_handler));
	vp_setup_mode(self->vp, GUEST_MODE_LONG64, LOAD_GPA);
	ASSERT_REPORT(self->vp, 1);
	ASSERT_REPORT(self->vp, 1);
	ASSERT_REPORT(self->vp, 0);
	ASSERT_REPORT(self->vp, 2);
	ASSERT_DONE(self->vp);
}

/*
 * The PV EOI flag stands for one interrupt in service with nothing
 * pending.  Vector A's handler leaves a lower vector C pending behind A
 * and lets a higher B nest: B and then A must find the flag clear (taken
 * back) and write EOI; that EOI of A delivers C at once, before any other
 * exit, and C, alone in service, gets the flag again.  ISR ends empty.
 */
#define V_LOW		0x30
#define V_MID		0x50
#define V_HIGH		0x60
#define COUNT_LOW_GPA	0x41010

/* Report (v << 4) | the flag; EOI unless the flag was set. */
#define PVEOI_FLAG_OR_EOI(v)						\
	"	lock btrl $0, " G_STR(ASSIST_GPA) "\n"			\
	"	setc %al\n"						\
	"	movzbl %al, %eax\n"					\
	"	or $(" G_STR(v) " << 4), %eax\n"			\
	"	GUEST_REPORT\n"						\
	"	test $1, %eax\n"					\
	"	jnz 9f\n"						\
	"	movl $0, 0xb0(%rbx)\n"					\
	"9:\n"

__asm__(GUEST_ASM_BEGIN(g_pveoi_nest)
	".code64\n"
	PVEOI_SETUP
	"	cli\n"
	SELF_IPI(V_MID)
	"	sti\n"
	"	nop\n"
	"	cli\n"
	"	mov " G_STR(COUNT_LOW_GPA) ", %eax\n"	/* C came at A's EOI */
	"	GUEST_REPORT\n"
	"	mov 0x110(%rbx), %eax\n"	/* ISR 32-127: empty */
	"	mov 0x120(%rbx), %ecx\n"	/* (MOV: the APIC decodes only MOV) */
	"	or %ecx, %eax\n"
	"	mov 0x130(%rbx), %ecx\n"
	"	or %ecx, %eax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	".global g_pveoi_nest_mid\n"
	"g_pveoi_nest_mid:\n"
	SELF_IPI(V_LOW)
	SELF_IPI(V_HIGH)
	"	sti\n"
	"	nop\n"
	"	cli\n"
	PVEOI_FLAG_OR_EOI(V_MID)
	"	iretq\n"
	".global g_pveoi_nest_high\n"
	"g_pveoi_nest_high:\n"
	PVEOI_FLAG_OR_EOI(V_HIGH)
	"	iretq\n"
	".global g_pveoi_nest_low\n"
	"g_pveoi_nest_low:\n"
	"	incl " G_STR(COUNT_LOW_GPA) "\n"
	PVEOI_FLAG_OR_EOI(V_LOW)
	"	iretq\n"
	GUEST_ASM_END(g_pveoi_nest));
GUEST_CODE_DECLARE(g_pveoi_nest);
GUEST_LABEL_DECLARE(g_pveoi_nest_mid);
GUEST_LABEL_DECLARE(g_pveoi_nest_high);
GUEST_LABEL_DECLARE(g_pveoi_nest_low);

TEST_F(hvapic, pv_eoi_nested_and_pending)
{
	struct hv_vm *vm = self->vm;

	vm_load(vm, LOAD_GPA, g_pveoi_nest_start, g_pveoi_nest_end);
	vm_set_idt_gate(vm, V_MID, GUEST_GPA(g_pveoi_nest, g_pveoi_nest_mid));
	vm_set_idt_gate(vm, V_HIGH,
			GUEST_GPA(g_pveoi_nest, g_pveoi_nest_high));
	vm_set_idt_gate(vm, V_LOW, GUEST_GPA(g_pveoi_nest, g_pveoi_nest_low));
	vp_setup_mode(self->vp, GUEST_MODE_LONG64, LOAD_GPA);
	/* B, nested over A, and A, with C pending: the flag taken back */
	ASSERT_REPORT(self->vp, V_HIGH << 4);
	ASSERT_REPORT(self->vp, V_MID << 4);
	ASSERT_REPORT(self->vp, V_LOW << 4 | 1);	/* C, alone: the flag */
	ASSERT_REPORT(self->vp, 1);	/* C was taken at A's EOI */
	ASSERT_REPORT(self->vp, 0);	/* ISR */
	ASSERT_DONE(self->vp);
}

/*
 * HvCallSendSyntheticClusterIpi (fast) and ...Ex (memory, sparse VP set)
 * from VP 0 to VP 1, which counts each in its handler; then the status
 * of a bad vector and of a nonzero target VTL.
 */
__asm__(GUEST_ASM_BEGIN(g_pvipi)
	".code64\n"
	"1:	pause\n"
	"	cmpl $1, " G_STR(READY_GPA) "\n"
	"	jne 1b\n"
	"	mov $" G_STR(HVCALL_SEND_IPI) " | (1 << 16), %ecx\n"
	"	mov $" G_STR(V_AP) ", %edx\n"
	"	mov $2, %r8d\n"			/* VP 1 */
	"	mov $" G_STR(HC_PAGE_GPA) ", %eax\n"
	"	call *%rax\n"
	"	GUEST_REPORT\n"
	"2:	pause\n"
	"	cmpl $1, " G_STR(COUNT_GPA) "\n"
	"	jne 2b\n"
	"	mov $" G_STR(HC_IN_GPA) ", %edx\n"
	"	movl $" G_STR(V_AP) ", (%rdx)\n"	/* vector, VTL 0 */
	"	movl $0, 4(%rdx)\n"
	"	movq $0, 8(%rdx)\n"		/* sparse 4K */
	"	movq $1, 16(%rdx)\n"		/* bank 0 */
	"	movq $2, 24(%rdx)\n"		/* VP 1 */
	"	mov $" G_STR(HVCALL_SEND_IPI_EX) " | (1 << 17), %ecx\n"
	"	xor %r8d, %r8d\n"
	"	mov $" G_STR(HC_PAGE_GPA) ", %eax\n"
	"	call *%rax\n"
	"	GUEST_REPORT\n"
	"3:	pause\n"
	"	cmpl $2, " G_STR(COUNT_GPA) "\n"
	"	jne 3b\n"
	"	mov $" G_STR(HVCALL_SEND_IPI) " | (1 << 16), %ecx\n"
	"	mov $15, %edx\n"
	"	mov $2, %r8d\n"
	"	mov $" G_STR(HC_PAGE_GPA) ", %eax\n"
	"	call *%rax\n"
	"	GUEST_REPORT\n"
	"	mov $" G_STR(HVCALL_SEND_IPI) " | (1 << 16), %ecx\n"
	"	mov $(1 << 32) + " G_STR(V_AP) ", %rdx\n"
	"	mov $2, %r8d\n"
	"	mov $" G_STR(HC_PAGE_GPA) ", %eax\n"
	"	call *%rax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	".global g_pvipi_ap\n"
	"g_pvipi_ap:\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"
	"	movl $1, " G_STR(READY_GPA) "\n"
	"4:	sti\n"
	"	hlt\n"
	"	jmp 4b\n"
	".global g_pvipi_handler\n"
	"g_pvipi_handler:\n"
	"	lock incl " G_STR(COUNT_GPA) "\n"
	"	movl $0, 0xb0(%rbx)\n"
	"	iretq\n"
	GUEST_ASM_END(g_pvipi));
GUEST_CODE_DECLARE(g_pvipi);
GUEST_LABEL_DECLARE(g_pvipi_ap);
GUEST_LABEL_DECLARE(g_pvipi_handler);

TEST_F_TIMEOUT(hvapic, pv_ipi, 300)
{
	struct hv_ap ap = { 0 };

	vm_load(self->vm, LOAD_GPA, g_pvipi_start, g_pvipi_end);
	vm_set_idt_gate(self->vm, V_AP, GUEST_GPA(g_pvipi, g_pvipi_handler));
	vm_enable_hypercall_page(self->vp);
	vp_setup_mode(self->vp, GUEST_MODE_LONG64, LOAD_GPA);
	ap.vp = vm_add_vp(self->vm, 1);
	vp_setup_mode(ap.vp, GUEST_MODE_LONG64, GUEST_GPA(g_pvipi, g_pvipi_ap));
	vp_set_reg(ap.vp, HVPART_REG_INTERNAL_ACTIVITY_STATE, 0);
	hv_ap_start(&ap);

	EXPECT_TRUE(__HV_UCALL(self->vp, UCALL_REPORT, 1, HV_STATUS_SUCCESS));
	EXPECT_TRUE(__HV_UCALL(self->vp, UCALL_REPORT, 1, HV_STATUS_SUCCESS));
	EXPECT_TRUE(__HV_UCALL(self->vp, UCALL_REPORT, 1,
			       HV_STATUS_INVALID_PARAMETER));
	EXPECT_TRUE(__HV_UCALL(self->vp, UCALL_REPORT, 1,
			       HV_STATUS_INVALID_HYPERCALL_INPUT));
	EXPECT_TRUE(__HV_UCALL(self->vp, UCALL_DONE, 0, 0));

	hv_ap_stop(&ap, 1);
	EXPECT_EQ(0, ap.msg);
	EXPECT_EQ(2, *(uint32_t *)vm_gpa_to_hva(self->vm, COUNT_GPA));
}

/* HV_INPUT_START_VIRTUAL_PROCESSOR with HV_INITIAL_VP_CONTEXT */
struct start_vp {
	uint64_t partition_id;
	uint32_t vp_index;
	uint8_t target_vtl;
	uint8_t rsvd[3];
	uint64_t rip, rsp, rflags;
	struct hvpart_x64_segment cs, ds, es, fs, gs, ss, tr, ldtr;
	struct hvpart_x64_table idtr, gdtr;
	uint64_t efer, cr0, cr3, cr4, pat;
} __attribute__((packed));
_Static_assert(sizeof(struct start_vp) == 16 + 0xe0, "abi");

#define HVCALL_START_VIRTUAL_PROCESSOR	0x0099
#define HV_STATUS_INVALID_PARTITION_ID	0xd
#define HV_STATUS_INVALID_VP_INDEX	0xe
#define HV_STATUS_INVALID_VP_STATE	0x15
#define HV_START_VIRTUAL_PROCESSOR	(1ULL << 53)

/*
 * VP 0 starts VP 1 with HvCallStartVirtualProcessor (five inputs the
 * root prepared at HC_IN_GPA + n * 256): the first starts it, the others
 * are refused (already started, no such VP, another partition, VTL 1).
 */
__asm__(GUEST_ASM_BEGIN(g_startvp)
	".code64\n"
	"	xor %r12d, %r12d\n"
	"1:	mov $" G_STR(HVCALL_START_VIRTUAL_PROCESSOR) ", %ecx\n"
	"	mov %r12d, %edx\n"
	"	shl $8, %edx\n"
	"	add $" G_STR(HC_IN_GPA) ", %edx\n"
	"	xor %r8d, %r8d\n"
	"	mov $" G_STR(HC_PAGE_GPA) ", %eax\n"
	"	call *%rax\n"
	"	GUEST_REPORT\n"
	"2:	pause\n"
	"	cmpl $1, " G_STR(COUNT_GPA) "\n"
	"	jne 2b\n"
	"	inc %r12d\n"
	"	cmp $5, %r12d\n"
	"	jne 1b\n"
	"	GUEST_DONE\n"
	".global g_startvp_ap\n"
	"g_startvp_ap:\n"
	"	lock incl " G_STR(COUNT_GPA) "\n"
	"	cli\n"
	"	hlt\n"
	GUEST_ASM_END(g_startvp));
GUEST_CODE_DECLARE(g_startvp);
GUEST_LABEL_DECLARE(g_startvp_ap);

static struct hvpart_x64_segment seg_of(struct hv_vp *vp, uint32_t name)
{
	struct hvpart_register r = { .name = name };

	vp_get_regs(vp, &r, 1);
	return r.value.segment;
}

static struct hvpart_x64_table table_of(struct hv_vp *vp, uint32_t name)
{
	struct hvpart_register r = { .name = name };

	vp_get_regs(vp, &r, 1);
	return r.value.table;
}

TEST_F_TIMEOUT(hvapic, start_virtual_processor, 300)
{
	struct start_vp *in;
	struct hv_ap ap = { 0 };
	int i;

	EXPECT_TRUE(vm_get_property(self->vm, HVPART_PROP_PRIVILEGE_MASK) &
		    HV_START_VIRTUAL_PROCESSOR);
	vm_load(self->vm, LOAD_GPA, g_startvp_start, g_startvp_end);
	vm_enable_hypercall_page(self->vp);
	vp_setup_mode(self->vp, GUEST_MODE_LONG64, LOAD_GPA);
	ap.vp = vm_add_vp(self->vm, 1);
	EXPECT_EQ(HVPART_ACTIVITY_STARTUP_SUSPEND,
		  vp_get_reg(ap.vp, HVPART_REG_INTERNAL_ACTIVITY_STATE));

	/* VP 1's context: VP 0's long mode, its own code and stack */
	for (i = 0; i < 5; i++) {
		in = vm_gpa_to_hva(self->vm, HC_IN_GPA + i * 256);
		*in = (struct start_vp) {
			.partition_id = ~0ULL, .vp_index = 1,
			.rip = GUEST_GPA(g_startvp, g_startvp_ap),
			.rsp = STACK_TOP - 0x10000, .rflags = 2,
			.cs = seg_of(self->vp, HVPART_REG_CS),
			.ds = seg_of(self->vp, HVPART_REG_DS),
			.es = seg_of(self->vp, HVPART_REG_ES),
			.fs = seg_of(self->vp, HVPART_REG_FS),
			.gs = seg_of(self->vp, HVPART_REG_GS),
			.ss = seg_of(self->vp, HVPART_REG_SS),
			.tr = seg_of(self->vp, HVPART_REG_TR),
			.ldtr = seg_of(self->vp, HVPART_REG_LDTR),
			.idtr = table_of(self->vp, HVPART_REG_IDTR),
			.gdtr = table_of(self->vp, HVPART_REG_GDTR),
			.efer = vp_get_reg(self->vp, HVPART_REG_EFER),
			.cr0 = vp_get_reg(self->vp, HVPART_REG_CR0),
			.cr3 = vp_get_reg(self->vp, HVPART_REG_CR3),
			.cr4 = vp_get_reg(self->vp, HVPART_REG_CR4),
			.pat = vp_get_reg(self->vp, HVPART_REG_PAT),
		};
	}
	((struct start_vp *)vm_gpa_to_hva(self->vm, HC_IN_GPA + 2 * 256))
		->vp_index = 5;
	((struct start_vp *)vm_gpa_to_hva(self->vm, HC_IN_GPA + 3 * 256))
		->partition_id = 7;
	((struct start_vp *)vm_gpa_to_hva(self->vm, HC_IN_GPA + 4 * 256))
		->target_vtl = 1;
	hv_ap_start(&ap);

	EXPECT_TRUE(__HV_UCALL(self->vp, UCALL_REPORT, 1, HV_STATUS_SUCCESS));
	EXPECT_TRUE(__HV_UCALL(self->vp, UCALL_REPORT, 1,
			       HV_STATUS_INVALID_VP_STATE));
	EXPECT_TRUE(__HV_UCALL(self->vp, UCALL_REPORT, 1,
			       HV_STATUS_INVALID_VP_INDEX));
	EXPECT_TRUE(__HV_UCALL(self->vp, UCALL_REPORT, 1,
			       HV_STATUS_INVALID_PARTITION_ID));
	EXPECT_TRUE(__HV_UCALL(self->vp, UCALL_REPORT, 1,
			       HV_STATUS_INVALID_PARAMETER));
	EXPECT_TRUE(__HV_UCALL(self->vp, UCALL_DONE, 0, 0));

	/* VP 1 ran once, from the context, and halted with IF clear */
	hv_ap_stop(&ap, 1);
	EXPECT_EQ(HVPART_MSG_X64_HALT, ap.msg);
	EXPECT_EQ(1, *(uint32_t *)vm_gpa_to_hva(self->vm, COUNT_GPA));
	EXPECT_EQ(GUEST_GPA(g_startvp, g_startvp_ap) + 10,
		  vp_get_reg(ap.vp, HVPART_REG_RIP));
}

/* Without the cluster IPI recommendation the calls are denied. */
TEST_F(hvapic, pv_ipi_needs_recommendation)
{
	uint64_t rec = vm_get_property(self->vm, HVPART_PROP_RECOMMENDATIONS);
	struct tp t;

	vm_set_property(self->vm, HVPART_PROP_RECOMMENDATIONS,
			rec & ~HV_X64_CLUSTER_IPI_RECOMMENDED);
	tp_load(self->vp, GUEST_MODE_LONG64);
	vm_enable_hypercall_page(self->vp);
	EXPECT_EQ(HV_STATUS_ACCESS_DENIED,
		  hv_result_status(tp_hcall(self->vp, HVCALL_SEND_IPI |
					    HV_HYPERCALL_FAST_BIT, V_AP, 2,
					    &t)));
}

TEST_HARNESS_MAIN
