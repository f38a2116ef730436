// SPDX-License-Identifier: GPL-2.0
/*
 * libhvpart: thin wrappers around the /dev/hvpart ioctls.  Each one fills
 * the UAPI struct (reserved fields zeroed), issues one ioctl and returns
 * its result or -errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libhvpart.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int hvp_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	int ret;

	ret = ioctl(fd, cmd, arg);
	return ret < 0 ? -errno : ret;
}

static int hvp_ioctl_ptr(int fd, unsigned long cmd, void *arg)
{
	return hvp_ioctl(fd, cmd, (unsigned long)arg);
}

int hvp_open(const char *path)
{
	int fd;

	fd = open(path ? path : HVP_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int hvp_get_api_version(int sys_fd)
{
	return hvp_ioctl(sys_fd, HVPART_GET_API_VERSION, 0);
}

/* Returns the capability's value: 0 when it is absent or unknown. */
int hvp_check_extension(int sys_fd, unsigned int cap)
{
	return hvp_ioctl(sys_fd, HVPART_CHECK_EXTENSION, cap);
}

int hvp_get_vp_mmap_size(int sys_fd)
{
	return hvp_ioctl(sys_fd, HVPART_GET_VP_MMAP_SIZE, 0);
}

/* Returns the partition fd. */
int hvp_create_partition(int sys_fd, uint64_t flags)
{
	struct hvpart_create_partition arg = { .flags = flags };

	return hvp_ioctl_ptr(sys_fd, HVPART_CREATE_PARTITION, &arg);
}

/*
 * HVPART_GET_SUPPORTED_CPUID into @e (room for *@nent entries); *@nent
 * becomes the number written (or needed, with -E2BIG).
 */
int hvp_get_supported_cpuid(int sys_fd, struct hvpart_cpuid_entry *e,
			    uint32_t *nent)
{
	struct hvpart_cpuid arg = {
		.nent = *nent,
		.entries_ptr = (uintptr_t)e,
	};
	int ret = hvp_ioctl_ptr(sys_fd, HVPART_GET_SUPPORTED_CPUID, &arg);

	*nent = arg.nent;
	return ret;
}

int hvp_set_partition_property(int pt_fd, uint32_t code, uint64_t value)
{
	struct hvpart_partition_property arg = {
		.code = code,
		.value = value,
	};

	return hvp_ioctl_ptr(pt_fd, HVPART_SET_PARTITION_PROPERTY, &arg);
}

int hvp_get_partition_property(int pt_fd, uint32_t code, uint64_t *value)
{
	struct hvpart_partition_property arg = { .code = code };
	int ret;

	ret = hvp_ioctl_ptr(pt_fd, HVPART_GET_PARTITION_PROPERTY, &arg);
	if (!ret)
		*value = arg.value;
	return ret;
}

int hvp_map_gpa_range(int pt_fd, uint64_t gpa, uint64_t size, void *uaddr,
		      uint32_t flags)
{
	struct hvpart_gpa_range arg = {
		.guest_pfn = gpa >> 12,
		.size = size,
		.userspace_addr = (uint64_t)(uintptr_t)uaddr,
		.flags = flags,
	};

	if (gpa & 0xfff)
		return -EINVAL;
	return hvp_ioctl_ptr(pt_fd, HVPART_MAP_GPA_RANGE, &arg);
}

int hvp_unmap_gpa_range(int pt_fd, uint64_t gpa, uint64_t size)
{
	struct hvpart_gpa_range arg = {
		.guest_pfn = gpa >> 12,
		.size = size,
	};

	if (gpa & 0xfff)
		return -EINVAL;
	return hvp_ioctl_ptr(pt_fd, HVPART_UNMAP_GPA_RANGE, &arg);
}

int hvp_install_intercept(int pt_fd, uint32_t type, uint32_t access_mask,
			  uint32_t first, uint32_t last)
{
	struct hvpart_intercept arg = {
		.type = type,
		.access_mask = access_mask,
		.first = first,
		.last = last,
	};

	return hvp_ioctl_ptr(pt_fd, HVPART_INSTALL_INTERCEPT, &arg);
}

int hvp_remove_intercept(int pt_fd, uint32_t type, uint32_t access_mask,
			 uint32_t first, uint32_t last)
{
	struct hvpart_intercept arg = {
		.type = type,
		.access_mask = access_mask,
		.first = first,
		.last = last,
	};

	return hvp_ioctl_ptr(pt_fd, HVPART_REMOVE_INTERCEPT, &arg);
}

