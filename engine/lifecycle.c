/* SPDX-License-Identifier: MIT */
/* The operations composed: `up` of one machine, and stopping it (engine.h). */
#include "engine/apply.h"
#include "engine/engine.h"
#include "machine/global_index.h"
#include "util/interrupt.h"
#include "util/log.h"

#include <stdlib.h>

#define HALT_TIMEOUT_SECONDS 60

/* A running machine is left as it is; say what a reload would change. */
static void say_pending(struct machine_runtime *rt)
{
    struct spec_diff d;
    if (apply_diff(rt, &d) && d.count) {
        char *words = spec_diff_words(&d, false), *refused = spec_diff_words(&d, true);
        if (words[0])
            log_info(RT_FMT "'rove reload %s' applies %s", rt->m->name, rt->m->name, words);
        if (refused[0])
            log_info(RT_FMT "%s needs 'rove destroy %s' first", rt->m->name, refused, rt->m->name);
        free(words);
        free(refused);
    }
    spec_diff_clear(&d);
}

/* The machinefile's changes applied to the stopped machine, then started. */
static int apply_and_start(struct machine_runtime *rt)
{
    struct spec_diff d;
    int rc = apply_check(rt, &d) == 0 && apply_changes(rt, &d) == 0 ? engine_start(rt) : -1;
    spec_diff_clear(&d);
    return rc;
}

static int start_existing(struct machine_runtime *rt, const struct up_options *o)
{
    struct rove_state_report st;
    engine_state(rt, &st);
    if (st.state == ROVE_STATE_RUNNING) {
        log_info(RT_FMT "already running", rt->m->name);
        say_pending(rt);
    } else if (st.state == ROVE_STATE_STOPPED) {
        if (apply_and_start(rt) < 0)
            return -1;
    } else {
        return error(RT_FMT "the machine is %s%s%s; 'rove destroy %s' removes it", rt->m->name,
                     runtime_state_name(st.state), st.reason[0] ? ": " : "", st.reason,
                     rt->m->name);
    }
    return engine_wait_and_provision(rt, o->provision, false);
}

/* A new machine that failed after it ran is kept for a look inside, unless asked otherwise. */
static void after_failed_first_boot(struct machine_runtime *rt, const struct up_options *o)
{
    if (o->destroy_on_error) {
        log_info(RT_FMT "destroying the machine (--destroy-on-error)", rt->m->name);
        engine_destroy(rt);
        global_index_remove(rt->mf, rt->m);
    } else if (interrupt_signal()) {
        log_info(RT_FMT "'rove destroy %s' removes the machine", rt->m->name, rt->m->name);
    } else {
        log_info(RT_FMT "the machine is kept for inspection: 'rove ssh %s', 'rove destroy %s'",
                 rt->m->name, rt->m->name, rt->m->name);
    }
}

int engine_up(struct machine_runtime *rt, const struct up_options *o)
{
    if (rt->created)
        return runtime_load_provider(rt) < 0 ? -1 : start_existing(rt, o);
    if (engine_create(rt, o->require_checksum) < 0)
        return -1;
    if (engine_start(rt) < 0) {
        engine_undo_create(rt);
        return -1;
    }
    enum provision_mode mode = o->provision == PROVISION_NONE ? PROVISION_NONE : PROVISION_FORCE;
    if (engine_wait_and_provision(rt, mode, true) == 0)
        return 0;
    after_failed_first_boot(rt, o);
    return -1;
}

int engine_stop(struct machine_runtime *rt, bool now)
{
    struct rove_state_report st;
    engine_state(rt, &st);
    if (st.state == ROVE_STATE_NOT_CREATED || st.state == ROVE_STATE_STOPPED) {
        log_info(RT_FMT "%s", rt->m->name, runtime_state_name(st.state));
        return 0;
    }
    if (runtime_load_provider(rt) < 0)
        return -1;
    log_info(RT_FMT "%s", rt->m->name, now ? "powering off" : "shutting down");
    if (rt->provider->stop(&rt->pctx, HALT_TIMEOUT_SECONDS, now) < 0)
        return -1;
    log_info(RT_FMT "stopped", rt->m->name);
    return 0;
}

int engine_reload(struct machine_runtime *rt, const struct up_options *o)
{
    if (!rt->created)
        return engine_up(rt, o);
    struct spec_diff d;
    /* What cannot be applied is refused while the machine still runs. */
    int rc = apply_check(rt, &d);
    if (rc == 0)
        rc = engine_stop(rt, false);
    if (rc == 0 && apply_changes(rt, &d) < 0) {
        log_info(RT_FMT "starting it again as it was", rt->m->name);
        engine_start(rt);
        rc = -1;
    }
    spec_diff_clear(&d);
    if (rc == 0 && engine_start(rt) < 0)
        rc = -1;
    return rc == 0 ? engine_wait_and_provision(rt, o->provision, false) : -1;
}
