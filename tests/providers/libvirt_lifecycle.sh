#!/bin/bash
# SPDX-License-Identifier: MIT
# A real machine through the libvirt provider module, against the system libvirtd and QEMU:
# probe, create (box images uploaded into the pool, qcow2 overlay, seed, domain), start, wait for
# the SSH forward to answer with an SSH banner, snapshot save/restore/delete, stop, start again,
# destroy; then check that no domain, machine volume, QEMU process or state file is left, that
# destroy is idempotent, and that it works from the journal alone when the domain is gone.
#
# usage: libvirt_lifecycle.sh PROVIDER_DRIVE BOX_BUILDER
# ROVE_TEST_BOX=PATH uses that .box (a tar with metadata.json, box.img, kernel, initrd) instead of
# building the tiny box.
# Exit codes: 0 pass, 1 fail, 77 skipped (the reason is printed).
set -euo pipefail

DRIVE=$1
BOX_BUILDER=$2
URI=qemu:///system

skip() {
    echo "SKIP: $*" >&2
    exit 77
}
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
step() { echo "--- $*" >&2; }
now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }

[ "$(id -u)" = 0 ] || skip "needs root: it uses the system libvirtd and its storage pool"
for tool in libvirtd virtlogd virtlockd virsh qemu-system-x86_64 qemu-img bsdtar bc; do
    command -v "$tool" >/dev/null || skip "$tool is not installed"
done
[ -n "${ROVE_TEST_BOX:-}" ] || [ -x "$BOX_BUILDER" ] || skip "no test box builder at $BOX_BUILDER"

# There is no service manager here to start libvirt; start what is missing.
start_daemons() {
    pgrep -x virtlogd >/dev/null || virtlogd -d
    pgrep -x virtlockd >/dev/null || virtlockd -d
    pgrep -x libvirtd >/dev/null || libvirtd -d
    local i
    for i in $(seq 1 120); do
        virsh -c "$URI" version >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    fail "libvirtd did not answer at $URI within 60 s"
}

# Waits until 127.0.0.1:$1 accepts a connection and sends an SSH banner; prints the banner.
wait_for_ssh_banner() {
    local port=$1 deadline=$(($(date +%s) + 120)) banner
    while [ "$(date +%s)" -lt "$deadline" ]; do
        banner=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && head -c 8 <&3" \
            2>/dev/null || true)
        if [ "$banner" = "SSH-2.0-" ]; then
            echo "$banner"
            return 0
        fi
        sleep 0.5
    done
    return 1
}

start_daemons
if [ -n "${ROVE_TEST_BOX:-}" ]; then
    BOX=$ROVE_TEST_BOX
else
    step "building the tiny box"
    BOX=$("$BOX_BUILDER" tiny | tail -n 1) || fail "$BOX_BUILDER tiny failed"
fi
[ -f "$BOX" ] || fail "$BOX_BUILDER tiny printed '$BOX', which is not a file"
BOX_VERSION=$(basename "$(dirname "$BOX")") # the builder's content hash

WORK=$(mktemp -d /tmp/rove-libvirt-test.XXXXXX)
PROJECT=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
DOMAIN=rove-$PROJECT-web
STATE=$WORK/project/.rove/machines/web
ARGS=(--project "$PROJECT" --machine web --state "$STATE" --option "uri=$URI"
    --option restrict=true)
drive() { "$DRIVE" libvirt "$@" "${ARGS[@]}"; }

