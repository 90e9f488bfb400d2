#!/bin/bash
# SPDX-License-Identifier: MIT
# Every archive format a box may come in; sparse images stay sparse; Vagrantfile reported.
. "$(dirname "$0")/lib.sh"
for c in none gz xz zst; do
    mkbox good "$T/f-$c.box" --compress "$c"
    run_expect "$c" 0 box add "$T/f-$c.box"
    cmp "$ROVE_HOME/boxes/f-$c/0/libvirt/box.img" <(bsdtar -xOf "$T/f-$c.box" box.img) || fail "$c content"
done
mkbox zip "$T/f-zip.box" --size 100000
run_expect "zip" 0 box add "$T/f-zip.box"
cmp "$ROVE_HOME/boxes/f-zip/0/libvirt/box.img" <(bsdtar -xOf "$T/f-zip.box" box.img) || fail "zip content"
expect_store "f-gz 0 libvirt" "f-none 0 libvirt" "f-xz 0 libvirt" "f-zip 0 libvirt" "f-zst 0 libvirt"
pass "tar, tar.gz, tar.xz, tar.zst and zip"

mkbox good "$T/v.box" --vagrantfile
run_expect "vagrantfile" 0 box add "$T/v.box"
expect_err "Vagrantfile is ignored"
pass "an embedded Vagrantfile is reported as ignored"

# A 1 GiB image holding 2 MiB of data, as a gzip tar: must take about 2 MiB on disk.
mkbox sparse "$T/s.box" --size $((1 << 30)) --compress gz
run_expect "sparse" 0 box add "$T/s.box"
img="$ROVE_HOME/boxes/s/0/libvirt/box.img"
[ "$(stat -c %s "$img")" = $((1 << 30)) ] || fail "sparse size"
used=$(( $(stat -c %b "$img") * $(stat -c %B "$img") ))
[ "$used" -lt $((16 << 20)) ] || fail "sparse image takes $used bytes on disk"
pass "a 1 GiB image with 2 MiB of data takes $((used >> 20)) MiB on disk"

run_expect "list" 0 box list
expect_out "s                                0                libvirt"
