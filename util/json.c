/* SPDX-License-Identifier: MIT */
#include "util/json.h"
#include "util/fs.h"

#include <string.h>

struct json_object *json_parse_document(const char *text, size_t len, const char **why)
{
    struct json_tokener *tok = json_tokener_new();
    struct json_object *root = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    while (used < len && text[used] && strchr(" \t\r\n", text[used]))
        used++;
    if (root && jerr == json_tokener_success && used == len)
        return root;
    json_object_put(root);
    *why = jerr != json_tokener_success ? json_tokener_error_desc(jerr) : "trailing text";
    return NULL;
}

void json_print_and_put(FILE *out, struct json_object *obj)
{
    fputs(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                  JSON_C_TO_STRING_NOSLASHESCAPE),
          out);
    fputc('\n', out);
    json_object_put(obj);
}

void json_add_string(struct json_object *obj, const char *key, const char *value)
{
    json_object_object_add(obj, key, value ? json_object_new_string(value) : NULL);
}

int json_write_atomic(const char *path, struct json_object *obj, unsigned mode)
{
    const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE);
    return fs_write_atomic(path, text, strlen(text), mode);
}

void json_add_int(struct json_object *obj, const char *key, long long value)
{
    json_object_object_add(obj, key, json_object_new_int64(value));
}
