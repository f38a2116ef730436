// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the ACPI tables, built in C (layouts from the ACPI 6.5
 * specification, chapters 5.2 and 20).
 *
 * The platform is hardware-reduced: no PM1 blocks, no PM timer, no
 * GPEs, no SCI, no FACS.  Power-off and reset go through the FADT's
 * sleep control and reset registers, which are I/O ports that hvctl
 * emulates (devices.c, struct acpi_pm).  The MADT lists one local APIC
 * per VP (APIC ID = VP index), the I/O APIC and the ISA override of
 * IRQ 0.  The DSDT holds \_S5, COM1 and VMBus and is emitted as AML by the
 * small encoders below, so that building hvctl needs no ASL compiler
 * (iasl): the namespace is a handful of objects, and the unit test reads
 * the bytes back.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "acpi.h"
#include "devices.h"
#include "ioapic.h"
#include "le.h"
#include "util.h"

/* The byte that makes @len bytes at @p sum to 0, given its slot is 0 */
uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sum += p[i];
	return (uint8_t)-sum;
}

/*
 * A PNP ID ("PNP0501") as the 32-bit EISA ID that _HID holds: three
 * letters in 5 bits each, then four hex digits, stored big-endian.
 */
uint32_t acpi_eisa_id(const char *id)
{
	uint32_t v = 0;
	unsigned int i;
	char c;

	for (i = 0; i < 3; i++)
		v = (v << 5) | ((id[i] - 0x40) & 0x1f);
	for (i = 3; i < 7; i++) {
		c = id[i];
		v = (v << 4) | (c >= 'A' ? c - 'A' + 10 : c - '0');
	}
	/* 7 bits of nothing on top: bit 31 is reserved, 0 */
	return __builtin_bswap32(v);
}

static void acpi_header(uint8_t *t, const char *sig, uint32_t len,
			uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + ACPI_HDR_LENGTH, len);
	t[ACPI_HDR_REVISION] = rev;
	memcpy(t + 10, ACPI_OEM_ID, 6);
	memcpy(t + 16, ACPI_OEM_TABLE_ID, 8);
	put32(t + 24, 1);			/* OEM revision */
	memcpy(t + 28, ACPI_CREATOR_ID, 4);
	put32(t + 32, 1);			/* creator revision */
}

static void acpi_seal(uint8_t *t)
{
	uint32_t len = t[ACPI_HDR_LENGTH] | t[ACPI_HDR_LENGTH + 1] << 8 |
		       t[ACPI_HDR_LENGTH + 2] << 16 |
		       (uint32_t)t[ACPI_HDR_LENGTH + 3] << 24;

	t[ACPI_HDR_CHECKSUM] = 0;
	t[ACPI_HDR_CHECKSUM] = acpi_checksum(t, len);
}

/* A Generic Address Structure for one byte-wide I/O port */
static void acpi_gas_io8(uint8_t *p, uint16_t port)
{
	p[0] = ACPI_GAS_SPACE_IO;
	p[1] = 8;				/* register bit width */
	p[2] = 0;				/* bit offset */
	p[3] = ACPI_GAS_ACCESS_BYTE;
	put64(p + 4, port);
}

/* AML encoders: they write into a bounded buffer and note an overflow. */

/**
 * struct aml - an AML byte stream being built
 * @buf: where it goes
 * @len: bytes written
 * @cap: room at @buf
 * @overflow: something did not fit; @len is no longer meaningful
 */
struct aml {
	uint8_t *buf;
	size_t len;
	size_t cap;
	bool overflow;
};

/* Room reserved for a PkgLength until its package is closed */
#define AML_PKGLEN_MAX	4

static void aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (a->overflow || n > a->cap - a->len) {
		a->overflow = true;
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void aml_byte(struct aml *a, uint8_t b)
{
	aml_bytes(a, &b, 1);
}

/* An integer in its shortest encoding (ZeroOp, OneOp, prefixed) */
static void aml_int(struct aml *a, uint64_t v)
{
	uint8_t b[8];
	unsigned int n;

	if (v <= 1) {
		aml_byte(a, v ? AML_ONE_OP : AML_ZERO_OP);
		return;
	}
	if (v <= 0xff) {
		aml_byte(a, AML_BYTE_PREFIX);
		n = 1;
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD_PREFIX);
		n = 2;
	} else if (v <= 0xffffffff) {
		aml_byte(a, AML_DWORD_PREFIX);
		n = 4;
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		n = 8;
	}
	put64(b, v);
	aml_bytes(a, b, n);
}

