/* SPDX-License-Identifier: MIT */
#include "provision/prov_error.h"
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdlib.h>

int prov_fail(char **err, const char *fmt, ...)
{
    if (!err)
        return -1;
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    free(*err);
    *err = sb_detach(&sb);
    return -1;
}
