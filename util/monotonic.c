/* SPDX-License-Identifier: MIT */
#include "util/monotonic.h"

#include <time.h>

double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double monotonic_lap(double *mark)
{
    double now = monotonic_seconds(), took = now - *mark;
    *mark = now;
    return took;
}
