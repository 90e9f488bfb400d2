/* SPDX-License-Identifier: MIT */
#include "boxes/paths.h"
#include "boxes/store.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

static char home[] = "/tmp/rove-store-test.XXXXXX";

static int set_up(void **state)
{
    (void)state;
    if (!mkdtemp(home))
        return -1;
    setenv("ROVE_HOME", home, 1);
    return 0;
}

static int tear_down(void **state)
{
    (void)state;
    return fs_remove_tree(home);
}

static void names_escape_and_validate(void **state)
{
    (void)state;
    char *e = box_name_escape("debian/bookworm64");
    assert_string_equal(e, "debian%2Fbookworm64");
    char *u = box_name_unescape(e);
    assert_string_equal(u, "debian/bookworm64");
    free(e);
    free(u);
    e = box_name_escape(".hidden");
    assert_string_equal(e, "%2Ehidden");
    free(e);
    assert_null(box_name_unescape("bad%2"));
    assert_true(box_name_is_valid("a/b.c_d-e"));
    assert_false(box_name_is_valid("a//b"));
    assert_false(box_name_is_valid("a/../b"));
    assert_false(box_name_is_valid("/abs"));
    assert_false(box_name_is_valid("trailing/"));
    assert_false(box_name_is_valid("sp ace"));
    assert_false(box_name_is_valid(""));
}

static void follows_rove_home_and_xdg(void **state)
{
    (void)state;
    char *store = box_store_dir();
    char *want = xasprintf("%s/boxes", home);
    assert_string_equal(store, want);
    free(store);
    free(want);
    char *dl = box_downloads_dir();
    want = xasprintf("%s/cache/downloads", home);
    assert_string_equal(dl, want);
    free(dl);
    free(want);
    unsetenv("ROVE_HOME");
    setenv("XDG_DATA_HOME", "/xdg/data", 1);
    setenv("XDG_CACHE_HOME", "/xdg/cache", 1);
    store = box_store_dir();
    assert_string_equal(store, "/xdg/data/rove/boxes");
    dl = box_downloads_dir();
    assert_string_equal(dl, "/xdg/cache/rove/downloads");
    char *index = rove_host_index_path();
    assert_string_equal(index, "/xdg/data/rove/index.json");
    free(store);
    free(dl);
    free(index);
    setenv("ROVE_HOME", home, 1);
}

static void add_box(const char *name, const char *version)
{
    char *temp = box_store_make_temp(name);
    assert_non_null(temp);
    char *file = fs_join(temp, "box.img");
    assert_int_equal(fs_write_atomic(file, "data", 4, 0644), 0);
    assert_int_equal(box_store_commit(temp, name, version, "libvirt"), 0);
    assert_false(fs_exists(temp));
    free(file);
    free(temp);
}

static void commits_lists_and_removes(void **state)
{
    (void)state;
    add_box("t/b", "1.10");
    add_box("t/b", "1.9");
    add_box("a", "0");
    add_box("t/b", "1.9"); /* replaces atomically */
    struct box_entry *all;
    size_t n;
    assert_int_equal(box_store_list(&all, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(all[0].name, "a");
    assert_string_equal(all[1].version, "1.9");
    assert_string_equal(all[2].version, "1.10");
    assert_true(all[2].size > 0);
    assert_int_equal(box_store_remove(&all[0]), 0);
    char *gone = box_store_path("a", NULL, NULL);
    assert_false(fs_exists(gone));
    free(gone);
    box_entries_free(all, n);
    assert_int_equal(box_store_list(&all, &n), 0);
    assert_int_equal(n, 2);
    box_entries_free(all, n);
}

static void clears_leftovers_of_killed_runs(void **state)
{
    (void)state;
    char *first = box_store_make_temp("k");
    char *second = box_store_make_temp("k");
    assert_false(fs_exists(first));
    assert_true(fs_exists(second));
    fs_remove_tree(second);
    free(first);
    free(second);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_escape_and_validate),
        cmocka_unit_test(follows_rove_home_and_xdg),
        cmocka_unit_test(commits_lists_and_removes),
        cmocka_unit_test(clears_leftovers_of_killed_runs),
    };
    return cmocka_run_group_tests(tests, set_up, tear_down);
}
