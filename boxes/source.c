/* SPDX-License-Identifier: MIT */
#include "boxes/source.h"
#include "boxes/http.h"
#include "boxes/store.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define CATALOG_MAX_SIZE (64 * 1024 * 1024)

static bool ends_with_json(const char *location)
{
    size_t n = strcspn(location, "?#");
    return n >= 5 && !strncasecmp(location + n - 5, ".json", 5);
}

/* "tiny.box" -> "tiny", "x.tar.gz" -> "x": the name a box file gets without --name. */
static char *name_from_file(const char *location)
{
    size_t n = strcspn(location, "?#");
    while (n > 0 && location[n - 1] == '/')
        n--;
    const char *start = location + n;
    while (start > location && start[-1] != '/')
        start--;
    char *name = xstrndup(start, (size_t)(location + n - start));
    static const char *const exts[] = {".tar.gz", ".tar.xz", ".tar.zst", ".tgz",
                                       ".tar",    ".zip",    ".box"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t len = strlen(name), elen = strlen(exts[i]);
        if (len > elen && !strcasecmp(name + len - elen, exts[i])) {
            name[len - elen] = '\0';
            break;
        }
    }
    return name;
}

#define PUBLIC_REGISTRY "https://vagrantcloud.com"

static const char *first_env(const char *a, const char *b)
{
    const char *v = getenv(a);
    if (!v || !*v)
        v = getenv(b);
    return v && *v ? v : NULL;
}

/* ORG/NAME without a catalog: the registry's URL for it, as Vagrant builds it. */
static int registry_for_name(const struct box_request *req, struct box_source *out)
{
    const char *base = first_env("ROVE_BOX_REGISTRY", "VAGRANT_SERVER_URL");
    if (!strchr(req->source, '/') || strchr(strchr(req->source, '/') + 1, '/')) {
        log_error("'%s' looks like a box name, but not ORG/NAME as a box registry names boxes, "
                  "and no catalog is configured: set ROVE_BOX_CATALOG to a catalog URL or "
                  "folder, or give the URL or path of the box",
                  req->source);
        return BOX_USAGE;
    }
    if (base && !http_is_url(base)) {
        log_error("the box registry '%s' (ROVE_BOX_REGISTRY or VAGRANT_SERVER_URL) is not an "
                  "http(s) URL",
                  base);
        return BOX_USAGE;
    }
    if (!base)
        base = PUBLIC_REGISTRY;
    size_t n = strlen(base);
    out->kind = BOX_SOURCE_CATALOG;
    out->name = xstrdup(req->source);
    out->is_url = true;
    out->registry = true;
    out->location = xasprintf("%s%s%s", base, base[n - 1] == '/' ? "" : "/", req->source);
    const char *token = first_env("ROVE_BOX_TOKEN", "VAGRANT_CLOUD_TOKEN");
    out->bearer = token ? xstrdup(token) : NULL;
    return BOX_OK;
}

/* A catalog name: looked up in the machine's box_url or ROVE_BOX_CATALOG (a catalog document
 * ending in .json, or a base under which NAME.json lives), else in the box registry. */
static int catalog_for_name(const struct box_request *req, struct box_source *out)
{
    const char *configured = req->catalog ? req->catalog : getenv("ROVE_BOX_CATALOG");
    if (!configured || !*configured)
        return registry_for_name(req, out);
    out->kind = BOX_SOURCE_CATALOG;
    out->name = xstrdup(req->source);
    out->is_url = http_is_url(configured);
    const char *path = !strncmp(configured, "file://", 7) ? configured + 7 : configured;
    if (ends_with_json(configured)) {
        out->location = out->is_url ? xstrdup(configured) : fs_absolute(path);
    } else if (out->is_url) {
        size_t n = strlen(configured);
        out->location =
            xasprintf("%s%s%s.json", configured, configured[n - 1] == '/' ? "" : "/", req->source);
    } else {
        char *base = fs_absolute(path);
        char *file = xasprintf("%s.json", req->source);
        out->location = fs_join(base, file);
        free(file);
        free(base);
    }
    return BOX_OK;
}

static int check_name(const char *name, const char *what)
{
    if (name && !box_name_is_valid(name)) {
        log_error("'%s' is not a usable box name (%s): use letters, digits, '.', '_' and '-', "
                  "in parts joined by '/'",
                  name, what);
        return BOX_USAGE;
    }
    return BOX_OK;
}

static int resolve_location(const struct box_request *req, const char *location, bool is_url,
                            struct box_source *out)
{
    out->is_url = is_url;
    out->location = is_url ? xstrdup(location) : fs_absolute(location);
    if (ends_with_json(location)) {
        out->kind = BOX_SOURCE_CATALOG;
        out->name = req->name ? xstrdup(req->name) : NULL;
        return check_name(out->name, "--name");
    }
    out->kind = BOX_SOURCE_BOX;
    if (req->name) {
        out->name = xstrdup(req->name);
        return check_name(out->name, "--name");
    }
    out->name = name_from_file(location);
    if (!box_name_is_valid(out->name)) {
        log_error("cannot name the box from '%s': give it a name with --name", location);
        return BOX_USAGE;
    }
    return BOX_OK;
}

