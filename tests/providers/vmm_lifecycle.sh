#!/bin/bash
# SPDX-License-Identifier: MIT
# A machine through the vmm provider module on a real rove-vmm under /dev/kvm. Its "kernel" is the
# micro-guest of tests/vmm (it drives the devices, then waits for Ctrl-Alt-Del), since a Linux
# guest cannot boot on an emulating /dev/kvm. The box is built here: a compressed qcow2 disk with a
# marker in its first sector, the micro-guest as kernel.
# probe, create (raw base converted once beside the box, sparse clone grown to --disk, record,
# journal), start, state running, the guest read the disk's marker, stop (graceful through the
# control socket), state stopped, start again, destroy: no process, no files, journal empty;
# destroy is idempotent and works from the journal alone.
#
# usage: vmm_lifecycle.sh PROVIDER_DRIVE ROVE_VMM MICROGUEST_ELF
# Exit codes: 0 pass, 1 fail, 77 skipped (the reason is printed).
set -euo pipefail

DRIVE=$1
export ROVE_VMM=$2
GUEST=$3

skip() {
    echo "SKIP: $*" >&2
    exit 77
}
fail() {
    echo "FAIL: $*" >&2
    [ -f "${STATE:-/nonexistent}/console.log" ] && { echo "--- console" >&2; cat "$STATE/console.log" >&2; }
    exit 1
}
step() { echo "--- $*" >&2; }

