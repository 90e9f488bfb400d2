/* SPDX-License-Identifier: MIT */
/* Shell, script and file provisioners, run records and failures against a real sshd. */
#include "machine/machinefile.h"
#include "provision/guest_conn.h"
#include "provision/provision_record.h"
#include "provision/provisioners.h"
#include "sshd_fixture.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <pwd.h>
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

static struct sshd_fixture fx;

/* Quotes, a newline, $, backquotes, backslashes and a command substitution: none may be
 * interpreted on the way to the script. */
#define NASTY "it's \"quoted\" $HOME `id` \\n\\ \nsecond line $(touch /tmp/rove-pwned) '"

static char *work_path(const char *name)
{
    return xasprintf("%s/" FIXTURE_WORK "/%s", fx.home, name);
}

static char *local_file(const char *name, const char *text, mode_t mode)
{
    char *path = fs_join(fx.dir, name);
    char *dir = fs_dirname(path);
    assert_int_equal(fs_mkdir_p(dir, 0700), 0);
    assert_int_equal(fs_write_atomic(path, text, strlen(text), mode), 0);
    free(dir);
    return path;
}

static int run_list(const struct provisioner *list, size_t n, bool force, char **err)
{
    struct guest_conn *c = NULL;
    if (guest_connect(&fx.target, &c, err) != GUEST_CONNECTED)
        fail_msg("connect: %s", *err);
    char *log_path = fs_join(fx.dir, "provision.log");
    FILE *log = fopen(log_path, "a");
    struct provision_options o = {FIXTURE_MACHINE, fx.state_dir, force, fileno(log), fileno(log)};
    int rc = provision_run(c, list, n, &o, err);
    fclose(log);
    free(log_path);
    guest_disconnect(c);
    return rc;
}

static char *uid_line(bool privileged)
{
    return privileged ? xstrdup("0\n")
                      : xasprintf("%u\n", (unsigned)getpwnam(FIXTURE_USER)->pw_uid);
}

static void check_script_kind(bool privileged)
{
    char *script = local_file("scripts/show.sh",
                              "#!/bin/sh\n{ printf '[%s]\\n' \"$@\"; printf 'NASTY=[%s]\\n' "
                              "\"$NASTY\"; id -u; } > \"$OUT\"\n",
                              0644);
    char *out = work_path(privileged ? "script-root.out" : "script-user.out");
    char *args[] = {"--fast", NASTY, "", "two words"};
    struct env_var env[] = {{"NASTY", NASTY}, {"OUT", out}};
    struct provisioner p = {.kind = PROVISION_SCRIPT,
                            .script = script,
                            .args = args,
                            .nargs = 4,
                            .env = env,
                            .nenv = 2,
                            .privileged = privileged};
    char *err = NULL;
    if (run_list(&p, 1, false, &err) < 0)
        fail_msg("%s", err);
    char *got = slurp(out);
    char *uid = uid_line(privileged);
    char *want = xasprintf("[--fast]\n[%s]\n[]\n[two words]\nNASTY=[%s]\n%s", NASTY, NASTY, uid);
    assert_string_equal(got, want);
    assert_false(fs_exists("/tmp/rove-pwned"));
    free(got);
    free(uid);
    free(want);
    free(out);
    free(script);
}

static void test_script_with_nasty_args_and_env(void **state)
{
    (void)state;
    check_script_kind(false);
    check_script_kind(true);
}

static void test_inline_shell_and_prefixed_output(void **state)
{
    (void)state;
    char *out = work_path("inline.out");
    struct env_var env[] = {{"NASTY", NASTY}, {"OUT", out}};
    struct provisioner p = {.kind = PROVISION_SHELL,
                            .inline_script =
                                "printf '%s' \"$NASTY\" > \"$OUT\"\n"
                                "echo inline-ran\necho inline-warning >&2\nid -u >> \"$OUT\"",
                            .env = env,
                            .nenv = 2,
                            .privileged = true};
    char *err = NULL;
    if (run_list(&p, 1, false, &err) < 0)
        fail_msg("%s", err);
    char *got = slurp(out);
    assert_string_equal(got, NASTY "0\n");
    char *log_path = fs_join(fx.dir, "provision.log");
    char *log = slurp(log_path);
    assert_non_null(strstr(log, FIXTURE_MACHINE ": inline-ran\n"));
    assert_non_null(strstr(log, FIXTURE_MACHINE ": inline-warning\n"));
    free(log);
    free(log_path);
    free(got);
    free(out);
}

