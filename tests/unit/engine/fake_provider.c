/* SPDX-License-Identifier: MIT */
/* rove-provider-fake: a provider module for the engine's unit tests. It keeps its "machine" as a
 * file in the state folder, journals two resources on create as a real provider does, appends
 * every call to $FAKE_PROVIDER_LOG ("create", "destroy fake.disk,fake.domain", ...) and fails
 * the operations named in $FAKE_PROVIDER_FAIL (comma-separated: probe, create, create-late (after
 * journaling), start, stop, destroy, state, reconfigure-check, reconfigure, snapshot-save,
 * snapshot-restore, snapshot-delete, snapshot-list). $FAKE_PROVIDER_DIES=1 makes a started (or
 * restored running) machine stop at once, as a guest that crashed. reconfigure logs the values it
 * applies ("reconfigure cpus 1 -> 2 memory 1024 -> 768 MiB disk 0 -> 0 forwards 18555:22").
 * Snapshots are files beside the state, each holding the state it was taken in;
 * $FAKE_PROVIDER_NO_SNAPSHOTS=1 makes the module one without snapshots. */
#include "providers/provider.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATE_FILE      "fake-state"
#define SNAPSHOT_PREFIX "fake-snapshot."
#define CURRENT_FILE    "fake-current"
#define SEQUENCE_FILE   "fake-sequence"

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

static void snapshot_path(const struct rove_machine_ctx *ctx, const char *name, char *out,
                          size_t len)
{
    snprintf(out, len, "%s/" SNAPSHOT_PREFIX "%s", ctx->state_dir, name);
}

static int read_small(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
    return 0;
}

static int write_small(const struct rove_machine_ctx *ctx, const char *file, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", ctx->state_dir, file);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* Creation times count up from a fixed second, one per save, so tests can tell them apart. */
static long next_creation_time(const struct rove_machine_ctx *ctx)
{
    char path[4096], buf[32] = "0";
    snprintf(path, sizeof path, "%s/%s", ctx->state_dir, SEQUENCE_FILE);
    read_small(path, buf, sizeof buf);
    long n = strtol(buf, NULL, 10) + 1;
    snprintf(buf, sizeof buf, "%ld", n);
    write_small(ctx, SEQUENCE_FILE, buf);
    return 1700000000 + n;
}

static int snapshot_save(const struct rove_machine_ctx *ctx, const char *name)
{
    note("snapshot-save %s", name);
    if (failing("snapshot-save"))
        return fail(ctx, "snapshot-save");
    char path[4096], state_file[4096], state_now[32] = "stopped", text[64];
    snapshot_path(ctx, name, path, sizeof path);
    if (access(path, F_OK) == 0)
        return fail(ctx, "snapshot-save of an existing name");
    state_path(ctx, state_file, sizeof state_file);
    read_small(state_file, state_now, sizeof state_now);
    snprintf(text, sizeof text, "%s %ld", state_now, next_creation_time(ctx));
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    if (fclose(f) != 0)
        return -1;
    return write_small(ctx, CURRENT_FILE, name);
}

static int snapshot_restore(const struct rove_machine_ctx *ctx, const char *name)
{
    note("snapshot-restore %s", name);
    if (failing("snapshot-restore"))
        return fail(ctx, "snapshot-restore");
    char path[4096], text[64] = "";
    snapshot_path(ctx, name, path, sizeof path);
    if (read_small(path, text, sizeof text) < 0)
        return fail(ctx, "snapshot-restore of a missing snapshot");
    const char *dies = getenv("FAKE_PROVIDER_DIES");
    bool running = !strncmp(text, "running ", 8) && !(dies && !strcmp(dies, "1"));
    if (write_state(ctx, running ? "running" : "stopped") != 0)
        return -1;
    return write_small(ctx, CURRENT_FILE, name);
}

static int snapshot_delete(const struct rove_machine_ctx *ctx, const char *name)
{
    note("snapshot-delete %s", name);
    if (failing("snapshot-delete"))
        return fail(ctx, "snapshot-delete");
    char path[4096];
    snapshot_path(ctx, name, path, sizeof path);
    return unlink(path) == 0 ? 0 : fail(ctx, "snapshot-delete of a missing snapshot");
}

static int snapshot_list(const struct rove_machine_ctx *ctx, rove_snapshot_fn each, void *arg)
{
    if (failing("snapshot-list"))
        return fail(ctx, "snapshot-list");
    char path[4096], current[256] = "";
    snprintf(path, sizeof path, "%s/%s", ctx->state_dir, CURRENT_FILE);
    read_small(path, current, sizeof current);
    DIR *dir = opendir(ctx->state_dir);
    if (!dir)
        return -1;
    for (struct dirent *e; (e = readdir(dir));) {
        if (strncmp(e->d_name, SNAPSHOT_PREFIX, strlen(SNAPSHOT_PREFIX)) != 0)
            continue;
        const char *name = e->d_name + strlen(SNAPSHOT_PREFIX);
        char text[64] = "";
        snapshot_path(ctx, name, path, sizeof path);
        read_small(path, text, sizeof text);
        const char *space = strchr(text, ' ');
        struct rove_snapshot s = {
            .name = name,
            .created = space ? strtol(space + 1, NULL, 10) : 0,
            .memory = !strncmp(text, "running ", 8),
            .current = !strcmp(name, current),
        };
        each(arg, &s);
    }
    closedir(dir);
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
    .snapshot_save = snapshot_save,
    .snapshot_restore = snapshot_restore,
    .snapshot_delete = snapshot_delete,
    .snapshot_list = snapshot_list,
    .reconfigure_check = reconfigure_check,
    .reconfigure = reconfigure,
};

/* The same provider without snapshots, as vmm is. */
static struct rove_provider fake_without_snapshots;

__attribute__((visibility("default"))) const struct rove_provider *rove_provider_entry(void)
{
    const char *none = getenv("FAKE_PROVIDER_NO_SNAPSHOTS");
    if (!none || strcmp(none, "1") != 0)
        return &fake;
    fake_without_snapshots = fake;
    fake_without_snapshots.snapshot_save = NULL;
    fake_without_snapshots.snapshot_restore = NULL;
    fake_without_snapshots.snapshot_delete = NULL;
    fake_without_snapshots.snapshot_list = NULL;
    return &fake_without_snapshots;
}
