#!/bin/sh
# SPDX-License-Identifier: MIT
# Failures of `up` that a user causes: each names what is wrong, exits non-zero, and leaves no
# state behind. No guest is booted.
. "$(dirname "$0")/lib.sh"

printf 'version: 1\nmachines:\n  web: {box: x, provider: nosuch}\n' > machinefile.yaml
run up
expect_rc "unknown provider exits 1" 1
expect_err "the missing module is named" "rove-provider-nosuch.so"
[ ! -e .rove ] && ok "nothing left after an unknown provider" || not_ok "nothing left" "$(find .rove)"

printf 'version: 1\nmachines:\n  web: {box: ./missing.box, provider: libvirt}\n' > machinefile.yaml
run --no-wait up
if [ "$RC" -ne 0 ]; then ok "a missing box file fails"; else not_ok "a missing box file fails"; fi
case "$ERR" in *missing.box*) ok "the missing box is named" ;; *) not_ok "the missing box is named" "$ERR" ;; esac
[ ! -e .rove ] && ok "nothing left after a missing box" || not_ok "nothing left after a missing box" "$(find .rove)"

run ssh web -c true
expect_rc "ssh to a machine never created exits 255" 255
expect_err "and says it is not created" "not created"
run destroy -f
expect_rc "destroy of a machine never created exits 0" 0
run halt
expect_rc "halt of a machine never created exits 0" 0
run up nope
expect_rc "up of an unknown machine exits 2" 2
finish
