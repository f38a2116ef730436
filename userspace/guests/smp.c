// SPDX-License-Identifier: GPL-2.0
/*
 * smp.elf: interrupts at work on every CPU of a partition.
 *
 *	hvctl run --vps 4 smp.elf
 *
 * The BSP learns the CPU count from fw_cfg and wakes every AP with
 * INIT-SIPI-SIPI; ap_tramp.S brings each to ap_main() in 32-bit mode.
 * Every CPU enables its local APIC and a periodic APIC timer (every
 * 10 ms) and counts the ticks in its handler, then sleeps in HLT with
 * interrupts on.  The BSP plays ping-pong: at each tick of its own
 * timer it sends each AP in turn a fixed IPI (PING), and the AP's
 * handler answers with one (PONG).  After ROUNDS rounds the BSP prints a
 * line per CPU (its APIC ID, its timer ticks, the IPIs it received) and
 * powers off.
 *
 * Several CPUs print on COM1: a spinlock keeps each line whole.  No
 * interrupt handler prints, so a CPU may take interrupts while it holds
 * the lock.  Each CPU writes only its own counters; the BSP reads them.
 */
#include <stdint.h>

#include "guest.h"
#include "apic.h"

#define VEC_TIMER	0x30
#define VEC_PING	0x40		/* BSP -> AP */
#define VEC_PONG	0x41		/* AP -> BSP */
#define VEC_SPURIOUS	0xff
#define TICK_HZ		100		/* the APIC timer: every 10 ms */
#define ROUNDS		20		/* BSP ticks of ping-pong */
#define TIMEOUT_TICKS	500		/* how long the BSP waits for the APs */

/* One per APIC ID (8 bits in xAPIC mode); written by that CPU only. */
struct cpu {
	volatile uint32_t online;
	volatile uint32_t ticks;	/* timer interrupts */
	volatile uint32_t ipis;		/* PINGs on an AP, PONGs on the BSP */
};

static struct cpu cpus[256];
static struct idt_gate idt[256];
static uint32_t bsp_id;
static volatile uint32_t aps_online;
static volatile uint32_t print_lock;

static void lock(void)
{
	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		while (print_lock)
			asm volatile("pause");
}

