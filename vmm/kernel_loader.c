/* SPDX-License-Identifier: MIT */
#include "kernel_loader.h"
#include "bzimage.h"
#include "vmm_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int kernel_map_file(const char *path, const char *what, uint8_t **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        vmm_error("%s %s: %s", what, path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
        vmm_error("%s %s: not a regular, non-empty file", what, path);
        close(fd);
        return -1;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        vmm_error("%s %s: %s", what, path, strerror(errno));
        return -1;
    }
    *data = map;
    *len = (size_t)st.st_size;
    return 0;
}

int kernel_load_buffer(const struct guest_mem *mem, const uint8_t *data, size_t len,
                       const char *name, struct kernel_image *out)
{
    memset(out, 0, sizeof *out);
    if (elf_is_elf(data, len))
        return elf_load(mem, data, len, name, &out->loaded);
    if (!bzimage_is_bzimage(data, len)) {
        vmm_error("%s: not a kernel (neither an ELF vmlinux nor a bzImage)", name);
        return -1;
    }
    if (bzimage_setup_header(data, len, name, &out->setup_header) < 0)
        return -1;
    out->has_setup_header = true;
    uint8_t *vmlinux;
    size_t vmlinux_len;
    if (bzimage_unpack(data, len, name, &vmlinux, &vmlinux_len) < 0)
        return -1;
    int rc = 0;
    if (!elf_is_elf(vmlinux, vmlinux_len)) {
        vmm_error("%s: the unpacked payload is not an ELF vmlinux", name);
        rc = -1;
    } else {
        rc = elf_load(mem, vmlinux, vmlinux_len, name, &out->loaded);
    }
    free(vmlinux);
    return rc;
}

int kernel_load_file(const struct guest_mem *mem, const char *path, struct kernel_image *out)
{
    uint8_t *data;
    size_t len;
    if (kernel_map_file(path, "kernel", &data, &len) < 0)
        return -1;
    int rc = kernel_load_buffer(mem, data, len, path, out);
    munmap(data, len);
    return rc;
}
