// SPDX-License-Identifier: GPL-2.0
/*
 * hyperv_flush: the TLFS virtual TLB flush hypercalls
 * (HvCallFlushVirtualAddressSpace/List and their Ex forms, with a
 * processor mask, HV_FLUSH_ALL_PROCESSORS, a sparse HV_VP_SET or the ALL
 * format, memory or XMM fast input): "by the time control returns back
 * to the caller, the observable effects of all flushes on the specified
 * virtual processors have occurred".
 *
 * Two VPs on two CPUs.  VP 1 reads a GVA in a loop that never leaves the
 * guest, publishing what it read and a counter in guest memory, so its
 * TLB holds the translation.  VP 0 points that GVA's PTE at another page
 * and flushes VP 1; after the call returns it waits for two more reads
 * and checks that VP 1 sees the new page.  Without a flush of VP 1 (no
 * call, or a call naming only VP 0) VP 1 keeps reading the old page as
 * long as it stays in the guest: the control that shows the positive
 * tests are not passing by accident.  (QEMU's TCG flushes its TLB on
 * every VM entry, so there the old page stays visible only until VP 1's
 * next exit, a host interrupt away.  A round of the controls counts only
 * if VP 1's run page shows no VM exit from its start to its end.)
 *
 * Then the calls' error paths: flags the TLFS reserves or forbids, and
 * VP sets of an unknown format: HV_STATUS_INVALID_PARAMETER.
 */
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hyperv_util.h"

#define FAST		HV_HYPERCALL_FAST_BIT
#define VARHEAD(n)	((uint64_t)(n) << HV_HYPERCALL_VARHEAD_OFFSET)

#define TEST_GVA	0x40000000ULL	/* the first GVA past the identity map */
#define PAGE_A		0x40000
#define PAGE_B		0x41000
#define PAGE_C		0x43000
#define FL_CNT		0x42000		/* u64: reads VP 1 has made */
#define FL_VAL		0x42008		/* u64: what it read last */
#define FL_STOP		0x42010		/* u64: nonzero: VP 1 stops */
#define VALUE(page)	(0xfeed000000000000ULL | (page))

/* VP 1: read TEST_GVA forever, never leaving the guest, until FL_STOP. */
__asm__(GUEST_ASM_BEGIN(g_reader)
	".code64\n"
	"	movabs $" G_STR(TEST_GVA) ", %r11\n"
	"1:	mov (%r11), %rax\n"
	"	mov %rax, " G_STR(FL_VAL) "\n"
	"	incq " G_STR(FL_CNT) "\n"
	"	cmpq $0, " G_STR(FL_STOP) "\n"
	"	je 1b\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_reader));
GUEST_CODE_DECLARE(g_reader);

/*
 * VP 0, per round (GUEST_SYNC 1 .. GUEST_SYNC 2): wait for VP 1 to read
 * twice more, store R9 to the PTE at R10, call the hypercall page (RBX
 * nonzero; RCX, RDX, R8 and, with TP_FLAG_XMM, XMM0-2 from TP_XMM_IN) or
 * not, keep RAX in RBP, wait for two more reads, and put the value VP 1
 * read last in R13.
 */
__asm__(GUEST_ASM_BEGIN(g_flusher)
	".code64\n"
	"1:	GUEST_SYNC 1\n"
	"	mov " G_STR(FL_CNT) ", %r12\n"
	"	add $2, %r12\n"
	"2:	cmp %r12, " G_STR(FL_CNT) "\n"
	"	jb 2b\n"
	"	mov %r9, (%r10)\n"
	"	xor %eax, %eax\n"
	"	test %ebx, %ebx\n"
	"	jz 3f\n"
	"	testl $" G_STR(TP_FLAG_XMM) ", " G_STR(TP_FLAGS) "\n"
	"	jz 4f\n"
	"	movdqu " G_STR(TP_XMM_IN) " + 0x00, %xmm0\n"
	"	movdqu " G_STR(TP_XMM_IN) " + 0x10, %xmm1\n"
	"	movdqu " G_STR(TP_XMM_IN) " + 0x20, %xmm2\n"
	"4:	call *" G_STR(TP_PAGE_PTR) "\n"
	"3:	mov %rax, %rbp\n"
	"	mov " G_STR(FL_CNT) ", %r12\n"
	"	add $2, %r12\n"
	"5:	cmp %r12, " G_STR(FL_CNT) "\n"
	"	jb 5b\n"
	"	mov " G_STR(FL_VAL) ", %r13\n"
	"	GUEST_SYNC 2\n"
	"	jmp 1b\n"
	GUEST_ASM_END(g_flusher));
GUEST_CODE_DECLARE(g_flusher);

#define FLUSHER_GPA	0x4000		/* after g_reader at LOAD_GPA */

struct fl {
	struct hv_vm *vm;
	struct hv_vp *vp0, *vp1;
	pthread_t reader;
	bool reader_running;
	char error[256];	/* the reader thread's failure, if any */
	uint64_t pte;		/* GPA of TEST_GVA's PTE */
	uint64_t cur;		/* the page it points at */
};

static uint64_t *fl_mem(struct fl *f, uint64_t gpa)
{
	return vm_gpa_to_hva(f->vm, gpa);
}

static uint64_t pte_gpa(struct hv_vm *vm, uint64_t gva)
{
	uint64_t table = PML4_GPA, e;
	int shift;

	for (shift = 39; shift > 12; shift -= 9) {
		e = ((uint64_t *)vm_gpa_to_hva(vm, table))[(gva >> shift) & 511];
		HV_ASSERT(e & PTE_P, "GVA %#llx not mapped",
			  (unsigned long long)gva);
		table = e & PTE_ADDR_MASK;
	}
	return table + ((gva >> 12) & 511) * 8;
}

static bool pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return !sched_setaffinity(0, sizeof(set), &set);
}

