/* SPDX-License-Identifier: MIT */
/* Whether libvirt's QEMU user can open /dev/kvm. Where it cannot (a fresh machine without udev
 * leaves the device root:root 0600), libvirtd finds its cached QEMU capabilities outdated on every
 * call ("KVM was enabled when probing ..., but it is not available now") and probes QEMU again:
 * seconds per call, a minute for one domain definition. Debian's udev rule makes it group kvm,
 * mode 0660. */
#ifndef ROVE_PROVIDERS_LIBVIRT_KVM_ACCESS_H
#define ROVE_PROVIDERS_LIBVIRT_KVM_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The user QEMU runs as under qemu:///system on Debian. */
#define KVM_ACCESS_QEMU_USER "libvirt-qemu"

/* True when a process of uid with the given groups may open a device of st read-write. */
bool kvm_access_allows(const struct stat *st, uid_t uid, const gid_t *groups, size_t ngroups);
/* True when /dev/kvm exists and user cannot open it read-write; why then names the device's
 * owner and mode and the fix. False when there is no /dev/kvm or no such user. */
bool kvm_access_blocked(const char *user, char *why, size_t why_len);

#endif
