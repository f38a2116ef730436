// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-bench: the benchmark guest under KVM (/dev/kvm), the reference
 * hvpart is measured against.  A minimal VMM: one memory slot, one vCPU
 * with the CPUID KVM supports (as any VMM sets), no in-kernel irqchip.
 * CPUID is handled in KVM, and so is an OUT to BENCH_PORT_KERNEL, which
 * signals an ioeventfd.  An OUT to BENCH_PORT exits with KVM_EXIT_IO and
 * the runner re-enters at once (KVM completes the OUT itself).  The exit
 * count comes from the vCPU's binary statistics ("exits").
 *
 * KVM's Hyper-V emulation is on, as a VMM enables it for a Windows guest
 * (QEMU's hv-* flags): the leaves KVM_GET_SUPPORTED_HV_CPUID reports take
 * 0x40000000 up (in place of KVM's own "KVMKVMKVM" leaves), which makes
 * KVM handle the synthetic MSRs and the hypercalls in the kernel, and
 * KVM_CAP_HYPERV_ENFORCE_CPUID makes it grant exactly what they say.
 *
 * The local APIC rows run in a second VM with the in-kernel irqchip
 * (KVM_CREATE_IRQCHIP), two vCPUs over the same memory and the same CPUID
 * plus x2APIC and the TSC-deadline timer, as a VMM sets them.  vCPU 1
 * waits for INIT-SIPI until the ipi row sets its MP state to runnable.
 *
 * The SynIC rows run in that VM with vCPU 0's SynIC on
 * (KVM_CAP_HYPERV_SYNIC2, else KVM_CAP_HYPERV_SYNIC), as QEMU's hv-synic
 * sets it up.  The guest's HvPostMessage exits to the runner
 * (KVM_EXIT_HYPERV_HCALL), which writes the reply into the guest's SIM
 * slot itself, raises the SINT through an irqfd on a GSI routed to it
 * (KVM_IRQ_ROUTING_HV_SINT), sets the call's result and re-enters.  The
 * guest's HvSignalEvent stays in KVM: KVM_HYPERV_EVENTFD binds the
 * connection to an eventfd, read once after each run.
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

/* The hypervisor CPUID range and the Hyper-V values the calls need. */
#define KVM_BENCH_HV_LEAF_FIRST		0x40000000
#define KVM_BENCH_HV_LEAF_LAST		0x400000ff
#define HYPERV_CPUID_INTERFACE		0x40000001
#define HYPERV_CPUID_FEATURES		0x40000003
#define HYPERV_CPUID_ENLIGHTMENT_INFO	0x40000004
#define HYPERV_CPUID_SIGNATURE_EAX	0x31237648	/* "Hv#1" */
#define HV_MSR_HYPERCALL_AVAILABLE	(1U << 5)	/* 0x40000003 EAX */
#define HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED (1U << 2)	/* 0x40000004 EAX */
/* the GSI routed to vCPU 0's BENCH_SINT: past the irqchip's 24 pins */
#define KVM_BENCH_SINT_GSI		24
/* CPUID 1 ECX */
#define CPUID_1_ECX_X2APIC		(1U << 21)
#define CPUID_1_ECX_TSC_DEADLINE	(1U << 24)

/**
 * struct kvm_bench_vcpu - a vCPU
 * @fd: its fd
 * @run: its mapped struct kvm_run
 * @stats_fd: its binary statistics fd, or -1
 * @exits_off: where its "exits" counter is in @stats_fd, or -1
 * @reset_sregs: its reset state: each run starts from it, in real mode
 */
struct kvm_bench_vcpu {
	int fd;
	struct kvm_run *run;
	int stats_fd;
	off_t exits_off;
	struct kvm_sregs reset_sregs;
};

static int kvm_fd;
/* the VM of the rows before the local APIC ones, and its vCPU */
static struct kvm_bench_vcpu vcpu0;
/* the local APIC VM's vCPUs */
static struct kvm_bench_vcpu apic_vcpu[2];
/* the local APIC VM, its memory */
static int apic_vm_fd = -1;
static unsigned char *apic_mem;
/* the SynIC rows: the SINT's irqfd, the event connection's eventfd */
static int sint_fd = -1;
static int event_fd = -1;

static int kvm_ioctl(int fd, unsigned long cmd, unsigned long arg,
		     const char *what)
{
	int ret = ioctl(fd, cmd, arg);

	if (ret < 0)
		bench_fail("%s: %s", what, strerror(errno));
	return ret;
}

static struct kvm_cpuid2 *kvm_alloc_cpuid(void)
{
	struct kvm_cpuid2 *cpuid;

	cpuid = calloc(1, sizeof(*cpuid) +
		       KVM_BENCH_MAX_CPUID * sizeof(cpuid->entries[0]));
	if (!cpuid)
		bench_fail("out of memory");
	cpuid->nent = KVM_BENCH_MAX_CPUID;
	return cpuid;
}

static struct kvm_cpuid_entry2 *kvm_find_leaf(struct kvm_cpuid2 *cpuid,
					      uint32_t function)
{
	uint32_t i;

	for (i = 0; i < cpuid->nent; i++) {
		if (cpuid->entries[i].function == function)
			return &cpuid->entries[i];
	}
	return NULL;
}

/*
 * The supported CPUID with the Hyper-V leaves in the hypervisor range;
 * fails unless they enable the hypercall page and the flush calls.
 * @apic: with x2APIC and the TSC-deadline timer (in-kernel irqchip).
 */
static void kvm_set_cpuid(int fd, int apic)
{
	struct kvm_cpuid2 *cpuid = kvm_alloc_cpuid(), *hv = kvm_alloc_cpuid();
	struct kvm_cpuid_entry2 *e;
	uint32_t i, nent = 0;

	kvm_ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, (unsigned long)cpuid,
		  "KVM_GET_SUPPORTED_CPUID");
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYS_HYPERV_CPUID) > 0)
		kvm_ioctl(kvm_fd, KVM_GET_SUPPORTED_HV_CPUID,
			  (unsigned long)hv, "KVM_GET_SUPPORTED_HV_CPUID");
	else
		kvm_ioctl(fd, KVM_GET_SUPPORTED_HV_CPUID,
			  (unsigned long)hv, "KVM_GET_SUPPORTED_HV_CPUID (vCPU)");

	/* drop KVM's own leaves from the hypervisor range */
	for (i = 0; i < cpuid->nent; i++) {
		e = &cpuid->entries[i];
		if (e->function >= KVM_BENCH_HV_LEAF_FIRST &&
		    e->function <= KVM_BENCH_HV_LEAF_LAST)
			continue;
		cpuid->entries[nent++] = *e;
	}
	if (nent + hv->nent > KVM_BENCH_MAX_CPUID)
		bench_fail("too many CPUID leaves");
	memcpy(&cpuid->entries[nent], hv->entries,
	       hv->nent * sizeof(hv->entries[0]));
	cpuid->nent = nent + hv->nent;

	e = kvm_find_leaf(cpuid, HYPERV_CPUID_INTERFACE);
	if (!e || e->eax != HYPERV_CPUID_SIGNATURE_EAX)
		bench_fail("KVM_GET_SUPPORTED_HV_CPUID: no \"Hv#1\" interface");
	e = kvm_find_leaf(cpuid, HYPERV_CPUID_FEATURES);
	if (!e || !(e->eax & HV_MSR_HYPERCALL_AVAILABLE))
		bench_fail("KVM_GET_SUPPORTED_HV_CPUID: no hypercall MSR");
	e = kvm_find_leaf(cpuid, HYPERV_CPUID_ENLIGHTMENT_INFO);
	if (!e || !(e->eax & HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED))
		bench_fail("KVM_GET_SUPPORTED_HV_CPUID: no remote TLB flush");
	e = kvm_find_leaf(cpuid, 1);
	if (apic && e) {
		/* KVM emulates both; the deadline bit is the VMM's to set */
		e->ecx |= CPUID_1_ECX_X2APIC;
		if (ioctl(kvm_fd, KVM_CHECK_EXTENSION,
			  KVM_CAP_TSC_DEADLINE_TIMER) > 0)
			e->ecx |= CPUID_1_ECX_TSC_DEADLINE;
	}

	kvm_ioctl(fd, KVM_SET_CPUID2, (unsigned long)cpuid,
		  "KVM_SET_CPUID2");
	free(hv);
	free(cpuid);
}

