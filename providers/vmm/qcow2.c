/* SPDX-License-Identifier: MIT */
#include "providers/vmm/qcow2.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define QCOW2_MAGIC        0x514649fbu /* "QFI\xfb" */
#define HEADER_V2_LENGTH   72
#define HEADER_V3_MIN      104
#define MIN_CLUSTER_BITS   9
#define MAX_CLUSTER_BITS   21
#define OFFSET_MASK        0x00fffffffffffe00ull /* bits 9-55 of L1 and standard L2 entries */
#define L2_COMPRESSED      (1ull << 62)
#define L2_ZERO            1ull
#define INCOMPAT_DIRTY     (1ull << 0)
#define INCOMPAT_CORRUPT   (1ull << 1)
#define INCOMPAT_DATA_FILE (1ull << 2)
#define INCOMPAT_COMPRESS  (1ull << 3)
#define INCOMPAT_EXTL2     (1ull << 4)
#define KNOWN_INCOMPAT     (INCOMPAT_DIRTY | INCOMPAT_COMPRESS)
/* A guest larger than this is surely a corrupt header (QEMU's own limit is 32 PiB). */
#define MAX_VIRTUAL_SIZE (1ull << 55)
/* Zero runs this long inside a cluster become holes. */
#define SPARSE_BLOCK 4096u

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t err_len, const char *fmt,
                                                      ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    return -1;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* Reads exactly len bytes at offset; a short read is an error (the image is truncated). */
static int read_at(int fd, void *buf, size_t len, uint64_t offset)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

