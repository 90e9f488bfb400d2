#include "util/log.h"
#include "boxes/unpack.h"
#include "util/strbuf.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Zero runs this long (or longer, aligned) become holes instead of written blocks. */
#define HOLE_CHUNK (64 * 1024)

struct unpacker {
    struct archive *a;
    int root_fd;
    uint64_t max_entry_size;
    struct unpack_report *report;
    char **err;
    const char *entry; /* the entry's name as the archive gives it */
    char **symlinks;   /* normalised paths of the links made, checked once all exist */
    size_t nsymlinks;
};

static int refuse(struct unpacker *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(struct unpacker *u, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "box archive entry '%s': ", u->entry ? u->entry : "?");
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    *u->err = sb_detach(&sb);
    return -1;
}

/* A relative path without ".", "..", or empty components; "" for the root itself. NULL (and
 * *why) for a path that would leave the folder. */
static char *normalise_path(const char *raw, const char **why)
{
    if (!raw) {
        *why = "entry without a name";
        return NULL;
    }
    if (raw[0] == '/') {
        *why = "absolute path refused";
        return NULL;
    }
    struct strbuf out = STRBUF_INIT;
    for (const char *p = raw; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            sb_release(&out);
            *why = "'..' in the path refused";
            return NULL;
        }
        if (n > 0 && !(n == 1 && p[0] == '.')) {
            if (out.len)
                sb_addc(&out, '/');
            sb_addn(&out, p, n);
        }
        p += n;
        if (*p == '/')
            p++;
    }
    return sb_detach(&out);
}

/* Opens the folder holding path (walking each component with O_NOFOLLOW, creating missing
 * folders when create is set) and points *base at the last component. Returns a descriptor or -1
 * with errno set. */
