#!/bin/sh
# SPDX-License-Identifier: MIT
# Every command that acts on machines, end to end through the real CLI, against the engine's fake
# provider module (tests/unit/engine/fake_provider.c): no VM, so the command layer is checked in
# seconds. The fake's guest never answers SSH; FAKE_PROVIDER_DIES makes it stop at once, which
# ends the wait.
. "$(dirname "$0")/lib.sh"
use_fake_provider
printf 'version: 1\ndefaults: {box: ./fake.box, provider: fake, boot_timeout: 5}\nmachines:\n  web: {}\n  db: {}\n' >machinefile.yaml

run up web
expect_rc "up of a machine whose guest dies fails" 1
expect_err "the wait says why" "the machine is no longer running"
expect_err "the machine is kept for inspection" "web: the machine is kept for inspection"
states=$("$ROVE" status --json | python3 -c '
import json, sys
print(" ".join(m["name"] + "=" + m["state"] for m in json.load(sys.stdin)))')
[ "$states" = "web=stopped db=not created" ] && ok "web exists, stopped; db was not touched" ||
    not_ok "web exists, stopped; db was not touched" "$states"
run halt -f
expect_rc "halt -f of a stopped machine succeeds" 0
expect_err "halt says so" "web: stopped"
run up web --destroy-on-error
expect_rc "up of the existing machine fails again" 1
run destroy --force db web
expect_rc "destroy --force succeeds" 0
expect_err "web is destroyed" "web: destroyed"
expect_err "db was never created" "db: not created"
[ ! -e .rove/machines/web ] && ok "no state is left" || not_ok "no state is left" "$(ls -R .rove)"
grep -q "^destroy fake.disk,fake.domain$" "$WORK/calls" && ok "the provider removed both resources" ||
    not_ok "the provider removed both resources" "$(cat "$WORK/calls")"
run up web --destroy-on-error
expect_rc "up --destroy-on-error of a new machine fails" 1
expect_err "and destroys it" "destroying the machine (--destroy-on-error)"
[ ! -e .rove/machines/web ] && ok "--destroy-on-error leaves nothing" || not_ok "--destroy-on-error leaves nothing"
FAKE_PROVIDER_FAIL=start run up db
expect_rc "a failed first start fails" 1
expect_err "and is undone" "db: removing what was created"
[ ! -e .rove/machines/db ] && ok "the failed start leaves nothing" || not_ok "the failed start leaves nothing"
run run -- true
expect_rc "run exits 255 when the machines cannot come up" 255
[ ! -e .rove/machines/web ] && ok "run destroys what it brought up" || not_ok "run destroys what it brought up"
finish
