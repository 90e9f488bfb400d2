/* SPDX-License-Identifier: MIT */
/* The kernel loaders on real and corrupted kernels: the micro-guest ELF, bzImages wrapped around
 * it with every compression Linux uses (built here through libarchive's write filters), and the
 * Debian kernel when it has been fetched into the test cache.
 * usage: test_loaders MICROGUEST_ELF [DEBIAN_BZIMAGE] */
#include "bzimage.h"
#include "kernel_loader.h"

#include <archive.h>
#include <archive_entry.h>
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#define RAM_SIZE       (256u << 20)
#define PAYLOAD_OFFSET 0x40

static const char *microguest_path;
static const char *debian_kernel_path;
static uint8_t *elf;
static size_t elf_len;
static uint8_t *ram;
static struct guest_mem mem;

static int group_setup(void **state)
{
    (void)state;
    assert_int_equal(kernel_map_file(microguest_path, "micro-guest", &elf, &elf_len), 0);
    ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
               -1, 0);
    assert_true(ram != MAP_FAILED);
    guest_mem_init_flat(&mem, ram, RAM_SIZE);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    munmap(elf, elf_len);
    munmap(ram, RAM_SIZE);
    return 0;
}

static uint8_t *copy_of_elf(void)
{
    uint8_t *copy = malloc(elf_len);
    memcpy(copy, elf, elf_len);
    return copy;
}

static void test_elf_loads(void **state)
{
    (void)state;
    struct kernel_image k;
    memset(ram + 0x100000, 0xcc, 4096);
    assert_int_equal(kernel_load_buffer(&mem, elf, elf_len, "micro-guest", &k), 0);
    assert_false(k.has_setup_header);
    assert_int_equal(k.loaded.entry, 0x100000);
    assert_true(k.loaded.load_end > 0x100000);
    /* The first loaded byte is the entry code, copied from the file's first segment. */
    assert_int_not_equal(ram[0x100000], 0xcc);
}

static void expect_elf_refused(uint8_t *data, size_t len)
{
    struct kernel_image k;
    assert_int_equal(kernel_load_buffer(&mem, data, len, "corrupt.elf", &k), -1);
}

static void test_elf_corrupted(void **state)
{
    (void)state;
    expect_elf_refused(elf, 40); /* truncated header */
    uint8_t *copy = copy_of_elf();
    Elf64_Ehdr *eh = (Elf64_Ehdr *)copy;
    Elf64_Phdr *ph = (Elf64_Phdr *)(copy + eh->e_phoff);

    eh->e_phoff = elf_len; /* program headers beyond the file */
    expect_elf_refused(copy, elf_len);
    memcpy(copy, elf, elf_len);
    eh->e_machine = 3; /* i386 */
    expect_elf_refused(copy, elf_len);
    memcpy(copy, elf, elf_len);
    eh->e_type = 3; /* ET_DYN */
    expect_elf_refused(copy, elf_len);
    memcpy(copy, elf, elf_len);
    ph[0].p_paddr = 0x1000; /* over the boot structures */
    expect_elf_refused(copy, elf_len);
    memcpy(copy, elf, elf_len);
    ph[0].p_paddr = RAM_SIZE - 16; /* beyond guest memory */
    expect_elf_refused(copy, elf_len);
    memcpy(copy, elf, elf_len);
    ph[0].p_filesz = elf_len * 4; /* segment larger than the file */
    ph[0].p_memsz = elf_len * 4;
    expect_elf_refused(copy, elf_len);
    memcpy(copy, elf, elf_len);
    eh->e_entry = 0x50000000; /* entry outside every segment */
    expect_elf_refused(copy, elf_len);
    free(copy);
}

static void test_not_a_kernel(void **state)
{
    (void)state;
    uint8_t text[4096];
    memset(text, 'x', sizeof text);
    struct kernel_image k;
    assert_int_equal(kernel_load_buffer(&mem, text, sizeof text, "notes.txt", &k), -1);
    assert_int_equal(kernel_load_file(&mem, "/nonexistent/vmlinuz", &k), -1);
}