static int open_parent(int root_fd, char *path, bool create, const char **base)
{
    int dir = dup(root_fd);
    char *p = path;
    for (char *slash; dir >= 0 && (slash = strchr(p, '/')); p = slash + 1) {
        *slash = '\0';
        if (create && mkdirat(dir, p, 0755) < 0 && errno != EEXIST) {
            int saved = errno;
            close(dir);
            *slash = '/';
            errno = saved;
            return -1;
        }
        int next = openat(dir, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int saved = errno;
        *slash = '/';
        close(dir);
        dir = next;
        errno = saved;
    }
    *base = p;
    return dir;
}

static int parent_error(struct unpacker *u)
{
    if (errno == ELOOP || errno == ENOTDIR)
        return refuse(u, "its folder is a symbolic link or a file");
    if (errno == ENOSPC || errno == EDQUOT)
        return refuse(u, "disk full");
    return refuse(u, "cannot create its folder: %s", strerror(errno));
}

static bool all_zero(const char *p, size_t n)
{
    return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

static int write_all_at(int fd, const char *p, size_t n, off_t off)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

/* Writes a block, leaving zero chunks as holes (the file was created empty). */
static int write_sparse(int fd, const char *p, size_t n, off_t off)
{
    while (n > 0) {
        size_t chunk = HOLE_CHUNK - (size_t)(off % HOLE_CHUNK);
        if (chunk > n)
            chunk = n;
        if (!all_zero(p, chunk) && write_all_at(fd, p, chunk, off) < 0)
            return -1;
        p += chunk;
        n -= chunk;
        off += (off_t)chunk;
    }
    return 0;
}

static int copy_data(struct unpacker *u, int fd, struct archive_entry *e)
{
    uint64_t end = 0;
    for (;;) {
        const void *buf;
        size_t size;
        la_int64_t offset;
        int r = archive_read_data_block(u->a, &buf, &size, &offset);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN)
            return refuse(u, "cannot read its data: %s", archive_error_string(u->a));
        if (offset < 0 || (uint64_t)offset + size > u->max_entry_size)
            return refuse(u, "larger than the limit of %llu bytes",
                          (unsigned long long)u->max_entry_size);
        if (write_sparse(fd, buf, size, (off_t)offset) < 0)
            return refuse(u, "%s",
                          errno == ENOSPC || errno == EDQUOT ? "disk full" : strerror(errno));
        if ((uint64_t)offset + size > end)
            end = (uint64_t)offset + size;
    }
    if (archive_entry_size_is_set(e) && (uint64_t)archive_entry_size(e) > end)
        end = (uint64_t)archive_entry_size(e);
    if (ftruncate(fd, (off_t)end) < 0)
        return refuse(u, "%s", errno == ENOSPC || errno == EFBIG ? "disk full" : strerror(errno));
    u->report->bytes += end;
    return 0;
}

static int unpack_file(struct unpacker *u, struct archive_entry *e, int parent, const char *base)
{
    if (archive_entry_size_is_set(e) && archive_entry_size(e) >= 0 &&
        (uint64_t)archive_entry_size(e) > u->max_entry_size)
        return refuse(u, "%lld bytes, larger than the limit of %llu bytes",
                      (long long)archive_entry_size(e), (unsigned long long)u->max_entry_size);
    if (unlinkat(parent, base, 0) < 0 && errno != ENOENT)
        return refuse(u, "cannot replace an earlier entry: %s", strerror(errno));
    mode_t mode = (archive_entry_perm(e) & 0111) ? 0755 : 0644;
    int fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return refuse(u, "cannot create it: %s", strerror(errno));
    int rc = copy_data(u, fd, e);
    if (close(fd) < 0 && rc == 0)
        rc = refuse(u, "cannot write it: %s", strerror(errno));
    return rc;
}

/* A link target is checked lexically here (relative, never above the box's root) and, once every
 * entry exists, for real by check_symlinks(). */
static int unpack_symlink(struct unpacker *u, struct archive_entry *e, const char *path, int parent,
                          const char *base)
{
    const char *target = archive_entry_symlink(e);
    if (!target || !*target)
        return refuse(u, "symbolic link without a target");
    if (target[0] == '/')
        return refuse(u, "symbolic link to an absolute path (%s) refused", target);
    long depth = 0;
    for (const char *p = path; (p = strchr(p, '/')); p++)
        depth++;
    for (const char *p = target; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            depth--;
        else if (n > 0 && !(n == 1 && p[0] == '.'))
            depth++;
        if (depth < 0)
            return refuse(u, "symbolic link pointing outside the box (%s) refused", target);
        p += n;
        if (*p == '/')
            p++;
    }
    if (unlinkat(parent, base, 0) < 0 && errno != ENOENT)
        return refuse(u, "cannot replace an earlier entry: %s", strerror(errno));
    if (symlinkat(target, parent, base) < 0)
        return refuse(u, "cannot create the link: %s", strerror(errno));
    u->symlinks = xrealloc(u->symlinks, (u->nsymlinks + 1) * sizeof *u->symlinks);
    u->symlinks[u->nsymlinks++] = xstrdup(path);
    return 0;
}

static int unpack_hardlink(struct unpacker *u, const char *raw_target, int parent, const char *base)
{
    const char *why;
    char *target = normalise_path(raw_target, &why);
    if (!target || !*target) {
        free(target);
        return refuse(u, "hard link pointing outside the box (%s) refused", raw_target);
    }
    const char *target_base;
    int target_parent = open_parent(u->root_fd, target, false, &target_base);
    struct stat st;
    int rc = 0;
    if (target_parent < 0 || fstatat(target_parent, target_base, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
        !S_ISREG(st.st_mode)) {
        rc = refuse(u, "hard link to '%s', which is not a file unpacked before it", raw_target);
    } else if (unlinkat(parent, base, 0) < 0 && errno != ENOENT) {
        rc = refuse(u, "cannot replace an earlier entry: %s", strerror(errno));
    } else if (linkat(target_parent, target_base, parent, base, 0) < 0) {
        rc = refuse(u, "cannot create the hard link: %s", strerror(errno));
    }
    if (target_parent >= 0)
        close(target_parent);
    free(target);
    return rc;
}

static int unpack_by_type(struct unpacker *u, struct archive_entry *e, char *path, int parent,
                          const char *base)
{
    if (archive_entry_hardlink(e))
        return unpack_hardlink(u, archive_entry_hardlink(e), parent, base);
    switch (archive_entry_filetype(e)) {
    case AE_IFREG:
        return unpack_file(u, e, parent, base);
    case AE_IFDIR:
        if (mkdirat(parent, base, 0755) < 0 && errno != EEXIST)
            return refuse(u, "cannot create the folder: %s", strerror(errno));
        return 0;
    case AE_IFLNK:
        return unpack_symlink(u, e, path, parent, base);
    case AE_IFCHR:
    case AE_IFBLK:
        return refuse(u, "device node refused");
    case AE_IFIFO:
        return refuse(u, "fifo refused");
    case AE_IFSOCK:
        return refuse(u, "socket refused");
    default:
        return refuse(u, "unknown entry type refused");
    }
}

static int unpack_entry(struct unpacker *u, struct archive_entry *e)
{
    const char *why;
    char *path = normalise_path(u->entry, &why);
    if (!path)
        return refuse(u, "%s", why);
    int rc = 0;
    if (!*path) {
        /* "./" itself: the root exists already. */
    } else if (!strcmp(path, BOX_RECORD_NAME)) {
        rc = refuse(u, "the name %s is reserved for rove's own record", BOX_RECORD_NAME);
    } else {
        const char *base;
        int parent = open_parent(u->root_fd, path, true, &base);
        if (parent < 0) {
            rc = parent_error(u);
        } else {
            rc = unpack_by_type(u, e, path, parent, base);
            close(parent);
        }
        if (rc == 0 && !strcmp(path, "Vagrantfile"))
            u->report->has_vagrantfile = true;
    }
    free(path);
    return rc;
}

/* Every link must resolve to something inside the root: links made of links are followed for
 * real here, which the lexical check alone cannot do. */
static int check_symlinks(struct unpacker *u)
{
    char root_proc[64], *root_real;
    snprintf(root_proc, sizeof root_proc, "/proc/self/fd/%d", u->root_fd);
    root_real = realpath(root_proc, NULL);
    if (!root_real) {
        *u->err = xasprintf("cannot resolve the unpack folder: %s", strerror(errno));
        return -1;
    }
    size_t root_len = strlen(root_real);
    int rc = 0;
    for (size_t i = 0; i < u->nsymlinks && rc == 0; i++) {
        char *link = xasprintf("%s/%s", root_real, u->symlinks[i]);
        char *real = realpath(link, NULL);
        u->entry = u->symlinks[i];
        if (!real)
            rc = refuse(u, "symbolic link pointing to nothing inside the box refused");
        else if (strncmp(real, root_real, root_len) || (real[root_len] && real[root_len] != '/'))
            rc = refuse(u, "symbolic link pointing outside the box refused");
        free(real);
        free(link);
    }
    free(root_real);
    return rc;
}

int box_unpack(struct archive *a, int root_fd, uint64_t max_entry_size,
               struct unpack_report *report, char **err)
{
    struct unpacker u = {.a = a, .root_fd = root_fd, .report = report, .err = err};
    u.max_entry_size = max_entry_size ? max_entry_size : BOX_DEFAULT_MAX_ENTRY_SIZE;
    memset(report, 0, sizeof *report);
    *err = NULL;
    int rc = 0;
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            const char *msg = archive_error_string(a);
            *err = xasprintf("the box archive is damaged or not a tar/zip archive: %s",
                             msg ? msg : "unknown error");
            rc = -1;
            break;
        }
        u.entry = archive_entry_pathname(e);
        rc = unpack_entry(&u, e);
        if (rc < 0)
            break;
        report->entries++;
    }
    if (rc == 0 && report->entries == 0) {
        *err = xstrdup("the box archive is empty");
        rc = -1;
    }
    if (rc == 0)
        rc = check_symlinks(&u);
    for (size_t i = 0; i < u.nsymlinks; i++)
        free(u.symlinks[i]);
    free(u.symlinks);
    return rc;
}

struct archive *box_archive_reader_new(bool seekable)
{
    struct archive *a = archive_read_new();
    if (!a)
        die("out of memory");
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_lzma(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    if (seekable)
        archive_read_support_format_zip_seekable(a);
    return a;
}
