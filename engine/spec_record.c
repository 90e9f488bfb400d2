/* SPDX-License-Identifier: MIT */
#include "engine/spec_record.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/version.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- How each kind of value is kept, compared and said ---- */

enum spec_kind {
    KIND_TEXT,    /* const char * */
    KIND_COUNT,   /* int */
    KIND_SIZE,    /* uint64_t bytes */
    KIND_DISK,    /* uint64_t bytes, 0: the box's size; may grow, never shrink */
    KIND_LIST,    /* an array of structs (struct spec_list), its count at count_offset */
    KIND_OPTIONS, /* the provider's settings: struct rove_option[], count at count_offset */
};

/* A member of a list's element: only text and counts. */
struct spec_member {
    const char *key;
    enum spec_kind kind; /* KIND_TEXT or KIND_COUNT */
    size_t offset;
};

/* A list's element type: its members, and how one element is said ("18555:80"). */
struct spec_list {
    size_t size;
    const struct spec_member *members;
    size_t nmembers;
    void (*say)(struct strbuf *sb, const void *element);
};

struct spec_field {
    const char *key; /* in spec.json and in what rove says */
    enum spec_kind kind;
    size_t offset;
    size_t count_offset;          /* KIND_LIST, KIND_OPTIONS */
    const struct spec_list *list; /* KIND_LIST */
};

static void say_forward(struct strbuf *sb, const void *element)
{
    const struct rove_forward *f = element;
    sb_addf(sb, "%d:%d", f->host, f->guest);
    if (f->proto && strcmp(f->proto, "tcp") != 0)
        sb_addf(sb, "/%s", f->proto);
}

static const struct spec_member forward_members[] = {
    {"host", KIND_COUNT, offsetof(struct rove_forward, host)},
    {"guest", KIND_COUNT, offsetof(struct rove_forward, guest)},
    {"proto", KIND_TEXT, offsetof(struct rove_forward, proto)},
};
static const struct spec_list forward_list = {sizeof(struct rove_forward), forward_members,
                                              sizeof forward_members / sizeof *forward_members,
                                              say_forward};

#define SPEC_AT(field) offsetof(struct rove_machine_spec, field)
#define SPEC_FIELD(key, kind, field)                                                               \
    {                                                                                              \
        key, kind, SPEC_AT(field), 0, NULL                                                         \
    }
#define SPEC_ARRAY(key, kind, field, count, list)                                                  \
    {                                                                                              \
        key, kind, SPEC_AT(field), SPEC_AT(count), list                                            \
    }

/* Every field of struct rove_machine_spec a provider or the guest's set-up consumes, in the order
 * rove names changes. The name is the machine's identity, not a setting. */
static const struct spec_field spec_fields[] = {
    SPEC_FIELD("hostname", KIND_TEXT, hostname),
    SPEC_FIELD("cpus", KIND_COUNT, cpus),
    SPEC_FIELD("memory", KIND_SIZE, memory),
    SPEC_FIELD("disk", KIND_DISK, disk),
    SPEC_ARRAY("forward", KIND_LIST, forwards, nforwards, &forward_list),
    SPEC_ARRAY("settings", KIND_OPTIONS, options, noptions, NULL),
};
#define NFIELDS (sizeof spec_fields / sizeof *spec_fields)

#define AT(base, offset, type)       ((type *)((char *)(base) + (offset)))
#define AT_CONST(base, offset, type) ((const type *)((const char *)(base) + (offset)))

static const char *const option_types[] = {
    [ROVE_OPTION_STRING] = "string",
    [ROVE_OPTION_BOOL] = "bool",
    [ROVE_OPTION_CHOICE] = "choice",
    [ROVE_OPTION_PATH] = "path",
};
#define NOPTION_TYPES (sizeof option_types / sizeof *option_types)

static const char *option_text(const struct rove_option *o)
{
    if (o->type == ROVE_OPTION_BOOL)
        return o->flag ? "true" : "false";
    return o->value ? o->value : "";
}

/* ---- The record as JSON ---- */

static struct json_object *member_json(const struct spec_member *mb, const void *base)
{
    if (mb->kind == KIND_COUNT)
        return json_object_new_int(*AT_CONST(base, mb->offset, int));
    const char *text = *AT_CONST(base, mb->offset, const char *);
    return text ? json_object_new_string(text) : NULL;
}

