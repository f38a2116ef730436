// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: image loaders.
 *
 * A Multiboot v1 kernel (ELF32, ELF64 with a 32-bit entry, or the a.out
 * kludge) is loaded at its physical addresses and entered the way the
 * Multiboot specification says; a Linux bzImage is entered at its 64-bit
 * entry as the Linux/x86 boot protocol says (load_linux()); a boot sector
 * (0x55 0xaa at offset 510) is loaded at 0x7c00 and run in real mode, as
 * is any file with --raw.  Anything else is refused, saying what it
 * looks like.  As QEMU does, the modules follow the kernel, page-aligned,
 * then the boot information (GDT, info structure, memory map, module
 * list, strings); whatever does not fit there goes to the lowest free
 * pages, so a kernel may load anywhere in RAM, even below 64 KiB.
 * Everything here works on a plain buffer standing for guest RAM, so it
 * is tested on the host.
 */
#include <assert.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "le.h"
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

static uint64_t page_up(uint64_t a)
{
	return (a + LOADER_PAGE_SIZE - 1) & ~(LOADER_PAGE_SIZE - 1);
}

/**
 * struct mem_layout - what the Multiboot loader has placed in guest RAM
 * @limit: end of what it may use: RAM, and below 4 GiB (32-bit addresses)
 * @hint: where it looks first: the page after the kernel's highest byte
 * @nr_used: entries in @used
 * @used: [start, end) ranges taken by the kernel, modules and boot info
 */
struct mem_layout {
	uint64_t limit;
	uint64_t hint;
	unsigned int nr_used;
	struct {
		uint64_t start, end;
	} used[MAX_LOAD_SEGS + MULTIBOOT_MAX_MODULES + 1];
};

static bool layout_free(const struct mem_layout *l, uint64_t a, uint64_t len)
{
	unsigned int i;

	if (a < LOADER_PAGE_SIZE || a > l->limit || len > l->limit - a)
		return false;
	/* Not page 0, and not the hole the memory map reports reserved. */
	if (overlaps(a, len ? len : 1, LOW_MEM_END,
		     HIGH_MEM_START - LOW_MEM_END))
		return false;
	for (i = 0; i < l->nr_used; i++)
		if (overlaps(a, len ? len : 1, l->used[i].start,
			     l->used[i].end - l->used[i].start))
			return false;
	return true;
}

/*
 * Finds @len bytes of free RAM, page-aligned: after the kernel if they
 * fit there, as QEMU places them, else the lowest free place (after
 * page 0, after the hole, or after anything placed).  Marks them used.
 */
static int layout_alloc(struct mem_layout *l, uint64_t len, uint64_t *addr)
{
	uint64_t best = UINT64_MAX, c;
	unsigned int i;

	if (layout_free(l, l->hint, len)) {
		best = l->hint;
	} else {
		if (layout_free(l, LOADER_PAGE_SIZE, len))
			best = LOADER_PAGE_SIZE;
		else if (layout_free(l, HIGH_MEM_START, len))
			best = HIGH_MEM_START;
		for (i = 0; i < l->nr_used; i++) {
			c = page_up(l->used[i].end);
			if (c < best && layout_free(l, c, len))
				best = c;
		}
	}
	if (best == UINT64_MAX)
		return -ENOSPC;
	l->used[l->nr_used].start = best;
	l->used[l->nr_used].end = best + len;
	l->nr_used++;
	if (best == l->hint)	/* the next one follows this one */
		l->hint = page_up(best + len + !len);
	*addr = best;
	return 0;
}

