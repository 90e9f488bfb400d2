/* SPDX-License-Identifier: MIT */
/* rove status: each machine's state and provider. Fast: no network, and no provider is loaded for
 * a machine that was never created. */
#include "cli/cmd.h"
#include "machine/machinefile.h"
#include "engine/apply.h"
#include "engine/engine.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the machinefile changed since the machine was built: the fields a reload (or, for a
 * stopped machine, an up) applies, and those that need the machine destroyed first. */
struct pending_changes {
    bool known;    /* the machine is created and rove knows what it was built from */
    char *apply;   /* "memory, cpus", or "" */
    char *destroy; /* "box", or "" */
};

static void pending_changes(struct machine_runtime *rt, enum rove_machine_state state,
                            struct pending_changes *out)
{
    struct spec_diff d;
    bool known = (state == ROVE_STATE_RUNNING || state == ROVE_STATE_STOPPED) && apply_diff(rt, &d);
    out->known = known;
    out->apply = known ? spec_diff_fields(&d, false) : xstrdup("");
    out->destroy = known ? spec_diff_fields(&d, true) : xstrdup("");
    if (known)
        spec_diff_clear(&d);
}

static struct json_object *field_list(const char *fields)
{
    struct json_object *arr = json_object_new_array();
    for (const char *p = fields; *p;) {
        size_t n = strcspn(p, ",");
        json_object_array_add(arr, json_object_new_string_len(p, (int)n));
        p += n;
        p += strspn(p, ", ");
    }
    return arr;
}

/* "running (TCG) (reload to apply: memory, cpus)" */
static void print_details(const char *reason, enum rove_machine_state state,
                          const struct pending_changes *p)
{
    fputs(reason, stdout);
    if (p->apply[0])
        printf("%s(%s to apply: %s)", reason[0] ? " " : "",
               state == ROVE_STATE_RUNNING ? "reload" : "up", p->apply);
    if (p->destroy[0])
        printf("%s(destroy to apply: %s)", reason[0] || p->apply[0] ? " " : "", p->destroy);
    putchar('\n');
}

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
        struct pending_changes pending;
        pending_changes(&rt, st.state, &pending);
        if (list) {
            struct json_object *o = json_object_new_object();
            json_add_string(o, "name", m->name);
            json_add_string(o, "state", state);
            json_add_string(o, "provider", provider);
            if (st.reason[0])
                json_add_string(o, "reason", st.reason);
            if (pending.known) {
                json_object_object_add(o, "changed", field_list(pending.apply));
                json_object_object_add(o, "changed_needs_destroy", field_list(pending.destroy));
            }
            json_object_array_add(list, o);
        } else {
            printf("%-20s %-14s %-10s ", m->name, state, provider);
            print_details(st.reason, st.state, &pending);
        }
        free(pending.apply);
        free(pending.destroy);
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
        "stopped, or unknown with the reason; and its provider. A machine whose machinefile\n"
        "entry changed since it was built is marked: \"reload to apply: memory, cpus\" (\"up\" "
        "for\n"
        "a stopped one), or \"destroy to apply: box\" for what cannot change on it.\n",
    .json_help = "print a JSON list of {name, state, provider[, reason][, changed, "
                 "changed_needs_destroy]}",
};
