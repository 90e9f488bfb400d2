/* SPDX-License-Identifier: MIT */
/* The accelerator choice, fed the /proc/cpuinfo and /proc/modules of different hosts. */
#include "providers/common/accel.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

/* This kind of machine: a nested hypervisor offering /dev/kvm by emulation. */
static const char nested_cpuinfo[] =
    "processor\t: 0\nvendor_id\t: GenuineIntel\n"
    "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush "
    "mmx fxsr sse sse2 ss syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology "
    "cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt "
    "aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch avx512vl\n\n"
    "processor\t: 1\nflags\t\t: fpu vme de pse hypervisor avx512vl\n";
static const char nested_modules[] = "kvm_pvm 45056 0 - Live 0x0000000000000000\n"
                                     "kvm 1142784 1 kvm_pvm, Live 0x0000000000000000\n"
                                     "irqbypass 16384 1 kvm, Live 0x0000000000000000\n";

static const char intel_cpuinfo[] = "processor\t: 0\nvendor_id\t: GenuineIntel\n"
                                    "flags\t\t: fpu vme de pse tsc msr vmx smx est tm2 ssse3\n";
static const char intel_modules[] = "kvm_intel 380928 0 - Live 0x0000000000000000\n"
                                    "kvm 1142784 1 kvm_intel, Live 0x0000000000000000\n";
static const char amd_cpuinfo[] = "processor\t: 0\nvendor_id\t: AuthenticAMD\n"
                                  "flags\t\t: fpu vme de pse tsc msr svm extapic\n";
static const char amd_modules[] = "kvm_amd 155648 0 - Live 0x0000000000000000\n"
                                  "kvm 1142784 1 kvm_amd, Live 0x0000000000000000\n";

static enum accel_kind choose_ok(enum accel_request req, const struct accel_facts *f, char *why,
                                 size_t len)
{
    enum accel_kind kind = ACCEL_KVM;
    assert_int_equal(accel_choose(req, f, &kind, why, len), 0);
    return kind;
}

static void test_nested_emulating_host_gets_tcg(void **state)
{
    (void)state;
    struct accel_facts f = {nested_cpuinfo, nested_modules, true, true, true};
    char why[512];
    assert_int_equal(choose_ok(ACCEL_REQUEST_AUTO, &f, why, sizeof why), ACCEL_TCG);
    assert_non_null(strstr(why, "TCG"));
    assert_non_null(strstr(why, "vmx nor svm"));
}

static void test_nested_modules_alone_give_tcg(void **state)
{
    (void)state;
    /* Even with a vmx flag, kvm without kvm_intel/kvm_amd is not hardware-backed. */
    struct accel_facts f = {intel_cpuinfo, nested_modules, true, true, true};
    char why[512];
    assert_int_equal(choose_ok(ACCEL_REQUEST_AUTO, &f, why, sizeof why), ACCEL_TCG);
    assert_non_null(strstr(why, "kvm_intel"));
}

static void test_hardware_hosts_get_kvm(void **state)
{
    (void)state;
    char why[512];
    struct accel_facts intel = {intel_cpuinfo, intel_modules, true, true, true};
    assert_int_equal(choose_ok(ACCEL_REQUEST_AUTO, &intel, why, sizeof why), ACCEL_KVM);
    assert_non_null(strstr(why, "KVM"));
    struct accel_facts amd = {amd_cpuinfo, amd_modules, true, true, true};
    assert_int_equal(choose_ok(ACCEL_REQUEST_AUTO, &amd, why, sizeof why), ACCEL_KVM);
    /* kvm built into the kernel: no module list entry says otherwise. */
    struct accel_facts builtin = {intel_cpuinfo, "", true, true, true};
    assert_int_equal(choose_ok(ACCEL_REQUEST_AUTO, &builtin, why, sizeof why), ACCEL_KVM);
}

