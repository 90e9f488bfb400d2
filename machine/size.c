/* SPDX-License-Identifier: MIT */
#include "machine/size.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int unit_shift(const char *unit)
{
    static const char letters[] = "KMGTP";
    if (!*unit)
        return -1;
    const char *pos = strchr(letters, toupper((unsigned char)unit[0]));
    if (!pos)
        return -1;
    const char *rest = unit + 1;
    /* K, KB, Ki, KiB: all binary, as memory and disks are sized in practice. */
    if (*rest && strcasecmp(rest, "B") && strcasecmp(rest, "i") && strcasecmp(rest, "iB"))
        return -1;
    return 10 * (int)(pos - letters + 1);
}

/* frac / frac_div (a fraction below 1) times 2^shift, rounded down, by binary long division:
 * frac << shift itself overflows for T and P. */
static uint64_t scaled_fraction(uint64_t frac, uint64_t frac_div, int shift)
{
    uint64_t quotient = 0;
    for (int i = 0; i < shift; i++) {
        frac *= 2; /* below 2 * frac_div <= 2e9: no overflow */
        quotient = quotient * 2 + (frac >= frac_div);
        if (frac >= frac_div)
            frac -= frac_div;
    }
    return quotient;
}

bool size_parse(const char *text, uint64_t *bytes)
{
    const char *p = text;
    uint64_t whole = 0, frac = 0, frac_div = 1;
    if (!isdigit((unsigned char)*p))
        return false;
    for (; isdigit((unsigned char)*p); p++) {
        if (whole > (UINT64_MAX - 9) / 10)
            return false;
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        for (; isdigit((unsigned char)*p); p++) {
            if (frac_div >= 1000000000ULL)
                return false; /* more precision than any size needs */
            frac = frac * 10 + (uint64_t)(*p - '0');
            frac_div *= 10;
        }
    }
    while (*p == ' ')
        p++;
    int shift = unit_shift(p);
    if (shift < 0)
        return false;
    if (whole > (UINT64_MAX >> shift))
        return false;
    uint64_t whole_bytes = whole << shift, frac_bytes = scaled_fraction(frac, frac_div, shift);
    if (frac_bytes > UINT64_MAX - whole_bytes)
        return false;
    *bytes = whole_bytes + frac_bytes;
    return true;
}

void size_format(uint64_t bytes, char *buf, size_t len)
{
    static const char letters[] = "PTGMK";
    for (int i = 0; i < 5; i++) {
        int shift = 10 * (5 - i);
        uint64_t unit = 1ULL << shift;
        if (bytes >= unit && bytes % unit == 0) {
            snprintf(buf, len, "%llu%c", (unsigned long long)(bytes >> shift), letters[i]);
            return;
        }
    }
    snprintf(buf, len, "%lluB", (unsigned long long)bytes);
}
