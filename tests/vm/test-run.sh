#!/bin/sh
# rove run, as CI uses it: up, the command's output and exit status passed through, machines
# destroyed afterwards whatever happened; and global-status listing machines of every project.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"
require_libvirt
build_box tiny

cat > machinefile.yaml <<YAML
version: 1
machines:
  ci:
    box: $BOX
    memory: 512M
    provision:
      - shell: echo ready > /tmp/ready
YAML
domains > "$WORK/domains.before"
volumes > "$WORK/volumes.before"
PROJECT_TAG=$(basename "$WORK")

run run -- 'cat /tmp/ready; echo to-stderr >&2; exit 5'
expect_rc "run passes the command's exit status through" 5
expect_out "the command ran after provisioning" "ready"
expect_err "stderr is kept apart" "to-stderr"
expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"

run run -- sh -c 'echo "$1 $2"' x 'two words' three
expect_rc "several arguments run as quoted words" 0
expect_out "each argument is one word" "two words three"

run run
expect_rc "run without a command is a usage error" 2

run up
expect_rc "up for global-status" 0
run global-status --json
echo "$OUT" | python3 -c '
import json, os, sys
machines = json.load(sys.stdin)
mine = [m for m in machines if m["project"] == os.getcwd()]
assert mine and mine[0]["name"] == "ci" and mine[0]["state"] == "running", machines
' && ok "global-status lists the running machine" || not_ok "global-status lists the running machine" "$OUT"
run destroy -f
run global-status --json
case "$OUT" in *"$WORK"*) not_ok "destroy removes it from global-status" "$OUT" ;; *) ok "destroy removes it from global-status" ;; esac
expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"
finish
