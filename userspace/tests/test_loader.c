// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the image loaders: Multiboot ELF32/ELF64/a.out kludge,
 * Linux bzImages, boot sectors and --raw, and the files they refuse,
 * against a buffer standing for guest RAM.
 */
#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "../loader.h"
#include "test.h"

#define RAM_SIZE	(4u << 20)
#define IMG_MAX		0x4000
#define MB_HDR_OFF	0x100
#define DATA_OFF	0x1000

static uint8_t ram[RAM_SIZE];
static uint8_t img[IMG_MAX];
static struct boot_state bs;
static char err[256];

static void reset(void)
{
	memset(ram, 0xcc, sizeof(ram));
	memset(img, 0, sizeof(img));
	memset(&bs, 0, sizeof(bs));
	err[0] = '\0';
}

static void put_mb_header(uint32_t flags)
{
	struct multiboot_header h = {
		.magic = MULTIBOOT_HEADER_MAGIC,
		.flags = flags,
		.checksum = -(MULTIBOOT_HEADER_MAGIC + flags),
	};

	memcpy(img + MB_HDR_OFF, &h, 12);
}

/* An ELF32 with one PT_LOAD of 0x40 file bytes and 0x1000 in memory. */
static size_t build_elf32(uint32_t paddr, uint32_t vaddr, uint32_t entry)
{
	Elf32_Ehdr eh = {
		.e_type = ET_EXEC,
		.e_machine = EM_386,
		.e_version = EV_CURRENT,
		.e_entry = entry,
		.e_phoff = sizeof(Elf32_Ehdr),
		.e_ehsize = sizeof(Elf32_Ehdr),
		.e_phentsize = sizeof(Elf32_Phdr),
		.e_phnum = 2,
	};
	Elf32_Phdr ph[2] = {
		{ .p_type = PT_NOTE, .p_offset = 0, .p_filesz = 4 },
		{
			.p_type = PT_LOAD,
			.p_offset = DATA_OFF,
			.p_vaddr = vaddr,
			.p_paddr = paddr,
			.p_filesz = 0x40,
			.p_memsz = 0x1000,
		},
	};
	unsigned int i;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS32;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	memcpy(img, &eh, sizeof(eh));
	memcpy(img + eh.e_phoff, ph, sizeof(ph));
	put_mb_header(MULTIBOOT_MEMORY_INFO);
	for (i = 0; i < 0x40; i++)
		img[DATA_OFF + i] = i + 1;
	return DATA_OFF + 0x40;
}

static size_t build_elf64(uint64_t paddr, uint64_t entry)
{
	Elf64_Ehdr eh = {
		.e_type = ET_EXEC,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_entry = entry,
		.e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = 1,
	};
	Elf64_Phdr ph = {
		.p_type = PT_LOAD,
		.p_offset = DATA_OFF,
		.p_vaddr = paddr,
		.p_paddr = paddr,
		.p_filesz = 0x10,
		.p_memsz = 0x20,
	};

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	memcpy(img, &eh, sizeof(eh));
	memcpy(img + eh.e_phoff, &ph, sizeof(ph));
	put_mb_header(0);
	memset(img + DATA_OFF, 0x90, 0x10);
	return DATA_OFF + 0x10;
}

static int load(size_t size, const char *cmdline)
{
	return loader_load(ram, RAM_SIZE, img, size, cmdline, NULL, 0, &bs,
			   err, sizeof(err));
}

static void test_multiboot_elf32(void)
{
	struct multiboot_info mbi;
	struct multiboot_mmap_entry e[3];
	uint64_t gdt[3];
	unsigned int i;

	reset();
	CHECK_EQ(load(build_elf32(0x100000, 0x100000, 0x100010), "a b c"), 0);
	CHECK_EQ(bs.kind, BOOT_MULTIBOOT);
	CHECK_EQ(bs.entry, 0x100010);
	/* The boot information follows the kernel, page-aligned. */
	CHECK_EQ(bs.info_start, 0x101000);
	CHECK(bs.mbi_addr >= bs.info_start && bs.mbi_addr < bs.info_end);
	CHECK_EQ(bs.load_start, 0x100000);
	CHECK_EQ(bs.load_end, 0x101000);
	for (i = 0; i < 0x40; i++)
		CHECK_EQ(ram[0x100000 + i], i + 1);
	for (i = 0x40; i < 0x1000; i++)
		if (ram[0x100000 + i])
			break;
	CHECK_EQ(i, 0x1000);			/* bss zeroed */
	CHECK_EQ(ram[0x100fff], 0);		/* and no further */

	memcpy(&mbi, ram + bs.mbi_addr, sizeof(mbi));
	CHECK_EQ(mbi.flags, MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
		 MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_BOOT_LOADER_NAME);
	CHECK_EQ(mbi.mem_lower, 640);
	CHECK_EQ(mbi.mem_upper, (RAM_SIZE - 0x100000) / 1024);
	CHECK(!strcmp((char *)ram + mbi.cmdline, "a b c"));
	CHECK(!strncmp((char *)ram + mbi.boot_loader_name, "hvctl", 5));
	CHECK_EQ(mbi.mmap_length, 3 * sizeof(e[0]));
	memcpy(e, ram + mbi.mmap_addr, sizeof(e));
	CHECK_EQ(e[0].size, 20);
	CHECK_EQ(e[0].addr, 0);
	CHECK_EQ(e[0].len, 0x9fc00);
	CHECK_EQ(e[0].type, MULTIBOOT_MEMORY_AVAILABLE);
	CHECK_EQ(e[1].addr, 0x9fc00);
	CHECK_EQ(e[1].addr + e[1].len, 0x100000);
	CHECK_EQ(e[1].type, MULTIBOOT_MEMORY_RESERVED);
	CHECK_EQ(e[2].addr, 0x100000);
	CHECK_EQ(e[2].addr + e[2].len, RAM_SIZE);
	CHECK_EQ(e[2].type, MULTIBOOT_MEMORY_AVAILABLE);

	/* The GDT the flat32 selectors name. */
	CHECK(bs.gdt_base >= bs.info_start && bs.gdt_base < bs.info_end);
	CHECK_EQ(bs.gdt_limit, sizeof(gdt) - 1);
	memcpy(gdt, ram + bs.gdt_base, sizeof(gdt));
	CHECK_EQ(gdt[0], 0);
	CHECK_EQ((gdt[1] >> 40) & 0xf0ff, 0xc09b);
	CHECK_EQ((gdt[2] >> 40) & 0xf0ff, 0xc093);
}