static int write_at(int fd, const void *buf, size_t len, uint64_t offset)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(fd, (const char *)buf + done, len - done, (off_t)(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

int qcow2_is_qcow2(int fd)
{
    unsigned char magic[4];
    return read_at(fd, magic, sizeof magic, 0) == 0 && be32(magic) == QCOW2_MAGIC;
}

static int check_features(const unsigned char *h, uint32_t header_length, char *err, size_t err_len)
{
    uint64_t incompatible = be64(h + 72);
    if (incompatible & INCOMPAT_CORRUPT)
        return fail(err, err_len, "the image is marked corrupt (repair it with qemu-img check)");
    if (incompatible & INCOMPAT_DATA_FILE)
        return fail(err, err_len,
                    "the image keeps its data in an external file, which rove "
                    "does not read");
    if (incompatible & INCOMPAT_EXTL2)
        return fail(err, err_len,
                    "the image uses extended L2 entries (subclusters), which rove "
                    "does not read");
    if (incompatible & ~KNOWN_INCOMPAT)
        return fail(err, err_len, "the image has unknown incompatible features (0x%llx)",
                    (unsigned long long)(incompatible & ~KNOWN_INCOMPAT));
    if (incompatible & INCOMPAT_COMPRESS) {
        unsigned type = header_length > 104 ? h[104] : 0;
        if (type != 0)
            return fail(err, err_len,
                        "the image's clusters are compressed with method %u "
                        "(zstd?); rove reads only zlib",
                        type);
    }
    return 0;
}

int qcow2_read_header(int fd, uint64_t file_size, struct qcow2_header *out, char *err,
                      size_t err_len)
{
    unsigned char h[HEADER_V3_MIN + 8];
    memset(h, 0, sizeof h);
    if (file_size < HEADER_V2_LENGTH || read_at(fd, h, HEADER_V2_LENGTH, 0) != 0)
        return fail(err, err_len, "too short for a qcow2 header");
    if (be32(h) != QCOW2_MAGIC)
        return fail(err, err_len, "not a qcow2 image (bad magic)");
    out->version = be32(h + 4);
    if (out->version != 2 && out->version != 3)
        return fail(err, err_len, "qcow2 version %u is not supported (only 2 and 3)", out->version);
    if (be64(h + 8) != 0 || be32(h + 16) != 0)
        return fail(err, err_len,
                    "the image has a backing file; rove needs a self-contained "
                    "image (flatten it with qemu-img convert)");
    out->cluster_bits = be32(h + 20);
    if (out->cluster_bits < MIN_CLUSTER_BITS || out->cluster_bits > MAX_CLUSTER_BITS)
        return fail(err, err_len, "invalid cluster size (2^%u bytes)", out->cluster_bits);
    out->virtual_size = be64(h + 24);
    if (out->virtual_size > MAX_VIRTUAL_SIZE)
        return fail(err, err_len, "implausible virtual size %llu bytes",
                    (unsigned long long)out->virtual_size);
    if (be32(h + 32) != 0)
        return fail(err, err_len, "the image is encrypted (method %u); rove cannot read it",
                    be32(h + 32));
    out->l1_size = be32(h + 36);
    out->l1_offset = be64(h + 40);
    if (out->version == 3) {
        if (file_size < HEADER_V3_MIN || read_at(fd, h, sizeof h, 0) != 0)
            return fail(err, err_len, "too short for a qcow2 version 3 header");
        uint32_t header_length = be32(h + 100);
        if (header_length < HEADER_V3_MIN || header_length > file_size)
            return fail(err, err_len, "invalid header length %u", header_length);
        if (check_features(h, header_length, err, err_len) != 0)
            return -1;
    }
    uint64_t cluster = 1ull << out->cluster_bits;
    uint64_t per_l2 = cluster / 8;
    uint64_t needed = (out->virtual_size + cluster * per_l2 - 1) / (cluster * per_l2);
    if (out->l1_size < needed)
        return fail(err, err_len, "the L1 table (%u entries) is too small for %llu bytes",
                    out->l1_size, (unsigned long long)out->virtual_size);
    if (needed && ((out->l1_offset & (cluster - 1)) != 0 || out->l1_offset >= file_size ||
                   needed * 8 > file_size - out->l1_offset))
        return fail(err, err_len, "the L1 table offset 0x%llx lies outside the image",
                    (unsigned long long)out->l1_offset);
    return 0;
}

/* The conversion's working state. */
struct converter {
    int in_fd, out_fd;
    uint64_t file_size;
    struct qcow2_header h;
    uint64_t cluster;
    unsigned char *data;       /* one cluster of guest data */
    unsigned char *compressed; /* the compressed bytes of one cluster */
    uint64_t *l2;              /* one L2 table */
    char *err;
    size_t err_len;
};

static bool all_zero(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return false;
    return true;
}

static int inflate_cluster(struct converter *c, uint64_t entry, uint64_t guest)
{
    unsigned x = 62 - (c->h.cluster_bits - 8);
    uint64_t offset = entry & ((1ull << x) - 1);
    uint64_t sectors = ((entry & ~L2_COMPRESSED) >> x) + 1;
    uint64_t len = sectors * 512 - (offset & 511);
    if (offset >= c->file_size)
        return fail(c->err, c->err_len, "compressed cluster at 0x%llx lies outside the image",
                    (unsigned long long)offset);
    if (len > c->file_size - offset) /* the last one may be cut short at the end of the file */
        len = c->file_size - offset;
    if (len > 2 * c->cluster || read_at(c->in_fd, c->compressed, (size_t)len, offset) != 0)
        return fail(c->err, c->err_len, "cannot read the compressed cluster at 0x%llx",
                    (unsigned long long)offset);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -12) != Z_OK)
        return fail(c->err, c->err_len, "zlib cannot start");
    zs.next_in = c->compressed;
    zs.avail_in = (uInt)len;
    zs.next_out = c->data;
    zs.avail_out = (uInt)c->cluster;
    int rc = inflate(&zs, Z_FINISH);
    bool full = zs.avail_out == 0;
    inflateEnd(&zs);
    if ((rc != Z_STREAM_END && rc != Z_BUF_ERROR && rc != Z_OK) || !full)
        return fail(c->err, c->err_len,
                    "the compressed cluster for guest offset 0x%llx does not inflate",
                    (unsigned long long)guest);
    return 0;
}

/* Writes the cluster in c->data, leaving its all-zero blocks as holes (large clusters often
 * hold little data). */
static int write_nonzero(struct converter *c, size_t len, uint64_t guest)
{
    size_t run_start = 0, run_len = 0;
    for (size_t pos = 0; pos < len; pos += SPARSE_BLOCK) {
        size_t n = len - pos < SPARSE_BLOCK ? len - pos : SPARSE_BLOCK;
        if (!all_zero(c->data + pos, n)) {
            if (!run_len)
                run_start = pos;
            run_len += n;
            continue;
        }
        if (run_len && write_at(c->out_fd, c->data + run_start, run_len, guest + run_start) != 0)
            return -1;
        run_len = 0;
    }
    if (run_len && write_at(c->out_fd, c->data + run_start, run_len, guest + run_start) != 0)
        return -1;
    return 0;
}

