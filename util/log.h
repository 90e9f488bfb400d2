/* SPDX-License-Identifier: MIT */
/* Messages to the user: levels, colour only on a terminal and never with NO_COLOR.
 *
 * The one error vocabulary (CONTRIBUTING.md):
 *   return error("cannot read %s: %s", path, strerror(errno));   a failure the caller handles
 *   die("out of memory");                   the CLI layer, or exhaustion no caller can handle
 *   BUG("unknown kind %d", kind);           a state the code cannot reach: file and line, abort
 * Messages are lowercase, name their subject first (the machine, box, file or URL) and have no
 * full stop: "web: host port 127.0.0.1:8080 is already in use". */
#ifndef ROVE_UTIL_LOG_H
#define ROVE_UTIL_LOG_H

#include <stdbool.h>

enum log_level { LOG_QUIET = 0, LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* log_error(), then -1: `return error(...)` in a function that reports its own failure. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "fatal: MESSAGE", then exit(1). */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "BUG: FILE:LINE: MESSAGE", then abort(): for states the code cannot reach. */
#define BUG(...) bug_at(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void bug_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Where messages go. By default stderr; a provider module sends them to rove's own log through
 * the callback of its ABI (rove_machine_ctx.log), so one process decides how messages look. */
typedef void (*log_sink_fn)(int level, const char *message);
void log_set_sink(log_sink_fn sink);
/* Prints message at level, as log_error()...log_debug() do, to stderr (the core's sink). */
void log_message(int level, const char *message);

/* True when progress output (bars, spinners) should be drawn: stderr is a terminal and not quiet.
 */
bool log_progress_enabled(void);
/* True when colour escapes may be written to the given stream. */
bool log_use_colour(int fd);

#endif