/* A kernel linked high but loaded low: the entry moves with it. */
static void test_multiboot_entry_translation(void)
{
	reset();
	CHECK_EQ(load(build_elf32(0x200000, 0xc0200000, 0xc0200020), ""), 0);
	CHECK_EQ(bs.entry, 0x200020);
	CHECK_EQ(ram[0x200000], 1);
}

static void test_multiboot_elf64(void)
{
	reset();
	CHECK_EQ(load(build_elf64(0x100000, 0x100000), ""), 0);
	CHECK_EQ(bs.kind, BOOT_MULTIBOOT);
	CHECK_EQ(bs.entry, 0x100000);
	CHECK_EQ(ram[0x10000f], 0x90);
	CHECK_EQ(ram[0x100010], 0);

	reset();
	CHECK(load(build_elf64(0x100000, 0x100000000ull), "") < 0);
	CHECK(strstr(err, "32-bit"));
}

static void test_multiboot_aout_kludge(void)
{
	uint32_t flags = MULTIBOOT_MEMORY_INFO | MULTIBOOT_AOUT_KLUDGE;
	struct multiboot_header h = {
		.magic = MULTIBOOT_HEADER_MAGIC,
		.flags = flags,
		.checksum = -(MULTIBOOT_HEADER_MAGIC + flags),
		/* the file from offset 0 loads at 0x300000 */
		.header_addr = 0x300000 + MB_HDR_OFF,
		.load_addr = 0x300000,
		.load_end_addr = 0x300000 + 0x200,
		.bss_end_addr = 0x300000 + 0x1000,
		.entry_addr = 0x300000 + 0x180,
	};

	reset();
	memcpy(img + MB_HDR_OFF, &h, sizeof(h));
	img[0] = 0xeb;
	img[0x1ff] = 0x42;
	img[0x200] = 0x77;			/* past load_end_addr */
	CHECK_EQ(load(0x400, "x"), 0);
	CHECK_EQ(bs.kind, BOOT_MULTIBOOT);
	CHECK_EQ(bs.entry, 0x300180);
	CHECK_EQ(ram[0x300000], 0xeb);
	CHECK_EQ(ram[0x3001ff], 0x42);
	CHECK_EQ(ram[0x300200], 0);		/* bss, not file data */
	CHECK_EQ(ram[0x300fff], 0);
	CHECK_EQ(bs.info_start, 0x301000);	/* the boot information */
}

static void test_multiboot_rejects(void)
{
	size_t size;

	/* Segment beyond RAM */
	reset();
	CHECK(load(build_elf32(RAM_SIZE - 0x800, RAM_SIZE - 0x800,
			       RAM_SIZE - 0x800), "") < 0);
	CHECK(strstr(err, "does not fit"));

	/* Unknown required feature (bit 3) */
	reset();
	size = build_elf32(0x100000, 0x100000, 0x100000);
	put_mb_header(MULTIBOOT_MEMORY_INFO | (1u << 3));
	CHECK(load(size, "") < 0);
	CHECK(strstr(err, "unknown multiboot features"));

	/* A video mode request only warns */
	reset();
	size = build_elf32(0x100000, 0x100000, 0x100000);
	put_mb_header(MULTIBOOT_VIDEO_MODE);
	CHECK_EQ(load(size, ""), 0);
	CHECK(bs.warning[0]);

	/* Multiboot header but neither ELF nor kludge */
	reset();
	put_mb_header(0);
	CHECK(load(0x400, "") < 0);

	/* Program headers beyond the end of the file */
	reset();
	size = build_elf32(0x100000, 0x100000, 0x100000);
	img[offsetof(Elf32_Ehdr, e_phnum)] = 0xff;
	CHECK(load(size, "") < 0);
	CHECK(strstr(err, "program headers"));

	/* Command line longer than its room */
	reset();
	size = build_elf32(0x100000, 0x100000, 0x100000);
	{
		static char huge[0x10000];

		memset(huge, 'x', sizeof(huge) - 1);
		CHECK(load(size, huge) < 0);
		CHECK(strstr(err, "command line"));
	}
}

