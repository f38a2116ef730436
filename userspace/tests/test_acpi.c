// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the ACPI tables and the registers their FADT names:
 * signatures, lengths and checksums, the MADT for 1 to 300 VPs, the
 * FADT's flags and registers, and the DSDT read back by a small AML
 * reader.  acpi.c is included, so that its static AML encoders can be
 * tested too.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../acpi.c"
#include "../loader.h"
#include "test.h"

#define RAM_SIZE	(2u << 20)

static uint8_t ram[RAM_SIZE];
static struct acpi_layout l;
static char err[256];

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* Whether build() asks for the VMBus device */
static bool with_vmbus;

static int build(unsigned int nr_vps)
{
	memset(ram, 0xcc, sizeof(ram));
	memset(&l, 0, sizeof(l));
	return acpi_build(ram, RAM_SIZE, nr_vps, with_vmbus, &l, err,
			  sizeof(err));
}

/* A table at @gpa with signature @sig, a sound length and checksum */
static const uint8_t *table(uint64_t gpa, const char *sig)
{
	const uint8_t *t = ram + gpa;
	uint32_t len = get32(t + ACPI_HDR_LENGTH);

	CHECK(!memcmp(t, sig, 4));
	CHECK(len >= ACPI_HDR_SIZE);
	CHECK(gpa + len <= l.end);
	CHECK_EQ(sum(t, len), 0);
	CHECK(!memcmp(t + 10, "HVPART", 6));
	return t;
}

static void test_rsdp(void)
{
	const uint8_t *p;

	CHECK_EQ(build(1), 0);
	p = ram + l.rsdp;
	CHECK_EQ(l.rsdp, 0xe0000);
	CHECK_EQ(l.rsdp & 15, 0);
	CHECK(!memcmp(p, "RSD PTR ", 8));
	CHECK_EQ(p[ACPI_RSDP_REVISION], 2);
	CHECK_EQ(sum(p, 20), 0);
	CHECK_EQ(sum(p, 36), 0);
	CHECK_EQ(get32(p + ACPI_RSDP_LENGTH), 36);
	CHECK_EQ(get32(p + ACPI_RSDP_RSDT), 0);
	CHECK_EQ(get64(p + ACPI_RSDP_XSDT), l.xsdt);
	/* In the hole the loaders' memory maps report reserved */
	CHECK(l.rsdp >= LOW_MEM_END);
	CHECK(l.end <= HIGH_MEM_START);
	/* Nothing written past the tables in the area, nothing outside */
	CHECK_EQ(ram[l.end], 0);
	CHECK_EQ(ram[ACPI_TABLES_BASE - 1], 0xcc);
	CHECK_EQ(ram[ACPI_TABLES_END], 0xcc);
}

static void test_xsdt(void)
{
	const uint8_t *t;

	CHECK_EQ(build(2), 0);
	t = table(l.xsdt, "XSDT");
	CHECK_EQ(get32(t + ACPI_HDR_LENGTH), ACPI_HDR_SIZE + 16);
	CHECK_EQ(get64(t + ACPI_HDR_SIZE), l.fadt);
	CHECK_EQ(get64(t + ACPI_HDR_SIZE + 8), l.madt);
	table(l.fadt, "FACP");
	table(l.madt, "APIC");
	table(l.dsdt, "DSDT");
}

static void check_gas_io8(const uint8_t *g, uint16_t port)
{
	CHECK_EQ(g[0], ACPI_GAS_SPACE_IO);
	CHECK_EQ(g[1], 8);
	CHECK_EQ(g[2], 0);
	CHECK_EQ(g[3], ACPI_GAS_ACCESS_BYTE);
	CHECK_EQ(get64(g + 4), port);
}

