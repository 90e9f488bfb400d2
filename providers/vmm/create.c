/* SPDX-License-Identifier: MIT */
/* create: the box's raw image (once per box version), the machine's disk as a clone of it, a free
 * SSH port, and the machine record. The rove-vmm process is journaled here too, before start can
 * make it, so destroy finds it whatever happens later. */
#include "providers/vmm/base_image.h"
#include "providers/vmm/disk_clone.h"
#include "providers/vmm/ops.h"
#include "providers/vmm/vmm_binary.h"
#include "providers/vmm/vmm_record.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* rove-vmm's --disk takes PATH[,ro]: a comma in a path would be misread. */
static int check_disk_path(const struct vmm_machine *m, const char *what, const char *path)
{
    if (path && strchr(path, ','))
        return error("machine %s: the %s path %s contains a comma, which rove-vmm's --disk cannot "
                     "take",
                     m->name, what, path);
    return 0;
}

static int check_readable(const struct vmm_machine *m, const char *what, const char *path)
{
    if (path && access(path, R_OK) != 0)
        return error("machine %s: cannot read the %s %s: %s", m->name, what, path, strerror(errno));
    return 0;
}

static int check_inputs(const struct vmm_machine *m, const struct rove_box *box)
{
    if (!box || !box->image)
        return error("machine %s: rove passed no box image to the vmm provider", m->name);
    if (box->ndisks > 1)
        return error(
            "machine %s: box %s lists %zu disks in its metadata.json; rove-vmm attaches one "
            "box disk: use provider libvirt, or a box with one disk",
            m->name, box->dir ? box->dir : box->image, box->ndisks);
    if (box->firmware)
        return error("machine %s: box %s needs %s firmware (metadata.json); rove-vmm has no "
                     "firmware, it boots a kernel directly: use provider libvirt",
                     m->name, box->dir ? box->dir : box->image, box->firmware);
    if (!m->opts.kernel && !box->kernel)
        return error(
            "machine %s: box %s has no kernel in its metadata.json; rove-vmm boots a kernel "
            "directly: set vmm: {kernel: PATH, initrd: PATH, cmdline: ...} in the "
            "machinefile",
            m->name, box->dir ? box->dir : box->image);
    if (m->ctx->machine->disk && m->ctx->machine->disk < box->virtual_size)
        return error("machine %s: disk %llu bytes is smaller than the box's image (%llu bytes)",
                     m->name, (unsigned long long)m->ctx->machine->disk,
                     (unsigned long long)box->virtual_size);
    if (check_readable(m, "box image", box->image) != 0 ||
        check_readable(m, "cloud-init seed", m->ctx->seed_iso) != 0 ||
        check_disk_path(m, "machine disk", m->disk_path) != 0 ||
        check_disk_path(m, "cloud-init seed", m->ctx->seed_iso) != 0)
        return -1;
    return 0;
}

static int check_binary(const struct vmm_machine *m)
{
    struct strbuf tried = STRBUF_INIT;
    char *binary = vmm_binary_find(&tried);
    if (!binary)
        log_error("machine %s: rove-vmm not found (looked at: %s); set ROVE_VMM to its path",
                  m->name, sb_str(&tried));
    free(binary);
    sb_release(&tried);
    return binary ? 0 : -1;
}

static int refuse_existing(const struct vmm_machine *m)
{
    if (!fs_exists(m->record_path) && !fs_exists(m->disk_path))
        return 0;
    return error("machine %s already exists (%s; destroy the machine first)", m->name,
                 fs_exists(m->record_path) ? m->record_path : m->disk_path);
}

static char *absolute_or_null(const char *path)
{
    return path ? fs_absolute(path) : NULL;
}