static void test_multiboot_header_search(void)
{
	struct multiboot_header h;
	size_t off;
	uint32_t w[3] = { MULTIBOOT_HEADER_MAGIC, 0, 0 };

	reset();
	/* a wrong checksum first, then a right one further on */
	memcpy(img + 0x10, w, sizeof(w));
	w[2] = -MULTIBOOT_HEADER_MAGIC;
	memcpy(img + 0x40, w, sizeof(w));
	CHECK_EQ(multiboot_find_header(img, IMG_MAX, &h, &off), 1);
	CHECK_EQ(off, 0x40);

	/* not 4-byte aligned: not a header */
	reset();
	memcpy(img + 0x42, w, sizeof(w));
	CHECK_EQ(multiboot_find_header(img, IMG_MAX, &h, &off), 0);

	/* beyond the first 8 KiB: not a header */
	reset();
	memcpy(img + MULTIBOOT_SEARCH, w, sizeof(w));
	CHECK_EQ(multiboot_find_header(img, IMG_MAX, &h, &off), 0);
}

static void test_raw(void)
{
	reset();
	img[0] = 0xfa;
	img[510] = 0x55;
	img[511] = 0xaa;
	CHECK_EQ(load(512, "ignored"), 0);
	CHECK_EQ(bs.kind, BOOT_RAW);
	CHECK_EQ(bs.cs, 0);
	CHECK_EQ(bs.ip, 0x7c00);
	CHECK_EQ(bs.sp, 0x7c00);
	CHECK_EQ(bs.dl, 0x80);
	CHECK_EQ(ram[0x7c00], 0xfa);
	CHECK_EQ(ram[0x7dff], 0xaa);
	CHECK_EQ(ram[0x7e00], 0xcc);
	CHECK(!bs.warning[0]);

	/* too big for RAM at 0x7c00 */
	reset();
	img[510] = 0x55;
	img[511] = 0xaa;
	CHECK(loader_load(ram, 0x8000, img, 0x401, "", NULL, 0, &bs, err,
			  sizeof(err)) < 0);
}

static int load_opts(size_t size, const struct loader_opts *o)
{
	return loader_boot(ram, RAM_SIZE, img, size, o, &bs, err,
			   sizeof(err));
}

/* Files that are no image: refused, saying what they look like. */
static void test_refuse(void)
{
	static const char text[] = "#!/bin/sh\necho not a kernel\n";
	size_t size;

	reset();
	CHECK(load(0, "") < 0);
	CHECK(strstr(err, "not a bootable image: an empty file"));

	/* a truncated boot sector: no signature */
	reset();
	img[0] = 0xfa;
	CHECK(load(100, "") < 0);
	CHECK(strstr(err, "100 bytes: shorter than a boot sector"));
	CHECK(strstr(err, "--raw"));

	reset();
	memcpy(img, text, sizeof(text) - 1);
	CHECK(load(sizeof(text) - 1, "") < 0);
	CHECK(strstr(err, "a text file"));

	/* 1 KiB of binary without any signature */
	reset();
	img[3] = 0x01;
	CHECK(load(1024, "") < 0);
	CHECK(strstr(err, "no 0x55 0xaa boot signature"));

	/* an ELF without a Multiboot header, even with 0x55 0xaa at 510 */
	reset();
	size = build_elf32(0x100000, 0x100000, 0x100000);
	memset(img + MB_HDR_OFF, 0, 12);
	img[510] = 0x55;
	img[511] = 0xaa;
	CHECK(load(size, "") < 0);
	CHECK(strstr(err, "an ELF32 file without a Multiboot header"));
	reset();
	size = build_elf64(0x100000, 0x100000);
	memset(img + MB_HDR_OFF, 0, 12);
	CHECK(load(size, "") < 0);
	CHECK(strstr(err, "an ELF64 file without a Multiboot header"));
}

/* --raw: any file is real-mode code at 0x7c00. */
static void test_raw_forced(void)
{
	struct loader_opts o = { .raw = true };
	static const char text[] = "hello\n";
	struct boot_module m = { .data = img, .size = 1, .cmdline = "m" };
	size_t size;

	reset();
	memcpy(img, text, sizeof(text) - 1);
	CHECK_EQ(load_opts(sizeof(text) - 1, &o), 0);
	CHECK_EQ(bs.kind, BOOT_RAW);
	CHECK_EQ(bs.ip, 0x7c00);
	CHECK_EQ(ram[0x7c00], 'h');
	CHECK_EQ(bs.load_end, 0x7c00 + sizeof(text) - 1);

	/* even a Multiboot kernel */
	reset();
	size = build_elf32(0x100000, 0x100000, 0x100000);
	CHECK_EQ(load_opts(size, &o), 0);
	CHECK_EQ(bs.kind, BOOT_RAW);
	CHECK_EQ(ram[0x7c00], ELFMAG0);

	reset();
	o.mods = &m;
	o.nr_mods = 1;
	CHECK(load_opts(16, &o) < 0);
	CHECK(strstr(err, "raw code (--raw)"));
	o.nr_mods = 0;
	CHECK(load_opts(0, &o) < 0);
	CHECK(strstr(err, "empty image"));
}