static void test_file_provisioner(void **state)
{
    (void)state;
    char *ini = local_file("conf/app.ini", "[app]\nmode=test\n", 0640);
    char *tree = fs_join(fx.dir, "conf");
    char *user_dest = work_path("files/deep/app.ini");
    struct provisioner list[] = {
        {.kind = PROVISION_FILE,
         .src = ini,
         .dest = "/opt/rove-provision-test/etc/app.ini",
         .privileged = true},
        {.kind = PROVISION_FILE,
         .src = tree,
         .dest = "/opt/rove-provision-test/tree",
         .privileged = true},
        {.kind = PROVISION_FILE, .src = ini, .dest = user_dest, .privileged = false},
    };
    char *err = NULL;
    sh_run("rm -rf /opt/rove-provision-test");
    if (run_list(list, 3, false, &err) < 0)
        fail_msg("%s", err);
    assert_int_equal(
        sh_run("cmp -s %s /opt/rove-provision-test/etc/app.ini && "
               "cmp -s %s /opt/rove-provision-test/tree/app.ini && "
               "test \"$(stat -c '%%U %%a' /opt/rove-provision-test/etc/app.ini)\" = "
               "'root 640' && test \"$(stat -c '%%U %%a' %s)\" = '%s 640' && cmp -s %s %s",
               ini, ini, user_dest, FIXTURE_USER, ini, user_dest),
        0);
    sh_run("rm -rf /opt/rove-provision-test");
    free(user_dest);
    free(tree);
    free(ini);
}

static int count_lines(const char *name)
{
    char *path = work_path(name);
    int n = 0;
    if (fs_exists(path)) {
        char *text = slurp(path);
        for (char *p = text; *p; p++)
            n += *p == '\n';
        free(text);
    }
    free(path);
    return n;
}

static void test_run_once_is_recorded(void **state)
{
    (void)state;
    char *record_path = fs_join(fx.state_dir, PROVISION_RECORD_NAME);
    unlink(record_path);
    struct provisioner list[] = {
        {.kind = PROVISION_SHELL,
         .inline_script = "echo x >> ~/" FIXTURE_WORK "/once",
         .privileged = false,
         .run = PROVISION_RUN_ONCE},
        {.kind = PROVISION_SHELL,
         .inline_script = "echo x >> ~/" FIXTURE_WORK "/always",
         .privileged = false,
         .run = PROVISION_RUN_ALWAYS},
    };
    char *err = NULL;
    assert_int_equal(run_list(list, 2, false, &err), 0);
    assert_int_equal(run_list(list, 2, false, &err), 0);
    assert_int_equal(count_lines("once"), 1);
    assert_int_equal(count_lines("always"), 2);
    assert_true(fs_exists(record_path));

    /* Edited: its digest changes, so it runs again. */
    list[0].inline_script = "echo x >> ~/" FIXTURE_WORK "/once # edited";
    assert_int_equal(run_list(list, 2, false, &err), 0);
    assert_int_equal(count_lines("once"), 2);
    /* `rove provision` forces every provisioner. */
    assert_int_equal(run_list(list, 2, true, &err), 0);
    assert_int_equal(count_lines("once"), 3);
    assert_int_equal(count_lines("always"), 4);
    free(record_path);
    free(err);
}

static void test_failing_provisioner_is_named(void **state)
{
    (void)state;
    char *record_path = fs_join(fx.state_dir, PROVISION_RECORD_NAME);
    unlink(record_path);
    char *script =
        local_file("scripts/fail.sh", "#!/bin/sh\necho about to fail >&2\nexit 3\n", 0644);
    struct provisioner list[] = {
        {.kind = PROVISION_SHELL, .inline_script = "true", .privileged = false},
        {.kind = PROVISION_SCRIPT, .script = script, .privileged = true},
        {.kind = PROVISION_SHELL, .inline_script = "echo never >> ~/" FIXTURE_WORK "/never"},
    };
    char *err = NULL;
    assert_int_equal(run_list(list, 3, false, &err), -1);
    char *want = xasprintf("machine " FIXTURE_MACHINE ": provisioner 2 (script %s) failed with "
                           "exit status 3",
                           script);
    assert_string_equal(err, want);
    assert_int_equal(count_lines("never"), 0);
    /* The first one is recorded as done, the failed one is not. */
    char *rec_err = NULL;
    struct json_object *rec = provision_record_load(record_path, &rec_err);
    assert_non_null(rec);
    char *d1 = provisioner_digest(&list[0], &rec_err), *d2 = provisioner_digest(&list[1], &rec_err);
    assert_true(provision_record_done(rec, 1, d1));
    assert_false(provision_record_done(rec, 2, d2));

    /* A bad environment variable name is refused before anything runs. */
    struct env_var bad_env[] = {{"BAD-NAME", "x"}};
    struct provisioner bad = {
        .kind = PROVISION_SHELL, .inline_script = "true", .env = bad_env, .nenv = 1};
    assert_int_equal(run_list(&bad, 1, false, &err), -1);
    assert_non_null(strstr(err, "BAD-NAME"));
    json_object_put(rec);
    free(d1);
    free(d2);
    free(want);
    free(script);
    free(record_path);
    free(err);
}

int main(void)
{
    int rc = sshd_fixture_start(&fx);
    if (rc != 0)
        return rc;
    unlink("/tmp/rove-pwned");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_script_with_nasty_args_and_env),
        cmocka_unit_test(test_inline_shell_and_prefixed_output),
        cmocka_unit_test(test_file_provisioner),
        cmocka_unit_test(test_run_once_is_recorded),
        cmocka_unit_test(test_failing_provisioner_is_named),
    };
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    sshd_fixture_stop(&fx);
    return rc;
}
