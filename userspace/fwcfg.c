// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: fw_cfg (fwcfg.h), as QEMU's docs/specs/fw_cfg.rst describes the
 * port interface.  A 16-bit write to the selector port selects an item
 * and rewinds it; each byte read from the data port returns the item's
 * next byte, and 0 past its end or for a key without an item.  Numbers
 * are little-endian, except the file directory's, which are big-endian.
 * The directory is empty: hvctl offers no named files yet.
 *
 * Hostile accesses: a selector write of another size than 2 is ignored
 * (QEMU takes only 16-bit ones); a data write is ignored (there is no
 * writable item); a wider data read returns consecutive bytes, the first
 * in the low byte, as a string read would store them; reading the
 * selector port returns 0.  INS on the data port reads byte by byte
 * through the port bus, like any other port.
 */
#include <string.h>

#include "fwcfg.h"
#include "util.h"

static struct fw_cfg *to_fw_cfg(struct pio_device *dev)
{
	return container_of(dev, struct fw_cfg, dev);
}

static uint8_t fw_cfg_next_byte(struct fw_cfg *fc)
{
	if (!fc->cur || fc->offset >= fc->cur->len)
		return 0;
	return fc->cur->data[fc->offset++];
}

static uint32_t fw_cfg_read(struct pio_device *dev, uint16_t offset,
			    unsigned int size)
{
	struct fw_cfg *fc = to_fw_cfg(dev);
	uint32_t v = 0;
	unsigned int i;

	if (offset != FW_CFG_PORT_DATA - FW_CFG_PORT_SEL)
		return 0;
	for (i = 0; i < size && i < 4; i++)
		v |= (uint32_t)fw_cfg_next_byte(fc) << (8 * i);
	return v;
}

static void fw_cfg_select(struct fw_cfg *fc, uint16_t key)
{
	unsigned int i;

	fc->cur = NULL;
	fc->offset = 0;
	for (i = 0; i < fc->nr_items; i++) {
		if (fc->items[i].key == key) {
			fc->cur = &fc->items[i];
			break;
		}
	}
}

static void fw_cfg_write(struct pio_device *dev, uint16_t offset,
			 unsigned int size, uint32_t value)
{
	if (offset == 0 && size == 2)
		fw_cfg_select(to_fw_cfg(dev), value);
}

static const struct pio_ops fw_cfg_ops = {
	.read = fw_cfg_read,
	.write = fw_cfg_write,
};

static void fw_cfg_add(struct fw_cfg *fc, uint16_t key, uint64_t le,
		       unsigned int len)
{
	struct fw_cfg_item *it = &fc->items[fc->nr_items++];
	unsigned int i;

	it->key = key;
	it->len = len;
	for (i = 0; i < len; i++)
		it->data[i] = le >> (8 * i);
}

/* Offers the machine's signature, RAM size and CPU count. */
void fw_cfg_init(struct fw_cfg *fc, uint64_t ram_size, uint16_t nr_cpus)
{
	memset(fc, 0, sizeof(*fc));
	fc->dev.name = "fw_cfg";
	fc->dev.base = FW_CFG_PORT_SEL;
	fc->dev.nr_ports = FW_CFG_PORTS;
	fc->dev.ops = &fw_cfg_ops;

	fw_cfg_add(fc, FW_CFG_SIGNATURE, 0x554d4551, 4);	/* "QEMU" */
	fw_cfg_add(fc, FW_CFG_ID, FW_CFG_ID_TRADITIONAL, 4);
	fw_cfg_add(fc, FW_CFG_RAM_SIZE, ram_size, 8);
	fw_cfg_add(fc, FW_CFG_NB_CPUS, nr_cpus, 2);
	fw_cfg_add(fc, FW_CFG_MAX_CPUS, nr_cpus, 2);
	/* The file directory: a big-endian count of 0 and no entries. */
	fw_cfg_add(fc, FW_CFG_FILE_DIR, 0, 4);
}
