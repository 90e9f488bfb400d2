/* SPDX-License-Identifier: MIT */
#include "bzimage.h"
#include "decompress.h"
#include "vmm_log.h"

#include <string.h>

#define SETUP_HEADER_OFFSET 0x1f1
#define HEADER_MAGIC_OFFSET 0x202
#define HEADER_JUMP_END     0x202 /* the header's length is 0x202 + the byte at 0x201 */
#define PAYLOAD_MIN_VERSION 0x0208
#define GZIP_MAGIC0         0x1f
#define GZIP_MAGIC1         0x8b

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool bzimage_is_bzimage(const uint8_t *data, size_t len)
{
    return len > HEADER_MAGIC_OFFSET + 4 && memcmp(data + HEADER_MAGIC_OFFSET, "HdrS", 4) == 0;
}

int bzimage_setup_header(const uint8_t *data, size_t len, const char *name,
                         struct setup_header *hdr)
{
    if (!bzimage_is_bzimage(data, len) || len < SETUP_HEADER_OFFSET + sizeof *hdr) {
        vmm_error("%s: not a bzImage (no \"HdrS\" setup header)", name);
        return -1;
    }
    memset(hdr, 0, sizeof *hdr);
    size_t hdr_len = HEADER_JUMP_END + data[0x201] - SETUP_HEADER_OFFSET;
    if (hdr_len > sizeof *hdr)
        hdr_len = sizeof *hdr;
    memcpy(hdr, data + SETUP_HEADER_OFFSET, hdr_len);
    if (hdr->version < PAYLOAD_MIN_VERSION) {
        vmm_error("%s: boot protocol %u.%02u is too old (2.08 or later needed)", name,
                  hdr->version >> 8, hdr->version & 0xff);
        return -1;
    }
    if (!(hdr->loadflags & 0x01)) {
        vmm_error("%s: not a bzImage (zImage kernels are not supported)", name);
        return -1;
    }
    return 0;
}

int bzimage_unpack(const uint8_t *data, size_t len, const char *name, uint8_t **vmlinux,
                   size_t *vmlinux_len)
{
    struct setup_header hdr;
    if (bzimage_setup_header(data, len, name, &hdr) < 0)
        return -1;
    size_t setup_sects = hdr.setup_sects ? hdr.setup_sects : 4;
    size_t protected_start = (setup_sects + 1) * 512;
    size_t payload_start = protected_start + hdr.payload_offset;
    if (payload_start > len || hdr.payload_length > len - payload_start || hdr.payload_length < 8) {
        vmm_error("%s: truncated bzImage (payload at %zu, %u bytes, file %zu bytes)", name,
                  payload_start, hdr.payload_length, len);
        return -1;
    }
    const uint8_t *payload = data + payload_start;
    size_t payload_len = hdr.payload_length;
    /* The kernel build appends the uncompressed size as 4 little-endian bytes; for gzip they are
     * the stream's own trailer, for every other format they follow the stream and are cut off. */
    size_t expected = le32(payload + payload_len - 4);
    bool gzip = payload[0] == GZIP_MAGIC0 && payload[1] == GZIP_MAGIC1;
    if (!gzip)
        payload_len -= 4;
    char err[256];
    if (decompress_raw(payload, payload_len, expected, BZIMAGE_MAX_VMLINUX, vmlinux, vmlinux_len,
                       err, sizeof err) < 0) {
        vmm_error("%s: cannot unpack the kernel payload: %s", name, err);
        return -1;
    }
    return 0;
}
