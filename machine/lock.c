/* SPDX-License-Identifier: MIT */
#include "machine/lock.h"
#include "util/fs.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

long machine_lock_holder(const char *path)
{
    char *data;
    if (fs_read_file(path, &data, NULL) < 0)
        return 0;
    long pid = strtol(data, NULL, 10);
    free(data);
    return pid;
}

/* The lock file may have been removed and created anew while we waited (destroy removes state):
 * a lock on an unlinked inode protects nothing, so check we hold the file the path names. */
static bool still_linked(int fd, const char *path)
{
    struct stat held, named;
    return fstat(fd, &held) == 0 && lstat(path, &named) == 0 && held.st_ino == named.st_ino &&
           held.st_dev == named.st_dev;
}

static void record_holder(int fd)
{
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) == n)
        return;
    log_debug("could not record the lock holder: %s", strerror(errno));
}

static int wait_for_lock(int fd, const char *path, const char *name, bool no_wait)
{
    if (flock(fd, LOCK_EX | LOCK_NB) == 0)
        return LOCK_ACQUIRED;
    if (errno != EWOULDBLOCK)
        return LOCK_ERROR;
    long holder = machine_lock_holder(path);
    if (no_wait) {
        log_error("machine '%s' is busy: another rove command (pid %ld) is working on it", name,
                  holder);
        return LOCK_BUSY;
    }
    log_info("waiting for machine '%s': another rove command (pid %ld) is working on it...", name,
             holder);
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR)
            return LOCK_ERROR;
        if (interrupt_requested()) {
            log_error("interrupted while waiting for machine '%s'", name);
            return LOCK_BUSY;
        }
    }
    return LOCK_ACQUIRED;
}

enum lock_result machine_lock_acquire(const char *state_root, const char *name, bool no_wait,
                                      struct machine_lock *lock)
{
    char *dir = fs_join(state_root, "locks");
    lock->fd = -1;
    lock->path = xasprintf("%s/%s.lock", dir, name);
    if (fs_mkdir_p(dir, 0700) < 0) {
        log_error("cannot create %s: %s", dir, strerror(errno));
        free(dir);
        return LOCK_ERROR;
    }
    free(dir);
    for (;;) {
        /* Not through a symbolic link: the holder's pid is written into the file. */
        int fd = open(lock->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 && errno == ELOOP) {
            log_error("the lock %s is a symbolic link: rove does not follow it (remove it)",
                      lock->path);
            return LOCK_ERROR;
        }
        if (fd < 0) {
            log_error("cannot open the lock %s: %s", lock->path, strerror(errno));
            return LOCK_ERROR;
        }
        int rc = wait_for_lock(fd, lock->path, name, no_wait);
        if (rc == LOCK_ACQUIRED && !still_linked(fd, lock->path)) {
            close(fd);
            continue;
        }
        if (rc != LOCK_ACQUIRED) {
            if (rc == LOCK_ERROR)
                log_error("cannot lock %s: %s", lock->path, strerror(errno));
            close(fd);
            return rc;
        }
        lock->fd = fd;
        record_holder(fd);
        return LOCK_ACQUIRED;
    }
}

void machine_lock_release(struct machine_lock *lock)
{
    if (lock->fd >= 0) {
        if (ftruncate(lock->fd, 0) < 0)
            log_debug("could not clear the lock holder: %s", strerror(errno));
        close(lock->fd);
    }
    lock->fd = -1;
    free(lock->path);
    lock->path = NULL;
}
