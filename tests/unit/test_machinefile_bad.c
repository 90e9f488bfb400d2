/* SPDX-License-Identifier: MIT */
/* Every class of machinefile error, each with its exact line, column and message. */
#include "machine/machinefile.h"
#include "util/strbuf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

struct bad_case {
    const char *yaml;
    int line;
    int column;
    const char *message; /* a part of the first error's message */
};

#define M "version: 1\nmachines:\n"

static const struct bad_case cases[] = {
    /* YAML syntax */
    {"version: 1\nmachines:\n\tweb: {}\n", 3, 1, "tab character"},
    {M "  web:\n\t  box: x\n", 4, 1, "tab character"},
    {M "  web: {box: [1}\n", 3, 16, "did not find expected ',' or ']'"},
    {M "  web:\n    box: 'x\n", 5, 1, "invalid YAML"},
    {"version: 1\n machines: {}\n", 2, 10, "invalid YAML"},
    {M "  web: {box: *nope}\n", 3, 14, "invalid YAML: found undefined alias"},
    {M "  web: {box: x}\n---\nversion: 1\n", 4, 1, "a second YAML document"},
    /* top level */
    {"", 1, 1, "the machinefile is empty"},
    {"# only a comment\n", 1, 1, "the machinefile is empty"},
    {"- a\n- b\n", 1, 1, "expected the machinefile to be a mapping"},
    {"machines:\n  web: {box: x}\n", 1, 1, "missing 'version: 1'"},
    {"version: 1\n", 1, 1, "missing 'machines:'"},
    {"version: 2\nmachines:\n  web: {box: x}\n", 1, 10, "unsupported machinefile version 2"},
    {"version: one\nmachines:\n  web: {box: x}\n", 1, 10, "expected the schema version"},
    {"version: \"1\"\nmachines:\n  web: {box: x}\n", 1, 10, "quoted string"},
    {"version: 1\nmachine:\n  web: {box: x}\n", 2, 1,
     "unknown key 'machine' in the machinefile (did you mean 'machines'?)"},
    {"version: 1\nmachines: {}\n", 2, 11, "'machines' is empty"},
    {"version: 1\nmachines: [web]\n", 2, 11, "expected machines to be a mapping"},
    {"version: 1\nversion: 1\nmachines:\n  web: {box: x}\n", 2, 1,
     "duplicate key 'version' (first given on line 1)"},
    {"version: 1\ndefaults: [1]\nmachines:\n  web: {box: x}\n", 2, 11,
     "expected defaults to be a mapping"},
    {"version: 1\nmachines:\n  web: {box: x}\n<<: {a: 1}\n", 4, 1, "merge keys"},
    /* machine names */
    {M "  Web: {box: x}\n", 3, 3, "invalid machine name 'Web'"},
    {M "  -web: {box: x}\n", 3, 3, "must not start with '-'"},
    {M "  web_1: {box: x}\n", 3, 3, "may hold only lower-case letters"},
    {M "  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: {box: x}\n", 3, 3,
     "1 to 63 characters"},
    {M "  web: {box: x}\n  db: {box: x}\n  web: {box: y}\n", 5, 3,
     "duplicate key 'web' (first given on line 3)"},
    {M "  ? [a]\n  : {box: x}\n", 3, 5, "expected a key name"},
    /* unknown keys */
    {M "  web: {box: x, cpu: 2}\n", 3, 17,
     "unknown key 'cpu' in machine 'web' (did you mean 'cpus'?)"},
    {M "  web: {box: x, memroy: 2G}\n", 3, 17, "did you mean 'memory'?"},
    {M "  web: {box: x, colour: red}\n", 3, 17, "valid keys: box,"},
    {"version: 1\ndefaults: {boxx: x}\nmachines:\n  web: {box: x}\n", 2, 12,
     "unknown key 'boxx' in defaults (did you mean 'box'?)"},
    {M "  web:\n    box: x\n    provision:\n      - shel: echo\n", 6, 9, "did you mean 'shell'?"},
    {M "  web: {box: x, forward: [{host: 1, guest: 2, prot: tcp}]}\n", 3, 47,
     "did you mean 'proto'?"},
    /* wrong types */
    {M "  web: {box: [a, b]}\n", 3, 14, "expected a box name, URL or path, got a list"},
    {M "  web: {box: x, cpus: two}\n", 3, 23, "expected cpus"},
    {M "  web: {box: x, cpus: \"2\"}\n", 3, 23, "remove the quotes"},
    {M "  web: {box: x, cpus: 1.5}\n", 3, 23, "got '1.5'"},
    {M "  web: {box: x, forward: {host: 1}}\n", 3, 26, "expected forward to be a list"},
    {M "  web: {box: x, provision: {shell: x}}\n", 3, 28, "expected provision to be a list"},
    {M "  web: {box: x, provision: [echo hi]}\n", 3, 29, "expected a provisioner to be a mapping"},
    {M "  web: {box: x, provision: [{script: s.sh, args: a}]}\n", 3, 50,
     "expected args to be a list"},
    {M "  web: {box: x, provision: [{script: s.sh, env: [a]}]}\n", 3, 49,
     "expected env to be a mapping"},
    {M "  web: {box: x, provision: [{shell: x, privileged: yes}]}\n", 3, 52, "true or false"},
    {M "  web: {box: x, provision: [{shell: x, run: twice}]}\n", 3, 45,
     "run must be one of once, always"},
    {M "  web: {box: x, provision: [{shell: x, env: {1A: b}}]}\n", 3, 46,
     "invalid environment variable name '1A'"},
    {M "  web: {box: x, provision: [{shell: x, env: {A: [b]}}]}\n", 3, 49,
     "expected a value for A"},
    {M "  web: {box: x, libvirt: qemu}\n", 3, 17, "a provider's section must be a mapping"},
    {M "  web: {box: x, libvirt: {uri: [a]}}\n", 3, 32, "expected a value for libvirt.uri"},
    {M "  web: {box: x, box_checksum: abc}\n", 3, 31, "expected TYPE:HEX"},
    {M "  web: {box: x, box_checksum: 'sha256:abc'}\n", 3, 31, "wrong length"},
    {M "  web: {box: x, box_checksum: 'crc32:abcdabcd'}\n", 3, 31, "unknown checksum type"},
    {M "  web: {box: x, box_version: '>= banana'}\n", 3, 30, "invalid version constraint"},
    {M "  web: {box: x, hostname: -bad-}\n", 3, 27, "invalid hostname '-bad-'"},
    {M "  web: {box: x, hostname: 'a b'}\n", 3, 27, "invalid hostname"},
    {M "  web: {box: x, provider: Lib/Virt}\n", 3, 27, "invalid provider name"},
    {M "  web: {box: ''}\n", 3, 14, "got an empty string"},
    {M "  web: {box: }\n", 3, 14, "got nothing"},
    /* sizes and counts */
    {M "  web: {box: x, memory: 2}\n", 3, 25, "size with a unit such as 512M or 2G"},
    {M "  web: {box: x, memory: 2X}\n", 3, 25, "got '2X'"},
    {M "  web: {box: x, memory: 1M}\n", 3, 25,
     "memory 1M is out of range: expected between 64M and 4T"},
    {M "  web: {box: x, memory: 99999T}\n", 3, 25, "out of range"},
    {M "  web: {box: x, memory: 99999999999999999999G}\n", 3, 25, "size with a unit"},
    {M "  web: {box: x, disk: 100M}\n", 3, 23, "disk 100M is out of range"},
    {M "  web: {box: x, disk: 0.0699999P}\n", 3, 23, "disk 0.0699999P is out of range"},
    {M "  web: {box: x, cpus: 0}\n", 3, 23,
     "cpus (a count of virtual CPUs) must be between 1 and 256, got 0"},
    {M "  web: {box: x, cpus: 1000}\n", 3, 23, "must be between 1 and 256"},
    {M "  web: {box: x, cpus: -1}\n", 3, 23, "must be between 1 and 256"},
    {M "  web: {box: x, forward: [{host: 0, guest: 80}]}\n", 3, 34,
     "a host port must be between 1 and 65535"},
    {M "  web: {box: x, forward: [{host: 8080, guest: 70000}]}\n", 3, 47,
     "a guest port must be between"},
    {M "  web: {box: x, forward: [{host: 8080}]}\n", 3, 27, "needs both 'host' and 'guest'"},
    {M "  web: {box: x, forward: [{host: 8080, guest: 80, proto: sctp}]}\n", 3, 58,
     "proto must be one of tcp, udp"},
    {M "  web: {box: x, boot_timeout: 2}\n", 3, 31,
     "boot_timeout (seconds to wait for SSH) must be between 5 and 86400"},
    /* cross-machine checks */
    {M "  web: {box: x, forward: [{host: 8080, guest: 80}]}\n  db: {box: x, forward: [{host: 8080, "
       "guest: 81}]}\n",
     4, 26, "host port 8080/tcp of machine 'db' is already forwarded by machine 'web' (line 3)"},
    {M "  web: {box: x, forward: [{host: 8080, guest: 80}, {host: 8080, guest: 81}]}\n", 3, 52,
     "already forwarded by machine 'web'"},
    {M "  web: {cpus: 2}\n", 3, 3, "machine 'web' has no box"},
    {M "  web:\n", 3, 3, "machine 'web' has no box"},
    /* sources that must exist */
    {M "  web: {box: x, provision: [{script: missing.sh}]}\n", 3, 38,
     "script 'missing.sh' does not exist"},
    {M "  web: {box: x, provision: [{script: sub}]}\n", 3, 38, "is not a regular file"},
    {M "  web: {box: x, provision: [{file: {src: nope.conf, dest: /etc/x}}]}\n", 3, 42,
     "file source 'nope.conf' does not exist"},
    {M "  web: {box: x, provision: [{file: {src: s.sh}}]}\n", 3, 36, "needs both 'src' and 'dest'"},
    {M "  web: {box: x, sync: [{src: ./gone, dest: /srv}]}\n", 3, 30,
     "sync source './gone' does not exist"},
    {M "  web: {box: x, sync: [{src: ., dest: srv}]}\n", 3, 39,
     "must be an absolute path in the guest"},
    /* sync types */
    {M "  web: {box: x, sync: [{src: s.sh, dest: /srv, type: mount}]}\n", 3, 24,
     "is not a folder: type: mount shares a folder of the host"},
    {M "  web: {box: x, sync: [{src: sub, dest: /srv, type: link}]}\n", 3, 53,
     "type must be one of copy, mount, got 'link'"},
    {M "  web: {box: x, sync: [{src: sub, dest: /srv, readonly: true}]}\n", 3, 24,
     "readonly applies to type: mount only"},
    {M "  web: {box: x, sync: [{src: sub, dest: /srv, type: mount, readonly: maybe}]}\n", 3, 70,
     "readonly"},
    /* provisioner shape */
    {M "  web: {box: x, provision: [{shell: a, script: s.sh}]}\n", 3, 29,
     "exactly one of 'shell', 'script' or 'file' (found 2)"},
    {M "  web: {box: x, provision: [{run: always}]}\n", 3, 29, "(found 0)"},
    {M "  web: {box: x, provision: [{file: {src: s.sh, dest: /x}, env: {A: b}}]}\n", 3, 64,
     "'env' does not apply to 'file'"},
    {M "  web: {box: x, provision: [{shell: '', run: once}]}\n", 3, 37, "got an empty string"},
    /* what C strings and aliases would hide */
    {M "  web: {box: \"deb\\0ian\"}\n", 3, 14, "holds a NUL character"},
    {M "  web: {box: x, provision: [{shell: \"a\\x00b\"}]}\n", 3, 37, "holds a NUL character"},
    {M "  \"w\\0b\": {box: x}\n", 3, 3, "holds a NUL character"},
    {M "  web: &a {box: x, provision: [*a]}\n", 3, 8,
     "an alias refers to this node from inside it"},
};