#define BZ_SETUP	0x400		/* setup_sects 1 */
#define BZ_KERNEL	0x800

static void put16(size_t off, uint16_t v)
{
	memcpy(img + off, &v, sizeof(v));
}

static void put32(size_t off, uint32_t v)
{
	memcpy(img + off, &v, sizeof(v));
}

static void put64(size_t off, uint64_t v)
{
	memcpy(img + off, &v, sizeof(v));
}

static uint64_t ram64(uint64_t a)
{
	uint64_t v;

	memcpy(&v, ram + a, sizeof(v));
	return v;
}

static uint32_t ram32(uint64_t a)
{
	uint32_t v;

	memcpy(&v, ram + a, sizeof(v));
	return v;
}

/*
 * A bzImage as Linux's build lays it out: one setup sector after the
 * boot sector, the header at 0x1f1, BZ_KERNEL bytes of protected-mode
 * kernel; relocatable, 64-bit, @init_size and @pref as given.
 */
static size_t build_bzimage(uint64_t pref, uint32_t align, uint32_t init_size)
{
	unsigned int i;

	img[LINUX_HDR_SETUP_SECTS] = 1;
	put32(LINUX_HDR_SYSSIZE, BZ_KERNEL / 16);
	put16(LINUX_HDR_BOOT_FLAG, 0xaa55);
	img[LINUX_HDR_JUMP] = 0xeb;
	img[LINUX_HDR_JUMP + 1] = 0x6a;		/* header ends at 0x26c */
	memcpy(img + LINUX_HDR_MAGIC, "HdrS", 4);
	put16(LINUX_HDR_VERSION, 0x020f);
	img[LINUX_HDR_LOADFLAGS] = LINUX_LOADED_HIGH;
	put32(LINUX_HDR_INITRD_ADDR_MAX, 0x7fffffff);
	put32(LINUX_HDR_KERNEL_ALIGNMENT, align);
	img[LINUX_HDR_RELOCATABLE] = 1;
	put16(LINUX_HDR_XLOADFLAGS, 0x7f);
	put32(LINUX_HDR_CMDLINE_SIZE, 2047);
	put64(LINUX_HDR_PREF_ADDRESS, pref);
	put32(LINUX_HDR_INIT_SIZE, init_size);
	img[0x26b] = 0x5a;			/* the header's last byte */
	img[0x26c] = 0xa5;			/* past it */
	for (i = 0; i < BZ_KERNEL; i++)
		img[BZ_SETUP + i] = i * 7 + 3;
	return BZ_SETUP + BZ_KERNEL;
}

static void test_linux_header(void)
{
	struct linux_header h;
	size_t size;

	reset();
	size = build_bzimage(0x1000000, 0x200000, 0x300000);
	CHECK_EQ(linux_parse_header(img, size, &h, err, sizeof(err)), 0);
	CHECK_EQ(h.version, 0x020f);
	CHECK_EQ(h.setup_size, BZ_SETUP);
	CHECK_EQ(h.kernel_size, BZ_KERNEL);
	CHECK_EQ(h.hdr_end, 0x26c);
	CHECK_EQ(h.relocatable, 1);
	CHECK_EQ(h.kernel_alignment, 0x200000);
	CHECK_EQ(h.pref_address, 0x1000000);
	CHECK_EQ(h.init_size, 0x300000);
	CHECK_EQ(h.cmdline_size, 2047);
	CHECK_EQ(h.xloadflags & LINUX_XLF_KERNEL_64, LINUX_XLF_KERNEL_64);

	/* setup_sects 0 means 4 */
	reset();
	build_bzimage(0x100000, 0x1000, 0x1000);
	img[LINUX_HDR_SETUP_SECTS] = 0;
	CHECK_EQ(linux_parse_header(img, 5 * 512 + BZ_KERNEL, &h, err,
				    sizeof(err)), 0);
	CHECK_EQ(h.setup_size, 5 * 512);

	reset();
	build_bzimage(0x100000, 0x1000, 0x1000);
	memcpy(img + LINUX_HDR_MAGIC, "HdrZ", 4);
	CHECK(linux_parse_header(img, size, &h, err, sizeof(err)) < 0);
	CHECK(strstr(err, "no Linux boot header"));
}

