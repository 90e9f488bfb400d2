#!/bin/sh
# SPDX-License-Identifier: MIT
# reload applies what changed in the machinefile, on a real guest (the tiny box, libvirt): up with
# 512M, 1 CPU and forward A; change to 768M, 2 CPUs and forward B; status asks for a reload;
# reload; the guest sees the memory and CPUs, A is closed and B reaches the guest's SSH; status
# is quiet again; a changed box is refused while the machine keeps running; destroy leaves
# nothing.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"
require_libvirt
build_box tiny

PORT_A=$(free_port)
PORT_B=$(free_port)
while [ "$PORT_B" = "$PORT_A" ]; do PORT_B=$(free_port); done

write_machinefile() { # BOX MEMORY CPUS PORT
    cat > machinefile.yaml <<YAML
version: 1
machines:
  web:
    box: $1
    memory: $2
    cpus: $3
    forward:
      - {host: $4, guest: 22}
YAML
}

# ssh_banner PORT: the first line a server on 127.0.0.1:PORT sends, or "closed".
ssh_banner() {
    python3 - "$1" <<'PY'
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
    s.settimeout(60)
    print(s.makefile("rb").readline().decode(errors="replace").strip() or "empty")
except ConnectionRefusedError:
    print("closed")
PY
}

# mem_total_kib: the guest's MemTotal in KiB.
mem_total_kib() { "$ROVE" ssh web -c "awk '/^MemTotal:/ {print \$2}' /proc/meminfo" 2>/dev/null; }

write_machinefile "$BOX" 512M 1 "$PORT_A"
domains > "$WORK/domains.before"
volumes > "$WORK/volumes.before"
PROJECT_TAG=$(basename "$WORK")

run up
expect_rc "up exits 0" 0
mem_before=$(mem_total_kib)
# the kernel keeps part of the memory for itself: compare ranges, not exact numbers
[ "${mem_before:-0}" -gt 350000 ] && [ "$mem_before" -le 524288 ] &&
    ok "the guest has about 512 MiB" || not_ok "the guest has about 512 MiB" "MemTotal $mem_before kB"
run ssh web -c 'grep -c ^processor /proc/cpuinfo'
[ "$OUT" = 1 ] && ok "the guest has 1 CPU" || not_ok "the guest has 1 CPU" "$OUT"
case $(ssh_banner "$PORT_A") in SSH-*) ok "forward A reaches the guest" ;;
*) not_ok "forward A reaches the guest" "$(ssh_banner "$PORT_A")" ;; esac

write_machinefile "$BOX" 768M 2 "$PORT_B"
run status
expect_out "status asks for a reload" "reload to apply: cpus, memory, forward"
run status --json
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin)[0]; assert s["changed"]==["cpus","memory","forward"] and s["changed_needs_destroy"]==[], s' &&
    ok "status --json lists what changed" || not_ok "status --json lists what changed" "$OUT"
run up
expect_rc "up of the running machine exits 0" 0
expect_err "up says that reload applies the changes" "'rove reload web' applies cpus 1 -> 2"

run reload
expect_rc "reload exits 0" 0
expect_err "reload says what it applies" \
    "web: applying cpus 1 -> 2, memory 512 MiB -> 768 MiB, forward $PORT_A:22 -> $PORT_B:22"
mem_after=$(mem_total_kib)
[ "${mem_after:-0}" -gt $((mem_before + 200000)) ] && [ "$mem_after" -le 786432 ] &&
    ok "the guest has about 768 MiB" || not_ok "the guest has about 768 MiB" "MemTotal $mem_after kB (was $mem_before)"
run ssh web -c 'grep -c ^processor /proc/cpuinfo'
[ "$OUT" = 2 ] && ok "the guest has 2 CPUs" || not_ok "the guest has 2 CPUs" "$OUT"
banner_a=$(ssh_banner "$PORT_A")
[ "$banner_a" = closed ] && ok "host port A is closed" || not_ok "host port A is closed" "$banner_a"
case $(ssh_banner "$PORT_B") in SSH-*) ok "forward B reaches the guest's SSH" ;;
*) not_ok "forward B reaches the guest's SSH" "$(ssh_banner "$PORT_B")" ;; esac
run status
case "$OUT" in *"to apply"*) not_ok "status no longer asks for a reload" "$OUT" ;;
*) ok "status no longer asks for a reload" ;; esac
run reload
expect_rc "reload with nothing changed exits 0" 0
case "$ERR" in *applying*) not_ok "reload with nothing changed applies nothing" "$ERR" ;;
*) ok "reload with nothing changed applies nothing" ;; esac

write_machinefile "$WORK/other.box" 768M 2 "$PORT_B"
run reload
expect_rc "reload with another box fails" 1
expect_err "the refusal names the machine and the box" "web: cannot apply box $BOX -> $WORK/other.box"
expect_err "the refusal says to destroy first" "'rove destroy web' first"
run status
expect_out "the machine still runs" "running"
expect_out "status says the box needs a destroy" "destroy to apply: box"
run ssh web -c true
expect_rc "the machine still answers over SSH" 0

write_machinefile "$BOX" 768M 2 "$PORT_B"
run destroy -f
expect_rc "destroy exits 0" 0
expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"
finish
