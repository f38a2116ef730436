// SPDX-License-Identifier: GPL-2.0
/*
 * hvpart selftest library: device, partitions, memory, VPs, registers and
 * the run loop.  See include/hvpart_util.h.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvpart_util.h"

void hv_abort(const char *file, int line, const char *cond,
	      const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "# %s:%d: assertion '%s' failed: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (errno %d: %s)\n", err, strerror(err));
	abort();
}

bool hvpart_present(void)
{
	return access(HVPART_DEV, F_OK) == 0;
}

int hvpart_open(void)
{
	int fd = open(HVPART_DEV, O_RDWR | O_CLOEXEC);

	HV_ASSERT(fd >= 0, "open(%s)", HVPART_DEV);
	return fd;
}

long hvpart_cap(int dev_fd, unsigned long cap)
{
	long r = ioctl(dev_fd, HVPART_CHECK_EXTENSION, cap);

	HV_ASSERT(r >= 0, "HVPART_CHECK_EXTENSION(%lu)", cap);
	return r;
}

size_t hvpart_vp_mmap_size(int dev_fd)
{
	long r = ioctl(dev_fd, HVPART_GET_VP_MMAP_SIZE, 0);

	HV_ASSERT(r >= (long)sizeof(struct hvpart_run),
		  "HVPART_GET_VP_MMAP_SIZE returned %ld", r);
	return r;
}

int hvpart_create_partition(int dev_fd)
{
	return hvpart_create_partition_flags(dev_fd, 0);
}

int hvpart_create_partition_flags(int dev_fd, uint64_t flags)
{
	struct hvpart_create_partition cp = { .flags = flags };
	int fd = ioctl(dev_fd, HVPART_CREATE_PARTITION, &cp);

	HV_ASSERT(fd >= 0, "HVPART_CREATE_PARTITION");
	return fd;
}

/* Whether /dev/hvpart offers boolean capability @cap. */
bool hvpart_has_cap(unsigned long cap)
{
	int fd = hvpart_open();
	bool ret = hvpart_cap(fd, cap) == 1;

	close(fd);
	return ret;
}

/*
 * The host is QEMU's TCG emulating SVM (its hypervisor leaf says so):
 * the emulated machine whose defects some tests must know of (README,
 * Limits): a VM exit from a guest whose EFER.LME is set while CR0.PG and
 * CR4.PAE are clear wedges the host CPU, and an injected interrupt is
 * now and then delivered twice.
 */
bool hv_qemu_tcg_svm(void)
{
	int fd = hvpart_open();
	long vendor = hvpart_cap(fd, HVPART_CAP_VENDOR);
	uint32_t a, sig[3];

	close(fd);
	if (vendor != HVPART_VENDOR_SVM)
		return false;
	host_cpuid(1, 0, &a, &sig[0], &sig[1], &sig[2]);
	if (!(sig[1] & (1U << 31)))
		return false;
	host_cpuid(0x40000000, 0, &a, &sig[0], &sig[1], &sig[2]);
	return !memcmp(sig, "TCGTCGTCGTCG", sizeof(sig));
}

void *hv_alloc_pages(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	HV_ASSERT(p != MAP_FAILED, "mmap(%zu)", size);
	return p;
}

void hv_free_pages(void *p, size_t size)
{
	HV_ASSERT(!munmap(p, size), "munmap");
}

struct hv_vm *vm_create_bare(void)
{
	return vm_create_bare_flags(0);
}

struct hv_vm *vm_create_bare_flags(uint64_t flags)
{
	struct hv_vm *vm = calloc(1, sizeof(*vm));

	HV_ASSERT(vm, "calloc");
	vm->dev_fd = hvpart_open();
	vm->fd = hvpart_create_partition_flags(vm->dev_fd, flags);
	vm->pt_next = PT_POOL_GPA;
	return vm;
}

/*
 * A partition with @mem_size bytes of RWX memory at GPA 0, the ucall ports
 * intercepted and, when the memory holds them, the descriptor tables and
 * identity page tables that vp_setup_mode() points VPs at.
 */
struct hv_vm *vm_create(size_t mem_size)
{
	return vm_create_flags(mem_size, 0);
}

/* vm_create() with HVPART_CREATE_PARTITION_* @flags. */
struct hv_vm *vm_create_flags(size_t mem_size, uint64_t flags)
{
	struct hv_vm *vm = vm_create_bare_flags(flags);

