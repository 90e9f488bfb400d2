# SPDX-License-Identifier: MIT
# Helpers for the tests that boot real guests under libvirt and QEMU (TCG on hosts without
# hardware virtualisation). Sourced after tests/cli/lib.sh.
LIBVIRT_URI=qemu:///system
REPO=$(cd "$(dirname "$0")/../.." && pwd)

# require_libvirt: skip (exit 77, with the reason) when this host cannot run the tests.
require_libvirt() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "SKIP: the libvirt tests need root (qemu:///system)"
        exit 77
    fi
    if ! virsh -c "$LIBVIRT_URI" version >/dev/null 2>&1; then
        "$REPO/scripts/start-libvirtd" || { echo "SKIP: libvirtd cannot be started"; exit 77; }
    fi
}

# build_box NAME: builds (or reuses) the test box and sets BOX to its path.
build_box() {
    BOX=$("$REPO/tests/boxes/build" "$1" 2>"$WORK/box-build.log" | tail -1)
    if [ ! -f "$BOX" ]; then
        cat "$WORK/box-build.log"
        echo "Bail out! test box $1 could not be built"
        exit 1
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

domains() { virsh -c "$LIBVIRT_URI" list --all --name | sed '/^$/d' | sort; }
volumes() { virsh -c "$LIBVIRT_URI" vol-list rove 2>/dev/null | awk 'NR > 2 && $1 != "" {print $1}' | sort; }

# expect_insecure_key_refused NAME: Vagrant's published key no longer opens machine NAME.
expect_insecure_key_refused() {
    port=$("$ROVE" ssh-config "$1" | awk '$1 == "Port" {print $2}')
    install -m 600 "$REPO/tests/boxes/keys/vagrant_insecure" "$WORK/insecure"
    if ssh -i "$WORK/insecure" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -p "$port" vagrant@127.0.0.1 true 2>/dev/null; then
        not_ok "Vagrant's insecure key no longer opens $1"
    else
        ok "Vagrant's insecure key no longer opens $1"
    fi
}

# expect_nothing_left BEFORE_DOMAINS BEFORE_VOLUMES: no domain, volume, QEMU process or state
# file created since the snapshots were taken.
expect_nothing_left() {
    new_domains=$(domains | comm -13 "$1" -)
    [ -z "$new_domains" ] && ok "no domain left" || not_ok "no domain left" "$new_domains"
    new_volumes=$(volumes | comm -13 "$2" - | grep -v '^rove-box-' || true)
    [ -z "$new_volumes" ] && ok "no machine volume left" || not_ok "no machine volume left" "$new_volumes"
    procs=$(pgrep -af "qemu-system.*$PROJECT_TAG" || true)
    [ -z "$procs" ] && ok "no QEMU process left" || not_ok "no QEMU process left" "$procs"
    [ ! -e .rove ] && ok "no state left" || not_ok "no state left" "$(find .rove)"
}
