/* SPDX-License-Identifier: MIT */
/* One `provision:` item: exactly one of shell, script or file, and the options that apply to it. */
#include "machine/mf_parse.h"
#include "machine/names.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The provisioner being read, and where each kind-specific key was seen (for messages). */
struct reading {
    struct provisioner p;
    yaml_node_t *kind_key[3]; /* shell, script, file: the value nodes seen */
    yaml_node_t *args_node, *env_node, *privileged_node;
};

static void read_shell(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    struct reading *r = target;
    r->kind_key[PROVISION_SHELL] = v;
    yw_string(w, v, "an inline shell script", &r->p.inline_script);
}

static void read_script(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    struct reading *r = target;
    r->kind_key[PROVISION_SCRIPT] = v;
    struct stat st;
    if (yw_path(w, v, "script", true, &r->p.script) && stat(r->p.script, &st) == 0 &&
        !S_ISREG(st.st_mode))
        yw_error(w, v, "script '%s' is not a regular file", r->p.script);
}

static void read_file_src(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    yw_path(w, v, "file source", true, &((struct provisioner *)target)->src);
}

static void read_file_dest(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    yw_string(w, v, "a guest path", &((struct provisioner *)target)->dest);
}

/* A dest ending in '/' is a folder: the file (or folder) keeps its own name there, as with cp. */
static void keep_source_name(struct provisioner *p)
{
    size_t n = strlen(p->dest);
    const char *slash = strrchr(p->src, '/');
    if (n == 0 || p->dest[n - 1] != '/' || !slash || !slash[1])
        return;
    char *joined = xasprintf("%s%s", p->dest, slash + 1);
    free(p->dest);
    p->dest = joined;
}

static void read_file(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    static const struct yw_field fields[] = {
        {"src", read_file_src},
        {"dest", read_file_dest},
        {NULL, NULL},
    };
    struct reading *r = target;
    r->kind_key[PROVISION_FILE] = v;
    size_t before = w->errs->count;
    yw_mapping(w, v, "a file provisioner", fields, &r->p);
    if (v->type == YAML_MAPPING_NODE && before == w->errs->count && (!r->p.src || !r->p.dest))
        yw_error(w, v, "a file provisioner needs both 'src' and 'dest'");
    else if (r->p.src && r->p.dest)
        keep_source_name(&r->p);
}

static void read_args(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    struct reading *r = target;
    r->args_node = v;
    if (v->type != YAML_SEQUENCE_NODE) {
        yw_error(w, v, "expected args to be a list of strings, got %s", yw_kind(v));
        return;
    }
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        yaml_node_t *item = yw_node(w, *it);
        if (item->type != YAML_SCALAR_NODE) {
            yw_error(w, item, "expected an argument (a string), got %s", yw_kind(item));
            continue;
        }
        r->p.args = xrealloc(r->p.args, (r->p.nargs + 1) * sizeof *r->p.args);
        r->p.args[r->p.nargs++] = xstrdup((const char *)item->data.scalar.value);
    }
}

static void read_env(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    struct reading *r = target;
    r->env_node = v;
    if (v->type != YAML_MAPPING_NODE) {
        yw_error(w, v, "expected env to be a mapping of NAME: value, got %s", yw_kind(v));
        return;
    }
    for (yaml_node_pair_t *pair = v->data.mapping.pairs.start; pair < v->data.mapping.pairs.top;
         pair++) {
        yaml_node_t *key = yw_node(w, pair->key), *value = yw_node(w, pair->value);
        const char *name = yw_key(w, key);
        if (!name)
            continue;
        if (!name_is_valid_env(name)) {
            yw_error(w, key,
                     "invalid environment variable name '%s' (expected [A-Za-z_][A-Za-z0-9_]*)",
                     name);
            continue;
        }
        if (value->type != YAML_SCALAR_NODE) {
            yw_error(w, value, "expected a value for %s (a string), got %s", name, yw_kind(value));
            continue;
        }
        r->p.env = xrealloc(r->p.env, (r->p.nenv + 1) * sizeof *r->p.env);
        r->p.env[r->p.nenv].name = xstrdup(name);
        r->p.env[r->p.nenv++].value = xstrdup((const char *)value->data.scalar.value);
    }
}

