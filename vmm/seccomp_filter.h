/* SPDX-License-Identifier: MIT */
/* The system-call allow-list of the running monitor, installed once set-up is done. */
#ifndef ROVE_VMM_SECCOMP_FILTER_H
#define ROVE_VMM_SECCOMP_FILTER_H

#include <stdbool.h>
#include <sys/types.h>

/* What the filter lets the monitor touch beyond its own process. */
struct seccomp_scope {
    int console_log_fd;       /* the one descriptor ftruncate may cut, or -1 */
    pid_t cleanup_helper_pid; /* the one process wait4 may reap, or 0 */
};

/* Applies the filter to every thread of the process. A call outside the list ends the monitor
 * with a message naming the call. Returns 0, or -1 after printing why. */
int seccomp_filter_install(const struct seccomp_scope *scope);
/* False in sanitizer builds, whose filter only logs what it would block. */
bool seccomp_filter_enforced(void);

#endif