cleanup() {
    drive destroy >/dev/null 2>&1 || true
    # The box volumes are shared by design and stay after destroy; this test's own go here.
    local vol
    for vol in $(virsh -c "$URI" vol-list rove 2>/dev/null | awk '/rove-box-rove-test_tiny-/ {print $1}'); do
        virsh -c "$URI" vol-delete --pool rove "$vol" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/box" "$WORK/seed"
mkdir -p -m 0700 "$WORK/project/.rove" "$WORK/project/.rove/machines" "$STATE"
tar -xf "$BOX" -C "$WORK/box"
# Without "quiet" the kernel writes to the serial console, so the console log can be checked.
sed -i 's/ quiet//' "$WORK/box/metadata.json"
printf 'instance-id: %s\n' "$PROJECT" >"$WORK/seed/meta-data"
printf '#cloud-config\n' >"$WORK/seed/user-data"
bsdtar --format iso9660 --options iso9660:volume-id=cidata -cf "$WORK/seed.iso" -C "$WORK/seed" .
FORWARD_PORT=$((20000 + RANDOM % 20000))

step "probe"
PROBE=$(drive probe) || fail "probe failed: $PROBE"
echo "$PROBE"
if ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
    grep -q "accelerator TCG" <<<"$PROBE" || fail "no vmx/svm on this host, yet probe did not pick TCG"
fi

step "create"
t=$(now)
drive create --box "$WORK/box" --box-name rove-test/tiny --box-version "$BOX_VERSION" \
    --seed "$WORK/seed.iso" --forward "$FORWARD_PORT:80" --cpus 1 --memory 256 --disk 2048 ||
    fail "create failed"
echo "create: $(elapsed "$t") s"
[ "$(drive state)" = "stopped not started" ] || fail "after create, state is '$(drive state)'"
[ "$(wc -l <"$STATE/journal")" = 3 ] || fail "expected 3 journal records (disk, seed, domain)"

XML=$(virsh -c "$URI" dumpxml "$DOMAIN")
grep -q "hostfwd=tcp:127.0.0.1:[0-9]*-:22" <<<"$XML" || fail "no SSH forward in the domain XML"
grep -q "hostfwd=tcp:127.0.0.1:$FORWARD_PORT-:80" <<<"$XML" || fail "no forward of port 80"
grep -q "restrict=on" <<<"$XML" || fail "restrict=true did not reach the network"
grep -q "<kernel>/var/lib/libvirt/images/rove/rove-box-rove-test_tiny-" <<<"$XML" ||
    fail "no direct kernel boot from the pool"
grep -q "<readonly/>" <<<"$XML" || fail "the seed is not attached read-only"
if grep -q "accelerator TCG" <<<"$PROBE"; then
    grep -q "<domain type='qemu'" <<<"$XML" || fail "TCG chosen but the domain type is not qemu"
fi

DISK=/var/lib/libvirt/images/rove/$DOMAIN.qcow2
INFO=$(qemu-img info -U --output=json "$DISK")
grep -q '"backing-filename": "/var/lib/libvirt/images/rove/rove-box-rove-test_tiny-' <<<"$INFO" ||
    fail "the machine's disk is not an overlay on the box volume: $INFO"
grep -q '"virtual-size": 2147483648' <<<"$INFO" || fail "the disk was not grown to 2 GiB"
ALLOCATED=$(stat -c %s "$DISK")
[ "$ALLOCATED" -lt 10485760 ] || fail "the overlay holds $ALLOCATED bytes: a full copy?"

step "start"
t=$(now)
drive start || fail "start failed"
read -r HOST PORT <<<"$(drive endpoint)"
[ "$HOST" = 127.0.0.1 ] || fail "SSH endpoint host is '$HOST'"
wait_for_ssh_banner "$PORT" >/dev/null || fail "no SSH banner on 127.0.0.1:$PORT within 120 s"
echo "start to SSH banner: $(elapsed "$t") s (port $PORT)"
[ "$(drive state)" = "running running (TCG, software emulation)" ] ||
    [ "$(drive state)" = "running running (KVM)" ] || fail "state is '$(drive state)' while SSH answers"
[ -s "$STATE/console.log" ] || fail "the serial console log $STATE/console.log is empty"
grep -q "Linux version" "$STATE/console.log" || fail "no kernel messages in the console log"

step "snapshot: save, restore, delete"
t=$(now)
drive snapshot-save first || fail "snapshot-save failed"
[ "$(drive snapshot-list)" = "first memory current" ] ||
    fail "snapshot-list of the running machine says '$(drive snapshot-list)'"
drive snapshot-restore first || fail "snapshot-restore failed"
wait_for_ssh_banner "$PORT" >/dev/null || fail "no SSH banner after restoring the snapshot"
drive snapshot-delete first || fail "snapshot-delete failed"
[ -z "$(drive snapshot-list)" ] || fail "snapshot-list after the delete says '$(drive snapshot-list)'"
drive snapshot-restore first 2>/dev/null && fail "restoring a deleted snapshot succeeded"
echo "snapshot save + restore + delete: $(elapsed "$t") s"

step "stop (graceful)"
t=$(now)
drive stop --timeout 60 || fail "stop failed"
echo "stop: $(elapsed "$t") s"
case "$(drive state)" in stopped*) ;; *) fail "after stop, state is '$(drive state)'" ;; esac
drive stop --timeout 1 || fail "stopping a stopped machine failed"

step "start again, destroy while running"
drive start || fail "second start failed"
wait_for_ssh_banner "$PORT" >/dev/null || fail "no SSH banner after the second start"
t=$(now)
drive destroy || fail "destroy failed"
echo "destroy: $(elapsed "$t") s"

step "nothing left"
virsh -c "$URI" dominfo "$DOMAIN" >/dev/null 2>&1 && fail "domain $DOMAIN still exists"
virsh -c "$URI" vol-list rove | grep -q "rove-$PROJECT-" && fail "a volume of the machine is left"
sleep 0.5
pgrep -f "guest=$DOMAIN" >/dev/null && fail "a QEMU process of $DOMAIN is left"
[ ! -e "$STATE/journal" ] || fail "the journal was not emptied"
[ -z "$(ls -A "$STATE")" ] || fail "files left in the state folder: $(ls -A "$STATE")"
[ "$(drive state)" = "not created no domain $DOMAIN" ] || fail "state after destroy: $(drive state)"
drive destroy || fail "a second destroy failed (must be idempotent)"

step "destroy from the journal when the domain is gone"
drive create --box "$WORK/box" --box-name rove-test/tiny --box-version "$BOX_VERSION" \
    --seed "$WORK/seed.iso" || fail "create (second machine) failed"
virsh -c "$URI" undefine "$DOMAIN" >/dev/null || fail "cannot undefine $DOMAIN by hand"
drive destroy || fail "destroy without a domain failed"
virsh -c "$URI" vol-list rove | grep -q "rove-$PROJECT-" && fail "volumes left after the journal replay"

echo "PASS"