static void *reader_thread(void *arg)
{
	struct fl *f = arg;
	struct ucall uc;

	if (!pin(1)) {
		snprintf(f->error, sizeof(f->error), "cannot pin to CPU 1");
		return NULL;
	}
	if (__vp_run(f->vp1)) {
		snprintf(f->error, sizeof(f->error), "RUN: %s", strerror(errno));
		return NULL;
	}
	if (get_ucall(f->vp1, &uc) != UCALL_DONE)
		snprintf(f->error, sizeof(f->error),
			 "VP 1 stopped with %s (%s)", ucall_name(uc.type),
			 hv_msg_name(f->vp1->run->msg.header.message_type));
	return NULL;
}

/* Two VPs, VP 1 reading PAGE_A through TEST_GVA on CPU 1, VP 0 on CPU 0. */
static bool fl_setup(struct __test_metadata *_metadata, struct fl *f)
{
	int i;

	memset(f, 0, sizeof(*f));
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return false;
	f->vm = vm_create(GUEST_MEM_SIZE);
	f->vp0 = vm_add_vp(f->vm, 0);
	f->vp1 = vm_add_vp(f->vm, 1);
	vm_map_gva(f->vm, TEST_GVA, PAGE_A, PTE_RW);
	f->pte = pte_gpa(f->vm, TEST_GVA);
	f->cur = PAGE_A;
	for (i = 0; i < 512; i++) {
		fl_mem(f, PAGE_A)[i] = VALUE(PAGE_A);
		fl_mem(f, PAGE_B)[i] = VALUE(PAGE_B);
		fl_mem(f, PAGE_C)[i] = VALUE(PAGE_C);
	}
	*fl_mem(f, FL_CNT) = 0;
	*fl_mem(f, FL_STOP) = 0;

	vm_load(f->vm, LOAD_GPA, g_reader_start, g_reader_end);
	vm_load(f->vm, FLUSHER_GPA, g_flusher_start, g_flusher_end);
	*fl_mem(f, TP_PAGE_PTR) = HC_PAGE_GPA;
	vp_setup_mode(f->vp1, GUEST_MODE_LONG64, LOAD_GPA);
	vp_setup_mode(f->vp0, GUEST_MODE_LONG64, FLUSHER_GPA);
	vp_set_reg(f->vp0, HVPART_REG_CR4, X86_CR4_PAE | X86_CR4_OSFXSR |
		   X86_CR4_OSXMMEXCPT);
	vm_enable_hypercall_page(f->vp0);

	EXPECT_TRUE(pin(0));
	ASSERT_SYNC(f->vp0, 1);
	EXPECT_EQ(0, pthread_create(&f->reader, NULL, reader_thread, f));
	f->reader_running = true;
	/* VP 1 is reading (give it 10 s) */
	for (i = 0; i < 100000 && !f->error[0] &&
	     *(volatile uint64_t *)fl_mem(f, FL_CNT) < 10; i++)
		usleep(100);
	ASSERT_LE(10, *(volatile uint64_t *)fl_mem(f, FL_CNT)) {
		TH_LOG("VP 1 is not reading: %s", f->error);
	}
	EXPECT_EQ(VALUE(PAGE_A), *(volatile uint64_t *)fl_mem(f, FL_VAL));
	return true;
}

