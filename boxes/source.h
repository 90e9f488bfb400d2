/* SPDX-License-Identifier: MIT */
/* Turns a box request's source into what to fetch: a catalog (URL or file) and the box name to
 * look up in it, or a .box (URL or file) and the name to store it under. Rules in boxes/box.h. */
#ifndef ROVE_BOXES_SOURCE_H
#define ROVE_BOXES_SOURCE_H

#include "boxes/box.h"
#include "boxes/catalog.h"

enum box_source_kind { BOX_SOURCE_CATALOG, BOX_SOURCE_BOX };

struct box_source {
    enum box_source_kind kind;
    char *location; /* URL or absolute path of the catalog or the .box */
    bool is_url;
    char *name; /* box name; NULL for a catalog document whose own name decides */
    /* location is a box registry's URL for name (ORG/NAME), asked as Vagrant asks the public
     * one: redirects only to https, the token only to the registry's own origin. */
    bool registry;
    char *bearer; /* the registry's access token, or NULL */
};

/* Returns BOX_OK, or BOX_USAGE after printing why. */
int box_source_resolve(const struct box_request *req, struct box_source *out);
void box_source_free(struct box_source *src);
/* Fetches and parses the catalog src names. Returns BOX_OK, or BOX_ERROR after printing why. */
int box_source_load_catalog(const struct box_source *src, bool insecure, struct box_catalog *out);
/* Where a catalog provider's url points: absolute URLs as they are, relative ones against the
 * catalog's own location. Newly allocated; *is_url tells URL from path. NULL (and *why) when
 * the catalog may not lead there: a catalog fetched over the network only to http(s) URLs, a
 * registry's only to https ones (or 127.0.0.0/8). */
char *box_source_provider_location(const struct box_source *src, const char *url, bool *is_url,
                                   const char **why);

#endif
