/* SPDX-License-Identifier: MIT */
/* Domain XML generation: escaping, forwards, kernel boot; every generated document is checked by
 * libvirt itself (the test:///default driver defines it) and by virt-xml-validate's schema; and
 * the edit of a defined domain's XML that reload applies. */
#include "providers/libvirt/connection.h"
#include "providers/libvirt/domain_edit.h"
#include "providers/libvirt/domain_xml.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <libvirt/libvirt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static const char nasty_path[] = "/srv/a&b/<c>/\"d\"/'e'/disk.qcow2";

static struct domain_config base_config(void)
{
    static const struct rove_forward forwards[] = {{8080, 80, "tcp"}, {5353, 53, "udp"}};
    struct domain_config c = {
        .name = "rove-0123abcd-web",
        .domain_type = "qemu",
        .project_id = "0123abcd",
        .machine = "web",
        .cpus = 2,
        .memory_kib = 512 * 1024,
        .disk_path = nasty_path,
        .seed_path = "/var/lib/libvirt/images/rove/rove-0123abcd-web-seed.iso",
        .console_log = "/home/u/my project & co/.rove/machines/web/console.log",
        .ssh_port = 2222,
        .forwards = forwards,
        .nforwards = 2,
    };
    return c;
}

/* Defines xml in libvirt's in-memory test driver and returns the XML libvirt keeps. */
static char *libvirt_round_trip(const char *xml)
{
    lv_quiet_errors();
    virConnectPtr conn = virConnectOpen("test:///default");
    assert_non_null(conn);
    virDomainPtr dom = virDomainDefineXML(conn, xml);
    if (!dom)
        fail_msg("libvirt refused the XML: %s\n%s", lv_last_error(), xml);
    char *back = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    assert_non_null(back);
    virDomainUndefine(dom);
    virDomainFree(dom);
    virConnectClose(conn);
    return back;
}

/* Validates xml against libvirt's domain schema with virt-xml-validate. */
static void schema_validate(const char *xml)
{
    if (system("command -v virt-xml-validate >/dev/null 2>&1") != 0) {
        fprintf(stderr, "virt-xml-validate not installed (apt-get install libvirt-clients): "
                        "schema check skipped\n");
        skip();
    }
    char dir_template[] = "/tmp/rove-xml-XXXXXX";
    char *dir = mkdtemp(dir_template);
    assert_non_null(dir);
    char *file = fs_join(dir, "domain.xml");
    assert_int_equal(fs_write_atomic(file, xml, strlen(xml), 0600), 0);
    char *cmd = xasprintf("virt-xml-validate '%s' domain >/dev/null 2>&1", file);
    int status = system(cmd);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("virt-xml-validate rejected:\n%s", xml);
    free(cmd);
    fs_remove_tree(dir);
    free(file);
}

static void test_nasty_values_are_escaped_and_survive_libvirt(void **state)
{
    (void)state;
    struct domain_config c = base_config();
    c.kernel = "/boxes/k&r/vmlinuz";
    c.initrd = "/boxes/k&r/initrd.img";
    c.cmdline = "console=ttyS0 root=/dev/vda rw init=\"/sbin/init\" x='<&>'";
    char *xml = domain_xml_build(&c);
    assert_non_null(xml);
    assert_non_null(strstr(xml, "/srv/a&amp;b/&lt;c&gt;/&quot;d&quot;/&apos;e&apos;/disk.qcow2"));
    assert_null(strstr(xml, "a&b"));
    assert_non_null(strstr(xml, "my project &amp; co"));
    assert_non_null(strstr(xml, "x=&apos;&lt;&amp;&gt;&apos;"));

    char *back = libvirt_round_trip(xml);
    /* libvirt parsed the escapes back into the very same path and command line. */
    struct strbuf expect = STRBUF_INIT;
    xml_escape(&expect, nasty_path);
    assert_non_null(strstr(back, "a&amp;b/&lt;c&gt;/"));
    assert_non_null(strstr(back, "<cmdline>console=ttyS0 root=/dev/vda rw"));
    sb_release(&expect);
    schema_validate(xml);
    free(back);
    free(xml);
}

static void test_control_characters_are_refused(void **state)
{
    (void)state;
    struct domain_config c = base_config();
    c.disk_path = "/srv/disk\001.qcow2";
    assert_null(domain_xml_build(&c));
    c = base_config();
    c.cmdline = "quiet\033[31m";
    c.kernel = "/k";
    assert_null(domain_xml_build(&c));
    struct strbuf sb = STRBUF_INIT;
    assert_false(xml_escape(&sb, "a\x7f"));
    assert_true(xml_escape(&sb, "tab\there"));
    assert_string_equal(sb_str(&sb), "tab&#9;here");
    sb_release(&sb);
}

