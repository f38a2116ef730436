// SPDX-License-Identifier: GPL-2.0
/*
 * hyperv_msg: messages and events between a child and the root through
 * ports and connections (HVPART_CREATE_PORT ... HVPART_SIGNAL_EVENT):
 * HvPostMessage and HvSignalEvent from the TLFS probe (64-bit, hypercall
 * page) with each status the TLFS lists, delivery into the child's own
 * SIM and SIEF pages (its SINT polled, so no interrupt is taken), the
 * per-port buffers and EOM, messages to the root read from the port's fd
 * and events to the root on an eventfd, the root's own messages and
 * events into the child, monitor ports (the child sets a bit in its
 * monitor page, hvpart signals the event connection the root configured
 * there) and ports to HVPART_ANY_VP, and each new ioctl's argument
 * checking.
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "hyperv_util.h"

#define SIMP_GPA	0x40000
#define SIEFP_GPA	0x41000
#define SINT		1
#define SLOT_GPA	(SIMP_GPA + SINT * 256)
#define FLAGS_GPA	(SIEFP_GPA + SINT * 256)
#define MON_GPA		0x44000		/* the child's monitor page */
#define VP1_SIMP_GPA	0x45000
#define VP1_SIEFP_GPA	0x46000
/* offsets in the monitor page (struct hvpart_monitor_page) */
#define MON_PENDING(g)	(8 + (g) * 8)

FIXTURE(msg) {
	struct hv_vm *vm;
	struct hv_vp *vp;
};

static void synic_on(struct __test_metadata *_metadata, struct hv_vp *vp)
{
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SIMP, SIMP_GPA | 1));
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SIEFP, SIEFP_GPA | 1));
	/* polled: delivered into the pages, no interrupt */
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SINT0 + SINT,
			      0x50 | HV_SYNIC_SINT_POLLING));
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SCONTROL, 1));
}

FIXTURE_SETUP(msg)
{
	int fd;

	HV_SETUP_REQUIRE_DEV();
	fd = hvpart_open();
	if (hvpart_cap(fd, HVPART_CAP_SYNIC) != 1)
		HV_SETUP_SKIP("no HVPART_CAP_SYNIC");
	close(fd);
	self->vm = vm_create_flags(GUEST_MEM_SIZE,
				   HVPART_CREATE_PARTITION_LOCAL_APIC);
	self->vp = vm_add_vp(self->vm, 0);
	tp_load(self->vp, GUEST_MODE_LONG64);
	vm_enable_hypercall_page(self->vp);
	synic_on(_metadata, self->vp);
}

FIXTURE_TEARDOWN(msg)
{
	vm_free(self->vm);
}

static int create_port(struct hv_vm *vm, uint32_t id, uint32_t type,
		       uint32_t flags, uint32_t vp, uint8_t sint, uint16_t base,
		       uint16_t count, int efd)
{
	struct hvpart_port_info p = {
		.port_id = id, .port_type = type, .flags = flags,
		.target_vp = vp, .target_sint = sint, .base_flag = base,
		.flag_count = count, .eventfd = efd,
	};

	return ioctl(vm->fd, HVPART_CREATE_PORT, &p);
}

static int connect_port(struct hv_vm *vm, uint32_t conn, uint32_t port)
{
	struct hvpart_connection c = { .connection_id = conn,
				       .port_id = port };

	return ioctl(vm->fd, HVPART_CONNECT_PORT, &c);
}

static int delete_port(struct hv_vm *vm, uint32_t port)
{
	struct hvpart_port_id p = { .port_id = port };

	return ioctl(vm->fd, HVPART_DELETE_PORT, &p);
}

/* HvPostMessage from the guest, its input at @gpa; the status. */
static uint16_t post_at(struct hv_vp *vp, uint64_t gpa, uint32_t conn,
			uint32_t type, uint32_t size, uint64_t tag,
			uint32_t rsvd)
{
	uint32_t *in = vm_gpa_to_hva(vp->vm, gpa);
	uint64_t *payload = (uint64_t *)(in + 4);

	memset(in, 0, 256);
	in[0] = conn;
	in[1] = rsvd;
	in[2] = type;
	in[3] = size;
	payload[0] = tag;
	return hv_result_status(tp_hcall(vp, hv_control(HVCALL_POST_MESSAGE,
							0, 0), gpa, 0, NULL));
}

static uint16_t post(struct hv_vp *vp, uint32_t conn, uint64_t tag)
{
	return post_at(vp, HC_IN_GPA, conn, 7, 8, tag, 0);
}

/* HvSignalEvent, fast: connection id and flag number in RDX. */
static uint16_t signal_fast(struct hv_vp *vp, uint32_t conn, uint32_t flag)
{
	return hv_result_status(tp_hcall(vp, hv_control(HVCALL_SIGNAL_EVENT,
							0, 0) |
					 HV_HYPERCALL_FAST_BIT,
					 conn | (uint64_t)flag << 32, 0,
					 NULL));
}

/* The guest frees the slot (type 7 fits a byte) and writes EOM. */
static void guest_eom(struct __test_metadata *_metadata, struct hv_vp *vp)
{
	ASSERT_EQ(0, tp_write8(vp, SLOT_GPA, 0));
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_EOM, 0));
}

/* ---- HvPostMessage ---------------------------------------------------- */

