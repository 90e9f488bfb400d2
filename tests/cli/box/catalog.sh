#!/bin/bash
# SPDX-License-Identifier: MIT
# Catalog resolution, version constraints, outdated/update and prune.
. "$(dirname "$0")/lib.sh"
start_server
mkdir -p "$WWW/boxes" "$WWW/cat/test"
for v in 1.0 1.2.3 1.5 2.0; do mkbox good "$WWW/boxes/box-$v.box" --size 4096; done
mkbox good "$WWW/boxes/box-2.0-vb.box" --size 4096 --provider virtualbox
entry() { # VERSION PROVIDER FILE
    printf '{"version":"%s","providers":[{"name":"%s","url":"%s","checksum_type":"sha256","checksum":"%s"}]}' \
        "$1" "$2" "$3" "$(sha256 "$WWW/boxes/${3##*/}")"
}
catalog() { # the versions offered, as JSON
    echo "{\"name\":\"test/box\",\"versions\":[$1]}"
}
V1=$(entry 1.0 libvirt "$URL/boxes/box-1.0.box")
V12=$(entry 1.2.3 libvirt "../../boxes/box-1.2.3.box")
V15=$(entry 1.5 libvirt "$URL/boxes/box-1.5.box")
V2=$(entry 2.0 virtualbox "$URL/boxes/box-2.0-vb.box")
catalog "$V1,$V12,$V2" >"$WWW/cat/test/box.json"

# A name that is not ORG/NAME (so no registry has it) without a catalog is a usage error that
# says what to do.
run_expect "no catalog" 2 box add testbox
expect_err "ROVE_BOX_CATALOG"

# Base URL: BASE/NAME.json; libvirt preferred, so 2.0 (virtualbox only) is not chosen.
export ROVE_BOX_CATALOG="$URL/cat"
run_expect "base url" 0 box add test/box
expect_store "test/box 1.2.3 libvirt"
pass "catalog base URL, highest version for the provider, relative box URL"

run_expect "provider" 0 box add test/box --provider virtualbox
expect_store "test/box 1.2.3 libvirt" "test/box 2.0 virtualbox"
pass "--provider"

run_expect "exact" 0 box add test/box --box-version "= 1.0"
run_expect "range" 0 box add test/box --box-version ">= 1.0, < 1.2"
expect_err "already in the store"
run_expect "none matches" 1 box add test/box --box-version "> 3"
expect_err "no version of test/box matches > 3"
expect_err "1.0 (libvirt)"
run_expect "bad constraint" 2 box add test/box --box-version "about 1"
pass "constraints = and ranges; no match lists the offers; bad constraint is a usage error"

# outdated / update after the catalog gains 1.5
run_expect "up to date" 0 box outdated
expect_out "test/box (libvirt): 1.2.3 is up to date"
catalog "$V1,$V12,$V15,$V2" >"$WWW/cat/test/box.json"
run_expect "outdated" 0 box outdated
expect_out "test/box (libvirt): 1.2.3 installed, 1.5 available"
run_expect "outdated json" 0 --json box outdated test/box
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any(x["latest"]=="1.5" and x["outdated"] for x in d), d' "$T/out" || fail "outdated --json"
run_expect "update" 0 box update
expect_store "test/box 1.0 libvirt" "test/box 1.2.3 libvirt" "test/box 1.5 libvirt" "test/box 2.0 virtualbox"
pass "outdated, update"

run_expect "pessimistic" 0 box add test/box --box-version "~> 1.2" --force
[ -n "$(requests /boxes/box-1.5.box)" ] || fail "~> 1.2 should pick 1.5"
pass "~> 1.2 picks 1.5"

run_expect "prune dry run" 0 box prune --dry-run
expect_out "would remove box test/box 1.0 (libvirt)"
expect_out "would remove box test/box 1.2.3 (libvirt)"
expect_store "test/box 1.0 libvirt" "test/box 1.2.3 libvirt" "test/box 1.5 libvirt" "test/box 2.0 virtualbox"
run_expect "prune" 0 box prune
expect_store "test/box 1.5 libvirt" "test/box 2.0 virtualbox"
pass "prune keeps the newest of each name and provider"

# A catalog document given by path holding several boxes, and a catalog URL as SOURCE.
echo "[{\"name\":\"other/box\",\"versions\":[]}, $(catalog "$V1")]" >"$T/all.json"
ROVE_BOX_CATALOG="$T/all.json" run_expect "catalog file array" 0 box add test/box --force
run_expect "catalog URL source" 0 box add "$URL/cat/test/box.json" --box-version "< 1.1"
expect_store "test/box 1.0 libvirt" "test/box 1.5 libvirt" "test/box 2.0 virtualbox"
pass "catalog file with several boxes; catalog URL as SOURCE"

run_expect "list json" 0 --json box list
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert all(b["size"]>0 and b["checksum"].startswith("sha256:") for b in d), d' "$T/out" || fail "list --json"
pass "list --json has sizes and checksums"

# A catalog fetched over the network may not lead to a local file.
printf '{"name":"test/local","versions":[{"version":"1","providers":[{"name":"libvirt","url":"file://%s"}]}]}' \
    "$WWW/boxes/box-1.0.box" >"$WWW/cat/test/local.json"
ROVE_BOX_CATALOG="$URL/cat" run_expect "file url" 1 box add test/local
expect_err "may only lead to http(s) URLs"
pass "an http catalog pointing at file:// is refused"
