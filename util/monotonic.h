/* Time for measuring and for deadlines: CLOCK_MONOTONIC, which wall-clock changes do not move. */
#ifndef ROVE_UTIL_MONOTONIC_H
#define ROVE_UTIL_MONOTONIC_H

/* Seconds since an arbitrary fixed point. */
double monotonic_seconds(void);

#endif
