/* SPDX-License-Identifier: MIT */
/* provider-drive: runs one operation of a provider module the way rove core does, so shell tests
 * can drive a real provider against a real hypervisor. The journal is rove core's own
 * (machine/journal.h), in the state folder as `rove up` keeps it.
 *
 * usage: provider-drive PROVIDER OP --project ID --machine NAME --state DIR [options]
 *   OP: probe | create | start | stop | state | endpoint | destroy
 *       | snapshot-save NAME | snapshot-restore NAME | snapshot-delete NAME
 *       | snapshot-list (one line per snapshot: NAME memory|disks [current])
 *   --box DIR          unpacked box (metadata.json, box.img, kernel, initrd)   (create)
 *   --box-name NAME  --box-version VERSION   what the box layer would name it (create)
 *   --seed ISO         cloud-init seed to attach                               (create)
 *   --option KEY=VAL   provider option (repeatable)
 *   --forward H:G      forward 127.0.0.1:H to guest port G over TCP (repeatable)
 *   --cpus N  --memory MIB  --disk MIB
 *   --timeout S  --force                                                       (stop) */
#include "engine/machine_runtime.h"
#include "machine/journal.h"
#include "providers/loader.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct drive {
    const char *provider, *op, *op_arg, *box_dir, *box_name, *box_version, *seed;
    int timeout;
    bool force;
    struct rove_machine_spec spec;
    struct rove_option options[16];
    struct rove_forward forwards[16];
    struct rove_box box;
    struct rove_machine_ctx ctx;
};

/* The journal as rove core keeps it (machine/journal.h), in the same file. */
static int journal_add(void *ctx, const char *kind, const char *id, const char *json_data)
{
    char *path = fs_join(ctx, RUNTIME_JOURNAL);
    int rc = journal_append(path, kind, id, json_data, NULL);
    free(path);
    return rc;
}

static const char *json_str(struct json_object *meta, const char *key)
{
    struct json_object *v;
    return json_object_object_get_ex(meta, key, &v) ? json_object_get_string(v) : NULL;
}

static char *box_file(const char *dir, struct json_object *meta, const char *key)
{
    const char *rel = json_str(meta, key);
    return rel ? fs_join(dir, rel) : NULL;
}

/* Fills d->box from the unpacked box's metadata.json (the test's stand-in for the box layer).
 * The ELF vmlinux, when the box has one, boots faster under TCG than the bzImage. */
static int load_box(struct drive *d)
{
    char *meta_path = fs_join(d->box_dir, "metadata.json");
    struct json_object *meta = json_object_from_file(meta_path);
    if (!meta) {
        fprintf(stderr, "provider-drive: cannot read %s\n", meta_path);
        free(meta_path);
        return -1;
    }
    free(meta_path);
    struct json_object *size;
    d->box.name = d->box_name ? d->box_name : "rove-test/box";
    d->box.version = d->box_version ? d->box_version : "0";
    d->box.dir = d->box_dir;
    d->box.image = fs_join(d->box_dir, "box.img");
    d->box.format = xstrdup(json_str(meta, "format") ? json_str(meta, "format") : "qcow2");
    if (json_object_object_get_ex(meta, "virtual_size", &size))
        d->box.virtual_size = (uint64_t)json_object_get_int64(size) << 30;
    d->box.kernel = box_file(d->box_dir, meta, json_str(meta, "vmlinux") ? "vmlinux" : "kernel");
    d->box.initrd = box_file(d->box_dir, meta, "initrd");
    d->box.cmdline = json_str(meta, "cmdline") ? xstrdup(json_str(meta, "cmdline")) : NULL;
    json_object_put(meta);
    return 0;
}

