/* SPDX-License-Identifier: MIT */
/* destroy: undoes the journal newest first (the process, the disk, the record), then removes
 * whatever the machine's state folder still holds of this provider. Missing resources are
 * success. The box's raw image stays: other machines share it. */
#include "providers/vmm/ops.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DESTROY_STOP_TIMEOUT 1

static int remove_file(const char *machine, const char *path)
{
    if (unlink(path) == 0 || errno == ENOENT)
        return 0;
    return error("machine %s: cannot remove %s: %s", machine, path, strerror(errno));
}

static int undo_process(const struct vmm_machine *m, const struct rove_journal_record *r)
{
    struct json_object *data = r->json_data ? json_tokener_parse(r->json_data) : NULL, *v;
    char *control =
        xstrdup(data && json_object_object_get_ex(data, "control", &v) ? json_object_get_string(v)
                                                                       : m->control_path);
    json_object_put(data);
    int rc = vmm_stop_process(m->name, r->id, control, DESTROY_STOP_TIMEOUT, true);
    free(control);
    return rc;
}

static int undo_record(const struct vmm_machine *m, const struct rove_journal_record *r)
{
    if (strcmp(r->kind, VMM_KIND_PROCESS) == 0)
        return undo_process(m, r);
    if (strcmp(r->kind, VMM_KIND_DISK) == 0 || strcmp(r->kind, VMM_KIND_RECORD) == 0)
        return remove_file(m->name, r->id);
    log_debug("machine %s: journal record of kind %s is not vmm's", m->name, r->kind);
    return 0;
}

/* What the state folder holds, whatever the journal says. */
static int remove_by_name(const struct vmm_machine *m)
{
    int rc = vmm_stop_process(m->name, m->pid_path, m->control_path, DESTROY_STOP_TIMEOUT, true);
    const char *files[] = {m->disk_path, m->record_path, m->launch_log, m->console_log};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (remove_file(m->name, files[i]) != 0)
            rc = -1;
    return rc;
}

int vmm_destroy(const struct rove_machine_ctx *ctx, const struct rove_journal_record *records,
                size_t nrecords)
{
    struct vmm_machine m;
    if (vmm_machine_open(ctx, &m) != 0) {
        vmm_machine_close(&m);
        return -1;
    }
    int rc = 0;
    for (size_t i = nrecords; i-- > 0;)
        if (undo_record(&m, &records[i]) != 0)
            rc = -1;
    if (remove_by_name(&m) != 0)
        rc = -1;
    vmm_machine_close(&m);
    return rc;
}
