/* SPDX-License-Identifier: MIT */
/* Connection, host-key checks, exec and upload against a real sshd on 127.0.0.1. */
#include "provision/guest_conn.h"
#include "provision/guest_exec.h"
#include "provision/guest_upload.h"
#include "provision/keys.h"
#include "provision/known_hosts.h"
#include "sshd_fixture.h"
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

static struct sshd_fixture fx;

static struct guest_conn *connect_ok(void)
{
    struct guest_conn *c = NULL;
    char *err = NULL;
    enum guest_connect_result rc = guest_connect(&fx.target, &c, &err);
    if (rc != GUEST_CONNECTED)
        fail_msg("connect failed: %s", err);
    return c;
}

static void run_capture(struct guest_conn *c, const char *cmd, struct strbuf *out,
                        struct strbuf *errout, int *status)
{
    char *err = NULL;
    if (guest_exec_capture(c, cmd, out, errout, status, &err) < 0)
        fail_msg("exec %s: %s", cmd, err);
}

static void test_exec_separates_streams_and_returns_status(void **state)
{
    (void)state;
    struct guest_conn *c = connect_ok();
    struct strbuf out = STRBUF_INIT, errout = STRBUF_INIT;
    int status = -1;
    run_capture(c, "echo to-stdout; echo to-stderr >&2; printf partial; exit 7", &out, &errout,
                &status);
    assert_int_equal(status, 7);
    assert_string_equal(sb_str(&out), "to-stdout\npartial");
    assert_string_equal(sb_str(&errout), "to-stderr\n");
    sb_release(&out);
    sb_release(&errout);
    guest_disconnect(c);
}

static void test_known_host_key_is_required_and_checked(void **state)
{
    (void)state;
    char *saved = slurp(fx.known_hosts);
    char *err = NULL;
    struct guest_conn *c = NULL;

    /* Another machine's host key recorded: refused, with the machine and file named. */
    write_foreign_known_hosts(&fx, fx.known_hosts);
    assert_int_equal(guest_connect(&fx.target, &c, &err), GUEST_HOSTKEY_MISMATCH);
    assert_null(c);
    assert_non_null(strstr(err, "machine " FIXTURE_MACHINE));
    assert_non_null(strstr(err, "host key verification failed"));
    assert_non_null(strstr(err, fx.known_hosts));

    /* Nothing recorded and no trust on first use: refused. */
    assert_int_equal(fs_write_atomic(fx.known_hosts, "", 0, 0600), 0);
    assert_int_equal(guest_connect(&fx.target, &c, &err), GUEST_HOSTKEY_UNKNOWN);
    assert_non_null(strstr(err, "no host key recorded"));

    /* Trust on first use records the key, which then matches the key rove generated. */
    struct guest_target tofu = fx.target;
    tofu.trust_on_first_use = true;
    assert_int_equal(guest_connect(&tofu, &c, &err), GUEST_CONNECTED);
    guest_disconnect(c);
    assert_int_equal(guest_connect(&fx.target, &c, &err), GUEST_CONNECTED);
    guest_disconnect(c);

    assert_int_equal(fs_write_atomic(fx.known_hosts, saved, strlen(saved), 0600), 0);
    free(saved);
    free(err);
}

static void test_wrong_client_key_is_denied(void **state)
{
    (void)state;
    char *err = NULL;
    char *dir = fs_join(fx.dir, "stranger");
    assert_int_equal(keys_ensure_machine(dir, "stranger", &err), 0);
    char *key = fs_join(dir, KEYS_CLIENT_PRIVATE);
    struct guest_target t = fx.target;
    t.key_path = key;
    struct guest_conn *c = NULL;
    assert_int_equal(guest_connect(&t, &c, &err), GUEST_AUTH_DENIED);
    assert_non_null(strstr(err, "refused key"));
    free(err);
    free(key);
    free(dir);
}

