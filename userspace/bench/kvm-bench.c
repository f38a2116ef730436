// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-bench: the benchmark guest under KVM (/dev/kvm), the reference
 * hvpart is measured against.  A minimal VMM: one memory slot, one vCPU
 * with the CPUID KVM supports (as any VMM sets), no in-kernel irqchip.
 * CPUID is handled in KVM, and so is an OUT to BENCH_PORT_KERNEL, which
 * signals an ioeventfd.  An OUT to BENCH_PORT exits with KVM_EXIT_IO and
 * the runner re-enters at once (KVM completes the OUT itself).  The exit
 * count comes from the vCPU's binary statistics ("exits").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>

#include "bench.h"

/* Where KVM may put its real-mode TSS on VMX; unused on SVM. */
#define KVM_BENCH_TSS_ADDR	0xfffbd000UL
#define KVM_BENCH_MAX_CPUID	256

static int vcpu_fd, stats_fd = -1;
static struct kvm_run *run;
static off_t exits_off = -1;

static int kvm_ioctl(int fd, unsigned long cmd, unsigned long arg,
		     const char *what)
{
	int ret = ioctl(fd, cmd, arg);

	if (ret < 0)
		bench_fail("%s: %s", what, strerror(errno));
	return ret;
}

static void kvm_set_cpuid(int kvm_fd)
{
	struct kvm_cpuid2 *cpuid;
	size_t size = sizeof(*cpuid) +
		      KVM_BENCH_MAX_CPUID * sizeof(cpuid->entries[0]);

	cpuid = calloc(1, size);
	if (!cpuid)
		bench_fail("out of memory");
	cpuid->nent = KVM_BENCH_MAX_CPUID;
	kvm_ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, (unsigned long)cpuid,
		  "KVM_GET_SUPPORTED_CPUID");
	kvm_ioctl(vcpu_fd, KVM_SET_CPUID2, (unsigned long)cpuid,
		  "KVM_SET_CPUID2");
	free(cpuid);
}

/* Find the vCPU's "exits" counter; leave exits_off at -1 if absent. */
static void kvm_find_exits_stat(void)
{
	struct kvm_stats_header hdr;
	struct kvm_stats_desc *desc;
	size_t desc_size;
	char *descs;
	uint32_t i;

	stats_fd = ioctl(vcpu_fd, KVM_GET_STATS_FD, 0);
	if (stats_fd < 0)
		return;
	if (pread(stats_fd, &hdr, sizeof(hdr), 0) != sizeof(hdr))
		return;
	desc_size = sizeof(*desc) + hdr.name_size;
	descs = calloc(hdr.num_desc, desc_size);
	if (!descs)
		return;
	if (pread(stats_fd, descs, desc_size * hdr.num_desc,
		  hdr.desc_offset) == (ssize_t)(desc_size * hdr.num_desc)) {
		for (i = 0; i < hdr.num_desc; i++) {
			desc = (struct kvm_stats_desc *)(descs + i * desc_size);
			if (!strcmp(desc->name, "exits") && desc->size == 1) {
				exits_off = hdr.data_offset + desc->offset;
				break;
			}
		}
	}
	free(descs);
}

static uint64_t kvm_exits(void)
{
	uint64_t v;

	if (exits_off < 0 ||
	    pread(stats_fd, &v, sizeof(v), exits_off) != sizeof(v))
		return 0;
	return v;
}