[ -e /dev/kvm ] || skip "/dev/kvm does not exist on this host"
[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip "no permission to use /dev/kvm"
[ -x "$ROVE_VMM" ] || skip "rove-vmm was not built at $ROVE_VMM"
[ -f "$GUEST" ] || skip "the micro-guest was not built at $GUEST"
command -v qemu-img >/dev/null || skip "qemu-img (qemu-utils) is needed to make the test box's qcow2"

WORK=$(mktemp -d /tmp/rove-vmm-prov.XXXXXX)
PROJECT=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
STATE=$WORK/project/.rove/machines/web
ARGS=(--project "$PROJECT" --machine web --state "$STATE")
drive() { "$DRIVE" vmm "$@" "${ARGS[@]}"; }
# The state without the note on missing hardware KVM that `rove status` shows on such hosts.
state() { drive state | sed 's/; hardware KVM missing (\/dev\/kvm only emulates)$//'; }
cleanup() {
    drive destroy >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

step "building the box"
mkdir -p "$WORK/box" "$WORK/seed"
mkdir -p -m 0700 "$WORK/project/.rove" "$WORK/project/.rove/machines" "$STATE"
printf 'ROVE-DISK-SECTOR-0' >"$WORK/disk.raw"
truncate -s 64M "$WORK/disk.raw"
printf 'DATA-AT-32M' | dd of="$WORK/disk.raw" bs=1M seek=32 conv=notrunc status=none
qemu-img convert -c -O qcow2 "$WORK/disk.raw" "$WORK/box/box.img"
cp "$GUEST" "$WORK/box/kernel"
cat >"$WORK/box/metadata.json" <<'JSON'
{"provider": "libvirt", "format": "qcow2", "virtual_size": 1, "kernel": "kernel",
 "cmdline": "microguest.mode=wait"}
JSON
printf 'instance-id: %s\n' "$PROJECT" >"$WORK/seed/meta-data"
printf '#cloud-config\n' >"$WORK/seed/user-data"
if command -v bsdtar >/dev/null; then
    bsdtar --format iso9660 --options iso9660:volume-id=cidata -cf "$WORK/seed.iso" -C "$WORK/seed" .
    SEED=(--seed "$WORK/seed.iso")
else
    SEED=()
fi
FORWARD_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

step "probe"
# Linux guests cannot boot where KVM only emulates, so the probe refuses such a host; the
# micro-guest does run there, so the rest of this test allows it explicitly.
if ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
    OUT=$(drive probe) && fail "probe accepted KVM that only emulates: $OUT"
    grep -q "hardware KVM is missing" <<<"$OUT" || fail "probe refused without saying why: $OUT"
fi
export ROVE_VMM_ALLOW_EMULATED_KVM=1
PROBE=$(drive probe) || fail "probe failed: $PROBE"
echo "$PROBE"
grep -q "rove-vmm at $ROVE_VMM" <<<"$PROBE" || fail "probe does not name the rove-vmm from ROVE_VMM"
if ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
    grep -q "hardware KVM is missing" <<<"$PROBE" || fail "no vmx/svm here, yet probe did not say so"
fi

step "create"
if grep -q "hardware KVM is missing" <<<"$PROBE"; then
    KVM_NOTE="; hardware KVM missing (/dev/kvm only emulates)"
else
    KVM_NOTE=""
fi
drive create --box "$WORK/box" --box-name rove-test/micro --box-version 1 "${SEED[@]}" \
    --forward "$FORWARD_PORT:80" --cpus 1 --memory 32 --disk 2048 || fail "create failed"
[ "$(drive state)" = "stopped not running$KVM_NOTE" ] || fail "after create, state is '$(drive state)' (the note on hardware KVM must match the probe)"
[ "$(wc -l <"$STATE/journal")" = 3 ] || fail "expected 3 journal records (disk, process, record)"
[ -f "$WORK/box/box.raw" ] || fail "no raw base image beside the box"
cmp "$WORK/disk.raw" "$WORK/box/box.raw" || fail "box.raw differs from the box's disk"
[ "$(stat -c %s "$STATE/disk.raw")" = $((2048 << 20)) ] || fail "the machine disk was not grown to 2 GiB"
[ "$(stat -c %b "$STATE/disk.raw")" -lt 2048 ] || fail "the machine disk is not sparse ($(stat -c %b "$STATE/disk.raw") blocks)"
cmp -n $((64 << 20)) "$WORK/disk.raw" "$STATE/disk.raw" || fail "the machine disk differs from the box's"
read -r HOST PORT <<<"$(drive endpoint)"
[ "$HOST" = 127.0.0.1 ] && [ "$PORT" -gt 0 ] || fail "SSH endpoint is '$HOST $PORT'"

step "start"
drive start || fail "start failed"
[ "$(state)" = "running running" ] || fail "after start, state is '$(drive state)'"
PID=$(cat "$STATE/vmm.pid")
tr '\0' ' ' </proc/"$PID"/cmdline | grep -q -- "--forward tcp:127.0.0.1:$PORT-:22" || fail "no SSH forward on port $PORT"
tr '\0' ' ' </proc/"$PID"/cmdline | grep -q -- "--forward tcp:127.0.0.1:$FORWARD_PORT-:80" || fail "no forward of port 80"
python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5).close()' "$PORT" ||
    fail "nothing listens on the SSH port $PORT"
for _ in $(seq 100); do grep -q 'microguest: done' "$STATE/console.log" 2>/dev/null && break; sleep 0.2; done
grep -q 'sector0=ROVE-DISK-SECTOR-0' "$STATE/console.log" || fail "the guest did not read the box's disk"
if [ ${#SEED[@]} -gt 0 ]; then
    grep -q '^blk1: .*write status=1' "$STATE/console.log" || fail "the seed disk is not read-only"
fi

step "stop (graceful)"
t=$(date +%s.%N)
drive stop --timeout 20 || fail "stop failed"
echo "stop: $(echo "$(date +%s.%N) - $t" | bc) s"
grep -q 'microguest: ctrl-alt-del' "$STATE/console.log" || fail "the guest did not see Ctrl-Alt-Del"
[ "$(state)" = "stopped not running" ] || fail "after stop, state is '$(drive state)'"
kill -0 "$PID" 2>/dev/null && fail "rove-vmm $PID still runs after stop"
drive stop --timeout 1 || fail "stopping a stopped machine failed"

step "start again, destroy while running"
drive start || fail "second start failed"
PID=$(cat "$STATE/vmm.pid")
[ "$(state)" = "running running" ] || fail "after the second start, state is '$(drive state)'"
drive destroy || fail "destroy failed"

step "nothing left"
sleep 0.2
kill -0 "$PID" 2>/dev/null && fail "rove-vmm $PID is left"
[ ! -e "$STATE/journal" ] || fail "the journal was not emptied"
[ -z "$(ls -A "$STATE")" ] || fail "files left in the state folder: $(ls -A "$STATE")"
[ "$(state)" = "not created no rove-vmm machine record" ] || fail "state after destroy: $(drive state)"
drive destroy || fail "a second destroy failed (must be idempotent)"
[ -f "$WORK/box/box.raw" ] || fail "destroy removed the shared raw base image"

step "destroy from the journal alone"
drive create --box "$WORK/box" --box-name rove-test/micro --box-version 1 --memory 32 || fail "create (again) failed"
drive start || fail "start (again) failed"
PID=$(cat "$STATE/vmm.pid")
rm -f "$STATE/vmm.json"
drive destroy || fail "destroy without the machine record failed"
sleep 0.2
kill -0 "$PID" 2>/dev/null && fail "rove-vmm $PID is left after the journal replay"
[ -z "$(ls -A "$STATE")" ] || fail "files left after the journal replay: $(ls -A "$STATE")"

step "errors name the machine and the cause"
OUT=$(ROVE_VMM=/nonexistent/rove-vmm drive probe) && fail "probe succeeded without rove-vmm"
grep -q '/nonexistent/rove-vmm' <<<"$OUT" || fail "probe does not name the missing rove-vmm: $OUT"
OUT=$(drive create --box "$WORK/box" --memory 32 --option kernel=/nonexistent/vmlinux 2>&1) &&
    fail "create with a missing kernel succeeded"
grep -q 'machine web: cannot read the kernel /nonexistent/vmlinux' <<<"$OUT" || fail "unclear error: $OUT"
[ -z "$(ls -A "$STATE" | grep -vx journal)" ] || fail "a failed create left files: $(ls -A "$STATE")"

echo "PASS"
