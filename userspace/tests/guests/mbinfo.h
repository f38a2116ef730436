/* SPDX-License-Identifier: GPL-2.0 */
/* mbinfo.elf and mblow.elf: what mb.ld defines for them. */
#ifndef MBINFO_H
#define MBINFO_H

/* The first byte of the image, and the end of its bss */
extern char image_start[], image_end[];

#endif /* MBINFO_H */
