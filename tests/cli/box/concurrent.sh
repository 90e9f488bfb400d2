#!/bin/bash
# SPDX-License-Identifier: MIT
# Two adds of the same box at once: one downloads, the other waits and reuses it.
. "$(dirname "$0")/lib.sh"
start_server
mkbox good "$WWW/c.box" --size 3000000 --compress none
fault "path=/c.box&kind=slow&rate=3000000"
"$ROVE" box add "$URL/c.box" >"$T/a.out" 2>"$T/a.err" &
a=$!
sleep 0.3
"$ROVE" box add "$URL/c.box" >"$T/b.out" 2>"$T/b.err" &
b=$!
wait $a || { cat "$T/a.err"; fail "first add"; }
wait $b || { cat "$T/b.err"; fail "second add"; }
[ "$(requests /c.box | wc -l)" = 1 ] || { requests /c.box; fail "downloaded more than once"; }
grep -q "waiting for another rove" "$T/b.err" || { cat "$T/b.err"; fail "second did not wait"; }
grep -q "already in the store" "$T/b.err" || { cat "$T/b.err"; fail "second did not reuse"; }
expect_store "c 0 libvirt"
expect_no_temp
pass "concurrent adds: one download, the other waited and reused it"

# Adding box "cfoo" does not take the temporary folder of a running add of "cfoo.bar" for a
# leftover of its own.
mkbox good "$WWW/cfoo.bar.box" --size 200000
mkbox good "$WWW/cfoo.box" --size 4000
fault "path=/cfoo.bar.box&kind=slow&rate=100000"
"$ROVE" box add "$URL/cfoo.bar.box" >"$T/slow.out" 2>&1 &
slow=$!
for _ in $(seq 200); do ls "$ROVE_HOME/boxes/.tmp/" 2>/dev/null | grep -q '^cfoo\.bar@' && break; sleep 0.05; done
ls "$ROVE_HOME/boxes/.tmp/" | grep -q '^cfoo\.bar@' || fail "the slow add made no temporary folder"
run_expect "cfoo" 0 box add "$URL/cfoo.box"
wait $slow || { cat "$T/slow.out" >&2; fail "the add of cfoo.bar failed beside an add of cfoo"; }
[ -f "$ROVE_HOME/boxes/cfoo.bar/0/libvirt/.rove-box.json" ] || fail "cfoo.bar not stored"
pass "box add foo leaves the temporary folder of a running box add foo.bar alone"
