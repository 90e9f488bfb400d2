#!/bin/sh
# SPDX-License-Identifier: MIT
# The whole life of a machine on the tiny box (no cloud-init: the insecure-key path) through
# libvirt: up, provisioners checked inside the guest, ssh, ssh-config, status, halt, reload,
# upload and download (links, executables, spaces),
# provision, failures, locks, kill -9 during up, destroy leaving nothing behind, and box remove
# taking the box's base volumes with it.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"
require_libvirt
build_box tiny

PORT=$(free_port)
mkdir -p scripts conf app/sub
echo "synced file" > app/sub/data.txt
ln -s sub/data.txt app/link
cat > scripts/setup.sh <<'SH'
#!/bin/sh
echo "script args: $*"
echo "APP_ENV=$APP_ENV QUOTED=$QUOTED" > /tmp/script-env
id -u > /tmp/script-uid
SH
echo "key = value" > conf/app.ini
cat > machinefile.yaml <<YAML
version: 1
machines:
  web:
    box: $BOX
    memory: 512M
    libvirt: {accel: auto}
    forward:
      - {host: $PORT, guest: 8000}
    sync:
      - {src: ./app, dest: /srv/app}
    provision:
      - shell: |
          echo provisioning-output
          mkdir -p /var/lib/rove-test; f=/var/lib/rove-test/count
          n=\$(cat \$f 2>/dev/null || echo 0); echo \$((n + 1)) > \$f
          echo "\$(id -u)" > /tmp/shell-uid
          mkdir -p /srv/www && echo "served from the guest" > /srv/www/index.html
          busybox httpd -p 8000 -h /srv/www 2>/dev/null || true  # already serving after a reprovision
      - script: scripts/setup.sh
        args: [--fast, "two words"]
        env: {APP_ENV: dev, QUOTED: "it's \$HOME"}
        privileged: false
      - file: {src: conf/app.ini, dest: /tmp/app.ini}
YAML
domains > "$WORK/domains.before"
volumes > "$WORK/volumes.before"
PROJECT_TAG=$(basename "$WORK")

run up
expect_rc "up exits 0" 0
expect_err "up names the accelerator" "accelerator "
expect_out "provisioner output is prefixed with the machine name" "web: provisioning-output"
expect_out "script arguments are passed" "web: script args: --fast two words"

expect_insecure_key_refused web
run ssh web -c 'cat /var/lib/rove-test/count'
expect_rc "ssh -c exits 0" 0
[ "$OUT" = 1 ] && ok "provisioned once" || not_ok "provisioned once" "$OUT"
run ssh web -c 'cat /tmp/shell-uid'
[ "$OUT" = 0 ] && ok "inline shell ran privileged" || not_ok "inline shell ran privileged" "$OUT"
run ssh web -c 'cat /tmp/script-uid'
[ -n "$OUT" ] && [ "$OUT" != 0 ] && ok "script ran unprivileged" || not_ok "script ran unprivileged" "$OUT"
run ssh web -c hostname
[ "$OUT" = web ] && ok "hostname set to the machine's name" || not_ok "hostname set to the machine's name" "$OUT"
page=$(curl -s --max-time 10 "http://127.0.0.1:$PORT/")
[ "$page" = "served from the guest" ] && ok "the forward reaches a listener in the guest" ||
    not_ok "the forward reaches a listener in the guest" "$page"
run ssh web -c 'cat /srv/app/sub/data.txt && stat -c %U /srv/app/sub/data.txt'
expect_out "sync copied the folder" "synced file"
expect_out "synced files belong to the login user" "vagrant"
run ssh web -c 'cat /tmp/script-env /tmp/app.ini'
expect_out "script env escaped correctly" "APP_ENV=dev QUOTED=it's \$HOME"
expect_out "file provisioner uploaded" "key = value"

run ssh web -c 'echo out; echo err >&2; exit 7'
expect_rc "ssh -c passes the exit status through" 7
[ "$OUT" = out ] && ok "stdout kept apart" || not_ok "stdout kept apart" "$OUT"
[ "$ERR" = err ] && ok "stderr kept apart" || not_ok "stderr kept apart" "$ERR"

