/* SPDX-License-Identifier: MIT */
#include "i8042.h"

#include <string.h>

#define STATUS_OUTPUT_FULL 0x01
#define STATUS_SYSTEM_FLAG 0x04
#define STATUS_COMMAND     0x08

#define CONTROL_KBD_INTERRUPT 0x01
#define CONTROL_SYSTEM_FLAG   0x04

#define CMD_READ_CONTROL      0x20
#define CMD_WRITE_CONTROL     0x60
#define CMD_DISABLE_AUX       0xa7
#define CMD_ENABLE_AUX        0xa8
#define CMD_TEST_AUX          0xa9
#define CMD_SELF_TEST         0xaa
#define CMD_TEST_KBD          0xab
#define CMD_DISABLE_KBD       0xad
#define CMD_ENABLE_KBD        0xae
#define CMD_READ_OUTPUT_PORT  0xd0
#define CMD_WRITE_OUTPUT_PORT 0xd1
#define CMD_PULSE_RESET       0xfe

#define SELF_TEST_OK          0x55
#define KBD_ACK               0xfa
#define KBD_RESET_OK          0xaa
#define KBD_CMD_RESET         0xff
#define OUTPUT_PORT_RESET_BIT 0x01 /* low = CPU in reset */

void i8042_init(struct i8042 *kbd, struct irq_line irq, void (*reset)(void *ctx), void *reset_ctx)
{
    memset(kbd, 0, sizeof *kbd);
    kbd->control = CONTROL_KBD_INTERRUPT | CONTROL_SYSTEM_FLAG;
    kbd->irq = irq;
    kbd->reset = reset;
    kbd->reset_ctx = reset_ctx;
}

static void update_irq(struct i8042 *kbd)
{
    irq_line_set(&kbd->irq, kbd->count > 0 && (kbd->control & CONTROL_KBD_INTERRUPT));
}

static void push(struct i8042 *kbd, uint8_t byte)
{
    if (kbd->count == I8042_QUEUE_SIZE)
        return;
    kbd->queue[(kbd->head + kbd->count) % I8042_QUEUE_SIZE] = byte;
    kbd->count++;
}

static void request_reset(struct i8042 *kbd)
{
    if (kbd->reset)
        kbd->reset(kbd->reset_ctx);
}

void i8042_press_ctrl_alt_del(struct i8042 *kbd)
{
    /* Scan code set 2, as Linux's atkbd expects from an untranslated keyboard. */
    static const uint8_t codes[] = {0x14, 0x11, 0xe0, 0x71, 0xe0, 0xf0,
                                    0x71, 0xf0, 0x11, 0xf0, 0x14};
    for (size_t i = 0; i < sizeof codes; i++)
        push(kbd, codes[i]);
    update_irq(kbd);
}

static void command(struct i8042 *kbd, uint8_t cmd)
{
    switch (cmd) {
    case CMD_READ_CONTROL:
        push(kbd, kbd->control);
        break;
    case CMD_WRITE_CONTROL:
    case CMD_WRITE_OUTPUT_PORT:
        kbd->pending_cmd = cmd;
        break;
    case CMD_SELF_TEST:
        push(kbd, SELF_TEST_OK);
        break;
    case CMD_TEST_KBD:
    case CMD_TEST_AUX:
        push(kbd, 0x00);
        break;
    case CMD_READ_OUTPUT_PORT:
        push(kbd, OUTPUT_PORT_RESET_BIT);
        break;
    case CMD_PULSE_RESET:
        request_reset(kbd);
        break;
    default:
        /* Enable/disable ports and the rest have no effect here. */
        break;
    }
    update_irq(kbd);
}

static void data_write(struct i8042 *kbd, uint8_t value)
{
    uint8_t pending = kbd->pending_cmd;
    kbd->pending_cmd = 0;
    if (pending == CMD_WRITE_CONTROL) {
        kbd->control = value;
    } else if (pending == CMD_WRITE_OUTPUT_PORT) {
        if (!(value & OUTPUT_PORT_RESET_BIT))
            request_reset(kbd);
    } else {
        /* A byte for the keyboard itself: acknowledge it, and answer a reset. */
        push(kbd, KBD_ACK);
        if (value == KBD_CMD_RESET)
            push(kbd, KBD_RESET_OK);
    }
    update_irq(kbd);
}

static uint8_t data_read(struct i8042 *kbd)
{
    if (kbd->count > 0) {
        kbd->last_output = kbd->queue[kbd->head];
        kbd->head = (kbd->head + 1) % I8042_QUEUE_SIZE;
        kbd->count--;
    }
    update_irq(kbd);
    return kbd->last_output;
}

static uint8_t status(const struct i8042 *kbd)
{
    return (kbd->count ? STATUS_OUTPUT_FULL : 0) | STATUS_SYSTEM_FLAG |
           (kbd->pending_cmd ? STATUS_COMMAND : 0);
}

static void i8042_data_read(void *dev, uint64_t offset, uint8_t *data, uint32_t len)
{
    (void)offset;
    memset(data, 0, len);
    data[0] = data_read(dev);
}

static void i8042_data_write(void *dev, uint64_t offset, const uint8_t *data, uint32_t len)
{
    (void)offset;
    (void)len;
    data_write(dev, data[0]);
}

static void i8042_command_read(void *dev, uint64_t offset, uint8_t *data, uint32_t len)
{
    (void)offset;
    memset(data, 0, len);
    data[0] = status(dev);
}

static void i8042_command_write(void *dev, uint64_t offset, const uint8_t *data, uint32_t len)
{
    (void)offset;
    (void)len;
    command(dev, data[0]);
}

const struct device_ops i8042_data_ops = {.read = i8042_data_read, .write = i8042_data_write};
const struct device_ops i8042_command_ops = {.read = i8042_command_read,
                                             .write = i8042_command_write};
