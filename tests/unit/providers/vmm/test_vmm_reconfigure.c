/* SPDX-License-Identifier: MIT */
/* reconfigure of a stopped rove-vmm machine: its record takes the new cpus, memory and forwards
 * (the next start's command line), its raw disk grows, and a change of its boot files is
 * refused. */
#include "providers/vmm/ops.h"
#include "providers/vmm/vmm_record.h"
#include "util/fs.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define MIB ((uint64_t)1 << 20)

#define DIR_TEMPLATE "/tmp/rove-vmm-reconfigure-XXXXXX"
static char dir[sizeof DIR_TEMPLATE];
static char record_path[4096], disk_path[4096];

static void ignore(int level, const char *message)
{
    (void)level;
    (void)message;
}

static bool never(void)
{
    return false;
}

static struct rove_machine_ctx ctx_for(const struct rove_machine_spec *spec)
{
    return (struct rove_machine_ctx){.project_id = "0123abcd",
                                     .state_dir = dir,
                                     .machine = spec,
                                     .log = ignore,
                                     .interrupted = never};
}

static int setup(void **state)
{
    (void)state;
    memcpy(dir, DIR_TEMPLATE, sizeof dir);
    if (!mkdtemp(dir))
        return -1;
    snprintf(record_path, sizeof record_path, "%s/%s", dir, VMM_RECORD_FILE);
    snprintf(disk_path, sizeof disk_path, "%s/%s", dir, VMM_DISK_FILE);
    struct rove_forward old[] = {{18555, 22, "tcp"}};
    struct vmm_record r = {.kernel = "/boxes/b/vmlinux",
                           .disk = disk_path,
                           .memory_mib = 512,
                           .cpus = 1,
                           .ssh_port = 2222,
                           .forwards = old,
                           .nforwards = 1};
    FILE *f = fopen(disk_path, "w");
    if (!f || fclose(f) != 0 || truncate(disk_path, (off_t)(2 * MIB)) != 0)
        return -1;
    return vmm_record_write(record_path, &r);
}

static int teardown(void **state)
{
    (void)state;
    unlink(record_path);
    unlink(disk_path);
    return rmdir(dir);
}

static void test_record_and_disk_take_the_new_spec(void **state)
{
    (void)state;
    struct rove_forward moved[] = {{18556, 22, "tcp"}, {5353, 53, "udp"}};
    struct rove_machine_spec old = {.name = "web", .cpus = 1, .memory = 512 * MIB};
    struct rove_machine_spec spec = {.name = "web",
                                     .cpus = 2,
                                     .memory = 768 * MIB,
                                     .disk = 8 * MIB,
                                     .forwards = moved,
                                     .nforwards = 2};
    struct rove_machine_ctx ctx = ctx_for(&spec);
    char why[256];
    assert_int_equal(vmm_reconfigure_check(&ctx, &old, why, sizeof why), 0);
    assert_int_equal(vmm_reconfigure(&ctx, &old), 0);
    struct vmm_record r;
    char err[256];
    assert_int_equal(vmm_record_read(record_path, &r, err, sizeof err), 0);
    assert_int_equal(r.cpus, 2);
    assert_int_equal(r.memory_mib, 768);
    assert_int_equal(r.ssh_port, 2222); /* kept */
    assert_string_equal(r.kernel, "/boxes/b/vmlinux");
    assert_int_equal(r.nforwards, 2);
    assert_int_equal(r.forwards[0].host, 18556);
    assert_string_equal(r.forwards[1].proto, "udp");
    vmm_record_release(&r);
    struct stat st;
    assert_int_equal(stat(disk_path, &st), 0);
    assert_int_equal(st.st_size, 8 * MIB);
}

static void test_boot_file_changes_are_refused(void **state)
{
    (void)state;
    struct rove_option kernel = {"kernel", ROVE_OPTION_PATH, "/k/vmlinux", false};
    struct rove_machine_spec old = {.name = "web", .cpus = 1, .memory = 512 * MIB};
    struct rove_machine_spec spec = old;
    spec.options = &kernel;
    spec.noptions = 1;
    struct rove_machine_ctx ctx = ctx_for(&spec);
    char why[256] = "";
    assert_int_equal(vmm_reconfigure_check(&ctx, &old, why, sizeof why), -1);
    assert_non_null(strstr(why, "vmm.kernel changed"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_record_and_disk_take_the_new_spec, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boot_file_changes_are_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
