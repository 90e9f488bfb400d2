/* SPDX-License-Identifier: MIT */
/* `rove snapshot`: save, restore, list, delete, push and pop snapshots of machines. The work is
 * done by engine/snapshot.h; this file is the command line over it. */
#include "cli/cmd.h"
#include "engine/snapshot.h"
#include "util/json.h"
#include "util/log.h"

#include <stdio.h>
#include <time.h>

extern const struct cmd cmd_snapshot;

/* Every option of every snapshot subcommand; each subcommand's table takes its own. */
struct snapshot_args {
    bool force;
    enum provision_mode provision;
    bool no_start;
    bool no_delete;
};

#define SNAPSHOT_OPT_NO_START                                                                      \
    OPT_BOOL(0, "no-start", struct snapshot_args, no_start,                                        \
             "leave a machine restored from a snapshot without memory stopped")

static const struct opt save_opts[] = {
    OPT_BOOL(0, "force", struct snapshot_args, force, "replace a snapshot of that name"),
    OPT_END,
};

static const struct opt restore_opts[] = {
    OPT_PROVISION_MODE(struct snapshot_args, provision),
    SNAPSHOT_OPT_NO_START,
    OPT_END,
};

static const struct opt pop_opts[] = {
    OPT_PROVISION_MODE(struct snapshot_args, provision),
    SNAPSHOT_OPT_NO_START,
    OPT_BOOL(0, "no-delete", struct snapshot_args, no_delete,
             "keep the snapshot after restoring it"),
    OPT_END,
};

/* What a step needs besides the options: the snapshot named on the command line. */
struct snapshot_call {
    const struct snapshot_args *args;
    const char *snapshot;
    struct json_object *json; /* list --json */
    bool header_printed;      /* list */
};

static struct snapshot_restore_options restore_options(const struct snapshot_args *a)
{
    return (struct snapshot_restore_options){
        .provision = a->provision, .no_start = a->no_start, .no_delete = a->no_delete};
}

static int save_one(struct machine_runtime *rt, void *arg)
{
    const struct snapshot_call *c = arg;
    return engine_snapshot_save(rt, c->snapshot, c->args->force, NULL);
}

static int restore_one(struct machine_runtime *rt, void *arg)
{
    const struct snapshot_call *c = arg;
    struct snapshot_restore_options o = restore_options(c->args);
    return engine_snapshot_restore(rt, c->snapshot, &o);
}

static int delete_one(struct machine_runtime *rt, void *arg)
{
    const struct snapshot_call *c = arg;
    return engine_snapshot_delete(rt, c->snapshot);
}

static int push_one(struct machine_runtime *rt, void *arg)
{
    (void)arg;
    return engine_snapshot_save(rt, NULL, false, NULL);
}

static int pop_one(struct machine_runtime *rt, void *arg)
{
    const struct snapshot_call *c = arg;
    struct snapshot_restore_options o = restore_options(c->args);
    return engine_snapshot_pop(rt, &o);
}

static void format_time(char *out, size_t n, int64_t seconds, bool utc)
{
    time_t t = (time_t)seconds;
    struct tm tm;
    if (seconds <= 0 || !(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)))
        snprintf(out, n, "%s", utc ? "" : "?");
    else
        strftime(out, n, utc ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S", &tm);
}

static struct json_object *snapshot_json(const struct snapshot_entry *e)
{
    char created[32];
    format_time(created, sizeof created, e->created, true);
    struct json_object *o = json_object_new_object();
    json_add_string(o, "name", e->name);
    json_add_string(o, "created", created[0] ? created : NULL);
    json_object_object_add(o, "memory", json_object_new_boolean(e->memory));
    json_object_object_add(o, "current", json_object_new_boolean(e->current));
    return o;
}

