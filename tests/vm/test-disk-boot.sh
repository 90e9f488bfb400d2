#!/bin/sh
# SPDX-License-Identifier: MIT
# A box as boxes are published: an MBR disk with GRUB, no kernel in metadata.json (the
# tiny-grub test box). Through libvirt it boots from its own disk (BIOS, then GRUB loading the
# kernel from the ext4 partition) to SSH; the same .box is accepted by `vagrant box add` where
# Vagrant is installed. The machine's box is that box with a second disk in vagrant-libvirt's
# "disks" list, which the guest must see as its second disk (one boot for both).
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"
require_libvirt
build_box tiny-grub

if command -v vagrant >/dev/null 2>&1; then
    VAGRANT_HOME="$WORK/vagrant" vagrant box add --name rove-test/tiny-grub "$BOX" \
        >"$WORK/vagrant.log" 2>&1
    rc=$?
    listed=$(VAGRANT_HOME="$WORK/vagrant" vagrant box list 2>&1)
    case "$rc:$listed" in
    0:*"rove-test/tiny-grub"*"libvirt"*) ok "vagrant box add accepts the box" ;;
    *) not_ok "vagrant box add accepts the box" "exit $rc" "$(cat "$WORK/vagrant.log")" "$listed" ;;
    esac
else
    echo "# skipped the Vagrant check: vagrant is not installed (Debian package vagrant)"
fi

meta=$(tar -xzOf "$BOX" metadata.json)
case "$meta" in
*kernel* | *initrd* | *cmdline*) not_ok "metadata.json names no kernel" "$meta" ;;
*) ok "metadata.json names no kernel" ;;
esac

# The same box with a second, raw disk whose first bytes are a marker.
mkdir "$WORK/repack" && tar -xzf "$BOX" -C "$WORK/repack" || exit 1
printf 'rove-second-disk' >"$WORK/repack/data.img" && truncate -s 1M "$WORK/repack/data.img"
python3 - "$WORK/repack/metadata.json" <<'PY'
import json, sys
meta = json.load(open(sys.argv[1]))
meta["disks"] = [{"path": "box.img", "format": meta.get("format", "qcow2")},
                 {"path": "data.img", "format": "raw"}]
json.dump(meta, open(sys.argv[1], "w"))
PY
TWO_DISKS=$WORK/tiny-grub-disks.box
tar -czf "$TWO_DISKS" -C "$WORK/repack" . || exit 1

cat > machinefile.yaml <<YAML
version: 1
machines:
  disk:
    box: $TWO_DISKS
    memory: 512M
    libvirt: {accel: auto}
YAML
domains > "$WORK/domains.before"
volumes > "$WORK/volumes.before"
PROJECT_TAG=$(basename "$WORK")

run up
expect_rc "up of a disk-booting box exits 0" 0
run ssh disk -c 'cat /proc/cmdline'
expect_rc "a command runs inside" 0
# Only GRUB's config puts this mark on the command line: metadata.json has no cmdline.
expect_out "the kernel was booted by GRUB from the disk" "rove.boot=grub"
run ssh disk -c 'ls /boot/vmlinuz /boot/grub/grub.cfg; sudo head -c 440 /dev/vda | grep -q GRUB && echo grub-in-mbr; sudo head -c 512 /dev/vda | tail -c 2 | od -An -tx1 | tr -d " "'
expect_out "the kernel GRUB loaded is on the guest's own disk" "/boot/vmlinuz"
expect_out "GRUB's boot code is in the disk's MBR" "grub-in-mbr"
expect_out "the disk carries an MBR signature" "55aa"
run ssh disk -c 'sudo head -c 16 /dev/vdb'
expect_out "the box's second disk is the guest's second disk" "rove-second-disk"

run destroy -f
expect_rc "destroy exits 0" 0
run box remove tiny-grub-disks
expect_rc "box remove exits 0" 0
expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"
finish