static char tmpdir[] = "/tmp/rove-mf-test-XXXXXX";

static int setup_dir(void **state)
{
    (void)state;
    if (!mkdtemp(tmpdir))
        return -1;
    char path[256];
    snprintf(path, sizeof path, "%s/s.sh", tmpdir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("echo hi\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/sub", tmpdir);
    return mkdir(path, 0700);
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd);
}

static bool check_case(const struct bad_case *c, size_t index)
{
    char path[300];
    snprintf(path, sizeof path, "%s/machinefile.yaml", tmpdir);
    struct mf_errors errs = {0};
    struct machinefile *mf = machinefile_parse(path, c->yaml, strlen(c->yaml), &errs);
    if (mf || errs.count == 0) {
        print_error("case %zu: accepted, expected an error at %d:%d (%s)\n", index, c->line,
                    c->column, c->message);
        machinefile_free(mf);
        return false;
    }
    const struct mf_error *e = &errs.items[0];
    if (e->line != c->line || e->column != c->column || !strstr(e->message, c->message)) {
        print_error("case %zu:\n  expected %d:%d: ...%s...\n  got      %d:%d: %s\n", index, c->line,
                    c->column, c->message, e->line, e->column, e->message);
        mf_errors_free(&errs);
        return false;
    }
    bool file_ok = !strcmp(e->file, path);
    mf_errors_free(&errs);
    return file_ok;
}

