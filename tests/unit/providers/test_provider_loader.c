/* SPDX-License-Identifier: MIT */
/* The module loader: search folders, the real libvirt module from the build tree, and modules
 * that are missing or broken (no entry symbol, wrong ABI version, wrong name, not an ELF file). */
#include "providers/loader.h"
#include "providers/provider_sections.h"
#include "providers/machine_spec.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* Runs fn with stderr going to a file; returns what it printed (caller frees). */
static char *stderr_of(const struct rove_provider *(*fn)(const char *), const char *arg,
                       const struct rove_provider **result)
{
    char path[] = "/tmp/rove-loader-stderr-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    *result = fn(arg);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    char *text = NULL;
    size_t len;
    assert_int_equal(fs_read_file(path, &text, &len), 0);
    unlink(path);
    return text;
}

static void test_search_order(void **state)
{
    (void)state;
    setenv("ROVE_PROVIDER_PATH", "/opt/a::/opt/b", 1);
    char **dirs = provider_search_dirs();
    assert_string_equal(dirs[0], "/opt/a");
    assert_string_equal(dirs[1], "/opt/b");
    /* This test runs from the build tree, so the build's module folder comes next. */
    assert_string_equal(dirs[2], ROVE_TEST_MODULE_DIR);
    assert_string_equal(dirs[3], ROVE_TEST_INSTALL_DIR);
    assert_null(dirs[4]);
    provider_free_search_dirs(dirs);
    unsetenv("ROVE_PROVIDER_PATH");
}

static void expect_failure(const char *name, const char *needle1, const char *needle2)
{
    const struct rove_provider *ops;
    char *err = stderr_of(provider_load, name, &ops);
    assert_null(ops);
    if (!strstr(err, needle1) || (needle2 && !strstr(err, needle2)))
        fail_msg("for provider '%s' expected '%s' and '%s' in: %s", name, needle1,
                 needle2 ? needle2 : "", err);
    free(err);
}

static void test_broken_modules_are_named(void **state)
{
    (void)state;
    setenv("ROVE_PROVIDER_PATH", ROVE_TEST_FIXTURE_DIR, 1);
    expect_failure("noentry", ROVE_TEST_FIXTURE_DIR "/rove-provider-noentry.so",
                   "no symbol rove_provider_entry");
    char old_abi[64];
    snprintf(old_abi, sizeof old_abi,
             "built for provider ABI version %d, this rove uses version %d",
             ROVE_PROVIDER_ABI_VERSION + 98, ROVE_PROVIDER_ABI_VERSION);
    expect_failure("oldabi", ROVE_TEST_FIXTURE_DIR "/rove-provider-oldabi.so", old_abi);
    expect_failure("misnamed", ROVE_TEST_FIXTURE_DIR "/rove-provider-misnamed.so",
                   "calls itself 'other'");
    char *garbage = fs_join(ROVE_TEST_FIXTURE_DIR, "rove-provider-garbage.so");
    assert_int_equal(fs_write_atomic(garbage, "not an ELF file\n", 16, 0644), 0);
    expect_failure("garbage", garbage, "cannot load it");
    free(garbage);
    unsetenv("ROVE_PROVIDER_PATH");
}

static void test_missing_module_lists_every_folder(void **state)
{
    (void)state;
    setenv("ROVE_PROVIDER_PATH", "/nonexistent/one:/nonexistent/two", 1);
    const struct rove_provider *ops;
    char *err = stderr_of(provider_load, "nosuch", &ops);
    assert_null(ops);
    assert_non_null(strstr(err, "provider 'nosuch' is not installed"));
    assert_non_null(strstr(err, "/nonexistent/one/rove-provider-nosuch.so"));
    assert_non_null(strstr(err, "/nonexistent/two/rove-provider-nosuch.so"));
    assert_non_null(strstr(err, ROVE_TEST_MODULE_DIR "/rove-provider-nosuch.so"));
    assert_non_null(strstr(err, ROVE_TEST_INSTALL_DIR "/rove-provider-nosuch.so"));
    free(err);
    expect_failure("../../etc/evil", "not a valid provider name", NULL);
    unsetenv("ROVE_PROVIDER_PATH");
}

static int journal_count;

static int count_journal(void *ctx, const char *kind, const char *id, const char *json)
{
    (void)ctx, (void)kind, (void)id, (void)json;
    journal_count++;
    return 0;
}

/* The real libvirt module, loaded from the build tree, against libvirt's in-memory test driver:
 * the machine does not exist there, so state, endpoint and destroy show the "not created" paths. */
