/* SPDX-License-Identifier: MIT */
/* create: box images into the pool (once per box version), the machine's overlay disk and seed,
 * then the domain definition. Every machine resource is journaled before it is made. */
#include "providers/libvirt/connection.h"
#include "providers/libvirt/domain_xml.h"
#include "providers/libvirt/host_facts.h"
#include "providers/libvirt/kvm_access.h"
#include "providers/libvirt/box_copies.h"
#include "providers/libvirt/lv_machine.h"
#include "providers/libvirt/naming.h"
#include "providers/libvirt/ops.h"
#include "providers/libvirt/ports.h"
#include "providers/libvirt/storage.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Paths inside the pool of everything the domain uses. */
struct lv_disks {
    char *base;
    char *kernel;
    char *initrd;
    char *overlay;
    char *seed;
    char *extra[LV_MAX_EXTRA_DISKS]; /* overlays on the box's other disks */
    size_t nextra;
};

static void disks_release(struct lv_disks *d)
{
    free(d->base);
    free(d->kernel);
    free(d->initrd);
    free(d->overlay);
    for (size_t i = 0; i < d->nextra; i++)
        free(d->extra[i]);
    free(d->seed);
}

/* What a box or the machine asks for that this provider does not set up yet: refused before
 * anything is created, rather than a guest booting without its other disks or its firmware. */
static int refuse_missing_features(const struct lv_machine *m, const struct rove_box *box)
{
    if (box->ndisks > 1 + LV_MAX_EXTRA_DISKS)
        return error(
            "machine %s: box %s lists %zu disks in its metadata.json; the libvirt provider "
            "attaches at most %d",
            m->name, box->dir ? box->dir : box->image, box->ndisks, 1 + LV_MAX_EXTRA_DISKS);
    if (box->firmware || m->opts.efi) {
        char *asked = box->firmware ? xasprintf("box %s needs UEFI firmware (\"firmware\": "
                                                "\"efi\" in its metadata.json)",
                                                box->dir ? box->dir : box->image)
                                    : xstrdup("libvirt: {firmware: efi} asks for UEFI firmware");
        log_error("machine %s: %s; rove's libvirt provider boots BIOS only so far: UEFI firmware "
                  "(OVMF) is not set up for it",
                  m->name, asked);
        free(asked);
        return -1;
    }
    return 0;
}

static int check_inputs(const struct lv_machine *m, const struct rove_box *box)
{
    if (!box || !box->image)
        return error("machine %s: rove passed no box image to the libvirt provider", m->name);
    const char *format = box->format ? box->format : "qcow2";
    if (strcmp(format, "qcow2") != 0 && strcmp(format, "raw") != 0)
        return error(
            "machine %s: box %s has image format '%s'; the libvirt provider takes qcow2 or "
            "raw",
            m->name, box->dir ? box->dir : box->image, format);
    if (refuse_missing_features(m, box) != 0)
        return -1;
    if (m->ctx->machine->nmounts && !lv_uri_is_local(m->opts.uri))
        return error("machine %s: libvirt at %s runs on another host, which cannot mount this "
                     "host's folders: use type: copy for its sync entries",
                     m->name, m->opts.uri);
    if (m->ctx->seed_iso && access(m->ctx->seed_iso, R_OK) != 0)
        return error("machine %s: cannot read the cloud-init seed %s: %s", m->name,
                     m->ctx->seed_iso, strerror(errno));
    if (m->ctx->machine->disk && m->ctx->machine->disk < box->virtual_size)
        return error("machine %s: disk %llu bytes is smaller than the box's image (%llu bytes)",
                     m->name, (unsigned long long)m->ctx->machine->disk,
                     (unsigned long long)box->virtual_size);
    return 0;
}

/* Uploads one box file (once per box version) into the pool; NULL local path: nothing to do. */
static int box_file(struct lv_machine *m, virStoragePoolPtr pool, const char *part,
                    const char *local_path, char **out)
{
    if (!local_path)
        return 0;
    char *volume = lv_box_volume_name(m->ctx->box, part);
    *out = lv_box_file_ensure(m->conn, pool, volume, local_path, m->name);
    if (*out && m->ctx->box->dir)
        lv_box_copies_note(m->ctx->box->dir, m->opts.uri, m->opts.pool, volume);
    free(volume);
    return *out ? 0 : -1;
}

/* A box disk's format, from its first bytes (qcow2's magic), and its size as the guest sees it
 * (qcow2's virtual size, else the file's size). Returns 0, or -1 after naming the file. */
