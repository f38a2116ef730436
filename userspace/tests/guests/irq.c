// SPDX-License-Identifier: GPL-2.0
/*
 * irq.elf: an interrupt from COM1 through the I/O APIC to the local
 * APIC.  It enables its xAPIC, reads the I/O APIC's version, routes pin 4
 * edge-triggered to vector 0x24 and its own APIC ID, enables the UART's
 * receive interrupt (IER.RDI, MCR.OUT2) and halts with interrupts on
 * until it comes.  Then it routes pin 4 level-triggered to vector 0x25
 * and takes two more, one byte each: after the first EOI the I/O APIC
 * sends again while the line is up.  Needs 3 bytes of input; powers off,
 * or writes 0x33 to isa-debug-exit if its APIC timer (one-shot, about
 * 30 s at Hyper-V's 200 MHz APIC clock) fired first, 0x34 if the edge
 * came twice.
 */
#include <stdint.h>

#include "../../guests/guest.h"
#include "../../guests/apic.h"

#define VEC_TIMER	0x30
#define IOAPIC		0xfec00000u
#define IOAPIC_WIN	0x10
#define COM1_PIN	4
#define VEC_EDGE	0x24
#define VEC_LEVEL	0x25
#define WATCHDOG_COUNT	50000000u	/* at 200 MHz / 128 */

static struct idt_gate idt[256];
static volatile unsigned int edge_count, level_count;
static volatile char got[4];

static inline uint32_t mmio_read(uint32_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write(uint32_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static uint32_t ioapic_read(uint8_t reg)
{
	mmio_write(IOAPIC, reg);
	return mmio_read(IOAPIC + IOAPIC_WIN);
}

static void ioapic_write(uint8_t reg, uint32_t v)
{
	mmio_write(IOAPIC, reg);
	mmio_write(IOAPIC + IOAPIC_WIN, v);
}

__attribute__((interrupt))
static void edge_isr(struct irq_frame *f)
{
	(void)f;
	/*
	 * Receive interrupts off before RBR is read: the next byte may
	 * come the moment RBR empties, and its rising edge would queue a
	 * second edge interrupt that takes the level part's byte.
	 */
	outb(COM1 + 1, 0x00);		/* IER: drops the line */
	inb(COM1 + 2);			/* IIR */
	got[0] = inb(COM1);		/* RBR */
	edge_count++;
	lapic_eoi();
}

__attribute__((interrupt))
static void level_isr(struct irq_frame *f)
{
	(void)f;
	if (level_count < 2)
		got[1 + level_count] = inb(COM1);
	level_count++;
	lapic_eoi();
}

void guest_main(uint32_t magic, const struct mb_info *mbi)
{
	uint32_t id;

	(void)magic;
	(void)mbi;
	uart_init();
	set_gate(idt, VEC_EDGE, edge_isr);
	set_gate(idt, VEC_LEVEL, level_isr);
	set_gate(idt, VEC_TIMER, watchdog_isr);
	load_idt(idt);

	puts("irq: I/O APIC version ");
	puthex(ioapic_read(1), 8);
	puts("\n");
	lapic_write(LAPIC_SVR, 0x1ff);	/* enabled, spurious 0xff */
	id = lapic_read(LAPIC_ID) >> 24;
	puts("irq: local APIC ID ");
	putdec(id);
	puts("\n");
	lapic_write(LAPIC_TIMER_DCR, 0xa);	/* divide by 128 */
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);	/* one-shot */
	lapic_write(LAPIC_TIMER_ICR, WATCHDOG_COUNT);

	ioapic_write(0x11 + 2 * COM1_PIN, id << 24);
	ioapic_write(0x10 + 2 * COM1_PIN, VEC_EDGE);	/* edge, unmasked */
	outb(COM1 + 4, 0x0b);			/* MCR: DTR, RTS, OUT2 */
	outb(COM1 + 1, 0x01);			/* IER: received data */
	puts("irq: waiting for an edge-triggered receive interrupt\n");
	if (wait_or_watchdog(&edge_count, 1)) {
		puts("irq: no interrupt came\n");
		outb(DEBUG_EXIT, 0x33);
	}
	if (edge_count != 1) {
		puts("irq: more than one edge interrupt\n");
		outb(DEBUG_EXIT, 0x34);
	}
	puts("irq: edge interrupt, vector 0x24, byte '");
	putc(got[0]);
	puts("'\n");

	ioapic_write(0x10 + 2 * COM1_PIN, 0x8000 | VEC_LEVEL);
	outb(COM1 + 1, 0x01);
	if (wait_or_watchdog(&level_count, 2)) {
		puts("irq: no level-triggered interrupt came\n");
		outb(DEBUG_EXIT, 0x33);
	}
	puts("irq: level interrupts, vector 0x25, bytes '");
	putc(got[1]);
	putc(got[2]);
	puts("', Remote IRR ");
	puts(ioapic_read(0x10 + 2 * COM1_PIN) & 0x4000 ? "set\n" : "clear\n");
	outb(COM1 + 1, 0x00);
	shutdown();
}
