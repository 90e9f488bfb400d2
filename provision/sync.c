/* SPDX-License-Identifier: MIT */
#include "provision/sync.h"
#include "machine/machinefile.h"
#include "provision/guest_conn.h"
#include "provision/guest_exec.h"
#include "provision/guest_upload.h"
#include "provision/prov_error.h"
#include "provision/shell_quote.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <sys/random.h>

/* Run as root in the guest with $1 = dest, $2 = the uploaded copy, $3 = the login user: dest
 * becomes a mirror of the host folder, as with rsync --delete (Vagrant's rsync default). First
 * what the host no longer has goes, whatever changed between file and folder (cp cannot put one
 * in the other's place) and every link on either side (cp does not replace a link); then the
 * copy, then the login user gets it all. */
static const char mirror_script[] =
    "set -e\n"
    "mkdir -p -- \"$1\"\n"
    "cd -- \"$1\"\n"
    "find . -depth ! -name . -exec sh -c '\n"
    "  for p; do\n"
    "    s=\"$0/$p\"\n"
    "    if [ ! -e \"$s\" ] && [ ! -L \"$s\" ]; then rm -rf -- \"$p\"\n"
    "    elif [ -d \"$s\" ] && [ ! -L \"$s\" ]; then\n"
    "      { [ -d \"$p\" ] && [ ! -L \"$p\" ]; } || rm -rf -- \"$p\"\n"
    "    elif [ -d \"$p\" ] && [ ! -L \"$p\" ]; then rm -rf -- \"$p\"\n"
    "    elif [ -L \"$p\" ] || [ -L \"$s\" ]; then rm -f -- \"$p\"\n"
    "    fi\n"
    "  done' \"$2\" {} +\n"
    "cp -R -- \"$2\"/. .\n"
    "chown -R \"$3\" .\n";

/* The copy into place runs as root (dest may be anywhere), then hands dest to the login user. */
static char *install_command(const struct sync_folder *s, const char *payload)
{
    char *dest = sh_quoted(s->dest), *src = sh_quoted(payload);
    char *cmd;
    if (fs_is_dir(s->src)) {
        char *script = sh_quoted(mirror_script);
        cmd = xasprintf("u=$(id -u):$(id -g); sudo -n sh -c %s sh %s %s \"$u\"", script, dest, src);
        free(script);
    } else {
        char *parent_raw = fs_dirname(s->dest);
        char *parent = sh_quoted(parent_raw);
        cmd = xasprintf("u=$(id -u):$(id -g); sudo -n sh -c 'mkdir -p -- \"$1\" && "
                        "cp -- \"$2\" \"$3\" && chown \"$4\" \"$3\"' sh %s %s %s \"$u\"",
                        parent, src, dest);
        free(parent);
        free(parent_raw);
    }
    free(dest);
    free(src);
    return cmd;
}

static int sync_one(struct guest_conn *c, const char *machine, const struct sync_folder *s,
                    char **err)
{
    unsigned char rnd[6];
    if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd)
        return prov_fail(err, "cannot get random bytes for a temporary name");
    char *dir = xasprintf("/tmp/rove-sync-%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3],
                          rnd[4], rnd[5]);
    char *payload = xasprintf("%s/payload", dir);
    int rc = guest_mkdir(c, dir, 0700, err);
    if (rc == 0)
        rc = guest_upload(c, s->src, payload, err);
    if (rc == 0) {
        char *cmd = install_command(s, payload);
        struct strbuf errout = STRBUF_INIT;
        int status = -1;
        rc = guest_exec_capture(c, cmd, NULL, &errout, &status, err);
        if (rc == 0 && status != 0)
            rc = prov_fail(err, "machine %s: cannot sync %s to %s (exit status %d): %s", machine,
                           s->src, s->dest, status, sb_str(&errout));
        sb_release(&errout);
        free(cmd);
    }
    char *cleanup = xasprintf("rm -rf '%s'", dir);
    int ignored;
    guest_exec_capture(c, cleanup, NULL, NULL, &ignored, NULL);
    free(cleanup);
    free(payload);
    free(dir);
    return rc;
}

int provision_sync(struct guest_conn *c, const char *machine, const struct sync_folder *syncs,
                   size_t n, char **err)
{
    for (size_t i = 0; i < n; i++) {
        if (syncs[i].type == SYNC_MOUNT)
            continue; /* shared live: provision/mounts.c */
        log_info("%s: syncing %s -> %s", machine, syncs[i].src, syncs[i].dest);
        if (sync_one(c, machine, &syncs[i], err) < 0)
            return -1;
    }
    return 0;
}
