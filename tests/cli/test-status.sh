#!/bin/sh
# SPDX-License-Identifier: MIT
# rove status: every machine in order, selection by name, --json, and no provider loaded.
. "$(dirname "$0")/lib.sh"

printf 'version: 1\ndefaults: {box: x}\nmachines:\n  web:\n  db: {provider: vmm}\n' > machinefile.yaml
run status
expect_rc "status exits 0" 0
expect_out "web is not created" "web                  not created    libvirt"
expect_out "db uses its own provider" "db                   not created    vmm"
first=$(echo "$OUT" | sed -n 2p | cut -d' ' -f1)
[ "$first" = web ] && ok "machinefile order kept" || not_ok "machinefile order kept" "$OUT"

run status db
expect_rc "status NAME" 0
case "$OUT" in *web*) not_ok "only the named machine" "$OUT" ;; *) ok "only the named machine" ;; esac

run status nope
expect_rc "unknown machine exits 2" 2
expect_err "unknown machine is named with the valid ones" "no machine named 'nope'"
expect_err "valid machines listed" "(machines: web, db)"

run status --json
echo "$OUT" | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert [m["name"] for m in s] == ["web", "db"], s
assert s[0] == {"name": "web", "state": "not created", "provider": "libvirt"}, s[0]
' && ok "--json lists {name, state, provider}" || not_ok "--json lists {name, state, provider}" "$OUT"

[ -e .rove ] && not_ok "status creates no state" || ok "status creates no state"

printf 'version: 1\nmachines:\n  web: {cpus: 0}\n' > machinefile.yaml
run status
expect_rc "status on an invalid machinefile exits 2" 2
expect_err "and names the error" "machinefile.yaml:3:15: error: cpus (a count of virtual CPUs) must be between 1 and 256, got 0"
finish
