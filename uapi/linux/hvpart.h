/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvpart: userspace interface to a Hyper-V TLFS hypervisor core.
 *
 * Object chain: /dev/hvpart -> HVPART_CREATE_PARTITION -> partition fd
 * -> HVPART_CREATE_VP -> VP fd.  mmap() of a VP fd at offset 0 gives the
 * VP's struct hvpart_run, at HVPART_VP_MMAP_SIM_PGOFF and _SIEF_PGOFF its
 * SynIC pages.
 *
 * Rules that hold for every ioctl here:
 *  - every struct has a flags field; unknown flag bits fail with -EINVAL;
 *  - every reserved field (rsvd*) must be zero (MBZ), or -EINVAL;
 *  - pointers are passed as __u64 and a bad one fails with -EFAULT;
 *  - an unknown command fails with -ENOTTY;
 *  - extensions are discovered with HVPART_CHECK_EXTENSION, never with a
 *    version field; HVPART_GET_API_VERSION only changes if the whole ABI
 *    is replaced.
 *
 * Message and register layouts follow the Hyper-V Top-Level Functional
 * Specification (TLFS); each is tagged with its TLFS name.
 */
#ifndef _UAPI_LINUX_HVPART_H
#define _UAPI_LINUX_HVPART_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define HVPART_API_VERSION		1

/* Ioctl magic; 0xAE is KVM and 0xB8 is mshv. */
#define HVPART_IO			0xB9

/* Capabilities for HVPART_CHECK_EXTENSION (return value in brackets). */
#define HVPART_CAP_MAX_VPS		1	/* [max VPs per partition] */
#define HVPART_CAP_VENDOR		2	/* [HVPART_VENDOR_*] */
#define HVPART_CAP_IO_INTERCEPT		3	/* [1] I/O port intercepts */
#define HVPART_CAP_CPUID_INTERCEPT	4	/* [1] CPUID leaf intercepts */
#define HVPART_CAP_MSR_INTERCEPT	5	/* [1] MSR intercepts */
#define HVPART_CAP_RUN_COMPLETION	6	/* [1] hvpart_run completion */
#define HVPART_CAP_TRANSLATE_GVA	7	/* [1] HVPART_TRANSLATE_GVA */
#define HVPART_CAP_MAX_GPA_BITS		8	/* [guest physical bits] */
#define HVPART_CAP_MAX_MAPPINGS		9	/* [GPA ranges per partition] */
#define HVPART_CAP_SET_CPUID		10	/* [max entries] HVPART_SET_CPUID */
#define HVPART_CAP_SUPPORTED_CPUID	11	/* [max entries] HVPART_GET_SUPPORTED_CPUID */
#define HVPART_CAP_LOCAL_APIC		12	/* [1] HVPART_CREATE_PARTITION_LOCAL_APIC */
#define HVPART_CAP_SYNIC		13	/* [1] SynIC, synthetic timers, ports */
#define HVPART_CAP_HYPERCALL_INTERCEPT	14	/* [1] hypercall intercepts */
#define HVPART_CAP_VP_SYNIC_PAGES	15	/* [1] HVPART_VP_MMAP_SIM_PGOFF, _SIEF_PGOFF */
#define HVPART_CAP_MONITOR		16	/* [1] monitor ports, HVPART_ANY_VP */

#define HVPART_VENDOR_SVM		1
#define HVPART_VENDOR_VMX		2

/**
 * struct hvpart_create_partition - HVPART_CREATE_PARTITION argument
 * @flags: in: HVPART_CREATE_PARTITION_* flags
 * @rsvd: MBZ
 *
 * HVPART_CREATE_PARTITION_LOCAL_APIC gives every VP a local APIC in the
 * kernel, as a Hyper-V VP has: xAPIC MMIO at the APIC base and the x2APIC
 * MSRs, the APIC timer, IPIs between VPs, INIT and SIPI.  VP 0 runs from
 * reset; every other VP waits for INIT-SIPI-SIPI (or
 * HvCallStartVirtualProcessor) inside HVPART_RUN_VP.  HLT with RFLAGS.IF
 * set sleeps in the kernel until an interrupt; HLT with IF clear sends
 * HVPART_MSG_X64_HALT to the root, and the VP stays halted (the next
 * HVPART_RUN_VP sleeps) until an NMI or INIT.  The root injects with
 * HVPART_ASSERT_INTERRUPT; the pending-interruption register is then for
 * exceptions and NMIs only.  Without the flag the root sees every HLT and
 * injects through the pending-interruption register alone.
 */
struct hvpart_create_partition {
	__u64 flags;
	__u8 rsvd[24];
};

#define HVPART_CREATE_PARTITION_LOCAL_APIC	0x1ULL
#define HVPART_CREATE_PARTITION_FLAGS_MASK	0x1ULL

/* Partition property codes for struct hvpart_partition_property. */
enum {
	/* VP limit; settable only before the first VP is created */
	HVPART_PROP_MAX_VPS = 1,
	/* HV_PARTITION_PRIVILEGE_MASK (CPUID 0x40000003 EBX:EAX) */
	HVPART_PROP_PRIVILEGE_MASK = 2,
	/* Hyper-V feature flags (CPUID 0x40000003 EDX) */
	HVPART_PROP_FEATURES = 3,
	/* implementation recommendations (CPUID 0x40000004 EAX) */
	HVPART_PROP_RECOMMENDATIONS = 4,
	/* spinlock retries before HvCallNotifyLongSpinWait (0x40000004 EBX) */
	HVPART_PROP_SPIN_RETRY = 5,
	/* read-only (-EPERM on SET): what hvpart can grant for 2, 3 and 4 */
	HVPART_PROP_SUPPORTED_PRIVILEGES = 6,
	HVPART_PROP_SUPPORTED_FEATURES = 7,
	HVPART_PROP_SUPPORTED_RECOMMENDATIONS = 8,
	HVPART_PROP_COUNT,
};

/*
 * A new partition is granted everything hvpart implements (the SUPPORTED
 * properties) and a spin retry count of 0xffffffff (never notify).  The
 * guest sees exactly what is set, in its CPUID leaves, and gets exactly
 * that: a synthetic MSR without its privilege or feature raises #GP, a
 * hypercall without its privilege returns HV_STATUS_ACCESS_DENIED.
 * Setting a bit hvpart does not implement fails with -EINVAL.
 */

/**
 * struct hvpart_partition_property - HVPART_{SET,GET}_PARTITION_PROPERTY
 * @code: in: an HVPART_PROP_* code
 * @flags: in: no flags are defined yet, MBZ
 * @value: in (SET) or out (GET): the property's value
 * @rsvd: MBZ
 */
struct hvpart_partition_property {
	__u32 code;
	__u32 flags;
	__u64 value;
	__u8 rsvd[16];
};

/*
 * Access rights of a GPA range (HV_MAP_GPA_*).  A range must be readable.
 * Kernel and user execute are either both given or both left out: the
 * nested page tables of the supported vendors cannot tell them apart.
 */
enum {
	HVPART_MAP_BIT_READABLE,
	HVPART_MAP_BIT_WRITABLE,
	HVPART_MAP_BIT_KERNEL_EXECUTABLE,
	HVPART_MAP_BIT_USER_EXECUTABLE,
	HVPART_MAP_BIT_COUNT,
};

