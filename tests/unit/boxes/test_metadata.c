/* SPDX-License-Identifier: MIT */
#include "boxes/metadata.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void parses_libvirt_and_kernel_boot(void **state)
{
    (void)state;
    const char *text = "{\"provider\":\"libvirt\",\"format\":\"qcow2\",\"virtual_size\":2,"
                       "\"kernel\":\"boot/vmlinux\",\"initrd\":\"boot/initrd.img\","
                       "\"cmdline\":\"console=ttyS0\",\"architecture\":\"amd64\"}\n";
    struct box_metadata m;
    char *err = NULL;
    assert_int_equal(box_metadata_parse(text, strlen(text), &m, &err), 0);
    assert_string_equal(m.provider, "libvirt");
    assert_string_equal(m.format, "qcow2");
    assert_int_equal(m.virtual_size, 2ULL << 30);
    assert_string_equal(m.kernel, "boot/vmlinux");
    assert_string_equal(m.initrd, "boot/initrd.img");
    assert_string_equal(m.cmdline, "console=ttyS0");
    box_metadata_free(&m);
    text = "{\"provider\":\"libvirt\",\"virtual_size\":\"0.5\"}";
    assert_int_equal(box_metadata_parse(text, strlen(text), &m, &err), 0);
    assert_int_equal(m.virtual_size, 512ULL << 20);
    box_metadata_free(&m);
}

static void parses_disks_and_firmware(void **state)
{
    (void)state;
    const char *text =
        "{\"provider\":\"libvirt\",\"firmware\":\"efi\",\"disks\":["
        "{\"path\":\"disk1.qcow2\",\"format\":\"qcow2\"},{\"path\":\"data/disk2.img\"}]}";
    struct box_metadata m;
    char *err = NULL;
    assert_int_equal(box_metadata_parse(text, strlen(text), &m, &err), 0);
    assert_int_equal(m.ndisks, 2);
    assert_string_equal(m.disks[0], "disk1.qcow2");
    assert_string_equal(m.disks[1], "data/disk2.img");
    assert_string_equal(m.firmware, "efi");
    box_metadata_free(&m);
    text = "{\"provider\":\"libvirt\"}";
    assert_int_equal(box_metadata_parse(text, strlen(text), &m, &err), 0);
    assert_int_equal(m.ndisks, 0);
    assert_null(m.firmware);
    box_metadata_free(&m);
}

static void refuses_bad_metadata(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *message;
    } cases[] = {
        {"{\"provider\":", "not valid JSON"},
        {"[1]", "JSON object"},
        {"{\"format\":\"qcow2\"}", "no 'provider'"},
        {"{\"provider\":\"Lib Virt\"}", "'provider' must be"},
        {"{\"provider\":\"libvirt\",\"virtual_size\":-1}", "virtual_size"},
        {"{\"provider\":\"libvirt\",\"virtual_size\":\"big\"}", "not a number"},
        {"{\"provider\":\"libvirt\",\"kernel\":\"../vmlinux\"}", "inside the box"},
        {"{\"provider\":\"libvirt\",\"kernel\":\"/boot/vmlinux\"}", "inside the box"},
        {"{\"provider\":\"libvirt\",\"initrd\":\"initrd\"}", "needs 'kernel'"},
        {"{\"provider\":\"libvirt\",\"cmdline\":5}", "must be a string"},
        {"{\"provider\":\"libvirt\",\"disks\":[]}", "'disks' must be a list of 1 to 26"},
        {"{\"provider\":\"libvirt\",\"disks\":\"box.img\"}", "'disks' must be a list"},
        {"{\"provider\":\"libvirt\",\"disks\":[{\"path\":\"../x\"}]}",
         "disks[0] needs a 'path' inside the box"},
        {"{\"provider\":\"libvirt\",\"disks\":[{\"path\":\"a\"},{}]}", "disks[1] needs a 'path'"},
        {"{\"provider\":\"libvirt\",\"disks\":[{\"path\":\"a\",\"format\":1}]}",
         "disks[0]: 'format' must be a string"},
        {"{\"provider\":\"libvirt\",\"firmware\":\"uefi\"}",
         "'firmware' must be \"bios\" or \"efi\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct box_metadata m;
        char *err = NULL;
        assert_int_equal(box_metadata_parse(cases[i].text, strlen(cases[i].text), &m, &err), -1);
        if (!strstr(err, cases[i].message))
            fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].message);
        free(err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_libvirt_and_kernel_boot),
        cmocka_unit_test(refuses_bad_metadata),
        cmocka_unit_test(parses_disks_and_firmware),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
