#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds the test boxes (tiny, debian12) and checks each in a real QEMU guest: direct kernel boot
# from the box's kernel, initrd and cmdline, its box.img under a qcow2 overlay, SSH with Vagrant's
# insecure key on a forwarded 127.0.0.1 port, sudo, SFTP, persistence across reboot and power-off,
# and for debian12 a cloud-init NoCloud seed. Prints figures (build and boot-to-SSH times).
# Exit: 0 all checks passed, 1 a check failed, 77 cannot run here (reason printed).
# Usage: tests/boxes/test-boxes.sh [BOX...]   (default: tiny debian12)
set -uo pipefail

HERE=$(dirname "$(readlink -f "$0")")
source "$HERE/lib/common.sh"
source "$HERE/lib/vm.sh"
LOG_TAG=test-boxes

if [ "$(id -u)" != 0 ]; then
    echo "SKIP: test-boxes.sh must run as root (it builds root file systems with mmdebstrap)" >&2
    exit 77
fi
if ! debian_mirror >/dev/null || [ -z "$(debian_mirror)" ]; then
    echo "SKIP: no Debian $SUITE mirror configured in /etc/apt/sources.list*" >&2
    exit 77
fi
need_tools qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils ssh:openssh-client \
    jq:jq genisoimage:genisoimage ssh-keygen:openssh-client

passed=0
failed=0
figures=()
check() {
    local what=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        log "ok: $what"
    else
        failed=$((failed + 1))
        log "FAILED: $what"
        vm_console_tail
    fi
}
figure() {
    figures+=("$1")
    log "figure: $1"
}

TMP=$(mktemp -d /tmp/rove-test-boxes.XXXXXX)
cleanup() {
    vm_kill
    rm -rf "$TMP"
}
trap cleanup EXIT
# Git does not keep the key's 0600 mode, and ssh refuses a key others can read.
SSH_KEY=$TMP/vagrant_insecure
install -m 600 "$INSECURE_KEY" "$SSH_KEY"

# build_and_unpack NAME DIR: builds (or takes from the cache) NAME.box and unpacks it into DIR.
build_and_unpack() {
    local name=$1 dir=$2 started box
    started=$(now)
    box=$("$HERE/build" "$name" | tail -n1) || return 1
    BOX_FILE=$box
    figure "$name: build (or cache hit) $(elapsed_since "$started") s, .box $(du -h "$box" | cut -f1)"
    mkdir -p "$dir"
    tar -xzf "$box" -C "$dir" || return 1
    figure "$name: box.img $(du -h "$dir/box.img" | cut -f1) qcow2, initrd $(du -h "$dir/initrd.img" | cut -f1)"
}

metadata_is_valid() {
    local dir=$1 key
    jq -e '.provider == "libvirt" and .format == "qcow2" and (.virtual_size | type == "number")
           and (.cmdline | type == "string") and (.cloud_init | type == "boolean")' \
        "$dir/metadata.json" >/dev/null || return 1
    for key in kernel vmlinux vmlinuz initrd; do
        [ -f "$dir/$(jq -r ".$key" "$dir/metadata.json")" ] || return 1
    done
}

# Vagrant (the peer these boxes stay compatible with) takes the same .box, and its Vagrantfile loads.
vagrant_accepts_box() {
    local name=$1 home=$TMP/vagrant-home project=$TMP/vagrant-$1
    need_tools vagrant:"vagrant vagrant-libvirt"
    mkdir -p "$home" "$project"
    VAGRANT_HOME=$home vagrant box add --name "rove-test-$name" "$BOX_FILE" >"$TMP/vagrant.log" 2>&1 &&
        (cd "$project" && VAGRANT_HOME=$home vagrant init -m "rove-test-$name" >/dev/null &&
            VAGRANT_HOME=$home VAGRANT_DEFAULT_PROVIDER=libvirt vagrant validate >>"$TMP/vagrant.log" 2>&1) ||
        {
            log "vagrant said: $(tail -n 5 "$TMP/vagrant.log")"
            return 1
        }
}