/* A NameString: an optional '\' and one 4-character NameSeg */
static void aml_name(struct aml *a, const char *name)
{
	if (*name == '\\') {
		aml_byte(a, AML_ROOT_CHAR);
		name++;
	}
	aml_bytes(a, name, 4);
}

/*
 * Opens a package (Scope, Device, Package, Buffer): writes its opcode
 * and reserves the largest PkgLength; returns where the reservation
 * starts, for aml_close().
 */
static size_t aml_open(struct aml *a, const uint8_t *op, size_t oplen)
{
	static const uint8_t zero[AML_PKGLEN_MAX];
	size_t mark;

	aml_bytes(a, op, oplen);
	mark = a->len;
	aml_bytes(a, zero, sizeof(zero));
	return mark;
}

/*
 * Closes the package opened at @mark: encodes its PkgLength, which
 * counts itself and everything after it, in as few bytes as it takes
 * (ACPI 6.5, 20.2.4), and moves the contents down onto the rest.
 */
static void aml_close(struct aml *a, size_t mark)
{
	size_t body, total, n;
	unsigned int i;

	if (a->overflow)
		return;
	body = a->len - mark - AML_PKGLEN_MAX;
	for (n = 1; n < AML_PKGLEN_MAX; n++)
		if (body + n < (n == 1 ? 0x40u : 1u << (4 + 8 * (n - 1))))
			break;
	total = body + n;
	if (total >= 1u << 28) {
		a->overflow = true;
		return;
	}
	memmove(a->buf + mark + n, a->buf + mark + AML_PKGLEN_MAX, body);
	if (n == 1) {
		a->buf[mark] = total;
	} else {
		a->buf[mark] = ((n - 1) << 6) | (total & 0xf);
		for (i = 1; i < n; i++)
			a->buf[mark + i] = total >> (4 + 8 * (i - 1));
	}
	a->len = mark + total;
}

static size_t aml_scope(struct aml *a, const char *name)
{
	static const uint8_t op[] = { AML_SCOPE_OP };
	size_t mark = aml_open(a, op, sizeof(op));

	aml_name(a, name);
	return mark;
}

static size_t aml_device(struct aml *a, const char *name)
{
	static const uint8_t op[] = { AML_EXT_OP_PREFIX, AML_DEVICE_OP };
	size_t mark = aml_open(a, op, sizeof(op));

	aml_name(a, name);
	return mark;
}

/* Name (NAME, Package () { @v... }) */
static void aml_name_package(struct aml *a, const char *name,
			     const uint64_t *v, unsigned int n)
{
	static const uint8_t op[] = { AML_PACKAGE_OP };
	unsigned int i;
	size_t mark;

	aml_byte(a, AML_NAME_OP);
	aml_name(a, name);
	mark = aml_open(a, op, sizeof(op));
	aml_byte(a, n);				/* NumElements */
	for (i = 0; i < n; i++)
		aml_int(a, v[i]);
	aml_close(a, mark);
}

static void aml_name_int(struct aml *a, const char *name, uint64_t v)
{
	aml_byte(a, AML_NAME_OP);
	aml_name(a, name);
	aml_int(a, v);
}

/* Name (NAME, Buffer () { @p }) */
static void aml_name_buffer(struct aml *a, const char *name, const void *p,
			    size_t n)
{
	static const uint8_t op[] = { AML_BUFFER_OP };
	size_t mark;

	aml_byte(a, AML_NAME_OP);
	aml_name(a, name);
	mark = aml_open(a, op, sizeof(op));
	aml_int(a, n);				/* BufferSize */
	aml_bytes(a, p, n);
	aml_close(a, mark);
}

/*
 * COM1: the 16550 at 0x3f8 on ISA IRQ 4, which the I/O APIC takes on
 * pin 4 (GSI 4: no override).  Linux's 8250_pnp binds it.
 */
