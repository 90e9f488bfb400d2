/* SPDX-License-Identifier: MIT */
#include "provision/console_tail.h"
#include "util/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads backwards in blocks until enough newlines are seen: console logs can be large. */
static int read_tail_bytes(int fd, int nlines, char **data, size_t *len)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -1;
    off_t size = st.st_size, start = size;
    const off_t block = 8192;
    int newlines = 0;
    char buf[8192];
    while (start > 0 && newlines <= nlines) {
        off_t chunk = start >= block ? block : start;
        start -= chunk;
        ssize_t n = pread(fd, buf, (size_t)chunk, start);
        if (n < 0)
            return -1;
        for (ssize_t i = 0; i < n; i++)
            newlines += buf[i] == '\n';
    }
    size_t want = (size_t)(size - start);
    char *out = xmalloc(want + 1);
    ssize_t got = pread(fd, out, want, start);
    if (got < 0) {
        free(out);
        return -1;
    }
    out[got] = '\0';
    *data = out;
    *len = (size_t)got;
    return 0;
}

int file_tail(const char *path, int nlines, struct strbuf *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char *data = NULL;
    size_t len = 0;
    int rc = read_tail_bytes(fd, nlines, &data, &len);
    int saved = errno;
    close(fd);
    if (rc < 0) {
        errno = saved;
        return -1;
    }
    /* Ignore a final newline, then walk back nlines line starts. */
    size_t end = len;
    if (end > 0 && data[end - 1] == '\n')
        end--;
    size_t begin = end;
    int seen = 0;
    while (begin > 0) {
        if (data[begin - 1] == '\n' && ++seen == nlines)
            break;
        begin--;
    }
    for (size_t i = begin; i < end; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c == '\r')
            continue;
        sb_addc(out, (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ? '.' : (char)c);
    }
    if (end > begin)
        sb_addc(out, '\n');
    free(data);
    return 0;
}

int print_file_tail(const char *path, int nlines)
{
    struct strbuf sb = STRBUF_INIT;
    if (file_tail(path, nlines, &sb) < 0) {
        fprintf(stderr, "(cannot read %s: %s)\n", path, strerror(errno));
        return -1;
    }
    fprintf(stderr, "--- last %d lines of %s ---\n%s--- end of %s ---\n", nlines, path, sb_str(&sb),
            path);
    sb_release(&sb);
    return 0;
}
