/* SPDX-License-Identifier: MIT */
#include "engine/plan.h"
#include "engine/machine_runtime.h"
#include "machine/lock.h"
#include "machine/machinefile.h"
#include "machine/state.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* Locks live until the process exits (the kernel drops flocks with the last descriptor). */
static struct machine_lock *held_locks;
static size_t held_count;

int engine_plan_select(struct machinefile *mf, char *const *names, size_t nnames,
                       struct engine_plan *out)
{
    size_t n = nnames ? nnames : mf->nmachines;
    struct machine **chosen = xcalloc(n ? n : 1, sizeof *chosen);
    for (size_t i = 0; i < n; i++) {
        chosen[i] = nnames ? machinefile_find(mf, names[i]) : &mf->machines[i];
        if (chosen[i])
            continue;
        struct strbuf known = STRBUF_INIT;
        for (size_t j = 0; j < mf->nmachines; j++)
            sb_addf(&known, "%s%s", j ? ", " : "", mf->machines[j].name);
        log_error("no machine named '%s' in %s (machines: %s)", names[i], mf->path, sb_str(&known));
        sb_release(&known);
        free(chosen);
        return -1;
    }
    *out = (struct engine_plan){.mf = mf, .machines = chosen, .count = n};
    return 0;
}

int engine_plan_lock(const struct engine_plan *p, bool no_wait)
{
    char *root = state_root(p->mf);
    int rc = 0;
    held_locks = xrealloc(held_locks, (held_count + p->count + 1) * sizeof *held_locks);
    for (size_t i = 0; i < p->count && rc == 0; i++) {
        if (machine_lock_acquire(root, p->machines[i]->name, no_wait, &held_locks[held_count]) ==
            LOCK_ACQUIRED)
            held_count++;
        else
            rc = -1;
    }
    free(root);
    return rc;
}

void engine_plan_release(struct engine_plan *p)
{
    free(p->machines);
    memset(p, 0, sizeof *p);
}

int engine_plan_each(const struct engine_plan *p, unsigned how,
                     int (*step)(struct machine_runtime *rt, void *arg), void *arg)
{
    int rc = 0;
    for (size_t i = 0; i < p->count && (!interrupt_signal() || (how & PLAN_THROUGH_INTERRUPTS));
         i++) {
        struct machine_runtime rt;
        runtime_init(&rt, p->mf, p->machines[how & PLAN_REVERSE ? p->count - 1 - i : i]);
        int failed = step(&rt, arg) != 0;
        state_tidy_machine(p->mf, rt.m->name);
        runtime_release(&rt);
        if (failed) {
            rc = -1;
            if (how & PLAN_STOP_AT_FAILURE)
                break;
        }
    }
    return rc;
}
