#!/bin/sh
# SPDX-License-Identifier: MIT
# Snapshots of a machine on the tiny box through libvirt, in one boot: save of the running
# machine (disks and memory), a file deleted in the guest, restore: the file and the memory are
# back and the clock is set; list and list --json; a name that exists is refused; push and pop
# (which deletes what it restored) with --provision; a disk-only snapshot of the stopped machine,
# restored after a memory one and booted; destroy leaving no snapshot behind.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"
require_libvirt
build_box tiny

cat > machinefile.yaml <<YAML
version: 1
machines:
  web:
    box: $BOX
    memory: 512M
    provision:
      - shell: date +%s >> /home/vagrant/provisioned
YAML
domains > "$WORK/domains.before"
volumes > "$WORK/volumes.before"
PROJECT_TAG=$(basename "$WORK")
guest() { "$ROVE" ssh web -c "$1" 2>/dev/null; }
snapshot_names() { "$ROVE" snapshot list --json web | python3 -c '
import json, sys
print(" ".join(s["name"] + ("(memory)" if s["memory"] else "") + ("*" if s["current"] else "") +
               ("" if (s["created"] or "").endswith("Z") else "(no time)")
               for s in json.load(sys.stdin)[0]["snapshots"]))'; }

run snapshot list web
expect_rc "list of a machine that is not created exits 0" 0
expect_err "and says it is not created" "web: not created"

run up
expect_rc "up" 0
DOMAIN=$(python3 -c 'import json; print(json.load(open(".rove/machines/web/libvirt.json"))["domain"])')
# The guest's clock a year behind when it is saved: a restore that did not set it would show it.
guest "echo kept > /home/vagrant/kept.txt && echo in-memory > /tmp/in-memory.txt && sync &&
    sudo date -u -s @$(($(date +%s) - 31536000)) >/dev/null"

run snapshot save web clean
expect_rc "save of the running machine" 0
expect_err "it saves disks and memory" "web: saving snapshot 'clean' (disks and memory)"
run snapshot save web clean
expect_rc "saving a name that exists fails" 1
expect_err "naming machine and snapshot" "web: snapshot 'clean' exists already"
run snapshot list
expect_out "list shows the snapshot" "clean"
[ "$(snapshot_names)" = "clean(memory)*" ] && ok "list --json: with memory, current" ||
    not_ok "list --json: with memory, current" "$(snapshot_names)"

guest 'rm /home/vagrant/kept.txt /tmp/in-memory.txt && sync'
before_restore=$(date +%s)
run snapshot restore web clean
expect_rc "restore" 0
expect_err "rove waits for SSH" "web: SSH is up"
[ "$(guest 'cat /home/vagrant/kept.txt')" = kept ] && ok "the deleted file is back" ||
    not_ok "the deleted file is back"
[ "$(guest 'cat /tmp/in-memory.txt')" = in-memory ] && ok "the memory is back (tmpfs)" ||
    not_ok "the memory is back (tmpfs)"
guest_time=$(guest 'date +%s')
[ "${guest_time:-0}" -ge $((before_restore - 1)) ] && ok "the guest's clock was set" ||
    not_ok "the guest's clock was set" "guest $guest_time, before the restore $before_restore"
[ "$(guest 'wc -l < /home/vagrant/provisioned')" = 1 ] && ok "restore runs no provisioner" ||
    not_ok "restore runs no provisioner" "$(guest 'cat /home/vagrant/provisioned')"

run snapshot push web
expect_rc "push" 0
guest 'touch /home/vagrant/after-push && sync'
run snapshot pop web --provision
expect_rc "pop --provision" 0
guest 'test -e /home/vagrant/after-push' && not_ok "pop restored the pushed state" ||
    ok "pop restored the pushed state"
[ "$(guest 'wc -l < /home/vagrant/provisioned')" = 2 ] && ok "--provision ran the provisioner" ||
    not_ok "--provision ran the provisioner" "$(guest 'cat /home/vagrant/provisioned')"
# libvirt makes the parent of a deleted current snapshot current
[ "$(snapshot_names)" = "clean(memory)*" ] && ok "pop deleted the pushed snapshot only" ||
    not_ok "pop deleted the pushed snapshot only" "$(snapshot_names)"

# A disk-only snapshot of the stopped machine; the memory one restored from stopped, then the
# disk-only one restored from running: disks back, the machine booted afresh.
guest 'echo cold > /home/vagrant/cold.txt && sync'
run halt
expect_rc "halt" 0
run snapshot save web cold
expect_rc "save of the stopped machine" 0
expect_err "it saves the disks" "web: saving snapshot 'cold' (disks)"
run snapshot restore web clean
expect_rc "restore of a snapshot with memory into a stopped machine" 0
guest 'test -e /home/vagrant/cold.txt' && not_ok "the disks went back to 'clean'" ||
    ok "the disks went back to 'clean'"
run snapshot restore web cold
expect_rc "restore of the disk-only snapshot" 0
[ "$(guest 'cat /home/vagrant/cold.txt')" = cold ] && ok "its disks are back" || not_ok "its disks are back"
guest 'test -e /tmp/in-memory.txt' && not_ok "and the machine booted afresh" ||
    ok "and the machine booted afresh"
run status --json
case "$OUT" in *'"running"'*) ok "the machine runs after it" ;; *) not_ok "the machine runs after it" "$OUT" ;; esac
[ "$(snapshot_names)" = "clean(memory) cold*" ] && ok "list: both, 'cold' current" ||
    not_ok "list: both, 'cold' current" "$(snapshot_names)"

run snapshot delete web nope
expect_rc "deleting a snapshot that does not exist fails" 1
expect_err "naming machine and snapshot" "web: no snapshot 'nope' (its snapshots: clean, cold)"

libvirt_snapshots=$(virsh -c "$LIBVIRT_URI" snapshot-list "$DOMAIN" --name | sed '/^$/d' | sort | tr '\n' ' ')
[ "$libvirt_snapshots" = "clean cold " ] && ok "libvirt holds both snapshots before destroy" ||
    not_ok "libvirt holds both snapshots before destroy" "$libvirt_snapshots"
run destroy -f
expect_rc "destroy of a machine with snapshots" 0
[ ! -e "/var/lib/libvirt/qemu/snapshot/$DOMAIN" ] && ok "no snapshot metadata left" ||
    not_ok "no snapshot metadata left" "$(ls "/var/lib/libvirt/qemu/snapshot/$DOMAIN")"
expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"
finish
