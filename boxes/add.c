/* SPDX-License-Identifier: MIT */
/* box_add() and box_ensure(): from a request to a box in the store. */
#include "boxes/box.h"
#include "boxes/fetch.h"
#include "boxes/http.h"
#include "boxes/image_check.h"
#include "boxes/source.h"
#include "boxes/store.h"
#include "boxes/unpack.h"
#include "util/version.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* What to fetch, once the source is resolved. */
struct plan {
    char *name;
    char *version;
    char *provider; /* NULL for a .box given directly: its metadata.json decides */
    char *location;
    bool is_url;
    bool has_checksum;
    struct box_checksum checksum;
    char *catalog;
    bool direct;           /* a .box given by URL or path: its source is its identity */
    bool strict_redirects; /* from a registry */
    char *bearer;          /* the registry's token, when the box is on the registry's origin */
};

static void plan_free(struct plan *p)
{
    free(p->name);
    free(p->version);
    free(p->provider);
    free(p->location);
    free(p->catalog);
    free(p->bearer);
}

static int check_request(const struct box_request *req, struct box_checksum *given, bool *has_given)
{
    *has_given = false;
    if (req->version && !box_constraint_is_valid(req->version)) {
        log_error("'%s' is not a version constraint (examples: \">= 1.0, < 2.0\", \"= 1.2.3\", "
                  "\"~> 1.2\")",
                  req->version);
        return BOX_USAGE;
    }
    if (req->provider && !*req->provider) {
        log_error("the provider name is empty");
        return BOX_USAGE;
    }
    if (req->checksum) {
        const char *why;
        if (box_checksum_parse(req->checksum, given, &why) < 0) {
            log_error("bad checksum '%s': %s", req->checksum, why);
            return BOX_USAGE;
        }
        *has_given = true;
    }
    return BOX_OK;
}

static void list_offers(const struct box_catalog *cat)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < cat->nversions; i++) {
        sb_addf(&sb, "%s%s (", i ? ", " : "", cat->versions[i].version);
        for (size_t j = 0; j < cat->versions[i].nproviders; j++) {
            const struct catalog_provider *p = &cat->versions[i].providers[j];
            sb_addf(&sb, "%s%s", j ? " " : "", p->name);
            if (p->architecture)
                sb_addf(&sb, "/%s", p->architecture);
        }
        sb_add(&sb, ")");
    }
    log_error("the catalog offers: %s (this host: %s)",
              cat->nversions ? sb_str(&sb) : "no versions", box_host_architecture());
    sb_release(&sb);
}

static int plan_from_catalog(const struct box_request *req, const struct box_source *src,
                             struct plan *plan)
{
    struct box_catalog cat;
    if (box_source_load_catalog(src, req->insecure, &cat) != BOX_OK)
        return BOX_ERROR;
    const struct catalog_provider *prov;
    const struct catalog_version *v = box_catalog_select(&cat, req->version, req->provider, &prov);
    int rc = BOX_OK;
    if (!v) {
        log_error("%s: no version of %s%s%s%s%s", src->location, cat.name,
                  req->version ? " matches " : "", req->version ? req->version : "",
                  req->provider ? " for provider " : "", req->provider ? req->provider : "");
        list_offers(&cat);
        rc = BOX_ERROR;
    } else if (!box_name_is_valid(cat.name)) {
        log_error("%s: the catalog's name '%s' is not a usable box name", src->location, cat.name);
        rc = BOX_ERROR;
    } else {
        plan->name = xstrdup(cat.name);
        plan->version = xstrdup(v->version);
        plan->provider = xstrdup(prov->name);
        const char *why;
        plan->location = box_source_provider_location(src, prov->url, &plan->is_url, &why);
        plan->has_checksum = prov->has_checksum;
        plan->checksum = prov->checksum;
        plan->catalog = xstrdup(src->location);
        plan->strict_redirects = src->registry;
        if (plan->location && src->bearer && http_same_origin(plan->location, src->location))
            plan->bearer = xstrdup(src->bearer);
        if (!plan->location) {
            log_error("%s: refusing the url '%s' of %s %s: %s", src->location, prov->url, cat.name,
                      v->version, why ? why : "it is not a URL");
            rc = BOX_ERROR;
        }
    }
    box_catalog_free(&cat);
    return rc;
}

static bool find_stored(const struct plan *plan, struct box_entry *out);

/* The store name of a .box given without --name: its file name, unless a box from another
 * source holds that name; then the file name and a short hash of the source, so that two URLs
 * ending in the same file name (every registry's "vagrant.box") never share an entry. */
