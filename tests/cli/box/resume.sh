#!/bin/bash
# SPDX-License-Identifier: MIT
# Resuming: a dropped connection continues where it stopped (the bytes before the drop are not
# fetched again); a killed add resumes from its partial file; a server without Range support and
# a changed file restart cleanly from zero.
. "$(dirname "$0")/lib.sh"
start_server
mkbox good "$WWW/r.box" --size 12000000 --compress none
SIZE=$(stat -c %s "$WWW/r.box")
SUM=sha256:$(sha256 "$WWW/r.box")

# 1. The connection drops after 5,000,000 bytes: the retry asks for exactly the rest.
fault "path=/r.box&kind=drop&after=5000000"
run_expect "drop" 0 box add "$URL/r.box" --checksum "$SUM"
requests /r.box >"$T/req"
[ "$(sed -n 1p "$T/req")" = "200 None 5000000" ] || { cat "$T/req"; fail "first request"; }
[ "$(sed -n 2p "$T/req")" = "206 bytes=5000000- $((SIZE - 5000000))" ] || { cat "$T/req"; fail "resumed request"; }
[ "$(wc -l <"$T/req")" = 2 ] || fail "extra requests"
expect_store "r 0 libvirt"
[ -z "$(ls -A "$ROVE_HOME/cache/downloads")" ] || fail "partial file left after success"
pass "dropped connection resumes at byte 5000000; nothing fetched twice"

# 2. A TCP reset mid-transfer: resumed from what arrived, not from zero.
clear_faults
fault "path=/r.box&kind=reset&after=6000000"
run_expect "reset" 0 box add "$URL/r.box" --name r2
requests /r.box >"$T/req"
start=$(sed -n 2p "$T/req" | sed -n 's/^206 bytes=\([0-9]*\)-.*/\1/p')
[ -n "$start" ] && [ "$start" -gt 0 ] || { cat "$T/req"; fail "reset: no ranged retry"; }
pass "reset connection resumes at byte $start"

# 3. Killed add: the partial file and sidecar stay; the next add resumes from them.
clear_faults
fault "path=/r.box&kind=slow&rate=2000000"
"$ROVE" box add "$URL/r.box" --name r3 --checksum "$SUM" >/dev/null 2>&1 &
pid=$!
sleep 2
kill -9 $pid
wait $pid 2>/dev/null
# The server logs the killed request when its next write fails: let that happen before the log
# is cleared, so it is not taken for a request of the resumed add.
server_idle
part=$(ls "$ROVE_HOME"/cache/downloads/*.part)
have=$(stat -c %s "$part")
[ "$have" -gt 0 ] || fail "no partial download after kill"
grep -q '"etag"' "$part.json" || fail "sidecar lacks the ETag"
expect_store "r 0 libvirt" "r2 0 libvirt"
: >"$T/server.log"
run_expect "resume after kill" 0 box add "$URL/r.box" --name r3 --checksum "$SUM"
requests /r.box >"$T/req"
[ "$(cat "$T/req")" = "206 bytes=$have- $((SIZE - have))" ] || { cat "$T/req"; fail "resume after kill"; }
expect_store "r 0 libvirt" "r2 0 libvirt" "r3 0 libvirt"
pass "killed add resumes from its partial file ($have bytes kept)"

# 4. A server ignoring Range: the next try restarts from zero and the box is still right.
clear_faults
fault "path=/r.box&kind=drop&after=3000000"
fault "path=/r.box&kind=norange"
run_expect "no range" 0 box add "$URL/r.box" --name r4 --checksum "$SUM"
requests /r.box >"$T/req"
# The ranged retry gets the whole file (200): rove drops it and starts again from zero.
sed -n 2p "$T/req" | grep -q '^200 bytes=3000000- ' || { cat "$T/req"; fail "norange"; }
[ "$(sed -n 3p "$T/req")" = "200 None $SIZE" ] || { cat "$T/req"; fail "norange restart"; }
pass "server without Range support: clean restart from zero"

# 5. The file changed between two runs: If-Range brings it back whole; the new file is added.
clear_faults
fault "path=/r.box&kind=slow&rate=2000000"
"$ROVE" box add "$URL/r.box" --name r5 >/dev/null 2>&1 &
pid=$!
sleep 1.5
kill -9 $pid
wait $pid 2>/dev/null
server_idle # the killed request is logged before the log is cleared
mkbox good "$WWW/r.box" --size 12000000 --compress none
: >"$T/server.log"
run_expect "changed file" 0 box add "$URL/r.box" --name r5
requests /r.box | head -1 | grep -q '^200 bytes=' || { requests /r.box; fail "changed file not refetched whole"; }
cmp <(bsdtar -xOf "$WWW/r.box" box.img) "$ROVE_HOME/boxes/r5/0/libvirt/box.img" || fail "r5 is not the new file"
expect_no_temp
pass "changed file (If-Range) restarts from zero"

# A server that answers 206 with the rest of a changed file (it ignores If-Range): the answer's
# ETag and size differ from the partial file's record, so the download starts again.
mkbox good "$WWW/chg.box" --size 3000000
fault "path=/chg.box&kind=drop&after=1000000"
ROVE_HTTP_RETRIES=0 run_expect "cut" 1 box add "$URL/chg.box"
mkbox good "$WWW/chg.box" --size 3500000
clear_faults
fault "path=/chg.box&kind=noifrange"
run_expect "changed" 0 --json box add "$URL/chg.box"
expect_err "downloading from the start"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["sha256"]=="sha256:"+sys.argv[2], d' \
    "$T/out" "$(sha256 "$WWW/chg.box")" || fail "the stored box is not the changed file"
pass "a 206 whose ETag or size differs from the partial file's record restarts"
