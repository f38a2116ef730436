// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the I/O APIC (ioapic.h), after Intel's 82093AA datasheet: the
 * guest selects a register by writing its index to IOREGSEL and reads or
 * writes it through IOWIN.  Version 0x11, 24 pins.
 *
 * Pins: a device drives its pin's line (ioapic_set_irq) as asserted or
 * not; the entry's polarity only says how the guest believes the pin is
 * wired, so it changes nothing here.  An edge-triggered entry sends one
 * interrupt per rising edge and loses the edges that come while it is
 * masked.  A level-triggered entry sends one while the line is asserted,
 * unmasked and Remote IRR is clear, and sets Remote IRR; the guest's EOI
 * of its vector (HVPART_MSG_X64_APIC_EOI, ioapic_eoi) clears it, and a
 * line still asserted then sends again.  SMI, ExtINT and reserved
 * delivery modes, and fixed vectors below 16, send nothing.
 */
#include <string.h>

#include "ioapic.h"
#include "util.h"

static struct ioapic *to_ioapic(struct mmio_device *dev)
{
	return container_of(dev, struct ioapic, dev);
}

/* Sends pin @pin's interrupt as its entry says; true if it went out. */
static bool ioapic_send(struct ioapic *io, unsigned int pin)
{
	uint64_t rte = io->rte[pin];
	struct hvpart_assert_interrupt ai;
	unsigned int mode;

	memset(&ai, 0, sizeof(ai));
	mode = (rte & IOAPIC_RTE_DELMODE) >> IOAPIC_RTE_DELMODE_SHIFT;
	switch (mode) {
	case IOAPIC_DM_FIXED:
	case IOAPIC_DM_LOWEST:
		ai.type = mode == IOAPIC_DM_FIXED ?
			  HVPART_INTERRUPT_TYPE_FIXED :
			  HVPART_INTERRUPT_TYPE_LOWEST_PRIORITY;
		ai.vector = rte & IOAPIC_RTE_VECTOR;
		if (ai.vector < 16)
			goto drop;
		if (rte & IOAPIC_RTE_LEVEL)
			ai.flags |= HVPART_INTERRUPT_LEVEL_TRIGGERED;
		break;
	case IOAPIC_DM_NMI:
		ai.type = HVPART_INTERRUPT_TYPE_NMI;
		break;
	case IOAPIC_DM_INIT:
		ai.type = HVPART_INTERRUPT_TYPE_INIT;
		break;
	default:
		goto drop;
	}
	if (rte & IOAPIC_RTE_LOGICAL)
		ai.flags |= HVPART_INTERRUPT_LOGICAL_DEST;
	ai.destination = rte >> IOAPIC_RTE_DEST_SHIFT;
	if (io->deliver(io, &ai))
		goto drop;
	io->delivered++;
	return true;

drop:
	io->dropped++;
	return false;
}

/* A level-triggered pin: sends if its line is up and nothing holds it. */
static void ioapic_service(struct ioapic *io, unsigned int pin)
{
	uint64_t *rte = &io->rte[pin];

	if (!(*rte & IOAPIC_RTE_LEVEL) || !(io->lines & (1u << pin)) ||
	    (*rte & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR)))
		return;
	if (ioapic_send(io, pin))
		*rte |= IOAPIC_RTE_REMOTE_IRR;
}

void ioapic_set_irq(struct ioapic *io, unsigned int pin, bool level)
{
	uint32_t bit = 1u << pin, old;

	if (pin >= IOAPIC_PINS)
		return;
	old = io->lines & bit;
	if (level)
		io->lines |= bit;
	else
		io->lines &= ~bit;
	if (io->rte[pin] & IOAPIC_RTE_LEVEL)
		ioapic_service(io, pin);
	else if (level && !old && !(io->rte[pin] & IOAPIC_RTE_MASKED))
		ioapic_send(io, pin);
}

void ioapic_eoi(struct ioapic *io, uint32_t vector)
{
	unsigned int pin;

	for (pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t *rte = &io->rte[pin];

		if (!(*rte & IOAPIC_RTE_LEVEL) ||
		    (*rte & IOAPIC_RTE_VECTOR) != vector)
			continue;
		*rte &= ~IOAPIC_RTE_REMOTE_IRR;
		ioapic_service(io, pin);
	}
}