static void unlock(void)
{
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

/* Interrupt handlers: a CPU finds its counters by its APIC ID. */
__attribute__((interrupt))
static void timer_isr(struct irq_frame *f)
{
	(void)f;
	cpus[lapic_id()].ticks++;
	lapic_eoi();
}

__attribute__((interrupt))
static void ping_isr(struct irq_frame *f)
{
	(void)f;
	cpus[lapic_id()].ipis++;
	send_ipi(bsp_id, ICR_FIXED | VEC_PONG);	/* APs send only from here */
	lapic_eoi();
}

__attribute__((interrupt))
static void pong_isr(struct irq_frame *f)
{
	(void)f;
	cpus[lapic_id()].ipis++;
	lapic_eoi();
}

/* A spurious interrupt is not in service: no EOI. */
__attribute__((interrupt))
static void spurious_isr(struct irq_frame *f)
{
	(void)f;
}

/*
 * What every CPU does for itself: load the IDT, enable its local APIC,
 * start its periodic timer and turn interrupts on.  Returns its APIC ID.
 */
static uint32_t cpu_init(void)
{
	uint32_t id = lapic_id();

	load_idt(idt);
	cpus[id].online = 1;
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_TIMER_DCR, DCR_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
	lapic_write(LAPIC_TIMER_ICR, APIC_HZ / 16 / TICK_HZ);
	asm volatile("sti");
	return id;
}

void ap_main(unsigned int n)
{
	uint32_t id = cpu_init();

	lock();
	puts("smp: AP ");
	putdec(n);
	puts(" up: APIC ID ");
	putdec(id);
	puts(", timer on\n");
	unlock();
	__atomic_fetch_add(&aps_online, 1, __ATOMIC_SEQ_CST);
	for (;;)
		asm volatile("hlt");	/* sleeps until the next interrupt */
}

/*
 * The BSP sleeps until *@count reaches @want, or its timer ticked
 * @timeout times; 0 if it got there.  Interrupts are off between the
 * test and HLT, and STI delays them by one instruction, so that none
 * comes in between and leaves the BSP asleep.
 */
static int wait_for(volatile uint32_t *count, uint32_t want,
		    uint32_t timeout)
{
	uint32_t end = cpus[bsp_id].ticks + timeout;

	asm volatile("cli");
	while (*count < want && (int32_t)(cpus[bsp_id].ticks - end) < 0)
		asm volatile("sti; hlt; cli");
	asm volatile("sti");
	return *count < want;
}

/*
 * At each tick of the BSP's timer, a PING to each AP in turn, and the
 * BSP waits for its PONG before the next: IRR has one bit per vector, so
 * two PONGs that came at once would be one interrupt.
 */
static int ping_pong(void)
{
	uint32_t round, id, pongs = 0, start = cpus[bsp_id].ticks;

	for (round = 1; round <= ROUNDS; round++) {
		wait_for(&cpus[bsp_id].ticks, start + round, TIMEOUT_TICKS);
		for (id = 0; id < 256; id++) {
			if (!cpus[id].online || id == bsp_id)
				continue;
			send_ipi(id, ICR_FIXED | VEC_PING);
			if (wait_for(&cpus[bsp_id].ipis, ++pongs,
				     TIMEOUT_TICKS))
				return -1;
		}
	}
	return 0;
}

static void put_cpus(unsigned long n)
{
	putdec(n);
	puts(n == 1 ? " CPU" : " CPUs");
}

/* @v right-aligned in @width columns */
static void putcol(unsigned long v, int width)
{
	unsigned long t;

	for (t = v / 10; t; t /= 10)
		width--;
	while (--width > 0)
		putc(' ');
	putdec(v);
}

static void print_table(void)
{
	uint32_t id;

	lock();
	puts("smp: APIC ID  timer ticks  IPIs received\n");
	for (id = 0; id < 256; id++) {
		if (!cpus[id].online)
			continue;
		puts("smp: ");
		putcol(id, 7);
		putcol(cpus[id].ticks, 13);
		putcol(cpus[id].ipis, 15);
		puts(id == bsp_id ? " (PONGs: the BSP)\n" : " (PINGs)\n");
	}
	unlock();
}

void guest_main(uint32_t magic, const struct mb_info *mbi)
{
	unsigned int ncpus = fw_cfg(FW_CFG_NB_CPUS, 2);
	int ok = 1;

	(void)magic;
	(void)mbi;
	uart_init();
	set_gate(idt, VEC_TIMER, timer_isr);
	set_gate(idt, VEC_PING, ping_isr);
	set_gate(idt, VEC_PONG, pong_isr);
	set_gate(idt, VEC_SPURIOUS, spurious_isr);
	bsp_id = cpu_init();

	puts("smp: fw_cfg says ");
	put_cpus(ncpus);
	puts("; the BSP has APIC ID ");
	putdec(bsp_id);
	puts(", its timer ticks every 10 ms\n");
	if (ncpus > 1) {
		puts("smp: waking the APs with INIT-SIPI-SIPI\n");
		start_aps();
		if (wait_for(&aps_online, ncpus - 1, TIMEOUT_TICKS)) {
			lock();
			puts("smp: only ");
			putdec(aps_online);
			puts(" APs came up\n");
			unlock();
			ok = 0;
		}
	}

	lock();
	puts("smp: ");
	put_cpus(aps_online + 1);
	puts(" online; IPI ping-pong with every AP at ");
	putdec(ROUNDS);
	puts(" ticks of the BSP\n");
	unlock();
	if (ping_pong()) {
		lock();
		puts("smp: an AP did not answer\n");
		unlock();
		ok = 0;
	}
	print_table();
	if (!ok)
		outb(DEBUG_EXIT, 0x33);
	puts("smp: done, shutting down via port 0x8900\n");
	shutdown();
}
