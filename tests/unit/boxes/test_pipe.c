/* SPDX-License-Identifier: MIT */
/* The download pipe (boxes/pipe.c): blocks reach the consumer in order and whole, and the digest,
 * computed on the pipe's own hashing thread, covers every byte the download read, also when the
 * consumer stops early and the rest is drained from the download itself. */
#include "boxes/checksum.h"
#include "boxes/download.h"
#include "boxes/pipe.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#define FILE_SIZE (5u * 1024 * 1024 + 12345) /* many blocks, the last one short */

static char path[64];
static unsigned char *content;
static char digest[BOX_DIGEST_HEX_MAX + 8 + 1];

static int make_file(void **state)
{
    (void)state;
    content = malloc(FILE_SIZE);
    for (size_t i = 0; i < FILE_SIZE; i++)
        content[i] = (unsigned char)(i * 2654435761u >> 13);
    snprintf(path, sizeof path, "/tmp/rove-pipe-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, content, FILE_SIZE) != (ssize_t)FILE_SIZE)
        return -1;
    close(fd);
    struct box_hasher *h = box_hasher_new(BOX_DIGEST_SHA256);
    box_hasher_update(h, content, FILE_SIZE);
    char hex[BOX_DIGEST_HEX_MAX + 1];
    box_hasher_finish(h, hex);
    snprintf(digest, sizeof digest, "sha256:%s", hex);
    return 0;
}

static int remove_file(void **state)
{
    (void)state;
    unlink(path);
    free(content);
    return 0;
}

static struct download *open_download(void)
{
    struct box_checksum expected;
    const char *why;
    assert_int_equal(box_checksum_parse(digest, &expected, &why), 0);
    struct download_request req = {.local_path = path, .expected = &expected, .label = "test"};
    struct download *d;
    char *err = NULL;
    assert_int_equal(download_open(&req, &d, &err), 0);
    return d;
}

/* Stops the pipe, drains what is left from the download, and checks the digest of it all. */
static void stop_and_check_digest(struct pipe *p, struct download *d)
{
    pipe_stop(p);
    char *actual = NULL;
    assert_int_equal(download_drain(d, &actual), 0);
    assert_string_equal(actual, digest);
    free(actual);
    download_close(d, false);
}

static void whole_stream_in_order(void **state)
{
    (void)state;
    struct download *d = open_download();
    struct pipe *p = pipe_start(d);
    size_t at = 0;
    const void *buf;
    ssize_t n;
    while ((n = pipe_read(p, &buf)) > 0) {
        assert_true(at + (size_t)n <= FILE_SIZE);
        assert_memory_equal(buf, content + at, (size_t)n);
        at += (size_t)n;
    }
    assert_int_equal(n, 0);
    assert_int_equal(at, FILE_SIZE);
    stop_and_check_digest(p, d);
}

static void early_stop_keeps_the_digest_whole(void **state)
{
    (void)state;
    struct download *d = open_download();
    struct pipe *p = pipe_start(d);
    const void *buf;
    assert_true(pipe_read(p, &buf) > 0);
    usleep(20000); /* let the producer fill the ring and block on it */
    stop_and_check_digest(p, d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_stream_in_order),
        cmocka_unit_test(early_stop_keeps_the_digest_whole),
    };
    return cmocka_run_group_tests(tests, make_file, remove_file);
}