	vm->mem_size = mem_size;
	vm->mem = hv_alloc_pages(mem_size);
	vm_map(vm, 0, mem_size, vm->mem, HV_MAP_RWX);
	vm_install_intercept(vm, HVPART_INTERCEPT_TYPE_X64_IO_PORT,
			     HVPART_INTERCEPT_ACCESS_MASK_READ |
			     HVPART_INTERCEPT_ACCESS_MASK_WRITE,
			     UCALL_PORT_FIRST, UCALL_PORT_LAST);
	if (mem_size >= PT_POOL_END)
		vm_setup_tables(vm);
	return vm;
}

/*
 * A LOCAL_APIC partition as vm_create() makes one, with the xAPIC page
 * mapped in the guest's page tables (not in its GPA space: the kernel
 * emulates it).
 */
struct hv_vm *vm_create_apic(size_t mem_size)
{
	struct hv_vm *vm = vm_create_flags(mem_size,
					   HVPART_CREATE_PARTITION_LOCAL_APIC);

	vm_map_gva(vm, APIC_DEFAULT_PHYS_BASE, APIC_DEFAULT_PHYS_BASE,
		   PTE_P | PTE_RW);
	return vm;
}

void vm_free(struct hv_vm *vm)
{
	int i;

	if (!vm)
		return;
	for (i = 0; i < HV_MAX_VPS_TRACKED; i++)
		if (vm->vps[i])
			vp_free(vm->vps[i]);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->dev_fd >= 0)
		close(vm->dev_fd);
	if (vm->mem)
		hv_free_pages(vm->mem, vm->mem_size);
	free(vm);
}

void *vm_gpa_to_hva(struct hv_vm *vm, uint64_t gpa)
{
	HV_ASSERT(gpa < vm->mem_size, "GPA %#llx outside guest memory",
		  (unsigned long long)gpa);
	return vm->mem + gpa;
}

void vm_load(struct hv_vm *vm, uint64_t gpa, const void *start,
	     const void *end)
{
	size_t len = (const uint8_t *)end - (const uint8_t *)start;

	HV_ASSERT(gpa + len <= vm->mem_size, "code does not fit");
	HV_ASSERT(gpa != LOAD_GPA || gpa + len <= CODE_END,
		  "code (%zu bytes) overruns CODE_END", len);
	memcpy(vm_gpa_to_hva(vm, gpa), start, len);
}

static int __vm_map(struct hv_vm *vm, uint64_t gpa, uint64_t size, void *uaddr,
		    uint32_t flags)
{
	struct hvpart_gpa_range r = {
		.guest_pfn = gpa / PAGE_SIZE,
		.size = size,
		.userspace_addr = (uintptr_t)uaddr,
		.flags = flags,
	};

	return ioctl(vm->fd, HVPART_MAP_GPA_RANGE, &r);
}

void vm_map(struct hv_vm *vm, uint64_t gpa, uint64_t size, void *uaddr,
	    uint32_t flags)
{
	HV_ASSERT(!__vm_map(vm, gpa, size, uaddr, flags),
		  "HVPART_MAP_GPA_RANGE gpa %#llx size %#llx flags %#x",
		  (unsigned long long)gpa, (unsigned long long)size, flags);
}

int __vm_unmap(struct hv_vm *vm, uint64_t gpa, uint64_t size)
{
	struct hvpart_gpa_range r = {
		.guest_pfn = gpa / PAGE_SIZE,
		.size = size,
	};

	return ioctl(vm->fd, HVPART_UNMAP_GPA_RANGE, &r);
}

void vm_unmap(struct hv_vm *vm, uint64_t gpa, uint64_t size)
{
	HV_ASSERT(!__vm_unmap(vm, gpa, size),
		  "HVPART_UNMAP_GPA_RANGE gpa %#llx size %#llx",
		  (unsigned long long)gpa, (unsigned long long)size);
}

static int __vm_intercept(struct hv_vm *vm, unsigned long cmd, uint32_t type,
			  uint32_t access, uint32_t first, uint32_t last)
{
	struct hvpart_intercept ic = {
		.type = type,
		.access_mask = access,
		.first = first,
		.last = last,
	};

	return ioctl(vm->fd, cmd, &ic);
}

