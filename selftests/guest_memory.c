// SPDX-License-Identifier: GPL-2.0
/*
 * guest_memory: guest accesses against the partition's GPA ranges.  An
 * access to a GPA no range maps is an UNMAPPED_GPA message, one the
 * range's rights forbid a GPA_INTERCEPT; both leave RIP on the access, so
 * that once the root has mapped or remapped the range the same instruction
 * runs again and succeeds.  UNMAP takes effect at once.
 */
#include "kselftest_harness.h"
#include "hvpart_util.h"

/* Past the 2 MiB of vm_create(), inside the 1 GiB identity map. */
#define EXTRA_GPA	0x300000
#define VALUE1		0x1122334455667788
#define VALUE2		0xfeedface12345678

FIXTURE(guest) {
	struct hv_vm *vm;
	struct hv_vp *vp;
	uint64_t *page;		/* the caller's page behind EXTRA_GPA */
};

FIXTURE_SETUP(guest)
{
	HV_SETUP_REQUIRE_DEV();
	self->vm = vm_create(GUEST_MEM_SIZE);
	self->vp = vm_add_vp(self->vm, 0);
	self->page = hv_alloc_pages(PAGE_SIZE);
}

FIXTURE_TEARDOWN(guest)
{
	vm_free(self->vm);
	hv_free_pages(self->page, PAGE_SIZE);
}

/* Checks a memory intercept message for an access at @rip to @gpa. */
static void expect_mem(struct __test_metadata *_metadata, struct hv_vp *vp,
		       uint32_t type, uint8_t access, uint64_t rip,
		       uint64_t gpa, uint8_t len)
{
	const struct hvpart_x64_memory_intercept *m = &vp->run->msg.u.memory;

	ASSERT_MSG(vp, type);
	EXPECT_EQ(vp->index, m->header.vp_index);
	EXPECT_EQ(access, m->header.intercept_access_type);
	EXPECT_EQ(rip, m->header.rip);
	/* instruction_length may be 0 for memory intercepts */
	if (m->header.instruction_length)
		EXPECT_EQ(len, m->header.instruction_length);
	EXPECT_EQ(gpa, m->guest_physical_address);
	/* identity paging: where the GVA is given, it equals the GPA */
	if (m->memory_access_info & HVPART_MEM_ACCESS_GVA_VALID)
		EXPECT_EQ(gpa, m->guest_virtual_address);
	EXPECT_EQ(rip, vp_get_reg(vp, HVPART_REG_RIP));
}

/* A read and a write of EXTRA_GPA (RBX), each reported. */
__asm__(GUEST_ASM_BEGIN(g_rw)
	".code64\n"
	"	mov $" G_STR(EXTRA_GPA) ", %ebx\n"
	".global g_rw_read\n"
	"g_rw_read:	mov (%rbx), %rax\n"		/* 3 bytes */
	"	GUEST_REPORT\n"
	"	movabs $" G_STR(VALUE2) ", %rcx\n"
	".global g_rw_write\n"
	"g_rw_write:	mov %rcx, (%rbx)\n"		/* 3 bytes */
	"	mov (%rbx), %rax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_rw));
GUEST_CODE_DECLARE(g_rw);
GUEST_LABEL_DECLARE(g_rw_read);
GUEST_LABEL_DECLARE(g_rw_write);

TEST_F(guest, unmapped_gpa_read)
{
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_rw_start, g_rw_end);
	expect_mem(_metadata, self->vp, HVPART_MSG_UNMAPPED_GPA,
		   HVPART_INTERCEPT_ACCESS_READ, GUEST_GPA(g_rw, g_rw_read),
		   EXTRA_GPA, 3);
	/* Still unmapped: the same again. */
	expect_mem(_metadata, self->vp, HVPART_MSG_UNMAPPED_GPA,
		   HVPART_INTERCEPT_ACCESS_READ, GUEST_GPA(g_rw, g_rw_read),
		   EXTRA_GPA, 3);

	self->page[0] = VALUE1;
	vm_map(self->vm, EXTRA_GPA, PAGE_SIZE, self->page,
	       HVPART_MAP_READABLE | HVPART_MAP_WRITABLE);
	ASSERT_REPORT(self->vp, VALUE1);
	ASSERT_REPORT(self->vp, VALUE2);
	ASSERT_DONE(self->vp);
	EXPECT_EQ(VALUE2, self->page[0]);
}

TEST_F(guest, unmapped_gpa_write)
{
	self->page[0] = VALUE1;
	vm_map(self->vm, EXTRA_GPA, PAGE_SIZE, self->page, HVPART_MAP_READABLE |
	       HVPART_MAP_WRITABLE);
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_rw_start, g_rw_end);
	ASSERT_REPORT(self->vp, VALUE1);
	vm_unmap(self->vm, EXTRA_GPA, PAGE_SIZE);
	expect_mem(_metadata, self->vp, HVPART_MSG_UNMAPPED_GPA,
		   HVPART_INTERCEPT_ACCESS_WRITE, GUEST_GPA(g_rw, g_rw_write),
		   EXTRA_GPA, 3);
	EXPECT_EQ(VALUE1, self->page[0]);
}

