/* SPDX-License-Identifier: MIT */
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

/* Every option of every box subcommand; each subcommand's table takes its own. */
struct box_args {
    const char *name;
    const char *version;
    const char *provider;
    const char *checksum;
    bool require_checksum;
    bool force;
    bool insecure;
    bool dry_run;
    bool all;
};

#define BOX_OPT_VERSION(h)  OPT_STRING(0, "box-version", struct box_args, version, "C", h)
#define BOX_OPT_PROVIDER(h) OPT_STRING(0, "provider", struct box_args, provider, "NAME", h)
#define BOX_OPT_FORCE(h)    OPT_BOOL(0, "force", struct box_args, force, h)
#define BOX_OPT_INSECURE                                                                           \
    OPT_BOOL(0, "insecure", struct box_args, insecure, "skip TLS certificate verification")
#define BOX_OPT_REQUIRE_CHECKSUM                                                                   \
    OPT_BOOL(0, "require-checksum", struct box_args, require_checksum,                             \
             "refuse a box whose checksum is not known (for CI)")

static const struct opt add_opts[] = {
    OPT_STRING(0, "name", struct box_args, name, "NAME",
               "store a .box given by URL or path under NAME (default: its file name without "
               "extension; version 0)"),
    BOX_OPT_VERSION("newest catalog version matching C, e.g. \">= 1.0, < 2.0\", \"= 1.2.3\", "
                    "\"~> 1.2\""),
    BOX_OPT_PROVIDER("the provider's box (default: libvirt when offered)"),
    OPT_STRING(0, "checksum", struct box_args, checksum, "TYPE:HEX",
               "sha256, sha384 or sha512 (sha1, md5 with a warning)"),
    BOX_OPT_REQUIRE_CHECKSUM,
    BOX_OPT_FORCE("download again and replace the stored box"),
    BOX_OPT_INSECURE,
    OPT_END,
};

static const struct opt remove_opts[] = {
    BOX_OPT_VERSION("the version, or a constraint matching the versions to remove"),
    BOX_OPT_PROVIDER("only the box of this provider"),
    OPT_BOOL(0, "all", struct box_args, all, "remove every stored box that matches"),
    BOX_OPT_FORCE("remove it although a machine uses it or its provider cannot be reached"),
    OPT_END,
};

static const struct opt prune_opts[] = {
    OPT_BOOL(0, "dry-run", struct box_args, dry_run, "only say what would be removed"),
    BOX_OPT_FORCE("remove also versions that machines use"),
    OPT_END,
};

static const struct opt outdated_opts[] = {
    BOX_OPT_PROVIDER("only boxes of this provider"),
    BOX_OPT_INSECURE,
    OPT_END,
};

