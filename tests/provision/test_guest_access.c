/* SPDX-License-Identifier: MIT */
/* Waiting for SSH, the insecure-key replacement, the OpenSSH client config and the interactive
 * shell, against a real sshd on 127.0.0.1. */
#include "provision/guest_conn.h"
#include "provision/guest_exec.h"
#include "provision/guest_shell.h"
#include "provision/guest_wait.h"
#include "provision/insecure_key.h"
#include "provision/keys.h"
#include "provision/ssh_client_config.h"
#include "sshd_fixture.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static struct sshd_fixture fx;

struct phases {
    enum guest_wait_phase seen[8];
    int count;
    int abort_after; /* should_abort() calls before it answers; -1: never */
};

static void note_phase(enum guest_wait_phase phase, void *ctx)
{
    struct phases *p = ctx;
    if (p->count < 8)
        p->seen[p->count++] = phase;
}

static const char *abort_later(void *ctx)
{
    struct phases *p = ctx;
    if (p->abort_after < 0 || p->abort_after-- > 0)
        return NULL;
    return "the domain is no longer running";
}

static void test_wait_reports_each_phase(void **state)
{
    (void)state;
    struct phases p = {.abort_after = -1};
    struct guest_wait_options o = {.on_phase = note_phase, .should_abort = abort_later, .ctx = &p};
    struct guest_conn *c = NULL;
    char *err = NULL;
    if (guest_wait_for_ssh(&fx.target, &o, &c, &err) < 0)
        fail_msg("%s", err);
    assert_int_equal(p.count, 4);
    assert_int_equal(p.seen[0], GUEST_WAIT_PORT);
    assert_int_equal(p.seen[1], GUEST_WAIT_BANNER);
    assert_int_equal(p.seen[2], GUEST_WAIT_AUTH);
    assert_int_equal(p.seen[3], GUEST_WAIT_READY);
    guest_disconnect(c);
}

static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    bind(fd, (struct sockaddr *)&a, sizeof(a));
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

static void test_wait_times_out_naming_the_phase(void **state)
{
    (void)state;
    struct guest_target t = fx.target;
    t.port = closed_port();
    struct phases p = {.abort_after = -1};
    struct guest_wait_options o = {.port_timeout_s = 1, .on_phase = note_phase, .ctx = &p};
    struct guest_conn *c = NULL;
    char *err = NULL;
    assert_int_equal(guest_wait_for_ssh(&t, &o, &c, &err), -1);
    assert_null(c);
    assert_non_null(strstr(err, "machine " FIXTURE_MACHINE ": timed out after 1 s"));
    assert_non_null(strstr(err, "(phase: port open)"));
    assert_non_null(strstr(err, "Connection refused"));
    free(err);
}

static void test_wait_can_be_aborted(void **state)
{
    (void)state;
    struct guest_target t = fx.target;
    t.port = closed_port();
    struct phases p = {.abort_after = 3};
    struct guest_wait_options o = {.on_phase = note_phase, .should_abort = abort_later, .ctx = &p};
    struct guest_conn *c = NULL;
    char *err = NULL;
    assert_int_equal(guest_wait_for_ssh(&t, &o, &c, &err), -1);
    assert_string_equal(err,
                        "machine " FIXTURE_MACHINE
                        ": stopped waiting for SSH (port open): the domain is no longer running");
    free(err);
}

/* A listener that is not an SSH server: the banner phase must notice. */
static void *answer_http(void *arg)
{
    int lfd = *(int *)arg;
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            return NULL;
        (void)!write(fd, "HTTP/1.0 400 Bad Request\r\n\r\n", 28);
        close(fd);
    }
}

static void test_wait_banner_rejects_other_servers(void **state)
{
    (void)state;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(lfd, 16), 0);
    getsockname(lfd, (struct sockaddr *)&a, &len);
    pthread_t th;
    pthread_create(&th, NULL, answer_http, &lfd);
    struct guest_target t = fx.target;
    t.port = ntohs(a.sin_port);
    struct phases p = {.abort_after = -1};
    struct guest_wait_options o = {.banner_timeout_s = 1, .on_phase = note_phase, .ctx = &p};
    struct guest_conn *c = NULL;
    char *err = NULL;
    assert_int_equal(guest_wait_for_ssh(&t, &o, &c, &err), -1);
    assert_non_null(strstr(err, "(phase: SSH banner)"));
    assert_non_null(strstr(err, "something other than an SSH server"));
    shutdown(lfd, SHUT_RDWR);
    close(lfd);
    pthread_join(th, NULL);
    free(err);
}

static char *authorized_keys(void)
{
    char *path = xasprintf("%s/.ssh/authorized_keys", fx.home);
    char *text = slurp(path);
    free(path);
    return text;
}

static enum guest_connect_result try_key(const char *key_data)
{
    struct guest_target t = fx.target;
    t.key_path = key_data ? NULL : fx.key_path;
    t.key_data = key_data;
    struct guest_conn *c = NULL;
    char *err = NULL;
    enum guest_connect_result rc = guest_connect(&t, &c, &err);
    guest_disconnect(c);
    free(err);
    return rc;
}

/* A box as Vagrant ships them: only the insecure key, last line without a newline, and a host key
 * rove has never seen. */
static void prepare_insecure_box(void)
{
    char *keys = xasprintf("# shipped with the box\n%s", vagrant_insecure_public_key);
    sshd_fixture_set_authorized_keys(&fx, keys);
    free(keys);
    assert_int_equal(fs_write_atomic(fx.known_hosts, "", 0, 0600), 0);
    assert_int_equal(try_key(vagrant_insecure_private_key), GUEST_HOSTKEY_UNKNOWN);
}

