/* SPDX-License-Identifier: MIT */
#include "providers/libvirt/domain_xml.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

/* The NIC goes in a fixed slot of q35's root bus that libvirt does not hand out on its own. */
#define NIC_PCI_ADDR "0x9"

bool xml_escape(struct strbuf *sb, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
            return false;
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&':
            sb_add(sb, "&amp;");
            break;
        case '<':
            sb_add(sb, "&lt;");
            break;
        case '>':
            sb_add(sb, "&gt;");
            break;
        case '"':
            sb_add(sb, "&quot;");
            break;
        case '\'':
            sb_add(sb, "&apos;");
            break;
        case '\t':
            sb_add(sb, "&#9;");
            break;
        case '\n':
            sb_add(sb, "&#10;");
            break;
        case '\r':
            sb_add(sb, "&#13;");
            break;
        default:
            sb_addc(sb, *p);
        }
    }
    return true;
}

/* Appends before, the escaped value and after; on a value XML cannot hold, records which one. */
static void add_escaped(struct strbuf *sb, const char *before, const char *what, const char *value,
                        const char *after, const char **bad)
{
    sb_add(sb, before);
    if (!xml_escape(sb, value) && !*bad)
        *bad = what;
    sb_add(sb, after);
}

static void add_os(struct strbuf *sb, const struct domain_config *c, const char **bad)
{
    sb_add(sb, "  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n");
    if (c->kernel) {
        add_escaped(sb, "    <kernel>", "kernel path", c->kernel, "</kernel>\n", bad);
        if (c->initrd)
            add_escaped(sb, "    <initrd>", "initrd path", c->initrd, "</initrd>\n", bad);
        if (c->cmdline)
            add_escaped(sb, "    <cmdline>", "kernel command line", c->cmdline, "</cmdline>\n",
                        bad);
    } else {
        sb_add(sb, "    <boot dev='hd'/>\n");
    }
    sb_add(sb, "  </os>\n");
}

static void add_disks(struct strbuf *sb, const struct domain_config *c, const char **bad)
{
    sb_add(sb, "    <disk type='file' device='disk'>\n"
               "      <driver name='qemu' type='qcow2' discard='unmap'/>\n");
    add_escaped(sb, "      <source file='", "disk path", c->disk_path, "'/>\n", bad);
    sb_add(sb, "      <target dev='vda' bus='virtio'/>\n    </disk>\n");
    if (c->seed_path) {
        /* A second virtio disk rather than a cdrom: q35 has no IDE, and cloud-init finds the
         * NoCloud seed by its volume label on any block device. */
        sb_add(sb, "    <disk type='file' device='disk'>\n"
                   "      <driver name='qemu' type='raw'/>\n");
        add_escaped(sb, "      <source file='", "seed path", c->seed_path, "'/>\n", bad);
        sb_add(sb, "      <target dev='vdb' bus='virtio'/>\n      <readonly/>\n    </disk>\n");
    }
    /* vdb, or vdc after a seed, ...: at most 24 disks besides vda and the seed */
    char letter = c->seed_path ? 'c' : 'b';
    for (size_t i = 0; i < c->nextra_disks && letter <= 'z'; i++, letter++) {
        sb_add(sb, "    <disk type='file' device='disk'>\n"
                   "      <driver name='qemu' type='qcow2' discard='unmap'/>\n");
        add_escaped(sb, "      <source file='", "disk path", c->extra_disk_paths[i], "'/>\n", bad);
        sb_addf(sb, "      <target dev='vd%c' bus='virtio'/>\n    </disk>\n", letter);
    }
}

static void add_console(struct strbuf *sb, const struct domain_config *c, const char **bad)
{
    /* A pty console whose output virtlogd copies to the log: virtlogd runs as root, so the log
     * can live in the machine's 0700 state folder that QEMU's own user cannot enter. */
    sb_add(sb, "    <serial type='pty'>\n");
    if (c->console_log)
        add_escaped(sb, "      <log file='", "console log path", c->console_log,
                    "' append='on'/>\n", bad);
    sb_add(sb, "      <target port='0'/>\n    </serial>\n"
               "    <console type='pty'>\n      <target type='serial' port='0'/>\n"
               "    </console>\n");
}

/* Each mount as a virtio-9p device. accessmode 'squash' (QEMU's security_model=none): QEMU
 * creates files with the guest's owner when it may (as root) and keeps its own otherwise, so with
 * QEMU running as the user (run_as) what the guest creates is the user's; a chown the host does
 * not allow is ignored rather than failing the guest's cp -p or tar. */
static void add_mounts(struct strbuf *sb, const struct domain_config *c, const char **bad)
{
    for (size_t i = 0; i < c->nmounts; i++) {
        sb_add(sb, "    <filesystem type='mount' accessmode='squash'>\n"
                   "      <driver type='path'/>\n");
        add_escaped(sb, "      <source dir='", "mount source", c->mounts[i].host_path, "'/>\n",
                    bad);
        sb_addf(sb, "      <target dir='%s'/>\n", c->mounts[i].tag);
        if (c->mounts[i].readonly)
            sb_add(sb, "      <readonly/>\n");
        sb_add(sb, "    </filesystem>\n");
    }
}

void domain_netdev_value(struct strbuf *sb, bool restrict_network, int ssh_port,
                         const struct rove_forward *forwards, size_t nforwards)
{
    sb_addf(sb, DOMAIN_NETDEV_PREFIX "restrict=%s", restrict_network ? "on" : "off");
    sb_addf(sb, ",hostfwd=tcp:127.0.0.1:%d-:22", ssh_port);
    for (size_t i = 0; i < nforwards; i++)
        sb_addf(sb, ",hostfwd=%s:127.0.0.1:%d-:%d", forwards[i].proto, forwards[i].host,
                forwards[i].guest);
}

