#!/bin/bash
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
