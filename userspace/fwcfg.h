/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: QEMU's firmware configuration device (fw_cfg), the traditional
 * port interface: a 16-bit selector written to port 0x510, the selected
 * item's bytes read one by one from port 0x511.  No DMA interface.
 */
#ifndef HVCTL_FWCFG_H
#define HVCTL_FWCFG_H

#include <stdint.h>

#include "devices.h"

#define FW_CFG_PORT_SEL		0x510
#define FW_CFG_PORT_DATA	0x511
#define FW_CFG_PORTS		2

/* Selector keys (QEMU's docs/specs/fw_cfg.rst) */
#define FW_CFG_SIGNATURE	0x00
#define FW_CFG_ID		0x01
#define FW_CFG_RAM_SIZE		0x03
#define FW_CFG_NB_CPUS		0x05
#define FW_CFG_MAX_CPUS		0x0f
#define FW_CFG_FILE_DIR		0x19

#define FW_CFG_ID_TRADITIONAL	0x1	/* FW_CFG_ID: the port interface */

#define FW_CFG_MAX_ITEMS	6

/**
 * struct fw_cfg_item - one selectable blob
 * @key: its selector
 * @len: bytes in @data
 * @data: its contents, in the byte order the guest reads them
 */
struct fw_cfg_item {
	uint16_t key;
	uint8_t len;
	uint8_t data[8];
};

/**
 * struct fw_cfg - the device
 * @dev: ports 0x510 and 0x511
 * @items: what it offers
 * @nr_items: entries in @items
 * @cur: the selected item, or NULL for a key without one (reads 0)
 * @offset: the next byte of @cur that a data read returns
 */
struct fw_cfg {
	struct pio_device dev;
	struct fw_cfg_item items[FW_CFG_MAX_ITEMS];
	unsigned int nr_items;
	const struct fw_cfg_item *cur;
	unsigned int offset;
};

void fw_cfg_init(struct fw_cfg *fc, uint64_t ram_size, uint16_t nr_cpus);

#endif /* HVCTL_FWCFG_H */
