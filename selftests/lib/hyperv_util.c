// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the TLFS conformance selftests: the TLFS probe guest (64-bit
 * and 32-bit), the root's hypercall page set-up, the vendor's hypercall
 * instruction and the host's TSC verdict.  See include/hyperv_util.h.
 */
#include <ctype.h>
#include <sys/klog.h>

#include "hyperv_util.h"

/* XMM0-5 from TP_XMM_IN and to TP_XMM_OUT, for the 64- and 32-bit probes */
#define TP_XMM_LOAD							\
	"	movdqu " G_STR(TP_XMM_IN) " + 0x00, %xmm0\n"	\
	"	movdqu " G_STR(TP_XMM_IN) " + 0x10, %xmm1\n"	\
	"	movdqu " G_STR(TP_XMM_IN) " + 0x20, %xmm2\n"	\
	"	movdqu " G_STR(TP_XMM_IN) " + 0x30, %xmm3\n"	\
	"	movdqu " G_STR(TP_XMM_IN) " + 0x40, %xmm4\n"	\
	"	movdqu " G_STR(TP_XMM_IN) " + 0x50, %xmm5\n"
#define TP_XMM_STORE							\
	"	movdqu %xmm0, " G_STR(TP_XMM_OUT) " + 0x00\n"	\
	"	movdqu %xmm1, " G_STR(TP_XMM_OUT) " + 0x10\n"	\
	"	movdqu %xmm2, " G_STR(TP_XMM_OUT) " + 0x20\n"	\
	"	movdqu %xmm3, " G_STR(TP_XMM_OUT) " + 0x30\n"	\
	"	movdqu %xmm4, " G_STR(TP_XMM_OUT) " + 0x40\n"	\
	"	movdqu %xmm5, " G_STR(TP_XMM_OUT) " + 0x50\n"

/*
 * The 64-bit probe.  At "GUEST_SYNC 1" the host has set the registers
 * and TP_OP; the op runs; RAX goes to RBP and "GUEST_SYNC 2" lets the
 * host read everything back.  #GP on the RDMSR/WRMSR or on the byte
 * store, and #UD on a hypercall instruction (in the page or in the direct
 * stub) are recorded in TP_VEC/TP_RIP and skipped (the 2-byte MSR or
 * store instruction; the 3-byte hypercall instruction, landing on its
 * RET); any other #GP or #UD is a guest failure.
 */
