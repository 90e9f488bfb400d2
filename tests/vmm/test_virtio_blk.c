/* SPDX-License-Identifier: MIT */
/* virtio-blk requests on a real image file: read, write, flush, get-id, out-of-range,
 * read-only, and requests too short to carry a status. */
#include "virtio_blk.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define SECTORS 16

static char image[64];
static uint8_t header_buf[16], data_buf[4096], status_buf[1];

static int make_image(void **state)
{
    (void)state;
    snprintf(image, sizeof image, "/tmp/rove-vmm-blk-XXXXXX");
    int fd = mkstemp(image);
    assert_true(fd >= 0);
    uint8_t sector[512];
    for (int i = 0; i < SECTORS; i++) {
        memset(sector, 'a' + i, sizeof sector);
        assert_int_equal(write(fd, sector, sizeof sector), sizeof sector);
    }
    close(fd);
    return 0;
}

static int remove_image(void **state)
{
    (void)state;
    unlink(image);
    return 0;
}

/* A request as Linux builds it: header, data buffers, status byte. */
static struct vq_chain request(uint32_t type, uint64_t sector, size_t data_len, bool to_device)
{
    struct virtio_blk_request_header hdr = {.type = type, .sector = sector};
    memcpy(header_buf, &hdr, sizeof hdr);
    status_buf[0] = 0xff;
    struct vq_chain chain = {.head = 0};
    chain.segments[chain.count++] = (struct vq_segment){header_buf, sizeof hdr, false};
    chain.readable_len = sizeof hdr;
    if (data_len) {
        /* Split the data over two buffers, as a scatter-gather list would. */
        size_t first = data_len / 2;
        chain.segments[chain.count++] = (struct vq_segment){data_buf, (uint32_t)first, !to_device};
        chain.segments[chain.count++] =
            (struct vq_segment){data_buf + first, (uint32_t)(data_len - first), !to_device};
        if (to_device)
            chain.readable_len += data_len;
        else
            chain.writable_len += data_len;
    }
    chain.segments[chain.count++] = (struct vq_segment){status_buf, 1, true};
    chain.writable_len += 1;
    return chain;
}

static void test_capacity_and_features(void **state)
{
    (void)state;
    struct virtio_blk blk;
    assert_int_equal(virtio_blk_open(&blk, image, false), 0);
    assert_int_equal(blk.capacity, SECTORS);
    assert_true(blk.virtio.features & VIRTIO_BLK_F_FLUSH);
    assert_false(blk.virtio.features & VIRTIO_BLK_F_RO);
    virtio_blk_close(&blk);
    assert_int_equal(virtio_blk_open(&blk, image, true), 0);
    assert_true(blk.virtio.features & VIRTIO_BLK_F_RO);
    virtio_blk_close(&blk);
}

static void test_read(void **state)
{
    (void)state;
    struct virtio_blk blk;
    assert_int_equal(virtio_blk_open(&blk, image, false), 0);
    struct vq_chain chain = request(VIRTIO_BLK_T_IN, 2, 1024, false);
    assert_int_equal(virtio_blk_handle(&blk, &chain), 1025);
    assert_int_equal(status_buf[0], VIRTIO_BLK_S_OK);
    assert_int_equal(data_buf[0], 'c');
    assert_int_equal(data_buf[511], 'c');
    assert_int_equal(data_buf[512], 'd');
    assert_int_equal(data_buf[1023], 'd');
    virtio_blk_close(&blk);
}

static void test_write_then_flush(void **state)
{
    (void)state;
    struct virtio_blk blk;
    assert_int_equal(virtio_blk_open(&blk, image, false), 0);
    memset(data_buf, 'W', 512);
    struct vq_chain chain = request(VIRTIO_BLK_T_OUT, 5, 512, true);
    assert_int_equal(virtio_blk_handle(&blk, &chain), 1);
    assert_int_equal(status_buf[0], VIRTIO_BLK_S_OK);
    chain = request(VIRTIO_BLK_T_FLUSH, 0, 0, false);
    assert_int_equal(virtio_blk_handle(&blk, &chain), 1);
    assert_int_equal(status_buf[0], VIRTIO_BLK_S_OK);
    virtio_blk_close(&blk);
    /* The bytes are in the file itself. */
    FILE *f = fopen(image, "rb");
    uint8_t sector[512];
    fseek(f, 5 * 512, SEEK_SET);
    assert_int_equal(fread(sector, 1, sizeof sector, f), sizeof sector);
    fclose(f);
    assert_int_equal(sector[0], 'W');
    assert_int_equal(sector[511], 'W');
}