static void dsdt_com1(struct aml *a)
{
	const uint8_t crs[] = {
		/* IO (Decode16, 0x3f8, 0x3f8, 1, 8) */
		ACPI_RES_IO, ACPI_RES_IO_DECODE16,
		COM1_BASE & 0xff, COM1_BASE >> 8,
		COM1_BASE & 0xff, COM1_BASE >> 8,
		1, 8,
		/* IRQNoFlags () { 4 }: edge, active high, exclusive */
		ACPI_RES_IRQ_NOFLAGS, 1u << ACPI_COM1_IRQ, 0,
		ACPI_RES_END_TAG, 0,
	};
	size_t dev = aml_device(a, "COM1");

	aml_name_int(a, "_HID", acpi_eisa_id("PNP0501"));
	aml_name_int(a, "_UID", 1);
	aml_name_buffer(a, "_CRS", crs, sizeof(crs));
	aml_close(a, dev);
}

/* AML_STRING_PREFIX: a NUL-terminated ASCII string */
static void aml_name_string(struct aml *a, const char *name, const char *str)
{
	aml_byte(a, AML_NAME_OP);
	aml_name(a, name);
	aml_byte(a, AML_STRING_PREFIX);
	aml_bytes(a, str, strlen(str) + 1);
}

/*
 * VMBus, as Hyper-V describes it: the VMBus device ("VMBus", which
 * Linux's hv_vmbus binds) under a module device (ACPI0004) whose _CRS
 * is the MMIO space that VMBus devices may take (hv_vmbus walks the
 * ancestors' _CRS for it: hv_pci, the synthetic framebuffer).  The
 * VMBus device's own _CRS holds the interrupt Hyper-V's has, which an
 * x86 guest does not use (the SynIC interrupts); hv_vmbus needs a _CRS
 * to walk.
 */
static void dsdt_vmbus(struct aml *a)
{
	uint8_t win[48] = {
		ACPI_RES_QWORD_ADDR, 43, 0,
		0,			/* memory range */
		0x0c,			/* producer, min and max fixed */
		0x01,			/* read-write, non-cacheable */
	};
	const uint8_t crs[] = {
		/* IRQNoFlags () { 5 } */
		ACPI_RES_IRQ_NOFLAGS, 1u << ACPI_VMBUS_IRQ, 0,
		ACPI_RES_END_TAG, 0,
	};
	size_t mod, dev;

	put64(win + 6, 0);				/* granularity */
	put64(win + 14, ACPI_VMBUS_MMIO_BASE);		/* minimum */
	put64(win + 22, ACPI_VMBUS_MMIO_BASE + ACPI_VMBUS_MMIO_SIZE - 1);
	put64(win + 30, 0);				/* translation */
	put64(win + 38, ACPI_VMBUS_MMIO_SIZE);		/* length */
	win[46] = ACPI_RES_END_TAG;

	mod = aml_device(a, "VMOD");
	aml_name_string(a, "_HID", "ACPI0004");
	aml_name_int(a, "_UID", 0);
	aml_name_buffer(a, "_CRS", win, sizeof(win));
	dev = aml_device(a, "VMBS");
	aml_name_string(a, "_HID", "VMBus");
	aml_name_int(a, "_UID", 0);
	aml_name_buffer(a, "_CRS", crs, sizeof(crs));
	aml_close(a, dev);
	aml_close(a, mod);
}

/*
 * \_S5: SLP_TYPa for the sleep control register; SLP_TYPb and the
 * reserved elements are unused on a hardware-reduced platform.  Then
 * the devices under \_SB: COM1, and VMBus if @vmbus.
 */
static void dsdt_body(struct aml *a, bool vmbus)
{
	const uint64_t s5[] = { ACPI_S5_SLP_TYP, 0, 0, 0 };
	size_t sb;

	aml_name_package(a, "_S5_", s5, 4);
	sb = aml_scope(a, "\\_SB_");
	dsdt_com1(a);
	if (vmbus)
		dsdt_vmbus(a);
	aml_close(a, sb);
}

/* The DSDT at @t, at most @room bytes; returns its length, 0 if too big */
static size_t build_dsdt(uint8_t *t, size_t room, bool vmbus)
{
	struct aml a = { .buf = t, .cap = room };

	if (room < ACPI_HDR_SIZE)
		return 0;
	a.len = ACPI_HDR_SIZE;
	dsdt_body(&a, vmbus);
	if (a.overflow)
		return 0;
	/* revision 2: integers are 64-bit */
	acpi_header(t, "DSDT", a.len, 2);
	acpi_seal(t);
	return a.len;
}

