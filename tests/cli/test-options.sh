#!/bin/sh
# SPDX-License-Identifier: MIT
# Options as data: each command and subcommand accepts its own options only, the usage text and
# the README's synopsis come from the same tables, and output that cannot be written fails.
. "$(dirname "$0")/lib.sh"

run box list --dry-run
expect_rc "an option of another subcommand exits 2" 2
expect_err "the option is named" "rove box list: unknown option '--dry-run'"
run box add --all x.box
expect_rc "remove's --all is not add's" 2
run box frobnicate
expect_rc "an unknown subcommand exits 2" 2
expect_err "the unknown subcommand is named" "'frobnicate' is not a subcommand of 'rove box'"
run box
expect_rc "box without a subcommand exits 2" 2
run up --provision --no-provision
expect_rc "options that exclude each other exit 2" 2
expect_err "both are named" "--provision and --no-provision exclude each other"
run run --timeout soon -- true
expect_rc "a count that is not a number exits 2" 2
expect_err "the count's option is named" "--timeout takes a whole number"
run destroy --force=yes
expect_rc "a flag given a value exits 2" 2
run help box add
expect_rc "help of a subcommand exits 0" 0
expect_out "help of a subcommand shows its synopsis" "usage: rove box add SOURCE"
expect_out "help of a subcommand lists its options" "--require-checksum"
run box remove --help
expect_out "SUBCOMMAND --help shows its usage" "usage: rove box remove NAME"

"$ROVE" init -q
"$ROVE" status >/dev/full 2>"$WORK/full.err"
RC=$?
ERR=$(cat "$WORK/full.err")
expect_rc "status into a full device exits 1" 1
expect_err "the failed write is reported" "cannot write the output"
# The README's command list is what `rove help --all` prints.
readme=${EXAMPLES:?}/../README.md
awk '/^## Commands/ { section = 1 } section && /^```/ { if (inside) exit; inside = 1; next }
     inside { print }' "$readme" >"$WORK/readme.txt"
run help --all
printf '%s\n' "$OUT" >"$WORK/help.txt"
if diff -u "$WORK/readme.txt" "$WORK/help.txt" >"$WORK/diff.txt"; then
    ok "the README's synopsis matches rove help --all"
else
    not_ok "the README's synopsis matches rove help --all" "$(cat "$WORK/diff.txt")"
fi
finish