/* Compresses data with one of libarchive's write filters. */
static uint8_t *compress(int (*add_filter)(struct archive *), const uint8_t *data, size_t len,
                         size_t *out_len)
{
    size_t cap = len + 65536;
    uint8_t *out = malloc(cap);
    struct archive *a = archive_write_new();
    assert_int_equal(add_filter(a), ARCHIVE_OK);
    assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
    assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
    assert_int_equal(archive_write_open_memory(a, out, cap, out_len), ARCHIVE_OK);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "vmlinux");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_size(e, (la_int64_t)len);
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    assert_int_equal(archive_write_data(a, data, len), (la_ssize_t)len);
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_entry_free(e);
    archive_write_free(a);
    return out;
}

/* A bzImage as the kernel build lays it out: boot sector and one setup sector with the header,
 * then the protected-mode part holding the payload, which ends with the uncompressed size. */
static uint8_t *make_bzimage(const uint8_t *payload, size_t payload_len, bool gzip, size_t *len)
{
    size_t trailer = gzip ? 0 : 4;
    size_t start = 2 * 512 + PAYLOAD_OFFSET;
    *len = start + payload_len + trailer;
    uint8_t *img = calloc(1, *len);
    struct setup_header hdr = {.setup_sects = 1,
                               .boot_flag = 0xaa55,
                               .header = 0x53726448,
                               .version = 0x020f,
                               .loadflags = 0x01,
                               .payload_offset = PAYLOAD_OFFSET,
                               .payload_length = (uint32_t)(payload_len + trailer),
                               .initrd_addr_max = 0x7fffffff};
    memcpy(img + 0x1f1, &hdr, sizeof hdr);
    img[0x201] = (uint8_t)(0x1f1 + sizeof hdr - 0x202);
    memcpy(img + start, payload, payload_len);
    uint32_t size = (uint32_t)elf_len;
    if (!gzip)
        memcpy(img + start + payload_len, &size, 4);
    return img;
}

/* Every format must refuse a truncated payload; those with a checksum (all but zstd and lz4 as
 * libarchive writes them) must also refuse bytes flipped in the middle. */
static void check_bzimage_with(int (*add_filter)(struct archive *), bool gzip, bool checksummed)
{
    size_t payload_len, len;
    uint8_t *payload = compress(add_filter, elf, elf_len, &payload_len);
    uint8_t *img = make_bzimage(payload, payload_len, gzip, &len);
    struct kernel_image k;
    memset(ram + 0x100000, 0, 4096);
    assert_int_equal(kernel_load_buffer(&mem, img, len, "bzImage", &k), 0);
    assert_true(k.has_setup_header);
    assert_int_equal(k.setup_header.version, 0x020f);
    assert_int_equal(k.loaded.entry, 0x100000);
    assert_int_not_equal(ram[0x100000], 0);

    struct setup_header *hdr = (struct setup_header *)(img + 0x1f1);
    uint32_t full_length = hdr->payload_length;
    hdr->payload_length = full_length / 2;
    assert_int_equal(kernel_load_buffer(&mem, img, len, "truncated-payload", &k), -1);
    hdr->payload_length = full_length;
    if (checksummed) {
        img[2 * 512 + PAYLOAD_OFFSET + payload_len / 2] ^= 0xff;
        img[2 * 512 + PAYLOAD_OFFSET + payload_len / 2 + 1] ^= 0xff;
        assert_int_equal(kernel_load_buffer(&mem, img, len, "damaged-payload", &k), -1);
    }
    free(img);
    free(payload);
}

static void test_bzimage_gzip(void **state)
{
    (void)state;
    check_bzimage_with(archive_write_add_filter_gzip, true, true);
}

static void test_bzimage_xz(void **state)
{
    (void)state;
    check_bzimage_with(archive_write_add_filter_xz, false, true);
}

