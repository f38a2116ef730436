// SPDX-License-Identifier: GPL-2.0
/*
 * hyperv_synic: the TLFS SynIC of LOCAL_APIC partitions.  Through the
 * TLFS probe: each SynIC MSR's reset value, read-back, RsvdP bits and #GP
 * cases (SVERSION writes, vectors below 16, missing privileges, no local
 * APIC), the privileges in CPUID, the SIM page as a writable overlay, and
 * the root's view by TLFS register names.  Through guests that take the
 * interrupts: messages delivered in order with MessagePending and EOM,
 * redelivery on EOI alone, AutoEOI (the vector never in service),
 * event flags, and the root's SINT_ONLY signal (an interrupt, no flag).
 * The SIM and SIEF pages through the VP fd's mmap(): the root reads what
 * was delivered and writes what the guest then reads, saves a VP's
 * SynIC and restores it into another partition, and the bad mappings.
 */
#include "kselftest_harness.h"
#include "hyperv_util.h"

#define APIC		0xfee00000
#define SIMP_GPA	0x40000
#define SIEFP_GPA	0x41000
#define V_MSG		0x50
#define V_EVT		0x60
#define COUNT_GPA	(DATA_GPA)		/* handlers count here */
#define WANT_GPA	(DATA_GPA + 4)		/* ... until this many */
#define SKIP_EOM_GPA	(DATA_GPA + 8)		/* 1: never write EOM */
#define NO_EOI_GPA	(DATA_GPA + 12)		/* 1: never write EOI */
#define SINT2_GPA	(DATA_GPA + 16)		/* SINT2's value */
#define SLOT2		(SIMP_GPA + 2 * 256)
#define FLAGS3		(SIEFP_GPA + 3 * 256)

FIXTURE(synic) {
	struct hv_vm *vm;
	struct hv_vp *vp;
};

FIXTURE_SETUP(synic)
{
	HV_SETUP_REQUIRE_DEV();
	if (!hvpart_has_cap(HVPART_CAP_SYNIC))
		HV_SETUP_SKIP("no HVPART_CAP_SYNIC");
	self->vm = vm_create_flags(GUEST_MEM_SIZE,
				   HVPART_CREATE_PARTITION_LOCAL_APIC);
	self->vp = vm_add_vp(self->vm, 0);
	tp_load(self->vp, GUEST_MODE_LONG64);
}

FIXTURE_TEARDOWN(synic)
{
	vm_free(self->vm);
}

static uint64_t rd(struct __test_metadata *_metadata, struct hv_vp *vp,
		   uint32_t msr)
{
	uint64_t v = 0;

	EXPECT_EQ(0, tp_rdmsr(vp, msr, &v)) {
		TH_LOG("RDMSR %#x faulted", msr);
	}
	return v;
}

#define RD(msr)		rd(_metadata, self->vp, msr)
#define WR_OK(msr, v)	EXPECT_EQ(0, tp_wrmsr(self->vp, msr, v))
#define WR_GP(msr, v)	EXPECT_EQ(GP_VECTOR, tp_wrmsr(self->vp, msr, v))

static int set_reg(struct hv_vp *vp, uint32_t name, uint64_t val)
{
	struct hvpart_register r = hv_reg(name, val);
	struct hvpart_vp_registers vr = { .count = 1,
					  .regs_ptr = (uintptr_t)&r };

	return ioctl(vp->fd, HVPART_SET_VP_REGISTERS, &vr);
}

static int get_reg(struct hv_vp *vp, uint32_t name, uint64_t *val)
{
	struct hvpart_register r = { .name = name };
	struct hvpart_vp_registers vr = { .count = 1,
					  .regs_ptr = (uintptr_t)&r };
	int ret = ioctl(vp->fd, HVPART_GET_VP_REGISTERS, &vr);

	*val = r.value.reg64;
	return ret;
}

/* Reset values (TLFS): all zero, SVERSION 1, every SINT masked. */
TEST_F(synic, msr_reset_values)
{
	int i;

	EXPECT_EQ(0, RD(HV_X64_MSR_SCONTROL));
	EXPECT_EQ(1, RD(HV_X64_MSR_SVERSION));
	EXPECT_EQ(0, RD(HV_X64_MSR_SIEFP));
	EXPECT_EQ(0, RD(HV_X64_MSR_SIMP));
	EXPECT_EQ(0, RD(HV_X64_MSR_EOM));
	for (i = 0; i < 16; i++)
		EXPECT_EQ(HV_SYNIC_SINT_MASKED, RD(HV_X64_MSR_SINT0 + i));
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, RD(HV_X64_MSR_STIMER0_CONFIG + i));
}

/* AccessSynicRegs, AccessSyntheticTimerRegs, PostMessages, SignalEvents. */
TEST_F(synic, cpuid_privileges)
{
	uint32_t r[4];

	tp_cpuid(self->vp, HYPERV_CPUID_FEATURES, r);
	EXPECT_TRUE(r[0] & HV_MSR_SYNIC_AVAILABLE);
	EXPECT_TRUE(r[0] & HV_MSR_SYNTIMER_AVAILABLE);
	EXPECT_TRUE(r[1] & (HV_POST_MESSAGES >> 32));
	EXPECT_TRUE(r[1] & (HV_SIGNAL_EVENTS >> 32));
	EXPECT_TRUE(r[3] & HV_STIMER_DIRECT_MODE_AVAILABLE);
}