__asm__(GUEST_ASM_BEGIN(g_tp64)
	".code64\n"
	"1:	GUEST_SYNC 1\n"
	"	movl $0, " G_STR(TP_VEC) "\n"
	"	cmpl $4, " G_STR(TP_OP) "\n"
	"	je 3f\n"
	"	cmpl $5, " G_STR(TP_OP) "\n"
	"	je 10f\n"
	"	cmpl $6, " G_STR(TP_OP) "\n"
	"	je 11f\n"
	"	cmpl $2, " G_STR(TP_OP) "\n"
	"	jae 4f\n"
	"	cmpl $0, " G_STR(TP_OP) "\n"
	"	jne 2f\n"
	".global g_tp64_rdmsr\n"
	"g_tp64_rdmsr:\n"
	"	rdmsr\n"
	"	jmp 9f\n"
	"2:\n"
	".global g_tp64_wrmsr\n"
	"g_tp64_wrmsr:\n"
	"	wrmsr\n"
	"	jmp 9f\n"
	"3:	cpuid\n"
	"	jmp 9f\n"
	"10:	mov (%rcx), %rax\n"
	"	jmp 9f\n"
	".global g_tp64_write\n"
	"11:\n"
	"g_tp64_write:\n"
	"	mov %al, (%rcx)\n"
	"	jmp 9f\n"
	"4:	testl $" G_STR(TP_FLAG_XMM) ", " G_STR(TP_FLAGS) "\n"
	"	jz 5f\n"
	TP_XMM_LOAD
	"5:	cmpl $3, " G_STR(TP_OP) "\n"
	"	je 6f\n"
	"	call *" G_STR(TP_PAGE_PTR) "\n"
	"	jmp 7f\n"
	"6:	call g_tp64_direct\n"
	"7:	testl $" G_STR(TP_FLAG_XMM) ", " G_STR(TP_FLAGS) "\n"
	"	jz 9f\n"
	TP_XMM_STORE
	"9:	mov %rax, %rbp\n"
	"	GUEST_SYNC 2\n"
	"	jmp 1b\n"
	".global g_tp64_direct\n"
	"g_tp64_direct:\n"
	"	.byte 0x0f, 0x01, 0xd9\n"	/* VMMCALL; VMCALL patched in */
	"	ret\n"
	/* #GP: error code, RIP, CS, RFLAGS, RSP, SS */
	".global g_tp64_gp\n"
	"g_tp64_gp:\n"
	"	push %rax\n"
	"	push %rbx\n"
	"	mov 24(%rsp), %rax\n"
	"	mov %rax, " G_STR(TP_RIP) "\n"
	"	movl $13, " G_STR(TP_VEC) "\n"
	"	lea g_tp64_rdmsr(%rip), %rbx\n"
	"	cmp %rbx, %rax\n"
	"	je 1f\n"
	"	lea g_tp64_wrmsr(%rip), %rbx\n"
	"	cmp %rbx, %rax\n"
	"	je 1f\n"
	"	lea g_tp64_write(%rip), %rbx\n"
	"	cmp %rbx, %rax\n"
	"	je 1f\n"
	"	GUEST_FAIL 13\n"
	"1:	addq $2, 24(%rsp)\n"
	"	pop %rbx\n"
	"	pop %rax\n"
	"	add $8, %rsp\n"
	"	iretq\n"
	/* #UD: RIP, CS, RFLAGS, RSP, SS */
	".global g_tp64_ud\n"
	"g_tp64_ud:\n"
	"	push %rax\n"
	"	push %rbx\n"
	"	mov 16(%rsp), %rax\n"
	"	mov %rax, " G_STR(TP_RIP) "\n"
	"	movl $6, " G_STR(TP_VEC) "\n"
	"	lea g_tp64_direct(%rip), %rbx\n"
	"	cmp %rbx, %rax\n"
	"	je 1f\n"
	"	cmp " G_STR(TP_PAGE_PTR) ", %rax\n"
	"	je 1f\n"
	"	GUEST_FAIL 6\n"
	"1:	addq $3, 16(%rsp)\n"
	"	pop %rbx\n"
	"	pop %rax\n"
	"	iretq\n"
	GUEST_ASM_END(g_tp64));
GUEST_CODE_DECLARE(g_tp64);
GUEST_LABEL_DECLARE(g_tp64_rdmsr);
GUEST_LABEL_DECLARE(g_tp64_wrmsr);
GUEST_LABEL_DECLARE(g_tp64_write);
GUEST_LABEL_DECLARE(g_tp64_direct);
GUEST_LABEL_DECLARE(g_tp64_gp);
GUEST_LABEL_DECLARE(g_tp64_ud);

