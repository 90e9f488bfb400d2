/* SPDX-License-Identifier: MIT */
/* The pure parts of launching and watching rove-vmm: its command line, the KVM verdict from
 * cpuinfo/modules text, the control socket's replies, the machine record, the binary search. */
#include "providers/vmm/control_client.h"
#include "providers/vmm/kvm_probe.h"
#include "providers/vmm/vmm_argv.h"
#include "providers/vmm/vmm_binary.h"
#include "providers/vmm/vmm_record.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static struct rove_forward forwards[] = {{8080, 80, "tcp"}, {5353, 53, "udp"}};

static struct vmm_record sample_record(void)
{
    struct vmm_record r = {
        .kernel = "/boxes/b/vmlinux",
        .initrd = "/boxes/b/initrd",
        .cmdline = "root=/dev/vda rw quiet",
        .disk = "/p/.rove/machines/web/disk.raw",
        .seed = "/p/.rove/machines/web/seed.iso",
        .memory_mib = 1024,
        .cpus = 2,
        .ssh_port = 2222,
        .forwards = forwards,
        .nforwards = 2,
    };
    return r;
}

static void argv_has_everything_in_order(void **state)
{
    (void)state;
    struct vmm_record r = sample_record();
    struct vmm_runtime_paths p = {"/s/console.log", "/s/vmm.sock", "/s/vmm.pid"};
    char **argv = vmm_argv_build("/usr/bin/rove-vmm", &r, &p);
    const char *expected[] = {"/usr/bin/rove-vmm",
                              "--kernel",
                              "/boxes/b/vmlinux",
                              "--initrd",
                              "/boxes/b/initrd",
                              "--cmdline",
                              "root=/dev/vda rw quiet",
                              "--memory",
                              "1024M",
                              "--cpus",
                              "2",
                              "--disk",
                              "/p/.rove/machines/web/disk.raw",
                              "--disk",
                              "/p/.rove/machines/web/seed.iso,ro",
                              "--forward",
                              "tcp:127.0.0.1:2222-:22",
                              "--forward",
                              "tcp:127.0.0.1:8080-:80",
                              "--forward",
                              "udp:127.0.0.1:5353-:53",
                              "--serial",
                              "/s/console.log",
                              "--control",
                              "/s/vmm.sock",
                              "--pidfile",
                              "/s/vmm.pid",
                              "--daemon",
                              NULL};
    size_t i = 0;
    for (; expected[i]; i++) {
        assert_non_null(argv[i]);
        assert_string_equal(argv[i], expected[i]);
    }
    assert_null(argv[i]);
    vmm_argv_free(argv);
}

static void argv_leaves_out_what_is_absent(void **state)
{
    (void)state;
    struct vmm_record r = sample_record();
    r.initrd = NULL;
    r.cmdline = NULL;
    r.seed = NULL;
    r.nforwards = 0;
    struct vmm_runtime_paths p = {"c", "s", "p"};
    char **argv = vmm_argv_build("rove-vmm", &r, &p);
    int disks = 0, forwards_seen = 0;
    for (size_t i = 0; argv[i]; i++) {
        assert_string_not_equal(argv[i], "--initrd");
        assert_string_not_equal(argv[i], "--cmdline");
        disks += !strcmp(argv[i], "--disk");
        forwards_seen += !strcmp(argv[i], "--forward");
    }
    assert_int_equal(disks, 1);
    assert_int_equal(forwards_seen, 1); /* SSH only */
    vmm_argv_free(argv);
}

static const char *intel_cpuinfo = "processor\t: 0\nflags\t\t: fpu vme de pse msr vmx ept\n";
static const char *plain_cpuinfo = "processor\t: 0\nflags\t\t: fpu vme de pse msr hypervisor\n";
static const char *pvm_modules = "kvm_pvm 69632 0 - Live 0x0\nkvm 1142784 1 kvm_pvm, Live 0x0\n";
static const char *intel_modules = "kvm_intel 380928 0 - Live 0x0\nkvm 1142784 1 kvm_intel, "
                                   "Live 0x0\n";

static void probe_hardware_kvm(void **state)
{
    (void)state;
    char why[512];
    struct kvm_facts f = {true, NULL, intel_cpuinfo, intel_modules};
    assert_int_equal(kvm_judge(&f, why, sizeof why), KVM_HARDWARE);
    assert_non_null(strstr(why, "hardware KVM"));
}

static void probe_nested_emulating_kvm(void **state)
{
    (void)state;
    char why[512];
    struct kvm_facts f = {true, NULL, plain_cpuinfo, pvm_modules};
    assert_int_equal(kvm_judge(&f, why, sizeof why), KVM_EMULATED);
    assert_non_null(strstr(why, "hardware KVM is missing"));
    assert_non_null(strstr(why, "vmx"));
    /* Flags unreadable, but the module list tells. */
    struct kvm_facts g = {true, NULL, NULL, pvm_modules};
    assert_int_equal(kvm_judge(&g, why, sizeof why), KVM_EMULATED);
    assert_non_null(strstr(why, "kvm_intel or kvm_amd"));
}

static void probe_no_device(void **state)
{
    (void)state;
    char why[512];
    struct kvm_facts f = {false, "No such file or directory", intel_cpuinfo, intel_modules};
    assert_int_equal(kvm_judge(&f, why, sizeof why), KVM_UNUSABLE);
    assert_non_null(strstr(why, "/dev/kvm"));
    assert_non_null(strstr(why, "No such file or directory"));
}

