# Recipe of the tiny box (sourced by ../../build): Debian's kernel, a busybox initramfs that mounts the
# disk and switch_roots into it, and a small root file system (busybox, dropbear, sftp-server, scp,
# sudo, bash) on box.img. build_box WORK OUT fills OUT with the box's files.

TINY_LABEL=rove-tiny
TINY_CMDLINE="console=ttyS0 root=LABEL=$TINY_LABEL rw quiet"
TINY_DISK_SIZE=1G
TINY_DISK_GB=1

# Modules the kernel needs before it can reach the disk and the network (and the power button),
# and virtio-9p for folders the host shares (sync entries of type: mount); their own dependencies
# (9pnet, netfs, fscache) are added from modules.dep.
TINY_MODULES="virtio_pci virtio_mmio virtio_blk virtio_net crc32c_generic ext4 virtio-rng button evdev 9pnet_virtio 9p"

# Debian packages the root file system takes its programs from (with their libraries).
TINY_PACKAGES="busybox-static,dropbear-bin,openssh-sftp-server,openssh-client,sudo,libpam-modules,bash"

tiny_staging() {
    local staging=$1
    log "unpacking $TINY_PACKAGES"
    mmdebstrap_cached "$staging" --variant=extract --include="$TINY_PACKAGES" \
        --extract-hook="sync-out /var/cache/apt/archives $DEB_CACHE"
}

tiny_kernel() {
    local work=$1 out=$2 pkg deb
    pkg=$(kernel_package linux-image-amd64)
    [ -n "$pkg" ] || die "cannot tell which kernel package linux-image-amd64 points at"
    deb=$(apt_download "$pkg" "$DEB_CACHE") || exit 1
    dpkg-deb -x "$deb" "$work/kernel" || die "cannot unpack $deb"
    cp "$work"/kernel/boot/vmlinuz-* "$out/vmlinuz"
    extract_vmlinux "$out/vmlinuz" "$out/vmlinux"
}

# Load order of TINY_MODULES: every module after the modules it depends on.
tiny_module_order() {
    local moddir=$1 wanted line dep
    local -A seen=()
    for wanted in $TINY_MODULES; do
        line=$(grep -E "/$wanted\.ko:" "$moddir/modules.dep") || die "kernel module $wanted not found"
        # modules.dep lists dependencies so that loading them last-to-first works.
        for dep in $(echo "${line#*:}" | tr ' ' '\n' | tac) "${line%%:*}"; do
            [ -n "${seen[$dep]:-}" ] || {
                seen[$dep]=1
                echo "$dep"
            }
        done
    done
}

tiny_initramfs() {
    local work=$1 out=$2 staging=$3 moddir kver module
    local initramfs=$work/initramfs
    kver=$(ls "$work/kernel/lib/modules")
    moddir=$work/kernel/lib/modules/$kver
    "$staging/bin/busybox" depmod -b "$work/kernel" "$kver" || die "depmod for $kver failed"
    mkdir -p "$initramfs"/{bin,dev,proc,sys,lib/modules}
    cp "$staging/bin/busybox" "$initramfs/bin/busybox"
    for applet in sh mount umount insmod findfs usleep cat mkdir poweroff switch_root; do
        ln -s busybox "$initramfs/bin/$applet"
    done
    tiny_module_order "$moddir" >"$initramfs/lib/modules/load-order" || exit 1
    while read -r module; do
        install -D -m 0644 "$moddir/$module" "$initramfs/lib/modules/$module"
    done <"$initramfs/lib/modules/load-order"
    install -m 0755 "$RECIPE_DIR/init" "$initramfs/init"
    (cd "$initramfs" && find . | LC_ALL=C sort | "$staging/bin/busybox" cpio -o -H newc 2>/dev/null) |
        gzip -9 >"$out/initrd.img" || die "cannot pack the initramfs"
}

tiny_rootfs() {
    local root=$1 staging=$2 applet dir
    mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{dev,proc,sys,run,tmp,root,etc,var/log,home}
    for dir in bin sbin lib lib64; do ln -s "usr/$dir" "$root/$dir"; done
    chmod 1777 "$root/tmp"
    chmod 700 "$root/root"

    copy_elf_closure "$staging" "$root" /usr/sbin/dropbear /usr/bin/dropbearkey \
        /usr/lib/openssh/sftp-server /usr/bin/scp /usr/bin/sudo /bin/bash \
        /usr/libexec/sudo/sudoers.so /usr/libexec/sudo/libsudo_util.so.0 \
        /lib/x86_64-linux-gnu/security/pam_permit.so /lib/x86_64-linux-gnu/security/pam_deny.so
    # Dropbear looks for the SFTP server at /usr/lib/sftp-server.
    ln -s openssh/sftp-server "$root/usr/lib/sftp-server"
    chmod 4755 "$root/usr/bin/sudo"

    cp "$staging/bin/busybox" "$root/usr/bin/busybox"
    # Busybox provides every other command; real programs keep precedence.
    for applet in $("$root/usr/bin/busybox" --list-full); do
        [ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /usr/bin/busybox "$root/$applet"
    done
    ln -sf busybox "$root/usr/bin/sh"

    cp -a "$RECIPE_DIR/rootfs/." "$root/"
    chmod 440 "$root/etc/sudoers"
    mkdir -p "$root/etc/dropbear"

    local hash
    hash=$("$root/usr/bin/busybox" mkpasswd -m sha512 vagrant) || die "mkpasswd failed"
    cat >"$root/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/bin/sh
vagrant:x:1000:1000:vagrant:/home/vagrant:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
    cat >"$root/etc/group" <<GROUP
root:x:0:
tty:x:5:
sudo:x:27:vagrant
vagrant:x:1000:
nogroup:x:65534:
GROUP
    # Passwords only matter on the serial console: SSH takes keys only.
    printf 'root:%s:19000::::::\nvagrant:%s:19000::::::\nnobody:*:19000::::::\n' "$hash" "$hash" \
        >"$root/etc/shadow"
    chmod 600 "$root/etc/shadow"
    install -d -m 700 -o 1000 -g 1000 "$root/home/vagrant" "$root/home/vagrant/.ssh"
    install -m 600 -o 1000 -g 1000 "$INSECURE_PUBKEY" "$root/home/vagrant/.ssh/authorized_keys"
}

build_box() {
    local work=$1 out=$2
    need_tools mmdebstrap:mmdebstrap mke2fs:e2fsprogs qemu-img:qemu-utils xz:xz-utils \
        dpkg-deb:dpkg gzip:gzip
    mkdir -p "$DEB_CACHE"
    tiny_staging "$work/staging"
    tiny_kernel "$work" "$out"
    tiny_initramfs "$work" "$out" "$work/staging"
    tiny_rootfs "$work/root" "$work/staging"
    disk_image "$work/root" "$TINY_LABEL" "$TINY_DISK_SIZE" "$out/box.img"
    write_metadata "$out" "$TINY_DISK_GB" "$TINY_CMDLINE" false
}
