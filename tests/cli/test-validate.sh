#!/bin/sh
# rove validate: OK line, every error with file:line:column, --json, exit codes, discovery.
. "$(dirname "$0")/lib.sh"

cat > machinefile.yaml <<'YAML'
version: 1
machines:
  web:
    box: x
    cpu: 2
    memory: 12
  web2: {box: y, forward: [{host: 80, guest: 80}]}
  web3: {box: y, forward: [{host: 80, guest: 81}]}
YAML
run validate
expect_rc "invalid machinefile exits 2" 2
expect_err "unknown key with suggestion" "machinefile.yaml:5:5: error: unknown key 'cpu' in machine 'web' (did you mean 'cpus'?)"
expect_err "size error also reported" "machinefile.yaml:6:13: error: expected memory as a size"
expect_err "duplicate host port also reported" "machinefile.yaml:8:28: error: host port 80/tcp of machine 'web3' is already forwarded by machine 'web2' (line 7)"

run validate --json
expect_rc "--json exits 2 too" 2
echo "$OUT" | python3 -c '
import json, sys
errs = json.load(sys.stdin)
assert len(errs) == 3, errs
assert errs[0] == {"file": "machinefile.yaml", "line": 5, "column": 5,
    "message": "unknown key '"'"'cpu'"'"' in machine '"'"'web'"'"' (did you mean '"'"'cpus'"'"'?)"}, errs[0]
' && ok "--json lists {file, line, column, message}" || not_ok "--json lists {file, line, column, message}" "$OUT"

printf 'version: 1\nmachines:\n  web: {box: x}\n' > machinefile.yaml
mkdir -p a/b
cd a/b
run validate
expect_rc "discovery from a sub-folder" 0
expect_out "discovered file shown by its path" "machinefile.yaml: OK (1 machine)"
run validate --json
echo "$OUT" | python3 -c 'import json, sys; assert json.load(sys.stdin) == []' &&
    ok "valid --json is an empty list" || not_ok "valid --json is an empty list" "$OUT"
cd "$WORK"

ROVE_MACHINEFILE=/nonexistent/m.yaml run validate
expect_rc "ROVE_MACHINEFILE pointing nowhere exits 2" 2
expect_err "unreadable file is named" "/nonexistent/m.yaml: error: cannot read the machinefile"

cp machinefile.yaml other.yaml
ROVE_MACHINEFILE=other.yaml run validate
expect_out "ROVE_MACHINEFILE is used" "other.yaml: OK"
ROVE_MACHINEFILE=nope.yaml run -f other.yaml validate
expect_rc "-f wins over ROVE_MACHINEFILE" 0

mkdir -p /tmp/rove-cli-empty.$$ && cd /tmp/rove-cli-empty.$$
run validate
expect_rc "no machinefile anywhere exits 2" 2
expect_err "no machinefile is explained" "no machinefile.yaml in this folder or any folder above it"
cd "$WORK" && rmdir /tmp/rove-cli-empty.$$

printf 'version: 1\nmachines:\n\tweb: {box: x}\n' > tab.yaml
run -f tab.yaml validate
expect_err "tabs are explained" "tab.yaml:3:1: error: tab character"

for f in "$EXAMPLES"/*/machinefile.yaml; do
    run -f "$f" validate
    expect_rc "example $(basename "$(dirname "$f")") validates" 0
done
finish
