/* SPDX-License-Identifier: MIT */
/* The box layer's API: what `rove box add` and `rove up` call to get a box into the store.
 *
 * Boxes live in one store shared by every project of the user (boxes/paths.h):
 *   STORE/NAME/VERSION/PROVIDER/   the unpacked box, plus rove's record .rove-box.json
 * with NAME percent-encoded ("debian%2Fbookworm64"). A box appears there in one rename, only once
 * its checksum and its unpacking both succeeded; until then it is built in STORE/.tmp/.
 *
 * Sources (box_request.source):
 *   - a catalog name ("debian/bookworm64"), looked up in box_request.catalog when given (a
 *     machine's box_url), else in ROVE_BOX_CATALOG, which is either
 *       a catalog document (a URL or path ending in .json: one catalog, or an array of them), or
 *       a base URL or folder under which NAME.json lives (BASE/debian/bookworm64.json);
 *     and without either, for ORG/NAME, in the box registry (ROVE_BOX_REGISTRY, else
 *     VAGRANT_SERVER_URL, else https://vagrantcloud.com), as Vagrant does;
 *   - the URL or path of a catalog document (ending in .json);
 *   - the URL (http, https) or path of a .box (tar, tar.gz, tar.xz, tar.zst or zip), stored under
 *     box_request.name, or else the file name without its extension, with version "0". */
#ifndef ROVE_BOXES_BOX_H
#define ROVE_BOXES_BOX_H

#include "boxes/metadata.h"

#include <stdbool.h>
#include <stdint.h>

struct box_request {
    const char *source;
    const char *name;      /* store a box given by URL or path under this name */
    const char *catalog;   /* catalog URL or path for a catalog name, or NULL */
    const char *version;   /* version constraint, or NULL for the newest */
    const char *provider;  /* NULL: "libvirt" when offered, else the first one */
    const char *checksum;  /* "TYPE:HEX" the .box must have, or NULL */
    bool require_checksum; /* refuse a box without a known checksum */
    bool force;            /* replace a stored box of the same name, version and provider */
    bool insecure;         /* skip TLS verification */
    uint64_t max_unpacked; /* total unpacked size; 0: ROVE_BOX_MAX_UNPACKED, else from the box */
};

struct box_handle {
    char *name;
    char *version;
    char *provider;
    char *dir;      /* the unpacked box */
    char *source;   /* URL or path the box came from */
    char *catalog;  /* catalog it was chosen from, or NULL */
    char *checksum; /* "TYPE:HEX" of the .box file, as verified when it was added, or NULL */
    char *sha256;   /* "sha256:HEX" of the .box file, or NULL (added by an older rove) */
    struct box_metadata meta;
    bool added; /* false when the store had it already */
};

enum { BOX_OK = 0, BOX_ERROR = -1, BOX_USAGE = -2 };

/* Adds the box the request names (the newest version a catalog offers that satisfies the
 * constraint), or reuses it when the store has it already (unless force). Waits while another
 * rove adds the same box. Returns BOX_OK and fills *out, or BOX_ERROR / BOX_USAGE (a bad source,
 * constraint or checksum) after printing why. */
int box_add(const struct box_request *req, struct box_handle *out);
/* For `rove up`: a stored box satisfying the request when there is one (no network for a
 * catalog name), else box_add(). A stored box satisfies a checksum pin only when its recorded
 * digest is the one asked for; a box by path only while the file's size, mtime and inode are
 * those recorded; a box by URL only when it came from that URL. */
int box_ensure(const struct box_request *req, struct box_handle *out);
void box_handle_free(struct box_handle *h);

#endif
