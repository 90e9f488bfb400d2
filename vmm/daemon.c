/* SPDX-License-Identifier: MIT */
#include "daemon.h"
#include "vmm_exit.h"
#include "vmm_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int ready_fd = -1;

int daemon_start(void)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        vmm_error("--daemon: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        vmm_error("--daemon: fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        ready_fd = fds[1];
        setsid();
        return 0;
    }
    close(fds[1]);
    char byte;
    ssize_t n;
    do
        n = read(fds[0], &byte, 1);
    while (n < 0 && errno == EINTR);
    if (n == 1)
        _exit(VMM_EXIT_GUEST_STOPPED);
    /* The child closed the pipe without reporting ready: it failed and said why on stderr. */
    int status;
    if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
        _exit(WEXITSTATUS(status) ? WEXITSTATUS(status) : VMM_EXIT_FAILURE);
    _exit(VMM_EXIT_FAILURE);
}

void daemon_ready(void)
{
    if (ready_fd < 0)
        return;
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        close(null);
    }
    ssize_t rc = write(ready_fd, "r", 1);
    (void)rc;
    close(ready_fd);
    ready_fd = -1;
}

int pidfile_write(const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid()) >= (int)sizeof tmp) {
        vmm_error("--pidfile %s: path too long", path);
        return -1;
    }
    FILE *f = fopen(tmp, "we");
    if (!f) {
        vmm_error("--pidfile %s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "%d\n", (int)getpid());
    if (fclose(f) != 0 || rename(tmp, path) < 0) {
        vmm_error("--pidfile %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}
