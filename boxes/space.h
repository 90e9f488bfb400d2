/* SPDX-License-Identifier: MIT */
/* Room in the box store: free space on a folder's file system, compared with what a box needs,
 * and sizes written for people. A box that does not fit is refused before its bytes arrive, with
 * the folder, what is needed and what is free, rather than failing half-written on a full disk. */
#ifndef ROVE_BOXES_SPACE_H
#define ROVE_BOXES_SPACE_H

#include <stddef.h>
#include <stdint.h>

/* Writes bytes as "4.0 MiB (4194304 bytes)" into buf. */
void box_space_format(uint64_t bytes, char *buf, size_t len);

/* 0 when the file system of the folder open as dir_fd (named dir in the message) has needed bytes
 * free for an unprivileged writer; else -1 with *err (newly allocated) naming the folder, what
 * needs the room, how much and how much is free. A file system that cannot tell passes. */
int box_space_check(int dir_fd, const char *dir, uint64_t needed, const char *what, char **err);

#endif
