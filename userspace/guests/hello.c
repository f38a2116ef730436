// SPDX-License-Identifier: GPL-2.0
/*
 * hello.elf: a small Multiboot v1 kernel for hvctl.  It prints what the
 * boot loader told it and what CPUID says, then hello_head.S takes it to
 * long mode and powers off.
 */
#include <stdint.h>

#include "guest.h"
#include "hello.h"

struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

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
