/* SPDX-License-Identifier: MIT */
/* machinefile.yaml: reading the YAML, the top level (version, defaults, machines), merging
 * defaults, and the checks that span machines. */
#include "machine/machinefile.h"
#include "machine/mf_parse.h"
#include "machine/names.h"
#include "machine/yaml_expansion.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MACHINEFILE_MAX_BYTES (1 << 20)
#define GIB                   (1ULL << 30)

/* What a machinefile may expand to through aliases, merged defaults included: far more than any
 * real one needs (a 1 MiB file without aliases holds at most a few hundred thousand nodes), and
 * little enough that reading it takes well under a second and a few tens of MiB. */
static const struct yaml_expansion machinefile_max = {100000, 16 << 20};

struct top {
    struct machinefile *mf;
    struct machine defaults;
    bool has_version, has_machines;
    yaml_node_t *machines_node, *defaults_node;
};

static void read_version(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    struct top *t = target;
    t->has_version = true;
    int version = 0;
    if (yw_int(w, v, "the schema version", 0, 1000000, &version) &&
        version != MACHINEFILE_SCHEMA_VERSION)
        yw_error(w, v, "unsupported machinefile version %d: this rove reads version %d", version,
                 MACHINEFILE_SCHEMA_VERSION);
    t->mf->version = version;
}

static void read_defaults(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    struct top *t = target;
    t->defaults_node = v;
    if (!yw_is_null(v))
        machine_read(w, v, "defaults", &t->defaults);
}

static void read_one_machine(struct yaml_walk *w, const char *name, yaml_node_t *key,
                             yaml_node_t *value, void *ctx)
{
    struct machinefile *mf = ctx;
    const char *why;
    if (!name_is_valid_machine(name, &why))
        yw_error(w, key, "invalid machine name '%s': a machine name %s", name, why);
    mf->machines = xrealloc(mf->machines, (mf->nmachines + 1) * sizeof *mf->machines);
    struct machine *m = &mf->machines[mf->nmachines++];
    memset(m, 0, sizeof *m);
    m->name = xstrdup(name);
    m->pos = yw_pos(key);
    if (!yw_is_null(value)) {
        char *what = xasprintf("machine '%s'", name);
        machine_read(w, value, what, m);
        free(what);
    }
}

static void read_machines(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    struct top *t = target;
    t->has_machines = true;
    t->machines_node = v;
    if (yw_pairs(w, v, "machines", read_one_machine, t->mf) && t->mf->nmachines == 0 &&
        v->type == YAML_MAPPING_NODE && v->data.mapping.pairs.start == v->data.mapping.pairs.top)
        yw_error(w, v, "'machines' is empty: declare at least one machine");
}

/* Top-level keys starting with "x-" are ignored: a place for YAML anchors shared by machines. */
static void read_extension(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    (void)w;
    (void)v;
    (void)target;
}

static const struct yw_field top_fields[] = {
    {"version", read_version},
    {"defaults", read_defaults},
    {"machines", read_machines},
    {"*x-", read_extension},
    {NULL, NULL},
};

/* Two forwards may not claim the same host port: the second would fail at `up`. */
static void check_host_ports(struct yaml_walk *w, struct machinefile *mf)
{
    for (size_t i = 0; i < mf->nmachines; i++) {
        for (size_t f = 0; f < mf->machines[i].nforwards; f++) {
            struct forward *fw = &mf->machines[i].forwards[f];
            for (size_t j = 0; j <= i; j++) {
                size_t limit = j == i ? f : mf->machines[j].nforwards;
                for (size_t g = 0; g < limit; g++) {
                    struct forward *other = &mf->machines[j].forwards[g];
                    if (other->host != fw->host || strcmp(other->proto, fw->proto))
                        continue;
                    yw_error_at(w, fw->pos,
                                "host port %d/%s of machine '%s' is already forwarded by machine "
                                "'%s' (line %d)",
                                fw->host, fw->proto, mf->machines[i].name, mf->machines[j].name,
                                other->pos.line);
                    goto next_forward;
                }
            }
        next_forward:;
        }
    }
}

/* Every machine gets its own copy of the defaults: aliases in defaults multiply by the machines. */
static bool defaults_fit(struct yaml_walk *w, struct top *t)
{
    if (!t->defaults_node)
        return true;
    struct yaml_expansion d = yaml_expansion_of(w, t->defaults_node);
    uint64_t n = t->mf->nmachines;
    if ((!d.nodes || n <= machinefile_max.nodes / d.nodes) &&
        (!d.bytes || n <= machinefile_max.bytes / d.bytes))
        return true;
    yw_error(w, t->defaults_node,
             "defaults of %llu YAML nodes and %llu bytes of text, copied into each of %llu "
             "machines, are more than a machinefile may hold (%llu nodes, %llu bytes)",
             (unsigned long long)d.nodes, (unsigned long long)d.bytes, (unsigned long long)n,
             (unsigned long long)machinefile_max.nodes, (unsigned long long)machinefile_max.bytes);
    return false;
}

static void finish_machines(struct yaml_walk *w, struct top *t)
{
    struct machinefile *mf = t->mf;
    if (!defaults_fit(w, t))
        return;
    for (size_t i = 0; i < mf->nmachines; i++) {
        struct machine *m = &mf->machines[i];
        machine_merge_defaults(m, &t->defaults);
        if (!m->box)
            yw_error_at(w, m->pos,
                        "machine '%s' has no box: set 'box' in the machine or in "
                        "'defaults'",
                        m->name);
        if (!m->provider)
            m->provider = xstrdup("libvirt");
        if (!m->hostname)
            m->hostname = xstrdup(m->name);
        if (!m->cpus)
            m->cpus = 1;
        if (!m->memory)
            m->memory = 1 * GIB;
    }
    check_host_ports(w, mf);
}

