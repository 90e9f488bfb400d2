/* SPDX-License-Identifier: MIT */
#include "engine/apply.h"
#include "engine/forward_ports.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *spec_path(const struct machine_runtime *rt)
{
    return fs_join(rt->state_dir, SPEC_RECORD_FILE);
}

int apply_record_spec(struct machine_runtime *rt, uint64_t box_size)
{
    struct spec_record now = {
        .spec = rt->spec.spec,
        .provider = rt->record.provider,
        .box = rt->m->box,
        .box_url = rt->m->box_url,
        .box_version = rt->record.box_version,
        .box_size = box_size,
    };
    char *path = spec_path(rt);
    int rc = spec_record_write(path, &now);
    if (rc < 0) {
        log_error(RT_FMT "cannot write %s: %s", rt->m->name, path, strerror(errno));
    } else {
        /* what the machine is built from is what the machinefile says now */
        spec_record_clear(&rt->built);
        rt->built_errno = spec_record_read(path, &rt->built) == 0 ? 0 : errno;
    }
    free(path);
    return rc;
}

bool apply_diff(struct machine_runtime *rt, struct spec_diff *out)
{
    memset(out, 0, sizeof *out);
    if (!rt->created || rt->built_errno != 0)
        return false;
    struct rove_machine_spec wanted = rt->spec.spec;
    if (!rt->provider) {
        /* without its schema the section cannot be read: leave the settings out of it */
        wanted.options = rt->built.spec.options;
        wanted.noptions = rt->built.spec.noptions;
    }
    spec_diff_compute(&rt->built, &wanted, rt->m, out);
    return true;
}

/* Once per machine and command: a machine an older rove created is left as it is. */
static void say_unrecorded(struct machine_runtime *rt)
{
    char *path = spec_path(rt);
    if (rt->built_errno == ENOENT)
        log_warn(RT_FMT "no record of the settings it was built from (an older rove created it): "
                        "changes in %s are not applied to it; 'rove destroy %s' and 'rove up %s' "
                        "rebuild it",
                 rt->m->name, rt->mf->path, rt->m->name, rt->m->name);
    else
        log_warn(RT_FMT "%s is not a record rove wrote: changes in %s are not applied to it; "
                        "'rove destroy %s' and 'rove up %s' rebuild it",
                 rt->m->name, path, rt->mf->path, rt->m->name, rt->m->name);
    free(path);
}

/* what: the changes; why: why they cannot be applied, or NULL. */
static int refuse(struct machine_runtime *rt, const char *what, const char *why)
{
    return error(RT_FMT "cannot apply %s to the existing machine%s%s; 'rove destroy %s' first, "
                        "then 'rove up %s' builds it anew (changed in %s)",
                 rt->m->name, what, why ? ": " : "", why ? why : "", rt->m->name, rt->m->name,
                 rt->mf->path);
}

static int check_with_provider(struct machine_runtime *rt, const struct spec_diff *d)
{
    char *words = spec_diff_words(d, false);
    char why[ROVE_REASON_MAX] = "";
    int rc = 0;
    if (!rt->provider->reconfigure || !rt->provider->reconfigure_check) {
        snprintf(why, sizeof why, "provider %s cannot change a machine", rt->provider->name);
        rc = refuse(rt, words, why);
    } else if (rt->provider->reconfigure_check(&rt->pctx, &rt->built.spec, why, sizeof why) < 0) {
        rc = refuse(rt, words, why[0] ? why : NULL);
    }
    free(words);
    return rc;
}

int apply_check(struct machine_runtime *rt, struct spec_diff *out)
{
    if (runtime_load_provider(rt) < 0)
        return -1;
    if (!apply_diff(rt, out)) {
        if (rt->created)
            say_unrecorded(rt);
        return 0;
    }
    if (out->refused) {
        char *words = spec_diff_words(out, true);
        int rc = refuse(rt, words, NULL);
        free(words);
        return rc;
    }
    if (out->count == 0)
        return 0;
    if (check_with_provider(rt, out) < 0 || forward_ports_check_new(rt) < 0)
        return -1;
    return 0;
}

static bool changes_field(const struct spec_diff *d, const char *field)
{
    for (size_t i = 0; i < d->count; i++)
        if (!strcmp(d->items[i].field, field))
            return true;
    return false;
}

int apply_changes(struct machine_runtime *rt, const struct spec_diff *d)
{
    if (d->count == 0)
        return 0;
    char *words = spec_diff_words(d, false);
    log_info(RT_FMT "applying %s", rt->m->name, words);
    free(words);
    if (rt->provider->reconfigure(&rt->pctx, &rt->built.spec) < 0) {
        log_error(RT_FMT "the machine keeps its earlier settings", rt->m->name);
        return -1;
    }
    rt->hostname_changed = changes_field(d, "hostname");
    return apply_record_spec(rt, rt->built.box_size);
}
