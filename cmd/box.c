/* `rove box`: add, list, remove, prune, outdated and update boxes in the store shared by every
 * project of the user. The work is done by boxes/; this file is the command line over it. */
#include "boxes/box.h"
#include "boxes/catalog.h"
#include "boxes/host_index.h"
#include "boxes/paths.h"
#include "boxes/source.h"
#include "boxes/store.h"
#include "providers/loader.h"
#include "util/version.h"
#include "cli/cmd.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct cmd cmd_box;

enum {
    OPT_NAME = 0x200,
    OPT_BOX_VERSION,
    OPT_PROVIDER,
    OPT_CHECKSUM,
    OPT_REQUIRE_CHECKSUM,
    OPT_FORCE,
    OPT_INSECURE,
    OPT_DRY_RUN,
    OPT_ALL,
};

static struct {
    const char *name;
    const char *version;
    const char *provider;
    const char *checksum;
    bool require_checksum;
    bool force;
    bool insecure;
    bool dry_run;
    bool all;
} opts;

static const struct option box_longopts[] = {
    {"name", required_argument, NULL, OPT_NAME},
    {"box-version", required_argument, NULL, OPT_BOX_VERSION},
    {"provider", required_argument, NULL, OPT_PROVIDER},
    {"checksum", required_argument, NULL, OPT_CHECKSUM},
    {"require-checksum", no_argument, NULL, OPT_REQUIRE_CHECKSUM},
    {"force", no_argument, NULL, OPT_FORCE},
    {"insecure", no_argument, NULL, OPT_INSECURE},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"all", no_argument, NULL, OPT_ALL},
    {NULL, 0, NULL, 0},
};

static const char box_usage[] =
    "usage: rove box add|list|remove|prune|outdated|update [ARGS...]\n"
    "\n"
    "Boxes live in one store shared by every project ($ROVE_HOME/boxes, or\n"
    "$XDG_DATA_HOME/rove/boxes).\n"
    "\n"
    "  rove box add SOURCE [--name NAME] [--box-version CONSTRAINT] [--provider NAME]\n"
    "               [--checksum TYPE:HEX] [--require-checksum] [--force] [--insecure]\n"
    "      SOURCE is a catalog name (looked up in $ROVE_BOX_CATALOG: a catalog .json URL or\n"
    "      path, or a base URL or folder holding NAME.json; without it, ORG/NAME is asked of\n"
    "      the box registry, $ROVE_BOX_REGISTRY, else $VAGRANT_SERVER_URL, else\n"
    "      https://vagrantcloud.com), the URL or path of a catalog (.json), or the URL or path\n"
    "      of a .box (tar, tar.gz, tar.xz, tar.zst, zip).\n"
    "      --name NAME           store a .box given by URL or path under NAME (default: its\n"
    "                            file name without extension; version 0)\n"
    "      --box-version C       newest catalog version matching C, e.g. \">= 1.0, < 2.0\",\n"
    "                            \"= 1.2.3\", \"~> 1.2\"\n"
    "      --provider NAME       the provider's box (default: libvirt when offered)\n"
    "      --checksum TYPE:HEX   sha256, sha384 or sha512 (sha1, md5 with a warning)\n"
    "      --require-checksum    refuse a box whose checksum is not known (for CI)\n"
    "      --force               download again and replace the stored box\n"
    "      --insecure            skip TLS certificate verification\n"
    "  rove box list [--json]\n"
    "  rove box remove NAME [--box-version V] [--provider P] [--all] [--force]\n"
    "      refuses while a machine on this host uses the box, unless --force; also removes\n"
    "      the provider's copies of the box (libvirt's base volumes) that no machine uses\n"
    "  rove box prune [--dry-run] [--force]\n"
    "      removes every version but the newest of each box and provider\n"
    "  rove box outdated [NAME] [--json]\n"
    "      compares stored boxes with their catalogs\n"
    "  rove box update [NAME] [--provider P] [--insecure]\n"
    "      adds the newest catalog version of outdated boxes (prune removes old ones)\n"
    "\n"
    "Environment: ROVE_HOME, ROVE_BOX_CATALOG, ROVE_BOX_REGISTRY (or VAGRANT_SERVER_URL),\n"
    "ROVE_BOX_TOKEN (or VAGRANT_CLOUD_TOKEN: sent to the registry only), ROVE_HTTP_RETRIES,\n"
    "ROVE_HTTP_STALL_TIMEOUT.\n"
    "Exit codes: 0 success, 1 failure, 2 usage error.\n";

