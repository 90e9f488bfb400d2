#!/bin/sh
# SPDX-License-Identifier: MIT
# Box features a provider does not run yet are refused before anything is created, naming the
# machine, the box and what is missing: "firmware": "efi" in metadata.json (or the machine's
# libvirt: {firmware: efi}) for libvirt, and for vmm also a "disks" list of several images
# (libvirt attaches those: vm/disk-boot). libvirt is asked through the real daemon (nothing is
# defined); vmm through its create, which refuses before it needs KVM.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"
require_libvirt
MKBOX="$REPO/tests/cli/box/mkbox.py"
python3 "$MKBOX" two-disks "$WORK/two-disks.box" --size 1048576 || exit 1
python3 "$MKBOX" efi "$WORK/efi.box" --size 1048576 || exit 1
python3 "$MKBOX" good "$WORK/plain.box" --size 1048576 || exit 1
domains > "$WORK/domains.before"
volumes > "$WORK/volumes.before"
PROJECT_TAG=$(basename "$WORK")

# up_refused PROVIDER BOX MESSAGE...: up of one machine exits 1 with each message. $EXTRA goes
# into the machine's mapping.
EXTRA=
up_refused() {
    provider=$1 box=$2
    shift 2
    printf 'version: 1\nmachines:\n  m1: {box: %s, provider: %s, memory: 256M%s}\n' "$WORK/$box.box" \
        "$provider" "$EXTRA" > machinefile.yaml
    run up
    expect_rc "$provider refuses the $box box" 1
    for message in "$@"; do
        expect_err "$provider names what is missing for the $box box" "$message"
    done
    run destroy -f
}

up_refused libvirt efi "machine m1: box $ROVE_HOME/boxes/efi/0/libvirt needs UEFI firmware" \
    "firmware (OVMF) is not set up"
EXTRA=", libvirt: {firmware: efi}"
up_refused libvirt plain "machine m1: libvirt: {firmware: efi} asks for UEFI firmware" \
    "firmware (OVMF) is not set up"
EXTRA=
ROVE_VMM_ALLOW_EMULATED_KVM=1
export ROVE_VMM_ALLOW_EMULATED_KVM
up_refused vmm two-disks "machine m1: box $ROVE_HOME/boxes/two-disks/0/libvirt lists 2 disks" \
    "rove-vmm attaches one box disk"
up_refused vmm efi "machine m1: box $ROVE_HOME/boxes/efi/0/libvirt needs efi firmware" \
    "rove-vmm has no firmware"
expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"
finish
