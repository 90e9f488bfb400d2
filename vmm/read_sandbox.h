/* SPDX-License-Identifier: MIT */
/* Which files the running monitor may still open. The seccomp filter allows read-only opens
 * because libslirp re-reads the host's resolv.conf, but a filter cannot see paths: where the
 * kernel offers Landlock, reads are confined to the folder that holds that file. */
#ifndef ROVE_VMM_READ_SANDBOX_H
#define ROVE_VMM_READ_SANDBOX_H

#include <stdbool.h>

/* Confines the calling thread, and the threads it creates from now on, to reading files in the
 * folder that holds file: symbolic links resolved, so that a file replaced there is still read;
 * the folder of the path as given while the file does not exist. Returns true when confined,
 * false (saying why in verbose mode) when the kernel has no Landlock. */
bool read_sandbox_install(const char *file);

#endif