static void walk_document(struct yaml_walk *w, struct machinefile *mf)
{
    yaml_node_t *root = yaml_document_get_root_node(w->doc);
    if (!root || yw_is_null(root)) {
        yw_error_at(w, (struct mf_pos){1, 1},
                    "the machinefile is empty: expected 'version: 1' and 'machines:'");
        return;
    }
    struct top t = {.mf = mf};
    yw_mapping(w, root, "the machinefile", top_fields, &t);
    if (root->type == YAML_MAPPING_NODE) {
        if (!t.has_version)
            yw_error_at(w, yw_pos(root), "missing 'version: %d' at the top of the machinefile",
                        MACHINEFILE_SCHEMA_VERSION);
        if (!t.has_machines)
            yw_error_at(w, yw_pos(root), "missing 'machines:' (the machines to bring up)");
    }
    finish_machines(w, &t);
    machine_clear(&t.defaults);
}

/* libyaml's own messages, made specific for the mistakes people make most. */
static void report_yaml_error(struct yaml_walk *w, yaml_parser_t *parser, const char *data,
                              size_t len)
{
    yaml_mark_t mark = parser->problem_mark;
    struct mf_pos pos = {(int)mark.line + 1, (int)mark.column + 1};
    if (mark.index < len && data[mark.index] == '\t') {
        yw_error_at(w, pos, "tab character: YAML indents with spaces, not tabs");
        return;
    }
    if (parser->context)
        yw_error_at(w, pos, "invalid YAML: %s (%s that started on line %d)", parser->problem,
                    parser->context, (int)parser->context_mark.line + 1);
    else
        yw_error_at(w, pos, "invalid YAML: %s",
                    parser->problem ? parser->problem : "unknown error");
}

/* A second document in the stream is an error: a machinefile is one document. */
static void refuse_second_document(struct yaml_walk *w, yaml_parser_t *parser, const char *data,
                                   size_t len)
{
    yaml_document_t next;
    if (!yaml_parser_load(parser, &next)) {
        report_yaml_error(w, parser, data, len);
        return;
    }
    yaml_node_t *root = yaml_document_get_root_node(&next);
    if (root)
        yw_error_at(w,
                    (struct mf_pos){(int)next.start_mark.line + 1, (int)next.start_mark.column + 1},
                    "a second YAML document ('---') starts here: a machinefile holds exactly one");
    yaml_document_delete(&next);
}

struct machinefile *machinefile_parse(const char *path, const char *data, size_t len,
                                      struct mf_errors *errs)
{
    struct machinefile *mf = xcalloc(1, sizeof *mf);
    mf->path = fs_absolute(path);
    mf->dir = fs_dirname(mf->path);
    struct yaml_walk w = {.file = path, .dir = mf->dir, .errs = errs};
    size_t before = errs->count;
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    if (len > MACHINEFILE_MAX_BYTES) {
        yw_error_at(&w, (struct mf_pos){0, 0}, "the machinefile is larger than 1 MiB");
    } else if (!yaml_parser_load(&parser, &doc)) {
        report_yaml_error(&w, &parser, data, len);
    } else {
        w.doc = &doc;
        if (yaml_expansion_measure(&w, machinefile_max, &w.sizes)) {
            walk_document(&w, mf);
            refuse_second_document(&w, &parser, data, len);
            free(w.sizes);
        }
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    if (errs->count != before) {
        machinefile_free(mf);
        return NULL;
    }
    return mf;
}

struct machinefile *machinefile_load(const char *path, struct mf_errors *errs)
{
    char *data;
    size_t len;
    if (fs_read_file(path, &data, &len) < 0) {
        errs->items = xrealloc(errs->items, (errs->count + 1) * sizeof *errs->items);
        errs->items[errs->count++] = (struct mf_error){
            .file = xstrdup(path),
            .message = xasprintf("cannot read the machinefile: %s", strerror(errno)),
        };
        return NULL;
    }
    struct machinefile *mf = machinefile_parse(path, data, len, errs);
    free(data);
    return mf;
}

void machinefile_free(struct machinefile *mf)
{
    if (!mf)
        return;
    for (size_t i = 0; i < mf->nmachines; i++)
        machine_clear(&mf->machines[i]);
    free(mf->machines);
    free(mf->path);
    free(mf->dir);
    free(mf);
}

struct machine *machinefile_find(const struct machinefile *mf, const char *name)
{
    for (size_t i = 0; i < mf->nmachines; i++)
        if (!strcmp(mf->machines[i].name, name))
            return &mf->machines[i];
    return NULL;
}

char *machinefile_discover(const char *start_dir)
{
    char *dir = fs_absolute(start_dir);
    for (;;) {
        char *candidate = fs_join(dir, MACHINEFILE_NAME);
        if (fs_exists(candidate)) {
            free(dir);
            return candidate;
        }
        free(candidate);
        if (!strcmp(dir, "/"))
            break;
        char *parent = fs_dirname(dir);
        free(dir);
        dir = parent;
    }
    free(dir);
    return NULL;
}