/* What the zero page, the tables and RAM hold after a boot. */
static void test_linux_boot(void)
{
	static const char rd[] = "070701 an initramfs";
	struct boot_module m = {
		.data = (const uint8_t *)rd, .size = sizeof(rd) - 1,
		.cmdline = "rd.cpio",
	};
	struct loader_opts o = {
		.cmdline = "console=ttyS0 earlyprintk=serial",
		.mods = &m,
		.nr_mods = 1,
		.acpi_rsdp = 0xe0000,
	};
	uint64_t zp = LINUX_ZERO_PAGE_ADDR, rd_at;
	size_t size;

	reset();
	size = build_bzimage(0x100000, 0x1000, 0x180000);
	CHECK_EQ(load_opts(size, &o), 0);
	CHECK_EQ(bs.kind, BOOT_LINUX64);
	CHECK_EQ(bs.entry64, 0x100200);
	CHECK_EQ(bs.zero_page, LINUX_ZERO_PAGE_ADDR);
	CHECK_EQ(bs.cr3, LINUX_PML4_ADDR);
	CHECK_EQ(bs.gdt_base, LINUX_GDT_ADDR);
	CHECK_EQ(bs.gdt_limit, 31);
	CHECK_EQ(bs.load_start, 0x100000);
	CHECK_EQ(bs.load_end, 0x100000 + BZ_KERNEL);
	CHECK(!memcmp(ram + 0x100000, img + BZ_SETUP, BZ_KERNEL));
	CHECK(strstr(bs.desc, "boot protocol 2.15"));

	/* the header, copied up to its end and no further */
	CHECK(!memcmp(ram + zp + LINUX_HDR_MAGIC, "HdrS", 4));
	CHECK_EQ(ram[zp + LINUX_HDR_SETUP_SECTS], 1);
	CHECK_EQ(ram[zp + 0x26b], 0x5a);
	CHECK_EQ(ram[zp + 0x26c], 0);
	CHECK_EQ(ram[zp + LINUX_HDR_TYPE_OF_LOADER], 0xff);
	CHECK_EQ(ram32(zp + LINUX_HDR_CODE32_START), 0x100000);
	CHECK_EQ(ram64(zp + LINUX_ZP_ACPI_RSDP_ADDR), 0xe0000);

	/* the command line */
	CHECK_EQ(ram32(zp + LINUX_HDR_CMD_LINE_PTR), LINUX_CMDLINE_ADDR);
	CHECK_EQ(ram32(zp + LINUX_ZP_EXT_CMD_LINE_PTR), 0);
	CHECK(!strcmp((char *)ram + LINUX_CMDLINE_ADDR, o.cmdline));

	/* the initramfs: page-aligned at the top of RAM */
	rd_at = (RAM_SIZE - m.size) & ~0xfffull;
	CHECK_EQ(ram32(zp + LINUX_HDR_RAMDISK_IMAGE), rd_at);
	CHECK_EQ(ram32(zp + LINUX_HDR_RAMDISK_SIZE), m.size);
	CHECK_EQ(ram32(zp + LINUX_ZP_EXT_RAMDISK_IMAGE), 0);
	CHECK_EQ(ram32(zp + LINUX_ZP_EXT_RAMDISK_SIZE), 0);
	CHECK(!memcmp(ram + rd_at, rd, m.size));
	CHECK_EQ(m.start, rd_at);
	CHECK_EQ(m.end, rd_at + m.size);

	/* the memory map */
	CHECK_EQ(ram[zp + LINUX_ZP_E820_ENTRIES], 3);
	CHECK_EQ(ram64(zp + LINUX_ZP_E820_TABLE), 0);
	CHECK_EQ(ram64(zp + LINUX_ZP_E820_TABLE + 8), LOW_MEM_END);
	CHECK_EQ(ram32(zp + LINUX_ZP_E820_TABLE + 16), LINUX_E820_RAM);
	CHECK_EQ(ram64(zp + LINUX_ZP_E820_TABLE + 20), LOW_MEM_END);
	CHECK_EQ(ram32(zp + LINUX_ZP_E820_TABLE + 36), LINUX_E820_RESERVED);
	CHECK_EQ(ram64(zp + LINUX_ZP_E820_TABLE + 40), HIGH_MEM_START);
	CHECK_EQ(ram64(zp + LINUX_ZP_E820_TABLE + 48),
		 RAM_SIZE - HIGH_MEM_START);
	CHECK_EQ(ram32(zp + LINUX_ZP_E820_TABLE + 56), LINUX_E820_RAM);

	/* GDT: __BOOT_CS 64-bit code, __BOOT_DS flat data */
	CHECK_EQ(ram64(LINUX_GDT_ADDR + LINUX_BOOT_CS), 0x00af9b000000ffffull);
	CHECK_EQ(ram64(LINUX_GDT_ADDR + LINUX_BOOT_DS), 0x00cf93000000ffffull);
	/* 0-4 GiB identity-mapped with 2 MiB pages */
	CHECK_EQ(ram64(LINUX_PML4_ADDR), 0x3003);
	CHECK_EQ(ram64(0x3000), 0x4003);
	CHECK_EQ(ram64(0x3000 + 3 * 8), 0x7003);
	CHECK_EQ(ram64(0x4000), 0x83);
	CHECK_EQ(ram64(0x4008), 0x200083);
	CHECK_EQ(ram64(0x7000 + 511 * 8), 0xffe00083ull);
}

