/* SPDX-License-Identifier: MIT */
/* Time for measuring and for deadlines: CLOCK_MONOTONIC, which wall-clock changes do not move. */
#ifndef ROVE_UTIL_MONOTONIC_H
#define ROVE_UTIL_MONOTONIC_H

/* Seconds since an arbitrary fixed point. */
double monotonic_seconds(void);
/* Seconds from *mark to now; *mark moves to now (for timing one phase after another). */
double monotonic_lap(double *mark);

#endif
