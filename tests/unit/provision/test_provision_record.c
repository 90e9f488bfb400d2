/* SPDX-License-Identifier: MIT */
/* Provisioner digests and the record of what ran. */
#include "machine/machinefile.h"
#include "provision/provision_record.h"
#include "util/fs.h"
#include "util/strbuf.h"

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

static char dir[] = "/tmp/rove-record-test.XXXXXX";

static int make_dir(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    return fs_remove_tree(dir);
}

static char *write_file(const char *name, const char *text, mode_t mode)
{
    char *path = fs_join(dir, name);
    char *parent = fs_dirname(path);
    assert_int_equal(fs_mkdir_p(parent, 0700), 0);
    assert_int_equal(fs_write_atomic(path, text, strlen(text), mode), 0);
    free(parent);
    return path;
}

static char *digest_ok(const struct provisioner *p)
{
    char *err = NULL;
    char *d = provisioner_digest(p, &err);
    if (!d)
        fail_msg("%s", err);
    assert_int_equal(strncmp(d, "sha256:", 7), 0);
    assert_int_equal(strlen(d), 7 + 64);
    return d;
}

static void test_digest_follows_content(void **state)
{
    (void)state;
    char *script = write_file("setup.sh", "echo one\n", 0755);
    char *args[] = {"a", "b"};
    struct provisioner p = {
        .kind = PROVISION_SCRIPT, .script = script, .args = args, .nargs = 2, .privileged = true};
    char *d1 = digest_ok(&p), *same = digest_ok(&p);
    assert_string_equal(d1, same);
    free(write_file("setup.sh", "echo two\n", 0755)); /* edited script */
    char *d2 = digest_ok(&p);
    assert_string_not_equal(d1, d2);
    char *moved[] = {"ab", ""}; /* same bytes, other argument split */
    p.args = moved;
    char *d3 = digest_ok(&p);
    assert_string_not_equal(d2, d3);
    p.args = args;
    p.privileged = false;
    char *d4 = digest_ok(&p);
    assert_string_not_equal(d2, d4);
    p.run = PROVISION_RUN_ALWAYS; /* when it runs does not change what it does */
    char *d5 = digest_ok(&p);
    assert_string_equal(d4, d5);
    char *ds[] = {d1, same, d2, d3, d4, d5};
    for (size_t i = 0; i < 6; i++)
        free(ds[i]);
    free(script);
}

static void test_file_digest_covers_folder_contents_and_modes(void **state)
{
    (void)state;
    free(write_file("conf/a.ini", "a=1\n", 0644));
    char *b = write_file("conf/sub/b.ini", "b=1\n", 0644);
    char *src = fs_join(dir, "conf");
    struct provisioner p = {.kind = PROVISION_FILE, .src = src, .dest = "/etc/conf"};
    char *d1 = digest_ok(&p);
    free(write_file("conf/sub/b.ini", "b=2\n", 0644));
    char *d2 = digest_ok(&p);
    assert_int_equal(chmod(b, 0600), 0);
    char *d3 = digest_ok(&p);
    p.dest = "/etc/other";
    char *d4 = digest_ok(&p);
    assert_string_not_equal(d1, d2);
    assert_string_not_equal(d2, d3);
    assert_string_not_equal(d3, d4);
    p.src = "/nonexistent/conf";
    char *err = NULL;
    assert_null(provisioner_digest(&p, &err));
    assert_non_null(strstr(err, "/nonexistent/conf"));
    free(err);
    free(d1);
    free(d2);
    free(d3);
    free(d4);
    free(b);
    free(src);
}

static void test_record_round_trip(void **state)
{
    (void)state;
    char *path = fs_join(dir, PROVISION_RECORD_NAME);
    unlink(path);
    char *err = NULL;
    struct json_object *rec = provision_record_load(path, &err);
    assert_non_null(rec);
    assert_false(provision_record_done(rec, 1, "sha256:aa"));
    provision_record_mark(rec, 1, "sha256:aa", "shell");
    provision_record_mark(rec, 3, "sha256:cc", "file");
    assert_int_equal(provision_record_save(path, rec, &err), 0);
    json_object_put(rec);

    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    rec = provision_record_load(path, &err);
    assert_non_null(rec);
    assert_true(provision_record_done(rec, 1, "sha256:aa"));
    assert_false(provision_record_done(rec, 1, "sha256:bb")); /* edited */
    assert_false(provision_record_done(rec, 2, "sha256:aa")); /* other index */
    assert_true(provision_record_done(rec, 3, "sha256:cc"));
    provision_record_mark(rec, 1, "sha256:bb", "shell"); /* re-run replaces */
    assert_true(provision_record_done(rec, 1, "sha256:bb"));
    assert_false(provision_record_done(rec, 1, "sha256:aa"));
    json_object_put(rec);
    free(path);
}

static void test_corrupt_record_is_an_error_naming_the_file(void **state)
{
    (void)state;
    char *path = write_file("bad.json", "{\"version\": 99}", 0600);
    char *err = NULL;
    assert_null(provision_record_load(path, &err));
    assert_non_null(strstr(err, path));
    free(write_file("bad.json", "not json", 0600));
    assert_null(provision_record_load(path, &err));
    free(err);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digest_follows_content),
        cmocka_unit_test(test_file_digest_covers_folder_contents_and_modes),
        cmocka_unit_test(test_record_round_trip),
        cmocka_unit_test(test_corrupt_record_is_an_error_naming_the_file),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
