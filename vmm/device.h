/* SPDX-License-Identifier: MIT */
/* The one interface every emulated device presents to the vCPUs: reads and writes at an offset
 * inside the device's port or MMIO window, plus an interrupt line the device can drive. */
#ifndef ROVE_VMM_DEVICE_H
#define ROVE_VMM_DEVICE_H

#include <stdint.h>

struct device_ops {
    /* data has len bytes (1, 2, 4 or 8); offset is relative to the device's base. */
    void (*read)(void *dev, uint64_t offset, uint8_t *data, uint32_t len);
    void (*write)(void *dev, uint64_t offset, const uint8_t *data, uint32_t len);
};

struct device {
    const char *name;
    uint64_t base;
    uint64_t size;
    const struct device_ops *ops;
    void *dev;
};

/* An interrupt line: level 1 asserts, 0 deasserts. set may be NULL (no interrupts wired). */
struct irq_line {
    void (*set)(void *ctx, uint32_t irq, int level);
    void *ctx;
    uint32_t irq;
};

static inline void irq_line_set(const struct irq_line *line, int level)
{
    if (line->set)
        line->set(line->ctx, line->irq, level);
}

/* One edge, as virtio-mmio wants for each notification. */
static inline void irq_line_pulse(const struct irq_line *line)
{
    irq_line_set(line, 1);
    irq_line_set(line, 0);
}

#endif
