#!/bin/sh
# SPDX-License-Identifier: MIT
# The libvirt base volume of a box counts only once its upload finished: a volume left by an
# interrupted upload (full length, as libvirt sizes it at creation, but wrong after the bytes
# that arrived) is uploaded again by the next up, whose guest then reaches SSH. Runs in a pool
# of its own, so that no other volume on this host is touched.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"
require_libvirt
build_box tiny

POOL=rove-upload-test-$$
mkdir -p "$WORK/pool"
chmod 755 "$WORK" "$WORK/pool" # QEMU runs as libvirt-qemu and opens the volumes there
virsh -c "$LIBVIRT_URI" pool-define-as "$POOL" dir --target "$WORK/pool" >/dev/null &&
    virsh -c "$LIBVIRT_URI" pool-start "$POOL" >/dev/null || { echo "Bail out! cannot make pool $POOL"; exit 1; }
cleanup_pool() {
    "$ROVE" destroy -f >/dev/null 2>&1
    for vol in $(virsh -c "$LIBVIRT_URI" vol-list "$POOL" 2>/dev/null | awk 'NR > 2 && $1 != "" {print $1}'); do
        virsh -c "$LIBVIRT_URI" vol-delete --pool "$POOL" "$vol" >/dev/null 2>&1
    done
    virsh -c "$LIBVIRT_URI" pool-destroy "$POOL" >/dev/null 2>&1
    virsh -c "$LIBVIRT_URI" pool-undefine "$POOL" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup_pool EXIT
pool_volumes() { virsh -c "$LIBVIRT_URI" vol-list "$POOL" | awk 'NR > 2 && $1 != "" {print $1}' | sort; }

cat > machinefile.yaml <<YAML
version: 1
machines:
  web:
    box: $BOX
    memory: 512M
    libvirt: {pool: $POOL}
YAML
run up --no-provision
expect_rc "first up" 0
disk=$(pool_volumes | grep '^rove-box-.*\.qcow2$')
pool_volumes | grep -qx "$disk.complete" && ok "the uploaded disk volume is marked complete" ||
    not_ok "the uploaded disk volume is marked complete" "$(pool_volumes)"
run destroy -f
expect_rc "destroy" 0

# What a kill -9 during "uploading ... into libvirt volume" leaves: the volume at full length,
# its second half never written, and no completion marker.
image="$ROVE_HOME/boxes/tiny/0/libvirt/box.img"
size=$(stat -c %s "$image")
virsh -c "$LIBVIRT_URI" vol-delete --pool "$POOL" "$disk.complete" >/dev/null
dd if=/dev/zero of="$WORK/pool/$disk" bs=1 count=0 seek="$size" 2>/dev/null
dd if=/dev/zero of="$WORK/pool/$disk" bs=64K seek=$((size / 2 / 65536)) \
    count=$((size / 2 / 65536)) conv=notrunc 2>/dev/null
cmp -s "$image" "$WORK/pool/$disk" && { echo "Bail out! the volume was not damaged"; exit 1; }

run up --no-provision
expect_rc "up after an interrupted upload" 0
expect_err "the volume is uploaded again" "volume $disk was never completed (an interrupted upload): uploading it again"
cmp -s "$image" "$WORK/pool/$disk" && ok "the volume holds the box image again" ||
    not_ok "the volume holds the box image again"
run ssh web -c true
expect_rc "the guest reaches SSH" 0
run destroy -f

run box remove tiny
expect_rc "box remove" 0
left=$(pool_volumes | grep '^rove-box-' || true)
[ -z "$left" ] && ok "box remove takes the volumes and their markers" ||
    not_ok "box remove takes the volumes and their markers" "$left"
finish
