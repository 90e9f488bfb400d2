/* SPDX-License-Identifier: MIT */
/* A machine's disk as a copy-on-write clone of the box's raw image: a reflink where the file
 * system shares extents (FICLONE: btrfs, XFS, bcachefs), a sparse copy elsewhere (only the data
 * SEEK_DATA finds is copied; holes stay holes). */
#ifndef ROVE_PROVIDERS_VMM_DISK_CLONE_H
#define ROVE_PROVIDERS_VMM_DISK_CLONE_H

#include <stddef.h>
#include <stdint.h>

enum disk_clone_method { DISK_CLONE_REFLINK, DISK_CLONE_SPARSE_COPY };

/* Creates dst (which must not exist, mode 0600) with src's contents, then grows it to size bytes
 * when size is larger than src. Returns 0 with *method telling how, or -1 with the reason in
 * err (dst is removed again). */
int disk_clone(const char *src, const char *dst, uint64_t size, enum disk_clone_method *method,
               char *err, size_t err_len);

/* Copies [0, len) of in_fd to out_fd, skipping holes. Returns 0 or -1 (errno set). */
int disk_sparse_copy(int in_fd, int out_fd, uint64_t len);

#endif