#define HVPART_MAP_READABLE		_BITUL(HVPART_MAP_BIT_READABLE)
#define HVPART_MAP_WRITABLE		_BITUL(HVPART_MAP_BIT_WRITABLE)
#define HVPART_MAP_KERNEL_EXECUTABLE	_BITUL(HVPART_MAP_BIT_KERNEL_EXECUTABLE)
#define HVPART_MAP_USER_EXECUTABLE	_BITUL(HVPART_MAP_BIT_USER_EXECUTABLE)
#define HVPART_MAP_EXECUTABLE		(HVPART_MAP_KERNEL_EXECUTABLE | \
					 HVPART_MAP_USER_EXECUTABLE)
#define HVPART_MAP_FLAGS_MASK		((1U << HVPART_MAP_BIT_COUNT) - 1)

/**
 * struct hvpart_gpa_range - HVPART_MAP_GPA_RANGE / HVPART_UNMAP_GPA_RANGE
 * @guest_pfn: in: first guest page frame number of the range
 * @size: in: size in bytes, a nonzero multiple of 4096
 * @userspace_addr: in: page-aligned address of the caller's memory backing
 *	the range (MAP); MBZ for UNMAP
 * @flags: in: HVPART_MAP_* access rights (MAP); MBZ for UNMAP
 * @rsvd: MBZ
 *
 * MAP pins the caller's pages and maps them at @guest_pfn with the given
 * rights, charged to the caller's locked memory (RLIMIT_MEMLOCK, -ENOMEM
 * past it) before anything is allocated.  One range pins at most 512 GiB
 * (-E2BIG).  Ranges may not overlap (-EEXIST).  UNMAP takes a range exactly
 * as it was mapped (-ENOENT otherwise); when it returns, no VP can reach
 * the pages any more and they are unpinned.
 */
struct hvpart_gpa_range {
	__u64 guest_pfn;
	__u64 size;
	__u64 userspace_addr;
	__u32 flags;
	__u32 rsvd;
};

/**
 * struct hvpart_create_vp - HVPART_CREATE_VP argument
 * @vp_index: in: the VP index, below HVPART_PROP_MAX_VPS and unused
 * @flags: in: no flags are defined yet, MBZ
 * @rsvd: MBZ
 */
struct hvpart_create_vp {
	__u32 vp_index;
	__u32 flags;
	__u8 rsvd[8];
};

/* Intercept types (HV_INTERCEPT_TYPE) for struct hvpart_intercept. */
#define HVPART_INTERCEPT_TYPE_X64_IO_PORT	0x00000000
#define HVPART_INTERCEPT_TYPE_X64_MSR		0x00000001
#define HVPART_INTERCEPT_TYPE_X64_CPUID		0x00000002
#define HVPART_INTERCEPT_TYPE_HYPERCALL		0x00000008

/* Access mask (HV_INTERCEPT_ACCESS_MASK_*). */
#define HVPART_INTERCEPT_ACCESS_MASK_READ	0x01
#define HVPART_INTERCEPT_ACCESS_MASK_WRITE	0x02
#define HVPART_INTERCEPT_ACCESS_MASK_EXECUTE	0x04

/**
 * struct hvpart_intercept - HVPART_INSTALL_INTERCEPT / HVPART_REMOVE_INTERCEPT
 * @type: in: HVPART_INTERCEPT_TYPE_*
 * @access_mask: in: HVPART_INTERCEPT_ACCESS_MASK_* bits: READ and WRITE for
 *	I/O ports (IN and OUT) and MSRs (RDMSR and WRMSR), EXECUTE for CPUID
 *	and hypercalls
 * @first: in: first port, MSR index, CPUID leaf or hypercall code (0 to
 *	0xffff) of the range
 * @last: in: last one, inclusive; @first <= @last
 * @flags: in: no flags are defined yet, MBZ
 * @rsvd: MBZ
 *
 * An intercepted access ends HVPART_RUN_VP with the matching intercept
 * message; the root emulates the instruction.  I/O ports with no intercept
 * read as all ones and ignore writes (string forms are always sent to the
 * root).  MSRs with no intercept that hvpart does not emulate raise #GP;
 * the synthetic MSRs (0x40000000-0x400001ff) cannot be intercepted.
 * A hypercall whose call code is intercepted (the TLFS's hypercall
 * intercept, by code here) ends the run with
 * HVPART_MSG_HYPERCALL_INTERCEPT before hvpart looks at its input, so
 * that the root can implement it on the VP's thread (HvPostMessage to
 * the root, as KVM's KVM_EXIT_HYPERV_HCALL): the root sets the result
 * (SET_RAX, and SET_RDX outside long mode) and ADVANCE_RIP.  The #UD of a
 * VMCALL that is no hypercall (no hypercall page, CPL > 0, real mode)
 * comes first.
 * REMOVE takes intercepts back: for I/O ports every port of the range
 * (-ENOENT if none was intercepted); for the others the range exactly as
 * installed, with the same access mask (-ENOENT otherwise).  At most 16
 * ranges of each of MSRs, CPUID leaves and hypercalls may be installed
 * (-ENOSPC).
 */
struct hvpart_intercept {
	__u32 type;
	__u32 access_mask;
	__u32 first;
	__u32 last;
	__u32 flags;
	__u32 rsvd;
};

#define HVPART_CPUID_FLAG_SIGNIFICANT_INDEX	0x1
#define HVPART_CPUID_FLAGS_MASK			0x1
#define HVPART_MAX_CPUID_ENTRIES		64

/**
 * struct hvpart_cpuid_entry - one CPUID leaf as the guest will see it
 * @function: in: the leaf (EAX)
 * @index: in: the subleaf (ECX), compared only with
 *	HVPART_CPUID_FLAG_SIGNIFICANT_INDEX
 * @flags: in: HVPART_CPUID_FLAG_*
 * @eax: in: result
 * @ebx: in: result
 * @ecx: in: result
 * @edx: in: result
 * @rsvd: MBZ
 */
struct hvpart_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;
	__u32 eax;
	__u32 ebx;
	__u32 ecx;
	__u32 edx;
	__u32 rsvd;
};

/**
 * struct hvpart_cpuid - HVPART_SET_CPUID and HVPART_GET_SUPPORTED_CPUID
 *	argument, as KVM_SET_CPUID2 and KVM_GET_SUPPORTED_CPUID
 * @nent: in: entries at @entries_ptr, 0..HVPART_MAX_CPUID_ENTRIES (GET:
 *	room there); out (GET): the entries written, or needed on -E2BIG
 * @flags: in: no flags are defined yet, MBZ
 * @entries_ptr: in: address of an array of struct hvpart_cpuid_entry
 * @rsvd: MBZ
 *
 * Replaces the partition's CPUID table (nent 0 empties it).  A leaf in
 * the table returns exactly its entry; any other leaf returns hvpart's
 * default, the host's CPUID less what hvpart does not virtualize.  The
 * hypervisor leaves 0x40000000-0x400000ff come from the partition
 * properties and cannot be set here (-EINVAL), nor can one leaf appear
 * twice.  CPUID intercepts still take precedence.
 *
 * HVPART_GET_SUPPORTED_CPUID (on /dev/hvpart) writes hvpart's default:
 * every leaf it offers, each feature bit set only where the host has the
 * feature and hvpart virtualizes it, with the guest's XCR0 at reset
 * (leaf 0xD's size) and APIC ID 0 (leaf 1, which is per VP, as is
 * OSXSAVE).  Leaves with subleaves carry HVPART_CPUID_FLAG_SIGNIFICANT_INDEX.
 * Leaves not listed read as zero in the guest.
 */
struct hvpart_cpuid {
	__u32 nent;
	__u32 flags;
	__u64 entries_ptr;
	__u8 rsvd[16];
};

