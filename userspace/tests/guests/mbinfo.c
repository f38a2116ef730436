// SPDX-License-Identifier: GPL-2.0
/*
 * mbinfo.elf and mblow.elf: what a Multiboot kernel learns from hvctl.
 * It prints where it was loaded and whether the boot information lies
 * outside its image, reads fw_cfg (signature, ID, CPU count, RAM size,
 * the file directory's count) and prints it, then prints each module's
 * command line, size and first line.  It powers off through port 0x8900,
 * or writes 0x7f to isa-debug-exit if the boot information overlaps it.
 */
#include <stdint.h>

#include "../../guests/guest.h"
#include "mbinfo.h"

#define MB_INFO_MODS		(1u << 3)

struct mb_mod {
	uint32_t start;
	uint32_t end;
	uint32_t cmdline;
	uint32_t pad;
};

static int inside_image(uint32_t a)
{
	return a >= (uint32_t)image_start && a < (uint32_t)image_end;
}

static void print_fw_cfg(void)
{
	uint32_t sig = fw_cfg(0, 4);
	char s[5];
	int i;

	for (i = 0; i < 4; i++)
		s[i] = sig >> (8 * i);
	s[4] = '\0';
	puts("mbinfo: fw_cfg signature \"");
	puts(s);
	puts("\", id ");
	putdec(fw_cfg(1, 4));
	puts(", cpus ");
	putdec(fw_cfg(5, 2));
	puts(", max cpus ");
	putdec(fw_cfg(0xf, 2));
	puts(", ram ");
	putdec(fw_cfg(3, 8) >> 20);
	puts(" MiB, files ");
	putdec(fw_cfg(0x19, 4));
	puts("\n");
}

static void print_module(unsigned int i, const struct mb_mod *m)
{
	const char *p = (const char *)m->start;

	puts("mbinfo: module ");
	putdec(i);
	puts(" \"");
	puts((const char *)m->cmdline);
	puts("\" ");
	putdec(m->end - m->start);
	puts(" bytes, page-aligned ");
	puts(m->start & 0xfff ? "no" : "yes");
	puts(", first line [");
	for (; p < (const char *)m->end && *p != '\n'; p++)
		putc(*p);
	puts("]\n");
}

void guest_main(uint32_t magic, const struct mb_info *mbi)
{
	const struct mb_mod *mods;
	int bad = 0;
	uint32_t i;

	uart_init();
	puts("mbinfo: loaded at ");
	puthex((uint32_t)image_start, 8);
	puts(magic == MB_BOOTLOADER_MAGIC ? ", magic ok\n" : ", bad magic\n");
	bad |= inside_image((uint32_t)mbi);
	bad |= inside_image(mbi->cmdline) || inside_image(mbi->mmap_addr);
	puts("mbinfo: boot information at ");
	puthex((uint32_t)mbi, 8);
	puts(bad ? ", inside the image\n" : ", outside the image\n");
	puts("mbinfo: command line \"");
	puts((const char *)mbi->cmdline);
	puts("\"\n");
	print_fw_cfg();
	if (mbi->flags & MB_INFO_MODS) {
		mods = (const struct mb_mod *)mbi->mods_addr;
		puts("mbinfo: ");
		putdec(mbi->mods_count);
		puts(" modules\n");
		for (i = 0; i < mbi->mods_count; i++) {
			bad |= inside_image(mods[i].start);
			print_module(i, &mods[i]);
		}
	} else {
		puts("mbinfo: no modules\n");
	}
	if (bad)
		outb(DEBUG_EXIT, 0x7f);
	shutdown();
}