/* The same in flat 32-bit protected mode. */
__asm__(GUEST_ASM_BEGIN(g_tp32)
	".code32\n"
	"1:	GUEST_SYNC 1\n"
	"	movl $0, " G_STR(TP_VEC) "\n"
	"	cmpl $4, " G_STR(TP_OP) "\n"
	"	je 3f\n"
	"	cmpl $5, " G_STR(TP_OP) "\n"
	"	je 10f\n"
	"	cmpl $6, " G_STR(TP_OP) "\n"
	"	je 11f\n"
	"	cmpl $2, " G_STR(TP_OP) "\n"
	"	jae 4f\n"
	"	cmpl $0, " G_STR(TP_OP) "\n"
	"	jne 2f\n"
	".global g_tp32_rdmsr\n"
	"g_tp32_rdmsr:\n"
	"	rdmsr\n"
	"	jmp 9f\n"
	"2:\n"
	".global g_tp32_wrmsr\n"
	"g_tp32_wrmsr:\n"
	"	wrmsr\n"
	"	jmp 9f\n"
	"3:	cpuid\n"
	"	jmp 9f\n"
	"10:	mov (%ecx), %eax\n"
	"	jmp 9f\n"
	".global g_tp32_write\n"
	"11:\n"
	"g_tp32_write:\n"
	"	mov %al, (%ecx)\n"
	"	jmp 9f\n"
	"4:	testl $" G_STR(TP_FLAG_XMM) ", " G_STR(TP_FLAGS) "\n"
	"	jz 5f\n"
	TP_XMM_LOAD
	"5:	cmpl $3, " G_STR(TP_OP) "\n"
	"	je 6f\n"
	"	call *" G_STR(TP_PAGE_PTR) "\n"
	"	jmp 7f\n"
	"6:	call g_tp32_direct\n"
	"7:	testl $" G_STR(TP_FLAG_XMM) ", " G_STR(TP_FLAGS) "\n"
	"	jz 9f\n"
	TP_XMM_STORE
	"9:	mov %eax, %ebp\n"
	"	GUEST_SYNC 2\n"
	"	jmp 1b\n"
	".global g_tp32_direct\n"
	"g_tp32_direct:\n"
	"	.byte 0x0f, 0x01, 0xd9\n"
	"	ret\n"
	/* #GP: error code, EIP, CS, EFLAGS */
	".global g_tp32_gp\n"
	"g_tp32_gp:\n"
	"	push %eax\n"
	"	mov 8(%esp), %eax\n"
	"	mov %eax, " G_STR(TP_RIP) "\n"
	"	movl $13, " G_STR(TP_VEC) "\n"
	"	cmp $" G_ADDR(g_tp32, g_tp32_rdmsr) ", %eax\n"
	"	je 1f\n"
	"	cmp $" G_ADDR(g_tp32, g_tp32_wrmsr) ", %eax\n"
	"	je 1f\n"
	"	cmp $" G_ADDR(g_tp32, g_tp32_write) ", %eax\n"
	"	je 1f\n"
	"	GUEST_FAIL 13\n"
	"1:	addl $2, 8(%esp)\n"
	"	pop %eax\n"
	"	add $4, %esp\n"
	"	iret\n"
	/* #UD: EIP, CS, EFLAGS */
	".global g_tp32_ud\n"
	"g_tp32_ud:\n"
	"	push %eax\n"
	"	mov 4(%esp), %eax\n"
	"	mov %eax, " G_STR(TP_RIP) "\n"
	"	movl $6, " G_STR(TP_VEC) "\n"
	"	cmp $" G_ADDR(g_tp32, g_tp32_direct) ", %eax\n"
	"	je 1f\n"
	"	cmp " G_STR(TP_PAGE_PTR) ", %eax\n"
	"	je 1f\n"
	"	GUEST_FAIL 6\n"
	"1:	addl $3, 4(%esp)\n"
	"	pop %eax\n"
	"	iret\n"
	GUEST_ASM_END(g_tp32));
GUEST_CODE_DECLARE(g_tp32);
GUEST_LABEL_DECLARE(g_tp32_rdmsr);
GUEST_LABEL_DECLARE(g_tp32_wrmsr);
GUEST_LABEL_DECLARE(g_tp32_write);
GUEST_LABEL_DECLARE(g_tp32_direct);
GUEST_LABEL_DECLARE(g_tp32_gp);
GUEST_LABEL_DECLARE(g_tp32_ud);

long hv_vendor(struct hv_vm *vm)
{
	return hvpart_cap(vm->dev_fd, HVPART_CAP_VENDOR);
}

/* VMMCALL (0f 01 d9) on SVM, VMCALL (0f 01 c1) on VMX. */
void hv_hypercall_insn(struct hv_vm *vm, uint8_t insn[3])
{
	long vendor = hv_vendor(vm);

	HV_ASSERT(vendor == HVPART_VENDOR_SVM || vendor == HVPART_VENDOR_VMX,
		  "unknown vendor %ld", vendor);
	insn[0] = 0x0f;
	insn[1] = 0x01;
	insn[2] = vendor == HVPART_VENDOR_SVM ? 0xd9 : 0xc1;
}

/* Write the vendor's hypercall instruction at @gpa. */
void vm_patch_hypercall_insn(struct hv_vm *vm, uint64_t gpa)
{
	hv_hypercall_insn(vm, vm_gpa_to_hva(vm, gpa));
}

uint32_t hv_max_gpa_bits(struct hv_vm *vm)
{
	return hvpart_cap(vm->dev_fd, HVPART_CAP_MAX_GPA_BITS);
}

void vm_enable_hypercall_page(struct hv_vp *vp)
{
	vp_set_reg(vp, HVPART_REG_GUEST_OS_ID, HV_TEST_GUEST_OS_ID);
	vp_set_reg(vp, HVPART_REG_HYPERCALL,
		   HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE);
	HV_ASSERT(vp_get_reg(vp, HVPART_REG_HYPERCALL) ==
		  (HC_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE),
		  "the root could not enable the hypercall page");
}

