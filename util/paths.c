/* SPDX-License-Identifier: MIT */
#include "util/paths.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

static const char *nonempty_env(const char *name)
{
    const char *value = getenv(name);
    return value && *value ? value : NULL;
}

static char *home_dir(void)
{
    const char *home = nonempty_env("HOME");
    if (home)
        return xstrdup(home);
    struct passwd *pw = getpwuid(getuid());
    return xstrdup(pw && pw->pw_dir ? pw->pw_dir : "/");
}

/* $XDG_VAR/rove, or ~/FALLBACK/rove when the variable is unset or relative (XDG says to ignore
 * relative values). */
static char *xdg_dir(const char *var, const char *fallback)
{
    const char *xdg = nonempty_env(var);
    if (xdg && xdg[0] == '/')
        return fs_join(xdg, "rove");
    char *home = home_dir();
    char *dir = xasprintf("%s/%s/rove", home, fallback);
    free(home);
    return dir;
}

char *rove_data_dir(void)
{
    const char *rove_home = nonempty_env("ROVE_HOME");
    if (rove_home)
        return fs_absolute(rove_home);
    return xdg_dir("XDG_DATA_HOME", ".local/share");
}

char *rove_cache_dir(void)
{
    const char *rove_home = nonempty_env("ROVE_HOME");
    if (rove_home) {
        char *abs = fs_absolute(rove_home);
        char *dir = fs_join(abs, "cache");
        free(abs);
        return dir;
    }
    return xdg_dir("XDG_CACHE_HOME", ".cache");
}
