/* SPDX-License-Identifier: MIT */
#include "provision/sftp_symlink.h"
#include "provision/guest_conn.h"
#include "provision/prov_error.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* True when readlink of path gives want. */
static bool link_is(struct guest_conn *c, const char *path, const char *want)
{
    char *got = sftp_readlink(c->sftp, path);
    bool same = got && !strcmp(got, want);
    ssh_string_free_char(got);
    return same;
}

/* Links probe/l -> probe/t as libssh sends it, and reads which of the two became the link. */
static enum guest_symlink_order probe_order(struct guest_conn *c, char **err)
{
    char *dir = xasprintf("/tmp/.rove-link-probe-%ld-%u", (long)getpid(), (unsigned)rand());
    char *target = xasprintf("%s/t", dir), *link = xasprintf("%s/l", dir);
    enum guest_symlink_order order = GUEST_SYMLINK_UNKNOWN;
    if (sftp_mkdir(c->sftp, dir, 0700) < 0) {
        prov_fail(err, "machine %s: cannot create %s to probe the SFTP server: %s", c->machine, dir,
                  guest_sftp_reason(c));
    } else if (sftp_symlink(c->sftp, target, link) < 0) {
        prov_fail(err, "machine %s: cannot create a link in %s: %s", c->machine, dir,
                  guest_sftp_reason(c));
    } else if (link_is(c, link, target)) {
        order = GUEST_SYMLINK_AS_LIBSSH;
    } else if (link_is(c, target, link)) {
        order = GUEST_SYMLINK_SWAPPED;
    } else {
        prov_fail(err, "machine %s: the SFTP server made neither link of a probe in %s", c->machine,
                  dir);
    }
    if (order != GUEST_SYMLINK_UNKNOWN)
        log_debug("machine %s: the SFTP server takes a link's paths %s", c->machine,
                  order == GUEST_SYMLINK_SWAPPED ? "the other way round (OpenSSH's sftp-server "
                                                   "behind another SSH server)"
                                                 : "as libssh sends them");
    sftp_unlink(c->sftp, link);
    sftp_unlink(c->sftp, target);
    sftp_rmdir(c->sftp, dir);
    free(target);
    free(link);
    free(dir);
    return order;
}

int guest_symlink(struct guest_conn *c, const char *target, const char *path, char **err)
{
    if (c->symlink_order == GUEST_SYMLINK_UNKNOWN &&
        (c->symlink_order = probe_order(c, err)) == GUEST_SYMLINK_UNKNOWN)
        return -1;
    int rc = c->symlink_order == GUEST_SYMLINK_AS_LIBSSH ? sftp_symlink(c->sftp, target, path)
                                                         : sftp_symlink(c->sftp, path, target);
    if (rc < 0)
        return prov_fail(err, "machine %s: cannot create link %s: %s", c->machine, path,
                         guest_sftp_reason(c));
    return 0;
}