void vm_install_intercept(struct hv_vm *vm, uint32_t type, uint32_t access,
			  uint32_t first, uint32_t last)
{
	HV_ASSERT(!__vm_intercept(vm, HVPART_INSTALL_INTERCEPT, type, access,
				  first, last),
		  "HVPART_INSTALL_INTERCEPT type %u access %#x %#x-%#x",
		  type, access, first, last);
}

void vm_remove_intercept(struct hv_vm *vm, uint32_t type, uint32_t access,
			 uint32_t first, uint32_t last)
{
	HV_ASSERT(!__vm_intercept(vm, HVPART_REMOVE_INTERCEPT, type, access,
				  first, last),
		  "HVPART_REMOVE_INTERCEPT type %u access %#x %#x-%#x",
		  type, access, first, last);
}

void vm_set_property(struct hv_vm *vm, uint32_t code, uint64_t value)
{
	struct hvpart_partition_property p = { .code = code, .value = value };

	HV_ASSERT(!ioctl(vm->fd, HVPART_SET_PARTITION_PROPERTY, &p),
		  "HVPART_SET_PARTITION_PROPERTY code %u value %#llx", code,
		  (unsigned long long)value);
}

uint64_t vm_get_property(struct hv_vm *vm, uint32_t code)
{
	struct hvpart_partition_property p = { .code = code };

	HV_ASSERT(!ioctl(vm->fd, HVPART_GET_PARTITION_PROPERTY, &p),
		  "HVPART_GET_PARTITION_PROPERTY code %u", code);
	return p.value;
}

struct hv_vp *vm_add_vp(struct hv_vm *vm, uint32_t index)
{
	struct hvpart_create_vp cv = { .vp_index = index };
	struct hv_vp *vp = calloc(1, sizeof(*vp));

	HV_ASSERT(vp, "calloc");
	HV_ASSERT(index < HV_MAX_VPS_TRACKED && !vm->vps[index],
		  "VP index %u", index);
	vp->vm = vm;
	vp->index = index;
	vp->fd = ioctl(vm->fd, HVPART_CREATE_VP, &cv);
	HV_ASSERT(vp->fd >= 0, "HVPART_CREATE_VP %u", index);
	vp->run_size = hvpart_vp_mmap_size(vm->dev_fd);
	vp->run = mmap(NULL, vp->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vp->fd, 0);
	HV_ASSERT(vp->run != MAP_FAILED, "mmap of the VP fd");
	vm->vps[index] = vp;
	return vp;
}

void vp_free(struct hv_vp *vp)
{
	munmap(vp->run, vp->run_size);
	close(vp->fd);
	vp->vm->vps[vp->index] = NULL;
	free(vp);
}

static int vp_regs_ioctl(struct hv_vp *vp, unsigned long cmd,
			 struct hvpart_register *regs, uint32_t *count)
{
	struct hvpart_vp_registers vr = {
		.count = *count,
		.regs_ptr = (uintptr_t)regs,
	};
	int r = ioctl(vp->fd, cmd, &vr);

	*count = vr.count;
	return r;
}

void vp_get_regs(struct hv_vp *vp, struct hvpart_register *regs, uint32_t n)
{
	uint32_t count = n;

	HV_ASSERT(!vp_regs_ioctl(vp, HVPART_GET_VP_REGISTERS, regs, &count),
		  "HVPART_GET_VP_REGISTERS: %u of %u done, first failed %#x",
		  count, n, count < n ? regs[count].name : 0);
	HV_ASSERT(count == n, "HVPART_GET_VP_REGISTERS count %u of %u",
		  count, n);
}

void vp_set_regs(struct hv_vp *vp, struct hvpart_register *regs, uint32_t n)
{
	uint32_t count = n;

	HV_ASSERT(!vp_regs_ioctl(vp, HVPART_SET_VP_REGISTERS, regs, &count),
		  "HVPART_SET_VP_REGISTERS: %u of %u done, first failed %#x",
		  count, n, count < n ? regs[count].name : 0);
	HV_ASSERT(count == n, "HVPART_SET_VP_REGISTERS count %u of %u",
		  count, n);
}

uint64_t vp_get_reg(struct hv_vp *vp, uint32_t name)
{
	struct hvpart_register r = { .name = name };

	vp_get_regs(vp, &r, 1);
	return r.value.reg64;
}

void vp_set_reg(struct hv_vp *vp, uint32_t name, uint64_t value)
{
	struct hvpart_register r = hv_reg(name, value);

	vp_set_regs(vp, &r, 1);
}

