#!/bin/sh
# SPDX-License-Identifier: MIT
# Live shared folders (sync entries of type: mount) on the tiny box through libvirt: an edit on
# the host is seen in the guest with no rove command run (the latency is printed, not asserted:
# load on the host decides it), a file the guest creates belongs on the host to the user running
# rove (QEMU's own user here would be libvirt-qemu), a readonly mount refuses writes, copy entries
# beside mounts are still copied, a guest without 9p and a mount added after create are refused
# with what to do, the mounts are back after halt + up and after reload, and destroy leaves
# nothing behind (the shared folder itself untouched).
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"
require_libvirt
build_box tiny

mkdir -p app docs copied
echo before > app/edit.txt
echo "read only" > docs/readme.txt
echo "copied file" > copied/c.txt
owner_before=$(stat -c %u:%g:%a app)
cat > machinefile.yaml <<YAML
version: 1
machines:
  web:
    box: $BOX
    memory: 512M
    sync:
      - {src: ./app, dest: /srv/app, type: mount}
      - {src: ./docs, dest: /srv/docs, type: mount, readonly: true}
      - {src: ./copied, dest: /srv/copied}
YAML
domains > "$WORK/domains.before"
volumes > "$WORK/volumes.before"
PROJECT_TAG=$(basename "$WORK")

run validate
expect_rc "validate accepts mounts on libvirt" 0

started=$(date +%s)
run up
expect_rc "up exits 0" 0
expect_err "up mounts the folder" "web: mounting $WORK/app at /srv/app"
case $ERR in
*"syncing $WORK/app"*) not_ok "a mount is not copied over SFTP" "$ERR" ;;
*) ok "a mount is not copied over SFTP" ;;
esac
run ssh web -c 'grep " /srv/app 9p " /proc/mounts && grep " /srv/docs 9p " /proc/mounts'
expect_rc "both folders are 9p mounts in the guest" 0
run ssh web -c 'cat /srv/copied/c.txt'
expect_out "a copy entry beside the mounts is still copied" "copied file"

# The guest reads the file, says so, then polls it; the host edits it only once the guest has
# read the old text, and times how long the new one takes to show.
poll='f=/srv/app/edit.txt; cat $f; i=0
while [ "$(cat $f)" != after ]; do
    i=$((i + 1)); [ $i -le 12000 ] || { echo "still: $(cat $f)"; exit 1; }; usleep 5000
done; echo seen'
"$ROVE" ssh web -c "$poll" 2>"$WORK/poll.err" | {
    read -r first
    echo after > app/edit.txt
    t0=$(date +%s%N)
    read -r seen
    t1=$(date +%s%N)
    echo "$first $seen $(((t1 - t0) / 1000000))"
} > "$WORK/poll.out"
read -r first seen latency < "$WORK/poll.out"
if [ "$first" = before ] && [ "$seen" = seen ]; then
    ok "a host edit is seen in the guest with no rove command"
    echo "# host edit seen in the guest after ${latency} ms (polling every 5 ms, over SSH)"
else
    not_ok "a host edit is seen in the guest with no rove command" "$(cat "$WORK/poll.out" "$WORK/poll.err")"
fi

run ssh web -c 'sudo -n sh -c "echo from-guest > /srv/app/made-in-guest && mkdir /srv/app/dir-in-guest"'
expect_rc "the guest creates files in the mount" 0
[ "$(cat app/made-in-guest 2>/dev/null)" = from-guest ] && ok "a file created in the guest is on the host" ||
    not_ok "a file created in the guest is on the host" "$(ls -la app)"
owner=$(stat -c %u:%g app/made-in-guest app/dir-in-guest | sort -u)
[ "$owner" = "$(id -u):$(id -g)" ] && ok "what the guest creates belongs to the user running rove" ||
    not_ok "what the guest creates belongs to the user running rove" "owner $owner, expected $(id -u):$(id -g)"
qemu_user=$(ps -o user= -p "$(pgrep -f "qemu-system.*$PROJECT_TAG" | head -1)" 2>/dev/null)
echo "# QEMU runs as ${qemu_user:-?}"

run ssh web -c 'cat /srv/docs/readme.txt; touch /srv/docs/new 2>/dev/null && echo wrote'
expect_out "a readonly mount is readable" "read only"
case $OUT in
*wrote*) not_ok "a readonly mount refuses writes" "$OUT" ;;
*) [ ! -e docs/new ] && ok "a readonly mount refuses writes" || not_ok "a readonly mount refuses writes" "docs/new exists" ;;
esac

run up
expect_rc "up on the running machine" 0
run ssh web -c 'grep -c " /srv/app 9p " /proc/mounts'
[ "$OUT" = 1 ] && ok "up on a running machine does not mount twice" || not_ok "up on a running machine does not mount twice" "$OUT"

# A mount added after the machine was created has no device in it yet: said so, with the way out.
cp machinefile.yaml machinefile.orig
mkdir -p extra
echo "      - {src: ./extra, dest: /srv/extra, type: mount}" >> machinefile.yaml
run provision
expect_rc "provision with a mount the machine has no device for fails" 1
expect_err "the message says to recreate the machine" \
    "machine web: the guest has no shared folder rove2 for /srv/extra (the machine was created before this mount was added): 'rove destroy web' and 'rove up' create it with one"
cp machinefile.orig machinefile.yaml

# A guest whose kernel lacks 9p (the modules unloaded; the tiny box has no modprobe tree).
run ssh web -c 'sudo -n sh -c "umount /srv/app /srv/docs && rmmod 9p 9pnet_virtio"'
expect_rc "the guest's 9p modules are unloaded" 0
run provision
expect_rc "provision on a guest without 9p fails" 1
expect_err "the message names the machine and says to copy" \
    "machine web: the guest has no 9p support (kernel modules 9p and 9pnet_virtio) to mount $WORK/app at /srv/app: use type: copy, or a box with the 9p modules"

run halt
expect_rc "halt" 0
echo "after halt" > app/edit.txt
run up
expect_rc "up after halt" 0
run ssh web -c 'cat /srv/app/edit.txt /srv/app/made-in-guest; grep -c " 9p " /proc/mounts'
[ "$OUT" = "after halt
from-guest
2" ] && ok "the mounts are back after halt + up" || not_ok "the mounts are back after halt + up" "$OUT" "$ERR"
run reload
expect_rc "reload" 0
run ssh web -c 'grep -c " 9p " /proc/mounts'
[ "$OUT" = 2 ] && ok "the mounts are back after reload" || not_ok "the mounts are back after reload" "$OUT" "$ERR"

run destroy -f
expect_rc "destroy" 0
expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"
[ "$(stat -c %u:%g:%a app)" = "$owner_before" ] && [ "$(cat app/made-in-guest)" = from-guest ] &&
    ok "the shared folder stays as it was, with what the guest wrote" ||
    not_ok "the shared folder stays as it was, with what the guest wrote" "$(stat -c %u:%g:%a app)"
echo "# test took $(($(date +%s) - started)) s from the first up"
finish
