/* SPDX-License-Identifier: MIT */
/* Boot structures: e820 map, boot_params, MP table, GDT and page tables, CPUID adjustments, and
 * the keyboard controller's reset and Ctrl-Alt-Del. */
#include "boot_layout.h"
#include "boot_params.h"
#include "cpuid.h"
#include "i8042.h"
#include "long_mode.h"
#include "mptable.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define SMALL_MEM (64u << 20)

static uint8_t *ram;
static struct guest_mem mem;

static int setup(void **state)
{
    (void)state;
    ram = calloc(1, SMALL_MEM);
    guest_mem_init_flat(&mem, ram, SMALL_MEM);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(ram);
    return 0;
}

static void test_e820_small(void **state)
{
    (void)state;
    struct boot_e820_entry e[8];
    int n = e820_build(&mem, e, 8);
    assert_int_equal(n, 3);
    assert_int_equal(e[0].addr, 0);
    assert_int_equal(e[0].size, BOOT_EBDA_START);
    assert_int_equal(e[0].type, E820_TYPE_RAM);
    assert_int_equal(e[1].type, E820_TYPE_RESERVED);
    assert_int_equal(e[1].addr + e[1].size, BOOT_HIGH_MEMORY);
    assert_int_equal(e[2].addr, BOOT_HIGH_MEMORY);
    assert_int_equal(e[2].addr + e[2].size, SMALL_MEM);
}

static void test_e820_above_4g(void **state)
{
    (void)state;
    /* Regions described only: nothing is touched. */
    struct guest_mem big = {.count = 2, .total = 6ULL << 30};
    big.regions[0] = (struct guest_mem_region){0, GUEST_MEM_LOW_LIMIT, NULL};
    big.regions[1] =
        (struct guest_mem_region){GUEST_MEM_HIGH_START, (6ULL << 30) - GUEST_MEM_LOW_LIMIT, NULL};
    struct boot_e820_entry e[8];
    int n = e820_build(&big, e, 8);
    assert_int_equal(n, 4);
    assert_int_equal(e[2].addr + e[2].size, GUEST_MEM_LOW_LIMIT);
    assert_int_equal(e[3].addr, GUEST_MEM_HIGH_START);
    assert_int_equal(e[3].size, (6ULL << 30) - GUEST_MEM_LOW_LIMIT);
    /* A short table is never overrun. */
    assert_int_equal(e820_build(&big, e, 2), 2);
}

static void test_boot_params(void **state)
{
    (void)state;
    struct setup_header hdr = {
        .version = 0x020f, .setup_sects = 27, .loadflags = 0x01, .initrd_addr_max = 0x7fffffff};
    struct boot_request req = {.kernel_header = &hdr,
                               .cmdline_addr = BOOT_CMDLINE_ADDR,
                               .cmdline_len = 12,
                               .initrd_addr = 0x3000000,
                               .initrd_size = 4096};
    struct boot_params bp;
    boot_params_build(&bp, &mem, &req);
    assert_int_equal(bp.hdr.boot_flag, 0xaa55);
    assert_int_equal(bp.hdr.header, 0x53726448);
    assert_int_equal(bp.hdr.version, 0x020f);
    assert_int_equal(bp.hdr.setup_sects, 27);
    assert_int_equal(bp.hdr.type_of_loader, 0xff);
    assert_true(bp.hdr.loadflags & 0x01);
    assert_int_equal(bp.hdr.cmd_line_ptr, BOOT_CMDLINE_ADDR);
    assert_int_equal(bp.ext_cmd_line_ptr, 0);
    assert_int_equal(bp.hdr.cmdline_size, 13);
    assert_int_equal(bp.hdr.ramdisk_image, 0x3000000);
    assert_int_equal(bp.hdr.ramdisk_size, 4096);
    assert_int_equal(bp.e820_entries, 3);
    /* The layout the kernel reads: offsets fixed by the boot protocol. */
    assert_int_equal(offsetof(struct boot_params, hdr), 0x1f1);
    assert_int_equal(offsetof(struct boot_params, e820_entries), 0x1e8);
    assert_int_equal(offsetof(struct boot_params, e820_table), 0x2d0);
    assert_int_equal(sizeof(struct boot_params), 4096);
}

static void test_boot_params_elf_kernel(void **state)
{
    (void)state;
    struct boot_request req = {.cmdline_addr = BOOT_CMDLINE_ADDR, .cmdline_len = 0};
    struct boot_params bp;
    boot_params_build(&bp, &mem, &req);
    assert_int_equal(bp.hdr.header, 0x53726448);
    assert_true(bp.hdr.version >= 0x0200);
    assert_int_equal(bp.hdr.ramdisk_image, 0);
}

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s += *p++;
    return s;
}

static void test_mptable(void **state)
{
    (void)state;
    int size = mptable_write(&mem, BOOT_MPTABLE_ADDR, 4);
    assert_true(size > 0);
    const uint8_t *fp = ram + BOOT_MPTABLE_ADDR;
    assert_memory_equal(fp, "_MP_", 4);
    assert_int_equal(sum(fp, 16), 0);
    uint32_t table;
    memcpy(&table, fp + 4, 4);
    const uint8_t *hdr = ram + table;
    assert_memory_equal(hdr, "PCMP", 4);
    uint16_t len, entries;
    memcpy(&len, hdr + 4, 2);
    memcpy(&entries, hdr + 34, 2);
    assert_int_equal(sum(hdr, len), 0);
    /* 4 processors, 1 bus, 1 IOAPIC, 24 interrupt sources, 2 local interrupts. */
    assert_int_equal(entries, 4 + 1 + 1 + 24 + 2);
    const uint8_t *first = hdr + 44;
    assert_int_equal(first[0], 0);           /* processor entry */
    assert_int_equal(first[3] & 0x03, 0x03); /* enabled, boot processor */
    assert_int_equal(first[20 + 3] & 0x02, 0);
    assert_int_equal(mptable_write(&mem, SMALL_MEM - 16, 4), -1);
}

