/* SPDX-License-Identifier: MIT */
/* SEEK_DATA and SEEK_HOLE need _GNU_SOURCE, which the build defines. */
#include "providers/vmm/disk_clone.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_CHUNK (1u << 20)

static int copy_range(int in_fd, int out_fd, uint64_t from, uint64_t to, char *buf)
{
    while (from < to) {
        size_t want = to - from < COPY_CHUNK ? (size_t)(to - from) : COPY_CHUNK;
        ssize_t n = pread(in_fd, buf, want, (off_t)from);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return -1;
        }
        for (ssize_t done = 0; done < n;) {
            ssize_t w = pwrite(out_fd, buf + done, (size_t)(n - done), (off_t)from + done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return -1;
            done += w;
        }
        from += (uint64_t)n;
    }
    return 0;
}

int disk_sparse_copy(int in_fd, int out_fd, uint64_t len)
{
    char *buf = malloc(COPY_CHUNK);
    if (!buf)
        return -1;
    int rc = 0;
    uint64_t pos = 0;
    while (rc == 0 && pos < len) {
        off_t data = lseek(in_fd, (off_t)pos, SEEK_DATA);
        if (data < 0) {
            if (errno == ENXIO) /* nothing but a hole up to the end */
                break;
            if (errno != EINVAL) {
                rc = -1;
                break;
            }
            data = (off_t)pos; /* no SEEK_DATA on this file system: copy everything */
        }
        off_t hole = lseek(in_fd, data, SEEK_HOLE);
        if (hole < 0)
            hole = (off_t)len;
        if ((uint64_t)hole > len)
            hole = (off_t)len;
        rc = copy_range(in_fd, out_fd, (uint64_t)data, (uint64_t)hole, buf);
        pos = (uint64_t)hole;
    }
    free(buf);
    if (rc == 0 && ftruncate(out_fd, (off_t)len) != 0)
        rc = -1;
    return rc;
}

int disk_clone(const char *src, const char *dst, uint64_t size, enum disk_clone_method *method,
               char *err, size_t err_len)
{
    int in_fd = open(src, O_RDONLY | O_CLOEXEC);
    if (in_fd < 0) {
        snprintf(err, err_len, "cannot open %s: %s", src, strerror(errno));
        return -1;
    }
    struct stat st;
    int out_fd = -1;
    if (fstat(in_fd, &st) != 0 ||
        (out_fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        snprintf(err, err_len, "cannot create %s: %s", dst, strerror(errno));
        close(in_fd);
        return -1;
    }
    int rc = 0;
    if (ioctl(out_fd, FICLONE, in_fd) == 0) {
        *method = DISK_CLONE_REFLINK;
    } else {
        *method = DISK_CLONE_SPARSE_COPY;
        rc = disk_sparse_copy(in_fd, out_fd, (uint64_t)st.st_size);
    }
    if (rc == 0 && size > (uint64_t)st.st_size && ftruncate(out_fd, (off_t)size) != 0)
        rc = -1;
    if (rc == 0 && fsync(out_fd) != 0)
        rc = -1;
    if (rc != 0)
        snprintf(err, err_len, "cannot copy %s to %s: %s", src, dst, strerror(errno));
    close(in_fd);
    if (close(out_fd) != 0 && rc == 0) {
        snprintf(err, err_len, "cannot write %s: %s", dst, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        unlink(dst);
    return rc;
}
