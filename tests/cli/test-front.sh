#!/bin/sh
# SPDX-License-Identifier: MIT
# The front binary: it links no download, archive or SSH library, and hands every command it does
# not hold to rove-full with the same arguments and exit code.
. "$(dirname "$0")/lib.sh"

needed=$(readelf -d "$ROVE" | grep NEEDED)
case "$needed" in
*libcurl* | *libarchive* | *libssh* | *libvirt* | *libcrypto*)
    not_ok "front links only what status and validate need" "$needed" ;;
*) ok "front links only what status and validate need" ;;
esac

run --help
expect_rc "--help is handed over" 0
expect_out "--help lists the commands rove-full holds" "provision"
run help up
expect_out "help for a handed-over command" "usage: rove up"
run box list
expect_rc "box list through rove-full" 0
run ssh --bogus
expect_rc "a usage error keeps exit code 2 through the hand-over" 2
expect_err "rove-full's message comes through" "unknown option '--bogus'"
run nosuchcommand
expect_rc "an unknown command is still a usage error" 2
expect_err "and says so" "'nosuchcommand' is not a rove command"
run --version
expect_out "--version answered by the front" "rove "

# Alone, the front says what is missing (unless an installed rove-full is there to be found).
cp "$ROVE" "$WORK/rove"
OUT=$("$WORK/rove" up 2>&1)
RC=$?
if [ -e "$ROVE_FULL_INSTALL_PATH" ]; then
    ok "an installed rove-full takes over for a lone front (exit $RC)"
else
    ERR=$OUT
    expect_rc "a lone front fails" 1
    expect_err "naming what it could not run" "cannot run $ROVE_FULL_INSTALL_PATH"
fi
finish
