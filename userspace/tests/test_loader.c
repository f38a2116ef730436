// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the image loaders: Multiboot ELF32/ELF64/a.out kludge and
 * raw boot sectors, against a buffer standing for guest RAM.
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

	reset();
	CHECK_EQ(load(100, ""), 0);
	CHECK(bs.warning[0]);			/* no boot signature */

	reset();
	CHECK(load(0, "") < 0);
	CHECK(loader_load(ram, 0x8000, img, 0x401, "", NULL, 0, &bs, err,
			  sizeof(err)) < 0);
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
	CHECK(load_mods(512, &m, 1, RAM_SIZE) < 0);
	CHECK(strstr(err, "need a Multiboot kernel"));
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
	TEST(test_hello_elf);
	return test_done();
}