new_overlay() {
    qemu-img create -q -f qcow2 -b "$1/box.img" -F qcow2 "$2"
}

# box_boot DIR DISK KERNEL_KEY MEMORY CPUS [QEMU ARGS...]: boots with the metadata's kernel entry
# (kernel: what rove boots, the ELF vmlinux; vmlinuz: the bzImage) and waits for SSH; sets BOOT_SECONDS.
box_boot() {
    local dir=$1 disk=$2 kernel_key=$3 memory=$4 cpus=$5
    shift 5
    local kernel initrd cmdline
    kernel=$dir/$(jq -r ".$kernel_key" "$dir/metadata.json")
    initrd=$dir/$(jq -r .initrd "$dir/metadata.json")
    cmdline=$(jq -r .cmdline "$dir/metadata.json")
    vm_start "$TMP" "$kernel" "$initrd" "$cmdline" "$disk" "$memory" "$cpus" "$@" || return 1
    BOOT_SECONDS=$(vm_wait_ssh "${BOOT_TIMEOUT:-300}") || return 1
}

# sudo works and says nothing else (for example "unable to resolve host").
sudo_is_root() { [ "$(vm_ssh sudo id -u 2>&1)" = 0 ]; }

sftp_upload_works() {
    local file=$TMP/upload.txt
    echo "uploaded over sftp $$" >"$file"
    printf 'put %s /tmp/upload.txt\n' "$file" | vm_sftp >/dev/null || return 1
    [ "$(vm_ssh cat /tmp/upload.txt)" = "$(cat "$file")" ]
}

scp_legacy_upload_works() {
    local file=$TMP/upload.txt
    scp -O -q -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o LogLevel=ERROR -i "$SSH_KEY" -P "$VM_PORT" "$file" vagrant@127.0.0.1:/tmp/scp.txt &&
        [ "$(vm_ssh cat /tmp/scp.txt)" = "$(cat "$file")" ]
}

reboot_keeps_files() {
    vm_ssh 'echo kept > ~/marker && sync && sudo reboot' || return 1
    # Wait for SSH to go away before waiting for it to come back.
    local deadline=$((SECONDS + 60))
    while vm_ssh -o ConnectTimeout=2 true 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
    VM_STARTED=$(now)
    local seconds
    seconds=$(vm_wait_ssh "${BOOT_TIMEOUT:-300}") || return 1
    figure "$BOX_NAME: reboot to SSH $seconds s"
    [ "$(vm_ssh 'cat ~/marker')" = kept ]
}

marker_survived() { [ "$(vm_ssh 'cat ~/marker')" = kept ]; }

poweroff_stops_qemu() {
    vm_ssh 'sudo poweroff' || true
    vm_wait_exit 120
}

power_button_stops_qemu() {
    vm_press_power_button
    vm_wait_exit 120
}

test_tiny() {
    BOX_NAME=tiny
    local dir=$TMP/tiny
    check "tiny: build" build_and_unpack tiny "$dir" || return
    check "tiny: metadata.json" metadata_is_valid "$dir"
    check "tiny: vagrant box add + validate" vagrant_accepts_box tiny
    new_overlay "$dir" "$TMP/tiny-disk.qcow2" || return

    if check "tiny: boot (bzImage) to ssh" box_boot "$dir" "$TMP/tiny-disk.qcow2" vmlinuz 512M 1; then
        figure "tiny: first boot (bzImage, 1 vCPU, host key generated) to ssh true: $BOOT_SECONDS s"
        check "tiny: sudo id -u is 0" sudo_is_root
        check "tiny: sftp upload" sftp_upload_works
        check "tiny: scp (legacy protocol) upload" scp_legacy_upload_works
        check "tiny: /etc/os-release" vm_ssh test -s /etc/os-release
        check "tiny: bash present" vm_ssh bash -c true
        check "tiny: file survives reboot" reboot_keeps_files
        check "tiny: ACPI power button powers off" power_button_stops_qemu
    fi
    vm_kill

    if check "tiny: boot again (vmlinux) to ssh" box_boot "$dir" "$TMP/tiny-disk.qcow2" kernel 512M 1; then
        figure "tiny: boot (vmlinux, 1 vCPU) to ssh true: $BOOT_SECONDS s"
        check "tiny: file survives power-off" marker_survived
        check "tiny: shutdown -h now powers off" poweroff_by_shutdown
    fi
    vm_kill
}