static void test_missing_device_or_libvirt_support_gives_tcg(void **state)
{
    (void)state;
    char why[512];
    struct accel_facts no_device = {intel_cpuinfo, intel_modules, true, false, true};
    assert_int_equal(choose_ok(ACCEL_REQUEST_AUTO, &no_device, why, sizeof why), ACCEL_TCG);
    assert_non_null(strstr(why, "/dev/kvm"));
    struct accel_facts no_libvirt = {intel_cpuinfo, intel_modules, true, true, false};
    assert_int_equal(choose_ok(ACCEL_REQUEST_AUTO, &no_libvirt, why, sizeof why), ACCEL_TCG);
    assert_non_null(strstr(why, "domain capabilities"));
}

static void test_remote_host_trusts_libvirt(void **state)
{
    (void)state;
    char why[512];
    struct accel_facts remote = {NULL, NULL, false, false, true};
    assert_int_equal(choose_ok(ACCEL_REQUEST_AUTO, &remote, why, sizeof why), ACCEL_KVM);
}

static void test_overrides(void **state)
{
    (void)state;
    char why[512];
    struct accel_facts intel = {intel_cpuinfo, intel_modules, true, true, true};
    assert_int_equal(choose_ok(ACCEL_REQUEST_TCG, &intel, why, sizeof why), ACCEL_TCG);
    assert_non_null(strstr(why, "accel: tcg"));

    struct accel_facts nested = {nested_cpuinfo, nested_modules, true, true, true};
    assert_int_equal(choose_ok(ACCEL_REQUEST_KVM, &nested, why, sizeof why), ACCEL_KVM);
    assert_non_null(strstr(why, "although"));

    struct accel_facts no_libvirt = {intel_cpuinfo, intel_modules, true, true, false};
    enum accel_kind kind;
    assert_int_equal(accel_choose(ACCEL_REQUEST_KVM, &no_libvirt, &kind, why, sizeof why), -1);
    assert_non_null(strstr(why, "accel: kvm"));
}

static void test_flag_and_module_matching_is_by_whole_word(void **state)
{
    (void)state;
    assert_false(accel_cpuinfo_has_hw_virt("flags\t: fpu vmxfoo svm_lock avx\n"));
    assert_false(accel_cpuinfo_has_hw_virt("model name\t: vmx svm\n"));
    assert_true(accel_cpuinfo_has_hw_virt("flags\t: fpu svm\n"));
    assert_true(accel_cpuinfo_has_hw_virt("flags\t: vmx"));
    assert_false(accel_modules_have("kvm_pvm 1 0 - Live 0\n", "kvm"));
    assert_true(accel_modules_have("kvm_pvm 1 0 - Live 0\nkvm 2 1 - Live 0\n", "kvm"));
    assert_false(accel_modules_have_hw_kvm(nested_modules));
    assert_true(accel_modules_have_hw_kvm(amd_modules));
}

static void test_request_parsing(void **state)
{
    (void)state;
    enum accel_request r;
    assert_int_equal(accel_parse_request(NULL, &r), 0);
    assert_int_equal(r, ACCEL_REQUEST_AUTO);
    assert_int_equal(accel_parse_request("kvm", &r), 0);
    assert_int_equal(r, ACCEL_REQUEST_KVM);
    assert_int_equal(accel_parse_request("tcg", &r), 0);
    assert_int_equal(r, ACCEL_REQUEST_TCG);
    assert_int_equal(accel_parse_request("KVM", &r), -1);
    assert_int_equal(accel_parse_request("hvf", &r), -1);
    assert_string_equal(accel_domain_type(ACCEL_TCG), "qemu");
    assert_string_equal(accel_domain_type(ACCEL_KVM), "kvm");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested_emulating_host_gets_tcg),
        cmocka_unit_test(test_nested_modules_alone_give_tcg),
        cmocka_unit_test(test_hardware_hosts_get_kvm),
        cmocka_unit_test(test_missing_device_or_libvirt_support_gives_tcg),
        cmocka_unit_test(test_remote_host_trusts_libvirt),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_flag_and_module_matching_is_by_whole_word),
        cmocka_unit_test(test_request_parsing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