static void fl_teardown(struct __test_metadata *_metadata, struct fl *f)
{
	if (f->reader_running) {
		*(volatile uint64_t *)fl_mem(f, FL_STOP) = 1;
		pthread_join(f->reader, NULL);
		EXPECT_EQ(0, f->error[0]) {
			TH_LOG("reader: %s", f->error);
		}
	}
	vm_free(f->vm);
}

/* A page that is neither the PTE's target nor what VP 1 last read. */
static uint64_t fl_next_page(struct fl *f)
{
	static const uint64_t pages[] = { PAGE_A, PAGE_B, PAGE_C };
	uint64_t seen = *(volatile uint64_t *)fl_mem(f, FL_VAL);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pages); i++)
		if (pages[i] != f->cur && VALUE(pages[i]) != seen)
			return pages[i];
	return 0;
}

struct fl_call {
	bool call;		/* make the call (else only change the PTE) */
	uint64_t control, in, out;
	bool xmm;
	uint64_t xmm_in[6];
};

/*
 * One round: VP 0 points TEST_GVA at a new page and makes @c; returns
 * what VP 1 read two reads after the call returned, the old page's value
 * and the new one's in *@old and *@new, the call's result in *@result,
 * and the VM exits VP 1 took meanwhile in *@exits.
 */
static uint64_t fl_round(struct __test_metadata *_metadata, struct fl *f,
			 const struct fl_call *c, uint64_t *old, uint64_t *new,
			 uint64_t *result, uint64_t *exits)
{
	volatile __u64 *vp1_exits = &f->vp1->run->exits;
	uint64_t page = fl_next_page(f);
	struct hvpart_register regs[] = {
		hv_reg(HVPART_REG_R9, page | PTE_P | PTE_RW),
		hv_reg(HVPART_REG_R10, f->pte),
		hv_reg(HVPART_REG_RBX, c->call),
		hv_reg(HVPART_REG_RCX, c->control),
		hv_reg(HVPART_REG_RDX, c->in),
		hv_reg(HVPART_REG_R8, c->out),
	};
	struct hvpart_register out[] = {
		{ .name = HVPART_REG_RBP },
		{ .name = HVPART_REG_R13 },
	};
	uint64_t exits0;

	HV_ASSERT(page, "no page to switch to");
	*old = VALUE(f->cur);
	*new = VALUE(page);
	*(uint32_t *)fl_mem(f, TP_FLAGS) = c->xmm ? TP_FLAG_XMM : 0;
	memcpy(fl_mem(f, TP_XMM_IN), c->xmm_in, sizeof(c->xmm_in));
	vp_set_regs(f->vp0, regs, ARRAY_SIZE(regs));
	/*
	 * hvpart counts an exit before it enters again, and VP 1's reads
	 * that VP 0 reports follow that entry: a later read sees the count.
	 */
	exits0 = *vp1_exits;
	ASSERT_SYNC(f->vp0, 2);
	*exits = *vp1_exits - exits0;
	f->cur = page;
	vp_get_regs(f->vp0, out, ARRAY_SIZE(out));
	*result = out[0].value.reg64;
	ASSERT_SYNC(f->vp0, 1);
	return out[1].value.reg64;
}

/* A round with a flush of VP 1: VP 1 must see the new page. */
static void expect_flushed(struct __test_metadata *_metadata, struct fl *f,
			   const struct fl_call *c)
{
	uint64_t old, new, result, seen, exits;
	int i;

	/* a few rounds, each changing the page */
	for (i = 0; i < 3; i++) {
		seen = fl_round(_metadata, f, c, &old, &new, &result, &exits);
		EXPECT_EQ(HV_STATUS_SUCCESS, hv_result_status(result));
		EXPECT_EQ(new, seen) {
			TH_LOG("round %d: VP 1 read %#llx after the flush, new %#llx, old %#llx",
			       i, (unsigned long long)seen,
			       (unsigned long long)new,
			       (unsigned long long)old);
		}
	}
}

/*
 * Rounds without a flush of VP 1: VP 1 must keep the old translation.
 * That holds only while it stays in the guest: under QEMU's TCG any VM
 * entry flushes its TLB, and a host interrupt makes VP 1 exit.  So a
 * round counts only if VP 1 took no VM exit during it, and in every round
 * that counts VP 1 must read the old page.  Each round is followed by a
 * flush of all VPs, so that the next starts from a known translation.
 * Rounds go on until 2 have counted (at most 24: a host tick now and then
 * lands in a round).
 */