static int box_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
    (void)ctx;
    switch (opt) {
    case OPT_NAME:
        opts.name = arg;
        return 0;
    case OPT_BOX_VERSION:
        opts.version = arg;
        return 0;
    case OPT_PROVIDER:
        opts.provider = arg;
        return 0;
    case OPT_CHECKSUM:
        opts.checksum = arg;
        return 0;
    case OPT_REQUIRE_CHECKSUM:
        opts.require_checksum = true;
        return 0;
    case OPT_FORCE:
        opts.force = true;
        return 0;
    case OPT_INSECURE:
        opts.insecure = true;
        return 0;
    case OPT_DRY_RUN:
        opts.dry_run = true;
        return 0;
    case OPT_ALL:
        opts.all = true;
        return 0;
    default:
        return cmd_usage_error(&cmd_box, "unknown option");
    }
}

static int exit_code(int box_rc)
{
    return box_rc == BOX_OK ? EXIT_OK : box_rc == BOX_USAGE ? EXIT_USAGE : EXIT_FAIL;
}

static void human_size(char *out, size_t n, uint64_t bytes)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 4)
        v /= 1024, u++;
    snprintf(out, n, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static struct json_object *handle_json(const struct box_handle *h)
{
    struct json_object *o = json_object_new_object();
    json_add_string(o, "name", h->name);
    json_add_string(o, "version", h->version);
    json_add_string(o, "provider", h->provider);
    json_add_string(o, "path", h->dir);
    json_add_string(o, "source", h->source);
    json_add_string(o, "checksum", h->checksum);
    json_add_string(o, "sha256", h->sha256);
    json_object_object_add(o, "added", json_object_new_boolean(h->added));
    return o;
}

static int run_add(struct cmd_ctx *ctx, int argc, char **argv)
{
    if (argc != 1)
        return cmd_usage_error(&cmd_box, "box add takes one SOURCE");
    struct box_request req = {
        .source = argv[0],
        .name = opts.name,
        .version = opts.version,
        .provider = opts.provider,
        .checksum = opts.checksum,
        .require_checksum = opts.require_checksum,
        .force = opts.force,
        .insecure = opts.insecure,
    };
    struct box_handle h;
    int rc = box_add(&req, &h);
    if (rc == BOX_OK && ctx->json)
        json_print_and_put(stdout, handle_json(&h));
    else if (rc == BOX_OK && !h.added)
        log_info("nothing to do (use --force to download it again)");
    if (rc == BOX_OK)
        box_handle_free(&h);
    return exit_code(rc);
}

static struct json_object *entry_json(const struct box_entry *e)
{
    struct json_object *o = json_object_new_object();
    json_add_string(o, "name", e->name);
    json_add_string(o, "version", e->version);
    json_add_string(o, "provider", e->provider);
    json_add_int(o, "size", (long long)e->size);
    json_add_string(o, "path", e->dir);
    json_add_string(o, "source", e->source);
    json_add_string(o, "catalog", e->catalog);
    json_add_string(o, "checksum", e->checksum);
    json_add_string(o, "sha256", e->sha256);
    return o;
}

static int run_list(struct cmd_ctx *ctx, int argc, char **argv)
{
    (void)argv;
    if (argc != 0)
        return cmd_usage_error(&cmd_box, "box list takes no arguments");
    struct box_entry *entries;
    size_t n;
    box_store_list(&entries, &n);
    if (ctx->json) {
        struct json_object *array = json_object_new_array();
        for (size_t i = 0; i < n; i++)
            json_object_array_add(array, entry_json(&entries[i]));
        json_print_and_put(stdout, array);
    } else if (n == 0) {
        char *store = box_store_dir();
        log_info("no boxes in %s; add one with 'rove box add'", store);
        free(store);
    } else {
        printf("%-32s %-16s %-10s %10s\n", "NAME", "VERSION", "PROVIDER", "SIZE");
        for (size_t i = 0; i < n; i++) {
            char size[32];
            human_size(size, sizeof size, entries[i].size);
            printf("%-32s %-16s %-10s %10s\n", entries[i].name, entries[i].version,
                   entries[i].provider, size);
        }
    }
    box_entries_free(entries, n);
    return EXIT_OK;
}

/* NULL when no live machine uses e; else prints who does. */
static const struct host_machine *user_of(const struct host_index *idx, const struct box_entry *e)
{
    const struct host_machine *m = host_index_find_user(idx, e->name, e->version, e->provider);
    if (m)
        log_error("box %s %s (%s) is used by machine '%s' of %s: destroy it first, or use "
                  "--force",
                  e->name, e->version, e->provider, m->name ? m->name : "?",
                  m->project ? m->project : "an unknown project");
    return m;
}

static int load_index(struct host_index *idx)
{
    char *err = NULL;
    if (host_index_load(NULL, idx, &err) < 0) {
        log_error("%s", err);
        free(err);
        return -1;
    }
    return 0;
}

static bool entry_selected(const struct box_entry *e, const char *name)
{
    return !strcmp(e->name, name) && (!opts.provider || !strcmp(e->provider, opts.provider)) &&
           (!opts.version || !strcmp(e->version, opts.version) ||
            (box_constraint_is_valid(opts.version) &&
             box_version_satisfies(e->version, opts.version) && strpbrk(opts.version, "<>=~!")));
}

/* What the box's provider made of it outside the store (libvirt's base volumes) goes first: once
 * the box's folder is gone, nothing says where those copies are. */
static int remove_provider_copies(const struct box_entry *e)
{
    const struct rove_provider *p = provider_load_if_installed(e->provider);
    if (!p || !p->remove_box_copies)
        return 0;
    struct rove_box box = {.name = e->name, .version = e->version, .dir = e->dir};
    if (p->remove_box_copies(&box, log_get_level()) == 0)
        return 0;
    if (opts.force) {
        log_warn("removing box %s %s anyway (--force): its %s copies named above stay", e->name,
                 e->version, e->provider);
        return 0;
    }
    log_error("box %s %s is kept; --force removes it anyway, leaving those copies", e->name,
              e->version);
    return -1;
}

static int remove_entry(const struct box_entry *e)
{
    int lock = box_store_lock(e->name);
    if (lock < 0)
        return -1;
    int rc = remove_provider_copies(e);
    if (rc == 0)
        rc = box_store_remove(e);
    box_store_unlock(lock);
    if (rc == 0)
        log_info("removed box %s %s (%s)", e->name, e->version, e->provider);
    return rc;
}

static int run_remove(struct cmd_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    if (argc != 1)
        return cmd_usage_error(&cmd_box, "box remove takes one NAME");
    struct box_entry *entries;
    size_t n, matched = 0;
    box_store_list(&entries, &n);
    struct strbuf which = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (entry_selected(&entries[i], argv[0])) {
            sb_addf(&which, "%s%s (%s)", matched ? ", " : "", entries[i].version,
                    entries[i].provider);
            matched++;
        }
    }
    int rc = EXIT_OK;
    struct host_index idx = {0};
    if (matched == 0) {
        log_error("no stored box %s%s%s%s%s", argv[0], opts.version ? " version " : "",
                  opts.version ? opts.version : "", opts.provider ? " for provider " : "",
                  opts.provider ? opts.provider : "");
        rc = EXIT_FAIL;
    } else if (matched > 1 && !opts.all) {
        log_error("several boxes %s are stored: %s; choose with --box-version and --provider, "
                  "or remove them all with --all",
                  argv[0], sb_str(&which));
        rc = EXIT_FAIL;
    } else if (load_index(&idx) < 0 && !opts.force) {
        rc = EXIT_FAIL;
    } else {
        for (size_t i = 0; i < n; i++) {
            if (!entry_selected(&entries[i], argv[0]))
                continue;
            if (!opts.force && user_of(&idx, &entries[i]))
                rc = EXIT_FAIL;
            else if (remove_entry(&entries[i]) < 0)
                rc = EXIT_FAIL;
        }
    }
    host_index_free(&idx);
    sb_release(&which);
    box_entries_free(entries, n);
    return rc;
}

