/* SPDX-License-Identifier: MIT */
#include "boxes/fetch.h"
#include "boxes/download.h"
#include "boxes/pipe.h"
#include "boxes/space.h"
#include "boxes/unpack.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_RESTARTS 3

/* Hands libarchive the stream from the download thread, starting with the block already read
 * to sniff the format. */
struct feed {
    struct pipe *pipe;
    const void *first;
    ssize_t first_len;
};

static la_ssize_t feed_read(struct archive *a, void *userdata, const void **buf)
{
    struct feed *f = userdata;
    if (f->first) {
        *buf = f->first;
        f->first = NULL;
        return f->first_len;
    }
    ssize_t n = pipe_read(f->pipe, buf);
    if (n < 0)
        archive_set_error(a, EIO, "the download failed");
    return n;
}

static bool is_zip(const void *data, ssize_t len)
{
    return len >= 4 && (!memcmp(data, "PK\3\4", 4) || !memcmp(data, "PK\5\6", 4));
}

enum outcome { FETCH_OK, FETCH_FAILED, FETCH_RESTART, FETCH_BAD_ARCHIVE };

/* Why the stream stopped, once the download thread is gone: the download's own failure wins
 * over what the unpacker made of the cut-off stream. */
static enum outcome stream_failure(struct download *d, const struct fetch_spec *spec, char *err)
{
    enum outcome o = FETCH_BAD_ARCHIVE;
    if (download_needs_restart(d)) {
        log_info("%s", download_error(d));
        o = FETCH_RESTART;
    } else if (download_failed(d)) {
        log_error("%s", download_error(d));
        o = FETCH_FAILED;
    } else {
        log_error("%s: %s", spec->location, err ? err : "the box archive is damaged");
    }
    free(err);
    return o;
}

/* Reads the rest of the stream (a tar's trailing padding) so all of it is hashed and saved. */
static bool pipe_drain(struct pipe *p)
{
    const void *buf;
    ssize_t n;
    while ((n = pipe_read(p, &buf)) > 0)
        ;
    return n == 0;
}

static bool checksum_matches(const struct fetch_spec *spec, const char *actual)
{
    if (!spec->expected)
        return true;
    char *expected = box_checksum_format(spec->expected);
    bool same = !strcmp(expected, actual);
    if (!same)
        log_error("checksum mismatch for %s:\n  expected %s\n  actual   %s\nnothing was added",
                  spec->location, expected, actual);
    free(expected);
    return same;
}

static enum outcome unpack_zip(const struct fetch_spec *spec, const char *dir, struct download *d,
                               int dir_fd, struct unpack_report *report, struct fetch_result *out)
{
    struct unpack_limits limits = {
        .max_unpacked = spec->max_unpacked, .dir = dir, .box = spec->label};
    log_debug("%s is a zip archive: downloading it whole before unpacking", spec->location);
    if (download_drain(d, &out->checksum) < 0)
        return stream_failure(d, spec, NULL);
    /* The whole file is here: its checksum is known before a single entry is unpacked. */
    if (!checksum_matches(spec, out->checksum))
        return FETCH_BAD_ARCHIVE;
    struct archive *a = box_archive_reader_new(true);
    char *err = NULL;
    enum outcome o = FETCH_OK;
    if (archive_read_open_filename(a, download_file_path(d), 1 << 20) != ARCHIVE_OK ||
        box_unpack(a, dir_fd, &limits, report, &err) < 0) {
        log_error("%s: %s", spec->location, err ? err : archive_error_string(a));
        o = FETCH_BAD_ARCHIVE;
    }
    free(err);
    archive_read_free(a);
    return o;
}

static enum outcome unpack_stream(const struct fetch_spec *spec, const char *dir,
                                  struct download *d, struct feed *feed, int dir_fd,
                                  struct unpack_report *report, struct fetch_result *out)
{
    struct unpack_limits limits = {
        .max_unpacked = spec->max_unpacked, .dir = dir, .box = spec->label};
    struct archive *a = box_archive_reader_new(false);
    char *err = NULL;
    bool unpacked = archive_read_open(a, feed, NULL, feed_read, NULL) == ARCHIVE_OK &&
                    box_unpack(a, dir_fd, &limits, report, &err) == 0;
    if (!unpacked && !err)
        err = xasprintf("the box archive is damaged or not a tar/zip archive: %s",
                        archive_error_string(a) ? archive_error_string(a) : "?");
    archive_read_free(a);
    bool drained = unpacked && pipe_drain(feed->pipe);
    pipe_stop(feed->pipe);
    feed->pipe = NULL;
    if (!unpacked || !drained)
        return stream_failure(d, spec, err);
    free(err);
    if (download_drain(d, &out->checksum) < 0)
        return stream_failure(d, spec, NULL);
    return FETCH_OK;
}