static void test_libvirt_module_loads_and_answers(void **state)
{
    (void)state;
    unsetenv("ROVE_PROVIDER_PATH");
    const struct rove_provider *ops = provider_load("libvirt");
    assert_non_null(ops);
    assert_ptr_equal(provider_load("libvirt"), ops); /* loaded once */
    assert_string_equal(ops->name, "libvirt");

    struct rove_option options[] = {{"uri", ROVE_OPTION_STRING, "test:///default", false},
                                    {"accel", ROVE_OPTION_CHOICE, "tcg", false}};
    struct rove_machine_spec spec = {
        .name = "web", .cpus = 1, .memory = 256 << 20, .options = options, .noptions = 2};
    struct rove_machine_ctx ctx = {.project_id = "0123abcd",
                                   .state_dir = "/nonexistent",
                                   .machine = &spec,
                                   .journal = {NULL, count_journal},
                                   .log_level = 1};
    char why[ROVE_REASON_MAX];
    assert_int_equal(ops->probe(&ctx, why, sizeof why), 0);
    assert_non_null(strstr(why, "test:///default"));
    assert_non_null(strstr(why, "TCG"));

    struct rove_state_report report;
    assert_int_equal(ops->state(&ctx, &report), 0);
    assert_int_equal(report.state, ROVE_STATE_NOT_CREATED);
    assert_non_null(strstr(report.reason, "rove-0123abcd-web"));

    struct rove_endpoint endpoint;
    assert_int_equal(ops->ssh_endpoint(&ctx, &endpoint), -1);
    assert_int_equal(ops->stop(&ctx, 1, false), 0); /* nothing runs */

    struct rove_journal_record records[] = {
        {"libvirt.volume", "rove-0123abcd-web.qcow2", "{\"uri\":\"test:///default\"}"},
        {"libvirt.domain", "rove-0123abcd-web", "{\"uri\":\"test:///default\"}"},
        {"vmm.pid", "1234", "{}"},
    };
    assert_int_equal(ops->destroy(&ctx, records, 3), 0);
    assert_int_equal(ops->destroy(&ctx, NULL, 0), 0);
    assert_int_equal(journal_count, 0);

    /* Machine-caused errors are errors, before anything is touched. */
    struct rove_option bad[] = {{"accel", ROVE_OPTION_CHOICE, "warp", false}};
    spec.options = bad;
    spec.noptions = 1;
    assert_int_equal(ops->probe(&ctx, why, sizeof why), -1);
    struct rove_option unknown[] = {{"urii", ROVE_OPTION_STRING, "qemu:///system", false}};
    spec.options = unknown;
    assert_int_equal(ops->create(&ctx), -1);
    assert_int_equal(journal_count, 0);
}

static struct machinefile *parse(const char *text, struct mf_errors *errs)
{
    return machinefile_parse("/project/machinefile.yaml", text, strlen(text), errs);
}

static void test_machine_becomes_spec(void **state)
{
    (void)state;
    unsetenv("ROVE_PROVIDER_PATH");
    struct mf_errors errs = {0};
    struct machinefile *mf =
        parse("version: 1\ndefaults: {libvirt: {restrict: true, pool: shared}}\nmachines:\n"
              "  db:\n    box: x\n    cpus: 2\n    forward: [{host: 8080, guest: 80}]\n"
              "    libvirt: {uri: 'qemu:///session', accel: kvm}\n",
              &errs);
    assert_non_null(mf);
    assert_int_equal(provider_sections_check(mf, mf->path, &errs), 0);
    const struct machine *m = &mf->machines[0];
    struct provider_spec s;
    provider_spec_from_machine(m, &s);
    assert_string_equal(s.spec.name, "db");
    assert_string_equal(s.spec.hostname, "db");
    assert_int_equal(s.spec.cpus, 2);
    assert_int_equal(s.spec.nforwards, 1);
    assert_int_equal(s.spec.forwards[0].host, 8080);
    assert_int_equal(s.spec.noptions, 0);
    assert_int_equal(provider_spec_add_options(&s, m, mf->dir, provider_load("libvirt")), 0);
    /* the machine's own keys, then what defaults add */
    assert_int_equal(s.spec.noptions, 4);
    assert_string_equal(s.spec.options[0].key, "uri");
    assert_string_equal(s.spec.options[0].value, "qemu:///session");
    assert_int_equal(s.spec.options[1].type, ROVE_OPTION_CHOICE);
    assert_string_equal(s.spec.options[2].key, "restrict");
    assert_int_equal(s.spec.options[2].type, ROVE_OPTION_BOOL);
    assert_true(s.spec.options[2].flag);
    assert_string_equal(s.spec.options[3].value, "shared");
    provider_spec_release(&s);
    machinefile_free(mf);
}