static const struct opt update_opts[] = {
    BOX_OPT_PROVIDER("only boxes of this provider"),
    BOX_OPT_REQUIRE_CHECKSUM,
    BOX_OPT_INSECURE,
    OPT_END,
};

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
    const struct box_args *a = ctx->args;
    if (argc != 1)
        return cmd_usage_error(ctx->cmd, "takes one SOURCE");
    struct box_request req = {
        .source = argv[0],
        .name = a->name,
        .version = a->version,
        .provider = a->provider,
        .checksum = a->checksum,
        .require_checksum = a->require_checksum,
        .force = a->force,
        .insecure = a->insecure,
    };
    struct box_handle h;
    int rc = box_add(&req, &h);
    if (rc == BOX_OK && ctx->common.json)
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
        return cmd_usage_error(ctx->cmd, "takes no arguments");
    struct box_entry *entries;
    size_t n;
    box_store_list(&entries, &n);
    if (ctx->common.json) {
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

static bool entry_selected(const struct box_args *a, const struct box_entry *e, const char *name)
{
    return !strcmp(e->name, name) && (!a->provider || !strcmp(e->provider, a->provider)) &&
           (!a->version || !strcmp(e->version, a->version) ||
            (box_constraint_is_valid(a->version) && box_version_satisfies(e->version, a->version) &&
             strpbrk(a->version, "<>=~!")));
}

/* What the box's provider made of it outside the store (libvirt's base volumes) goes first: once
 * the box's folder is gone, nothing says where those copies are. */
static int remove_provider_copies(const struct box_args *a, const struct box_entry *e)
{
    const struct rove_provider *p = provider_load_if_installed(e->provider);
    if (!p || !p->remove_box_copies)
        return 0;
    struct rove_box box = {.name = e->name, .version = e->version, .dir = e->dir};
    if (p->remove_box_copies(&box, log_get_level()) == 0)
        return 0;
    if (a->force) {
        log_warn("removing box %s %s anyway (--force): its %s copies named above stay", e->name,
                 e->version, e->provider);
        return 0;
    }
    return error("box %s %s is kept; --force removes it anyway, leaving those copies", e->name,
                 e->version);
}

static int remove_entry(const struct box_args *a, const struct box_entry *e)
{
    int lock = box_store_lock(e->name);
    if (lock < 0)
        return -1;
    int rc = remove_provider_copies(a, e);
    if (rc == 0)
        rc = box_store_remove(e);
    box_store_unlock(lock);
    if (rc == 0)
        log_info("removed box %s %s (%s)", e->name, e->version, e->provider);
    return rc;
}

static int run_remove(struct cmd_ctx *ctx, int argc, char **argv)
{
    const struct box_args *a = ctx->args;
    if (argc != 1)
        return cmd_usage_error(ctx->cmd, "takes one NAME");
    struct box_entry *entries;
    size_t n, matched = 0;
    box_store_list(&entries, &n);
    struct strbuf which = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (entry_selected(a, &entries[i], argv[0])) {
            sb_addf(&which, "%s%s (%s)", matched ? ", " : "", entries[i].version,
                    entries[i].provider);
            matched++;
        }
    }
    int rc = EXIT_OK;
    struct host_index idx = {0};
    if (matched == 0) {
        log_error("no stored box %s%s%s%s%s", argv[0], a->version ? " version " : "",
                  a->version ? a->version : "", a->provider ? " for provider " : "",
                  a->provider ? a->provider : "");
        rc = EXIT_FAIL;
    } else if (matched > 1 && !a->all) {
        log_error("several boxes %s are stored: %s; choose with --box-version and --provider, "
                  "or remove them all with --all",
                  argv[0], sb_str(&which));
        rc = EXIT_FAIL;
    } else if (load_index(&idx) < 0 && !a->force) {
        rc = EXIT_FAIL;
    } else {
        for (size_t i = 0; i < n; i++) {
            if (!entry_selected(a, &entries[i], argv[0]))
                continue;
            if (!a->force && user_of(&idx, &entries[i]))
                rc = EXIT_FAIL;
            else if (remove_entry(a, &entries[i]) < 0)
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
    const struct box_args *a = ctx->args;
    (void)argv;
    if (argc != 0)
        return cmd_usage_error(ctx->cmd, "takes no arguments");
    struct box_entry *entries;
    size_t n, pruned = 0;
    box_store_list(&entries, &n);
    struct host_index idx = {0};
    int rc = load_index(&idx) < 0 && !a->force ? EXIT_FAIL : EXIT_OK;
    for (size_t i = 0; rc == EXIT_OK && i < n; i++) {
        const struct box_entry *e = &entries[i];
        if (!has_newer(entries, n, i))
            continue;
        if (!a->force && host_index_find_user(&idx, e->name, e->version, e->provider)) {
            const struct host_machine *m =
                host_index_find_user(&idx, e->name, e->version, e->provider);
            log_info("keeping box %s %s (%s): machine '%s' of %s uses it", e->name, e->version,
                     e->provider, m->name ? m->name : "?", m->project ? m->project : "?");
        } else if (a->dry_run) {
            printf("would remove box %s %s (%s)\n", e->name, e->version, e->provider);
            pruned++;
        } else if (remove_entry(a, e) == 0) {
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
static size_t collect_newest(const struct box_args *a, const struct box_entry *entries, size_t n,
                             const char *name, struct outdated **out)
{
    size_t count = 0;
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct box_entry *e = &entries[i];
        if (!e->catalog || has_newer(entries, n, i) || (name && strcmp(e->name, name)) ||
            (a->provider && strcmp(e->provider, a->provider)))
            continue;
        *out = xrealloc(*out, (count + 1) * sizeof **out);
        (*out)[count++] = (struct outdated){e, NULL};
    }
    return count;
}

static int check_latest(const struct box_args *a, struct outdated *o)
{
    struct box_source src = {.kind = BOX_SOURCE_CATALOG,
                             .location = o->entry->catalog,
                             .is_url = strstr(o->entry->catalog, "://") != NULL,
                             .name = o->entry->name};
    struct box_catalog cat;
    if (box_source_load_catalog(&src, a->insecure, &cat) != BOX_OK)
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

static int gather_outdated(const struct box_args *a, const struct cmd *cmd, int argc, char **argv,
                           struct box_entry **entries, size_t *n, struct outdated **list,
                           size_t *count)
{
    if (argc > 1)
        return cmd_usage_error(cmd, "at most one box NAME");
    box_store_list(entries, n);
    *count = collect_newest(a, *entries, *n, argc ? argv[0] : NULL, list);
    int rc = EXIT_OK;
    for (size_t i = 0; i < *count; i++)
        if (check_latest(a, &(*list)[i]) < 0)
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
    const struct box_args *a = ctx->args;
    struct box_entry *entries = NULL;
    struct outdated *list = NULL;
    size_t n = 0, count = 0;
    int rc = gather_outdated(a, ctx->cmd, argc, argv, &entries, &n, &list, &count);
    if (rc == EXIT_USAGE)
        return rc;
    struct json_object *array = ctx->common.json ? json_object_new_array() : NULL;
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
    const struct box_args *a = ctx->args;
    struct box_entry *entries = NULL;
    struct outdated *list = NULL;
    size_t n = 0, count = 0, updated = 0;
    int rc = gather_outdated(a, ctx->cmd, argc, argv, &entries, &n, &list, &count);
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
            .require_checksum = a->require_checksum,
            .insecure = a->insecure,
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

#define BOX_SUBCOMMAND(sub, flags_, summary_, args_, description_, opts_)                          \
    static const struct cmd cmd_box_##sub = {                                                      \
        .name = #sub,                                                                              \
        .parent = &cmd_box,                                                                        \
        .run = run_##sub,                                                                          \
        .flags = (flags_) | CMD_INTERRUPTIBLE,                                                     \
        .summary = summary_,                                                                       \
        .args = args_,                                                                             \
        .description = description_,                                                               \
        .options = opts_,                                                                          \
        .args_size = sizeof(struct box_args),                                                      \
    }

BOX_SUBCOMMAND(
    add, CMD_JSON, "add a box to the store", "SOURCE",
    "SOURCE is a catalog name (looked up in $ROVE_BOX_CATALOG: a catalog .json URL or\n"
    "path, or a base URL or folder holding NAME.json; without it, ORG/NAME is asked of\n"
    "the box registry, $ROVE_BOX_REGISTRY, else $VAGRANT_SERVER_URL, else\n"
    "https://vagrantcloud.com), the URL or path of a catalog (.json), or the URL or path\n"
    "of a .box (tar, tar.gz, tar.xz, tar.zst, zip).\n",
    add_opts);
BOX_SUBCOMMAND(list, CMD_JSON, "list the stored boxes", NULL,
               "Lists the stored boxes: name, version, provider and size.\n", NULL);
BOX_SUBCOMMAND(
    remove, 0, "remove a stored box", "NAME",
    "Removes the box; refuses while a machine on this host uses it, unless --force. Also\n"
    "removes the provider's copies of the box (libvirt's base volumes) that no machine\n"
    "uses.\n",
    remove_opts);
BOX_SUBCOMMAND(prune, 0, "remove old versions of boxes", NULL,
               "Removes every version but the newest of each box and provider.\n", prune_opts);
BOX_SUBCOMMAND(outdated, CMD_JSON, "compare stored boxes with their catalogs", "[NAME]",
               "Compares the stored boxes that came from a catalog with its newest version.\n",
               outdated_opts);
BOX_SUBCOMMAND(update, 0, "add the newest catalog versions of outdated boxes", "[NAME]",
               "Adds the newest catalog version of outdated boxes ('rove box prune' removes the\n"
               "old ones).\n",
               update_opts);

static const struct cmd *const box_subcommands[] = {
    &cmd_box_add,    &cmd_box_list, &cmd_box_remove, &cmd_box_prune, &cmd_box_outdated,
    &cmd_box_update, NULL,
};

const struct cmd cmd_box = {
    .name = "box",
    .summary = "add, list, remove, prune and update boxes",
    .description = "Boxes live in one store shared by every project ($ROVE_HOME/boxes, or\n"
                   "$XDG_DATA_HOME/rove/boxes).\n",
    .epilogue =
        "Environment: ROVE_HOME, ROVE_BOX_CATALOG, ROVE_BOX_REGISTRY (or VAGRANT_SERVER_URL),\n"
        "ROVE_BOX_TOKEN (or VAGRANT_CLOUD_TOKEN: sent to the registry only), ROVE_HTTP_RETRIES,\n"
        "ROVE_HTTP_STALL_TIMEOUT.\n\n"
        "Exit codes: 0 success, 1 failure, 2 usage error.\n",
    .subcommands = box_subcommands,
};