static struct json_object *list_json(const struct spec_list *l, const void *array, size_t n)
{
    struct json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        const char *element = (const char *)array + i * l->size;
        struct json_object *o = json_object_new_object();
        for (size_t j = 0; j < l->nmembers; j++)
            json_object_object_add(o, l->members[j].key, member_json(&l->members[j], element));
        json_object_array_add(arr, o);
    }
    return arr;
}

static struct json_object *options_json(const struct rove_option *opts, size_t n)
{
    struct json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_new_object();
        json_add_string(o, "key", opts[i].key);
        json_add_string(o, "type",
                        (size_t)opts[i].type < NOPTION_TYPES ? option_types[opts[i].type] : "");
        json_add_string(o, "value", option_text(&opts[i]));
        json_object_array_add(arr, o);
    }
    return arr;
}

static struct json_object *field_json(const struct spec_field *f, const struct rove_machine_spec *s)
{
    switch (f->kind) {
    case KIND_TEXT: {
        const char *text = *AT_CONST(s, f->offset, const char *);
        return text ? json_object_new_string(text) : NULL;
    }
    case KIND_COUNT:
        return json_object_new_int(*AT_CONST(s, f->offset, int));
    case KIND_SIZE:
    case KIND_DISK:
        return json_object_new_int64((int64_t)*AT_CONST(s, f->offset, uint64_t));
    case KIND_LIST:
        return list_json(f->list, *AT_CONST(s, f->offset, const void *),
                         *AT_CONST(s, f->count_offset, size_t));
    case KIND_OPTIONS:
        return options_json(*AT_CONST(s, f->offset, const struct rove_option *),
                            *AT_CONST(s, f->count_offset, size_t));
    }
    return NULL;
}

int spec_record_write(const char *path, const struct spec_record *r)
{
    struct json_object *o = json_object_new_object();
    json_add_string(o, "name", r->spec.name);
    json_add_string(o, "provider", r->provider);
    json_add_string(o, "box", r->box);
    json_add_string(o, "box_url", r->box_url);
    json_add_string(o, "box_version", r->box_version);
    json_object_object_add(o, "box_size", json_object_new_int64((int64_t)r->box_size));
    struct json_object *spec = json_object_new_object();
    for (size_t i = 0; i < NFIELDS; i++)
        json_object_object_add(spec, spec_fields[i].key, field_json(&spec_fields[i], &r->spec));
    json_object_object_add(o, "spec", spec);
    int rc = json_write_atomic(path, o, 0600);
    json_object_put(o);
    return rc;
}

/* ---- Reading it back: every value checked, as anything in a file may have been edited ---- */

static bool get_text(struct json_object *o, const char *key, char **out)
{
    struct json_object *v;
    *out = NULL;
    if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
        return true;
    if (!json_object_is_type(v, json_type_string))
        return false;
    *out = xstrdup(json_object_get_string(v));
    return true;
}

static bool get_count(struct json_object *o, const char *key, int *out)
{
    struct json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
        return false;
    int64_t n = json_object_get_int64(v);
    if (n < 0 || n > 1 << 20)
        return false;
    *out = (int)n;
    return true;
}

static bool get_size(struct json_object *o, const char *key, uint64_t *out)
{
    struct json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int) ||
        json_object_get_int64(v) < 0)
        return false;
    *out = (uint64_t)json_object_get_int64(v);
    return true;
}

static bool read_member(struct json_object *o, const struct spec_member *mb, void *base)
{
    if (mb->kind == KIND_COUNT)
        return get_count(o, mb->key, AT(base, mb->offset, int));
    return get_text(o, mb->key, AT(base, mb->offset, char *));
}

static bool read_list(struct json_object *arr, const struct spec_list *l, void **array, size_t *n)
{
    *array = NULL;
    *n = 0;
    if (!arr)
        return true;
    if (!json_object_is_type(arr, json_type_array))
        return false;
    size_t len = json_object_array_length(arr);
    *array = xcalloc(len ? len : 1, l->size);
    for (size_t i = 0; i < len; i++, (*n)++) {
        struct json_object *o = json_object_array_get_idx(arr, i);
        char *element = (char *)*array + i * l->size;
        if (!json_object_is_type(o, json_type_object))
            return false;
        for (size_t j = 0; j < l->nmembers; j++)
            if (!read_member(o, &l->members[j], element))
                return false;
    }
    return true;
}

