/* SPDX-License-Identifier: MIT */
/* A box's bytes as a stream, from a local file or over HTTP(S), hashed as they pass.
 *
 * HTTP downloads are saved to a partial file in the downloads folder, with a sidecar
 * (FILE.part.json: URL, ETag, Last-Modified, expected checksum, size). When an earlier download
 * of the same URL was interrupted, the next one asks only for the missing bytes (Range, with
 * If-Range so a changed file comes back whole) and the stream first replays the partial file's
 * bytes, so the consumer (the unpacker) sees the whole file once and nothing is fetched twice.
 * A server that ignores Range, or a file that changed, restarts the download cleanly from zero.
 * Transient failures (dropped connection, time-out, 5xx, 429 with Retry-After) are retried with
 * back-off, resuming where the stream stopped. */
#ifndef ROVE_BOXES_DOWNLOAD_H
#define ROVE_BOXES_DOWNLOAD_H

#include "boxes/checksum.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct download_request {
    const char *url;                     /* http(s) URL, or NULL for local_path */
    const char *local_path;              /* a local .box */
    const struct box_checksum *expected; /* NULL: none known (sha256 is computed anyway) */
    bool insecure;
    bool strict_redirects; /* a registry's box: redirects only to https (http_redirect_refusal) */
    const char *bearer;    /* access token for the URL's own origin, or NULL */
    const char *label;     /* shown beside the progress */
};

struct download;

/* Prepares the stream (takes the partial file's lock: a second rove downloading the same URL
 * waits). Returns 0, or -1 with *err (newly allocated). */
int download_open(const struct download_request *req, struct download **out, char **err);
/* The next bytes at *buf, valid until the next call: returns their count, 0 at the end, -1 on
 * failure (download_error() says why; download_needs_restart() tells whether the server sent a
 * different file, so the whole stream must begin again from zero). */
ssize_t download_read(struct download *d, const void **buf);
/* Lets another thread hash the stream: returns the running digest (NULL when nothing is hashed)
 * and stops hashing here until download_return_hasher(). Meanwhile the borrower must feed it, in
 * order, every block download_read() returns. */
struct box_hasher *download_lend_hasher(struct download *d);
void download_return_hasher(struct download *d, struct box_hasher *h);
const char *download_error(const struct download *d);
bool download_failed(const struct download *d);
bool download_needs_restart(const struct download *d);
/* Reads whatever the consumer left (a tar's trailing padding), then checks the length. Writes
 * "TYPE:HEX" of what was received into *actual (newly allocated; of the expected checksum's
 * type, sha256 when none was expected). Returns 0, or -1 with download_error() set. */
int download_drain(struct download *d, char **actual);
/* After a drain: "sha256:HEX" of every byte (borrowed), and how many there were. */
const char *download_sha256(const struct download *d);
uint64_t download_size(const struct download *d);
/* Once the first bytes were read: the size the stream will have (the local file's, or what the
 * server announced), 0 when unknown. */
uint64_t download_expected_size(const struct download *d);
/* The local file as it was opened (size, mtime, inode), or NULL for a download. */
const struct stat *download_local_stat(const struct download *d);
/* The partial file (HTTP) or the local file: zip archives are unpacked from there. */
const char *download_file_path(const struct download *d);
/* The final URL after redirects, or the local path. */
const char *download_source(const struct download *d);
/* Closes the stream. keep_partial: leave the partial file for a later resume (interrupted or
 * failed transfers); otherwise it and its sidecar are removed (success, bad checksum). */
void download_close(struct download *d, bool keep_partial);

#endif
