/* SPDX-License-Identifier: MIT */
/* util/ and the small machine/ helpers: sizes, names, suggestions, strings, files, JSON. */
#include "machine/names.h"
#include "machine/size.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

static void test_sizes(void **state)
{
    (void)state;
    uint64_t b;
    assert_true(size_parse("512M", &b));
    assert_int_equal(b, 512ULL << 20);
    assert_true(size_parse("2G", &b));
    assert_int_equal(b, 2ULL << 30);
    assert_true(size_parse("1.5G", &b));
    assert_int_equal(b, 1536ULL << 20);
    assert_true(size_parse("20GiB", &b));
    assert_int_equal(b, 20ULL << 30);
    assert_true(size_parse("3gb", &b));
    assert_int_equal(b, 3ULL << 30);
    assert_false(size_parse("512", &b));
    assert_false(size_parse("G", &b));
    assert_false(size_parse("-1G", &b));
    assert_false(size_parse("1.G", &b));
    assert_false(size_parse("1GG", &b));
    assert_false(size_parse("99999999999P", &b));
    /* fractions of T and P are exact, not wrapped past 2^64 (this one used to give 1.5T) */
    assert_true(size_parse("0.0555555P", &b));
    assert_int_equal(b, 62549932274595ULL);
    assert_true(size_parse("0.5T", &b));
    assert_int_equal(b, 1ULL << 39);
    assert_true(size_parse("16383.999999999P", &b));
    assert_int_equal(b, 18446744073708425716ULL);
    assert_false(size_parse("16384P", &b));
    assert_true(size_parse("0.1K", &b)); /* 102.4 bytes, rounded down */
    assert_int_equal(b, 102);
    char buf[32];
    size_format(2ULL << 30, buf, sizeof buf);
    assert_string_equal(buf, "2G");
    size_format(1536ULL << 20, buf, sizeof buf);
    assert_string_equal(buf, "1536M");
    size_format(7, buf, sizeof buf);
    assert_string_equal(buf, "7B");
}

static void test_names(void **state)
{
    (void)state;
    const char *why;
    assert_true(name_is_valid_machine("web-1", &why));
    assert_false(name_is_valid_machine("", &why));
    assert_false(name_is_valid_machine("-a", &why));
    assert_false(name_is_valid_machine("a.b", &why));
    assert_true(name_is_valid_hostname("web.example.org"));
    assert_false(name_is_valid_hostname("web..org"));
    assert_false(name_is_valid_hostname("web."));
    assert_false(name_is_valid_hostname("a_b"));
    assert_true(name_is_valid_env("_A1"));
    assert_false(name_is_valid_env("1A"));
    assert_false(name_is_valid_env("A-B"));
    static const char *const keys[] = {"box", "cpus", "memory", "provision"};
    assert_string_equal(name_suggest("cpu", keys, 4), "cpus");
    assert_string_equal(name_suggest("memroy", keys, 4), "memory");
    assert_string_equal(name_suggest("provison", keys, 4), "provision");
    assert_null(name_suggest("zzzzzz", keys, 4));
    assert_null(name_suggest("b", keys, 4));
}

static void test_strbuf(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    assert_string_equal(sb_str(&sb), "");
    for (int i = 0; i < 1000; i++)
        sb_addf(&sb, "%d,", i);
    assert_int_equal(sb.len, strlen(sb.buf));
    sb_reset(&sb);
    sb_add(&sb, "a");
    sb_addc(&sb, 'b');
    sb_addn(&sb, "cdef", 2);
    char *s = sb_detach(&sb);
    assert_string_equal(s, "abcd");
    assert_null(sb.buf);
    free(s);
}

static void test_fs(void **state)
{
    (void)state;
    char dir[] = "/tmp/rove-fs-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *deep = xasprintf("%s/a/b/c", dir);
    assert_int_equal(fs_mkdir_p(deep, 0700), 0);
    assert_int_equal(fs_mkdir_p(deep, 0700), 0);
    assert_true(fs_is_dir(deep));
    char *file = xasprintf("%s/f", deep);
    assert_int_equal(fs_write_atomic(file, "hello", 5, 0600), 0);
    assert_int_equal(fs_write_atomic(file, "bye", 3, 0640), 0);
    char *data;
    size_t len;
    assert_int_equal(fs_read_file(file, &data, &len), 0);
    assert_int_equal(len, 3);
    assert_string_equal(data, "bye");
    struct stat st;
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    free(data);
    assert_int_equal(fs_remove_tree(dir), 0);
    assert_false(fs_exists(dir));
    assert_int_equal(fs_remove_tree(dir), 0);
    free(deep);
    free(file);

    char *abs = fs_absolute("/a/./b/../c//d/");
    assert_string_equal(abs, "/a/c/d");
    free(abs);
    abs = fs_absolute("/..");
    assert_string_equal(abs, "/");
    free(abs);
    char *d = fs_dirname("/x/y");
    assert_string_equal(d, "/x");
    free(d);
    d = fs_dirname("y");
    assert_string_equal(d, ".");
    free(d);
    char *j = fs_join("/base", "/abs");
    assert_string_equal(j, "/abs");
    free(j);
}

static void test_json_escaping(void **state)
{
    (void)state;
    struct json_object *o = json_object_new_object();
    json_add_string(o, "s", "quote\" back\\ nl\n tab\t ctl\x01 slash/");
    json_add_string(o, "n", NULL);
    const char *text =
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    assert_string_equal(text, "{\"s\":\"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 slash/\","
                              "\"n\":null}");
    struct json_object *back = json_tokener_parse(text);
    struct json_object *s;
    assert_true(json_object_object_get_ex(back, "s", &s));
    assert_string_equal(json_object_get_string(s), "quote\" back\\ nl\n tab\t ctl\x01 slash/");
    json_object_put(back);
    json_object_put(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),         cmocka_unit_test(test_names),
        cmocka_unit_test(test_strbuf),        cmocka_unit_test(test_fs),
        cmocka_unit_test(test_json_escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
