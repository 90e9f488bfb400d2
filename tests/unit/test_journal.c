/* SPDX-License-Identifier: MIT */
/* The resource journal survives crashes: a record cut anywhere is ignored, every complete one
 * replays, newest first, and an interrupted replay resumes. */
#include "machine/journal.h"
#include "util/fs.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static char tmpdir[] = "/tmp/rove-journal-XXXXXX";
static char path[300];

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(path, sizeof path, "%s/journal", tmpdir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return fs_remove_tree(tmpdir);
}

static int reset(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

struct undo_log {
    char ids[16][64];
    size_t count;
    const char *fail_id; /* undo fails for this id */
};

static int record_undo(const struct journal_record *r, void *ctx)
{
    struct undo_log *log = ctx;
    snprintf(log->ids[log->count++], 64, "%s", r->id);
    return log->fail_id && !strcmp(r->id, log->fail_id) ? -1 : 0;
}

static void append_three(void)
{
    long seq;
    assert_int_equal(journal_append(path, "volume", "disk-a", "{\"pool\":\"rove\"}", &seq), 0);
    assert_int_equal(seq, 1);
    assert_int_equal(journal_append(path, "seed", "seed.iso", NULL, &seq), 0);
    assert_int_equal(journal_append(path, "domain", "rove-1234-web", "{\"uuid\":\"x\\\"y\"}", &seq),
                     0);
    assert_int_equal(seq, 3);
}

static void test_append_and_read(void **state)
{
    (void)state;
    append_three();
    struct journal j;
    assert_int_equal(journal_read(path, &j), 0);
    assert_int_equal(j.count, 3);
    assert_string_equal(j.records[0].kind, "volume");
    assert_string_equal(j.records[0].data, "{\"pool\":\"rove\"}");
    assert_null(j.records[1].data);
    assert_string_equal(j.records[2].data, "{\"uuid\":\"x\\\"y\"}");
    assert_int_equal(j.torn_bytes, 0);
    assert_int_equal(journal_pending(&j), 3);
    journal_free(&j);
}

static void test_replay_in_reverse_and_release(void **state)
{
    (void)state;
    append_three();
    struct undo_log log = {0};
    assert_int_equal(journal_replay_reverse(path, record_undo, &log), 0);
    assert_int_equal(log.count, 3);
    assert_string_equal(log.ids[0], "rove-1234-web");
    assert_string_equal(log.ids[2], "disk-a");
    /* everything released: a second destroy has nothing to do */
    struct undo_log again = {0};
    assert_int_equal(journal_replay_reverse(path, record_undo, &again), 0);
    assert_int_equal(again.count, 0);
}

static void test_failed_undo_stays_pending(void **state)
{
    (void)state;
    append_three();
    struct undo_log log = {.fail_id = "seed.iso"};
    assert_int_equal(journal_replay_reverse(path, record_undo, &log), 1);
    struct undo_log retry = {0};
    assert_int_equal(journal_replay_reverse(path, record_undo, &retry), 0);
    assert_int_equal(retry.count, 1);
    assert_string_equal(retry.ids[0], "seed.iso");
}

/* Cut the file at every byte offset: complete records always replay, the cut one never does, and
 * appending after the cut yields a clean journal. */
static void test_cut_at_every_offset(void **state)
{
    (void)state;
    append_three();
    char *data;
    size_t len;
    assert_int_equal(fs_read_file(path, &data, &len), 0);
    for (size_t cut = 0; cut <= len; cut++) {
        size_t complete = 0;
        for (size_t i = 0; i < cut; i++)
            complete += data[i] == '\n';
        assert_int_equal(fs_write_atomic(path, data, cut, 0600), 0);
        struct undo_log log = {0};
        struct journal j;
        assert_int_equal(journal_read(path, &j), 0);
        assert_int_equal(j.count, complete);
        assert_int_equal(j.bad_lines, 0);
        journal_free(&j);
        /* a new record after the torn tail is read back intact */
        assert_int_equal(journal_append(path, "volume", "after-cut", NULL, NULL), 0);
        assert_int_equal(journal_replay_reverse(path, record_undo, &log), 0);
        assert_int_equal(log.count, complete + 1);
        assert_string_equal(log.ids[0], "after-cut");
    }
    free(data);
}

static void test_garbage_line_skipped(void **state)
{
    (void)state;
    append_three();
    FILE *f = fopen(path, "a");
    fputs("not json\n{\"op\":\"create\"}\n", f);
    fclose(f);
    assert_int_equal(journal_append(path, "volume", "last", NULL, NULL), 0);
    struct journal j;
    assert_int_equal(journal_read(path, &j), 0);
    assert_int_equal(j.count, 4);
    assert_int_equal(j.bad_lines, 2);
    assert_string_equal(j.records[3].id, "last");
    journal_free(&j);
}

static void test_missing_journal_is_empty(void **state)
{
    (void)state;
    struct journal j;
    assert_int_equal(journal_read(path, &j), 0);
    assert_int_equal(j.count, 0);
    journal_free(&j);
    assert_int_equal(journal_append(path, "x", "y", "{not json", NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_append_and_read, reset),
        cmocka_unit_test_setup(test_replay_in_reverse_and_release, reset),
        cmocka_unit_test_setup(test_failed_undo_stays_pending, reset),
        cmocka_unit_test_setup(test_cut_at_every_offset, reset),
        cmocka_unit_test_setup(test_garbage_line_skipped, reset),
        cmocka_unit_test_setup(test_missing_journal_is_empty, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
