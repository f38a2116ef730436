// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: image loaders.
 *
 * A Multiboot v1 kernel (ELF32, ELF64 with a 32-bit entry, or the a.out
 * kludge) is loaded at its physical addresses and entered the way the
 * Multiboot specification says; anything else is a raw boot sector loaded
 * at 0x7c00.  Everything here works on a plain buffer standing for guest
 * RAM, so it is tested on the host.
 */
#include <assert.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "loader.h"

static_assert(sizeof(struct multiboot_info) == 116, "multiboot_info");
static_assert(offsetof(struct multiboot_info, mmap_length) == 44, "mmap");
static_assert(offsetof(struct multiboot_info, boot_loader_name) == 64,
	      "boot_loader_name");
static_assert(sizeof(struct multiboot_mmap_entry) == 24, "mmap entry");

#define MB_BOOT_LOADER_NAME	"hvctl " HVCTL_VERSION

/**
 * struct load_seg - one piece of the image to copy into guest RAM
 * @paddr: guest-physical destination
 * @vaddr: the address the image links it at (entry translation)
 * @offset: file offset of the data
 * @filesz: bytes copied from the file
 * @memsz: bytes at @paddr; those past @filesz are zeroed
 */
struct load_seg {
	uint64_t paddr;
	uint64_t vaddr;
	uint64_t offset;
	uint64_t filesz;
	uint64_t memsz;
};

#define MAX_LOAD_SEGS	16

struct load_plan {
	struct load_seg segs[MAX_LOAD_SEGS];
	unsigned int nr_segs;
	uint64_t entry;
	const char *format;
};

static int __attribute__((format(printf, 3, 4)))
load_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int multiboot_find_header(const uint8_t *img, size_t size,
			  struct multiboot_header *hdr, size_t *offset)
{
	size_t off, end = size < MULTIBOOT_SEARCH ? size : MULTIBOOT_SEARCH;
	uint32_t w[3];

	for (off = 0; off + sizeof(w) <= end; off += 4) {
		memcpy(w, img + off, sizeof(w));
		if (w[0] != MULTIBOOT_HEADER_MAGIC ||
		    (uint32_t)(w[0] + w[1] + w[2]) != 0)
			continue;
		memset(hdr, 0, sizeof(*hdr));
		memcpy(hdr, img + off,
		       size - off < sizeof(*hdr) ? size - off : sizeof(*hdr));
		*offset = off;
		return 1;
	}
	return 0;
}

static int plan_add(struct load_plan *plan, const struct load_seg *seg,
		    size_t img_size, char *err, size_t errlen)
{
	if (seg->filesz > seg->memsz || seg->offset > img_size ||
	    seg->filesz > img_size - seg->offset)
		return load_err(err, errlen,
				"segment at 0x%llx lies outside the file",
				(unsigned long long)seg->paddr);
	if (!seg->memsz)
		return 0;
	if (plan->nr_segs == MAX_LOAD_SEGS)
		return load_err(err, errlen, "more than %d loadable segments",
				MAX_LOAD_SEGS);
	plan->segs[plan->nr_segs++] = *seg;
	return 0;
}

