/* SPDX-License-Identifier: MIT */
/* rove run: for CI. Brings the machines up, runs a command in the first one, copies results out,
 * destroys them all whatever happened, and exits with the command's exit status. */
#include "cli/cmd.h"
#include "engine/engine.h"
#include "cli/run_report.h"
#include "engine/ssh_target.h"
#include "machine/global_index.h"
#include "provision/guest_conn.h"
#include "provision/guest_download.h"
#include "provision/guest_exec.h"
#include "provision/shell_quote.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/monotonic.h"
#include "util/strbuf.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_TIMED_OUT 124 /* as timeout(1) */

struct run_args {
    bool keep;
    int timeout_s;
    struct opt_list env; /* NAME or NAME=VALUE, as given */
    struct opt_list copy_out;
    bool require_checksum;
};

static const struct opt run_opts[] = {
    OPT_BOOL(0, "keep", struct run_args, keep, "do not destroy the machines afterwards"),
    OPT_COUNT(0, "timeout", struct run_args, timeout_s, "SECONDS",
              "stop COMMAND (SIGTERM) after SECONDS; the exit status is then 124"),
    OPT_LIST(0, "env", struct run_args, env, "NAME[=VALUE]",
             "set NAME in COMMAND's environment: to VALUE, or to rove's own NAME; values are "
             "never printed (repeatable)"),
    OPT_LIST(0, "copy-out", struct run_args, copy_out, "GUEST_PATH:HOST_PATH",
             "after COMMAND, also when it failed, copy the guest's file or folder GUEST_PATH "
             "(relative: to the login user's home) to HOST_PATH (into it when it is a folder) "
             "(repeatable)"),
    OPT_BOOL(0, "require-checksum", struct run_args, require_checksum,
             "refuse a box whose checksum is not known"),
    OPT_END,
};

struct copy_out {
    char *guest, *host;
};

static bool is_env_name(const char *s, size_t len)
{
    if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

static int check_env(const struct cmd *cmd, const struct opt_list *env)
{
    for (size_t i = 0; i < env->count; i++) {
        const char *arg = env->items[i], *eq = strchr(arg, '=');
        if (!is_env_name(arg, eq ? (size_t)(eq - arg) : strlen(arg)))
            return cmd_usage_error(cmd,
                                   "--env takes NAME or NAME=VALUE with a shell variable name, "
                                   "not '%s'",
                                   arg);
    }
    return 0;
}

/* The --copy-out arguments split at their colon into *out (free with release_copies). */
static int parse_copies(const struct cmd *cmd, const struct opt_list *given, struct copy_out **out)
{
    *out = xcalloc(given->count + 1, sizeof **out);
    for (size_t i = 0; i < given->count; i++) {
        const char *arg = given->items[i], *colon = strchr(arg, ':');
        if (!colon || colon == arg || !colon[1])
            return cmd_usage_error(cmd, "--copy-out takes GUEST_PATH:HOST_PATH, not '%s'", arg);
        (*out)[i] = (struct copy_out){xstrndup(arg, (size_t)(colon - arg)), xstrdup(colon + 1)};
    }
    return 0;
}

static void release_copies(struct copy_out *copies, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(copies[i].guest);
        free(copies[i].host);
    }
    free(copies);
}

static char *command_line(int argc, char **argv)
{
    if (argc == 1)
        return xstrdup(argv[0]);
    struct strbuf cmd = STRBUF_INIT;
    for (int i = 0; i < argc; i++) {
        if (i)
            sb_addc(&cmd, ' ');
        sh_quote(&cmd, argv[i]);
    }
    return sb_detach(&cmd);
}

/* "export A='1' B='2'; " for the --env entries (values taken from rove's environment where none
 * was given), and their names for the log. An unset variable is left out with a warning. */
static void environment_prefix(const struct opt_list *env, struct strbuf *prefix,
                               struct strbuf *names)
{
    for (size_t i = 0; i < env->count; i++) {
        const char *entry = env->items[i], *eq = strchr(entry, '=');
        char *name = eq ? xstrndup(entry, (size_t)(eq - entry)) : xstrdup(entry);
        const char *value = eq ? eq + 1 : getenv(name);
        if (!value) {
            log_warn("--env %s: not set here, so not passed on", name);
        } else {
            sb_add(prefix, prefix->len ? " " : "export ");
            sb_addf(prefix, "%s=", name);
            sh_quote(prefix, value);
            sb_addf(names, "%s%s", names->len ? ", " : "", name);
        }
        free(name);
    }
    if (prefix->len)
        sb_add(prefix, "; ");
}

