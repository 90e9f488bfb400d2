/* SPDX-License-Identifier: MIT */
/* Split virtqueue handling against a fake guest memory: chains, indirect tables, index
 * wrap-around, and malformed chains that must be refused without crashing. */
#include "virtqueue.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define MEM_SIZE   (1u << 20)
#define DESC_ADDR  0x1000
#define AVAIL_ADDR 0x2000
#define USED_ADDR  0x3000
#define DATA_ADDR  0x10000
#define QSIZE      8

static uint8_t memory[MEM_SIZE];
static struct guest_mem mem;
static struct virtqueue vq;

static struct vring_desc *desc(unsigned i)
{
    return (struct vring_desc *)(memory + DESC_ADDR) + i;
}

static uint16_t *avail(void)
{
    return (uint16_t *)(memory + AVAIL_ADDR);
}

static uint16_t used_idx(void)
{
    return *(uint16_t *)(memory + USED_ADDR + 2);
}

static uint32_t used_elem(unsigned slot, unsigned field)
{
    return *(uint32_t *)(memory + USED_ADDR + 4 + 8 * (slot % QSIZE) + 4 * field);
}

static void make_available(uint16_t head)
{
    avail()[2 + avail()[1] % QSIZE] = head;
    avail()[1]++;
}

static int setup(void **state)
{
    (void)state;
    memset(memory, 0, sizeof memory);
    guest_mem_init_flat(&mem, memory, sizeof memory);
    memset(&vq, 0, sizeof vq);
    vq.mem = &mem;
    vq.size = QSIZE;
    vq.desc_addr = DESC_ADDR;
    vq.avail_addr = AVAIL_ADDR;
    vq.used_addr = USED_ADDR;
    assert_int_equal(vq_activate(&vq), 0);
    return 0;
}

static void test_empty_queue(void **state)
{
    (void)state;
    struct vq_chain chain;
    assert_int_equal(vq_pop(&vq, &chain), 0);
}

static void test_chain_of_three(void **state)
{
    (void)state;
    *desc(0) = (struct vring_desc){DATA_ADDR, 16, VRING_DESC_F_NEXT, 3};
    *desc(3) =
        (struct vring_desc){DATA_ADDR + 0x100, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 5};
    *desc(5) = (struct vring_desc){DATA_ADDR + 0x400, 1, VRING_DESC_F_WRITE, 0};
    memcpy(memory + DATA_ADDR, "0123456789abcdef", 16);
    make_available(0);
    struct vq_chain chain;
    assert_int_equal(vq_pop(&vq, &chain), 1);
    assert_int_equal(chain.head, 0);
    assert_int_equal(chain.count, 3);
    assert_int_equal(chain.readable_len, 16);
    assert_int_equal(chain.writable_len, 513);
    assert_ptr_equal(chain.segments[1].host, memory + DATA_ADDR + 0x100);
    char buf[8];
    assert_int_equal(vq_chain_read(&chain, 10, buf, 8), 6);
    assert_memory_equal(buf, "abcdef", 6);
    assert_int_equal(vq_chain_write(&chain, 510, "XYZ", 3), 3);
    assert_memory_equal(memory + DATA_ADDR + 0x100 + 510, "XY", 2);
    assert_int_equal(memory[DATA_ADDR + 0x400], 'Z');
    vq_push(&vq, chain.head, 3);
    assert_int_equal(used_idx(), 1);
    assert_int_equal(used_elem(0, 0), 0);
    assert_int_equal(used_elem(0, 1), 3);
    assert_int_equal(vq_pop(&vq, &chain), 0);
}

static void test_indirect_table(void **state)
{
    (void)state;
    struct vring_desc *table = (struct vring_desc *)(memory + 0x8000);
    table[0] = (struct vring_desc){DATA_ADDR, 16, VRING_DESC_F_NEXT, 1};
    table[1] = (struct vring_desc){DATA_ADDR + 0x200, 64, VRING_DESC_F_WRITE, 0};
    *desc(2) = (struct vring_desc){0x8000, 2 * sizeof(struct vring_desc), VRING_DESC_F_INDIRECT, 0};
    make_available(2);
    struct vq_chain chain;
    assert_int_equal(vq_pop(&vq, &chain), 1);
    assert_int_equal(chain.head, 2);
    assert_int_equal(chain.count, 2);
    assert_int_equal(chain.readable_len, 16);
    assert_int_equal(chain.writable_len, 64);
}

