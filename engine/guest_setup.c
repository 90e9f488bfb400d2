/* SPDX-License-Identifier: MIT */
/* Reaching a started guest and preparing it: SSH, hostname, sync folders, provisioners
 * (engine.h). */
#include "engine/engine.h"
#include "provision/console_tail.h"
#include "provision/guest_conn.h"
#include "provision/guest_exec.h"
#include "provision/guest_wait.h"
#include "provision/insecure_key.h"
#include "provision/mounts.h"
#include "provision/provisioners.h"
#include "provision/shell_quote.h"
#include "provision/sync.h"
#include "util/fs.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/monotonic.h"
#include "util/strbuf.h"

#include <stdlib.h>

#define CONSOLE_TAIL_LINES 30

static void report_phase(enum guest_wait_phase phase, void *ctx)
{
    struct machine_runtime *rt = ctx;
    if (phase == GUEST_WAIT_READY)
        log_info(RT_FMT "SSH is up", rt->m->name);
    else
        log_info(RT_FMT "waiting for SSH: %s", rt->m->name, guest_wait_phase_name(phase));
}

static const char *machine_stopped(void *ctx)
{
    struct machine_runtime *rt = ctx;
    struct rove_state_report st;
    if (rt->provider->state(&rt->pctx, &st) == 0 && st.state != ROVE_STATE_RUNNING)
        return "the machine is no longer running";
    return NULL;
}

static void show_console(struct machine_runtime *rt)
{
    char *console = fs_join(rt->state_dir, RUNTIME_CONSOLE_LOG);
    print_file_tail(console, CONSOLE_TAIL_LINES);
    free(console);
}

int engine_wait(struct machine_runtime *rt, bool first_boot, struct guest_conn **conn)
{
    struct runtime_ssh ssh;
    if (runtime_ssh_info(rt, &ssh) < 0)
        return -1;
    struct guest_target t;
    runtime_guest_target(rt, &ssh, &t);
    /* Without cloud-init the guest's host key cannot be known in advance: it is recorded at the
     * first contact and checked from then on. */
    t.trust_on_first_use = first_boot && !rt->record.cloud_init;
    struct guest_wait_options wo = {
        .banner_timeout_s = rt->m->boot_timeout,
        .port_timeout_s = rt->m->boot_timeout,
        .on_phase = report_phase,
        .should_abort = machine_stopped,
        .ctx = rt,
        .insecure_key_fallback = !rt->record.cloud_init,
        .insecure_key_first = first_boot && !rt->record.cloud_init,
    };
    char *err = NULL;
    int rc = guest_wait_for_ssh(&t, &wo, conn, &err);
    if (rc < 0) {
        log_error("%s", err ? err : "SSH did not come up");
        if (!interrupt_requested())
            show_console(rt);
    }
    free(err);
    runtime_ssh_release(&ssh);
    return rc;
}

/* cloud-init sets the hostname from the seed; other boxes get it here, at every boot, and so do
 * cloud-init boxes whose hostname changed since their seed was made. */
static int set_hostname(struct machine_runtime *rt, struct guest_conn *conn)
{
    char *name = sh_quoted(rt->m->hostname);
    /* /etc/hosts too, as Vagrant does: sudo and others resolve the host's own name. */
    char *cmd = xasprintf(
        "sudo -n sh -c 'hostname \"$1\" && printf \"%%s\\n\" \"$1\" > /etc/hostname && "
        "{ grep -v \"^127.0.1.1[[:space:]]\" /etc/hosts; printf \"127.0.1.1 %%s\\n\" \"$1\"; } "
        "> /etc/hosts.rove && cat /etc/hosts.rove > /etc/hosts && rm -f /etc/hosts.rove' sh %s",
        name);
    struct strbuf errout = STRBUF_INIT;
    int status = -1;
    char *err = NULL;
    int rc = guest_exec_capture(conn, cmd, NULL, &errout, &status, &err);
    if (rc == 0 && status != 0) {
        log_error(RT_FMT "cannot set the hostname to %s (exit status %d): %s", rt->m->name,
                  rt->m->hostname, status, sb_str(&errout));
        rc = -1;
    } else if (rc < 0) {
        log_error("%s", err ? err : "cannot set the hostname");
    }
    free(err);
    sb_release(&errout);
    free(cmd);
    free(name);
    return rc;
}

/* A cloud-init box may still accept Vagrant's insecure key beside the machine's own: Vagrant's
 * published key must not open the machine. */
static int forget_insecure_key(struct machine_runtime *rt, struct guest_conn *conn)
{
    char *err = NULL;
    int rc = guest_remove_insecure_key(conn, &err);
    if (rc < 0)
        log_error(RT_FMT "%s", rt->m->name, err ? err : "cannot remove the insecure key");
    free(err);
    return rc;
}

int engine_provision(struct machine_runtime *rt, struct guest_conn *conn, enum provision_mode mode,
                     bool first_boot)
{
    int rc = first_boot && rt->record.cloud_init ? forget_insecure_key(rt, conn) : 0;
    if (rc == 0 && (!rt->record.cloud_init || rt->hostname_changed))
        rc = set_hostname(rt, conn);
    if (rc == 0)
        rc = engine_sync(rt, conn);
    if (rc == 0)
        rc = engine_run_provisioners(rt, conn, mode);
    return rc;
}

int engine_wait_and_provision(struct machine_runtime *rt, enum provision_mode mode, bool first_boot)
{
    struct guest_conn *conn = NULL;
    double mark = monotonic_seconds();
    int waited = engine_wait(rt, first_boot, &conn);
    rt->times.boot += monotonic_lap(&mark);
    if (waited < 0)
        return -1;
    int rc = engine_provision(rt, conn, mode, first_boot);
    rt->times.provision = monotonic_lap(&mark);
    guest_disconnect(conn);
    return rc;
}

/* The k-th mount entry of the machine is the provider's k-th mount (providers/machine_spec.c):
 * its device tag is there. Mounted ones are left as they are. */
static int mount_folders(struct machine_runtime *rt, struct guest_conn *conn, char **err)
{
    const struct rove_machine_spec *spec = &rt->spec.spec;
    for (size_t i = 0, k = 0; i < rt->m->nsyncs; i++) {
        const struct sync_folder *s = &rt->m->syncs[i];
        if (s->type != SYNC_MOUNT)
            continue;
        if (k >= spec->nmounts)
            BUG("machine %s: mount %zu has no tag", rt->m->name, k);
        if (provision_mount(conn, rt->m->name, spec->mounts[k++].tag, s, err) < 0)
            return -1;
    }
    return 0;
}

int engine_sync(struct machine_runtime *rt, struct guest_conn *conn)
{
    char *err = NULL;
    int rc = mount_folders(rt, conn, &err);
    if (rc == 0)
        rc = provision_sync(conn, rt->m->name, rt->m->syncs, rt->m->nsyncs, &err);
    if (rc < 0)
        log_error("%s", err ? err : "sync failed");
    free(err);
    return rc;
}

int engine_run_provisioners(struct machine_runtime *rt, struct guest_conn *conn,
                            enum provision_mode mode)
{
    if (mode == PROVISION_NONE || rt->m->nprovisioners == 0)
        return 0;
    struct provision_options po = {
        .machine = rt->m->name,
        .state_dir = rt->state_dir,
        .force = mode == PROVISION_FORCE,
        .out_fd = 1,
        .err_fd = 2,
    };
    char *err = NULL;
    int rc = provision_run(conn, rt->m->provisioners, rt->m->nprovisioners, &po, &err);
    if (rc < 0)
        log_error("%s", err ? err : "provisioning failed");
    free(err);
    return rc;
}