/* One call of `rove run`: its options and what it found. */
struct run_call {
    const struct run_args *args;
    struct copy_out *copies; /* args->copy_out, split */
    bool json;
    struct run_report report;
};

/* Runs the command in the machine; fills the report's command part. Returns the exit status rove
 * passes on. */
static int run_command(struct machine_runtime *rt, struct guest_conn *conn, const char *command,
                       struct run_call *call)
{
    struct run_report *report = &call->report;
    struct strbuf full = STRBUF_INIT, names = STRBUF_INIT;
    environment_prefix(&call->args->env, &full, &names);
    log_info(RT_FMT "running: %s%s%s%s", rt->m->name, command, names.len ? " (environment: " : "",
             sb_str(&names), names.len ? ")" : "");
    sb_add(&full, command);
    struct exec_output out = {
        .out_fd = call->json ? STDERR_FILENO : STDOUT_FILENO,
        .err_fd = STDERR_FILENO,
        .timeout_s = call->args->timeout_s,
    };
    int status = EXIT_REMOTE_FAILED;
    char *err = NULL;
    double start = monotonic_seconds();
    int rc = guest_exec(conn, sb_str(&full), &out, &status, &err);
    report->command_seconds = monotonic_seconds() - start;
    if (rc < 0) {
        log_error(RT_FMT "%s", rt->m->name, err ? err : "the command could not be run");
        status = rc == GUEST_EXEC_TIMED_OUT ? EXIT_TIMED_OUT : EXIT_REMOTE_FAILED;
        report->timed_out = rc == GUEST_EXEC_TIMED_OUT;
    } else {
        report->command_exit_status = status;
    }
    free(err);
    sb_release(&full);
    sb_release(&names);
    return status;
}

/* Returns the number of copies that failed. */
static size_t copy_out(struct machine_runtime *rt, struct guest_conn *conn, struct run_call *call)
{
    struct run_report *report = &call->report;
    size_t failed = 0;
    double start = monotonic_seconds();
    for (size_t i = 0; i < call->args->copy_out.count && !interrupt_requested(); i++) {
        const struct copy_out *c = &call->copies[i];
        char *err = NULL;
        if (guest_download(conn, c->guest, c->host, &err) < 0) {
            log_error("%s", err);
            failed++;
        } else {
            log_info(RT_FMT "copied %s to %s", rt->m->name, c->guest, c->host);
            report->copied++;
        }
        free(err);
    }
    report->copy_out_seconds = monotonic_seconds() - start;
    return failed;
}

/* Runs the command and the copies in the first machine; returns the exit status. */
static int run_in_machine(struct machine_runtime *rt, const char *command, struct run_call *call)
{
    struct guest_conn *conn;
    if (runtime_connect(rt, &conn) < 0)
        return EXIT_REMOTE_FAILED;
    int status = run_command(rt, conn, command, call);
    if (!interrupt_requested() && copy_out(rt, conn, call) > 0 && status == EXIT_OK)
        status = EXIT_FAIL;
    guest_disconnect(conn);
    return status;
}

static void destroy_all(struct machine_runtime *rts, size_t count, struct run_report *report)
{
    if (interrupt_signal())
        interrupt_begin_cleanup();
    for (size_t i = count; i-- > 0;) {
        double start = monotonic_seconds();
        if (engine_destroy(&rts[i]) == 0) {
            global_index_remove(rts[i].mf, rts[i].m);
            log_info(RT_FMT "destroyed", rts[i].m->name);
            report->machines[i].destroyed = true;
        }
        report->machines[i].destroy_seconds = monotonic_seconds() - start;
    }
}

