/* JSON output through json-c (the project's only JSON reader and writer). */
#ifndef ROVE_UTIL_JSON_H
#define ROVE_UTIL_JSON_H

#include <json-c/json.h>
#include <stdio.h>

/* Prints obj to out, pretty, with a trailing newline, and drops the reference. */
void json_print_and_put(FILE *out, struct json_object *obj);
/* Adds key: string (or null for a NULL string) to obj. */
void json_add_string(struct json_object *obj, const char *key, const char *value);
void json_add_int(struct json_object *obj, const char *key, long long value);

#endif