/* Each section is checked against its provider's own schema, at the value's line and column. */
static void test_sections_checked_against_schemas(void **state)
{
    (void)state;
    unsetenv("ROVE_PROVIDER_PATH");
    static const struct {
        const char *machine;
        int line, column;
        const char *message;
    } cases[] = {
        {"{box: x, libvirt: {url: 'qemu:///system'}}", 3, 27, "did you mean 'uri'?"},
        {"{box: x, vmm: {kernal: k}}", 3, 23,
         "unknown key 'kernal' in the vmm section (did you "
         "mean 'kernel'?)"},
        {"{box: x, libvirt: {accel: hvf}}", 3, 34, "libvirt.accel must be one of auto, kvm, tcg"},
        {"{box: x, libvirt: {restrict: 'yes'}}", 3, 37, "libvirt.restrict must be true or false"},
        {"{box: x, libvirt: {firmware: uefi}}", 3, 37, "libvirt.firmware must be one of bios, efi"},
        {"{box: x, vmm: {kernel: vmlinuz}}", 3, 31, "vmm.kernel 'vmlinuz' does not exist"},
        {"{box: x, xen: {memory: 1}}", 3, 17,
         "unknown key 'xen': neither a machine setting nor an "
         "installed provider"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "version: 1\nmachines:\n  web: %s\n", cases[i].machine);
        struct mf_errors errs = {0};
        struct machinefile *mf = parse(text, &errs);
        assert_non_null(mf);
        assert_int_equal(provider_sections_check(mf, mf->path, &errs), 1);
        if (!strstr(errs.items[0].message, cases[i].message) ||
            errs.items[0].line != cases[i].line || errs.items[0].column != cases[i].column)
            fail_msg("%s: got %d:%d: %s", cases[i].machine, errs.items[0].line,
                     errs.items[0].column, errs.items[0].message);
        assert_string_equal(errs.items[0].file, "/project/machinefile.yaml");
        mf_errors_free(&errs);
        machinefile_free(mf);
    }
}

/* A mount needs a provider that shares folders: vmm has no 9p device, and says to copy. libvirt
 * gets each mount with a tag of its own; copies are not handed over. */
static void test_mounts_need_a_provider_that_mounts(void **state)
{
    (void)state;
    unsetenv("ROVE_PROVIDER_PATH");
    struct mf_errors errs = {0};
    struct machinefile *mf =
        parse("version: 1\nmachines:\n"
              "  db: {box: x, provider: vmm, sync: [{src: /tmp, dest: /srv, type: mount}]}\n",
              &errs);
    assert_non_null(mf);
    assert_int_equal(provider_sections_check(mf, mf->path, &errs), 1);
    assert_int_equal(errs.items[0].line, 3);
    assert_int_equal(errs.items[0].column, 68);
    assert_string_equal(errs.items[0].message,
                        "machine db: provider vmm cannot mount host folders (it has no virtio-9p "
                        "device): use type: copy for /srv");
    mf_errors_free(&errs);
    machinefile_free(mf);

    mf = parse("version: 1\nmachines:\n  web:\n    box: x\n    sync:\n"
               "      - {src: /tmp, dest: /srv/a, type: mount}\n"
               "      - {src: /tmp, dest: /srv/copy}\n"
               "      - {src: /, dest: /srv/b, type: mount, readonly: true}\n",
               &errs);
    assert_non_null(mf);
    assert_int_equal(provider_sections_check(mf, mf->path, &errs), 0);
    struct provider_spec s;
    provider_spec_from_machine(&mf->machines[0], &s);
    assert_int_equal(s.spec.nmounts, 2);
    assert_string_equal(s.spec.mounts[0].host_path, "/tmp");
    assert_string_equal(s.spec.mounts[0].tag, "rove0");
    assert_false(s.spec.mounts[0].readonly);
    assert_string_equal(s.spec.mounts[1].host_path, "/");
    assert_string_equal(s.spec.mounts[1].tag, "rove1");
    assert_true(s.spec.mounts[1].readonly);
    provider_spec_release(&s);
    machinefile_free(mf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_search_order),
        cmocka_unit_test(test_broken_modules_are_named),
        cmocka_unit_test(test_missing_module_lists_every_folder),
        cmocka_unit_test(test_libvirt_module_loads_and_answers),
        cmocka_unit_test(test_machine_becomes_spec),
        cmocka_unit_test(test_sections_checked_against_schemas),
        cmocka_unit_test(test_mounts_need_a_provider_that_mounts),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    provider_unload_all();
    return rc;
}