/* True when a later entry (the list is sorted by name, version, provider) has the same name and
 * provider: then e is not the newest. */
static bool has_newer(const struct box_entry *entries, size_t n, size_t i)
{
    for (size_t j = i + 1; j < n; j++)
        if (!strcmp(entries[j].name, entries[i].name) &&
            !strcmp(entries[j].provider, entries[i].provider) &&
            box_version_compare(entries[j].version, entries[i].version) > 0)
            return true;
    return false;
}

static int run_prune(struct cmd_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argv;
    if (argc != 0)
        return cmd_usage_error(&cmd_box, "box prune takes no arguments");
    struct box_entry *entries;
    size_t n, pruned = 0;
    box_store_list(&entries, &n);
    struct host_index idx = {0};
    int rc = load_index(&idx) < 0 && !opts.force ? EXIT_FAIL : EXIT_OK;
    for (size_t i = 0; rc == EXIT_OK && i < n; i++) {
        const struct box_entry *e = &entries[i];
        if (!has_newer(entries, n, i))
            continue;
        if (!opts.force && host_index_find_user(&idx, e->name, e->version, e->provider)) {
            const struct host_machine *m =
                host_index_find_user(&idx, e->name, e->version, e->provider);
            log_info("keeping box %s %s (%s): machine '%s' of %s uses it", e->name, e->version,
                     e->provider, m->name ? m->name : "?", m->project ? m->project : "?");
        } else if (opts.dry_run) {
            printf("would remove box %s %s (%s)\n", e->name, e->version, e->provider);
            pruned++;
        } else if (remove_entry(e) == 0) {
            pruned++;
        } else {
            rc = EXIT_FAIL;
        }
    }
    if (rc == EXIT_OK && pruned == 0)
        log_info("nothing to prune: every stored box is the newest of its name and provider");
    host_index_free(&idx);
    box_entries_free(entries, n);
    return rc;
}

