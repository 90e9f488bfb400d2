/* SPDX-License-Identifier: MIT */
#include "boxes/paths.h"
#include "util/paths.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <unistd.h>

static char *below(char *dir, const char *rel)
{
    char *path = fs_join(dir, rel);
    free(dir);
    return path;
}

char *box_store_dir(void)
{
    return below(rove_data_dir(), "boxes");
}

char *box_downloads_dir(void)
{
    return below(rove_cache_dir(), "downloads");
}

char *rove_host_index_path(void)
{
    return below(rove_data_dir(), "index.json");
}
