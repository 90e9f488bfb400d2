/* SPDX-License-Identifier: MIT */
/* The PC keyboard controller, as far as a monitor needs it: the CPU reset line (how Linux
 * reboots with reboot=k) and a keyboard that can press Ctrl-Alt-Del (how the monitor asks the
 * guest to shut down). */
#ifndef ROVE_VMM_I8042_H
#define ROVE_VMM_I8042_H

#include "device.h"

#include <stdbool.h>
#include <stddef.h>

#define I8042_DATA_PORT    0x60
#define I8042_COMMAND_PORT 0x64
#define I8042_QUEUE_SIZE   16

struct i8042 {
    uint8_t control;     /* the controller command byte */
    uint8_t pending_cmd; /* a command waiting for its data byte on port 0x60, or 0 */
    uint8_t queue[I8042_QUEUE_SIZE];
    size_t head, count;
    uint8_t last_output;
    struct irq_line irq;
    void (*reset)(void *ctx); /* the guest pulsed the CPU reset line */
    void *reset_ctx;
};

/* Two devices: the data port (0x60) and the command/status port (0x64). */
extern const struct device_ops i8042_data_ops;
extern const struct device_ops i8042_command_ops;

void i8042_init(struct i8042 *kbd, struct irq_line irq, void (*reset)(void *ctx), void *reset_ctx);
/* Queues the scan codes of Ctrl-Alt-Del being pressed and released. */
void i8042_press_ctrl_alt_del(struct i8042 *kbd);

#endif