/* A write to a read-only range; fixed by mapping it writable again. */
TEST_F(guest, readonly_gpa_write)
{
	self->page[0] = VALUE1;
	vm_map(self->vm, EXTRA_GPA, PAGE_SIZE, self->page, HVPART_MAP_READABLE);
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_rw_start, g_rw_end);
	ASSERT_REPORT(self->vp, VALUE1);		/* reading is fine */
	expect_mem(_metadata, self->vp, HVPART_MSG_GPA_INTERCEPT,
		   HVPART_INTERCEPT_ACCESS_WRITE, GUEST_GPA(g_rw, g_rw_write),
		   EXTRA_GPA, 3);
	EXPECT_EQ(VALUE1, self->page[0]);

	vm_unmap(self->vm, EXTRA_GPA, PAGE_SIZE);
	vm_map(self->vm, EXTRA_GPA, PAGE_SIZE, self->page,
	       HVPART_MAP_READABLE | HVPART_MAP_WRITABLE);
	ASSERT_REPORT(self->vp, VALUE2);
	ASSERT_DONE(self->vp);
	EXPECT_EQ(VALUE2, self->page[0]);
}

/* A call into EXTRA_GPA, where a tiny function does SYNC 1 and returns. */
__asm__(GUEST_ASM_BEGIN(g_exec)
	".code64\n"
	"	mov $" G_STR(EXTRA_GPA) ", %eax\n"
	"	call *%rax\n"
	"	GUEST_SYNC 2\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_exec));
GUEST_CODE_DECLARE(g_exec);

__asm__(GUEST_ASM_BEGIN(g_callee)
	".code64\n"
	"	GUEST_SYNC 1\n"
	"	ret\n"
	GUEST_ASM_END(g_callee));
GUEST_CODE_DECLARE(g_callee);

TEST_F(guest, nonexecutable_gpa_fetch)
{
	memcpy(self->page, g_callee_start, g_callee_end - g_callee_start);
	vm_map(self->vm, EXTRA_GPA, PAGE_SIZE, self->page,
	       HVPART_MAP_READABLE | HVPART_MAP_WRITABLE);
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_exec_start, g_exec_end);
	expect_mem(_metadata, self->vp, HVPART_MSG_GPA_INTERCEPT,
		   HVPART_INTERCEPT_ACCESS_EXECUTE, EXTRA_GPA, EXTRA_GPA, 0);

	vm_unmap(self->vm, EXTRA_GPA, PAGE_SIZE);
	vm_map(self->vm, EXTRA_GPA, PAGE_SIZE, self->page,
	       HVPART_MAP_READABLE | HVPART_MAP_EXECUTABLE);
	ASSERT_SYNC(self->vp, 1);
	ASSERT_SYNC(self->vp, 2);
	ASSERT_DONE(self->vp);
}

/* Read EXTRA_GPA, SYNC, read it again, forever. */
__asm__(GUEST_ASM_BEGIN(g_reread)
	".code64\n"
	"	mov $" G_STR(EXTRA_GPA) ", %ebx\n"
	"1:\n"
	".global g_reread_load\n"
	"g_reread_load:	mov (%rbx), %rax\n"
	"	GUEST_REPORT\n"
	"	jmp 1b\n"
	GUEST_ASM_END(g_reread));
GUEST_CODE_DECLARE(g_reread);
GUEST_LABEL_DECLARE(g_reread_load);

/*
 * Once UNMAP returns, the guest cannot reach the old pages (no stale
 * translation survives), and a new mapping shows the new pages.
 */
TEST_F(guest, unmap_revokes_access)
{
	uint64_t *other = hv_alloc_pages(PAGE_SIZE);

	self->page[0] = VALUE1;
	other[0] = VALUE2;
	vm_map(self->vm, EXTRA_GPA, PAGE_SIZE, self->page, HVPART_MAP_READABLE);
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_reread_start, g_reread_end);
	ASSERT_REPORT(self->vp, VALUE1);
	ASSERT_REPORT(self->vp, VALUE1);

	vm_unmap(self->vm, EXTRA_GPA, PAGE_SIZE);
	expect_mem(_metadata, self->vp, HVPART_MSG_UNMAPPED_GPA,
		   HVPART_INTERCEPT_ACCESS_READ,
		   GUEST_GPA(g_reread, g_reread_load), EXTRA_GPA, 3);

	vm_map(self->vm, EXTRA_GPA, PAGE_SIZE, other, HVPART_MAP_READABLE);
	ASSERT_REPORT(self->vp, VALUE2);
	/* And what the guest reads follows the caller's writes. */
	other[0] = VALUE1;
	ASSERT_REPORT(self->vp, VALUE1);
	hv_free_pages(other, PAGE_SIZE);
}

/* A multi-page range: each page is the caller's page at that offset. */
__asm__(GUEST_ASM_BEGIN(g_pages)
	".code64\n"
	"	mov $" G_STR(EXTRA_GPA) ", %ebx\n"
	"	mov $16, %ecx\n"
	"1:	mov (%rbx), %rax\n"
	"	GUEST_REPORT\n"
	"	movq $0, (%rbx)\n"
	"	add $4096, %rbx\n"
	"	loop 1b\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_pages));
GUEST_CODE_DECLARE(g_pages);

TEST_F(guest, multi_page_range)
{
	uint8_t *mem = hv_alloc_pages(16 * PAGE_SIZE);
	int i;

	for (i = 0; i < 16; i++)
		*(uint64_t *)(mem + i * PAGE_SIZE) = 0x1000 + i;
	vm_map(self->vm, EXTRA_GPA, 16 * PAGE_SIZE, mem,
	       HVPART_MAP_READABLE | HVPART_MAP_WRITABLE);
	vp_load_guest(self->vp, GUEST_MODE_LONG64, g_pages_start, g_pages_end);
	for (i = 0; i < 16; i++)
		ASSERT_REPORT(self->vp, 0x1000 + i);
	ASSERT_DONE(self->vp);
	for (i = 0; i < 16; i++)
		EXPECT_EQ(0, *(uint64_t *)(mem + i * PAGE_SIZE));
	hv_free_pages(mem, 16 * PAGE_SIZE);
}

TEST_HARNESS_MAIN
