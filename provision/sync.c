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

/* The copy into place runs as root (dest may be anywhere), then hands dest to the login user. */
static char *install_command(const struct sync_folder *s, const char *payload)
{
    char *dest = sh_quoted(s->dest), *src = sh_quoted(payload);
    char *parent_raw = fs_dirname(s->dest);
    char *parent = sh_quoted(parent_raw);
    char *cmd =
        fs_is_dir(s->src)
            ? xasprintf("u=$(id -u):$(id -g); sudo -n sh -c 'mkdir -p -- \"$1\" && "
                        "cp -R -- \"$2\"/. \"$1\"/ && chown -R \"$3\" \"$1\"' sh %s %s \"$u\"",
                        dest, src)
            : xasprintf("u=$(id -u):$(id -g); sudo -n sh -c 'mkdir -p -- \"$1\" && "
                        "cp -- \"$2\" \"$3\" && chown \"$4\" \"$3\"' sh %s %s %s \"$u\"",
                        parent, src, dest);
    free(dest);
    free(src);
    free(parent);
    free(parent_raw);
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
        log_info("%s: syncing %s -> %s", machine, syncs[i].src, syncs[i].dest);
        if (sync_one(c, machine, &syncs[i], err) < 0)
            return -1;
    }
    return 0;
}
