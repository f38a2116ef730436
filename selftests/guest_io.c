// SPDX-License-Identifier: GPL-2.0
/*
 * guest_io: port I/O from a 64-bit guest.  Intercepted IN and OUT of each
 * size end RUN with an I/O port intercept message that the test checks
 * field by field and completes through the run page; string I/O is
 * emulated by the test; ports without an intercept read as all ones and
 * ignore writes without leaving the kernel.
 */
#include "kselftest_harness.h"
#include "hvpart_util.h"

#define TEST_PORT8	0x80		/* reached with an imm8 operand */
#define TEST_PORT16	0x1234		/* reached through DX */
#define FREE_PORT8	0x90		/* never intercepted */
#define FREE_PORT16	0x3e0
#define PATTERN		0x1122334455667788	/* also an asm operand */

#define RW	(HVPART_INTERCEPT_ACCESS_MASK_READ | HVPART_INTERCEPT_ACCESS_MASK_WRITE)

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

/* One expected port access. */
struct io_expect {
	uint64_t rip;
	uint16_t port;
	uint8_t size;
	uint8_t len;		/* instruction length */
	uint8_t access;		/* HVPART_INTERCEPT_ACCESS_* */
	uint8_t info_bits;	/* STRING_OP, REP_PREFIX */
};

/* Runs the VP to the expected I/O intercept and checks every field. */
static void expect_io(struct __test_metadata *_metadata, struct hv_vp *vp,
		      const struct io_expect *e, uint64_t rax)
{
	const struct hvpart_x64_io_port_intercept *io = &vp->run->msg.u.io_port;
	const struct hvpart_x64_intercept_header *h = &io->header;

	ASSERT_MSG(vp, HVPART_MSG_X64_IO_PORT_INTERCEPT);
	EXPECT_EQ(0, vp->run->msg.header.sender);
	EXPECT_EQ(vp->index, h->vp_index);
	EXPECT_EQ(e->rip, h->rip);
	EXPECT_EQ(e->len, h->instruction_length);
	EXPECT_EQ(e->access, h->intercept_access_type);
	EXPECT_EQ(HVPART_EXEC_STATE_CR0_PE | HVPART_EXEC_STATE_EFER_LMA,
		  h->execution_state & (HVPART_EXEC_STATE_CPL_MASK |
					HVPART_EXEC_STATE_CR0_PE |
					HVPART_EXEC_STATE_EFER_LMA));
	EXPECT_EQ(SEL_CODE64, h->cs_segment.selector);
	EXPECT_EQ(SEG_ATTR_CODE64, h->cs_segment.attributes);
	EXPECT_EQ(X86_RFLAGS_FIXED, h->rflags & (X86_RFLAGS_FIXED | (1 << 10)));
	EXPECT_EQ(e->port, io->port_number);
	EXPECT_EQ(e->size | e->info_bits, io->access_info);
	if (!(e->info_bits & HVPART_IO_ACCESS_STRING_OP))
		EXPECT_EQ(rax, io->rax);
	/* Where given, the instruction bytes are those at RIP. */
	EXPECT_GE(16, io->instruction_byte_count);
	if (io->instruction_byte_count) {
		size_t n = io->instruction_byte_count < e->len ?
			   io->instruction_byte_count : e->len;

		EXPECT_EQ(0, memcmp(io->instruction_bytes,
				    vm_gpa_to_hva(vp->vm, e->rip), n));
	}
}

#define OUT_ROW(label, port, size, len) \
	{ GUEST_GPA(io_out, label), port, size, len, HVPART_INTERCEPT_ACCESS_WRITE, 0 }
#define IN_ROW(label, port, size, len) \
	{ GUEST_GPA(io_in, label), port, size, len, HVPART_INTERCEPT_ACCESS_READ, 0 }