/* Where the kernel goes: pref_address, else the lowest aligned place. */
static void test_linux_placement(void)
{
	struct loader_opts o = { .cmdline = "" };
	size_t size;

	/* pref_address 16 MiB does not fit in 4 MiB: relocated to 2 MiB */
	reset();
	size = build_bzimage(0x1000000, 0x200000, 0x100000);
	CHECK_EQ(load_opts(size, &o), 0);
	CHECK_EQ(bs.entry64, 0x200200);
	CHECK_EQ(ram32(LINUX_ZERO_PAGE_ADDR + LINUX_HDR_RAMDISK_IMAGE), 0);

	/* a kernel that is not relocatable loads at pref_address only */
	reset();
	size = build_bzimage(0x300000, 0x200000, 0x100000);
	img[LINUX_HDR_RELOCATABLE] = 0;
	CHECK_EQ(load_opts(size, &o), 0);
	CHECK_EQ(bs.entry64, 0x300200);
	reset();
	size = build_bzimage(0x400000, 0x200000, 0x100000);
	img[LINUX_HDR_RELOCATABLE] = 0;
	CHECK(load_opts(size, &o) < 0);
	CHECK(strstr(err, "too big for 4 MiB of guest RAM"));
}

static void test_linux_rejects(void)
{
	struct boot_module two[2] = {
		{ .data = img, .size = 1, .cmdline = "a" },
		{ .data = img, .size = 1, .cmdline = "b" },
	};
	struct boot_module big = {
		.data = img, .size = 0x300000, .cmdline = "big",
	};
	struct loader_opts o = { .cmdline = "" };
	size_t size;

	reset();
	size = build_bzimage(0x100000, 0x1000, 0x1000);
	put16(LINUX_HDR_VERSION, 0x020b);
	CHECK(load_opts(size, &o) < 0);
	CHECK(strstr(err, "boot protocol 2.11 is too old"));

	reset();
	size = build_bzimage(0x100000, 0x1000, 0x1000);
	put16(LINUX_HDR_XLOADFLAGS, 0);
	CHECK(load_opts(size, &o) < 0);
	CHECK(strstr(err, "32-bit-only Linux kernel"));

	reset();
	size = build_bzimage(0x100000, 0x1000, 0x1000);
	img[LINUX_HDR_LOADFLAGS] = 0;
	CHECK(load_opts(size, &o) < 0);
	CHECK(strstr(err, "a zImage"));

	reset();
	size = build_bzimage(0x100000, 0x1000, 0x1000);
	put32(LINUX_HDR_KERNEL_ALIGNMENT, 0x3000);
	CHECK(load_opts(size, &o) < 0);
	CHECK(strstr(err, "bad kernel_alignment"));

	/* too big: init_size past the end of RAM */
	reset();
	size = build_bzimage(0x1000000, 0x200000, 0x800000);
	CHECK(load_opts(size, &o) < 0);
	CHECK(strstr(err, "needs 8 MiB from 0x200000 on (init_size): too big for 4 MiB"));

	/* truncated: the file ends inside the kernel, or the header */
	reset();
	size = build_bzimage(0x100000, 0x1000, 0x1000);
	CHECK(load_opts(size - 1, &o) < 0);
	CHECK(strstr(err, "truncated Linux kernel: its header says 3072 bytes, the file has 3071"));
	CHECK(load_opts(0x210, &o) < 0);
	CHECK(strstr(err, "truncated Linux kernel: 528 bytes"));

	/* "HdrS" without the 0xaa55 boot flag: not Linux, not a boot sector */
	reset();
	size = build_bzimage(0x100000, 0x1000, 0x1000);
	put16(LINUX_HDR_BOOT_FLAG, 0);
	CHECK(load_opts(size, &o) < 0);
	CHECK(strstr(err, "not a bootable image"));
	CHECK(strstr(err, "Linux boot header without the 0xaa55 boot flag"));

	/* the command line is longer than cmdline_size */
	reset();
	size = build_bzimage(0x100000, 0x1000, 0x1000);
	put32(LINUX_HDR_CMDLINE_SIZE, 4);
	o.cmdline = "12345";
	CHECK(load_opts(size, &o) < 0);
	CHECK(strstr(err, "command line too long (5 bytes, this kernel takes 4)"));
	o.cmdline = "1234";
	CHECK_EQ(load_opts(size, &o), 0);

	/* one initramfs, that fits above the kernel, without arguments */
	reset();
	size = build_bzimage(0x100000, 0x1000, 0x100000);
	o.mods = two;
	o.nr_mods = 2;
	CHECK(load_opts(size, &o) < 0);
	CHECK(strstr(err, "takes one --initrd FILE"));
	two[0].cmdline = "a x=1";
	o.nr_mods = 1;
	CHECK(load_opts(size, &o) < 0);
	CHECK(strstr(err, "without arguments"));
	o.mods = &big;
	CHECK(load_opts(size, &o) < 0);
	CHECK(strstr(err, "initramfs \"big\" (3145728 bytes) does not fit"));
	CHECK(strstr(err, "between the kernel's end at 0x200000"));
	big.size = 0x200000;
	CHECK_EQ(load_opts(size, &o), 0);
	CHECK_EQ(ram32(LINUX_ZERO_PAGE_ADDR + LINUX_HDR_RAMDISK_IMAGE),
		 0x200000);
}