poweroff_by_shutdown() {
    vm_ssh 'sudo shutdown -h now' || true
    vm_wait_exit 120
}

cloud_init_disabled() {
    vm_ssh 'cloud-init status' | grep -q 'status: disabled'
}

only_new_host_keys() {
    vm_ssh 'test -s /etc/ssh/ssh_host_ed25519_key.pub && ! test -e /etc/ssh/ssh_host_rsa_key.pub'
}

# make_seed DIR PUBKEY HOSTNAME: a NoCloud seed ISO (volume id cidata) as rove attaches it.
make_seed() {
    local dir=$1 pubkey=$2 host=$3
    mkdir -p "$dir/seed"
    printf 'instance-id: rove-test-%s\nlocal-hostname: %s\n' "$$" "$host" >"$dir/seed/meta-data"
    cat >"$dir/seed/user-data" <<EOF
#cloud-config
hostname: $host
ssh_authorized_keys:
  - $(cat "$pubkey")
EOF
    genisoimage -quiet -output "$dir/seed.iso" -volid cidata -joliet -rock \
        "$dir/seed/user-data" "$dir/seed/meta-data"
}

seeded_hostname_is() { [ "$(vm_ssh hostname)" = "$1" ]; }

test_debian12() {
    BOX_NAME=debian12
    local dir=$TMP/debian12
    check "debian12: build" build_and_unpack debian12 "$dir" || return
    check "debian12: metadata.json" metadata_is_valid "$dir"
    check "debian12: vagrant box add + validate" vagrant_accepts_box debian12

    new_overlay "$dir" "$TMP/d12-disk.qcow2" || return
    if check "debian12: boot (bzImage) without seed to ssh" box_boot "$dir" "$TMP/d12-disk.qcow2" vmlinuz 1G 2; then
        figure "debian12: first boot (bzImage, 2 vCPUs, no seed) to ssh true: $BOOT_SECONDS s"
        check "debian12: sudo id -u is 0" sudo_is_root
        check "debian12: sftp upload" sftp_upload_works
        check "debian12: cloud-init disabled itself without a seed" cloud_init_disabled
        check "debian12: ed25519 host key, no RSA" only_new_host_keys
        check "debian12: file survives reboot" reboot_keeps_files
        check "debian12: ACPI power button powers off" power_button_stops_qemu
    fi
    vm_kill

    local fresh=$TMP/fresh_key
    ssh-keygen -q -t ed25519 -N '' -f "$fresh" || return
    make_seed "$TMP" "$fresh.pub" seeded-host || return
    new_overlay "$dir" "$TMP/d12-seeded.qcow2" || return
    local insecure=$SSH_KEY
    SSH_KEY=$fresh
    if check "debian12: boot (vmlinux) with NoCloud seed, login with the seeded key" \
        box_boot "$dir" "$TMP/d12-seeded.qcow2" kernel 1G 2 \
        -drive "file=$TMP/seed.iso,if=virtio,format=raw,readonly=on"; then
        figure "debian12: first boot (vmlinux, 2 vCPUs, NoCloud seed) to ssh true: $BOOT_SECONDS s"
        check "debian12: hostname from the seed" seeded_hostname_is seeded-host
        check "debian12: sudo id -u is 0 (seeded login)" sudo_is_root
        check "debian12: sudo poweroff powers off" poweroff_stops_qemu
    fi
    vm_kill
    SSH_KEY=$insecure
}

boxes=("$@")
[ ${#boxes[@]} -gt 0 ] || boxes=(tiny debian12)
for box in "${boxes[@]}"; do
    case $box in
    tiny) test_tiny ;;
    debian12) test_debian12 ;;
    *) die "unknown box $box (known: tiny debian12)" ;;
    esac
done

echo "Figures:"
for line in "${figures[@]}"; do echo "  $line"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
