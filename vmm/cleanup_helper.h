/* SPDX-License-Identifier: MIT */
/* The files a running monitor has in the file system (control socket, pid file) are removed when
 * it ends by a small helper process, forked before anything else is set up: the monitor itself
 * then needs no unlink under its seccomp filter, and even a monitor killed with SIGKILL leaves
 * nothing behind. */
#ifndef ROVE_VMM_CLEANUP_HELPER_H
#define ROVE_VMM_CLEANUP_HELPER_H

#include <sys/types.h>

enum cleanup_item {
    CLEANUP_CONTROL_SOCKET,
    CLEANUP_PID_FILE,
    CLEANUP_ITEMS,
};

struct cleanup_helper {
    pid_t pid; /* 0 when not started */
    /* A socket pair's end: to the helper one byte per item created, then end of file meaning
     * "remove them now"; from the helper end of file once it has. */
    int fd;
};

/* Forks the helper, which learns paths[item] now (NULL: nothing of that kind) and removes an
 * item only once claimed, so that it never touches a file another process owns. Without any
 * path no helper is needed, and none starts. Returns 0, or -1 after printing why. */
int cleanup_helper_start(struct cleanup_helper *h, const char *const paths[CLEANUP_ITEMS]);
/* This monitor has created paths[item]: the helper is to remove it at the end. */
void cleanup_helper_claim(struct cleanup_helper *h, enum cleanup_item item);
/* Has the helper remove what was claimed and waits until it has; nothing when not started. */
void cleanup_helper_finish(struct cleanup_helper *h);

#endif
