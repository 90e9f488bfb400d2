/* SPDX-License-Identifier: MIT */
/* Syntax checks of the checksums a machinefile holds; the box layer does the rest. */
#include "machine/mf_parse.h"

#include <string.h>

static const struct {
    const char *type;
    size_t hex_len;
} checksum_types[] = {
    {"sha256", 64}, {"sha384", 96}, {"sha512", 128}, {"sha1", 40}, {"md5", 32},
};

bool checksum_is_valid(const char *text, const char **why)
{
    const char *colon = strchr(text, ':');
    if (!colon) {
        *why = "expected TYPE:HEX, e.g. sha256:9f2c...";
        return false;
    }
    size_t type_len = (size_t)(colon - text);
    const char *hex = colon + 1;
    for (size_t i = 0; i < sizeof checksum_types / sizeof checksum_types[0]; i++) {
        if (strlen(checksum_types[i].type) != type_len ||
            strncasecmp(text, checksum_types[i].type, type_len))
            continue;
        size_t n = strspn(hex, "0123456789abcdefABCDEF");
        if (hex[n] != '\0' || n != checksum_types[i].hex_len) {
            *why = "the digest has the wrong length or is not hexadecimal";
            return false;
        }
        return true;
    }
    *why = "unknown checksum type (expected sha256, sha384, sha512, sha1 or md5)";
    return false;
}