static void status_replies(void **state)
{
    (void)state;
    struct vmm_status st;
    char err[VMM_CONTROL_ERROR_MAX];
    assert_int_equal(vmm_status_parse("{\"ok\":true,\"state\":\"running\",\"pid\":4242,"
                                      "\"uptime_ms\":1500,\"cpus\":1,\"disks\":[]}",
                                      &st, err, sizeof err),
                     0);
    assert_string_equal(st.state, "running");
    assert_int_equal(st.pid, 4242);
    assert_int_equal(st.uptime_ms, 1500);
    assert_int_equal(
        vmm_status_parse("{\"ok\":true,\"state\":\"shutting-down\"}", &st, err, sizeof err), 0);
    assert_string_equal(st.state, "shutting-down");

    assert_int_equal(
        vmm_status_parse("{\"ok\":false,\"error\":\"unknown command\"}", &st, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown command"));
    assert_int_equal(vmm_status_parse("{\"ok\":true}", &st, err, sizeof err), -1);
    assert_non_null(strstr(err, "no state"));
    assert_int_equal(vmm_status_parse("not json", &st, err, sizeof err), -1);
    assert_int_equal(vmm_status_parse("[1,2]", &st, err, sizeof err), -1);
    assert_int_equal(vmm_status_parse("{\"ok\":true,\"state\":7}", &st, err, sizeof err), -1);
    assert_int_equal(vmm_reply_check("{\"ok\":true,\"state\":\"stopping\"}", err, sizeof err), 0);
    assert_int_equal(vmm_reply_check("{\"ok\":false}", err, sizeof err), -1);
}

static void record_round_trip(void **state)
{
    (void)state;
    char dir[] = "/tmp/rove-record-test.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[300];
    snprintf(path, sizeof path, "%s/vmm.json", dir);
    struct vmm_record r = sample_record(), back;
    assert_int_equal(vmm_record_write(path, &r), 0);
    char err[512];
    assert_int_equal(vmm_record_read(path, &back, err, sizeof err), 0);
    assert_string_equal(back.kernel, r.kernel);
    assert_string_equal(back.initrd, r.initrd);
    assert_string_equal(back.cmdline, r.cmdline);
    assert_string_equal(back.seed, r.seed);
    assert_int_equal(back.memory_mib, 1024);
    assert_int_equal(back.cpus, 2);
    assert_int_equal(back.ssh_port, 2222);
    assert_int_equal(back.nforwards, 2);
    assert_string_equal(back.forwards[1].proto, "udp");
    assert_int_equal(back.forwards[1].host, 5353);
    vmm_record_release(&back);
    unlink(path);
    rmdir(dir);

    assert_int_equal(vmm_record_parse("{\"kernel\":\"k\",\"disk\":\"d\",\"memory_mib\":1,"
                                      "\"cpus\":1,\"ssh_port\":70000}",
                                      &back, err, sizeof err),
                     -1);
    assert_int_equal(vmm_record_parse("{\"kernel\":\"k\",\"disk\":\"d\",\"memory_mib\":1,"
                                      "\"cpus\":1,\"ssh_port\":22,\"forwards\":[{}]}",
                                      &back, err, sizeof err),
                     -1);
    assert_int_equal(vmm_record_parse("{", &back, err, sizeof err), -1);
}

static void binary_search_order(void **state)
{
    (void)state;
    char dir[] = "/tmp/rove-binary-test.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char bin[64], libexec[64], exe[128], vmm[128];
    snprintf(bin, sizeof bin, "%s/bin", dir);
    snprintf(libexec, sizeof libexec, "%s/libexec/rove", dir);
    snprintf(exe, sizeof exe, "%s/rove", bin);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s %s && printf '#!/bin/sh\\n' > %s/rove-vmm && chmod 755 %s/rove-vmm", bin,
             libexec, libexec, libexec);
    assert_int_equal(system(cmd), 0);

    struct strbuf tried = STRBUF_INIT;
    char *found = vmm_binary_find_from(NULL, exe, "", &tried);
    snprintf(vmm, sizeof vmm, "%s/bin/../libexec/rove/rove-vmm", dir);
    assert_non_null(found);
    assert_string_equal(found, vmm);
    free(found);
    sb_release(&tried);

    /* An explicit ROVE_VMM that is wrong is an error naming it, not a silent fallback. */
    found = vmm_binary_find_from("/nonexistent/rove-vmm", exe, "", &tried);
    assert_null(found);
    assert_non_null(strstr(sb_str(&tried), "/nonexistent/rove-vmm"));
    sb_release(&tried);

    /* Nothing anywhere: every place looked at is named. */
    found = vmm_binary_find_from(NULL, "/nonexistent/bin/rove", "/nonexistent/path", &tried);
    assert_null(found);
    assert_non_null(strstr(sb_str(&tried), "/nonexistent/bin/rove-vmm"));
    assert_non_null(strstr(sb_str(&tried), "/nonexistent/bin/../libexec/rove/rove-vmm"));
    assert_non_null(strstr(sb_str(&tried), "/nonexistent/path/rove-vmm"));
    sb_release(&tried);

    /* On PATH. */
    found = vmm_binary_find_from(NULL, NULL, libexec, &tried);
    assert_non_null(found);
    free(found);
    sb_release(&tried);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(argv_has_everything_in_order),
        cmocka_unit_test(argv_leaves_out_what_is_absent),
        cmocka_unit_test(probe_hardware_kvm),
        cmocka_unit_test(probe_nested_emulating_kvm),
        cmocka_unit_test(probe_no_device),
        cmocka_unit_test(status_replies),
        cmocka_unit_test(record_round_trip),
        cmocka_unit_test(binary_search_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
