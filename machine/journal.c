/* SPDX-License-Identifier: MIT */
#include "machine/journal.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct journal_record *find_record(struct journal *j, long seq)
{
    for (size_t i = 0; i < j->count; i++)
        if (j->records[i].seq == seq)
            return &j->records[i];
    return NULL;
}

static const char *get_string(struct json_object *obj, const char *key)
{
    struct json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static bool get_long(struct json_object *obj, const char *key, long *out)
{
    struct json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_int))
        return false;
    *out = (long)json_object_get_int64(v);
    return true;
}

/* Applies one complete line; returns false when it is not a valid record. */
static bool apply_line(struct journal *j, const char *line, size_t len)
{
    const char *why;
    struct json_object *obj = json_parse_document(line, len, &why);
    bool ok = obj && json_object_is_type(obj, json_type_object);
    long seq = 0, ref = 0;
    const char *op = ok ? get_string(obj, "op") : NULL;
    ok = ok && op && get_long(obj, "seq", &seq);
    if (ok && !strcmp(op, "create") && get_string(obj, "kind") && get_string(obj, "id")) {
        j->records = xrealloc(j->records, (j->count + 1) * sizeof *j->records);
        struct journal_record *r = &j->records[j->count++];
        struct json_object *data = NULL;
        json_object_object_get_ex(obj, "data", &data);
        r->seq = seq;
        r->kind = xstrdup(get_string(obj, "kind"));
        r->id = xstrdup(get_string(obj, "id"));
        r->data =
            data ? xstrdup(json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN)) : NULL;
        r->released = false;
    } else if (ok && !strcmp(op, "release") && get_long(obj, "ref", &ref)) {
        struct journal_record *r = find_record(j, ref);
        if (r)
            r->released = true;
    } else {
        ok = false;
    }
    if (ok && seq >= j->next_seq)
        j->next_seq = seq + 1;
    json_object_put(obj);
    return ok;
}

int journal_read(const char *path, struct journal *j)
{
    memset(j, 0, sizeof *j);
    j->next_seq = 1;
    char *data;
    size_t len;
    if (fs_read_file(path, &data, &len) < 0)
        return errno == ENOENT ? 0 : -1;
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (data[i] != '\n')
            continue;
        if (i > start && !apply_line(j, data + start, i - start))
            j->bad_lines++;
        start = i + 1;
    }
    j->torn_bytes = len - start;
    free(data);
    return 0;
}

void journal_free(struct journal *j)
{
    for (size_t i = 0; i < j->count; i++) {
        free(j->records[i].kind);
        free(j->records[i].id);
        free(j->records[i].data);
    }
    free(j->records);
    memset(j, 0, sizeof *j);
}

size_t journal_pending(const struct journal *j)
{
    size_t n = 0;
    for (size_t i = 0; i < j->count; i++)
        n += !j->records[i].released;
    return n;
}

/* Writes one line with a single write() and syncs it: a crash leaves either the whole record or
 * a torn tail without its newline, which readers ignore. */
static int append_line(const char *path, const struct journal *j, const char *line)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    struct stat st;
    int rc = fstat(fd, &st);
    off_t end = rc == 0 ? st.st_size - (off_t)j->torn_bytes : 0;
    if (rc == 0 && j->torn_bytes && ftruncate(fd, end) < 0)
        rc = -1;
    size_t len = strlen(line);
    if (rc == 0 && pwrite(fd, line, len, end) != (ssize_t)len)
        rc = -1;
    if (rc == 0 && fsync(fd) < 0)
        rc = -1;
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

static int append_object(const char *path, struct json_object *obj, long *seq_out)
{
    struct journal j;
    if (journal_read(path, &j) < 0) {
        json_object_put(obj);
        return -1;
    }
    long seq = j.next_seq;
    json_object_object_add(obj, "seq", json_object_new_int64(seq));
    char *line = xasprintf("%s\n", json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN));
    int rc = append_line(path, &j, line);
    free(line);
    journal_free(&j);
    json_object_put(obj);
    if (rc == 0 && seq_out)
        *seq_out = seq;
    return rc;
}

int journal_append(const char *path, const char *kind, const char *id, const char *data,
                   long *seq_out)
{
    struct json_object *obj = json_object_new_object();
    json_add_string(obj, "op", "create");
    json_add_string(obj, "kind", kind);
    json_add_string(obj, "id", id);
    if (data) {
        struct json_object *parsed = json_tokener_parse(data);
        if (!parsed) {
            json_object_put(obj);
            errno = EINVAL;
            return -1;
        }
        json_object_object_add(obj, "data", parsed);
    }
    return append_object(path, obj, seq_out);
}

int journal_release(const char *path, long seq)
{
    struct json_object *obj = json_object_new_object();
    json_add_string(obj, "op", "release");
    json_object_object_add(obj, "ref", json_object_new_int64(seq));
    return append_object(path, obj, NULL);
}

int journal_replay_reverse(const char *path,
                           int (*undo)(const struct journal_record *record, void *ctx), void *ctx)
{
    struct journal j;
    if (journal_read(path, &j) < 0)
        return -1;
    if (j.bad_lines)
        log_warn("%s: %zu damaged record(s) ignored", path, j.bad_lines);
    int pending = 0;
    for (size_t i = j.count; i-- > 0;) {
        struct journal_record *r = &j.records[i];
        if (r->released)
            continue;
        if (undo(r, ctx) == 0 && journal_release(path, r->seq) == 0)
            continue;
        pending++;
    }
    journal_free(&j);
    return pending;
}
