/* SPDX-License-Identifier: MIT */
/* Where rove keeps per-user data (DESIGN.md "State and cache"). ROVE_HOME overrides everything
 * (tests and CI use it); otherwise the XDG folders. */
#ifndef ROVE_UTIL_PATHS_H
#define ROVE_UTIL_PATHS_H

/* Each returns a newly allocated absolute path; none is created. */
char *rove_data_dir(void);  /* $ROVE_HOME, or $XDG_DATA_HOME/rove, or ~/.local/share/rove */
char *rove_cache_dir(void); /* $ROVE_HOME/cache, or $XDG_CACHE_HOME/rove, or ~/.cache/rove */

#endif
