/* SPDX-License-Identifier: MIT */
#include "bus.h"

#include <string.h>

static bool overlaps(const struct device *a, const struct device *b)
{
    return a->base < b->base + b->size && b->base < a->base + a->size;
}

int bus_add(struct bus *bus, const struct device *device)
{
    if (bus->count == BUS_MAX_DEVICES || device->size == 0)
        return -1;
    for (int i = 0; i < bus->count; i++)
        if (overlaps(&bus->devices[i], device))
            return -1;
    bus->devices[bus->count++] = *device;
    return 0;
}

static struct device *find(struct bus *bus, uint64_t addr, uint32_t len)
{
    for (int i = 0; i < bus->count; i++) {
        struct device *d = &bus->devices[i];
        if (addr >= d->base && addr - d->base < d->size && len <= d->size - (addr - d->base))
            return d;
    }
    return NULL;
}

bool bus_read(struct bus *bus, uint64_t addr, uint8_t *data, uint32_t len)
{
    struct device *d = find(bus, addr, len);
    if (!d) {
        memset(data, 0xff, len);
        return false;
    }
    d->ops->read(d->dev, addr - d->base, data, len);
    return true;
}

bool bus_write(struct bus *bus, uint64_t addr, const uint8_t *data, uint32_t len)
{
    struct device *d = find(bus, addr, len);
    if (!d)
        return false;
    d->ops->write(d->dev, addr - d->base, data, len);
    return true;
}
