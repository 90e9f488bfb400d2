/* Unpacks a box archive from an open libarchive reader into a folder, refusing every entry that
 * could escape the folder or does not belong in a box: absolute paths, "..", symbolic or hard
 * links pointing outside, devices, fifos and sockets, and entries over a size limit. Files are
 * written sparse: holes in sparse tar entries and runs of zero bytes become holes on disk, so a
 * 20 GiB image holding 500 MiB of data takes about 500 MiB.
 *
 * Nothing is ever written through a symbolic link: every path is walked one component at a time
 * with O_NOFOLLOW below the folder's descriptor. */
#ifndef ROVE_BOXES_UNPACK_H
#define ROVE_BOXES_UNPACK_H

#include <stdbool.h>
#include <stdint.h>

struct archive;

/* The record rove writes into every stored box; an archive may not carry its own. */
#define BOX_RECORD_NAME            ".rove-box.json"
#define BOX_DEFAULT_MAX_ENTRY_SIZE (UINT64_C(1) << 40) /* 1 TiB */

struct unpack_report {
    uint64_t entries;
    uint64_t bytes; /* bytes of file data unpacked (holes included) */
    bool has_vagrantfile;
};

/* Reads every entry of a into the folder open as root_fd. max_entry_size 0 means the default.
 * Returns 0, or -1 with *err (newly allocated) naming the entry and why it was refused. */
int box_unpack(struct archive *a, int root_fd, uint64_t max_entry_size,
               struct unpack_report *report, char **err);

/* Opens a libarchive reader for box formats: tar (plain, gzip, xz, zstd, bzip2) and, when
 * seekable is true, zip. */
struct archive *box_archive_reader_new(bool seekable);

#endif
