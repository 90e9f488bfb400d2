#!/bin/sh
# SPDX-License-Identifier: MIT
# rove snapshot through the real CLI: usage errors, bad snapshot names, machines that are not
# created, a provider without snapshots (vmm), and save, list, restore, delete, push and pop end
# to end against the engine's fake provider module (tests/unit/engine/fake_provider.c), whose
# snapshots are files: no VM. tests/vm/test-snapshot.sh does the same with a real guest.
. "$(dirname "$0")/lib.sh"
use_fake_provider
printf 'version: 1\ndefaults: {box: ./fake.box, provider: fake, boot_timeout: 5}\nmachines:\n  web: {}\n  db: {provider: vmm}\n' >machinefile.yaml
snapshots() { "$ROVE" snapshot list --json web | python3 -c '
import json, sys
m = json.load(sys.stdin)[0]
print(m["machine"], m["state"], " ".join(
    s["name"] + ("(memory)" if s["memory"] else "") + ("*" if s["current"] else "") +
    ("" if s["created"].endswith("Z") else "(no time)") for s in m["snapshots"]))'; }

run snapshot
expect_rc "snapshot without a subcommand is a usage error" 2
expect_err "it lists the subcommands" "usage: rove snapshot pop"
run snapshot save
expect_rc "save without a machine" 2
expect_err "save names what it takes" "takes a machine NAME and, optionally, a SNAPSHOT name"
run snapshot save web a b
expect_rc "save with three arguments" 2
run snapshot restore web
expect_rc "restore without a snapshot" 2
run snapshot delete web
expect_rc "delete without a snapshot" 2
run snapshot save web a --provision
expect_rc "an option of restore is refused by save" 2
run snapshot list nosuch
expect_rc "an unknown machine is a usage error" 2
expect_err "naming it" "no machine named 'nosuch'"
for name in "two words" "-dash" "../up" "a/b" "<xml>" \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"; do
    run snapshot save web "$name"
    expect_rc "snapshot name '$name' is refused" 2
done
expect_err "the message names the machine and the rule" "web: 'aaaaaaaa"
expect_err "and the limit" "at most 64 characters"

run snapshot list web
expect_rc "list of a machine that is not created exits 0" 0
expect_err "and says so" "web: not created"
[ "$(snapshots)" = "web not created " ] && ok "list --json of it: not created, no snapshots" ||
    not_ok "list --json of it: not created, no snapshots" "$(snapshots)"
run snapshot save web one
expect_rc "save of a machine that is not created fails" 1
expect_err "naming the machine" "web: not created"
run snapshot save db one
expect_rc "save of a vmm machine fails" 1
expect_err "saying vmm has none" "db: provider vmm has no snapshots yet"
run snapshot list db
expect_rc "list of a vmm machine fails" 1
[ ! -e .rove/machines/web ] && ok "nothing was created" || not_ok "nothing was created" "$(ls -R .rove)"

run up web # the fake guest dies at once: the machine is kept, stopped
run snapshot save web one
expect_rc "save of the stopped machine" 0
expect_err "of its disks" "web: saving snapshot 'one' (disks)"
run snapshot save web one
expect_rc "a name that exists is refused" 1
expect_err "naming machine and snapshot" "web: snapshot 'one' exists already ('--force' replaces it)"
run snapshot save web one --force
expect_rc "--force replaces it" 0
expect_err "deleting the old one" "web: deleted snapshot 'one'"
run snapshot push web
expect_rc "push" 0
run snapshot list
expect_out "list has a header" "MACHINE"
expect_out "and the snapshot" "web              one"
expect_out "and the pushed one" "web              push_"
case "$(snapshots)" in
"web stopped one push_"*"*") ok "list --json: both, oldest first, the pushed one current" ;;
*) not_ok "list --json: both, oldest first, the pushed one current" "$(snapshots)" ;;
esac
# Changing snapshots takes the machine's lock; listing them does not.
if command -v flock >/dev/null; then
    flock .rove/locks/web.lock "$ROVE" --no-wait snapshot save web locked >"$WORK/out" 2>"$WORK/err"
    RC=$? OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
    expect_rc "save on a machine another command holds fails with --no-wait" 1
    expect_err "saying it is busy" "machine 'web' is busy"
    flock .rove/locks/web.lock "$ROVE" --no-wait snapshot list web >"$WORK/out" 2>"$WORK/err"
    RC=$? OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
    expect_rc "list does not wait for the lock" 0
fi
run snapshot restore web nope --no-start
expect_rc "restoring a snapshot that does not exist fails" 1
expect_err "naming the ones there are" "web: no snapshot 'nope' (its snapshots: one, push_"
run snapshot restore web one --no-start
expect_rc "restore --no-start" 0
expect_err "says the machine stays stopped" "web: restored snapshot 'one'; the machine is stopped"
run snapshot pop web --no-start --no-delete
expect_rc "pop --no-delete" 0
case "$(snapshots)" in "web stopped one push_"*) ok "the pushed snapshot stays" ;;
*) not_ok "the pushed snapshot stays" "$(snapshots)" ;; esac
run snapshot pop web --no-start
expect_rc "pop" 0
[ "$(snapshots)" = "web stopped one" ] && ok "pop deleted what it restored" || not_ok "pop deleted what it restored" "$(snapshots)"
run snapshot pop web --no-start
expect_rc "pop with nothing pushed fails" 1
expect_err "and says so" "web: no pushed snapshot to pop"
run snapshot restore web one
expect_rc "a restore that boots a guest that dies fails" 1
expect_err "on the wait" "the machine is no longer running"
run snapshot delete web one
expect_rc "delete" 0
[ "$(snapshots)" = "web stopped " ] && ok "no snapshot is left" || not_ok "no snapshot is left" "$(snapshots)"
run destroy -f
expect_rc "destroy" 0
finish