/* Hyper-V: KVM grants what the CPUID leaves say, no more (if it can). */
static void kvm_enforce_hv_cpuid(int fd)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_HYPERV_ENFORCE_CPUID,
		.args = { 1 },
	};

	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_HYPERV_ENFORCE_CPUID) > 0)
		kvm_ioctl(fd, KVM_ENABLE_CAP, (unsigned long)&cap,
			  "KVM_ENABLE_CAP(KVM_CAP_HYPERV_ENFORCE_CPUID)");
}

/* Find @v's "exits" counter; leave exits_off at -1 if absent. */
static void kvm_find_exits_stat(struct kvm_bench_vcpu *v)
{
	struct kvm_stats_header hdr;
	struct kvm_stats_desc *desc;
	size_t desc_size;
	char *descs;
	uint32_t i;

	v->exits_off = -1;
	v->stats_fd = ioctl(v->fd, KVM_GET_STATS_FD, 0);
	if (v->stats_fd < 0)
		return;
	if (pread(v->stats_fd, &hdr, sizeof(hdr), 0) != sizeof(hdr))
		return;
	desc_size = sizeof(*desc) + hdr.name_size;
	descs = calloc(hdr.num_desc, desc_size);
	if (!descs)
		return;
	if (pread(v->stats_fd, descs, desc_size * hdr.num_desc,
		  hdr.desc_offset) == (ssize_t)(desc_size * hdr.num_desc)) {
		for (i = 0; i < hdr.num_desc; i++) {
			desc = (struct kvm_stats_desc *)(descs + i * desc_size);
			if (!strcmp(desc->name, "exits") && desc->size == 1) {
				v->exits_off = hdr.data_offset + desc->offset;
				break;
			}
		}
	}
	free(descs);
}