TEST_F(synic, msr_rw_and_rsvdp)
{
	/* SCONTROL: bit 0; RsvdP 63:1 keep their (zero) value */
	WR_OK(HV_X64_MSR_SCONTROL, 0xff);
	EXPECT_EQ(1, RD(HV_X64_MSR_SCONTROL));
	WR_OK(HV_X64_MSR_SCONTROL, 0);
	EXPECT_EQ(0, RD(HV_X64_MSR_SCONTROL));
	/* SIMP, SIEFP: GPA and enable; RsvdP 11:1 */
	WR_OK(HV_X64_MSR_SIMP, SIMP_GPA | 0xffe | 1);
	EXPECT_EQ(SIMP_GPA | 1, RD(HV_X64_MSR_SIMP));
	WR_OK(HV_X64_MSR_SIEFP, SIEFP_GPA | 0x7fe);
	EXPECT_EQ(SIEFP_GPA, RD(HV_X64_MSR_SIEFP));
	/* SINT: vector, masked, AutoEOI, polling; RsvdP 63:19, 15:8 */
	WR_OK(HV_X64_MSR_SINT0 + 5, 0x7f | HV_SYNIC_SINT_AUTO_EOI |
	      HV_SYNIC_SINT_POLLING | 0xff00 | (1ULL << 40));
	EXPECT_EQ(0x7f | HV_SYNIC_SINT_AUTO_EOI | HV_SYNIC_SINT_POLLING,
		  RD(HV_X64_MSR_SINT0 + 5));
	/* EOM is write-only and reads 0 */
	WR_OK(HV_X64_MSR_EOM, 0);
	EXPECT_EQ(0, RD(HV_X64_MSR_EOM));
}

TEST_F(synic, msr_gp)
{
	uint64_t mask;

	/* SVERSION is read-only */
	WR_GP(HV_X64_MSR_SVERSION, 1);
	/* vectors 0-15 in an unmasked SINT; masked, vector 0 is the reset value */
	WR_GP(HV_X64_MSR_SINT0, 15);
	WR_GP(HV_X64_MSR_SINT0 + 15, 0 | HV_SYNIC_SINT_POLLING);
	EXPECT_EQ(HV_SYNIC_SINT_MASKED, RD(HV_X64_MSR_SINT0));
	WR_OK(HV_X64_MSR_SINT0, HV_SYNIC_SINT_MASKED);
	WR_OK(HV_X64_MSR_SINT0, 16);
	/* a page beyond the guest physical address width */
	WR_GP(HV_X64_MSR_SIMP, (1ULL << hv_max_gpa_bits(self->vm)) | 1);
	/* MSRs of the range that do not exist */
	WR_GP(0x40000085, 0);
	WR_GP(0x400000A0, 0);
	WR_GP(0x400000B8, 0);

	/* without AccessSynicRegs: the SynIC MSRs, not the timers */
	mask = vm_get_property(self->vm, HVPART_PROP_PRIVILEGE_MASK);
	vm_set_property(self->vm, HVPART_PROP_PRIVILEGE_MASK,
			mask & ~HV_MSR_SYNIC_AVAILABLE);
	EXPECT_EQ(GP_VECTOR, tp_rdmsr(self->vp, HV_X64_MSR_SCONTROL, &mask));
	WR_GP(HV_X64_MSR_SCONTROL, 1);
	WR_GP(HV_X64_MSR_SINT0, 0x40);
	WR_GP(HV_X64_MSR_EOM, 0);
	EXPECT_EQ(0, RD(HV_X64_MSR_STIMER0_CONFIG));
	vm_set_property(self->vm, HVPART_PROP_PRIVILEGE_MASK,
			HV_MSR_SYNIC_AVAILABLE);
	EXPECT_EQ(GP_VECTOR, tp_rdmsr(self->vp, HV_X64_MSR_STIMER0_COUNT,
				      &mask));
	WR_GP(HV_X64_MSR_STIMER0_CONFIG, 0);
	EXPECT_EQ(1, RD(HV_X64_MSR_SVERSION));
}

/* Without HVPART_CREATE_PARTITION_LOCAL_APIC: none of it. */
TEST(synic_without_local_apic)
{
	struct hv_vm *vm;
	struct hv_vp *vp;
	uint64_t v;
	uint32_t r[4];

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	vm = vm_create(GUEST_MEM_SIZE);
	vp = vm_add_vp(vm, 0);
	tp_load(vp, GUEST_MODE_LONG64);
	tp_cpuid(vp, HYPERV_CPUID_FEATURES, r);
	EXPECT_FALSE(r[0] & (HV_MSR_SYNIC_AVAILABLE |
			     HV_MSR_SYNTIMER_AVAILABLE));
	EXPECT_FALSE(r[1] & ((HV_POST_MESSAGES | HV_SIGNAL_EVENTS) >> 32));
	EXPECT_FALSE(r[3] & HV_STIMER_DIRECT_MODE_AVAILABLE);
	EXPECT_EQ(GP_VECTOR, tp_rdmsr(vp, HV_X64_MSR_SCONTROL, &v));
	EXPECT_EQ(GP_VECTOR, tp_rdmsr(vp, HV_X64_MSR_SVERSION, &v));
	EXPECT_EQ(GP_VECTOR, tp_wrmsr(vp, HV_X64_MSR_SIMP, 0));
	EXPECT_EQ(GP_VECTOR, tp_wrmsr(vp, HV_X64_MSR_STIMER0_CONFIG, 0));
	EXPECT_EQ(-1, get_reg(vp, HVPART_REG_SCONTROL, &v));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_reg(vp, HVPART_REG_SINT0, HV_SYNIC_SINT_MASKED));
	EXPECT_EQ(EINVAL, errno);
	/* and the root cannot grant them */
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_SET_PARTITION_PROPERTY,
			    &(struct hvpart_partition_property){
				.code = HVPART_PROP_PRIVILEGE_MASK,
				.value = HV_MSR_SYNIC_AVAILABLE }));
	EXPECT_EQ(EINVAL, errno);
	vm_free(vm);
}

