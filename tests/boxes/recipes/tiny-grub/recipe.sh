# Recipe of the disk-booting tiny box (sourced by ../../build): the tiny box's system, its kernel
# and initramfs in /boot, on a disk as boxes are published: an MBR partition table, one ext4
# partition, GRUB in the MBR and the gap after it. metadata.json names no kernel, so a provider
# boots the disk through the firmware (BIOS) and GRUB, as Vagrant does.
#
# Built without root-only tricks: mke2fs -d makes the file system, sfdisk partitions the image
# file, and GRUB's boot.img and a core image from grub-mkimage are written with dd (what
# grub-install would do through a loop device).

TINY_GRUB_RECIPE=$RECIPE_DIR
RECIPE_DIR=$BOXES_DIR/recipes/tiny
source "$RECIPE_DIR/recipe.sh"
RECIPE_DIR=$TINY_GRUB_RECIPE

# The guest sees this on its command line only when GRUB's config booted it.
TINY_GRUB_MARK=rove.boot=grub
TINY_GRUB_CMDLINE="console=ttyS0 root=LABEL=$TINY_LABEL rw quiet $TINY_GRUB_MARK"
TINY_GRUB_PART_START=2048 # sectors: the 1 MiB gap before the partition holds GRUB's core image
GRUB_I386=/usr/lib/grub/i386-pc

# The tiny box's files, the recipe folder switched for the helpers that read it.
tiny_grub_system() {
    local work=$1
    RECIPE_DIR=$BOXES_DIR/recipes/tiny
    tiny_staging "$work/staging"
    mkdir -p "$work/boot"
    tiny_kernel "$work" "$work/boot"
    tiny_initramfs "$work" "$work/boot" "$work/staging"
    tiny_rootfs "$work/root" "$work/staging"
    RECIPE_DIR=$TINY_GRUB_RECIPE
    install -D -m 0644 "$work/boot/vmlinuz" "$work/root/boot/vmlinuz"
    install -D -m 0644 "$work/boot/initrd.img" "$work/root/boot/initrd.img"
    mkdir -p "$work/root/boot/grub"
    cat >"$work/root/boot/grub/grub.cfg" <<CFG
# No menu: boot the one kernel at once.
linux /boot/vmlinuz $TINY_GRUB_CMDLINE
initrd /boot/initrd.img
boot
CFG
}

# GRUB's core image: finds the root partition by its label, then runs /boot/grub/grub.cfg.
tiny_grub_core() {
    local work=$1 core=$2
    cat >"$work/early.cfg" <<CFG
search --no-floppy --label --set=root $TINY_LABEL
set prefix=(\$root)/boot/grub
CFG
    grub-mkimage -O i386-pc -o "$core" -c "$work/early.cfg" -p /boot/grub \
        biosdisk part_msdos ext2 search search_label linux normal configfile >&2 ||
        die "grub-mkimage failed"
    local max=$(((TINY_GRUB_PART_START - 1) * 512))
    [ "$(stat -c %s "$core")" -le "$max" ] || die "GRUB's core image does not fit in $max bytes"
}

# tiny_grub_disk ROOTDIR SIZE_MIB OUT: an MBR disk with GRUB and ROOTDIR as its ext4 partition,
# as compressed qcow2.
tiny_grub_disk() {
    local work=$1 size_mib=$2 out=$3 raw=$1/disk.raw fs=$1/root.ext4
    local start_mib=$((TINY_GRUB_PART_START / 2048))
    mke2fs -q -F -t ext4 -L "$TINY_LABEL" -E root_owner=0:0 -d "$work/root" "$fs" \
        "$((size_mib - start_mib))M" >&2 || die "mke2fs of $work/root failed"
    rm -f "$raw"
    truncate -s "${size_mib}M" "$raw"
    printf 'label: dos\nstart=%s, type=83, bootable\n' "$TINY_GRUB_PART_START" |
        sfdisk -q "$raw" >&2 || die "sfdisk on $raw failed"
    dd if="$fs" of="$raw" bs=1M seek="$start_mib" conv=notrunc,sparse status=none ||
        die "cannot write the file system into $raw"
    # boot.img's code only (440 bytes): the partition table after it stays sfdisk's.
    dd if="$GRUB_I386/boot.img" of="$raw" bs=440 count=1 conv=notrunc status=none &&
        dd if="$work/core.img" of="$raw" bs=512 seek=1 conv=notrunc status=none ||
        die "cannot write GRUB into $raw"
    qemu-img convert -c -O qcow2 "$raw" "$out" >&2 || die "qemu-img convert $raw failed"
    rm -f "$raw" "$fs"
}

build_box() {
    local work=$1 out=$2
    need_tools mmdebstrap:mmdebstrap mke2fs:e2fsprogs qemu-img:qemu-utils xz:xz-utils \
        dpkg-deb:dpkg gzip:gzip sfdisk:fdisk grub-mkimage:grub-pc-bin
    [ -f "$GRUB_I386/boot.img" ] || apt_install grub-pc-bin
    mkdir -p "$DEB_CACHE"
    tiny_grub_system "$work"
    tiny_grub_core "$work" "$work/core.img"
    tiny_grub_disk "$work" "$((TINY_DISK_GB * 1024))" "$out/box.img"
    # Vagrant's libvirt box as published: no kernel, no Vagrantfile.
    printf '{"provider": "libvirt", "format": "qcow2", "virtual_size": %s}\n' "$TINY_DISK_GB" \
        >"$out/metadata.json"
}
