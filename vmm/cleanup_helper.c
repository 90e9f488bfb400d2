/* SPDX-License-Identifier: MIT */
#include "cleanup_helper.h"
#include "vmm_log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define FIRST_FREE_FD 3

/* Closes every descriptor from `from` up except keep (itself at least `from`). */
static void close_all_but(int from, int keep)
{
    if (keep > from)
        close_range((unsigned)from, (unsigned)keep - 1, 0);
    close_range((unsigned)keep + 1, ~0u, 0);
}

/* The helper holds nothing of the monitor's: not its terminal or log (a caller reading the
 * monitor's output to its end must not wait for the helper), not the daemon's ready pipe, not
 * KVM. Signals meant for the monitor (Ctrl-C, SIGTERM to the group) must not end it before it
 * has cleaned up. Returns the helper's end of the socket pair, moved above standard I/O. */
static int helper_detach(int fd)
{
    fd = fcntl(fd, F_DUPFD_CLOEXEC, FIRST_FREE_FD);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int std = 0; null >= 0 && std < FIRST_FREE_FD; std++)
        dup2(null, std);
    close_all_but(FIRST_FREE_FD, fd);
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    prctl(PR_SET_NAME, "rove-vmm-clean");
    return fd;
}

static _Noreturn void helper_main(int fd, const char *const paths[])
{
    fd = helper_detach(fd);
    bool claimed[CLEANUP_ITEMS] = {false};
    unsigned char item;
    ssize_t n;
    while ((n = read(fd, &item, 1)) != 0) {
        if (n < 0 && errno != EINTR)
            break;
        if (n == 1 && item < CLEANUP_ITEMS)
            claimed[item] = true;
    }
    for (int i = 0; i < CLEANUP_ITEMS; i++)
        if (claimed[i] && paths[i])
            unlink(paths[i]);
    _exit(0); /* closes fd: the monitor may end */
}

int cleanup_helper_start(struct cleanup_helper *h, const char *const paths[CLEANUP_ITEMS])
{
    int pair[2];
    h->pid = 0;
    h->fd = -1;
    bool any = false;
    for (int i = 0; i < CLEANUP_ITEMS; i++)
        any = any || paths[i];
    if (!any)
        return 0; /* nothing to clean up: no helper */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
        vmm_error("cannot start the clean-up helper: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(pair[0]);
        helper_main(pair[1], paths);
    }
    close(pair[1]);
    if (pid < 0) {
        vmm_error("cannot start the clean-up helper: fork: %s", strerror(errno));
        close(pair[0]);
        return -1;
    }
    h->pid = pid;
    h->fd = pair[0];
    return 0;
}

void cleanup_helper_claim(struct cleanup_helper *h, enum cleanup_item item)
{
    if (h->fd < 0)
        return;
    unsigned char byte = (unsigned char)item;
    /* A helper that died cannot clean up either way; it must not take the monitor along. */
    ssize_t n;
    do
        n = send(h->fd, &byte, 1, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
}

void cleanup_helper_finish(struct cleanup_helper *h)
{
    if (h->pid <= 0)
        return;
    shutdown(h->fd, SHUT_WR);
    char byte;
    ssize_t n;
    do
        n = read(h->fd, &byte, 1);
    while (n > 0 || (n < 0 && errno == EINTR));
    close(h->fd);
    while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    h->pid = 0;
    h->fd = -1;
}
