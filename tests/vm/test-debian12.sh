#!/bin/sh
# A full Debian 12 guest with cloud-init through libvirt: the machine's key and rove's host key
# arrive through the NoCloud seed (no trust on first use), the hostname is set, a provisioner
# runs with sudo, and destroy leaves nothing behind.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"
require_libvirt
build_box debian12

cat > machinefile.yaml <<YAML
version: 1
machines:
  db:
    box: $BOX
    hostname: db-test
    memory: 1G
    cpus: 2
    provision:
      - shell: |
          echo "provisioned as \$(id -un) on \$(hostname)"
          touch /etc/rove-provisioned
YAML
domains > "$WORK/domains.before"
volumes > "$WORK/volumes.before"
PROJECT_TAG=$(basename "$WORK")

run up
expect_rc "up exits 0" 0
expect_out "provisioner ran as root on the seeded hostname" "db: provisioned as root on db-test"
run ssh db -c hostname
[ "$OUT" = db-test ] && ok "hostname from the machinefile" || not_ok "hostname from the machinefile" "$OUT"
run ssh db -c 'test -f /etc/rove-provisioned && grep -c . ~/.ssh/authorized_keys'
[ "$OUT" = 1 ] && ok "only the machine's own key is authorized" || not_ok "only the machine's own key is authorized" "$OUT"
expect_insecure_key_refused db
key=$(cut -d' ' -f2 .rove/machines/db/ssh_host_ed25519_key.pub)
grep -q "$key" .rove/machines/db/known_hosts && ok "known_hosts holds rove's host key" ||
    not_ok "known_hosts holds rove's host key"
run halt
expect_rc "halt (ACPI shutdown) exits 0" 0
run status
expect_out "stopped after halt" "stopped"
run destroy -f
expect_rc "destroy exits 0" 0
expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"
finish
