// SPDX-License-Identifier: GPL-2.0
/*
 * hello.elf: a small Multiboot v1 kernel for hvctl.  It prints what the
 * boot loader told it and what CPUID says, then hello_head.S takes it to
 * long mode and powers off.
 */
#include <stdint.h>

#include "hello.h"

#define MB_BOOTLOADER_MAGIC	0x2badb002
#define MB_INFO_MEMORY		(1u << 0)
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MEM_MAP		(1u << 6)
#define MB_INFO_LOADER_NAME	(1u << 9)

/* The Multiboot v1 information structure, as far as hello reads it. */
struct mb_info {
	uint32_t flags;
	uint32_t mem_lower;
	uint32_t mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
};

struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

#define COM1		0x3f8

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpuid(uint32_t leaf, uint32_t r[4])
{
	asm volatile("cpuid"
		     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(0));
}

static void uart_init(void)
{
	outb(COM1 + 1, 0x00);	/* IER: no interrupts */
	outb(COM1 + 3, 0x80);	/* LCR: DLAB */
	outb(COM1 + 0, 0x01);	/* DLL: 115200 baud */
	outb(COM1 + 1, 0x00);	/* DLM */
	outb(COM1 + 3, 0x03);	/* LCR: 8N1 */
	outb(COM1 + 2, 0x07);	/* FCR: enable and clear the FIFOs */
	outb(COM1 + 4, 0x03);	/* MCR: DTR, RTS */
}

static void putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))	/* LSR.THRE */
		;
	outb(COM1, c);
}

static void puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			putc('\r');
		putc(*s);
	}
}

static void putdec(uint32_t v)
{
	char buf[11];
	int i = sizeof(buf) - 1;

	buf[i] = '\0';
	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	puts(&buf[i]);
}

static void puthex(uint64_t v, int digits)
{
	puts("0x");
	while (digits--)
		putc("0123456789abcdef"[(v >> (digits * 4)) & 0xf]);
}

static void print_boot_info(const struct mb_info *mbi)
{
	const struct mb_mmap_entry *e;
	uint32_t off;

	if (mbi->flags & MB_INFO_LOADER_NAME) {
		puts("hello: booted by ");
		puts((const char *)mbi->boot_loader_name);
		puts("\n");
	}
	puts("hello: command line: \"");
	if (mbi->flags & MB_INFO_CMDLINE)
		puts((const char *)mbi->cmdline);
	puts("\"\n");

	if (mbi->flags & MB_INFO_MEMORY) {
		puts("hello: memory: ");
		putdec(mbi->mem_lower);
		puts(" KiB low, ");
		putdec(mbi->mem_upper);
		puts(" KiB above 1 MiB (");
		putdec((mbi->mem_upper >> 10) + 1);
		puts(" MiB in all)\n");
	}
	if (!(mbi->flags & MB_INFO_MEM_MAP))
		return;
	for (off = 0; off < mbi->mmap_length; off += e->size + 4) {
		e = (const void *)(mbi->mmap_addr + off);
		puts("hello:   ");
		puthex(e->addr, 9);
		puts(" - ");
		puthex(e->addr + e->len - 1, 9);
		puts(e->type == 1 ? " usable\n" : " reserved\n");
	}
}

static void print_cpu(void)
{
	uint32_t r[4], sig, family, model;
	char vendor[13];
	int i;

	cpuid(0, r);
	for (i = 0; i < 4; i++) {
		vendor[i] = r[1] >> (i * 8);
		vendor[i + 4] = r[3] >> (i * 8);
		vendor[i + 8] = r[2] >> (i * 8);
	}
	vendor[12] = '\0';
	puts("hello: CPU vendor ");
	puts(vendor);

	cpuid(1, r);
	sig = r[0];
	family = (sig >> 8) & 0xf;
	model = (sig >> 4) & 0xf;
	if (family == 0xf)
		family += (sig >> 20) & 0xff;
	if (family >= 6)
		model |= ((sig >> 16) & 0xf) << 4;
	puts(", family ");
	putdec(family);
	puts(", model ");
	putdec(model);
	puts(", stepping ");
	putdec(sig & 0xf);
	puts("\n");

	if (!(r[2] & (1u << 31)))	/* CPUID.1:ECX.hypervisor */
		return;
	cpuid(0x40000000, r);
	for (i = 0; i < 4; i++) {
		vendor[i] = r[1] >> (i * 8);
		vendor[i + 4] = r[2] >> (i * 8);
		vendor[i + 8] = r[3] >> (i * 8);
	}
	puts("hello: hypervisor vendor \"");
	puts(vendor);
	puts("\"\n");
}

/* Identity map of the first 1 GiB with 2 MiB pages. */
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));

#define PTE_P	0x001
#define PTE_W	0x002
#define PTE_PS	0x080

static void build_page_tables(void)
{
	uint32_t i;

	pml4[0] = (uint32_t)pdpt | PTE_P | PTE_W;
	pdpt[0] = (uint32_t)pd | PTE_P | PTE_W;
	for (i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_W | PTE_PS;
}

void hello_main(uint32_t magic, const struct mb_info *mbi)
{
	uart_init();
	puts("\nhello: hello from a Multiboot kernel in a child partition\n");
	if (magic != MB_BOOTLOADER_MAGIC) {
		puts("hello: bad boot loader magic ");
		puthex(magic, 8);
		puts("\n");
		return;
	}
	print_boot_info(mbi);
	print_cpu();

	puts("hello: switching to long mode\n");
	build_page_tables();
	enter_long_mode((uint32_t)pml4);
}
