#!/bin/bash
# SPDX-License-Identifier: MIT
# Every crafted archive is refused with the entry named, nothing lands outside the store, and
# nothing half-made is left inside it.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/cwd/a/b/c/d"
cd "$T/cwd/a/b/c/d"
# Every file and link under the test folder (rove's lock files and the inputs aside), and any
# crafted name in / or /tmp (other programs may write there meanwhile).
snapshot() {
    find "$T" -not -type d | grep -v -e "^$T/[a-z-]*\.box\$" -e "^$T/\(out\|err\|store\|store.want\)\$" \
        -e "/\.locks/" | sort
    ls -A / /tmp | grep -e rove-escape -e passwd
}
check() { # KIND EXPECTED-MESSAGE
    mkbox "$1" "$T/$1.box" --size 1000
    before=$(snapshot)
    run_expect "$1" 1 box add "$T/$1.box"
    expect_err "$2"
    after=$(snapshot)
    [ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "$1 wrote outside"; }
    [ ! -e /tmp/rove-escape-abs ] || fail "$1 created /tmp/rove-escape-abs"
    [ -z "$(find "$T" -name 'rove-escape-*')" ] || fail "$1 escaped"
    expect_store
    expect_no_temp
    pass "$1 refused: $2"
}
check abs-path "box archive entry '/tmp/rove-escape-abs': absolute path refused"
check dotdot "box archive entry 'sub/../../rove-escape-dotdot': '..' in the path refused"
check symlink-out "box archive entry 'link': symbolic link pointing outside the box (../../../../rove-escape-link) refused"
check symlink-abs "box archive entry 'link': symbolic link to an absolute path (/etc/passwd) refused"
check symlink-chain "box archive entry 'chain': symbolic link pointing outside the box refused"
check symlink-write-through "box archive entry 'dir/file': its folder is a symbolic link or a file"
check hardlink-out "box archive entry 'hard': hard link pointing outside the box (../../etc/passwd) refused"
check device "box archive entry 'dev-null': device node refused"
check fifo "box archive entry 'pipe': fifo refused"
check huge-entry "box archive entry 'box.img': box huge-entry 0 unpacks to more than 4.0 GiB"
check no-metadata "the box has no metadata.json"
check bad-json "the box's metadata.json is not valid JSON"
check no-provider "the box's metadata.json has no 'provider'"
check not-an-archive "is damaged or not a tar/zip archive"