/* [a, a + alen) and [b, b + blen) are apart. */
static bool apart(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a + alen <= b || b + blen <= a;
}

/* Nothing the loader built overlaps the kernel's segment. */
static void check_info_apart(uint64_t seg, uint64_t seglen)
{
	struct multiboot_info mbi;

	memcpy(&mbi, ram + bs.mbi_addr, sizeof(mbi));
	CHECK(apart(bs.info_start, bs.info_end - bs.info_start, seg, seglen));
	CHECK(bs.info_start >= 0x1000 && !(bs.info_start & 0xfff));
	CHECK(bs.info_end <= RAM_SIZE);
	CHECK(apart(bs.info_start, bs.info_end - bs.info_start, 0x9fc00,
		    0x100000 - 0x9fc00));
	CHECK(mbi.cmdline >= bs.info_start && mbi.cmdline < bs.info_end);
	CHECK(mbi.mmap_addr >= bs.info_start && mbi.mmap_addr < bs.info_end);
	CHECK(mbi.boot_loader_name >= bs.info_start &&
	      mbi.boot_loader_name < bs.info_end);
	CHECK(!strcmp((char *)ram + mbi.cmdline, "low"));
}

/*
 * A kernel linked below 64 KiB, where the boot information used to sit:
 * it now goes after the kernel.  One that ends at the top of RAM gets
 * it below, and one that leaves no room at all is refused.
 */
static void test_multiboot_placement(void)
{
	uint8_t save[0x40];

	reset();
	CHECK_EQ(load(build_elf32(0x2000, 0x2000, 0x2000), "low"), 0);
	CHECK_EQ(bs.load_start, 0x2000);
	CHECK_EQ(bs.info_start, 0x3000);
	check_info_apart(0x2000, 0x1000);
	CHECK_EQ(ram[0x2000], 1);		/* the kernel is intact */

	/* At page 0x1000, with its bss reaching 0x2000. */
	reset();
	CHECK_EQ(load(build_elf32(0x1000, 0x1000, 0x1000), "low"), 0);
	check_info_apart(0x1000, 0x1000);
	memcpy(save, img + DATA_OFF, sizeof(save));
	CHECK(!memcmp(ram + 0x1000, save, sizeof(save)));

	/* Ending at the top of RAM: the info goes to the lowest free page. */
	reset();
	CHECK_EQ(load(build_elf32(RAM_SIZE - 0x1000, RAM_SIZE - 0x1000,
				  RAM_SIZE - 0x1000), "low"), 0);
	CHECK_EQ(bs.info_start, 0x1000);
	check_info_apart(RAM_SIZE - 0x1000, 0x1000);

	/* Just below the hole at 639 KiB: not into the hole, but above it. */
	reset();
	CHECK_EQ(load(build_elf32(0x9e000, 0x9e000, 0x9e000), "low"), 0);
	CHECK_EQ(bs.info_start, 0x1000);
	check_info_apart(0x9e000, 0x1000);
}

static uint8_t mod_a[5000], mod_b[3];

static int load_mods(size_t size, struct boot_module *m, unsigned int n,
		     uint64_t ram_size)
{
	return loader_load(ram, ram_size, img, size, "k", m, n, &bs, err,
			   sizeof(err));
}

