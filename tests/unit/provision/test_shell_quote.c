/* SPDX-License-Identifier: MIT */
/* Shell quoting: checked against a real /bin/sh, which must get back exactly the original bytes. */
#include "machine/machinefile.h"
#include "provision/shell_quote.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static const char *const nasty[] = {
    "",      "plain",  "it's",        "''",        "\"double\"", "$HOME",
    "$(id)", "`id`",   "back\\slash", "new\nline", "tab\there",  "*",
    "-n",    "a'b'c'", "\\'",         "!event",    "~",          "semi;colon|pipe&",
};

/* What sh makes of the quoted word: printf '%s' WORD run by /bin/sh, captured. */
static char *through_sh(const char *script_text)
{
    char dir[] = "/tmp/rove-quote-test.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *script = fs_join(dir, "s.sh"), *out = fs_join(dir, "out");
    assert_int_equal(fs_write_atomic(script, script_text, strlen(script_text), 0600), 0);
    char *cmd = xasprintf("/bin/sh %s > %s", script, out);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(fs_read_file(out, &data, &len), 0);
    fs_remove_tree(dir);
    free(cmd);
    free(script);
    free(out);
    return data;
}

static void test_quoted_words_reach_sh_unchanged(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(nasty) / sizeof(nasty[0]); i++) {
        struct strbuf sb = STRBUF_INIT;
        sb_add(&sb, "printf '%s' ");
        sh_quote(&sb, nasty[i]);
        char *got = through_sh(sb.buf);
        assert_string_equal(got, nasty[i]);
        free(got);
        sb_release(&sb);
    }
}

static void test_quote_form(void **state)
{
    (void)state;
    char *q = sh_quoted("it's");
    assert_string_equal(q, "'it'\\''s'");
    free(q);
    q = sh_quoted("");
    assert_string_equal(q, "''");
    free(q);
}

static void test_export_lines(void **state)
{
    (void)state;
    struct env_var env[] = {{"A", "x'y"}, {"_B2", "multi\nline $V"}, {"EMPTY", NULL}};
    struct strbuf sb = STRBUF_INIT;
    const struct env_var *bad = NULL;
    assert_int_equal(sh_export_lines(&sb, env, 3, &bad), 0);
    assert_string_equal(sb.buf,
                        "export A='x'\\''y'\nexport _B2='multi\nline $V'\nexport EMPTY=''\n");
    sb_add(&sb, "printf '%s|%s|%s' \"$A\" \"$_B2\" \"$EMPTY\"\n");
    char *got = through_sh(sb.buf);
    assert_string_equal(got, "x'y|multi\nline $V|");
    free(got);
    sb_release(&sb);
}

static void test_env_names(void **state)
{
    (void)state;
    assert_true(sh_is_env_name("PATH"));
    assert_true(sh_is_env_name("_x1"));
    assert_false(sh_is_env_name(""));
    assert_false(sh_is_env_name("1A"));
    assert_false(sh_is_env_name("A-B"));
    assert_false(sh_is_env_name("A=B"));
    assert_false(sh_is_env_name("A B"));
    struct env_var env[] = {{"OK", "1"}, {"NOT OK", "2"}};
    struct strbuf sb = STRBUF_INIT;
    const struct env_var *bad = NULL;
    assert_int_equal(sh_export_lines(&sb, env, 2, &bad), -1);
    assert_ptr_equal(bad, &env[1]);
    sb_release(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoted_words_reach_sh_unchanged),
        cmocka_unit_test(test_quote_form),
        cmocka_unit_test(test_export_lines),
        cmocka_unit_test(test_env_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