static void test_forwards_and_network(void **state)
{
    (void)state;
    struct domain_config c = base_config();
    char *xml = domain_xml_build(&c);
    assert_non_null(xml);
    assert_non_null(strstr(xml, "user,id=rovenet0,restrict=off,hostfwd=tcp:127.0.0.1:2222-:22,"
                                "hostfwd=tcp:127.0.0.1:8080-:80,hostfwd=udp:127.0.0.1:5353-:53'"));
    assert_non_null(strstr(xml, "virtio-net-pci,netdev=rovenet0"));
    assert_non_null(strstr(xml, "<rove:ssh-port>2222</rove:ssh-port>"));
    /* The test driver knows no qemu: namespace and drops the arguments; that libvirt's QEMU
     * driver keeps them is checked by tests/providers against the real daemon. */
    free(libvirt_round_trip(xml));
    schema_validate(xml);
    free(xml);

    c.restrict_network = true;
    xml = domain_xml_build(&c);
    assert_non_null(strstr(xml, "restrict=on"));
    free(xml);
}

static void test_invalid_forwards_are_refused(void **state)
{
    (void)state;
    struct rove_forward bad_proto = {8080, 80, "sctp"};
    struct rove_forward bad_port = {70000, 80, "tcp"};
    struct rove_forward injection = {8080, 80, "tcp,hostfwd=tcp:0.0.0.0:1-"};
    struct domain_config c = base_config();
    c.nforwards = 1;
    c.forwards = &bad_proto;
    assert_null(domain_xml_build(&c));
    c.forwards = &bad_port;
    assert_null(domain_xml_build(&c));
    c.forwards = &injection;
    assert_null(domain_xml_build(&c));
    c = base_config();
    c.ssh_port = 0;
    assert_null(domain_xml_build(&c));
}

static void test_kernel_boot_or_disk_boot(void **state)
{
    (void)state;
    struct domain_config c = base_config();
    c.seed_path = NULL;
    c.console_log = NULL;
    char *xml = domain_xml_build(&c);
    assert_non_null(strstr(xml, "<boot dev='hd'/>"));
    assert_null(strstr(xml, "<kernel>"));
    assert_null(strstr(xml, "vdb"));
    assert_null(strstr(xml, "<log "));
    free(libvirt_round_trip(xml));
    free(xml);

    c.kernel = "/var/lib/libvirt/images/rove/k";
    c.initrd = "/var/lib/libvirt/images/rove/i";
    c.cmdline = "console=ttyS0";
    c.seed_path = "/seed.iso";
    xml = domain_xml_build(&c);
    assert_null(strstr(xml, "<boot dev"));
    assert_non_null(strstr(xml, "<kernel>/var/lib/libvirt/images/rove/k</kernel>"));
    assert_non_null(strstr(xml, "<initrd>/var/lib/libvirt/images/rove/i</initrd>"));
    assert_non_null(strstr(xml, "<cmdline>console=ttyS0</cmdline>"));
    assert_non_null(strstr(xml, "<target dev='vdb' bus='virtio'/>\n      <readonly/>"));
    char *back = libvirt_round_trip(xml);
    assert_non_null(strstr(back, "<kernel>/var/lib/libvirt/images/rove/k</kernel>"));
    assert_non_null(strstr(back, "<readonly/>"));
    schema_validate(xml);
    free(back);
    free(xml);
}

/* A box's other disks follow vda, after the seed when there is one. */
static void test_extra_disks_follow_the_seed(void **state)
{
    (void)state;
    static const char *const extra[] = {"/pool/rove-0123abcd-web-disk2.qcow2",
                                        "/pool/rove-0123abcd-web-disk3.qcow2"};
    struct domain_config c = base_config();
    c.extra_disk_paths = extra;
    c.nextra_disks = 2;
    char *xml = domain_xml_build(&c);
    assert_non_null(strstr(xml, "<source file='/pool/rove-0123abcd-web-disk2.qcow2'/>\n"
                                "      <target dev='vdc' bus='virtio'/>"));
    assert_non_null(strstr(xml, "<source file='/pool/rove-0123abcd-web-disk3.qcow2'/>\n"
                                "      <target dev='vdd' bus='virtio'/>"));
    free(libvirt_round_trip(xml));
    schema_validate(xml);
    free(xml);

    c.seed_path = NULL;
    xml = domain_xml_build(&c);
    assert_non_null(strstr(xml, "<source file='/pool/rove-0123abcd-web-disk2.qcow2'/>\n"
                                "      <target dev='vdb' bus='virtio'/>"));
    assert_null(strstr(xml, "<readonly/>"));
    free(libvirt_round_trip(xml));
    free(xml);
}

