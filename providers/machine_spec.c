/* SPDX-License-Identifier: MIT */
#include "providers/machine_spec.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

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
}

void provider_spec_release(struct provider_spec *s)
{
    free(s->forwards);
    free(s->options);
    for (size_t i = 0; i < s->npaths; i++)
        free(s->paths[i]);
    free(s->paths);
    memset(s, 0, sizeof *s);
}
