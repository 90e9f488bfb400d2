/* The system-call allow-list of the running monitor, installed once set-up is done. */
#ifndef ROVE_VMM_SECCOMP_FILTER_H
#define ROVE_VMM_SECCOMP_FILTER_H

/* Applies the filter to every thread of the process. A call outside the list ends the monitor
 * with a message naming the call. Returns 0, or -1 after printing why. */
int seccomp_filter_install(void);

#endif