static void test_fadt(void)
{
	const uint8_t *t;
	uint32_t flags;

	CHECK_EQ(build(1), 0);
	t = table(l.fadt, "FACP");
	CHECK_EQ(get32(t + ACPI_HDR_LENGTH), 276);
	CHECK_EQ(t[ACPI_HDR_REVISION], 6);
	CHECK_EQ(t[131], ACPI_FADT_MINOR);
	flags = get32(t + 112);
	CHECK(flags & (1u << 20));		/* HW_REDUCED_ACPI */
	CHECK(flags & (1u << 10));		/* RESET_REG_SUP */
	CHECK_EQ(get16(t + 109), (1u << 2) | (1u << 5));
	check_gas_io8(t + 116, 0x602);		/* RESET_REG */
	CHECK_EQ(t[128], ACPI_RESET_VALUE);
	check_gas_io8(t + 244, 0x600);		/* SLEEP_CONTROL_REG */
	check_gas_io8(t + 256, 0x601);		/* SLEEP_STATUS_REG */
	CHECK_EQ(get64(t + 140), l.dsdt);	/* X_DSDT */
	CHECK_EQ(get32(t + 40), 0);		/* DSDT: X_DSDT only */
	CHECK_EQ(get32(t + 36), 0);		/* no FACS */
	CHECK_EQ(get16(t + 46), 0);		/* no SCI */
	CHECK_EQ(get32(t + 56), 0);		/* no PM1a event block */
	CHECK_EQ(get32(t + 76), 0);		/* no PM timer */
}

struct madt_count {
	unsigned int lapic, x2apic, ioapic, iso, nmi, x2nmi;
};

static void check_madt(unsigned int nr_vps)
{
	struct madt_count c = { 0 };
	const uint8_t *t, *e, *end;

	CHECK_EQ(build(nr_vps), 0);
	t = table(l.madt, "APIC");
	CHECK_EQ(get32(t + ACPI_MADT_LAPIC_ADDR), 0xfee00000);
	CHECK_EQ(get32(t + ACPI_MADT_FLAGS), 0);
	end = t + get32(t + ACPI_HDR_LENGTH);
	for (e = t + ACPI_MADT_ENTRIES; e < end; e += e[1]) {
		CHECK(e[1] >= 2);
		if (e[1] < 2)
			return;
		switch (e[0]) {
		case 0:
			CHECK_EQ(e[1], 8);
			CHECK_EQ(e[2], c.lapic);	/* UID */
			CHECK_EQ(e[3], c.lapic);	/* APIC ID */
			CHECK_EQ(get32(e + 4), 1);
			c.lapic++;
			break;
		case 9:
			CHECK_EQ(e[1], 16);
			CHECK_EQ(get32(e + 4), 255 + c.x2apic);
			CHECK_EQ(get32(e + 8), 1);
			CHECK_EQ(get32(e + 12), 255 + c.x2apic);
			c.x2apic++;
			break;
		case 1:
			CHECK_EQ(e[1], 12);
			CHECK_EQ(e[2], 0);
			CHECK_EQ(get32(e + 4), 0xfec00000);
			CHECK_EQ(get32(e + 8), 0);
			c.ioapic++;
			break;
		case 2:
			CHECK_EQ(e[1], 10);
			CHECK_EQ(e[2], 0);		/* ISA */
			CHECK_EQ(e[3], 0);		/* IRQ 0 */
			CHECK_EQ(get32(e + 4), 2);	/* GSI 2 */
			CHECK_EQ(get16(e + 8), 0);
			c.iso++;
			break;
		case 4:
			CHECK_EQ(e[1], 6);
			CHECK_EQ(e[2], 0xff);
			CHECK_EQ(e[5], 1);		/* LINT1 */
			c.nmi++;
			break;
		case 10:
			CHECK_EQ(e[1], 12);
			CHECK_EQ(get32(e + 4), 0xffffffff);
			CHECK_EQ(e[8], 1);
			c.x2nmi++;
			break;
		default:
			CHECK_EQ(e[0], 0xff);
		}
	}
	CHECK(e == end);
	CHECK_EQ(c.lapic, nr_vps < 255 ? nr_vps : 255);
	CHECK_EQ(c.x2apic, nr_vps > 255 ? nr_vps - 255 : 0);
	CHECK_EQ(c.ioapic, 1);
	CHECK_EQ(c.iso, 1);
	CHECK_EQ(c.nmi, 1);
	CHECK_EQ(c.x2nmi, nr_vps > 255 ? 1 : 0);
	CHECK_EQ(madt_size(nr_vps), end - t);
}