static bool read_option(struct json_object *o, struct rove_option *opt)
{
    char *type = NULL, *value = NULL;
    bool ok = json_object_is_type(o, json_type_object) && get_text(o, "key", (char **)&opt->key) &&
              opt->key && get_text(o, "type", &type) && type && get_text(o, "value", &value) &&
              value;
    for (size_t t = 0; ok && t < NOPTION_TYPES; t++)
        if (!strcmp(type, option_types[t])) {
            opt->type = (enum rove_option_type)t;
            opt->flag = opt->type == ROVE_OPTION_BOOL && !strcmp(value, "true");
            opt->value = value;
            free(type);
            return true;
        }
    free(type);
    free(value);
    return false;
}

static bool read_options(struct json_object *arr, struct rove_option **opts, size_t *n)
{
    *opts = NULL;
    *n = 0;
    if (!arr)
        return true;
    if (!json_object_is_type(arr, json_type_array))
        return false;
    size_t len = json_object_array_length(arr);
    *opts = xcalloc(len ? len : 1, sizeof **opts);
    for (size_t i = 0; i < len; i++, (*n)++)
        if (!read_option(json_object_array_get_idx(arr, i), &(*opts)[i])) {
            free((char *)(*opts)[i].key);
            return false;
        }
    return true;
}

static bool read_field(struct json_object *spec, const struct spec_field *f,
                       struct rove_machine_spec *s)
{
    struct json_object *v = NULL;
    json_object_object_get_ex(spec, f->key, &v);
    switch (f->kind) {
    case KIND_TEXT:
        return get_text(spec, f->key, AT(s, f->offset, char *));
    case KIND_COUNT:
        return get_count(spec, f->key, AT(s, f->offset, int));
    case KIND_SIZE:
    case KIND_DISK:
        return get_size(spec, f->key, AT(s, f->offset, uint64_t));
    case KIND_LIST:
        return read_list(v, f->list, AT(s, f->offset, void *), AT(s, f->count_offset, size_t));
    case KIND_OPTIONS:
        return read_options(v, AT(s, f->offset, struct rove_option *),
                            AT(s, f->count_offset, size_t));
    }
    return false;
}

static bool read_object(struct json_object *o, struct spec_record *r)
{
    struct json_object *spec;
    if (!json_object_is_type(o, json_type_object) || !get_text(o, "name", (char **)&r->spec.name) ||
        !get_text(o, "provider", &r->provider) || !get_text(o, "box", &r->box) ||
        !get_text(o, "box_url", &r->box_url) || !get_text(o, "box_version", &r->box_version) ||
        !get_size(o, "box_size", &r->box_size) || !r->spec.name || !r->provider || !r->box ||
        !json_object_object_get_ex(o, "spec", &spec) ||
        !json_object_is_type(spec, json_type_object))
        return false;
    for (size_t i = 0; i < NFIELDS; i++)
        if (!read_field(spec, &spec_fields[i], &r->spec))
            return false;
    return true;
}

int spec_record_read(const char *path, struct spec_record *r)
{
    memset(r, 0, sizeof *r);
    char *text = NULL;
    size_t len = 0;
    if (fs_read_file(path, &text, &len) < 0)
        return -1;
    const char *why;
    struct json_object *o = json_parse_document(text, len, &why);
    free(text);
    bool ok = o && read_object(o, r);
    json_object_put(o);
    if (ok)
        return 0;
    spec_record_clear(r);
    errno = EINVAL;
    return -1;
}

static void free_list(const struct spec_list *l, void *array, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < l->nmembers; j++)
            if (l->members[j].kind == KIND_TEXT)
                free(*AT((char *)array + i * l->size, l->members[j].offset, char *));
    free(array);
}

