/* SPDX-License-Identifier: MIT */
/* A plan: the machines one command acts on, in the order it acts on them, each locked against
 * other rove processes when asked. The multi-machine steps (bringing several machines up) walk
 * a plan. */
#ifndef ROVE_ENGINE_PLAN_H
#define ROVE_ENGINE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

struct machinefile;
struct machine;
struct machine_runtime;

struct engine_plan {
    struct machinefile *mf;
    struct machine **machines; /* machines of mf, in machinefile order */
    size_t count;
};

/* Selects the named machines of mf (all of them, in machinefile order, when nnames is 0).
 * Returns 0, or -1 after naming the unknown machine and the machines there are. */
int engine_plan_select(struct machinefile *mf, char *const *names, size_t nnames,
                       struct engine_plan *out);
/* Locks every machine of the plan (waiting for other rove processes unless no_wait). The locks
 * are held until the process exits. Returns 0, or -1 after saying which machine is held. */
int engine_plan_lock(const struct engine_plan *p, bool no_wait);
void engine_plan_release(struct engine_plan *p);

enum engine_plan_order {
    PLAN_REVERSE = 1 << 0,            /* last machine first (taking machines down) */
    PLAN_STOP_AT_FAILURE = 1 << 1,    /* the first failure ends the walk */
    PLAN_THROUGH_INTERRUPTS = 1 << 2, /* clean-up that must finish although interrupted */
};

/* Runs step on each machine of the plan with its runtime prepared (and tidied after). An
 * interrupt ends the walk unless PLAN_THROUGH_INTERRUPTS. Returns 0, or -1 when step failed
 * (returned non-zero) for any machine. */
int engine_plan_each(const struct engine_plan *p, unsigned how,
                     int (*step)(struct machine_runtime *rt, void *arg), void *arg);

#endif