static void expect_stale(struct __test_metadata *_metadata, struct fl *f,
			 const struct fl_call *c)
{
	struct fl_call all = {
		.call = true,
		.control = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
		.in = HC_IN_GPA,
	};
	uint64_t old, new, result, seen, exits;
	int i, counted = 0, stale = 0;

	*fl_mem(f, HC_IN_GPA) = 0;
	fl_mem(f, HC_IN_GPA)[1] = HV_FLUSH_ALL_PROCESSORS |
				  HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES;
	fl_mem(f, HC_IN_GPA)[2] = 0;
	for (i = 0; i < 24 && counted < 2; i++) {
		seen = fl_round(_metadata, f, c, &old, &new, &result, &exits);
		EXPECT_EQ(HV_STATUS_SUCCESS, hv_result_status(result));
		EXPECT_TRUE(seen == old || seen == new);
		if (seen == old)
			stale++;
		if (!exits) {
			counted++;
			EXPECT_EQ(old, seen) {
				TH_LOG("round %d: VP 1 stayed in the guest but read the new page",
				       i);
			}
		}
		fl_round(_metadata, f, &all, &old, &new, &result, &exits);
	}
	TH_LOG("%d rounds, %d without an exit of VP 1, %d stale", i, counted,
	       stale);
	/*
	 * A CPU that keeps translations across VM entries always counts
	 * rounds; one that flushes on entry (QEMU's TCG) counts none when
	 * its vCPUs take turns (single-threaded TCG): nothing to observe.
	 */
	if (!counted)
		SKIP(return, "VP 1 exited in every round (TLB flushed on VM entry)");
}

#define FL_TEST(name)							\
static void fl_body_##name(struct __test_metadata *_metadata,		\
			   struct fl *f);				\
TEST(name)								\
{									\
	struct fl f;							\
									\
	if (!hvpart_present())						\
		SKIP(return, HV_SKIP_REASON);				\
	if (!fl_setup(_metadata, &f))					\
		SKIP(return, "one CPU: the VPs cannot run side by side");\
	fl_body_##name(_metadata, &f);					\
	fl_teardown(_metadata, &f);					\
}									\
static void fl_body_##name(struct __test_metadata *_metadata,		\
			   struct fl *f)

/* HV_INPUT_FLUSH_VIRTUAL_ADDRESS_SPACE/_LIST at HC_IN_GPA. */
static void put_flush(struct fl *f, uint64_t flags, uint64_t mask, int gvas)
{
	uint64_t *in = fl_mem(f, HC_IN_GPA);
	int i;

	in[0] = PML4_GPA;		/* the address space: CR3 */
	in[1] = flags;
	in[2] = mask;
	for (i = 0; i < gvas; i++)
		in[3 + i] = TEST_GVA + i * PAGE_SIZE;
}

/* HV_INPUT_FLUSH_VIRTUAL_ADDRESS_SPACE_EX/_LIST_EX: sparse or ALL. */
static int put_flush_ex(struct fl *f, uint64_t flags, bool all,
			uint64_t bank0, int gvas)
{
	uint64_t *in = fl_mem(f, HC_IN_GPA);
	int n = 0, i;

	in[n++] = PML4_GPA;
	in[n++] = flags;
	in[n++] = all ? HV_GENERIC_SET_ALL : HV_GENERIC_SET_SPARSE_4K;
	in[n++] = all ? 0 : 1;		/* valid banks */
	if (!all)
		in[n++] = bank0;
	for (i = 0; i < gvas; i++)
		in[n++] = TEST_GVA + i * PAGE_SIZE;
	return all ? 0 : 1;		/* variable header qwords */
}

FL_TEST(flush_space_mask)
{
	struct fl_call c = {
		.call = true,
		.control = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
		.in = HC_IN_GPA,
	};

	put_flush(f, 0, 1 << 1, 0);
	expect_flushed(_metadata, f, &c);
}

FL_TEST(flush_space_all_processors)
{
	struct fl_call c = {
		.call = true,
		.control = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
		.in = HC_IN_GPA,
	};

	put_flush(f, HV_FLUSH_ALL_PROCESSORS |
		  HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, 0, 0);
	expect_flushed(_metadata, f, &c);
}