/* libvirt 9.0 as Debian builds it drops <portForward> on user-mode interfaces, so the NIC and
 * its forwards are passed to QEMU directly. */
static void add_network_args(struct strbuf *sb, const struct domain_config *c)
{
    sb_add(sb, "  <qemu:commandline>\n    <qemu:arg value='-netdev'/>\n    <qemu:arg value='");
    domain_netdev_value(sb, c->restrict_network, c->ssh_port, c->forwards, c->nforwards);
    sb_add(sb, "'/>\n    <qemu:arg value='-device'/>\n"
               "    <qemu:arg value='virtio-net-pci,netdev=" DOMAIN_NETDEV_ID
               ",bus=pcie.0,addr=" NIC_PCI_ADDR "'/>\n  </qemu:commandline>\n");
}

static bool valid_port(int port)
{
    return port > 0 && port < 65536;
}

/* A tag goes unescaped into the XML and into the guest's mount command: rove's own [a-z0-9]. */
static bool valid_tag(const char *tag)
{
    size_t n = tag ? strlen(tag) : 0;
    return n > 0 && n <= 31 && strspn(tag, "abcdefghijklmnopqrstuvwxyz0123456789") == n;
}

int domain_check_forwards(const char *machine, const struct rove_forward *forwards,
                          size_t nforwards)
{
    for (size_t i = 0; i < nforwards; i++) {
        const struct rove_forward *f = &forwards[i];
        if (!valid_port(f->host) || !valid_port(f->guest))
            return error("machine %s: forward %d -> %d: ports must be 1-65535", machine, f->host,
                         f->guest);
        if (!f->proto || (strcmp(f->proto, "tcp") != 0 && strcmp(f->proto, "udp") != 0))
            return error("machine %s: forward %d -> %d: protocol '%s' is neither tcp nor udp",
                         machine, f->host, f->guest, f->proto ? f->proto : "");
    }
    return 0;
}

static int check_config(const struct domain_config *c)
{
    for (size_t i = 0; i < c->nmounts; i++)
        if (!valid_tag(c->mounts[i].tag) || !c->mounts[i].host_path ||
            c->mounts[i].host_path[0] != '/')
            return error("machine %s: mount %zu: the tag must be 1-31 of [a-z0-9] and the "
                         "folder an absolute path",
                         c->machine, i + 1);
    if (!valid_port(c->ssh_port))
        return error("domain %s: SSH port %d is not a valid port", c->name, c->ssh_port);
    return domain_check_forwards(c->machine, c->forwards, c->nforwards);
}

char *domain_xml_build(const struct domain_config *c)
{
    if (check_config(c) != 0)
        return NULL;
    const char *bad = NULL;
    struct strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "<domain type='%s' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n",
            strcmp(c->domain_type, "kvm") == 0 ? "kvm" : "qemu");
    add_escaped(&sb, "  <name>", "domain name", c->name, "</name>\n", &bad);
    sb_add(&sb, "  <metadata>\n    <rove:machine xmlns:rove='" ROVE_XML_NAMESPACE "'>\n");
    add_escaped(&sb, "      <rove:project>", "project id", c->project_id, "</rove:project>\n",
                &bad);
    add_escaped(&sb, "      <rove:name>", "machine name", c->machine, "</rove:name>\n", &bad);
    sb_addf(&sb, "      <rove:ssh-port>%d</rove:ssh-port>\n", c->ssh_port);
    sb_add(&sb, "    </rove:machine>\n  </metadata>\n");
    sb_addf(&sb, "  <memory unit='KiB'>%llu</memory>\n", (unsigned long long)c->memory_kib);
    sb_addf(&sb, "  <vcpu>%d</vcpu>\n", c->cpus);
    add_os(&sb, c, &bad);
    sb_add(&sb, "  <features>\n    <acpi/>\n    <apic/>\n  </features>\n");
    if (strcmp(c->domain_type, "kvm") == 0)
        sb_add(&sb, "  <cpu mode='host-passthrough'/>\n");
    sb_add(&sb, "  <clock offset='utc'/>\n  <on_poweroff>destroy</on_poweroff>\n"
                "  <on_reboot>restart</on_reboot>\n  <on_crash>destroy</on_crash>\n"
                "  <devices>\n");
    add_disks(&sb, c, &bad);
    add_console(&sb, c, &bad);
    add_mounts(&sb, c, &bad);
    sb_add(&sb, "    <rng model='virtio'>\n      <backend model='random'>/dev/urandom</backend>\n"
                "    </rng>\n    <memballoon model='none'/>\n  </devices>\n");
    /* relabel: libvirt hands the disks, seed and kernel to that user for the run, as it does
     * to its own QEMU user. */
    if (c->run_as)
        sb_addf(&sb,
                "  <seclabel type='static' model='dac' relabel='yes'>\n"
                "    <label>+%u:+%u</label>\n  </seclabel>\n",
                (unsigned)c->run_uid, (unsigned)c->run_gid);
    add_network_args(&sb, c);
    sb_add(&sb, "</domain>\n");
    if (bad) {
        log_error("machine %s: the %s contains a control character that XML cannot carry",
                  c->machine, bad);
        sb_release(&sb);
        return NULL;
    }
    return sb_detach(&sb);
}
