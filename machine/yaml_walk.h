/* SPDX-License-Identifier: MIT */
/* Typed, position-aware reading of a libyaml document: every accessor reports a mistake as an
 * error at the node's line and column and goes on, so that one pass finds every error. */
#ifndef ROVE_MACHINE_YAML_WALK_H
#define ROVE_MACHINE_YAML_WALK_H

#include "machine/machinefile.h"

#include <stdbool.h>
#include <stdint.h>
#include <yaml.h>

struct yaml_walk {
    const char *file; /* as shown in messages */
    const char *dir;  /* folder that relative paths are resolved against */
    yaml_document_t *doc;
    struct mf_errors *errs;
    struct yaml_expansion *sizes; /* of every node, see yaml_expansion.h */
};

void yw_error(struct yaml_walk *w, const yaml_node_t *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void yw_error_at(struct yaml_walk *w, struct mf_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
struct mf_pos yw_pos(const yaml_node_t *node);
yaml_node_t *yw_node(struct yaml_walk *w, int index);

/* "a mapping", "a list", "a string", "nothing": for "expected X, got Y" messages. */
const char *yw_kind(const yaml_node_t *node);
bool yw_is_null(const yaml_node_t *node);

/* One key of a mapping: the handler reads value into target. */
struct yw_field {
    const char *key; /* "*PREFIX" matches every key starting with PREFIX */
    void (*read)(struct yaml_walk *w, yaml_node_t *value, void *target);
};

/* Walks a mapping: unknown keys (with the nearest valid key suggested) and duplicate keys are
 * errors; each known key goes to its handler. what names the mapping in messages. */
void yw_mapping(struct yaml_walk *w, yaml_node_t *map, const char *what,
                const struct yw_field *fields, void *target);
/* Reports name (at key) as unknown in what, suggesting the nearest of fields' keys; else listing
 * them, followed by hint when not NULL. */
void yw_unknown_key(struct yaml_walk *w, yaml_node_t *key, const char *name, const char *what,
                    const struct yw_field *fields, const char *hint);
/* Calls fn for each pair of a mapping, after reporting duplicate and non-string keys. Returns
 * false (after an error) when map is not a mapping. */
typedef void (*yw_pair_fn)(struct yaml_walk *w, const char *name, yaml_node_t *key,
                           yaml_node_t *value, void *ctx);
bool yw_pairs(struct yaml_walk *w, yaml_node_t *map, const char *what, yw_pair_fn fn, void *ctx);
/* The key text of a mapping pair, or NULL (with an error) when the key is not a plain string. */
const char *yw_key(struct yaml_walk *w, yaml_node_t *key);

/* Scalar readers; each returns false (after an error naming what was expected) on a mistake. */
bool yw_string(struct yaml_walk *w, yaml_node_t *node, const char *what, char **out);
bool yw_int(struct yaml_walk *w, yaml_node_t *node, const char *what, long min, long max, int *out);
bool yw_bool(struct yaml_walk *w, yaml_node_t *node, const char *what, bool *out);
bool yw_size(struct yaml_walk *w, yaml_node_t *node, const char *what, uint64_t min, uint64_t max,
             uint64_t *out);
/* A path relative to the machinefile's folder, made absolute; must_exist checks it is there. */
bool yw_path(struct yaml_walk *w, yaml_node_t *node, const char *what, bool must_exist, char **out);
/* One of the words in choices (NULL-terminated). */
bool yw_choice(struct yaml_walk *w, yaml_node_t *node, const char *what, const char *const *choices,
               char **out);

#endif
