#include "providers/machine_spec.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

static void add_option(struct provider_spec *s, const char *key, const char *value)
{
    if (!value)
        return;
    struct rove_option *opts = s->options;
    size_t n = s->spec.noptions;
    opts = xrealloc(opts, (n + 1) * sizeof *opts);
    opts[n].key = key;
    opts[n].value = value;
    s->options = opts;
    s->spec.options = opts;
    s->spec.noptions = n + 1;
}

/* Only the section of the machine's own provider reaches the module. */
static void add_provider_options(const struct machine *m, struct provider_spec *s)
{
    const char *provider = m->provider ? m->provider : "libvirt";
    if (strcmp(provider, "libvirt") == 0) {
        add_option(s, "uri", m->libvirt.uri);
        add_option(s, "accel", m->libvirt.accel);
        add_option(s, "pool", m->libvirt.pool);
        add_option(s, "firmware", m->libvirt.firmware);
        if (m->libvirt.restrict_set)
            add_option(s, "restrict", m->libvirt.restrict_network ? "true" : "false");
    } else if (strcmp(provider, "vmm") == 0) {
        add_option(s, "kernel", m->vmm.kernel);
        add_option(s, "initrd", m->vmm.initrd);
        add_option(s, "cmdline", m->vmm.cmdline);
    }
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
    add_provider_options(m, out);
}

void provider_spec_release(struct provider_spec *s)
{
    free(s->forwards);
    free(s->options);
    memset(s, 0, sizeof *s);
}
