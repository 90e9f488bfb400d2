/* SPDX-License-Identifier: MIT */
#include "boxes/image_check.h"
#include "util/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define QCOW2_MAGIC            0x514649fbu /* "QFI\xfb" */
#define QCOW2_V2_HEADER_LENGTH 72
#define INCOMPAT_DATA_FILE     (UINT64_C(1) << 2)
#define EXT_END                0x00000000u
#define EXT_DATA_FILE          0x44415441u /* "DATA": the external data file's name */
#define NAME_MAX_SHOWN         1023
#define EXTENSIONS_MAX         4096 /* QEMU keeps header extensions in the first cluster */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
    ssize_t got = pread(fd, buf, n, (off_t)off);
    return got == (ssize_t)n ? 0 : -1;
}

/* The name the image stores at off (len bytes), printable, for the message. */
static char *stored_name(int fd, uint64_t off, uint32_t len)
{
    if (len > NAME_MAX_SHOWN)
        len = NAME_MAX_SHOWN;
    char *name = xcalloc(1, (size_t)len + 1);
    if (read_at(fd, name, len, off) < 0)
        strcpy(name, "?");
    for (char *p = name; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
            *p = '?';
    return name;
}

/* Walks the header extensions from off to find an external data file's name. */
static char *data_file_extension(int fd, uint64_t off)
{
    unsigned char ext[8];
    for (uint64_t end = off + EXTENSIONS_MAX; off + 8 <= end;) {
        if (read_at(fd, ext, sizeof ext, off) < 0 || be32(ext) == EXT_END)
            return NULL;
        uint32_t len = be32(ext + 4);
        if (be32(ext) == EXT_DATA_FILE)
            return stored_name(fd, off + 8, len);
        off += 8 + (((uint64_t)len + 7) & ~UINT64_C(7));
    }
    return NULL;
}

static int check_qcow2(int fd, const unsigned char *h, char **err)
{
    uint32_t version = be32(h + 4);
    if (version != 2 && version != 3) {
        *err = xasprintf("qcow2 version %u, which rove cannot inspect, is refused", version);
        return -1;
    }
    uint64_t backing_offset = be64(h + 8);
    if (backing_offset) {
        char *name = stored_name(fd, backing_offset, be32(h + 16));
        *err = xasprintf("the qcow2 image has a backing file (%s): a box image must be "
                         "self-contained, or it could read files of the host into the guest",
                         name);
        free(name);
        return -1;
    }
    if (version == 2)
        return 0;
    uint32_t header_length = be32(h + 100);
    char *data_file = data_file_extension(
        fd, header_length >= QCOW2_V2_HEADER_LENGTH ? header_length : QCOW2_V2_HEADER_LENGTH);
    if (data_file || (be64(h + 72) & INCOMPAT_DATA_FILE)) {
        *err = xasprintf("the qcow2 image keeps its data in an external data file (%s): a box "
                         "image must be self-contained, or it could read files of the host "
                         "into the guest",
                         data_file ? data_file : "unnamed");
        free(data_file);
        return -1;
    }
    return 0;
}

int box_image_check(const char *path, char **err)
{
    *err = NULL;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        *err = xasprintf("cannot inspect it: %s", fd < 0 ? strerror(errno) : "not a file");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    unsigned char h[104] = {0};
    ssize_t n = pread(fd, h, sizeof h, 0);
    int rc = 0;
    if (n >= 4 && be32(h) == QCOW2_MAGIC) {
        if (n < (ssize_t)sizeof h && be32(h + 4) != 2) {
            *err = xstrdup("the qcow2 header is cut short");
            rc = -1;
        } else {
            rc = check_qcow2(fd, h, err);
        }
    }
    close(fd);
    return rc;
}
