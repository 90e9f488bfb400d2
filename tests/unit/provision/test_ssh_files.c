/* SPDX-License-Identifier: MIT */
/* Key generation, known_hosts entries, the OpenSSH client config and the console tail. */
#include "provision/console_tail.h"
#include "provision/keys.h"
#include "provision/known_hosts.h"
#include "provision/seed.h"
#include "provision/ssh_client_config.h"
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

static char dir[] = "/tmp/rove-sshfiles-test.XXXXXX";

static int make_dir(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    return fs_remove_tree(dir);
}

static mode_t mode_of(const char *dir_path, const char *name)
{
    char *path = fs_join(dir_path, name);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    free(path);
    return st.st_mode & 0777;
}

static void test_machine_keys_are_generated_once(void **state)
{
    (void)state;
    char *state_dir = fs_join(dir, "machines/web");
    char *err = NULL;
    assert_int_equal(keys_ensure_machine(state_dir, "web", &err), 0);
    assert_int_equal(mode_of(state_dir, ""), 0700);
    assert_int_equal(mode_of(state_dir, KEYS_CLIENT_PRIVATE), 0600);
    assert_int_equal(mode_of(state_dir, KEYS_HOST_PRIVATE), 0600);
    char *priv_path = fs_join(state_dir, KEYS_CLIENT_PRIVATE);
    char *pub_path = fs_join(state_dir, KEYS_CLIENT_PUBLIC);
    char *priv = NULL;
    size_t len = 0;
    assert_int_equal(fs_read_file(priv_path, &priv, &len), 0);
    assert_non_null(strstr(priv, "-----BEGIN OPENSSH PRIVATE KEY-----"));
    char *pub = keys_read_public(pub_path, &err);
    assert_int_equal(strncmp(pub, "ssh-ed25519 AAAA", 16), 0);
    assert_null(strchr(pub + 12, ' ')); /* comment dropped */

    /* known_hosts comes with the seed (only the seed makes the key the guest's), matching the
     * machine's key whatever its address. */
    char *host_pub_path = fs_join(state_dir, KEYS_HOST_PUBLIC);
    char *host_pub = keys_read_public(host_pub_path, &err);
    char *known_path = fs_join(state_dir, KEYS_KNOWN_HOSTS);
    assert_false(fs_exists(known_path));
    assert_int_equal(seed_create_for_machine(state_dir, "web", "web", &err), 0);
    assert_int_equal(mode_of(state_dir, KEYS_KNOWN_HOSTS), 0600);
    char *known = NULL;
    assert_int_equal(fs_read_file(known_path, &known, &len), 0);
    char *want = xasprintf("* %s\n", host_pub);
    assert_string_equal(known, want);
    char *algorithms = known_hosts_algorithms(known_path);
    assert_string_equal(algorithms, "ssh-ed25519");

    /* A second call keeps the keys. */
    assert_int_equal(keys_ensure_machine(state_dir, "web", &err), 0);
    char *pub_again = keys_read_public(pub_path, &err);
    assert_string_equal(pub, pub_again);

    /* The OpenSSH tool agrees these are valid keys. */
    char *cmd = xasprintf("ssh-keygen -y -f %s > /dev/null 2>&1 || ! command -v ssh-keygen "
                          ">/dev/null",
                          priv_path);
    assert_int_equal(system(cmd), 0);
    char *ptrs[] = {state_dir,     priv_path, pub_path,   priv,  pub,
                    host_pub_path, host_pub,  known_path, known, want,
                    algorithms,    pub_again, cmd};
    for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++)
        free(ptrs[i]);
}

static void test_malformed_public_key_names_the_file(void **state)
{
    (void)state;
    char *path = fs_join(dir, "bad.pub");
    assert_int_equal(fs_write_atomic(path, "justoneword\n", 12, 0600), 0);
    char *err = NULL;
    assert_null(keys_read_public(path, &err));
    assert_non_null(strstr(err, path));
    free(err);
    free(path);
}

static void test_client_config(void **state)
{
    (void)state;
    struct ssh_client_config cfg = {"web",     "127.0.0.1",         2222,
                                    "vagrant", "/p/my dir/100%/id", "/p/known_hosts"};
    char *err = NULL;
    char *text = ssh_client_config_text(&cfg, &err);
    assert_string_equal(text, "Host web\n"
                              "  HostName 127.0.0.1\n"
                              "  Port 2222\n"
                              "  User vagrant\n"
                              "  IdentityFile \"/p/my dir/100%%/id\"\n"
                              "  UserKnownHostsFile \"/p/known_hosts\"\n"
                              "  IdentitiesOnly yes\n"
                              "  StrictHostKeyChecking yes\n"
                              "  PasswordAuthentication no\n"
                              "  LogLevel ERROR\n");
    free(text);
    cfg.identity = "/p/\"quoted\"";
    assert_null(ssh_client_config_text(&cfg, &err));
    assert_non_null(strstr(err, "/p/\"quoted\""));
    free(err);
}

static void test_console_tail(void **state)
{
    (void)state;
    char *path = fs_join(dir, "console.log");
    struct strbuf log = STRBUF_INIT;
    for (int i = 1; i <= 5000; i++)
        sb_addf(&log, "line %d\r\n", i);
    sb_add(&log, "\033[1mbold\033[0m\n");
    assert_int_equal(fs_write_atomic(path, log.buf, log.len, 0600), 0);
    struct strbuf tail = STRBUF_INIT;
    assert_int_equal(file_tail(path, 3, &tail), 0);
    assert_string_equal(sb_str(&tail), "line 4999\nline 5000\n.[1mbold.[0m\n");
    sb_reset(&tail);
    assert_int_equal(fs_write_atomic(path, "only\nno newline", 15, 0600), 0);
    assert_int_equal(file_tail(path, 30, &tail), 0);
    assert_string_equal(sb_str(&tail), "only\nno newline\n");
    sb_reset(&tail);
    assert_int_equal(fs_write_atomic(path, "", 0, 0600), 0);
    assert_int_equal(file_tail(path, 30, &tail), 0);
    assert_string_equal(sb_str(&tail), "");
    assert_int_equal(file_tail("/nonexistent/console.log", 30, &tail), -1);
    assert_int_equal(print_file_tail("/nonexistent/console.log", 30), -1);
    sb_release(&tail);
    sb_release(&log);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_machine_keys_are_generated_once),
        cmocka_unit_test(test_malformed_public_key_names_the_file),
        cmocka_unit_test(test_client_config),
        cmocka_unit_test(test_console_tail),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
