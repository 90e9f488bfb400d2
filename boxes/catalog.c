/* SPDX-License-Identifier: MIT */
#include "boxes/catalog.h"
#include "boxes/metadata.h"
#include "util/version.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <stdint.h>
#include <sys/utsname.h>
#include <stdlib.h>
#include <string.h>

static int fail(char **err, char *message)
{
    *err = message;
    return -1;
}

static const char *get_string(struct json_object *obj, const char *key)
{
    struct json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static bool has_key(struct json_object *obj, const char *key)
{
    struct json_object *v;
    return json_object_object_get_ex(obj, key, &v) && !json_object_is_type(v, json_type_null);
}

static int parse_provider(struct json_object *obj, const char *where, struct catalog_provider *p,
                          char **err)
{
    const char *name = get_string(obj, "name");
    const char *url = get_string(obj, "url");
    if (!json_object_is_type(obj, json_type_object) || !name || !*name)
        return fail(err, xasprintf("%s: a provider needs a 'name'", where));
    if (!url || !*url)
        return fail(err, xasprintf("%s, provider %s: no 'url'", where, name));
    p->name = xstrdup(name);
    p->url = xstrdup(url);
    const char *arch = get_string(obj, "architecture");
    p->architecture = arch && *arch ? xstrdup(arch) : NULL;
    struct json_object *dflt;
    p->default_architecture = json_object_object_get_ex(obj, "default_architecture", &dflt) &&
                              json_object_is_type(dflt, json_type_boolean) &&
                              json_object_get_boolean(dflt);
    bool has_type = has_key(obj, "checksum_type"), has_sum = has_key(obj, "checksum");
    if (!has_type && !has_sum)
        return 0;
    const char *type = get_string(obj, "checksum_type"), *sum = get_string(obj, "checksum");
    if (!type || !sum)
        return fail(err, xasprintf("%s, provider %s: 'checksum_type' and 'checksum' must both be "
                                   "strings",
                                   where, name));
    const char *why;
    if (box_checksum_from_parts(type, sum, &p->checksum, &why) < 0)
        return fail(err, xasprintf("%s, provider %s: bad checksum: %s", where, name, why));
    p->has_checksum = true;
    return 0;
}

static int parse_version(struct json_object *obj, size_t index, struct catalog_version *v,
                         char **err)
{
    const char *version =
        json_object_is_type(obj, json_type_object) ? get_string(obj, "version") : NULL;
    if (!version || !box_version_is_valid(version))
        return fail(
            err, xasprintf("versions[%zu]: 'version' must be a version such as \"1.2.3\"", index));
    v->version = xstrdup(version);
    struct json_object *providers;
    if (!json_object_object_get_ex(obj, "providers", &providers))
        return 0; /* a version without providers offers nothing; it is skipped when selecting */
    if (!json_object_is_type(providers, json_type_array))
        return fail(err, xasprintf("version %s: 'providers' must be an array", version));
    size_t n = json_object_array_length(providers);
    v->providers = xcalloc(n, sizeof *v->providers);
    char *where = xasprintf("version %s", version);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++, v->nproviders++)
        rc = parse_provider(json_object_array_get_idx(providers, i), where, &v->providers[i], err);
    free(where);
    return rc;
}

static int parse_one(struct json_object *root, struct box_catalog *out, char **err)
{
    const char *name = get_string(root, "name");
    if (!name || !*name)
        return fail(err, xstrdup("the catalog has no 'name'"));
    out->name = xstrdup(name);
    struct json_object *versions;
    if (!json_object_object_get_ex(root, "versions", &versions) ||
        !json_object_is_type(versions, json_type_array))
        return fail(err, xasprintf("catalog %s: 'versions' must be an array", name));
    size_t n = json_object_array_length(versions);
    out->versions = xcalloc(n, sizeof *out->versions);
    for (size_t i = 0; i < n; i++, out->nversions++) {
        if (parse_version(json_object_array_get_idx(versions, i), i, &out->versions[i], err) < 0) {
            out->nversions++;
            char *inner = *err;
            *err = xasprintf("catalog %s: %s", name, inner);
            free(inner);
            return -1;
        }
    }
    return 0;
}

/* Finds want_name in an array of catalogs. */
static struct json_object *find_in_array(struct json_object *array, const char *want_name,
                                         char **err)
{
    size_t n = json_object_array_length(array);
    for (size_t i = 0; i < n; i++) {
        struct json_object *item = json_object_array_get_idx(array, i);
        const char *name =
            item && json_object_is_type(item, json_type_object) ? get_string(item, "name") : NULL;
        if (name && want_name && !strcmp(name, want_name))
            return item;
    }
    fail(err, want_name ? xasprintf("the catalog lists no box named '%s'", want_name)
                        : xstrdup("the catalog lists several boxes: name the one you want"));
    return NULL;
}

