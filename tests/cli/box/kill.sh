#!/bin/bash
# SPDX-License-Identifier: MIT
# kill -9 during add never leaves a half entry visible; the next add completes (resuming).
. "$(dirname "$0")/lib.sh"
start_server
mkbox good "$WWW/k.box" --size 8000000 --compress gz
fault "path=/k.box&kind=slow&rate=2000000"
"$ROVE" box add "$URL/k.box" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 40); do
    [ -n "$(ls -A "$ROVE_HOME/boxes/.tmp" 2>/dev/null)" ] && break
    sleep 0.1
done
sleep 1
[ -n "$(find "$ROVE_HOME/boxes/.tmp" -type f)" ] || fail "the add was not unpacking yet"
kill -9 $pid
wait $pid 2>/dev/null
# The server logs the killed request when a write fails: before the next add, so the log keeps
# the order of the requests.
server_idle
expect_store
[ ! -e "$ROVE_HOME/boxes/k" ] || fail "half entry visible after kill -9"
pass "kill -9 mid-unpack: nothing visible in the store"
run_expect "add again" 0 box add "$URL/k.box"
requests /k.box | sed -n 2p | grep -q '^206 bytes=[1-9]' || { requests /k.box; fail "no resume"; }
expect_store "k 0 libvirt"
expect_no_temp
cmp <(tar -xzOf "$WWW/k.box" box.img) "$ROVE_HOME/boxes/k/0/libvirt/box.img" || fail "box.img differs"
pass "add after kill -9 resumes, clears the leftovers and gives the right files"
