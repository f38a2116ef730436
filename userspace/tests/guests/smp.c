// SPDX-License-Identifier: GPL-2.0
/*
 * smp.elf: the BSP wakes every AP with INIT-SIPI-SIPI through its xAPIC's
 * ICR (0xfee00310, then 0xfee00300: all excluding self), and each AP
 * counts itself in (../../guests/ap_tramp.S, then ap_main()).  It learns
 * the CPU count from fw_cfg, prints how many APs came, and powers off;
 * with "halt" on its command line it halts with interrupts off instead,
 * like the APs, so that the run ends because every VP halted.
 * isa-debug-exit 0x33 if APs are missing after a long wait.
 */
#include <stdint.h>

#include "../../guests/guest.h"
#include "../../guests/apic.h"

#define WAIT_LOOPS	20000000u

static volatile uint32_t ap_count;

/* Each AP, in 32-bit mode on a stack of its own: count in, halt for good. */
void ap_main(unsigned int n)
{
	(void)n;
	__atomic_fetch_add(&ap_count, 1, __ATOMIC_SEQ_CST);
	for (;;)
		asm volatile("cli; hlt");
}

void guest_main(uint32_t magic, const struct mb_info *mbi)
{
	unsigned int cpus, i;

	(void)magic;
	uart_init();
	cpus = fw_cfg(FW_CFG_NB_CPUS, 2);
	puts("smp: fw_cfg says ");
	putdec(cpus);
	puts(" CPUs\n");

	lapic_write(LAPIC_SVR, SVR_ENABLE | 0xff);
	start_aps();

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
