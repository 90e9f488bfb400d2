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

/* ROVE_BOX_CATALOG: a catalog document (ends in .json) or a base under which NAME.json lives. */
static int catalog_for_name(const struct box_request *req, struct box_source *out)
{
    const char *configured = req->catalog ? req->catalog : getenv("ROVE_BOX_CATALOG");
    if (!configured || !*configured) {
        log_error("'%s' looks like a box name, but no catalog is configured: set "
                  "ROVE_BOX_CATALOG to a catalog URL or folder, or give the URL or path of "
                  "the box",
                  req->source);
        return BOX_USAGE;
    }
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
    memset(src, 0, sizeof *src);
}

int box_source_load_catalog(const struct box_source *src, bool insecure, struct box_catalog *out)
{
    char *text = NULL, *err = NULL;
    size_t len = 0;
    if (src->is_url) {
        if (http_get(src->location, insecure, CATALOG_MAX_SIZE, &text, &len, &err) < 0) {
            log_error("%s", err);
            free(err);
            return BOX_ERROR;
        }
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

char *box_source_provider_location(const struct box_source *src, const char *url, bool *is_url)
{
    if (http_is_url(url)) {
        *is_url = true;
        return xstrdup(url);
    }
    if (!strncmp(url, "file://", 7)) {
        *is_url = false;
        return xstrdup(url + 7);
    }
    *is_url = src->is_url;
    if (src->is_url)
        return http_resolve(src->location, url);
    char *dir = fs_dirname(src->location);
    char *joined = fs_join(dir, url);
    char *abs = fs_absolute(joined);
    free(joined);
    free(dir);
    return abs;
}
