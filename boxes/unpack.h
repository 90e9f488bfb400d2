/* SPDX-License-Identifier: MIT */
/* Unpacks a box archive from an open libarchive reader into a folder, refusing every entry that
 * could escape the folder or does not belong in a box: absolute paths, "..", symbolic or hard
 * links pointing outside, devices, fifos and sockets. Files are
 * written sparse: holes in sparse tar entries and runs of zero bytes become holes on disk, so a
 * 20 GiB image holding 500 MiB of data takes about 500 MiB.
 *
 * Nothing is ever written through a symbolic link: every path is walked one component at a time
 * with O_NOFOLLOW below the folder's descriptor.
 *
 * Archives are hostile, so what unpacking may cost is bounded while it happens, never checked
 * afterwards: the total unpacked size (holes included: a sparse entry claiming a petabyte costs a
 * petabyte, as it would to whoever reads the image) is charged entry by entry, a declared size
 * before any of its bytes are written, each entry at least one block, and at most
 * BOX_MAX_ENTRIES entries. Unless a limit is given, it is 4 x the virtual_size of metadata.json
 * once that entry is unpacked, else BOX_DEFAULT_MAX_UNPACKED. Before each file is written, its
 * file system must have room for the bytes it really holds. */
#ifndef ROVE_BOXES_UNPACK_H
#define ROVE_BOXES_UNPACK_H

#include <stdbool.h>
#include <stdint.h>

struct archive;

/* The record rove writes into every stored box; an archive may not carry its own. */
#define BOX_RECORD_NAME          ".rove-box.json"
#define BOX_DEFAULT_MAX_UNPACKED (UINT64_C(64) << 30) /* 64 GiB */
#define BOX_UNPACKED_PER_VIRTUAL 4
#define BOX_MAX_ENTRIES          10000
#define BOX_ENTRY_MIN_COST       4096 /* an inode and a block, even for an empty entry */
/* The variable that raises (or lowers) the limit, named in every refusal. */
#define BOX_MAX_UNPACKED_ENV "ROVE_BOX_MAX_UNPACKED"

struct unpack_limits {
    uint64_t max_unpacked; /* 0: from metadata.json's virtual_size, else the default */
    const char *dir;       /* the folder's path, for messages; NULL: found from the descriptor */
    const char *box;       /* the box's name and version, for messages; NULL: "the box" */
};

struct unpack_report {
    uint64_t entries;
    uint64_t bytes;   /* bytes of file data unpacked (holes included) */
    uint64_t charged; /* what counted against the limit (bytes, and a block per entry) */
    uint64_t limit;   /* the limit that applied in the end */
    bool has_vagrantfile;
};

/* Reads every entry of a into the folder open as root_fd; limits NULL means the defaults.
 * Returns 0, or -1 with *err (newly allocated) naming the entry and why it was refused. */
int box_unpack(struct archive *a, int root_fd, const struct unpack_limits *limits,
               struct unpack_report *report, char **err);

/* Opens a libarchive reader for box formats: tar (plain, gzip, xz, zstd, bzip2) and, when
 * seekable is true, zip. */
struct archive *box_archive_reader_new(bool seekable);

#endif
