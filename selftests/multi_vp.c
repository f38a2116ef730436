// SPDX-License-Identifier: GPL-2.0
/*
 * multi_vp: VPs of one partition running at the same time, each on its own
 * thread (Linux schedules VPs), each doing port I/O that its thread
 * answers.  Every message must name the right VP and carry that VP's own
 * data, however the runs interleave.
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "hvpart_util.h"

#define ITERATIONS	500
#define OUT_PORT	0x500
#define IN_PORT		0x501
#define MAX_THREADS	4

/*
 * RBX holds the VP's tag (set by the host).  Each iteration i writes
 * tag + i to OUT_PORT, reads IN_PORT and expects tag ^ i back.
 */
__asm__(GUEST_ASM_BEGIN(g_multi)
	".code64\n"
	"	xor %r12d, %r12d\n"
	"	mov $" G_STR(OUT_PORT) ", %edx\n"
	"1:	lea (%rbx,%r12), %rax\n"
	"	out %eax, (%dx)\n"
	"	inc %edx\n"
	"	in (%dx), %eax\n"
	"	dec %edx\n"
	"	mov %rbx, %rcx\n"
	"	xor %r12, %rcx\n"
	"	GUEST_ASSERT_EQ %rcx, %rax, 1\n"
	"	inc %r12\n"
	"	cmp $" G_STR(ITERATIONS) ", %r12\n"
	"	jne 1b\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(g_multi));
GUEST_CODE_DECLARE(g_multi);

struct vp_thread {
	struct hv_vp *vp;
	pthread_barrier_t *start;
	uint32_t tag;
	int exits;
	char error[256];	/* the first failure, empty if none */
};

static void *vp_thread(void *arg)
{
	struct vp_thread *t = arg;
	struct hv_vp *vp = t->vp;
	const struct hvpart_x64_io_port_intercept *io = &vp->run->msg.u.io_port;
	uint32_t outs = 0, ins = 0;
	struct ucall uc;

	pthread_barrier_wait(t->start);
	for (;;) {
		if (__vp_run(vp)) {
			snprintf(t->error, sizeof(t->error),
				 "RUN failed: %s", strerror(errno));
			return NULL;
		}
		t->exits++;
		if (get_ucall(vp, &uc) == UCALL_DONE)
			break;
		if (uc.type == UCALL_FAIL) {
			snprintf(t->error, sizeof(t->error),
				 "guest assertion %llu after %u ins",
				 (unsigned long long)uc.arg, ins);
			return NULL;
		}
		if (vp->run->msg.header.message_type !=
		    HVPART_MSG_X64_IO_PORT_INTERCEPT) {
			snprintf(t->error, sizeof(t->error), "message %s",
				 hv_msg_name(vp->run->msg.header.message_type));
			return NULL;
		}
		if (io->header.vp_index != vp->index) {
			snprintf(t->error, sizeof(t->error),
				 "message of VP %u on VP %u's run page",
				 io->header.vp_index, vp->index);
			return NULL;
		}
		if (io->port_number == OUT_PORT &&
		    io->header.intercept_access_type ==
		    HVPART_INTERCEPT_ACCESS_WRITE) {
			if ((uint32_t)io->rax != t->tag + outs) {
				snprintf(t->error, sizeof(t->error),
					 "OUT %#x, expected %#x",
					 (uint32_t)io->rax, t->tag + outs);
				return NULL;
			}
			outs++;
			vp_complete(vp, HVPART_RUN_COMPLETE_ADVANCE_RIP, 0);
		} else if (io->port_number == IN_PORT &&
			   io->header.intercept_access_type ==
			   HVPART_INTERCEPT_ACCESS_READ) {
			vp_complete(vp, HVPART_RUN_COMPLETE_ADVANCE_RIP |
				    HVPART_RUN_COMPLETE_SET_RAX, t->tag ^ ins);
			ins++;
		} else {
			snprintf(t->error, sizeof(t->error),
				 "unexpected access to port %#x",
				 io->port_number);
			return NULL;
		}
	}
	if (outs != ITERATIONS || ins != ITERATIONS)
		snprintf(t->error, sizeof(t->error), "%u OUTs and %u INs",
			 outs, ins);
	return NULL;
}

static void run_vps(struct __test_metadata *_metadata, unsigned int n)
{
	struct vp_thread threads[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	pthread_barrier_t start;
	struct hv_vm *vm;
	unsigned int i;
	long max_vps;

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	vm = vm_create(GUEST_MEM_SIZE);
	max_vps = hvpart_cap(vm->dev_fd, HVPART_CAP_MAX_VPS);
	if (max_vps < n)
		SKIP(return, "CAP_MAX_VPS is %ld, this needs %u", max_vps, n);
	vm_install_intercept(vm, HVPART_INTERCEPT_TYPE_X64_IO_PORT,
			     HVPART_INTERCEPT_ACCESS_MASK_READ |
			     HVPART_INTERCEPT_ACCESS_MASK_WRITE,
			     OUT_PORT, IN_PORT);
	vm_load(vm, LOAD_GPA, g_multi_start, g_multi_end);
	ASSERT_OK(pthread_barrier_init(&start, NULL, n));
	for (i = 0; i < n; i++) {
		struct hv_vp *vp = vm_add_vp(vm, i);

		vp_setup_mode(vp, GUEST_MODE_LONG64, LOAD_GPA);
		threads[i] = (struct vp_thread) {
			.vp = vp,
			.start = &start,
			.tag = (i + 1) << 24,
		};
		vp_set_reg(vp, HVPART_REG_RBX, threads[i].tag);
	}
	for (i = 0; i < n; i++)
		ASSERT_OK(-pthread_create(&tids[i], NULL, vp_thread,
					  &threads[i]));
	for (i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	for (i = 0; i < n; i++) {
		if (threads[i].error[0])
			TH_LOG("VP %u: %s", i, threads[i].error);
		EXPECT_EQ(0, threads[i].error[0]);
		EXPECT_EQ(2 * ITERATIONS + 1, threads[i].exits);
	}
	pthread_barrier_destroy(&start);
	vm_free(vm);
}

TEST(two_vps)
{
	run_vps(_metadata, 2);
}

TEST(four_vps)
{
	run_vps(_metadata, 4);
}

TEST_HARNESS_MAIN
