/* SPDX-License-Identifier: MIT */
/* Where rove-vmm is: $ROVE_VMM, else beside the running rove (its bin folder, ../libexec/rove,
 * ../libexec), else the build tree's when rove runs from that build tree, else $PATH. */
#ifndef ROVE_PROVIDERS_VMM_VMM_BINARY_H
#define ROVE_PROVIDERS_VMM_VMM_BINARY_H

#include "util/strbuf.h"

/* The path (newly allocated), or NULL with every place looked at listed in tried
 * (comma-separated). */
char *vmm_binary_find(struct strbuf *tried);

/* The same search with the running program's path and PATH given: for tests. */
char *vmm_binary_find_from(const char *env_override, const char *exe_path, const char *path_env,
                           struct strbuf *tried);

#endif
