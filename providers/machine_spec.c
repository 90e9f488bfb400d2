/* SPDX-License-Identifier: MIT */
#include "providers/machine_spec.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The sync entries of type: mount, in order, each tagged by its index among them: the tag the
 * guest mounts (provision/mounts.c reads the same order). */
static void add_mounts(const struct machine *m, struct provider_spec *out)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nsyncs; i++)
        n += m->syncs[i].type == SYNC_MOUNT;
    if (!n)
        return;
    out->mounts = xcalloc(n, sizeof *out->mounts);
    out->mount_tags = xcalloc(n, sizeof *out->mount_tags);
    for (size_t i = 0, k = 0; i < m->nsyncs; i++) {
        if (m->syncs[i].type != SYNC_MOUNT)
            continue;
        snprintf(out->mount_tags[k], sizeof out->mount_tags[k], "rove%zu", k);
        out->mounts[k] = (struct rove_mount){
            .host_path = m->syncs[i].src,
            .tag = out->mount_tags[k],
            .readonly = m->syncs[i].readonly,
        };
        k++;
    }
    out->spec.mounts = out->mounts;
    out->spec.nmounts = n;
}

void provider_spec_from_machine(const struct machine *m, struct provider_spec *out)
{
    memset(out, 0, sizeof *out);
    out->spec.name = m->name;
    out->spec.hostname = m->hostname ? m->hostname : m->name;
    out->spec.cpus = m->cpus > 0 ? m->cpus : 1;
    out->spec.memory = m->memory ? m->memory : (uint64_t)1 << 30;
    out->spec.disk = m->disk;
    if (m->nforwards) {
        out->forwards = xcalloc(m->nforwards, sizeof *out->forwards);
        for (size_t i = 0; i < m->nforwards; i++) {
            out->forwards[i].host = m->forwards[i].host;
            out->forwards[i].guest = m->forwards[i].guest;
            out->forwards[i].proto = m->forwards[i].proto ? m->forwards[i].proto : "tcp";
        }
    }
    out->spec.forwards = out->forwards;
    out->spec.nforwards = m->nforwards;
    add_mounts(m, out);
}

void provider_spec_release(struct provider_spec *s)
{
    free(s->forwards);
    free(s->mounts);
    free(s->mount_tags);
    free(s->options);
    for (size_t i = 0; i < s->npaths; i++)
        free(s->paths[i]);
    free(s->paths);
    memset(s, 0, sizeof *s);
}
