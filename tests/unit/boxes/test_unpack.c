/* SPDX-License-Identifier: MIT */
/* The unpacker on archives built here with libarchive's writer. */
#include "boxes/unpack.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

struct builder {
    struct archive *a;
    char *buf;
    size_t cap, used;
};

static void begin(struct builder *b)
{
    b->cap = 64 << 20;
    b->buf = malloc(b->cap);
    b->a = archive_write_new();
    archive_write_set_format_pax_restricted(b->a);
    archive_write_add_filter_gzip(b->a);
    assert_int_equal(archive_write_open_memory(b->a, b->buf, b->cap, &b->used), ARCHIVE_OK);
}

static void add(struct builder *b, const char *name, int type, const char *data, size_t len,
                const char *link)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, (unsigned)type);
    archive_entry_set_perm(e, 0644);
    if (type == AE_IFREG && !(link && *link == 'H'))
        archive_entry_set_size(e, (la_int64_t)len);
    if (type == AE_IFLNK)
        archive_entry_set_symlink(e, link);
    if (link && *link == 'H') {
        archive_entry_set_hardlink(e, link + 1);
        archive_entry_set_size(e, 0);
    }
    if (type == AE_IFCHR)
        archive_entry_set_rdev(e, makedev(1, 3));
    assert_int_equal(archive_write_header(b->a, e), ARCHIVE_OK);
    if (type == AE_IFREG && len)
        assert_int_equal(archive_write_data(b->a, data, len), (la_ssize_t)len);
    archive_entry_free(e);
}

static void end(struct builder *b)
{
    archive_write_close(b->a);
    archive_write_free(b->a);
}

struct result {
    char *dir;
    int rc;
    char *err;
    struct unpack_report report;
};

static struct result unpack(struct builder *b, uint64_t limit)
{
    struct result r = {0};
    r.dir = xstrdup("/tmp/rove-unpack-test.XXXXXX");
    assert_non_null(mkdtemp(r.dir));
    int fd = open(r.dir, O_RDONLY | O_DIRECTORY);
    struct archive *a = box_archive_reader_new(false);
    if (archive_read_open_memory(a, b->buf, b->used) != ARCHIVE_OK) {
        r.rc = -1; /* libarchive recognises no archive at all */
        r.err = xstrdup(archive_error_string(a));
    } else {
        struct unpack_limits limits = {.max_unpacked = limit};
        r.rc = box_unpack(a, fd, &limits, &r.report, &r.err);
    }
    archive_read_free(a);
    close(fd);
    free(b->buf);
    return r;
}

static void finish(struct result *r)
{
    fs_remove_tree(r->dir);
    free(r->dir);
    free(r->err);
}

static char *read_in(const struct result *r, const char *rel)
{
    char *path = fs_join(r->dir, rel), *data = NULL;
    size_t len;
    assert_int_equal(fs_read_file(path, &data, &len), 0);
    free(path);
    return data;
}

static void unpacks_a_good_box(void **state)
{
    (void)state;
    struct builder b;
    begin(&b);
    add(&b, "./metadata.json", AE_IFREG, "{\"provider\":\"libvirt\"}", 22, NULL);
    add(&b, "boot", AE_IFDIR, NULL, 0, NULL);
    add(&b, "boot/vmlinux", AE_IFREG, "kernel", 6, NULL);
    add(&b, "vmlinux", AE_IFLNK, NULL, 0, "boot/vmlinux");
    add(&b, "boot/copy", AE_IFREG, NULL, 0, "Hboot/vmlinux");
    add(&b, "Vagrantfile", AE_IFREG, "ruby", 4, NULL);
    end(&b);
    struct result r = unpack(&b, 0);
    assert_int_equal(r.rc, 0);
    assert_true(r.report.has_vagrantfile);
    assert_int_equal(r.report.entries, 6);
    char *k = read_in(&r, "vmlinux");
    assert_string_equal(k, "kernel");
    free(k);
    k = read_in(&r, "boot/copy");
    assert_string_equal(k, "kernel");
    free(k);
    finish(&r);
}

static void keeps_zero_runs_sparse(void **state)
{
    (void)state;
    size_t size = 32 << 20;
    char *data = calloc(1, size);
    memset(data, 'x', 4096);
    memset(data + size - 4096, 'y', 4096);
    struct builder b;
    begin(&b);
    add(&b, "metadata.json", AE_IFREG, "{}", 2, NULL);
    add(&b, "box.img", AE_IFREG, data, size, NULL);
    end(&b);
    free(data);
    struct result r = unpack(&b, 0);
    assert_int_equal(r.rc, 0);
    char *path = fs_join(r.dir, "box.img");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, (off_t)size);
    assert_true(st.st_blocks * 512 < 1 << 20);
    free(path);
    finish(&r);
}

static void expect_refusal(const char *name, int type, const char *link, uint64_t limit,
                           const char *message)
{
    struct builder b;
    begin(&b);
    add(&b, "metadata.json", AE_IFREG, "{}", 2, NULL);
    add(&b, name, type, "0123456789", type == AE_IFREG && !link ? 10 : 0, link);
    end(&b);
    struct result r = unpack(&b, limit);
    assert_int_equal(r.rc, -1);
    if (!strstr(r.err, message))
        fail_msg("'%s' lacks '%s'", r.err, message);
    finish(&r);
}

