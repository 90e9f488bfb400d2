/* SPDX-License-Identifier: MIT */
/* The libvirt domain XML of a rove machine. Every value from outside (names, paths, kernel
 * command line) is escaped; values XML cannot carry at all (control characters) are refused. */
#ifndef ROVE_PROVIDERS_LIBVIRT_DOMAIN_XML_H
#define ROVE_PROVIDERS_LIBVIRT_DOMAIN_XML_H

#include "providers/provider.h"
#include "util/strbuf.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The XML namespace of rove's <metadata> element in a domain. */
#define ROVE_XML_NAMESPACE "https://rove.dev/xmlns/libvirt/1"

struct domain_config {
    const char *name;        /* domain name */
    const char *domain_type; /* "kvm" or "qemu" */
    const char *project_id;  /* recorded in <metadata> */
    const char *machine;     /* recorded in <metadata> */
    int cpus;
    uint64_t memory_kib;
    const char *disk_path; /* the machine's qcow2 overlay */
    const char *seed_path; /* raw ISO, attached read-only; NULL: none */
    /* the machine's qcow2 overlays on the box's other disks, attached after the seed */
    const char *const *extra_disk_paths;
    size_t nextra_disks;
    const char *kernel; /* direct kernel boot when non-NULL */
    const char *initrd;
    const char *cmdline;
    const char *console_log; /* the serial console is copied here (by virtlogd); NULL: none */
    int ssh_port;            /* host port on 127.0.0.1 forwarded to guest port 22 */
    const struct rove_forward *forwards;
    size_t nforwards;
    bool restrict_network;           /* the guest reaches only the forwards, nothing off the host */
    const struct rove_mount *mounts; /* host folders shared over virtio-9p */
    size_t nmounts;
    /* QEMU runs as run_uid:run_gid (a static DAC <seclabel>) instead of libvirt's QEMU user, so
     * that what the guest writes in a mount belongs to the user running rove. */
    bool run_as;
    uid_t run_uid;
    gid_t run_gid;
};

/* The user-mode NIC QEMU is given through <qemu:commandline>: its -netdev value starts so. */
#define DOMAIN_NETDEV_ID     "rovenet0"
#define DOMAIN_NETDEV_PREFIX "user,id=" DOMAIN_NETDEV_ID ","

/* Appends the -netdev value: user-mode networking, SSH on ssh_port and the forwards, all on
 * 127.0.0.1 (characters that need no escaping in XML). */
void domain_netdev_value(struct strbuf *sb, bool restrict_network, int ssh_port,
                         const struct rove_forward *forwards, size_t nforwards);
/* Returns 0 when every forward has valid ports and protocol, or -1 after naming the machine
 * and the forward. */
int domain_check_forwards(const char *machine, const struct rove_forward *forwards,
                          size_t nforwards);

/* Appends s escaped for XML text and attribute values. Returns false (appending nothing) when s
 * holds a character XML 1.0 cannot represent. */
bool xml_escape(struct strbuf *sb, const char *s);

/* The domain XML, newly allocated; NULL after printing why (naming the value) on an invalid
 * configuration. */
char *domain_xml_build(const struct domain_config *cfg);

#endif
