/* SPDX-License-Identifier: MIT */
/* File-system helpers: atomic writes, recursive mkdir and remove, whole-file reads. */
#ifndef ROVE_UTIL_FS_H
#define ROVE_UTIL_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Writes data to path through a temporary file in the same folder, fsync and rename: readers see
 * the old or the new contents, never a mix. Returns 0, or -1 with errno set. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* Creates path and its missing parents with mode. Returns 0, or -1 with errno set. */
int fs_mkdir_p(const char *path, mode_t mode);
/* Removes path and everything below it; a missing path is not an error. */
int fs_remove_tree(const char *path);
/* Reads a whole file into a NUL-terminated heap buffer. Returns 0, or -1 with errno set. */
int fs_read_file(const char *path, char **data, size_t *len);
bool fs_exists(const char *path);
bool fs_is_dir(const char *path);
/* The folder part of path ("." when there is none), newly allocated. */
char *fs_dirname(const char *path);
/* base joined with rel, unless rel is absolute; newly allocated. */
char *fs_join(const char *base, const char *rel);
/* An absolute, normalised form of path (the path need not exist); newly allocated. */
char *fs_absolute(const char *path);

#endif
