/* SPDX-License-Identifier: MIT */
/* The machine's disk as a clone of the box's raw image: contents equal, holes preserved, grown
 * to the requested size, an existing file never overwritten. */
#include "providers/vmm/disk_clone.h"

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

#define MIB (1024 * 1024)

static char work[] = "/tmp/rove-clone-test.XXXXXX";

static void path_in_work(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", work, name);
}

/* 64 MiB, data at 0 and at 40 MiB, holes between. */
static void make_sparse(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    char block[8192];
    memset(block, 'A', sizeof block);
    assert_int_equal(pwrite(fd, block, sizeof block, 0), (ssize_t)sizeof block);
    memset(block, 'B', sizeof block);
    assert_int_equal(pwrite(fd, block, sizeof block, 40 * MIB), (ssize_t)sizeof block);
    assert_int_equal(ftruncate(fd, 64 * MIB), 0);
    close(fd);
}

static void same_prefix(const char *a, const char *b, long len)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "cmp -n %ld %s %s", len, a, b);
    assert_int_equal(system(cmd), 0);
}

static void clone_keeps_holes_and_grows(void **state)
{
    (void)state;
    char src[256], dst[256], err[256] = "";
    path_in_work(src, sizeof src, "base.raw");
    path_in_work(dst, sizeof dst, "machine.raw");
    make_sparse(src);
    enum disk_clone_method method;
    assert_int_equal(disk_clone(src, dst, 256 * MIB, &method, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(dst, &st), 0);
    assert_int_equal(st.st_size, 256 * MIB);
    assert_int_equal(st.st_mode & 0777, 0600);
    if (method == DISK_CLONE_SPARSE_COPY)
        assert_true(st.st_blocks * 512 < 1 * MIB); /* 16 KiB of data, not 64 MiB */
    same_prefix(src, dst, 64 * MIB);
    unlink(dst);
}

static void clone_smaller_size_keeps_source_size(void **state)
{
    (void)state;
    char src[256], dst[256], err[256] = "";
    path_in_work(src, sizeof src, "base.raw");
    path_in_work(dst, sizeof dst, "same.raw");
    make_sparse(src);
    enum disk_clone_method method;
    assert_int_equal(disk_clone(src, dst, 0, &method, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(dst, &st), 0);
    assert_int_equal(st.st_size, 64 * MIB);
    unlink(dst);
}

static void sparse_copy_direct(void **state)
{
    (void)state;
    char src[256], dst[256];
    path_in_work(src, sizeof src, "base.raw");
    path_in_work(dst, sizeof dst, "copy.raw");
    make_sparse(src);
    int in_fd = open(src, O_RDONLY), out_fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_int_equal(disk_sparse_copy(in_fd, out_fd, 64 * MIB), 0);
    close(in_fd);
    close(out_fd);
    struct stat st;
    assert_int_equal(stat(dst, &st), 0);
    assert_int_equal(st.st_size, 64 * MIB);
    assert_true(st.st_blocks * 512 < 1 * MIB);
    same_prefix(src, dst, 64 * MIB);
    unlink(dst);
}

static void existing_target_refused(void **state)
{
    (void)state;
    char src[256], dst[256], err[256] = "";
    path_in_work(src, sizeof src, "base.raw");
    path_in_work(dst, sizeof dst, "exists.raw");
    make_sparse(src);
    FILE *f = fopen(dst, "w");
    fputs("keep me", f);
    fclose(f);
    enum disk_clone_method method;
    assert_int_equal(disk_clone(src, dst, 0, &method, err, sizeof err), -1);
    assert_non_null(strstr(err, dst));
    struct stat st;
    assert_int_equal(stat(dst, &st), 0);
    assert_int_equal(st.st_size, 7);
    unlink(dst);
}

static void missing_source_named(void **state)
{
    (void)state;
    char dst[256], err[256] = "";
    path_in_work(dst, sizeof dst, "never.raw");
    enum disk_clone_method method;
    assert_int_equal(disk_clone("/nonexistent/box.raw", dst, 0, &method, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/box.raw"));
    assert_int_equal(access(dst, F_OK), -1);
}

int main(void)
{
    if (!mkdtemp(work)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clone_keeps_holes_and_grows),
        cmocka_unit_test(clone_smaller_size_keeps_source_size),
        cmocka_unit_test(sparse_copy_direct),
        cmocka_unit_test(existing_target_refused),
        cmocka_unit_test(missing_source_named),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", work);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", work);
    return failed ? 1 : 0;
}
