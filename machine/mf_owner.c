/* SPDX-License-Identifier: MIT */
/* Whether a machinefile found by searching upwards may be used: one that another user can change
 * (a shared /tmp, a folder above a checkout) would run its provisioners and scripts as whoever runs
 * rove there. git refuses such repositories for the same reason. */
#include "machine/machinefile.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* dir is listed in safe_dirs (colon-separated absolute folders; "*" lists every folder). */
static bool is_listed(const char *dir, const char *safe_dirs)
{
    if (!safe_dirs)
        return false;
    char *list = xstrdup(safe_dirs), *save = NULL;
    bool listed = false;
    for (char *entry = strtok_r(list, ":", &save); entry && !listed;
         entry = strtok_r(NULL, ":", &save)) {
        char *normal = fs_absolute(entry);
        listed = !strcmp(entry, "*") || !strcmp(normal, dir);
        free(normal);
    }
    free(list);
    return listed;
}

static char *owner_name(uid_t uid)
{
    struct passwd pw, *found = NULL;
    char buf[1024];
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found)
        return xasprintf("'%s' (uid %ld)", found->pw_name, (long)uid);
    return xasprintf("uid %ld", (long)uid);
}

/* The path of file or dir that belongs to someone other than uid, or NULL. */
static const char *foreign(const char *file, const char *dir, uid_t uid, uid_t *owner)
{
    struct stat st;
    const char *paths[] = {file, dir};
    for (size_t i = 0; i < 2; i++) {
        if (lstat(paths[i], &st) == 0 && st.st_uid != uid) {
            *owner = st.st_uid;
            return paths[i];
        }
    }
    return NULL;
}

bool machinefile_is_trusted(const char *path, uid_t uid, const char *safe_dirs, char **why)
{
    char *file = fs_absolute(path), *dir = fs_dirname(file);
    uid_t owner = 0;
    const char *other = foreign(file, dir, uid, &owner);
    bool trusted = !other || is_listed(dir, safe_dirs);
    if (!trusted) {
        char *name = owner_name(owner);
        *why = xasprintf("%s belongs to %s, not to you: rove does not use a machinefile that "
                         "another user can change (add %s to ROVE_SAFE_DIRECTORIES, a "
                         "colon-separated list, to trust it, or name the file with -f)",
                         other, name, dir);
        free(name);
    }
    free(file);
    free(dir);
    return trusted;
}
