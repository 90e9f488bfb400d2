#include "util/json.h"

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

void json_add_int(struct json_object *obj, const char *key, long long value)
{
    json_object_object_add(obj, key, json_object_new_int64(value));
}
