/* SPDX-License-Identifier: MIT */
/* Valid machinefiles: every key read, defaults merged, order kept, paths resolved. */
#include "machine/machinefile.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char tmpdir[] = "/tmp/rove-mf-good-XXXXXX";
static char path[300];

static void touch(const char *name)
{
    char p[400];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(path, sizeof path, "%s/machinefile.yaml", tmpdir);
    char p[400];
    snprintf(p, sizeof p, "%s/scripts", tmpdir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/app", tmpdir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/conf", tmpdir);
    mkdir(p, 0700);
    touch("scripts/setup.sh");
    touch("conf/app.ini");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd);
}

static struct machinefile *parse_ok(const char *yaml)
{
    struct mf_errors errs = {0};
    struct machinefile *mf = machinefile_parse(path, yaml, strlen(yaml), &errs);
    if (!mf) {
        mf_errors_print(&errs);
        fail();
    }
    assert_int_equal(errs.count, 0);
    return mf;
}

static const char full[] =
    "version: 1\n"
    "defaults:\n"
    "  box: debian/bookworm64\n"
    "  provider: libvirt\n"
    "  cpus: 1\n"
    "  memory: 1G\n"
    "  provision:\n"
    "    - shell: echo common\n"
    "machines:\n"
    "  web:\n"
    "    box_version: \">= 12.0, < 13\"\n"
    "    box_checksum: sha256:9F2C000000000000000000000000000000000000000000000000000000000000\n"
    "    box_url: http://127.0.0.1:8000/catalog.json\n"
    "    hostname: web.example\n"
    "    cpus: 2\n"
    "    memory: 2G\n"
    "    disk: 20G\n"
    "    boot_timeout: 90\n"
    "    forward:\n"
    "      - {host: 8080, guest: 80, proto: tcp}\n"
    "      - {host: 5353, guest: 53, proto: udp}\n"
    "    sync:\n"
    "      - {src: ./app, dest: /srv/app}\n"
    "    provision:\n"
    "      - shell: |\n"
    "          apt-get install -y nginx\n"
    "      - script: scripts/setup.sh\n"
    "        args: [--fast, 'two words']\n"
    "        env: {APP_ENV: dev, QUOTE: \"it's\"}\n"
    "        privileged: false\n"
    "        run: always\n"
    "      - file: {src: conf/app.ini, dest: /etc/app.ini}\n"
    "    libvirt: {uri: \"qemu:///system\", accel: tcg, pool: rove, firmware: efi}\n"
    "  db:\n"
    "    box: ./boxes/postgres.box\n"
    "    memory: 1536M\n"
    "    vmm: {cmdline: console=ttyS0}\n";

