#!/bin/sh
# SPDX-License-Identifier: MIT
# A fresh machine without udev leaves /dev/kvm root:root 0600, which makes libvirtd probe QEMU
# again on every call: rove says so and names the fix, and scripts/start-libvirtd applies it.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"
require_libvirt
[ -c /dev/kvm ] || { echo "SKIP: this host has no /dev/kvm"; exit 77; }
getent group kvm >/dev/null || { echo "SKIP: this host has no kvm group"; exit 77; }
before=$(stat -c %G:%a /dev/kvm)
trap 'chgrp "${before%%:*}" /dev/kvm; chmod "${before##*:}" /dev/kvm; rm -rf "$WORK"' EXIT

chgrp root /dev/kvm && chmod 0600 /dev/kvm
cat > machinefile.yaml <<YAML
version: 1
machines:
  fresh:
    box: ./missing.box
YAML
run up
expect_rc "up without its box fails" 1
expect_err "up warns that libvirt's QEMU user cannot open /dev/kvm" "QEMU user libvirt-qemu cannot open"
expect_err "the warning names the fix" "chgrp kvm /dev/kvm && chmod 0660 /dev/kvm"
[ "$(printf '%s\n' "$ERR" | grep -c 'cannot open, so libvirtd')" -le 1 ] &&
    ok "the warning comes once" || not_ok "the warning comes once" "$ERR"

"$REPO/scripts/start-libvirtd" >"$WORK/start.log" 2>&1
[ "$(stat -c %G:%a /dev/kvm)" = kvm:660 ] && ok "start-libvirtd sets /dev/kvm to kvm 0660" ||
    not_ok "start-libvirtd sets /dev/kvm to kvm 0660" "$(stat -c %G:%a /dev/kvm)" "$(cat "$WORK/start.log")"
start=$(date +%s%N)
virsh -c "$LIBVIRT_URI" domcapabilities >/dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 1000 ] && ok "domcapabilities answers in under 1 s ($ms ms)" ||
    not_ok "domcapabilities answers in under 1 s" "$ms ms"
run up
case "$ERR" in *"cannot open, so libvirtd"*) not_ok "no warning once /dev/kvm is fixed" "$ERR" ;;
*) ok "no warning once /dev/kvm is fixed" ;; esac
finish
