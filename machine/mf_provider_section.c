/* SPDX-License-Identifier: MIT */
/* A machine's mapping: its own keys, and the sections of providers (`libvirt:`, `vmm:`), read as
 * they are written; their keys and types are checked against each provider's schema later, by
 * the engine, which can ask the provider (engine/provider_sections.c). */
#include "machine/mf_parse.h"
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void read_setting(struct yaml_walk *w, const char *name, yaml_node_t *key,
                         yaml_node_t *value, void *ctx)
{
    struct provider_section *s = ctx;
    char *what = xasprintf("a value for %s.%s (text, a number, or true/false)", s->provider, name);
    char *text = NULL;
    if (yw_string(w, value, what, &text)) {
        s->settings = xrealloc(s->settings, (s->count + 1) * sizeof *s->settings);
        s->settings[s->count++] = (struct provider_setting){
            .key = xstrdup(name),
            .value = text,
            .pos = yw_pos(value),
            .key_pos = yw_pos(key),
            .quoted = value->data.scalar.style != YAML_PLAIN_SCALAR_STYLE,
        };
    }
    free(what);
}

static void read_section(struct yaml_walk *w, const char *name, yaml_node_t *key,
                         yaml_node_t *value, struct machine *m)
{
    m->sections = xrealloc(m->sections, (m->nsections + 1) * sizeof *m->sections);
    struct provider_section *s = &m->sections[m->nsections++];
    *s = (struct provider_section){.provider = xstrdup(name), .pos = yw_pos(key)};
    char *what = xasprintf("the %s section", name);
    yw_pairs(w, value, what, read_setting, s);
    free(what);
}

struct machine_walk {
    const char *what;
    struct machine *m;
};

static void read_pair(struct yaml_walk *w, const char *name, yaml_node_t *key, yaml_node_t *value,
                      void *ctx)
{
    struct machine_walk *mw = ctx;
    const struct yw_field *f = machine_fields;
    while (f->key && strcmp(f->key, name))
        f++;
    if (f->key)
        f->read(w, value, mw->m);
    else if (value && value->type == YAML_MAPPING_NODE)
        read_section(w, name, key, value, mw->m);
    else
        yw_unknown_key(w, key, name, mw->what, machine_fields,
                       "; a provider's section must be a mapping (NAME: {key: value})");
}

void machine_read(struct yaml_walk *w, yaml_node_t *map, const char *what, struct machine *m)
{
    struct machine_walk mw = {what, m};
    yw_pairs(w, map, what, read_pair, &mw);
}

const struct provider_section *machine_section(const struct machine *m, const char *provider)
{
    for (size_t i = 0; i < m->nsections; i++)
        if (!strcmp(m->sections[i].provider, provider))
            return &m->sections[i];
    return NULL;
}

const char *machine_setting(const struct machine *m, const char *provider, const char *key)
{
    const struct provider_section *s = machine_section(m, provider);
    for (size_t i = 0; s && i < s->count; i++)
        if (!strcmp(s->settings[i].key, key))
            return s->settings[i].value;
    return NULL;
}

static void copy_setting(struct provider_section *s, const struct provider_setting *from)
{
    s->settings = xrealloc(s->settings, (s->count + 1) * sizeof *s->settings);
    struct provider_setting *to = &s->settings[s->count++];
    *to = *from;
    to->key = xstrdup(from->key);
    to->value = xstrdup(from->value);
}

/* Settings m's sections leave out come from defaults' sections, key by key. */
void machine_merge_sections(struct machine *m, const struct machine *defaults)
{
    for (size_t i = 0; i < defaults->nsections; i++) {
        const struct provider_section *d = &defaults->sections[i];
        struct provider_section *s = (struct provider_section *)machine_section(m, d->provider);
        if (!s) {
            m->sections = xrealloc(m->sections, (m->nsections + 1) * sizeof *m->sections);
            s = &m->sections[m->nsections++];
            *s = (struct provider_section){.provider = xstrdup(d->provider), .pos = d->pos};
        }
        for (size_t j = 0; j < d->count; j++)
            if (!machine_setting(m, d->provider, d->settings[j].key))
                copy_setting(s, &d->settings[j]);
    }
}

void machine_clear_sections(struct machine *m)
{
    for (size_t i = 0; i < m->nsections; i++) {
        for (size_t j = 0; j < m->sections[i].count; j++) {
            free(m->sections[i].settings[j].key);
            free(m->sections[i].settings[j].value);
        }
        free(m->sections[i].settings);
        free(m->sections[i].provider);
    }
    free(m->sections);
    m->sections = NULL;
    m->nsections = 0;
}

void mf_errors_add(struct mf_errors *errs, const char *file, struct mf_pos pos, const char *fmt,
                   ...)
{
    errs->items = xrealloc(errs->items, (errs->count + 1) * sizeof *errs->items);
    struct mf_error *e = &errs->items[errs->count++];
    struct strbuf msg = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&msg, fmt, ap);
    va_end(ap);
    *e = (struct mf_error){xstrdup(file), pos.line, pos.column, sb_detach(&msg)};
}
