#!/bin/bash
# SPDX-License-Identifier: MIT
# Box names ORG/NAME resolve through a box registry as Vagrant's do: $ROVE_BOX_REGISTRY/ORG/NAME
# (else $VAGRANT_SERVER_URL), asked for JSON, redirects followed (https only, but within
# 127.0.0.0/8), the host's architecture chosen, the token sent to the registry's origin only.
# The registry (a token-checking server) redirects each download to a second server.
. "$(dirname "$0")/lib.sh"
start_server # the download host
mkdir -p "$WWW/boxes"
for b in 0.9-amd64 1.0-amd64 1.0-arm64 2.0-arm64; do mkbox good "$WWW/boxes/$b.box" --size 4096; done
REG="$T/registry"
mkdir -p "$REG/test" "$REG/debian"
start_extra_server registry "$REG" --token s3cret
REG_URL=$EXTRA_URL
# The registry's download links live on its own origin and redirect to the download host.
provider() { # VERSION ARCH DEFAULT
    local link="/test/box/versions/$1/providers/libvirt/$2/vagrant.box"
    curl -fsS "$REG_URL/_fault?path=$link&kind=redirect&times=0&to=$URL/boxes/$1-$2.box" >/dev/null
    printf '{"name":"libvirt","url":"%s","checksum_type":"sha256","checksum":"%s","architecture":"%s","default_architecture":%s}' \
        "$REG_URL$link" "$(sha256 "$WWW/boxes/$1-$2.box")" "$2" "$3"
}
cat >"$REG/test/box" <<JSON
{"name":"test/box","versions":[
 {"version":"0.9","providers":[$(provider 0.9 amd64 true)]},
 {"version":"1.0","providers":[$(provider 1.0 arm64 true),$(provider 1.0 amd64 false)]},
 {"version":"2.0","providers":[$(provider 2.0 arm64 true)]}]}
JSON
export ROVE_BOX_REGISTRY=$REG_URL
unset VAGRANT_SERVER_URL ROVE_BOX_TOKEN VAGRANT_CLOUD_TOKEN

run_expect "no token" 1 box add test/box
expect_err "box test/box at $REG_URL/test/box: access denied: 401"
expect_store
pass "a registry that wants a token: the 401 names the box and the URL"

ROVE_BOX_TOKEN=s3cret run_expect "registry" 0 --json box add test/box
expect_store "test/box 1.0 libvirt"
grep -q "sha256:$(sha256 "$WWW/boxes/1.0-amd64.box")" "$ROVE_HOME/boxes/test%2Fbox/1.0/libvirt/.rove-box.json" ||
    fail "the host's architecture (amd64) was not the one added"
server_idle
python3 - "$T/registry.log" "$T/server.log" "$URL" <<'PY' || fail "token or Accept header went wrong"
import json, sys
reg = [json.loads(l) for l in open(sys.argv[1])]
dl = [json.loads(l) for l in open(sys.argv[2])]
meta = [e for e in reg if e["path"] == "/test/box" and e["status"] == 200]
assert meta and all(e["accept"] == "application/json" for e in meta), meta
assert all(e["authorization"] == "Bearer s3cret" for e in meta), meta
links = [e for e in reg if e["path"].endswith("/vagrant.box")]
assert links and all(e["status"] == 302 and e["authorization"] == "Bearer s3cret" for e in links), links
assert any(e["path"] == "/boxes/1.0-amd64.box" and e["status"] == 200 for e in dl), dl
assert all(e["authorization"] is None for e in dl), [e for e in dl if e["authorization"]]
PY
pass "ORG/NAME from the registry: JSON asked for, newest version for amd64, token never sent to the download host"

VAGRANT_CLOUD_TOKEN=s3cret run_expect "constraint" 0 box add test/box --box-version "< 1.0"
expect_store "test/box 0.9 libvirt" "test/box 1.0 libvirt"
pass "version constraints; VAGRANT_CLOUD_TOKEN"

export ROVE_BOX_TOKEN=s3cret
run_expect "404" 1 box add test/nothere
expect_err "box test/nothere not found at $REG_URL/test/nothere: 404"
run_expect "arch" 1 box add test/box --box-version ">= 2.0"
expect_err "2.0 (libvirt/arm64)"
expect_err "this host: amd64"
pass "404 names the box, URL and status; a version only for another architecture is not taken"

# The registry's own answer may redirect (as vagrantcloud.com does), within 127.0.0.0/8 or to https.
cp "$REG/test/box" "$REG/test/moved"
sed -i 's/"name":"test\/box"/"name":"test\/moved"/' "$REG/test/moved"
curl -fsS "$REG_URL/_fault?path=/test/moved&kind=redirect&to=$REG_URL/api/test/moved" >/dev/null
mkdir -p "$REG/api/test" && cp "$REG/test/moved" "$REG/api/test/moved"
run_expect "redirected" 0 box add test/moved --box-version "= 0.9"
curl -fsS "$REG_URL/_fault?path=/test/box&kind=redirect&to=http://registry.example/test/box" >/dev/null
run_expect "plain http" 1 box add test/box --force
expect_err "a box registry may only redirect to https URLs (to http://registry.example/test/box)"
pass "registry redirects followed; to plain http outside 127.0.0.0/8 refused"

# VAGRANT_SERVER_URL when ROVE_BOX_REGISTRY is unset; what `rove init` writes resolves there.
sed 's/"name":"test\/box"/"name":"debian\/bookworm64"/' "$REG/test/box" >"$REG/debian/bookworm64"
mkdir -p "$T/project"
(cd "$T/project" && "$ROVE" init >/dev/null 2>&1) || fail "rove init"
BOX=$(sed -n 's/^ *box: *//p' "$T/project/machinefile.yaml" | head -n1)
[ "$BOX" = debian/bookworm64 ] || fail "rove init's default box is '$BOX'"
unset ROVE_BOX_REGISTRY
VAGRANT_SERVER_URL=$REG_URL run_expect "init default" 0 box add "$BOX"
expect_store "debian/bookworm64 1.0 libvirt" "test/box 0.9 libvirt" "test/box 1.0 libvirt" "test/moved 0.9 libvirt"
pass "VAGRANT_SERVER_URL; rove init's default box resolves through the registry"

# Without a registry variable the public registry is the one asked (not reached here: the
# variable is set to a registry URL that is not http(s), which is refused before any request).
ROVE_BOX_REGISTRY=ftp://x run_expect "bad registry" 2 box add test/box
expect_err "the box registry 'ftp://x' (ROVE_BOX_REGISTRY or VAGRANT_SERVER_URL) is not an http(s) URL"
run_expect "one part" 2 box add justaname
expect_err "not ORG/NAME"
pass "a registry that is not http(s), and a name that is not ORG/NAME, are usage errors"