static void test_bzimage_zstd(void **state)
{
    (void)state;
    check_bzimage_with(archive_write_add_filter_zstd, false, false);
}

static void test_bzimage_bzip2(void **state)
{
    (void)state;
    check_bzimage_with(archive_write_add_filter_bzip2, false, true);
}

static void test_bzimage_lzma(void **state)
{
    (void)state;
    check_bzimage_with(archive_write_add_filter_lzma, false, false);
}

static void test_bzimage_lz4(void **state)
{
    (void)state;
    check_bzimage_with(archive_write_add_filter_lz4, false, false);
}

static void test_bzimage_corrupted(void **state)
{
    (void)state;
    size_t payload_len, len;
    uint8_t *payload = compress(archive_write_add_filter_xz, elf, elf_len, &payload_len);
    uint8_t *img = make_bzimage(payload, payload_len, false, &len);
    struct kernel_image k;
    struct setup_header *hdr = (struct setup_header *)(img + 0x1f1);

    hdr->payload_length = (uint32_t)len; /* beyond the end of the file */
    assert_int_equal(kernel_load_buffer(&mem, img, len, "bzImage", &k), -1);
    hdr->payload_length = (uint32_t)payload_len + 4;
    hdr->version = 0x0205; /* no payload fields before 2.08 */
    assert_int_equal(kernel_load_buffer(&mem, img, len, "bzImage", &k), -1);
    hdr->version = 0x020f;
    assert_int_equal(kernel_load_buffer(&mem, img, len / 2, "truncated-bzImage", &k), -1);
    free(img);
    free(payload);

    /* A payload that unpacks to something other than an ELF file. */
    uint8_t text[8192];
    memset(text, 't', sizeof text);
    payload = compress(archive_write_add_filter_gzip, text, sizeof text, &payload_len);
    img = make_bzimage(payload, payload_len, true, &len);
    assert_int_equal(kernel_load_buffer(&mem, img, len, "bzImage", &k), -1);
    free(img);
    free(payload);

    /* An uncompressed payload. */
    img = make_bzimage(elf, elf_len, false, &len);
    assert_int_equal(kernel_load_buffer(&mem, img, len, "bzImage", &k), -1);
    free(img);
}

static void test_debian_kernel(void **state)
{
    (void)state;
    if (!debian_kernel_path || access(debian_kernel_path, R_OK) != 0) {
        printf("SKIP: no Debian kernel in the test cache (run tests/vmm/fetch-kernel); the "
               "bzImage path is still covered by the synthetic images\n");
        skip();
    }
    struct kernel_image k;
    assert_int_equal(kernel_load_file(&mem, debian_kernel_path, &k), 0);
    assert_true(k.has_setup_header);
    assert_true(k.setup_header.version >= 0x020c);
    /* Debian builds with CONFIG_PHYSICAL_START=0x1000000; vmlinux's entry is startup_64 there. */
    assert_int_equal(k.loaded.entry, 0x1000000);
    assert_true(k.loaded.load_end > 0x2000000);
    assert_memory_not_equal(ram + 0x1000000, (uint8_t[16]){0}, 16);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s MICROGUEST_ELF [DEBIAN_BZIMAGE]\n", argv[0]);
        return 2;
    }
    microguest_path = argv[1];
    debian_kernel_path = argc > 2 ? argv[2] : NULL;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elf_loads),     cmocka_unit_test(test_elf_corrupted),
        cmocka_unit_test(test_not_a_kernel),  cmocka_unit_test(test_bzimage_gzip),
        cmocka_unit_test(test_bzimage_xz),    cmocka_unit_test(test_bzimage_zstd),
        cmocka_unit_test(test_bzimage_bzip2), cmocka_unit_test(test_bzimage_lzma),
        cmocka_unit_test(test_bzimage_lz4),   cmocka_unit_test(test_bzimage_corrupted),
        cmocka_unit_test(test_debian_kernel),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
