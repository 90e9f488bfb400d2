/* SPDX-License-Identifier: MIT */
/* The record of what a machine was built from (engine/spec_record.h): written and read back with
 * every field, refused when it was tampered with, and the difference from a machinefile in words,
 * with what cannot be applied marked. */
#include "engine/spec_record.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB ((uint64_t)1 << 20)

static char work[] = "/tmp/rove-spec-XXXXXX";
static char path[4096];

static const struct rove_forward forwards[] = {{18555, 22, "tcp"}, {5353, 53, "udp"}};
static const struct rove_option options[] = {
    {"uri", ROVE_OPTION_STRING, "qemu:///system", false},
    {"restrict", ROVE_OPTION_BOOL, NULL, true},
    {"accel", ROVE_OPTION_CHOICE, "tcg", false},
    {"kernel", ROVE_OPTION_PATH, "/boot/vmlinuz", false},
};

static struct spec_record sample(void)
{
    return (struct spec_record){
        .spec = {.name = "web",
                 .hostname = "web.example",
                 .cpus = 1,
                 .memory = 512 * MIB,
                 .disk = 0,
                 .forwards = forwards,
                 .nforwards = 2,
                 .options = options,
                 .noptions = 4},
        .provider = "libvirt",
        .box = "/boxes/tiny.box",
        .box_url = NULL,
        .box_version = "1.2.0",
        .box_size = 2048 * MIB,
    };
}

/* The machinefile's machine the sample was built from. */
static struct machine sample_machine(void)
{
    return (struct machine){
        .name = "web", .box = "/boxes/tiny.box", .provider = "libvirt", .box_version = ">= 1.0"};
}