int __vp_run(struct hv_vp *vp)
{
	return ioctl(vp->fd, HVPART_RUN_VP, 0);
}

uint32_t vp_run(struct hv_vp *vp)
{
	HV_ASSERT(!__vp_run(vp), "HVPART_RUN_VP of VP %u", vp->index);
	return vp->run->msg.header.message_type;
}

void vp_complete(struct hv_vp *vp, uint32_t flags, uint64_t rax)
{
	vp->run->completion = flags;
	vp->run->completion_rax = rax;
}

const char *hv_msg_name(uint32_t type)
{
	static __thread char buf[4][24];
	static __thread int next;

	switch (type) {
	case HVPART_MSG_NONE:			return "NONE";
	case HVPART_MSG_UNMAPPED_GPA:		return "UNMAPPED_GPA";
	case HVPART_MSG_GPA_INTERCEPT:		return "GPA_INTERCEPT";
	case HVPART_MSG_UNRECOVERABLE_EXCEPTION: return "UNRECOVERABLE_EXCEPTION";
	case HVPART_MSG_X64_IO_PORT_INTERCEPT:	return "X64_IO_PORT_INTERCEPT";
	case HVPART_MSG_X64_MSR_INTERCEPT:	return "X64_MSR_INTERCEPT";
	case HVPART_MSG_X64_CPUID_INTERCEPT:	return "X64_CPUID_INTERCEPT";
	case HVPART_MSG_HYPERCALL_INTERCEPT:	return "HYPERCALL_INTERCEPT";
	case HVPART_MSG_X64_EXCEPTION_INTERCEPT: return "X64_EXCEPTION_INTERCEPT";
	case HVPART_MSG_X64_HALT:		return "X64_HALT";
	case HVPART_MSG_X64_APIC_EOI:		return "X64_APIC_EOI";
	case HVPART_MSG_X64_INTERRUPTION_DELIVERABLE:
		return "X64_INTERRUPTION_DELIVERABLE";
	case HVPART_MSG_HVPART_UNHANDLED_EXIT:	return "HVPART_UNHANDLED_EXIT";
	}
	next = (next + 1) % 4;
	snprintf(buf[next], sizeof(buf[next]), "unknown %#x", type);
	return buf[next];
}

void hv_dump_msg(const struct hvpart_message *msg)
{
	const struct hvpart_x64_intercept_header *h = &msg->u.intercept;
	uint32_t type = msg->header.message_type;

	fprintf(stderr,
		"# message %s: vp %u rip %#llx len %u access %u exec_state %#x cs %#x\n",
		hv_msg_name(type), h->vp_index,
		(unsigned long long)h->rip, h->instruction_length,
		h->intercept_access_type, h->execution_state,
		h->cs_segment.selector);
	switch (type) {
	case HVPART_MSG_X64_IO_PORT_INTERCEPT:
		fprintf(stderr, "#   port %#x access_info %#x rax %#llx\n",
			msg->u.io_port.port_number, msg->u.io_port.access_info,
			(unsigned long long)msg->u.io_port.rax);
		break;
	case HVPART_MSG_UNMAPPED_GPA:
	case HVPART_MSG_GPA_INTERCEPT:
		fprintf(stderr, "#   gpa %#llx gva %#llx info %#x\n",
			(unsigned long long)msg->u.memory.guest_physical_address,
			(unsigned long long)msg->u.memory.guest_virtual_address,
			msg->u.memory.memory_access_info);
		break;
	case HVPART_MSG_X64_MSR_INTERCEPT:
		fprintf(stderr, "#   msr %#x rdx %#llx rax %#llx\n",
			msg->u.msr.msr_number,
			(unsigned long long)msg->u.msr.rdx,
			(unsigned long long)msg->u.msr.rax);
		break;
	case HVPART_MSG_X64_CPUID_INTERCEPT:
		fprintf(stderr, "#   leaf %#llx subleaf %#llx\n",
			(unsigned long long)msg->u.cpuid.rax,
			(unsigned long long)msg->u.cpuid.rcx);
		break;
	case HVPART_MSG_X64_EXCEPTION_INTERCEPT:
		fprintf(stderr, "#   vector %u error %#x\n",
			msg->u.exception.exception_vector,
			msg->u.exception.error_code);
		break;
	case HVPART_MSG_HVPART_UNHANDLED_EXIT:
		fprintf(stderr,
			"#   vendor %u exit %#llx info1 %#llx info2 %#llx\n",
			msg->u.unhandled.vendor,
			(unsigned long long)msg->u.unhandled.exit_code,
			(unsigned long long)msg->u.unhandled.exit_info1,
			(unsigned long long)msg->u.unhandled.exit_info2);
		break;
	}
}