void vm_set_idt_gate32(struct hv_vm *vm, int vector, uint32_t handler_gpa)
{
	uint64_t *gate = vm_gpa_to_hva(vm, IDT_GPA + vector * 8);

	*gate = (handler_gpa & 0xffff) | ((uint64_t)SEL_CODE32 << 16) |
		(0x8eULL << 40) |		/* P, DPL 0, 32-bit interrupt gate */
		((uint64_t)(handler_gpa >> 16) << 48);
}

uint64_t tp_direct_gpa(enum guest_mode mode)
{
	return mode == GUEST_MODE_LONG64 ? GUEST_GPA(g_tp64, g_tp64_direct) :
					   GUEST_GPA(g_tp32, g_tp32_direct);
}

uint64_t tp_msr_insn_gpa(enum guest_mode mode, bool write)
{
	if (mode == GUEST_MODE_LONG64)
		return write ? GUEST_GPA(g_tp64, g_tp64_wrmsr) :
			       GUEST_GPA(g_tp64, g_tp64_rdmsr);
	return write ? GUEST_GPA(g_tp32, g_tp32_wrmsr) :
		       GUEST_GPA(g_tp32, g_tp32_rdmsr);
}

static void *tp_slot(struct hv_vm *vm, uint64_t gpa)
{
	return vm_gpa_to_hva(vm, gpa);
}

static void tp_expect_sync(struct hv_vp *vp, uint64_t stage)
{
	struct ucall uc;

	vp_run(vp);
	if (get_ucall(vp, &uc) != UCALL_SYNC)
		hv_dump_msg(&vp->run->msg);
	HV_ASSERT(uc.type == UCALL_SYNC && uc.arg == stage,
		  "probe: wanted GUEST_SYNC %llu, got %s %llu",
		  (unsigned long long)stage, ucall_name(uc.type),
		  (unsigned long long)uc.arg);
}

void tp_load(struct hv_vp *vp, enum guest_mode mode)
{
	struct hv_vm *vm = vp->vm;

	HV_ASSERT(mode == GUEST_MODE_LONG64 || mode == GUEST_MODE_PROT32,
		  "the probe runs in 64-bit or 32-bit protected mode");
	if (mode == GUEST_MODE_LONG64) {
		vm_load(vm, LOAD_GPA, g_tp64_start, g_tp64_end);
		vm_set_idt_gate(vm, GP_VECTOR, GUEST_GPA(g_tp64, g_tp64_gp));
		vm_set_idt_gate(vm, UD_VECTOR, GUEST_GPA(g_tp64, g_tp64_ud));
	} else {
		vm_load(vm, LOAD_GPA, g_tp32_start, g_tp32_end);
		vm_set_idt_gate32(vm, GP_VECTOR, GUEST_GPA(g_tp32, g_tp32_gp));
		vm_set_idt_gate32(vm, UD_VECTOR, GUEST_GPA(g_tp32, g_tp32_ud));
	}
	vm_patch_hypercall_insn(vm, tp_direct_gpa(mode));
	*(uint64_t *)tp_slot(vm, TP_PAGE_PTR) = HC_PAGE_GPA;
	vp_setup_mode(vp, mode, LOAD_GPA);
	vp_set_reg(vp, HVPART_REG_CR4, X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |
		   (mode == GUEST_MODE_LONG64 ? X86_CR4_PAE : 0));
	tp_expect_sync(vp, 1);
}

uint32_t tp_run(struct hv_vp *vp, struct tp *t)
{
	struct hv_vm *vm = vp->vm;
	struct hvpart_register regs[] = {
		hv_reg(HVPART_REG_RAX, t->rax),
		hv_reg(HVPART_REG_RBX, t->rbx),
		hv_reg(HVPART_REG_RCX, t->rcx),
		hv_reg(HVPART_REG_RDX, t->rdx),
		hv_reg(HVPART_REG_RSI, t->rsi),
		hv_reg(HVPART_REG_RDI, t->rdi),
		hv_reg(HVPART_REG_R8, t->r8),
	};

	*(uint32_t *)tp_slot(vm, TP_OP) = t->op;
	*(uint32_t *)tp_slot(vm, TP_FLAGS) = t->xmm ? TP_FLAG_XMM : 0;
	*(uint64_t *)tp_slot(vm, TP_RIP) = 0;
	if (t->xmm) {
		memcpy(tp_slot(vm, TP_XMM_IN), t->xmm_in, sizeof(t->xmm_in));
		memset(tp_slot(vm, TP_XMM_OUT), 0, sizeof(t->xmm_out));
	}
	vp_set_regs(vp, regs, ARRAY_SIZE(regs));
	t->exits = vp->run->exits;
	return tp_resume(vp, t);
}

