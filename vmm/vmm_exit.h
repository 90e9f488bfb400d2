/* SPDX-License-Identifier: MIT */
/* rove-vmm's exit codes (documented in --help; providers rely on them). */
#ifndef ROVE_VMM_EXIT_H
#define ROVE_VMM_EXIT_H

enum vmm_exit_code {
    VMM_EXIT_GUEST_STOPPED = 0, /* reboot, halt or power-off by the guest */
    VMM_EXIT_FAILURE = 1,       /* the VM failed at run time */
    VMM_EXIT_CONFIG = 2,        /* bad command line or configuration; nothing started */
    VMM_EXIT_STOPPED = 3,       /* killed, interrupted, or a graceful shutdown timed out */
};

#endif
