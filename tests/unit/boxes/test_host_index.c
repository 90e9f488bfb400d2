/* SPDX-License-Identifier: MIT */
#include "boxes/host_index.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void finds_live_users(void **state)
{
    (void)state;
    char *text = xasprintf("{\"machines\":["
                           "{\"project\":\"/gone\",\"name\":\"old\",\"box\":\"b\","
                           "\"box_version\":\"1\",\"provider\":\"libvirt\","
                           "\"state_dir\":\"/nonexistent/.rove/machines/old\"},"
                           "{\"project\":\"/p\",\"name\":\"web\",\"box\":\"b\","
                           "\"box_version\":\"1\",\"provider\":\"libvirt\",\"state_dir\":\"/\"},"
                           "{\"project\":\"/p\",\"name\":\"any\",\"box\":\"c\","
                           "\"state_dir\":\"/\",\"future_key\":1},"
                           "{\"project\":\"/p\",\"name\":\"fast\",\"box\":\"d\","
                           "\"box_version\":\"1\",\"provider\":\"vmm\",\"state_dir\":\"/\"}]}");
    struct host_index idx;
    char *err = NULL;
    assert_int_equal(host_index_parse(text, strlen(text), &idx, &err), 0);
    assert_int_equal(idx.count, 4);
    const struct host_machine *m = host_index_find_user(&idx, "b", "1", "libvirt");
    assert_non_null(m);
    assert_string_equal(m->name, "web");
    assert_null(host_index_find_user(&idx, "b", "2", "libvirt"));
    assert_null(host_index_find_user(&idx, "b", "1", "vmm"));
    assert_non_null(host_index_find_user(&idx, "c", "9", "vmm"));
    /* A vmm machine runs a box stored for libvirt. */
    m = host_index_find_user(&idx, "d", "1", "libvirt");
    assert_non_null(m);
    assert_string_equal(m->name, "fast");
    host_index_free(&idx);
    free(text);
}

static void missing_is_empty_and_malformed_is_an_error(void **state)
{
    (void)state;
    struct host_index idx;
    char *err = NULL;
    assert_int_equal(host_index_load("/nonexistent/index.json", &idx, &err), 0);
    assert_int_equal(idx.count, 0);
    assert_int_equal(host_index_parse("[]", 2, &idx, &err), -1);
    assert_non_null(strstr(err, "machines"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_live_users),
        cmocka_unit_test(missing_is_empty_and_malformed_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