static char *direct_box_name(const struct box_source *src)
{
    struct plan probe = {.name = src->name, .version = (char *)"0"};
    struct box_entry e = {0};
    bool taken = find_stored(&probe, &e) && (!e.source || strcmp(e.source, src->location));
    box_entry_free(&e);
    if (!taken)
        return xstrdup(src->name);
    struct box_hasher *h = box_hasher_new(BOX_DIGEST_SHA256);
    box_hasher_update(h, src->location, strlen(src->location));
    char hex[BOX_DIGEST_HEX_MAX + 1];
    box_hasher_finish(h, hex);
    hex[8] = '\0';
    return xasprintf("%s-%s", src->name, hex);
}

static int make_plan(const struct box_request *req, const struct box_source *src, struct plan *plan)
{
    memset(plan, 0, sizeof *plan);
    if (src->kind == BOX_SOURCE_CATALOG)
        return plan_from_catalog(req, src, plan);
    if (req->version && !box_version_satisfies("0", req->version)) {
        log_error("--box-version applies to boxes from a catalog; %s is a single box (version 0)",
                  src->location);
        return BOX_USAGE;
    }
    plan->direct = true;
    plan->name = req->name ? xstrdup(req->name) : direct_box_name(src);
    plan->version = xstrdup("0");
    plan->provider = req->provider ? xstrdup(req->provider) : NULL;
    plan->location = xstrdup(src->location);
    plan->is_url = src->is_url;
    return BOX_OK;
}

/* The given checksum and the catalog's must agree; the given one is used when there are both. */
static int settle_checksum(const struct box_request *req, struct plan *plan,
                           const struct box_checksum *given, bool has_given)
{
    if (has_given && plan->has_checksum &&
        (given->type != plan->checksum.type || strcmp(given->hex, plan->checksum.hex))) {
        log_error("the checksum given (%s) differs from the catalog's for %s %s", req->checksum,
                  plan->name, plan->version);
        return BOX_ERROR;
    }
    if (has_given) {
        plan->checksum = *given;
        plan->has_checksum = true;
    }
    if (!plan->has_checksum && req->require_checksum) {
        log_error("%s has no known checksum and a checksum is required: give one with "
                  "--checksum TYPE:HEX (or box_checksum: in the machinefile)",
                  plan->location);
        return BOX_USAGE;
    }
    if (plan->has_checksum && box_digest_is_weak(plan->checksum.type))
        log_warn("%s is checked with %s, which is weak: prefer sha256 or stronger", plan->location,
                 box_digest_name(plan->checksum.type));
    return BOX_OK;
}

static void fill_handle(struct box_handle *out, const struct box_entry *e)
{
    memset(out, 0, sizeof *out);
    out->name = xstrdup(e->name);
    out->version = xstrdup(e->version);
    out->provider = xstrdup(e->provider);
    out->dir = xstrdup(e->dir);
    out->source = e->source ? xstrdup(e->source) : NULL;
    out->catalog = e->catalog ? xstrdup(e->catalog) : NULL;
    out->checksum = e->checksum ? xstrdup(e->checksum) : NULL;
    out->sha256 = e->sha256 ? xstrdup(e->sha256) : NULL;
}

static int load_metadata(const char *dir, struct box_metadata *meta)
{
    char *path = fs_join(dir, "metadata.json");
    char *text = NULL, *err = NULL;
    size_t len;
    struct stat st;
    int rc = BOX_ERROR;
    if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
        log_error("the box has no metadata.json (a box is a tar or zip archive with "
                  "metadata.json naming its provider)");
    } else if (st.st_size > BOX_METADATA_MAX_SIZE) {
        log_error("the box's metadata.json is larger than 1 MiB");
    } else if (fs_read_file(path, &text, &len) < 0) {
        log_error("cannot read %s: %s", path, strerror(errno));
    } else if (box_metadata_parse(text, len, meta, &err) < 0) {
        log_error("the box's %s", err);
    } else {
        rc = BOX_OK;
    }
    free(err);
    free(text);
    free(path);
    return rc;
}

/* One disk image passes box_image_check(); what names the box in the message. */
static int check_image(const char *dir, const char *rel, const char *what)
{
    char *image = fs_join(dir, rel);
    char *err = NULL;
    int rc = BOX_OK;
    if (fs_exists(image) && box_image_check(image, &err) < 0) {
        log_error("%s: %s refused: %s", what, rel, err);
        rc = BOX_ERROR;
    }
    free(err);
    free(image);
    return rc;
}

/* box.img and every disk metadata.json lists pass box_image_check(); what names the box (the
 * source or the stored box). */
