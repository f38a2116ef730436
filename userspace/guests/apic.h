/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the 32-bit guests that take interrupts share: the local APIC
 * through its xAPIC page, IDT gates, and waking the APs with
 * INIT-SIPI-SIPI (ap_tramp.S).  They start in mb_head.S, whose GDT every
 * CPU loads: code is CODE_SEL everywhere.
 */
#ifndef APIC_H
#define APIC_H

#include <stdint.h>

#define LAPIC		0xfee00000u	/* the xAPIC page */
#define LAPIC_ID	0x020		/* bits 31:24 */
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310		/* destination in bits 31:24 */
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_TIMER_ICR	0x380		/* initial count */
#define LAPIC_TIMER_DCR	0x3e0		/* divide configuration */

#define SVR_ENABLE	0x100		/* APIC software enable */
#define LVT_PERIODIC	(1u << 17)
#define DCR_DIV_16	0x3
#define APIC_HZ		200000000u	/* HV_X64_MSR_APIC_FREQUENCY */

#define ICR_FIXED	0x00000000u	/* delivery modes */
#define ICR_INIT	0x00000500u
#define ICR_STARTUP	0x00000600u
#define ICR_PENDING	0x00001000u	/* delivery status */
#define ICR_ASSERT	0x00004000u
#define ICR_ALL_BUT_ME	0x000c0000u	/* destination shorthand */

#define CODE_SEL	0x08		/* mb_head.S's GDT */
#define AP_TRAMP_BASE	0x8000		/* page-aligned, below 1 MiB */

/*
 * The local APIC's registers.  hvpart decodes the instruction of an
 * access to the xAPIC page in the kernel, and knows only the forms that
 * drivers use for a 32-bit register: MOV r/m32 (89, 8B, C7) and MOV
 * between EAX and an absolute address (A1, A3).  Inline assembly with a
 * base register makes sure the compiler emits one of them.
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

static inline uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

static inline void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/*
 * Sends the IPI @icr to the APIC ID @dest (unused with a shorthand) and
 * waits until it is delivered.  ICR is two registers: a CPU must not send
 * from an interrupt handler while its main code may be sending.
 */
static inline void send_ipi(uint32_t dest, uint32_t icr)
{
	unsigned int i;

	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, icr);
	for (i = 0; i < 1000000 &&
	     (lapic_read(LAPIC_ICR_LO) & ICR_PENDING); i++)
		asm volatile("pause");
}

/* An IDT entry: a 32-bit interrupt gate */
struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t zero;
	uint8_t type;
	uint16_t off_hi;
} __attribute__((packed));

/* What an __attribute__((interrupt)) handler gets; never looked into. */
struct irq_frame;

static inline void set_gate(struct idt_gate *idt, unsigned int vec,
			    void (*fn)(struct irq_frame *))
{
	uint32_t a = (uint32_t)fn;

	idt[vec].off_lo = a;
	idt[vec].sel = CODE_SEL;
	idt[vec].zero = 0;
	idt[vec].type = 0x8e;		/* present, 32-bit interrupt gate */
	idt[vec].off_hi = a >> 16;
}

/*
 * A watchdog on the local APIC timer, for guests that wait for
 * interrupts: point the timer's vector at watchdog_isr(), arm it, and
 * wait_or_watchdog() gives up once it fires instead of halting forever.
 */
static volatile unsigned int watchdog_fired __attribute__((unused));

__attribute__((interrupt, unused))
static void watchdog_isr(struct irq_frame *f)
{
	(void)f;
	watchdog_fired = 1;
	lapic_eoi();
}

/*
 * Halts with interrupts on until *@count reaches @want or the watchdog
 * fires; 0 if it got there.
 */
static inline int wait_or_watchdog(volatile unsigned int *count,
				   unsigned int want)
{
	while (*count < want && !watchdog_fired)
		asm volatile("sti; hlt; cli");
	return *count < want;
}

/* LIDT of a table of 256 gates. */
static inline void load_idt(const struct idt_gate *idt)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) d = { 256 * sizeof(*idt) - 1,
					(uint32_t)idt };

	asm volatile("lidt %0" : : "m"(d));
}

/* ap_tramp.S: the AP start-up code that start_aps() copies */
extern char ap_tramp_start[], ap_tramp_end[];

/* The guest's: each AP runs it on a stack of its own, @n from 1. */
void ap_main(unsigned int n);

static inline void spin(unsigned int n)
{
	while (n--)
		asm volatile("pause");
}

/*
 * Wakes every other CPU as the MP specification's start-up algorithm
 * does: INIT, then STARTUP (SIPI) twice at AP_TRAMP_BASE, all excluding
 * self.  The caller's local APIC must be enabled (SVR).  The spins stand
 * for the 10 ms and 200 us that real hardware wants: hvpart needs none.
 */
static inline void start_aps(void)
{
	char *dst = (char *)AP_TRAMP_BASE;
	unsigned int i;

	for (i = 0; i < (unsigned int)(ap_tramp_end - ap_tramp_start); i++)
		dst[i] = ap_tramp_start[i];
	send_ipi(0, ICR_ALL_BUT_ME | ICR_ASSERT | ICR_INIT);
	spin(100000);
	for (i = 0; i < 2; i++) {
		send_ipi(0, ICR_ALL_BUT_ME | ICR_ASSERT | ICR_STARTUP |
			 (AP_TRAMP_BASE >> 12));
		spin(10000);
	}
}

#endif /* APIC_H */
