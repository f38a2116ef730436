/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the sample guests share: port I/O, CPUID, MSRs, the Multiboot
 * information, fw_cfg, and printing on COM1 by polling.  Freestanding, and the
 * same in 32-bit (hello.elf) and 64-bit (hvinfo.elf) code: nothing here
 * divides a 64-bit number, which i686 code would need libgcc for.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>

#define MB_BOOTLOADER_MAGIC	0x2badb002
#define MB_INFO_MEMORY		(1u << 0)
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MEM_MAP		(1u << 6)
#define MB_INFO_LOADER_NAME	(1u << 9)

/* The Multiboot v1 information structure, as far as the guests read it. */
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

#define COM1		0x3f8
#define DEBUG_EXIT	0xf4	/* isa-debug-exit: V ends hvctl, status V*2+1 */
#define SHUTDOWN_PORT	0x8900
#define FW_CFG_SEL	0x510
#define FW_CFG_DATA	0x511
#define FW_CFG_NB_CPUS	0x05	/* u16: the partition's VP count */

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
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

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr"
		     : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Reads @n bytes (at most 8) of fw_cfg item @key, little-endian. */
static inline uint64_t fw_cfg(uint16_t key, unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	outw(FW_CFG_SEL, key);
	for (i = 0; i < n; i++)
		v |= (uint64_t)inb(FW_CFG_DATA) << (8 * i);
	return v;
}

static inline void uart_init(void)
{
	outb(COM1 + 1, 0x00);	/* IER: no interrupts */
	outb(COM1 + 3, 0x80);	/* LCR: DLAB */
	outb(COM1 + 0, 0x01);	/* DLL: 115200 baud */
	outb(COM1 + 1, 0x00);	/* DLM */
	outb(COM1 + 3, 0x03);	/* LCR: 8N1 */
	outb(COM1 + 2, 0x07);	/* FCR: enable and clear the FIFOs */
	outb(COM1 + 4, 0x03);	/* MCR: DTR, RTS */
}

static inline void putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))	/* LSR.THRE */
		;
	outb(COM1, c);
}

static inline void puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			putc('\r');
		putc(*s);
	}
}

/* Decimal; unsigned long is what the guest's own CPU divides. */
static inline void putdec(unsigned long v)
{
	char buf[21];
	int i = sizeof(buf) - 1;

	buf[i] = '\0';
	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	puts(&buf[i]);
}

static inline void puthex(uint64_t v, int digits)
{
	puts("0x");
	while (digits--)
		putc("0123456789abcdef"[(v >> (digits * 4)) & 0xf]);
}

/* Is @s, @n characters long, the string @word? */
static inline int word_is(const char *s, unsigned int n, const char *word)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (s[i] != word[i])
			return 0;
	return !word[n];
}

/* Is @word one of the blank-separated words of @s (a command line)? */
static inline int has_word(const char *s, const char *word)
{
	unsigned int n;

	while (*s) {
		while (*s == ' ')
			s++;
		for (n = 0; s[n] && s[n] != ' '; n++)
			;
		if (n && word_is(s, n, word))
			return 1;
		s += n;
	}
	return 0;
}

/* Powers off through the Bochs/QEMU port that hvctl emulates. */
static inline void shutdown(void)
{
	const char *s = "Shutdown";

	while (*s)
		outb(SHUTDOWN_PORT, *s++);
}

#endif /* GUEST_H */
