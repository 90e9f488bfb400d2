/* SPDX-License-Identifier: MIT */
/* A small qcow2 reader that turns an image into a sparse raw file, so that rove needs no QEMU
 * to run boxes made for libvirt on its own monitor.
 *
 * Supported: versions 2 and 3, any cluster size QEMU makes (512 B - 2 MiB), L1/L2 tables,
 * zero clusters, zlib-compressed clusters. Refused with a message: backing files, encryption,
 * external data files, extended L2 entries, compression other than zlib, images marked corrupt
 * and any incompatible feature this reader does not know. */
#ifndef ROVE_PROVIDERS_VMM_QCOW2_H
#define ROVE_PROVIDERS_VMM_QCOW2_H

#include <stddef.h>
#include <stdint.h>

#define QCOW2_ERROR_MAX 256

/* The parts of the header the reader needs, after validation. */
struct qcow2_header {
    uint32_t version;
    uint32_t cluster_bits;
    uint64_t virtual_size;
    uint32_t l1_size;
    uint64_t l1_offset;
};

/* Reads and checks the header of the image open on fd (file_size bytes long). Returns 0, or -1
 * with the reason in err. */
int qcow2_read_header(int fd, uint64_t file_size, struct qcow2_header *out, char *err,
                      size_t err_len);

/* Writes the guest-visible contents of the qcow2 image on in_fd to out_fd (an empty regular
 * file) as a raw image: clusters that read as zero become holes; the file ends at the virtual
 * size. Returns 0, or -1 with the reason in err (out_fd then holds garbage). */
int qcow2_convert_to_raw(int in_fd, int out_fd, char *err, size_t err_len);

/* True when the first bytes of the file on fd are the qcow2 magic. */
int qcow2_is_qcow2(int fd);

#endif