static int group_setup(void **state)
{
    (void)state;
    if (!mkdtemp(work))
        return -1;
    snprintf(path, sizeof path, "%s/%s", work, SPEC_RECORD_FILE);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return rmdir(work);
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static void write_text(const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_round_trip_keeps_every_field(void **state)
{
    (void)state;
    struct spec_record in = sample(), out;
    assert_int_equal(spec_record_write(path, &in), 0);
    assert_int_equal(spec_record_read(path, &out), 0);
    assert_string_equal(out.spec.name, "web");
    assert_string_equal(out.spec.hostname, "web.example");
    assert_int_equal(out.spec.cpus, 1);
    assert_int_equal(out.spec.memory, 512 * MIB);
    assert_int_equal(out.spec.disk, 0);
    assert_int_equal(out.spec.nforwards, 2);
    assert_int_equal(out.spec.forwards[1].host, 5353);
    assert_int_equal(out.spec.forwards[1].guest, 53);
    assert_string_equal(out.spec.forwards[1].proto, "udp");
    assert_int_equal(out.spec.noptions, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(out.spec.options[i].key, options[i].key);
        assert_int_equal(out.spec.options[i].type, options[i].type);
    }
    assert_true(out.spec.options[1].flag);
    assert_string_equal(out.spec.options[3].value, "/boot/vmlinuz");
    assert_string_equal(out.provider, "libvirt");
    assert_string_equal(out.box, "/boxes/tiny.box");
    assert_null(out.box_url);
    assert_string_equal(out.box_version, "1.2.0");
    assert_int_equal(out.box_size, 2048 * MIB);
    /* what was read back differs in nothing from what was written */
    struct machine m = sample_machine();
    struct spec_diff d;
    spec_diff_compute(&out, &in.spec, &m, &d);
    assert_int_equal(d.count, 0);
    spec_diff_clear(&d);
    spec_record_clear(&out);
}

static void test_a_missing_or_tampered_record_is_refused(void **state)
{
    (void)state;
    struct spec_record r;
    assert_int_equal(spec_record_read(path, &r), -1);
    assert_int_equal(errno, ENOENT);
    static const char *const bad[] = {
        "not json",
        "[]",
        "{\"name\":\"web\",\"provider\":\"libvirt\",\"box\":\"b\",\"box_size\":0}", /* no spec */
        "{\"name\":\"web\",\"provider\":\"libvirt\",\"box\":\"b\",\"box_size\":0,\"spec\":"
        "{\"cpus\":-1,\"memory\":1,\"disk\":0}}",
        "{\"name\":\"web\",\"provider\":\"libvirt\",\"box\":\"b\",\"box_size\":0,\"spec\":"
        "{\"cpus\":1,\"memory\":\"1G\",\"disk\":0}}",
        "{\"name\":\"web\",\"provider\":\"libvirt\",\"box\":\"b\",\"box_size\":0,\"spec\":"
        "{\"cpus\":1,\"memory\":1,\"disk\":0,\"forward\":[{\"host\":\"x\"}]}}",
        "{\"name\":\"web\",\"provider\":\"libvirt\",\"box\":\"b\",\"box_size\":0,\"spec\":"
        "{\"cpus\":1,\"memory\":1,\"disk\":0,\"settings\":[{\"key\":\"k\",\"type\":\"odd\","
        "\"value\":\"v\"}]}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        write_text(bad[i]);
        assert_int_equal(spec_record_read(path, &r), -1);
        assert_int_equal(errno, EINVAL);
    }
}

/* The words of the one change from the sample to wanted (and m). */
static char *one_change(const struct rove_machine_spec *wanted, const struct machine *m,
                        bool *refused)
{
    struct spec_record built = sample();
    struct spec_diff d;
    spec_diff_compute(&built, wanted, m, &d);
    assert_int_equal(d.count, 1);
    *refused = d.items[0].refused;
    char *words = xstrdup(d.items[0].words);
    spec_diff_clear(&d);
    return words;
}

static void expect_change(const struct rove_machine_spec *wanted, const struct machine *m,
                          const char *words, bool refused)
{
    bool was_refused;
    char *got = one_change(wanted, m, &was_refused);
    assert_string_equal(got, words);
    assert_int_equal(was_refused, refused);
    free(got);
}

static void test_each_field_is_named_in_words(void **state)
{
    (void)state;
    struct machine m = sample_machine();
    struct rove_machine_spec s = sample().spec;
    s.hostname = "other";
    expect_change(&s, &m, "hostname web.example -> other", false);
    s = sample().spec;
    s.cpus = 2;
    expect_change(&s, &m, "cpus 1 -> 2", false);
    s = sample().spec;
    s.memory = 768 * MIB;
    expect_change(&s, &m, "memory 512 MiB -> 768 MiB", false);
    s = sample().spec;
    s.disk = 20 * 1024 * MIB;
    expect_change(&s, &m, "disk 2 GiB -> 20 GiB", false);
    s.disk = 2048 * MIB; /* the box's own size, written out */
    struct spec_record built = sample();
    struct spec_diff d;
    spec_diff_compute(&built, &s, &m, &d);
    assert_int_equal(d.count, 0);
    spec_diff_clear(&d);
    s.disk = 1024 * MIB;
    expect_change(&s, &m, "disk 2 GiB -> 1 GiB (a disk cannot shrink)", true);
    s = sample().spec;
    struct rove_forward moved[] = {{18556, 22, "tcp"}, {5353, 53, "udp"}};
    s.forwards = moved;
    expect_change(&s, &m, "forward 18555:22, 5353:53/udp -> 18556:22, 5353:53/udp", false);
    s.nforwards = 0;
    expect_change(&s, &m, "forward 18555:22, 5353:53/udp -> none", false);
}

static void test_settings_changed_added_and_removed(void **state)
{
    (void)state;
    struct machine m = sample_machine();
    struct rove_machine_spec s = sample().spec;
    struct rove_option changed[4];
    memcpy(changed, options, sizeof changed);
    changed[1].flag = false;
    s.options = changed;
    expect_change(&s, &m, "libvirt.restrict true -> false", false);
    s.noptions = 3; /* kernel removed */
    changed[1].flag = true;
    expect_change(&s, &m, "libvirt.kernel /boot/vmlinuz -> (default)", false);
    struct rove_option more[5];
    memcpy(more, options, sizeof options);
    more[4] = (struct rove_option){"pool", ROVE_OPTION_STRING, "fast", false};
    s.options = more;
    s.noptions = 5;
    expect_change(&s, &m, "libvirt.pool (default) -> fast", false);
}

static void test_box_and_provider_changes_are_refused(void **state)
{
    (void)state;
    struct rove_machine_spec s = sample().spec;
    struct machine m = sample_machine();
    m.box = "/boxes/other.box";
    expect_change(&s, &m, "box /boxes/tiny.box -> /boxes/other.box", true);
    m = sample_machine();
    m.provider = "vmm";
    expect_change(&s, &m, "provider libvirt -> vmm", true);
    m = sample_machine();
    m.box_url = "http://127.0.0.1/catalog.json";
    expect_change(&s, &m, "box_url (none) -> http://127.0.0.1/catalog.json", true);
    m = sample_machine();
    m.box_version = ">= 2.0";
    expect_change(&s, &m, "box version 1.2.0 -> >= 2.0", true);
    /* a constraint the built version still satisfies is no change */
    m.box_version = "~> 1.2";
    struct spec_record built = sample();
    struct spec_diff d;
    spec_diff_compute(&built, &s, &m, &d);
    assert_int_equal(d.count, 0);
    spec_diff_clear(&d);
}

static void test_words_and_fields_are_joined(void **state)
{
    (void)state;
    struct rove_machine_spec s = sample().spec;
    struct machine m = sample_machine();
    s.cpus = 2;
    s.memory = 768 * MIB;
    m.box = "/boxes/other.box";
    struct spec_record built = sample();
    struct spec_diff d;
    spec_diff_compute(&built, &s, &m, &d);
    assert_int_equal(d.count, 3);
    assert_int_equal(d.refused, 1);
    char *words = spec_diff_words(&d, false), *fields = spec_diff_fields(&d, false),
         *refused = spec_diff_fields(&d, true);
    assert_string_equal(words, "cpus 1 -> 2, memory 512 MiB -> 768 MiB");
    assert_string_equal(fields, "cpus, memory");
    assert_string_equal(refused, "box");
    free(words);
    free(fields);
    free(refused);
    spec_diff_clear(&d);
    /* a forward the machine holds is not new; one on another port or protocol is */
    assert_false(spec_forward_is_new(&built, &(struct rove_forward){18555, 80, "tcp"}));
    assert_true(spec_forward_is_new(&built, &(struct rove_forward){18555, 22, "udp"}));
    assert_true(spec_forward_is_new(&built, &(struct rove_forward){18556, 22, "tcp"}));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_round_trip_keeps_every_field, teardown),
        cmocka_unit_test_teardown(test_a_missing_or_tampered_record_is_refused, teardown),
        cmocka_unit_test(test_each_field_is_named_in_words),
        cmocka_unit_test(test_settings_changed_added_and_removed),
        cmocka_unit_test(test_box_and_provider_changes_are_refused),
        cmocka_unit_test(test_words_and_fields_are_joined),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