static void refuses_escapes_and_specials(void **state)
{
    (void)state;
    expect_refusal("/etc/evil", AE_IFREG, NULL, 0, "'/etc/evil': absolute path refused");
    expect_refusal("a/../../evil", AE_IFREG, NULL, 0, "'..' in the path refused");
    expect_refusal("l", AE_IFLNK, "../x", 0, "pointing outside the box (../x)");
    expect_refusal("l", AE_IFLNK, "/etc/passwd", 0, "absolute path (/etc/passwd)");
    expect_refusal("l", AE_IFLNK, "missing", 0, "pointing to nothing");
    expect_refusal("h", AE_IFREG, "H../../etc/passwd", 0, "hard link pointing outside");
    expect_refusal("h", AE_IFREG, "Hnot-there", 0, "not a file unpacked before it");
    expect_refusal("null", AE_IFCHR, NULL, 0, "'null': device node refused");
    expect_refusal("blk", AE_IFBLK, NULL, 0, "device node refused");
    expect_refusal("p", AE_IFIFO, NULL, 0, "'p': fifo refused");
    expect_refusal("big", AE_IFREG, NULL, 4096, "'big': the box unpacks to more than 4.0 KiB");
    expect_refusal(BOX_RECORD_NAME, AE_IFREG, NULL, 0, "reserved");
}

static void expect_limit_refusal(struct builder *b, const char *message)
{
    struct result r = unpack(b, 0);
    assert_int_equal(r.rc, -1);
    if (!strstr(r.err, message))
        fail_msg("'%s' lacks '%s'", r.err, message);
    finish(&r);
}

/* A stream of zeros as the data of a declared entry: the writer compresses it to almost nothing. */
static void add_zeros(struct builder *b, const char *name, size_t len)
{
    char *zeros = calloc(1, len);
    add(b, name, AE_IFREG, zeros, len, NULL);
    free(zeros);
}

static void limits_the_total_by_virtual_size(void **state)
{
    (void)state;
    /* 0.0001 GB: a limit of about 420 KiB, which a 1 MiB image exceeds at its header. */
    const char *meta = "{\"provider\":\"libvirt\",\"virtual_size\":0.0001}";
    struct builder b;
    begin(&b);
    add(&b, "metadata.json", AE_IFREG, meta, strlen(meta), NULL);
    add_zeros(&b, "box.img", 1 << 20);
    end(&b);
    expect_limit_refusal(&b, "'box.img': the box unpacks to more than 419.4 KiB (429496 bytes), "
                             "its limit (4 x the virtual_size in metadata.json");
    /* metadata.json after the image: the image is charged as it comes, and refused once the
     * metadata sets the limit. */
    begin(&b);
    add_zeros(&b, "box.img", 1 << 20);
    add(&b, "metadata.json", AE_IFREG, meta, strlen(meta), NULL);
    end(&b);
    expect_limit_refusal(&b, "'metadata.json': the box unpacks to more than 419.4 KiB");
    /* Without virtual_size the default applies and the same image passes. */
    begin(&b);
    add(&b, "metadata.json", AE_IFREG, "{\"provider\":\"libvirt\"}", 22, NULL);
    add_zeros(&b, "box.img", 1 << 20);
    end(&b);
    struct result r = unpack(&b, 0);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.report.limit, BOX_DEFAULT_MAX_UNPACKED);
    finish(&r);
}

static void limits_declared_sparse_sizes(void **state)
{
    (void)state;
    /* A sparse entry claiming 1 PiB holds 4 KiB of data: it is charged what it claims. */
    struct builder b;
    begin(&b);
    add(&b, "metadata.json", AE_IFREG, "{\"provider\":\"libvirt\"}", 22, NULL);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "box.img");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)1 << 50);
    archive_entry_sparse_add_entry(e, 0, 4096);
    assert_int_equal(archive_write_header(b.a, e), ARCHIVE_OK);
    char data[4096] = {1};
    archive_write_data(b.a, data, sizeof data);
    archive_entry_free(e);
    end(&b);
    expect_limit_refusal(&b, "'box.img': the box unpacks to more than 64.0 GiB");
}

static void limits_the_number_of_entries(void **state)
{
    (void)state;
    struct builder b;
    begin(&b);
    add(&b, "metadata.json", AE_IFREG, "{\"provider\":\"libvirt\"}", 22, NULL);
    for (int i = 0; i < BOX_MAX_ENTRIES; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%d", i);
        add(&b, name, AE_IFREG, NULL, 0, NULL);
    }
    end(&b);
    expect_limit_refusal(&b, "the box holds more than 10000 entries");
}

static void refuses_damaged_and_empty(void **state)
{
    (void)state;
    struct builder b;
    begin(&b);
    end(&b);
    struct result r = unpack(&b, 0);
    assert_int_equal(r.rc, -1);
    finish(&r);
    begin(&b);
    add(&b, "metadata.json", AE_IFREG, "{}", 2, NULL);
    end(&b);
    b.used /= 2; /* cut the gzip stream short */
    r = unpack(&b, 0);
    assert_int_equal(r.rc, -1);
    finish(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unpacks_a_good_box),
        cmocka_unit_test(keeps_zero_runs_sparse),
        cmocka_unit_test(refuses_escapes_and_specials),
        cmocka_unit_test(refuses_damaged_and_empty),
        cmocka_unit_test(limits_the_total_by_virtual_size),
        cmocka_unit_test(limits_declared_sparse_sizes),
        cmocka_unit_test(limits_the_number_of_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
