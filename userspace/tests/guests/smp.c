// SPDX-License-Identifier: GPL-2.0
/*
 * smp.elf: the BSP wakes every AP with INIT-SIPI-SIPI through its xAPIC's
 * ICR (0xfee00310, then 0xfee00300: all excluding self), and each AP
 * counts itself in (smp_tramp.S).  It learns the CPU count from fw_cfg,
 * prints how many APs came, and powers off; with "halt" on its command
 * line it halts with interrupts off instead, like the APs, so that the
 * run ends because every VP halted.  isa-debug-exit 0x33 if APs are
 * missing after a long wait.
 */
#include <stdint.h>

#include "../../guests/guest.h"
#include "smp.h"

#define LAPIC		0xfee00000u
#define LAPIC_SVR	0x0f0
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define ICR_INIT	0x00000500u
#define ICR_STARTUP	0x00000600u
#define ICR_ASSERT	0x00004000u
#define ICR_PENDING	0x00001000u
#define ICR_ALL_BUT_ME	0x000c0000u
#define TRAMP_BASE	0x8000
#define FW_CFG_SEL	0x510
#define FW_CFG_DATA	0x511
#define DEBUG_EXIT	0xf4
#define WAIT_LOOPS	20000000u

volatile uint32_t ap_count;

/*
 * The local APIC's registers, with MOV r/m32 forms (89, 8B) and a base
 * register: hvpart's own MMIO decoder takes no other, where hvctl's
 * (the I/O APIC's) also takes the moffs forms (A1, A3) gcc emits for
 * plain accesses to a constant address.
 */
static inline void lapic_write(uint32_t reg, uint32_t v)
{
	asm volatile("movl %1, (%0)" : : "r"(LAPIC + reg), "r"(v) : "memory");
}

static inline uint32_t lapic_read(uint32_t reg)
{
	uint32_t v;

	asm volatile("movl (%1), %0" : "=r"(v) : "r"(LAPIC + reg) : "memory");
	return v;
}

static unsigned int fw_cfg_cpus(void)
{
	asm volatile("outw %0, %1" : : "a"((uint16_t)5), "Nd"(FW_CFG_SEL));
	return inb(FW_CFG_DATA) | inb(FW_CFG_DATA) << 8;
}

static void send_ipi(uint32_t icr)
{
	unsigned int i;

	lapic_write(LAPIC_ICR_HI, 0);
	lapic_write(LAPIC_ICR_LO, icr);
	for (i = 0; i < 1000000 &&
	     (lapic_read(LAPIC_ICR_LO) & ICR_PENDING); i++)
		asm volatile("pause");
}

static void delay(unsigned int n)
{
	while (n--)
		asm volatile("pause");
}

static int has_word(const char *s, const char *w)
{
	const char *p, *q;

	for (; *s; s++) {
		for (p = s, q = w; *q && *p == *q; p++, q++)
			;
		if (!*q)
			return 1;
	}
	return 0;
}

void guest_main(uint32_t magic, const struct mb_info *mbi)
{
	unsigned int cpus, i;
	char *dst = (char *)TRAMP_BASE;

	(void)magic;
	uart_init();
	cpus = fw_cfg_cpus();
	puts("smp: fw_cfg says ");
	putdec(cpus);
	puts(" CPUs\n");
	for (i = 0; i < (unsigned int)(tramp_end - tramp_start); i++)
		dst[i] = tramp_start[i];

	lapic_write(LAPIC_SVR, 0x1ff);
	send_ipi(ICR_ALL_BUT_ME | ICR_ASSERT | ICR_INIT);
	delay(100000);
	send_ipi(ICR_ALL_BUT_ME | ICR_ASSERT | ICR_STARTUP |
		 (TRAMP_BASE >> 12));
	delay(10000);
	send_ipi(ICR_ALL_BUT_ME | ICR_ASSERT | ICR_STARTUP |
		 (TRAMP_BASE >> 12));

	for (i = 0; i < WAIT_LOOPS && ap_count < cpus - 1; i++)
		asm volatile("pause");
	puts("smp: ");
	putdec(ap_count);
	puts(" APs checked in\n");
	if (ap_count != cpus - 1)
		outb(DEBUG_EXIT, 0x33);
	if ((mbi->flags & MB_INFO_CMDLINE) &&
	    has_word((const char *)mbi->cmdline, "halt")) {
		puts("smp: the BSP halts too\n");
		for (;;)
			asm volatile("cli; hlt");
	}
	shutdown();
}
