/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: image loaders.  They only write guest RAM and describe the VP
 * state the image wants; the worker sets that state.
 */
#ifndef HVCTL_LOADER_H
#define HVCTL_LOADER_H

#include <stddef.h>
#include <stdint.h>

/* Multiboot v1 */
#define MULTIBOOT_HEADER_MAGIC		0x1badb002
#define MULTIBOOT_BOOTLOADER_MAGIC	0x2badb002
#define MULTIBOOT_SEARCH		8192

/* Header flags: 0-15 are required features, 16-31 optional ones. */
#define MULTIBOOT_PAGE_ALIGN		(1u << 0)
#define MULTIBOOT_MEMORY_INFO		(1u << 1)
#define MULTIBOOT_VIDEO_MODE		(1u << 2)
#define MULTIBOOT_AOUT_KLUDGE		(1u << 16)
#define MULTIBOOT_REQUIRED_MASK		0x0000ffffu

/* Info flags */
#define MULTIBOOT_INFO_MEMORY		(1u << 0)
#define MULTIBOOT_INFO_CMDLINE		(1u << 2)
#define MULTIBOOT_INFO_MODS		(1u << 3)
#define MULTIBOOT_INFO_MEM_MAP		(1u << 6)
#define MULTIBOOT_INFO_BOOT_LOADER_NAME	(1u << 9)

#define MULTIBOOT_MEMORY_AVAILABLE	1
#define MULTIBOOT_MEMORY_RESERVED	2

/**
 * struct multiboot_header - the header a Multiboot v1 kernel carries
 * @magic: MULTIBOOT_HEADER_MAGIC
 * @flags: MULTIBOOT_* feature flags
 * @checksum: magic + flags + checksum == 0
 * @header_addr: (a.out kludge) physical address of @magic
 * @load_addr: physical address the text segment loads at
 * @load_end_addr: end of the data to load; 0 for the whole file
 * @bss_end_addr: end of the area zeroed after it; 0 for none
 * @entry_addr: entry point
 */
struct multiboot_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum;
	uint32_t header_addr;
	uint32_t load_addr;
	uint32_t load_end_addr;
	uint32_t bss_end_addr;
	uint32_t entry_addr;
};

/* The Multiboot v1 information structure, up to the framebuffer fields. */
struct multiboot_info {
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
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch;
	uint32_t framebuffer_width;
	uint32_t framebuffer_height;
	uint8_t framebuffer_bpp;
	uint8_t framebuffer_type;
	uint8_t color_info[6];
} __attribute__((packed));

/* One memory map entry; @size counts the bytes after itself (20). */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

/* One entry of the module list at mods_addr. */
struct multiboot_mod_list {
	uint32_t mod_start;
	uint32_t mod_end;
	uint32_t cmdline;
	uint32_t pad;
};

#define LOW_MEM_END		0x9fc00	/* 639 KiB, then the EBDA */
#define HIGH_MEM_START		0x100000

#define RAW_LOAD_ADDR		0x7c00

#define LOADER_PAGE_SIZE	0x1000ull
/* Most modules a kernel gets; longest command line, its or a module's */
#define MULTIBOOT_MAX_MODULES	32
#define MULTIBOOT_CMDLINE_MAX	0x8000

/**
 * struct boot_module - a Multiboot module to load with the kernel
 * @data: its contents
 * @size: bytes at @data
 * @cmdline: its command line (QEMU's: the file name and its arguments)
 * @start: out: where it was loaded (page-aligned)
 * @end: out: the end of it, exclusive (mod_end)
 */
struct boot_module {
	const uint8_t *data;
	size_t size;
	const char *cmdline;
	uint32_t start;
	uint32_t end;
};

enum boot_kind {
	BOOT_RAW,
	BOOT_MULTIBOOT,
};

/**
 * struct boot_state - how to start the loaded image
 * @kind: which loader took it
 * @entry: (Multiboot) EIP in 32-bit flat protected mode
 * @mbi_addr: (Multiboot) info structure address, for EBX; the GDT,
 *	memory map, module list and strings share its pages
 * @info_start: (Multiboot) first byte of those pages
 * @info_end: (Multiboot) their end (exclusive)
 * @gdt_base: (Multiboot) GDTR base
 * @gdt_limit: (Multiboot) GDTR limit
 * @cs: (raw) real-mode CS
 * @ip: (raw) real-mode IP
 * @sp: (raw) SP, with SS 0
 * @dl: (raw) BIOS drive number
 * @load_start: lowest guest-physical byte written from the image
 * @load_end: end of the highest (exclusive)
 * @desc: what was loaded, for --verbose
 * @warning: a non-fatal problem, or empty
 */
struct boot_state {
	enum boot_kind kind;
	uint32_t entry;
	uint32_t mbi_addr;
	uint64_t info_start;
	uint64_t info_end;
	uint32_t gdt_base;
	uint16_t gdt_limit;
	uint16_t cs;
	uint16_t ip;
	uint16_t sp;
	uint8_t dl;
	uint64_t load_start;
	uint64_t load_end;
	char desc[128];
	char warning[128];
};

int multiboot_find_header(const uint8_t *img, size_t size,
			  struct multiboot_header *hdr, size_t *offset);
int loader_load(uint8_t *ram, uint64_t ram_size, const uint8_t *img,
		size_t img_size, const char *cmdline, struct boot_module *mods,
		unsigned int nr_mods, struct boot_state *bs, char *err,
		size_t errlen);

#endif /* HVCTL_LOADER_H */