/*
 * Creates VP @index and maps its run page; on failure @vp is left with
 * fd -1 and no mapping.
 */
int hvp_create_vp(int sys_fd, int pt_fd, uint32_t index, struct hvp_vp *vp)
{
	struct hvpart_create_vp arg = { .vp_index = index };
	int size, fd, ret;
	void *run;

	vp->fd = -1;
	vp->index = index;
	vp->run = NULL;
	vp->run_size = 0;

	size = hvp_get_vp_mmap_size(sys_fd);
	if (size < 0)
		return size;
	if ((size_t)size < sizeof(struct hvpart_run))
		return -EPROTO;

	fd = hvp_ioctl_ptr(pt_fd, HVPART_CREATE_VP, &arg);
	if (fd < 0)
		return fd;

	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run == MAP_FAILED) {
		ret = -errno;
		close(fd);
		return ret;
	}

	vp->fd = fd;
	vp->run = run;
	vp->run_size = size;
	return 0;
}

void hvp_destroy_vp(struct hvp_vp *vp)
{
	if (vp->run)
		munmap(vp->run, vp->run_size);
	if (vp->fd >= 0)
		close(vp->fd);
	vp->run = NULL;
	vp->run_size = 0;
	vp->fd = -1;
}

/* Returns 0 once the VP stopped with a message in vp->run->msg. */
int hvp_run(struct hvp_vp *vp)
{
	return hvp_ioctl(vp->fd, HVPART_RUN_VP, 0);
}

static int hvp_regs_ioctl(struct hvp_vp *vp, unsigned long cmd,
			  struct hvpart_register *regs, unsigned int count)
{
	struct hvpart_vp_registers arg;
	unsigned int done, n;
	int ret;

