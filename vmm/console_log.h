/* SPDX-License-Identifier: MIT */
/* The serial console's log file, capped: a guest that prints without end (a boot loop, a flood
 * of kernel messages) must not fill the host's disk. Past the cap the older half goes and the
 * newest output stays, as virtlogd keeps the tail of a console. */
#ifndef ROVE_VMM_CONSOLE_LOG_H
#define ROVE_VMM_CONSOLE_LOG_H

#include <stddef.h>
#include <stdint.h>

#define CONSOLE_LOG_DEFAULT_CAP (8ULL << 20)
#define CONSOLE_LOG_MIN_CAP     (4ULL << 10)

struct console_log {
    int fd; /* -1 when there is no log */
    uint64_t size, cap;
};

/* Opens (or continues) the log at path, holding at most cap bytes. Returns 0, or -1 with errno. */
int console_log_open(struct console_log *log, const char *path, uint64_t cap);
/* Appends data; when the file would pass the cap, first keeps only its newest cap / 2 bytes. A
 * failing write loses bytes: the console never stalls the guest. */
void console_log_write(struct console_log *log, const uint8_t *data, size_t len);
void console_log_close(struct console_log *log);

#endif
