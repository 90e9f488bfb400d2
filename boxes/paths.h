/* SPDX-License-Identifier: MIT */
/* Where rove keeps boxes, downloads and the host index (DESIGN.md "State and cache"):
 * ROVE_HOME overrides everything (tests and CI use it); otherwise the XDG folders. */
#ifndef ROVE_BOXES_PATHS_H
#define ROVE_BOXES_PATHS_H

#include "util/paths.h" /* rove_data_dir(), rove_cache_dir() */

/* Each returns a newly allocated absolute path; none is created. */
char *box_store_dir(void);        /* DATA/boxes */
char *box_downloads_dir(void);    /* CACHE/downloads */
char *rove_host_index_path(void); /* DATA/index.json */

#endif
