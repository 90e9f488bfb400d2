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

static const char usage[] =
    "usage: rove run [NAME...] [--keep] [--timeout SECONDS] [--env NAME[=VALUE]]...\n"
    "                [--copy-out GUEST_PATH:HOST_PATH]... [--require-checksum] [--json]\n"
    "                -- COMMAND [ARG...]\n"
    "\n"
    "For CI: brings up the machines (all of them, or those named), runs COMMAND in the first one\n"
    "(one argument is run as a shell command line; several are quoted word by word), copies\n"
    "files out, then destroys every machine it brought up, also when something failed or it was\n"
    "interrupted (SIGINT, SIGTERM, SIGHUP: the command is sent the signal and every wait ends at\n"
    "once; a second signal does not stop the clean-up, a third does).\n"
    "\n"
    "  --keep                  do not destroy the machines afterwards\n"
    "  --timeout SECONDS       stop COMMAND (SIGTERM) after SECONDS; the exit status is then 124\n"
    "  --env NAME[=VALUE]      set NAME in COMMAND's environment: to VALUE, or to rove's own\n"
    "                          NAME; values are never printed (repeatable)\n"
    "  --copy-out GUEST:HOST   after COMMAND, also when it failed, copy the guest's file or\n"
    "                          folder GUEST (relative: to the login user's home) to HOST (into\n"
    "                          it when it is a folder) (repeatable)\n"
    "  --require-checksum      refuse a box whose checksum is not known\n"
    "  --json                  print one summary object on stdout (machines, seconds per phase,\n"
    "                          exit status); COMMAND's stdout then goes to stderr\n"
    "\n"
    "Exit status: COMMAND's; 124 when --timeout stopped it; 128 + the signal when rove was\n"
    "interrupted (130 for SIGINT, 143 for SIGTERM); 255 when rove could not run it; 1 when a\n"
    "copy-out failed after COMMAND succeeded.\n";

#define EXIT_TIMED_OUT 124 /* as timeout(1) */

struct copy_out {
    char *guest, *host;
};

static struct {
    bool keep;
    bool require_checksum;
    int timeout_s;
    char **env; /* NAME or NAME=VALUE, as given */
    size_t nenv;
    struct copy_out *copies;
    size_t ncopies;
} opts;

enum { OPT_KEEP = 0x320, OPT_TIMEOUT, OPT_ENV, OPT_COPY_OUT, OPT_REQUIRE_CHECKSUM };

static const struct option longopts[] = {
    {"keep", no_argument, NULL, OPT_KEEP},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"env", required_argument, NULL, OPT_ENV},
    {"copy-out", required_argument, NULL, OPT_COPY_OUT},
    {"require-checksum", no_argument, NULL, OPT_REQUIRE_CHECKSUM},
    {NULL, 0, NULL, 0},
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

static int parse_timeout(const struct cmd *cmd, const char *arg)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < 1 || v > INT_MAX)
        return cmd_usage_error(cmd, "--timeout takes a whole number of seconds, not '%s'", arg);
    opts.timeout_s = (int)v;
    return 0;
}

static int parse_copy_out(const struct cmd *cmd, const char *arg)
{
    const char *colon = strchr(arg, ':');
    if (!colon || colon == arg || !colon[1])
        return cmd_usage_error(cmd, "--copy-out takes GUEST_PATH:HOST_PATH, not '%s'", arg);
    opts.copies = xrealloc(opts.copies, (opts.ncopies + 1) * sizeof *opts.copies);
    opts.copies[opts.ncopies++] =
        (struct copy_out){xstrndup(arg, (size_t)(colon - arg)), xstrdup(colon + 1)};
    return 0;
}