/* Before the bulk of the bytes arrives: the store must hold at least the .box itself (an archive
 * unpacks to no less, images being stored uncompressed), and a download's partial file too when
 * it shares the store's file system; a zip's is kept until it is unpacked, a tar's until the end.
 */
static bool room_for_box(const struct fetch_spec *spec, const char *dir, struct download *d,
                         int dir_fd)
{
    uint64_t size = download_expected_size(d);
    const char *partial = spec->is_url ? download_file_path(d) : NULL;
    struct stat store_st, partial_st;
    bool shared = partial && fstat(dir_fd, &store_st) == 0 && stat(partial, &partial_st) == 0 &&
                  store_st.st_dev == partial_st.st_dev;
    uint64_t needed = size > UINT64_MAX / 2 ? UINT64_MAX : size * (shared ? 2 : 1);
    char *what = xasprintf("box %s (%s)", spec->label, spec->location);
    char *err = NULL;
    bool ok = box_space_check(dir_fd, dir, needed, what, &err) == 0;
    if (!ok)
        log_error("%s", err);
    free(err);
    free(what);
    return ok;
}

/* One pass: stream (or spool, for zip) into dir_fd while the download thread receives. */
static enum outcome fetch_once(const struct fetch_spec *spec, const char *dir, struct download *d,
                               int dir_fd, struct fetch_result *out)
{
    struct feed feed = {.pipe = pipe_start(d)};
    struct unpack_report report = {0};
    enum outcome o;
    feed.first_len = pipe_read(feed.pipe, &feed.first);
    if (feed.first_len <= 0) {
        pipe_stop(feed.pipe);
        if (feed.first_len == 0) {
            log_error("%s is empty", spec->location);
            return FETCH_BAD_ARCHIVE;
        }
        return stream_failure(d, spec, NULL);
    }
    if (!room_for_box(spec, dir, d, dir_fd)) {
        pipe_stop(feed.pipe);
        return FETCH_BAD_ARCHIVE;
    }
    if (is_zip(feed.first, feed.first_len)) {
        bool drained = pipe_drain(feed.pipe);
        pipe_stop(feed.pipe);
        o = drained ? unpack_zip(spec, dir, d, dir_fd, &report, out)
                    : stream_failure(d, spec, NULL);
    } else {
        o = unpack_stream(spec, dir, d, &feed, dir_fd, &report, out);
    }
    if (o == FETCH_OK)
        out->has_vagrantfile = report.has_vagrantfile;
    return o;
}

static int empty_folder(const char *dir)
{
    fs_remove_tree(dir);
    return mkdir(dir, 0755);
}

/* What the store records to know the box again: its bytes' sha256 and size, and for a local file
 * the file as read. */
static void note_identity(const struct fetch_spec *spec, struct download *d,
                          struct fetch_result *out)
{
    out->source = xstrdup(download_source(d));
    out->sha256 = xstrdup(download_sha256(d));
    out->size = download_size(d);
    const struct stat *st = download_local_stat(d);
    out->is_local = st != NULL;
    if (st)
        out->local = *st;
    if (!spec->expected) { /* nothing was verified */
        free(out->checksum);
        out->checksum = NULL;
    }
}

int box_fetch(const struct fetch_spec *spec, const char *dir, struct fetch_result *out)
{
    memset(out, 0, sizeof *out);
    struct download_request req = {
        .url = spec->is_url ? spec->location : NULL,
        .local_path = spec->is_url ? NULL : spec->location,
        .expected = spec->expected,
        .insecure = spec->insecure,
        .strict_redirects = spec->strict_redirects,
        .bearer = spec->bearer,
        .label = spec->label,
    };
    enum outcome o = FETCH_RESTART;
    for (int attempt = 0; o == FETCH_RESTART && attempt < MAX_RESTARTS; attempt++) {
        struct download *d;
        char *err;
        if (attempt > 0 && empty_folder(dir) < 0)
            return error("cannot empty %s: %s", dir, strerror(errno));
        if (download_open(&req, &d, &err) < 0) {
            log_error("%s", err);
            free(err);
            return -1;
        }
        int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0) {
            log_error("cannot open %s: %s", dir, strerror(errno));
            download_close(d, true);
            return -1;
        }
        o = fetch_once(spec, dir, d, dir_fd, out);
        close(dir_fd);
        if (o == FETCH_OK && !checksum_matches(spec, out->checksum))
            o = FETCH_BAD_ARCHIVE;
        if (o == FETCH_OK)
            note_identity(spec, d, out);
        /* Keep the partial file only when the network failed: the next run resumes from it. A
         * bad archive or checksum would only come back the same. */
        download_close(d, o == FETCH_FAILED);
    }
    if (o == FETCH_RESTART)
        log_error("%s: the download restarted %d times; giving up", spec->location, MAX_RESTARTS);
    return o == FETCH_OK ? 0 : -1;
}

void fetch_result_free(struct fetch_result *r)
{
    free(r->checksum);
    free(r->sha256);
    free(r->source);
    memset(r, 0, sizeof *r);
}
