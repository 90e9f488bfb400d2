/* SPDX-License-Identifier: MIT */
#include "machine/yaml_walk.h"
#include "machine/names.h"
#include "machine/size.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct mf_pos yw_pos(const yaml_node_t *node)
{
    struct mf_pos pos = {0, 0};
    if (node) {
        pos.line = (int)node->start_mark.line + 1;
        pos.column = (int)node->start_mark.column + 1;
    }
    return pos;
}

__attribute__((format(printf, 3, 0))) static void add_error(struct yaml_walk *w, struct mf_pos pos,
                                                            const char *fmt, va_list ap)
{
    struct mf_errors *errs = w->errs;
    errs->items = xrealloc(errs->items, (errs->count + 1) * sizeof *errs->items);
    struct mf_error *e = &errs->items[errs->count++];
    struct strbuf msg = STRBUF_INIT;
    sb_vaddf(&msg, fmt, ap);
    e->file = xstrdup(w->file);
    e->line = pos.line;
    e->column = pos.column;
    e->message = sb_detach(&msg);
}

void yw_error(struct yaml_walk *w, const yaml_node_t *node, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_error(w, yw_pos(node), fmt, ap);
    va_end(ap);
}

void yw_error_at(struct yaml_walk *w, struct mf_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_error(w, pos, fmt, ap);
    va_end(ap);
}

yaml_node_t *yw_node(struct yaml_walk *w, int index)
{
    return yaml_document_get_node(w->doc, index);
}

bool yw_is_null(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *v = (const char *)node->data.scalar.value;
    return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL");
}

const char *yw_kind(const yaml_node_t *node)
{
    switch (node->type) {
    case YAML_MAPPING_NODE:
        return "a mapping";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_SCALAR_NODE:
        if (yw_is_null(node))
            return "nothing";
        return node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? "a plain value" : "a string";
    default:
        return "nothing";
    }
}

const char *yw_key(struct yaml_walk *w, yaml_node_t *key)
{
    if (key->type != YAML_SCALAR_NODE || yw_is_null(key)) {
        yw_error(w, key, "expected a key name, got %s", yw_kind(key));
        return NULL;
    }
    return (const char *)key->data.scalar.value;
}

void yw_unknown_key(struct yaml_walk *w, yaml_node_t *key, const char *name, const char *what,
                    const struct yw_field *fields, const char *hint)
{
    const char *candidates[64];
    size_t n = 0;
    for (size_t i = 0; fields[i].key && n < 64; i++)
        if (fields[i].key[0] != '*')
            candidates[n++] = fields[i].key;
    const char *near = name_suggest(name, candidates, n);
    if (!strcmp(name, "<<")) {
        yw_error(w, key,
                 "merge keys ('<<') are not supported; repeat the keys, or put shared "
                 "ones under 'defaults'");
    } else if (near) {
        yw_error(w, key, "unknown key '%s' in %s (did you mean '%s'?)", name, what, near);
    } else {
        struct strbuf valid = STRBUF_INIT;
        for (size_t i = 0; i < n; i++)
            sb_addf(&valid, "%s%s", i ? ", " : "", candidates[i]);
        yw_error(w, key, "unknown key '%s' in %s (valid keys: %s)%s", name, what, sb_str(&valid),
                 hint ? hint : "");
        sb_release(&valid);
    }
}

/* A duplicate key is reported at its second occurrence, naming the line of the first. */
static bool is_duplicate(struct yaml_walk *w, yaml_node_t *map, yaml_node_pair_t *pair,
                         const char *name)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < pair; p++) {
        yaml_node_t *k = yw_node(w, p->key);
        if (k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, name)) {
            yaml_node_t *key = yw_node(w, pair->key);
            yw_error(w, key, "duplicate key '%s' (first given on line %d)", name, yw_pos(k).line);
            return true;
        }
    }
    return false;
}

bool yw_pairs(struct yaml_walk *w, yaml_node_t *map, const char *what, yw_pair_fn fn, void *ctx)
{
    if (map->type != YAML_MAPPING_NODE) {
        yw_error(w, map, "expected %s to be a mapping (key: value lines), got %s", what,
                 yw_kind(map));
        return false;
    }
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top;
         pair++) {
        yaml_node_t *key = yw_node(w, pair->key);
        const char *name = yw_key(w, key);
        if (name && !is_duplicate(w, map, pair, name))
            fn(w, name, key, yw_node(w, pair->value), ctx);
    }
    return true;
}

struct field_walk {
    const char *what;
    const struct yw_field *fields;
    void *target;
};