struct outdated {
    const struct box_entry *entry; /* the newest stored version */
    char *latest;                  /* the catalog's newest, or NULL when it could not be read */
};

/* The newest stored version of each (name, provider) that came from a catalog. */
static size_t collect_newest(const struct box_entry *entries, size_t n, const char *name,
                             struct outdated **out)
{
    size_t count = 0;
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct box_entry *e = &entries[i];
        if (!e->catalog || has_newer(entries, n, i) || (name && strcmp(e->name, name)) ||
            (opts.provider && strcmp(e->provider, opts.provider)))
            continue;
        *out = xrealloc(*out, (count + 1) * sizeof **out);
        (*out)[count++] = (struct outdated){e, NULL};
    }
    return count;
}

static int check_latest(struct outdated *o)
{
    struct box_source src = {.kind = BOX_SOURCE_CATALOG,
                             .location = o->entry->catalog,
                             .is_url = strstr(o->entry->catalog, "://") != NULL,
                             .name = o->entry->name};
    struct box_catalog cat;
    if (box_source_load_catalog(&src, opts.insecure, &cat) != BOX_OK)
        return -1;
    const struct catalog_version *v = box_catalog_select(&cat, NULL, o->entry->provider, NULL);
    o->latest = v ? xstrdup(v->version) : NULL;
    box_catalog_free(&cat);
    return 0;
}

static bool is_outdated(const struct outdated *o)
{
    return o->latest && box_version_compare(o->latest, o->entry->version) > 0;
}

