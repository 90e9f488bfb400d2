/* SPDX-License-Identifier: MIT */
/* The virtio-mmio transport driven as Linux's driver does it, with a virtio-rng device behind
 * it and a fake guest memory: identification, feature negotiation, queue set-up, notification,
 * interrupt status and reset. */
#include "virtio_mmio.h"
#include "virtio_rng.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define MEM_SIZE (1u << 20)

static uint8_t memory[MEM_SIZE];
static struct guest_mem mem;
static struct virtio_rng rng;
static struct virtio_transport transport;
static int pulses;

static void count_pulses(void *ctx, uint32_t irq, int level)
{
    (void)ctx;
    assert_int_equal(irq, 5);
    pulses += level;
}

static uint32_t rd(uint64_t off)
{
    uint32_t v;
    virtio_mmio_ops.read(&transport, off, (uint8_t *)&v, 4);
    return v;
}

static void wr(uint64_t off, uint32_t v)
{
    virtio_mmio_ops.write(&transport, off, (const uint8_t *)&v, 4);
}

static int setup(void **state)
{
    (void)state;
    memset(memory, 0, sizeof memory);
    guest_mem_init_flat(&mem, memory, sizeof memory);
    virtio_rng_init(&rng);
    virtio_mmio_init(&transport, &rng.virtio, &mem,
                     (struct irq_line){.set = count_pulses, .irq = 5});
    pulses = 0;
    return 0;
}

static void negotiate(void)
{
    wr(0x70, 0);
    wr(0x70, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(0x24, 1);
    wr(0x20, 1); /* VIRTIO_F_VERSION_1 */
    wr(0x70, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
}

static void test_identification(void **state)
{
    (void)state;
    assert_int_equal(rd(0x000), VIRTIO_MMIO_MAGIC);
    assert_int_equal(rd(0x004), 2);
    assert_int_equal(rd(0x008), VIRTIO_ID_RNG);
    wr(0x014, 1);
    assert_int_equal(rd(0x010) & 1, 1); /* VERSION_1 in the high word */
    wr(0x030, 0);
    assert_int_equal(rd(0x034), VQ_MAX_SIZE);
    wr(0x030, 1); /* rng has a single queue */
    assert_int_equal(rd(0x034), 0);
}

static void test_feature_negotiation(void **state)
{
    (void)state;
    negotiate();
    assert_true(rd(0x70) & VIRTIO_STATUS_FEATURES_OK);
    /* A driver without VERSION_1 (legacy) is refused. */
    wr(0x70, 0);
    wr(0x70, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(0x70, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    assert_false(rd(0x70) & VIRTIO_STATUS_FEATURES_OK);
    /* So is a driver asking for a feature that was not offered. */
    wr(0x70, 0);
    wr(0x70, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(0x24, 0);
    wr(0x20, 1u << 7);
    wr(0x24, 1);
    wr(0x20, 1);
    wr(0x70, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    assert_false(rd(0x70) & VIRTIO_STATUS_FEATURES_OK);
}

static void setup_queue(uint64_t desc, uint64_t avail, uint64_t used)
{
    wr(0x030, 0);
    wr(0x038, 4);
    wr(0x080, (uint32_t)desc);
    wr(0x090, (uint32_t)avail);
    wr(0x0a0, (uint32_t)used);
    wr(0x044, 1);
}

static void test_request_and_interrupt(void **state)
{
    (void)state;
    negotiate();
    setup_queue(0x1000, 0x2000, 0x3000);
    assert_int_equal(rd(0x044), 1);
    wr(0x70, rd(0x70) | VIRTIO_STATUS_DRIVER_OK);
    struct vring_desc *d = (struct vring_desc *)(memory + 0x1000);
    d[0] = (struct vring_desc){0x8000, 64, VRING_DESC_F_WRITE, 0};
    uint16_t *avail = (uint16_t *)(memory + 0x2000);
    avail[2] = 0;
    avail[1] = 1;
    wr(0x050, 0);
    assert_int_equal(*(uint16_t *)(memory + 0x3000 + 2), 1);
    assert_int_equal(*(uint32_t *)(memory + 0x3000 + 8), 64);
    assert_int_equal(pulses, 1);
    assert_int_equal(rd(0x060), VIRTIO_INT_USED_BUFFER);
    wr(0x064, VIRTIO_INT_USED_BUFFER);
    assert_int_equal(rd(0x060), 0);
}

static void test_notify_before_driver_ok_ignored(void **state)
{
    (void)state;
    negotiate();
    setup_queue(0x1000, 0x2000, 0x3000);
    uint16_t *avail = (uint16_t *)(memory + 0x2000);
    avail[1] = 1;
    wr(0x050, 0);
    wr(0x050, 7); /* no such queue */
    assert_int_equal(pulses, 0);
}

static void test_rings_outside_memory(void **state)
{
    (void)state;
    negotiate();
    setup_queue(MEM_SIZE - 16, 0x2000, 0x3000);
    assert_int_equal(rd(0x044), 0);
    assert_true(rd(0x070) & VIRTIO_STATUS_NEEDS_RESET);
    wr(0x070, 0);
    assert_int_equal(rd(0x070), 0);
}

static void test_cmdline_announcement(void **state)
{
    (void)state;
    char buf[128] = "console=ttyS0";
    virtio_mmio_cmdline(buf, sizeof buf, 0xd0001000, 6);
    assert_string_equal(buf, "console=ttyS0 virtio_mmio.device=4K@0xd0001000:6");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_identification, setup),
        cmocka_unit_test_setup(test_feature_negotiation, setup),
        cmocka_unit_test_setup(test_request_and_interrupt, setup),
        cmocka_unit_test_setup(test_notify_before_driver_ok_ignored, setup),
        cmocka_unit_test_setup(test_rings_outside_memory, setup),
        cmocka_unit_test_setup(test_cmdline_announcement, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
