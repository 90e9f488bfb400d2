/* SPDX-License-Identifier: MIT */
/* The option tables' parser and usage text (cli/options.h). */
#include "cli/options.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

enum mode { MODE_DEFAULT, MODE_ON, MODE_OFF };

struct args {
    bool force;
    enum mode mode;
    const char *name;
    int seconds;
    struct opt_list env;
};

static const struct opt table[] = {
    OPT_BOOL('f', "force", struct args, force, "do it"),
    OPT_SET(0, "on", struct args, mode, MODE_ON, "switch on"),
    OPT_SET(0, "off", struct args, mode, MODE_OFF, "switch off"),
    OPT_STRING('n', "name", struct args, name, "NAME", "a name"),
    OPT_COUNT(0, "timeout", struct args, seconds, "SECONDS", "a time-out"),
    OPT_LIST(0, "env", struct args, env, "NAME[=VALUE]", "repeatable"),
    OPT_END,
};

struct parsed {
    struct args a;
    struct opt_result res;
    char err[256];
    int rc;
};

static void parse(struct parsed *p, int argc, const char **argv)
{
    memset(p, 0, sizeof *p);
    struct opt_table t = {table, &p->a};
    p->rc = opt_parse(&t, 1, argc, (char **)argv, 0, &p->res, p->err, sizeof p->err);
}

static void release(struct parsed *p)
{
    opt_release_fields(table, &p->a);
    opt_result_release(&p->res);
}

static void test_every_spelling(void **state)
{
    (void)state;
    const char *argv[] = {"web", "-fnweb1", "--timeout=5", "--env", "A=1", "db", "--env=B", "--on"};
    struct parsed p;
    parse(&p, 8, argv);
    assert_int_equal(p.rc, 0);
    assert_true(p.a.force);
    assert_string_equal(p.a.name, "web1");
    assert_int_equal(p.a.seconds, 5);
    assert_int_equal(p.a.mode, MODE_ON);
    assert_int_equal(p.a.env.count, 2);
    assert_string_equal(p.a.env.items[0], "A=1");
    assert_string_equal(p.a.env.items[1], "B");
    assert_int_equal(p.res.nargs, 2);
    assert_string_equal(p.res.args[0], "web");
    assert_string_equal(p.res.args[1], "db");
    assert_int_equal(p.res.args_after_dashdash, -1);
    release(&p);
}

static void test_dashdash_ends_options(void **state)
{
    (void)state;
    const char *argv[] = {"web", "--", "ls", "-l", "--force"};
    struct parsed p;
    parse(&p, 5, argv);
    assert_int_equal(p.rc, 0);
    assert_false(p.a.force);
    assert_int_equal(p.res.nargs, 4);
    assert_int_equal(p.res.args_after_dashdash, 3);
    assert_string_equal(p.res.args[3], "--force");
    release(&p);
}

static void expect_error(int argc, const char **argv, const char *message)
{
    struct parsed p;
    parse(&p, argc, argv);
    assert_int_equal(p.rc, -1);
    assert_non_null(strstr(p.err, message));
    opt_release_fields(table, &p.a);
}

static void test_errors_name_the_option(void **state)
{
    (void)state;
    expect_error(1, (const char *[]){"--bogus"}, "unknown option '--bogus'");
    expect_error(1, (const char *[]){"-x"}, "unknown option '-x'");
    expect_error(1, (const char *[]){"--name"}, "option '--name' needs a value");
    expect_error(1, (const char *[]){"-n"}, "option '-n' needs a value");
    expect_error(1, (const char *[]){"--force=yes"}, "option '--force' takes no value");
    expect_error(1, (const char *[]){"--timeout=0"}, "--timeout takes a whole number from 1");
    expect_error(1, (const char *[]){"--timeout=9999999999"}, "--timeout takes a whole number");
    expect_error(1, (const char *[]){"--timeout=5s"}, "--timeout takes a whole number");
    expect_error(2, (const char *[]){"--on", "--off"}, "--on and --off exclude each other");
}

static void test_same_choice_twice_is_fine(void **state)
{
    (void)state;
    const char *argv[] = {"--off", "--off", "-h"};
    struct parsed p;
    parse(&p, 3, argv);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.a.mode, MODE_OFF);
    assert_true(p.res.help);
    release(&p);
}

static void test_synopsis_from_the_table(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    const struct opt *tables[] = {table};
    opt_print_synopsis(out, "rove x [NAME...]", tables, 1, "-- COMMAND", 7);
    fclose(out);
    assert_string_equal(text, "rove x [NAME...] [-f|--force] [--on | --off] [-n|--name NAME] "
                              "[--timeout SECONDS]\n"
                              "       [--env NAME[=VALUE]]... -- COMMAND\n");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_spelling),
        cmocka_unit_test(test_dashdash_ends_options),
        cmocka_unit_test(test_errors_name_the_option),
        cmocka_unit_test(test_same_choice_twice_is_fine),
        cmocka_unit_test(test_synopsis_from_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
