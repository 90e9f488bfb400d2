/* SPDX-License-Identifier: MIT */
/* The 8250 UART's registers: transmit to the outputs, receive FIFO, interrupt identification,
 * divisor latch, scratch register, loopback. */
#include "serial.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static struct serial uart;
static int irq_level = -1;
static int pipe_fds[2];

static void record_irq(void *ctx, uint32_t irq, int level)
{
    (void)ctx;
    assert_int_equal(irq, 4);
    irq_level = level;
}

static uint8_t rd(unsigned reg)
{
    uint8_t v;
    serial_ops.read(&uart, reg, &v, 1);
    return v;
}

static void wr(unsigned reg, uint8_t v)
{
    serial_ops.write(&uart, reg, &v, 1);
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(pipe(pipe_fds), 0);
    serial_init(&uart, (struct irq_line){.set = record_irq, .irq = 4});
    serial_add_output(&uart, pipe_fds[1]);
    irq_level = -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return 0;
}

static void test_transmit(void **state)
{
    (void)state;
    assert_int_equal(rd(5) & 0x60, 0x60); /* THR empty, transmitter empty */
    wr(0, 'h');
    wr(0, 'i');
    char buf[2];
    assert_int_equal(read(pipe_fds[0], buf, 2), 2);
    assert_memory_equal(buf, "hi", 2);
    assert_true(uart.wrote_anything);
}

static void test_receive_and_interrupts(void **state)
{
    (void)state;
    assert_int_equal(rd(2) & 0x0f, 0x01); /* no interrupt pending */
    wr(1, 0x01);                          /* enable receive interrupts */
    assert_int_equal(serial_receive(&uart, (const uint8_t *)"ok", 2), 2);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rd(2) & 0x0f, 0x04);
    assert_int_equal(rd(5) & 0x01, 0x01);
    assert_int_equal(rd(0), 'o');
    assert_int_equal(rd(0), 'k');
    assert_int_equal(rd(5) & 0x01, 0x00);
    assert_int_equal(irq_level, 0);
}

static void test_fifo_overflow(void **state)
{
    (void)state;
    uint8_t many[SERIAL_FIFO_SIZE + 10];
    memset(many, 'x', sizeof many);
    assert_int_equal(serial_receive(&uart, many, sizeof many), SERIAL_FIFO_SIZE);
    wr(2, 0x03); /* FIFO enable + clear receive FIFO */
    assert_int_equal(rd(5) & 0x01, 0);
    assert_int_equal(rd(2) & 0xc0, 0xc0); /* 16550A: FIFO enabled bits */
}

static void test_thr_empty_interrupt(void **state)
{
    (void)state;
    wr(1, 0x02); /* enabling THRE interrupts raises one at once */
    assert_int_equal(irq_level, 1);
    assert_int_equal(rd(2) & 0x0f, 0x02);
    /* Reading IIR acknowledged it. */
    assert_int_equal(rd(2) & 0x0f, 0x01);
    assert_int_equal(irq_level, 0);
    wr(0, '.');
    assert_int_equal(irq_level, 1);
}

static void test_divisor_latch_and_scratch(void **state)
{
    (void)state;
    wr(3, 0x80); /* DLAB */
    wr(0, 0x01);
    wr(1, 0x00);
    assert_int_equal(rd(0), 0x01);
    assert_int_equal(rd(1), 0x00);
    wr(3, 0x03); /* 8N1, DLAB off */
    assert_int_equal(rd(3), 0x03);
    assert_int_equal(rd(1), 0x00); /* IER untouched by the divisor writes */
    wr(7, 0x5a);
    assert_int_equal(rd(7), 0x5a);
}

static void test_loopback(void **state)
{
    (void)state;
    wr(4, 0x10 | 0x0f); /* loopback with DTR, RTS, OUT1, OUT2 */
    assert_int_equal(rd(6) & 0xf0, 0xf0);
    wr(0, 'L');
    assert_int_equal(rd(5) & 0x01, 0x01);
    assert_int_equal(rd(0), 'L');
    wr(4, 0);
    assert_int_equal(rd(6), 0xb0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_transmit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receive_and_interrupts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thr_empty_interrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_divisor_latch_and_scratch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
