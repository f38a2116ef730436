/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: an 82093AA-style I/O APIC, as the chipset of Hyper-V's worker
 * process has one: 24 pins, each routed by its redirection entry to the
 * local APICs in hvpart (HVPART_ASSERT_INTERRUPT).  It is memory-mapped
 * at 0xfec00000 and reached through unmapped-GPA intercepts (mmio.c).
 */
#ifndef HVCTL_IOAPIC_H
#define HVCTL_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/hvpart.h>

#include "mmio.h"

#define IOAPIC_BASE		0xfec00000ull
#define IOAPIC_SIZE		0x1000
#define IOAPIC_PINS		24

/* Registers in the MMIO window, and the indirect ones behind IOWIN */
#define IOAPIC_REGSEL		0x00
#define IOAPIC_WINDOW		0x10
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDIR	0x10	/* 0x10 + 2 * pin: low, then high */
#define IOAPIC_VERSION		0x11

/* Redirection entry bits */
#define IOAPIC_RTE_VECTOR	0x00000000000000ffull
#define IOAPIC_RTE_DELMODE	0x0000000000000700ull
#define IOAPIC_RTE_DELMODE_SHIFT	8
#define IOAPIC_RTE_LOGICAL	0x0000000000000800ull
#define IOAPIC_RTE_DELIVS	0x0000000000001000ull	/* read-only */
#define IOAPIC_RTE_POLARITY	0x0000000000002000ull	/* active low */
#define IOAPIC_RTE_REMOTE_IRR	0x0000000000004000ull	/* read-only */
#define IOAPIC_RTE_LEVEL	0x0000000000008000ull
#define IOAPIC_RTE_MASKED	0x0000000000010000ull
#define IOAPIC_RTE_DEST_SHIFT	56
#define IOAPIC_RTE_WRITABLE	(IOAPIC_RTE_VECTOR | IOAPIC_RTE_DELMODE | \
				 IOAPIC_RTE_LOGICAL | IOAPIC_RTE_POLARITY | \
				 IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED | \
				 (0xffull << IOAPIC_RTE_DEST_SHIFT))

/* Delivery modes */
#define IOAPIC_DM_FIXED		0
#define IOAPIC_DM_LOWEST	1
#define IOAPIC_DM_SMI		2
#define IOAPIC_DM_NMI		4
#define IOAPIC_DM_INIT		5
#define IOAPIC_DM_EXTINT	7

struct ioapic;

/* Sends one interrupt to the local APICs; returns 0 or -errno. */
typedef int (*ioapic_deliver_fn)(struct ioapic *io,
				 const struct hvpart_assert_interrupt *ai);

/**
 * struct ioapic - the I/O APIC; the worker's device lock guards it
 * @dev: its MMIO window
 * @id: the ID register's bits 24-27
 * @regsel: IOREGSEL
 * @rte: the redirection entries
 * @lines: the pins' levels as their devices drive them (bit per pin)
 * @deliver: how an interrupt reaches the local APICs
 * @delivered: interrupts sent (statistics)
 * @dropped: interrupts @deliver refused, or entries that cannot deliver
 */
struct ioapic {
	struct mmio_device dev;
	uint32_t id;
	uint8_t regsel;
	uint64_t rte[IOAPIC_PINS];
	uint32_t lines;
	ioapic_deliver_fn deliver;
	uint64_t delivered;
	uint64_t dropped;
};

void ioapic_init(struct ioapic *io, ioapic_deliver_fn deliver);
void ioapic_set_irq(struct ioapic *io, unsigned int pin, bool level);
void ioapic_eoi(struct ioapic *io, uint32_t vector);

#endif /* HVCTL_IOAPIC_H */