FL_TEST(flush_list)
{
	struct fl_call c = {
		.call = true,
		.control = hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 1, 0),
		.in = HC_IN_GPA,
	};

	put_flush(f, 0, 1 << 1, 1);
	expect_flushed(_metadata, f, &c);
}

FL_TEST(flush_space_ex_sparse)
{
	struct fl_call c = {
		.call = true,
		.control = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX,
		.in = HC_IN_GPA,
	};

	c.control |= VARHEAD(put_flush_ex(f, 0, false, 1 << 1, 0));
	expect_flushed(_metadata, f, &c);
}

FL_TEST(flush_space_ex_all)
{
	struct fl_call c = {
		.call = true,
		.control = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX,
		.in = HC_IN_GPA,
	};

	c.control |= VARHEAD(put_flush_ex(f, HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES,
					  true, 0, 0));
	expect_flushed(_metadata, f, &c);
}

FL_TEST(flush_list_ex_sparse)
{
	struct fl_call c = {
		.call = true,
		.control = hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 1, 0),
		.in = HC_IN_GPA,
	};

	c.control |= VARHEAD(put_flush_ex(f, 0, false, 1 << 1, 1));
	expect_flushed(_metadata, f, &c);
}

FL_TEST(flush_list_ex_all)
{
	struct fl_call c = {
		.call = true,
		.control = hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 1, 0),
		.in = HC_IN_GPA,
	};

	c.control |= VARHEAD(put_flush_ex(f, 0, true, 0, 1));
	expect_flushed(_metadata, f, &c);
}

/* The Ex form with XMM fast input: a 40-byte header with one bank. */
FL_TEST(flush_space_ex_xmm_fast)
{
	struct fl_call c = {
		.call = true,
		.control = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX | FAST |
			   VARHEAD(1),
		.in = PML4_GPA,				/* RDX: address space */
		.out = 0,				/* R8: flags */
		.xmm = true,
		.xmm_in = { HV_GENERIC_SET_SPARSE_4K, 1, 1 << 1, 0 },
	};

	expect_flushed(_metadata, f, &c);
}

/* The controls: no call at all, and a flush of VP 0 alone. */
FL_TEST(no_flush_stays_stale)
{
	struct fl_call c = { .call = false };

	expect_stale(_metadata, f, &c);
}

FL_TEST(flush_of_other_vp_stays_stale)
{
	struct fl_call c = {
		.call = true,
		.control = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
		.in = HC_IN_GPA + 0x800,
	};
	uint64_t *in = fl_mem(f, HC_IN_GPA + 0x800);

	in[0] = PML4_GPA;
	in[1] = HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES;
	in[2] = 1 << 0;		/* VP 0 only */
	expect_stale(_metadata, f, &c);
}

/* ---- error paths (one VP, the probe) -------------------------------- */

FIXTURE(err) {
	struct hv_vm *vm;
	struct hv_vp *vp;
};

FIXTURE_SETUP(err)
{
	HV_SETUP_REQUIRE_DEV();
	self->vm = vm_create(GUEST_MEM_SIZE);
	self->vp = vm_add_vp(self->vm, 0);
	tp_load(self->vp, GUEST_MODE_LONG64);
	vm_enable_hypercall_page(self->vp);
}

FIXTURE_TEARDOWN(err)
{
	vm_free(self->vm);
}

static uint16_t flush_status(struct hv_vm *vm, struct hv_vp *vp,
			     uint64_t control, const uint64_t *in, int n)
{
	struct tp t = { 0 };
	uint64_t r;

	memcpy(vm_gpa_to_hva(vm, HC_IN_GPA), in, n * sizeof(*in));
	r = tp_hcall(vp, control, HC_IN_GPA, 0, &t);
	HV_ASSERT(!t.vector, "flush call raised vector %d", t.vector);
	return hv_result_status(r);
}

#define LIST(code)	hv_control(code, 1, 0)

/* Valid input, for reference: each call succeeds as written. */
TEST_F(err, valid_calls)
{
	const uint64_t sp[] = { 0, 0, 1 };
	const uint64_t sp_ex[] = { 0, 0, HV_GENERIC_SET_SPARSE_4K, 1, 1,
				   TEST_GVA };

	EXPECT_EQ(HV_STATUS_SUCCESS,
		  flush_status(self->vm, self->vp,
			       HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, sp, 3));
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  flush_status(self->vm, self->vp,
			       LIST(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST),
			       (const uint64_t []){ 0, 0, 1, TEST_GVA }, 4));
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  flush_status(self->vm, self->vp,
			       HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX |
			       VARHEAD(1), sp_ex, 5));
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  flush_status(self->vm, self->vp,
			       LIST(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX) |
			       VARHEAD(1), sp_ex, 6));
	/* NON_GLOBAL_MAPPINGS_ONLY is a flag of the Space calls */
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  flush_status(self->vm, self->vp,
			       HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
			       (const uint64_t []){ 0,
			       HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY, 1 }, 3));
}