static struct json_object *parse_json(const char *text, size_t len, char **err)
{
    const char *why;
    struct json_object *root = json_parse_document(text, len, &why);
    if (!root)
        fail(err, xasprintf("the catalog is not valid JSON (%s)", why));
    return root;
}

int box_catalog_parse(const char *text, size_t len, const char *want_name, struct box_catalog *out,
                      char **err)
{
    memset(out, 0, sizeof *out);
    *err = NULL;
    if (len > 64 * 1024 * 1024 || len > (size_t)INT32_MAX)
        return fail(err, xstrdup("the catalog is larger than 64 MiB"));
    struct json_object *root = parse_json(text, len, err);
    if (!root)
        return -1;
    struct json_object *chosen = root;
    int rc = -1;
    if (json_object_is_type(root, json_type_array))
        chosen = find_in_array(root, want_name, err);
    if (chosen && !json_object_is_type(chosen, json_type_object)) {
        fail(err, xstrdup("the catalog must be a JSON object (or an array of them)"));
    } else if (chosen) {
        rc = parse_one(chosen, out, err);
        if (rc == 0 && want_name && strcmp(out->name, want_name)) {
            rc = fail(err, xasprintf("the catalog describes '%s', not '%s'", out->name, want_name));
        }
    }
    json_object_put(root);
    if (rc < 0)
        box_catalog_free(out);
    return rc;
}

void box_catalog_free(struct box_catalog *cat)
{
    for (size_t i = 0; i < cat->nversions; i++) {
        struct catalog_version *v = &cat->versions[i];
        for (size_t j = 0; j < v->nproviders; j++) {
            free(v->providers[j].name);
            free(v->providers[j].url);
            free(v->providers[j].architecture);
        }
        free(v->providers);
        free(v->version);
    }
    free(cat->versions);
    free(cat->name);
    memset(cat, 0, sizeof *cat);
}

const char *box_host_architecture(void)
{
    static struct utsname uts;
    static const struct {
        const char *machine, *arch;
    } names[] = {{"x86_64", "amd64"}, {"aarch64", "arm64"}, {"i686", "386"}, {"i386", "386"}};
    if (!uts.machine[0] && uname(&uts) < 0)
        return "unknown";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(uts.machine, names[i].machine))
            return names[i].arch;
    return uts.machine;
}

/* How well a provider entry fits the host: 3 its architecture, 2 any architecture as the
 * default, 1 any architecture, 0 another architecture. */
static int arch_fit(const struct catalog_provider *p)
{
    if (p->architecture && !strcmp(p->architecture, box_host_architecture()))
        return 3;
    if (!p->architecture || !strcmp(p->architecture, "unknown"))
        return p->default_architecture ? 2 : 1;
    return 0;
}

static bool provider_matches(const struct catalog_provider *p, const char *provider, bool exact)
{
    if (!provider)
        return true;
    return p->name &&
           (exact ? !strcmp(p->name, provider) : box_provider_accepts(provider, p->name));
}

/* The best entry for the host's architecture among those matching provider. */
static const struct catalog_provider *pick_matching(const struct catalog_version *v,
                                                    const char *provider, bool exact)
{
    const struct catalog_provider *best = NULL;
    int best_fit = 0;
    for (size_t i = 0; i < v->nproviders; i++) {
        int fit =
            provider_matches(&v->providers[i], provider, exact) ? arch_fit(&v->providers[i]) : 0;
        if (fit > best_fit) {
            best = &v->providers[i];
            best_fit = fit;
        }
    }
    return best;
}

static const struct catalog_provider *pick_provider(const struct catalog_version *v,
                                                    const char *provider)
{
    const struct catalog_provider *p = pick_matching(v, provider, true);
    return p || !provider ? p : pick_matching(v, provider, false);
}

static const struct catalog_version *select_for(const struct box_catalog *cat,
                                                const char *constraint, const char *provider,
                                                const struct catalog_provider **provider_out)
{
    const struct catalog_version *best = NULL;
    const struct catalog_provider *best_provider = NULL;
    for (size_t i = 0; i < cat->nversions; i++) {
        const struct catalog_version *v = &cat->versions[i];
        if (!v->version || !box_version_satisfies(v->version, constraint))
            continue;
        const struct catalog_provider *p = pick_provider(v, provider);
        if (!p)
            continue;
        if (!best || box_version_compare(v->version, best->version) > 0) {
            best = v;
            best_provider = p;
        }
    }
    if (provider_out)
        *provider_out = best_provider;
    return best;
}

const struct catalog_version *box_catalog_select(const struct box_catalog *cat,
                                                 const char *constraint, const char *provider,
                                                 const struct catalog_provider **provider_out)
{
    if (provider)
        return select_for(cat, constraint, provider, provider_out);
    /* No provider asked for: libvirt, rove's default, when any matching version offers it. */
    const struct catalog_version *v = select_for(cat, constraint, "libvirt", provider_out);
    return v ? v : select_for(cat, constraint, NULL, provider_out);
}
