#!/bin/bash
# SPDX-License-Identifier: MIT
# Transient failures are retried with back-off; permanent ones fail at once with the URL named.
. "$(dirname "$0")/lib.sh"
start_server
mkbox good "$WWW/f.box" --size 100000

fault "path=/f.box&kind=status&code=500"
run_expect "500 then ok" 0 box add "$URL/f.box"
[ "$(requests /f.box | cut -d' ' -f1 | tr '\n' ' ')" = "500 200 " ] || fail "500 retry"
expect_err "HTTP 500; retrying"
pass "500 then success"

clear_faults
fault "path=/f.box&kind=status&code=429&retry_after=2"
start=$(date +%s%N)
run_expect "429" 0 box add "$URL/f.box" --force
took=$((($(date +%s%N) - start) / 1000000))
[ "$took" -ge 1900 ] || fail "Retry-After 2 not honoured (took $took ms)"
pass "429 with Retry-After: 2 waited ${took} ms"

clear_faults
fault "path=/f.box&kind=status&code=503&times=0"
ROVE_HTTP_RETRIES=2 ROVE_HTTP_RETRY_MAX_WAIT=0 run_expect "503 forever" 1 box add "$URL/f.box" --name g
expect_err "cannot download $URL/f.box: server error (HTTP 503)"
[ "$(requests /f.box | wc -l)" = 3 ] || fail "expected 3 tries"
expect_store "f 0 libvirt"
pass "503 forever: 3 tries, then a clear error"

clear_faults
run_expect "404" 1 box add "$URL/missing.box"
expect_err "cannot download $URL/missing.box: not found (HTTP 404)"
[ "$(requests /missing.box | wc -l)" = 1 ] || fail "404 must not be retried"
pass "404 named, not retried"

# A port nobody listens on: bind one, close it, use it.
free_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run_expect "refused" 1 box add "http://127.0.0.1:$free_port/x.box"
expect_err "cannot download http://127.0.0.1:$free_port/x.box: the connection was refused"
pass "refused connection"

clear_faults
fault "path=/f.box&kind=hang"
ROVE_HTTP_STALL_TIMEOUT=1 ROVE_HTTP_RETRIES=0 run_expect "time-out" 1 box add "$URL/f.box" --name h
expect_err "cannot download $URL/f.box: timed out"
pass "stalled transfer times out"

clear_faults
fault "path=/r1.box&kind=redirect&to=$URL/f.box"
run_expect "redirect" 0 box add "$URL/r1.box" --name redirected
expect_store "f 0 libvirt" "redirected 0 libvirt"
fault "path=/r2.box&kind=redirect&to=ftp://127.0.0.1:$free_port/f.box"
run_expect "redirect to ftp" 1 box add "$URL/r2.box" --name ftp
expect_err "only http and https are allowed"
pass "redirects: http followed, ftp refused"

clear_faults
fault "path=/f.box&kind=slow&rate=400000"
run_expect "slow trickle" 0 box add "$URL/f.box" --name slow
expect_err "slow 0: 100%"
[ "$(grep -c '^slow 0: [0-9]*0%' "$T/err")" -ge 3 ] || { cat "$T/err"; fail "progress lines"; }
run_expect "quiet" 0 -q box add "$URL/f.box" --name quiet
[ ! -s "$T/err" ] || { cat "$T/err"; fail "-q printed something"; }
pass "progress: a line per 10 % off a terminal, nothing with -q"

# Disk full: a store on a 4 MiB tmpfs, a 16 MiB box.
if mkdir -p "$T/small" && mount -t tmpfs -o size=4m tmpfs "$T/small" 2>/dev/null; then
    mkbox good "$WWW/big.box" --size 16000000 --compress none
    ROVE_HOME="$T/small/home" run_expect "disk full" 1 box add "$URL/big.box"
    umount "$T/small"
    expect_err "not enough free space in $T/small/home/boxes/.tmp/big@"
    pass "a store without room is named"
else
    echo "skip: disk-full check needs to mount a tmpfs (root)"
fi

run_expect "bad scheme" 2 box add "ftp://127.0.0.1/x.box"
expect_err "only http, https and file URLs"
run_expect "usage" 2 box add
run_expect "usage" 2 box frobnicate
pass "usage errors exit 2"