/* The root's view: the same state by TLFS register names. */
TEST_F(synic, root_registers)
{
	uint64_t v;

	ASSERT_EQ(0, set_reg(self->vp, HVPART_REG_SINT0 + 3, 0x45));
	EXPECT_EQ(0x45, RD(HV_X64_MSR_SINT0 + 3));
	WR_OK(HV_X64_MSR_SCONTROL, 1);
	ASSERT_EQ(0, get_reg(self->vp, HVPART_REG_SCONTROL, &v));
	EXPECT_EQ(1, v);
	ASSERT_EQ(0, get_reg(self->vp, HVPART_REG_SVERSION, &v));
	EXPECT_EQ(1, v);
	EXPECT_EQ(-1, set_reg(self->vp, HVPART_REG_SVERSION, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_reg(self->vp, HVPART_REG_SINT0, 3));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, set_reg(self->vp, HVPART_REG_SIMP, SIMP_GPA | 1));
	EXPECT_EQ(SIMP_GPA | 1, RD(HV_X64_MSR_SIMP));
	ASSERT_EQ(0, set_reg(self->vp, HVPART_REG_SIEFP, SIEFP_GPA | 1));
	ASSERT_EQ(0, get_reg(self->vp, HVPART_REG_SIEFP, &v));
	EXPECT_EQ(SIEFP_GPA | 1, v);
	ASSERT_EQ(0, set_reg(self->vp, HVPART_REG_EOM, 0));
	ASSERT_EQ(0, set_reg(self->vp, HVPART_REG_STIMER0_CONFIG + 2,
			     HV_STIMER_SINT(2) | HV_STIMER_LAZY));
	EXPECT_EQ(HV_STIMER_SINT(2) | HV_STIMER_LAZY,
		  RD(HV_X64_MSR_STIMER0_CONFIG + 2));
	ASSERT_EQ(0, get_reg(self->vp, HVPART_REG_STIMER3_COUNT, &v));
	EXPECT_EQ(0, v);
}

/*
 * The SIM page is an overlay: zero at first, whatever RAM lies beneath;
 * the guest writes it like RAM; disabling it shows the RAM again, and
 * enabling it again shows the same page.
 */
TEST_F(synic, sim_page_overlay)
{
	struct hvpart_post_message pm = { .sint = 2, .message_type = 9,
					  .payload_size = 8 };

	memset(vm_gpa_to_hva(self->vm, SIMP_GPA), 0xa5, 4096);
	WR_OK(HV_X64_MSR_SIMP, SIMP_GPA | 1);
	EXPECT_EQ(0, tp_read(self->vp, SLOT2));
	WR_OK(HV_X64_MSR_SCONTROL, 1);
	pm.payload[0] = 0x77;
	ASSERT_EQ(0, ioctl(self->vm->fd, HVPART_POST_MESSAGE, &pm));
	EXPECT_EQ(9, (uint32_t)tp_read(self->vp, SLOT2));
	EXPECT_EQ(0x77, tp_read(self->vp, SLOT2 + 16));
	EXPECT_EQ(0, tp_write8(self->vp, SLOT2 + 100, 0x33));
	EXPECT_EQ(0x33, tp_read(self->vp, SLOT2 + 100) & 0xff);
	/* RAM beneath is untouched */
	EXPECT_EQ(0xa5, *(uint8_t *)vm_gpa_to_hva(self->vm, SLOT2 + 100));
	WR_OK(HV_X64_MSR_SIMP, SIMP_GPA);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, tp_read(self->vp, SLOT2));
	WR_OK(HV_X64_MSR_SIMP, SIMP_GPA | 1);
	EXPECT_EQ(9, (uint32_t)tp_read(self->vp, SLOT2));
}

/* ---- the SIM and SIEF pages through the VP fd ------------------------- */

#define SIM_PGOFF	HVPART_VP_MMAP_SIM_PGOFF
#define SIEF_PGOFF	HVPART_VP_MMAP_SIEF_PGOFF
#define V_POLL		(0x60 | HV_SYNIC_SINT_POLLING)	/* flags, no IRQ */

static void *map_pages(struct hv_vp *vp, off_t pgoff, size_t pages,
		       int flags)
{
	return mmap(NULL, pages * PAGE_SIZE, PROT_READ | PROT_WRITE, flags,
		    vp->fd, pgoff * PAGE_SIZE);
}

static struct hvpart_message *map_sim(struct __test_metadata *_metadata,
				      struct hv_vp *vp)
{
	void *p = map_pages(vp, SIM_PGOFF, 1, MAP_SHARED);

	EXPECT_NE(MAP_FAILED, p);
	return p == MAP_FAILED ? NULL : p;
}

static uint8_t *map_sief(struct __test_metadata *_metadata, struct hv_vp *vp)
{
	void *p = map_pages(vp, SIEF_PGOFF, 1, MAP_SHARED);

	EXPECT_NE(MAP_FAILED, p);
	return p == MAP_FAILED ? NULL : p;
}

/* The guest's own set-up: SIM and SIEF pages on, SINT3 polled, SynIC on. */
static void guest_synic_on(struct __test_metadata *_metadata,
			   struct hv_vp *vp)
{
	EXPECT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SIMP, SIMP_GPA | 1));
	EXPECT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SIEFP, SIEFP_GPA | 1));
	EXPECT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SINT0 + 3, V_POLL));
	EXPECT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SCONTROL, 1));
}