static int run_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
    switch (opt) {
    case OPT_KEEP:
        opts.keep = true;
        return 0;
    case OPT_REQUIRE_CHECKSUM:
        opts.require_checksum = true;
        return 0;
    case OPT_TIMEOUT:
        return parse_timeout(ctx->cmd, arg);
    case OPT_COPY_OUT:
        return parse_copy_out(ctx->cmd, arg);
    default: {
        const char *eq = strchr(arg, '=');
        if (!is_env_name(arg, eq ? (size_t)(eq - arg) : strlen(arg)))
            return cmd_usage_error(ctx->cmd,
                                   "--env takes NAME or NAME=VALUE with a shell "
                                   "variable name, not '%s'",
                                   arg);
        opts.env = xrealloc(opts.env, (opts.nenv + 1) * sizeof *opts.env);
        opts.env[opts.nenv++] = xstrdup(arg);
        return 0;
    }
    }
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
static void environment_prefix(struct strbuf *prefix, struct strbuf *names)
{
    for (size_t i = 0; i < opts.nenv; i++) {
        const char *eq = strchr(opts.env[i], '=');
        char *name = eq ? xstrndup(opts.env[i], (size_t)(eq - opts.env[i])) : xstrdup(opts.env[i]);
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

/* Runs the command in the machine; fills the report's command part. Returns the exit status rove
 * passes on. */
static int run_command(struct machine_runtime *rt, struct guest_conn *conn, const char *command,
                       bool json, struct run_report *report)
{
    struct strbuf full = STRBUF_INIT, names = STRBUF_INIT;
    environment_prefix(&full, &names);
    log_info(RT_FMT "running: %s%s%s%s", rt->m->name, command, names.len ? " (environment: " : "",
             sb_str(&names), names.len ? ")" : "");
    sb_add(&full, command);
    struct exec_output out = {
        .out_fd = json ? STDERR_FILENO : STDOUT_FILENO,
        .err_fd = STDERR_FILENO,
        .timeout_s = opts.timeout_s,
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
static size_t copy_out(struct machine_runtime *rt, struct guest_conn *conn,
                       struct run_report *report)
{
    size_t failed = 0;
    double start = monotonic_seconds();
    for (size_t i = 0; i < opts.ncopies && !interrupt_requested(); i++) {
        const struct copy_out *c = &opts.copies[i];
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
static int run_in_machine(struct machine_runtime *rt, const char *command, bool json,
                          struct run_report *report)
{
    struct guest_conn *conn;
    if (runtime_connect(rt, &conn) < 0)
        return EXIT_REMOTE_FAILED;
    int status = run_command(rt, conn, command, json, report);
    if (!interrupt_requested() && copy_out(rt, conn, report) > 0 && status == EXIT_OK)
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
                  struct machine_runtime *rts, size_t *started, struct run_report *report)
{
    struct up_options up = {.provision = PROVISION_DEFAULT,
                            .require_checksum = opts.require_checksum};
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

static void release_options(void)
{
    for (size_t i = 0; i < opts.nenv; i++)
        free(opts.env[i]);
    for (size_t i = 0; i < opts.ncopies; i++) {
        free(opts.copies[i].guest);
        free(opts.copies[i].host);
    }
    free(opts.env);
    free(opts.copies);
}

static int run_run(struct cmd_ctx *ctx, int argc, char **argv)
{
    if (ctx->args_after_dashdash <= 0)
        return cmd_usage_error(ctx->cmd, "no command given (rove run [NAME...] -- COMMAND)");
    int names = argc - ctx->args_after_dashdash;
    struct engine_plan plan;
    int rc = cmd_plan(ctx, names, argv, &plan);
    if (rc != EXIT_OK)
        return rc;
    struct machine **machines = plan.machines;
    size_t count = plan.count;
    double start = monotonic_seconds();
    struct machine_runtime *rts = xcalloc(count, sizeof *rts);
    struct run_report report = {.machines = xcalloc(count, sizeof *report.machines),
                                .nmachines = count,
                                .command_exit_status = -1};
    size_t started = 0;
    int status = EXIT_REMOTE_FAILED;
    if (up_all(ctx, machines, count, rts, &started, &report) == 0) {
        char *command = command_line(argc - names, argv + names);
        status = run_in_machine(&rts[0], command, ctx->json, &report);
        free(command);
    }
    if (!opts.keep)
        destroy_all(rts, started, &report);
    for (size_t i = 0; i < started; i++)
        runtime_release(&rts[i]);
    for (size_t i = 0; i < count; i++)
        state_tidy_machine(ctx->mf, machines[i]->name);
    if (interrupt_signal())
        status = interrupt_exit_status();
    report.exit_status = status;
    report.interrupt_signal = interrupt_signal();
    report.seconds = monotonic_seconds() - start;
    if (ctx->json && run_report_print(&report) < 0)
        status = EXIT_FAIL;
    free(report.machines);
    free(rts);
    engine_plan_release(&plan);
    release_options();
    return status;
}

const struct cmd cmd_run = {
    .name = "run",
    .run = run_run,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_TAKES_LOCK | CMD_INTERRUPTIBLE | CMD_JSON,
    .summary = "for CI: up, run a command in the first machine, destroy",
    .usage = usage,
    .longopts = longopts,
    .option = run_option,
};
