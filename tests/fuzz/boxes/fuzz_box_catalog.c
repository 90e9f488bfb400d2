/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the catalog parser and version selection must never crash or leak, and a
 * rejected catalog must say why. */
#include "boxes/catalog.h"
#include "util/version.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const constraints[] = {NULL, ">= 1.0, < 2.0", "~> 1.2", "= 1.2.3", "!= 0"};
    struct box_catalog cat;
    char *err = NULL;
    if (box_catalog_parse((const char *)data, size, size % 2 ? "a/b" : NULL, &cat, &err) < 0) {
        if (!err || !*err)
            abort();
        free(err);
        return 0;
    }
    for (size_t i = 0; i < sizeof constraints / sizeof constraints[0]; i++) {
        const struct catalog_provider *p = NULL;
        const struct catalog_version *v = box_catalog_select(&cat, constraints[i], NULL, &p);
        if (v && (!p || !box_version_satisfies(v->version, constraints[i])))
            abort();
    }
    box_catalog_free(&cat);
    /* The input as a constraint and as versions, too. */
    char *text = strndup((const char *)data, size);
    if (box_constraint_is_valid(text))
        box_version_satisfies("1.2.3", text);
    if (box_version_is_valid(text) && box_version_compare(text, text) != 0)
        abort();
    free(text);
    return 0;
}