static uint64_t kvm_vcpu_exits(const struct kvm_bench_vcpu *v)
{
	uint64_t exits;

	if (v->exits_off < 0 ||
	    pread(v->stats_fd, &exits, sizeof(exits), v->exits_off) !=
	    sizeof(exits))
		return 0;
	return exits;
}

static uint64_t kvm_exits(void)
{
	return kvm_vcpu_exits(&vcpu0);
}

/* A VM over @mem: the TSS address VMX wants, one memory slot. */
static int kvm_create_vm(void *mem)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = BENCH_MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	int vm_fd;

	vm_fd = kvm_ioctl(kvm_fd, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
	kvm_ioctl(vm_fd, KVM_SET_TSS_ADDR, KVM_BENCH_TSS_ADDR,
		  "KVM_SET_TSS_ADDR");
	kvm_ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, (unsigned long)&region,
		  "KVM_SET_USER_MEMORY_REGION");
	return vm_fd;
}

/* vCPU @id of @vm_fd, with its CPUID (@apic: see kvm_set_cpuid()). */
static void kvm_create_vcpu(int vm_fd, unsigned int id, int apic,
			    struct kvm_bench_vcpu *v)
{
	int size;

	v->fd = kvm_ioctl(vm_fd, KVM_CREATE_VCPU, id, "KVM_CREATE_VCPU");
	size = kvm_ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0,
			 "KVM_GET_VCPU_MMAP_SIZE");
	v->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd,
		      0);
	if (v->run == MAP_FAILED)
		bench_fail("mmap vcpu: %s", strerror(errno));
	kvm_set_cpuid(v->fd, apic);
	kvm_enforce_hv_cpuid(v->fd);
	kvm_ioctl(v->fd, KVM_GET_SREGS, (unsigned long)&v->reset_sregs,
		  "KVM_GET_SREGS");
	kvm_find_exits_stat(v);
}

static int kvm_setup(void *mem)
{
	struct kvm_ioeventfd ioeventfd = {
		.addr = BENCH_PORT_KERNEL,
		.len = 1,
		.flags = KVM_IOEVENTFD_FLAG_PIO,
	};
	int vm_fd;

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		bench_fail("open /dev/kvm: %s", strerror(errno));
	if (kvm_ioctl(kvm_fd, KVM_GET_API_VERSION, 0, "KVM_GET_API_VERSION") !=
	    KVM_API_VERSION)
		bench_fail("KVM API version is not %d", KVM_API_VERSION);
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_HYPERV) <= 0)
		bench_fail("KVM has no Hyper-V emulation (KVM_CAP_HYPERV)");
	vm_fd = kvm_create_vm(mem);
	/* nobody reads it: the counter just grows */
	ioeventfd.fd = eventfd(0, EFD_CLOEXEC);
	if (ioeventfd.fd < 0)
		bench_fail("eventfd: %s", strerror(errno));
	kvm_ioctl(vm_fd, KVM_IOEVENTFD, (unsigned long)&ioeventfd,
		  "KVM_IOEVENTFD");
	kvm_create_vcpu(vm_fd, 0, 0, &vcpu0);
	return 0;
}