enum ucall_type get_ucall(struct hv_vp *vp, struct ucall *uc)
{
	const struct hvpart_message *msg = &vp->run->msg;
	const struct hvpart_x64_io_port_intercept *io = &msg->u.io_port;

	memset(uc, 0, sizeof(*uc));
	uc->msg = msg;
	if (msg->header.message_type != HVPART_MSG_X64_IO_PORT_INTERCEPT ||
	    io->header.intercept_access_type != HVPART_INTERCEPT_ACCESS_WRITE ||
	    (io->access_info & HVPART_IO_ACCESS_STRING_OP))
		return UCALL_NONE;

	switch (io->port_number) {
	case UCALL_PORT_SYNC:
		uc->type = UCALL_SYNC;
		uc->arg = (uint32_t)io->rax;
		break;
	case UCALL_PORT_DONE:
		uc->type = UCALL_DONE;
		break;
	case UCALL_PORT_FAIL:
		uc->type = UCALL_FAIL;
		uc->arg = (uint32_t)io->rax;
		break;
	case UCALL_PORT_REPORT:
		uc->type = UCALL_REPORT;
		uc->arg = io->rax;
		break;
	default:
		return UCALL_NONE;
	}
	uc->rip = io->header.rip;
	vp_complete(vp, HVPART_RUN_COMPLETE_ADVANCE_RIP, 0);
	return uc->type;
}

const char *ucall_name(enum ucall_type type)
{
	switch (type) {
	case UCALL_NONE:	return "not a ucall";
	case UCALL_SYNC:	return "GUEST_SYNC";
	case UCALL_DONE:	return "GUEST_DONE";
	case UCALL_FAIL:	return "GUEST_FAIL";
	case UCALL_REPORT:	return "GUEST_REPORT";
	}
	return "?";
}

/* FIELD of a /proc file in KiB ("Name:   123 kB" lines), or -1. */
static long proc_kb(const char *path, const char *field)
{
	size_t flen = strlen(field);
	char line[256];
	long val = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, flen) && line[flen] == ':') {
			val = strtol(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

long meminfo_kb(const char *field)
{
	return proc_kb("/proc/meminfo", field);
}

long hv_vmlck_kb(void)
{
	return proc_kb("/proc/self/status", "VmLck");
}

/* ---- VPs on threads of their own ----------------------------------- */

/* SIGUSR2 only interrupts an AP's HVPART_RUN_VP (-EINTR). */
static void hv_ap_signal(int sig)
{
	(void)sig;
}

static void *hv_ap_run(void *arg)
{
	struct hv_ap *ap = arg;

	while (!ap->stop) {
		if (__vp_run(ap->vp) == 0) {
			ap->msg = ap->vp->run->msg.header.message_type;
			return NULL;
		}
		if (errno != EINTR) {
			ap->err = errno;
			return NULL;
		}
	}
	return NULL;
}

void hv_ap_start(struct hv_ap *ap)
{
	struct sigaction sa = { .sa_handler = hv_ap_signal };

	sigaction(SIGUSR2, &sa, NULL);
	errno = pthread_create(&ap->tid, NULL, hv_ap_run, ap);
	HV_ASSERT(!errno, "pthread_create");
}

/* Stops the @n APs at @ap and waits for their threads. */
void hv_ap_stop(struct hv_ap *ap, int n)
{
	int i;

	for (i = 0; i < n; i++)
		ap[i].stop = true;
	for (i = 0; i < n; i++) {
		pthread_kill(ap[i].tid, SIGUSR2);
		pthread_join(ap[i].tid, NULL);
	}
}

/*
 * Waits up to @secs for @ap's run to end by itself: 0, or ETIMEDOUT
 * after stopping it.
 */
int hv_ap_join(struct hv_ap *ap, int secs)
{
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += secs;
	r = pthread_timedjoin_np(ap->tid, NULL, &ts);
	if (r)
		hv_ap_stop(ap, 1);
	return r;
}
