/* SPDX-License-Identifier: MIT */
#include "util/interrupt.h"
#include "util/monotonic.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static const int caught[] = {SIGINT, SIGTERM, SIGHUP};

static volatile sig_atomic_t first_signal;
static volatile sig_atomic_t count;
static volatile sig_atomic_t cleaning_up;
/* A self-pipe that is written once and never drained: it stays readable for every poll. */
static int pipe_fds[2] = {-1, -1};
/* In a provider module (which has its own copy of this file): the core's interrupt_requested. */
static bool (*forwarded)(void);

static void say(const char *msg)
{
    ssize_t n = write(STDERR_FILENO, msg, strlen(msg));
    (void)n;
}

static void on_signal(int sig)
{
    int saved = errno;
    count = count + 1;
    if (!first_signal) {
        first_signal = sig;
        char byte = 1;
        ssize_t n = write(pipe_fds[1], &byte, 1);
        (void)n;
    } else if (count == 2) {
        say("rove: cleaning up before it exits; a third interrupt stops it at once, leaving what "
            "is left to 'rove destroy'\n");
    } else {
        say("rove: stopped before clean-up finished; 'rove destroy' removes what is left\n");
        _exit(128 + sig);
    }
    errno = saved;
}

void interrupt_install(void)
{
    if (pipe_fds[0] >= 0)
        return;
    if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
        pipe_fds[0] = pipe_fds[1] = -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++)
        sigaddset(&sa.sa_mask, caught[i]);
    sa.sa_flags = 0; /* no SA_RESTART: a blocking read or wait returns EINTR */
    for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++)
        sigaction(caught[i], &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int interrupt_signal(void)
{
    return first_signal;
}

bool interrupt_requested(void)
{
    if (forwarded)
        return forwarded();
    return first_signal && !cleaning_up;
}

void interrupt_follow(bool (*requested)(void))
{
    forwarded = requested;
}

int interrupt_fd(void)
{
    return cleaning_up ? -1 : pipe_fds[0];
}

void interrupt_begin_cleanup(void)
{
    cleaning_up = 1;
}

int interrupt_exit_status(void)
{
    return first_signal ? 128 + first_signal : 0;
}

bool interrupt_sleep_ms(int ms)
{
    double start = monotonic_seconds();
    for (;;) {
        if (interrupt_requested())
            return false;
        long elapsed = (long)((monotonic_seconds() - start) * 1000);
        if (elapsed >= ms)
            return true;
        /* A module cannot see the core's pipe: it looks every 100 ms instead. */
        long step = ms - elapsed;
        if (forwarded && step > 100)
            step = 100;
        struct pollfd p = {interrupt_fd(), POLLIN, 0};
        poll(&p, 1, (int)step);
    }
}

void interrupt_reset(void)
{
    first_signal = 0;
    count = 0;
    cleaning_up = 0;
    if (pipe_fds[0] >= 0) {
        char buf[16];
        while (read(pipe_fds[0], buf, sizeof buf) > 0)
            ;
    }
}