static void print_rows(struct snapshot_call *c, const char *machine, const struct snapshot_list *l)
{
    if (!c->header_printed && l->count)
        printf("%-16s %-32s %-19s %-6s %s\n", "MACHINE", "SNAPSHOT", "CREATED", "MEMORY",
               "CURRENT");
    c->header_printed |= l->count > 0;
    for (size_t i = 0; i < l->count; i++) {
        char created[32];
        format_time(created, sizeof created, l->items[i].created, false);
        printf("%-16s %-32s %-19s %-6s %s\n", machine, l->items[i].name, created,
               l->items[i].memory ? "yes" : "no", l->items[i].current ? "*" : "");
    }
}

static int list_one(struct machine_runtime *rt, void *arg)
{
    struct snapshot_call *c = arg;
    struct snapshot_list l;
    if (engine_snapshot_list(rt, &l) < 0)
        return -1;
    if (c->json) {
        struct json_object *o = json_object_new_object(), *list = json_object_new_array();
        struct rove_state_report st;
        engine_state(rt, &st);
        json_add_string(o, "machine", rt->m->name);
        json_add_string(o, "state", runtime_state_name(st.state));
        for (size_t i = 0; i < l.count; i++)
            json_object_array_add(list, snapshot_json(&l.items[i]));
        json_object_object_add(o, "snapshots", list);
        json_object_array_add(c->json, o);
    } else if (!rt->created) {
        log_info(RT_FMT "not created, so it has no snapshots", rt->m->name);
    } else if (l.count == 0) {
        log_info(RT_FMT "no snapshots", rt->m->name);
    } else {
        print_rows(c, rt->m->name, &l);
    }
    snapshot_list_clear(&l);
    return 0;
}

static int run_list(struct cmd_ctx *ctx, int argc, char **argv)
{
    struct snapshot_call c = {.args = ctx->args};
    if (ctx->common.json)
        c.json = json_object_new_array();
    int rc = cmd_each_machine(ctx, argc, argv, 0, list_one, &c);
    if (c.json && rc != EXIT_USAGE)
        json_print_and_put(stdout, c.json);
    else if (c.json)
        json_object_put(c.json);
    return rc;
}

/* save NAME [SNAPSHOT]: SNAPSHOT checked here, so a bad one is a usage error. */
static int run_save(struct cmd_ctx *ctx, int argc, char **argv)
{
    if (argc < 1 || argc > 2)
        return cmd_usage_error(ctx->cmd, "takes a machine NAME and, optionally, a SNAPSHOT name");
    if (argc == 2 && !snapshot_name_valid(argv[0], argv[1]))
        return EXIT_USAGE;
    struct snapshot_call c = {.args = ctx->args, .snapshot = argc == 2 ? argv[1] : NULL};
    return cmd_each_machine(ctx, 1, argv, 0, save_one, &c);
}

/* restore and delete: NAME SNAPSHOT. */
static int run_named(struct cmd_ctx *ctx, int argc, char **argv,
                     int (*step)(struct machine_runtime *rt, void *arg))
{
    if (argc != 2)
        return cmd_usage_error(ctx->cmd, "takes a machine NAME and a SNAPSHOT name");
    if (!snapshot_name_valid(argv[0], argv[1]))
        return EXIT_USAGE;
    struct snapshot_call c = {.args = ctx->args, .snapshot = argv[1]};
    return cmd_each_machine(ctx, 1, argv, 0, step, &c);
}

static int run_restore(struct cmd_ctx *ctx, int argc, char **argv)
{
    return run_named(ctx, argc, argv, restore_one);
}

static int run_delete(struct cmd_ctx *ctx, int argc, char **argv)
{
    return run_named(ctx, argc, argv, delete_one);
}

static int run_push(struct cmd_ctx *ctx, int argc, char **argv)
{
    return cmd_each_machine(ctx, argc, argv, 0, push_one, NULL);
}

static int run_pop(struct cmd_ctx *ctx, int argc, char **argv)
{
    struct snapshot_call c = {.args = ctx->args};
    return cmd_each_machine(ctx, argc, argv, PLAN_STOP_AT_FAILURE, pop_one, &c);
}

