/* SPDX-License-Identifier: MIT */
#include "machine/names.h"

#include <ctype.h>
#include <string.h>

bool name_is_valid_machine(const char *name, const char **why)
{
    size_t len = strlen(name);
    if (len == 0 || len > 63) {
        *why = "must be 1 to 63 characters long";
        return false;
    }
    if (name[0] == '-') {
        *why = "must not start with '-'";
        return false;
    }
    for (const char *c = name; *c; c++) {
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-')) {
            *why = "may hold only lower-case letters, digits and '-'";
            return false;
        }
    }
    return true;
}

bool name_is_valid_hostname(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 253)
        return false;
    const char *label = name;
    while (*label) {
        size_t n = strcspn(label, ".");
        if (n == 0 || n > 63 || label[0] == '-' || label[n - 1] == '-')
            return false;
        for (size_t i = 0; i < n; i++)
            if (!isalnum((unsigned char)label[i]) && label[i] != '-')
                return false;
        label += n;
        if (*label == '.' && *++label == '\0')
            return false;
    }
    return true;
}

bool name_is_valid_env(const char *name)
{
    if (!(isalpha((unsigned char)name[0]) || name[0] == '_'))
        return false;
    for (const char *c = name; *c; c++)
        if (!(isalnum((unsigned char)*c) || *c == '_'))
            return false;
    return true;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return (size_t)-1;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *name_suggest(const char *word, const char *const *candidates, size_t count)
{
    const char *best = NULL;
    size_t best_distance = (size_t)-1;
    for (size_t i = 0; i < count; i++) {
        size_t d = edit_distance(word, candidates[i]);
        if (d < best_distance) {
            best_distance = d;
            best = candidates[i];
        }
    }
    /* Near enough: at most 2 edits, and fewer edits than the word has letters. */
    size_t len = strlen(word);
    if (best && best_distance <= 2 && best_distance < len)
        return best;
    return NULL;
}
