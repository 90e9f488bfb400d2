/* SPDX-License-Identifier: MIT */
/* Creating and starting a machine (engine.h). */
#include "engine/apply.h"
#include "engine/box_instance.h"
#include "engine/engine.h"
#include "engine/forward_ports.h"
#include "machine/global_index.h"
#include "provision/keys.h"
#include "provision/seed.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/monotonic.h"

#include <stdlib.h>

static int prepare_keys_and_seed(struct machine_runtime *rt, bool cloud_init, char **seed_path)
{
    char *err = NULL;
    if (keys_ensure_machine(rt->state_dir, rt->m->name, &err) < 0 ||
        (cloud_init &&
         seed_create_for_machine(rt->state_dir, rt->m->name, rt->m->hostname, &err) < 0)) {
        log_error(RT_FMT "%s", rt->m->name, err ? err : "cannot prepare the machine's keys");
        free(err);
        return -1;
    }
    *seed_path = cloud_init ? fs_join(rt->state_dir, SEED_ISO_NAME) : NULL;
    return 0;
}

static int probe_provider(struct machine_runtime *rt)
{
    char why[ROVE_REASON_MAX] = "";
    if (rt->provider->probe(&rt->pctx, why, sizeof why) < 0)
        return error(RT_FMT "provider '%s' cannot run this machine here: %s", rt->m->name,
                     rt->provider->name, why);
    /* create says which accelerator it uses; the whole probe is for -v */
    if (why[0])
        log_debug(RT_FMT "%s: %s", rt->m->name, rt->provider->name, why);
    return 0;
}

void engine_undo_create(struct machine_runtime *rt)
{
    log_info(RT_FMT "removing what was created", rt->m->name);
    global_index_remove(rt->mf, rt->m);
    if (engine_destroy(rt) < 0)
        log_error(RT_FMT "run 'rove destroy %s' to remove what is left", rt->m->name, rt->m->name);
}

/* Everything of a create after the box is known; the machine's folder, keys and record are what
 * engine_destroy() removes when it fails. */
static int create_from_box(struct machine_runtime *rt, struct box_instance *bi)
{
    bool cloud_init = bi->handle.meta.cloud_init;
    rt->record.provider = xstrdup(rt->m->provider);
    rt->record.box_name = xstrdup(bi->handle.name);
    rt->record.box_version = xstrdup(bi->handle.version);
    rt->record.cloud_init = cloud_init;
    char *seed = NULL;
    int rc = -1;
    if (state_create_machine_dir(rt->mf, rt->m->name) < 0) {
        log_error(RT_FMT "cannot create %s", rt->m->name, rt->state_dir);
    } else if (prepare_keys_and_seed(rt, cloud_init, &seed) == 0) {
        rt->pctx.box = &bi->box;
        rt->pctx.seed_iso = seed;
        log_info(RT_FMT "creating the machine", rt->m->name);
        rc = rt->provider->create(&rt->pctx) == 0 ? runtime_write_record(rt) : -1;
        if (rc == 0)
            rc = apply_record_spec(rt, bi->box.virtual_size);
        rt->pctx.box = NULL;
        rt->pctx.seed_iso = NULL;
    }
    free(seed);
    if (rc == 0)
        global_index_add(rt->mf, rt->m, rt->record.box_name, rt->record.box_version, rt->state_dir);
    return rc;
}

int engine_create(struct machine_runtime *rt, bool require_checksum)
{
    if (runtime_has_leftovers(rt)) {
        log_info(RT_FMT "removing what an earlier, unfinished up left", rt->m->name);
        if (engine_destroy(rt) < 0)
            return -1;
    }
    double mark = monotonic_seconds();
    struct box_instance bi = {0};
    /* Before any download: a host that cannot run the machine is told so at once. */
    if (runtime_load_provider(rt) < 0 || probe_provider(rt) < 0 || forward_ports_check(rt) < 0 ||
        box_instance_fetch(rt, &bi, require_checksum) < 0)
        return -1;
    rt->times.box = monotonic_lap(&mark);
    int rc = create_from_box(rt, &bi);
    rt->times.create = monotonic_lap(&mark);
    box_instance_release(&bi);
    if (rc < 0)
        engine_undo_create(rt);
    return rc;
}

int engine_start(struct machine_runtime *rt)
{
    if (runtime_load_provider(rt) < 0 || forward_ports_check(rt) < 0)
        return -1;
    log_info(RT_FMT "starting", rt->m->name);
    double mark = monotonic_seconds();
    int rc = rt->provider->start(&rt->pctx);
    rt->times.create += monotonic_lap(&mark);
    return rc;
}
