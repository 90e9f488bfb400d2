/* SPDX-License-Identifier: MIT */
#include "providers/vmm/vmm_binary.h"
#include "util/fs.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VMM_NAME "rove-vmm"

static bool try_path(const char *path, struct strbuf *tried)
{
    if (access(path, X_OK) == 0 && !fs_is_dir(path))
        return true;
    if (tried->len)
        sb_add(tried, ", ");
    sb_add(tried, path);
    return false;
}

/* Tries NAME in dir; returns the path or NULL. */
static char *try_in(const char *dir, const char *rel, struct strbuf *tried)
{
    char *path = fs_join(dir, rel);
    if (try_path(path, tried))
        return path;
    free(path);
    return NULL;
}

static char *beside_program(const char *exe_path, struct strbuf *tried)
{
    static const char *const places[] = {VMM_NAME, "../libexec/rove/" VMM_NAME,
                                         "../libexec/" VMM_NAME};
    char *dir = fs_dirname(exe_path);
    char *found = NULL;
    for (size_t i = 0; !found && i < sizeof places / sizeof places[0]; i++)
        found = try_in(dir, places[i], tried);
    free(dir);
    return found;
}

static char *in_build_tree(const char *exe_path, struct strbuf *tried)
{
#ifdef ROVE_BUILD_ROOT
    size_t root_len = strlen(ROVE_BUILD_ROOT);
    if (exe_path && strncmp(exe_path, ROVE_BUILD_ROOT, root_len) == 0 && exe_path[root_len] == '/')
        return try_in(ROVE_BUILD_ROOT, "vmm/" VMM_NAME, tried);
#else
    (void)exe_path;
    (void)tried;
#endif
    return NULL;
}

static char *on_path(const char *path_env, struct strbuf *tried)
{
    char *found = NULL;
    for (const char *p = path_env; !found && p && *p;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        if (len) {
            char *dir = xstrndup(p, len);
            found = try_in(dir, VMM_NAME, tried);
            free(dir);
        }
        p = colon ? colon + 1 : NULL;
    }
    if (!found && (!path_env || !*path_env)) {
        if (tried->len)
            sb_add(tried, ", ");
        sb_add(tried, "$PATH (empty)");
    }
    return found;
}

char *vmm_binary_find_from(const char *env_override, const char *exe_path, const char *path_env,
                           struct strbuf *tried)
{
    /* An explicit choice is the only place looked at: a typo must not fall back silently. */
    if (env_override && *env_override) {
        if (access(env_override, X_OK) == 0 && !fs_is_dir(env_override))
            return xstrdup(env_override);
        sb_addf(tried, "$ROVE_VMM=%s (not an executable file)", env_override);
        return NULL;
    }
    char *found = exe_path ? beside_program(exe_path, tried) : NULL;
    if (!found)
        found = in_build_tree(exe_path, tried);
    if (!found)
        found = on_path(path_env, tried);
    return found;
}

char *vmm_binary_find(struct strbuf *tried)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n >= 0)
        exe[n] = '\0';
    return vmm_binary_find_from(getenv("ROVE_VMM"), n >= 0 ? exe : NULL, getenv("PATH"), tried);
}
