#!/bin/sh
# SPDX-License-Identifier: MIT
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

# --env, --copy-out and --json, with the command failing: everything comes back all the same.
mkdir "$WORK/results"
SECRET_TOKEN=s3cr3t-value-4711 run run --json --env SECRET_TOKEN --env MODE=fast \
    --copy-out out:"$WORK/results" --copy-out /tmp/report.txt:"$WORK/report.txt" -- \
    'mkdir -p out/sub "out/with space" && echo "$SECRET_TOKEN" > out/sub/token &&
     printf "#!/bin/sh\n" > out/tool && chmod 751 out/tool && ln -s sub/token out/link &&
     echo x > "out/with space/f" && echo "$MODE" > /tmp/report.txt; exit 3'
expect_rc "run passes exit status 3 through with --copy-out" 3
[ "$(cat "$WORK/results/out/sub/token" 2>/dev/null)" = s3cr3t-value-4711 ] &&
    ok "--env passes rove's own value; --copy-out brings a folder back" ||
    not_ok "--env passes rove's own value; --copy-out brings a folder back" "$(find "$WORK/results")"
[ "$(cat "$WORK/report.txt" 2>/dev/null)" = fast ] && ok "--env NAME=VALUE; --copy-out of a file" ||
    not_ok "--env NAME=VALUE; --copy-out of a file" "$(cat "$WORK/report.txt" 2>&1)"
[ "$(stat -c %a "$WORK/results/out/tool" 2>/dev/null)" = 751 ] && ok "copied files keep their mode" ||
    not_ok "copied files keep their mode" "$(stat -c %a "$WORK/results/out/tool" 2>&1)"
[ "$(readlink "$WORK/results/out/link")" = sub/token ] && ok "copied links stay links" ||
    not_ok "copied links stay links" "$(ls -l "$WORK/results/out")"
[ -f "$WORK/results/out/with space/f" ] && ok "names with spaces are copied" ||
    not_ok "names with spaces are copied" "$(find "$WORK/results")"
case "$OUT$ERR" in *s3cr3t-value-4711*) not_ok "the value of --env is never printed" "$OUT" "$ERR" ;;
*) ok "the value of --env is never printed" ;; esac
expect_err "the log names the variables passed" "(environment: SECRET_TOKEN, MODE)"
echo "$OUT" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["exit_status"] == 3 and r["command"]["exit_status"] == 3, r
assert r["command"]["copied_out"] == 2 and r["interrupted_by"] is None, r
m = r["machines"][0]
assert m["name"] == "ci" and m["up"] and m["destroyed"], m
assert m["seconds"]["boot"] > 0 and m["seconds"]["destroy"] > 0, m
' && ok "--json prints one summary object" || not_ok "--json prints one summary object" "$OUT"
expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"

# wait_for_line FILE TEXT: until rove has written TEXT (at most 5 minutes).
wait_for_line() {
    i=0
    while ! grep -q "$2" "$1" 2>/dev/null && [ "$i" -lt 3000 ]; do sleep 0.1; i=$((i + 1)); done
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# --timeout: the command is stopped, 124 as timeout(1), nothing left.
"$ROVE" run --timeout 2 -- 'sleep 30' >"$WORK/t.out" 2>"$WORK/t.err" &
pid=$!
wait_for_line "$WORK/t.err" "running: sleep 30"
started=$(now_ms)
wait "$pid"
RC=$? OUT=$(cat "$WORK/t.out") ERR=$(cat "$WORK/t.err")
took=$(($(now_ms) - started))
expect_rc "--timeout gives exit status 124" 124
[ "$took" -lt 5000 ] && ok "--timeout 2 ends the run within 5 s ($took ms)" ||
    not_ok "--timeout 2 ends the run within 5 s" "$took ms"
expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"

# SIGTERM_WHEN TEXT WHAT: SIGTERM once rove printed TEXT; it ends within 5 s, with 143, and
# leaves nothing.
sigterm_when() {
    "$ROVE" run -- 'sleep 300' >"$WORK/s.out" 2>"$WORK/s.err" &
    pid=$!
    wait_for_line "$WORK/s.err" "$1"
    sent=$(now_ms)
    kill -TERM "$pid"
    wait "$pid"
    RC=$? OUT=$(cat "$WORK/s.out") ERR=$(cat "$WORK/s.err")
    took=$(($(now_ms) - sent))
    expect_rc "SIGTERM $2 gives exit status 143" 143
    [ "$took" -lt 5000 ] && ok "SIGTERM $2: rove exits within 5 s ($took ms)" ||
        not_ok "SIGTERM $2: rove exits within 5 s" "$took ms" "$ERR"
    expect_err "SIGTERM $2: the machine is destroyed" "ci: destroyed"
    expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"
}
sigterm_when "waiting for SSH" "while the guest boots"
sigterm_when "running: sleep 300" "while the command runs"

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
