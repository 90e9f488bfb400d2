/* SPDX-License-Identifier: MIT */
#include "boxes/catalog.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static const char catalog[] =
    "{\"name\":\"debian/bookworm64\",\"versions\":["
    "{\"version\":\"12.1\",\"providers\":[{\"name\":\"libvirt\",\"url\":\"a.box\"}]},"
    "{\"version\":\"12.10\",\"providers\":[{\"name\":\"libvirt\",\"url\":\"b.box\","
    "\"checksum_type\":\"sha1\",\"checksum\":\"A9993E364706816ABA3E25717850C26C9CD0D89D\"}]},"
    "{\"version\":\"13.0\",\"providers\":[{\"name\":\"virtualbox\",\"url\":\"c.box\"}]},"
    "{\"version\":\"12.2\"}]}";

static void selects_highest_matching(void **state)
{
    (void)state;
    struct box_catalog cat;
    char *err = NULL;
    assert_int_equal(box_catalog_parse(catalog, strlen(catalog), "debian/bookworm64", &cat, &err),
                     0);
    const struct catalog_provider *p;
    const struct catalog_version *v = box_catalog_select(&cat, NULL, NULL, &p);
    assert_string_equal(v->version, "12.10"); /* libvirt preferred over the newer virtualbox */
    assert_string_equal(p->url, "b.box");
    assert_true(p->has_checksum);
    assert_string_equal(p->checksum.hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    v = box_catalog_select(&cat, "< 12.5", "libvirt", &p);
    assert_string_equal(v->version, "12.1");
    v = box_catalog_select(&cat, NULL, "virtualbox", &p);
    assert_string_equal(v->version, "13.0");
    assert_null(box_catalog_select(&cat, ">= 14", NULL, &p));
    assert_null(box_catalog_select(&cat, NULL, "hyperv", &p));
    box_catalog_free(&cat);
}

static void reports_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *message;
    } cases[] = {
        {"{", "not valid JSON"},
        {"{} x", "not valid JSON"},
        {"{\"versions\":[]}", "no 'name'"},
        {"{\"name\":\"a\"}", "'versions' must be an array"},
        {"{\"name\":\"a\",\"versions\":[{\"version\":\"x1\"}]}", "versions[0]"},
        {"{\"name\":\"a\",\"versions\":[{\"version\":\"1\",\"providers\":[{\"name\":\"p\"}]}]}",
         "no 'url'"},
        {"{\"name\":\"a\",\"versions\":[{\"version\":\"1\",\"providers\":[{\"name\":\"p\","
         "\"url\":\"u\",\"checksum_type\":\"sha256\",\"checksum\":\"12\"}]}]}",
         "bad checksum"},
        {"[{\"name\":\"b\",\"versions\":[]}]", "no box named 'a'"},
        {"{\"name\":\"b\",\"versions\":[]}", "describes 'b', not 'a'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct box_catalog cat;
        char *err = NULL;
        assert_int_equal(box_catalog_parse(cases[i].text, strlen(cases[i].text), "a", &cat, &err),
                         -1);
        if (!strstr(err, cases[i].message))
            fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].message);
        free(err);
    }
}

static void finds_a_box_in_an_array(void **state)
{
    (void)state;
    const char *text =
        "[{\"name\":\"x\",\"versions\":[]},{\"name\":\"a\",\"versions\":["
        "{\"version\":\"1\",\"providers\":[{\"name\":\"libvirt\",\"url\":\"u\"}]}]}]";
    struct box_catalog cat;
    char *err = NULL;
    assert_int_equal(box_catalog_parse(text, strlen(text), "a", &cat, &err), 0);
    assert_int_equal(cat.nversions, 1);
    box_catalog_free(&cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(selects_highest_matching),
        cmocka_unit_test(reports_errors),
        cmocka_unit_test(finds_a_box_in_an_array),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
