#!/bin/sh
# SPDX-License-Identifier: MIT
# rove --help, help CMD, CMD --help, --version, and usage errors.
. "$(dirname "$0")/lib.sh"

run --help
expect_rc "--help exits 0" 0
for cmd in init validate up status ssh ssh-config provision halt reload destroy run global-status box help; do
    expect_out "--help lists $cmd" "  $cmd "
done
run --version
expect_rc "--version exits 0" 0
expect_out "--version prints the version" "rove "
run help validate
expect_rc "help validate exits 0" 0
expect_out "help validate shows its usage" "usage: rove validate"
run validate --help
expect_out "validate --help shows its usage" "usage: rove validate"
run status -h
expect_out "status -h shows its usage" "usage: rove status"
run
expect_rc "no command is a usage error" 2
run frobnicate
expect_rc "unknown command exits 2" 2
expect_err "unknown command is named" "'frobnicate' is not a rove command"
run help frobnicate
expect_rc "help of an unknown command exits 2" 2
run validate --bogus
expect_rc "unknown option exits 2" 2
expect_err "unknown option prints the usage line" "usage: rove validate"
run init --template
expect_rc "option without its value exits 2" 2
expect_err "missing value is explained" "needs a value"
run init --json
expect_rc "--json on a command that reports nothing exits 2" 2
run --bogus status
expect_rc "unknown leading option exits 2" 2
finish