static void test_full_file(void **state)
{
    (void)state;
    struct machinefile *mf = parse_ok(full);
    assert_int_equal(mf->version, 1);
    assert_int_equal(mf->nmachines, 2);
    assert_string_equal(mf->path, path);
    assert_string_equal(mf->dir, tmpdir);

    struct machine *web = &mf->machines[0];
    assert_string_equal(web->name, "web");
    assert_string_equal(web->box, "debian/bookworm64");
    assert_string_equal(web->box_version, ">= 12.0, < 13");
    assert_string_equal(web->box_url, "http://127.0.0.1:8000/catalog.json");
    assert_string_equal(web->provider, "libvirt");
    assert_string_equal(web->hostname, "web.example");
    assert_int_equal(web->cpus, 2);
    assert_int_equal(web->memory, 2ULL << 30);
    assert_int_equal(web->disk, 20ULL << 30);
    assert_int_equal(web->boot_timeout, 90);
    assert_int_equal(web->nforwards, 2);
    assert_int_equal(web->forwards[1].host, 5353);
    assert_int_equal(web->forwards[1].guest, 53);
    assert_string_equal(web->forwards[1].proto, "udp");
    assert_int_equal(web->nsyncs, 1);
    char expect[400];
    snprintf(expect, sizeof expect, "%s/app", tmpdir);
    assert_string_equal(web->syncs[0].src, expect);
    assert_string_equal(web->syncs[0].dest, "/srv/app");

    /* defaults' provisioners come first */
    assert_int_equal(web->nprovisioners, 4);
    assert_int_equal(web->provisioners[0].kind, PROVISION_SHELL);
    assert_string_equal(web->provisioners[0].inline_script, "echo common");
    assert_string_equal(web->provisioners[1].inline_script, "apt-get install -y nginx\n");
    assert_true(web->provisioners[1].privileged);
    assert_int_equal(web->provisioners[1].run, PROVISION_RUN_ONCE);
    struct provisioner *script = &web->provisioners[2];
    assert_int_equal(script->kind, PROVISION_SCRIPT);
    snprintf(expect, sizeof expect, "%s/scripts/setup.sh", tmpdir);
    assert_string_equal(script->script, expect);
    assert_int_equal(script->nargs, 2);
    assert_string_equal(script->args[1], "two words");
    assert_int_equal(script->nenv, 2);
    assert_string_equal(script->env[1].name, "QUOTE");
    assert_string_equal(script->env[1].value, "it's");
    assert_false(script->privileged);
    assert_int_equal(script->run, PROVISION_RUN_ALWAYS);
    assert_int_equal(script->pos.line, 27);
    assert_int_equal(web->provisioners[3].kind, PROVISION_FILE);
    assert_string_equal(web->provisioners[3].dest, "/etc/app.ini");
    assert_string_equal(machine_setting(web, "libvirt", "uri"), "qemu:///system");
    assert_string_equal(machine_setting(web, "libvirt", "accel"), "tcg");
    assert_string_equal(machine_setting(web, "libvirt", "pool"), "rove");
    assert_string_equal(machine_setting(web, "libvirt", "firmware"), "efi");

    struct machine *db = &mf->machines[1];
    assert_string_equal(db->name, "db");
    snprintf(expect, sizeof expect, "%s/boxes/postgres.box", tmpdir);
    assert_string_equal(db->box, expect); /* a path, resolved against the machinefile's folder */
    assert_string_equal(db->hostname, "db");
    assert_int_equal(db->cpus, 1);
    assert_int_equal(db->memory, 1536ULL << 20);
    assert_int_equal(db->disk, 0);
    assert_int_equal(db->nprovisioners, 1);
    assert_string_equal(machine_setting(db, "vmm", "cmdline"), "console=ttyS0");
    assert_ptr_equal(machinefile_find(mf, "db"), db);
    assert_null(machinefile_find(mf, "nope"));
    machinefile_free(mf);
}

/* A file provisioner's dest ending in '/' keeps the source's name, as cp does. */
static void test_file_dest_folder_keeps_the_name(void **state)
{
    (void)state;
    struct machinefile *mf = parse_ok("version: 1\nmachines:\n  web:\n    box: x\n    provision:\n"
                                      "      - file: {src: conf/app.ini, dest: /etc/app/}\n"
                                      "      - file: {src: conf, dest: /srv/}\n"
                                      "      - file: {src: conf/app.ini, dest: /etc/other.ini}\n");
    assert_string_equal(mf->machines[0].provisioners[0].dest, "/etc/app/app.ini");
    assert_string_equal(mf->machines[0].provisioners[1].dest, "/srv/conf");
    assert_string_equal(mf->machines[0].provisioners[2].dest, "/etc/other.ini");
    machinefile_free(mf);
}

/* type: copy is the default; a mount keeps its type, readonly flag and position through the
 * merge of defaults into each machine. */
static void test_sync_types(void **state)
{
    (void)state;
    struct machinefile *mf =
        parse_ok("version: 1\n"
                 "defaults:\n"
                 "  sync: [{src: app, dest: /srv/shared, type: mount}]\n"
                 "machines:\n"
                 "  web:\n"
                 "    box: x\n"
                 "    sync:\n"
                 "      - {src: app, dest: /srv/copy}\n"
                 "      - {src: conf, dest: /srv/conf, type: copy}\n"
                 "      - {src: app, dest: /srv/ro, type: mount, readonly: true}\n");
    const struct machine *m = &mf->machines[0];
    assert_int_equal(m->nsyncs, 4);
    assert_int_equal(m->syncs[0].type, SYNC_MOUNT);
    assert_string_equal(m->syncs[0].dest, "/srv/shared");
    assert_false(m->syncs[0].readonly);
    assert_int_equal(m->syncs[0].type_pos.line, 3);
    assert_int_equal(m->syncs[0].type_pos.column, 46);
    assert_int_equal(m->syncs[1].type, SYNC_COPY);
    assert_int_equal(m->syncs[1].type_pos.line, 0);
    assert_int_equal(m->syncs[2].type, SYNC_COPY);
    assert_int_equal(m->syncs[3].type, SYNC_MOUNT);
    assert_true(m->syncs[3].readonly);
    assert_int_equal(m->syncs[3].type_pos.line, 10);
    machinefile_free(mf);
}