TEST_F(msg, post_message_statuses)
{
	struct hv_vp *vp = self->vp;

	ASSERT_EQ(0, create_port(self->vm, 1, HVPART_PORT_TYPE_MESSAGE, 0, 0,
				 SINT, 0, 0, 0));
	EXPECT_EQ(HV_STATUS_INVALID_CONNECTION_ID, post(vp, 10, 1));
	ASSERT_EQ(0, connect_port(self->vm, 10, 1));
	/* the upper 8 bits of HV_CONNECTION_ID are not part of the id */
	EXPECT_EQ(HV_STATUS_INVALID_CONNECTION_ID, post(vp, 10 | 1 << 24, 1));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  post_at(vp, HC_IN_GPA, 10, 0, 8, 1, 0));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  post_at(vp, HC_IN_GPA, 10, 0x80000007, 8, 1, 0));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  post_at(vp, HC_IN_GPA, 10, 7, 241, 1, 0));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  post_at(vp, HC_IN_GPA, 10, 7, 8, 1, 1));
	/* input not 8-byte aligned, or across a page boundary */
	EXPECT_EQ(HV_STATUS_INVALID_ALIGNMENT,
		  post_at(vp, HC_IN_GPA + 4, 10, 7, 8, 1, 0));
	EXPECT_EQ(HV_STATUS_INVALID_ALIGNMENT,
		  post_at(vp, HC_IN_GPA + 0xf80, 10, 7, 8, 1, 0));
	/* 240 bytes is the largest payload */
	EXPECT_EQ(HV_STATUS_SUCCESS, post_at(vp, HC_IN_GPA, 10, 7, 240, 1, 0));
	/* an event port takes no messages; a deleted port none at all */
	ASSERT_EQ(0, create_port(self->vm, 2, HVPART_PORT_TYPE_EVENT, 0, 0,
				 SINT, 0, 1, 0));
	ASSERT_EQ(0, connect_port(self->vm, 11, 2));
	EXPECT_EQ(HV_STATUS_INVALID_PORT_ID, post(vp, 11, 1));
	ASSERT_EQ(0, delete_port(self->vm, 1));
	EXPECT_EQ(HV_STATUS_INVALID_PORT_ID, post(vp, 10, 1));
	/* a port whose VP does not exist */
	ASSERT_EQ(0, create_port(self->vm, 3, HVPART_PORT_TYPE_MESSAGE, 0, 3,
				 SINT, 0, 0, 0));
	ASSERT_EQ(0, connect_port(self->vm, 12, 3));
	EXPECT_EQ(HV_STATUS_INVALID_VP_INDEX, post(vp, 12, 1));
}

/* Without PostMessages or SignalEvents the calls are denied. */
TEST_F(msg, privileges)
{
	uint64_t mask = vm_get_property(self->vm, HVPART_PROP_PRIVILEGE_MASK);

	EXPECT_TRUE(mask & HV_POST_MESSAGES);
	EXPECT_TRUE(mask & HV_SIGNAL_EVENTS);
	vm_set_property(self->vm, HVPART_PROP_PRIVILEGE_MASK,
			mask & ~(HV_POST_MESSAGES | HV_SIGNAL_EVENTS));
	EXPECT_EQ(HV_STATUS_ACCESS_DENIED, post(self->vp, 10, 1));
	EXPECT_EQ(HV_STATUS_ACCESS_DENIED, signal_fast(self->vp, 10, 0));
}

/*
 * Into the child's own SINT: the first message lands in the slot, 16 more
 * wait in the port's buffers, the next is refused; each EOM after the
 * guest frees the slot brings the next one, in order, MessagePending set
 * while more wait.
 */
TEST_F(msg, post_to_child_queue_and_eom)
{
	struct hv_vp *vp = self->vp;
	uint64_t hdr;
	int i;

	ASSERT_EQ(0, create_port(self->vm, 1, HVPART_PORT_TYPE_MESSAGE, 0, 0,
				 SINT, 0, 0, 0));
	ASSERT_EQ(0, connect_port(self->vm, 10, 1));
	for (i = 0; i < 17; i++)
		ASSERT_EQ(HV_STATUS_SUCCESS, post(vp, 10, 100 + i));
	EXPECT_EQ(HV_STATUS_INSUFFICIENT_BUFFERS, post(vp, 10, 999));

	for (i = 0; i < 17; i++) {
		hdr = tp_read(vp, SLOT_GPA);
		EXPECT_EQ(7, (uint32_t)hdr);
		EXPECT_EQ(8, (hdr >> 32) & 0xff);	/* payload size */
		/* MessagePending while more wait */
		EXPECT_EQ(i < 16 ? 1 : 0, (hdr >> 40) & 1) {
			TH_LOG("message %d: flags %#llx", i,
			       (unsigned long long)(hdr >> 40) & 0xff);
		}
		EXPECT_EQ(1, tp_read(vp, SLOT_GPA + 8));	/* sender */
		EXPECT_EQ(100 + i, tp_read(vp, SLOT_GPA + 16));
		guest_eom(_metadata, vp);
	}
	EXPECT_EQ(0, (uint32_t)tp_read(vp, SLOT_GPA));
	/* the buffers are free again */
	EXPECT_EQ(HV_STATUS_SUCCESS, post(vp, 10, 1));
}

/* The SynIC or the SIM page disabled: HV_STATUS_INVALID_SYNIC_STATE. */
TEST_F(msg, post_to_disabled_synic)
{
	ASSERT_EQ(0, create_port(self->vm, 1, HVPART_PORT_TYPE_MESSAGE, 0, 0,
				 SINT, 0, 0, 0));
	ASSERT_EQ(0, connect_port(self->vm, 10, 1));
	ASSERT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_SCONTROL, 0));
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE, post(self->vp, 10, 1));
	ASSERT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_SCONTROL, 1));
	ASSERT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_SIMP, SIMP_GPA));
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE, post(self->vp, 10, 1));
	ASSERT_EQ(0, tp_wrmsr(self->vp, HV_X64_MSR_SIMP, SIMP_GPA | 1));
	EXPECT_EQ(HV_STATUS_SUCCESS, post(self->vp, 10, 1));
}