/* A message into SINT2 (type 9) and event flag 77 of SINT3, by the root. */
static void root_deliver(struct __test_metadata *_metadata, struct hv_vm *vm)
{
	struct hvpart_post_message pm = { .sint = 2, .message_type = 9,
					  .payload_size = 24 };
	struct hvpart_signal_event se = { .sint = 3, .flag_number = 77 };
	int i;

	for (i = 0; i < 24; i++)
		pm.payload[i] = 0xc0 + i;
	ASSERT_EQ(0, ioctl(vm->fd, HVPART_POST_MESSAGE, &pm));
	ASSERT_EQ(0, ioctl(vm->fd, HVPART_SIGNAL_EVENT, &se));
}

/* Flag 77 of SINT3: bit 5 of byte 3 * 256 + 9 (TLFS SIEF layout). */
#define FLAG77_BYTE	(3 * 256 + 77 / 8)
#define FLAG77_BIT	(1 << (77 % 8))

/* (1) What the root posts, it reads back in the SIM page at SINT2's slot. */
TEST_F(synic, root_reads_sim_and_sief)
{
	struct hvpart_message *sim = map_sim(_metadata, self->vp);
	uint8_t *sief = map_sief(_metadata, self->vp);
	uint8_t *p;
	int i;

	ASSERT_TRUE(sim && sief);
	guest_synic_on(_metadata, self->vp);
	root_deliver(_metadata, self->vm);
	EXPECT_EQ(9, sim[2].header.message_type);
	EXPECT_EQ(24, sim[2].header.payload_size);
	EXPECT_EQ(0, sim[2].header.message_flags);
	p = (uint8_t *)sim[2].u.payload;
	for (i = 0; i < 24; i++)
		EXPECT_EQ(0xc0 + i, p[i]);
	/* no other slot, and no other flag */
	for (i = 0; i < 16; i++) {
		if (i != 2)
			EXPECT_EQ(0, sim[i].header.message_type);
	}
	for (i = 0; i < (int)PAGE_SIZE; i++) {
		if (sief[i] != (i == FLAG77_BYTE ? FLAG77_BIT : 0))
			break;
	}
	EXPECT_EQ(PAGE_SIZE, i) {
		TH_LOG("SIEF byte %d is %#x", i, sief[i]);
	}
	/* the guest sees the same bytes at its GPAs */
	EXPECT_EQ(*(uint64_t *)&sim[2], tp_read(self->vp, SLOT2));
	EXPECT_EQ(0xc7c6c5c4c3c2c1c0ULL, tp_read(self->vp, SLOT2 + 16));
	EXPECT_EQ((uint64_t)FLAG77_BIT << 8,
		  tp_read(self->vp, SIEFP_GPA + (FLAG77_BYTE & ~7)));
	munmap(sim, PAGE_SIZE);
	munmap(sief, PAGE_SIZE);
}

/*
 * (2) What the root writes, the guest reads at its SIMP and SIEFP GPAs,
 * and back: written while the pages are disabled, too (they keep their
 * contents; the RAM beneath is another page).
 */
TEST_F(synic, root_writes_guest_reads)
{
	struct hvpart_message *sim = map_sim(_metadata, self->vp);
	uint8_t *sief = map_sief(_metadata, self->vp);

	ASSERT_TRUE(sim && sief);
	memset(vm_gpa_to_hva(self->vm, SIMP_GPA), 0xa5, PAGE_SIZE);
	sim[2].header.sender = 0x1122334455667788ULL;
	sim[2].u.payload[0] = 0x0123456789abcdefULL;
	sim[2].header.payload_size = 8;
	sim[2].header.message_type = 0x42;
	sief[FLAG77_BYTE] = FLAG77_BIT;
	/* disabled: the guest reads the RAM beneath */
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, tp_read(self->vp, SLOT2));
	guest_synic_on(_metadata, self->vp);
	EXPECT_EQ(0x800000042ULL, tp_read(self->vp, SLOT2));
	EXPECT_EQ(0x1122334455667788ULL, tp_read(self->vp, SLOT2 + 8));
	EXPECT_EQ(0x0123456789abcdefULL, tp_read(self->vp, SLOT2 + 16));
	EXPECT_EQ((uint64_t)FLAG77_BIT << 8,
		  tp_read(self->vp, SIEFP_GPA + (FLAG77_BYTE & ~7)));
	/* a change while it is mapped shows at once */
	sim[2].u.payload[0] = 7;
	EXPECT_EQ(7, tp_read(self->vp, SLOT2 + 16));
	/* the guest's writes reach the root's mapping */
	EXPECT_EQ(0, tp_write8(self->vp, SLOT2 + 100, 0x33));
	EXPECT_EQ(0x33, ((uint8_t *)&sim[2])[100]);
	/* the guest frees the slot and the next message lands there */
	EXPECT_EQ(0, tp_write8(self->vp, SLOT2, 0));
	root_deliver(_metadata, self->vm);
	EXPECT_EQ(9, (uint32_t)tp_read(self->vp, SLOT2));
	munmap(sim, PAGE_SIZE);
	munmap(sief, PAGE_SIZE);
}