/* Modules: page-aligned after the kernel, listed with their strings. */
static void test_multiboot_modules(void)
{
	struct boot_module m[2] = {
		{ .data = mod_a, .size = sizeof(mod_a), .cmdline = "a.img x=1" },
		{ .data = mod_b, .size = sizeof(mod_b), .cmdline = "b.img" },
	};
	struct multiboot_mod_list ml[2];
	struct multiboot_info mbi;
	unsigned int i;

	for (i = 0; i < sizeof(mod_a); i++)
		mod_a[i] = i * 7;
	memcpy(mod_b, "abc", 3);
	reset();
	CHECK_EQ(load_mods(build_elf32(0x100000, 0x100000, 0x100000), m, 2,
			   RAM_SIZE), 0);
	CHECK_EQ(m[0].start, 0x101000);
	CHECK_EQ(m[0].end, 0x101000 + sizeof(mod_a));
	CHECK_EQ(m[1].start, 0x103000);
	CHECK_EQ(m[1].end, 0x103003);
	CHECK_EQ(bs.info_start, 0x104000);
	CHECK(!memcmp(ram + m[0].start, mod_a, sizeof(mod_a)));
	CHECK(!memcmp(ram + m[1].start, "abc", 3));

	memcpy(&mbi, ram + bs.mbi_addr, sizeof(mbi));
	CHECK(mbi.flags & MULTIBOOT_INFO_MODS);
	CHECK_EQ(mbi.mods_count, 2);
	CHECK(mbi.mods_addr >= bs.info_start && mbi.mods_addr < bs.info_end);
	memcpy(ml, ram + mbi.mods_addr, sizeof(ml));
	CHECK_EQ(ml[0].mod_start, m[0].start);
	CHECK_EQ(ml[0].mod_end, m[0].end);
	CHECK_EQ(ml[1].mod_start, m[1].start);
	CHECK_EQ(ml[1].mod_end, m[1].end);
	CHECK(!strcmp((char *)ram + ml[0].cmdline, "a.img x=1"));
	CHECK(!strcmp((char *)ram + ml[1].cmdline, "b.img"));
	CHECK_EQ(ml[0].pad, 0);

	/* An empty module is a valid one: start == end. */
	reset();
	m[0].size = 0;
	CHECK_EQ(load_mods(build_elf32(0x100000, 0x100000, 0x100000), m, 1,
			   RAM_SIZE), 0);
	CHECK_EQ(m[0].start, m[0].end);

	/* Without modules, no MODS flag. */
	reset();
	CHECK_EQ(load_mods(build_elf32(0x100000, 0x100000, 0x100000), m, 0,
			   RAM_SIZE), 0);
	memcpy(&mbi, ram + bs.mbi_addr, sizeof(mbi));
	CHECK(!(mbi.flags & MULTIBOOT_INFO_MODS));
	CHECK_EQ(mbi.mods_count, 0);
}

/* Modules that do not fit are refused with a reason; raw images too. */
static void test_multiboot_modules_rejects(void)
{
	static struct boot_module many[MULTIBOOT_MAX_MODULES + 1];
	static uint8_t big[RAM_SIZE];
	struct boot_module m = {
		.data = big, .size = RAM_SIZE - 0x100000, .cmdline = "big.img",
	};
	size_t size;

	reset();
	size = build_elf32(0x100000, 0x100000, 0x100000);
	CHECK(load_mods(size, &m, 1, RAM_SIZE) < 0);
	CHECK(strstr(err, "module 0 (\"big.img\""));
	CHECK(strstr(err, "does not fit"));

	/* Up to the last page but one: the info takes the first free page. */
	reset();
	size = build_elf32(0x100000, 0x100000, 0x100000);
	m.size = RAM_SIZE - 0x102000;
	CHECK_EQ(load_mods(size, &m, 1, RAM_SIZE), 0);
	CHECK_EQ(m.start, 0x101000);
	CHECK_EQ(bs.info_start, RAM_SIZE - 0x1000);

	/* Up to the last page, in RAM that has no low part: no room. */
	reset();
	size = build_elf32(0x1000, 0x1000, 0x1000);
	m.size = 0x9d000;
	CHECK(load_mods(size, &m, 1, 0x100000) < 0);
	CHECK(strstr(err, "boot information"));

	reset();
	size = build_elf32(0x100000, 0x100000, 0x100000);
	CHECK(load_mods(size, many, MULTIBOOT_MAX_MODULES + 1, RAM_SIZE) < 0);
	CHECK(strstr(err, "modules, at most"));

	reset();
	m.size = 1;
	img[510] = 0x55;
	img[511] = 0xaa;
	CHECK(load_mods(512, &m, 1, RAM_SIZE) < 0);
	CHECK(strstr(err, "need a Multiboot or Linux kernel"));
}

/* The sample guest, if it was built: what `hvctl run hello.elf` loads. */
static void test_hello_elf(void)
{
	static uint8_t file[1 << 20];
	FILE *f = fopen("guests/hello.elf", "rb");
	size_t n;

	if (!f) {
		printf("# guests/hello.elf not built, skipped\n");
		return;
	}
	n = fread(file, 1, sizeof(file), f);
	fclose(f);
	memset(ram, 0, sizeof(ram));
	CHECK_EQ(loader_load(ram, RAM_SIZE, file, n, "x y", NULL, 0, &bs,
			     err, sizeof(err)), 0);
	CHECK_EQ(bs.kind, BOOT_MULTIBOOT);
	CHECK(bs.entry >= 0x100000 && bs.entry < bs.load_end);
	CHECK_EQ(bs.load_start, 0x100000);
}

int main(void)
{
	TEST(test_multiboot_elf32);
	TEST(test_multiboot_entry_translation);
	TEST(test_multiboot_elf64);
	TEST(test_multiboot_aout_kludge);
	TEST(test_multiboot_rejects);
	TEST(test_multiboot_header_search);
	TEST(test_multiboot_placement);
	TEST(test_multiboot_modules);
	TEST(test_multiboot_modules_rejects);
	TEST(test_raw);
	TEST(test_refuse);
	TEST(test_raw_forced);
	TEST(test_linux_header);
	TEST(test_linux_boot);
	TEST(test_linux_placement);
	TEST(test_linux_rejects);
	TEST(test_hello_elf);
	return test_done();
}