static void test_minimal_defaults(void **state)
{
    (void)state;
    struct machinefile *mf = parse_ok("version: 1\nmachines:\n  only: {box: b}\n");
    struct machine *m = &mf->machines[0];
    assert_string_equal(m->provider, "libvirt");
    assert_string_equal(m->hostname, "only");
    assert_int_equal(m->cpus, 1);
    assert_int_equal(m->memory, 1ULL << 30);
    machinefile_free(mf);
}

static void test_order_kept(void **state)
{
    (void)state;
    struct machinefile *mf =
        parse_ok("version: 1\ndefaults: {box: b}\nmachines:\n  zeta:\n  alpha:\n  mid: {}\n");
    assert_int_equal(mf->nmachines, 3);
    assert_string_equal(mf->machines[0].name, "zeta");
    assert_string_equal(mf->machines[1].name, "alpha");
    assert_string_equal(mf->machines[2].name, "mid");
    machinefile_free(mf);
}

static void test_anchors_and_extension_keys(void **state)
{
    (void)state;
    struct machinefile *mf = parse_ok("version: 1\n"
                                      "x-common: &common {box: b, cpus: 2}\n"
                                      "machines:\n"
                                      "  a: *common\n"
                                      "  b: {box: c, memory: &mem 3G}\n"
                                      "  c: {box: d, memory: *mem}\n");
    assert_int_equal(mf->machines[0].cpus, 2);
    assert_string_equal(mf->machines[0].box, "b");
    assert_int_equal(mf->machines[2].memory, 3ULL << 30);
    machinefile_free(mf);
}

static void test_discover_walks_up(void **state)
{
    (void)state;
    touch("machinefile.yaml");
    char deep[400];
    snprintf(deep, sizeof deep, "%s/app", tmpdir);
    char *found = machinefile_discover(deep);
    assert_non_null(found);
    assert_string_equal(found, path);
    free(found);
    char *none = machinefile_discover("/proc/self");
    assert_null(none);
}

/* A machinefile that someone else owns is not used unless its folder is listed as safe. */
static void test_foreign_machinefile_refused(void **state)
{
    (void)state;
    touch("machinefile.yaml");
    char *why = NULL;
    assert_true(machinefile_is_trusted(path, getuid(), NULL, &why));
    assert_null(why);

    uid_t other = getuid() + 1; /* the files here then belong to "another user" */
    assert_false(machinefile_is_trusted(path, other, NULL, &why));
    assert_non_null(strstr(why, path));
    struct passwd *me = getpwuid(getuid());
    char owner[300];
    snprintf(owner, sizeof owner, "belongs to '%s' (uid %ld), not to you", me->pw_name,
             (long)getuid());
    assert_non_null(strstr(why, owner));
    assert_non_null(strstr(why, "ROVE_SAFE_DIRECTORIES"));
    free(why);
    why = NULL;
    assert_false(machinefile_is_trusted(path, other, "/elsewhere:/tmp", &why));
    free(why);

    char listed[400];
    snprintf(listed, sizeof listed, "/elsewhere:%s/", tmpdir);
    assert_true(machinefile_is_trusted(path, other, listed, &why));
    assert_true(machinefile_is_trusted(path, other, "*", &why));
}

static void test_load_missing_file(void **state)
{
    (void)state;
    struct mf_errors errs = {0};
    assert_null(machinefile_load("/nonexistent/machinefile.yaml", &errs));
    assert_int_equal(errs.count, 1);
    assert_non_null(strstr(errs.items[0].message, "cannot read"));
    mf_errors_free(&errs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_file),
        cmocka_unit_test(test_file_dest_folder_keeps_the_name),
        cmocka_unit_test(test_sync_types),
        cmocka_unit_test(test_minimal_defaults),
        cmocka_unit_test(test_order_kept),
        cmocka_unit_test(test_anchors_and_extension_keys),
        cmocka_unit_test(test_discover_walks_up),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_foreign_machinefile_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
