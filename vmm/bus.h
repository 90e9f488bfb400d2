/* SPDX-License-Identifier: MIT */
/* An address space (port I/O or MMIO) with devices in non-overlapping windows. */
#ifndef ROVE_VMM_BUS_H
#define ROVE_VMM_BUS_H

#include "device.h"

#include <stdbool.h>

#define BUS_MAX_DEVICES 32

struct bus {
    const char *name;
    struct device devices[BUS_MAX_DEVICES];
    int count;
};

/* Returns 0, or -1 if the window overlaps another device or the bus is full. */
int bus_add(struct bus *bus, const struct device *device);
/* Dispatch to the device covering [addr, addr+len). False when no device is there: reads are then
 * filled with 0xff, as on an unconnected bus. */
bool bus_read(struct bus *bus, uint64_t addr, uint8_t *data, uint32_t len);
bool bus_write(struct bus *bus, uint64_t addr, const uint8_t *data, uint32_t len);

#endif
