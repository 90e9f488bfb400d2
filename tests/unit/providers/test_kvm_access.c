/* SPDX-License-Identifier: MIT */
/* Whether libvirt's QEMU user can open /dev/kvm (providers/libvirt/kvm_access.c). */
#include "providers/libvirt/kvm_access.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#define QEMU_UID 64055
#define KVM_GID  107

static struct stat device(uid_t uid, gid_t gid, mode_t mode)
{
    struct stat st = {0};
    st.st_uid = uid;
    st.st_gid = gid;
    st.st_mode = S_IFCHR | mode;
    return st;
}

static const gid_t qemu_groups[] = {KVM_GID, QEMU_UID};

static void fresh_machine_blocks_qemu(void **state)
{
    (void)state;
    struct stat st = device(0, 0, 0600); /* no udev: root:root 0600 */
    assert_false(kvm_access_allows(&st, QEMU_UID, qemu_groups, 2));
}

static void udev_group_kvm_allows_qemu(void **state)
{
    (void)state;
    struct stat st = device(0, KVM_GID, 0660);
    assert_true(kvm_access_allows(&st, QEMU_UID, qemu_groups, 2));
}

static void group_without_write_blocks(void **state)
{
    (void)state;
    struct stat st = device(0, KVM_GID, 0640);
    assert_false(kvm_access_allows(&st, QEMU_UID, qemu_groups, 2));
}

static void world_writable_allows_anyone(void **state)
{
    (void)state;
    struct stat st = device(0, 0, 0666);
    assert_true(kvm_access_allows(&st, QEMU_UID, NULL, 0));
}

static void owner_needs_owner_bits(void **state)
{
    (void)state;
    struct stat st = device(QEMU_UID, 0, 0600);
    assert_true(kvm_access_allows(&st, QEMU_UID, NULL, 0));
    st = device(QEMU_UID, KVM_GID, 0060);
    assert_false(kvm_access_allows(&st, QEMU_UID, qemu_groups, 2));
}

static void unknown_user_is_not_blocked(void **state)
{
    (void)state;
    char why[256];
    assert_false(kvm_access_blocked("no-such-user-rove-test", why, sizeof why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fresh_machine_blocks_qemu),
        cmocka_unit_test(udev_group_kvm_allows_qemu),
        cmocka_unit_test(group_without_write_blocks),
        cmocka_unit_test(world_writable_allows_anyone),
        cmocka_unit_test(owner_needs_owner_bits),
        cmocka_unit_test(unknown_user_is_not_blocked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
