/* SPDX-License-Identifier: MIT */
/* rove status: each machine's state and provider. Fast: no network, and no provider is loaded for
 * a machine that was never created. */
#include "cli/cmd.h"
#include "machine/machinefile.h"
#include "engine/engine.h"
#include "util/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run_status(struct cmd_ctx *ctx, int argc, char **argv)
{
    struct engine_plan plan;
    int rc = cmd_plan(ctx, argc, argv, &plan);
    if (rc != EXIT_OK)
        return rc;
    struct json_object *list = ctx->common.json ? json_object_new_array() : NULL;
    if (!list)
        printf("%-20s %-14s %-10s %s\n", "NAME", "STATE", "PROVIDER", "DETAILS");
    for (size_t i = 0; i < plan.count; i++) {
        struct machine *m = plan.machines[i];
        struct machine_runtime rt;
        runtime_init(&rt, ctx->mf, m);
        struct rove_state_report st;
        engine_state(&rt, &st);
        const char *state = runtime_state_name(st.state);
        const char *provider = rt.created ? rt.record.provider : m->provider;
        if (list) {
            struct json_object *o = json_object_new_object();
            json_add_string(o, "name", m->name);
            json_add_string(o, "state", state);
            json_add_string(o, "provider", provider);
            if (st.reason[0])
                json_add_string(o, "reason", st.reason);
            json_object_array_add(list, o);
        } else {
            printf("%-20s %-14s %-10s %s\n", m->name, state, provider, st.reason);
        }
        runtime_release(&rt);
    }
    if (list)
        json_print_and_put(stdout, list);
    engine_plan_release(&plan);
    return EXIT_OK;
}

const struct cmd cmd_status = {
    .name = "status",
    .run = run_status,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_JSON | CMD_QUICK_MACHINEFILE,
    .summary = "show the state of each machine",
    .args = "[NAME...]",
    .description =
        "Shows the state of each machine (all of them, or those named): not created, running,\n"
        "stopped, or unknown with the reason; and its provider.\n",
    .json_help = "print a JSON list of {name, state, provider[, reason]}",
};
