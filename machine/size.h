/* SPDX-License-Identifier: MIT */
/* Sizes as users write them: 512M, 2G, 1.5G, 20GiB. Binary units (1K = 1024). */
#ifndef ROVE_MACHINE_SIZE_H
#define ROVE_MACHINE_SIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses text into bytes, exactly (a fraction rounded down to a whole byte). A unit is required (a
 * bare number is ambiguous). Returns false on a malformed size or one past 2^64 - 1 bytes. */
bool size_parse(const char *text, uint64_t *bytes);
/* Writes the shortest exact form (2G, 1536M, 1000K) into buf. */
void size_format(uint64_t bytes, char *buf, size_t len);

#endif
