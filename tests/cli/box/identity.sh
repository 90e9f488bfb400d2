#!/bin/bash
# SPDX-License-Identifier: MIT
# Boxes are identified by where they came from: two URLs never share a store entry, a local
# .box that changed (size, mtime or inode) is added again, and a checksum asked for is compared
# with the one recorded for the cached box.
. "$(dirname "$0")/lib.sh"
start_server
mkdir -p "$WWW/a" "$WWW/b"
mkbox good "$WWW/a/vagrant.box" --size 5000
mkbox good "$WWW/b/vagrant.box" --size 6000
source_of() { # NAME: the source and sha256 the store lists for it
    "$ROVE" --json box list | python3 -c '
import json, sys
for b in json.load(sys.stdin):
    if b["name"] == sys.argv[1]: print(b["source"], b["sha256"])' "$1"
}

run_expect "a" 0 box add "$URL/a/vagrant.box"
run_expect "b" 0 box add "$URL/b/vagrant.box"
HASHED=vagrant-$(printf %s "$URL/b/vagrant.box" | sha256sum | cut -c1-8)
expect_store "vagrant 0 libvirt" "$HASHED 0 libvirt"
[ "$(source_of vagrant)" = "$URL/a/vagrant.box sha256:$(sha256 "$WWW/a/vagrant.box")" ] || fail "box a: $(source_of vagrant)"
[ "$(source_of "$HASHED")" = "$URL/b/vagrant.box sha256:$(sha256 "$WWW/b/vagrant.box")" ] || fail "box b: $(source_of "$HASHED")"
run_expect "b again" 0 box add "$URL/b/vagrant.box"
expect_err "is already in the store"
[ "$(requests /b/vagrant.box | wc -l)" = 1 ] || fail "box b downloaded twice"
run_expect "name taken" 1 box add "$URL/b/vagrant.box" --name vagrant
expect_err "box vagrant 0 in the store came from $URL/a/vagrant.box, not $URL/b/vagrant.box"
pass "two URLs ending in vagrant.box are two boxes; list --json shows source and sha256"

mkbox good "$T/tiny.box" --size 7000
SUM=$(sha256 "$T/tiny.box")
run_expect "local" 0 box add "$T/tiny.box"
ZERO=sha256:$(printf '0%.0s' $(seq 64))
run_expect "wrong pin" 1 box add "$T/tiny.box" --checksum "$ZERO" --require-checksum
expect_err "has another checksum than the one asked for"
expect_err "checksum mismatch for $T/tiny.box"
run_expect "right pin" 0 box add "$T/tiny.box" --checksum "sha256:$SUM" --require-checksum
expect_err "is already in the store"
pass "a checksum asked for is compared with the cached box's"

cp "$T/tiny.box" "$T/old.box"
mkbox good "$T/tiny.box" --size 7000
touch -d '2001-01-01' "$T/tiny.box"
run_expect "rebuilt" 0 box add "$T/tiny.box"
expect_err "was added from a file that has changed since"
[ "$(source_of tiny)" = "$T/tiny.box sha256:$(sha256 "$T/tiny.box")" ] || fail "rebuilt box not added: $(source_of tiny)"
cp -p "$T/tiny.box" "$T/copy.box" && mv "$T/copy.box" "$T/tiny.box" # same size and mtime, new inode
run_expect "new inode" 0 box add "$T/tiny.box"
expect_err "was added from a file that has changed since"
pass "a rebuilt local .box with an older mtime, or a new inode, is added again"