static char *client_public_key(void)
{
    char *err = NULL;
    char *path = fs_join(fx.state_dir, KEYS_CLIENT_PUBLIC);
    char *key = keys_read_public(path, &err);
    free(path);
    return key;
}

static void check_only_machine_key_works(void)
{
    char *keys = authorized_keys();
    char *mine = client_public_key();
    assert_null(strstr(keys, "AAAAB3NzaC1yc2EAAAABIwAAAQEA6NF8iallvQVp22WDkTkyrtvp9eWW6A8"));
    char *first = strstr(keys, mine);
    assert_non_null(first);
    assert_null(strstr(first + 1, mine));
    assert_non_null(strstr(keys, "# shipped with the box\n"));
    assert_int_equal(try_key(NULL), GUEST_CONNECTED);
    assert_int_equal(try_key(vagrant_insecure_private_key), GUEST_AUTH_DENIED);
    free(keys);
    free(mine);
}

static void test_insecure_key_is_replaced(void **state)
{
    (void)state;
    prepare_insecure_box();
    struct guest_target t = fx.target;
    t.trust_on_first_use = true;
    char *err = NULL;
    if (guest_replace_insecure_key(&t, NULL, &err) < 0)
        fail_msg("%s", err);
    check_only_machine_key_works();
    /* The host key was recorded at first contact and is checked from now on. */
    assert_int_equal(sh_run("grep -q ssh-ed25519 %s", fx.known_hosts), 0);
    free(err);
}

static void test_wait_falls_back_to_insecure_key(void **state)
{
    (void)state;
    prepare_insecure_box();
    struct guest_target t = fx.target;
    t.trust_on_first_use = true;
    struct guest_wait_options o = {.insecure_key_fallback = true};
    struct guest_conn *c = NULL;
    char *err = NULL;
    if (guest_wait_for_ssh(&t, &o, &c, &err) < 0)
        fail_msg("%s", err);
    guest_disconnect(c);
    check_only_machine_key_works();
    /* A second `up` finds the machine's key in place. */
    assert_int_equal(guest_wait_for_ssh(&t, &o, &c, &err), 0);
    guest_disconnect(c);
    free(err);
}

static void test_openssh_uses_the_client_config(void **state)
{
    (void)state;
    if (sh_run("command -v ssh >/dev/null") != 0) {
        printf("SKIP part: no OpenSSH client (apt-get install openssh-client)\n");
        skip();
    }
    char *path = fs_join(fx.dir, "ssh_config");
    struct ssh_client_config cfg = {FIXTURE_MACHINE, "127.0.0.1", fx.port,
                                    FIXTURE_USER,    fx.key_path, fx.known_hosts};
    char *err = NULL;
    assert_int_equal(ssh_client_config_write(path, &cfg, &err), 0);
    /* BatchMode: a wrong host key or key must fail, never prompt. */
    assert_int_equal(
        sh_run("ssh -F %s -o BatchMode=yes " FIXTURE_MACHINE " 'exit 42' </dev/null", path), 42);
    /* OpenSSH refuses a different host key just as rove does. */
    char *saved = slurp(fx.known_hosts);
    write_foreign_known_hosts(&fx, fx.known_hosts);
    assert_int_equal(sh_run("ssh -F %s -o BatchMode=yes " FIXTURE_MACHINE " true </dev/null "
                            "2>/dev/null",
                            path),
                     255);
    assert_int_equal(fs_write_atomic(fx.known_hosts, saved, strlen(saved), 0600), 0);
    free(saved);
    free(path);
    free(err);
}

static void test_interactive_shell_over_a_pty(void **state)
{
    (void)state;
    struct guest_conn *c = NULL;
    char *err = NULL;
    assert_int_equal(guest_connect(&fx.target, &c, &err), GUEST_CONNECTED);
    int master = -1;
    struct winsize ws = {.ws_row = 33, .ws_col = 101};
    pid_t pid = forkpty(&master, NULL, NULL, &ws);
    assert_true(pid >= 0);
    if (pid == 0) {
        int status = -1;
        char *child_err = NULL;
        if (guest_interactive_shell(c, STDIN_FILENO, STDOUT_FILENO, &status, &child_err) < 0) {
            fprintf(stderr, "%s\n", child_err);
            _exit(200);
        }
        _exit(status);
    }
    const char *input = "echo size=$(stty size); echo sum=$((40+2)); exit 5\n";
    assert_int_equal(write(master, input, strlen(input)), (ssize_t)strlen(input));
    struct strbuf out = STRBUF_INIT;
    char buf[4096];
    for (;;) {
        struct pollfd p = {master, POLLIN, 0};
        if (poll(&p, 1, 20000) <= 0)
            break;
        ssize_t n = read(master, buf, sizeof(buf));
        if (n <= 0)
            break;
        sb_addn(&out, buf, (size_t)n);
    }
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    assert_true(WIFEXITED(wstatus));
    assert_int_equal(WEXITSTATUS(wstatus), 5);
    assert_non_null(strstr(sb_str(&out), "size=33 101"));
    assert_non_null(strstr(sb_str(&out), "sum=42"));
    close(master);
    sb_release(&out);
    guest_disconnect(c);
}

int main(void)
{
    int rc = sshd_fixture_start(&fx);
    if (rc != 0)
        return rc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wait_reports_each_phase),
        cmocka_unit_test(test_wait_times_out_naming_the_phase),
        cmocka_unit_test(test_wait_can_be_aborted),
        cmocka_unit_test(test_wait_banner_rejects_other_servers),
        cmocka_unit_test(test_openssh_uses_the_client_config),
        cmocka_unit_test(test_interactive_shell_over_a_pty),
        cmocka_unit_test(test_insecure_key_is_replaced),
        cmocka_unit_test(test_wait_falls_back_to_insecure_key),
    };
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    sshd_fixture_stop(&fx);
    return rc;
}