/*
 * @v in real mode at 0:@ip, segments based at 0, @n in ESI, @port in DX:
 * the reset state (CR0, CR3, CR4, EFER, descriptor caches, APIC base)
 * whatever mode the last run left, with CS moved.
 */
static void kvm_set_real_mode(const struct kvm_bench_vcpu *v, uint16_t ip,
			      uint64_t n, uint16_t port)
{
	struct kvm_sregs sregs = v->reset_sregs;
	struct kvm_regs regs;
	struct kvm_segment *segs[] = {
		&sregs.cs, &sregs.ds, &sregs.es, &sregs.fs, &sregs.gs,
		&sregs.ss,
	};
	unsigned int i;

	/* KVM's reset state is real mode at f000:fff0: move CS to 0 */
	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		segs[i]->base = 0;
		segs[i]->selector = 0;
	}
	kvm_ioctl(v->fd, KVM_SET_SREGS, (unsigned long)&sregs,
		  "KVM_SET_SREGS");

	memset(&regs, 0, sizeof(regs));
	regs.rip = ip;
	regs.rsi = n;
	regs.rdx = port;
	regs.rflags = 2;
	kvm_ioctl(v->fd, KVM_SET_REGS, (unsigned long)&regs, "KVM_SET_REGS");
}

/* N x KVM_RUN that returns -EINTR at once: no guest entry. */
static int kvm_run_null(uint64_t n, uint64_t *ns)
{
	uint64_t t0, i;

	vcpu0.run->immediate_exit = 1;
	t0 = bench_now_ns();
	for (i = 0; i < n; i++) {
		if (ioctl(vcpu0.fd, KVM_RUN, 0) == 0 || errno != EINTR) {
			fprintf(stderr,
				"bench: kvm null: KVM_RUN did not fail with EINTR\n");
			return -1;
		}
	}
	*ns = bench_now_ns() - t0;
	vcpu0.run->immediate_exit = 0;
	return 0;
}

/*
 * The guest's HvPostMessage (KVM_EXIT_HYPERV_HCALL): answer a
 * BENCH_MSG_TYPE_POST to BENCH_CONN_MSG with a BENCH_MSG_TYPE_REPLY that
 * carries the same payload, written into vCPU 0's SIM slot (free: the
 * guest frees it before it posts again), and raise the SINT; set the
 * call's result.  -1 after saying why if the guest broke the protocol.
 */
static int kvm_post_message(struct kvm_run *run)
{
	uint64_t gpa = run->hyperv.u.hcall.params[0];
	unsigned char *in, *slot = apic_mem + BENCH_SIM_SLOT_GPA;
	uint32_t conn, type, size;
	uint64_t one = 1;

	if ((run->hyperv.u.hcall.input & 0xffff) != HVCALL_POST_MESSAGE ||
	    gpa > BENCH_MEM_SIZE - 256 || (gpa & 7)) {
		fprintf(stderr, "bench: kvm: unexpected hypercall %#llx, input at %#llx\n",
			(unsigned long long)run->hyperv.u.hcall.input,
			(unsigned long long)gpa);
		return -1;
	}
	in = apic_mem + gpa;
	memcpy(&conn, in, 4);
	memcpy(&type, in + 8, 4);
	memcpy(&size, in + 12, 4);
	run->hyperv.u.hcall.result = HV_STATUS_INVALID_CONNECTION_ID;
	if (conn != BENCH_CONN_MSG)
		return 0;
	if (type != BENCH_MSG_TYPE_POST || size != 8 ||
	    *(volatile uint32_t *)(slot + BENCH_MSG_TYPE)) {
		fprintf(stderr, "bench: kvm postmsg: type %#x size %u, slot %s\n",
			type, size, *(uint32_t *)slot ? "busy" : "free");
		return -1;
	}
	memcpy(slot + BENCH_MSG_PAYLOAD, in + 16, 8);
	slot[BENCH_MSG_SIZE] = 8;
	slot[BENCH_MSG_FLAGS] = 0;
	*(uint64_t *)(slot + BENCH_MSG_SENDER) = BENCH_PORT_MSG;
	/* the type last: it makes the slot the guest's */
	__atomic_store_n((uint32_t *)(slot + BENCH_MSG_TYPE),
			 BENCH_MSG_TYPE_REPLY, __ATOMIC_RELEASE);
	if (write(sint_fd, &one, sizeof(one)) != sizeof(one)) {
		fprintf(stderr, "bench: kvm postmsg: irqfd: %s\n",
			strerror(errno));
		return -1;
	}
	run->hyperv.u.hcall.result = 0;
	return 0;
}

