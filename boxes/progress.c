/* SPDX-License-Identifier: MIT */
#include "boxes/progress.h"
#include "util/log.h"
#include "util/monotonic.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void progress_start(struct progress *p, const char *label)
{
    memset(p, 0, sizeof *p);
    p->label = xstrdup(label);
    p->bar = log_progress_enabled();
    p->lines = !p->bar && log_get_level() >= LOG_INFO;
    p->start_time = monotonic_seconds();
    p->last_tenth = -1;
}

void progress_set_total(struct progress *p, uint64_t total, uint64_t already)
{
    p->total = total;
    p->start_done = already;
    p->done = already;
    p->start_time = monotonic_seconds();
}

static void human(char *out, size_t n, double bytes)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4)
        bytes /= 1024, u++;
    snprintf(out, n, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

static double rate_of(const struct progress *p, double now)
{
    double elapsed = now - p->start_time;
    return elapsed > 0.05 ? (double)(p->done - p->start_done) / elapsed : 0;
}

static void draw_bar(struct progress *p, double now)
{
    char done[32], total[32], rate[32], eta[32] = "--:--";
    double r = rate_of(p, now);
    human(done, sizeof done, (double)p->done);
    human(total, sizeof total, (double)p->total);
    human(rate, sizeof rate, r);
    int width = 24, filled = 0, percent = 0;
    if (p->total) {
        percent = (int)(100.0 * (double)p->done / (double)p->total);
        filled = width * percent / 100;
        if (r > 0) {
            long secs = (long)((double)(p->total - p->done) / r);
            snprintf(eta, sizeof eta, "%ld:%02ld", secs / 60, secs % 60);
        }
    }
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '=' : (i == filled ? '>' : ' ');
    bar[width] = '\0';
    if (p->total)
        fprintf(stderr, "\r%s [%s] %3d%% %s/%s %s/s ETA %s\033[K", p->label, bar, percent, done,
                total, rate, eta);
    else
        fprintf(stderr, "\r%s %s %s/s\033[K", p->label, done, rate);
    p->drawn = true;
}

static void print_line(struct progress *p, double now)
{
    if (!p->total)
        return;
    int tenth = (int)(10 * p->done / p->total);
    if (tenth == p->last_tenth)
        return;
    p->last_tenth = tenth;
    char done[32], rate[32];
    double r = rate_of(p, now);
    human(done, sizeof done, (double)p->done);
    human(rate, sizeof rate, r);
    if (r > 0)
        fprintf(stderr, "%s: %d%% (%s, %s/s)\n", p->label, tenth * 10, done, rate);
    else /* too early to tell */
        fprintf(stderr, "%s: %d%% (%s)\n", p->label, tenth * 10, done);
}

void progress_update(struct progress *p, uint64_t done)
{
    p->done = done;
    if (!p->bar && !p->lines)
        return;
    double now = monotonic_seconds();
    if (p->lines) {
        print_line(p, now);
    } else if (now - p->last_draw >= 0.2) {
        p->last_draw = now;
        draw_bar(p, now);
    }
}

void progress_finish(struct progress *p, bool success)
{
    if (p->bar && p->drawn) {
        if (success)
            draw_bar(p, monotonic_seconds());
        fputc('\n', stderr);
        p->drawn = false;
    }
    free(p->label);
    p->label = NULL;
}
