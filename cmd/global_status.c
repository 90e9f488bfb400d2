/* SPDX-License-Identifier: MIT */
/* rove global-status: every machine rove created on this host, from the host index. */
#include "boxes/host_index.h"
#include "cli/cmd.h"
#include "engine/engine.h"
#include "machine/global_index.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>

struct global_status_args {
    bool prune;
};

static const struct opt global_status_opts[] = {
    OPT_BOOL(0, "prune", struct global_status_args, prune,
             "forget machines whose project or state is gone"),
    OPT_END,
};

/* The machine as the index knows it: enough for its provider to report its state. */
static void query(const struct host_machine *hm, struct rove_state_report *st)
{
    struct machinefile mf = {.dir = hm->project};
    struct machine m = {.name = hm->name, .provider = hm->provider ? hm->provider : "libvirt"};
    struct machine_runtime rt;
    runtime_init(&rt, &mf, &m);
    engine_state(&rt, st);
    runtime_release(&rt);
}

static void forget(const struct host_machine *hm)
{
    struct machinefile mf = {.dir = hm->project};
    struct machine m = {.name = hm->name};
    global_index_remove(&mf, &m);
    log_info("forgot %s in %s", hm->name, hm->project);
}

static int run_global_status(struct cmd_ctx *ctx, int argc, char **argv)
{
    (void)argv;
    const struct global_status_args *a = ctx->args;
    if (argc > 0)
        return cmd_usage_error(ctx->cmd, "too many arguments");
    struct host_index idx;
    char *err = NULL;
    if (host_index_load(NULL, &idx, &err) < 0) {
        log_error("%s", err);
        free(err);
        return EXIT_FAIL;
    }
    struct json_object *list = ctx->common.json ? json_object_new_array() : NULL;
    if (!list)
        printf("%-20s %-14s %-10s %s\n", "NAME", "STATE", "PROVIDER", "PROJECT");
    for (size_t i = 0; i < idx.count; i++) {
        const struct host_machine *hm = &idx.machines[i];
        if (!fs_is_dir(hm->state_dir)) {
            if (a->prune)
                forget(hm);
            continue;
        }
        struct rove_state_report st;
        query(hm, &st);
        const char *state = runtime_state_name(st.state);
        if (list) {
            struct json_object *o = json_object_new_object();
            json_add_string(o, "project", hm->project);
            json_add_string(o, "name", hm->name);
            json_add_string(o, "provider", hm->provider);
            json_add_string(o, "state", state);
            json_object_array_add(list, o);
        } else {
            printf("%-20s %-14s %-10s %s\n", hm->name, state, hm->provider, hm->project);
        }
    }
    if (list)
        json_print_and_put(stdout, list);
    host_index_free(&idx);
    return EXIT_OK;
}

const struct cmd cmd_global_status = {
    .name = "global-status",
    .run = run_global_status,
    .flags = CMD_JSON,
    .summary = "list every machine rove created on this host",
    .description =
        "Lists every machine rove created on this host, in any project, with its state.\n",
    .json_help = "print a JSON list of {project, name, provider, state}",
    .options = global_status_opts,
    .args_size = sizeof(struct global_status_args),
};