/*
 * Enter @v until it halts, re-entering after each OUT to BENCH_PORT; a
 * local APIC row stops at its first OUT (KVM completes it at the next
 * KVM_RUN).
 */
static int kvm_run_to_halt(const struct kvm_bench_vcpu *v, enum bench_row row)
{
	struct kvm_run *run = v->run;

	for (;;) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR && bench_hung)
				return -1;
			if (errno == EINTR)
				continue;
			bench_fail("KVM_RUN: %s", strerror(errno));
		}
		if (run->exit_reason == KVM_EXIT_IO &&
		    run->io.port == BENCH_PORT &&
		    run->io.direction == KVM_EXIT_IO_OUT) {
			if (bench_row_apic(row))
				return 0;
			if (row == BENCH_ROW_OUT)
				continue;
		}
		if (run->exit_reason == KVM_EXIT_HLT)
			return 0;
		/* the SynIC rows: its MSRs set (nothing to do), a message */
		if (run->exit_reason == KVM_EXIT_HYPERV &&
		    run->hyperv.type == KVM_EXIT_HYPERV_SYNIC)
			continue;
		if (run->exit_reason == KVM_EXIT_HYPERV &&
		    run->hyperv.type == KVM_EXIT_HYPERV_HCALL) {
			if (kvm_post_message(run))
				return -1;
			continue;
		}
		fprintf(stderr, "bench: kvm %s: unexpected exit reason %u\n",
			bench_row_name(row), run->exit_reason);
		return -1;
	}
}

static int kvm_run_row(enum bench_row row, uint64_t n, struct bench_sample *s)
{
	struct kvm_regs regs;
	uint64_t t0, exits0;
	int ret;

	if (row == BENCH_ROW_NULL) {
		exits0 = kvm_exits();
		ret = kvm_run_null(n, &s->ns);
		s->exits = kvm_exits() - exits0;
		return ret;
	}
	kvm_set_real_mode(&vcpu0, bench_row_ip(row), n, bench_row_port(row));
	/* the hypercall rows' set-up (long mode, hypercall page): untimed */
	if (bench_row_hcall(row) && kvm_run_to_halt(&vcpu0, row))
		return -1;
	exits0 = kvm_exits();

	t0 = bench_now_ns();
	if (kvm_run_to_halt(&vcpu0, row))
		return -1;
	s->ns = bench_now_ns() - t0;
	s->exits = kvm_exits() - exits0;

	if (bench_row_hcall(row)) {
		kvm_ioctl(vcpu0.fd, KVM_GET_REGS, (unsigned long)&regs,
			  "KVM_GET_REGS");
		s->hc_bad = regs.r15;
		s->hc_last_bad = regs.r14;
	}
	return 0;
}

static const char *kvm_apic_setup(void *mem)
{
	int vm_fd;

	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) <= 0)
		return "no KVM_CAP_IRQCHIP";
	vm_fd = kvm_create_vm(mem);
	/* the local APICs (and a PIC and an I/O APIC nobody uses) */
	if (ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return strerror(errno);
	kvm_create_vcpu(vm_fd, 0, 1, &apic_vcpu[0]);
	kvm_create_vcpu(vm_fd, 1, 1, &apic_vcpu[1]);
	apic_vm_fd = vm_fd;
	apic_mem = mem;
	return NULL;
}

/* A GSI routed to vCPU 0's BENCH_SINT, raised by writing sint_fd. */
static void kvm_sint_irqfd(void)
{
	struct {
		struct kvm_irq_routing table;
		struct kvm_irq_routing_entry entry;
	} r = {
		.table.nr = 1,
		.entry = {
			.gsi = KVM_BENCH_SINT_GSI,
			.type = KVM_IRQ_ROUTING_HV_SINT,
			.u.hv_sint = { .vcpu = 0, .sint = BENCH_SINT },
		},
	};
	struct kvm_irqfd irqfd = { .gsi = KVM_BENCH_SINT_GSI };

	/* the table replaces the irqchip's: nothing uses its pins here */
	kvm_ioctl(apic_vm_fd, KVM_SET_GSI_ROUTING, (unsigned long)&r,
		  "KVM_SET_GSI_ROUTING");
	sint_fd = eventfd(0, EFD_CLOEXEC);
	if (sint_fd < 0)
		bench_fail("eventfd: %s", strerror(errno));
	irqfd.fd = sint_fd;
	kvm_ioctl(apic_vm_fd, KVM_IRQFD, (unsigned long)&irqfd, "KVM_IRQFD");
}

