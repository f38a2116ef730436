/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: memory-mapped devices.  Their GPAs have no RAM, so a guest
 * access ends RUN with an unmapped-GPA intercept; the worker decodes the
 * instruction (insn.h), finds the device on the MMIO bus and completes
 * the access.
 */
#ifndef HVCTL_MMIO_H
#define HVCTL_MMIO_H

#include <stdint.h>

struct mmio_device;

/**
 * struct mmio_ops - one device's handlers
 * @read: returns @size bytes (1, 2, 4 or 8) read at @offset
 * @write: writes the low @size bytes of @value at @offset
 *
 * The bus guarantees that [@offset, @offset + @size) lies in the device.
 */
struct mmio_ops {
	uint64_t (*read)(struct mmio_device *dev, uint64_t offset,
			 unsigned int size);
	void (*write)(struct mmio_device *dev, uint64_t offset,
		      unsigned int size, uint64_t value);
};

/**
 * struct mmio_device - a GPA range claimed by one device
 * @name: for messages
 * @base: its first GPA
 * @size: its length in bytes
 * @ops: the handlers
 */
struct mmio_device {
	const char *name;
	uint64_t base;
	uint64_t size;
	const struct mmio_ops *ops;
};

#define MMIO_BUS_MAX_DEVICES	8

struct mmio_bus {
	struct mmio_device *devs[MMIO_BUS_MAX_DEVICES];
	unsigned int nr_devs;
};

int mmio_bus_add(struct mmio_bus *bus, struct mmio_device *dev);
struct mmio_device *mmio_bus_find(struct mmio_bus *bus, uint64_t gpa);
uint64_t mmio_bus_read(struct mmio_bus *bus, uint64_t gpa, unsigned int size);
void mmio_bus_write(struct mmio_bus *bus, uint64_t gpa, unsigned int size,
		    uint64_t value);

#endif /* HVCTL_MMIO_H */
