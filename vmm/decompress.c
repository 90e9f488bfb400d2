/* SPDX-License-Identifier: MIT */
#include "decompress.h"

#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef ROVE_VMM_LIBARCHIVE_SONAME
#define ROVE_VMM_LIBARCHIVE_SONAME "libarchive.so.13"
#endif

/* libarchive (and, through libxml2, ICU and libstdc++) would add megabytes to the monitor's
 * resident memory for the whole life of the VM, yet it is needed for a moment at start-up: it
 * is loaded only to unpack a bzImage and unloaded right after. */
struct libarchive {
    void *handle;
    __typeof__(archive_read_new) *read_new;
    __typeof__(archive_read_support_filter_all) *support_filter_all;
    __typeof__(archive_read_support_format_raw) *support_format_raw;
    __typeof__(archive_read_open_memory) *open_memory;
    __typeof__(archive_read_next_header) *next_header;
    __typeof__(archive_filter_count) *filter_count;
    __typeof__(archive_read_data) *read_data;
    __typeof__(archive_error_string) *error_string;
    __typeof__(archive_read_free) *read_free;
};

static int load(struct libarchive *la, char *err, size_t err_size)
{
    la->handle = dlopen(ROVE_VMM_LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!la->handle) {
        snprintf(err, err_size, "cannot load %s (install libarchive13): %s",
                 ROVE_VMM_LIBARCHIVE_SONAME, dlerror());
        return -1;
    }
    /* Through void * as POSIX prescribes for dlsym results. */
#define RESOLVE(field, symbol) *(void **)&la->field = dlsym(la->handle, #symbol)
    RESOLVE(read_new, archive_read_new);
    RESOLVE(support_filter_all, archive_read_support_filter_all);
    RESOLVE(support_format_raw, archive_read_support_format_raw);
    RESOLVE(open_memory, archive_read_open_memory);
    RESOLVE(next_header, archive_read_next_header);
    RESOLVE(filter_count, archive_filter_count);
    RESOLVE(read_data, archive_read_data);
    RESOLVE(error_string, archive_error_string);
    RESOLVE(read_free, archive_read_free);
#undef RESOLVE
    if (!la->read_new || !la->support_filter_all || !la->support_format_raw || !la->open_memory ||
        !la->next_header || !la->filter_count || !la->read_data || !la->error_string ||
        !la->read_free) {
        snprintf(err, err_size, "%s lacks the functions rove-vmm needs",
                 ROVE_VMM_LIBARCHIVE_SONAME);
        dlclose(la->handle);
        return -1;
    }
    return 0;
}

static int fail(struct libarchive *la, struct archive *a, uint8_t *buf, char *err, size_t err_size,
                const char *what)
{
    const char *detail = la->error_string(a);
    snprintf(err, err_size, "%s: %s", what, detail ? detail : "unknown error");
    la->read_free(a);
    free(buf);
    return -1;
}

static int unpack(struct libarchive *la, const uint8_t *data, size_t len, size_t expected_len,
                  size_t max_out, uint8_t **out, size_t *out_len, char *err, size_t err_size)
{
    struct archive *a = la->read_new();
    la->support_filter_all(a);
    la->support_format_raw(a);
    struct archive_entry *entry;
    if (la->open_memory(a, data, len) != ARCHIVE_OK)
        return fail(la, a, NULL, err, err_size, "unreadable compressed data");
    if (la->next_header(a, &entry) != ARCHIVE_OK)
        return fail(la, a, NULL, err, err_size, "unreadable compressed stream");
    if (la->filter_count(a) < 2) {
        snprintf(err, err_size, "payload is not compressed in a known format");
        la->read_free(a);
        return -1;
    }
    size_t cap = expected_len && expected_len <= max_out ? expected_len : (16u << 20);
    size_t used = 0;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return fail(la, a, NULL, err, err_size, "out of memory");
    for (;;) {
        if (used == cap) {
            if (cap >= max_out)
                return fail(la, a, buf, err, err_size, "decompressed data too large");
            cap = cap * 2 < max_out ? cap * 2 : max_out;
            uint8_t *grown = realloc(buf, cap);
            if (!grown)
                return fail(la, a, buf, err, err_size, "out of memory");
            buf = grown;
        }
        la_ssize_t n = la->read_data(a, buf + used, cap - used);
        if (n == 0)
            break;
        if (n < 0)
            return fail(la, a, buf, err, err_size, "corrupt compressed data");
        used += (size_t)n;
    }
    la->read_free(a);
    if (expected_len && used != expected_len) {
        snprintf(err, err_size, "unpacked %zu bytes, but the image records %zu", used,
                 expected_len);
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = used;
    return 0;
}

int decompress_raw(const uint8_t *data, size_t len, size_t expected_len, size_t max_out,
                   uint8_t **out, size_t *out_len, char *err, size_t err_size)
{
    struct libarchive la;
    if (load(&la, err, err_size) < 0)
        return -1;
    int rc = unpack(&la, data, len, expected_len, max_out, out, out_len, err, err_size);
    dlclose(la.handle);
    return rc;
}