uint32_t tp_resume(struct hv_vp *vp, struct tp *t)
{
	struct hvpart_register regs[] = {
		{ .name = HVPART_REG_RBP },
		{ .name = HVPART_REG_RBX },
		{ .name = HVPART_REG_RCX },
		{ .name = HVPART_REG_RDX },
		{ .name = HVPART_REG_RSI },
		{ .name = HVPART_REG_RDI },
		{ .name = HVPART_REG_R8 },
	};
	struct hv_vm *vm = vp->vm;
	uint32_t msg = vp_run(vp);
	struct ucall uc;

	if (get_ucall(vp, &uc) != UCALL_SYNC) {
		HV_ASSERT(uc.type != UCALL_FAIL,
			  "probe: guest failure %llu (an unexpected #%s at %#llx)",
			  (unsigned long long)uc.arg,
			  uc.arg == GP_VECTOR ? "GP" : "UD",
			  (unsigned long long)*(uint64_t *)tp_slot(vm, TP_RIP));
		HV_ASSERT(uc.type == UCALL_NONE, "probe: unexpected %s",
			  ucall_name(uc.type));
		return msg;
	}
	HV_ASSERT(uc.arg == 2, "probe: GUEST_SYNC %llu, wanted 2",
		  (unsigned long long)uc.arg);
	/* not counting the exit of the GUEST_SYNC itself */
	t->exits = vp->run->exits - t->exits - 1;
	vp_get_regs(vp, regs, ARRAY_SIZE(regs));
	t->rax = regs[0].value.reg64;
	t->rbx = regs[1].value.reg64;
	t->rcx = regs[2].value.reg64;
	t->rdx = regs[3].value.reg64;
	t->rsi = regs[4].value.reg64;
	t->rdi = regs[5].value.reg64;
	t->r8 = regs[6].value.reg64;
	t->vector = *(uint32_t *)tp_slot(vm, TP_VEC);
	t->fault_rip = *(uint64_t *)tp_slot(vm, TP_RIP);
	if (t->xmm)
		memcpy(t->xmm_out, tp_slot(vm, TP_XMM_OUT), sizeof(t->xmm_out));
	/* back at the first stop, ready for the next op */
	tp_expect_sync(vp, 1);
	return 0;
}

void tp_cpuid(struct hv_vp *vp, uint32_t leaf, uint32_t r[4])
{
	struct tp t = { .op = TP_CPUID, .rax = leaf };
	uint32_t m = tp_run(vp, &t);

	HV_ASSERT(!m, "CPUID %#x ended RUN with %s", leaf, hv_msg_name(m));
	HV_ASSERT(!t.vector, "CPUID %#x raised vector %d", leaf, t.vector);
	r[0] = t.rax;
	r[1] = t.rbx;
	r[2] = t.rcx;
	r[3] = t.rdx;
}

uint64_t tp_read(struct hv_vp *vp, uint64_t gva)
{
	struct tp t = { .op = TP_READ, .rcx = gva };
	uint32_t m = tp_run(vp, &t);

	HV_ASSERT(!m, "read of %#llx ended RUN with %s",
		  (unsigned long long)gva, hv_msg_name(m));
	HV_ASSERT(!t.vector, "read of %#llx raised vector %d",
		  (unsigned long long)gva, t.vector);
	return t.rax;
}

int tp_write8(struct hv_vp *vp, uint64_t gva, uint8_t val)
{
	struct tp t = { .op = TP_WRITE8, .rcx = gva, .rax = val };
	uint32_t m = tp_run(vp, &t);

	HV_ASSERT(!m, "write to %#llx ended RUN with %s",
		  (unsigned long long)gva, hv_msg_name(m));
	return t.vector;
}

uint64_t tp_write8_gpa(enum guest_mode mode)
{
	return mode == GUEST_MODE_LONG64 ? GUEST_GPA(g_tp64, g_tp64_write) :
					   GUEST_GPA(g_tp32, g_tp32_write);
}