static void test_out_of_range(void **state)
{
    (void)state;
    struct virtio_blk blk;
    assert_int_equal(virtio_blk_open(&blk, image, false), 0);
    struct vq_chain chain = request(VIRTIO_BLK_T_IN, SECTORS, 512, false);
    assert_int_equal(virtio_blk_handle(&blk, &chain), 1);
    assert_int_equal(status_buf[0], VIRTIO_BLK_S_IOERR);
    /* Starts inside, ends outside. */
    chain = request(VIRTIO_BLK_T_OUT, SECTORS - 1, 1024, true);
    virtio_blk_handle(&blk, &chain);
    assert_int_equal(status_buf[0], VIRTIO_BLK_S_IOERR);
    /* A sector number that overflows when multiplied by 512. */
    chain = request(VIRTIO_BLK_T_IN, UINT64_MAX / 256, 512, false);
    virtio_blk_handle(&blk, &chain);
    assert_int_equal(status_buf[0], VIRTIO_BLK_S_IOERR);
    virtio_blk_close(&blk);
}

static void test_read_only_refuses_writes(void **state)
{
    (void)state;
    struct virtio_blk blk;
    assert_int_equal(virtio_blk_open(&blk, image, true), 0);
    memset(data_buf, 'X', 512);
    struct vq_chain chain = request(VIRTIO_BLK_T_OUT, 0, 512, true);
    virtio_blk_handle(&blk, &chain);
    assert_int_equal(status_buf[0], VIRTIO_BLK_S_IOERR);
    chain = request(VIRTIO_BLK_T_IN, 0, 512, false);
    virtio_blk_handle(&blk, &chain);
    assert_int_equal(status_buf[0], VIRTIO_BLK_S_OK);
    assert_int_equal(data_buf[0], 'a');
    virtio_blk_close(&blk);
}

static void test_get_id_and_unsupported(void **state)
{
    (void)state;
    struct virtio_blk blk;
    assert_int_equal(virtio_blk_open(&blk, image, false), 0);
    struct vq_chain chain = request(VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, false);
    assert_int_equal(virtio_blk_handle(&blk, &chain), VIRTIO_BLK_ID_BYTES + 1);
    assert_string_equal((char *)data_buf, "rove-vmm");
    chain = request(99, 0, 0, false);
    virtio_blk_handle(&blk, &chain);
    assert_int_equal(status_buf[0], VIRTIO_BLK_S_UNSUPP);
    virtio_blk_close(&blk);
}

static void test_malformed_requests(void **state)
{
    (void)state;
    struct virtio_blk blk;
    assert_int_equal(virtio_blk_open(&blk, image, false), 0);
    /* No status byte: nothing is written, nothing crashes. */
    struct vq_chain chain = {.count = 1, .readable_len = 16};
    chain.segments[0] = (struct vq_segment){header_buf, 16, false};
    assert_int_equal(virtio_blk_handle(&blk, &chain), 0);
    /* A header shorter than 16 bytes. */
    chain = (struct vq_chain){.count = 2, .readable_len = 8, .writable_len = 1};
    chain.segments[0] = (struct vq_segment){header_buf, 8, false};
    chain.segments[1] = (struct vq_segment){status_buf, 1, true};
    assert_int_equal(virtio_blk_handle(&blk, &chain), 0);
    virtio_blk_close(&blk);
}

static void test_open_errors(void **state)
{
    (void)state;
    struct virtio_blk blk;
    assert_int_equal(virtio_blk_open(&blk, "/nonexistent/disk.img", false), -1);
    assert_int_equal(virtio_blk_open(&blk, "/tmp", false), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capacity_and_features),
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_write_then_flush),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_read_only_refuses_writes),
        cmocka_unit_test(test_get_id_and_unsupported),
        cmocka_unit_test(test_malformed_requests),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, make_image, remove_image);
}
