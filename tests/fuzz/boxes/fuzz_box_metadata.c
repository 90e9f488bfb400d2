/* SPDX-License-Identifier: MIT */
/* libFuzzer target: metadata.json and host index parsers must never crash or leak; accepted
 * metadata must hold a provider and paths that stay inside the box. */
#include "boxes/host_index.h"
#include "boxes/metadata.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct box_metadata meta;
    char *err = NULL;
    if (box_metadata_parse((const char *)data, size, &meta, &err) == 0) {
        if (!meta.provider || (meta.kernel && !box_path_is_inside(meta.kernel)) ||
            (meta.initrd && !box_path_is_inside(meta.initrd)))
            abort();
        box_metadata_free(&meta);
    } else {
        if (!err || !*err)
            abort();
        free(err);
    }
    struct host_index idx;
    err = NULL;
    if (host_index_parse((const char *)data, size, &idx, &err) == 0)
        host_index_free(&idx);
    free(err);
    return 0;
}