/* TLFS register names (HV_REGISTER_NAME), as Linux spells them. */
/* HvRegisterInternalActivityState: bit 0 waits for SIPI, bit 1 halted */
#define HVPART_REG_INTERNAL_ACTIVITY_STATE	0x00000004
#define HVPART_ACTIVITY_STARTUP_SUSPEND		0x1
#define HVPART_ACTIVITY_HALT_SUSPEND		0x2
#define HVPART_REG_PENDING_INTERRUPTION		0x00010002
#define HVPART_REG_INTERRUPT_STATE		0x00010003
#define HVPART_REG_DELIVERABILITY_NOTIFICATIONS	0x00010006
#define HVPART_REG_RAX		0x00020000
#define HVPART_REG_RCX		0x00020001
#define HVPART_REG_RDX		0x00020002
#define HVPART_REG_RBX		0x00020003
#define HVPART_REG_RSP		0x00020004
#define HVPART_REG_RBP		0x00020005
#define HVPART_REG_RSI		0x00020006
#define HVPART_REG_RDI		0x00020007
#define HVPART_REG_R8		0x00020008
#define HVPART_REG_R9		0x00020009
#define HVPART_REG_R10		0x0002000A
#define HVPART_REG_R11		0x0002000B
#define HVPART_REG_R12		0x0002000C
#define HVPART_REG_R13		0x0002000D
#define HVPART_REG_R14		0x0002000E
#define HVPART_REG_R15		0x0002000F
#define HVPART_REG_RIP		0x00020010
#define HVPART_REG_RFLAGS	0x00020011
#define HVPART_REG_CR0		0x00040000
#define HVPART_REG_CR2		0x00040001
#define HVPART_REG_CR3		0x00040002
#define HVPART_REG_CR4		0x00040003
#define HVPART_REG_CR8		0x00040004
#define HVPART_REG_XFEM		0x00040005
#define HVPART_REG_DR0		0x00050000
#define HVPART_REG_DR1		0x00050001
#define HVPART_REG_DR2		0x00050002
#define HVPART_REG_DR3		0x00050003
#define HVPART_REG_DR6		0x00050004
#define HVPART_REG_DR7		0x00050005
#define HVPART_REG_ES		0x00060000
#define HVPART_REG_CS		0x00060001
#define HVPART_REG_SS		0x00060002
#define HVPART_REG_DS		0x00060003
#define HVPART_REG_FS		0x00060004
#define HVPART_REG_GS		0x00060005
#define HVPART_REG_LDTR		0x00060006
#define HVPART_REG_TR		0x00060007
#define HVPART_REG_IDTR		0x00070000
#define HVPART_REG_GDTR		0x00070001
#define HVPART_REG_TSC		0x00080000
#define HVPART_REG_EFER		0x00080001
#define HVPART_REG_KERNEL_GS_BASE	0x00080002
#define HVPART_REG_APIC_BASE	0x00080003
#define HVPART_REG_PAT		0x00080004
#define HVPART_REG_SYSENTER_CS	0x00080005
#define HVPART_REG_SYSENTER_EIP	0x00080006
#define HVPART_REG_SYSENTER_ESP	0x00080007
#define HVPART_REG_STAR		0x00080008
#define HVPART_REG_LSTAR	0x00080009
#define HVPART_REG_CSTAR	0x0008000A
#define HVPART_REG_SFMASK	0x0008000B
#define HVPART_REG_TSC_AUX	0x0008007B
/*
 * Local APIC registers (LOCAL_APIC partitions): HvX64RegisterApicId and
 * its neighbours are 0x00084000 plus the register's x2APIC MSR (0x802 ID
 * .. 0x83f SELF_IPI); ICR is one 64-bit register at 0x00084830.
 */
#define HVPART_REG_APIC(offset)	(0x00084800 + ((offset) >> 4))	/* xAPIC offset */
#define HVPART_REG_APIC_FIRST	0x00084802
#define HVPART_REG_APIC_ID	0x00084802
#define HVPART_REG_APIC_TPR	0x00084808
#define HVPART_REG_APIC_ICR	0x00084830
#define HVPART_REG_APIC_LAST	0x0008483F
/*
 * Synthetic state.  GUEST_OS_ID, HYPERCALL, REFERENCE_TSC, TIME_REF_COUNT
 * and the crash registers are partition-wide (any VP fd reaches them);
 * VP_INDEX and the frequencies are read-only.  The root is not bound by
 * the hypercall MSR's lock bit.
 */
#define HVPART_REG_VP_RUNTIME		0x00090000
#define HVPART_REG_HYPERCALL		0x00090001
#define HVPART_REG_GUEST_OS_ID		0x00090002
#define HVPART_REG_VP_INDEX		0x00090003
#define HVPART_REG_TIME_REF_COUNT	0x00090004
#define HVPART_REG_VP_ASSIST_PAGE	0x00090013	/* LOCAL_APIC partitions */
#define HVPART_REG_REFERENCE_TSC	0x00090017
#define HVPART_REG_GUEST_CRASH_P0	0x00000210
#define HVPART_REG_GUEST_CRASH_P1	0x00000211
#define HVPART_REG_GUEST_CRASH_P2	0x00000212
#define HVPART_REG_GUEST_CRASH_P3	0x00000213
#define HVPART_REG_GUEST_CRASH_P4	0x00000214
#define HVPART_REG_GUEST_CRASH_CTL	0x00000215
#define HVPART_REG_PROCESSOR_CLOCK_FREQUENCY	0x00000240
#define HVPART_REG_INTERRUPT_CLOCK_FREQUENCY	0x00000241
/*
 * The SynIC and the synthetic timers of a VP (LOCAL_APIC partitions), as
 * the TLFS names them (HV_REGISTER_SINT0 ... HV_REGISTER_STIMER3_COUNT).
 * The root sets them as the guest's WRMSR would, without its #GP rules
 * for SVERSION (read-only; a write is -EINVAL) and the privileges; EOM
 * reads 0 and a write scans the queues, as the guest's does.
 */
#define HVPART_REG_SINT0		0x000A0000
#define HVPART_REG_SINT15		0x000A000F
#define HVPART_REG_SCONTROL		0x000A0010
#define HVPART_REG_SVERSION		0x000A0011
#define HVPART_REG_SIEFP		0x000A0012
#define HVPART_REG_SIMP			0x000A0013
#define HVPART_REG_EOM			0x000A0014
#define HVPART_REG_STIMER0_CONFIG	0x000B0000
#define HVPART_REG_STIMER0_COUNT	0x000B0001
#define HVPART_REG_STIMER3_COUNT	0x000B0007

/**
 * struct hvpart_x64_segment - HV_X64_SEGMENT_REGISTER
 * @base: linear base address
 * @limit: byte-granular limit
 * @selector: selector
 * @attributes: bits 0-3 type, 4 S (non-system), 5-6 DPL, 7 present,
 *	12 AVL, 13 L (64-bit code), 14 D/B, 15 G; bits 8-11 MBZ
 */
struct hvpart_x64_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u16 attributes;
};

/**
 * struct hvpart_x64_table - HV_X64_TABLE_REGISTER (GDTR, IDTR)
 * @pad: MBZ
 * @limit: limit
 * @base: linear base address
 */
struct hvpart_x64_table {
	__u16 pad[3];
	__u16 limit;
	__u64 base;
};

/**
 * union hvpart_register_value - HV_REGISTER_VALUE
 * @reg64: 64-bit registers; bits 64-127 MBZ
 * @reg128: 128-bit view
 * @segment: segment registers
 * @table: GDTR and IDTR
 */
union hvpart_register_value {
	__u64 reg64;
	__u64 reg128[2];
	struct hvpart_x64_segment segment;
	struct hvpart_x64_table table;
};

