/* SPDX-License-Identifier: MIT */
#include "providers/loader.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef ROVE_PROVIDER_DIR
#define ROVE_PROVIDER_DIR "/usr/local/lib/rove/providers"
#endif

struct loaded_provider {
    char *name;
    void *handle;
    const struct rove_provider *ops;
    struct loaded_provider *next;
};

static struct loaded_provider *loaded;

/* Provider names become file names: keep them to a safe alphabet so no name reaches outside the
 * search folders. */
static bool valid_provider_name(const char *name)
{
    if (!*name || strlen(name) > 64)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
            return false;
    return true;
}

#ifdef ROVE_BUILD_ROOT
/* True when the running program lives in the build tree it was built in. */
static bool running_from_build_tree(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0)
        return false;
    exe[n] = '\0';
    size_t root_len = strlen(ROVE_BUILD_ROOT);
    return strncmp(exe, ROVE_BUILD_ROOT, root_len) == 0 && exe[root_len] == '/';
}
#endif

static void push_dir(char ***dirs, size_t *n, const char *dir, size_t len)
{
    if (len == 0)
        return;
    *dirs = xrealloc(*dirs, (*n + 2) * sizeof **dirs);
    (*dirs)[(*n)++] = xstrndup(dir, len);
    (*dirs)[*n] = NULL;
}

char **provider_search_dirs(void)
{
    char **dirs = xcalloc(1, sizeof *dirs);
    size_t n = 0;
    const char *env = getenv("ROVE_PROVIDER_PATH");
    while (env && *env) {
        const char *colon = strchr(env, ':');
        size_t len = colon ? (size_t)(colon - env) : strlen(env);
        push_dir(&dirs, &n, env, len);
        env = colon ? colon + 1 : NULL;
    }
#if defined(ROVE_BUILD_ROOT) && defined(ROVE_PROVIDER_BUILD_DIR)
    if (running_from_build_tree())
        push_dir(&dirs, &n, ROVE_PROVIDER_BUILD_DIR, strlen(ROVE_PROVIDER_BUILD_DIR));
#endif
    push_dir(&dirs, &n, ROVE_PROVIDER_DIR, strlen(ROVE_PROVIDER_DIR));
    return dirs;
}

void provider_free_search_dirs(char **dirs)
{
    for (size_t i = 0; dirs && dirs[i]; i++)
        free(dirs[i]);
    free(dirs);
}

/* Checks what the module's entry returned; on a problem, describes it in why. */
static bool table_is_usable(const struct rove_provider *ops, const char *name, struct strbuf *why)
{
    if (!ops) {
        sb_add(why, "its " ROVE_PROVIDER_ENTRY "() returned no operations table");
        return false;
    }
    if (ops->abi_version != ROVE_PROVIDER_ABI_VERSION) {
        sb_addf(why, "it was built for provider ABI version %u, this rove uses version %u",
                (unsigned)ops->abi_version, (unsigned)ROVE_PROVIDER_ABI_VERSION);
        return false;
    }
    if (!ops->name || strcmp(ops->name, name) != 0) {
        sb_addf(why, "it calls itself '%s', not '%s'", ops->name ? ops->name : "(nothing)", name);
        return false;
    }
    if (!ops->probe || !ops->create || !ops->start || !ops->stop || !ops->destroy || !ops->state ||
        !ops->ssh_endpoint) {
        sb_add(why, "its operations table lacks a required operation");
        return false;
    }
    return true;
}

/* Loads the module at path. Returns its table, or NULL with the reason in why. */
static const struct rove_provider *open_module(const char *path, const char *name, void **handle,
                                               struct strbuf *why)
{
    dlerror();
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        sb_addf(why, "cannot load it: %s", dlerror());
        return NULL;
    }
    rove_provider_entry_fn entry;
    *(void **)&entry = dlsym(h, ROVE_PROVIDER_ENTRY);
    if (!entry) {
        sb_addf(why, "it has no symbol " ROVE_PROVIDER_ENTRY " (not a rove provider module?)");
        dlclose(h);
        return NULL;
    }
    const struct rove_provider *ops = entry();
    if (!table_is_usable(ops, name, why)) {
        dlclose(h);
        return NULL;
    }
    *handle = h;
    return ops;
}

static const struct rove_provider *find_loaded(const char *name)
{
    for (struct loaded_provider *p = loaded; p; p = p->next)
        if (strcmp(p->name, name) == 0)
            return p->ops;
    return NULL;
}

static void remember(const char *name, void *handle, const struct rove_provider *ops)
{
    struct loaded_provider *p = xcalloc(1, sizeof *p);
    p->name = xstrdup(name);
    p->handle = handle;
    p->ops = ops;
    p->next = loaded;
    loaded = p;
}

static const struct rove_provider *load(const char *name, bool quiet_if_missing)
{
    if (!valid_provider_name(name)) {
        if (!quiet_if_missing)
            log_error("'%s' is not a valid provider name (use a-z, 0-9, '-' and '_')", name);
        return NULL;
    }
    const struct rove_provider *ops = find_loaded(name);
    if (ops)
        return ops;

    char **dirs = provider_search_dirs();
    struct strbuf tried = STRBUF_INIT;
    for (size_t i = 0; dirs[i] && !ops; i++) {
        char *path = xasprintf("%s/" ROVE_PROVIDER_PREFIX "%s" ROVE_PROVIDER_SUFFIX, dirs[i], name);
        struct stat st;
        if (stat(path, &st) != 0) {
            sb_addf(&tried, "\n  %s: %s", path, strerror(errno));
            free(path);
            continue;
        }
        /* The first module found decides: falling back to another copy would hide a broken
         * installation. */
        struct strbuf why = STRBUF_INIT;
        void *handle = NULL;
        ops = open_module(path, name, &handle, &why);
        if (ops) {
            remember(name, handle, ops);
            log_debug("provider %s: loaded %s", name, path);
        } else {
            log_error("provider '%s': module %s is unusable: %s", name, path, sb_str(&why));
            sb_release(&why);
            free(path);
            provider_free_search_dirs(dirs);
            sb_release(&tried);
            return NULL;
        }
        sb_release(&why);
        free(path);
    }
    if (!ops && !quiet_if_missing)
        log_error("provider '%s' is not installed: no module " ROVE_PROVIDER_PREFIX
                  "%s" ROVE_PROVIDER_SUFFIX " in the provider folders (set ROVE_PROVIDER_PATH to "
                  "add folders); looked for:%s",
                  name, name, sb_str(&tried));
    sb_release(&tried);
    provider_free_search_dirs(dirs);
    return ops;
}

const struct rove_provider *provider_load(const char *name)
{
    return load(name, false);
}

const struct rove_provider *provider_load_if_installed(const char *name)
{
    return load(name, true);
}

void provider_unload_all(void)
{
    while (loaded) {
        struct loaded_provider *next = loaded->next;
        dlclose(loaded->handle);
        free(loaded->name);
        free(loaded);
        loaded = next;
    }
}