static void test_domain_type_follows_accelerator(void **state)
{
    (void)state;
    struct domain_config c = base_config();
    char *xml = domain_xml_build(&c);
    assert_non_null(strstr(xml, "<domain type='qemu'"));
    /* TCG refuses host-passthrough: no CPU model for qemu domains. */
    assert_null(strstr(xml, "host-passthrough"));
    free(xml);
    c.domain_type = "kvm";
    xml = domain_xml_build(&c);
    assert_non_null(strstr(xml, "<domain type='kvm'"));
    assert_non_null(strstr(xml, "host-passthrough"));
    schema_validate(xml);
    free(xml);
}

/* Mounts become virtio-9p <filesystem> devices; QEMU then runs as the given user, so that what
 * the guest writes there is that user's. libvirt keeps both as written. */
static void test_mounts_and_the_user_qemu_runs_as(void **state)
{
    (void)state;
    static const struct rove_mount mounts[] = {
        {"/home/u/my project & co/app", "rove0", false},
        {"/home/u/docs", "rove1", true},
    };
    struct domain_config c = base_config();
    c.mounts = mounts;
    c.nmounts = 2;
    c.run_as = true;
    c.run_uid = 1000;
    c.run_gid = 1001;
    char *xml = domain_xml_build(&c);
    assert_non_null(xml);
    assert_non_null(strstr(xml, "<filesystem type='mount' accessmode='squash'>\n"
                                "      <driver type='path'/>\n"
                                "      <source dir='/home/u/my project &amp; co/app'/>\n"
                                "      <target dir='rove0'/>\n    </filesystem>"));
    assert_non_null(strstr(xml, "<target dir='rove1'/>\n      <readonly/>\n    </filesystem>"));
    assert_non_null(strstr(xml, "<seclabel type='static' model='dac' relabel='yes'>\n"
                                "    <label>+1000:+1001</label>"));
    char *back = libvirt_round_trip(xml);
    assert_non_null(strstr(back, "<source dir='/home/u/my project &amp; co/app'/>"));
    assert_non_null(strstr(back, "<target dir='rove1'/>"));
    assert_non_null(strstr(back, "<label>+1000:+1001</label>"));
    schema_validate(xml);
    free(back);
    free(xml);

    /* No mounts, no user of its own: libvirt's QEMU user stays. */
    c = base_config();
    xml = domain_xml_build(&c);
    assert_null(strstr(xml, "<filesystem"));
    assert_null(strstr(xml, "<seclabel"));
    free(xml);
}

/* A tag goes into the guest's mount command, a folder is absolute: anything else is refused. */
static void test_invalid_mounts_are_refused(void **state)
{
    (void)state;
    static const struct rove_mount bad[] = {
        {"/srv/app", "rove0'/><x y='", false},
        {"/srv/app", "", false},
        {"/srv/app", "a-tag-that-is-much-longer-than-31", false},
        {"relative/app", "rove0", false},
        {"/srv/a\001pp", "rove0", false},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct domain_config c = base_config();
        c.mounts = &bad[i];
        c.nmounts = 1;
        char *xml = domain_xml_build(&c);
        if (xml)
            fail_msg("mount %zu (%s, %s) was accepted:\n%s", i, bad[i].host_path, bad[i].tag, xml);
    }
}

/* The text between open and the next '<' after it in xml, newly allocated, or NULL. */
static char *text_after(const char *xml, const char *open)
{
    const char *at = strstr(xml, open);
    if (!at)
        return NULL;
    at += strlen(open);
    return xstrndup(at, strcspn(at, "<"));
}

static const struct rove_forward moved[] = {{18556, 22, "tcp"}};
static const struct domain_edit edit = {.cpus = 3,
                                        .memory_kib = 768 * 1024,
                                        .restrict_network = true,
                                        .ssh_port = 2222,
                                        .forwards = moved,
                                        .nforwards = 1};