static void test_madt_1(void)
{
	check_madt(1);
}

static void test_madt_2(void)
{
	check_madt(2);
}

static void test_madt_64(void)
{
	check_madt(64);
}

static void test_madt_300_x2apic(void)
{
	check_madt(300);
}

static void test_reset_vector(void)
{
	static const uint8_t want[] = {
		0xb0, 0x01, 0xba, 0x02, 0x06, 0xee, 0xfa, 0xf4, 0xeb, 0xfd,
	};

	CHECK_EQ(build(1), 0);
	CHECK(!memcmp(ram + 0xffff0, want, sizeof(want)));
	CHECK(l.end <= 0xffff0);
}

static void test_errors(void)
{
	CHECK_EQ(acpi_build(ram, 0xfffff, 1, false, &l, err, sizeof(err)), -ENOSPC);
	CHECK(strstr(err, "1 MiB"));
	CHECK_EQ(build(0), -ENOSPC);
	CHECK_EQ(build(100000), -ENOSPC);
	CHECK(strstr(err, "MADT"));
}

/* A reader for the AML hvctl emits: names, scopes, devices, data. */

#define MAX_OBJS	16

struct aml_obj {
	char path[64];
	char kind;		/* 'i'nteger, 'p'ackage, 'b'uffer, 'd'evice, 's'tring */
	uint64_t ints[8];
	unsigned int nr_ints;
	const uint8_t *buf;
	size_t buf_len;
};

static struct aml_obj objs[MAX_OBJS];
static unsigned int nr_objs;
static bool aml_bad;

static size_t rd_pkglen(const uint8_t *p, size_t *len)
{
	unsigned int n = (p[0] >> 6) + 1, i;

	if (n == 1) {
		*len = p[0] & 0x3f;
		return 1;
	}
	*len = p[0] & 0xf;
	for (i = 1; i < n; i++)
		*len |= (size_t)p[i] << (4 + 8 * (i - 1));
	return n;
}

/* An integer's length at @p, 0 if none is there */
static size_t rd_int(const uint8_t *p, uint64_t *v)
{
	static const unsigned int width[] = {
		[AML_BYTE_PREFIX] = 1, [AML_WORD_PREFIX] = 2,
		[AML_DWORD_PREFIX] = 4, [AML_QWORD_PREFIX] = 8,
	};
	unsigned int n, i;

	if (p[0] <= AML_ONE_OP) {
		*v = p[0];
		return 1;
	}
	if (p[0] > AML_QWORD_PREFIX || !width[p[0]])
		return 0;
	n = width[p[0]];
	for (*v = 0, i = 0; i < n; i++)
		*v |= (uint64_t)p[1 + i] << (8 * i);
	return 1 + n;
}

static size_t rd_name(const uint8_t *p, const char *scope, char *path)
{
	bool root = p[0] == AML_ROOT_CHAR;
	const uint8_t *seg = p + root;

	if (root || !strcmp(scope, "\\"))
		snprintf(path, 64, "\\%.4s", seg);
	else
		snprintf(path, 64, "%s.%.4s", scope, seg);
	return root + 4;
}

static struct aml_obj *new_obj(const char *path, char kind)
{
	struct aml_obj *o;

	if (nr_objs == MAX_OBJS) {
		aml_bad = true;
		return &objs[0];
	}
	o = &objs[nr_objs++];
	memset(o, 0, sizeof(*o));
	snprintf(o->path, sizeof(o->path), "%s", path);
	o->kind = kind;
	return o;
}

