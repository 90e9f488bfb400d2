#!/bin/sh
# SPDX-License-Identifier: MIT
# Failures of `up` on real guests: a box whose SSH never comes up (time-out naming the phase, the
# serial console's tail, --destroy-on-error leaving nothing), and a forward whose host port is
# taken (a clear error before anything is created).
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"
require_libvirt
build_box tiny

# The tiny box with an init that does not exist: the kernel boots, finds no init and stops.
mkdir broken
tar -xf "$BOX" -C broken
python3 - broken/metadata.json <<'PY'
import json, sys
path = sys.argv[1]
meta = json.load(open(path))
meta["cmdline"] += " rdinit=/no-such-init init=/no-such-init panic=0"
json.dump(meta, open(path, "w"))
PY
tar -cf broken.box -C broken .
domains > "$WORK/domains.before"
volumes > "$WORK/volumes.before"
PROJECT_TAG=$(basename "$WORK")

cat > machinefile.yaml <<YAML
version: 1
machines:
  dead:
    box: ./broken.box
    memory: 512M
    boot_timeout: 20
YAML
run up --destroy-on-error
expect_rc "up of a machine whose SSH never comes up exits 1" 1
expect_err "the time-out names the phase" "SSH banner"
expect_err "the serial console's tail is shown" "last"
expect_err "and what the kernel said" "init"
expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"

PORT=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(120)
' "$PORT" &
holder=$!
sleep 0.5
cat > machinefile.yaml <<YAML
version: 1
machines:
  web:
    box: $BOX
    memory: 512M
    forward:
      - {host: $PORT, guest: 80}
YAML
run up
expect_rc "up with a taken forward port exits 1" 1
expect_err "the port and the machine are named" "web: host port 127.0.0.1:$PORT/tcp (forwarded to guest port 80) is already in use"
expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"
kill $holder
finish
