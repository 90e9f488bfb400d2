#!/bin/sh
# SPDX-License-Identifier: MIT
# The whole life of a machine on rove's own monitor (provider: vmm) with the debian12 box (its
# kernel and initrd boot directly; its qcow2 disk is converted once to raw beside the box): up
# (cloud-init seed, key login), ssh, status, halt, up again, destroy leaving no rove-vmm process
# and no state. Needs hardware KVM: where /dev/kvm is missing or only emulated, it prints the
# provider's probe and skips (77).
. "$(dirname "$0")/../cli/lib.sh"

BUILD_DIR=$(cd "$(dirname "$ROVE")/.." && pwd)
DRIVE=$BUILD_DIR/tests/providers/provider-drive
REPO=$(cd "$(dirname "$0")/../.." && pwd)

if [ -x "$DRIVE" ]; then
    mkdir -p "$WORK/probe"
    PROBE=$("$DRIVE" vmm probe --project 00000000 --machine probe --state "$WORK/probe" 2>&1)
    PROBE_RC=$?
else
    PROBE="provider-drive was not built at $DRIVE"
    PROBE_RC=1
fi
case "$PROBE" in
*"hardware KVM is missing"*)
    echo "SKIP: the vmm provider needs hardware KVM to boot Linux; its probe says: $PROBE"
    exit 77
    ;;
esac
if [ "$PROBE_RC" -ne 0 ]; then
    echo "SKIP: the vmm provider cannot run here: $PROBE"
    exit 77
fi
echo "# probe: $PROBE"

BOX=$("$REPO/tests/boxes/build" debian12 2>"$WORK/box-build.log" | tail -1)
if [ ! -f "$BOX" ]; then
    cat "$WORK/box-build.log"
    echo "Bail out! test box debian12 could not be built"
    exit 1
fi

cat > machinefile.yaml <<YAML
version: 1
machines:
  web:
    box: $BOX
    provider: vmm
    memory: 1G
    disk: 4G
    provision:
      - shell: echo provisioned-on-vmm > /tmp/vmm-marker
YAML

run up
expect_rc "up with provider vmm exits 0" 0
run ssh web -c 'cat /tmp/vmm-marker; hostname'
expect_rc "ssh -c exits 0" 0
expect_out "the provisioner ran in the guest" "provisioned-on-vmm"
expect_out "the seeded host name is set" "web"
run status --json
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin); assert s[0]["state"]=="running", s' &&
    ok "status says running" || not_ok "status says running" "$OUT"
pgrep -f "rove-vmm.*$WORK" >/dev/null && ok "a rove-vmm process runs the machine" ||
    not_ok "a rove-vmm process runs the machine"

run halt
expect_rc "halt exits 0" 0
run status --json
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin); assert s[0]["state"]=="stopped", s' &&
    ok "status says stopped after halt" || not_ok "status says stopped after halt" "$OUT"
pgrep -f "rove-vmm.*$WORK" >/dev/null && not_ok "no rove-vmm after halt" || ok "no rove-vmm after halt"

run up
expect_rc "second up exits 0" 0
run ssh web -c 'cat /tmp/vmm-marker 2>/dev/null || echo gone'
expect_out "the disk kept its contents across halt" "provisioned-on-vmm"

run destroy -f
expect_rc "destroy exits 0" 0
sleep 0.5
pgrep -f "rove-vmm.*$WORK" >/dev/null && not_ok "no rove-vmm left" "$(pgrep -af "rove-vmm.*$WORK")" ||
    ok "no rove-vmm left"
[ ! -e .rove ] && ok "no state left" || not_ok "no state left" "$(find .rove)"
finish
