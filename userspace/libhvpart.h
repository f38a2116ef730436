/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libhvpart: thin wrappers around the /dev/hvpart ioctls.
 *
 * Every function returns 0 (or a non-negative value where documented) on
 * success and a negative errno on failure; none of them prints anything or
 * touches errno's meaning.  The UAPI header <linux/hvpart.h> is the
 * contract; this library only saves its callers the struct boilerplate.
 */
#ifndef LIBHVPART_H
#define LIBHVPART_H

#include <stddef.h>
#include <stdint.h>
#include <linux/hvpart.h>

#define HVP_DEVICE_PATH		"/dev/hvpart"

/* Segment attribute bits (TLFS HV_X64_SEGMENT_REGISTER layout). */
#define HVP_SEG_TYPE_MASK	0x000f
#define HVP_SEG_S		0x0010	/* code or data, not system */
#define HVP_SEG_DPL_MASK	0x0060
#define HVP_SEG_P		0x0080	/* present */
#define HVP_SEG_AVL		0x1000
#define HVP_SEG_L		0x2000	/* 64-bit code */
#define HVP_SEG_DB		0x4000	/* default operand/address size 32 */
#define HVP_SEG_G		0x8000	/* 4 KiB granularity */

/* The attribute values a loader uses. */
#define HVP_SEG_ATTR_CODE16	0x009b	/* present, exec/read, accessed */
#define HVP_SEG_ATTR_DATA16	0x0093	/* present, read/write, accessed */
#define HVP_SEG_ATTR_CODE32	0xc09b	/* ... G, D */
#define HVP_SEG_ATTR_DATA32	0xc093
#define HVP_SEG_ATTR_CODE64	0xa09b	/* ... G, L */
#define HVP_SEG_ATTR_LDT	0x0082	/* present, LDT */
#define HVP_SEG_ATTR_TSS_BUSY	0x008b	/* present, busy 32/64-bit TSS */

/* Control register and flag bits a loader needs. */
#define HVP_CR0_PE		(1ULL << 0)
#define HVP_CR0_ET		(1ULL << 4)
#define HVP_CR0_PG		(1ULL << 31)
#define HVP_CR4_PAE		(1ULL << 5)
#define HVP_EFER_LME		(1ULL << 8)
#define HVP_EFER_LMA		(1ULL << 10)
#define HVP_RFLAGS_FIXED	(1ULL << 1)	/* bit 1 always reads as 1 */
#define HVP_RFLAGS_DF		(1ULL << 10)

/**
 * struct hvp_vp - a VP fd and its mapped run page
 * @fd: the VP fd
 * @index: the VP index it was created with
 * @run: the shared struct hvpart_run (mmap of @fd at offset 0)
 * @run_size: size of the mapping at @run
 */
struct hvp_vp {
	int fd;
	uint32_t index;
	struct hvpart_run *run;
	size_t run_size;
};

/* /dev/hvpart */
int hvp_open(const char *path);
int hvp_get_api_version(int sys_fd);
int hvp_check_extension(int sys_fd, unsigned int cap);
int hvp_get_vp_mmap_size(int sys_fd);
int hvp_create_partition(int sys_fd, uint64_t flags);
int hvp_get_supported_cpuid(int sys_fd, struct hvpart_cpuid_entry *e,
			    uint32_t *nent);

/* Partition fd */
int hvp_set_partition_property(int pt_fd, uint32_t code, uint64_t value);
int hvp_get_partition_property(int pt_fd, uint32_t code, uint64_t *value);
int hvp_map_gpa_range(int pt_fd, uint64_t gpa, uint64_t size, void *uaddr,
		      uint32_t flags);
int hvp_unmap_gpa_range(int pt_fd, uint64_t gpa, uint64_t size);
int hvp_install_intercept(int pt_fd, uint32_t type, uint32_t access_mask,
			  uint32_t first, uint32_t last);
int hvp_remove_intercept(int pt_fd, uint32_t type, uint32_t access_mask,
			 uint32_t first, uint32_t last);
int hvp_assert_interrupt(int pt_fd, const struct hvpart_assert_interrupt *ai);
int hvp_create_port(int pt_fd, const struct hvpart_port_info *info);
int hvp_delete_port(int pt_fd, uint32_t port_id);
int hvp_connect_port(int pt_fd, uint32_t connection_id, uint32_t port_id);
int hvp_disconnect_port(int pt_fd, uint32_t connection_id);
int hvp_post_message(int pt_fd, uint32_t vp_index, uint8_t sint,
		     uint32_t message_type, const void *payload,
		     uint32_t payload_size);
int hvp_signal_event(int pt_fd, uint32_t vp_index, uint8_t sint,
		     uint16_t flag_number, uint32_t flags);
int hvp_create_vp(int sys_fd, int pt_fd, uint32_t index, struct hvp_vp *vp);
void hvp_destroy_vp(struct hvp_vp *vp);

/* VP fd */
int hvp_run(struct hvp_vp *vp);
int hvp_get_regs(struct hvp_vp *vp, struct hvpart_register *regs,
		 unsigned int count);
int hvp_set_regs(struct hvp_vp *vp, const struct hvpart_register *regs,
		 unsigned int count);
int hvp_get_reg64(struct hvp_vp *vp, uint32_t name, uint64_t *value);
int hvp_set_reg64(struct hvp_vp *vp, uint32_t name, uint64_t value);
int hvp_get_segment(struct hvp_vp *vp, uint32_t name,
		    struct hvpart_x64_segment *seg);
int hvp_set_segment(struct hvp_vp *vp, uint32_t name,
		    const struct hvpart_x64_segment *seg);
int hvp_get_table(struct hvp_vp *vp, uint32_t name,
		  struct hvpart_x64_table *table);
int hvp_set_table(struct hvp_vp *vp, uint32_t name,
		  const struct hvpart_x64_table *table);
int hvp_translate_gva(struct hvp_vp *vp, uint64_t gva, uint32_t flags,
		      uint64_t *gpa, uint32_t *result);

/* Loader states */
int hvp_vp_set_real_mode(struct hvp_vp *vp, uint16_t cs, uint16_t ip);
int hvp_vp_set_long64(struct hvp_vp *vp, uint64_t rip, uint64_t cr3,
		      uint64_t gdt_base, uint16_t gdt_limit, uint16_t cs,
		      uint16_t ds);
int hvp_vp_set_flat32(struct hvp_vp *vp, uint32_t eip, uint32_t gdt_base,
		      uint16_t gdt_limit);

/* Helpers to fill struct hvpart_register arrays */
void hvp_reg64(struct hvpart_register *reg, uint32_t name, uint64_t value);
void hvp_reg_segment(struct hvpart_register *reg, uint32_t name,
		     uint64_t base, uint32_t limit, uint16_t selector,
		     uint16_t attributes);
void hvp_reg_table(struct hvpart_register *reg, uint32_t name,
		   uint64_t base, uint16_t limit);

/* Names for printing */
const char *hvp_vendor_name(int vendor);
const char *hvp_message_name(uint32_t message_type);
const char *hvp_translate_result_name(uint32_t result);

#endif /* LIBHVPART_H */