static void test_every_bad_input(void **state)
{
    (void)state;
    size_t failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        failed += !check_case(&cases[i], i);
    assert_int_equal(failed, 0);
    print_message("%zu bad inputs checked\n", sizeof cases / sizeof cases[0]);
    assert_true(sizeof cases / sizeof cases[0] >= 40);
}

/* Appends "x-LEVEL: &lLEVEL [*lLEVEL-1, ...]" for levels 1..levels, each naming the one below
 * fanout times: level n names fanout^n copies of level 0. */
static void add_alias_levels(struct strbuf *yaml, int levels, int fanout)
{
    for (int level = 1; level <= levels; level++) {
        sb_addf(yaml, "x-%d: &l%d [", level, level);
        for (int i = 0; i < fanout; i++)
            sb_addf(yaml, "%s*l%d", i ? ", " : "", level - 1);
        sb_addf(yaml, "]\n");
    }
}

static void expect_refused(const char *yaml, int line, int column, const char *message)
{
    struct bad_case c = {yaml, line, column, message};
    assert_true(check_case(&c, 0));
}

/* "Billion laughs": a few KB that name billions of nodes are refused at the innermost list that
 * grows too large, before anything is copied. */
static void test_alias_expansion_is_bounded(void **state)
{
    (void)state;
    struct strbuf yaml = STRBUF_INIT;
    sb_addf(&yaml, "version: 1\nx-0: &l0 {shell: echo}\n");
    add_alias_levels(&yaml, 9, 10);
    sb_addf(&yaml, "machines:\n  web: {box: x, provision: *l9}\n");
    /* level 5 is the first past 100000 nodes: 10^5 provisioners of 3 nodes each */
    expect_refused(sb_str(&yaml), 7, 6, "expands through aliases to 311111 YAML nodes");
    sb_release(&yaml);

    /* few nodes, much text: 10 KB named 10^4 times */
    sb_addf(&yaml, "version: 1\nx-0: &l0 {shell: '");
    for (int i = 0; i < 10000; i++)
        sb_addf(&yaml, "x");
    sb_addf(&yaml, "'}\n");
    add_alias_levels(&yaml, 4, 10);
    sb_addf(&yaml, "machines:\n  web: {box: x, provision: *l4}\n");
    expect_refused(sb_str(&yaml), 6, 6, "31111 YAML nodes and 100050000 bytes of text");
    sb_release(&yaml);
}