static int gather_outdated(int argc, char **argv, struct box_entry **entries, size_t *n,
                           struct outdated **list, size_t *count)
{
    if (argc > 1)
        return cmd_usage_error(&cmd_box, "at most one box NAME");
    box_store_list(entries, n);
    *count = collect_newest(*entries, *n, argc ? argv[0] : NULL, list);
    int rc = EXIT_OK;
    for (size_t i = 0; i < *count; i++)
        if (check_latest(&(*list)[i]) < 0)
            rc = EXIT_FAIL;
    if (argc && *count == 0) {
        log_error("no stored box %s comes from a catalog", argv[0]);
        rc = EXIT_FAIL;
    }
    return rc;
}

static void free_outdated(struct outdated *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(list[i].latest);
    free(list);
}

static int run_outdated(struct cmd_ctx *ctx, int argc, char **argv)
{
    struct box_entry *entries = NULL;
    struct outdated *list = NULL;
    size_t n = 0, count = 0;
    int rc = gather_outdated(argc, argv, &entries, &n, &list, &count);
    if (rc == EXIT_USAGE)
        return rc;
    struct json_object *array = ctx->json ? json_object_new_array() : NULL;
    for (size_t i = 0; i < count; i++) {
        const struct outdated *o = &list[i];
        if (array) {
            struct json_object *j = json_object_new_object();
            json_add_string(j, "name", o->entry->name);
            json_add_string(j, "provider", o->entry->provider);
            json_add_string(j, "installed", o->entry->version);
            json_add_string(j, "latest", o->latest);
            json_object_object_add(j, "outdated", json_object_new_boolean(is_outdated(o)));
            json_object_array_add(array, j);
        } else if (is_outdated(o)) {
            printf("%s (%s): %s installed, %s available\n", o->entry->name, o->entry->provider,
                   o->entry->version, o->latest);
        } else if (o->latest) {
            printf("%s (%s): %s is up to date\n", o->entry->name, o->entry->provider,
                   o->entry->version);
        }
    }
    if (array)
        json_print_and_put(stdout, array);
    else if (count == 0)
        log_info("no stored box comes from a catalog");
    free_outdated(list, count);
    box_entries_free(entries, n);
    return rc;
}

static int run_update(struct cmd_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    struct box_entry *entries = NULL;
    struct outdated *list = NULL;
    size_t n = 0, count = 0, updated = 0;
    int rc = gather_outdated(argc, argv, &entries, &n, &list, &count);
    if (rc == EXIT_USAGE)
        return rc;
    for (size_t i = 0; i < count; i++) {
        if (!is_outdated(&list[i]))
            continue;
        struct box_request req = {
            .source = list[i].entry->name,
            .catalog = list[i].entry->catalog,
            .version = NULL,
            .provider = list[i].entry->provider,
            .require_checksum = opts.require_checksum,
            .insecure = opts.insecure,
        };
        struct box_handle h;
        int r = box_add(&req, &h);
        if (r != BOX_OK) {
            rc = exit_code(r);
            continue;
        }
        updated++;
        box_handle_free(&h);
    }
    if (rc == EXIT_OK && updated == 0)
        log_info("every box from a catalog is up to date");
    free_outdated(list, count);
    box_entries_free(entries, n);
    return rc;
}

static int box_run(struct cmd_ctx *ctx, int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(struct cmd_ctx *, int, char **);
    } subs[] = {{"add", run_add},     {"list", run_list},         {"remove", run_remove},
                {"prune", run_prune}, {"outdated", run_outdated}, {"update", run_update}};
    if (argc < 1)
        return cmd_usage_error(&cmd_box, "missing sub-command");
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (!strcmp(argv[0], subs[i].name))
            return subs[i].run(ctx, argc - 1, argv + 1);
    return cmd_usage_error(&cmd_box, "unknown sub-command '%s'", argv[0]);
}

const struct cmd cmd_box = {
    .name = "box",
    .run = box_run,
    .flags = CMD_JSON | CMD_INTERRUPTIBLE,
    .summary = "add, list, remove, prune and update boxes",
    .usage = box_usage,
    .longopts = box_longopts,
    .shortopts = NULL,
    .option = box_option,
};
