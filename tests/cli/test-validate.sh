#!/bin/sh
# SPDX-License-Identifier: MIT
# rove validate: OK line, every error with file:line:column, --json, exit codes, discovery,
# alias bombs, machinefiles of other users.
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

# type: mount needs a provider that shares folders, and a folder to share.
mkdir -p app
cat > machinefile.yaml <<'YAML'
version: 1
machines:
  web: {box: x, sync: [{src: ./app, dest: /srv/app, type: mount}]}
  db:
    box: x
    provider: vmm
    sync:
      - {src: ./app, dest: /srv/app, type: mount}
YAML
run validate
expect_rc "a mount on vmm exits 2" 2
expect_err "vmm cannot mount, said at the type" "machinefile.yaml:8:44: error: machine db: provider vmm cannot mount host folders (it has no virtio-9p device): use type: copy for /srv/app"
case $ERR in *"machine web"*) not_ok "a mount on libvirt is valid" "$ERR" ;; *) ok "a mount on libvirt is valid" ;; esac
printf 'version: 1\nmachines:\n  web: {box: x, sync: [{src: machinefile.yaml, dest: /srv, type: mount}]}\n' > machinefile.yaml
run validate
expect_rc "a mount of a file exits 2" 2
expect_err "a mount source must be a folder" "machinefile.yaml:3:24: error: sync source $WORK/machinefile.yaml is not a folder"

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

# 45 KB of nested aliases that name about 100 GB: refused at once, by every command that reads it.
python3 - > bomb.yaml <<'PY'
print("version: 1\nx-s: &s '%s'" % ("x" * 1000))
print("x-e: &e {%s}" % ", ".join("V%d: *s" % i for i in range(1000)))
print("x-p: &p [%s]" % ", ".join(["{shell: x, env: *e}"] * 100))
print("machines:")
for i in range(1000):
    print("  m%d: {box: b, provision: *p}" % i)
PY
for command in validate status; do
    (ulimit -v 1000000; run -f bomb.yaml $command; echo "$RC" > rc; echo "$ERR" > err)
    RC=$(cat rc) ERR=$(cat err)
    expect_rc "alias bomb: $command exits 2" 2
    expect_err "alias bomb: $command names where it grows" "bomb.yaml:4:6: error: this list expands through aliases to"
done

# A machinefile found above the working folder that someone else owns is not used.
if [ "$(id -u)" -eq 0 ]; then
    mkdir -p shared/project
    printf 'version: 1\nmachines:\n  web: {box: x}\n' > shared/machinefile.yaml
    chown 65534 shared/machinefile.yaml
    cd shared/project
    run validate
    expect_rc "another user's machinefile exits 2" 2
    expect_err "another user's machinefile names its owner" "shared/machinefile.yaml belongs to '$(id -nu 65534)' (uid 65534), not to you"
    ROVE_SAFE_DIRECTORIES="/elsewhere:$WORK/shared" run validate
    expect_rc "ROVE_SAFE_DIRECTORIES trusts it" 0
    run -f ../machinefile.yaml validate
    expect_rc "naming it with -f uses it" 0
    cd "$WORK"
else
    echo "# not checked here: a machinefile of another user needs root to chown it"
fi

# Provider sections are checked against the providers' own schemas, at file:line:column.
mkdir -p "$WORK/sections" && cd "$WORK/sections"
printf 'version: 1\nmachines:\n  web:\n    box: x\n    libvirt: {poool: big, accel: warp}\n    xen: {a: b}\n' >machinefile.yaml
run validate
expect_rc "a bad provider section is a machinefile error" 2
expect_err "an unknown key of the provider is named" "machinefile.yaml:5:15: error: unknown key 'poool' in the libvirt section (did you mean 'pool'?)"
expect_err "a value outside the provider's choices is named" "machinefile.yaml:5:34: error: libvirt.accel must be one of auto, kvm, tcg, got 'warp'"
expect_err "a section of no provider is named" "machinefile.yaml:6:5: error: unknown key 'xen': neither a machine setting nor an installed provider"
run up
expect_rc "up refuses it too, before anything is created" 2
expect_err "up names the key" "unknown key 'poool' in the libvirt section"
[ ! -e .rove ] && ok "nothing was created" || not_ok "nothing was created" "$(ls -la .rove)"
run status
expect_rc "status still answers (it does not load providers)" 0
cd "$WORK"

for f in "$EXAMPLES"/*/machinefile.yaml; do
    run -f "$f" validate
    expect_rc "example $(basename "$(dirname "$f")") validates" 0
done
finish
