/* SPDX-License-Identifier: MIT */
/* reconfigure: the machine record (vmm.json) rewritten with the machinefile's cpus, memory and
 * forwards, which the next start turns into rove-vmm's command line, and the raw disk grown. */
#include "providers/vmm/ops.h"
#include "providers/vmm/vmm_process.h"
#include "providers/vmm/vmm_record.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool same_path(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The boot files were taken from the box or the vmm: section at create; the box is not at hand
 * now, so they stay: say the first that changed into why. */
static bool boot_files_kept(const struct vmm_options *a, const struct vmm_options *b, char *why,
                            size_t why_len)
{
    const char *key = !same_path(a->kernel, b->kernel)     ? "kernel"
                      : !same_path(a->initrd, b->initrd)   ? "initrd"
                      : !same_path(a->cmdline, b->cmdline) ? "cmdline"
                                                           : NULL;
    if (key)
        snprintf(why, why_len, "vmm.%s changed (rove-vmm's boot files are chosen at create)", key);
    return key == NULL;
}

int vmm_reconfigure_check(const struct rove_machine_ctx *ctx, const struct rove_machine_spec *old,
                          char *why, size_t why_len)
{
    struct vmm_machine m;
    struct vmm_options was;
    if (why_len)
        why[0] = '\0';
    int rc = vmm_machine_open(ctx, &m) == 0 && vmm_options_parse(old, &was) == 0 &&
                     boot_files_kept(&was, &m.opts, why, why_len)
                 ? 0
                 : -1;
    vmm_machine_close(&m);
    return rc;
}

static void set_forwards(struct vmm_record *r, const struct rove_machine_spec *spec)
{
    for (size_t i = 0; i < r->nforwards; i++)
        free((char *)r->forwards[i].proto);
    free(r->forwards);
    r->forwards = xcalloc(spec->nforwards ? spec->nforwards : 1, sizeof *r->forwards);
    for (size_t i = 0; i < spec->nforwards; i++) {
        r->forwards[i] = spec->forwards[i];
        r->forwards[i].proto = xstrdup(spec->forwards[i].proto ? spec->forwards[i].proto : "tcp");
    }
    r->nforwards = spec->nforwards;
}

/* Grows the raw disk to the machinefile's size (sparse: no bytes written); *was is its size
 * before, for undoing. The guest grows its file system into it. */
static int grow_disk(const struct vmm_machine *m, const char *disk, off_t *was)
{
    struct stat st;
    uint64_t want = m->ctx->machine->disk;
    if (stat(disk, &st) != 0)
        return error("machine %s: cannot read its disk %s: %s", m->name, disk, strerror(errno));
    *was = st.st_size;
    if (!want || (uint64_t)st.st_size >= want)
        return 0;
    if (truncate(disk, (off_t)want) != 0)
        return error("machine %s: cannot grow its disk %s to %llu bytes: %s", m->name, disk,
                     (unsigned long long)want, strerror(errno));
    log_info("machine %s: disk grown to %llu MiB", m->name, (unsigned long long)(want >> 20));
    return 0;
}

static int reconfigure_record(const struct vmm_machine *m, struct vmm_record *r)
{
    const struct rove_machine_spec *spec = m->ctx->machine;
    r->memory_mib = spec->memory ? spec->memory >> 20 : r->memory_mib;
    r->cpus = spec->cpus > 0 ? spec->cpus : 1;
    set_forwards(r, spec);
    off_t was = 0;
    if (grow_disk(m, r->disk, &was) != 0)
        return -1;
    if (vmm_record_write(m->record_path, r) == 0)
        return 0;
    log_error("machine %s: cannot write %s: %s", m->name, m->record_path, strerror(errno));
    if (truncate(r->disk, was) != 0) /* a disk no guest has seen yet shrinks back safely */
        log_error("machine %s: cannot shrink %s back: %s", m->name, r->disk, strerror(errno));
    return -1;
}

int vmm_reconfigure(const struct rove_machine_ctx *ctx, const struct rove_machine_spec *old)
{
    (void)old; /* the record holds what the machine was built with */
    struct vmm_machine m;
    struct vmm_record r = {0};
    char err[512];
    int rc = -1;
    bool opened = vmm_machine_open(ctx, &m) == 0;
    if (!opened)
        log_debug("machine %s: not reconfigured", ctx->machine->name);
    else if (vmm_process_find(m.pid_path))
        log_error("machine %s is running; its settings change only while it is stopped", m.name);
    else if (vmm_record_read(m.record_path, &r, err, sizeof err) != 0)
        log_error("machine %s: %s", m.name, err);
    else
        rc = reconfigure_record(&m, &r);
    vmm_record_release(&r);
    vmm_machine_close(&m);
    return rc;
}