/* NameOp's DataRefObject at @p, ending by @end; its length */
static size_t rd_data(const uint8_t *p, const uint8_t *end,
		      struct aml_obj *o)
{
	const uint8_t *q, *pend;
	size_t len, n;
	uint64_t v;

	if (p[0] == AML_STRING_PREFIX) {
		q = memchr(p + 1, 0, end - p - 1);
		if (!q)
			goto bad;
		o->kind = 's';
		o->buf = p + 1;
		o->buf_len = q - p - 1;
		return q + 1 - p;
	}
	n = rd_int(p, &v);
	if (n) {
		o->kind = 'i';
		o->ints[0] = v;
		o->nr_ints = 1;
		return n;
	}
	if (p[0] != AML_PACKAGE_OP && p[0] != AML_BUFFER_OP)
		goto bad;
	n = rd_pkglen(p + 1, &len);
	pend = p + 1 + len;
	if (pend > end)
		goto bad;
	q = p + 1 + n;
	if (p[0] == AML_PACKAGE_OP) {
		o->kind = 'p';
		o->nr_ints = *q++;
		for (unsigned int i = 0; i < o->nr_ints && i < 8; i++) {
			n = rd_int(q, &o->ints[i]);
			if (!n)
				goto bad;
			q += n;
		}
	} else {
		o->kind = 'b';
		n = rd_int(q, &v);
		if (!n)
			goto bad;
		q += n;
		o->buf = q;
		o->buf_len = pend - q;
		if (v != o->buf_len)
			goto bad;
		q = pend;
	}
	if (q != pend)
		goto bad;
	return pend - p;
bad:
	aml_bad = true;
	return end - p;
}

static void rd_terms(const uint8_t *p, const uint8_t *end, const char *scope)
{
	char path[64];
	size_t len, n;

	while (p < end && !aml_bad) {
		if (p[0] == AML_NAME_OP) {
			p++;
			p += rd_name(p, scope, path);
			p += rd_data(p, end, new_obj(path, '?'));
			continue;
		}
		if (p[0] == AML_SCOPE_OP ||
		    (p[0] == AML_EXT_OP_PREFIX && p[1] == AML_DEVICE_OP)) {
			const uint8_t *start;

			p += p[0] == AML_SCOPE_OP ? 1 : 2;
			start = p;
			n = rd_pkglen(p, &len);
			p += n;
			p += rd_name(p, scope, path);
			if (start[-1] == AML_DEVICE_OP)
				new_obj(path, 'd');
			if (start + len > end) {
				aml_bad = true;
				return;
			}
			rd_terms(p, start + len, path);
			p = start + len;
			continue;
		}
		aml_bad = true;
	}
	if (p != end)
		aml_bad = true;
}

static const struct aml_obj *find(const char *path)
{
	unsigned int i;

	for (i = 0; i < nr_objs; i++)
		if (!strcmp(objs[i].path, path))
			return &objs[i];
	return NULL;
}

static void read_dsdt(void)
{
	const uint8_t *t;

	nr_objs = 0;
	aml_bad = false;
	CHECK_EQ(build(2), 0);
	t = table(l.dsdt, "DSDT");
	CHECK_EQ(t[ACPI_HDR_REVISION], 2);
	rd_terms(t + ACPI_HDR_SIZE, t + get32(t + ACPI_HDR_LENGTH), "\\");
	CHECK(!aml_bad);
}

static void test_dsdt_s5(void)
{
	const struct aml_obj *o;

	read_dsdt();
	o = find("\\_S5_");
	CHECK(o);
	if (!o)
		return;
	CHECK_EQ(o->kind, 'p');
	CHECK_EQ(o->nr_ints, 4);
	CHECK_EQ(o->ints[0], 5);
	CHECK_EQ(o->ints[1], 0);
}