static int kvm_setup(void *mem)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = BENCH_MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	struct kvm_ioeventfd ioeventfd = {
		.addr = BENCH_PORT_KERNEL,
		.len = 1,
		.flags = KVM_IOEVENTFD_FLAG_PIO,
	};
	int kvm_fd, vm_fd, size;

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		bench_fail("open /dev/kvm: %s", strerror(errno));
	if (kvm_ioctl(kvm_fd, KVM_GET_API_VERSION, 0, "KVM_GET_API_VERSION") !=
	    KVM_API_VERSION)
		bench_fail("KVM API version is not %d", KVM_API_VERSION);
	vm_fd = kvm_ioctl(kvm_fd, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
	kvm_ioctl(vm_fd, KVM_SET_TSS_ADDR, KVM_BENCH_TSS_ADDR,
		  "KVM_SET_TSS_ADDR");
	kvm_ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, (unsigned long)&region,
		  "KVM_SET_USER_MEMORY_REGION");
	/* nobody reads it: the counter just grows */
	ioeventfd.fd = eventfd(0, EFD_CLOEXEC);
	if (ioeventfd.fd < 0)
		bench_fail("eventfd: %s", strerror(errno));
	kvm_ioctl(vm_fd, KVM_IOEVENTFD, (unsigned long)&ioeventfd,
		  "KVM_IOEVENTFD");
	vcpu_fd = kvm_ioctl(vm_fd, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU");
	size = kvm_ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0,
			 "KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd, 0);
	if (run == MAP_FAILED)
		bench_fail("mmap vcpu: %s", strerror(errno));
	kvm_set_cpuid(kvm_fd);
	kvm_find_exits_stat();
	return 0;
}

/* Real mode at 0:@ip, segments based at 0, @n in ESI, @port in DX. */
static void kvm_set_real_mode(uint16_t ip, uint64_t n, uint16_t port)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_segment *segs[] = {
		&sregs.cs, &sregs.ds, &sregs.es, &sregs.fs, &sregs.gs,
		&sregs.ss,
	};
	unsigned int i;

	/* KVM's reset state is real mode at f000:fff0: move CS to 0 */
	kvm_ioctl(vcpu_fd, KVM_GET_SREGS, (unsigned long)&sregs,
		  "KVM_GET_SREGS");
	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		segs[i]->base = 0;
		segs[i]->selector = 0;
	}
	kvm_ioctl(vcpu_fd, KVM_SET_SREGS, (unsigned long)&sregs,
		  "KVM_SET_SREGS");

	memset(&regs, 0, sizeof(regs));
	regs.rip = ip;
	regs.rsi = n;
	regs.rdx = port;
	regs.rflags = 2;
	kvm_ioctl(vcpu_fd, KVM_SET_REGS, (unsigned long)&regs, "KVM_SET_REGS");
}

/* N x KVM_RUN that returns -EINTR at once: no guest entry. */
static int kvm_run_null(uint64_t n, uint64_t *ns)
{
	uint64_t t0, i;

	run->immediate_exit = 1;
	t0 = bench_now_ns();
	for (i = 0; i < n; i++) {
		if (ioctl(vcpu_fd, KVM_RUN, 0) == 0 || errno != EINTR) {
			fprintf(stderr,
				"bench: kvm null: KVM_RUN did not fail with EINTR\n");
			return -1;
		}
	}
	*ns = bench_now_ns() - t0;
	run->immediate_exit = 0;
	return 0;
}

static int kvm_run_row(enum bench_row row, uint64_t n, uint64_t *ns,
		       uint64_t *exits)
{
	uint64_t t0, exits0;
	int ret;

	if (row == BENCH_ROW_NULL) {
		exits0 = kvm_exits();
		ret = kvm_run_null(n, ns);
		*exits = kvm_exits() - exits0;
		return ret;
	}
	kvm_set_real_mode(bench_row_ip(row), n, bench_row_port(row));
	exits0 = kvm_exits();

	t0 = bench_now_ns();
	for (;;) {
		if (ioctl(vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			bench_fail("KVM_RUN: %s", strerror(errno));
		}
		if (run->exit_reason == KVM_EXIT_IO && row == BENCH_ROW_OUT &&
		    run->io.port == BENCH_PORT &&
		    run->io.direction == KVM_EXIT_IO_OUT)
			continue;
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		fprintf(stderr, "bench: kvm %s: unexpected exit reason %u\n",
			bench_row_name(row), run->exit_reason);
		return -1;
	}
	*ns = bench_now_ns() - t0;
	*exits = kvm_exits() - exits0;
	return 0;
}

static const struct bench_ops kvm_ops = {
	.name	= "kvm",
	.setup	= kvm_setup,
	.run	= kvm_run_row,
};

int main(int argc, char **argv)
{
	return bench_main(argc, argv, &kvm_ops);
}
