/* SPDX-License-Identifier: MIT */
#include "vmm_log.h"

#include <stdarg.h>
#include <stdio.h>

static bool verbose_enabled;

void vmm_log_set_verbose(bool verbose)
{
    verbose_enabled = verbose;
}

__attribute__((format(printf, 2, 0))) static void emit(const char *level, const char *fmt,
                                                       va_list ap)
{
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    /* One fprintf per message so lines from several threads do not interleave. */
    fprintf(stderr, "rove-vmm: %s%s\n", level, line);
}

void vmm_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("error: ", fmt, ap);
    va_end(ap);
}

void vmm_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("warning: ", fmt, ap);
    va_end(ap);
}

void vmm_debug(const char *fmt, ...)
{
    if (!verbose_enabled)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit("", fmt, ap);
    va_end(ap);
}
