#!/bin/bash
# SPDX-License-Identifier: MIT
# `rove up` with box_checksum: a cached box is used only when its recorded checksum is the one
# pinned; a different box of the same name in the store is not taken for it. Needs libvirtd
# (the provider is probed before the box is fetched); no guest is created.
. "$(dirname "$0")/lib.sh"
virsh -c qemu:///system version >/dev/null 2>&1 ||
    { echo "skip: libvirtd is not reachable at qemu:///system (scripts/start-libvirtd)"; exit 77; }
start_server
mkdir -p "$WWW/cat/test"
mkbox good "$WWW/pin.box" --size 4000
mkbox good "$WWW/other.box" --size 4000
printf '{"name":"test/pin","versions":[{"version":"1.0","providers":[{"name":"libvirt","url":"%s","checksum_type":"sha256","checksum":"%s"}]}]}' \
    "$URL/pin.box" "$(sha256 "$WWW/pin.box")" >"$WWW/cat/test/pin.json"
export ROVE_BOX_CATALOG="$URL/cat"
run_expect "add" 0 box add test/pin
mkdir -p "$T/p" && cd "$T/p" || fail "cd"
printf 'version: 1\nmachines:\n  web:\n    box: test/pin\n    box_checksum: sha256:%s\n' \
    "$(sha256 "$WWW/other.box")" >machinefile.yaml
run_expect "up pinned to another box" 1 up
expect_err "does not have the checksum asked for"
expect_err "differs from the catalog's for test/pin 1.0"
[ ! -e .rove/machines/web/journal ] || [ ! -s .rove/machines/web/journal ] || fail "a machine was started on the wrong box"
cp "$WWW/other.box" "$T/local.box"
run_expect "local add" 0 box add "$T/local.box"
printf 'version: 1\nmachines:\n  web:\n    box: %s\n    box_checksum: sha256:%s\n' \
    "$T/local.box" "$(sha256 "$WWW/pin.box")" >machinefile.yaml
run_expect "up local pinned" 1 up
expect_err "checksum mismatch for $T/local.box"
pass "up compares box_checksum with the cached box, by name or by path"