#define SNAPSHOT_CHANGES (CMD_NEEDS_MACHINEFILE | CMD_TAKES_LOCK | CMD_INTERRUPTIBLE)

#define SNAPSHOT_SUBCOMMAND(sub, flags_, summary_, args_, description_, opts_)                     \
    static const struct cmd cmd_snapshot_##sub = {                                                 \
        .name = #sub,                                                                              \
        .parent = &cmd_snapshot,                                                                   \
        .run = run_##sub,                                                                          \
        .flags = (flags_),                                                                         \
        .summary = summary_,                                                                       \
        .args = args_,                                                                             \
        .description = description_,                                                               \
        .options = opts_,                                                                          \
        .args_size = sizeof(struct snapshot_args),                                                 \
    }

SNAPSHOT_SUBCOMMAND(save, SNAPSHOT_CHANGES, "save a snapshot of a machine", "NAME [SNAPSHOT]",
                    "Saves machine NAME as SNAPSHOT: its disks and memory when it runs, its disks\n"
                    "when it is stopped. Without SNAPSHOT the name is generated as push does\n"
                    "(push_SECONDS_NUMBER). A SNAPSHOT that exists is refused unless --force,\n"
                    "which deletes it first.\n",
                    save_opts);
SNAPSHOT_SUBCOMMAND(
    restore, SNAPSHOT_CHANGES, "restore a snapshot of a machine", "NAME SNAPSHOT",
    "Restores machine NAME to SNAPSHOT. A snapshot with memory resumes the machine where it\n"
    "was; one without restores its disks and boots it, unless --no-start. rove then waits\n"
    "for SSH and copies the sync folders; provisioners run only with --provision.\n",
    restore_opts);
static const struct cmd cmd_snapshot_list = {
    .name = "list",
    .parent = &cmd_snapshot,
    .run = run_list,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_JSON,
    .summary = "list the snapshots of machines",
    .args = "[NAME...]",
    .description = "Lists the snapshots of each machine (all of them, or those named), oldest\n"
                   "first: name, creation time, whether the memory was saved, and the current\n"
                   "one (the last saved or restored).\n",
    .json_help = "print a JSON list of {machine, state, snapshots: [{name, created (UTC, ISO "
                 "8601), memory, current}]}",
    .args_size = sizeof(struct snapshot_args),
};
SNAPSHOT_SUBCOMMAND(delete, SNAPSHOT_CHANGES, "delete a snapshot of a machine", "NAME SNAPSHOT",
                    "Deletes SNAPSHOT of machine NAME; its other snapshots stay.\n", NULL);
SNAPSHOT_SUBCOMMAND(push, SNAPSHOT_CHANGES, "save a snapshot under a generated name", "[NAME...]",
                    "Saves a snapshot of each machine (all of them, or those named) under a\n"
                    "generated name, push_SECONDS_NUMBER, for pop to restore.\n",
                    NULL);
SNAPSHOT_SUBCOMMAND(pop, SNAPSHOT_CHANGES, "restore and delete the last pushed snapshot",
                    "[NAME...]",
                    "Restores each machine (all of them, or those named) to its newest pushed\n"
                    "snapshot, as restore does, and deletes that snapshot unless --no-delete.\n",
                    pop_opts);

static const struct cmd *const snapshot_subcommands[] = {
    &cmd_snapshot_save,
    &cmd_snapshot_restore,
    &cmd_snapshot_list,
    &cmd_snapshot_delete,
    &cmd_snapshot_push,
    &cmd_snapshot_pop,
    NULL,
};

const struct cmd cmd_snapshot = {
    .name = "snapshot",
    .summary = "save, restore, list and delete snapshots of machines",
    .description = "Snapshots keep a machine's disks, and its memory when it runs, inside the\n"
                   "machine (libvirt: internal qcow2 snapshots), so 'rove destroy' removes them\n"
                   "with it. The vmm provider has no snapshots yet.\n",
    .epilogue = "Exit codes: 0 success, 1 failure, 2 usage error.\n",
    .subcommands = snapshot_subcommands,
};
