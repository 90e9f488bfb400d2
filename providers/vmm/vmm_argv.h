/* SPDX-License-Identifier: MIT */
/* The rove-vmm command line for a machine (an argv: nothing passes through a shell). */
#ifndef ROVE_PROVIDERS_VMM_VMM_ARGV_H
#define ROVE_PROVIDERS_VMM_VMM_ARGV_H

#include "providers/vmm/vmm_record.h"

/* Files of the running machine, in its state folder. */
struct vmm_runtime_paths {
    const char *serial;
    const char *control;
    const char *pidfile;
};

/* NULL-terminated, newly allocated; free with vmm_argv_free. Starts the monitor as a daemon. */
char **vmm_argv_build(const char *binary, const struct vmm_record *r,
                      const struct vmm_runtime_paths *p);
void vmm_argv_free(char **argv);

#endif
