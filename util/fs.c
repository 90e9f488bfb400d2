/* SPDX-License-Identifier: MIT */
#include "util/fs.h"
#include "util/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void fsync_dir_of(const char *path)
{
    char *dir = fs_dirname(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
    char *tmp = xasprintf("%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    int saved;
    if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0)
        goto fail;
    if (close(fd) < 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) < 0)
        goto fail;
    fsync_dir_of(path);
    free(tmp);
    return 0;
fail:
    saved = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    free(tmp);
    errno = saved;
    return -1;
}

int fs_mkdir_p(const char *path, mode_t mode)
{
    char *copy = xstrdup(path);
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, mode) < 0 && errno != EEXIST) {
            free(copy);
            return -1;
        }
        *p = '/';
    }
    int rc = mkdir(copy, mode);
    free(copy);
    if (rc < 0 && errno == EEXIST && fs_is_dir(path))
        return 0;
    return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int fs_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int fs_read_file(const char *path, char **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct strbuf sb = STRBUF_INIT;
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            close(fd);
            sb_release(&sb);
            errno = saved;
            return -1;
        }
        if (n == 0)
            break;
        sb_addn(&sb, chunk, (size_t)n);
    }
    close(fd);
    if (len)
        *len = sb.len;
    *data = sb_detach(&sb);
    return 0;
}

bool fs_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

bool fs_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *fs_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

char *fs_join(const char *base, const char *rel)
{
    if (rel[0] == '/')
        return xstrdup(rel);
    size_t n = strlen(base);
    return xasprintf("%s%s%s", base, n && base[n - 1] == '/' ? "" : "/", rel);
}

/* Drops "." and empty components and folds ".." without touching the file system. */
static char *normalise(const char *abs)
{
    struct strbuf out = STRBUF_INIT;
    const char *p = abs;
    while (*p) {
        while (*p == '/')
            p++;
        const char *end = strchrnul(p, '/');
        size_t n = (size_t)(end - p);
        if (n == 0 || (n == 1 && p[0] == '.')) {
            /* skip */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            char *slash = out.len ? strrchr(out.buf, '/') : NULL;
            if (slash)
                out.len = (size_t)(slash - out.buf), out.buf[out.len] = '\0';
        } else {
            sb_addc(&out, '/');
            sb_addn(&out, p, n);
        }
        p = end;
    }
    if (out.len == 0)
        sb_addc(&out, '/');
    return sb_detach(&out);
}

char *fs_absolute(const char *path)
{
    if (path[0] == '/')
        return normalise(path);
    char *cwd = getcwd(NULL, 0);
    if (!cwd)
        return normalise(path);
    char *joined = fs_join(cwd, path);
    free(cwd);
    char *abs = normalise(joined);
    free(joined);
    return abs;
}