/**
 * struct hvpart_register - HV_REGISTER_ASSOC
 * @name: in: an HVPART_REG_* name
 * @rsvd1: MBZ
 * @rsvd2: MBZ
 * @value: in (SET) or out (GET)
 */
struct hvpart_register {
	__u32 name;
	__u32 rsvd1;
	__u64 rsvd2;
	union hvpart_register_value value;
};

#define HVPART_MAX_REGISTERS_PER_CALL	128

/**
 * struct hvpart_vp_registers - HVPART_{GET,SET}_VP_REGISTERS argument
 * @count: in: number of entries at @regs_ptr (1..128);
 *	out: number of entries processed before the first failure
 * @flags: in: no flags are defined yet, MBZ
 * @regs_ptr: in: address of an array of struct hvpart_register
 * @rsvd: MBZ
 */
struct hvpart_vp_registers {
	__u32 count;
	__u32 flags;
	__u64 regs_ptr;
	__u8 rsvd[16];
};

/* HVPART_TRANSLATE_GVA flags (HV_TRANSLATE_GVA_CONTROL_FLAGS). */
#define HVPART_TRANSLATE_GVA_VALIDATE_READ	0x0001
#define HVPART_TRANSLATE_GVA_VALIDATE_WRITE	0x0002
#define HVPART_TRANSLATE_GVA_VALIDATE_EXECUTE	0x0004
#define HVPART_TRANSLATE_GVA_PRIVILEGE_EXEMPT	0x0008
#define HVPART_TRANSLATE_GVA_FLAGS_MASK		0x000f

/* Results (HV_TRANSLATE_GVA_RESULT_CODE). */
#define HVPART_TRANSLATE_GVA_SUCCESS			0
#define HVPART_TRANSLATE_GVA_PAGE_NOT_PRESENT		1
#define HVPART_TRANSLATE_GVA_PRIVILEGE_VIOLATION	2
#define HVPART_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS	3
#define HVPART_TRANSLATE_GVA_GPA_UNMAPPED		4

/**
 * struct hvpart_translate_gva - HVPART_TRANSLATE_GVA argument
 * @gva: in: guest virtual address, translated with the VP's current
 *	paging mode (identity when paging is off)
 * @flags: in: HVPART_TRANSLATE_GVA_* validation flags
 * @result: out: HVPART_TRANSLATE_GVA_SUCCESS or the reason it failed
 * @gpa: out: the guest physical address, on success
 * @rsvd: MBZ
 */
struct hvpart_translate_gva {
	__u64 gva;
	__u32 flags;
	__u32 result;
	__u64 gpa;
	__u8 rsvd[8];
};

/* Interrupt types (HV_INTERRUPT_TYPE) for HVPART_ASSERT_INTERRUPT. */
#define HVPART_INTERRUPT_TYPE_FIXED		0
#define HVPART_INTERRUPT_TYPE_LOWEST_PRIORITY	1
#define HVPART_INTERRUPT_TYPE_NMI		4
#define HVPART_INTERRUPT_TYPE_INIT		5
#define HVPART_INTERRUPT_TYPE_SIPI		6

/* struct hvpart_assert_interrupt flags (HV_INTERRUPT_CONTROL bits) */
#define HVPART_INTERRUPT_LEVEL_TRIGGERED	0x1
#define HVPART_INTERRUPT_LOGICAL_DEST		0x2
#define HVPART_INTERRUPT_FLAGS_MASK		0x3

/**
 * struct hvpart_assert_interrupt - HVPART_ASSERT_INTERRUPT argument, as
 *	HvCallAssertVirtualInterrupt
 * @type: in: HVPART_INTERRUPT_TYPE_*
 * @flags: in: HVPART_INTERRUPT_* flags
 * @destination: in: an APIC ID (physical) or a logical destination
 *	(HVPART_INTERRUPT_LOGICAL_DEST), as an I/O APIC or MSI names it;
 *	0xff (xAPIC) or 0xffffffff (x2APIC) is every VP
 * @vector: in: 16-255 for fixed and lowest priority, the start page
 *	for SIPI, ignored (MBZ) for NMI and INIT
 * @rsvd: MBZ
 *
 * Needs a partition created with HVPART_CREATE_PARTITION_LOCAL_APIC
 * (-ENXIO otherwise).  The interrupt is latched in the target VPs' local
 * APICs and each is woken or kicked out of the guest; a level-triggered
 * one sets the vector's TMR bit, and the guest's EOI of it ends its VP's
 * HVPART_RUN_VP with HVPART_MSG_X64_APIC_EOI so that the root's
 * interrupt controller can deliver again.  A destination that names no VP
 * drops the interrupt, as on the bus.
 */
struct hvpart_assert_interrupt {
	__u32 type;
	__u32 flags;
	__u64 destination;
	__u32 vector;
	__u32 rsvd;
};

/* Port types (HV_PORT_TYPE) for HVPART_CREATE_PORT. */
#define HVPART_PORT_TYPE_MESSAGE	1
#define HVPART_PORT_TYPE_EVENT		2
#define HVPART_PORT_TYPE_MONITOR	3

/* struct hvpart_port_info flags */
enum {
	HVPART_PORT_BIT_TO_ROOT,	/* the root owns the port */
	HVPART_PORT_BIT_COUNT,
};

#define HVPART_PORT_TO_ROOT		_BITUL(HVPART_PORT_BIT_TO_ROOT)
#define HVPART_PORT_FLAGS_MASK		((1U << HVPART_PORT_BIT_COUNT) - 1)

/* HV_PORT_ID and HV_CONNECTION_ID hold 24 bits; 0 is never valid here. */
#define HVPART_PORT_ID_MAX		0x00ffffff
#define HVPART_SINT_COUNT		16
#define HVPART_EVENT_FLAGS_PER_SINT	2048
#define HVPART_MESSAGE_PAYLOAD_BYTES	240
/* HV_ANY_VP: a child port's target_vp, "any VP of the partition" */
#define HVPART_ANY_VP			0xffffffff

/*
 * HV_MONITOR_PAGE, the monitored notification facility's page: a monitor
 * port's fd maps it (mmap, one page, MAP_SHARED) and a monitor
 * connection overlays it in the child.  The root fills @latency and
 * @parameter and enables groups in @trigger_state; the child sets a bit
 * of a group's @pending (LOCK BTS); hvpart scans the enabled groups at
 * the monitors' latency, clears each pending bit and signals the event
 * connection its @parameter names, as the child's HvSignalEvent would.
 */
struct hvpart_monitor_page {
	__u32 trigger_state;		/* bits 0-3: group enabled */
	__u32 rsvd0;
	struct {
		__u32 pending;
		__u32 armed;
	} trigger_group[4];
	__u64 rsvd1[3];
	__s32 next_check_time[4][32];
	__u16 latency[4][32];		/* 100 ns units */
	__u64 rsvd2[32];
	struct {
		__u32 connection_id;
		__u16 flag_number;
		__u16 rsvd;
	} parameter[4][32];
	__u8 rsvd3[1984];
};

