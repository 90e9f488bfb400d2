#!/bin/sh
# SPDX-License-Identifier: MIT
# A full Debian 12 guest with cloud-init through libvirt: the machine's key and rove's host key
# arrive through the NoCloud seed (no trust on first use), the hostname is set, a provisioner
# runs with sudo, and destroy leaves nothing behind.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"
require_libvirt
build_box debian12

PORT=$(free_port)
mkdir -p scripts
cat > scripts/setup.sh <<'SH'
#!/bin/sh
echo "script args: $*"
echo "APP_ENV=$APP_ENV user=$(id -un)" > /tmp/script-env
SH
cat > machinefile.yaml <<YAML
version: 1
machines:
  db:
    box: $BOX
    hostname: db-test
    memory: 1G
    cpus: 2
    forward:
      - {host: $PORT, guest: 8000}
    provision:
      - shell: |
          echo "provisioned as \$(id -un) on \$(hostname)"
          n=\$(cat /var/lib/rove-count 2>/dev/null || echo 0); echo \$((n + 1)) > /var/lib/rove-count
          mkdir -p /srv/www && echo "served from the guest" > /srv/www/index.html
          setsid -f python3 -m http.server 8000 --directory /srv/www >/dev/null 2>&1 < /dev/null
      - script: scripts/setup.sh
        args: [--fast, "two words"]
        env: {APP_ENV: dev}
        privileged: false
YAML
domains > "$WORK/domains.before"
volumes > "$WORK/volumes.before"
PROJECT_TAG=$(basename "$WORK")

run up
expect_rc "up exits 0" 0
expect_out "provisioner ran as root on the seeded hostname" "db: provisioned as root on db-test"
expect_out "script arguments are passed" "db: script args: --fast two words"
run ssh db -c 'cat /tmp/script-env'
[ "$OUT" = "APP_ENV=dev user=vagrant" ] && ok "script ran with its env as the login user" ||
    not_ok "script ran with its env as the login user" "$OUT"
run ssh db -c 'echo out; echo err >&2; exit 7'
expect_rc "ssh -c passes the exit status through" 7
page=$(curl -s --max-time 10 "http://127.0.0.1:$PORT/")
[ "$page" = "served from the guest" ] && ok "the forward reaches a listener in the guest" ||
    not_ok "the forward reaches a listener in the guest" "$page"
run ssh db -c hostname
[ "$OUT" = db-test ] && ok "hostname from the machinefile" ||
    not_ok "hostname from the machinefile" "$OUT" "exit code $RC" "$ERR"
run ssh db -c 'grep -c . ~/.ssh/authorized_keys'
[ "$OUT" = 1 ] && ok "only the machine's own key is authorized" || not_ok "only the machine's own key is authorized" "$OUT"
expect_insecure_key_refused db
key=$(cut -d' ' -f2 .rove/machines/db/ssh_host_ed25519_key.pub)
grep -q "$key" .rove/machines/db/known_hosts && ok "known_hosts holds rove's host key" ||
    not_ok "known_hosts holds rove's host key"
run halt
expect_rc "halt (ACPI shutdown) exits 0" 0
run status
expect_out "stopped after halt" "stopped"
run up
expect_rc "up starts the stopped machine" 0
run ssh db -c 'cat /var/lib/rove-count'
[ "$OUT" = 1 ] && ok "up of a stopped machine does not provision again" || not_ok "no re-provision" "$OUT"
run provision
expect_rc "provision exits 0" 0
run ssh db -c 'cat /var/lib/rove-count'
[ "$OUT" = 2 ] && ok "provision runs the provisioners again" || not_ok "provision runs again" "$OUT"
run destroy -f
expect_rc "destroy exits 0" 0
expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"
finish
