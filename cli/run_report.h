/* SPDX-License-Identifier: MIT */
/* What `rove run --json` prints: one object for the whole run. */
#ifndef ROVE_CMD_RUN_REPORT_H
#define ROVE_CMD_RUN_REPORT_H

#include "engine/machine_runtime.h"

#include <stdbool.h>
#include <stddef.h>

struct run_report_machine {
    const char *name; /* borrowed */
    bool up;
    bool destroyed;
    struct phase_times times;
    double destroy_seconds;
};

struct run_report {
    struct run_report_machine *machines; /* the machines run brought up, in order */
    size_t nmachines;
    int command_exit_status; /* -1: the command did not exit by itself */
    bool timed_out;
    double command_seconds;
    size_t copied; /* --copy-out entries copied */
    double copy_out_seconds;
    int interrupt_signal; /* 0: not interrupted */
    int exit_status;      /* rove's */
    double seconds;       /* the whole run */
};

/* Prints the report as one JSON object on stdout. Returns 0, or -1 when stdout failed. */
int run_report_print(const struct run_report *r);

#endif
