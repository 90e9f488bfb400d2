/* SPDX-License-Identifier: MIT */
#include "console_log.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Moves the newest keep bytes to the start of the file and cuts it there. Copying forward in
 * chunks is safe: the source always lies ahead of the destination. */
static int keep_tail(struct console_log *log, uint64_t keep)
{
    uint8_t chunk[65536];
    uint64_t from = log->size - keep;
    for (uint64_t done = 0; done < keep;) {
        size_t want = keep - done < sizeof chunk ? (size_t)(keep - done) : sizeof chunk;
        ssize_t n = pread(log->fd, chunk, want, (off_t)(from + done));
        if (n <= 0 || pwrite(log->fd, chunk, (size_t)n, (off_t)done) != n)
            return -1;
        done += (uint64_t)n;
    }
    if (ftruncate(log->fd, (off_t)keep) < 0)
        return -1;
    log->size = keep;
    return 0;
}

int console_log_open(struct console_log *log, const char *path, uint64_t cap)
{
    log->cap = cap;
    log->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
    struct stat st;
    if (log->fd < 0 || fstat(log->fd, &st) < 0) {
        int saved = errno;
        console_log_close(log);
        errno = saved;
        return -1;
    }
    log->size = (uint64_t)st.st_size;
    if (log->size > cap)
        keep_tail(log, cap / 2);
    return 0;
}

void console_log_write(struct console_log *log, const uint8_t *data, size_t len)
{
    if (log->fd < 0)
        return;
    if (len > log->cap / 2) { /* only the newest half of an oversized write could stay */
        data += len - log->cap / 2;
        len = log->cap / 2;
    }
    if (log->size + len > log->cap && keep_tail(log, log->cap / 2 - len) < 0)
        return;
    ssize_t n;
    do
        n = pwrite(log->fd, data, len, (off_t)log->size);
    while (n < 0 && errno == EINTR);
    if (n > 0)
        log->size += (uint64_t)n;
}

void console_log_close(struct console_log *log)
{
    if (log->fd >= 0)
        close(log->fd);
    log->fd = -1;
}