static void test_wrap_around(void **state)
{
    (void)state;
    *desc(1) = (struct vring_desc){DATA_ADDR, 32, VRING_DESC_F_WRITE, 0};
    /* Both indices start just below 65536 so that they wrap during the test. */
    avail()[1] = 65533;
    vq.last_avail = 65533;
    vq.next_used = 65533;
    for (int i = 0; i < 6; i++) {
        make_available(1);
        struct vq_chain chain;
        assert_int_equal(vq_pop(&vq, &chain), 1);
        assert_int_equal(chain.head, 1);
        vq_push(&vq, chain.head, 32);
    }
    assert_int_equal(vq.last_avail, 3);
    assert_int_equal(used_idx(), 3);
    assert_int_equal(used_elem(2, 1), 32);
}

static void expect_refused(uint16_t head)
{
    make_available(head);
    struct vq_chain chain;
    unsigned before = vq.malformed;
    assert_int_equal(vq_pop(&vq, &chain), -1);
    assert_int_equal(vq.malformed, before + 1);
}

static void test_loop_refused(void **state)
{
    (void)state;
    *desc(0) = (struct vring_desc){DATA_ADDR, 16, VRING_DESC_F_NEXT, 1};
    *desc(1) = (struct vring_desc){DATA_ADDR, 16, VRING_DESC_F_NEXT, 0};
    expect_refused(0);
    /* The refused chain is handed back with length 0, so the driver does not leak it. */
    assert_int_equal(used_idx(), 1);
    assert_int_equal(used_elem(0, 1), 0);
}

static void test_bad_indices_refused(void **state)
{
    (void)state;
    expect_refused(QSIZE); /* head out of range: nothing can be handed back */
    assert_int_equal(used_idx(), 0);
    *desc(0) = (struct vring_desc){DATA_ADDR, 16, VRING_DESC_F_NEXT, 200};
    expect_refused(0);
}

static void test_buffer_outside_memory_refused(void **state)
{
    (void)state;
    *desc(0) = (struct vring_desc){MEM_SIZE - 8, 16, 0, 0};
    expect_refused(0);
    *desc(0) = (struct vring_desc){UINT64_MAX - 4, 16, 0, 0};
    expect_refused(0);
}

static void test_bad_indirect_refused(void **state)
{
    (void)state;
    struct vring_desc *table = (struct vring_desc *)(memory + 0x8000);
    /* An indirect descriptor inside an indirect table. */
    table[0] = (struct vring_desc){0x8000, 16, VRING_DESC_F_INDIRECT, 0};
    *desc(0) = (struct vring_desc){0x8000, 16, VRING_DESC_F_INDIRECT, 0};
    expect_refused(0);
    /* A table whose length is not a whole number of descriptors. */
    *desc(0) = (struct vring_desc){0x8000, 17, VRING_DESC_F_INDIRECT, 0};
    expect_refused(0);
    /* INDIRECT together with NEXT. */
    *desc(0) = (struct vring_desc){0x8000, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1};
    expect_refused(0);
    /* A loop inside the table. */
    table[0] = (struct vring_desc){DATA_ADDR, 8, VRING_DESC_F_NEXT, 1};
    table[1] = (struct vring_desc){DATA_ADDR, 8, VRING_DESC_F_NEXT, 0};
    *desc(0) = (struct vring_desc){0x8000, 32, VRING_DESC_F_INDIRECT, 0};
    expect_refused(0);
}

static void test_readable_after_writable_refused(void **state)
{
    (void)state;
    *desc(0) = (struct vring_desc){DATA_ADDR, 16, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1};
    *desc(1) = (struct vring_desc){DATA_ADDR, 16, 0, 0};
    expect_refused(0);
}

static void test_activate_checks_rings(void **state)
{
    (void)state;
    vq.ready = false;
    vq.size = 3; /* not a power of two */
    assert_int_equal(vq_activate(&vq), -1);
    vq.size = QSIZE;
    vq.used_addr = MEM_SIZE - 4;
    assert_int_equal(vq_activate(&vq), -1);
    struct vq_chain chain;
    assert_int_equal(vq_pop(&vq, &chain), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_empty_queue, setup),
        cmocka_unit_test_setup(test_chain_of_three, setup),
        cmocka_unit_test_setup(test_indirect_table, setup),
        cmocka_unit_test_setup(test_wrap_around, setup),
        cmocka_unit_test_setup(test_loop_refused, setup),
        cmocka_unit_test_setup(test_bad_indices_refused, setup),
        cmocka_unit_test_setup(test_buffer_outside_memory_refused, setup),
        cmocka_unit_test_setup(test_bad_indirect_refused, setup),
        cmocka_unit_test_setup(test_readable_after_writable_refused, setup),
        cmocka_unit_test_setup(test_activate_checks_rings, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