/*
 * To the root: 16 buffers, then HV_STATUS_INSUFFICIENT_BUFFERS until the
 * root reads; read() hands whole messages in order, poll() says when,
 * and nothing is lost.  Deleting the port ends the fd with EOF.
 */
TEST_F(msg, post_to_root)
{
	struct hvpart_message m[17];
	struct pollfd pfd;
	ssize_t n;
	int fd, i;

	fd = create_port(self->vm, 5, HVPART_PORT_TYPE_MESSAGE,
			 HVPART_PORT_TO_ROOT, 0, 0, 0, 0, 0);
	ASSERT_GT(fd, 0);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, connect_port(self->vm, 50, 5));
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	for (i = 0; i < 16; i++)
		ASSERT_EQ(HV_STATUS_SUCCESS, post(self->vp, 50, i));
	EXPECT_EQ(HV_STATUS_INSUFFICIENT_BUFFERS, post(self->vp, 50, 16));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLIN);

	/* a buffer too small for one message */
	EXPECT_EQ(-1, read(fd, m, 100));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(sizeof(m[0]), read(fd, m, sizeof(m[0])));
	EXPECT_EQ(7, m[0].header.message_type);
	EXPECT_EQ(8, m[0].header.payload_size);
	EXPECT_EQ(5, m[0].header.sender);
	EXPECT_EQ(0, m[0].u.payload[0]);
	/* the guest retries, as the TLFS says, and gets through */
	EXPECT_EQ(HV_STATUS_SUCCESS, post(self->vp, 50, 16));

	n = read(fd, m, sizeof(m));
	ASSERT_EQ(16 * sizeof(m[0]), n);
	for (i = 0; i < 16; i++)
		EXPECT_EQ(i + 1, m[i].u.payload[0]);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	EXPECT_EQ(-1, read(fd, m, sizeof(m)));
	EXPECT_EQ(EAGAIN, errno);

	ASSERT_EQ(0, delete_port(self->vm, 5));
	EXPECT_EQ(HV_STATUS_INVALID_PORT_ID, post(self->vp, 50, 1));
	EXPECT_EQ(0, read(fd, m, sizeof(m)));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLHUP);
	close(fd);
}

/* A message the root has not read yet outlives the partition's fds. */
TEST_F(msg, root_fd_outlives_partition)
{
	struct hvpart_message m;
	int fd;

	fd = create_port(self->vm, 5, HVPART_PORT_TYPE_MESSAGE,
			 HVPART_PORT_TO_ROOT, 0, 0, 0, 0, 0);
	ASSERT_GT(fd, 0);
	ASSERT_EQ(0, connect_port(self->vm, 50, 5));
	ASSERT_EQ(HV_STATUS_SUCCESS, post(self->vp, 50, 42));
	vm_free(self->vm);
	self->vm = vm_create(GUEST_MEM_SIZE);
	ASSERT_EQ(sizeof(m), read(fd, &m, sizeof(m)));
	EXPECT_EQ(42, m.u.payload[0]);
	EXPECT_EQ(0, read(fd, &m, sizeof(m)));
	close(fd);
}

/* ---- HvSignalEvent ---------------------------------------------------- */

TEST_F(msg, signal_event_to_root)
{
	uint64_t cnt = 0;
	int efd, in;

	efd = eventfd(0, EFD_NONBLOCK);
	ASSERT_GE(efd, 0);
	ASSERT_EQ(0, create_port(self->vm, 6, HVPART_PORT_TYPE_EVENT,
				 HVPART_PORT_TO_ROOT, 0, 0, 0, 4, efd));
	EXPECT_EQ(HV_STATUS_INVALID_CONNECTION_ID,
		  signal_fast(self->vp, 60, 0));
	ASSERT_EQ(0, connect_port(self->vm, 60, 6));
	EXPECT_EQ(HV_STATUS_SUCCESS, signal_fast(self->vp, 60, 3));
	EXPECT_EQ(HV_STATUS_SUCCESS, signal_fast(self->vp, 60, 0));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, signal_fast(self->vp, 60, 4));
	/* RsvdZ bits 63:48 */
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  signal_fast(self->vp, 60, 1 << 16));
	/* the memory form */
	in = 60;
	memcpy(vm_gpa_to_hva(self->vm, HC_IN_GPA), &in, 4);
	memset((char *)vm_gpa_to_hva(self->vm, HC_IN_GPA) + 4, 0, 4);
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  hv_result_status(tp_hcall(self->vp,
					    hv_control(HVCALL_SIGNAL_EVENT, 0, 0),
					    HC_IN_GPA, 0, NULL)));
	ASSERT_EQ(sizeof(cnt), read(efd, &cnt, sizeof(cnt)));
	EXPECT_EQ(3, cnt);
	/* a message port takes no events */
	ASSERT_EQ(0, create_port(self->vm, 7, HVPART_PORT_TYPE_MESSAGE, 0, 0,
				 SINT, 0, 0, 0));
	ASSERT_EQ(0, connect_port(self->vm, 70, 7));
	EXPECT_EQ(HV_STATUS_INVALID_PORT_ID, signal_fast(self->vp, 70, 0));
	close(efd);
}

