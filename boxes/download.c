/* SPDX-License-Identifier: MIT */
#include "boxes/download.h"
#include "boxes/http.h"
#include "boxes/paths.h"
#include "boxes/progress.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Network bytes wait here until the unpacker takes them; past this, curl is paused. */
#define NET_BUFFER_MAX (128 * 1024)
#define FILE_CHUNK     (256 * 1024)

enum verdict { RESPONSE_OK, RESPONSE_RETRY, RESPONSE_FROM_ZERO, RESPONSE_FAIL };

struct download {
    char *url;
    char *local_path;
    bool insecure;
    bool strict_redirects;
    char *bearer; /* for the URL's own origin only (curl drops it on a redirect elsewhere) */
    int fd;       /* the partial file, or the local file */
    char *part_path, *sidecar_path;
    char *expected;         /* "TYPE:HEX" or NULL */
    char *sha256;           /* "sha256:HEX" of all of it, once drained */
    struct stat local_stat; /* of the local file, as opened */
    enum box_digest digest;
    struct box_hasher *hasher;
    uint64_t prefix_len; /* bytes of the partial file still to replay */
    uint64_t pos;        /* bytes handed out so far */
    uint64_t total;      /* expected size, 0 when unknown */
    bool eof;
    /* the current HTTP request */
    CURLM *multi;
    CURL *easy;
    struct curl_slist *headers;
    char errbuf[CURL_ERROR_SIZE];
    uint64_t request_offset;
    bool finished, headers_done, discard_body, paused, handed_out;
    CURLcode result;
    long status;
    char *etag, *last_modified, *content_range, *final_url;
    char *location;        /* of the current response, when it redirects */
    char *partial_etag;    /* the sidecar's record of the partial file, to compare a 206 with */
    uint64_t partial_size; /* 0 when unknown */
    bool saw_location;
    long retry_after;
    int retries;
    unsigned char *net;
    size_t net_len, net_cap;
    unsigned char *chunk; /* reads from the file */
    bool need_restart;
    char *error;
    struct progress progress;
};

static void set_error(struct download *d, char *message)
{
    if (!d->error)
        d->error = message;
    else
        free(message);
}

/* ---- partial file and sidecar ---- */

static char *url_key(const char *url)
{
    struct box_hasher *h = box_hasher_new(BOX_DIGEST_SHA256);
    box_hasher_update(h, url, strlen(url));
    char hex[BOX_DIGEST_HEX_MAX + 1];
    box_hasher_finish(h, hex);
    hex[32] = '\0';
    return xstrdup(hex);
}

static void write_sidecar(struct download *d)
{
    struct json_object *o = json_object_new_object();
    json_add_string(o, "url", d->url);
    json_add_string(o, "etag", d->etag);
    json_add_string(o, "last_modified", d->last_modified);
    json_add_string(o, "checksum", d->expected);
    json_add_int(o, "size", (long long)d->total);
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
    if (fs_write_atomic(d->sidecar_path, text, strlen(text), 0644) < 0)
        log_warn("cannot write %s: %s (an interrupted download will start again from zero)",
                 d->sidecar_path, strerror(errno));
    json_object_put(o);
}

