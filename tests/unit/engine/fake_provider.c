/* SPDX-License-Identifier: MIT */
/* rove-provider-fake: a provider module for the engine's unit tests. It keeps its "machine" as a
 * file in the state folder, journals two resources on create as a real provider does, appends
 * every call to $FAKE_PROVIDER_LOG ("create", "destroy fake.disk,fake.domain", ...) and fails
 * the operations named in $FAKE_PROVIDER_FAIL (comma-separated: probe, create, create-late (after
 * journaling), start, stop, destroy, state, reconfigure-check, reconfigure). $FAKE_PROVIDER_DIES=1
 * makes a started machine stop at once, as a guest that crashed. reconfigure logs the values it
 * applies ("reconfigure cpus 1 -> 2 memory 1024 -> 768 MiB disk 0 -> 0 forwards 18555:22"). */
#include "providers/provider.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATE_FILE "fake-state"

static void note(const char *fmt, ...)
{
    const char *path = getenv("FAKE_PROVIDER_LOG");
    FILE *f = path ? fopen(path, "a") : NULL;
    if (!f)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fclose(f);
}

static bool failing(const char *op)
{
    const char *list = getenv("FAKE_PROVIDER_FAIL");
    size_t n = strlen(op);
    for (const char *p = list; p && *p; p += strcspn(p, ","), p += *p == ',')
        if (!strncmp(p, op, n) && (p[n] == ',' || !p[n]))
            return true;
    return false;
}

static int fail(const struct rove_machine_ctx *ctx, const char *op)
{
    note("%s failed", op);
    char message[256];
    snprintf(message, sizeof message, "%s: %s failed (injected)", ctx->machine->name, op);
    ctx->log(1 /* LOG_ERROR */, message); /* as a module must: through rove's log */
    return -1;
}

static void state_path(const struct rove_machine_ctx *ctx, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", ctx->state_dir, STATE_FILE);
}

static int write_state(const struct rove_machine_ctx *ctx, const char *state)
{
    char path[4096];
    state_path(ctx, path, sizeof path);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(state, f);
    return fclose(f);
}

static int probe(const struct rove_machine_ctx *ctx, char *why, size_t why_len)
{
    note("probe");
    snprintf(why, why_len, "%s", failing("probe") ? "no fake hypervisor here" : "fake");
    return failing("probe") ? fail(ctx, "probe") : 0;
}

static int create(const struct rove_machine_ctx *ctx)
{
    note("create %s", ctx->box ? ctx->box->name : "(no box)");
    if (failing("create"))
        return fail(ctx, "create");
    /* As every provider must: journal first, then create; a refused record means no resource. */
    if (ctx->journal.add(ctx->journal.ctx, "fake.disk", ctx->machine->name, "{}") < 0) {
        note("create refused by the journal");
        return -1;
    }
    if (failing("create-late"))
        return fail(ctx, "create-late");
    if (ctx->journal.add(ctx->journal.ctx, "fake.domain", ctx->machine->name, "{}") < 0)
        return -1;
    return write_state(ctx, "stopped");
}

static int start(const struct rove_machine_ctx *ctx)
{
    note("start");
    if (failing("start"))
        return fail(ctx, "start");
    const char *dies = getenv("FAKE_PROVIDER_DIES");
    return write_state(ctx, dies && !strcmp(dies, "1") ? "stopped" : "running");
}

static int stop(const struct rove_machine_ctx *ctx, int timeout_seconds, bool force)
{
    note("stop %d %s", timeout_seconds, force ? "force" : "acpi");
    return failing("stop") ? fail(ctx, "stop") : write_state(ctx, "stopped");
}

static int destroy(const struct rove_machine_ctx *ctx, const struct rove_journal_record *records,
                   size_t nrecords)
{
    char kinds[512] = "";
    for (size_t i = 0; i < nrecords; i++)
        snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s%s", i ? "," : "",
                 records[i].kind);
    note("destroy %s", kinds);
    if (failing("destroy"))
        return fail(ctx, "destroy");
    char path[4096];
    state_path(ctx, path, sizeof path);
    if (unlink(path) < 0 && errno != ENOENT)
        return -1;
    return 0;
}

static int state(const struct rove_machine_ctx *ctx, struct rove_state_report *out)
{
    if (failing("state")) {
        snprintf(out->reason, sizeof out->reason, "the fake hypervisor does not answer");
        return -1;
    }
    char path[4096], buf[32] = "";
    state_path(ctx, path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f) {
        out->state = ROVE_STATE_NOT_CREATED;
        return 0;
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    out->state = !strcmp(buf, "running") ? ROVE_STATE_RUNNING : ROVE_STATE_STOPPED;
    return 0;
}

/* Nothing listens there: a wait only ends through the machine's state. */
static int ssh_endpoint(const struct rove_machine_ctx *ctx, struct rove_endpoint *out)
{
    (void)ctx;
    snprintf(out->host, sizeof out->host, "127.0.0.1");
    out->port = 1;
    return 0;
}

static int reconfigure_check(const struct rove_machine_ctx *ctx,
                             const struct rove_machine_spec *old, char *why, size_t why_len)
{
    (void)old;
    note("reconfigure-check");
    if (!failing("reconfigure-check"))
        return 0;
    snprintf(why, why_len, "fake.thing cannot change");
    return fail(ctx, "reconfigure-check");
}

static void say_forwards(char *out, size_t len, const struct rove_machine_spec *s)
{
    out[0] = '\0';
    for (size_t i = 0; i < s->nforwards; i++)
        snprintf(out + strlen(out), len - strlen(out), "%s%d:%d", i ? "," : "", s->forwards[i].host,
                 s->forwards[i].guest);
}

static int reconfigure(const struct rove_machine_ctx *ctx, const struct rove_machine_spec *old)
{
    const struct rove_machine_spec *s = ctx->machine;
    char from[256], to[256];
    say_forwards(from, sizeof from, old);
    say_forwards(to, sizeof to, s);
    note("reconfigure cpus %d -> %d memory %llu -> %llu MiB disk %llu -> %llu forwards %s -> %s",
         old->cpus, s->cpus, (unsigned long long)(old->memory >> 20),
         (unsigned long long)(s->memory >> 20), (unsigned long long)(old->disk >> 20),
         (unsigned long long)(s->disk >> 20), from, to);
    return failing("reconfigure") ? fail(ctx, "reconfigure") : 0;
}

static const struct rove_provider fake = {
    .abi_version = ROVE_PROVIDER_ABI_VERSION,
    .name = "fake",
    .description = "a provider for the engine's tests",
    .probe = probe,
    .create = create,
    .start = start,
    .stop = stop,
    .destroy = destroy,
    .state = state,
    .ssh_endpoint = ssh_endpoint,
    .reconfigure_check = reconfigure_check,
    .reconfigure = reconfigure,
};

__attribute__((visibility("default"))) const struct rove_provider *rove_provider_entry(void)
{
    return &fake;
}