static int check_and_copy(uint8_t *ram, uint64_t ram_size,
			  const uint8_t *img, const struct load_plan *plan,
			  struct mem_layout *l, struct boot_state *bs,
			  char *err, size_t errlen)
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
		if (s->paddr < bs->load_start)
			bs->load_start = s->paddr;
		if (s->paddr + s->memsz > bs->load_end)
			bs->load_end = s->paddr + s->memsz;
		l->used[l->nr_used].start = s->paddr;
		l->used[l->nr_used].end = s->paddr + s->memsz;
		l->nr_used++;
	}
	l->hint = page_up(bs->load_end);

	for (i = 0; i < plan->nr_segs; i++) {
		const struct load_seg *s = &plan->segs[i];

		memcpy(ram + s->paddr, img + s->offset, s->filesz);
		memset(ram + s->paddr + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}

/* Loads each module page-aligned where the layout finds room. */
static int load_modules(uint8_t *ram, uint64_t ram_size,
			struct boot_module *mods, unsigned int nr_mods,
			struct mem_layout *l, char *err, size_t errlen)
{
	unsigned int i;
	uint64_t addr;

	if (nr_mods > MULTIBOOT_MAX_MODULES)
		return load_err(err, errlen, "%u modules, at most %d",
				nr_mods, MULTIBOOT_MAX_MODULES);
	for (i = 0; i < nr_mods; i++) {
		struct boot_module *m = &mods[i];

		if (m->size > l->limit || layout_alloc(l, m->size, &addr))
			return load_err(err, errlen,
					"module %u (\"%s\", %zu bytes) does not fit in the free part of %llu MiB of guest RAM",
					i, m->cmdline, m->size,
					(unsigned long long)(ram_size >> 20));
		memcpy(ram + addr, m->data, m->size);
		m->start = addr;
		m->end = addr + m->size;
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

/* The memory map: low RAM, the hole below 1 MiB, the rest. */
static uint32_t build_mmap(uint8_t *p, uint64_t ram_size)
{
	uint8_t *start = p;

	put_mmap(p, 0, LOW_MEM_END, MULTIBOOT_MEMORY_AVAILABLE);
	p += sizeof(struct multiboot_mmap_entry);
	put_mmap(p, LOW_MEM_END, HIGH_MEM_START - LOW_MEM_END,
		 MULTIBOOT_MEMORY_RESERVED);
	p += sizeof(struct multiboot_mmap_entry);
	if (ram_size > HIGH_MEM_START) {
		put_mmap(p, HIGH_MEM_START, ram_size - HIGH_MEM_START,
			 MULTIBOOT_MEMORY_AVAILABLE);
		p += sizeof(struct multiboot_mmap_entry);
	}
	return p - start;
}

/* Offsets in the boot information pages; strings follow the list. */
#define INFO_GDT	0x000
#define INFO_MBI	0x040
#define INFO_MMAP	0x100
#define INFO_MODS	0x180

static int check_cmdline(const char *what, const char *s, char *err,
			 size_t errlen)
{
	size_t len = strlen(s);

	if (len < MULTIBOOT_CMDLINE_MAX)
		return 0;
	return load_err(err, errlen,
			"%s too long (%zu bytes, at most %d)", what, len,
			MULTIBOOT_CMDLINE_MAX - 1);
}

/* Copies @s to @ram at *@at and returns its address; moves *@at past it. */
static uint32_t put_str(uint8_t *ram, uint64_t *at, const char *s)
{
	uint64_t a = *at;
	size_t len = strlen(s) + 1;

	memcpy(ram + a, s, len);
	*at += len;
	return a;
}

/*
 * Builds the GDT, the info structure, the memory map, the module list
 * and the strings in pages of their own that the layout finds.
 */
static int build_boot_info(uint8_t *ram, uint64_t ram_size,
			   const char *cmdline, const struct boot_module *mods,
			   unsigned int nr_mods, struct mem_layout *l,
			   struct boot_state *bs, char *err, size_t errlen)
{
	static const uint64_t gdt[] = {
		0,
		0x00cf9b000000ffffull,	/* 0x08: code, base 0, 4 GiB */
		0x00cf93000000ffffull,	/* 0x10: data, base 0, 4 GiB */
	};
	struct multiboot_mod_list ml;
	struct multiboot_info mbi;
	uint64_t base, at, len, upper_end;
	unsigned int i;
	int ret;

	ret = check_cmdline("command line", cmdline, err, errlen);
	len = INFO_MODS + nr_mods * sizeof(ml) + strlen(cmdline) + 1 +
	      sizeof(MB_BOOT_LOADER_NAME);
	for (i = 0; !ret && i < nr_mods; i++) {
		ret = check_cmdline("module command line", mods[i].cmdline,
				    err, errlen);
		len += strlen(mods[i].cmdline) + 1;
	}
	if (ret)
		return ret;
	len = page_up(len);
	if (layout_alloc(l, len, &base))
		return load_err(err, errlen,
				"no room for %llu bytes of boot information in %llu MiB of guest RAM",
				(unsigned long long)len,
				(unsigned long long)(ram_size >> 20));
	memset(ram + base, 0, len);
	memcpy(ram + base + INFO_GDT, gdt, sizeof(gdt));

	memset(&mbi, 0, sizeof(mbi));
	mbi.flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
		    MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_BOOT_LOADER_NAME;
	mbi.mem_lower = 640;
	/* Up to the first hole above 1 MiB; there is none below 4 GiB. */
	upper_end = ram_size < (1ull << 32) ? ram_size : (1ull << 32);
	mbi.mem_upper = upper_end > HIGH_MEM_START ?
			(upper_end - HIGH_MEM_START) >> 10 : 0;
	mbi.mmap_addr = base + INFO_MMAP;
	mbi.mmap_length = build_mmap(ram + base + INFO_MMAP, ram_size);

	at = base + INFO_MODS + nr_mods * sizeof(ml);
	mbi.boot_loader_name = put_str(ram, &at, MB_BOOT_LOADER_NAME);
	mbi.cmdline = put_str(ram, &at, cmdline);
	if (nr_mods) {
		mbi.flags |= MULTIBOOT_INFO_MODS;
		mbi.mods_count = nr_mods;
		mbi.mods_addr = base + INFO_MODS;
	}
	for (i = 0; i < nr_mods; i++) {
		ml.mod_start = mods[i].start;
		ml.mod_end = mods[i].end;
		ml.cmdline = put_str(ram, &at, mods[i].cmdline);
		ml.pad = 0;
		memcpy(ram + base + INFO_MODS + i * sizeof(ml), &ml, sizeof(ml));
	}
	memcpy(ram + base + INFO_MBI, &mbi, sizeof(mbi));

	bs->mbi_addr = base + INFO_MBI;
	bs->info_start = base;
	bs->info_end = base + len;
	bs->gdt_base = base + INFO_GDT;
	bs->gdt_limit = sizeof(gdt) - 1;
	return 0;
}

static int load_multiboot(uint8_t *ram, uint64_t ram_size, const uint8_t *img,
			  size_t size, const struct multiboot_header *h,
			  size_t hoff, const char *cmdline,
			  struct boot_module *mods, unsigned int nr_mods,
			  struct boot_state *bs, char *err, size_t errlen)
{
	struct load_plan plan = { .nr_segs = 0 };
	struct mem_layout l = { .nr_used = 0 };
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

	l.limit = ram_size < (1ull << 32) ? ram_size : (1ull << 32);
	ret = check_and_copy(ram, ram_size, img, &plan, &l, bs, err, errlen);
	if (ret)
		return ret;
	ret = load_modules(ram, ram_size, mods, nr_mods, &l, err, errlen);
	if (ret)
		return ret;
	ret = build_boot_info(ram, ram_size, cmdline, mods, nr_mods, &l, bs,
			      err, errlen);
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
	return 0;
}

/* A Linux boot sector: 0xaa55 at 0x1fe and "HdrS" at 0x202. */
static bool linux_is_bzimage(const uint8_t *img, size_t size)
{
	return size >= LINUX_HDR_MAGIC + 4 &&
	       get16(img + LINUX_HDR_BOOT_FLAG) == LINUX_BOOT_FLAG &&
	       get32(img + LINUX_HDR_MAGIC) == LINUX_HDRS_MAGIC;
}

/*
 * Reads and checks the setup header of the bzImage @img: one that hvctl
 * can enter at its 64-bit entry.  Returns 0, or -EINVAL with the reason
 * in @err.
 */
int linux_parse_header(const uint8_t *img, size_t size,
		       struct linux_header *h, char *err, size_t errlen)
{
	unsigned int sects;

	memset(h, 0, sizeof(*h));
	if (!linux_is_bzimage(img, size))
		return load_err(err, errlen, "no Linux boot header (\"HdrS\" at 0x202)");
	h->version = get16(img + LINUX_HDR_VERSION);
	if (h->version < LINUX_MIN_VERSION)
		return load_err(err, errlen,
				"Linux boot protocol %u.%02u is too old: hvctl enters the 64-bit entry, which needs 2.12 or later",
				h->version >> 8, h->version & 0xff);
	if (size < LINUX_HDR_END_MAX)
		return load_err(err, errlen,
				"truncated Linux kernel: %zu bytes, not even the setup header",
				size);
	h->hdr_end = LINUX_HDR_MAGIC + img[LINUX_HDR_JUMP + 1];
	if (h->hdr_end > LINUX_HDR_END_MAX)
		h->hdr_end = LINUX_HDR_END_MAX;
	h->loadflags = img[LINUX_HDR_LOADFLAGS];
	h->xloadflags = get16(img + LINUX_HDR_XLOADFLAGS);
	if (!(h->loadflags & LINUX_LOADED_HIGH))
		return load_err(err, errlen,
				"a zImage (loaded at 0x10000), not a bzImage: hvctl boots bzImages only");
	if (!(h->xloadflags & LINUX_XLF_KERNEL_64))
		return load_err(err, errlen,
				"a 32-bit-only Linux kernel (no XLF_KERNEL_64 in xloadflags): hvctl boots 64-bit kernels at their 64-bit entry");

	sects = img[LINUX_HDR_SETUP_SECTS] ? img[LINUX_HDR_SETUP_SECTS] : 4;
	h->setup_size = (sects + 1) * 512ull;
	h->kernel_size = get32(img + LINUX_HDR_SYSSIZE) * 16ull;
	if (!h->kernel_size || h->setup_size > size ||
	    h->kernel_size > size - h->setup_size)
		return load_err(err, errlen,
				"truncated Linux kernel: its header says %llu bytes, the file has %zu",
				(unsigned long long)(h->setup_size +
						     h->kernel_size), size);
	h->relocatable = img[LINUX_HDR_RELOCATABLE];
	h->kernel_alignment = get32(img + LINUX_HDR_KERNEL_ALIGNMENT);
	h->pref_address = get64(img + LINUX_HDR_PREF_ADDRESS);
	h->init_size = get32(img + LINUX_HDR_INIT_SIZE);
	h->initrd_addr_max = get32(img + LINUX_HDR_INITRD_ADDR_MAX);
	h->cmdline_size = get32(img + LINUX_HDR_CMDLINE_SIZE);
	if (h->relocatable &&
	    (h->kernel_alignment < LOADER_PAGE_SIZE ||
	     h->kernel_alignment & (h->kernel_alignment - 1)))
		return load_err(err, errlen,
				"bad kernel_alignment 0x%x in the Linux header",
				h->kernel_alignment);
	return 0;
}

/*
 * Where the kernel goes: its pref_address, else for a relocatable one
 * the lowest kernel_alignment multiple from 1 MiB on, if init_size
 * bytes (at least the file's kernel) fit in RAM below @limit there.
 */
static int linux_place(const struct linux_header *h, uint64_t limit,
		       uint64_t *addr, uint64_t *end, char *err,
		       size_t errlen)
{
	uint64_t need = h->init_size > h->kernel_size ? h->init_size :
			h->kernel_size;
	uint64_t pref = h->pref_address ? h->pref_address : HIGH_MEM_START;
	uint64_t a = pref;

	need = page_up(need);
	if (h->relocatable && (pref < HIGH_MEM_START ||
			       pref & (h->kernel_alignment - 1) ||
			       pref > limit || need > limit - pref))
		a = (HIGH_MEM_START + h->kernel_alignment - 1) &
		    ~(uint64_t)(h->kernel_alignment - 1);
	if (a > limit || need > limit - a)
		return load_err(err, errlen,
				"the Linux kernel needs %llu MiB from 0x%llx on (init_size): too big for %llu MiB of guest RAM",
				(unsigned long long)((need + (1 << 20) - 1) >> 20),
				(unsigned long long)a,
				(unsigned long long)(limit >> 20));
	*addr = a;
	*end = a + need;
	return 0;
}

/* The initramfs at the top of RAM that the kernel may reach, page-aligned. */
static int linux_load_initrd(uint8_t *ram, uint64_t limit,
			     const struct linux_header *h, uint64_t kernel_end,
			     const struct loader_opts *o, uint8_t *zp,
			     char *err, size_t errlen)
{
	const struct boot_module *m = o->mods;
	uint64_t top = limit, a;

	if (!o->nr_mods)
		return 0;
	if (o->nr_mods > 1 || strchr(m->cmdline, ' '))
		return load_err(err, errlen,
				"a Linux kernel takes one --initrd FILE, without arguments");
	if ((uint64_t)h->initrd_addr_max + 1 < top)
		top = (uint64_t)h->initrd_addr_max + 1;
	a = top > m->size ? (top - m->size) & ~(LOADER_PAGE_SIZE - 1) : 0;
	if (a < kernel_end || top < m->size)
		return load_err(err, errlen,
				"initramfs \"%s\" (%zu bytes) does not fit between the kernel's end at 0x%llx and 0x%llx",
				m->cmdline, m->size,
				(unsigned long long)kernel_end,
				(unsigned long long)top);
	memcpy(ram + a, m->data, m->size);
	put32(zp + LINUX_HDR_RAMDISK_IMAGE, (uint32_t)a);
	put32(zp + LINUX_HDR_RAMDISK_SIZE, (uint32_t)m->size);
	put32(zp + LINUX_ZP_EXT_RAMDISK_IMAGE, a >> 32);
	put32(zp + LINUX_ZP_EXT_RAMDISK_SIZE, (uint64_t)m->size >> 32);
	o->mods[0].start = a;
	o->mods[0].end = a + m->size;
	return 0;
}

static void linux_put_e820(uint8_t *zp, unsigned int i, uint64_t addr,
			   uint64_t len, uint32_t type)
{
	uint8_t *e = zp + LINUX_ZP_E820_TABLE + i * 20;

	put64(e, addr);
	put64(e + 8, len);
	put32(e + 16, type);
}

/*
 * The memory map: what the Multiboot one says.  RAM below 639 KiB
 * (where the GDT, page tables, zero page and command line sit: Linux
 * copies what it keeps before it uses that RAM), the EBDA and BIOS hole
 * up to 1 MiB reserved, the rest of RAM above it.
 */
static void linux_build_e820(uint8_t *zp, uint64_t ram_size)
{
	unsigned int n = 0;

	linux_put_e820(zp, n++, 0, LOW_MEM_END, LINUX_E820_RAM);
	linux_put_e820(zp, n++, LOW_MEM_END, HIGH_MEM_START - LOW_MEM_END,
		       LINUX_E820_RESERVED);
	if (ram_size > HIGH_MEM_START)
		linux_put_e820(zp, n++, HIGH_MEM_START,
			       ram_size - HIGH_MEM_START, LINUX_E820_RAM);
	zp[LINUX_ZP_E820_ENTRIES] = n;
}

/*
 * The 64-bit entry's environment: a GDT with flat __BOOT_CS (64-bit)
 * and __BOOT_DS, and page tables that identity-map the first 4 GiB
 * with 2 MiB pages, which covers everything loaded.
 */
static void linux_build_tables(uint8_t *ram, struct boot_state *bs)
{
	static const uint64_t gdt[] = {
		0,
		0,
		0x00af9b000000ffffull,	/* 0x10: code, 64-bit, base 0 */
		0x00cf93000000ffffull,	/* 0x18: data, base 0, 4 GiB */
	};
	uint64_t pdpt = LINUX_PML4_ADDR + LOADER_PAGE_SIZE;
	uint64_t pd = pdpt + LOADER_PAGE_SIZE;
	unsigned int i;

	memset(ram + LINUX_GDT_ADDR, 0, LINUX_PT_END - LINUX_GDT_ADDR);
	memcpy(ram + LINUX_GDT_ADDR, gdt, sizeof(gdt));
	/* present, writable; PS in the PD entries */
	put64(ram + LINUX_PML4_ADDR, pdpt | 0x3);
	for (i = 0; i < 4; i++)
		put64(ram + pdpt + i * 8, (pd + i * LOADER_PAGE_SIZE) | 0x3);
	for (i = 0; i < 4 * 512; i++)
		put64(ram + pd + i * 8, ((uint64_t)i << 21) | 0x83);
	bs->gdt_base = LINUX_GDT_ADDR;
	bs->gdt_limit = sizeof(gdt) - 1;
	bs->cr3 = LINUX_PML4_ADDR;
}

/*
 * Boots a bzImage by the 64-bit boot protocol: the protected-mode
 * kernel at its load address, the zero page with the image's setup
 * header, the memory map, the command line and the initramfs, and the
 * VP in long mode at the 64-bit entry with RSI = the zero page.
 */
static int load_linux(uint8_t *ram, uint64_t ram_size, const uint8_t *img,
		      size_t size, const struct loader_opts *o,
		      struct boot_state *bs, char *err, size_t errlen)
{
	uint64_t limit = ram_size < (1ull << 32) ? ram_size : (1ull << 32);
	const char *cmdline = o->cmdline ? o->cmdline : "";
	size_t cmdlen = strlen(cmdline);
	uint64_t addr = 0, end = 0, max_cmd;
	struct linux_header h;
	uint8_t *zp;
	int ret;

	ret = linux_parse_header(img, size, &h, err, errlen);
	if (ret)
		return ret;
	max_cmd = h.cmdline_size < LINUX_CMDLINE_MAX - 1 ? h.cmdline_size :
		  LINUX_CMDLINE_MAX - 1;
	if (cmdlen > max_cmd)
		return load_err(err, errlen,
				"command line too long (%zu bytes, this kernel takes %llu)",
				cmdlen, (unsigned long long)max_cmd);
	ret = linux_place(&h, limit, &addr, &end, err, errlen);
	if (ret)
		return ret;

	zp = ram + LINUX_ZERO_PAGE_ADDR;
	memset(zp, 0, LOADER_PAGE_SIZE);
	memcpy(zp + LINUX_HDR_SETUP_SECTS, img + LINUX_HDR_SETUP_SECTS,
	       h.hdr_end - LINUX_HDR_SETUP_SECTS);
	ret = linux_load_initrd(ram, limit, &h, end, o, zp, err, errlen);
	if (ret)
		return ret;
	memcpy(ram + addr, img + h.setup_size, h.kernel_size);
	zp[LINUX_HDR_TYPE_OF_LOADER] = LINUX_TYPE_OF_LOADER_UNKNOWN;
	put32(zp + LINUX_HDR_CODE32_START, (uint32_t)addr);
	memcpy(ram + LINUX_CMDLINE_ADDR, cmdline, cmdlen + 1);
	put32(zp + LINUX_HDR_CMD_LINE_PTR, LINUX_CMDLINE_ADDR);
	put32(zp + LINUX_ZP_EXT_CMD_LINE_PTR, 0);
	put64(zp + LINUX_ZP_ACPI_RSDP_ADDR, o->acpi_rsdp);
	linux_build_e820(zp, ram_size);
	linux_build_tables(ram, bs);

	bs->kind = BOOT_LINUX64;
	bs->entry64 = addr + LINUX_ENTRY64_OFFSET;
	bs->zero_page = LINUX_ZERO_PAGE_ADDR;
	bs->load_start = addr;
	bs->load_end = addr + h.kernel_size;
	snprintf(bs->desc, sizeof(bs->desc),
		 "Linux bzImage, boot protocol %u.%02u, kernel at 0x%llx (init_size %u MiB), 64-bit entry 0x%llx",
		 h.version >> 8, h.version & 0xff, (unsigned long long)addr,
		 (h.init_size + (1 << 20) - 1) >> 20,
		 (unsigned long long)bs->entry64);
	return 0;
}

static bool looks_like_text(const uint8_t *img, size_t size)
{
	size_t i, n = size < 512 ? size : 512;

	for (i = 0; i < n; i++)
		if (img[i] < 0x20 && img[i] != '\t' && img[i] != '\n' &&
		    img[i] != '\r')
			return false;
	return n > 0;
}

/* Why @img is no image hvctl boots, in @err; -EINVAL. */
static int refuse(const uint8_t *img, size_t size, char *err, size_t errlen)
{
	char what[128];

	if (!size)
		snprintf(what, sizeof(what), "an empty file");
	else if (size >= EI_NIDENT && !memcmp(img, ELFMAG, SELFMAG))
		snprintf(what, sizeof(what),
			 "an ELF%s file without a Multiboot header",
			 img[EI_CLASS] == ELFCLASS64 ? "64" :
			 img[EI_CLASS] == ELFCLASS32 ? "32" : "");
	else if (size >= LINUX_HDR_MAGIC + 4 &&
		 get32(img + LINUX_HDR_MAGIC) == LINUX_HDRS_MAGIC)
		snprintf(what, sizeof(what),
			 "a Linux boot header without the 0xaa55 boot flag");
	else if (looks_like_text(img, size))
		snprintf(what, sizeof(what), "a text file");
	else if (size < 512)
		snprintf(what, sizeof(what),
			 "%zu bytes: shorter than a boot sector", size);
	else
		snprintf(what, sizeof(what),
			 "no Multiboot header, no Linux boot header, no 0x55 0xaa boot signature at offset 510");
	return load_err(err, errlen,
			"not a bootable image: %s (hvctl boots Multiboot kernels, Linux bzImages and boot sectors; --raw runs any file as real-mode code at 0x7c00)",
			what);
}

/* A boot sector: 0x55 0xaa at offset 510, and not an ELF file. */
static bool is_boot_sector(const uint8_t *img, size_t size)
{
	return size >= 512 && img[510] == 0x55 && img[511] == 0xaa &&
	       memcmp(img, ELFMAG, SELFMAG);
}

/*
 * Loads @img as what it is: a Linux bzImage, a Multiboot kernel (with
 * the modules at @o->mods, whose @start and @end are filled), or a boot
 * sector; with @o->raw, as real-mode code whatever it is.  Returns 0
 * and fills @bs, or -errno with a one-line reason in @err.
 */
int loader_boot(uint8_t *ram, uint64_t ram_size, const uint8_t *img,
		size_t img_size, const struct loader_opts *o,
		struct boot_state *bs, char *err, size_t errlen)
{
	struct multiboot_header h;
	size_t hoff;

	memset(bs, 0, sizeof(*bs));
	if (!o->raw && linux_is_bzimage(img, img_size))
		return load_linux(ram, ram_size, img, img_size, o, bs, err,
				  errlen);
	if (!o->raw && multiboot_find_header(img, img_size, &h, &hoff))
		return load_multiboot(ram, ram_size, img, img_size, &h, hoff,
				      o->cmdline ? o->cmdline : "", o->mods,
				      o->nr_mods, bs, err, errlen);
	if (!o->raw && !is_boot_sector(img, img_size))
		return refuse(img, img_size, err, errlen);
	if (o->nr_mods)
		return load_err(err, errlen,
				"modules (--initrd) need a Multiboot or Linux kernel, and this is %s",
				o->raw ? "raw code (--raw)" : "a boot sector");
	return load_raw(ram, ram_size, img, img_size, bs, err, errlen);
}

/* loader_boot() without --raw and without ACPI. */
int loader_load(uint8_t *ram, uint64_t ram_size, const uint8_t *img,
		size_t img_size, const char *cmdline, struct boot_module *mods,
		unsigned int nr_mods, struct boot_state *bs, char *err,
		size_t errlen)
{
	struct loader_opts o = {
		.cmdline = cmdline,
		.mods = mods,
		.nr_mods = nr_mods,
	};

	return loader_boot(ram, ram_size, img, img_size, &o, bs, err, errlen);
}
