/* SPDX-License-Identifier: MIT */
/* Messages from the monitor: one line each on stderr, prefixed with the program name. */
#ifndef ROVE_VMM_LOG_H
#define ROVE_VMM_LOG_H

#include <stdbool.h>

void vmm_log_set_verbose(bool verbose);
void vmm_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vmm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vmm_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