static void read_privileged(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    struct reading *r = target;
    r->privileged_node = v;
    yw_bool(w, v, "privileged", &r->p.privileged);
}

static void read_run(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    static const char *const runs[] = {"once", "always", NULL};
    char *run = NULL;
    if (yw_choice(w, v, "run", runs, &run))
        ((struct reading *)target)->p.run =
            strcmp(run, "always") ? PROVISION_RUN_ONCE : PROVISION_RUN_ALWAYS;
    free(run);
}

static const struct yw_field provisioner_fields[] = {
    {"shell", read_shell}, {"script", read_script},
    {"file", read_file},   {"args", read_args},
    {"env", read_env},     {"privileged", read_privileged},
    {"run", read_run},     {NULL, NULL},
};

static const char *const kind_names[] = {"shell", "script", "file"};

/* Exactly one kind; options only where they apply. Returns false after errors. */
static bool check_kind(struct yaml_walk *w, yaml_node_t *item, struct reading *r)
{
    int kinds = 0, kind = -1;
    for (int k = 0; k < 3; k++)
        if (r->kind_key[k])
            kinds++, kind = k;
    if (kinds != 1) {
        yw_error(w, item,
                 "a provisioner needs exactly one of 'shell', 'script' or 'file' (found %d)",
                 kinds);
        return false;
    }
    bool ok = true;
    if (r->args_node && kind != PROVISION_SCRIPT) {
        yw_error(w, r->args_node, "'args' applies only to 'script' provisioners, not '%s'",
                 kind_names[kind]);
        ok = false;
    }
    if ((r->env_node || r->privileged_node) && kind == PROVISION_FILE) {
        yw_error(w, r->env_node ? r->env_node : r->privileged_node,
                 "'%s' does not apply to 'file' provisioners", r->env_node ? "env" : "privileged");
        ok = false;
    }
    r->p.kind = (enum provision_kind)kind;
    return ok;
}

bool provisioner_read(struct yaml_walk *w, yaml_node_t *item, struct provisioner *out)
{
    struct reading r = {.p = {.privileged = true, .run = PROVISION_RUN_ONCE, .pos = yw_pos(item)}};
    size_t before = w->errs->count;
    yw_mapping(w, item, "a provisioner", provisioner_fields, &r);
    if (item->type == YAML_MAPPING_NODE && before == w->errs->count)
        check_kind(w, item, &r);
    if (w->errs->count != before) {
        provisioner_clear(&r.p);
        return false;
    }
    *out = r.p;
    return true;
}

void provisioner_clear(struct provisioner *p)
{
    free(p->inline_script);
    free(p->script);
    for (size_t i = 0; i < p->nargs; i++)
        free(p->args[i]);
    free(p->args);
    for (size_t i = 0; i < p->nenv; i++) {
        free(p->env[i].name);
        free(p->env[i].value);
    }
    free(p->env);
    free(p->src);
    free(p->dest);
    memset(p, 0, sizeof *p);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void provisioner_copy(struct provisioner *dst, const struct provisioner *src)
{
    *dst = *src;
    dst->inline_script = dup_or_null(src->inline_script);
    dst->script = dup_or_null(src->script);
    dst->src = dup_or_null(src->src);
    dst->dest = dup_or_null(src->dest);
    dst->args = src->nargs ? xcalloc(src->nargs, sizeof *dst->args) : NULL;
    for (size_t i = 0; i < src->nargs; i++)
        dst->args[i] = xstrdup(src->args[i]);
    dst->env = src->nenv ? xcalloc(src->nenv, sizeof *dst->env) : NULL;
    for (size_t i = 0; i < src->nenv; i++) {
        dst->env[i].name = xstrdup(src->env[i].name);
        dst->env[i].value = xstrdup(src->env[i].value);
    }
}
