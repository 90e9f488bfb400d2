#!/bin/bash
# SPDX-License-Identifier: MIT
# Box images are inspected before any provider gets them: a qcow2 box.img with a backing file
# or an external data file (host paths a box author picks, such as /etc/shadow) is refused,
# when added and when a stored box is used; self-contained qcow2 and raw images are accepted.
. "$(dirname "$0")/lib.sh"
command -v qemu-img >/dev/null || { echo "skip: qemu-img (Debian package qemu-utils) is needed to make qcow2 images"; exit 77; }
pack() { # OUT FORMAT: a box of $T/img/box.img
    printf '{"provider":"libvirt","format":"%s","virtual_size":1}' "$2" >"$T/img/metadata.json"
    tar -C "$T/img" -cf "$1" metadata.json box.img
}
mkdir -p "$T/img"
qemu-img create -q -f qcow2 -b /etc/shadow -F raw "$T/img/box.img"
pack "$T/backing.box" qcow2
run_expect "backing file" 1 box add "$T/backing.box"
expect_err "box.img refused: the qcow2 image has a backing file (/etc/shadow)"
expect_store
expect_no_temp

rm -f "$T/img/box.img"
qemu-img create -q -f qcow2 -o data_file="$T/outside.raw" "$T/img/box.img" 1M
pack "$T/datafile.box" qcow2
run_expect "data file" 1 box add "$T/datafile.box"
expect_err "keeps its data in an external data file ($T/outside.raw)"
expect_store
pass "qcow2 backing files and external data files are refused when added"

rm -f "$T/img/box.img"
qemu-img create -q -f qcow2 "$T/img/box.img" 1M
pack "$T/qcow2.box" qcow2
run_expect "qcow2" 0 box add "$T/qcow2.box"
qemu-img create -q -f raw "$T/img/box.img" 1M
pack "$T/raw.box" raw
run_expect "raw" 0 box add "$T/raw.box"
expect_store "qcow2 0 libvirt" "raw 0 libvirt"
pass "self-contained qcow2 and raw images are accepted"

# A stored box whose image was swapped afterwards is refused when it is used.
qemu-img create -q -f qcow2 -b /etc/shadow -F raw "$ROVE_HOME/boxes/qcow2/0/libvirt/box.img"
run_expect "stored" 1 box add "$T/qcow2.box"
expect_err "the stored box qcow2 0 (libvirt) in $ROVE_HOME/boxes/qcow2/0/libvirt: box.img refused: the qcow2 image has a backing file (/etc/shadow)"
pass "a stored box with a backing file is refused when used"

# Every disk a "disks" list names is inspected as box.img is.
mkdir -p "$T/disks"
qemu-img create -q -f qcow2 "$T/disks/disk1.qcow2" 1M
qemu-img create -q -f qcow2 -b /etc/shadow -F raw "$T/disks/disk2.qcow2"
printf '{"provider":"libvirt","format":"qcow2","virtual_size":1,"disks":[{"path":"disk1.qcow2"},{"path":"disk2.qcow2"}]}' \
    >"$T/disks/metadata.json"
tar -C "$T/disks" -cf "$T/disks.box" metadata.json disk1.qcow2 disk2.qcow2
run_expect "listed disk" 1 box add "$T/disks.box"
expect_err "disk2.qcow2 refused: the qcow2 image has a backing file (/etc/shadow)"
expect_store "qcow2 0 libvirt" "raw 0 libvirt"
printf '{"provider":"libvirt","disks":[{"path":"disk1.qcow2"},{"path":"disk3.qcow2"}]}' \
    >"$T/disks/metadata.json"
tar -C "$T/disks" -cf "$T/disks.box" metadata.json disk1.qcow2
run_expect "missing listed disk" 1 box add "$T/disks.box"
expect_err "the box's metadata.json names disk3.qcow2, which the box does not hold as a file"
expect_store "qcow2 0 libvirt" "raw 0 libvirt"
pass "each disk of a disks list is present and inspected"