static uint32_t ioapic_reg_read(struct ioapic *io)
{
	unsigned int idx = io->regsel, pin;

	switch (idx) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return io->id << 24;
	case IOAPIC_REG_VERSION:
		return ((IOAPIC_PINS - 1) << 16) | IOAPIC_VERSION;
	}
	if (idx < IOAPIC_REG_REDIR || idx >= IOAPIC_REG_REDIR + 2 * IOAPIC_PINS)
		return 0;
	pin = (idx - IOAPIC_REG_REDIR) / 2;
	return idx & 1 ? io->rte[pin] >> 32 : (uint32_t)io->rte[pin];
}

static void ioapic_reg_write(struct ioapic *io, uint32_t v)
{
	unsigned int idx = io->regsel, pin;
	uint64_t *rte, val;

	if (idx == IOAPIC_REG_ID) {
		io->id = (v >> 24) & 0xf;
		return;
	}
	if (idx < IOAPIC_REG_REDIR || idx >= IOAPIC_REG_REDIR + 2 * IOAPIC_PINS)
		return;		/* read-only or nothing */
	pin = (idx - IOAPIC_REG_REDIR) / 2;
	rte = &io->rte[pin];
	val = idx & 1 ? ((uint64_t)v << 32) | (uint32_t)*rte :
			(*rte & ~0xffffffffull) | v;
	*rte = (*rte & ~IOAPIC_RTE_WRITABLE) | (val & IOAPIC_RTE_WRITABLE);
	if (!(*rte & IOAPIC_RTE_LEVEL))
		*rte &= ~IOAPIC_RTE_REMOTE_IRR;
	/* An unmasked level-triggered pin whose line is up sends now. */
	ioapic_service(io, pin);
}

/* IOREGSEL (offsets 0-3) and IOWIN (0x10-0x13), any width; else 0. */
static uint64_t ioapic_read(struct mmio_device *dev, uint64_t offset,
			    unsigned int size)
{
	struct ioapic *io = to_ioapic(dev);
	uint64_t v;

	if (offset < IOAPIC_REGSEL + 4)
		v = (uint64_t)io->regsel >> (8 * (offset - IOAPIC_REGSEL));
	else if (offset >= IOAPIC_WINDOW && offset < IOAPIC_WINDOW + 4)
		v = ioapic_reg_read(io) >> (8 * (offset - IOAPIC_WINDOW));
	else
		return 0;
	return size >= 4 ? (uint32_t)v : v & ((1u << (8 * size)) - 1);
}

static void ioapic_write(struct mmio_device *dev, uint64_t offset,
			 unsigned int size, uint64_t value)
{
	struct ioapic *io = to_ioapic(dev);
	uint32_t mask, cur;
	unsigned int shift;

	if (offset == IOAPIC_REGSEL) {
		io->regsel = value;
		return;
	}
	if (offset < IOAPIC_WINDOW || offset >= IOAPIC_WINDOW + 4)
		return;
	shift = 8 * (offset - IOAPIC_WINDOW);
	/* A narrow write changes its bytes of the selected register. */
	mask = size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	mask <<= shift;
	cur = ioapic_reg_read(io);
	ioapic_reg_write(io, (cur & ~mask) | (((uint32_t)value << shift) & mask));
}

static const struct mmio_ops ioapic_ops = {
	.read = ioapic_read,
	.write = ioapic_write,
};

/* Every entry starts masked, edge-triggered, fixed, vector 0. */
void ioapic_init(struct ioapic *io, ioapic_deliver_fn deliver)
{
	unsigned int pin;

	memset(io, 0, sizeof(*io));
	io->dev.name = "ioapic";
	io->dev.base = IOAPIC_BASE;
	io->dev.size = IOAPIC_SIZE;
	io->dev.ops = &ioapic_ops;
	io->deliver = deliver;
	for (pin = 0; pin < IOAPIC_PINS; pin++)
		io->rte[pin] = IOAPIC_RTE_MASKED;
}