static const uint32_t synic_regs[] = {
	HVPART_REG_SCONTROL, HVPART_REG_SIMP, HVPART_REG_SIEFP,
	HVPART_REG_SINT0 + 0, HVPART_REG_SINT0 + 1, HVPART_REG_SINT0 + 2,
	HVPART_REG_SINT0 + 3, HVPART_REG_SINT0 + 4, HVPART_REG_SINT0 + 5,
	HVPART_REG_SINT0 + 6, HVPART_REG_SINT0 + 7, HVPART_REG_SINT0 + 8,
	HVPART_REG_SINT0 + 9, HVPART_REG_SINT0 + 10, HVPART_REG_SINT0 + 11,
	HVPART_REG_SINT0 + 12, HVPART_REG_SINT0 + 13, HVPART_REG_SINT0 + 14,
	HVPART_REG_SINT0 + 15,
};

#define NR_SYNIC_REGS	ARRAY_SIZE(synic_regs)

/* A VP's SynIC as the root saves it. */
struct synic_state {
	struct hvpart_register regs[NR_SYNIC_REGS];
	uint8_t sim[PAGE_SIZE];
	uint8_t sief[PAGE_SIZE];
};

/* Registers first, the pages last; the VP is stopped. */
static void synic_save(struct __test_metadata *_metadata, struct hv_vp *vp,
		       struct synic_state *st)
{
	void *sim = map_sim(_metadata, vp), *sief = map_sief(_metadata, vp);
	size_t i;

	ASSERT_TRUE(sim && sief);
	for (i = 0; i < NR_SYNIC_REGS; i++)
		st->regs[i] = hv_reg(synic_regs[i], 0);
	vp_get_regs(vp, st->regs, NR_SYNIC_REGS);
	memcpy(st->sim, sim, PAGE_SIZE);
	memcpy(st->sief, sief, PAGE_SIZE);
	munmap(sim, PAGE_SIZE);
	munmap(sief, PAGE_SIZE);
}

/* Registers, then the pages (no timers here, no SINT to raise). */
static void synic_restore(struct __test_metadata *_metadata,
			  struct hv_vp *vp, struct synic_state *st)
{
	void *sim = map_sim(_metadata, vp), *sief = map_sief(_metadata, vp);

	ASSERT_TRUE(sim && sief);
	vp_set_regs(vp, st->regs, NR_SYNIC_REGS);
	memcpy(sim, st->sim, PAGE_SIZE);
	memcpy(sief, st->sief, PAGE_SIZE);
	munmap(sim, PAGE_SIZE);
	munmap(sief, PAGE_SIZE);
}

/*
 * (3) Save and restore: A's guest gets a message and an event flag; the
 * root saves A's SynIC and restores it into a new partition B, whose
 * guest finds the same registers, message and flag, and whose slot is
 * busy as far as hvpart is concerned: the next message waits for EOM.
 */
TEST_F(synic, save_restore_into_new_partition)
{
	struct synic_state *st = calloc(1, sizeof(*st));
	struct hvpart_message *sim;
	struct hv_vm *vm_b;
	struct hv_vp *vp_b;
	uint64_t v;

	ASSERT_NE(NULL, st);
	guest_synic_on(_metadata, self->vp);
	root_deliver(_metadata, self->vm);
	synic_save(_metadata, self->vp, st);
	vm_free(self->vm);
	self->vm = NULL;

	vm_b = vm_create_flags(GUEST_MEM_SIZE,
			       HVPART_CREATE_PARTITION_LOCAL_APIC);
	vp_b = vm_add_vp(vm_b, 0);
	tp_load(vp_b, GUEST_MODE_LONG64);
	synic_restore(_metadata, vp_b, st);

	EXPECT_EQ(0, tp_rdmsr(vp_b, HV_X64_MSR_SCONTROL, &v));
	EXPECT_EQ(1, v);
	EXPECT_EQ(0, tp_rdmsr(vp_b, HV_X64_MSR_SIMP, &v));
	EXPECT_EQ(SIMP_GPA | 1, v);
	EXPECT_EQ(0, tp_rdmsr(vp_b, HV_X64_MSR_SIEFP, &v));
	EXPECT_EQ(SIEFP_GPA | 1, v);
	EXPECT_EQ(0, tp_rdmsr(vp_b, HV_X64_MSR_SINT0 + 3, &v));
	EXPECT_EQ(V_POLL, v);
	/* type 9, 24 bytes; payload bytes 0xc0... */
	EXPECT_EQ(0x1800000009ULL, tp_read(vp_b, SLOT2));
	EXPECT_EQ(0xc7c6c5c4c3c2c1c0ULL, tp_read(vp_b, SLOT2 + 16));
	EXPECT_EQ(0xd7d6d5d4d3d2d1d0ULL, tp_read(vp_b, SLOT2 + 32));
	EXPECT_EQ((uint64_t)FLAG77_BIT << 8,
		  tp_read(vp_b, SIEFP_GPA + (FLAG77_BYTE & ~7)));

	/* B's slot is busy: a new message waits, with MessagePending */
	sim = map_sim(_metadata, vp_b);
	ASSERT_NE(NULL, sim);
	root_deliver(_metadata, vm_b);
	EXPECT_EQ(HV_MSG_FLAG_PENDING, sim[2].header.message_flags);
	EXPECT_EQ(0, tp_write8(vp_b, SLOT2, 0));
	EXPECT_EQ(0, tp_wrmsr(vp_b, HV_X64_MSR_EOM, 0));
	EXPECT_EQ(9, sim[2].header.message_type);
	EXPECT_EQ(0, sim[2].header.message_flags);
	munmap(sim, PAGE_SIZE);
	vm_free(vm_b);
	free(st);
}

