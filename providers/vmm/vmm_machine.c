/* SPDX-License-Identifier: MIT */
#include "providers/vmm/vmm_machine.h"
#include "util/fs.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

const struct rove_option_spec vmm_option_specs[] = {
    {"kernel", ROVE_OPTION_PATH, NULL, "a kernel to boot instead of the box's"},
    {"initrd", ROVE_OPTION_PATH, NULL, "an initrd instead of the box's"},
    {"cmdline", ROVE_OPTION_STRING, NULL, "the kernel command line instead of the box's"},
    {NULL, 0, NULL, NULL},
};

int vmm_options_parse(const struct rove_machine_spec *spec, struct vmm_options *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < spec->noptions; i++) {
        const struct rove_option *opt = &spec->options[i];
        if (!strcmp(opt->key, "kernel"))
            out->kernel = opt->value;
        else if (!strcmp(opt->key, "initrd"))
            out->initrd = opt->value;
        else if (!strcmp(opt->key, "cmdline"))
            out->cmdline = opt->value;
        else {
            return error("machine %s: unknown vmm option '%s' (known: kernel, initrd, cmdline)",
                         spec->name, opt->key);
        }
        if ((!strcmp(opt->key, "kernel") || !strcmp(opt->key, "initrd")) && !*opt->value)
            return error("machine %s: vmm.%s is empty", spec->name, opt->key);
    }
    return 0;
}

int vmm_machine_open(const struct rove_machine_ctx *ctx, struct vmm_machine *m)
{
    memset(m, 0, sizeof *m);
    log_set_level((enum log_level)ctx->log_level);
    log_set_sink(ctx->log);
    interrupt_follow(ctx->interrupted);
    if (!ctx->machine || !ctx->machine->name || !ctx->state_dir)
        return error("vmm provider: rove passed no machine or state folder");
    m->ctx = ctx;
    m->name = ctx->machine->name;
    if (vmm_options_parse(ctx->machine, &m->opts) != 0)
        return -1;
    m->record_path = fs_join(ctx->state_dir, VMM_RECORD_FILE);
    m->disk_path = fs_join(ctx->state_dir, VMM_DISK_FILE);
    m->control_path = fs_join(ctx->state_dir, VMM_CONTROL_FILE);
    m->pid_path = fs_join(ctx->state_dir, VMM_PID_FILE);
    m->launch_log = fs_join(ctx->state_dir, VMM_LAUNCH_LOG);
    m->console_log = fs_join(ctx->state_dir, VMM_CONSOLE_LOG);
    return 0;
}

void vmm_machine_close(struct vmm_machine *m)
{
    free(m->record_path);
    free(m->disk_path);
    free(m->control_path);
    free(m->pid_path);
    free(m->launch_log);
    free(m->console_log);
    memset(m, 0, sizeof *m);
}

int vmm_journal(struct vmm_machine *m, const char *kind, const char *id, const char *json_data)
{
    if (!m->ctx->journal.add)
        return error("machine %s: rove passed no journal; refusing to create %s", m->name, id);
    if (m->ctx->journal.add(m->ctx->journal.ctx, kind, id, json_data ? json_data : "{}") != 0)
        return error("machine %s: cannot record %s %s in the journal; not creating it", m->name,
                     kind, id);
    return 0;
}