/*
 * "Invalid GVAs (those that specify addresses beyond the end of the
 * partition's GVA space) are ignored": non-canonical ones, and a range of
 * 4096 pages at the top.
 */
TEST_F(err, list_invalid_gvas_ignored)
{
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  flush_status(self->vm, self->vp,
			       hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 3, 0),
			       (const uint64_t []){ 0, 0, 1,
			       0x0000800000000000ULL, 0x8000000000000000ULL,
			       0xfffffffffffff000ULL | 0xfff }, 6));
}

/* "it is valid state for the corresponding element ... to be all 0s" */
TEST_F(err, sparse_set_empty_bank)
{
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  flush_status(self->vm, self->vp,
			       HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX |
			       VARHEAD(1), (const uint64_t []){ 0, 0,
			       HV_GENERIC_SET_SPARSE_4K, 1, 0 }, 5));
}

/* "All other flags are reserved and must be set to zero." */
TEST_F(err, space_reserved_flag)
{
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  flush_status(self->vm, self->vp,
			       HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
			       (const uint64_t []){ 0, 1 << 4, 1 }, 3));
}

/* Bit 3 too: none of the three flags the TLFS defines for these calls. */
TEST_F(err, space_flag_bit_3)
{
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  flush_status(self->vm, self->vp,
			       HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
			       (const uint64_t []){ 0, 1 << 3, 1 }, 3));
}

TEST_F(err, list_reserved_flag)
{
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  flush_status(self->vm, self->vp,
			       LIST(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST),
			       (const uint64_t []){ 0, 1ULL << 63, 1,
			       TEST_GVA }, 4));
}

/*
 * HvCallFlushVirtualAddressList: "HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY does
 * not make sense for this call and is treated as an invalid option."
 */
TEST_F(err, list_non_global_only)
{
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  flush_status(self->vm, self->vp,
			       LIST(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST),
			       (const uint64_t []){ 0,
			       HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY, 1,
			       TEST_GVA }, 4));
}

/*
 * Bit 3 selects extended GVA ranges in the list calls, a feature the
 * partition is not offered (CPUID 0x40000003 EDX bit 14 clear).
 */
TEST_F(err, list_extended_ranges_not_offered)
{
	ASSERT_EQ(0, vm_get_property(self->vm, HVPART_PROP_FEATURES) &
		  (1U << 14));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  flush_status(self->vm, self->vp,
			       LIST(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST),
			       (const uint64_t []){ 0, 1 << 3, 1,
			       TEST_GVA }, 4));
}

TEST_F(err, space_ex_reserved_flag)
{
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  flush_status(self->vm, self->vp,
			       HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX |
			       VARHEAD(1), (const uint64_t []){ 0, 1 << 4,
			       HV_GENERIC_SET_SPARSE_4K, 1, 1 }, 5));
}

TEST_F(err, list_ex_reserved_flag)
{
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  flush_status(self->vm, self->vp,
			       LIST(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX) |
			       VARHEAD(1), (const uint64_t []){ 0, 1 << 4,
			       HV_GENERIC_SET_SPARSE_4K, 1, 1, TEST_GVA }, 6));
}

TEST_F(err, list_ex_non_global_only)
{
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  flush_status(self->vm, self->vp,
			       LIST(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX) |
			       VARHEAD(1), (const uint64_t []){ 0,
			       HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY,
			       HV_GENERIC_SET_SPARSE_4K, 1, 1, TEST_GVA }, 6));
}

/* HV_VP_SET formats are 0 (sparse) and 1 (all). */
TEST_F(err, space_ex_invalid_set_format)
{
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  flush_status(self->vm, self->vp,
			       HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX |
			       VARHEAD(1), (const uint64_t []){ 0, 0, 2, 1, 1 },
			       5));
}

TEST_F(err, list_ex_invalid_set_format)
{
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  flush_status(self->vm, self->vp,
			       LIST(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX) |
			       VARHEAD(1), (const uint64_t []){ 0, 0, 2, 1, 1,
			       TEST_GVA }, 6));
}

TEST_HARNESS_MAIN
