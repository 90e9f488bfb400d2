/* SPDX-License-Identifier: MIT */
#include "serial.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

enum {
    REG_DATA = 0, /* RBR/THR, or DLL with DLAB */
    REG_IER = 1,  /* or DLM with DLAB */
    REG_IIR_FCR = 2,
    REG_LCR = 3,
    REG_MCR = 4,
    REG_LSR = 5,
    REG_MSR = 6,
    REG_SCR = 7,
};

#define LCR_DLAB              0x80
#define IER_RX_AVAILABLE      0x01
#define IER_THR_EMPTY         0x02
#define IIR_NO_INTERRUPT      0x01
#define IIR_THR_EMPTY         0x02
#define IIR_RX_AVAILABLE      0x04
#define IIR_FIFO_ENABLED      0xc0
#define FCR_ENABLE            0x01
#define FCR_CLEAR_RX          0x02
#define LSR_DATA_READY        0x01
#define LSR_THR_EMPTY         0x20
#define LSR_TRANSMITTER_EMPTY 0x40
#define MCR_LOOPBACK          0x10
#define MSR_DEFAULT           0xb0 /* DCD, DSR, CTS: a terminal is attached */

void serial_init(struct serial *s, struct irq_line irq)
{
    memset(s, 0, sizeof *s);
    s->irq = irq;
    s->dll = 12; /* 9600 baud, as firmware leaves it */
}

void serial_add_output(struct serial *s, int fd)
{
    if (s->out_count < SERIAL_MAX_OUTPUTS)
        s->out_fds[s->out_count++] = fd;
}

void serial_set_log(struct serial *s, struct console_log *log)
{
    s->log = log;
}

static uint8_t interrupt_id(const struct serial *s)
{
    uint8_t fifo = (s->fcr & FCR_ENABLE) ? IIR_FIFO_ENABLED : 0;
    if ((s->ier & IER_RX_AVAILABLE) && s->rx_count > 0)
        return IIR_RX_AVAILABLE | fifo;
    if ((s->ier & IER_THR_EMPTY) && s->thr_interrupt_pending)
        return IIR_THR_EMPTY | fifo;
    return IIR_NO_INTERRUPT | fifo;
}

static void update_irq(struct serial *s)
{
    irq_line_set(&s->irq, !(interrupt_id(s) & IIR_NO_INTERRUPT));
}

static void rx_push(struct serial *s, uint8_t byte)
{
    if (s->rx_count == SERIAL_FIFO_SIZE)
        return;
    s->rx[(s->rx_head + s->rx_count) % SERIAL_FIFO_SIZE] = byte;
    s->rx_count++;
}

static uint8_t rx_pop(struct serial *s)
{
    if (s->rx_count == 0)
        return 0;
    uint8_t byte = s->rx[s->rx_head];
    s->rx_head = (s->rx_head + 1) % SERIAL_FIFO_SIZE;
    s->rx_count--;
    return byte;
}

size_t serial_receive(struct serial *s, const uint8_t *data, size_t len)
{
    size_t n = 0;
    while (n < len && s->rx_count < SERIAL_FIFO_SIZE)
        rx_push(s, data[n++]);
    update_irq(s);
    return n;
}

static void transmit(struct serial *s, uint8_t byte)
{
    if (s->mcr & MCR_LOOPBACK) {
        rx_push(s, byte);
        return;
    }
    s->wrote_anything = true;
    for (int i = 0; i < s->out_count; i++) {
        /* The console must never stall the vCPU: a full or broken output loses bytes. */
        ssize_t rc;
        do
            rc = write(s->out_fds[i], &byte, 1);
        while (rc < 0 && errno == EINTR);
    }
    if (s->log)
        console_log_write(s->log, &byte, 1);
}

static uint8_t modem_status(const struct serial *s)
{
    if (!(s->mcr & MCR_LOOPBACK))
        return MSR_DEFAULT;
    /* Loopback wires DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
    return (uint8_t)(((s->mcr & 0x01) << 5) | ((s->mcr & 0x02) << 3) | ((s->mcr & 0x04) << 4) |
                     ((s->mcr & 0x08) << 4));
}

static uint8_t read_register(struct serial *s, uint64_t reg)
{
    bool dlab = s->lcr & LCR_DLAB;
    uint8_t value;
    switch (reg) {
    case REG_DATA:
        if (dlab)
            return s->dll;
        value = rx_pop(s);
        update_irq(s);
        return value;
    case REG_IER:
        return dlab ? s->dlm : s->ier;
    case REG_IIR_FCR:
        value = interrupt_id(s);
        /* Reading IIR acknowledges a THR-empty interrupt. */
        if ((value & 0x0f) == IIR_THR_EMPTY) {
            s->thr_interrupt_pending = false;
            update_irq(s);
        }
        return value;
    case REG_LCR:
        return s->lcr;
    case REG_MCR:
        return s->mcr;
    case REG_LSR:
        return (s->rx_count ? LSR_DATA_READY : 0) | LSR_THR_EMPTY | LSR_TRANSMITTER_EMPTY;
    case REG_MSR:
        return modem_status(s);
    default:
        return s->scr;
    }
}

static void write_register(struct serial *s, uint64_t reg, uint8_t value)
{
    bool dlab = s->lcr & LCR_DLAB;
    switch (reg) {
    case REG_DATA:
        if (dlab) {
            s->dll = value;
            return;
        }
        transmit(s, value);
        /* The byte leaves at once, so the holding register is empty again. */
        s->thr_interrupt_pending = true;
        break;
    case REG_IER:
        if (dlab) {
            s->dlm = value;
            return;
        }
        if (!(s->ier & IER_THR_EMPTY) && (value & IER_THR_EMPTY))
            s->thr_interrupt_pending = true;
        s->ier = value & 0x0f;
        break;
    case REG_IIR_FCR:
        s->fcr = value & 0xc9;
        if (value & FCR_CLEAR_RX)
            s->rx_head = s->rx_count = 0;
        break;
    case REG_LCR:
        s->lcr = value;
        return;
    case REG_MCR:
        s->mcr = value & 0x1f;
        break;
    case REG_SCR:
        s->scr = value;
        return;
    default:
        return; /* LSR and MSR are read-only */
    }
    update_irq(s);
}

static void serial_read(void *dev, uint64_t offset, uint8_t *data, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        data[i] = read_register(dev, offset + i);
}

static void serial_write(void *dev, uint64_t offset, const uint8_t *data, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        write_register(dev, offset + i, data[i]);
}

const struct device_ops serial_ops = {.read = serial_read, .write = serial_write};
