/* SPDX-License-Identifier: MIT */
#include "provision/mounts.h"
#include "machine/machinefile.h"
#include "provision/guest_exec.h"
#include "provision/prov_error.h"
#include "provision/shell_quote.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <stdlib.h>

/* Exit statuses of mount_script that mean something to the user. */
#define NO_9P_SUPPORT 90
#define NO_SUCH_TAG   91

/* Run as root with $1 = tag, $2 = dest, $3 = options. A device's tag is read from sysfs (it ends
 * in a NUL byte); /proc/mounts says whether the tag is mounted already (`up` on a running
 * machine, `rove provision`). */
static const char mount_script[] =
    "has9p() { grep -qw 9p /proc/filesystems && [ -d /sys/bus/virtio/drivers/9pnet_virtio ]; }\n"
    "has9p || { modprobe 9pnet_virtio; modprobe 9p; } >/dev/null 2>&1\n"
    "has9p || exit 90\n"
    "found=\n"
    "for f in /sys/bus/virtio/drivers/9pnet_virtio/*/mount_tag; do\n"
    "  [ -r \"$f\" ] && [ \"$(tr -d '\\000' < \"$f\")\" = \"$1\" ] && found=1\n"
    "done\n"
    "[ -n \"$found\" ] || exit 91\n"
    "while read -r dev dir type rest; do\n"
    "  [ \"$dev\" = \"$1\" ] && [ \"$type\" = 9p ] && exit 0\n"
    "done < /proc/mounts\n"
    "mkdir -p -- \"$2\" && mount -t 9p -o \"$3\" \"$1\" \"$2\"\n";

char *mount_command(const char *tag, const char *dest, bool readonly)
{
    char *script = sh_quoted(mount_script), *qtag = sh_quoted(tag), *qdest = sh_quoted(dest);
    char *opts = sh_quoted(readonly ? MOUNT_9P_OPTIONS ",ro" : MOUNT_9P_OPTIONS);
    char *cmd = xasprintf("sudo -n sh -c %s sh %s %s %s", script, qtag, qdest, opts);
    free(opts);
    free(qdest);
    free(qtag);
    free(script);
    return cmd;
}

static int mount_failed(char **err, const char *machine, const char *tag,
                        const struct sync_folder *s, int status, const char *output)
{
    if (status == NO_9P_SUPPORT)
        return prov_fail(err,
                         "machine %s: the guest has no 9p support (kernel modules 9p and "
                         "9pnet_virtio) to mount %s at %s: use type: copy, or a box with the 9p "
                         "modules",
                         machine, s->src, s->dest);
    if (status == NO_SUCH_TAG)
        return prov_fail(err,
                         "machine %s: the guest has no shared folder %s for %s (the machine was "
                         "created before this mount was added): 'rove destroy %s' and 'rove up' "
                         "create it with one",
                         machine, tag, s->dest, machine);
    return prov_fail(err, "machine %s: cannot mount %s at %s (exit status %d): %s", machine, s->src,
                     s->dest, status, output);
}

int provision_mount(struct guest_conn *c, const char *machine, const char *tag,
                    const struct sync_folder *s, char **err)
{
    log_info("%s: mounting %s at %s", machine, s->src, s->dest);
    char *cmd = mount_command(tag, s->dest, s->readonly);
    struct strbuf errout = STRBUF_INIT;
    int status = -1;
    int rc = guest_exec_capture(c, cmd, NULL, &errout, &status, err);
    if (rc == 0 && status != 0)
        rc = mount_failed(err, machine, tag, s, status, sb_str(&errout));
    sb_release(&errout);
    free(cmd);
    return rc;
}
