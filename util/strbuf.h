/* SPDX-License-Identifier: MIT */
/* A growable, always NUL-terminated string buffer. */
#ifndef ROVE_UTIL_STRBUF_H
#define ROVE_UTIL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
    char *buf; /* never NULL after the first append; "" before it via sb_str() */
    size_t len;
    size_t cap;
};

#define STRBUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void sb_addn(struct strbuf *sb, const char *s, size_t n);
void sb_add(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void sb_reset(struct strbuf *sb);
/* The contents; "" for an empty buffer. Valid until the next append. */
const char *sb_str(const struct strbuf *sb);
/* Hands the heap string to the caller (who frees it) and resets the buffer. */
char *sb_detach(struct strbuf *sb);
void sb_release(struct strbuf *sb);

/* Allocation that never returns NULL: rove treats out-of-memory as fatal. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