static void dispatch_field(struct yaml_walk *w, const char *name, yaml_node_t *key,
                           yaml_node_t *value, void *ctx)
{
    struct field_walk *fw = ctx;
    const struct yw_field *f = fw->fields;
    while (f->key && strcmp(f->key, name) &&
           !(f->key[0] == '*' && !strncmp(name, f->key + 1, strlen(f->key + 1))))
        f++;
    if (!f->key)
        yw_unknown_key(w, key, name, fw->what, fw->fields, NULL);
    else
        f->read(w, value, fw->target);
}

void yw_mapping(struct yaml_walk *w, yaml_node_t *map, const char *what,
                const struct yw_field *fields, void *target)
{
    struct field_walk fw = {what, fields, target};
    yw_pairs(w, map, what, dispatch_field, &fw);
}

/* The text of a scalar, or NULL after an error when node is not a non-empty scalar. */
static const char *scalar_text(struct yaml_walk *w, yaml_node_t *node, const char *what)
{
    if (node->type != YAML_SCALAR_NODE || yw_is_null(node)) {
        yw_error(w, node, "expected %s, got %s", what, yw_kind(node));
        return NULL;
    }
    return (const char *)node->data.scalar.value;
}

bool yw_string(struct yaml_walk *w, yaml_node_t *node, const char *what, char **out)
{
    const char *text = scalar_text(w, node, what);
    if (!text)
        return false;
    if (!*text) {
        yw_error(w, node, "expected %s, got an empty string", what);
        return false;
    }
    free(*out);
    *out = xstrdup(text);
    return true;
}

/* Numbers and booleans must be plain scalars: `cpus: "2"` is a string in YAML. */
static const char *plain_text(struct yaml_walk *w, yaml_node_t *node, const char *what)
{
    const char *text = scalar_text(w, node, what);
    if (text && node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        yw_error(w, node, "expected %s, got the quoted string \"%s\" (remove the quotes)", what,
                 text);
        return NULL;
    }
    return text;
}

bool yw_int(struct yaml_walk *w, yaml_node_t *node, const char *what, long min, long max, int *out)
{
    const char *text = plain_text(w, node, what);
    if (!text)
        return false;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end || errno) {
        yw_error(w, node, "expected %s, got '%s'", what, text);
        return false;
    }
    if (v < min || v > max) {
        yw_error(w, node, "%s must be between %ld and %ld, got %ld", what, min, max, v);
        return false;
    }
    *out = (int)v;
    return true;
}

bool yw_bool(struct yaml_walk *w, yaml_node_t *node, const char *what, bool *out)
{
    const char *text = plain_text(w, node, what);
    if (!text)
        return false;
    if (!strcmp(text, "true")) {
        *out = true;
    } else if (!strcmp(text, "false")) {
        *out = false;
    } else {
        yw_error(w, node, "expected %s (true or false), got '%s'", what, text);
        return false;
    }
    return true;
}

bool yw_size(struct yaml_walk *w, yaml_node_t *node, const char *what, uint64_t min, uint64_t max,
             uint64_t *out)
{
    const char *text = scalar_text(w, node, what);
    if (!text)
        return false;
    uint64_t bytes;
    if (!size_parse(text, &bytes)) {
        yw_error(w, node, "expected %s as a size with a unit such as 512M or 2G, got '%s'", what,
                 text);
        return false;
    }
    if (bytes < min || bytes > max) {
        char lo[32], hi[32];
        size_format(min, lo, sizeof lo);
        size_format(max, hi, sizeof hi);
        yw_error(w, node, "%s %s is out of range: expected between %s and %s", what, text, lo, hi);
        return false;
    }
    *out = bytes;
    return true;
}

bool yw_path(struct yaml_walk *w, yaml_node_t *node, const char *what, bool must_exist, char **out)
{
    char *given = NULL;
    if (!yw_string(w, node, what, &given))
        return false;
    char *joined = fs_join(w->dir, given);
    char *abs = fs_absolute(joined);
    free(joined);
    struct stat st;
    if (must_exist && stat(abs, &st) < 0) {
        yw_error(w, node, "%s '%s' does not exist (looked for %s)", what, given, abs);
        free(given);
        free(abs);
        return false;
    }
    free(given);
    free(*out);
    *out = abs;
    return true;
}

bool yw_choice(struct yaml_walk *w, yaml_node_t *node, const char *what, const char *const *choices,
               char **out)
{
    const char *text = scalar_text(w, node, what);
    if (!text)
        return false;
    struct strbuf list = STRBUF_INIT;
    for (size_t i = 0; choices[i]; i++) {
        if (!strcmp(text, choices[i])) {
            sb_release(&list);
            free(*out);
            *out = xstrdup(text);
            return true;
        }
        sb_addf(&list, "%s%s", i ? ", " : "", choices[i]);
    }
    yw_error(w, node, "%s must be one of %s, got '%s'", what, sb_str(&list), text);
    sb_release(&list);
    return false;
}