int tp_rdmsr(struct hv_vp *vp, uint32_t msr, uint64_t *val)
{
	struct tp t = {
		.op = TP_RDMSR,
		.rcx = msr,
		.rax = 0x5a5a5a5a,
		.rdx = 0xa5a5a5a5,
	};
	uint32_t m = tp_run(vp, &t);

	HV_ASSERT(!m, "RDMSR %#x ended RUN with %s", msr, hv_msg_name(m));
	*val = (t.rdx << 32) | (uint32_t)t.rax;
	return t.vector;
}

int tp_wrmsr(struct hv_vp *vp, uint32_t msr, uint64_t val)
{
	struct tp t = {
		.op = TP_WRMSR,
		.rcx = msr,
		.rax = (uint32_t)val,
		.rdx = val >> 32,
	};
	uint32_t m = tp_run(vp, &t);

	HV_ASSERT(!m, "WRMSR %#x ended RUN with %s", msr, hv_msg_name(m));
	return t.vector;
}

uint64_t tp_hcall(struct hv_vp *vp, uint64_t control, uint64_t in,
		  uint64_t out, struct tp *t)
{
	struct tp local = { 0 };
	uint32_t m;

	if (!t)
		t = &local;
	if (t->op != TP_HCALL_DIRECT)
		t->op = TP_HCALL_PAGE;
	t->rcx = control;
	t->rdx = in;
	t->r8 = out;
	m = tp_run(vp, t);
	HV_ASSERT(!m, "hypercall %#llx ended RUN with %s",
		  (unsigned long long)control, hv_msg_name(m));
	return t->rax;
}

uint64_t tp_hcall32(struct hv_vp *vp, uint64_t control, uint64_t in,
		    uint64_t out, struct tp *t)
{
	struct tp local = { 0 };
	uint32_t m;

	if (!t)
		t = &local;
	if (t->op != TP_HCALL_DIRECT)
		t->op = TP_HCALL_PAGE;
	t->rdx = control >> 32;
	t->rax = (uint32_t)control;
	t->rbx = in >> 32;
	t->rcx = (uint32_t)in;
	t->rdi = out >> 32;
	t->rsi = (uint32_t)out;
	m = tp_run(vp, t);
	HV_ASSERT(!m, "hypercall %#llx ended RUN with %s",
		  (unsigned long long)control, hv_msg_name(m));
	return ((uint64_t)(uint32_t)t->rdx << 32) | (uint32_t)t->rax;
}

/* Did the kernel log that it marked the TSC unstable? */
static bool tsc_marked_unstable(char *line_out, size_t len)
{
	int size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	bool found = false;
	char *buf, *line, *save;

	if (size <= 0)
		return false;
	buf = calloc(1, size + 1);
	HV_ASSERT(buf, "calloc");
	size = klogctl(3, buf, size);		/* SYSLOG_ACTION_READ_ALL */
	if (size > 0) {
		buf[size] = 0;
		for (line = strtok_r(buf, "\n", &save); line && !found;
		     line = strtok_r(NULL, "\n", &save)) {
			char low[512];
			size_t i;

			for (i = 0; line[i] && i < sizeof(low) - 1; i++)
				low[i] = tolower((unsigned char)line[i]);
			low[i] = 0;
			if (strstr(low, "tsc") && strstr(low, "unstable")) {
				snprintf(line_out, len, "%s", line);
				found = true;
			}
		}
	}
	free(buf);
	return found;
}

bool host_tsc_reliable(char *why, size_t len)
{
	char cs[64] = "", logline[512];
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			"r");

	HV_ASSERT(f, "current_clocksource");
	if (!fgets(cs, sizeof(cs), f))
		cs[0] = 0;
	fclose(f);
	cs[strcspn(cs, "\n")] = 0;
	/* tsc-early reads the TSC too (vdso_clock_mode TSC) */
	if (strcmp(cs, "tsc") && strcmp(cs, "tsc-early")) {
		snprintf(why, len, "the host's clocksource is %s, not tsc", cs);
		return false;
	}
	if (tsc_marked_unstable(logline, sizeof(logline))) {
		snprintf(why, len, "the kernel marked the TSC unstable: %s",
			 logline);
		return false;
	}
	snprintf(why, len, "the host's clocksource is %s, never marked unstable",
		 cs);
	return true;
}