int box_source_resolve(const struct box_request *req, struct box_source *out)
{
    memset(out, 0, sizeof *out);
    const char *s = req->source;
    if (!s || !*s) {
        log_error("no box given");
        return BOX_USAGE;
    }
    if (http_is_url(s))
        return resolve_location(req, s, true, out);
    if (!strncmp(s, "file://", 7))
        return resolve_location(req, s + 7, false, out);
    if (strstr(s, "://")) {
        log_error("'%s': only http, https and file URLs are supported", s);
        return BOX_USAGE;
    }
    struct stat st;
    if (stat(s, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            log_error("'%s' is not a file", s);
            return BOX_USAGE;
        }
        return resolve_location(req, s, false, out);
    }
    if (s[0] != '/' && s[0] != '.' && box_name_is_valid(s))
        return catalog_for_name(req, out);
    log_error("'%s' is neither a file, an http(s) URL nor a box name", s);
    return BOX_USAGE;
}

void box_source_free(struct box_source *src)
{
    free(src->location);
    free(src->name);
    free(src->bearer);
    memset(src, 0, sizeof *src);
}

/* The registry's answer for a name: what went wrong, in the words a user needs. */
static void registry_failure(const struct box_source *src, long status, const char *err)
{
    if (status == 404 || status == 410)
        log_error("box %s not found at %s: %ld", src->name, src->location, status);
    else if (status == 401 || status == 403)
        log_error("box %s at %s: access denied: %ld (%s)", src->name, src->location, status,
                  src->bearer ? "the token in ROVE_BOX_TOKEN or VAGRANT_CLOUD_TOKEN was refused"
                              : "a private box needs a token in ROVE_BOX_TOKEN");
    else
        log_error("box %s: %s", src->name, err);
}

static int fetch_catalog(const struct box_source *src, bool insecure, char **text, size_t *len)
{
    struct http_get_request req = {
        .url = src->location,
        .insecure = insecure,
        .strict_redirects = src->registry,
        .accept = "application/json",
        .bearer = src->bearer,
        .max = CATALOG_MAX_SIZE,
    };
    struct http_get_answer answer;
    char *err = NULL;
    if (http_get(&req, &answer, &err) < 0) {
        if (src->registry)
            registry_failure(src, answer.status, err);
        else
            log_error("%s", err);
        free(err);
        return BOX_ERROR;
    }
    *text = answer.data;
    *len = answer.len;
    return BOX_OK;
}

int box_source_load_catalog(const struct box_source *src, bool insecure, struct box_catalog *out)
{
    char *text = NULL, *err = NULL;
    size_t len = 0;
    if (src->is_url) {
        if (fetch_catalog(src, insecure, &text, &len) != BOX_OK)
            return BOX_ERROR;
    } else if (fs_read_file(src->location, &text, &len) < 0) {
        log_error("cannot read the catalog %s: %s", src->location, strerror(errno));
        return BOX_ERROR;
    }
    int rc = box_catalog_parse(text, len, src->name, out, &err);
    free(text);
    if (rc < 0) {
        log_error("%s: %s", src->location, err);
        free(err);
        return BOX_ERROR;
    }
    return BOX_OK;
}

/* A URL a catalog fetched over the network leads to: http(s) only, never a local file; from a
 * registry only https (or 127.0.0.0/8), as its redirects. */
static char *network_location(const struct box_source *src, const char *url, const char **why)
{
    char *resolved = http_is_url(url) ? xstrdup(url) : http_resolve(src->location, url);
    if (!resolved || !http_is_url(resolved)) {
        *why = "a catalog fetched over the network may only lead to http(s) URLs";
    } else if (http_redirect_refusal(src->location, resolved, src->registry)) {
        *why = src->registry ? "a box registry may only lead to https URLs"
                             : "a catalog fetched over https may not lead to plain http";
    } else {
        return resolved;
    }
    free(resolved);
    return NULL;
}

char *box_source_provider_location(const struct box_source *src, const char *url, bool *is_url,
                                   const char **why)
{
    *why = NULL;
    *is_url = src->is_url || http_is_url(url);
    if (*is_url)
        return src->is_url ? network_location(src, url, why) : xstrdup(url);
    if (!strncmp(url, "file://", 7))
        return xstrdup(url + 7);
    char *dir = fs_dirname(src->location);
    char *joined = fs_join(dir, url);
    char *abs = fs_absolute(joined);
    free(joined);
    free(dir);
    return abs;
}