TEST_F(msg, signal_event_to_child)
{
	struct hv_vp *vp = self->vp;

	ASSERT_EQ(0, create_port(self->vm, 8, HVPART_PORT_TYPE_EVENT, 0, 0,
				 SINT, 8, 8, 0));
	ASSERT_EQ(0, connect_port(self->vm, 80, 8));
	EXPECT_EQ(HV_STATUS_SUCCESS, signal_fast(vp, 80, 2));
	EXPECT_EQ(HV_STATUS_SUCCESS, signal_fast(vp, 80, 7));
	/* base 8: flags 10 and 15 of the SINT */
	EXPECT_EQ((1ULL << 10) | (1ULL << 15), tp_read(vp, FLAGS_GPA));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, signal_fast(vp, 80, 8));
	/* masked SINT, disabled SIEF page, disabled SynIC */
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SINT0 + SINT,
			      0x50 | HV_SYNIC_SINT_MASKED));
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE, signal_fast(vp, 80, 0));
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SINT0 + SINT,
			      0x50 | HV_SYNIC_SINT_POLLING));
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SIEFP, SIEFP_GPA));
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE, signal_fast(vp, 80, 0));
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SIEFP, SIEFP_GPA | 1));
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SCONTROL, 0));
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE, signal_fast(vp, 80, 0));
}

/* ---- the root into the child ----------------------------------------- */

static int root_post(struct hv_vm *vm, uint32_t vp, uint32_t sint,
		     uint32_t type, uint32_t size, uint64_t tag)
{
	struct hvpart_post_message pm = {
		.vp_index = vp, .sint = sint, .message_type = type,
		.payload_size = size,
	};

	memcpy(pm.payload, &tag, sizeof(tag));
	return ioctl(vm->fd, HVPART_POST_MESSAGE, &pm);
}

static int root_signal(struct hv_vm *vm, uint32_t vp, uint32_t sint,
		       uint32_t flag)
{
	struct hvpart_signal_event se = {
		.vp_index = vp, .sint = sint, .flag_number = flag,
	};

	return ioctl(vm->fd, HVPART_SIGNAL_EVENT, &se);
}

TEST_F(msg, root_post_and_signal)
{
	struct hv_vp *vp = self->vp;
	int i;

	ASSERT_EQ(0, root_post(self->vm, 0, SINT, 7, 16, 0x1234));
	EXPECT_EQ(7, (uint32_t)tp_read(vp, SLOT_GPA));
	EXPECT_EQ(0x1234, tp_read(vp, SLOT_GPA + 16));
	EXPECT_EQ(0, tp_read(vp, SLOT_GPA + 8));	/* from the root */
	/* 16 more wait, then -EAGAIN */
	for (i = 0; i < 16; i++)
		ASSERT_EQ(0, root_post(self->vm, 0, SINT, 7, 8, i));
	EXPECT_EQ(-1, root_post(self->vm, 0, SINT, 7, 8, 99));
	EXPECT_EQ(EAGAIN, errno);
	guest_eom(_metadata, vp);
	EXPECT_EQ(0, tp_read(vp, SLOT_GPA + 16));

	ASSERT_EQ(0, root_signal(self->vm, 0, SINT, 100));
	EXPECT_EQ(1ULL << (100 - 64), tp_read(vp, FLAGS_GPA + 8));
	ASSERT_EQ(0, root_signal(self->vm, 0, SINT, 2047));
	EXPECT_EQ(1ULL << 63, tp_read(vp, FLAGS_GPA + 248));

	/* no such VP; the SynIC off */
	EXPECT_EQ(-1, root_post(self->vm, 5, SINT, 7, 8, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, root_signal(self->vm, 5, SINT, 0));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SCONTROL, 0));
	EXPECT_EQ(-1, root_post(self->vm, 0, SINT, 7, 8, 0));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, root_signal(self->vm, 0, SINT, 0));
	EXPECT_EQ(ENOTCONN, errno);
}

/*
 * HVPART_SIGNAL_EVENT_SINT_ONLY: the SINT's interrupt with no flag, so
 * the SIEF page may be off and stays untouched; the SynIC off or the
 * SINT masked is -ENOTCONN, no VP -ENOENT.  (hyperv_synic.c's sint_only
 * takes the interrupt.)
 */
static int root_sint_only(struct hv_vm *vm, uint32_t vp, uint32_t sint)
{
	struct hvpart_signal_event se = {
		.vp_index = vp, .sint = sint,
		.flags = HVPART_SIGNAL_EVENT_SINT_ONLY,
	};

	return ioctl(vm->fd, HVPART_SIGNAL_EVENT, &se);
}

TEST_F(msg, root_sint_only)
{
	struct hv_vp *vp = self->vp;
	int i;

	EXPECT_EQ(0, root_sint_only(self->vm, 0, SINT));
	for (i = 0; i < 256; i += 8)
		EXPECT_EQ(0, tp_read(vp, FLAGS_GPA + i));
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SIEFP, SIEFP_GPA));
	EXPECT_EQ(0, root_sint_only(self->vm, 0, SINT));
	/* an unmasked SINT, not polled */
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SINT0 + SINT, 0x50));
	EXPECT_EQ(0, root_sint_only(self->vm, 0, SINT));
	EXPECT_EQ(-1, root_sint_only(self->vm, 5, SINT));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SINT0 + SINT,
			      0x50 | HV_SYNIC_SINT_MASKED));
	EXPECT_EQ(-1, root_sint_only(self->vm, 0, SINT));
	EXPECT_EQ(ENOTCONN, errno);
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SINT0 + SINT,
			      0x50 | HV_SYNIC_SINT_POLLING));
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SCONTROL, 0));
	EXPECT_EQ(-1, root_sint_only(self->vm, 0, SINT));
	EXPECT_EQ(ENOTCONN, errno);
}

/* ---- argument checking ------------------------------------------------ */

