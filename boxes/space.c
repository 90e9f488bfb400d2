/* SPDX-License-Identifier: MIT */
#include "boxes/space.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <sys/statvfs.h>

void box_space_format(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double scaled = (double)bytes;
    size_t unit = 0;
    while (scaled >= 1024 && unit + 1 < sizeof units / sizeof units[0]) {
        scaled /= 1024;
        unit++;
    }
    if (unit == 0)
        snprintf(buf, len, "%llu bytes", (unsigned long long)bytes);
    else
        snprintf(buf, len, "%.1f %s (%llu bytes)", scaled, units[unit], (unsigned long long)bytes);
}

int box_space_check(int dir_fd, const char *dir, uint64_t needed, const char *what, char **err)
{
    struct statvfs st;
    if (fstatvfs(dir_fd, &st) < 0 || st.f_frsize == 0)
        return 0;
    uint64_t free_bytes = (uint64_t)st.f_bavail * st.f_frsize;
    if (needed <= free_bytes)
        return 0;
    char need_text[64], free_text[64];
    box_space_format(needed, need_text, sizeof need_text);
    box_space_format(free_bytes, free_text, sizeof free_text);
    *err = xasprintf("not enough free space in %s: %s needs %s, %s free", dir, what, need_text,
                     free_text);
    return -1;
}
