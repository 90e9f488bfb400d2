#!/bin/sh
# mmdebstrap customize hook of the debian12 box: runs on the host with the new root as $1, after
# every package is installed. Makes the vagrant user, configures SSH, cloud-init and the network,
# trims the boot, and leaves no per-machine identity (host keys, machine-id) in the image.
set -eu
root=$1
recipe_dir=$(dirname "$(readlink -f "$0")")
pubkey=$2

in_root() { chroot "$root" "$@"; }

cp -a "$recipe_dir/rootfs/." "$root/"
chown -R 0:0 "$root/etc/sudoers.d" "$root/etc/cloud/cloud.cfg.d"
chmod 440 "$root/etc/sudoers.d/vagrant"

in_root useradd --create-home --shell /bin/bash --groups sudo --uid 1000 vagrant
echo 'vagrant:vagrant' | in_root chpasswd
install -d -m 700 -o 1000 -g 1000 "$root/home/vagrant/.ssh"
install -m 600 -o 1000 -g 1000 "$pubkey" "$root/home/vagrant/.ssh/authorized_keys"

# Host keys are made per machine at first boot (rove-host-keys.service or cloud-init).
rm -f "$root"/etc/ssh/ssh_host_*
in_root systemctl enable rove-host-keys.service systemd-networkd.service
# QEMU's user networking (what rove gives a machine) answers DNS at 10.0.2.3. systemd-resolved would
# follow any network's DHCP, but it sits before sysinit.target and delays SSH by seconds under TCG.
echo 'nameserver 10.0.2.3' >"$root/etc/resolv.conf"

# Units that only cost boot time in a short-lived test machine.
in_root systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
    fstrim.timer getty@tty1.service systemd-networkd-wait-online.service systemd-binfmt.service \
    proc-sys-fs-binfmt_misc.automount dev-hugepages.mount dev-mqueue.mount sys-kernel-debug.mount \
    sys-kernel-tracing.mount sys-fs-fuse-connections.mount sys-kernel-config.mount \
    modprobe@configfs.service modprobe@dm_mod.service modprobe@drm.service \
    modprobe@efi_pstore.service modprobe@fuse.service modprobe@loop.service systemd-pstore.service
# sshd checks its configuration before it starts; the box's configuration is known to be good.
mkdir -p "$root/etc/systemd/system/ssh.service.d"
printf '[Service]\nExecStartPre=\n' >"$root/etc/systemd/system/ssh.service.d/10-rove-box.conf"

# machine-id: empty means "generate at first boot" (and first-boot presets).
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"

in_root update-initramfs -u -k all >/dev/null
# mmdebstrap itself empties the apt lists and cache afterwards. Leave $root/tmp alone: mmdebstrap
# keeps its apt configuration there until it has finished.
rm -f "$root"/var/log/*.log