void spec_record_clear(struct spec_record *r)
{
    struct rove_machine_spec *s = &r->spec;
    for (size_t i = 0; i < NFIELDS; i++) {
        const struct spec_field *f = &spec_fields[i];
        if (f->kind == KIND_TEXT) {
            free(*AT(s, f->offset, char *));
        } else if (f->kind == KIND_LIST) {
            free_list(f->list, *AT(s, f->offset, void *), *AT(s, f->count_offset, size_t));
        } else if (f->kind == KIND_OPTIONS) {
            struct rove_option *opts = *AT(s, f->offset, struct rove_option *);
            for (size_t j = 0; j < *AT(s, f->count_offset, size_t); j++) {
                free((char *)opts[j].key);
                free((char *)opts[j].value);
            }
            free(opts);
        }
    }
    free((char *)s->name);
    free(r->provider);
    free(r->box);
    free(r->box_url);
    free(r->box_version);
    memset(r, 0, sizeof *r);
}

/* ---- The difference, in words ---- */

static void add_change(struct spec_diff *d, const char *field, bool refused, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_change(struct spec_diff *d, const char *field, bool refused, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    d->items = xrealloc(d->items, (d->count + 1) * sizeof *d->items);
    d->items[d->count++] =
        (struct spec_change){.field = xstrdup(field), .words = sb_detach(&sb), .refused = refused};
    d->refused += refused;
}

/* "512 MiB", "2 GiB", "1000 KiB". */
static void say_size(struct strbuf *sb, uint64_t bytes)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    size_t u = 0;
    while (u + 1 < sizeof units / sizeof *units && bytes && bytes % 1024 == 0) {
        bytes /= 1024;
        u++;
    }
    sb_addf(sb, "%llu %s", (unsigned long long)bytes, units[u]);
}

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool same_element(const struct spec_list *l, const void *a, const void *b)
{
    for (size_t j = 0; j < l->nmembers; j++) {
        const struct spec_member *mb = &l->members[j];
        if (mb->kind == KIND_COUNT ? *AT_CONST(a, mb->offset, int) != *AT_CONST(b, mb->offset, int)
                                   : !same_text(*AT_CONST(a, mb->offset, const char *),
                                                *AT_CONST(b, mb->offset, const char *)))
            return false;
    }
    return true;
}

static void say_list(struct strbuf *sb, const struct spec_list *l, const void *array, size_t n)
{
    if (!n)
        sb_add(sb, "none");
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_add(sb, ", ");
        l->say(sb, (const char *)array + i * l->size);
    }
}

static void diff_list(struct spec_diff *d, const struct spec_field *f,
                      const struct rove_machine_spec *a, const struct rove_machine_spec *b)
{
    const void *xa = *AT_CONST(a, f->offset, const void *);
    const void *xb = *AT_CONST(b, f->offset, const void *);
    size_t na = *AT_CONST(a, f->count_offset, size_t), nb = *AT_CONST(b, f->count_offset, size_t);
    bool same = na == nb;
    for (size_t i = 0; same && i < na; i++)
        same = same_element(f->list, (const char *)xa + i * f->list->size,
                            (const char *)xb + i * f->list->size);
    if (same)
        return;
    struct strbuf from = STRBUF_INIT, to = STRBUF_INIT;
    say_list(&from, f->list, xa, na);
    say_list(&to, f->list, xb, nb);
    add_change(d, f->key, false, "%s %s -> %s", f->key, sb_str(&from), sb_str(&to));
    sb_release(&from);
    sb_release(&to);
}

static const struct rove_option *find_option(const struct rove_machine_spec *s, const char *key)
{
    for (size_t i = 0; i < s->noptions; i++)
        if (!strcmp(s->options[i].key, key))
            return &s->options[i];
    return NULL;
}

/* One change per setting, "libvirt.restrict false -> true"; a setting added or removed goes from
 * or to "(default)". */
static void diff_options(struct spec_diff *d, const char *provider,
                         const struct rove_machine_spec *a, const struct rove_machine_spec *b)
{
    for (int pass = 0; pass < 2; pass++) {
        const struct rove_machine_spec *s = pass ? b : a, *other = pass ? a : b;
        for (size_t i = 0; i < s->noptions; i++) {
            const struct rove_option *o = &s->options[i], *p = find_option(other, o->key);
            if (pass && p)
                continue; /* compared in the first pass */
            if (p && !strcmp(option_text(o), option_text(p)))
                continue;
            char *field = xasprintf("%s.%s", provider, o->key);
            const char *from = pass ? "(default)" : option_text(o);
            const char *to = pass ? option_text(o) : p ? option_text(p) : "(default)";
            add_change(d, field, false, "%s %s -> %s", field, from, to);
            free(field);
        }
    }
}

