/* Messages to the user: levels, colour only on a terminal and never with NO_COLOR. */
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

/* True when progress output (bars, spinners) should be drawn: stderr is a terminal and not quiet.
 */
bool log_progress_enabled(void);
/* True when colour escapes may be written to the given stream. */
bool log_use_colour(int fd);

#endif
