/* SPDX-License-Identifier: MIT */
#include "provision/line_prefix.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void line_prefixer_init(struct line_prefixer *lp, const char *prefix, output_write_fn write,
                        void *ctx)
{
    memset(lp, 0, sizeof(*lp));
    lp->prefix = prefix ? prefix : "";
    lp->prefix_len = strlen(lp->prefix);
    lp->write = write;
    lp->ctx = ctx;
}

static void ensure_room(struct line_prefixer *lp, size_t extra)
{
    if (lp->len + extra <= lp->cap)
        return;
    size_t cap = lp->cap ? lp->cap : 256;
    while (cap < lp->len + extra)
        cap *= 2;
    lp->line = xrealloc(lp->line, cap);
    lp->cap = cap;
}

static void start_line_if_needed(struct line_prefixer *lp)
{
    if (lp->len > 0)
        return;
    ensure_room(lp, lp->prefix_len);
    memcpy(lp->line, lp->prefix, lp->prefix_len);
    lp->len = lp->prefix_len;
}

/* One write per line: lines of several machines' output written to the same terminal interleave
 * only between lines, never inside one. */
static int emit_line(struct line_prefixer *lp)
{
    int rc = lp->write(lp->ctx, lp->line, lp->len);
    lp->len = 0;
    return rc;
}

int line_prefixer_feed(struct line_prefixer *lp, const char *data, size_t len)
{
    while (len > 0) {
        start_line_if_needed(lp);
        size_t room = LINE_PREFIX_MAX_LINE - (lp->len - lp->prefix_len);
        const char *nl = memchr(data, '\n', len);
        size_t take = nl ? (size_t)(nl - data) + 1 : len;
        if (take > room)
            take = room;
        ensure_room(lp, take + 1);
        memcpy(lp->line + lp->len, data, take);
        lp->len += take;
        data += take;
        len -= take;
        if (lp->line[lp->len - 1] == '\n') {
            if (emit_line(lp) < 0)
                return -1;
        } else if (lp->len - lp->prefix_len >= LINE_PREFIX_MAX_LINE) {
            lp->line[lp->len++] = '\n';
            if (emit_line(lp) < 0)
                return -1;
        }
    }
    return 0;
}

int line_prefixer_flush(struct line_prefixer *lp)
{
    if (lp->len == 0)
        return 0;
    ensure_room(lp, 1);
    lp->line[lp->len++] = '\n';
    return emit_line(lp);
}

void line_prefixer_release(struct line_prefixer *lp)
{
    free(lp->line);
    lp->line = NULL;
    lp->len = lp->cap = 0;
}

int output_write_fd(void *ctx, const char *data, size_t len)
{
    int fd = (int)(intptr_t)ctx;
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}
