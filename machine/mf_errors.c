/* SPDX-License-Identifier: MIT */
#include "machine/machinefile.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void mf_errors_print(const struct mf_errors *errs)
{
    bool colour = log_use_colour(STDERR_FILENO);
    for (size_t i = 0; i < errs->count; i++) {
        const struct mf_error *e = &errs->items[i];
        if (e->line > 0)
            fprintf(stderr, "%s:%d:%d: ", e->file, e->line, e->column);
        else
            fprintf(stderr, "%s: ", e->file);
        fprintf(stderr, "%serror:%s %s\n", colour ? "\033[1;31m" : "", colour ? "\033[0m" : "",
                e->message);
    }
}

void mf_errors_free(struct mf_errors *errs)
{
    for (size_t i = 0; i < errs->count; i++) {
        free(errs->items[i].file);
        free(errs->items[i].message);
    }
    free(errs->items);
    errs->items = NULL;
    errs->count = 0;
}
