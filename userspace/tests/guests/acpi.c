// SPDX-License-Identifier: GPL-2.0
/*
 * acpi.elf: what an OS finds of hvctl's ACPI tables.  It looks for the
 * RSDP in 0xe0000-0xfffff as on a PC, checks every checksum on the way
 * from the XSDT, prints each table, the FADT's flags and registers, and
 * the MADT's entries, then powers off through the FADT's sleep control
 * register (S5), or with "reset" on its command line resets through the
 * FADT's reset register.  If the machine is still there after that, or
 * something is wrong, it writes 0x7f to isa-debug-exit (status 255).
 */
#include <stdint.h>

#include "../../guests/guest.h"

#define RSDP_START	0xe0000u
#define RSDP_END	0x100000u

static int bad;

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static int same(const uint8_t *a, const char *b, unsigned int n)
{
	while (n--)
		if (*a++ != (uint8_t)*b++)
			return 0;
	return 1;
}

static uint8_t sum(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static const uint8_t *find_rsdp(void)
{
	uint32_t a;

	for (a = RSDP_START; a < RSDP_END; a += 16)
		if (same((const uint8_t *)a, "RSD PTR ", 8))
			return (const uint8_t *)a;
	return 0;
}

static void put_sig(const uint8_t *t)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		putc(t[i]);
}

/* Prints a table's signature, address, length and checksum verdict */
static const uint8_t *table(uint32_t addr)
{
	const uint8_t *t = (const uint8_t *)addr;
	uint32_t len = get32(t + 4);

	puts("acpi: ");
	put_sig(t);
	puts(" at ");
	puthex(addr, 8);
	puts(", ");
	putdec(len);
	puts(" bytes, revision ");
	putdec(t[8]);
	if (sum(t, len)) {
		bad = 1;
		puts(", BAD CHECKSUM\n");
	} else {
		puts(", checksum ok\n");
	}
	return t;
}

static void madt(const uint8_t *t)
{
	const uint8_t *e = t + 44, *end = t + get32(t + 4);
	unsigned int lapics = 0;

	for (; e < end && e[1] >= 2; e += e[1]) {
		if (e[0] == 0 && (get32(e + 4) & 1))
			lapics++;
		if (e[0] == 1) {
			puts("acpi: MADT: I/O APIC ");
			putdec(e[2]);
			puts(" at ");
			puthex(get32(e + 4), 8);
			puts(", GSI base ");
			putdec(get32(e + 8));
			puts("\n");
		}
		if (e[0] == 2) {
			puts("acpi: MADT: ISA IRQ ");
			putdec(e[3]);
			puts(" -> GSI ");
			putdec(get32(e + 4));
			puts("\n");
		}
	}
	puts("acpi: MADT: ");
	putdec(lapics);
	puts(" local APICs, fw_cfg says ");
	putdec(fw_cfg(FW_CFG_NB_CPUS, 2));
	puts(" CPUs\n");
}

/* The port of an I/O-space generic address at @g, 0 if it is none */
static uint16_t gas_port(const uint8_t *g)
{
	return g[0] == 1 && !get32(g + 8) ? get32(g + 4) : 0;
}

static const uint8_t *fadt(const uint8_t *t, uint16_t *slp, uint16_t *rst)
{
	uint32_t flags = get32(t + 112);

	*rst = gas_port(t + 116);
	*slp = gas_port(t + 244);
	puts("acpi: FADT: ");
	puts(flags & (1u << 20) ? "hardware-reduced" : "legacy");
	puts(", reset register ");
	puthex(*rst, 4);
	puts(" value ");
	puthex(t[128], 2);
	puts(", sleep control ");
	puthex(*slp, 4);
	puts(", sleep status ");
	puthex(gas_port(t + 256), 4);
	puts("\n");
	return table(get32(t + 140));	/* X_DSDT, below 4 GiB */
}

void guest_main(uint32_t magic, const struct mb_info *mbi)
{
	const uint8_t *rsdp, *xsdt, *t, *fadt_tab = 0;
	uint16_t slp = 0, rst = 0;
	uint32_t n, i;

	(void)magic;
	uart_init();
	rsdp = find_rsdp();
	if (!rsdp) {
		puts("acpi: no RSDP\n");
		outb(DEBUG_EXIT, 0x7f);
	}
	puts("acpi: RSDP at ");
	puthex((uint32_t)rsdp, 8);
	puts(", revision ");
	putdec(rsdp[15]);
	bad |= sum(rsdp, 20) || sum(rsdp, 36);
	puts(bad ? ", BAD CHECKSUM\n" : ", checksums ok\n");
	xsdt = table(get32(rsdp + 24));
	n = (get32(xsdt + 4) - 36) / 8;
	for (i = 0; i < n; i++) {
		t = table(get32(xsdt + 36 + 8 * i));
		if (same(t, "FACP", 4))
			fadt_tab = t;
		if (same(t, "APIC", 4))
			madt(t);
	}
	if (fadt_tab)
		fadt(fadt_tab, &slp, &rst);
	if (bad || !slp || !rst)
		outb(DEBUG_EXIT, 0x7f);
	if (mbi->flags & MB_INFO_CMDLINE &&
	    has_word((const char *)mbi->cmdline, "reset")) {
		puts("acpi: reset through the FADT\n");
		outb(rst, fadt_tab[128]);
	} else {
		puts("acpi: S5 through the FADT\n");
		outb(slp, (5 << 2) | 0x20);	/* SLP_TYP 5, SLP_EN */
	}
	puts("acpi: still here\n");
	outb(DEBUG_EXIT, 0x7f);
}
