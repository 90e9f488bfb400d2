/* SPDX-License-Identifier: MIT */
#include "machine/state.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *state_root(const struct machinefile *mf)
{
    return fs_join(mf->dir, STATE_DIR_NAME);
}

char *state_machine_dir(const struct machinefile *mf, const char *name)
{
    return xasprintf("%s/%s/machines/%s", mf->dir, STATE_DIR_NAME, name);
}

int state_create_machine_dir(const struct machinefile *mf, const char *name)
{
    char *dir = state_machine_dir(mf, name);
    int rc = fs_mkdir_p(dir, 0700);
    /* mkdir honours the umask; the state holds private keys, so insist on 0700. */
    char *root = state_root(mf);
    if (rc == 0)
        rc = chmod(root, 0700) || chmod(dir, 0700) ? -1 : 0;
    free(root);
    free(dir);
    return rc;
}

bool state_machine_has_state(const struct machinefile *mf, const char *name)
{
    char *dir = state_machine_dir(mf, name);
    bool has = fs_is_dir(dir);
    free(dir);
    return has;
}

void state_project_id(const char *project_dir, char out[PROJECT_ID_LEN + 1])
{
    /* FNV-1a: stable across runs and hosts, and short ids need no cryptographic strength. */
    uint64_t hash = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)project_dir; *p; p++) {
        hash ^= *p;
        hash *= 1099511628211ULL;
    }
    snprintf(out, PROJECT_ID_LEN + 1, "%08llx", (unsigned long long)(hash >> 32));
}

static bool dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return false;
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)))
        empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
    closedir(d);
    return empty;
}

/* Removes dir when it is empty; quietly keeps it otherwise. */
static void remove_if_empty(const char *dir)
{
    if (dir_is_empty(dir))
        rmdir(dir);
}

int state_remove_machine(const struct machinefile *mf, const char *name)
{
    char *dir = state_machine_dir(mf, name);
    int rc = fs_remove_tree(dir);
    free(dir);
    state_tidy_machine(mf, name);
    return rc;
}

void state_tidy_machine(const struct machinefile *mf, const char *name)
{
    if (state_machine_has_state(mf, name))
        return;
    char *root = state_root(mf);
    /* The lock file goes too; a command waiting on it notices and locks the new file. */
    char *lock = xasprintf("%s/locks/%s.lock", root, name);
    unlink(lock);
    free(lock);
    char *machines = fs_join(root, "machines");
    char *locks = fs_join(root, "locks");
    remove_if_empty(machines);
    remove_if_empty(locks);
    remove_if_empty(root);
    free(machines);
    free(locks);
    free(root);
}
