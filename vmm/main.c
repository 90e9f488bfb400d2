/* SPDX-License-Identifier: MIT */
/* rove-vmm: rove's own KVM virtual machine monitor. See rove-vmm --help. */
#include "daemon.h"
#include "monitor.h"
#include "options.h"
#include "vmm_exit.h"
#include "vmm_log.h"

#include <stdlib.h>

static struct monitor monitor; /* large (device buffers): kept off the stack */

int main(int argc, char **argv)
{
    struct vmm_options opts;
    switch (options_parse(&opts, argc, argv)) {
    case OPTIONS_EXIT_OK:
        return 0;
    case OPTIONS_ERROR:
        return VMM_EXIT_CONFIG;
    case OPTIONS_OK:
        break;
    }
    vmm_log_set_verbose(opts.verbose);
    /* Before KVM is opened: a VM cannot move to another process. */
    if (opts.daemon && daemon_start() < 0)
        return VMM_EXIT_CONFIG;
    if (monitor_setup(&monitor, &opts) < 0 || (opts.pidfile && pidfile_write(opts.pidfile) < 0)) {
        monitor_teardown(&monitor);
        return VMM_EXIT_CONFIG;
    }
    if (opts.pidfile)
        cleanup_helper_claim(&monitor.cleanup, CLEANUP_PID_FILE);
    if (opts.daemon)
        daemon_ready();
    int code = monitor_run(&monitor);
    monitor_teardown(&monitor); /* the helper removes the pid file */
    return code;
}
