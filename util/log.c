/* SPDX-License-Identifier: MIT */
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

static log_sink_fn current_sink;

void log_set_sink(log_sink_fn sink)
{
    current_sink = sink;
}

static const struct {
    const char *label, *colour;
} labels[] = {
    [LOG_QUIET] = {NULL, ""},
    [LOG_ERROR] = {"error: ", "\033[1;31m"},
    [LOG_WARN] = {"warning: ", "\033[1;33m"},
    [LOG_INFO] = {NULL, ""},
    [LOG_DEBUG] = {"debug: ", "\033[2m"},
};

void log_message(int level, const char *message)
{
    if (level < LOG_ERROR || level > LOG_DEBUG || level > (int)current_level)
        return;
    const char *label = labels[level].label;
    bool colour_on = log_use_colour(STDERR_FILENO);
    if (label)
        fprintf(stderr, "%s%s%s", colour_on ? labels[level].colour : "", label,
                colour_on ? "\033[0m" : "");
    fprintf(stderr, "%s\n", message);
}

__attribute__((format(printf, 2, 0))) static void emit(enum log_level level, const char *fmt,
                                                       va_list ap)
{
    if (level > current_level)
        return;
    char small[1024], *message = small;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n >= (int)sizeof small && (message = malloc((size_t)n + 1)))
        vsnprintf(message, (size_t)n + 1, fmt, copy);
    va_end(copy);
    (current_sink ? current_sink : log_message)((int)level, message ? message : small);
    if (message != small)
        free(message);
}

#define DEFINE_LOG(fn, level)                                                                      \
    void fn(const char *fmt, ...)                                                                  \
    {                                                                                              \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        emit(level, fmt, ap);                                                                      \
        va_end(ap);                                                                                \
    }

DEFINE_LOG(log_error, LOG_ERROR)
DEFINE_LOG(log_warn, LOG_WARN)
DEFINE_LOG(log_info, LOG_INFO)
DEFINE_LOG(log_debug, LOG_DEBUG)

int error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(LOG_ERROR, fmt, ap);
    va_end(ap);
    return -1;
}

_Noreturn void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fatal: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

_Noreturn void bug_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "BUG: %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}