static int plan_elf32(const uint8_t *img, size_t size, struct load_plan *plan,
		      char *err, size_t errlen)
{
	Elf32_Ehdr eh;
	Elf32_Phdr ph;
	unsigned int i;
	int ret;

	if (size < sizeof(eh))
		return load_err(err, errlen, "truncated ELF header");
	memcpy(&eh, img, sizeof(eh));
	if (eh.e_machine != EM_386)
		return load_err(err, errlen, "ELF32 machine %u is not i386",
				eh.e_machine);
	if (eh.e_phentsize < sizeof(ph) ||
	    eh.e_phoff + (uint64_t)eh.e_phnum * eh.e_phentsize > size)
		return load_err(err, errlen, "bad ELF program headers");

	for (i = 0; i < eh.e_phnum; i++) {
		struct load_seg seg;

		memcpy(&ph, img + eh.e_phoff + i * eh.e_phentsize, sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		seg.paddr = ph.p_paddr;
		seg.vaddr = ph.p_vaddr;
		seg.offset = ph.p_offset;
		seg.filesz = ph.p_filesz;
		seg.memsz = ph.p_memsz;
		ret = plan_add(plan, &seg, size, err, errlen);
		if (ret)
			return ret;
	}
	plan->entry = eh.e_entry;
	plan->format = "ELF32";
	return 0;
}

static int plan_elf64(const uint8_t *img, size_t size, struct load_plan *plan,
		      char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned int i;
	int ret;

	if (size < sizeof(eh))
		return load_err(err, errlen, "truncated ELF header");
	memcpy(&eh, img, sizeof(eh));
	if (eh.e_machine != EM_X86_64)
		return load_err(err, errlen, "ELF64 machine %u is not x86-64",
				eh.e_machine);
	if (eh.e_phentsize < sizeof(ph) || eh.e_phoff > size ||
	    (uint64_t)eh.e_phnum * eh.e_phentsize > size - eh.e_phoff)
		return load_err(err, errlen, "bad ELF program headers");

	for (i = 0; i < eh.e_phnum; i++) {
		struct load_seg seg;

		memcpy(&ph, img + eh.e_phoff + i * eh.e_phentsize, sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		seg.paddr = ph.p_paddr;
		seg.vaddr = ph.p_vaddr;
		seg.offset = ph.p_offset;
		seg.filesz = ph.p_filesz;
		seg.memsz = ph.p_memsz;
		ret = plan_add(plan, &seg, size, err, errlen);
		if (ret)
			return ret;
	}
	plan->entry = eh.e_entry;
	plan->format = "ELF64";
	return 0;
}

static int plan_elf(const uint8_t *img, size_t size, struct load_plan *plan,
		    char *err, size_t errlen)
{
	unsigned int i;
	int ret;

	if (size < EI_NIDENT || memcmp(img, ELFMAG, SELFMAG))
		return load_err(err, errlen,
				"not an ELF file and no a.out kludge in its multiboot header");
	if (img[EI_DATA] != ELFDATA2LSB)
		return load_err(err, errlen, "big-endian ELF");
	if (img[EI_CLASS] == ELFCLASS32)
		ret = plan_elf32(img, size, plan, err, errlen);
	else if (img[EI_CLASS] == ELFCLASS64)
		ret = plan_elf64(img, size, plan, err, errlen);
	else
		ret = load_err(err, errlen, "unknown ELF class %u",
			       img[EI_CLASS]);
	if (ret)
		return ret;
	if (!plan->nr_segs)
		return load_err(err, errlen, "no loadable segments");

	/* The entry is linked at a virtual address; run it physically. */
	for (i = 0; i < plan->nr_segs; i++) {
		const struct load_seg *s = &plan->segs[i];

		if (plan->entry >= s->vaddr &&
		    plan->entry - s->vaddr < s->memsz) {
			plan->entry = plan->entry - s->vaddr + s->paddr;
			break;
		}
	}
	return 0;
}

static int plan_aout_kludge(const struct multiboot_header *h, size_t hoff,
			    size_t size, struct load_plan *plan, char *err,
			    size_t errlen)
{
	struct load_seg seg;
	uint32_t load_end;

	if (h->header_addr < h->load_addr ||
	    h->header_addr - h->load_addr > hoff)
		return load_err(err, errlen,
				"multiboot header_addr 0x%x does not match load_addr 0x%x",
				h->header_addr, h->load_addr);
	seg.offset = hoff - (h->header_addr - h->load_addr);
	load_end = h->load_end_addr;
	if (!load_end) {
		if (size - seg.offset > 0xffffffffull - h->load_addr)
			return load_err(err, errlen, "image too large");
		load_end = h->load_addr + (uint32_t)(size - seg.offset);
	}
	if (load_end < h->load_addr)
		return load_err(err, errlen, "load_end_addr below load_addr");
	if (h->bss_end_addr && h->bss_end_addr < load_end)
		return load_err(err, errlen, "bss_end_addr below load_end_addr");

	seg.paddr = h->load_addr;
	seg.vaddr = h->load_addr;
	seg.filesz = load_end - h->load_addr;
	seg.memsz = (h->bss_end_addr ? h->bss_end_addr : load_end) -
		    h->load_addr;
	plan->entry = h->entry_addr;
	plan->format = "a.out kludge";
	return plan_add(plan, &seg, size, err, errlen);
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static int check_and_copy(uint8_t *ram, uint64_t ram_size,
			  const uint8_t *img, const struct load_plan *plan,
			  struct boot_state *bs, char *err, size_t errlen)
{
	unsigned int i;

	bs->load_start = UINT64_MAX;
	bs->load_end = 0;
	for (i = 0; i < plan->nr_segs; i++) {
		const struct load_seg *s = &plan->segs[i];

		if (s->paddr > ram_size || s->memsz > ram_size - s->paddr)
			return load_err(err, errlen,
					"segment [0x%llx, 0x%llx) does not fit in %llu MiB of guest RAM",
					(unsigned long long)s->paddr,
					(unsigned long long)(s->paddr + s->memsz),
					(unsigned long long)(ram_size >> 20));
		if (overlaps(s->paddr, s->memsz, LOADER_AREA_START,
			     LOADER_AREA_END - LOADER_AREA_START))
			return load_err(err, errlen,
					"segment [0x%llx, 0x%llx) overlaps the boot information at [0x%x, 0x%x)",
					(unsigned long long)s->paddr,
					(unsigned long long)(s->paddr + s->memsz),
					LOADER_AREA_START, LOADER_AREA_END);
		if (s->paddr < bs->load_start)
			bs->load_start = s->paddr;
		if (s->paddr + s->memsz > bs->load_end)
			bs->load_end = s->paddr + s->memsz;
	}

	for (i = 0; i < plan->nr_segs; i++) {
		const struct load_seg *s = &plan->segs[i];

		memcpy(ram + s->paddr, img + s->offset, s->filesz);
		memset(ram + s->paddr + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}

static void put_mmap(uint8_t *p, uint64_t addr, uint64_t len, uint32_t type)
{
	struct multiboot_mmap_entry e = {
		.size = sizeof(e) - sizeof(e.size),
		.addr = addr,
		.len = len,
		.type = type,
	};

	memcpy(p, &e, sizeof(e));
}

/* Builds the GDT, the info structure, the memory map and strings. */
static int build_boot_info(uint8_t *ram, uint64_t ram_size,
			   const char *cmdline, struct boot_state *bs,
			   char *err, size_t errlen)
{
	static const uint64_t gdt[] = {
		0,
		0x00cf9b000000ffffull,	/* 0x08: code, base 0, 4 GiB */
		0x00cf93000000ffffull,	/* 0x10: data, base 0, 4 GiB */
	};
	struct multiboot_info mbi;
	uint8_t *mmap = ram + LOADER_MMAP_ADDR;
	uint64_t upper_end;
	size_t len = strlen(cmdline);

	if (len >= LOADER_AREA_END - LOADER_CMDLINE_ADDR)
		return load_err(err, errlen,
				"command line too long (%zu bytes, at most %d)",
				len, LOADER_AREA_END - LOADER_CMDLINE_ADDR - 1);

	memset(ram + LOADER_AREA_START, 0, LOADER_AREA_END - LOADER_AREA_START);
	memcpy(ram + LOADER_GDT_ADDR, gdt, sizeof(gdt));
	memcpy(ram + LOADER_CMDLINE_ADDR, cmdline, len + 1);
	memcpy(ram + LOADER_NAME_ADDR, MB_BOOT_LOADER_NAME,
	       sizeof(MB_BOOT_LOADER_NAME));

	memset(&mbi, 0, sizeof(mbi));
	mbi.flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
		    MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_BOOT_LOADER_NAME;
	mbi.mem_lower = 640;
	/* Up to the first hole above 1 MiB; there is none below 4 GiB. */
	upper_end = ram_size < (1ull << 32) ? ram_size : (1ull << 32);
	mbi.mem_upper = upper_end > HIGH_MEM_START ?
			(upper_end - HIGH_MEM_START) >> 10 : 0;
	mbi.cmdline = LOADER_CMDLINE_ADDR;
	mbi.boot_loader_name = LOADER_NAME_ADDR;

	put_mmap(mmap, 0, LOW_MEM_END, MULTIBOOT_MEMORY_AVAILABLE);
	mmap += sizeof(struct multiboot_mmap_entry);
	put_mmap(mmap, LOW_MEM_END, HIGH_MEM_START - LOW_MEM_END,
		 MULTIBOOT_MEMORY_RESERVED);
	mmap += sizeof(struct multiboot_mmap_entry);
	if (ram_size > HIGH_MEM_START) {
		put_mmap(mmap, HIGH_MEM_START, ram_size - HIGH_MEM_START,
			 MULTIBOOT_MEMORY_AVAILABLE);
		mmap += sizeof(struct multiboot_mmap_entry);
	}
	mbi.mmap_addr = LOADER_MMAP_ADDR;
	mbi.mmap_length = mmap - (ram + LOADER_MMAP_ADDR);
	memcpy(ram + LOADER_MBI_ADDR, &mbi, sizeof(mbi));

	bs->mbi_addr = LOADER_MBI_ADDR;
	bs->gdt_base = LOADER_GDT_ADDR;
	bs->gdt_limit = sizeof(gdt) - 1;
	return 0;
}

static int load_multiboot(uint8_t *ram, uint64_t ram_size, const uint8_t *img,
			  size_t size, const struct multiboot_header *h,
			  size_t hoff, const char *cmdline,
			  struct boot_state *bs, char *err, size_t errlen)
{
	struct load_plan plan = { .nr_segs = 0 };
	uint32_t unknown;
	int ret;

	unknown = h->flags & MULTIBOOT_REQUIRED_MASK &
		  ~(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO |
		    MULTIBOOT_VIDEO_MODE);
	if (unknown)
		return load_err(err, errlen,
				"kernel requires unknown multiboot features 0x%x",
				unknown);
	if (h->flags & MULTIBOOT_VIDEO_MODE)
		snprintf(bs->warning, sizeof(bs->warning),
			 "kernel asks for a video mode; there is no display, only the serial port");

	if (h->flags & MULTIBOOT_AOUT_KLUDGE)
		ret = plan_aout_kludge(h, hoff, size, &plan, err, errlen);
	else
		ret = plan_elf(img, size, &plan, err, errlen);
	if (ret)
		return ret;
	if (plan.entry > 0xffffffffull)
		return load_err(err, errlen,
				"entry point 0x%llx is not a 32-bit address",
				(unsigned long long)plan.entry);
	if (ram_size < HIGH_MEM_START)
		return load_err(err, errlen,
				"a multiboot kernel needs more than 1 MiB of RAM");

	ret = check_and_copy(ram, ram_size, img, &plan, bs, err, errlen);
	if (ret)
		return ret;
	ret = build_boot_info(ram, ram_size, cmdline, bs, err, errlen);
	if (ret)
		return ret;

	bs->kind = BOOT_MULTIBOOT;
	bs->entry = plan.entry;
	snprintf(bs->desc, sizeof(bs->desc),
		 "multiboot %s kernel at [0x%llx, 0x%llx), entry 0x%x",
		 plan.format, (unsigned long long)bs->load_start,
		 (unsigned long long)bs->load_end, bs->entry);
	return 0;
}

static int load_raw(uint8_t *ram, uint64_t ram_size, const uint8_t *img,
		    size_t size, struct boot_state *bs, char *err,
		    size_t errlen)
{
	if (!size)
		return load_err(err, errlen, "empty image");
	if (size > ram_size || RAW_LOAD_ADDR > ram_size - size)
		return load_err(err, errlen,
				"raw image of %zu bytes does not fit at 0x%x",
				size, RAW_LOAD_ADDR);

	memcpy(ram + RAW_LOAD_ADDR, img, size);
	bs->kind = BOOT_RAW;
	bs->cs = 0;
	bs->ip = RAW_LOAD_ADDR;
	bs->sp = RAW_LOAD_ADDR;
	bs->dl = 0x80;
	bs->load_start = RAW_LOAD_ADDR;
	bs->load_end = RAW_LOAD_ADDR + size;
	snprintf(bs->desc, sizeof(bs->desc),
		 "raw image of %zu bytes at 0x%x, real mode", size,
		 RAW_LOAD_ADDR);
	if (size < 512 || img[510] != 0x55 || img[511] != 0xaa)
		snprintf(bs->warning, sizeof(bs->warning),
			 "no 0x55 0xaa boot signature at offset 510; booting it anyway");
	return 0;
}

/*
 * Loads @img into @ram.  Returns 0 and fills @bs, or -errno with a
 * one-line reason in @err.
 */
int loader_load(uint8_t *ram, uint64_t ram_size, const uint8_t *img,
		size_t img_size, const char *cmdline, struct boot_state *bs,
		char *err, size_t errlen)
{
	struct multiboot_header h;
	size_t hoff;

	memset(bs, 0, sizeof(*bs));
	if (multiboot_find_header(img, img_size, &h, &hoff))
		return load_multiboot(ram, ram_size, img, img_size, &h, hoff,
				      cmdline ? cmdline : "", bs, err, errlen);
	return load_raw(ram, ram_size, img, img_size, bs, err, errlen);
}
