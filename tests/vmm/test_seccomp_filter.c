/* SPDX-License-Identifier: MIT */
/* The monitor's seccomp filter, installed for real in a child process per call: what the
 * running monitor needs passes, the same calls with other arguments end the process naming the
 * call, and foreign socket families are refused with an error. Builds with sanitizers only log
 * (the filter cannot be enforced there): the test says so and exits 77. */
#include "seccomp_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define SKIP_EXIT_CODE    77
#define PROBE_AS_EXPECTED 0
#define PROBE_UNEXPECTED  10

static char dir[] = "/tmp/rove-seccomp-XXXXXX";
static char log_path[64], other_path[64];
static int log_fd = -1, other_fd = -1;
static pid_t test_pid; /* the parent of every probe, which probes may not signal */

/* A call's outcome: it ran, it failed with the expected errno, or the filter ended the process
 * (probes of that kind never return). */
struct probe {
    const char *what;
    int (*run)(void);  /* PROBE_AS_EXPECTED or PROBE_UNEXPECTED */
    long blocked_call; /* the system call the filter names, or -1 when it must pass */
};

static int expect_success(long rc)
{
    return rc >= 0 ? PROBE_AS_EXPECTED : PROBE_UNEXPECTED;
}

static int expect_refusal(long rc, int expected_errno)
{
    return rc < 0 && errno == expected_errno ? PROBE_AS_EXPECTED : PROBE_UNEXPECTED;
}

static int udp_socket(void)
{
    return expect_success(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
}

static int unix_socket(void)
{
    return expect_refusal(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), EAFNOSUPPORT);
}

static int ipv6_socket(void)
{
    return expect_refusal(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), EAFNOSUPPORT);
}

static int netlink_socket(void)
{
    return expect_refusal(socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, 0), EAFNOSUPPORT);
}

static int truncate_log(void)
{
    return expect_success(ftruncate(log_fd, 0));
}

static int truncate_other(void)
{
    ftruncate(other_fd, 0);
    return PROBE_UNEXPECTED;
}

static int signal_own_thread(void)
{
    return expect_success(syscall(SYS_tgkill, getpid(), gettid(), 0));
}

static int signal_parent(void)
{
    syscall(SYS_tgkill, test_pid, test_pid, 0);
    return PROBE_UNEXPECTED;
}

static int open_read_only(void)
{
    return expect_success(syscall(SYS_openat, AT_FDCWD, other_path, O_RDONLY));
}

static int open_for_writing(void)
{
    syscall(SYS_openat, AT_FDCWD, other_path, O_WRONLY);
    return PROBE_UNEXPECTED;
}

static int open_creating(void)
{
    syscall(SYS_openat, AT_FDCWD, log_path, O_RDONLY | O_CREAT, 0600);
    return PROBE_UNEXPECTED;
}

static int open_relative_to_other_fd(void)
{
    syscall(SYS_openat, other_fd, "x", O_RDONLY);
    return PROBE_UNEXPECTED;
}

static int remove_file(void)
{
    unlink(other_path);
    return PROBE_UNEXPECTED;
}

static int remove_file_at(void)
{
    unlinkat(AT_FDCWD, other_path, 0);
    return PROBE_UNEXPECTED;
}

static int reap_other_process(void)
{
    waitpid(test_pid, NULL, WNOHANG);
    return PROBE_UNEXPECTED;
}

static int bytes_waiting(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), waiting = -1;
    return expect_success(ioctl(fd, FIONREAD, &waiting));
}

static int fake_terminal_input(void)
{
    char c = 'x';
    ioctl(STDIN_FILENO, TIOCSTI, &c);
    return PROBE_UNEXPECTED;
}

static const struct probe probes[] = {
    {"socket(AF_INET)", udp_socket, -1},
    {"socket(AF_UNIX)", unix_socket, -1},
    {"socket(AF_INET6)", ipv6_socket, -1},
    {"socket(AF_NETLINK)", netlink_socket, -1},
    {"ftruncate(console log)", truncate_log, -1},
    {"ftruncate(other file)", truncate_other, SYS_ftruncate},
    {"tgkill(own thread)", signal_own_thread, -1},
    {"tgkill(parent)", signal_parent, SYS_tgkill},
    {"openat(O_RDONLY)", open_read_only, -1},
    {"openat(O_WRONLY)", open_for_writing, SYS_openat},
    {"openat(O_CREAT)", open_creating, SYS_openat},
    {"openat(another dirfd)", open_relative_to_other_fd, SYS_openat},
    {"unlink", remove_file, SYS_unlink},
    {"unlinkat", remove_file_at, SYS_unlinkat},
    {"wait4(not the helper)", reap_other_process, SYS_wait4},
    {"ioctl(FIONREAD)", bytes_waiting, -1},
    {"ioctl(TIOCSTI)", fake_terminal_input, SYS_ioctl},
};

/* Runs probe in a child under the filter; returns its exit status and what it printed. */
static int run_filtered(const struct probe *probe, char *output, size_t size)
{
    int out[2];
    assert_int_equal(pipe(out), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out[1], STDERR_FILENO);
        close(out[0]);
        struct seccomp_scope scope = {.console_log_fd = log_fd, .cleanup_helper_pid = getpid()};
        if (seccomp_filter_install(&scope) < 0)
            _exit(PROBE_UNEXPECTED + 1);
        _exit(probe->run());
    }
    close(out[1]);
    size_t len = 0;
    ssize_t n;
    while (len < size - 1 && (n = read(out[0], output + len, size - 1 - len)) > 0)
        len += (size_t)n;
    output[len] = '\0';
    close(out[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_each_call(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        char output[256];
        int code = run_filtered(&probes[i], output, sizeof output);
        print_message("%s: exit %d %s", probes[i].what, code, code ? output : "\n");
        if (probes[i].blocked_call < 0) {
            assert_int_equal(code, PROBE_AS_EXPECTED);
            continue;
        }
        char expected[96];
        snprintf(expected, sizeof expected, "seccomp blocked system call %ld\n",
                 probes[i].blocked_call);
        assert_int_equal(code, 1);
        assert_non_null(strstr(output, expected));
    }
}

static int setup(void **state)
{
    (void)state;
    test_pid = getpid();
    if (!mkdtemp(dir))
        return -1;
    snprintf(log_path, sizeof log_path, "%s/serial.log", dir);
    snprintf(other_path, sizeof other_path, "%s/other", dir);
    log_fd = open(log_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    other_fd = open(other_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    return log_fd >= 0 && other_fd >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    close(log_fd);
    close(other_fd);
    unlink(log_path);
    unlink(other_path);
    return rmdir(dir);
}

int main(void)
{
    if (!seccomp_filter_enforced()) {
        printf(
            "SKIP: this build's seccomp filter only logs (sanitizers make calls of their own)\n");
        return SKIP_EXIT_CODE;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_each_call)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
