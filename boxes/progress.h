/* SPDX-License-Identifier: MIT */
/* Download progress: a bar with rate and ETA on a terminal, a line per 10 % otherwise, nothing
 * when quiet (log level below info). */
#ifndef ROVE_BOXES_PROGRESS_H
#define ROVE_BOXES_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
    char *label;
    bool bar;       /* draw a bar on stderr (a terminal) */
    bool lines;     /* print a line per 10 % */
    uint64_t total; /* 0: unknown */
    uint64_t done;
    uint64_t start_done; /* bytes already there when this run started (a resumed download) */
    double start_time;
    double last_draw;
    int last_tenth;
    bool drawn;
};

void progress_start(struct progress *p, const char *label);
/* Sets the expected total (0: unknown) and how much of it is already there. */
void progress_set_total(struct progress *p, uint64_t total, uint64_t already);
void progress_update(struct progress *p, uint64_t done);
/* Ends the bar's line; frees the label. */
void progress_finish(struct progress *p, bool success);

#endif
