/* SPDX-License-Identifier: MIT */
/* Finding and loading provider modules (rove-provider-NAME.so) on demand.
 *
 * Search order: every folder of $ROVE_PROVIDER_PATH (colon-separated), then the build tree's
 * module folder when the running binary is the un-installed one from that build tree, then the
 * installed module folder. A module is loaded once and stays loaded until provider_unload_all(). */
#ifndef ROVE_PROVIDERS_LOADER_H
#define ROVE_PROVIDERS_LOADER_H

#include "providers/provider.h"

/* The operations of provider NAME, loading its module on first use. On failure prints an error
 * naming every path it tried (and why each failed) and returns NULL. */
const struct rove_provider *provider_load(const char *name);
/* The same, but silent when no module of that name is installed (a box for a provider rove
 * does not have); a broken module is still reported. */
const struct rove_provider *provider_load_if_installed(const char *name);

/* The folders searched, in order, newly allocated as a NULL-terminated array (free with
 * provider_free_search_dirs). */
char **provider_search_dirs(void);
void provider_free_search_dirs(char **dirs);

void provider_unload_all(void);

#endif