/**
 * struct hvpart_port_info - HVPART_CREATE_PORT argument, as HvCallCreatePort
 * @port_id: in: HV_PORT_ID, 1 to HVPART_PORT_ID_MAX, unused in the partition
 * @port_type: in: HVPART_PORT_TYPE_MESSAGE, _EVENT or _MONITOR
 * @flags: in: HVPART_PORT_TO_ROOT for a port the root owns (monitor
 *	ports must have it); else the port belongs to the child and targets
 *	@target_vp's @target_sint
 * @target_vp: in: child ports: the receiving VP's index (it need not
 *	exist yet: a message or event then fails with
 *	HV_STATUS_INVALID_VP_INDEX), or HVPART_ANY_VP: each message or
 *	event goes to a VP whose SynIC can take it, the sender first, else
 *	the lowest index; MBZ for root ports
 * @target_sint: in: child ports: the SINT, 0-15; MBZ for root ports
 * @rsvd0: MBZ
 * @base_flag: in: child event ports: the port's first flag among the
 *	SINT's 2048 event flags; MBZ otherwise
 * @flag_count: in: event ports: how many flags the port has, at least 1
 *	and at most 2048 - @base_flag; MBZ for message ports
 * @eventfd: in: root event ports: the eventfd that each HvSignalEvent on
 *	the port signals (the kernel keeps a reference); MBZ otherwise
 * @rsvd1: MBZ
 *
 * A message port to the root returns a new file descriptor (O_CLOEXEC)
 * from which the root read()s what the guest posts: whole struct
 * hvpart_message, header.sender holding the port id.  read() blocks
 * unless the fd is O_NONBLOCK (-EAGAIN), poll() says POLLIN; once the
 * port is deleted and its messages read, read() returns 0.  The port
 * holds 16 messages (the TLFS's per-port buffers); HvPostMessage to a
 * full port returns HV_STATUS_INSUFFICIENT_BUFFERS and the guest retries
 * later.  A monitor port (HVPART_CAP_MONITOR) returns a new fd
 * (O_CLOEXEC) whose mmap() (offset 0, one page, MAP_SHARED) is the
 * port's zeroed struct hvpart_monitor_page; all its other fields MBZ.
 * Other ports return 0.
 */
struct hvpart_port_info {
	__u32 port_id;
	__u32 port_type;
	__u32 flags;
	__u32 target_vp;
	__u8 target_sint;
	__u8 rsvd0[3];
	__u16 base_flag;
	__u16 flag_count;
	__s32 eventfd;
	__u32 rsvd1;
};

/**
 * struct hvpart_port_id - HVPART_DELETE_PORT argument, as HvCallDeletePort
 * @port_id: in: the port
 * @flags: MBZ
 *
 * Messages queued to the port and not yet delivered are dropped; its
 * connections stay, and HvPostMessage and HvSignalEvent on them return
 * HV_STATUS_INVALID_PORT_ID until they are disconnected or the id is
 * used again.
 */
struct hvpart_port_id {
	__u32 port_id;
	__u32 flags;
};

/**
 * struct hvpart_connection - HVPART_CONNECT_PORT and HVPART_DISCONNECT_PORT
 *	argument, as HvCallConnectPort and HvCallDisconnectPort
 * @connection_id: in: HV_CONNECTION_ID, 1 to HVPART_PORT_ID_MAX: what
 *	the child names in HvPostMessage and HvSignalEvent
 * @port_id: in: CONNECT: an existing port of this partition;
 *	DISCONNECT: MBZ
 * @flags: MBZ
 * @rsvd: MBZ
 * @monitor_gpa: in: CONNECT to a monitor port: the page-aligned GPA at
 *	which the child sees the port's monitor page, an overlay as the
 *	SIM page is (-EBUSY on another overlay); MBZ otherwise
 *
 * A monitor port has one connection at a time (-EBUSY).  Its connection
 * id names nothing to HvPostMessage and HvSignalEvent: the child uses
 * the page.  Disconnecting it, or deleting the port, takes the page
 * away from the child.
 */
struct hvpart_connection {
	__u32 connection_id;
	__u32 port_id;
	__u32 flags;
	__u32 rsvd;
	__u64 monitor_gpa;
};

/**
 * struct hvpart_post_message - HVPART_POST_MESSAGE argument: the root
 *	posts a message into a child VP's SINT
 * @vp_index: in: the target VP
 * @sint: in: the SINT, 0-15
 * @rsvd0: MBZ
 * @flags: MBZ
 * @message_type: in: nonzero, most significant bit clear (the
 *	hypervisor's own types are not the root's to send)
 * @payload_size: in: bytes of @payload, at most 240
 * @rsvd1: MBZ
 * @payload: in: the payload
 *
 * The message goes into the SINT's slot of the VP's SIM page, or waits
 * in its queue (at most 16 from the root a SINT: -EAGAIN beyond) until
 * the guest frees the slot and writes EOM or EOIs the SINT's vector.
 * Fails with -ENOENT if there is no such VP, -ENOTCONN if its SynIC or
 * SIM page is disabled (HV_STATUS_INVALID_SYNIC_STATE).
 */
struct hvpart_post_message {
	__u32 vp_index;
	__u8 sint;
	__u8 rsvd0[3];
	__u32 flags;
	__u32 message_type;
	__u32 payload_size;
	__u32 rsvd1;
	__u8 payload[HVPART_MESSAGE_PAYLOAD_BYTES];
};

/* struct hvpart_signal_event flags */
enum {
	HVPART_SIGNAL_EVENT_BIT_SINT_ONLY,	/* the interrupt, no flag */
	HVPART_SIGNAL_EVENT_BIT_COUNT,
};

#define HVPART_SIGNAL_EVENT_SINT_ONLY	_BITUL(HVPART_SIGNAL_EVENT_BIT_SINT_ONLY)
#define HVPART_SIGNAL_EVENT_FLAGS_MASK	((1U << HVPART_SIGNAL_EVENT_BIT_COUNT) - 1)

/**
 * struct hvpart_signal_event - HVPART_SIGNAL_EVENT argument: the root
 *	sets an event flag of a child VP's SINT
 * @vp_index: in: the target VP
 * @sint: in: the SINT, 0-15
 * @rsvd0: MBZ
 * @flag_number: in: the flag, 0-2047, in the SINT's part of the SIEF page;
 *	MBZ with HVPART_SIGNAL_EVENT_SINT_ONLY
 * @flags: in: HVPART_SIGNAL_EVENT_SINT_ONLY or 0; other bits MBZ
 * @rsvd1: MBZ
 *
 * Sets the flag; if it was clear, the SINT's interrupt is raised.  Fails
 * with -ENOENT if there is no such VP, -ENOTCONN if its SynIC or SIEF
 * page is disabled or the SINT is masked (HV_STATUS_INVALID_SYNIC_STATE).
 *
 * With HVPART_SIGNAL_EVENT_SINT_ONLY no flag is set and the SIEF page is
 * not touched (it need not be enabled): the SINT's interrupt is raised
 * every time, as a newly set flag would raise it (AutoEOI and polling as
 * the SINT register says), like a KVM_IRQFD on a Hyper-V SINT route.
 * -ENOTCONN if the SynIC is disabled or the SINT is masked.
 */
struct hvpart_signal_event {
	__u32 vp_index;
	__u8 sint;
	__u8 rsvd0;
	__u16 flag_number;
	__u32 flags;
	__u32 rsvd1;
};