static void expect_edited(const char *xml)
{
    char *memory = text_after(xml, "<memory unit='KiB'>");
    char *vcpu = text_after(xml, "<vcpu placement='static'>");
    assert_string_equal(memory, "786432");
    assert_string_equal(vcpu, "3");
    free(memory);
    free(vcpu);
}

/* As rove defined it: the forwards move, the SSH port and the disks stay, libvirt accepts it
 * (its test driver keeps no <qemu:commandline>: the forwards are checked before). */
static void test_edit_changes_cpus_memory_and_forwards_only(void **state)
{
    (void)state;
    struct domain_config c = base_config();
    char *built = domain_xml_build(&c);
    char *edited = domain_edit_apply("web", built, &edit);
    assert_non_null(edited);
    expect_edited(edited);
    assert_non_null(strstr(edited, "value='user,id=rovenet0,restrict=on,hostfwd=tcp:127.0.0.1:2222-"
                                   ":22,hostfwd=tcp:127.0.0.1:18556-:22'"));
    assert_null(strstr(edited, "8080"));
    assert_non_null(strstr(edited, "rove-0123abcd-web-seed.iso"));
    char *again = libvirt_round_trip(edited);
    expect_edited(again);
    free(again);
    free(edited);
    free(built);
}

/* As libvirt gives it back (placement, currentMemory, a UUID): each is set, the UUID kept. */
static void test_edit_of_the_xml_libvirt_keeps(void **state)
{
    (void)state;
    const char *defined =
        "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
        "  <name>rove-0123abcd-web</name>\n  "
        "<uuid>6c1f1b8e-6a43-4ab1-9b5e-0f3c2b7e9d11</uuid>\n"
        "  <memory unit='KiB'>524288</memory>\n"
        "  <currentMemory unit='KiB'>524288</currentMemory>\n"
        "  <vcpu placement='static'>1</vcpu>\n  "
        "<memoryBacking><nosharepages/></memoryBacking>\n"
        "  <qemu:commandline>\n    <qemu:arg value='-netdev'/>\n"
        "    <qemu:arg value='user,id=rovenet0,restrict=off,hostfwd=tcp:127.0.0.1:2222-:22,"
        "hostfwd=tcp:127.0.0.1:18555-:22'/>\n  </qemu:commandline>\n</domain>\n";
    char *edited = domain_edit_apply("web", defined, &edit);
    assert_non_null(edited);
    expect_edited(edited);
    char *current = text_after(edited, "<currentMemory unit='KiB'>");
    assert_string_equal(current, "786432");
    free(current);
    assert_non_null(strstr(edited, "<uuid>6c1f1b8e-6a43-4ab1-9b5e-0f3c2b7e9d11</uuid>"));
    assert_non_null(strstr(edited, "<memoryBacking><nosharepages/></memoryBacking>"));
    assert_non_null(strstr(edited, "hostfwd=tcp:127.0.0.1:18556-:22'/>"));
    assert_null(strstr(edited, "18555"));
    free(edited);
}

static void test_edit_refuses_a_domain_rove_did_not_define(void **state)
{
    (void)state;
    struct domain_edit e = {.cpus = 1, .memory_kib = 1024, .ssh_port = 2222};
    assert_null(domain_edit_apply("web", "<domain><name>x</name></domain>", &e));
    assert_null(domain_edit_apply(
        "web", "<domain><memory unit='KiB'>1</memory><vcpu>1</vcpu></domain>", &e));
    /* <memoryBacking> and <vcpus> are other elements */
    assert_null(domain_edit_apply(
        "web", "<domain><memoryBacking/><vcpus><vcpu id='0'/></vcpus></domain>", &e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nasty_values_are_escaped_and_survive_libvirt),
        cmocka_unit_test(test_control_characters_are_refused),
        cmocka_unit_test(test_forwards_and_network),
        cmocka_unit_test(test_invalid_forwards_are_refused),
        cmocka_unit_test(test_kernel_boot_or_disk_boot),
        cmocka_unit_test(test_extra_disks_follow_the_seed),
        cmocka_unit_test(test_domain_type_follows_accelerator),
        cmocka_unit_test(test_mounts_and_the_user_qemu_runs_as),
        cmocka_unit_test(test_invalid_mounts_are_refused),
        cmocka_unit_test(test_edit_changes_cpus_memory_and_forwards_only),
        cmocka_unit_test(test_edit_of_the_xml_libvirt_keeps),
        cmocka_unit_test(test_edit_refuses_a_domain_rove_did_not_define),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