TEST_F(msg, create_port_einval)
{
	struct hv_vm *vm = self->vm;
	struct hvpart_port_info p;
	const uint32_t M = HVPART_PORT_TYPE_MESSAGE, E = HVPART_PORT_TYPE_EVENT;
	const uint32_t R = HVPART_PORT_TO_ROOT;
	int efd = eventfd(0, 0);

	ASSERT_GE(efd, 0);
	/* id 0 and ids past 24 bits; unknown type; unknown flag */
	EXPECT_EQ(-1, create_port(vm, 0, M, 0, 0, 1, 0, 0, 0));
	EXPECT_EQ(-1, create_port(vm, 1 << 24, M, 0, 0, 1, 0, 0, 0));
	EXPECT_EQ(-1, create_port(vm, 1, 0, 0, 0, 1, 0, 0, 0));
	EXPECT_EQ(-1, create_port(vm, 1, 3, 0, 0, 1, 0, 0, 0));
	EXPECT_EQ(-1, create_port(vm, 1, M, 2, 0, 1, 0, 0, 0));
	/* VP index, SINT */
	EXPECT_EQ(-1, create_port(vm, 1, M, 0, 64, 1, 0, 0, 0));
	EXPECT_EQ(-1, create_port(vm, 1, M, 0, 0, 16, 0, 0, 0));
	/* flags on a message port; none or too many on an event port */
	EXPECT_EQ(-1, create_port(vm, 1, M, 0, 0, 1, 0, 1, 0));
	EXPECT_EQ(-1, create_port(vm, 1, M, 0, 0, 1, 1, 0, 0));
	EXPECT_EQ(-1, create_port(vm, 1, E, 0, 0, 1, 0, 0, 0));
	EXPECT_EQ(-1, create_port(vm, 1, E, 0, 0, 1, 2000, 49, 0));
	/* eventfd only for root event ports; target only for child ports */
	EXPECT_EQ(-1, create_port(vm, 1, M, 0, 0, 1, 0, 0, efd));
	EXPECT_EQ(-1, create_port(vm, 1, M, R, 0, 0, 0, 0, efd));
	EXPECT_EQ(-1, create_port(vm, 1, M, R, 1, 0, 0, 0, 0));
	EXPECT_EQ(-1, create_port(vm, 1, M, R, 0, 1, 0, 0, 0));
	EXPECT_EQ(-1, create_port(vm, 1, E, R, 0, 0, 1, 1, efd));
	EXPECT_EQ(-1, create_port(vm, 1, E, R, 0, 0, 0, 1, -1));
	EXPECT_EQ(EINVAL, errno);
	/* reserved bytes */
	p = (struct hvpart_port_info){ .port_id = 1, .port_type = M,
				       .target_sint = 1 };
	p.rsvd0[2] = 1;
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_CREATE_PORT, &p));
	EXPECT_EQ(EINVAL, errno);
	p.rsvd0[2] = 0;
	p.rsvd1 = 1;
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_CREATE_PORT, &p));
	EXPECT_EQ(EINVAL, errno);
	/* not an eventfd */
	EXPECT_EQ(-1, create_port(vm, 1, E, R, 0, 0, 0, 1, vm->fd));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, create_port(vm, 1, E, R, 0, 0, 0, 1, 1000));
	EXPECT_EQ(EBADF, errno);
	/* bad pointer */
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_CREATE_PORT, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	/* at last a good one, and the same id again */
	EXPECT_EQ(0, create_port(vm, 1, E, 0, 0, 1, 2000, 48, 0));
	EXPECT_EQ(-1, create_port(vm, 1, M, 0, 0, 1, 0, 0, 0));
	EXPECT_EQ(EEXIST, errno);
	close(efd);
}