static int disk_shape(const char *machine, const char *path, const char **format, uint64_t *size)
{
    unsigned char header[32];
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? pread(fd, header, sizeof header, 0) : -1;
    int saved = errno;
    bool ok = fd >= 0 && fstat(fd, &st) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok || n < 0)
        return error("machine %s: cannot read the box disk %s: %s", machine, path, strerror(saved));
    bool qcow2 = n == (ssize_t)sizeof header && !memcmp(header, "QFI\xfb", 4);
    *format = qcow2 ? "qcow2" : "raw";
    *size = (uint64_t)st.st_size;
    if (qcow2) {
        *size = 0;
        for (int i = 24; i < 32; i++)
            *size = *size << 8 | header[i];
    }
    return 0;
}

/* The box's disks after the first: each uploaded once per box version, then an overlay of the
 * machine's own on it, journaled first. */
static int extra_disks(struct lv_machine *m, virStoragePoolPtr pool, struct lv_disks *d)
{
    const struct rove_box *box = m->ctx->box;
    for (size_t i = 1; i < box->ndisks && box->disks; i++) {
        const char *format = "raw";
        uint64_t size = 0;
        char part[32], *base = NULL;
        snprintf(part, sizeof part, "disk%zu", i + 1);
        if (disk_shape(m->name, box->disks[i], &format, &size) != 0 ||
            box_file(m, pool, part, box->disks[i], &base) != 0)
            return -1;
        char *name = lv_extra_disk_volume_name(m->ctx->project_id, m->name, i + 1);
        if (lv_journal(m, LV_KIND_VOLUME, name) == 0)
            d->extra[d->nextra] = lv_overlay_create(pool, name, base, format, size, m->name);
        free(name);
        free(base);
        if (!d->extra[d->nextra])
            return -1;
        d->nextra++;
    }
    return 0;
}

static int machine_disks(struct lv_machine *m, virStoragePoolPtr pool, struct lv_disks *d)
{
    const struct rove_box *box = m->ctx->box;
    const char *format = box->format ? box->format : "qcow2";
    if (box_file(m, pool, "disk", box->image, &d->base) != 0 ||
        box_file(m, pool, "kernel", box->kernel, &d->kernel) != 0 ||
        box_file(m, pool, "initrd", box->kernel ? box->initrd : NULL, &d->initrd) != 0)
        return -1;

    uint64_t capacity = m->ctx->machine->disk ? m->ctx->machine->disk : box->virtual_size;
    char *overlay = lv_disk_volume_name(m->ctx->project_id, m->name);
    if (lv_journal(m, LV_KIND_VOLUME, overlay) == 0)
        d->overlay = lv_overlay_create(pool, overlay, d->base, format, capacity, m->name);
    free(overlay);
    if (!d->overlay)
        return -1;

    if (extra_disks(m, pool, d) != 0)
        return -1;
    if (!m->ctx->seed_iso)
        return 0;
    char *seed = lv_seed_volume_name(m->ctx->project_id, m->name);
    if (lv_journal(m, LV_KIND_VOLUME, seed) == 0)
        d->seed = lv_volume_upload_new(m->conn, pool, seed, m->ctx->seed_iso, m->name);
    free(seed);
    return d->seed ? 0 : -1;
}

/* Whether QEMU would run as libvirt's own user rather than as the one running rove: under the
 * system daemon (which also serves qemu:///session to root). A session daemon's QEMU is the
 * user's already. */
static bool qemu_runs_as_other_user(const char *uri)
{
    return geteuid() == 0 || strstr(uri, ":///system") != NULL;
}

static char *build_xml(struct lv_machine *m, const struct lv_disks *d, enum accel_kind accel,
                       int ssh_port)
{
    const struct rove_machine_spec *spec = m->ctx->machine;
    char *console_log = fs_join(m->ctx->state_dir, LV_CONSOLE_LOG);
    struct domain_config cfg = {
        .name = m->domain_name,
        .domain_type = accel_domain_type(accel),
        .project_id = m->ctx->project_id,
        .machine = m->name,
        .cpus = spec->cpus > 0 ? spec->cpus : 1,
        .memory_kib = spec->memory / 1024,
        .disk_path = d->overlay,
        .seed_path = d->seed,
        .extra_disk_paths = (const char *const *)d->extra,
        .nextra_disks = d->nextra,
        .kernel = d->kernel,
        .initrd = d->initrd,
        .cmdline = d->kernel ? m->ctx->box->cmdline : NULL,
        /* The console log is written on this host only when libvirt runs here. */
        .console_log = lv_uri_is_local(m->opts.uri) ? console_log : NULL,
        .ssh_port = ssh_port,
        .forwards = spec->forwards,
        .nforwards = spec->nforwards,
        .restrict_network = m->opts.restrict_network,
        .mounts = spec->mounts,
        .nmounts = spec->nmounts,
        /* Only machines with mounts: the others keep libvirt's separate QEMU user. */
        .run_as = spec->nmounts && qemu_runs_as_other_user(m->opts.uri),
        .run_uid = geteuid(),
        .run_gid = getegid(),
    };
    char *xml = domain_xml_build(&cfg);
    free(console_log);
    return xml;
}