static size_t madt_size(unsigned int nr_vps)
{
	size_t n = ACPI_MADT_ENTRIES + 12 + 10 + 6;

	if (nr_vps > ACPI_MADT_MAX_XAPIC_ID + 1)
		n += (nr_vps - ACPI_MADT_MAX_XAPIC_ID - 1) * 16 + 12;
	return n + (nr_vps < ACPI_MADT_MAX_XAPIC_ID + 1 ? nr_vps :
		    ACPI_MADT_MAX_XAPIC_ID + 1) * 8;
}

/* One Processor Local APIC, or Local x2APIC for IDs past 254, per VP */
static uint8_t *madt_cpus(uint8_t *e, unsigned int nr_vps)
{
	unsigned int i;

	for (i = 0; i < nr_vps; i++) {
		if (i <= ACPI_MADT_MAX_XAPIC_ID) {
			e[0] = ACPI_MADT_LOCAL_APIC;
			e[1] = 8;
			e[2] = i;			/* processor UID */
			e[3] = i;			/* APIC ID */
			put32(e + 4, ACPI_MADT_ENABLED);
			e += 8;
			continue;
		}
		e[0] = ACPI_MADT_LOCAL_X2APIC;
		e[1] = 16;
		put32(e + 4, i);			/* x2APIC ID */
		put32(e + 8, ACPI_MADT_ENABLED);
		put32(e + 12, i);			/* processor UID */
		e += 16;
	}
	return e;
}

static size_t build_madt(uint8_t *t, unsigned int nr_vps)
{
	uint8_t *e;

	put32(t + ACPI_MADT_LAPIC_ADDR, ACPI_LAPIC_BASE);
	/* no PCAT_COMPAT: the 8259s are stubs that stay masked */
	put32(t + ACPI_MADT_FLAGS, 0);
	e = madt_cpus(t + ACPI_MADT_ENTRIES, nr_vps);

	e[0] = ACPI_MADT_IO_APIC;
	e[1] = 12;
	e[2] = ACPI_IOAPIC_ID;
	put32(e + 4, IOAPIC_BASE);
	put32(e + 8, 0);			/* GSI base */
	e += 12;

	e[0] = ACPI_MADT_INT_OVERRIDE;
	e[1] = 10;
	e[2] = 0;				/* bus: ISA */
	e[3] = 0;				/* source: IRQ 0 */
	put32(e + 4, ACPI_ISO_IRQ0_GSI);
	put16(e + 8, 0);			/* conforms to the bus */
	e += 10;

	e[0] = ACPI_MADT_LAPIC_NMI;
	e[1] = 6;
	e[2] = ACPI_NMI_ALL_XAPIC;
	put16(e + 3, 0);
	e[5] = ACPI_NMI_LINT;
	e += 6;

	if (nr_vps > ACPI_MADT_MAX_XAPIC_ID + 1) {
		e[0] = ACPI_MADT_X2APIC_NMI;
		e[1] = 12;
		put16(e + 2, 0);
		put32(e + 4, ACPI_NMI_ALL_X2APIC);
		e[8] = ACPI_NMI_LINT;
		e += 12;
	}
	acpi_header(t, "APIC", e - t, ACPI_MADT_REVISION);
	acpi_seal(t);
	return e - t;
}

static void build_fadt(uint8_t *t, uint64_t dsdt)
{
	acpi_header(t, "FACP", ACPI_FADT_SIZE, ACPI_FADT_REVISION);
	/*
	 * Everything before IAPC_BOOT_ARCH stays 0: no SCI, no SMI
	 * command port, no fixed-hardware blocks.  DSDT (32-bit) too:
	 * X_DSDT says where it is.
	 */
	put16(t + ACPI_FADT_IAPC_BOOT_ARCH,
	      ACPI_IAPC_NO_VGA | ACPI_IAPC_NO_CMOS_RTC);
	put32(t + ACPI_FADT_FLAGS, ACPI_FADT_HW_REDUCED |
	      ACPI_FADT_RESET_REG_SUP | ACPI_FADT_PWR_BUTTON |
	      ACPI_FADT_SLP_BUTTON);
	acpi_gas_io8(t + ACPI_FADT_RESET_REG, ACPI_PM_BASE + ACPI_PM_RESET);
	t[ACPI_FADT_RESET_VALUE] = ACPI_RESET_VALUE;
	t[ACPI_FADT_MINOR_VERSION] = ACPI_FADT_MINOR;
	put64(t + ACPI_FADT_X_DSDT, dsdt);
	acpi_gas_io8(t + ACPI_FADT_SLEEP_CONTROL,
		     ACPI_PM_BASE + ACPI_PM_SLEEP_CONTROL);
	acpi_gas_io8(t + ACPI_FADT_SLEEP_STATUS,
		     ACPI_PM_BASE + ACPI_PM_SLEEP_STATUS);
	memcpy(t + ACPI_FADT_HYPERVISOR_ID, "hvpart\0", 8);
	acpi_seal(t);
}