TEST_F(msg, connect_delete_einval)
{
	struct hv_vm *vm = self->vm;
	struct hvpart_connection c = { 0 };
	struct hvpart_port_id pid = { 0 };

	EXPECT_EQ(-1, connect_port(vm, 10, 1));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, create_port(vm, 1, HVPART_PORT_TYPE_MESSAGE, 0, 0, 1, 0,
				 0, 0));
	EXPECT_EQ(-1, connect_port(vm, 0, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, connect_port(vm, 1 << 24, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, connect_port(vm, 10, 0));
	EXPECT_EQ(EINVAL, errno);
	c = (struct hvpart_connection){ .connection_id = 10, .port_id = 1,
					.flags = 1 };
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_CONNECT_PORT, &c));
	EXPECT_EQ(EINVAL, errno);
	c.flags = 0;
	c.rsvd = 1;
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_CONNECT_PORT, &c));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, connect_port(vm, 10, 1));
	EXPECT_EQ(-1, connect_port(vm, 10, 1));
	EXPECT_EQ(EEXIST, errno);
	/* disconnect: port id MBZ, unknown connection */
	c = (struct hvpart_connection){ .connection_id = 10, .port_id = 1 };
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_DISCONNECT_PORT, &c));
	EXPECT_EQ(EINVAL, errno);
	c.port_id = 0;
	EXPECT_EQ(0, ioctl(vm->fd, HVPART_DISCONNECT_PORT, &c));
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_DISCONNECT_PORT, &c));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_DISCONNECT_PORT, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* delete: flags MBZ, id 0, unknown */
	pid = (struct hvpart_port_id){ .port_id = 1, .flags = 1 };
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_DELETE_PORT, &pid));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, delete_port(vm, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, delete_port(vm, 1));
	EXPECT_EQ(-1, delete_port(vm, 1));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(msg, root_post_signal_einval)
{
	struct hv_vm *vm = self->vm;
	struct hvpart_post_message pm = { .sint = 1, .message_type = 7,
					  .payload_size = 8 };
	struct hvpart_signal_event se = { .sint = 1 };

	EXPECT_EQ(0, ioctl(vm->fd, HVPART_POST_MESSAGE, &pm));
	pm.flags = 1;
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_POST_MESSAGE, &pm));
	pm.flags = 0;
	pm.rsvd0[1] = 1;
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_POST_MESSAGE, &pm));
	pm.rsvd0[1] = 0;
	pm.rsvd1 = 1;
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_POST_MESSAGE, &pm));
	pm.rsvd1 = 0;
	EXPECT_EQ(-1, root_post(vm, 0, 16, 7, 8, 0));
	EXPECT_EQ(-1, root_post(vm, 64, 1, 7, 8, 0));
	EXPECT_EQ(-1, root_post(vm, 0, 1, 0, 8, 0));
	EXPECT_EQ(-1, root_post(vm, 0, 1, 0x80000010, 8, 0));
	EXPECT_EQ(-1, root_post(vm, 0, 1, 7, 241, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_POST_MESSAGE, (void *)8));
	EXPECT_EQ(EFAULT, errno);

	EXPECT_EQ(0, ioctl(vm->fd, HVPART_SIGNAL_EVENT, &se));
	se.flags = ~HVPART_SIGNAL_EVENT_FLAGS_MASK;
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_SIGNAL_EVENT, &se));
	se.flags = HVPART_SIGNAL_EVENT_FLAGS_MASK + 1;
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_SIGNAL_EVENT, &se));
	EXPECT_EQ(EINVAL, errno);
	/* SINT_ONLY sets no flag: its number MBZ */
	se.flags = HVPART_SIGNAL_EVENT_SINT_ONLY;
	EXPECT_EQ(0, ioctl(vm->fd, HVPART_SIGNAL_EVENT, &se));
	se.flag_number = 1;
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_SIGNAL_EVENT, &se));
	EXPECT_EQ(EINVAL, errno);
	se.flag_number = 0;
	se.rsvd1 = 1;
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_SIGNAL_EVENT, &se));
	EXPECT_EQ(EINVAL, errno);
	se.rsvd1 = 0;
	se.sint = 16;
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_SIGNAL_EVENT, &se));
	EXPECT_EQ(EINVAL, errno);
	se.sint = 1;
	se.vp_index = 64;
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_SIGNAL_EVENT, &se));
	EXPECT_EQ(EINVAL, errno);
	se.vp_index = 0;
	se.flags = 0;
	se.rsvd0 = 1;
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_SIGNAL_EVENT, &se));
	se.rsvd0 = 0;
	se.rsvd1 = 1;
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_SIGNAL_EVENT, &se));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, root_signal(vm, 0, 1, 2048));
	EXPECT_EQ(-1, root_signal(vm, 0, 16, 0));
	EXPECT_EQ(-1, root_signal(vm, 64, 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_SIGNAL_EVENT, NULL));
	EXPECT_EQ(EFAULT, errno);
}

/* Without the local APIC there is no SynIC: -ENXIO for all of them. */
/* ---- monitor ports ----------------------------------------------------- */

static int connect_monitor(struct hv_vm *vm, uint32_t conn, uint32_t port,
			   uint64_t gpa)
{
	struct hvpart_connection c = { .connection_id = conn,
				       .port_id = port, .monitor_gpa = gpa };

	return ioctl(vm->fd, HVPART_CONNECT_PORT, &c);
}

static struct hvpart_monitor_page *map_monitor(int fd)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Wait up to 10 s for the eventfd; its count, 0 if none came. */
static uint64_t wait_event(int efd)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	uint64_t cnt = 0;

	if (poll(&pfd, 1, 10000) == 1 &&
	    read(efd, &cnt, sizeof(cnt)) != sizeof(cnt))
		cnt = 0;
	return cnt;
}

/*
 * The root's page, seen by the child at MON_GPA; a bit the child sets in
 * an enabled group signals the event connection its parameter names,
 * once, and is cleared; a disabled group's bit stays and signals nothing
 * until the root enables the group.
 */
TEST_F(msg, monitor_signals_root)
{
	struct hvpart_monitor_page *mp;
	struct pollfd pfd;
	int efd, mfd, i;

	*(uint32_t *)vm_gpa_to_hva(self->vm, MON_GPA) = 0x5a5a5a5a;
	efd = eventfd(0, EFD_NONBLOCK);
	ASSERT_GE(efd, 0);
	ASSERT_EQ(0, create_port(self->vm, 20, HVPART_PORT_TYPE_EVENT,
				 HVPART_PORT_TO_ROOT, 0, 0, 0, 4, efd));
	ASSERT_EQ(0, connect_port(self->vm, 200, 20));
	mfd = create_port(self->vm, 21, HVPART_PORT_TYPE_MONITOR,
			  HVPART_PORT_TO_ROOT, 0, 0, 0, 0, 0);
	ASSERT_GE(mfd, 0);
	mp = map_monitor(mfd);
	ASSERT_NE(NULL, mp);
	mp->latency[1][5] = 1000;		/* 100 us */
	mp->parameter[1][5].connection_id = 200;
	mp->parameter[1][5].flag_number = 3;
	mp->trigger_state = 1 << 1;
	ASSERT_EQ(0, connect_monitor(self->vm, 210, 21, MON_GPA));
	EXPECT_EQ(1 << 1, (uint32_t)tp_read(self->vp, MON_GPA));

	ASSERT_EQ(0, tp_write8(self->vp, MON_GPA + MON_PENDING(1), 1 << 5));
	EXPECT_EQ(1, wait_event(efd));
	EXPECT_EQ(0, mp->trigger_group[1].pending);
	EXPECT_EQ(0, (uint32_t)tp_read(self->vp, MON_GPA + MON_PENDING(1)));

	mp->trigger_state = 0;
	ASSERT_EQ(0, tp_write8(self->vp, MON_GPA + MON_PENDING(1), 1 << 5));
	for (i = 0; i < 20; i++) {
		usleep(5000);
		tp_read(self->vp, MON_GPA);
	}
	pfd = (struct pollfd){ .fd = efd, .events = POLLIN };
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(1 << 5, mp->trigger_group[1].pending);
	mp->trigger_state = 1 << 1;
	tp_read(self->vp, MON_GPA);
	EXPECT_EQ(1, wait_event(efd));
	EXPECT_EQ(0, mp->trigger_group[1].pending);

	/* its connection id is no event connection */
	EXPECT_EQ(HV_STATUS_INVALID_PORT_ID, signal_fast(self->vp, 210, 0));
	/* disconnected: the child's own memory is back */
	struct hvpart_connection c = { .connection_id = 210 };

	ASSERT_EQ(0, ioctl(self->vm->fd, HVPART_DISCONNECT_PORT, &c));
	EXPECT_EQ(0x5a5a5a5a, (uint32_t)tp_read(self->vp, MON_GPA));
	/* and it may connect again, elsewhere */
	ASSERT_EQ(0, connect_monitor(self->vm, 211, 21, MON_GPA + 0x1000));
	EXPECT_EQ(1 << 1, (uint32_t)tp_read(self->vp, MON_GPA + 0x1000));
	munmap(mp, 4096);
	close(mfd);
	close(efd);
}

