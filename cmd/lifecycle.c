#include "cmd/lifecycle.h"
#include "boxes/box.h"
#include "machine/global_index.h"
#include "provision/console_tail.h"
#include "provision/guest_conn.h"
#include "provision/guest_exec.h"
#include "provision/guest_wait.h"
#include "provision/insecure_key.h"
#include "provision/keys.h"
#include "provision/provisioners.h"
#include "provision/seed.h"
#include "provision/shell_quote.h"
#include "provision/sync.h"
#include "util/fs.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/monotonic.h"
#include "util/strbuf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

#define CONSOLE_TAIL_LINES   30
#define HALT_TIMEOUT_SECONDS 60
#define BOX_IMAGE            "box.img"

struct created_box {
    struct box_handle handle;
    struct rove_box box;
    char *image, *kernel, *initrd;
    char *instance; /* the version as providers see it */
};

/* Providers keep one copy of a box's image per (name, version) (libvirt: a base volume). A box
 * given by file has no real version and may be rebuilt and added again under the same one, so
 * the version they see carries a fingerprint of the image, kernel and initrd: their sizes and first
 * and last MiB (qcow2 keeps its header and tables there). The same box, unpacked again, reuses its
 * copy; a rebuilt one gets a new copy, and machines on the old one keep theirs. */
#define FINGERPRINT_SPAN (1 << 20)

static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

/* Folds path's size and first and last MiB into h; a missing file (no initrd) adds nothing. */
static uint64_t fingerprint_file(uint64_t h, const char *path)
{
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0)
            close(fd);
        return h;
    }
    h = fnv1a(h, (const unsigned char *)&st.st_size, sizeof st.st_size);
    unsigned char *buf = xmalloc(FINGERPRINT_SPAN);
    off_t offsets[] = {0, st.st_size > FINGERPRINT_SPAN ? st.st_size - FINGERPRINT_SPAN : 0};
    for (size_t i = 0; i < 2; i++) {
        ssize_t n = pread(fd, buf, FINGERPRINT_SPAN, offsets[i]);
        if (n > 0)
            h = fnv1a(h, buf, (size_t)n);
    }
    free(buf);
    close(fd);
    return h;
}

static char *instance_version(const char *version, const struct created_box *cb)
{
    uint64_t h = 14695981039346656037ULL;
    h = fingerprint_file(h, cb->image);
    h = fingerprint_file(h, cb->kernel);
    h = fingerprint_file(h, cb->initrd);
    return xasprintf("%s-%08x", version, (unsigned)(h >> 32));
}

static char *inside(const char *dir, const char *rel)
{
    return rel ? fs_join(dir, rel) : NULL;
}

/* Seconds since *mark, which moves to now. */
static double lap(double *mark)
{
    double now = monotonic_seconds(), took = now - *mark;
    *mark = now;
    return took;
}

static int fetch_box(struct machine_runtime *rt, struct created_box *cb, bool require_checksum)
{
    const struct machine *m = rt->m;
    struct box_request req = {
        .source = m->box,
        .catalog = m->box_url,
        .version = m->box_version,
        .provider = m->provider,
        .checksum = m->box_checksum,
        .require_checksum = require_checksum,
    };
    if (box_ensure(&req, &cb->handle) != BOX_OK)
        return -1; /* the box layer said why, naming the box */
    struct box_handle *h = &cb->handle;
    log_info(RT_FMT "box %s %s (%s)", m->name, h->name, h->version,
             h->added ? "downloaded" : "cached");
    /* vagrant-libvirt's "disks" list names the boot disk first, in place of box.img. */
    cb->image = fs_join(h->dir, h->meta.ndisks ? h->meta.disks[0] : BOX_IMAGE);
    cb->kernel = inside(h->dir, h->meta.kernel);
    cb->initrd = inside(h->dir, h->meta.initrd);
    cb->instance = instance_version(h->version, cb);
    cb->box = (struct rove_box){
        .name = h->name,
        .version = cb->instance,
        .dir = h->dir,
        .image = cb->image,
        .format = h->meta.format ? h->meta.format : "qcow2",
        .virtual_size = h->meta.virtual_size,
        .kernel = cb->kernel,
        .initrd = cb->initrd,
        .cmdline = h->meta.cmdline,
        .ndisks = h->meta.ndisks ? h->meta.ndisks : 1,
        .firmware = h->meta.firmware && !strcmp(h->meta.firmware, "efi") ? "efi" : NULL,
    };
    return 0;
}

static void created_box_release(struct created_box *cb)
{
    box_handle_free(&cb->handle);
    free(cb->image);
    free(cb->kernel);
    free(cb->initrd);
    free(cb->instance);
}

