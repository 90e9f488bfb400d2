# Recipe of the debian12 box (sourced by ../../build): Debian 12 with systemd, OpenSSH, sudo and
# cloud-init (NoCloud), user vagrant with Vagrant's insecure key; an ext4 root file system on the
# whole of box.img (no partition table) booted through the box's own kernel and initrd.
# build_box WORK OUT fills OUT with the box's files.

DEBIAN12_LABEL=rootfs
DEBIAN12_CMDLINE="console=ttyS0 root=LABEL=$DEBIAN12_LABEL rw quiet"
DEBIAN12_DISK_SIZE=4G
DEBIAN12_DISK_GB=4
DEBIAN12_PACKAGES="systemd-sysv,udev,dbus,kmod,iproute2,openssh-server,sudo,cloud-init,linux-image-cloud-amd64,initramfs-tools,zstd,bash-completion,less,ca-certificates"

build_box() {
    local out=$2 root=$1/root
    need_tools mmdebstrap:mmdebstrap mke2fs:e2fsprogs qemu-img:qemu-utils xz:xz-utils
    log "installing Debian 12 into $root"
    mmdebstrap_cached "$root" --variant=apt --include="$DEBIAN12_PACKAGES" \
        --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
        --setup-hook="mkdir -p \"\$1/etc/dpkg/dpkg.cfg.d\" && cp $RECIPE_DIR/rootfs/etc/dpkg/dpkg.cfg.d/rove-box-excludes \"\$1/etc/dpkg/dpkg.cfg.d/\"" \
        --customize-hook="sync-out /var/cache/apt/archives $DEB_CACHE" \
        --customize-hook="$RECIPE_DIR/customize.sh \"\$1\" $INSECURE_PUBKEY"
    cp "$root"/boot/vmlinuz-* "$out/vmlinuz"
    cp "$root"/boot/initrd.img-* "$out/initrd.img"
    extract_vmlinux "$out/vmlinuz" "$out/vmlinux"
    log "making the disk image"
    disk_image "$root" "$DEBIAN12_LABEL" "$DEBIAN12_DISK_SIZE" "$out/box.img"
    write_metadata "$out" "$DEBIAN12_DISK_GB" "$DEBIAN12_CMDLINE" true
}
