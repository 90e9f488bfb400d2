/* SPDX-License-Identifier: MIT */
#include "util/log.h"
#include "boxes/unpack.h"
#include "boxes/metadata.h"
#include "boxes/space.h"
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
    const char *dir;        /* the folder's path, for messages */
    const char *box;        /* "box NAME VERSION" or "the box", for messages */
    bool limit_given;       /* the caller's limit: metadata.json does not change it */
    char limit_origin[160]; /* where the limit comes from, for the refusal */
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

static int refuse_over_limit(struct unpacker *u)
{
    char limit[64];
    box_space_format(u->report->limit, limit, sizeof limit);
    return refuse(u,
                  "%s unpacks to more than %s, its limit (%s): refused; set %s=SIZE "
                  "(such as 200G) to allow more",
                  u->box, limit, u->limit_origin, BOX_MAX_UNPACKED_ENV);
}

/* Counts bytes against the total limit before they are written. */
static int charge(struct unpacker *u, uint64_t bytes)
{
    if (u->report->charged > u->report->limit || bytes > u->report->limit - u->report->charged)
        return refuse_over_limit(u);
    u->report->charged += bytes;
    return 0;
}

/* What an entry of a declared size costs: whole blocks, at least one. */
static uint64_t entry_cost(uint64_t size)
{
    if (size > UINT64_MAX - BOX_ENTRY_MIN_COST)
        return UINT64_MAX;
    uint64_t blocks = (size + BOX_ENTRY_MIN_COST - 1) / BOX_ENTRY_MIN_COST;
    return (blocks ? blocks : 1) * BOX_ENTRY_MIN_COST;
}

static uint64_t declared_size(struct archive_entry *e)
{
    return archive_entry_size_is_set(e) && archive_entry_size(e) > 0
               ? (uint64_t)archive_entry_size(e)
               : 0;
}

/* The bytes an entry really writes: a sparse entry's data extents, else its whole size. */
static uint64_t data_size(struct archive_entry *e)
{
    if (archive_entry_sparse_reset(e) <= 0)
        return declared_size(e);
    uint64_t sum = 0;
    la_int64_t offset, length;
    while (archive_entry_sparse_next(e, &offset, &length) == ARCHIVE_OK)
        if (length > 0)
            sum += (uint64_t)length;
    return sum;
}

/* Copies the entry's data; a stream that runs past the declared size (a lying header) is charged
 * as it grows. */
static int copy_data(struct unpacker *u, int fd, struct archive_entry *e)
{
    uint64_t end = 0, covered = declared_size(e);
    for (;;) {
        const void *buf;
        size_t size;
        la_int64_t offset;
        int r = archive_read_data_block(u->a, &buf, &size, &offset);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN)
            return refuse(u, "cannot read its data: %s", archive_error_string(u->a));
        if (offset < 0 || (uint64_t)offset > UINT64_MAX - size)
            return refuse(u, "data at an impossible offset");
        uint64_t block_end = (uint64_t)offset + size;
        if (block_end > covered) {
            if (charge(u, block_end - covered) < 0)
                return -1;
            covered = block_end;
        }
        if (write_sparse(fd, buf, size, (off_t)offset) < 0)
            return errno == ENOSPC || errno == EDQUOT ? refuse(u, "%s is full", u->dir)
                                                      : refuse(u, "%s", strerror(errno));
        if (block_end > end)
            end = block_end;
    }
    if (declared_size(e) > end)
        end = declared_size(e);
    if (end > INT64_MAX || ftruncate(fd, (off_t)end) < 0)
        return refuse(u, "%s", errno == ENOSPC || errno == EFBIG ? "disk full" : strerror(errno));
    u->report->bytes += end;
    return 0;
}

static int unpack_file(struct unpacker *u, struct archive_entry *e, int parent, const char *base)
{
    char *full = NULL;
    if (box_space_check(u->root_fd, u->dir, data_size(e), "it", &full) < 0) {
        int rc = refuse(u, "%s", full);
        free(full);
        return rc;
    }
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

/* metadata.json, once unpacked, sets the limit from the virtual_size it declares. Metadata that
 * does not parse leaves the default: the check after unpacking reports it. */
static int limit_from_metadata(struct unpacker *u)
{
    int fd = openat(u->root_fd, "metadata.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char *text = xmalloc(BOX_METADATA_MAX_SIZE);
    ssize_t len = read(fd, text, BOX_METADATA_MAX_SIZE);
    close(fd);
    struct box_metadata meta = {0};
    char *err = NULL;
    if (len > 0 && box_metadata_parse(text, (size_t)len, &meta, &err) == 0 &&
        meta.virtual_size > 0 && meta.virtual_size <= UINT64_MAX / BOX_UNPACKED_PER_VIRTUAL) {
        char size[64];
        box_space_format(meta.virtual_size, size, sizeof size);
        u->report->limit = meta.virtual_size * BOX_UNPACKED_PER_VIRTUAL;
        snprintf(u->limit_origin, sizeof u->limit_origin,
                 "%d x the virtual_size in metadata.json, %s", BOX_UNPACKED_PER_VIRTUAL, size);
    }
    box_metadata_free(&meta);
    free(err);
    free(text);
    return u->report->charged > u->report->limit ? refuse_over_limit(u) : 0;
}

static int unpack_entry(struct unpacker *u, struct archive_entry *e)
{
    if (u->report->entries >= BOX_MAX_ENTRIES)
        return refuse(u, "the box holds more than %d entries: refused", BOX_MAX_ENTRIES);
    if (charge(u, entry_cost(declared_size(e))) < 0)
        return -1;
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
        if (rc == 0 && !strcmp(path, "metadata.json") && !u->limit_given)
            rc = limit_from_metadata(u);
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

/* The folder's path for messages: the caller's, else resolved from the descriptor (newly
 * allocated). */
static char *folder_name(int root_fd, const struct unpack_limits *limits)
{
    if (limits && limits->dir)
        return xstrdup(limits->dir);
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", root_fd);
    char *real = realpath(proc, NULL);
    return real ? real : xstrdup("the unpack folder");
}

int box_unpack(struct archive *a, int root_fd, const struct unpack_limits *limits,
               struct unpack_report *report, char **err)
{
    struct unpacker u = {.a = a, .root_fd = root_fd, .report = report, .err = err};
    memset(report, 0, sizeof *report);
    *err = NULL;
    char *dir = folder_name(root_fd, limits);
    char *box = limits && limits->box ? xasprintf("box %s", limits->box) : xstrdup("the box");
    u.dir = dir;
    u.box = box;
    u.limit_given = limits && limits->max_unpacked;
    report->limit = u.limit_given ? limits->max_unpacked : BOX_DEFAULT_MAX_UNPACKED;
    snprintf(u.limit_origin, sizeof u.limit_origin, "%s",
             u.limit_given ? "set by " BOX_MAX_UNPACKED_ENV
                           : "the default for a box without virtual_size in metadata.json");
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
    free(dir);
    free(box);
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