static int parse_args(struct drive *d, int argc, char **argv)
{
    static const struct option longopts[] = {{"project", required_argument, NULL, 'p'},
                                             {"machine", required_argument, NULL, 'm'},
                                             {"state", required_argument, NULL, 's'},
                                             {"box", required_argument, NULL, 'b'},
                                             {"seed", required_argument, NULL, 'S'},
                                             {"option", required_argument, NULL, 'o'},
                                             {"forward", required_argument, NULL, 'F'},
                                             {"cpus", required_argument, NULL, 'c'},
                                             {"memory", required_argument, NULL, 'M'},
                                             {"disk", required_argument, NULL, 'D'},
                                             {"timeout", required_argument, NULL, 't'},
                                             {"force", no_argument, NULL, 'f'},
                                             {"box-name", required_argument, NULL, 'n'},
                                             {"box-version", required_argument, NULL, 'v'},
                                             {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char *eq;
        switch (opt) {
        case 'p':
            d->ctx.project_id = optarg;
            break;
        case 'm':
            d->spec.name = d->spec.hostname = optarg;
            break;
        case 's':
            d->ctx.state_dir = optarg;
            break;
        case 'b':
            d->box_dir = optarg;
            break;
        case 'S':
            d->seed = optarg;
            break;
        case 'n':
            d->box_name = optarg;
            break;
        case 'v':
            d->box_version = optarg;
            break;
        case 'c':
            d->spec.cpus = atoi(optarg);
            break;
        case 'M':
            d->spec.memory = strtoull(optarg, NULL, 10) << 20;
            break;
        case 'D':
            d->spec.disk = strtoull(optarg, NULL, 10) << 20;
            break;
        case 't':
            d->timeout = atoi(optarg);
            break;
        case 'f':
            d->force = true;
            break;
        case 'o':
            eq = strchr(optarg, '=');
            if (!eq || d->spec.noptions == 16)
                return -1;
            *eq = '\0';
            d->options[d->spec.noptions++] =
                (struct rove_option){optarg, ROVE_OPTION_STRING, eq + 1, !strcmp(eq + 1, "true")};
            break;
        case 'F':
            if (d->spec.nforwards == 16)
                return -1;
            d->forwards[d->spec.nforwards].proto = "tcp";
            if (sscanf(optarg, "%d:%d", &d->forwards[d->spec.nforwards].host,
                       &d->forwards[d->spec.nforwards].guest) != 2)
                return -1;
            d->spec.nforwards++;
            break;
        default:
            return -1;
        }
    }
    int positional = argc - optind;
    if (positional < 2 || positional > 3 || !d->ctx.project_id || !d->spec.name ||
        !d->ctx.state_dir)
        return -1;
    d->provider = argv[optind];
    d->op = argv[optind + 1];
    d->op_arg = positional == 3 ? argv[optind + 2] : NULL;
    return 0;
}

/* As engine_destroy() does: the provider gets every record not yet released, oldest first; once
 * it removed them all the journal is empty again. */
static void print_snapshot(void *arg, const struct rove_snapshot *s)
{
    (void)arg;
    printf("%s %s%s\n", s->name, s->memory ? "memory" : "disks", s->current ? " current" : "");
}

static int run_destroy(const struct rove_provider *ops, struct drive *d)
{
    char *path = fs_join(d->ctx.state_dir, RUNTIME_JOURNAL);
    struct journal j;
    if (journal_read(path, &j) < 0) {
        fprintf(stderr, "provider-drive: cannot read %s: %s\n", path, strerror(errno));
        free(path);
        return -1;
    }
    struct rove_journal_record *records = xcalloc(j.count + 1, sizeof *records);
    size_t n = 0;
    for (size_t i = 0; i < j.count; i++)
        if (!j.records[i].released)
            records[n++] =
                (struct rove_journal_record){j.records[i].kind, j.records[i].id, j.records[i].data};
    int rc = ops->destroy(&d->ctx, records, n);
    if (rc == 0)
        unlink(path);
    free(records);
    journal_free(&j);
    free(path);
    return rc;
}

/* Types the --option values as rove would, from the provider's schema. */
static void type_options(const struct rove_provider *ops, struct drive *d)
{
    for (size_t i = 0; i < d->spec.noptions; i++)
        for (const struct rove_option_spec *o = ops->options; o && o->key; o++)
            if (!strcmp(o->key, d->options[i].key))
                d->options[i].type = o->type;
}

static int run(const struct rove_provider *ops, struct drive *d)
{
    char why[ROVE_REASON_MAX];
    if (!strcmp(d->op, "probe")) {
        int rc = ops->probe(&d->ctx, why, sizeof why);
        printf("%s\n", why);
        return rc;
    }
    if (!strcmp(d->op, "create"))
        return (d->box_dir && load_box(d) != 0) ? -1 : ops->create(&d->ctx);
    if (!strcmp(d->op, "start"))
        return ops->start(&d->ctx);
    if (!strcmp(d->op, "stop"))
        return ops->stop(&d->ctx, d->timeout, d->force);
    if (!strcmp(d->op, "destroy"))
        return run_destroy(ops, d);
    if (!strcmp(d->op, "state")) {
        struct rove_state_report r;
        int rc = ops->state(&d->ctx, &r);
        printf("%s %s\n", runtime_state_name(r.state), r.reason);
        return rc;
    }
    if (!strcmp(d->op, "endpoint")) {
        struct rove_endpoint e;
        int rc = ops->ssh_endpoint(&d->ctx, &e);
        if (rc == 0)
            printf("%s %d\n", e.host, e.port);
        return rc;
    }
    if (!strcmp(d->op, "snapshot-list"))
        return ops->snapshot_list ? ops->snapshot_list(&d->ctx, print_snapshot, NULL) : -1;
    int (*snapshot_op)(const struct rove_machine_ctx *, const char *) =
        !strcmp(d->op, "snapshot-save")      ? ops->snapshot_save
        : !strcmp(d->op, "snapshot-restore") ? ops->snapshot_restore
        : !strcmp(d->op, "snapshot-delete")  ? ops->snapshot_delete
                                             : NULL;
    if (snapshot_op && d->op_arg)
        return snapshot_op(&d->ctx, d->op_arg);
    fprintf(stderr, "provider-drive: unknown operation %s (or missing its argument)\n", d->op);
    return -1;
}

int main(int argc, char **argv)
{
    static struct drive d;
    d.spec.cpus = 1;
    d.spec.memory = 256u << 20;
    d.timeout = 30;
    d.spec.options = d.options;
    d.spec.forwards = d.forwards;
    if (parse_args(&d, argc, argv) != 0) {
        fprintf(stderr,
                "usage: provider-drive PROVIDER OP [NAME] --project ID --machine NAME --state "
                "DIR [--box DIR] [--seed ISO] [--option K=V] [--forward H:G] [--cpus N] "
                "[--memory MIB] [--disk MIB] [--timeout S] [--force]\n");
        return 2;
    }
    d.ctx.machine = &d.spec;
    d.ctx.box = &d.box;
    d.ctx.seed_iso = d.seed;
    d.ctx.journal = (struct rove_journal){(void *)d.ctx.state_dir, journal_add};
    d.ctx.log_level = getenv("ROVE_DEBUG") ? LOG_DEBUG : LOG_INFO;
    d.ctx.log = log_message;
    log_set_level((enum log_level)d.ctx.log_level);
    const struct rove_provider *ops = provider_load(d.provider);
    if (!ops)
        return 1;
    type_options(ops, &d);
    int rc = run(ops, &d);
    provider_unload_all();
    return rc == 0 ? 0 : 1;
}
