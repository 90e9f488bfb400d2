/* SPDX-License-Identifier: MIT */
/* One lock per machine (flock on .rove/locks/NAME.lock) serialises rove commands on it. */
#ifndef ROVE_MACHINE_LOCK_H
#define ROVE_MACHINE_LOCK_H

#include <stdbool.h>

struct machine_lock {
    int fd; /* -1 when not held */
    char *path;
};

enum lock_result { LOCK_ACQUIRED = 0, LOCK_BUSY = 1, LOCK_ERROR = -1 };

/* Locks machine name under state_root (.rove). When another process holds the lock it says so
 * and waits, or with no_wait returns LOCK_BUSY at once. Errors are printed. */
enum lock_result machine_lock_acquire(const char *state_root, const char *name, bool no_wait,
                                      struct machine_lock *lock);
void machine_lock_release(struct machine_lock *lock);
/* The pid written by the holder of the lock file at path, or 0. */
long machine_lock_holder(const char *path);

#endif