/* Message types (HV_MESSAGE_TYPE) found in hvpart_run.msg. */
#define HVPART_MSG_NONE				0x00000000
#define HVPART_MSG_UNMAPPED_GPA			0x80000000
#define HVPART_MSG_GPA_INTERCEPT		0x80000001
#define HVPART_MSG_HYPERCALL_INTERCEPT		0x80000050
#define HVPART_MSG_UNRECOVERABLE_EXCEPTION	0x80000021
#define HVPART_MSG_X64_IO_PORT_INTERCEPT	0x80010000
#define HVPART_MSG_X64_MSR_INTERCEPT		0x80010001
#define HVPART_MSG_X64_CPUID_INTERCEPT		0x80010002
#define HVPART_MSG_X64_EXCEPTION_INTERCEPT	0x80010003
/* a level-triggered interrupt's EOI (HVPART_ASSERT_INTERRUPT) */
#define HVPART_MSG_X64_APIC_EOI			0x80010004
/* HLT has retired: header.rip is the next instruction; RUN resumes there */
#define HVPART_MSG_X64_HALT			0x80010007
#define HVPART_MSG_X64_INTERRUPTION_DELIVERABLE	0x80010008
/* hvpart's own: the VP hit an exit hvpart does not handle; see payload */
#define HVPART_MSG_HVPART_UNHANDLED_EXIT	0x8fff0000
/* hvpart's own: the guest wrote CrashNotify to HV_X64_MSR_CRASH_CTL */
#define HVPART_MSG_HVPART_GUEST_CRASH		0x8fff0001
/* hvpart's own: the guest wrote 1 to HV_X64_MSR_RESET */
#define HVPART_MSG_HVPART_RESET			0x8fff0002

/* HV_INTERCEPT_ACCESS_TYPE */
#define HVPART_INTERCEPT_ACCESS_READ		0
#define HVPART_INTERCEPT_ACCESS_WRITE		1
#define HVPART_INTERCEPT_ACCESS_EXECUTE		2

/* HV_X64_VP_EXECUTION_STATE bits of hvpart_x64_intercept_header */
#define HVPART_EXEC_STATE_CPL_MASK		0x0003
#define HVPART_EXEC_STATE_CR0_PE		0x0004
#define HVPART_EXEC_STATE_CR0_AM		0x0008
#define HVPART_EXEC_STATE_EFER_LMA		0x0010
#define HVPART_EXEC_STATE_DEBUG_ACTIVE		0x0020
#define HVPART_EXEC_STATE_INTERRUPTION_PENDING	0x0040
#define HVPART_EXEC_STATE_INTERRUPT_SHADOW	0x1000

/**
 * struct hvpart_x64_intercept_header - HV_X64_INTERCEPT_MESSAGE_HEADER
 * @vp_index: the intercepted VP
 * @instruction_length: bits 0-3: length of the intercepted instruction
 *	(0 where not known); bits 4-7 MBZ
 * @intercept_access_type: HVPART_INTERCEPT_ACCESS_*
 * @execution_state: HVPART_EXEC_STATE_* bits
 * @cs_segment: CS at the intercept
 * @rip: RIP of the intercepted instruction
 * @rflags: RFLAGS at the intercept
 */
struct hvpart_x64_intercept_header {
	__u32 vp_index;
	__u8 instruction_length;
	__u8 intercept_access_type;
	__u16 execution_state;
	struct hvpart_x64_segment cs_segment;
	__u64 rip;
	__u64 rflags;
};

/* HV_X64_IO_PORT_ACCESS_INFO bits */
#define HVPART_IO_ACCESS_SIZE_MASK	0x07	/* 1, 2 or 4 bytes */
#define HVPART_IO_ACCESS_STRING_OP	0x08
#define HVPART_IO_ACCESS_REP_PREFIX	0x10

/**
 * struct hvpart_x64_io_port_intercept - HV_X64_IO_PORT_INTERCEPT_MESSAGE
 * @header: intercept header; access type READ for IN/INS, WRITE for OUT/OUTS
 * @port_number: the port
 * @access_info: HVPART_IO_ACCESS_* bits and size
 * @instruction_byte_count: valid bytes in @instruction_bytes (may be 0)
 * @rsvd: reserved
 * @rax: RAX at the intercept (OUT data in its low bytes)
 * @instruction_bytes: the instruction, where known
 * @ds_segment: DS (the source of OUTS unless overridden)
 * @es_segment: ES (the destination of INS)
 * @rcx: RCX (the rep count)
 * @rsi: RSI
 * @rdi: RDI
 */
struct hvpart_x64_io_port_intercept {
	struct hvpart_x64_intercept_header header;
	__u16 port_number;
	__u8 access_info;
	__u8 instruction_byte_count;
	__u32 rsvd;
	__u64 rax;
	__u8 instruction_bytes[16];
	struct hvpart_x64_segment ds_segment;
	struct hvpart_x64_segment es_segment;
	__u64 rcx;
	__u64 rsi;
	__u64 rdi;
};

/* HV_X64_MEMORY_ACCESS_INFO bits */
#define HVPART_MEM_ACCESS_GVA_VALID	0x01
#define HVPART_MEM_ACCESS_GVA_GPA_VALID	0x02

/**
 * struct hvpart_x64_memory_intercept - HV_X64_MEMORY_INTERCEPT_MESSAGE
 * @header: intercept header; access type READ, WRITE or EXECUTE
 * @cache_type: HV_CACHE_TYPE of the access (6, write-back)
 * @instruction_byte_count: valid bytes in @instruction_bytes (may be 0)
 * @memory_access_info: HVPART_MEM_ACCESS_* bits
 * @tpr_priority: reserved
 * @rsvd: reserved
 * @guest_virtual_address: the GVA, if HVPART_MEM_ACCESS_GVA_VALID
 * @guest_physical_address: the faulting GPA
 * @instruction_bytes: the instruction, where known
 *
 * Sent as HVPART_MSG_UNMAPPED_GPA when no range maps the GPA and as
 * HVPART_MSG_GPA_INTERCEPT when the range's rights forbid the access.
 */
struct hvpart_x64_memory_intercept {
	struct hvpart_x64_intercept_header header;
	__u32 cache_type;
	__u8 instruction_byte_count;
	__u8 memory_access_info;
	__u8 tpr_priority;
	__u8 rsvd;
	__u64 guest_virtual_address;
	__u64 guest_physical_address;
	__u8 instruction_bytes[16];
};

/**
 * struct hvpart_x64_cpuid_intercept - HV_X64_CPUID_INTERCEPT_MESSAGE
 * @header: intercept header
 * @rax: RAX (the leaf)
 * @rcx: RCX (the subleaf)
 * @rdx: RDX
 * @rbx: RBX
 * @default_result_rax: what hvpart would have returned in RAX
 * @default_result_rcx: ... RCX
 * @default_result_rdx: ... RDX
 * @default_result_rbx: ... RBX
 */
struct hvpart_x64_cpuid_intercept {
	struct hvpart_x64_intercept_header header;
	__u64 rax;
	__u64 rcx;
	__u64 rdx;
	__u64 rbx;
	__u64 default_result_rax;
	__u64 default_result_rcx;
	__u64 default_result_rdx;
	__u64 default_result_rbx;
};

/* struct hvpart_x64_hypercall_intercept flags */
#define HVPART_HYPERCALL_LONG_MODE	0x1	/* the 64-bit calling convention */

/**
 * struct hvpart_x64_hypercall_intercept - HV_X64_HYPERCALL_INTERCEPT_MESSAGE
 * @header: intercept header; access type EXECUTE
 * @rax: RAX
 * @rbx: RBX
 * @rcx: RCX (the control value in long mode)
 * @rdx: RDX (the input GPA or first fast parameter in long mode)
 * @r8: R8 (the output GPA or second fast parameter in long mode)
 * @rsi: RSI
 * @rdi: RDI
 * @xmm: XMM0-5, low quadword first (the XMM fast parameters)
 * @flags: HVPART_HYPERCALL_* bits
 * @rsvd: reserved
 */