/* A trigger whose connection goes to an event port of the child. */
TEST_F(msg, monitor_signals_child)
{
	struct hvpart_monitor_page *mp;
	uint64_t flags = 0;
	int mfd, i;

	ASSERT_EQ(0, create_port(self->vm, 22, HVPART_PORT_TYPE_EVENT, 0, 0,
				 SINT, 0, 8, 0));
	ASSERT_EQ(0, connect_port(self->vm, 220, 22));
	mfd = create_port(self->vm, 23, HVPART_PORT_TYPE_MONITOR,
			  HVPART_PORT_TO_ROOT, 0, 0, 0, 0, 0);
	ASSERT_GE(mfd, 0);
	mp = map_monitor(mfd);
	ASSERT_NE(NULL, mp);
	mp->parameter[0][0].connection_id = 220;
	mp->parameter[0][0].flag_number = 6;
	mp->trigger_state = 1;
	ASSERT_EQ(0, connect_monitor(self->vm, 230, 23, MON_GPA));
	ASSERT_EQ(0, tp_write8(self->vp, MON_GPA + MON_PENDING(0), 1));
	/* each probe op enters the guest; 10 s at most */
	for (i = 0; i < 2000 && !(flags & (1 << 6)); i++) {
		flags = tp_read(self->vp, FLAGS_GPA);
		usleep(5000);
	}
	EXPECT_EQ(1 << 6, flags);
	EXPECT_EQ(0, mp->trigger_group[0].pending);
	munmap(mp, 4096);
	close(mfd);
}