static int check_images(const char *dir, const struct box_metadata *meta, const char *what)
{
    int rc = check_image(dir, "box.img", what);
    for (size_t i = 0; i < meta->ndisks && rc == BOX_OK; i++)
        rc = check_image(dir, meta->disks[i], what);
    return rc;
}

/* Reads a stored box into a handle (its metadata included). */
static int open_stored(const struct box_entry *e, struct box_handle *out)
{
    fill_handle(out, e);
    if (load_metadata(e->dir, &out->meta) != BOX_OK) {
        log_error("the stored box %s %s (%s) in %s is damaged: remove it with 'rove box remove'",
                  e->name, e->version, e->provider, e->dir);
        box_handle_free(out);
        return BOX_ERROR;
    }
    char *what =
        xasprintf("the stored box %s %s (%s) in %s", e->name, e->version, e->provider, e->dir);
    int checked = check_images(e->dir, &out->meta, what);
    free(what);
    if (checked != BOX_OK) {
        box_handle_free(out);
        return BOX_ERROR;
    }
    return BOX_OK;
}

/* The stored box the plan names, if any; a direct .box without --provider matches any provider. */
static bool find_stored(const struct plan *plan, struct box_entry *out)
{
    if (plan->provider && box_store_get(plan->name, plan->version, plan->provider, out) == 0)
        return true;
    if (plan->provider && !strcmp(plan->provider, "vmm"))
        return box_store_get(plan->name, plan->version, "libvirt", out) == 0;
    if (plan->provider)
        return false;
    struct box_entry *all;
    size_t n;
    bool found = false;
    box_store_list(&all, &n);
    for (size_t i = 0; i < n && !found; i++) {
        if (!strcmp(all[i].name, plan->name) && !strcmp(all[i].version, plan->version)) {
            *out = all[i];
            memset(&all[i], 0, sizeof all[i]);
            found = true;
        }
    }
    box_entries_free(all, n);
    return found;
}

static int check_unpacked(const struct plan *plan, const char *dir, const struct fetch_result *r,
                          struct box_metadata *meta)
{
    if (load_metadata(dir, meta) != BOX_OK)
        return BOX_ERROR;
    if (plan->provider && !box_provider_accepts(plan->provider, meta->provider)) {
        log_error("%s is a box for provider '%s', not '%s'", plan->location, meta->provider,
                  plan->provider);
        return BOX_ERROR;
    }
    for (size_t i = 0; i < 2 + meta->ndisks; i++) {
        const char *file = i == 0 ? meta->kernel : i == 1 ? meta->initrd : meta->disks[i - 2];
        char *path = file ? fs_join(dir, file) : NULL;
        struct stat st;
        bool missing = path && (lstat(path, &st) < 0 || !S_ISREG(st.st_mode));
        free(path);
        if (missing) {
            log_error("the box's metadata.json names %s, which the box does not hold as a file",
                      file);
            return BOX_ERROR;
        }
    }
    if (!strcmp(meta->provider, "libvirt") && !meta->kernel && !meta->ndisks) {
        char *image = fs_join(dir, "box.img");
        if (!fs_exists(image))
            log_warn("%s: a libvirt box without box.img", plan->location);
        free(image);
    }
    if (check_images(dir, meta, plan->location) != BOX_OK)
        return BOX_ERROR;
    if (r->has_vagrantfile)
        log_info("the box's Vagrantfile is ignored (it is Ruby, for Vagrant)");
    return BOX_OK;
}

static int write_record(const char *dir, const struct plan *plan, const char *provider,
                        const struct fetch_result *r)
{
    struct json_object *o = json_object_new_object();
    json_add_string(o, "name", plan->name);
    json_add_string(o, "version", plan->version);
    json_add_string(o, "provider", provider);
    json_add_string(o, "source", plan->location);
    json_add_string(o, "download_url", r->source);
    json_add_string(o, "catalog", plan->catalog);
    json_add_string(o, "checksum", r->checksum);
    json_add_string(o, "sha256", r->sha256);
    json_add_int(o, "size", (long long)r->size);
    if (r->is_local) {
        json_add_int(o, "mtime_ns",
                     (long long)r->local.st_mtim.tv_sec * 1000000000LL + r->local.st_mtim.tv_nsec);
        json_add_int(o, "inode", (long long)r->local.st_ino);
        json_add_int(o, "device", (long long)r->local.st_dev);
    }
    json_add_int(o, "added", (long long)time(NULL));
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
    char *path = fs_join(dir, BOX_RECORD_NAME);
    int rc = fs_write_atomic(path, text, strlen(text), 0644);
    if (rc < 0)
        log_error("cannot write %s: %s", path, strerror(errno));
    free(path);
    json_object_put(o);
    return rc < 0 ? BOX_ERROR : BOX_OK;
}