static void build_xsdt(uint8_t *t, const uint64_t *tables, unsigned int n)
{
	unsigned int i;

	acpi_header(t, "XSDT", ACPI_HDR_SIZE + 8 * n, 1);
	for (i = 0; i < n; i++)
		put64(t + ACPI_HDR_SIZE + 8 * i, tables[i]);
	acpi_seal(t);
}

/* RSDP revision 2: the XSDT only (RsdtAddress 0) */
static void build_rsdp(uint8_t *p, uint64_t xsdt)
{
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, ACPI_OEM_ID, 6);
	p[ACPI_RSDP_REVISION] = 2;
	put32(p + ACPI_RSDP_LENGTH, ACPI_RSDP_SIZE);
	put64(p + ACPI_RSDP_XSDT, xsdt);
	p[ACPI_RSDP_CHECKSUM] = acpi_checksum(p, ACPI_RSDP_V1_SIZE);
	p[ACPI_RSDP_XCHECKSUM] = acpi_checksum(p, ACPI_RSDP_SIZE);
}

/* mov al, RESET_VALUE; mov dx, port; out dx, al; then hlt forever */
static void build_reset_stub(uint8_t *p)
{
	const uint16_t port = ACPI_PM_BASE + ACPI_PM_RESET;
	const uint8_t stub[] = {
		0xb0, ACPI_RESET_VALUE,
		0xba, port & 0xff, port >> 8,
		0xee,
		0xfa, 0xf4, 0xeb, 0xfd,		/* cli; hlt; jmp .-1 */
	};

	memcpy(p, stub, sizeof(stub));
}

static uint64_t align16(uint64_t a)
{
	return (a + 15) & ~15ull;
}

static int acpi_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -ENOSPC;
}

/*
 * Builds the tables for @nr_vps VPs, with the VMBus device if @vmbus,
 * into guest RAM at ACPI_TABLES_BASE.
 * Returns 0 and fills @l, or -errno with a one-line reason in @err.
 */
int acpi_build(uint8_t *ram, uint64_t ram_size, unsigned int nr_vps,
	       bool vmbus, struct acpi_layout *l, char *err, size_t errlen)
{
	uint64_t tables[2];
	size_t len;

	if (ram_size < ACPI_TABLES_END)
		return acpi_err(err, errlen,
				"ACPI tables need RAM up to 1 MiB");
	if (!nr_vps)
		return acpi_err(err, errlen, "ACPI tables need a VP");
	memset(ram + ACPI_TABLES_BASE, 0, ACPI_TABLES_END - ACPI_TABLES_BASE);

	l->rsdp = ACPI_TABLES_BASE;
	l->xsdt = align16(l->rsdp + ACPI_RSDP_SIZE);
	l->fadt = align16(l->xsdt + ACPI_HDR_SIZE + 8 * 2);
	l->madt = align16(l->fadt + ACPI_FADT_SIZE);
	if (madt_size(nr_vps) > ACPI_RESET_VECTOR - l->madt)
		return acpi_err(err, errlen, "no room for a MADT of %u VPs",
				nr_vps);
	l->dsdt = align16(l->madt + build_madt(ram + l->madt, nr_vps));
	len = build_dsdt(ram + l->dsdt, ACPI_RESET_VECTOR - l->dsdt, vmbus);
	if (!len)
		return acpi_err(err, errlen, "no room for the DSDT");
	l->end = l->dsdt + len;

	build_fadt(ram + l->fadt, l->dsdt);
	tables[0] = l->fadt;
	tables[1] = l->madt;
	build_xsdt(ram + l->xsdt, tables, 2);
	build_rsdp(ram + l->rsdp, l->xsdt);
	build_reset_stub(ram + ACPI_RESET_VECTOR);
	return 0;
}