TEST_F(msg, monitor_einval)
{
	struct hv_vm *vm = self->vm;
	struct hvpart_connection c;
	struct hvpart_monitor_page *mp;
	char buf[8];
	int mfd;

	/* the root's port, with nothing else */
	EXPECT_EQ(-1, create_port(vm, 24, HVPART_PORT_TYPE_MONITOR, 0, 0, 0,
				  0, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, create_port(vm, 24, HVPART_PORT_TYPE_MONITOR,
				  HVPART_PORT_TO_ROOT, 1, 0, 0, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, create_port(vm, 24, HVPART_PORT_TYPE_MONITOR,
				  HVPART_PORT_TO_ROOT, 0, 1, 0, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, create_port(vm, 24, HVPART_PORT_TYPE_MONITOR,
				  HVPART_PORT_TO_ROOT, 0, 0, 0, 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, create_port(vm, 24, HVPART_PORT_TYPE_MONITOR,
				  HVPART_PORT_TO_ROOT, 0, 0, 0, 0, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, create_port(vm, 24, 4, HVPART_PORT_TO_ROOT, 0, 0, 0, 0,
				  0));
	EXPECT_EQ(EINVAL, errno);
	mfd = create_port(vm, 24, HVPART_PORT_TYPE_MONITOR,
			  HVPART_PORT_TO_ROOT, 0, 0, 0, 0, 0);
	ASSERT_GE(mfd, 0);
	EXPECT_EQ(FD_CLOEXEC, fcntl(mfd, F_GETFD));

	/* one page, offset 0, shared; no read() */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 8192, PROT_READ, MAP_SHARED, mfd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, mfd,
				   4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, mfd,
				   0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(mfd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);

	/* where the page goes: aligned, in the GPA space, on no overlay */
	EXPECT_EQ(-1, connect_monitor(vm, 240, 24, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, connect_monitor(vm, 240, 24, MON_GPA + 8));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, connect_monitor(vm, 240, 24, 1ULL << 52));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, connect_monitor(vm, 240, 24, SIMP_GPA));
	EXPECT_EQ(EBUSY, errno);
	/* only monitor ports take a page */
	ASSERT_EQ(0, create_port(vm, 25, HVPART_PORT_TYPE_MESSAGE, 0, 0, SINT,
				 0, 0, 0));
	EXPECT_EQ(-1, connect_monitor(vm, 250, 25, MON_GPA));
	EXPECT_EQ(EINVAL, errno);
	/* one connection at a time */
	ASSERT_EQ(0, connect_monitor(vm, 240, 24, MON_GPA));
	EXPECT_EQ(-1, connect_monitor(vm, 241, 24, MON_GPA + 0x1000));
	EXPECT_EQ(EBUSY, errno);
	/* a disconnect names no page */
	c = (struct hvpart_connection){ .connection_id = 240,
					.monitor_gpa = MON_GPA };
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_DISCONNECT_PORT, &c));
	EXPECT_EQ(EINVAL, errno);

	/* deleting the port takes the page from the child, not the root */
	*(uint32_t *)vm_gpa_to_hva(vm, MON_GPA) = 0xa5a5a5a5;
	mp = map_monitor(mfd);
	ASSERT_NE(NULL, mp);
	mp->trigger_state = 7;
	EXPECT_EQ(7, (uint32_t)tp_read(self->vp, MON_GPA));
	EXPECT_EQ(0, delete_port(vm, 24));
	EXPECT_EQ(0xa5a5a5a5, (uint32_t)tp_read(self->vp, MON_GPA));
	EXPECT_EQ(7, mp->trigger_state);
	/* the page is free for another monitor */
	c = (struct hvpart_connection){ .connection_id = 240 };
	EXPECT_EQ(0, ioctl(vm->fd, HVPART_DISCONNECT_PORT, &c));
	munmap(mp, 4096);
	close(mfd);
	mfd = create_port(vm, 24, HVPART_PORT_TYPE_MONITOR,
			  HVPART_PORT_TO_ROOT, 0, 0, 0, 0, 0);
	ASSERT_GE(mfd, 0);
	EXPECT_EQ(0, connect_monitor(vm, 240, 24, MON_GPA));
	close(mfd);
}

/* ---- HVPART_ANY_VP ------------------------------------------------------ */

/*
 * Ports to any VP: the sender if its SINT can take it, else a VP whose
 * SINT can (VP 1, set up by the root and never run), else none can.
 */
TEST_F(msg, any_vp_ports)
{
	struct hv_vp *vp = self->vp, *vp1;

	vp1 = vm_add_vp(self->vm, 1);
	vp_set_reg(vp1, HVPART_REG_SIMP, VP1_SIMP_GPA | 1);
	vp_set_reg(vp1, HVPART_REG_SIEFP, VP1_SIEFP_GPA | 1);
	vp_set_reg(vp1, HVPART_REG_SINT0 + SINT, 0x50 | HV_SYNIC_SINT_POLLING);
	vp_set_reg(vp1, HVPART_REG_SCONTROL, 1);
	ASSERT_EQ(0, create_port(self->vm, 30, HVPART_PORT_TYPE_MESSAGE, 0,
				 HVPART_ANY_VP, SINT, 0, 0, 0));
	ASSERT_EQ(0, connect_port(self->vm, 300, 30));
	ASSERT_EQ(0, create_port(self->vm, 31, HVPART_PORT_TYPE_EVENT, 0,
				 HVPART_ANY_VP, SINT, 0, 4, 0));
	ASSERT_EQ(0, connect_port(self->vm, 310, 31));

	EXPECT_EQ(HV_STATUS_SUCCESS, post(vp, 300, 0x1234));
	EXPECT_EQ(0x1234, tp_read(vp, SLOT_GPA + 16));
	EXPECT_EQ(HV_STATUS_SUCCESS, signal_fast(vp, 310, 1));
	EXPECT_EQ(1 << 1, tp_read(vp, FLAGS_GPA));

	/* VP 0's pages off: VP 1 takes them */
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SIMP, SIMP_GPA));
	ASSERT_EQ(0, tp_wrmsr(vp, HV_X64_MSR_SIEFP, SIEFP_GPA));
	EXPECT_EQ(HV_STATUS_SUCCESS, post(vp, 300, 0x5678));
	EXPECT_EQ(0x5678, tp_read(vp, VP1_SIMP_GPA + SINT * 256 + 16));
	EXPECT_EQ(30, tp_read(vp, VP1_SIMP_GPA + SINT * 256 + 8));
	EXPECT_EQ(HV_STATUS_SUCCESS, signal_fast(vp, 310, 2));
	EXPECT_EQ(1 << 2, tp_read(vp, VP1_SIEFP_GPA + SINT * 256));

	/* no SynIC can: the first VP answers */
	vp_set_reg(vp1, HVPART_REG_SCONTROL, 0);
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE, post(vp, 300, 1));
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE, signal_fast(vp, 310, 0));

	/* deleting the port drops what it queued at VP 1 */
	vp_set_reg(vp1, HVPART_REG_SCONTROL, 1);
	EXPECT_EQ(HV_STATUS_SUCCESS, post(vp, 300, 0x9abc));
	EXPECT_EQ(0, delete_port(self->vm, 30));

	/* other targets past the VP limit */
	EXPECT_EQ(-1, create_port(self->vm, 32, HVPART_PORT_TYPE_MESSAGE, 0,
				  0xfffffffe, SINT, 0, 0, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST(msg_no_local_apic_enxio)
{
	struct hvpart_port_info p = { .port_id = 1, .port_type = 1 };
	struct hvpart_port_id pid = { .port_id = 1 };
	struct hvpart_connection c = { .connection_id = 1, .port_id = 1 };
	struct hvpart_post_message pm = { .message_type = 7 };
	struct hvpart_signal_event se = { 0 };
	struct hv_vm *vm;

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	vm = vm_create(GUEST_MEM_SIZE);
	vm_add_vp(vm, 0);
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_CREATE_PORT, &p));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_DELETE_PORT, &pid));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_CONNECT_PORT, &c));
	EXPECT_EQ(ENXIO, errno);
	c.port_id = 0;
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_DISCONNECT_PORT, &c));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_POST_MESSAGE, &pm));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, ioctl(vm->fd, HVPART_SIGNAL_EVENT, &se));
	EXPECT_EQ(ENXIO, errno);
	vm_free(vm);
}

TEST_HARNESS_MAIN