/* OUT of 1, 2 and 4 bytes, with an imm8 port and with DX. */
__asm__(GUEST_ASM_BEGIN(io_out)
	".code64\n"
	"	movabs $" G_STR(PATTERN) ", %rax\n"
	"	mov $" G_STR(TEST_PORT16) ", %edx\n"
	".global io_out_b\n"
	"io_out_b:	out %al, $" G_STR(TEST_PORT8) "\n"
	".global io_out_w\n"
	"io_out_w:	out %ax, $" G_STR(TEST_PORT8) "\n"
	".global io_out_l\n"
	"io_out_l:	out %eax, $" G_STR(TEST_PORT8) "\n"
	".global io_out_dx_b\n"
	"io_out_dx_b:	out %al, (%dx)\n"
	".global io_out_dx_w\n"
	"io_out_dx_w:	out %ax, (%dx)\n"
	".global io_out_dx_l\n"
	"io_out_dx_l:	out %eax, (%dx)\n"
	"	GUEST_ASSERT_EQ $" G_STR(TEST_PORT16) ", %rdx, 1\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(io_out));
GUEST_CODE_DECLARE(io_out);
GUEST_LABEL_DECLARE(io_out_b);
GUEST_LABEL_DECLARE(io_out_w);
GUEST_LABEL_DECLARE(io_out_l);
GUEST_LABEL_DECLARE(io_out_dx_b);
GUEST_LABEL_DECLARE(io_out_dx_w);
GUEST_LABEL_DECLARE(io_out_dx_l);

TEST_F(guest, out_sizes)
{
	const struct io_expect ex[] = {
		OUT_ROW(io_out_b, TEST_PORT8, 1, 2),
		OUT_ROW(io_out_w, TEST_PORT8, 2, 3),
		OUT_ROW(io_out_l, TEST_PORT8, 4, 2),
		OUT_ROW(io_out_dx_b, TEST_PORT16, 1, 1),
		OUT_ROW(io_out_dx_w, TEST_PORT16, 2, 2),
		OUT_ROW(io_out_dx_l, TEST_PORT16, 4, 1),
	};
	unsigned int i;

	vm_install_intercept(self->vm, HVPART_INTERCEPT_TYPE_X64_IO_PORT, RW,
			     TEST_PORT8, TEST_PORT8);
	vm_install_intercept(self->vm, HVPART_INTERCEPT_TYPE_X64_IO_PORT, RW,
			     TEST_PORT16, TEST_PORT16);
	vp_load_guest(self->vp, GUEST_MODE_LONG64, io_out_start, io_out_end);
	for (i = 0; i < ARRAY_SIZE(ex); i++) {
		expect_io(_metadata, self->vp, &ex[i], PATTERN);
		/* The instruction has not retired: RIP is still on it. */
		EXPECT_EQ(ex[i].rip, vp_get_reg(self->vp, HVPART_REG_RIP));
		vp_complete(self->vp, HVPART_RUN_COMPLETE_ADVANCE_RIP, 0);
	}
	ASSERT_DONE(self->vp);
}

/* IN of 1, 2 and 4 bytes; each result is reported back whole. */
#define IN_STEP(label, insn)						\
	"	movabs $" G_STR(PATTERN) ", %rax\n"			\
	".global " #label "\n"						\
	#label ":	" insn "\n"					\
	"	GUEST_REPORT\n"

__asm__(GUEST_ASM_BEGIN(io_in)
	".code64\n"
	"	mov $" G_STR(TEST_PORT16) ", %edx\n"
	IN_STEP(io_in_b, "in $" G_STR(TEST_PORT8) ", %al")
	IN_STEP(io_in_w, "in $" G_STR(TEST_PORT8) ", %ax")
	IN_STEP(io_in_l, "in $" G_STR(TEST_PORT8) ", %eax")
	IN_STEP(io_in_dx_b, "in (%dx), %al")
	IN_STEP(io_in_dx_w, "in (%dx), %ax")
	IN_STEP(io_in_dx_l, "in (%dx), %eax")
	"	GUEST_DONE\n"
	GUEST_ASM_END(io_in));
GUEST_CODE_DECLARE(io_in);
GUEST_LABEL_DECLARE(io_in_b);
GUEST_LABEL_DECLARE(io_in_w);
GUEST_LABEL_DECLARE(io_in_l);
GUEST_LABEL_DECLARE(io_in_dx_b);
GUEST_LABEL_DECLARE(io_in_dx_w);
GUEST_LABEL_DECLARE(io_in_dx_l);

/* RAX after IN of @size bytes of @data: 32-bit results zero-extend. */
static uint64_t in_result(uint64_t rax, uint8_t size, uint32_t data)
{
	switch (size) {
	case 1:
		return (rax & ~0xffULL) | (data & 0xff);
	case 2:
		return (rax & ~0xffffULL) | (data & 0xffff);
	default:
		return data;
	}
}

TEST_F(guest, in_sizes)
{
	const struct io_expect ex[] = {
		IN_ROW(io_in_b, TEST_PORT8, 1, 2),
		IN_ROW(io_in_w, TEST_PORT8, 2, 3),
		IN_ROW(io_in_l, TEST_PORT8, 4, 2),
		IN_ROW(io_in_dx_b, TEST_PORT16, 1, 1),
		IN_ROW(io_in_dx_w, TEST_PORT16, 2, 2),
		IN_ROW(io_in_dx_l, TEST_PORT16, 4, 1),
	};
	unsigned int i;

	vm_install_intercept(self->vm, HVPART_INTERCEPT_TYPE_X64_IO_PORT, RW,
			     TEST_PORT8, TEST_PORT8);
	vm_install_intercept(self->vm, HVPART_INTERCEPT_TYPE_X64_IO_PORT, RW,
			     TEST_PORT16, TEST_PORT16);
	vp_load_guest(self->vp, GUEST_MODE_LONG64, io_in_start, io_in_end);
	for (i = 0; i < ARRAY_SIZE(ex); i++) {
		uint32_t data = 0xa5c3e1f0 + i;
		uint64_t result = in_result(PATTERN, ex[i].size, data);

		expect_io(_metadata, self->vp, &ex[i], PATTERN);
		vp_complete(self->vp, HVPART_RUN_COMPLETE_ADVANCE_RIP |
			    HVPART_RUN_COMPLETE_SET_RAX, result);
		ASSERT_REPORT(self->vp, result);
	}
	ASSERT_DONE(self->vp);
}

/*
 * String I/O: rep outsb, rep insw and a single outsl.  The test emulates
 * each one as a device model would and updates RSI/RDI/RCX itself.
 */
__asm__(GUEST_ASM_BEGIN(io_str)
	".code64\n"
	"	cld\n"
	"	mov $" G_STR(TEST_PORT16) ", %edx\n"
	"	lea io_str_src(%rip), %rsi\n"
	"	mov $5, %ecx\n"
	".global io_str_outsb\n"
	"io_str_outsb:	rep outsb\n"
	"	mov %rsi, %rax\n"
	"	GUEST_REPORT\n"
	"	mov %rcx, %rax\n"
	"	GUEST_REPORT\n"
	"	lea io_str_dst(%rip), %rdi\n"
	"	mov $3, %ecx\n"
	".global io_str_insw\n"
	"io_str_insw:	rep insw\n"
	"	mov %rdi, %rax\n"
	"	GUEST_REPORT\n"
	"	mov %rcx, %rax\n"
	"	GUEST_REPORT\n"
	"	mov io_str_dst(%rip), %rax\n"
	"	GUEST_REPORT\n"
	"	lea io_str_src(%rip), %rsi\n"
	".global io_str_outsl\n"
	"io_str_outsl:	outsl\n"
	"	mov %rsi, %rax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	".balign 8\n"
	".global io_str_src\n"
	"io_str_src:	.ascii \"hello, world\"\n"
	".balign 8\n"
	".global io_str_dst\n"
	"io_str_dst:	.quad 0\n"
	GUEST_ASM_END(io_str));
GUEST_CODE_DECLARE(io_str);
GUEST_LABEL_DECLARE(io_str_outsb);
GUEST_LABEL_DECLARE(io_str_insw);
GUEST_LABEL_DECLARE(io_str_outsl);
GUEST_LABEL_DECLARE(io_str_src);
GUEST_LABEL_DECLARE(io_str_dst);

/* Checks the string-specific fields and finishes the instruction. */
static void emulate_string_io(struct __test_metadata *_metadata,
			      struct hv_vp *vp, uint64_t count, uint64_t addr,
			      bool in, const void *data, void *out)
{
	const struct hvpart_x64_io_port_intercept *io = &vp->run->msg.u.io_port;
	const struct hvpart_x64_segment *seg = in ? &io->es_segment :
						   &io->ds_segment;
	unsigned int size = io->access_info & HVPART_IO_ACCESS_SIZE_MASK;
	uint64_t bytes = count * size;
	struct hvpart_register regs[2];
	uint32_t n = 0;

	EXPECT_EQ(0, io->header.rflags & (1 << 10));	/* DF clear */
	if (io->access_info & HVPART_IO_ACCESS_REP_PREFIX)
		EXPECT_EQ(count, io->rcx);
	EXPECT_EQ(addr, in ? io->rdi : io->rsi);
	EXPECT_EQ(SEL_DATA, seg->selector);
	EXPECT_EQ(0, seg->base);
	EXPECT_EQ(SEG_ATTR_DATA32, seg->attributes);
	/* Flat segments, identity paging: the linear address is the GPA. */
	if (in)
		memcpy(vm_gpa_to_hva(vp->vm, seg->base + io->rdi), data, bytes);
	else
		memcpy(out, vm_gpa_to_hva(vp->vm, seg->base + io->rsi), bytes);

	regs[n++] = hv_reg(in ? HVPART_REG_RDI : HVPART_REG_RSI, addr + bytes);
	if (io->access_info & HVPART_IO_ACCESS_REP_PREFIX)
		regs[n++] = hv_reg(HVPART_REG_RCX, 0);
	vp_set_regs(vp, regs, n);
	vp_complete(vp, HVPART_RUN_COMPLETE_ADVANCE_RIP, 0);
}

TEST_F(guest, string_io)
{
	const uint64_t src = GUEST_GPA(io_str, io_str_src);
	const uint64_t dst = GUEST_GPA(io_str, io_str_dst);
	const uint16_t words[3] = { 0x1111, 0x2222, 0x3333 };
	const struct io_expect outsb = {
		GUEST_GPA(io_str, io_str_outsb), TEST_PORT16, 1, 2,
		HVPART_INTERCEPT_ACCESS_WRITE,
		HVPART_IO_ACCESS_STRING_OP | HVPART_IO_ACCESS_REP_PREFIX,
	};
	const struct io_expect insw = {
		GUEST_GPA(io_str, io_str_insw), TEST_PORT16, 2, 3,
		HVPART_INTERCEPT_ACCESS_READ,
		HVPART_IO_ACCESS_STRING_OP | HVPART_IO_ACCESS_REP_PREFIX,
	};
	const struct io_expect outsl = {
		GUEST_GPA(io_str, io_str_outsl), TEST_PORT16, 4, 1,
		HVPART_INTERCEPT_ACCESS_WRITE, HVPART_IO_ACCESS_STRING_OP,
	};
	char out[8] = { 0 };

	vm_install_intercept(self->vm, HVPART_INTERCEPT_TYPE_X64_IO_PORT, RW,
			     TEST_PORT16, TEST_PORT16);
	vp_load_guest(self->vp, GUEST_MODE_LONG64, io_str_start, io_str_end);

	expect_io(_metadata, self->vp, &outsb, 0);
	emulate_string_io(_metadata, self->vp, 5, src, false, NULL, out);
	EXPECT_EQ(0, memcmp(out, "hello", 5));
	ASSERT_REPORT(self->vp, src + 5);
	ASSERT_REPORT(self->vp, 0);

	expect_io(_metadata, self->vp, &insw, 0);
	emulate_string_io(_metadata, self->vp, 3, dst, true, words, NULL);
	ASSERT_REPORT(self->vp, dst + 6);
	ASSERT_REPORT(self->vp, 0);
	ASSERT_REPORT(self->vp, 0x0000333322221111ULL);

	expect_io(_metadata, self->vp, &outsl, 0);
	emulate_string_io(_metadata, self->vp, 1, src, false, NULL, out);
	EXPECT_EQ(0, memcmp(out, "hell", 4));
	ASSERT_REPORT(self->vp, src + 4);
	ASSERT_DONE(self->vp);
}

/*
 * Ports without an intercept: IN gives all ones, OUT is dropped, and
 * neither leaves the kernel, so the next exit is the following ucall.
 */
__asm__(GUEST_ASM_BEGIN(io_free)
	".code64\n"
	"	mov $" G_STR(FREE_PORT16) ", %edx\n"
	IN_STEP(io_free_b, "in $" G_STR(FREE_PORT8) ", %al")
	IN_STEP(io_free_w, "in (%dx), %ax")
	IN_STEP(io_free_l, "in (%dx), %eax")
	"	out %al, $" G_STR(FREE_PORT8) "\n"
	"	out %ax, (%dx)\n"
	"	out %eax, (%dx)\n"
	"	GUEST_SYNC 1\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(io_free));
GUEST_CODE_DECLARE(io_free);

TEST_F(guest, unintercepted_ports)
{
	vp_load_guest(self->vp, GUEST_MODE_LONG64, io_free_start, io_free_end);
	ASSERT_REPORT(self->vp, in_result(PATTERN, 1, 0xffffffff));
	ASSERT_REPORT(self->vp, in_result(PATTERN, 2, 0xffffffff));
	ASSERT_REPORT(self->vp, in_result(PATTERN, 4, 0xffffffff));
	ASSERT_SYNC(self->vp, 1);
	ASSERT_DONE(self->vp);
}

/* The access mask selects IN or OUT; REMOVE takes part of a range back. */
__asm__(GUEST_ASM_BEGIN(io_mask)
	".code64\n"
	"	movabs $" G_STR(PATTERN) ", %rax\n"
	"	out %al, $" G_STR(TEST_PORT8) "\n"	/* not intercepted */
	".global io_mask_in\n"
	"io_mask_in:	in $" G_STR(TEST_PORT8) ", %al\n"
	"	GUEST_REPORT\n"
	"	GUEST_SYNC 1\n"
	/* after REMOVE of 0x88-0x97: 0x87 is intercepted, 0x88 is not */
	"	movabs $" G_STR(PATTERN) ", %rax\n"
	".global io_mask_87\n"
	"io_mask_87:	in $0x87, %al\n"
	"	in $0x88, %al\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(io_mask));
GUEST_CODE_DECLARE(io_mask);
GUEST_LABEL_DECLARE(io_mask_in);
GUEST_LABEL_DECLARE(io_mask_87);

TEST_F(guest, intercept_access_mask_and_remove)
{
	const struct io_expect in80 = {
		GUEST_GPA(io_mask, io_mask_in), TEST_PORT8, 1, 2,
		HVPART_INTERCEPT_ACCESS_READ, 0,
	};
	const struct io_expect in87 = {
		GUEST_GPA(io_mask, io_mask_87), 0x87, 1, 2,
		HVPART_INTERCEPT_ACCESS_READ, 0,
	};

	vm_install_intercept(self->vm, HVPART_INTERCEPT_TYPE_X64_IO_PORT,
			     HVPART_INTERCEPT_ACCESS_MASK_READ, 0x80, 0x8f);
	vp_load_guest(self->vp, GUEST_MODE_LONG64, io_mask_start, io_mask_end);
	expect_io(_metadata, self->vp, &in80, PATTERN);
	vp_complete(self->vp, HVPART_RUN_COMPLETE_ADVANCE_RIP |
		    HVPART_RUN_COMPLETE_SET_RAX, in_result(PATTERN, 1, 0x42));
	ASSERT_REPORT(self->vp, in_result(PATTERN, 1, 0x42));
	ASSERT_SYNC(self->vp, 1);

	vm_remove_intercept(self->vm, HVPART_INTERCEPT_TYPE_X64_IO_PORT,
			    HVPART_INTERCEPT_ACCESS_MASK_READ, 0x88, 0x97);
	expect_io(_metadata, self->vp, &in87, PATTERN);
	vp_complete(self->vp, HVPART_RUN_COMPLETE_ADVANCE_RIP |
		    HVPART_RUN_COMPLETE_SET_RAX, in_result(PATTERN, 1, 0x42));
	ASSERT_REPORT(self->vp, in_result(PATTERN, 1, 0xff));
	ASSERT_DONE(self->vp);
}

/* SET_VP_REGISTERS can complete an intercept instead of the run page. */
TEST_F(guest, complete_with_set_registers)
{
	const struct io_expect in80 = {
		GUEST_GPA(io_mask, io_mask_in), TEST_PORT8, 1, 2,
		HVPART_INTERCEPT_ACCESS_READ, 0,
	};
	struct hvpart_register regs[2];

	vm_install_intercept(self->vm, HVPART_INTERCEPT_TYPE_X64_IO_PORT,
			     HVPART_INTERCEPT_ACCESS_MASK_READ, 0x80, 0x80);
	vp_load_guest(self->vp, GUEST_MODE_LONG64, io_mask_start, io_mask_end);
	expect_io(_metadata, self->vp, &in80, PATTERN);
	regs[0] = hv_reg(HVPART_REG_RAX, in_result(PATTERN, 1, 0x77));
	regs[1] = hv_reg(HVPART_REG_RIP, in80.rip + 2);
	vp_set_regs(self->vp, regs, 2);
	ASSERT_REPORT(self->vp, in_result(PATTERN, 1, 0x77));
	ASSERT_SYNC(self->vp, 1);
}

TEST_HARNESS_MAIN
