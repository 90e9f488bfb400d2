/* SPDX-License-Identifier: MIT */
/* `defaults` merged into each machine, and freeing what a machine owns. */
#include "machine/mf_parse.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

static void inherit_string(char **own, const char *fallback)
{
    if (!*own && fallback)
        *own = xstrdup(fallback);
}

/* Prepends n items of size sz copied by copy() from defaults to *items. */
#define PREPEND(items, count, from, from_count, copy_item)                                         \
    do {                                                                                           \
        if (!(from_count))                                                                         \
            break;                                                                                 \
        size_t total_ = (count) + (from_count);                                                    \
        __typeof__(items) merged_ = xcalloc(total_, sizeof *merged_);                              \
        for (size_t i_ = 0; i_ < (from_count); i_++)                                               \
            copy_item(&merged_[i_], &(from)[i_]);                                                  \
        if (count)                                                                                 \
            memcpy(merged_ + (from_count), items, (count) * sizeof *merged_);                      \
        free(items);                                                                               \
        items = merged_;                                                                           \
        count = total_;                                                                            \
    } while (0)

static void copy_forward(struct forward *dst, const struct forward *src)
{
    *dst = *src;
    dst->proto = xstrdup(src->proto);
}

static void copy_sync(struct sync_folder *dst, const struct sync_folder *src)
{
    *dst = *src;
    dst->src = xstrdup(src->src);
    dst->dest = xstrdup(src->dest);
}

void machine_merge_defaults(struct machine *m, const struct machine *d)
{
    inherit_string(&m->box, d->box);
    inherit_string(&m->box_version, d->box_version);
    inherit_string(&m->box_checksum, d->box_checksum);
    inherit_string(&m->box_url, d->box_url);
    inherit_string(&m->provider, d->provider);
    inherit_string(&m->hostname, d->hostname);
    if (!m->cpus)
        m->cpus = d->cpus;
    if (!m->memory)
        m->memory = d->memory;
    if (!m->disk)
        m->disk = d->disk;
    if (!m->boot_timeout)
        m->boot_timeout = d->boot_timeout;
    PREPEND(m->forwards, m->nforwards, d->forwards, d->nforwards, copy_forward);
    PREPEND(m->syncs, m->nsyncs, d->syncs, d->nsyncs, copy_sync);
    PREPEND(m->provisioners, m->nprovisioners, d->provisioners, d->nprovisioners, provisioner_copy);
    machine_merge_sections(m, d);
}

void machine_clear(struct machine *m)
{
    free(m->name);
    free(m->box);
    free(m->box_version);
    free(m->box_checksum);
    free(m->box_url);
    free(m->provider);
    free(m->hostname);
    for (size_t i = 0; i < m->nforwards; i++)
        free(m->forwards[i].proto);
    free(m->forwards);
    for (size_t i = 0; i < m->nsyncs; i++) {
        free(m->syncs[i].src);
        free(m->syncs[i].dest);
    }
    free(m->syncs);
    for (size_t i = 0; i < m->nprovisioners; i++)
        provisioner_clear(&m->provisioners[i]);
    free(m->provisioners);
    machine_clear_sections(m);
    memset(m, 0, sizeof *m);
}
