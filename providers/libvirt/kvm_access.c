/* SPDX-License-Identifier: MIT */
#include "providers/libvirt/kvm_access.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>

#define KVM_DEVICE "/dev/kvm"
#define MAX_GROUPS 256

bool kvm_access_allows(const struct stat *st, uid_t uid, const gid_t *groups, size_t ngroups)
{
    if (uid == 0 || ((st->st_mode & 0006) == 0006))
        return true;
    if (uid == st->st_uid)
        return (st->st_mode & 0600) == 0600;
    for (size_t i = 0; i < ngroups; i++)
        if (groups[i] == st->st_gid)
            return (st->st_mode & 0060) == 0060;
    return false;
}

bool kvm_access_blocked(const char *user, char *why, size_t why_len)
{
    struct stat st;
    struct passwd *pw = getpwnam(user);
    if (stat(KVM_DEVICE, &st) < 0 || !pw)
        return false;
    gid_t groups[MAX_GROUPS];
    int n = MAX_GROUPS;
    if (getgrouplist(user, pw->pw_gid, groups, &n) < 0)
        n = 0;
    if (kvm_access_allows(&st, pw->pw_uid, groups, (size_t)n))
        return false;
    struct passwd *owner = getpwuid(st.st_uid);
    struct group *grp = getgrgid(st.st_gid);
    snprintf(why, why_len,
             "%s is %s:%s %04o, which libvirt's QEMU user %s cannot open, so libvirtd probes "
             "QEMU again on every call (seconds each); 'chgrp kvm %s && chmod 0660 %s' (what "
             "udev does on most hosts) fixes it",
             KVM_DEVICE, owner ? owner->pw_name : "?", grp ? grp->gr_name : "?",
             (unsigned)(st.st_mode & 07777), user, KVM_DEVICE, KVM_DEVICE);
    return true;
}
