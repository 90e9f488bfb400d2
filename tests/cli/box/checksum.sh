#!/bin/bash
# SPDX-License-Identifier: MIT
# Checksums: the expected value is normalised, a mismatch adds nothing and removes the partial
# file, --require-checksum refuses a box without one, weak digests warn.
. "$(dirname "$0")/lib.sh"
start_server
mkbox good "$WWW/c.box" --size 300000
SUM=$(sha256 "$WWW/c.box")
UPPER=$(echo "$SUM" | tr a-f A-F)

run_expect "normalised" 0 box add "$URL/c.box" --checksum "SHA256:$UPPER  c.box"
grep -q "sha256:$SUM" "$ROVE_HOME/boxes/c/0/libvirt/.rove-box.json" || fail "record checksum"
pass "upper case and a trailing file name are accepted"

BAD=$(echo "$SUM" | tr 0-9 1-90)
run_expect "mismatch" 1 box add "$URL/c.box" --name bad --checksum "sha256:$BAD"
expect_err "checksum mismatch for $URL/c.box"
expect_err "expected sha256:$BAD"
expect_err "actual   sha256:$SUM"
expect_store "c 0 libvirt"
expect_no_temp
[ -z "$(ls -A "$ROVE_HOME/cache/downloads")" ] || fail "partial file kept after a mismatch"
pass "mismatch: expected and actual shown, nothing added, partial file removed"

for t in sha384 sha512; do
    run_expect "$t" 0 box add "$URL/c.box" --name "c-$t" --checksum "$t:$(${t}sum "$WWW/c.box" | cut -d' ' -f1)"
done
run_expect "sha1" 0 box add "$URL/c.box" --name c-sha1 --checksum "sha1:$(sha1sum "$WWW/c.box" | cut -d' ' -f1)"
expect_err "weak"
run_expect "md5" 0 box add "$URL/c.box" --name c-md5 --checksum "md5:$(md5sum "$WWW/c.box" | cut -d' ' -f1)"
expect_err "weak"
pass "sha384, sha512; sha1 and md5 with a warning"

run_expect "require" 2 box add "$URL/c.box" --name nosum --require-checksum
expect_err "has no known checksum and a checksum is required"
run_expect "bad syntax" 2 box add "$URL/c.box" --checksum "sha256:abc"
expect_err "wrong length"
run_expect "bad type" 2 box add "$URL/c.box" --checksum "crc32:abcd"
[ "$(requests /c.box | wc -l)" = 6 ] || fail "refused requests must not download"
pass "--require-checksum and malformed checksums refuse before downloading"

# A zip box is whole on disk before it is unpacked: its checksum is compared first, so a box
# that is not the one pinned is never unpacked (this one would be refused for its '..' entry).
python3 -c '
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("metadata.json", "{\"provider\":\"libvirt\"}")
    z.writestr("../outside", "x")' "$WWW/z.box"
run_expect "zip mismatch" 1 box add "$URL/z.box" --checksum "sha256:$BAD"
expect_err "checksum mismatch for $URL/z.box"
grep -q "outside" "$T/err" && fail "the zip was unpacked before its checksum was compared"
expect_no_temp
pass "zip boxes: checksum compared before unpacking"