	for (done = 0; done < count; done += n) {
		n = count - done;
		if (n > HVPART_MAX_REGISTERS_PER_CALL)
			n = HVPART_MAX_REGISTERS_PER_CALL;
		memset(&arg, 0, sizeof(arg));
		arg.count = n;
		arg.regs_ptr = (uint64_t)(uintptr_t)(regs + done);
		ret = hvp_ioctl_ptr(vp->fd, cmd, &arg);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* @regs[i].name are inputs; the values are filled in. */
int hvp_get_regs(struct hvp_vp *vp, struct hvpart_register *regs,
		 unsigned int count)
{
	return hvp_regs_ioctl(vp, HVPART_GET_VP_REGISTERS, regs, count);
}

int hvp_set_regs(struct hvp_vp *vp, const struct hvpart_register *regs,
		 unsigned int count)
{
	/* SET is _IOWR for the count it reports; the array is only read. */
	return hvp_regs_ioctl(vp, HVPART_SET_VP_REGISTERS,
			      (struct hvpart_register *)regs, count);
}

void hvp_reg64(struct hvpart_register *reg, uint32_t name, uint64_t value)
{
	memset(reg, 0, sizeof(*reg));
	reg->name = name;
	reg->value.reg64 = value;
}

void hvp_reg_segment(struct hvpart_register *reg, uint32_t name,
		     uint64_t base, uint32_t limit, uint16_t selector,
		     uint16_t attributes)
{
	memset(reg, 0, sizeof(*reg));
	reg->name = name;
	reg->value.segment.base = base;
	reg->value.segment.limit = limit;
	reg->value.segment.selector = selector;
	reg->value.segment.attributes = attributes;
}

void hvp_reg_table(struct hvpart_register *reg, uint32_t name,
		   uint64_t base, uint16_t limit)
{
	memset(reg, 0, sizeof(*reg));
	reg->name = name;
	reg->value.table.base = base;
	reg->value.table.limit = limit;
}

int hvp_get_reg64(struct hvp_vp *vp, uint32_t name, uint64_t *value)
{
	struct hvpart_register reg;
	int ret;

	hvp_reg64(&reg, name, 0);
	ret = hvp_get_regs(vp, &reg, 1);
	if (!ret)
		*value = reg.value.reg64;
	return ret;
}

int hvp_set_reg64(struct hvp_vp *vp, uint32_t name, uint64_t value)
{
	struct hvpart_register reg;

	hvp_reg64(&reg, name, value);
	return hvp_set_regs(vp, &reg, 1);
}

int hvp_get_segment(struct hvp_vp *vp, uint32_t name,
		    struct hvpart_x64_segment *seg)
{
	struct hvpart_register reg;
	int ret;

	hvp_reg64(&reg, name, 0);
	ret = hvp_get_regs(vp, &reg, 1);
	if (!ret)
		*seg = reg.value.segment;
	return ret;
}

int hvp_set_segment(struct hvp_vp *vp, uint32_t name,
		    const struct hvpart_x64_segment *seg)
{
	struct hvpart_register reg;

	hvp_reg_segment(&reg, name, seg->base, seg->limit, seg->selector,
			seg->attributes);
	return hvp_set_regs(vp, &reg, 1);
}

int hvp_get_table(struct hvp_vp *vp, uint32_t name,
		  struct hvpart_x64_table *table)
{
	struct hvpart_register reg;
	int ret;

	hvp_reg64(&reg, name, 0);
	ret = hvp_get_regs(vp, &reg, 1);
	if (!ret)
		*table = reg.value.table;
	return ret;
}

int hvp_set_table(struct hvp_vp *vp, uint32_t name,
		  const struct hvpart_x64_table *table)
{
	struct hvpart_register reg;

	hvp_reg_table(&reg, name, table->base, table->limit);
	return hvp_set_regs(vp, &reg, 1);
}

/*
 * Translates @gva with the VP's current paging mode.  Returns 0 when the
 * ioctl worked; *@result then says whether the translation did
 * (HVPART_TRANSLATE_GVA_SUCCESS, with *@gpa set) or why not.
 */
int hvp_translate_gva(struct hvp_vp *vp, uint64_t gva, uint32_t flags,
		      uint64_t *gpa, uint32_t *result)
{
	struct hvpart_translate_gva arg = {
		.gva = gva,
		.flags = flags,
	};
	int ret;

	ret = hvp_ioctl_ptr(vp->fd, HVPART_TRANSLATE_GVA, &arg);
	if (ret < 0)
		return ret;
	*result = arg.result;
	*gpa = arg.gpa;
	return 0;
}

/* HVPART_ASSERT_INTERRUPT: @ai's type, flags, destination and vector. */
int hvp_assert_interrupt(int pt_fd, const struct hvpart_assert_interrupt *ai)
{
	struct hvpart_assert_interrupt arg = {
		.type = ai->type,
		.flags = ai->flags,
		.destination = ai->destination,
		.vector = ai->vector,
	};

	return hvp_ioctl_ptr(pt_fd, HVPART_ASSERT_INTERRUPT, &arg);
}

/* Ports and connections: HvCreatePort ... as the root does them. */
int hvp_create_port(int pt_fd, const struct hvpart_port_info *info)
{
	struct hvpart_port_info arg = {
		.port_id = info->port_id,
		.port_type = info->port_type,
		.flags = info->flags,
		.target_vp = info->target_vp,
		.target_sint = info->target_sint,
		.base_flag = info->base_flag,
		.flag_count = info->flag_count,
		.eventfd = info->eventfd,
	};

	return hvp_ioctl_ptr(pt_fd, HVPART_CREATE_PORT, &arg);
}

int hvp_delete_port(int pt_fd, uint32_t port_id)
{
	struct hvpart_port_id arg = { .port_id = port_id };

	return hvp_ioctl_ptr(pt_fd, HVPART_DELETE_PORT, &arg);
}

int hvp_connect_port(int pt_fd, uint32_t connection_id, uint32_t port_id)
{
	struct hvpart_connection arg = {
		.connection_id = connection_id,
		.port_id = port_id,
	};

	return hvp_ioctl_ptr(pt_fd, HVPART_CONNECT_PORT, &arg);
}

int hvp_disconnect_port(int pt_fd, uint32_t connection_id)
{
	struct hvpart_connection arg = { .connection_id = connection_id };

	return hvp_ioctl_ptr(pt_fd, HVPART_DISCONNECT_PORT, &arg);
}

int hvp_post_message(int pt_fd, uint32_t vp_index, uint8_t sint,
		     uint32_t message_type, const void *payload,
		     uint32_t payload_size)
{
	struct hvpart_post_message arg = {
		.vp_index = vp_index,
		.sint = sint,
		.message_type = message_type,
		.payload_size = payload_size,
	};

	if (payload_size > sizeof(arg.payload))
		return -EINVAL;
	memcpy(arg.payload, payload, payload_size);
	return hvp_ioctl_ptr(pt_fd, HVPART_POST_MESSAGE, &arg);
}

int hvp_signal_event(int pt_fd, uint32_t vp_index, uint8_t sint,
		     uint16_t flag_number, uint32_t flags)
{
	struct hvpart_signal_event arg = {
		.vp_index = vp_index,
		.sint = sint,
		.flag_number = flag_number,
		.flags = flags,
	};

	return hvp_ioctl_ptr(pt_fd, HVPART_SIGNAL_EVENT, &arg);
}

static const uint32_t hvp_gprs[] = {
	HVPART_REG_RAX, HVPART_REG_RCX, HVPART_REG_RDX, HVPART_REG_RBX,
	HVPART_REG_RSP, HVPART_REG_RBP, HVPART_REG_RSI, HVPART_REG_RDI,
	HVPART_REG_R8, HVPART_REG_R9, HVPART_REG_R10, HVPART_REG_R11,
	HVPART_REG_R12, HVPART_REG_R13, HVPART_REG_R14, HVPART_REG_R15,
};

/* GPRs, 8 common registers, 6 segments, GDTR and IDTR */
#define HVP_LOADER_REGS	(ARRAY_SIZE(hvp_gprs) + 8 + 6 + 2)

/*
 * Fills what the loader states share: zeroed general purpose registers,
 * RIP, RFLAGS with only the fixed bit, CR0, CR3, CR4, EFER, a null LDT
 * and a busy TSS that no task switch will ever use.
 */
static unsigned int hvp_loader_common(struct hvpart_register *r,
				      uint64_t rip, uint64_t cr0,
				      uint64_t cr3, uint64_t cr4,
				      uint64_t efer)
{
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(hvp_gprs); i++)
		hvp_reg64(&r[n++], hvp_gprs[i], 0);
	hvp_reg64(&r[n++], HVPART_REG_RIP, rip);
	hvp_reg64(&r[n++], HVPART_REG_RFLAGS, HVP_RFLAGS_FIXED);
	hvp_reg64(&r[n++], HVPART_REG_CR0, cr0);
	hvp_reg64(&r[n++], HVPART_REG_CR3, cr3);
	hvp_reg64(&r[n++], HVPART_REG_CR4, cr4);
	hvp_reg64(&r[n++], HVPART_REG_EFER, efer);
	hvp_reg_segment(&r[n++], HVPART_REG_LDTR, 0, 0xffff, 0,
			HVP_SEG_ATTR_LDT);
	hvp_reg_segment(&r[n++], HVPART_REG_TR, 0, 0xffff, 0,
			HVP_SEG_ATTR_TSS_BUSY);
	return n;
}

/*
 * Real mode at @cs:@ip, as a BIOS leaves it: all other segments 0 with
 * 64 KiB limits, the real-mode IVT at 0, interrupts off, GPRs zero.
 */
int hvp_vp_set_real_mode(struct hvp_vp *vp, uint16_t cs, uint16_t ip)
{
	static const uint32_t data_segs[] = {
		HVPART_REG_DS, HVPART_REG_ES, HVPART_REG_FS, HVPART_REG_GS,
		HVPART_REG_SS,
	};
	struct hvpart_register r[HVP_LOADER_REGS];
	unsigned int i, n;

	n = hvp_loader_common(r, ip, HVP_CR0_ET, 0, 0, 0);
	hvp_reg_segment(&r[n++], HVPART_REG_CS, (uint64_t)cs << 4, 0xffff, cs,
			HVP_SEG_ATTR_CODE16);
	for (i = 0; i < ARRAY_SIZE(data_segs); i++)
		hvp_reg_segment(&r[n++], data_segs[i], 0, 0xffff, 0,
				HVP_SEG_ATTR_DATA16);
	hvp_reg_table(&r[n++], HVPART_REG_GDTR, 0, 0xffff);
	hvp_reg_table(&r[n++], HVPART_REG_IDTR, 0, 0x3ff);
	return hvp_set_regs(vp, r, n);
}

/*
 * 32-bit flat protected mode at @eip, paging off, interrupts off: CS is
 * selector 0x08 and the data segments 0x10, all base 0 limit 4 GiB.
 * @gdt_base/@gdt_limit go to GDTR (a GDT with those descriptors is the
 * caller's business; the hidden parts loaded here do not depend on it).
 * IDTR is empty.
 */
int hvp_vp_set_flat32(struct hvp_vp *vp, uint32_t eip, uint32_t gdt_base,
		      uint16_t gdt_limit)
{
	static const uint32_t data_segs[] = {
		HVPART_REG_DS, HVPART_REG_ES, HVPART_REG_FS, HVPART_REG_GS,
		HVPART_REG_SS,
	};
	struct hvpart_register r[HVP_LOADER_REGS];
	unsigned int i, n;

	n = hvp_loader_common(r, eip, HVP_CR0_PE | HVP_CR0_ET, 0, 0, 0);
	hvp_reg_segment(&r[n++], HVPART_REG_CS, 0, 0xffffffff, 0x08,
			HVP_SEG_ATTR_CODE32);
	for (i = 0; i < ARRAY_SIZE(data_segs); i++)
		hvp_reg_segment(&r[n++], data_segs[i], 0, 0xffffffff, 0x10,
				HVP_SEG_ATTR_DATA32);
	hvp_reg_table(&r[n++], HVPART_REG_GDTR, gdt_base, gdt_limit);
	hvp_reg_table(&r[n++], HVPART_REG_IDTR, 0, 0);
	return hvp_set_regs(vp, r, n);
}

/*
 * 64-bit mode at @rip with the page tables at @cr3 (PAE, 4-level),
 * interrupts off: CS is @cs, 64-bit; the data segments are @ds, base 0
 * limit 4 GiB.  As for hvp_vp_set_flat32(), @gdt_base/@gdt_limit go to
 * GDTR and the caller's GDT should hold those descriptors.
 */
int hvp_vp_set_long64(struct hvp_vp *vp, uint64_t rip, uint64_t cr3,
		      uint64_t gdt_base, uint16_t gdt_limit, uint16_t cs,
		      uint16_t ds)
{
	static const uint32_t data_segs[] = {
		HVPART_REG_DS, HVPART_REG_ES, HVPART_REG_FS, HVPART_REG_GS,
		HVPART_REG_SS,
	};
	struct hvpart_register r[HVP_LOADER_REGS];
	unsigned int i, n;

	n = hvp_loader_common(r, rip, HVP_CR0_PE | HVP_CR0_ET | HVP_CR0_PG,
			      cr3, HVP_CR4_PAE, HVP_EFER_LME | HVP_EFER_LMA);
	hvp_reg_segment(&r[n++], HVPART_REG_CS, 0, 0xffffffff, cs,
			HVP_SEG_ATTR_CODE64);
	for (i = 0; i < ARRAY_SIZE(data_segs); i++)
		hvp_reg_segment(&r[n++], data_segs[i], 0, 0xffffffff, ds,
				HVP_SEG_ATTR_DATA32);
	hvp_reg_table(&r[n++], HVPART_REG_GDTR, gdt_base, gdt_limit);
	hvp_reg_table(&r[n++], HVPART_REG_IDTR, 0, 0);
	return hvp_set_regs(vp, r, n);
}

const char *hvp_vendor_name(int vendor)
{
	switch (vendor) {
	case HVPART_VENDOR_SVM:
		return "svm";
	case HVPART_VENDOR_VMX:
		return "vmx";
	default:
		return "unknown";
	}
}

const char *hvp_message_name(uint32_t message_type)
{
	switch (message_type) {
	case HVPART_MSG_NONE:
		return "none";
	case HVPART_MSG_UNMAPPED_GPA:
		return "unmapped GPA";
	case HVPART_MSG_GPA_INTERCEPT:
		return "GPA intercept";
	case HVPART_MSG_UNRECOVERABLE_EXCEPTION:
		return "unrecoverable exception";
	case HVPART_MSG_X64_IO_PORT_INTERCEPT:
		return "I/O port intercept";
	case HVPART_MSG_X64_MSR_INTERCEPT:
		return "MSR intercept";
	case HVPART_MSG_X64_CPUID_INTERCEPT:
		return "CPUID intercept";
	case HVPART_MSG_HYPERCALL_INTERCEPT:
		return "hypercall intercept";
	case HVPART_MSG_X64_EXCEPTION_INTERCEPT:
		return "exception intercept";
	case HVPART_MSG_X64_HALT:
		return "halt";
	case HVPART_MSG_X64_INTERRUPTION_DELIVERABLE:
		return "interruption deliverable";
	case HVPART_MSG_HVPART_UNHANDLED_EXIT:
		return "unhandled exit";
	case HVPART_MSG_HVPART_GUEST_CRASH:
		return "guest crash";
	case HVPART_MSG_HVPART_RESET:
		return "reset request";
	default:
		return "unknown message";
	}
}

const char *hvp_translate_result_name(uint32_t result)
{
	switch (result) {
	case HVPART_TRANSLATE_GVA_SUCCESS:
		return "success";
	case HVPART_TRANSLATE_GVA_PAGE_NOT_PRESENT:
		return "page not present";
	case HVPART_TRANSLATE_GVA_PRIVILEGE_VIOLATION:
		return "privilege violation";
	case HVPART_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS:
		return "invalid page table flags";
	case HVPART_TRANSLATE_GVA_GPA_UNMAPPED:
		return "GPA unmapped";
	default:
		return "unknown result";
	}
}