/* A size as ROVE_BOX_MAX_UNPACKED gives it: whole units K, M, G, T or P (binary, an optional
 * "B" or "iB" after), such as 200G. False for anything else, 0 and overflow included. */
static bool parse_unpacked_limit(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    const char *units = "KMGTP", *unit = *end ? strchr(units, *end) : NULL;
    if (errno || end == text || !isdigit((unsigned char)text[0]) || !unit || n == 0)
        return false;
    const char *rest = end + 1;
    if (*rest && strcmp(rest, "B") && strcmp(rest, "iB"))
        return false;
    int shift = 10 * (int)(unit - units + 1);
    if (n > (UINT64_MAX >> shift))
        return false;
    *out = (uint64_t)n << shift;
    return true;
}

/* The caller's limit on the unpacked size, else the environment's, else 0 (the box decides). */
static int unpacked_limit(const struct box_request *req, uint64_t *out)
{
    const char *env = getenv(BOX_MAX_UNPACKED_ENV);
    *out = req->max_unpacked;
    if (*out || !env || !*env)
        return BOX_OK;
    if (!parse_unpacked_limit(env, out)) {
        log_error("%s='%s' is not a size such as 200G or 512M", BOX_MAX_UNPACKED_ENV, env);
        return BOX_USAGE;
    }
    return BOX_OK;
}

/* Downloads and unpacks into a temporary folder, checks, and moves it into place. */
static int add_new(const struct box_request *req, const struct plan *plan, struct box_handle *out)
{
    uint64_t max_unpacked;
    if (unpacked_limit(req, &max_unpacked) != BOX_OK)
        return BOX_USAGE;
    char *temp = box_store_make_temp(plan->name);
    if (!temp)
        return BOX_ERROR;
    char *label = xasprintf("%s %s", plan->name, plan->version);
    struct fetch_spec spec = {
        .location = plan->location,
        .is_url = plan->is_url,
        .expected = plan->has_checksum ? &plan->checksum : NULL,
        .insecure = req->insecure,
        .strict_redirects = plan->strict_redirects,
        .bearer = plan->bearer,
        .max_unpacked = max_unpacked,
        .label = label,
    };
    struct fetch_result result;
    struct box_metadata meta = {0};
    int rc = BOX_ERROR;
    log_info("adding box %s %s from %s", plan->name, plan->version, plan->location);
    if (box_fetch(&spec, temp, &result) == 0 && check_unpacked(plan, temp, &result, &meta) == 0 &&
        write_record(temp, plan, meta.provider, &result) == 0 &&
        box_store_commit(temp, plan->name, plan->version, meta.provider) == 0) {
        struct box_entry e;
        if (box_store_get(plan->name, plan->version, meta.provider, &e) == 0) {
            fill_handle(out, &e);
            out->meta = meta;
            memset(&meta, 0, sizeof meta);
            out->added = true;
            box_entry_free(&e);
            rc = BOX_OK;
            log_info("added box %s %s (%s)", out->name, out->version, out->provider);
        }
    }
    if (rc != BOX_OK)
        fs_remove_tree(temp);
    box_metadata_free(&meta);
    fetch_result_free(&result);
    free(label);
    free(temp);
    return rc;
}

/* True when the store recorded sum for e: the sha256 of every box, or the checksum verified when
 * it was added. */
static bool checksum_recorded(const struct box_entry *e, const struct box_checksum *sum)
{
    char *want = box_checksum_format(sum);
    bool same =
        (e->sha256 && !strcmp(e->sha256, want)) || (e->checksum && !strcmp(e->checksum, want));
    free(want);
    return same;
}