static const char *sidecar_string(struct json_object *o, const char *key)
{
    struct json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static bool same_string(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* How many bytes of the partial file may be reused: all of them when the sidecar describes this
 * URL and checksum and gives a way to tell whether the file changed since. */
static uint64_t reusable_prefix(struct download *d)
{
    struct stat st;
    char *text = NULL;
    size_t len;
    if (fstat(d->fd, &st) < 0 || st.st_size == 0 || fs_read_file(d->sidecar_path, &text, &len) < 0)
        return 0;
    struct json_object *o = json_tokener_parse(text);
    free(text);
    uint64_t reuse = 0;
    if (o && json_object_is_type(o, json_type_object) &&
        same_string(sidecar_string(o, "url"), d->url) &&
        same_string(sidecar_string(o, "checksum"), d->expected)) {
        const char *etag = sidecar_string(o, "etag");
        const char *modified = sidecar_string(o, "last_modified");
        bool strong_etag = etag && strncmp(etag, "W/", 2) != 0;
        if (strong_etag || modified || d->expected) {
            reuse = (uint64_t)st.st_size;
            struct json_object *size;
            if (json_object_object_get_ex(o, "size", &size))
                d->partial_size = (uint64_t)json_object_get_int64(size);
            d->partial_etag = strong_etag ? xstrdup(etag) : NULL;
            d->etag = strong_etag ? xstrdup(etag) : NULL;
            d->last_modified = modified ? xstrdup(modified) : NULL;
        }
    }
    json_object_put(o);
    return reuse;
}

/* Empties the partial file, but only when it holds something: on ext4 a truncation to zero marks
 * the file for a flush of all its data at close, which would write a whole download to disk just
 * before it is deleted. */
static int truncate_partial(struct download *d)
{
    struct stat st;
    if (fstat(d->fd, &st) == 0 && st.st_size == 0)
        return 0;
    return ftruncate(d->fd, 0);
}

static int open_partial(struct download *d, char **err)
{
    char *dir = box_downloads_dir();
    if (fs_mkdir_p(dir, 0755) < 0) {
        *err = xasprintf("cannot create the downloads folder %s: %s", dir, strerror(errno));
        free(dir);
        return -1;
    }
    char *key = url_key(d->url);
    d->part_path = xasprintf("%s/%s.part", dir, key);
    d->sidecar_path = xasprintf("%s/%s.part.json", dir, key);
    free(key);
    free(dir);
    d->fd = open(d->part_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (d->fd < 0) {
        *err = xasprintf("cannot open %s: %s", d->part_path, strerror(errno));
        return -1;
    }
    if (flock(d->fd, LOCK_EX | LOCK_NB) < 0) {
        log_info("waiting for another rove downloading %s", d->url);
        flock(d->fd, LOCK_EX);
    }
    d->prefix_len = reusable_prefix(d);
    if (d->prefix_len == 0 && truncate_partial(d) < 0) {
        *err = xasprintf("cannot truncate %s: %s", d->part_path, strerror(errno));
        return -1;
    }
    return 0;
}

static void start_from_zero(struct download *d)
{
    d->prefix_len = 0;
    if (truncate_partial(d) < 0)
        log_warn("cannot truncate %s: %s", d->part_path, strerror(errno));
    unlink(d->sidecar_path);
}

/* ---- curl callbacks ---- */

static bool header_is(const char *line, size_t len, const char *name, const char **value,
                      size_t *value_len)
{
    size_t n = strlen(name);
    if (len <= n || strncasecmp(line, name, n) || line[n] != ':')
        return false;
    const char *v = line + n + 1;
    const char *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    *value = v;
    *value_len = (size_t)(end - v);
    return true;
}

static void replace(char **slot, const char *value, size_t len)
{
    free(*slot);
    *slot = value ? xstrndup(value, len) : NULL;
}

/* A redirect curl is about to follow: false (stop the transfer) when rove's policy refuses it. */
static bool redirect_allowed(struct download *d)
{
    char *from = NULL;
    curl_easy_getinfo(d->easy, CURLINFO_EFFECTIVE_URL, &from);
    char *to = http_resolve(from ? from : d->url, d->location);
    const char *why = to ? http_redirect_refusal(from ? from : d->url, to, d->strict_redirects)
                         : "the redirect's Location is not a URL";
    if (why)
        set_error(d,
                  xasprintf("cannot download %s: %s (to %s)", d->url, why, to ? to : d->location));
    free(to);
    return why == NULL;
}

static bool end_of_headers(struct download *d)
{
    long code = 0;
    curl_easy_getinfo(d->easy, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 300 && code < 400 && d->saw_location)
        return redirect_allowed(d); /* more headers come, from where it leads */
    if (code < 200)
        return true; /* 1xx: more headers come */
    d->status = code;
    d->headers_done = true;
    d->discard_body = code != 200 && code != 206;
    return true;
}

static size_t on_header(char *line, size_t size, size_t n, void *userdata)
{
    struct download *d = userdata;
    size_t len = size * n;
    const char *v;
    size_t vlen;
    if (len >= 5 && !strncmp(line, "HTTP/", 5)) {
        replace(&d->etag, NULL, 0);
        replace(&d->last_modified, NULL, 0);
        replace(&d->content_range, NULL, 0);
        d->saw_location = false;
        d->retry_after = -1;
    } else if (len <= 2 && (line[0] == '\r' || line[0] == '\n')) {
        if (!end_of_headers(d))
            return 0; /* curl stops the transfer */
    } else if (header_is(line, len, "ETag", &v, &vlen)) {
        replace(&d->etag, v, vlen);
    } else if (header_is(line, len, "Last-Modified", &v, &vlen)) {
        replace(&d->last_modified, v, vlen);
    } else if (header_is(line, len, "Content-Range", &v, &vlen)) {
        replace(&d->content_range, v, vlen);
    } else if (header_is(line, len, "Location", &v, &vlen)) {
        replace(&d->location, v, vlen);
        d->saw_location = true;
    } else if (header_is(line, len, "Retry-After", &v, &vlen)) {
        char *value = xstrndup(v, vlen);
        d->retry_after = http_parse_retry_after(value);
        free(value);
    }
    return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
    struct download *d = userdata;
    size_t len = size * n;
    if (d->discard_body)
        return len;
    if (d->net_len > 0 && d->net_len + len > NET_BUFFER_MAX) {
        d->paused = true;
        return CURL_WRITEFUNC_PAUSE;
    }
    if (d->net_len + len > d->net_cap) {
        d->net_cap = d->net_len + len > NET_BUFFER_MAX ? d->net_len + len : NET_BUFFER_MAX;
        d->net = xrealloc(d->net, d->net_cap);
    }
    memcpy(d->net + d->net_len, data, len);
    d->net_len += len;
    return len;
}

/* ---- requests ---- */

static void end_request(struct download *d)
{
    if (d->easy) {
        curl_multi_remove_handle(d->multi, d->easy);
        curl_easy_cleanup(d->easy);
        d->easy = NULL;
    }
    curl_slist_free_all(d->headers);
    d->headers = NULL;
    d->net_len = 0;
    d->handed_out = false;
}

static void start_request(struct download *d, uint64_t offset)
{
    end_request(d);
    d->easy = http_easy_new(d->url, d->insecure, d->errbuf);
    d->request_offset = offset;
    d->finished = d->headers_done = d->discard_body = d->paused = false;
    d->status = 0;
    d->result = CURLE_OK;
    curl_easy_setopt(d->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(d->easy, CURLOPT_HEADERDATA, d);
    curl_easy_setopt(d->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(d->easy, CURLOPT_WRITEDATA, d);
    if (d->bearer) {
        curl_easy_setopt(d->easy, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
        curl_easy_setopt(d->easy, CURLOPT_XOAUTH2_BEARER, d->bearer);
    }
    if (offset > 0) {
        char range[64];
        snprintf(range, sizeof range, "%llu-", (unsigned long long)offset);
        curl_easy_setopt(d->easy, CURLOPT_RANGE, range);
        const char *validator = d->etag ? d->etag : d->last_modified;
        if (validator) {
            char *header = xasprintf("If-Range: %s", validator);
            d->headers = curl_slist_append(d->headers, header);
            free(header);
            curl_easy_setopt(d->easy, CURLOPT_HTTPHEADER, d->headers);
        }
    }
    curl_multi_add_handle(d->multi, d->easy);
}

/* Runs curl until something happens: body bytes, the end of the headers, or the end. */
static void pump(struct download *d)
{
    if (interrupt_requested()) {
        d->finished = true;
        d->result = CURLE_ABORTED_BY_CALLBACK;
        return;
    }
    int running = 0;
    bool was_done = d->headers_done;
    curl_multi_perform(d->multi, &running);
    struct CURLMsg *msg;
    int queued;
    while ((msg = curl_multi_info_read(d->multi, &queued))) {
        if (msg->msg == CURLMSG_DONE) {
            d->finished = true;
            d->result = msg->data.result;
        }
    }
    /* The interrupt's pipe wakes the wait at once. */
    struct curl_waitfd interrupt = {.fd = interrupt_fd(), .events = CURL_WAIT_POLLIN};
    if (!d->finished && d->net_len == 0 && was_done == d->headers_done)
        curl_multi_poll(d->multi, &interrupt, interrupt.fd >= 0 ? 1 : 0, 1000, NULL);
}

static bool content_range_starts_at(const char *cr, uint64_t offset, uint64_t *total)
{
    unsigned long long start, end, size;
    if (!cr || sscanf(cr, "bytes %llu-%llu/%llu", &start, &end, &size) != 3)
        return false;
    *total = size;
    return start == offset;
}

static enum verdict judge_response(struct download *d)
{
    if (!d->headers_done)
        return http_is_transient(d->result, 0) ? RESPONSE_RETRY : RESPONSE_FAIL;
    curl_off_t length = -1;
    curl_easy_getinfo(d->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    if (d->status == 200) {
        d->total = length >= 0 ? (uint64_t)length : 0;
        return d->request_offset == 0 ? RESPONSE_OK : RESPONSE_FROM_ZERO;
    }
    if (d->status == 206) {
        uint64_t total = 0;
        if (!content_range_starts_at(d->content_range, d->request_offset, &total))
            return RESPONSE_FROM_ZERO;
        /* The rest of another file (a server that ignored If-Range): start again. */
        if ((d->partial_etag && (!d->etag || strcmp(d->etag, d->partial_etag))) ||
            (d->partial_size && total != d->partial_size))
            return RESPONSE_FROM_ZERO;
        d->total = total;
        return RESPONSE_OK;
    }
    if (d->status == 416 && d->request_offset > 0) {
        /* A 416 whose Content-Range gives the size we hold: the partial file is complete. */
        unsigned long long size;
        if (d->content_range && sscanf(d->content_range, "bytes */%llu", &size) == 1 &&
            size == d->request_offset) {
            d->total = size;
            return RESPONSE_OK;
        }
        return RESPONSE_FROM_ZERO;
    }
    return http_is_transient(CURLE_OK, d->status) ? RESPONSE_RETRY : RESPONSE_FAIL;
}

static void describe_failure(struct download *d)
{
    CURLcode code = d->headers_done ? CURLE_OK : d->result;
    if (interrupt_requested())
        set_error(d, xasprintf("%s: interrupted", d->url));
    else
        set_error(d, http_describe_failure(d->url, code, d->status, d->errbuf));
}

/* Waits before the next try; false when no try is left. */
static bool may_retry(struct download *d)
{
    if (d->retries >= http_max_retries() || interrupt_requested())
        return false;
    d->retries++;
    double delay = http_retry_delay(d->retries, d->retry_after);
    const char *why = d->headers_done ? NULL : curl_easy_strerror(d->result);
    if (why)
        log_info("%s: %s; retrying in %.0f s (%d/%d)", d->url, why, delay, d->retries,
                 http_max_retries());
    else
        log_info("%s: HTTP %ld; retrying in %.0f s (%d/%d)", d->url, d->status, delay, d->retries,
                 http_max_retries());
    end_request(d);
    http_sleep(delay);
    return true;
}

/* Starts a request for the bytes from offset and waits for its headers, retrying transient
 * failures. When the server answers with the whole file although bytes were asked for, the
 * download starts from zero if nothing was handed out yet, and needs a restart otherwise. */
static int begin_transfer(struct download *d, uint64_t offset)
{
    for (;;) {
        start_request(d, offset);
        while (!d->headers_done && !d->finished)
            pump(d);
        switch (judge_response(d)) {
        case RESPONSE_OK:
            if (d->request_offset == 0) {
                write_sidecar(d);
                progress_set_total(&d->progress, d->total, 0);
            } else {
                progress_set_total(&d->progress, d->total, d->request_offset);
            }
            return 0;
        case RESPONSE_RETRY:
            if (!may_retry(d)) {
                describe_failure(d);
                return -1;
            }
            break;
        case RESPONSE_FROM_ZERO:
            if (d->pos > 0) {
                d->need_restart = true;
                set_error(d, xasprintf("%s: the server sent the whole file again (no resume "
                                       "support, or the file changed); starting over",
                                       d->url));
                return -1;
            }
            log_info("%s: cannot resume (the server ignores ranges or the file changed); "
                     "downloading from the start",
                     d->url);
            start_from_zero(d);
            if (d->status != 200) {
                offset = 0;
                break;
            }
            d->request_offset = 0;
            write_sidecar(d);
            progress_set_total(&d->progress, d->total, 0);
            return 0;
        case RESPONSE_FAIL:
            describe_failure(d);
            return -1;
        }
    }
}

/* ---- reading ---- */

static ssize_t hand_out(struct download *d, const void *data, size_t len, const void **buf)
{
    if (d->hasher)
        box_hasher_update(d->hasher, data, len);
    d->pos += len;
    progress_update(&d->progress, d->pos);
    *buf = data;
    return (ssize_t)len;
}

static ssize_t read_file_chunk(struct download *d, uint64_t limit, const void **buf)
{
    size_t want = limit - d->pos < FILE_CHUNK ? (size_t)(limit - d->pos) : FILE_CHUNK;
    ssize_t n = pread(d->fd, d->chunk, want, (off_t)d->pos);
    if (n < 0 && errno == EINTR)
        return read_file_chunk(d, limit, buf);
    if (n < 0) {
        set_error(d, xasprintf("cannot read %s: %s", d->local_path ? d->local_path : d->part_path,
                               strerror(errno)));
        return -1;
    }
    if (n == 0) {
        d->eof = true;
        return 0;
    }
    return hand_out(d, d->chunk, (size_t)n, buf);
}

static ssize_t save_and_hand_out(struct download *d, const void **buf)
{
    size_t len = d->net_len;
    const char *p = (const char *)d->net;
    for (off_t off = (off_t)d->pos; len > 0;) {
        ssize_t w = pwrite(d->fd, p, len, off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            set_error(d, errno == ENOSPC || errno == EDQUOT
                             ? xasprintf("disk full while saving %s to %s", d->url, d->part_path)
                             : xasprintf("cannot write %s: %s", d->part_path, strerror(errno)));
            return -1;
        }
        p += w;
        len -= (size_t)w;
        off += w;
    }
    d->handed_out = true;
    return hand_out(d, d->net, d->net_len, buf);
}

static ssize_t read_network(struct download *d, const void **buf)
{
    for (;;) {
        if (d->handed_out) {
            d->net_len = 0;
            d->handed_out = false;
        }
        if (d->paused) {
            d->paused = false;
            curl_easy_pause(d->easy, CURLPAUSE_CONT);
        }
        while (d->net_len == 0 && !d->finished)
            pump(d);
        if (d->net_len > 0)
            return save_and_hand_out(d, buf);
        if (d->result == CURLE_OK && (d->total == 0 || d->pos >= d->total)) {
            char *url = NULL;
            curl_easy_getinfo(d->easy, CURLINFO_EFFECTIVE_URL, &url);
            replace(&d->final_url, url, url ? strlen(url) : 0);
            end_request(d);
            d->eof = true;
            return 0;
        }
        /* Cut short: a dropped connection, a time-out, or a body shorter than announced. */
        if (d->result == CURLE_OK)
            d->result = CURLE_PARTIAL_FILE;
        d->headers_done = false;
        if (!http_is_transient(d->result, 0) || !may_retry(d)) {
            describe_failure(d);
            return -1;
        }
        if (begin_transfer(d, d->pos) < 0)
            return -1;
    }
}

ssize_t download_read(struct download *d, const void **buf)
{
    if (d->error)
        return -1;
    if (d->eof)
        return 0;
    if (d->local_path)
        return read_file_chunk(d, UINT64_MAX, buf);
    if (!d->easy && d->pos == 0 && begin_transfer(d, d->prefix_len) < 0)
        return -1;
    if (d->pos < d->prefix_len)
        return read_file_chunk(d, d->prefix_len, buf);
    return read_network(d, buf);
}

/* ---- lifetime ---- */

static int open_local(struct download *d, char **err)
{
    d->fd = open(d->local_path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (d->fd < 0 || fstat(d->fd, &st) < 0) {
        *err = xasprintf("cannot open %s: %s", d->local_path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        *err = xasprintf("%s is not a file", d->local_path);
        return -1;
    }
    d->local_stat = st;
    progress_set_total(&d->progress, (uint64_t)st.st_size, 0);
    return 0;
}

int download_open(const struct download_request *req, struct download **out, char **err)
{
    struct download *d = xcalloc(1, sizeof *d);
    d->fd = -1;
    d->insecure = req->insecure;
    d->strict_redirects = req->strict_redirects;
    d->bearer = req->bearer ? xstrdup(req->bearer) : NULL;
    d->retry_after = -1;
    /* The store records every box's sha256; a checksum of another type is computed beside it,
     * in the same pass. */
    d->digest = req->expected ? req->expected->type : BOX_DIGEST_SHA256;
    d->expected = req->expected ? box_checksum_format(req->expected) : NULL;
    d->hasher = box_hasher_new_with_sha256(d->digest);
    d->chunk = xmalloc(FILE_CHUNK);
    progress_start(&d->progress, req->label ? req->label : "downloading");
    int rc;
    if (req->local_path) {
        d->local_path = xstrdup(req->local_path);
        rc = open_local(d, err);
    } else {
        d->url = xstrdup(req->url);
        d->multi = curl_multi_init();
        rc = open_partial(d, err);
    }
    if (rc < 0) {
        download_close(d, true);
        return -1;
    }
    if (d->prefix_len)
        log_info("resuming %s after %llu bytes already downloaded", d->url,
                 (unsigned long long)d->prefix_len);
    *out = d;
    return 0;
}

struct box_hasher *download_lend_hasher(struct download *d)
{
    struct box_hasher *h = d->hasher;
    d->hasher = NULL;
    return h;
}

void download_return_hasher(struct download *d, struct box_hasher *h)
{
    d->hasher = h;
}

const char *download_error(const struct download *d)
{
    return d->error ? d->error : "unknown error";
}

bool download_failed(const struct download *d)
{
    return d->error != NULL;
}

bool download_needs_restart(const struct download *d)
{
    return d->need_restart;
}

int download_drain(struct download *d, char **actual)
{
    const void *buf;
    ssize_t n;
    while ((n = download_read(d, &buf)) > 0)
        ;
    if (n < 0)
        return -1;
    if (d->total && d->pos != d->total) {
        set_error(d, xasprintf("%s: received %llu bytes of %llu", d->url ? d->url : d->local_path,
                               (unsigned long long)d->pos, (unsigned long long)d->total));
        return -1;
    }
    progress_finish(&d->progress, true);
    struct box_checksum sum = {.type = d->digest}, sha256 = {.type = BOX_DIGEST_SHA256};
    box_hasher_finish_with_sha256(d->hasher, sum.hex, sha256.hex);
    d->hasher = NULL;
    *actual = box_checksum_format(&sum);
    d->sha256 = box_checksum_format(&sha256);
    return 0;
}

const char *download_sha256(const struct download *d)
{
    return d->sha256;
}

uint64_t download_size(const struct download *d)
{
    return d->pos;
}

uint64_t download_expected_size(const struct download *d)
{
    return d->local_path ? (uint64_t)d->local_stat.st_size : d->total;
}

const struct stat *download_local_stat(const struct download *d)
{
    return d->local_path ? &d->local_stat : NULL;
}

const char *download_file_path(const struct download *d)
{
    return d->local_path ? d->local_path : d->part_path;
}

const char *download_source(const struct download *d)
{
    if (d->local_path)
        return d->local_path;
    return d->final_url ? d->final_url : d->url;
}

void download_close(struct download *d, bool keep_partial)
{
    if (!d)
        return;
    if (d->multi) {
        end_request(d);
        curl_multi_cleanup(d->multi);
    }
    progress_finish(&d->progress, false);
    if (!d->local_path && d->part_path && !keep_partial) {
        unlink(d->sidecar_path);
        unlink(d->part_path);
    }
    if (d->fd >= 0)
        close(d->fd); /* also releases the lock */
    box_hasher_free(d->hasher);
    free(d->url);
    free(d->bearer);
    free(d->local_path);
    free(d->part_path);
    free(d->sidecar_path);
    free(d->expected);
    free(d->sha256);
    free(d->etag);
    free(d->last_modified);
    free(d->content_range);
    free(d->final_url);
    free(d->location);
    free(d->partial_etag);
    free(d->net);
    free(d->chunk);
    free(d->error);
    free(d);
}