static int up_all(struct cmd_ctx *ctx, struct machine **machines, size_t count,
                  struct machine_runtime *rts, size_t *started, struct run_call *call)
{
    struct run_report *report = &call->report;
    struct up_options up = {.provision = PROVISION_DEFAULT,
                            .require_checksum = call->args->require_checksum};
    for (*started = 0; *started < count && !interrupt_signal();) {
        size_t i = (*started)++; /* counted before its up: a failed up may leave something */
        runtime_init(&rts[i], ctx->mf, machines[i]);
        int rc = engine_up(&rts[i], &up);
        report->machines[i] = (struct run_report_machine){
            .name = rts[i].m->name, .up = rc == 0, .times = rts[i].times};
        if (rc < 0)
            return -1;
    }
    return interrupt_signal() ? -1 : 0;
}

/* Brings the plan's machines up, runs the command, copies out, destroys; returns the exit status.
 */
static int run_plan(struct cmd_ctx *ctx, const struct engine_plan *plan, char *command,
                    struct run_call *call)
{
    double start = monotonic_seconds();
    struct machine_runtime *rts = xcalloc(plan->count, sizeof *rts);
    call->report =
        (struct run_report){.machines = xcalloc(plan->count, sizeof *call->report.machines),
                            .nmachines = plan->count,
                            .command_exit_status = -1};
    size_t started = 0;
    int status = EXIT_REMOTE_FAILED;
    if (up_all(ctx, plan->machines, plan->count, rts, &started, call) == 0)
        status = run_in_machine(&rts[0], command, call);
    if (!call->args->keep)
        destroy_all(rts, started, &call->report);
    for (size_t i = 0; i < started; i++)
        runtime_release(&rts[i]);
    for (size_t i = 0; i < plan->count; i++)
        state_tidy_machine(ctx->mf, plan->machines[i]->name);
    if (interrupt_signal())
        status = interrupt_exit_status();
    call->report.exit_status = status;
    call->report.interrupt_signal = interrupt_signal();
    call->report.seconds = monotonic_seconds() - start;
    if (call->json && run_report_print(&call->report) < 0)
        status = EXIT_FAIL;
    free(call->report.machines);
    free(rts);
    return status;
}

static int run_run(struct cmd_ctx *ctx, int argc, char **argv)
{
    struct run_call call = {.args = ctx->args, .json = ctx->common.json};
    if (ctx->args_after_dashdash <= 0)
        return cmd_usage_error(ctx->cmd, "no command given (rove run [NAME...] -- COMMAND)");
    int rc = check_env(ctx->cmd, &call.args->env);
    if (rc == 0)
        rc = parse_copies(ctx->cmd, &call.args->copy_out, &call.copies);
    int names = argc - ctx->args_after_dashdash;
    struct engine_plan plan;
    if (rc == 0 && (rc = cmd_plan(ctx, names, argv, &plan)) == EXIT_OK) {
        char *command = command_line(argc - names, argv + names);
        rc = run_plan(ctx, &plan, command, &call);
        free(command);
        engine_plan_release(&plan);
    }
    release_copies(call.copies, call.args->copy_out.count);
    return rc;
}

const struct cmd cmd_run = {
    .name = "run",
    .run = run_run,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_TAKES_LOCK | CMD_INTERRUPTIBLE | CMD_JSON,
    .summary = "for CI: up, run a command in the first machine, destroy",
    .args = "[NAME...]",
    .trailing = "-- COMMAND [ARG...]",
    .description =
        "For CI: brings up the machines (all of them, or those named), runs COMMAND in the first "
        "one\n"
        "(one argument is run as a shell command line; several are quoted word by word), copies\n"
        "files out, then destroys every machine it brought up, also when something failed or it "
        "was\n"
        "interrupted (SIGINT, SIGTERM, SIGHUP: the command is sent the signal and every wait ends "
        "at\n"
        "once; a second signal does not stop the clean-up, a third does).\n",
    .json_help = "print one summary object on stdout (machines, seconds per phase, exit status); "
                 "COMMAND's stdout then goes to stderr",
    .epilogue =
        "Exit status: COMMAND's; 124 when --timeout stopped it; 128 + the signal when rove was\n"
        "interrupted (130 for SIGINT, 143 for SIGTERM); 255 when rove could not run it; 1 when a\n"
        "copy-out failed after COMMAND succeeded.\n",
    .options = run_opts,
    .args_size = sizeof(struct run_args),
};