static void test_dsdt_com1(void)
{
	static const uint8_t crs[] = {
		0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
		0x22, 0x10, 0x00,
		0x79, 0x00,
	};
	const struct aml_obj *o;

	read_dsdt();
	o = find("\\_SB_.COM1");
	CHECK(o && o->kind == 'd');
	o = find("\\_SB_.COM1._HID");
	CHECK(o && o->kind == 'i' && o->ints[0] == 0x0105d041);
	o = find("\\_SB_.COM1._UID");
	CHECK(o && o->kind == 'i' && o->ints[0] == 1);
	o = find("\\_SB_.COM1._CRS");
	CHECK(o && o->kind == 'b');
	if (!o)
		return;
	CHECK_EQ(o->buf_len, sizeof(crs));
	CHECK(o->buf_len == sizeof(crs) && !memcmp(o->buf, crs, sizeof(crs)));
	CHECK_EQ(nr_objs, 5);
}

/* object @path is the string @want */
static bool is_string(const char *path, const char *want)
{
	const struct aml_obj *o = find(path);

	return o && o->kind == 's' && o->buf_len == strlen(want) &&
	       !memcmp(o->buf, want, o->buf_len);
}

/*
 * VMBus as Linux's hv_vmbus finds it: a "VMBus" device with a _CRS,
 * under a module device whose _CRS is a 64-bit memory window.
 */
static void test_dsdt_vmbus(void)
{
	static const uint8_t irq[] = { 0x22, 0x20, 0x00, 0x79, 0x00 };
	const struct aml_obj *o;

	with_vmbus = true;
	read_dsdt();
	with_vmbus = false;
	o = find("\\_SB_.VMOD");
	CHECK(o && o->kind == 'd');
	CHECK(is_string("\\_SB_.VMOD._HID", "ACPI0004"));
	o = find("\\_SB_.VMOD._CRS");
	CHECK(o && o->kind == 'b' && o->buf_len == 48);
	if (o && o->buf_len == 48) {
		CHECK_EQ(o->buf[0], 0x8a);
		CHECK_EQ(get16(o->buf + 1), 43);
		CHECK_EQ(o->buf[3], 0);			/* memory */
		CHECK_EQ(get64(o->buf + 14), 1ull << 32);	/* minimum */
		CHECK_EQ(get64(o->buf + 22), (1ull << 32) + (1ull << 30) - 1);
		CHECK_EQ(get64(o->buf + 38), 1ull << 30);	/* length */
		CHECK_EQ(o->buf[46], 0x79);
	}
	o = find("\\_SB_.VMOD.VMBS");
	CHECK(o && o->kind == 'd');
	CHECK(is_string("\\_SB_.VMOD.VMBS._HID", "VMBus"));
	o = find("\\_SB_.VMOD.VMBS._CRS");
	CHECK(o && o->kind == 'b' && o->buf_len == sizeof(irq) &&
	      !memcmp(o->buf, irq, sizeof(irq)));
	/* COM1's 5, VMOD and its 3, VMBS and its 3 */
	CHECK_EQ(nr_objs, 13);
	/* Without it, none of it */
	read_dsdt();
	CHECK(!find("\\_SB_.VMOD"));
}

static void test_eisa_id(void)
{
	CHECK_EQ(acpi_eisa_id("PNP0501"), 0x0105d041);
	CHECK_EQ(acpi_eisa_id("PNP0A03"), 0x030ad041);
	CHECK_EQ(acpi_eisa_id("PNP0C0C"), 0x0c0cd041);
}

static void test_aml_int(void)
{
	static const uint8_t want[] = {
		0x00, 0x01, 0x0a, 0x05, 0x0a, 0xff, 0x0b, 0x00, 0x01,
		0x0c, 0x00, 0x00, 0x01, 0x00,
		0x0e, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	};
	uint8_t buf[64];
	struct aml a = { .buf = buf, .cap = sizeof(buf) };

	aml_int(&a, 0);
	aml_int(&a, 1);
	aml_int(&a, 5);
	aml_int(&a, 0xff);
	aml_int(&a, 0x100);
	aml_int(&a, 0x10000);
	aml_int(&a, 0x100000000ull);
	CHECK(!a.overflow);
	CHECK_EQ(a.len, sizeof(want));
	CHECK(!memcmp(buf, want, sizeof(want)));
}