/* (4) Bad mappings: past the last page, private, or no local APIC. */
TEST_F(synic, mmap_bad)
{
	uint8_t *p;

	EXPECT_ERRNO(EINVAL, map_pages(self->vp, SIEF_PGOFF + 1, 1,
				       MAP_SHARED));
	EXPECT_ERRNO(EINVAL, map_pages(self->vp, 0, SIEF_PGOFF + 2,
				       MAP_SHARED));
	EXPECT_ERRNO(EINVAL, map_pages(self->vp, SIM_PGOFF, 3, MAP_SHARED));
	EXPECT_ERRNO(EINVAL, map_pages(self->vp, SIM_PGOFF, 1, MAP_PRIVATE));
	EXPECT_ERRNO(EINVAL, map_pages(self->vp, 0, 2, MAP_PRIVATE));
	/* all three pages in one mapping, and the run page alone privately */
	p = map_pages(self->vp, 0, 3, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, memcmp(self->vp->run, p, sizeof(*self->vp->run)));
	p[PAGE_SIZE + 2 * 256 + 200] = 0x5a;
	p[2 * PAGE_SIZE + 1000] = 0x6b;
	EXPECT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_SIMP, SIMP_GPA | 1));
	EXPECT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_SIEFP, SIEFP_GPA | 1));
	EXPECT_EQ(0x5a, tp_read(self->vp, SLOT2 + 200) & 0xff);
	EXPECT_EQ(0x6b, tp_read(self->vp, SIEFP_GPA + 1000) & 0xff);
	munmap(p, 3 * PAGE_SIZE);
	p = map_pages(self->vp, 0, 1, MAP_PRIVATE);
	EXPECT_NE(MAP_FAILED, p);
	munmap(p, PAGE_SIZE);
}

/* A read of @p in a child process: the signal that ended it, or 0. */
static int read_in_child(volatile uint8_t *p)
{
	pid_t pid = fork();
	int status = 0;

	if (!pid)
		_exit(*p == 0x5a);
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* Grow the one-page mapping @p to two: its page reads, the next SIGBUS. */
static void grow_sigbus(struct __test_metadata *_metadata, uint8_t *p)
{
	uint8_t *q;

	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, PAGE_SIZE, 2 * PAGE_SIZE, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0, read_in_child(q));
	EXPECT_EQ(SIGBUS, read_in_child(q + PAGE_SIZE));
	munmap(q, 2 * PAGE_SIZE);
}

/*
 * mremap() grows a mapping past what mmap() allows: a private one over
 * the SIM page, a shared one past the SIEF page.  SIGBUS there.
 */
TEST_F(synic, mremap_past_mmap_sigbus)
{
	grow_sigbus(_metadata, map_pages(self->vp, 0, 1, MAP_PRIVATE));
	grow_sigbus(_metadata, map_pages(self->vp, SIEF_PGOFF, 1, MAP_SHARED));
}

TEST(synic_pages_without_local_apic)
{
	struct hv_vm *vm;
	struct hv_vp *vp;

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	vm = vm_create(GUEST_MEM_SIZE);
	vp = vm_add_vp(vm, 0);
	EXPECT_ERRNO(ENXIO, map_pages(vp, SIM_PGOFF, 1, MAP_SHARED));
	EXPECT_ERRNO(ENXIO, map_pages(vp, SIEF_PGOFF, 1, MAP_SHARED));
	EXPECT_ERRNO(ENXIO, map_pages(vp, 0, 2, MAP_SHARED));
	EXPECT_ERRNO(EINVAL, map_pages(vp, SIEF_PGOFF + 1, 1, MAP_SHARED));
	vm_free(vm);
}

/* ---- interrupts ------------------------------------------------------- */

FIXTURE(sint) {
	struct hv_vm *vm;
	struct hv_vp *vp;
};

FIXTURE_SETUP(sint)
{
	HV_SETUP_REQUIRE_DEV();
	if (!hvpart_has_cap(HVPART_CAP_SYNIC))
		HV_SETUP_SKIP("no HVPART_CAP_SYNIC");
	self->vm = vm_create_apic(GUEST_MEM_SIZE);
	self->vp = vm_add_vp(self->vm, 0);
}

FIXTURE_TEARDOWN(sint)
{
	vm_free(self->vm);
}

/*
 * An interrupt handler's IRET that steps over the wait loop's HLT if the
 * interrupt came in the STI shadow, just before it.  No CPU does that,
 * but QEMU's emulated SVM (TCG, 7.2) now and then takes a virtual
 * interrupt exit right after STI and reports no interrupt shadow, so
 * hvpart injects there; the HLT would then wait for an interrupt that
 * already came (seen about once in 300 runs, with the hvpart_exit and
 * hvpart_inject tracepoints).
 */
#define IRET_PAST(start, hlt)						\
	"	cmpq $(" #hlt " - " #start " + " G_STR(LOAD_GPA) "), (%rsp)\n" \
	"	jne 9f\n"						\
	"	incq (%rsp)\n"						\
	"9:	iretq\n"

#define WRMSR(msr, val)							\
	"	mov $" G_STR(msr) ", %ecx\n"				\
	"	mov $" G_STR(val) ", %eax\n"				\
	"	xor %edx, %edx\n"					\
	"	wrmsr\n"

/*
 * The SynIC on, SINT2 (value from SINT2_GPA) for messages, SINT3 for
 * events; wait with HLT until the handlers have counted WANT.  The
 * message handler reports payload[0] and the vector's ISR word, frees the
 * slot, writes EOM if MessagePending (unless SKIP_EOM) and EOI (unless
 * NO_EOI); the event handler reports and clears the first 64 flags.
 */
