/* SPDX-License-Identifier: MIT */
/* The qcow2 reader against images made by qemu-img: versions 2 and 3, several cluster sizes,
 * compressed clusters, zero clusters; the raw output must equal `qemu-img convert -O raw` byte
 * for byte and stay sparse. Corrupt headers and tables are refused without crashing. */
#include "providers/vmm/qcow2.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char work[] = "/tmp/rove-qcow2-test.XXXXXX";

static void run(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

/* A 24 MiB raw source: text at the start, random data at 5 MiB, a zero-filled run that a
 * non-sparse copy would keep, text at the odd tail, holes elsewhere. */
static void make_source(const char *path)
{
    run("printf 'ROVE-QCOW2-TEST' > %s && truncate -s 24M %s", path, path);
    run("head -c 300000 /dev/urandom | dd of=%s bs=1M seek=5 conv=notrunc status=none", path);
    run("head -c 1048576 /dev/zero | dd of=%s bs=1M seek=9 conv=notrunc status=none", path);
    run("printf 'TAIL' | dd of=%s bs=1 seek=%d conv=notrunc status=none", path,
        24 * 1024 * 1024 - 4);
}

/* Converts qcow2 with the reader to out; returns its result and leaves the reason in err. */
static int convert(const char *qcow2, const char *out, char *err, size_t err_len)
{
    int in_fd = open(qcow2, O_RDONLY);
    int out_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(in_fd >= 0 && out_fd >= 0);
    int rc = qcow2_convert_to_raw(in_fd, out_fd, err, err_len);
    close(in_fd);
    close(out_fd);
    return rc;
}

static void check_image(const char *create_options)
{
    char src[256], img[256], ref[256], out[256], err[QCOW2_ERROR_MAX] = "";
    snprintf(src, sizeof src, "%s/source.raw", work);
    snprintf(img, sizeof img, "%s/image.qcow2", work);
    snprintf(ref, sizeof ref, "%s/reference.raw", work);
    snprintf(out, sizeof out, "%s/out.raw", work);
    make_source(src);
    run("qemu-img convert -O qcow2 %s %s %s", create_options, src, img);
    run("qemu-img convert -O raw %s %s", img, ref);
    assert_int_equal(convert(img, out, err, sizeof err), 0);
    run("cmp %s %s", ref, out);
    struct stat st;
    assert_int_equal(stat(out, &st), 0);
    assert_int_equal(st.st_size, 24 * 1024 * 1024);
    /* Sparse: the data is well under 2 MiB, the rest holes. */
    assert_true(st.st_blocks * 512 < 3 * 1024 * 1024);
}

static void v3_default(void **state)
{
    (void)state;
    check_image("");
}

static void v3_compressed(void **state)
{
    (void)state;
    check_image("-c");
}

static void v2_compressed_small_clusters(void **state)
{
    (void)state;
    check_image("-c -o compat=0.10,cluster_size=4096");
}

static void v3_large_clusters(void **state)
{
    (void)state;
    check_image("-o cluster_size=2M");
}

/* Zero clusters (v3's flag) made by qemu-img's write -z on an allocated image. */
static void v3_zero_clusters(void **state)
{
    (void)state;
    char img[256], ref[256], out[256], err[QCOW2_ERROR_MAX] = "";
    snprintf(img, sizeof img, "%s/zero.qcow2", work);
    snprintf(ref, sizeof ref, "%s/zero-ref.raw", work);
    snprintf(out, sizeof out, "%s/zero-out.raw", work);
    run("qemu-img create -q -f qcow2 %s 8M", img);
    run("qemu-io -f qcow2 -c 'write -P 0x5a 0 4M' -c 'write -z 1M 1M' %s >/dev/null", img);
    run("qemu-img convert -O raw %s %s", img, ref);
    assert_int_equal(convert(img, out, err, sizeof err), 0);
    run("cmp %s %s", ref, out);
}

/* A small valid image to corrupt: header bytes at offset get value (big-endian, width bytes). */
static int convert_patched(long offset, unsigned long long value, int width, char *err,
                           size_t err_len)
{
    char src[256], img[256], out[256];
    snprintf(src, sizeof src, "%s/small.raw", work);
    snprintf(img, sizeof img, "%s/patched.qcow2", work);
    snprintf(out, sizeof out, "%s/patched.raw", work);
    run("printf 'ROVE' > %s && truncate -s 4M %s", src, src);
    run("qemu-img convert -O qcow2 %s %s", src, img);
    unsigned char bytes[8];
    for (int i = 0; i < width; i++)
        bytes[i] = (unsigned char)(value >> (8 * (width - 1 - i)));
    int fd = open(img, O_WRONLY);
    assert_int_equal(pwrite(fd, bytes, (size_t)width, offset), width);
    close(fd);
    return convert(img, out, err, err_len);
}

static void expect_refused(long offset, unsigned long long value, int width, const char *reason)
{
    char err[QCOW2_ERROR_MAX] = "";
    assert_int_equal(convert_patched(offset, value, width, err, sizeof err), -1);
    if (!strstr(err, reason))
        fail_msg("expected '%s' in '%s'", reason, err);
}

static void corrupt_headers_refused(void **state)
{
    (void)state;
    expect_refused(0, 0x12345678, 4, "bad magic");
    expect_refused(4, 4, 4, "version 4");
    expect_refused(8, 0x10000, 8, "backing file");
    expect_refused(20, 30, 4, "cluster size");
    expect_refused(20, 8, 4, "cluster size");
    expect_refused(24, 1ull << 60, 8, "implausible virtual size");
    expect_refused(32, 1, 4, "encrypted");
    expect_refused(36, 0, 4, "L1 table");
    expect_refused(40, 1ull << 40, 8, "L1 table offset");
    expect_refused(40, 0x10001, 8, "L1 table offset");
    expect_refused(72, 1ull << 1, 8, "marked corrupt");
    expect_refused(72, 1ull << 2, 8, "external file");
    expect_refused(72, 1ull << 4, 8, "extended L2");
    expect_refused(72, 1ull << 20, 8, "unknown incompatible features");
    expect_refused(100, 7, 4, "header length");
}

/* The L1 entry of the small image points past the end: the L2 table is refused. */
static void corrupt_tables_refused(void **state)
{
    (void)state;
    char img[256];
    snprintf(img, sizeof img, "%s/patched.qcow2", work);
    char err[QCOW2_ERROR_MAX] = "";
    assert_int_equal(convert_patched(0, 0x514649fb, 4, err, sizeof err), 0);
    /* Find the L1 table offset and overwrite its first entry. */
    unsigned char h[48];
    int fd = open(img, O_RDWR);
    assert_int_equal(pread(fd, h, sizeof h, 0), (ssize_t)sizeof h);
    long l1 = 0;
    for (int i = 40; i < 48; i++)
        l1 = l1 << 8 | h[i];
    unsigned char entry[8] = {0x80, 0, 0, 0x10, 0, 0, 0, 0}; /* 1 TiB, far past the end */
    assert_int_equal(pwrite(fd, entry, 8, l1), 8);
    close(fd);
    char out[256];
    snprintf(out, sizeof out, "%s/tables.raw", work);
    assert_int_equal(convert(img, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "L2 table"));
}

/* Random damage in the metadata of a compressed image: refused or converted, never a crash
 * (run under ASan in CI). */
static void random_damage_never_crashes(void **state)
{
    (void)state;
    char src[256], img[256], bad[256], out[256];
    snprintf(src, sizeof src, "%s/fuzz.raw", work);
    snprintf(img, sizeof img, "%s/fuzz.qcow2", work);
    snprintf(bad, sizeof bad, "%s/fuzz-bad.qcow2", work);
    snprintf(out, sizeof out, "%s/fuzz-out.raw", work);
    make_source(src);
    run("qemu-img convert -c -O qcow2 -o cluster_size=4096 %s %s", src, img);
    srand(42);
    for (int round = 0; round < 200; round++) {
        run("cp %s %s", img, bad);
        int fd = open(bad, O_WRONLY);
        for (int i = 0; i < 8; i++) {
            unsigned char b = (unsigned char)rand();
            assert_int_equal(pwrite(fd, &b, 1, rand() % (3 * 4096 + 1024)), 1);
        }
        close(fd);
        char err[QCOW2_ERROR_MAX] = "";
        int rc = convert(bad, out, err, sizeof err);
        assert_true(rc == 0 || (rc == -1 && err[0]));
    }
}

int main(void)
{
    if (system("command -v qemu-img >/dev/null && command -v qemu-io >/dev/null") != 0) {
        printf("SKIP: qemu-img and qemu-io (package qemu-utils) are needed to make test images\n");
        return 77;
    }
    if (!mkdtemp(work)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(v3_default),
        cmocka_unit_test(v3_compressed),
        cmocka_unit_test(v2_compressed_small_clusters),
        cmocka_unit_test(v3_large_clusters),
        cmocka_unit_test(v3_zero_clusters),
        cmocka_unit_test(corrupt_headers_refused),
        cmocka_unit_test(corrupt_tables_refused),
        cmocka_unit_test(random_damage_never_crashes),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", work);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", work);
    return failed ? 1 : 0;
}
