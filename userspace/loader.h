/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: image loaders.  They only write guest RAM and describe the VP
 * state the image wants; the worker sets that state.
 */
#ifndef HVCTL_LOADER_H
#define HVCTL_LOADER_H

#include <stdbool.h>
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

/*
 * The Linux/x86 boot protocol (Documentation/arch/x86/boot.rst): the
 * setup header sits at 0x1f1 in both the bzImage and the zero page
 * (struct boot_params); these are its offsets from either's start.
 */
#define LINUX_HDR_SETUP_SECTS		0x1f1	/* u8; 0 means 4 */
#define LINUX_HDR_SYSSIZE		0x1f4	/* u32, 16-byte units */
#define LINUX_HDR_BOOT_FLAG		0x1fe	/* u16, 0xaa55 */
#define LINUX_HDR_JUMP			0x200	/* its 2nd byte: header length */
#define LINUX_HDR_MAGIC			0x202	/* u32, "HdrS" */
#define LINUX_HDR_VERSION		0x206	/* u16 */
#define LINUX_HDR_TYPE_OF_LOADER	0x210	/* u8 */
#define LINUX_HDR_LOADFLAGS		0x211	/* u8 */
#define LINUX_HDR_CODE32_START		0x214	/* u32 */
#define LINUX_HDR_RAMDISK_IMAGE		0x218	/* u32 */
#define LINUX_HDR_RAMDISK_SIZE		0x21c	/* u32 */
#define LINUX_HDR_CMD_LINE_PTR		0x228	/* u32 */
#define LINUX_HDR_INITRD_ADDR_MAX	0x22c	/* u32 */
#define LINUX_HDR_KERNEL_ALIGNMENT	0x230	/* u32 */
#define LINUX_HDR_RELOCATABLE		0x234	/* u8 */
#define LINUX_HDR_XLOADFLAGS		0x236	/* u16 */
#define LINUX_HDR_CMDLINE_SIZE		0x238	/* u32 */
#define LINUX_HDR_PREF_ADDRESS		0x258	/* u64 */
#define LINUX_HDR_INIT_SIZE		0x260	/* u32 */
#define LINUX_HDR_END_MAX		0x280	/* past every field up to 2.15 */

/* struct boot_params: the rest of the zero page */
#define LINUX_ZP_ACPI_RSDP_ADDR		0x070	/* u64 */
#define LINUX_ZP_EXT_RAMDISK_IMAGE	0x0c0	/* u32 */
#define LINUX_ZP_EXT_RAMDISK_SIZE	0x0c4	/* u32 */
#define LINUX_ZP_EXT_CMD_LINE_PTR	0x0c8	/* u32 */
#define LINUX_ZP_E820_ENTRIES		0x1e8	/* u8 */
#define LINUX_ZP_E820_TABLE		0x2d0	/* 128 x 20 bytes */

#define LINUX_BOOT_FLAG			0xaa55
#define LINUX_HDRS_MAGIC		0x53726448
/* 2.12 brought xloadflags, so XLF_KERNEL_64: the 64-bit entry */
#define LINUX_MIN_VERSION		0x020c
#define LINUX_LOADED_HIGH		(1u << 0)	/* loadflags */
#define LINUX_XLF_KERNEL_64		(1u << 0)	/* xloadflags */
#define LINUX_TYPE_OF_LOADER_UNKNOWN	0xff
#define LINUX_ENTRY64_OFFSET		0x200
#define LINUX_E820_RAM			1
#define LINUX_E820_RESERVED		2
/* The longest command line hvctl gives Linux, whatever cmdline_size says */
#define LINUX_CMDLINE_MAX		0x10000

/**
 * struct linux_header - what the Linux loader reads from a bzImage
 * @version: boot protocol version, 0x020c for 2.12
 * @setup_size: bytes before the protected-mode kernel: (setup_sects+1)*512
 * @kernel_size: bytes of the protected-mode kernel (syssize * 16)
 * @hdr_end: end of the setup header (0x202 + the byte at 0x201)
 * @loadflags: LINUX_LOADED_HIGH and others
 * @xloadflags: LINUX_XLF_KERNEL_64 and others
 * @relocatable: the kernel may load at any @kernel_alignment multiple
 * @kernel_alignment: what a relocatable kernel's load address is aligned to
 * @pref_address: where it prefers to load (the only place if not relocatable)
 * @init_size: bytes it needs from its load address on to decompress and boot
 * @initrd_addr_max: highest address the initramfs may occupy
 * @cmdline_size: longest command line, without its NUL
 */
struct linux_header {
	uint16_t version;
	uint64_t setup_size;
	uint64_t kernel_size;
	uint32_t hdr_end;
	uint8_t loadflags;
	uint16_t xloadflags;
	uint8_t relocatable;
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
};

/* Where the Linux loader puts what it builds (all below 640 KiB) */
#define LINUX_GDT_ADDR		0x1000
#define LINUX_PML4_ADDR		0x2000	/* then the PDPT, then 4 PDs */
#define LINUX_PT_END		0x8000
#define LINUX_ZERO_PAGE_ADDR	0x8000
#define LINUX_CMDLINE_ADDR	0x20000
#define LINUX_BOOT_CS		0x10	/* __BOOT_CS: GDT entry 2 */
#define LINUX_BOOT_DS		0x18	/* __BOOT_DS: GDT entry 3 */

enum boot_kind {
	BOOT_RAW,
	BOOT_MULTIBOOT,
	BOOT_LINUX64,
};

/**
 * struct loader_opts - what to load besides the image
 * @cmdline: the kernel command line (ARGS joined)
 * @mods: Multiboot modules, or for Linux the one initramfs
 * @nr_mods: entries at @mods
 * @raw: load any image as raw real-mode code at 0x7c00 (--raw)
 * @acpi_rsdp: RSDP address for Linux's zero page (acpi_build()), 0
 *	for none
 */
struct loader_opts {
	const char *cmdline;
	struct boot_module *mods;
	unsigned int nr_mods;
	bool raw;
	uint64_t acpi_rsdp;
};

/**
 * struct boot_state - how to start the loaded image
 * @kind: which loader took it
 * @entry: (Multiboot) EIP in 32-bit flat protected mode
 * @entry64: (Linux) RIP in 64-bit mode: the kernel's 64-bit entry
 * @zero_page: (Linux) the zero page (struct boot_params), for RSI
 * @cr3: (Linux) the identity-mapping page tables
 * @mbi_addr: (Multiboot) info structure address, for EBX; the GDT,
 *	memory map, module list and strings share its pages
 * @info_start: (Multiboot) first byte of those pages
 * @info_end: (Multiboot) their end (exclusive)
 * @gdt_base: (Multiboot, Linux) GDTR base
 * @gdt_limit: (Multiboot, Linux) GDTR limit
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
	uint64_t entry64;
	uint64_t zero_page;
	uint64_t cr3;
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
int linux_parse_header(const uint8_t *img, size_t size,
		       struct linux_header *h, char *err, size_t errlen);
int loader_boot(uint8_t *ram, uint64_t ram_size, const uint8_t *img,
		size_t img_size, const struct loader_opts *o,
		struct boot_state *bs, char *err, size_t errlen);
int loader_load(uint8_t *ram, uint64_t ram_size, const uint8_t *img,
		size_t img_size, const char *cmdline, struct boot_module *mods,
		unsigned int nr_mods, struct boot_state *bs, char *err,
		size_t errlen);

#endif /* HVCTL_LOADER_H */