run status --json
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin); assert s[0]["state"]=="running", s' &&
    ok "status says running" || not_ok "status says running" "$OUT"

run status
case "$OUT" in *"running (KVM)"* | *"running (TCG"*) ok "status names the accelerator" ;;
*) not_ok "status names the accelerator" "$OUT" ;; esac

run ssh-config web
expect_out "ssh-config has the port" "Port "
echo "$OUT" > "$WORK/ssh_config"
hostname_out=$(ssh -F "$WORK/ssh_config" web 'echo via-openssh' 2>&1)
[ "$hostname_out" = via-openssh ] && ok "ssh -F with ssh-config logs in" || not_ok "ssh -F with ssh-config logs in" "$hostname_out"
run ssh web -- -o BatchMode=yes 'echo exec-openssh'
expect_out "rove ssh execs OpenSSH" "exec-openssh"

run up
expect_rc "up on a running machine exits 0" 0
run ssh web -c 'cat /var/lib/rove-test/count'
[ "$OUT" = 1 ] && ok "up again does not provision again" || not_ok "up again does not provision again" "$OUT"
run provision
expect_rc "provision exits 0" 0
run ssh web -c 'cat /var/lib/rove-test/count'
[ "$OUT" = 2 ] && ok "provision runs the provisioners again" || not_ok "provision runs again" "$OUT"