__asm__(GUEST_ASM_BEGIN(g_sint)
	".code64\n"
	"	mov $" G_STR(APIC) ", %ebx\n"
	"	movl $0x1ff, 0xf0(%rbx)\n"
	WRMSR(HV_X64_MSR_SIMP, SIMP_GPA + 1)
	WRMSR(HV_X64_MSR_SIEFP, SIEFP_GPA + 1)
	"	mov $" G_STR(HV_X64_MSR_SINT0) " + 2, %ecx\n"
	"	mov " G_STR(SINT2_GPA) ", %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	WRMSR(HV_X64_MSR_SINT0 + 3, V_EVT)
	WRMSR(HV_X64_MSR_SCONTROL, 1)
	"	GUEST_SYNC 1\n"
	"1:	cli\n"
	"	mov " G_STR(COUNT_GPA) ", %eax\n"
	"	cmp " G_STR(WANT_GPA) ", %eax\n"
	"	jae 2f\n"
	"	sti\n"
	"g_sint_hlt:\n"
	"	hlt\n"
	"	jmp 1b\n"
	"2:	GUEST_SYNC 2\n"
	"	GUEST_DONE\n"
	".global g_sint_msg\n"
	"g_sint_msg:\n"
	"	push %rax\n"
	"	push %rcx\n"
	"	push %rdx\n"
	"	mov " G_STR(SLOT2) " + 16, %rax\n"
	"	GUEST_REPORT\n"
	"	mov 0x120(%rbx), %eax\n"		/* ISR 64-95 */
	"	GUEST_REPORT\n"
	"	movl $0, " G_STR(SLOT2) "\n"		/* free the slot */
	"	mfence\n"
	"	testb $1, " G_STR(SLOT2) " + 5\n"	/* MessagePending */
	"	jz 3f\n"
	"	cmpl $0, " G_STR(SKIP_EOM_GPA) "\n"
	"	jne 3f\n"
	WRMSR(HV_X64_MSR_EOM, 0)
	"3:	lock incl " G_STR(COUNT_GPA) "\n"
	"	cmpl $0, " G_STR(NO_EOI_GPA) "\n"
	"	jne 4f\n"
	"	movl $0, 0xb0(%rbx)\n"
	"4:	pop %rdx\n"
	"	pop %rcx\n"
	"	pop %rax\n"
	IRET_PAST(g_sint_start, g_sint_hlt)
	".global g_sint_evt\n"
	"g_sint_evt:\n"
	"	push %rax\n"
	"	xor %eax, %eax\n"
	"	xchg %rax, " G_STR(FLAGS3) "\n"	/* atomic: read and clear */
	"	GUEST_REPORT\n"
	"	lock incl " G_STR(COUNT_GPA) "\n"
	"	movl $0, 0xb0(%rbx)\n"
	"	pop %rax\n"
	IRET_PAST(g_sint_start, g_sint_hlt)
	GUEST_ASM_END(g_sint));
GUEST_CODE_DECLARE(g_sint);
GUEST_LABEL_DECLARE(g_sint_msg);
GUEST_LABEL_DECLARE(g_sint_evt);

static void sint_load(struct hv_vm *vm, struct hv_vp *vp, uint32_t sint2,
		      uint32_t want, uint32_t skip_eom, uint32_t no_eoi)
{
	uint32_t *d = vm_gpa_to_hva(vm, DATA_GPA);

	vm_load(vm, LOAD_GPA, g_sint_start, g_sint_end);
	vp_setup_mode(vp, GUEST_MODE_LONG64, LOAD_GPA);
	vm_set_idt_gate(vm, V_MSG, GUEST_GPA(g_sint, g_sint_msg));
	vm_set_idt_gate(vm, V_EVT, GUEST_GPA(g_sint, g_sint_evt));
	d[0] = 0;
	d[1] = want;
	d[2] = skip_eom;
	d[3] = no_eoi;
	d[4] = sint2;
}

static void root_post(struct __test_metadata *_metadata, struct hv_vm *vm,
		      uint64_t tag)
{
	struct hvpart_post_message pm = { .sint = 2, .message_type = 1,
					  .payload_size = 8 };

	memcpy(pm.payload, &tag, 8);
	ASSERT_EQ(0, ioctl(vm->fd, HVPART_POST_MESSAGE, &pm));
}

/* Three messages: the slot, then two from the queue, each after EOM. */
static void three_messages(struct __test_metadata *_metadata,
			   struct hv_vm *vm, struct hv_vp *vp, uint32_t isr)
{
	ASSERT_SYNC(vp, 1);
	root_post(_metadata, vm, 0x1111);
	root_post(_metadata, vm, 0x2222);
	root_post(_metadata, vm, 0x3333);
	ASSERT_REPORT(vp, 0x1111);
	ASSERT_REPORT(vp, isr);
	ASSERT_REPORT(vp, 0x2222);
	ASSERT_REPORT(vp, isr);
	ASSERT_REPORT(vp, 0x3333);
	ASSERT_REPORT(vp, isr);
	ASSERT_SYNC(vp, 2);
	ASSERT_DONE(vp);
}

TEST_F(sint, messages_in_order_with_eom)
{
	sint_load(self->vm, self->vp, V_MSG, 3, 0, 0);
	/* V_MSG (0x50) is bit 16 of ISR 64-95 while its handler runs */
	three_messages(_metadata, self->vm, self->vp, 1 << 16);
}

/* No EOM at all: the EOI of the SINT's vector delivers the next one. */
TEST_F(sint, eoi_redelivers_without_eom)
{
	sint_load(self->vm, self->vp, V_MSG, 3, 1, 0);
	three_messages(_metadata, self->vm, self->vp, 1 << 16);
}