/* Fills c->data with the cluster an L2 entry points to; *zero tells that it reads as zeros. */
static int read_cluster(struct converter *c, uint64_t entry, uint64_t guest, bool *zero)
{
    *zero = false;
    if (entry & L2_COMPRESSED)
        return inflate_cluster(c, entry, guest);
    uint64_t offset = entry & OFFSET_MASK;
    if ((entry & L2_ZERO && c->h.version == 3) || offset == 0) {
        *zero = true;
        return 0;
    }
    if ((offset & (c->cluster - 1)) != 0 || offset >= c->file_size ||
        read_at(c->in_fd, c->data, (size_t)c->cluster, offset) != 0)
        return fail(c->err, c->err_len,
                    "the data cluster at 0x%llx (guest offset 0x%llx) lies "
                    "outside the image",
                    (unsigned long long)offset, (unsigned long long)guest);
    return 0;
}

static int convert_l2(struct converter *c, uint64_t l2_offset, uint64_t guest_base)
{
    if ((l2_offset & (c->cluster - 1)) != 0 || l2_offset >= c->file_size ||
        read_at(c->in_fd, c->l2, (size_t)c->cluster, l2_offset) != 0)
        return fail(c->err, c->err_len, "the L2 table at 0x%llx lies outside the image",
                    (unsigned long long)l2_offset);
    uint64_t per_l2 = c->cluster / 8;
    for (uint64_t i = 0; i < per_l2; i++) {
        uint64_t guest = guest_base + i * c->cluster;
        if (guest >= c->h.virtual_size)
            break;
        bool zero;
        if (read_cluster(c, be64((const unsigned char *)&c->l2[i]), guest, &zero) != 0)
            return -1;
        uint64_t len =
            c->h.virtual_size - guest < c->cluster ? c->h.virtual_size - guest : c->cluster;
        if (!zero && write_nonzero(c, (size_t)len, guest) != 0)
            return fail(c->err, c->err_len, "cannot write the raw image: %s", strerror(errno));
    }
    return 0;
}

static int convert(struct converter *c)
{
    uint64_t per_l2 = c->cluster / 8;
    uint64_t span = c->cluster * per_l2;
    uint64_t entries = (c->h.virtual_size + span - 1) / span;
    for (uint64_t i = 0; i < entries; i++) {
        unsigned char raw[8];
        if (read_at(c->in_fd, raw, 8, c->h.l1_offset + i * 8) != 0)
            return fail(c->err, c->err_len, "cannot read the L1 table");
        uint64_t l2_offset = be64(raw) & OFFSET_MASK;
        if (l2_offset && convert_l2(c, l2_offset, i * span) != 0)
            return -1;
    }
    if (ftruncate(c->out_fd, (off_t)c->h.virtual_size) != 0)
        return fail(c->err, c->err_len, "cannot size the raw image: %s", strerror(errno));
    return 0;
}

int qcow2_convert_to_raw(int in_fd, int out_fd, char *err, size_t err_len)
{
    struct stat st;
    if (fstat(in_fd, &st) != 0)
        return fail(err, err_len, "cannot stat the image: %s", strerror(errno));
    struct converter c = {.in_fd = in_fd,
                          .out_fd = out_fd,
                          .file_size = (uint64_t)st.st_size,
                          .err = err,
                          .err_len = err_len};
    if (qcow2_read_header(in_fd, c.file_size, &c.h, err, err_len) != 0)
        return -1;
    c.cluster = 1ull << c.h.cluster_bits;
    c.data = malloc((size_t)c.cluster);
    c.compressed = malloc((size_t)(2 * c.cluster));
    c.l2 = malloc((size_t)c.cluster);
    int rc = c.data && c.compressed && c.l2 ? convert(&c) : fail(err, err_len, "out of memory");
    free(c.data);
    free(c.compressed);
    free(c.l2);
    return rc;
}