static const char *kvm_synic_setup(void)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_HYPERV_SYNIC2 };
	struct kvm_hyperv_eventfd hvev = { .conn_id = BENCH_CONN_EVENT };

	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_HYPERV_SYNIC2) <= 0) {
		if (ioctl(kvm_fd, KVM_CHECK_EXTENSION,
			  KVM_CAP_HYPERV_SYNIC) <= 0)
			return "no KVM_CAP_HYPERV_SYNIC";
		cap.cap = KVM_CAP_HYPERV_SYNIC;
	}
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_HYPERV_EVENTFD) <= 0)
		return "no KVM_CAP_HYPERV_EVENTFD";
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD) <= 0)
		return "no KVM_CAP_IRQFD";
	kvm_ioctl(apic_vcpu[0].fd, KVM_ENABLE_CAP, (unsigned long)&cap,
		  "KVM_ENABLE_CAP(KVM_CAP_HYPERV_SYNIC)");
	kvm_sint_irqfd();
	event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (event_fd < 0)
		bench_fail("eventfd: %s", strerror(errno));
	hvev.fd = event_fd;
	kvm_ioctl(apic_vm_fd, KVM_HYPERV_EVENTFD, (unsigned long)&hvev,
		  "KVM_HYPERV_EVENTFD");
	return NULL;
}

/* The eventfd's count since the last read (non-blocking: 0 if none). */
static uint64_t kvm_synic_events(void)
{
	uint64_t v;

	if (read(event_fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static void kvm_apic_enter(unsigned int index, uint16_t ip, uint64_t n)
{
	/* runnable: vCPU 1 waits for INIT-SIPI, or is halted from last time */
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	kvm_set_real_mode(&apic_vcpu[index], ip, n, BENCH_PORT);
	kvm_ioctl(apic_vcpu[index].fd, KVM_SET_MP_STATE, (unsigned long)&mp,
		  "KVM_SET_MP_STATE");
}

static int kvm_apic_run(void)
{
	return kvm_run_to_halt(&apic_vcpu[0], BENCH_ROW_SELFIPI);
}

static int kvm_ap_enter(void)
{
	if (ioctl(apic_vcpu[1].fd, KVM_RUN, 0) < 0) {
		if (errno == EINTR)
			return 0;
		fprintf(stderr, "bench: kvm ipi: vCPU 1: KVM_RUN: %s\n",
			strerror(errno));
		return -1;
	}
	fprintf(stderr, "bench: kvm ipi: vCPU 1 left the guest: exit reason %u\n",
		apic_vcpu[1].run->exit_reason);
	return -1;
}

static uint64_t kvm_apic_exits(void)
{
	return kvm_vcpu_exits(&apic_vcpu[0]) + kvm_vcpu_exits(&apic_vcpu[1]);
}

static void kvm_apic_dump(void)
{
	struct kvm_mp_state mp;
	struct kvm_lapic_state lapic;
	struct kvm_regs regs;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(apic_vcpu); i++) {
		if (ioctl(apic_vcpu[i].fd, KVM_GET_REGS, &regs) ||
		    ioctl(apic_vcpu[i].fd, KVM_GET_MP_STATE, &mp) ||
		    ioctl(apic_vcpu[i].fd, KVM_GET_LAPIC, &lapic))
			continue;
		fprintf(stderr,
			"bench: kvm vCPU %u: RIP %#llx RFLAGS %#llx mp_state %u ISR[95:64] %#x IRR[95:64] %#x\n",
			i, (unsigned long long)regs.rip,
			(unsigned long long)regs.rflags, mp.mp_state,
			*(uint32_t *)&lapic.regs[0x120],
			*(uint32_t *)&lapic.regs[0x220]);
	}
}

static const struct bench_ops kvm_ops = {
	.name		= "kvm",
	.setup		= kvm_setup,
	.run		= kvm_run_row,
	.apic_setup	= kvm_apic_setup,
	.apic_enter	= kvm_apic_enter,
	.apic_run	= kvm_apic_run,
	.ap_enter	= kvm_ap_enter,
	.apic_exits	= kvm_apic_exits,
	.apic_dump	= kvm_apic_dump,
	.synic_setup	= kvm_synic_setup,
	.synic_events	= kvm_synic_events,
};

int main(int argc, char **argv)
{
	return bench_main(argc, argv, &kvm_ops);
}