static int prepare_keys_and_seed(struct machine_runtime *rt, bool cloud_init, char **seed_path)
{
    char *err = NULL;
    if (keys_ensure_machine(rt->state_dir, rt->m->name, &err) < 0 ||
        (cloud_init &&
         seed_create_for_machine(rt->state_dir, rt->m->name, rt->m->hostname, &err) < 0)) {
        log_error(RT_FMT "%s", rt->m->name, err ? err : "cannot prepare the machine's keys");
        free(err);
        return -1;
    }
    *seed_path = cloud_init ? fs_join(rt->state_dir, SEED_ISO_NAME) : NULL;
    return 0;
}

static int probe_provider(struct machine_runtime *rt)
{
    char why[ROVE_REASON_MAX] = "";
    if (rt->provider->probe(&rt->pctx, why, sizeof why) < 0) {
        log_error(RT_FMT "provider '%s' cannot run this machine here: %s", rt->m->name,
                  rt->provider->name, why);
        return -1;
    }
    /* create says which accelerator it uses; the whole probe is for -v */
    if (why[0])
        log_debug(RT_FMT "%s: %s", rt->m->name, rt->provider->name, why);
    return 0;
}

/* Undoes a create that failed before the machine ran: nothing half-created stays behind. */
static void undo_create(struct machine_runtime *rt)
{
    log_info(RT_FMT "removing what was created", rt->m->name);
    if (runtime_destroy(rt) < 0)
        log_error(RT_FMT "run 'rove destroy %s' to remove what is left", rt->m->name, rt->m->name);
}

/* A forward whose host port is taken would make the start fail with the hypervisor's words, or
 * worse, forward nothing: say which port and machine before anything is created or started. */
static int check_forward_ports(struct machine_runtime *rt)
{
    for (size_t i = 0; i < rt->m->nforwards; i++) {
        const struct forward *f = &rt->m->forwards[i];
        bool udp = !strcmp(f->proto, "udp");
        int fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
        struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)f->host)};
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        /* As the hypervisor binds it: connections of an earlier run lingering in TIME_WAIT do
         * not make the port busy, a listener does. */
        int one = 1;
        if (fd >= 0 && !udp)
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        int taken = fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 &&
                    (errno == EADDRINUSE || errno == EACCES);
        int saved = errno;
        if (fd >= 0)
            close(fd);
        if (taken) {
            log_error(RT_FMT "host port 127.0.0.1:%d/%s (forwarded to guest port %d) is %s; free "
                             "it or change the forward in %s",
                      rt->m->name, f->host, f->proto, f->guest,
                      saved == EACCES ? "reserved for root" : "already in use", rt->mf->path);
            return -1;
        }
    }
    return 0;
}

static int create_and_start(struct machine_runtime *rt, bool require_checksum)
{
    struct created_box cb = {0};
    char *seed = NULL;
    double mark = monotonic_seconds();
    /* Before any download: a host that cannot run the machine is told so at once. */
    if (probe_provider(rt) < 0 || check_forward_ports(rt) < 0 ||
        fetch_box(rt, &cb, require_checksum) < 0)
        return -1;
    rt->times.box = lap(&mark);
    bool cloud_init = cb.handle.meta.cloud_init;
    rt->record.provider = xstrdup(rt->m->provider);
    rt->record.box_name = xstrdup(cb.handle.name);
    rt->record.box_version = xstrdup(cb.handle.version);
    rt->record.cloud_init = cloud_init;
    rt->pctx.box = &cb.box;
    int rc = -1;
    if (state_create_machine_dir(rt->mf, rt->m->name) < 0) {
        log_error(RT_FMT "cannot create %s", rt->m->name, rt->state_dir);
    } else if (prepare_keys_and_seed(rt, cloud_init, &seed) == 0) {
        rt->pctx.seed_iso = seed;
        log_info(RT_FMT "creating the machine", rt->m->name);
        if (rt->provider->create(&rt->pctx) == 0 && runtime_write_record(rt) == 0) {
            global_index_add(rt->mf, rt->m, rt->record.box_name, rt->record.box_version,
                             rt->state_dir);
            log_info(RT_FMT "starting", rt->m->name);
            rc = rt->provider->start(&rt->pctx);
        }
    }
    rt->pctx.box = NULL;
    rt->pctx.seed_iso = NULL;
    rt->times.create = lap(&mark);
    free(seed);
    created_box_release(&cb);
    if (rc < 0)
        undo_create(rt);
    return rc;
}

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

static int wait_for_ssh(struct machine_runtime *rt, bool first_boot, struct guest_conn **conn)
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

