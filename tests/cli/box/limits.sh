#!/bin/bash
# SPDX-License-Identifier: MIT
# What unpacking a box may cost is bounded while it happens: the total unpacked size (4 x the
# metadata's virtual_size, else 64 GiB, else ROVE_BOX_MAX_UNPACKED), the number of entries, and
# the free space of the store, checked before the bytes arrive. Each refusal names the box, the
# limit or the folder, and leaves nothing behind.
. "$(dirname "$0")/lib.sh"
start_server

# A box whose metadata says 0.001 GB (a limit of 4 x 1 MiB) and whose image unpacks to 16 MiB
# of (compressible) zeros: refused at the image's header, before it is written.
mkbox sparse "$WWW/liar.box" --size $((16 << 20)) --virtual-size 0.001
run_expect "lying virtual_size" 1 box add "$URL/liar.box"
expect_err "$URL/liar.box: box archive entry 'box.img': box liar 0 unpacks to more than 4.1 MiB (4294964 bytes), its limit (4 x the virtual_size in metadata.json, 1.0 MiB (1073741 bytes)): refused; set ROVE_BOX_MAX_UNPACKED=SIZE"
expect_store
expect_no_temp
pass "a box larger than 4 x its virtual_size is refused, naming box and limit"

ROVE_BOX_MAX_UNPACKED=32M run_expect "raised limit" 0 box add "$URL/liar.box"
expect_store "liar 0 libvirt"
pass "ROVE_BOX_MAX_UNPACKED raises the limit"
run_expect remove 0 box remove liar

ROVE_BOX_MAX_UNPACKED=8M run_expect "lowered limit" 1 box add "$URL/liar.box"
expect_err "box liar 0 unpacks to more than 8.0 MiB (8388608 bytes), its limit (set by ROVE_BOX_MAX_UNPACKED)"
expect_store
pass "ROVE_BOX_MAX_UNPACKED also lowers it"

ROVE_BOX_MAX_UNPACKED=lots run_expect "bad limit" 2 box add "$URL/liar.box"
expect_err "ROVE_BOX_MAX_UNPACKED='lots' is not a size such as 200G or 512M"
pass "a malformed ROVE_BOX_MAX_UNPACKED is a usage error"

mkbox many-entries "$T/many.box"
run_expect "many entries" 1 box add "$T/many.box"
expect_err "box archive entry 'f9999': the box holds more than 10000 entries: refused"
expect_store
expect_no_temp
pass "a box of more than 10000 entries is refused"

# Free space: the store on a small file system made for this test.
if [ "$(id -u)" != 0 ]; then
    echo "skip: the free-space cases mount a tmpfs, which needs root"
    exit 77
fi
SMALL="$T/small"
mkdir -p "$SMALL"
if ! mount -t tmpfs -o size=8m rove-test-small "$SMALL" 2>"$T/mount.err"; then
    echo "skip: cannot mount a tmpfs here: $(cat "$T/mount.err")"
    exit 77
fi
trap 'umount "$SMALL"; cleanup' EXIT
export ROVE_HOME="$SMALL/home"

mkbox good "$T/big.box" --size $((12 << 20)) --compress none
run_expect "no room for a local box" 1 box add "$T/big.box"
expect_err "not enough free space in $SMALL/home/boxes/.tmp/big@"
expect_err ": box big 0 ($T/big.box) needs 12.0 MiB ("
expect_err "), 8.0 MiB ("
expect_store
expect_no_temp
pass "a local box larger than the store's free space is refused before unpacking"

cp "$T/big.box" "$WWW/big.box"
run_expect "no room for a download" 1 box add "$URL/big.box"
expect_err ": box big 0 ($URL/big.box) needs 24.0 MiB ("
expect_store
expect_no_temp
[ -z "$(find "$SMALL" -type f -size +1M)" ] || { find "$SMALL" -type f -ls; fail "a large file was left"; }
pass "a download is refused before it fills the store (its partial file counted)"

# A box that is small (gzip of zeros) but whose image declares 16 MiB: refused at its header.
mkbox sparse "$T/expands.box" --size $((16 << 20)) --compress gz
run_expect "no room for an entry" 1 box add "$T/expands.box"
expect_err "box archive entry 'box.img': not enough free space in $SMALL/home/boxes/.tmp/expands@"
expect_err ": it needs 16.0 MiB (16777216 bytes), "
expect_store
expect_no_temp
pass "an entry larger than the free space is refused before it is written"


