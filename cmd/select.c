/* Choosing the machines a command works on, and locking them. */
#include "cmd/cmd.h"
#include "cmd/runtime.h"
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

static int lock_machines(struct cmd_ctx *ctx, struct machine **machines, size_t count)
{
    char *root = state_root(ctx->mf);
    int rc = EXIT_OK;
    held_locks = xrealloc(held_locks, (held_count + count) * sizeof *held_locks);
    for (size_t i = 0; i < count && rc == EXIT_OK; i++) {
        enum lock_result r =
            machine_lock_acquire(root, machines[i]->name, ctx->no_wait, &held_locks[held_count]);
        if (r == LOCK_ACQUIRED)
            held_count++;
        else
            rc = EXIT_FAIL;
    }
    free(root);
    return rc;
}

int cmd_select_machines(struct cmd_ctx *ctx, int argc, char **argv, struct machine ***out,
                        size_t *count)
{
    struct machinefile *mf = ctx->mf;
    size_t n = argc ? (size_t)argc : mf->nmachines;
    struct machine **chosen = xcalloc(n, sizeof *chosen);
    for (size_t i = 0; i < n; i++) {
        chosen[i] = argc ? machinefile_find(mf, argv[i]) : &mf->machines[i];
        if (!chosen[i]) {
            struct strbuf names = STRBUF_INIT;
            for (size_t j = 0; j < mf->nmachines; j++)
                sb_addf(&names, "%s%s", j ? ", " : "", mf->machines[j].name);
            log_error("no machine named '%s' in %s (machines: %s)", argv[i], mf->path,
                      sb_str(&names));
            sb_release(&names);
            free(chosen);
            return EXIT_USAGE;
        }
    }
    int rc = (ctx->cmd->flags & CMD_TAKES_LOCK) ? lock_machines(ctx, chosen, n) : EXIT_OK;
    if (rc != EXIT_OK) {
        free(chosen);
        return rc;
    }
    *out = chosen;
    *count = n;
    return EXIT_OK;
}

int cmd_each_machine(struct cmd_ctx *ctx, int argc, char **argv, unsigned how,
                     int (*fn)(struct machine_runtime *rt))
{
    struct machine **machines;
    size_t count;
    int rc = cmd_select_machines(ctx, argc, argv, &machines, &count);
    if (rc != EXIT_OK)
        return rc;
    for (size_t i = 0; i < count && (!interrupt_signal() || (how & EACH_THROUGH_INTERRUPTS)); i++) {
        struct machine_runtime rt;
        runtime_init(&rt, ctx->mf, machines[how & EACH_REVERSE ? count - 1 - i : i]);
        int failed = fn(&rt) != 0;
        state_tidy_machine(ctx->mf, rt.m->name);
        runtime_release(&rt);
        if (failed) {
            rc = EXIT_FAIL;
            if (how & EACH_STOP_AT_FAILURE)
                break;
        }
    }
    free(machines);
    return rc;
}
