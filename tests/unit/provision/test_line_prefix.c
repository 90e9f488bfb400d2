/* SPDX-License-Identifier: MIT */
/* The line splitter that prefixes provisioner output with the machine's name. */
#include "provision/line_prefix.h"
#include "util/strbuf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct sink {
    struct strbuf all;
    int writes;
};

static int collect(void *ctx, const char *data, size_t len)
{
    struct sink *s = ctx;
    sb_addn(&s->all, data, len);
    s->writes++;
    return 0;
}

static void feed_str(struct line_prefixer *lp, const char *s)
{
    assert_int_equal(line_prefixer_feed(lp, s, strlen(s)), 0);
}

static void test_lines_split_across_chunks(void **state)
{
    (void)state;
    struct sink s = {STRBUF_INIT, 0};
    struct line_prefixer lp;
    line_prefixer_init(&lp, "web: ", collect, &s);
    feed_str(&lp, "hel");
    assert_int_equal(s.writes, 0); /* a partial line waits */
    feed_str(&lp, "lo\nwor");
    feed_str(&lp, "ld\n\nlast");
    assert_string_equal(sb_str(&s.all), "web: hello\nweb: world\nweb: \n");
    assert_int_equal(line_prefixer_flush(&lp), 0);
    assert_string_equal(sb_str(&s.all), "web: hello\nweb: world\nweb: \nweb: last\n");
    assert_int_equal(s.writes, 4); /* one write per line */
    assert_int_equal(line_prefixer_flush(&lp), 0);
    assert_int_equal(s.writes, 4); /* nothing pending: nothing written */
    line_prefixer_release(&lp);
    sb_release(&s.all);
}

static void test_binary_bytes_pass_through(void **state)
{
    (void)state;
    struct sink s = {STRBUF_INIT, 0};
    struct line_prefixer lp;
    line_prefixer_init(&lp, "db: ", collect, &s);
    const char data[] = {'a', 0, '\xff', '\r', '\n', 0};
    assert_int_equal(line_prefixer_feed(&lp, data, sizeof(data)), 0);
    line_prefixer_flush(&lp);
    const char want[] = {'d',  'b', ':', ' ', 'a', 0, '\xff', '\r',
                         '\n', 'd', 'b', ':', ' ', 0, '\n'};
    assert_int_equal(s.all.len, sizeof(want));
    assert_memory_equal(s.all.buf, want, sizeof(want));
    line_prefixer_release(&lp);
    sb_release(&s.all);
}

static void test_long_line_is_cut_not_buffered_forever(void **state)
{
    (void)state;
    struct sink s = {STRBUF_INIT, 0};
    struct line_prefixer lp;
    line_prefixer_init(&lp, "p: ", collect, &s);
    size_t n = LINE_PREFIX_MAX_LINE * 2 + 10;
    char *big = malloc(n);
    memset(big, 'x', n);
    assert_int_equal(line_prefixer_feed(&lp, big, n), 0);
    assert_int_equal(s.writes, 2);
    line_prefixer_flush(&lp);
    assert_int_equal(s.writes, 3);
    assert_int_equal(s.all.len, n + 3 * (3 + 1));
    assert_memory_equal(s.all.buf, "p: xxx", 6);
    free(big);
    line_prefixer_release(&lp);
    sb_release(&s.all);
}

static int failing(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
    return -1;
}

static void test_write_errors_are_reported(void **state)
{
    (void)state;
    struct line_prefixer lp;
    line_prefixer_init(&lp, "x: ", failing, NULL);
    assert_int_equal(line_prefixer_feed(&lp, "a\n", 2), -1);
    assert_int_equal(line_prefixer_feed(&lp, "b", 1), 0);
    assert_int_equal(line_prefixer_flush(&lp), -1);
    line_prefixer_release(&lp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_split_across_chunks),
        cmocka_unit_test(test_binary_bytes_pass_through),
        cmocka_unit_test(test_long_line_is_cut_not_buffered_forever),
        cmocka_unit_test(test_write_errors_are_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
