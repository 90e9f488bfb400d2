/* SPDX-License-Identifier: MIT */
/* Fetches one .box and unpacks it while it arrives, into an empty folder, checking its checksum.
 * tar archives (plain or compressed) stream straight from the network into the unpacker; the
 * bytes are hashed on the way and kept in the partial file only so an interruption can resume.
 * zip archives keep their index at the end, which libarchive cannot always stream: they are
 * spooled to the partial file first and unpacked from there. */
#ifndef ROVE_BOXES_FETCH_H
#define ROVE_BOXES_FETCH_H

#include "boxes/checksum.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

struct fetch_spec {
    const char *location; /* URL or path */
    bool is_url;
    const struct box_checksum *expected; /* or NULL */
    bool insecure;
    bool strict_redirects; /* see download_request */
    const char *bearer;
    uint64_t max_unpacked; /* 0: from the box's metadata.json (unpack.h) */
    const char *label;
};

struct fetch_result {
    char *checksum; /* "TYPE:HEX" of what arrived, when a checksum was expected (and matched) */
    char *sha256;   /* "sha256:HEX" of what arrived, always */
    uint64_t size;  /* bytes of the .box */
    char *source;   /* the final URL (after redirects) or the path */
    bool is_local;
    struct stat local; /* the local .box as it was read (size, mtime, inode) */
    bool has_vagrantfile;
};

/* Returns 0, or -1 after printing why; on failure the folder may hold partial contents. */
int box_fetch(const struct fetch_spec *spec, const char *dir, struct fetch_result *out);
void fetch_result_free(struct fetch_result *r);

#endif