struct hvpart_x64_hypercall_intercept {
	struct hvpart_x64_intercept_header header;
	__u64 rax;
	__u64 rbx;
	__u64 rcx;
	__u64 rdx;
	__u64 r8;
	__u64 rsi;
	__u64 rdi;
	__u64 xmm[6][2];
	__u32 flags;
	__u32 rsvd;
};

/**
 * struct hvpart_x64_msr_intercept - HV_X64_MSR_INTERCEPT_MESSAGE
 * @header: intercept header; access type READ (RDMSR) or WRITE (WRMSR)
 * @msr_number: ECX
 * @rsvd: reserved
 * @rdx: RDX (high half of a WRMSR value)
 * @rax: RAX (low half of a WRMSR value)
 */
struct hvpart_x64_msr_intercept {
	struct hvpart_x64_intercept_header header;
	__u32 msr_number;
	__u32 rsvd;
	__u64 rdx;
	__u64 rax;
};

/**
 * struct hvpart_x64_exception_intercept - HV_X64_EXCEPTION_INTERCEPT_MESSAGE
 * (abridged: general purpose registers are read with GET_VP_REGISTERS)
 * @header: intercept header
 * @exception_vector: the vector
 * @exception_info: bit 0: @error_code is valid
 * @instruction_byte_count: valid bytes in @instruction_bytes
 * @error_code: the error code
 * @exception_parameter: CR2 for #PF
 * @rsvd: reserved
 * @instruction_bytes: the instruction, where known
 */
struct hvpart_x64_exception_intercept {
	struct hvpart_x64_intercept_header header;
	__u16 exception_vector;
	__u8 exception_info;
	__u8 instruction_byte_count;
	__u32 error_code;
	__u64 exception_parameter;
	__u64 rsvd;
	__u8 instruction_bytes[16];
};

/**
 * struct hvpart_x64_interruption_deliverable -
 *	HV_X64_INTERRUPTION_DELIVERABLE_MESSAGE
 * @header: intercept header
 * @deliverable_type: 0 interrupt, 2 NMI (HV_X64_PENDING_*)
 * @rsvd: reserved
 */
struct hvpart_x64_interruption_deliverable {
	struct hvpart_x64_intercept_header header;
	__u32 deliverable_type;
	__u32 rsvd;
};

/**
 * struct hvpart_x64_apic_eoi - HV_X64_APIC_EOI_MESSAGE: the guest ended a
 *	level-triggered interrupt (its TMR bit was set); the EOI is done
 * @vp_index: the VP that wrote EOI
 * @interrupt_vector: the vector it ended
 */
struct hvpart_x64_apic_eoi {
	__u32 vp_index;
	__u32 interrupt_vector;
};

/**
 * struct hvpart_unhandled_exit - payload of HVPART_MSG_HVPART_UNHANDLED_EXIT
 * @header: intercept header
 * @vendor: HVPART_VENDOR_*
 * @rsvd: reserved
 * @exit_code: the vendor's raw exit code (SVM EXITCODE, VMX exit reason)
 * @exit_info1: SVM EXITINFO1 or VMX exit qualification
 * @exit_info2: SVM EXITINFO2 or VMX VM-instruction error
 */
struct hvpart_unhandled_exit {
	struct hvpart_x64_intercept_header header;
	__u32 vendor;
	__u32 rsvd;
	__u64 exit_code;
	__u64 exit_info1;
	__u64 exit_info2;
};

/**
 * struct hvpart_guest_crash - payload of HVPART_MSG_HVPART_GUEST_CRASH
 * @header: intercept header; rip is after the WRMSR, which has completed
 * @crash_ctl: the value written to HV_X64_MSR_CRASH_CTL (bit 63 notify,
 *	bit 62: @params[3] is the GPA of a message of @params[4] bytes)
 * @params: HV_X64_MSR_CRASH_P0 to P4
 */
struct hvpart_guest_crash {
	struct hvpart_x64_intercept_header header;
	__u64 crash_ctl;
	__u64 params[5];
};

#define HVPART_MESSAGE_PAYLOAD_QWORDS	30

/**
 * struct hvpart_message_header - HV_MESSAGE_HEADER
 * @message_type: HVPART_MSG_*
 * @payload_size: bytes of payload
 * @message_flags: bit 0 message pending
 * @rsvd: reserved
 * @sender: HV_PARTITION_ID or HV_PORT_ID; 0 for intercepts
 */
struct hvpart_message_header {
	__u32 message_type;
	__u8 payload_size;
	__u8 message_flags;
	__u8 rsvd[2];
	__u64 sender;
};

/**
 * struct hvpart_message - HV_MESSAGE, 256 bytes
 * @header: the header
 * @u: the payload, interpreted by @header.message_type
 */
struct hvpart_message {
	struct hvpart_message_header header;
	union {
		__u64 payload[HVPART_MESSAGE_PAYLOAD_QWORDS];
		struct hvpart_x64_intercept_header intercept;
		struct hvpart_x64_io_port_intercept io_port;
		struct hvpart_x64_memory_intercept memory;
		struct hvpart_x64_cpuid_intercept cpuid;
		struct hvpart_x64_hypercall_intercept hypercall;
		struct hvpart_x64_msr_intercept msr;
		struct hvpart_x64_exception_intercept exception;
		struct hvpart_x64_interruption_deliverable deliverable;
		struct hvpart_x64_apic_eoi apic_eoi;
		struct hvpart_unhandled_exit unhandled;
		struct hvpart_guest_crash crash;
	} u;
};

/*
 * Completion of the last intercept, applied by the next HVPART_RUN_VP
 * before the VP runs, so that the common case needs no register ioctl.
 */
enum {
	HVPART_RUN_COMPLETE_BIT_ADVANCE_RIP,	/* RIP += instruction_length */
	HVPART_RUN_COMPLETE_BIT_SET_RAX,	/* RAX = completion_rax */
	HVPART_RUN_COMPLETE_BIT_SET_RDX,	/* RDX = completion_rdx */
	HVPART_RUN_COMPLETE_BIT_SET_RCX_RBX,	/* RCX, RBX = completion_* */
	HVPART_RUN_COMPLETE_BIT_COUNT,
};

#define HVPART_RUN_COMPLETE_ADVANCE_RIP	_BITUL(HVPART_RUN_COMPLETE_BIT_ADVANCE_RIP)
#define HVPART_RUN_COMPLETE_SET_RAX	_BITUL(HVPART_RUN_COMPLETE_BIT_SET_RAX)
#define HVPART_RUN_COMPLETE_SET_RDX	_BITUL(HVPART_RUN_COMPLETE_BIT_SET_RDX)
#define HVPART_RUN_COMPLETE_SET_RCX_RBX	_BITUL(HVPART_RUN_COMPLETE_BIT_SET_RCX_RBX)
#define HVPART_RUN_COMPLETE_MASK	((1U << HVPART_RUN_COMPLETE_BIT_COUNT) - 1)

/**
 * struct hvpart_run - the page shared by a VP fd (mmap offset 0)
 * @immediate_exit: in: nonzero makes HVPART_RUN_VP return -EINTR at once
 *	(after applying the completion), as KVM's immediate_exit does
 * @rsvd0: MBZ
 * @completion: in: HVPART_RUN_COMPLETE_* for the last intercept; the kernel
 *	clears it once applied; unknown bits fail HVPART_RUN_VP with -EINVAL
 * @completion_rax: in: value for HVPART_RUN_COMPLETE_SET_RAX
 * @completion_rdx: in: value for HVPART_RUN_COMPLETE_SET_RDX
 * @completion_rcx: in: value of RCX for HVPART_RUN_COMPLETE_SET_RCX_RBX
 * @completion_rbx: in: value of RBX for HVPART_RUN_COMPLETE_SET_RCX_RBX
 * @exits: out: VM exits taken by this VP so far (statistics)
 * @rsvd1: MBZ
 * @msg: out: the intercept that ended the last HVPART_RUN_VP, or
 *	HVPART_MSG_NONE when it ended with -EINTR.  Intercepted instructions
 *	(I/O, CPUID, MSR, memory) have not executed: header.rip points at
 *	them and the root completes them (@completion or
 *	HVPART_SET_VP_REGISTERS).  After HVPART_MSG_UNRECOVERABLE_EXCEPTION
 *	(a triple fault) RUN returns the same message until RIP is set.
 */
