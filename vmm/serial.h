/* SPDX-License-Identifier: MIT */
/* An 8250/16550A UART (COM1): output goes to up to two file descriptors (log file, terminal),
 * input comes from serial_receive(). */
#ifndef ROVE_VMM_SERIAL_H
#define ROVE_VMM_SERIAL_H

#include "console_log.h"
#include "device.h"

#include <stdbool.h>
#include <stddef.h>

#define SERIAL_PORT_BASE   0x3f8
#define SERIAL_PORT_COUNT  8
#define SERIAL_FIFO_SIZE   64
#define SERIAL_MAX_OUTPUTS 2

struct serial {
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
    bool thr_interrupt_pending;
    uint8_t rx[SERIAL_FIFO_SIZE];
    size_t rx_head, rx_count;
    int out_fds[SERIAL_MAX_OUTPUTS];
    int out_count;
    struct console_log *log; /* or NULL */
    bool wrote_anything;
    struct irq_line irq;
};

extern const struct device_ops serial_ops;

void serial_init(struct serial *s, struct irq_line irq);
/* Adds an output; bytes the guest transmits are written to every output. */
void serial_add_output(struct serial *s, int fd);
/* Sends what the guest transmits to log too (borrowed). */
void serial_set_log(struct serial *s, struct console_log *log);
/* Queues bytes for the guest; returns how many fitted in the receive FIFO. */
size_t serial_receive(struct serial *s, const uint8_t *data, size_t len);

#endif