static void diff_field(struct spec_diff *d, const struct spec_field *f,
                       const struct spec_record *built, const struct rove_machine_spec *b)
{
    const struct rove_machine_spec *a = &built->spec;
    struct strbuf from = STRBUF_INIT, to = STRBUF_INIT;
    bool refused = false;
    switch (f->kind) {
    case KIND_TEXT: {
        const char *x = *AT_CONST(a, f->offset, const char *);
        const char *y = *AT_CONST(b, f->offset, const char *);
        if (!same_text(x, y)) {
            sb_add(&from, x ? x : "(none)");
            sb_add(&to, y ? y : "(none)");
        }
        break;
    }
    case KIND_COUNT: {
        int x = *AT_CONST(a, f->offset, int), y = *AT_CONST(b, f->offset, int);
        if (x != y) {
            sb_addf(&from, "%d", x);
            sb_addf(&to, "%d", y);
        }
        break;
    }
    case KIND_SIZE:
    case KIND_DISK: {
        uint64_t x = *AT_CONST(a, f->offset, uint64_t), y = *AT_CONST(b, f->offset, uint64_t);
        if (f->kind == KIND_DISK) {
            /* 0 is the box's own size: compare what the guest sees */
            x = x ? x : built->box_size;
            y = y ? y : built->box_size;
            refused = y < x;
        }
        if (x != y) {
            say_size(&from, x);
            say_size(&to, y);
        }
        break;
    }
    case KIND_LIST:
        diff_list(d, f, a, b);
        break;
    case KIND_OPTIONS:
        diff_options(d, built->provider, a, b);
        break;
    }
    if (from.len)
        add_change(d, f->key, refused, "%s %s -> %s%s", f->key, sb_str(&from), sb_str(&to),
                   refused ? " (a disk cannot shrink)" : "");
    sb_release(&from);
    sb_release(&to);
}

/* The box and provider a machine was built from cannot change under it. */
static void diff_identity(struct spec_diff *d, const struct spec_record *built,
                          const struct machine *m)
{
    if (!same_text(built->provider, m->provider))
        add_change(d, "provider", true, "provider %s -> %s", built->provider, m->provider);
    if (!same_text(built->box, m->box))
        add_change(d, "box", true, "box %s -> %s", built->box, m->box);
    if (!same_text(built->box_url, m->box_url))
        add_change(d, "box_url", true, "box_url %s -> %s",
                   built->box_url ? built->box_url : "(none)", m->box_url ? m->box_url : "(none)");
    if (built->box_version && m->box_version &&
        !box_version_satisfies(built->box_version, m->box_version))
        add_change(d, "box_version", true, "box version %s -> %s", built->box_version,
                   m->box_version);
}

void spec_diff_compute(const struct spec_record *built, const struct rove_machine_spec *wanted,
                       const struct machine *m, struct spec_diff *out)
{
    memset(out, 0, sizeof *out);
    diff_identity(out, built, m);
    for (size_t i = 0; i < NFIELDS; i++)
        diff_field(out, &spec_fields[i], built, wanted);
}

static char *join_changes(const struct spec_diff *d, bool refused, bool words)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < d->count; i++) {
        if (d->items[i].refused != refused)
            continue;
        if (sb.len)
            sb_add(&sb, ", ");
        sb_add(&sb, words ? d->items[i].words : d->items[i].field);
    }
    return sb_detach(&sb);
}

char *spec_diff_words(const struct spec_diff *d, bool refused)
{
    return join_changes(d, refused, true);
}

char *spec_diff_fields(const struct spec_diff *d, bool refused)
{
    return join_changes(d, refused, false);
}

void spec_diff_clear(struct spec_diff *d)
{
    for (size_t i = 0; i < d->count; i++) {
        free(d->items[i].field);
        free(d->items[i].words);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}

bool spec_forward_is_new(const struct spec_record *built, const struct rove_forward *f)
{
    for (size_t i = 0; i < built->spec.nforwards; i++) {
        const struct rove_forward *h = &built->spec.forwards[i];
        if (h->host == f->host && same_text(h->proto, f->proto))
            return false;
    }
    return true;
}
