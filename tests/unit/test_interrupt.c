/* SPDX-License-Identifier: MIT */
/* Interrupts (util/interrupt.c): the first signal ends waits, clean-up goes on through a second,
 * a third ends the process. */
#include "util/interrupt.h"

#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static int reset(void **state)
{
    (void)state;
    interrupt_install();
    interrupt_reset();
    return 0;
}

static bool fd_readable(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, 0) == 1;
}

static void nothing_caught_at_first(void **state)
{
    (void)state;
    assert_int_equal(interrupt_signal(), 0);
    assert_false(interrupt_requested());
    assert_false(fd_readable(interrupt_fd()));
    assert_true(interrupt_sleep_ms(1));
    assert_int_equal(interrupt_exit_status(), 0);
}

static void sigterm_ends_waits(void **state)
{
    (void)state;
    raise(SIGTERM);
    assert_int_equal(interrupt_signal(), SIGTERM);
    assert_true(interrupt_requested());
    assert_true(fd_readable(interrupt_fd()));
    assert_false(interrupt_sleep_ms(60 * 1000)); /* returns at once */
    assert_int_equal(interrupt_exit_status(), 143);
}

static void sigint_gives_130(void **state)
{
    (void)state;
    raise(SIGINT);
    raise(SIGTERM); /* the first signal is the one reported */
    assert_int_equal(interrupt_exit_status(), 130);
}

static void cleanup_goes_on_after_a_second_signal(void **state)
{
    (void)state;
    raise(SIGHUP);
    interrupt_begin_cleanup();
    assert_false(interrupt_requested());
    assert_int_equal(interrupt_fd(), -1);
    raise(SIGTERM); /* the second: clean-up goes on */
    assert_false(interrupt_requested());
    assert_true(interrupt_sleep_ms(1));
    assert_int_equal(interrupt_exit_status(), 129);
}

static void third_signal_ends_the_process(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(STDERR_FILENO);
        raise(SIGINT);
        interrupt_begin_cleanup();
        raise(SIGINT);
        raise(SIGINT);
        _exit(0); /* not reached */
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 130);
}

static bool module_says_interrupted(void)
{
    return true;
}

static void module_follows_the_core(void **state)
{
    (void)state;
    interrupt_follow(module_says_interrupted);
    assert_true(interrupt_requested());
    assert_false(interrupt_sleep_ms(60 * 1000));
    interrupt_follow(NULL);
    assert_false(interrupt_requested());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(nothing_caught_at_first, reset),
        cmocka_unit_test_setup(sigterm_ends_waits, reset),
        cmocka_unit_test_setup(sigint_gives_130, reset),
        cmocka_unit_test_setup(cleanup_goes_on_after_a_second_signal, reset),
        cmocka_unit_test_setup(third_signal_ends_the_process, reset),
        cmocka_unit_test_setup(module_follows_the_core, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