/* cloud-init sets the hostname from the seed; other boxes get it here, at every boot. */
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

int machine_wait_and_provision(struct machine_runtime *rt, enum provision_mode mode,
                               bool first_boot)
{
    struct guest_conn *conn = NULL;
    double mark = monotonic_seconds();
    int waited = wait_for_ssh(rt, first_boot, &conn);
    rt->times.boot += lap(&mark);
    if (waited < 0)
        return -1;
    int rc = first_boot && rt->record.cloud_init ? forget_insecure_key(rt, conn) : 0;
    if (rc == 0 && !rt->record.cloud_init)
        rc = set_hostname(rt, conn);
    if (rc == 0)
        rc = machine_sync(rt, conn);
    if (rc == 0)
        rc = machine_provision(rt, conn, mode);
    rt->times.provision = lap(&mark);
    guest_disconnect(conn);
    return rc;
}

int machine_sync(struct machine_runtime *rt, struct guest_conn *conn)
{
    char *err = NULL;
    int rc = provision_sync(conn, rt->m->name, rt->m->syncs, rt->m->nsyncs, &err);
    if (rc < 0)
        log_error("%s", err ? err : "sync failed");
    free(err);
    return rc;
}

int machine_provision(struct machine_runtime *rt, struct guest_conn *conn, enum provision_mode mode)
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

static int start_existing(struct machine_runtime *rt, const struct up_options *o)
{
    struct rove_state_report st;
    runtime_state(rt, &st);
    if (st.state == ROVE_STATE_RUNNING) {
        log_info(RT_FMT "already running", rt->m->name);
    } else if (st.state == ROVE_STATE_STOPPED) {
        log_info(RT_FMT "starting", rt->m->name);
        double mark = monotonic_seconds();
        if (check_forward_ports(rt) < 0 || rt->provider->start(&rt->pctx) < 0)
            return -1;
        rt->times.create = lap(&mark);
    } else {
        log_error(RT_FMT "the machine is %s%s%s; 'rove destroy %s' removes it", rt->m->name,
                  runtime_state_name(st.state), st.reason[0] ? ": " : "", st.reason, rt->m->name);
        return -1;
    }
    return machine_wait_and_provision(rt, o->provision, false);
}

int machine_up(struct machine_runtime *rt, const struct up_options *o)
{
    if (rt->created)
        return runtime_load_provider(rt) < 0 ? -1 : start_existing(rt, o);
    if (runtime_has_leftovers(rt)) {
        log_info(RT_FMT "removing what an earlier, unfinished up left", rt->m->name);
        if (runtime_destroy(rt) < 0)
            return -1;
    }
    if (runtime_load_provider(rt) < 0 || create_and_start(rt, o->require_checksum) < 0)
        return -1;
    enum provision_mode mode = o->provision == PROVISION_NONE ? PROVISION_NONE : PROVISION_FORCE;
    if (machine_wait_and_provision(rt, mode, true) == 0)
        return 0;
    if (o->destroy_on_error) {
        log_info(RT_FMT "destroying the machine (--destroy-on-error)", rt->m->name);
        runtime_destroy(rt);
        global_index_remove(rt->mf, rt->m);
    } else if (interrupt_signal()) {
        log_info(RT_FMT "'rove destroy %s' removes the machine", rt->m->name, rt->m->name);
    } else {
        log_info(RT_FMT "the machine is kept for inspection: 'rove ssh %s', 'rove destroy %s'",
                 rt->m->name, rt->m->name, rt->m->name);
    }
    return -1;
}

int provision_mode_option(const struct cmd *cmd, int opt, enum provision_mode *mode)
{
    enum provision_mode wanted = opt == OPT_PROVISION ? PROVISION_FORCE : PROVISION_NONE;
    if (*mode != PROVISION_DEFAULT && *mode != wanted)
        return cmd_usage_error(cmd, "--provision and --no-provision exclude each other");
    *mode = wanted;
    return 0;
}

int machine_halt(struct machine_runtime *rt, bool now)
{
    struct rove_state_report st;
    runtime_state(rt, &st);
    if (st.state == ROVE_STATE_NOT_CREATED || st.state == ROVE_STATE_STOPPED) {
        log_info(RT_FMT "%s", rt->m->name, runtime_state_name(st.state));
        return 0;
    }
    if (runtime_load_provider(rt) < 0)
        return -1;
    log_info(RT_FMT "%s", rt->m->name, now ? "powering off" : "shutting down");
    if (rt->provider->stop(&rt->pctx, HALT_TIMEOUT_SECONDS, now) < 0)
        return -1;
    log_info(RT_FMT "stopped", rt->m->name);
    return 0;
}