/* Defaults are copied into every machine: modest defaults times many machines is refused too. */
static void test_defaults_times_machines_is_bounded(void **state)
{
    (void)state;
    struct strbuf yaml = STRBUF_INIT;
    sb_addf(&yaml, "version: 1\nx-0: &p {shell: echo}\ndefaults: {box: x, provision: [*p");
    for (int i = 1; i < 3000; i++)
        sb_addf(&yaml, ", *p");
    sb_addf(&yaml, "]}\nmachines:\n");
    for (int i = 0; i < 40; i++)
        sb_addf(&yaml, "  m%d: {}\n", i);
    expect_refused(sb_str(&yaml), 3, 11,
                   "9005 YAML nodes and 27013 bytes of text, copied into each of 40 machines");
    sb_release(&yaml);
}

/* validate reports all errors, not only the first. */
static void test_all_errors_reported(void **state)
{
    (void)state;
    const char *yaml = "version: 1\n"
                       "machines:\n"
                       "  web:\n"
                       "    box: x\n"
                       "    cpu: 2\n"
                       "    memory: 3Q\n"
                       "  DB:\n"
                       "    box: y\n";
    struct mf_errors errs = {0};
    assert_null(machinefile_parse("m.yaml", yaml, strlen(yaml), &errs));
    assert_int_equal(errs.count, 3);
    assert_int_equal(errs.items[0].line, 5);
    assert_int_equal(errs.items[1].line, 6);
    assert_int_equal(errs.items[2].line, 7);
    mf_errors_free(&errs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_bad_input),
        cmocka_unit_test(test_all_errors_reported),
        cmocka_unit_test(test_alias_expansion_is_bounded),
        cmocka_unit_test(test_defaults_times_machines_is_bounded),
    };
    return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