static void test_long_mode_tables(void **state)
{
    (void)state;
    assert_int_equal(long_mode_write_tables(&mem), 0);
    uint64_t *gdt = (uint64_t *)(ram + BOOT_GDT_ADDR);
    assert_int_equal(gdt[BOOT_CODE_SELECTOR / 8], 0x00af9b000000ffffULL);
    assert_int_equal(gdt[BOOT_DATA_SELECTOR / 8], 0x00cf93000000ffffULL);
    uint64_t *pml4 = (uint64_t *)(ram + BOOT_PML4_ADDR);
    uint64_t *pd = (uint64_t *)(ram + BOOT_PD_ADDR);
    assert_int_equal(pml4[0] & ~0xfffULL, BOOT_PDPT_ADDR);
    assert_int_equal(pd[1], (1ULL << 21) | 0x83);
    assert_int_equal(pd[2047] & ~0xfffULL, 2047ULL << 21); /* up to 4 GiB */
    struct kvm_sregs sregs;
    memset(&sregs, 0, sizeof sregs);
    long_mode_set_sregs(&sregs);
    assert_int_equal(sregs.cs.selector, BOOT_CODE_SELECTOR);
    assert_int_equal(sregs.cs.l, 1);
    assert_int_equal(sregs.cs.db, 0);
    assert_int_equal(sregs.ds.selector, BOOT_DATA_SELECTOR);
    assert_int_equal(sregs.cr3, BOOT_PML4_ADDR);
    assert_true(sregs.cr0 & 0x80000001ULL);
    assert_true(sregs.cr4 & 0x20);
    assert_int_equal(sregs.efer & 0x500, 0x500);
}

static void test_cpuid_adjust(void **state)
{
    (void)state;
    struct kvm_cpuid_entry2 e[4] = {
        {.function = 1, .ebx = 0xff00ffff, .edx = 1u << 28},
        {.function = 0xa, .eax = 0x07300805},
        {.function = 0xb, .index = 0},
        {.function = 0xb, .index = 1},
    };
    cpuid_adjust(e, 4, 2, 3);
    assert_int_equal(e[0].ebx >> 24, 2);
    assert_int_equal((e[0].ebx >> 16) & 0xff, 3);
    assert_int_equal(e[0].ebx & 0xffff, 0xffff);
    assert_true(e[0].ecx & (1u << 31));
    assert_true(e[0].edx & (1u << 28));
    assert_int_equal(e[1].eax, 0);
    assert_int_equal(e[2].edx, 2);
    assert_int_equal(e[3].ebx, 3);
    cpuid_adjust(e, 1, 0, 1);
    assert_false(e[0].edx & (1u << 28));
}

static int resets;

static void count_reset(void *ctx)
{
    (void)ctx;
    resets++;
}

static uint8_t kbd_read(struct i8042 *k, const struct device_ops *ops)
{
    uint8_t v;
    ops->read(k, 0, &v, 1);
    return v;
}

static void kbd_write(struct i8042 *k, const struct device_ops *ops, uint8_t v)
{
    ops->write(k, 0, &v, 1);
}

static void test_i8042(void **state)
{
    (void)state;
    struct i8042 k;
    resets = 0;
    i8042_init(&k, (struct irq_line){0}, count_reset, NULL);
    kbd_write(&k, &i8042_command_ops, 0xaa); /* self test */
    assert_int_equal(kbd_read(&k, &i8042_command_ops) & 1, 1);
    assert_int_equal(kbd_read(&k, &i8042_data_ops), 0x55);
    kbd_write(&k, &i8042_command_ops, 0x60); /* write the command byte */
    kbd_write(&k, &i8042_data_ops, 0x45);
    kbd_write(&k, &i8042_command_ops, 0x20);
    assert_int_equal(kbd_read(&k, &i8042_data_ops), 0x45);
    i8042_press_ctrl_alt_del(&k);
    static const uint8_t expected[] = {0x14, 0x11, 0xe0, 0x71};
    for (size_t i = 0; i < sizeof expected; i++)
        assert_int_equal(kbd_read(&k, &i8042_data_ops), expected[i]);
    assert_int_equal(resets, 0);
    kbd_write(&k, &i8042_command_ops, 0xfe);
    assert_int_equal(resets, 1);
    kbd_write(&k, &i8042_command_ops, 0xd1); /* output port with the reset line low */
    kbd_write(&k, &i8042_data_ops, 0x00);
    assert_int_equal(resets, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_e820_small),   cmocka_unit_test(test_e820_above_4g),
        cmocka_unit_test(test_boot_params),  cmocka_unit_test(test_boot_params_elf_kernel),
        cmocka_unit_test(test_mptable),      cmocka_unit_test(test_long_mode_tables),
        cmocka_unit_test(test_cpuid_adjust), cmocka_unit_test(test_i8042),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