/* A local .box is the one stored while its size, mtime and inode are those recorded. */
static bool same_local_file(const struct box_entry *e, const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && (uint64_t)st.st_size == e->file.size &&
           (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec == e->file.mtime_ns &&
           (uint64_t)st.st_ino == e->file.inode && (uint64_t)st.st_dev == e->file.device;
}

/* Why the stored entry is not the box the plan asks for, or NULL when it is. */
static const char *stale_reason(const struct plan *plan, const struct box_entry *e)
{
    if (plan->direct && (!e->source || strcmp(e->source, plan->location)))
        return "came from another source";
    if (plan->direct && !plan->is_url && !same_local_file(e, plan->location))
        return "was added from a file that has changed since (size, mtime or inode)";
    if (plan->has_checksum && !checksum_recorded(e, &plan->checksum))
        return e->checksum || e->sha256
                   ? "has another checksum than the one asked for"
                   : "has no recorded checksum to compare with the one asked for";
    return NULL;
}

static int add_planned(const struct box_request *req, const struct plan *plan,
                       struct box_handle *out)
{
    int lock = box_store_lock(plan->name);
    if (lock < 0)
        return BOX_ERROR;
    struct box_entry stored;
    int rc;
    bool found = find_stored(plan, &stored);
    const char *stale = found ? stale_reason(plan, &stored) : NULL;
    bool foreign =
        found && plan->direct && (!stored.source || strcmp(stored.source, plan->location));
    if (found && !req->force && !stale) {
        log_info("box %s %s (%s) is already in the store", stored.name, stored.version,
                 stored.provider);
        rc = open_stored(&stored, out);
    } else if (foreign && !req->force) {
        log_error("box %s %s in the store came from %s, not %s: give this one another name with "
                  "--name, or replace it with --force",
                  stored.name, stored.version, stored.source ? stored.source : "an unknown source",
                  plan->location);
        rc = BOX_ERROR;
    } else {
        if (stale && !req->force)
            log_info("box %s %s (%s) in the store %s: adding it again", stored.name, stored.version,
                     stored.provider, stale);
        rc = add_new(req, plan, out);
    }
    if (found)
        box_entry_free(&stored);
    box_store_unlock(lock);
    return rc;
}

int box_add(const struct box_request *req, struct box_handle *out)
{
    memset(out, 0, sizeof *out);
    struct box_checksum given;
    bool has_given;
    int rc = check_request(req, &given, &has_given);
    if (rc != BOX_OK)
        return rc;
    struct box_source src;
    rc = box_source_resolve(req, &src);
    struct plan plan = {0};
    if (rc == BOX_OK)
        rc = make_plan(req, &src, &plan);
    if (rc == BOX_OK)
        rc = settle_checksum(req, &plan, &given, has_given);
    if (rc == BOX_OK)
        rc = add_planned(req, &plan, out);
    plan_free(&plan);
    box_source_free(&src);
    return rc;
}

/* The highest stored version of name for provider that satisfies the constraint. */
static bool find_stored_match(const char *name, const char *constraint, const char *provider,
                              struct box_entry *out)
{
    struct box_entry *all;
    size_t n;
    box_store_list(&all, &n);
    ssize_t best = -1;
    for (size_t i = 0; i < n; i++) {
        const struct box_entry *e = &all[i];
        if (strcmp(e->name, name) ||
            !box_provider_accepts(provider ? provider : "libvirt", e->provider) ||
            !box_version_satisfies(e->version, constraint))
            continue;
        if (best < 0 || box_version_compare(e->version, all[best].version) > 0)
            best = (ssize_t)i;
    }
    if (best >= 0) {
        *out = all[best];
        memset(&all[best], 0, sizeof all[best]);
    }
    box_entries_free(all, n);
    return best >= 0;
}

/* A catalog name (not a URL, not an existing file): its stored versions can serve `up` offline. */
static bool is_catalog_name(const char *source)
{
    struct stat st;
    return !strstr(source, "://") && stat(source, &st) != 0 && box_name_is_valid(source);
}

/* The stored box answers the request's checksum pin: the recorded digest equals the one asked
 * for, and under require_checksum without a pin, a checksum was verified when it was added. */
static bool pin_satisfied(const struct box_request *req, const struct box_entry *e)
{
    struct box_checksum sum;
    const char *why;
    if (req->checksum)
        return box_checksum_parse(req->checksum, &sum, &why) == 0 && checksum_recorded(e, &sum);
    return !req->require_checksum || e->checksum;
}

int box_ensure(const struct box_request *req, struct box_handle *out)
{
    memset(out, 0, sizeof *out);
    struct box_entry e;
    if (!req->force && req->source && (!req->version || box_constraint_is_valid(req->version)) &&
        is_catalog_name(req->source) &&
        find_stored_match(req->source, req->version, req->provider, &e)) {
        int rc = BOX_ERROR;
        bool pinned = pin_satisfied(req, &e);
        if (pinned)
            rc = open_stored(&e, out);
        else
            log_info("box %s %s in the store does not have the checksum asked for: asking the "
                     "catalog again",
                     e.name, e.version);
        box_entry_free(&e);
        if (pinned)
            return rc;
    }
    /* A box by URL or path is reused by box_add() while it is the same source, unchanged. */
    return box_add(req, out);
}

void box_handle_free(struct box_handle *h)
{
    free(h->name);
    free(h->version);
    free(h->provider);
    free(h->dir);
    free(h->source);
    free(h->catalog);
    free(h->checksum);
    free(h->sha256);
    box_metadata_free(&h->meta);
    memset(h, 0, sizeof *h);
}
