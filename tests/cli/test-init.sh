#!/bin/sh
# SPDX-License-Identifier: MIT
# rove init: templates compiled in, --force, --minimal, --template; what it writes validates.
. "$(dirname "$0")/lib.sh"

run init
expect_rc "init writes machinefile.yaml" 0
[ -f machinefile.yaml ] && ok "machinefile.yaml exists" || not_ok "machinefile.yaml exists"
grep -q 'box: debian/bookworm64' machinefile.yaml && ok "default box" || not_ok "default box"
grep -q '^#' machinefile.yaml && ok "default template is commented" || not_ok "default template is commented"
run validate
expect_rc "the default template validates" 0
expect_out "validate says OK" "machinefile.yaml: OK (1 machine)"

run init
expect_rc "init refuses to overwrite" 1
expect_err "refusal names the file and --force" "machinefile.yaml already exists; use --force"
run init --force --template multi example/box
expect_rc "init --force --template multi" 0
grep -q 'box: example/box' machinefile.yaml && ok "box argument used" || not_ok "box argument used"
run validate
expect_out "multi template validates with 2 machines" "OK (2 machines)"

run init --force --minimal
expect_rc "init --minimal" 0
grep -q '#' machinefile.yaml && not_ok "minimal has no comments" || ok "minimal has no comments"
run validate
expect_rc "minimal validates" 0

run init --force 'odd "box": name'
expect_rc "a box needing quotes" 0
run validate
expect_rc "a quoted box validates" 0

run init --force --template nope
expect_rc "unknown template exits 2" 2
expect_err "unknown template lists the templates" "templates: default, minimal, multi"

mkdir -p sub/deeper
run -f sub/deeper/m.yaml init
expect_rc "init -f FILE" 0
[ -f sub/deeper/m.yaml ] && ok "init -f writes FILE" || not_ok "init -f writes FILE"
finish
