/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 architectural constants used by the hvpart selftests' host side (the
 * state it prepares for guests) and by checks on what guests left behind.
 */
#ifndef SELFTEST_HVPART_X86_H
#define SELFTEST_HVPART_X86_H

#include <stdint.h>

#define X86_CR0_PE	(1ULL << 0)
#define X86_CR0_MP	(1ULL << 1)
#define X86_CR0_ET	(1ULL << 4)
#define X86_CR0_NE	(1ULL << 5)
#define X86_CR0_WP	(1ULL << 16)
#define X86_CR0_NW	(1ULL << 29)
#define X86_CR0_CD	(1ULL << 30)
#define X86_CR0_PG	(1ULL << 31)

#define X86_CR4_PAE	(1ULL << 5)

#define EFER_SCE	(1ULL << 0)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)

#define X86_RFLAGS_FIXED	(1ULL << 1)
#define X86_RFLAGS_IF		(1ULL << 9)

#define MSR_IA32_TSC		0x00000010
#define MSR_IA32_APIC_BASE	0x0000001b
#define MSR_IA32_UCODE_REV	0x0000008b
#define MSR_IA32_SYSENTER_CS	0x00000174
#define MSR_IA32_SYSENTER_ESP	0x00000175
#define MSR_IA32_SYSENTER_EIP	0x00000176
#define MSR_IA32_MISC_ENABLE	0x000001a0
#define MSR_IA32_CR_PAT		0x00000277
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_TSC_AUX		0xc0000103

#define APIC_BASE_BSP		(1ULL << 8)
#define APIC_BASE_ENABLE	(1ULL << 11)
#define APIC_DEFAULT_PHYS_BASE	0xfee00000ULL

/* Exception vectors. */
#define UD_VECTOR	6
#define DF_VECTOR	8
#define GP_VECTOR	13

/* Segment attributes in the HV_X64_SEGMENT_REGISTER layout. */
#define SEG_TYPE_ACCESSED	0x0001
#define SEG_TYPE_RW		0x0002	/* data: writable; code: readable */
#define SEG_TYPE_CODE		0x0008
#define SEG_S			0x0010
#define SEG_P			0x0080
#define SEG_L			0x2000
#define SEG_DB			0x4000
#define SEG_G			0x8000

#define SEG_ATTR_CODE64	(SEG_G | SEG_L | SEG_P | SEG_S | SEG_TYPE_CODE | \
			 SEG_TYPE_RW | SEG_TYPE_ACCESSED)		/* 0xa09b */
#define SEG_ATTR_CODE32	(SEG_G | SEG_DB | SEG_P | SEG_S | SEG_TYPE_CODE | \
			 SEG_TYPE_RW | SEG_TYPE_ACCESSED)		/* 0xc09b */
#define SEG_ATTR_DATA32	(SEG_G | SEG_DB | SEG_P | SEG_S | SEG_TYPE_RW | \
			 SEG_TYPE_ACCESSED)				/* 0xc093 */
#define SEG_ATTR_CODE16	(SEG_P | SEG_S | SEG_TYPE_CODE | SEG_TYPE_RW | \
			 SEG_TYPE_ACCESSED)				/* 0x009b */
#define SEG_ATTR_DATA16	(SEG_P | SEG_S | SEG_TYPE_RW | \
			 SEG_TYPE_ACCESSED)				/* 0x0093 */
#define SEG_ATTR_LDT	(SEG_P | 0x2)					/* 0x0082 */
#define SEG_ATTR_TSS_BUSY (SEG_P | 0xb)					/* 0x008b */

/* Page-table entry bits. */
#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_US		(1ULL << 2)
#define PTE_A		(1ULL << 5)
#define PTE_D		(1ULL << 6)
#define PTE_PS		(1ULL << 7)
#define PTE_ADDR_MASK	0x000ffffffffff000ULL

static inline void host_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t *eax,
			      uint32_t *ebx, uint32_t *ecx, uint32_t *edx)
{
	__asm__ volatile("cpuid"
			 : "=a"(*eax), "=b"(*ebx), "=c"(*ecx), "=d"(*edx)
			 : "a"(leaf), "c"(subleaf));
}

#endif /* SELFTEST_HVPART_X86_H */
