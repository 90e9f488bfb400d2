/* SPDX-License-Identifier: MIT */
/* Raw (single-stream) decompression through libarchive's filters: gzip, xz, lzma, bzip2, zstd,
 * lz4, lzop. */
#ifndef ROVE_VMM_DECOMPRESS_H
#define ROVE_VMM_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

/* Decompresses data into a new heap buffer of at most max_out bytes. Returns 0, or -1 with a
 * description in err. When expected_len is not 0, the output must have exactly that length. */
int decompress_raw(const uint8_t *data, size_t len, size_t expected_len, size_t max_out,
                   uint8_t **out, size_t *out_len, char *err, size_t err_size);

#endif
