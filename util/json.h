/* SPDX-License-Identifier: MIT */
/* JSON output through json-c (the project's only JSON reader and writer). */
#ifndef ROVE_UTIL_JSON_H
#define ROVE_UTIL_JSON_H

#include <json-c/json.h>
#include <stdio.h>

/* Parses text[0..len) as exactly one JSON document (whitespace around it allowed, nothing else).
 * Returns it, or NULL with *why set to a static description of what is wrong. */
struct json_object *json_parse_document(const char *text, size_t len, const char **why);
/* Prints obj to out, pretty, with a trailing newline, and drops the reference. */
void json_print_and_put(FILE *out, struct json_object *obj);
/* Adds key: string (or null for a NULL string) to obj. */
void json_add_string(struct json_object *obj, const char *key, const char *value);
void json_add_int(struct json_object *obj, const char *key, long long value);
/* Writes obj, pretty and with '/' unescaped, to path through fs_write_atomic (mode: the new
 * file's). Keeps the reference. Returns 0, or -1 with errno set. */
int json_write_atomic(const char *path, struct json_object *obj, unsigned mode);

#endif
