/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: the ACPI tables of the platform, built in guest RAM as firmware
 * would: RSDP, XSDT, a hardware-reduced FADT, MADT and DSDT (ACPI 6.5).
 * They sit in the BIOS area below 1 MiB, which the memory maps the
 * loaders build report reserved.
 */
#ifndef HVCTL_ACPI_H
#define HVCTL_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the tables go: the RSDP first, 16-byte aligned */
#define ACPI_TABLES_BASE	0xe0000ull
#define ACPI_TABLES_END		0x100000ull

#define ACPI_OEM_ID		"HVPART"
#define ACPI_OEM_TABLE_ID	"HVPARTVM"
#define ACPI_CREATOR_ID		"HVCT"

/* Table header: 36 bytes, each table's checksum covers its length */
#define ACPI_HDR_SIZE		36
#define ACPI_HDR_LENGTH		4	/* u32 */
#define ACPI_HDR_REVISION	8	/* u8 */
#define ACPI_HDR_CHECKSUM	9	/* u8 */

/* RSDP (revision 2): 20 bytes under the first checksum, 36 in all */
#define ACPI_RSDP_SIZE		36
#define ACPI_RSDP_V1_SIZE	20
#define ACPI_RSDP_CHECKSUM	8
#define ACPI_RSDP_REVISION	15
#define ACPI_RSDP_RSDT		16	/* u32 */
#define ACPI_RSDP_LENGTH	20	/* u32 */
#define ACPI_RSDP_XSDT		24	/* u64 */
#define ACPI_RSDP_XCHECKSUM	32

/* FADT (revision 6): offsets of what hvctl fills */
#define ACPI_FADT_SIZE		276
#define ACPI_FADT_REVISION	6
#define ACPI_FADT_MINOR		5
#define ACPI_FADT_IAPC_BOOT_ARCH 109	/* u16 */
#define ACPI_FADT_FLAGS		112	/* u32 */
#define ACPI_FADT_RESET_REG	116	/* generic address */
#define ACPI_FADT_RESET_VALUE	128	/* u8 */
#define ACPI_FADT_MINOR_VERSION	131	/* u8 */
#define ACPI_FADT_X_DSDT	140	/* u64 */
#define ACPI_FADT_SLEEP_CONTROL	244	/* generic address */
#define ACPI_FADT_SLEEP_STATUS	256	/* generic address */
#define ACPI_FADT_HYPERVISOR_ID	268	/* u64 */

/* FADT flags */
#define ACPI_FADT_PWR_BUTTON	(1u << 4)	/* no fixed power button */
#define ACPI_FADT_SLP_BUTTON	(1u << 5)	/* no fixed sleep button */
#define ACPI_FADT_RESET_REG_SUP	(1u << 10)
#define ACPI_FADT_HW_REDUCED	(1u << 20)

/* IAPC_BOOT_ARCH: no LEGACY_DEVICES, no 8042 */
#define ACPI_IAPC_NO_VGA	(1u << 2)
#define ACPI_IAPC_NO_CMOS_RTC	(1u << 5)

/* Generic Address Structure: 12 bytes */
#define ACPI_GAS_SIZE		12
#define ACPI_GAS_SPACE_IO	1
#define ACPI_GAS_ACCESS_BYTE	1

/* MADT */
#define ACPI_MADT_LAPIC_ADDR	36	/* u32 */
#define ACPI_MADT_FLAGS		40	/* u32 */
#define ACPI_MADT_ENTRIES	44
#define ACPI_MADT_REVISION	5
#define ACPI_MADT_LOCAL_APIC	0
#define ACPI_MADT_IO_APIC	1
#define ACPI_MADT_INT_OVERRIDE	2
#define ACPI_MADT_LAPIC_NMI	4
#define ACPI_MADT_LOCAL_X2APIC	9
#define ACPI_MADT_X2APIC_NMI	10
#define ACPI_MADT_ENABLED	(1u << 0)	/* Local (x2)APIC flags */
#define ACPI_LAPIC_BASE		0xfee00000u
/* The highest APIC ID a Local APIC entry (8 bits, 0xff: all) holds */
#define ACPI_MADT_MAX_XAPIC_ID	254
#define ACPI_IOAPIC_ID		0
/* Local APIC NMI: the processor UID meaning all, and the pin */
#define ACPI_NMI_ALL_XAPIC	0xff
#define ACPI_NMI_ALL_X2APIC	0xffffffffu
#define ACPI_NMI_LINT		1

