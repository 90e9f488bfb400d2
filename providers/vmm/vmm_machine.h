/* SPDX-License-Identifier: MIT */
/* What every vmm operation starts from: the machine's options and the paths of its files. */
#ifndef ROVE_PROVIDERS_VMM_VMM_MACHINE_H
#define ROVE_PROVIDERS_VMM_VMM_MACHINE_H

#include "providers/provider.h"

#include <stdbool.h>

/* Journal record kinds this provider writes (and destroy undoes). */
#define VMM_KIND_DISK    "vmm.disk"    /* id: the machine's raw disk */
#define VMM_KIND_PROCESS "vmm.process" /* id: the pid file; data: pid file and control socket */
#define VMM_KIND_RECORD  "vmm.record"  /* id: the machine record (vmm.json) */

/* Files in the machine's state folder. */
#define VMM_RECORD_FILE  "vmm.json"
#define VMM_DISK_FILE    "disk.raw"
#define VMM_CONTROL_FILE "vmm.sock"
#define VMM_PID_FILE     "vmm.pid"
#define VMM_LAUNCH_LOG   "vmm.log" /* what rove-vmm printed while starting */
#define VMM_CONSOLE_LOG  "console.log"

/* The machine's vmm: section. */
struct vmm_options {
    const char *kernel; /* override the box's, or NULL */
    const char *initrd;
    const char *cmdline;
};

struct vmm_machine {
    const struct rove_machine_ctx *ctx;
    const char *name;
    struct vmm_options opts;
    char *record_path;
    char *disk_path;
    char *control_path;
    char *pid_path;
    char *launch_log;
    char *console_log;
};

/* Checks ctx and the options. Returns 0, or -1 after saying why. Close it either way. */
int vmm_machine_open(const struct rove_machine_ctx *ctx, struct vmm_machine *m);
void vmm_machine_close(struct vmm_machine *m);

/* Parses the vmm: options (kernel, initrd, cmdline). Returns 0, or -1 after naming the bad key. */
/* The vmm: section's keys, for rove to check machinefiles against (rove_provider.options). */
extern const struct rove_option_spec vmm_option_specs[];
int vmm_options_parse(const struct rove_machine_spec *spec, struct vmm_options *out);

/* Appends {kind, id, data} to the core's journal before the resource is created. 0 or -1. */
int vmm_journal(struct vmm_machine *m, const char *kind, const char *id, const char *json_data);

#endif