/* Both streams at once, megabytes each, with binary bytes: nothing lost, no stall. */
static void test_large_interleaved_output(void **state)
{
    (void)state;
    struct guest_conn *c = connect_ok();
    struct strbuf out = STRBUF_INIT, errout = STRBUF_INIT;
    int status = -1;
    run_capture(c,
                "cd ~/" FIXTURE_WORK " && head -c 6000000 /dev/urandom > big && "
                "(cat big & cat big >&2; wait) && sha256sum big | cut -c1-64 >&2",
                &out, &errout, &status);
    assert_int_equal(status, 0);
    assert_int_equal(out.len, 6000000);
    assert_int_equal(errout.len, 6000000 + 65);
    struct strbuf sum = STRBUF_INIT;
    run_capture(c, "cd ~/" FIXTURE_WORK " && sha256sum big | cut -c1-64", &sum, NULL, &status);
    assert_memory_equal(errout.buf + 6000000, sum.buf, 65);
    assert_memory_equal(out.buf, errout.buf, 6000000);
    char *local = fs_join(fx.dir, "big.out");
    assert_int_equal(fs_write_atomic(local, out.buf, out.len, 0600), 0);
    struct strbuf cmd = STRBUF_INIT;
    sb_addf(&cmd, "test \"$(sha256sum < %s | cut -c1-64)\" = %.64s", local, sum.buf);
    assert_int_equal(sh_run("%s", cmd.buf), 0);
    sb_release(&cmd);
    sb_release(&out);
    sb_release(&errout);
    sb_release(&sum);
    free(local);
    guest_disconnect(c);
}

static void test_prefixed_output_to_descriptors(void **state)
{
    (void)state;
    struct guest_conn *c = connect_ok();
    char *out_path = fs_join(fx.dir, "prefixed.out"), *err_path = fs_join(fx.dir, "prefixed.err");
    FILE *out = fopen(out_path, "w"), *errf = fopen(err_path, "w");
    struct exec_output o = {.prefix = "testvm: ", .out_fd = fileno(out), .err_fd = fileno(errf)};
    int status = -1;
    char *err = NULL;
    assert_int_equal(
        guest_exec(c, "printf 'one\\ntwo'; printf 'bad\\n' >&2; exit 3", &o, &status, &err), 0);
    fclose(out);
    fclose(errf);
    assert_int_equal(status, 3);
    char *o_text = slurp(out_path), *e_text = slurp(err_path);
    assert_string_equal(o_text, "testvm: one\ntestvm: two\n");
    assert_string_equal(e_text, "testvm: bad\n");
    free(o_text);
    free(e_text);
    free(out_path);
    free(err_path);
    guest_disconnect(c);
}

static void make_local_tree(const char *root)
{
    assert_int_equal(sh_run("mkdir -p '%s/sub/deeper' && printf 'run me' > '%s/tool.sh' && "
                            "chmod 0755 '%s/tool.sh' && printf secret > '%s/sub/key' && "
                            "chmod 0600 '%s/sub/key' && chmod 0750 '%s/sub' && "
                            "printf 'a\\0b' > '%s/sub/deeper/bin' && ln -s ../tool.sh "
                            "'%s/sub/link'",
                            root, root, root, root, root, root, root, root),
                     0);
}

static void test_upload_folder_keeps_modes_and_links(void **state)
{
    (void)state;
    char *tree = fs_join(fx.dir, "tree");
    make_local_tree(tree);
    struct guest_conn *c = connect_ok();
    char *remote = xasprintf("%s/" FIXTURE_WORK "/uploaded", fx.home);
    char *err = NULL;
    if (guest_upload(c, tree, remote, &err) < 0)
        fail_msg("%s", err);
    struct strbuf out = STRBUF_INIT;
    int status = -1;
    char *cmd = xasprintf("cd '%s' && stat -c '%%a %%n' tool.sh sub sub/key && cat tool.sh && "
                          "readlink sub/link && od -An -c sub/deeper/bin",
                          remote);
    run_capture(c, cmd, &out, NULL, &status);
    assert_int_equal(status, 0);
    assert_string_equal(sb_str(&out), "755 tool.sh\n750 sub\n600 sub/key\nrun me../tool.sh\n"
                                      "   a  \\0   b\n");
    /* Uploading again replaces the files (no "already exists" failure). */
    if (guest_upload(c, tree, remote, &err) < 0)
        fail_msg("second upload: %s", err);
    /* A missing local source names the file. */
    assert_int_equal(guest_upload(c, "/nonexistent/src", remote, &err), -1);
    assert_non_null(strstr(err, "/nonexistent/src"));
    sb_release(&out);
    free(cmd);
    free(err);
    free(remote);
    free(tree);
    guest_disconnect(c);
}

int main(void)
{
    int rc = sshd_fixture_start(&fx);
    if (rc != 0)
        return rc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_separates_streams_and_returns_status),
        cmocka_unit_test(test_known_host_key_is_required_and_checked),
        cmocka_unit_test(test_wrong_client_key_is_denied),
        cmocka_unit_test(test_large_interleaved_output),
        cmocka_unit_test(test_prefixed_output_to_descriptors),
        cmocka_unit_test(test_upload_folder_keeps_modes_and_links),
    };
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    sshd_fixture_stop(&fx);
    return rc;
}
