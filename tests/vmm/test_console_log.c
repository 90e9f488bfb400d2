/* SPDX-License-Identifier: MIT */
/* The serial console log stays under its cap whatever the guest prints, and keeps the newest
 * output, byte for byte. */
#include "console_log.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define CAP 16384

static char dir[] = "/tmp/rove-console-log-XXXXXX";
static char path[64];

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/serial.log", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return rmdir(dir);
}

static char *read_log(size_t *len)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    char *data = malloc((size_t)st.st_size + 1);
    int fd = open(path, O_RDONLY);
    assert_int_equal(read(fd, data, (size_t)st.st_size), st.st_size);
    close(fd);
    *len = (size_t)st.st_size;
    return data;
}

/* What was written, as the guest's console sends it: byte by byte. */
static size_t write_lines(struct console_log *log, char *all, size_t from, int count)
{
    size_t len = from;
    for (int i = 0; i < count; i++) {
        int n = sprintf(all + len, "line %06d of a guest that does not stop printing\n", i);
        for (int b = 0; b < n; b++) {
            console_log_write(log, (const uint8_t *)all + len + b, 1);
            struct stat st;
            assert_int_equal(fstat(log->fd, &st), 0);
            assert_true(st.st_size <= CAP);
        }
        len += (size_t)n;
    }
    return len;
}

static void expect_tail_of(const char *all, size_t all_len, size_t min_kept)
{
    size_t len;
    char *data = read_log(&len);
    assert_true(len >= min_kept && len <= CAP);
    assert_memory_equal(data, all + all_len - len, len);
    free(data);
}

static void test_log_keeps_the_newest_output_under_the_cap(void **state)
{
    (void)state;
    char *all = malloc(1 << 20);
    struct console_log log;
    assert_int_equal(console_log_open(&log, path, CAP), 0);
    size_t len = write_lines(&log, all, 0, 4000); /* about 200 KB */
    console_log_close(&log);
    expect_tail_of(all, len, CAP / 2);

    /* A monitor started again on the same machine continues the log, still capped. */
    size_t kept;
    free(read_log(&kept));
    memmove(all, all + len - kept, kept);
    assert_int_equal(console_log_open(&log, path, CAP), 0);
    len = write_lines(&log, all, kept, 500);
    console_log_close(&log);
    expect_tail_of(all, len, CAP / 2);

    /* A log left larger than the cap (by an older monitor) is cut when it is opened. */
    size_t before;
    free(read_log(&before));
    assert_int_equal(console_log_open(&log, path, CAP / 4), 0);
    console_log_close(&log);
    expect_tail_of(all, len, CAP / 8);
    free(all);
}

/* One write larger than the cap leaves only its newest half. */
static void test_oversized_write(void **state)
{
    (void)state;
    unlink(path);
    uint8_t big[3 * CAP];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    struct console_log log;
    assert_int_equal(console_log_open(&log, path, CAP), 0);
    console_log_write(&log, big, sizeof big);
    console_log_close(&log);
    size_t len;
    char *data = read_log(&len);
    assert_int_equal(len, CAP / 2);
    assert_memory_equal(data, big + sizeof big - CAP / 2, CAP / 2);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_keeps_the_newest_output_under_the_cap),
        cmocka_unit_test(test_oversized_write),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
