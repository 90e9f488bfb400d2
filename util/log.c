#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static enum log_level current_level = LOG_INFO;

void log_set_level(enum log_level level)
{
    current_level = level;
}

enum log_level log_get_level(void)
{
    return current_level;
}

bool log_use_colour(int fd)
{
    const char *no_colour = getenv("NO_COLOR");
    if (no_colour && *no_colour)
        return false;
    return isatty(fd);
}

bool log_progress_enabled(void)
{
    return current_level >= LOG_INFO && isatty(STDERR_FILENO);
}

__attribute__((format(printf, 4, 0))) static void
emit(enum log_level level, const char *label, const char *colour, const char *fmt, va_list ap)
{
    if (level > current_level)
        return;
    bool colour_on = log_use_colour(STDERR_FILENO);
    if (label)
        fprintf(stderr, "%s%s%s", colour_on ? colour : "", label, colour_on ? "\033[0m" : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

#define DEFINE_LOG(fn, level, label, colour)                                                       \
    void fn(const char *fmt, ...)                                                                  \
    {                                                                                              \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        emit(level, label, colour, fmt, ap);                                                       \
        va_end(ap);                                                                                \
    }

DEFINE_LOG(log_error, LOG_ERROR, "error: ", "\033[1;31m")
DEFINE_LOG(log_warn, LOG_WARN, "warning: ", "\033[1;33m")
DEFINE_LOG(log_info, LOG_INFO, NULL, "")
DEFINE_LOG(log_debug, LOG_DEBUG, "debug: ", "\033[2m")
