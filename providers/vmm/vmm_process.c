/* SPDX-License-Identifier: MIT */
#include "providers/vmm/vmm_process.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static bool is_rove_vmm(long pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/comm", pid);
    char *comm = NULL;
    size_t len = 0;
    if (fs_read_file(path, &comm, &len) != 0)
        return false;
    bool yes = strncmp(comm, "rove-vmm", 8) == 0 && (comm[8] == '\n' || comm[8] == '\0');
    free(comm);
    return yes;
}

long vmm_process_find(const char *pid_path)
{
    char *text = NULL;
    size_t len = 0;
    if (fs_read_file(pid_path, &text, &len) != 0)
        return 0;
    char *end;
    long pid = strtol(text, &end, 10);
    bool valid = end != text && (*end == '\n' || *end == '\0') && pid > 1;
    free(text);
    if (!valid || kill((pid_t)pid, 0) != 0)
        return 0;
    /* A zombie has ended: it only waits for its parent. */
    char stat_path[64];
    snprintf(stat_path, sizeof stat_path, "/proc/%ld/stat", pid);
    char *stat = NULL;
    if (fs_read_file(stat_path, &stat, &len) == 0) {
        char *paren = strrchr(stat, ')');
        bool zombie = paren && paren[1] == ' ' && paren[2] == 'Z';
        free(stat);
        if (zombie)
            return 0;
    }
    return is_rove_vmm(pid) ? pid : 0;
}

int vmm_process_launch(char *const *argv, const char *log_path, char *err, size_t err_len)
{
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log_fd < 0) {
        snprintf(err, err_len, "cannot create %s: %s", log_path, strerror(errno));
        return -1;
    }
    pid_t child = fork();
    if (child < 0) {
        snprintf(err, err_len, "cannot fork: %s", strerror(errno));
        close(log_fd);
        return -1;
    }
    if (child == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, STDIN_FILENO);
        dup2(log_fd, STDOUT_FILENO);
        dup2(log_fd, STDERR_FILENO);
        execv(argv[0], argv);
        dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(log_fd);
    int status;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(err, err_len, "cannot wait for %s: %s", argv[0], strerror(errno));
            return -1;
        }
    }
    if (WIFSIGNALED(status)) {
        snprintf(err, err_len, "%s was killed by signal %d", argv[0], WTERMSIG(status));
        return -1;
    }
    return WEXITSTATUS(status);
}

bool vmm_process_wait_gone(long pid, int timeout_ms)
{
    for (int waited = 0;; waited += 50) {
        if (kill((pid_t)pid, 0) != 0 || !is_rove_vmm(pid))
            return true;
        if (waited >= timeout_ms)
            return false;
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}
