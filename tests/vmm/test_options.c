/* SPDX-License-Identifier: MIT */
/* rove-vmm's command line: sizes, forwards, disks, and the errors for bad values. */
#include "options.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void test_sizes(void **state)
{
    (void)state;
    uint64_t b;
    assert_int_equal(options_parse_size("512M", &b), 0);
    assert_int_equal(b, 512ULL << 20);
    assert_int_equal(options_parse_size("2G", &b), 0);
    assert_int_equal(b, 2ULL << 30);
    assert_int_equal(options_parse_size("64", &b), 0); /* MiB */
    assert_int_equal(b, 64ULL << 20);
    assert_int_equal(options_parse_size("1GiB", &b), 0);
    assert_int_equal(b, 1ULL << 30);
    assert_int_equal(options_parse_size("", &b), -1);
    assert_int_equal(options_parse_size("-1G", &b), -1);
    assert_int_equal(options_parse_size("12Q", &b), -1);
    assert_int_equal(options_parse_size("99999999999999999999T", &b), -1);
}

static void test_forwards(void **state)
{
    (void)state;
    struct forward_option f;
    assert_int_equal(options_parse_forward("tcp:127.0.0.1:2222-:22", &f), 0);
    assert_false(f.udp);
    assert_string_equal(f.host_addr, "127.0.0.1");
    assert_int_equal(f.host_port, 2222);
    assert_int_equal(f.guest_port, 22);
    assert_int_equal(options_parse_forward("tcp::8080-10.0.2.15:80", &f), 0);
    assert_string_equal(f.host_addr, "127.0.0.1");
    assert_int_equal(f.guest_port, 80);
    assert_int_equal(options_parse_forward("udp:127.0.0.2:5353-:53", &f), 0);
    assert_true(f.udp);
    /* Forwards never listen beyond loopback. */
    assert_int_equal(options_parse_forward("tcp:0.0.0.0:2222-:22", &f), -1);
    assert_int_equal(options_parse_forward("tcp:192.168.1.1:2222-:22", &f), -1);
    assert_int_equal(options_parse_forward("sctp:127.0.0.1:1-:2", &f), -1);
    assert_int_equal(options_parse_forward("tcp:127.0.0.1:70000-:22", &f), -1);
    assert_int_equal(options_parse_forward("tcp:127.0.0.1:2222-:", &f), -1);
    assert_int_equal(options_parse_forward("tcp:127.0.0.1:2222", &f), -1);
    assert_int_equal(options_parse_forward("tcp:127.0.0.1:2222-10.0.2.16:22", &f), -1);
}

static void test_disks(void **state)
{
    (void)state;
    char plain[] = "disk.img", ro[] = "base.img,ro", bad[] = "x.img,rw";
    struct disk_option d;
    assert_int_equal(options_parse_disk(plain, &d), 0);
    assert_string_equal(d.path, "disk.img");
    assert_false(d.read_only);
    assert_int_equal(options_parse_disk(ro, &d), 0);
    assert_string_equal(d.path, "base.img");
    assert_true(d.read_only);
    assert_int_equal(options_parse_disk(bad, &d), -1);
}

/* options_parse keeps pointers into argv and edits ",ro" off in place: writable copies that
 * live as long as the test. */
static char arg_storage[32][64];

static enum options_result parse(struct vmm_options *o, const char *const *args)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"rove-vmm";
    for (; *args; args++, argc++) {
        snprintf(arg_storage[argc], sizeof arg_storage[argc], "%s", *args);
        argv[argc] = arg_storage[argc];
    }
    argv[argc] = NULL;
    extern int optind;
    optind = 0;
    return options_parse(o, argc, argv);
}

static void test_command_line(void **state)
{
    (void)state;
    struct vmm_options o;
    const char *full[] = {"--kernel",  "vmlinuz",  "--memory",  "256M",
                          "--cpus",    "2",        "--disk",    "a.img",
                          "--disk",    "b.img,ro", "--forward", "tcp:127.0.0.1:2222-:22",
                          "--control", "ctl.sock", "--daemon",  NULL};
    assert_int_equal(parse(&o, full), OPTIONS_OK);
    assert_string_equal(o.kernel, "vmlinuz");
    assert_int_equal(o.memory, 256ULL << 20);
    assert_int_equal(o.cpus, 2);
    assert_int_equal(o.disk_count, 2);
    assert_true(o.disks[1].read_only);
    assert_int_equal(o.forward_count, 1);
    assert_true(o.daemon);
    assert_int_equal(o.serial_limit, 8ULL << 20); /* the default cap of the console log */

    const char *limit[] = {"--kernel", "k", "--serial", "s.log", "--serial-limit", "64K", NULL};
    assert_int_equal(parse(&o, limit), OPTIONS_OK);
    assert_int_equal(o.serial_limit, 64ULL << 10);
    const char *small[] = {"--kernel", "k", "--serial-limit", "1K", NULL};
    assert_int_equal(parse(&o, small), OPTIONS_ERROR);

    const char *no_kernel[] = {"--memory", "1G", NULL};
    assert_int_equal(parse(&o, no_kernel), OPTIONS_ERROR);
    const char *tiny[] = {"--kernel", "k", "--memory", "1M", NULL};
    assert_int_equal(parse(&o, tiny), OPTIONS_ERROR);
    const char *huge[] = {"--kernel", "k", "--memory", "64T", NULL};
    assert_int_equal(parse(&o, huge), OPTIONS_ERROR);
    const char *cpus[] = {"--kernel", "k", "--cpus", "0", NULL};
    assert_int_equal(parse(&o, cpus), OPTIONS_ERROR);
    const char *twice[] = {"--kernel",      "k", "--forward", "tcp::2222-:22", "--forward",
                           "tcp::2222-:80", NULL};
    assert_int_equal(parse(&o, twice), OPTIONS_ERROR);
    const char *unknown[] = {"--kernel", "k", "--frobnicate", NULL};
    assert_int_equal(parse(&o, unknown), OPTIONS_ERROR);
    const char *stray[] = {"--kernel", "k", "extra", NULL};
    assert_int_equal(parse(&o, stray), OPTIONS_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_forwards),
        cmocka_unit_test(test_disks),
        cmocka_unit_test(test_command_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