/* The boot files: the machine's vmm: options win over the box's metadata. */
static int fill_boot(const struct vmm_machine *m, struct vmm_record *r)
{
    const struct rove_box *box = m->ctx->box;
    r->kernel = absolute_or_null(m->opts.kernel ? m->opts.kernel : box->kernel);
    r->initrd = absolute_or_null(m->opts.initrd   ? m->opts.initrd
                                 : m->opts.kernel ? NULL
                                                  : box->initrd);
    const char *cmdline = m->opts.cmdline ? m->opts.cmdline : box->cmdline;
    r->cmdline = cmdline ? xstrdup(cmdline) : NULL;
    if (!r->kernel)
        return -1;
    return check_readable(m, "kernel", r->kernel) == 0 &&
                   check_readable(m, "initrd", r->initrd) == 0
               ? 0
               : -1;
}

static void copy_forwards(const struct rove_machine_spec *spec, struct vmm_record *r)
{
    r->forwards = xcalloc(spec->nforwards ? spec->nforwards : 1, sizeof *r->forwards);
    for (size_t i = 0; i < spec->nforwards; i++) {
        r->forwards[i] = spec->forwards[i];
        r->forwards[i].proto = xstrdup(spec->forwards[i].proto ? spec->forwards[i].proto : "tcp");
    }
    r->nforwards = spec->nforwards;
}

static int make_disk(struct vmm_machine *m)
{
    const struct rove_box *box = m->ctx->box;
    char *base = base_image_ensure(box, m->name);
    if (!base)
        return -1;
    uint64_t size = m->ctx->machine->disk ? m->ctx->machine->disk : box->virtual_size;
    enum disk_clone_method method;
    char err[512];
    int rc = vmm_journal(m, VMM_KIND_DISK, m->disk_path, NULL);
    if (rc == 0 && (rc = disk_clone(base, m->disk_path, size, &method, err, sizeof err)) != 0)
        log_error("machine %s: cannot make the machine's disk: %s", m->name, err);
    if (rc == 0)
        log_debug("machine %s: disk %s is a %s of %s", m->name, m->disk_path,
                  method == DISK_CLONE_REFLINK ? "reflink" : "sparse copy", base);
    free(base);
    return rc;
}

static char *process_data(const struct vmm_machine *m)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "pidfile", json_object_new_string(m->pid_path));
    json_object_object_add(o, "control", json_object_new_string(m->control_path));
    char *text = xstrdup(
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return text;
}

static int write_record(struct vmm_machine *m)
{
    const struct rove_machine_spec *spec = m->ctx->machine;
    struct vmm_record r = {0};
    int rc = -1;
    if (fill_boot(m, &r) != 0)
        goto out;
    r.disk = xstrdup(m->disk_path);
    r.seed = absolute_or_null(m->ctx->seed_iso);
    r.memory_mib = spec->memory ? spec->memory >> 20 : 512;
    r.cpus = spec->cpus > 0 ? spec->cpus : 1;
    copy_forwards(spec, &r);
    r.ssh_port = vmm_free_local_port();
    if (r.ssh_port < 0) {
        log_error("machine %s: no free TCP port on 127.0.0.1 for SSH", m->name);
        goto out;
    }
    char *data = process_data(m);
    rc = vmm_journal(m, VMM_KIND_PROCESS, m->pid_path, data);
    free(data);
    if (rc == 0)
        rc = vmm_journal(m, VMM_KIND_RECORD, m->record_path, NULL);
    if (rc == 0 && (rc = vmm_record_write(m->record_path, &r)) != 0)
        log_error("machine %s: cannot write %s: %s", m->name, m->record_path, strerror(errno));
out:
    vmm_record_release(&r);
    return rc;
}

int vmm_create(const struct rove_machine_ctx *ctx)
{
    struct vmm_machine m;
    int rc = -1;
    if (vmm_machine_open(ctx, &m) == 0 && check_inputs(&m, ctx->box) == 0 &&
        refuse_existing(&m) == 0 && check_binary(&m) == 0) {
        /* The boot files are checked before the disk is made: a typo costs no copy. */
        struct vmm_record probe = {0};
        rc = fill_boot(&m, &probe);
        vmm_record_release(&probe);
        if (rc == 0)
            rc = make_disk(&m);
        if (rc == 0)
            rc = write_record(&m);
    }
    vmm_machine_close(&m);
    return rc;
}