/* Records for people and tools what the machine is in libvirt (not needed by rove itself). */
static void write_state_file(struct lv_machine *m, virDomainPtr dom, const char *accel_why)
{
    char uuid[VIR_UUID_STRING_BUFLEN] = "";
    virDomainGetUUIDString(dom, uuid);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "uri", json_object_new_string(m->opts.uri));
    json_object_object_add(o, "domain", json_object_new_string(m->domain_name));
    json_object_object_add(o, "uuid", json_object_new_string(uuid));
    json_object_object_add(o, "pool", json_object_new_string(m->opts.pool));
    json_object_object_add(o, "accelerator", json_object_new_string(accel_why));
    char *path = fs_join(m->ctx->state_dir, LV_STATE_FILE);
    if (json_write_atomic(path, o, 0600) != 0)
        log_warn("machine %s: cannot write %s", m->name, path);
    free(path);
    json_object_put(o);
}

static int define_domain(struct lv_machine *m, const struct lv_disks *d, enum accel_kind accel,
                         const char *accel_why)
{
    int ssh_port = lv_free_local_port();
    if (ssh_port < 0)
        return error("machine %s: no free TCP port on 127.0.0.1 for SSH", m->name);
    char *xml = build_xml(m, d, accel, ssh_port);
    if (!xml)
        return -1;
    log_debug("domain XML of %s:\n%s", m->domain_name, xml);
    virDomainPtr dom = NULL;
    if (lv_journal(m, LV_KIND_DOMAIN, m->domain_name) == 0) {
        dom = virDomainDefineXML(m->conn, xml);
        if (!dom)
            log_error("machine %s: libvirt refused the definition of %s: %s", m->name,
                      m->domain_name, lv_last_error());
    }
    free(xml);
    if (!dom)
        return -1;
    write_state_file(m, dom, accel_why);
    virDomainFree(dom);
    return 0;
}

static int refuse_existing(struct lv_machine *m)
{
    bool failed;
    virDomainPtr dom = lv_machine_domain(m, &failed);
    if (!dom)
        return failed ? -1 : 0;
    virDomainFree(dom);
    return error("machine %s: domain %s already exists at %s (destroy the machine first)", m->name,
                 m->domain_name, m->opts.uri);
}

/* Once per process, however many machines: the fix is the same for all. */
static void warn_if_kvm_blocked(const char *uri)
{
    static bool warned;
    char why[ROVE_REASON_MAX];
    if (!warned && lv_uri_is_local(uri) &&
        kvm_access_blocked(KVM_ACCESS_QEMU_USER, why, sizeof why)) {
        log_warn("%s", why);
        warned = true;
    }
}

int lv_choose_accel(struct lv_machine *m, enum accel_kind *accel, char *why, size_t why_len)
{
    warn_if_kvm_blocked(m->opts.uri);
    struct host_facts facts;
    host_facts_gather(m->conn, m->opts.uri, &facts);
    int rc = accel_choose(m->opts.accel, &facts.accel, accel, why, why_len);
    host_facts_release(&facts);
    return rc;
}

static int create_with(struct lv_machine *m, virStoragePoolPtr pool)
{
    enum accel_kind accel;
    char why[ROVE_REASON_MAX];
    if (lv_choose_accel(m, &accel, why, sizeof why) != 0)
        return error("machine %s: %s", m->name, why);
    log_info("machine %s: accelerator %s", m->name, why);
    struct lv_disks disks = {0};
    int rc = machine_disks(m, pool, &disks);
    if (rc == 0)
        rc = define_domain(m, &disks, accel, why);
    disks_release(&disks);
    return rc;
}

int lv_create(const struct rove_machine_ctx *ctx)
{
    struct lv_machine m;
    if (lv_machine_open(ctx, &m) != 0) {
        lv_machine_close(&m);
        return -1;
    }
    int rc = -1;
    if (check_inputs(&m, ctx->box) == 0 && lv_machine_connect(&m) == 0 &&
        refuse_existing(&m) == 0) {
        virStoragePoolPtr pool = lv_pool_ensure(m.conn, m.opts.pool, m.opts.uri, m.name);
        if (pool) {
            rc = create_with(&m, pool);
            virStoragePoolFree(pool);
        }
    }
    lv_machine_close(&m);
    return rc;
}
