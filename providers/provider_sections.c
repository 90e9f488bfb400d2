/* SPDX-License-Identifier: MIT */
#include "providers/provider_sections.h"
#include "machine/names.h"
#include "providers/loader.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct rove_option_spec *find_spec(const struct rove_provider *p, const char *key)
{
    for (const struct rove_option_spec *o = p->options; o && o->key; o++)
        if (!strcmp(o->key, key))
            return o;
    return NULL;
}

/* "unknown key 'poool' in the libvirt section (did you mean 'pool'?)", or the valid keys. */
static void unknown_key(struct strbuf *why, const struct rove_provider *p, const char *key)
{
    const char *keys[64] = {0};
    size_t n = 0;
    for (const struct rove_option_spec *o = p->options; o && o->key && n < 64; o++)
        keys[n++] = o->key;
    const char *near = name_suggest(key, keys, n);
    sb_addf(why, "unknown key '%s' in the %s section", key, p->name);
    if (near) {
        sb_addf(why, " (did you mean '%s'?)", near);
        return;
    }
    sb_add(why, n ? " (valid keys: " : " (it takes none)");
    for (size_t i = 0; i < n; i++)
        sb_addf(why, "%s%s", keys[i], i + 1 < n ? ", " : ")");
}

static bool check_choice(struct strbuf *why, const struct rove_provider *p,
                         const struct rove_option_spec *o, const char *value)
{
    for (const char *const *c = o->choices; c && *c; c++)
        if (!strcmp(*c, value))
            return true;
    sb_addf(why, "%s.%s must be one of ", p->name, o->key);
    for (const char *const *c = o->choices; c && *c; c++)
        sb_addf(why, "%s%s", *c, c[1] ? ", " : "");
    sb_addf(why, ", got '%s'", value);
    return false;
}

/* Checks one setting; fills out (with *path newly allocated for a PATH). */
static bool check_setting(struct strbuf *why, const struct rove_provider *p,
                          const struct provider_setting *s, const char *dir,
                          struct rove_option *out, char **path)
{
    const struct rove_option_spec *o = find_spec(p, s->key);
    *out = (struct rove_option){.key = s->key, .value = s->value};
    *path = NULL;
    if (!o) {
        unknown_key(why, p, s->key);
        return false;
    }
    out->type = o->type;
    switch (o->type) {
    case ROVE_OPTION_BOOL:
        out->flag = !strcmp(s->value, "true");
        if (!s->quoted && (out->flag || !strcmp(s->value, "false")))
            return true;
        sb_addf(why, "%s.%s must be true or false, got '%s'", p->name, o->key, s->value);
        return false;
    case ROVE_OPTION_CHOICE:
        return check_choice(why, p, o, s->value);
    case ROVE_OPTION_PATH: {
        char *joined = fs_join(dir, s->value);
        *path = fs_absolute(joined);
        free(joined);
        out->value = *path;
        struct stat st;
        if (stat(*path, &st) == 0)
            return true;
        sb_addf(why, "%s.%s '%s' does not exist (looked for %s)", p->name, o->key, s->value, *path);
        free(*path);
        *path = NULL;
        return false;
    }
    case ROVE_OPTION_STRING:
        return true;
    }
    sb_addf(why, "%s.%s: the provider's schema has an unknown type", p->name, o->key);
    return false;
}

static size_t check_section(const struct machinefile *mf, const char *file,
                            const struct provider_section *sec, struct mf_errors *errs)
{
    const struct rove_provider *p = provider_load_if_installed(sec->provider);
    if (!p) {
        mf_errors_add(errs, file, sec->pos,
                      "unknown key '%s': neither a machine setting nor an installed provider",
                      sec->provider);
        return 1;
    }
    size_t bad = 0;
    for (size_t i = 0; i < sec->count; i++) {
        struct strbuf why = STRBUF_INIT;
        struct rove_option opt;
        char *path;
        const struct provider_setting *s = &sec->settings[i];
        if (!check_setting(&why, p, s, mf->dir, &opt, &path)) {
            mf_errors_add(errs, file, find_spec(p, s->key) ? s->pos : s->key_pos, "%s",
                          sb_str(&why));
            bad++;
        }
        free(path);
        sb_release(&why);
    }
    return bad;
}

/* A mount needs a provider that shares folders (vmm has no 9p device); copying works anywhere. */
static size_t check_mounts(const struct machine *m, const char *file, struct mf_errors *errs)
{
    const struct rove_provider *p = NULL;
    size_t bad = 0;
    for (size_t i = 0; i < m->nsyncs; i++) {
        const struct sync_folder *s = &m->syncs[i];
        if (s->type != SYNC_MOUNT)
            continue;
        if (!p && !(p = provider_load_if_installed(m->provider)))
            return 0; /* an unknown provider is reported where the machine is used */
        if (p->features & ROVE_PROVIDER_CAN_MOUNT)
            return 0;
        mf_errors_add(errs, file, s->type_pos,
                      "machine %s: provider %s cannot mount host folders (it has no virtio-9p "
                      "device): use type: copy for %s",
                      m->name, p->name, s->dest);
        bad++;
    }
    return bad;
}

size_t provider_sections_check(const struct machinefile *mf, const char *file,
                               struct mf_errors *errs)
{
    size_t bad = 0;
    for (size_t i = 0; i < mf->nmachines; i++) {
        for (size_t j = 0; j < mf->machines[i].nsections; j++)
            bad += check_section(mf, file, &mf->machines[i].sections[j], errs);
        bad += check_mounts(&mf->machines[i], file, errs);
    }
    return bad;
}

int provider_spec_add_options(struct provider_spec *s, const struct machine *m, const char *dir,
                              const struct rove_provider *p)
{
    const struct provider_section *sec = machine_section(m, p->name);
    for (size_t i = 0; sec && i < sec->count; i++) {
        struct strbuf why = STRBUF_INIT;
        struct rove_option opt;
        char *path;
        if (!check_setting(&why, p, &sec->settings[i], dir, &opt, &path)) {
            log_error("machine %s: %s", m->name, sb_str(&why));
            sb_release(&why);
            return -1;
        }
        s->options = xrealloc(s->options, (s->spec.noptions + 1) * sizeof *s->options);
        s->options[s->spec.noptions++] = opt;
        if (path) {
            s->paths = xrealloc(s->paths, (s->npaths + 1) * sizeof *s->paths);
            s->paths[s->npaths++] = path;
        }
    }
    s->spec.options = s->options;
    return 0;
}