# sync mirrors: what the host deleted goes, a folder that became a file is replaced
"$ROVE" ssh web -c 'echo guest-only > /srv/app/guest-only.txt' >/dev/null 2>&1
rm -r app/sub
echo "now a file" > app/sub
echo "new" > app/new.txt
run provision
expect_rc "provision syncs again" 0
run ssh web -c 'cd /srv/app && ls -A | sort | tr "\n" " "; cat sub new.txt'
[ "$OUT" = "link new.txt sub now a file
new" ] && ok "sync mirrors the host folder" || not_ok "sync mirrors the host folder" "$OUT"

# a second command on a locked machine waits and says so, or with --no-wait fails at once
"$ROVE" provision >/dev/null 2>&1 &
holder=$!
sleep 0.5
run --no-wait provision
expect_rc "--no-wait on a busy machine exits 1" 1
expect_err "and says it is busy" "machine 'web' is busy"
run provision
expect_rc "a waiting command runs after the lock is released" 0
expect_err "and said it waited" "waiting for machine 'web'"
wait $holder

run halt
expect_rc "halt exits 0" 0
run status
expect_out "status says stopped" "stopped"
run up
expect_rc "up starts a stopped machine" 0
run ssh web -c 'cat /var/lib/rove-test/count'
[ "$OUT" = 5 ] && ok "disk survived halt; no provisioning on restart" || not_ok "state after halt/up" "$OUT"

# Links through SFTP on Dropbear with OpenSSH's sftp-server (which takes a link's paths the other
# way round): a synced link, and an upload/download round trip of a folder with a link, an
# executable and a name with a space.
run ssh web -c 'readlink /srv/app/link'
[ "$OUT" = sub/data.txt ] && ok "a synced link is the same link in the guest" || not_ok "a synced link is the same link in the guest" "$OUT"
mkdir -p "$WORK/trip/in"
echo "spaced data" >"$WORK/trip/in/file with space"
printf '#!/bin/sh\necho ran\n' >"$WORK/trip/in/run.sh" && chmod 755 "$WORK/trip/in/run.sh"
ln -s "file with space" "$WORK/trip/in/link"
run upload web "$WORK/trip/in" trip
expect_rc "upload of a folder exits 0" 0
run ssh web -c 'readlink trip/link; trip/run.sh; cat "trip/file with space"; test -L "file with space" && echo stray-link'
[ "$OUT" = "file with space
ran
spaced data" ] && ok "the upload kept the link, the executable and the spaced name" || not_ok "the upload kept the link, the executable and the spaced name" "$OUT"
run download web trip "$WORK/trip/out"
expect_rc "download of a folder exits 0" 0
[ "$(readlink "$WORK/trip/out/link")" = "file with space" ] && [ -x "$WORK/trip/out/run.sh" ] &&
    [ "$(cat "$WORK/trip/out/file with space")" = "spaced data" ] &&
    ok "the download brought the link, the executable and the spaced name back" ||
    not_ok "the download brought the link, the executable and the spaced name back" "$(ls -la "$WORK/trip/out")"
run upload web "$WORK/trip/missing"
expect_rc "upload of a missing file exits 1" 1
expect_err "and names it" "$WORK/trip/missing"
run download web /nonexistent "$WORK/trip"
expect_rc "download of a missing file exits 1" 1
run upload web
expect_rc "upload without SRC is a usage error" 2
run reload
expect_rc "reload exits 0" 0

# a failing provisioner: up stops with that machine, index and status named
cat >> machinefile.yaml <<'YAML'
      - shell: exit 3
YAML
run provision
expect_rc "a failing provisioner exits 1" 1
expect_err "the failure names the machine and the provisioner" "web"
expect_err "and its exit status" "3"

run destroy -f
expect_rc "destroy exits 0" 0
expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"
run destroy -f
expect_rc "destroy again is fine" 0

# kill -9 in the middle of up, then destroy cleans everything, then up works
sed -i '/exit 3/d' machinefile.yaml
"$ROVE" up >"$WORK/up.log" 2>&1 &
uppid=$!
for _ in $(seq 1 100); do
    grep -q "waiting for SSH" "$WORK/up.log" && break
    sleep 0.1
done
kill -9 $uppid
wait $uppid 2>/dev/null
run status
expect_rc "status after kill -9" 0
run destroy -f
expect_rc "destroy after kill -9" 0
expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"
run up --no-provision
expect_rc "up after an interrupted up" 0
run destroy -f
expect_nothing_left "$WORK/domains.before" "$WORK/volumes.before"

# The box's base volumes stay while the box is installed, and go with it.
record=$(ls "$ROVE_HOME"/boxes/tiny/0/libvirt/.rove-libvirt-copies.json)
box_volumes() {
    python3 -c 'import json, sys; print("\n".join(c["volume"] for c in json.load(open(sys.argv[1]))["copies"]))' \
        "$record" | sort | comm -12 - "$1"
}
volumes >"$WORK/volumes.now"
[ "$(box_volumes "$WORK/volumes.now" | wc -l)" = 3 ] && ok "the box's base volumes stay after destroy" ||
    not_ok "the box's base volumes stay after destroy" "$(cat "$record")"
box_volumes "$WORK/volumes.now" >"$WORK/box-volumes"
run box remove tiny
expect_rc "box remove exits 0" 0
expect_err "box remove names the volumes it removed" "removed libvirt volume rove-box-tiny-0-"
left=$(volumes | comm -12 - "$WORK/box-volumes")
[ -z "$left" ] && ok "box remove removes its base volumes" ||
    not_ok "box remove removes its base volumes" "$left"

# Volumes a machine still uses stay, named, when the box is removed by force; the machine runs on.
run up --no-provision
expect_rc "up with the box added again" 0
volumes >"$WORK/volumes.now"
box_volumes "$WORK/volumes.now" >"$WORK/box-volumes"
run box remove tiny --force
expect_rc "box remove --force of a box in use exits 0" 0
expect_err "it names the volumes it keeps" "keeping libvirt volume rove-box-tiny-0-"
kept=$(volumes | comm -12 - "$WORK/box-volumes" | wc -l)
[ "$kept" = 3 ] && ok "volumes in use are kept" || not_ok "volumes in use are kept" "$kept of 3"
run ssh web -c true
expect_rc "the machine still works" 0
run destroy -f
for vol in $(cat "$WORK/box-volumes"); do
    virsh -c "$LIBVIRT_URI" vol-delete --pool rove "$vol" >/dev/null 2>&1
done
finish