/* AutoEOI: never in service, no EOI written, EOM brings the next. */
TEST_F(sint, auto_eoi)
{
	sint_load(self->vm, self->vp, V_MSG | HV_SYNIC_SINT_AUTO_EOI, 3, 0,
		  1);
	three_messages(_metadata, self->vm, self->vp, 0);
	/* ISR 64-95: HvX64RegisterApicIsr2 */
	EXPECT_EQ(0, vp_get_reg(self->vp, 0x00084800 + (0x100 >> 4) + 2));
}

/* A masked SINT gets the message but no interrupt. */
TEST_F(sint, masked_sint_no_interrupt)
{
	sint_load(self->vm, self->vp, V_MSG | HV_SYNIC_SINT_MASKED, 0, 0, 0);
	ASSERT_SYNC(self->vp, 1);
	root_post(_metadata, self->vm, 0x1111);
	ASSERT_SYNC(self->vp, 2);
	ASSERT_DONE(self->vp);
	EXPECT_EQ(0, *(uint32_t *)vm_gpa_to_hva(self->vm, COUNT_GPA));
	/* IRR 64-95 */
	EXPECT_EQ(0, vp_get_reg(self->vp, 0x00084800 + (0x200 >> 4) + 2));
}

/* Event flags set before the guest runs again: one handler sees both. */
TEST_F(sint, event_flags)
{
	struct hvpart_signal_event se = { .sint = 3, .flag_number = 5 };
	struct ucall uc;

	sint_load(self->vm, self->vp, V_MSG, 1, 0, 0);
	ASSERT_SYNC(self->vp, 1);
	ASSERT_EQ(0, ioctl(self->vm->fd, HVPART_SIGNAL_EVENT, &se));
	se.flag_number = 63;
	ASSERT_EQ(0, ioctl(self->vm->fd, HVPART_SIGNAL_EVENT, &se));
	ASSERT_REPORT(self->vp, (1ULL << 5) | (1ULL << 63));
	/*
	 * QEMU's emulated SVM now and then runs a handler a second time
	 * with no injection from hvpart and no exit between (the
	 * hvpart_inject tracepoint fired once): that one finds no flags.
	 */
	for (;;) {
		vp_run(self->vp);
		if (get_ucall(self->vp, &uc) != UCALL_REPORT)
			break;
		EXPECT_EQ(0, uc.arg);
		TH_LOG("the event handler ran again (emulated SVM)");
	}
	EXPECT_EQ(UCALL_SYNC, uc.type);
	EXPECT_EQ(2, uc.arg);
	ASSERT_DONE(self->vp);
}

/*
 * HVPART_SIGNAL_EVENT_SINT_ONLY: SINT3's handler runs and finds no flag
 * set; the IRR had the vector while the guest waited.
 */
TEST_F(sint, sint_only)
{
	struct hvpart_signal_event se = {
		.sint = 3, .flags = HVPART_SIGNAL_EVENT_SINT_ONLY,
	};
	struct ucall uc;

	sint_load(self->vm, self->vp, V_MSG, 1, 0, 0);
	ASSERT_SYNC(self->vp, 1);
	ASSERT_EQ(0, ioctl(self->vm->fd, HVPART_SIGNAL_EVENT, &se));
	/* IRR 96-127: V_EVT (0x60) is bit 0 */
	EXPECT_EQ(1, vp_get_reg(self->vp, 0x00084800 + (0x200 >> 4) + 3) & 1);
	ASSERT_REPORT(self->vp, 0);
	/* see event_flags: the emulated SVM's extra handler run */
	for (;;) {
		vp_run(self->vp);
		if (get_ucall(self->vp, &uc) != UCALL_REPORT)
			break;
		EXPECT_EQ(0, uc.arg);
		TH_LOG("the event handler ran again (emulated SVM)");
	}
	EXPECT_EQ(UCALL_SYNC, uc.type);
	EXPECT_EQ(2, uc.arg);
	ASSERT_DONE(self->vp);
}

/*
 * A message the root writes into the SIM page (a restore) raises nothing;
 * the root raises the SINT itself (SINT_ONLY), and the guest's handler
 * takes the message from the slot.
 */
TEST_F(sint, root_written_message_then_raise)
{
	struct hvpart_signal_event se = {
		.sint = 2, .flags = HVPART_SIGNAL_EVENT_SINT_ONLY,
	};
	struct hvpart_message *sim;

	sint_load(self->vm, self->vp, V_MSG, 1, 0, 0);
	ASSERT_SYNC(self->vp, 1);
	sim = map_pages(self->vp, SIM_PGOFF, 1, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, sim);
	sim[2].u.payload[0] = 0x4444;
	sim[2].header.payload_size = 8;
	sim[2].header.message_type = 1;
	/* IRR 64-95: nothing pending yet */
	EXPECT_EQ(0, vp_get_reg(self->vp, 0x00084800 + (0x200 >> 4) + 2));
	ASSERT_EQ(0, ioctl(self->vm->fd, HVPART_SIGNAL_EVENT, &se));
	ASSERT_REPORT(self->vp, 0x4444);
	ASSERT_REPORT(self->vp, 1 << 16);
	ASSERT_SYNC(self->vp, 2);
	ASSERT_DONE(self->vp);
	/* the handler freed the slot */
	EXPECT_EQ(0, sim[2].header.message_type);
	munmap(sim, PAGE_SIZE);
}

TEST_HARNESS_MAIN
