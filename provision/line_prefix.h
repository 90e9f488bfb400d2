/* SPDX-License-Identifier: MIT */
/* Splits a byte stream into lines and writes each one with a prefix ("web: "), the way
 * provisioner output from several machines stays readable. Bytes are passed through unchanged
 * (binary included); only '\n' separates lines. */
#ifndef ROVE_PROVISION_LINE_PREFIX_H
#define ROVE_PROVISION_LINE_PREFIX_H

#include <stddef.h>

/* Where finished output goes. Returns 0, or -1 when the output cannot be written. */
typedef int (*output_write_fn)(void *ctx, const char *data, size_t len);

/* A line longer than this is written in pieces, each with the prefix, rather than buffered
 * without bound (a binary stream may have no newline at all). */
#define LINE_PREFIX_MAX_LINE 65536

struct line_prefixer {
    const char *prefix;
    output_write_fn write;
    void *ctx;
    char *line; /* prefix + the line gathered so far */
    size_t len;
    size_t cap;
    size_t prefix_len;
};

void line_prefixer_init(struct line_prefixer *lp, const char *prefix, output_write_fn write,
                        void *ctx);
/* Takes the next chunk of the stream; writes every line it completes. Returns 0 or -1. */
int line_prefixer_feed(struct line_prefixer *lp, const char *data, size_t len);
/* Writes a pending partial line, ending it with '\n'. Returns 0 or -1. */
int line_prefixer_flush(struct line_prefixer *lp);
void line_prefixer_release(struct line_prefixer *lp);

/* An output_write_fn for a file descriptor passed as (int)(intptr_t)ctx; retries short writes. */
int output_write_fd(void *ctx, const char *data, size_t len);

#endif
