#!/bin/bash
# SPDX-License-Identifier: MIT
# remove refuses while a machine known to this host uses the box; prune keeps boxes in use.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/cat"
for v in 1.0 2.0; do mkbox good "$T/cat/m-$v.box" --size 2000; done
mkdir -p "$T/cat/test"
echo '{"name":"test/m","versions":[{"version":"1.0","providers":[{"name":"libvirt","url":"../m-1.0.box"}]},
 {"version":"2.0","providers":[{"name":"libvirt","url":"../m-2.0.box"}]}]}' >"$T/cat/test/m.json"
export ROVE_BOX_CATALOG="$T/cat"
run_expect "add 1.0" 0 box add test/m --box-version "= 1.0"
run_expect "add 2.0" 0 box add test/m
mkdir -p "$T/proj/.rove/machines/web"
cat >"$ROVE_HOME/index.json" <<JSON
{"machines": [
  {"project": "$T/proj", "name": "web", "box": "test/m", "box_version": "1.0",
   "provider": "libvirt", "state_dir": "$T/proj/.rove/machines/web"},
  {"project": "$T/gone", "name": "old", "box": "test/m", "box_version": "2.0",
   "provider": "libvirt", "state_dir": "$T/gone/.rove/machines/old"}
]}
JSON
run_expect "ambiguous" 1 box remove test/m
expect_err "several boxes test/m are stored: 1.0 (libvirt), 2.0 (libvirt)"
run_expect "in use" 1 box remove test/m --box-version 1.0
expect_err "box test/m 1.0 (libvirt) is used by machine 'web' of $T/proj"
expect_store "test/m 1.0 libvirt" "test/m 2.0 libvirt"
pass "remove refuses a box in use, naming the machine"

run_expect "prune keeps in use" 0 box prune
expect_err "keeping box test/m 1.0 (libvirt): machine 'web' of $T/proj uses it"
expect_store "test/m 1.0 libvirt" "test/m 2.0 libvirt"
pass "prune keeps a box in use"

# A vmm machine runs the box stored for libvirt: that box is in use too.
cp "$ROVE_HOME/index.json" "$T/index.saved"
python3 -c 'import sys; p = sys.argv[1]; s = open(p).read(); open(p, "w").write(s.replace("\"libvirt\"", "\"vmm\"", 1))' "$ROVE_HOME/index.json"
grep -q '"provider": "vmm"' "$ROVE_HOME/index.json" || fail "index not rewritten"
run_expect "in use by vmm" 1 box remove test/m --box-version 1.0
expect_err "box test/m 1.0 (libvirt) is used by machine 'web' of $T/proj"
run_expect "prune keeps vmm's" 0 box prune
expect_store "test/m 1.0 libvirt" "test/m 2.0 libvirt"
cp "$T/index.saved" "$ROVE_HOME/index.json"
pass "a box a vmm machine runs is kept by remove and prune"

run_expect "stale user ignored" 0 box remove test/m --box-version 2.0
expect_store "test/m 1.0 libvirt"
pass "a machine whose state folder is gone does not hold a box"

run_expect "force" 0 box remove test/m --force
expect_store
[ ! -e "$ROVE_HOME/boxes/test%2Fm" ] || fail "empty folders left"
run_expect "missing" 1 box remove test/m
expect_err "no stored box test/m"
pass "--force removes; removing a missing box fails clearly"

echo '{"machines": 5}' >"$ROVE_HOME/index.json"
run_expect "add" 0 box add test/m
run_expect "bad index" 1 box remove test/m
expect_err "index.json: expected a JSON object with a \"machines\" array"
pass "a malformed index is named, not ignored"

# The provider's copies of a box go with it; where they cannot be removed, the box stays.
echo '{"machines": []}' >"$ROVE_HOME/index.json"
dir=$(ls -d "$ROVE_HOME"/boxes/test%2Fm/*/libvirt)
echo '{"copies": [{"uri": "qemu+tcp://127.0.0.1:1/system", "pool": "rove",
  "volume": "rove-box-test_m-2.0-00000000.qcow2"}]}' >"$dir/.rove-libvirt-copies.json"
run_expect "copies unreachable" 1 box remove test/m
expect_err "cannot reach libvirt at qemu+tcp://127.0.0.1:1/system to remove its volumes there"
expect_err "box test/m 2.0 is kept; --force removes it anyway"
expect_store "test/m 2.0 libvirt"
run_expect "copies unreachable, forced" 0 box remove test/m --force
expect_err "removing box test/m 2.0 anyway (--force)"
expect_store
pass "a box whose libvirt copies cannot be removed stays, unless --force"