struct hvpart_run {
	__u8 immediate_exit;
	__u8 rsvd0[3];
	__u32 completion;
	__u64 completion_rax;
	__u64 completion_rdx;
	__u64 completion_rcx;
	__u64 completion_rbx;
	__u64 exits;
	__u8 rsvd1[16];
	struct hvpart_message msg;
};

/**
 * DOC: VP fd mmap() offsets
 *
 * mmap() of a VP fd maps these pages; the offset argument is the page
 * offset times the page size, and one mapping may cover several of them
 * (offset 0 and 3 pages: all three):
 *
 * HVPART_VP_MMAP_RUN_PGOFF: the VP's struct hvpart_run
 * (HVPART_GET_VP_MMAP_SIZE bytes), shared or private.
 *
 * HVPART_VP_MMAP_SIM_PGOFF: the VP's SynIC message page (TLFS SIM page:
 * 16 HV_MESSAGE slots of 256 bytes, slot n for SINTn), and
 * HVPART_VP_MMAP_SIEF_PGOFF: its event flags page (TLFS SIEF page: 16
 * HV_SYNIC_EVENT_FLAGS of 2048 bits, flag f of SINTn at bit f % 8 of byte
 * n * 256 + f / 8).  Partitions created with
 * HVPART_CREATE_PARTITION_LOCAL_APIC only (HVPART_CAP_VP_SYNIC_PAGES);
 * MAP_SHARED only, read-only or read/write.  They are the very pages the
 * guest sees at its SIMP and SIEFP GPAs while SCONTROL and the page's
 * enable bit are set, and the ones the hypervisor delivers into.  Each
 * is zero when the VP is created and keeps its contents until the
 * partition goes, across SIMP, SIEFP and SCONTROL writes (the guest and
 * the root may write them while disabled and see the same bytes once
 * enabled).  Writes from the root take effect in the guest at once; they
 * raise no interrupt and deliver no queued message.
 *
 * This is how the root saves and restores a VP's SynIC: with every VP
 * out of HVPART_RUN_VP and the root posting and signalling nothing, read
 * the SynIC registers (HVPART_REG_SCONTROL, _SIMP, _SIEFP, _SINT0-15),
 * the timers' (they run on while the VPs are stopped: an expiration
 * between the two reads is then still due in the saved timer), and last
 * both pages.  On restore, write the registers, then the pages, then the
 * timers (HVPART_REG_STIMERn_*, so that no expiration lands in a slot
 * the page write then overwrites), and raise each SINT whose slot holds
 * a message or whose flags have a bit set with HVPART_SIGNAL_EVENT and
 * HVPART_SIGNAL_EVENT_SINT_ONLY (-ENOTCONN for a masked SINT: its guest
 * polls).  The interrupt that was pending when the state was saved is
 * not in the pages; one raised in excess costs the guest a look at an
 * empty slot.  Messages waiting behind a busy slot (the kernel's queue
 * of each SINT, and a synthetic timer's undelivered expiration) are not
 * in the page: a save misses them and the restored VP never gets them;
 * the saved slot's MessagePending flag (HV_MESSAGE message_flags bit 0)
 * shows that some waited.
 *
 * A mapping that reaches past HVPART_VP_MMAP_SIEF_PGOFF fails with
 * -EINVAL, as does a private one of the SynIC pages; one that reaches
 * them in a partition without the local APIC fails with -ENXIO.  A
 * mapping that mremap() grows past what mmap() allows gets SIGBUS there.  A mapping
 * holds the VP fd, and with it the partition, until munmap().
 */
#define HVPART_VP_MMAP_RUN_PGOFF	0
#define HVPART_VP_MMAP_SIM_PGOFF	1
#define HVPART_VP_MMAP_SIEF_PGOFF	2

/* /dev/hvpart ioctls: 0x00-0x3f */
#define HVPART_GET_API_VERSION		_IO(HVPART_IO, 0x00)
#define HVPART_CHECK_EXTENSION		_IO(HVPART_IO, 0x01)
#define HVPART_GET_VP_MMAP_SIZE		_IO(HVPART_IO, 0x02)
#define HVPART_CREATE_PARTITION		_IOW(HVPART_IO, 0x03, struct hvpart_create_partition)
#define HVPART_GET_SUPPORTED_CPUID	_IOWR(HVPART_IO, 0x04, struct hvpart_cpuid)

/* Partition fd ioctls: 0x40-0x7f */
#define HVPART_SET_PARTITION_PROPERTY	_IOW(HVPART_IO, 0x40, struct hvpart_partition_property)
#define HVPART_GET_PARTITION_PROPERTY	_IOWR(HVPART_IO, 0x41, struct hvpart_partition_property)
#define HVPART_MAP_GPA_RANGE		_IOW(HVPART_IO, 0x42, struct hvpart_gpa_range)
#define HVPART_UNMAP_GPA_RANGE		_IOW(HVPART_IO, 0x43, struct hvpart_gpa_range)
#define HVPART_CREATE_VP		_IOW(HVPART_IO, 0x44, struct hvpart_create_vp)
#define HVPART_INSTALL_INTERCEPT	_IOW(HVPART_IO, 0x45, struct hvpart_intercept)
#define HVPART_REMOVE_INTERCEPT		_IOW(HVPART_IO, 0x46, struct hvpart_intercept)
#define HVPART_SET_CPUID		_IOW(HVPART_IO, 0x47, struct hvpart_cpuid)

/* Partition fd ioctls, interrupt controller */
#define HVPART_ASSERT_INTERRUPT		_IOW(HVPART_IO, 0x48, struct hvpart_assert_interrupt)

/* Partition fd ioctls, ports and connections (HVPART_CAP_SYNIC) */
#define HVPART_CREATE_PORT		_IOW(HVPART_IO, 0x49, struct hvpart_port_info)
#define HVPART_DELETE_PORT		_IOW(HVPART_IO, 0x4a, struct hvpart_port_id)
#define HVPART_CONNECT_PORT		_IOW(HVPART_IO, 0x4b, struct hvpart_connection)
#define HVPART_DISCONNECT_PORT		_IOW(HVPART_IO, 0x4c, struct hvpart_connection)
#define HVPART_POST_MESSAGE		_IOW(HVPART_IO, 0x4d, struct hvpart_post_message)
#define HVPART_SIGNAL_EVENT		_IOW(HVPART_IO, 0x4e, struct hvpart_signal_event)

/* VP fd ioctls: 0x80-0xbf */
#define HVPART_RUN_VP			_IO(HVPART_IO, 0x80)
#define HVPART_GET_VP_REGISTERS		_IOWR(HVPART_IO, 0x81, struct hvpart_vp_registers)
#define HVPART_SET_VP_REGISTERS		_IOWR(HVPART_IO, 0x82, struct hvpart_vp_registers)
#define HVPART_TRANSLATE_GVA		_IOWR(HVPART_IO, 0x83, struct hvpart_translate_gva)

#endif /* _UAPI_LINUX_HVPART_H */
