// SPDX-License-Identifier: GPL-2.0
/*
 * smoke: the shortest end-to-end check, one real-mode and one long-mode
 * guest run.  zz_module_reload.sh runs it after reloading the module.
 *
 * With HVPART_HOLD=<file> in the environment it does no test: it creates a
 * partition with memory and a VP, closes /dev/hvpart, writes "ready" to
 * <file> and sleeps until killed, so that a script can hold a partition fd
 * (and nothing else of hvpart's) open.
 */
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hvpart_util.h"

__asm__(GUEST_ASM_BEGIN(smoke_real)
	".code16\n"
	"	GUEST_SYNC 1\n"
	"	mov $0x1234, %ax\n"
	"	add $0x1111, %ax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(smoke_real));
GUEST_CODE_DECLARE(smoke_real);

__asm__(GUEST_ASM_BEGIN(smoke_long)
	".code64\n"
	"	GUEST_SYNC 1\n"
	"	movabs $0x123456789abcdef0, %rax\n"
	"	GUEST_REPORT\n"
	"	GUEST_DONE\n"
	GUEST_ASM_END(smoke_long));
GUEST_CODE_DECLARE(smoke_long);

TEST(real_mode_guest)
{
	struct hv_vm *vm;
	struct hv_vp *vp;

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	vm = vm_create(GUEST_MEM_SIZE);
	vp = vm_add_vp(vm, 0);
	vp_load_guest(vp, GUEST_MODE_REAL, smoke_real_start, smoke_real_end);
	ASSERT_SYNC(vp, 1);
	ASSERT_REPORT(vp, 0x2345);
	ASSERT_DONE(vp);
	vm_free(vm);
}

TEST(long_mode_guest)
{
	struct hv_vm *vm;
	struct hv_vp *vp;

	if (!hvpart_present())
		SKIP(return, HV_SKIP_REASON);
	vm = vm_create(GUEST_MEM_SIZE);
	vp = vm_add_vp(vm, 0);
	vp_load_guest(vp, GUEST_MODE_LONG64, smoke_long_start, smoke_long_end);
	ASSERT_SYNC(vp, 1);
	ASSERT_REPORT(vp, 0x123456789abcdef0ULL);
	ASSERT_DONE(vp);
	vm_free(vm);
}

static void __attribute__((constructor)) hold_mode(void)
{
	const char *ready = getenv("HVPART_HOLD");
	struct hv_vm *vm;
	int fd;

	if (!ready)
		return;
	vm = vm_create(GUEST_MEM_SIZE);
	vm_add_vp(vm, 0);
	close(vm->dev_fd);
	vm->dev_fd = -1;
	fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "ready\n", 6) != 6)
		exit(1);
	close(fd);
	for (;;)
		pause();
}

TEST_HARNESS_MAIN