/* A Buffer of @n bytes: its PkgLength's bytes, and the value read back */
static void check_pkglen(size_t n, unsigned int want_bytes)
{
	static uint8_t buf[0x110000], data[0x100000];
	struct aml a = { .buf = buf, .cap = sizeof(buf) };
	size_t len, mark, got;
	static const uint8_t op[] = { AML_BUFFER_OP };

	mark = aml_open(&a, op, 1);
	aml_bytes(&a, data, n);
	aml_close(&a, mark);
	CHECK(!a.overflow);
	got = rd_pkglen(buf + 1, &len);
	CHECK_EQ(got, want_bytes);
	CHECK_EQ(len, n + want_bytes);
	CHECK_EQ(a.len, 1 + len);
	if (want_bytes > 1)		/* bits 4-5 of a multi-byte lead: 0 */
		CHECK_EQ(buf[1] & 0x30, 0);
}

static void test_aml_pkglen(void)
{
	check_pkglen(0, 1);
	check_pkglen(62, 1);
	check_pkglen(63, 2);
	check_pkglen(0xffd, 2);
	check_pkglen(0xffe, 3);
	check_pkglen(0xffffc, 3);
	check_pkglen(0xffffd, 4);
}

static void test_aml_overflow(void)
{
	uint8_t buf[8];
	struct aml a = { .buf = buf, .cap = sizeof(buf) };

	aml_name_int(&a, "_UID", 0x12345678);
	CHECK(a.overflow);
	CHECK_EQ(build_dsdt(ram, ACPI_HDR_SIZE + 8, false), 0);
}

/* The registers the FADT names */

static struct power_ctl power;
static struct acpi_pm pm;
static struct port_bus bus;

static void pm_setup(void)
{
	memset(&power, 0, sizeof(power));
	memset(&bus, 0, sizeof(bus));
	acpi_pm_init(&pm, &power);
	CHECK_EQ(port_bus_add(&bus, &pm.dev), 0);
}

static void test_pm_s5(void)
{
	pm_setup();
	CHECK_EQ(port_bus_read(&bus, 0x601, 1), 0);
	port_bus_write(&bus, 0x601, 1, ACPI_WAK_STS);	/* clear WAK_STS */
	port_bus_write(&bus, 0x600, 1, 5 << 2);		/* no SLP_EN */
	CHECK(!power.off);
	port_bus_write(&bus, 0x600, 1, (3 << 2) | 0x20);	/* S3: none */
	CHECK(!power.off);
	port_bus_write(&bus, 0x600, 1, (5 << 2) | 0x20);	/* S5 */
	CHECK(power.off);
	CHECK_EQ(power.status, 0);
	CHECK(strstr(power.reason, "S5"));
}

static void test_pm_reset(void)
{
	pm_setup();
	port_bus_write(&bus, 0x602, 1, 0x06);
	CHECK(!power.off);
	port_bus_write(&bus, 0x602, 1, ACPI_RESET_VALUE);
	CHECK(power.off);
	CHECK_EQ(power.status, 16);
	CHECK(strstr(power.reason, "reset"));
}

int main(void)
{
	TEST(test_rsdp);
	TEST(test_xsdt);
	TEST(test_fadt);
	TEST(test_madt_1);
	TEST(test_madt_2);
	TEST(test_madt_64);
	TEST(test_madt_300_x2apic);
	TEST(test_reset_vector);
	TEST(test_errors);
	TEST(test_dsdt_s5);
	TEST(test_dsdt_com1);
	TEST(test_dsdt_vmbus);
	TEST(test_eisa_id);
	TEST(test_aml_int);
	TEST(test_aml_pkglen);
	TEST(test_aml_overflow);
	TEST(test_pm_s5);
	TEST(test_pm_reset);
	return test_done();
}