/*
 * The ISA interrupt the MADT overrides: IRQ 0 (the PIT's on a PC) is
 * GSI 2 as on every PC and VM since the I/O APIC; the other ISA IRQs
 * are GSIs 0-15 one to one, edge-triggered, active high.  hvctl has no
 * PIT: the override keeps the numbering a PC OS expects.
 */
#define ACPI_ISO_IRQ0_GSI	2

/*
 * The registers hvctl's FADT names (devices.c, struct acpi_pm): one
 * I/O port each, byte access.  A write of SLP_EN with SLP_TYP 5 to the
 * sleep control register powers off; a write of ACPI_RESET_VALUE to the
 * reset register resets.
 */
#define ACPI_PM_BASE		0x600
#define ACPI_PM_PORTS		3
#define ACPI_PM_SLEEP_CONTROL	0
#define ACPI_PM_SLEEP_STATUS	1
#define ACPI_PM_RESET		2
#define ACPI_RESET_VALUE	0x01
#define ACPI_SLP_TYP_SHIFT	2	/* SLEEP_CONTROL_REG: SLP_TYPx */
#define ACPI_SLP_TYP_MASK	0x1c
#define ACPI_SLP_EN		0x20
#define ACPI_WAK_STS		0x80	/* SLEEP_STATUS_REG */
#define ACPI_S5_SLP_TYP		5	/* _S5's SLP_TYPa */

/* AML: the opcodes hvctl emits */
#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_STRING_PREFIX	0x0d
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_EXT_OP_PREFIX	0x5b
#define AML_DEVICE_OP		0x82	/* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR		0x5c

/* Small resource descriptors in a _CRS buffer */
#define ACPI_RES_IRQ_NOFLAGS	0x22	/* IRQNoFlags: mask u16 */
#define ACPI_RES_IO		0x47	/* IO: info, min, max, align, len */
#define ACPI_RES_END_TAG	0x79	/* EndTag: checksum */
#define ACPI_RES_QWORD_ADDR	0x8a	/* QWord Address Space, 43 bytes */

/*
 * VMBus: the interrupt its _CRS names (unused on x86: the SynIC
 * interrupts) and the MMIO space its module device gives VMBus
 * devices, above 4 GiB where no RAM or APIC is
 */
#define ACPI_VMBUS_IRQ		5
#define ACPI_VMBUS_MMIO_BASE	0x100000000ull
#define ACPI_VMBUS_MMIO_SIZE	0x40000000ull
#define ACPI_RES_IO_DECODE16	0x01

#define ACPI_COM1_IRQ		4

/*
 * The reset vector (F000:FFF0): hvctl has no firmware, so what a jump
 * there means, a reset, is done by a stub that writes the reset register.
 * Linux on a hardware-reduced platform without EFI restarts that way
 * (reboot_type BOOT_EFI, then BOOT_BIOS: machine_real_restart()) unless
 * told reboot=acpi.
 */
#define ACPI_RESET_VECTOR	0xffff0ull

/**
 * struct acpi_layout - where acpi_build() put each table (GPAs)
 * @rsdp: the RSDP, for the zero page's acpi_rsdp_addr
 * @xsdt: the XSDT
 * @fadt: the FADT
 * @madt: the MADT
 * @dsdt: the DSDT
 * @end: the end of the last one (exclusive)
 */
struct acpi_layout {
	uint64_t rsdp;
	uint64_t xsdt;
	uint64_t fadt;
	uint64_t madt;
	uint64_t dsdt;
	uint64_t end;
};

uint8_t acpi_checksum(const uint8_t *p, size_t len);
uint32_t acpi_eisa_id(const char *id);
int acpi_build(uint8_t *ram, uint64_t ram_size, unsigned int nr_vps,
	       bool vmbus, struct acpi_layout *l, char *err, size_t errlen);

#endif /* HVCTL_ACPI_H */
