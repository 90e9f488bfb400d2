/* SPDX-License-Identifier: MIT */
#include "util/version.h"
#include "util/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool box_version_is_valid(const char *version)
{
    if (!version || !isdigit((unsigned char)version[0]))
        return false;
    for (const char *p = version; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr(".-+", *p))
            return false;
    return strlen(version) <= 128;
}

/* Compares one segment [s, s+n) with [t, t+m) naturally: runs of digits as numbers, other
 * characters as themselves ("rc2" < "rc10"). */
static int compare_segment(const char *s, size_t n, const char *t, size_t m)
{
    size_t i = 0, j = 0;
    while (i < n && j < m) {
        if (!isdigit((unsigned char)s[i]) || !isdigit((unsigned char)t[j])) {
            if (s[i] != t[j])
                return (unsigned char)s[i] < (unsigned char)t[j] ? -1 : 1;
            i++, j++;
            continue;
        }
        while (i < n && s[i] == '0')
            i++;
        while (j < m && t[j] == '0')
            j++;
        size_t ei = i, ej = j;
        while (ei < n && isdigit((unsigned char)s[ei]))
            ei++;
        while (ej < m && isdigit((unsigned char)t[ej]))
            ej++;
        if (ei - i != ej - j)
            return ei - i < ej - j ? -1 : 1;
        int c = memcmp(s + i, t + j, ei - i);
        if (c)
            return c < 0 ? -1 : 1;
        i = ei, j = ej;
    }
    return (i < n) - (j < m);
}

/* Compares dot-separated lists; a missing segment counts as "0". */
static int compare_dotted(const char *a, size_t alen, const char *b, size_t blen)
{
    const char *ae = a + alen, *be = b + blen;
    while (a < ae || b < be) {
        const char *an = a < ae ? memchr(a, '.', (size_t)(ae - a)) : NULL;
        const char *bn = b < be ? memchr(b, '.', (size_t)(be - b)) : NULL;
        size_t as = a < ae ? (size_t)((an ? an : ae) - a) : 0;
        size_t bs = b < be ? (size_t)((bn ? bn : be) - b) : 0;
        int c = compare_segment(as ? a : "0", as ? as : 1, bs ? b : "0", bs ? bs : 1);
        if (c)
            return c;
        a = an ? an + 1 : ae;
        b = bn ? bn + 1 : be;
    }
    return 0;
}

int box_version_compare(const char *a, const char *b)
{
    size_t alen = strcspn(a, "+"), blen = strcspn(b, "+");
    size_t arel = strcspn(a, "-+"), brel = strcspn(b, "-+");
    int c = compare_dotted(a, arel, b, brel);
    if (c)
        return c;
    bool apre = arel < alen, bpre = brel < blen;
    if (apre != bpre)
        return apre ? -1 : 1; /* 1.0-rc1 < 1.0 */
    if (!apre)
        return 0;
    return compare_dotted(a + arel + 1, alen - arel - 1, b + brel + 1, blen - brel - 1);
}

enum op { OP_EQ, OP_NE, OP_GT, OP_LT, OP_GE, OP_LE, OP_PESSIMISTIC };

struct term {
    enum op op;
    char version[129];
};

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Parses one term at p into t; returns the text after it, or NULL. */
static const char *parse_term(const char *p, struct term *t)
{
    static const struct {
        const char *text;
        enum op op;
    } ops[] = {{">=", OP_GE}, {"<=", OP_LE}, {"!=", OP_NE}, {"~>", OP_PESSIMISTIC},
               {"=", OP_EQ},  {">", OP_GT},  {"<", OP_LT}};
    p = skip_space(p);
    t->op = OP_EQ;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].text);
        if (!strncmp(p, ops[i].text, n)) {
            t->op = ops[i].op;
            p += n;
            break;
        }
    }
    p = skip_space(p);
    size_t n = strcspn(p, " \t,");
    if (n == 0 || n >= sizeof t->version)
        return NULL;
    memcpy(t->version, p, n);
    t->version[n] = '\0';
    if (!box_version_is_valid(t->version))
        return NULL;
    return skip_space(p + n);
}

/* "~> 1.2.3" allows >= 1.2.3 and < 1.3: the last given segment may grow, the ones before not. */
static bool satisfies_pessimistic(const char *version, const char *base)
{
    if (box_version_compare(version, base) < 0)
        return false;
    size_t rel = strcspn(base, "-+");
    char *upper = xstrndup(base, rel);
    char *last_dot = strrchr(upper, '.');
    if (last_dot)
        *last_dot = '\0'; /* drop the last segment, then bump the new last one */
    char *seg = strrchr(upper, '.');
    seg = seg ? seg + 1 : upper;
    char *bumped = xasprintf("%.*s%lu", (int)(seg - upper), upper, strtoul(seg, NULL, 10) + 1);
    bool below = box_version_compare(version, bumped) < 0;
    free(upper);
    free(bumped);
    return below;
}

static bool term_matches(const struct term *t, const char *version)
{
    int c = box_version_compare(version, t->version);
    switch (t->op) {
    case OP_EQ:
        return c == 0;
    case OP_NE:
        return c != 0;
    case OP_GT:
        return c > 0;
    case OP_LT:
        return c < 0;
    case OP_GE:
        return c >= 0;
    case OP_LE:
        return c <= 0;
    case OP_PESSIMISTIC:
        return satisfies_pessimistic(version, t->version);
    }
    return false;
}

/* Walks the terms; with version NULL only checks the syntax. */
static bool walk_constraint(const char *constraint, const char *version)
{
    if (!constraint || !*skip_space(constraint))
        return true;
    const char *p = constraint;
    for (;;) {
        struct term t;
        p = parse_term(p, &t);
        if (!p)
            return false;
        if (version && !term_matches(&t, version))
            return false;
        if (*p == '\0')
            return true;
        if (*p != ',')
            return false;
        p++;
    }
}

bool box_constraint_is_valid(const char *constraint)
{
    return walk_constraint(constraint, NULL);
}

bool box_version_satisfies(const char *version, const char *constraint)
{
    return box_version_is_valid(version) && walk_constraint(constraint, version);
}
