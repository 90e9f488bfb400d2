# SPDX-License-Identifier: MIT
# Shared helpers for the box recipes and the box tests (sourced, not run).
# Progress goes to stderr so that stdout stays free for the result a script prints.

BOXES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BOXES_CACHE=${ROVE_BOXES_CACHE:-$BOXES_DIR/cache}
# Debian packages are kept between builds here; a recipe change then needs no download.
DEB_CACHE=$BOXES_CACHE/debs
INSECURE_KEY=$BOXES_DIR/keys/vagrant_insecure
INSECURE_PUBKEY=$BOXES_DIR/keys/vagrant_insecure.pub
SUITE=bookworm

log() { printf '%s: %s\n' "${LOG_TAG:-boxes}" "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

require_root() {
    [ "$(id -u)" = 0 ] || die "must run as root (it installs packages and builds root file systems)"
}

apt_updated=
apt_update() {
    [ -z "$apt_updated" ] || return 0
    log "apt-get update"
    apt-get update -qq >&2 || die "apt-get update failed: is the Debian archive reachable?"
    apt_updated=1
}

apt_install() {
    apt_update
    log "installing $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 ||
        die "apt-get install $* failed"
}

# need_tools CMD:PACKAGE ... installs the packages whose command is missing.
need_tools() {
    local spec missing=()
    for spec in "$@"; do
        # A command may need several packages: "CMD:PKG1 PKG2".
        # shellcheck disable=SC2206
        command -v "${spec%%:*}" >/dev/null 2>&1 || missing+=(${spec#*:})
    done
    [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# The Debian mirror the host's apt is configured with (for mmdebstrap), and its sources lines.
# apt-cache only knows a source once its package lists are there (a fresh machine may have none).
policy_mirror() {
    apt-cache policy 2>/dev/null | awk -v s="$1" '$3 == s && $4 == "amd64" { print $2; exit }'
}
debian_mirror() {
    [ -n "$(policy_mirror "$SUITE/main")" ] || apt_update
    policy_mirror "$SUITE/main"
}
debian_security_mirror() {
    policy_mirror "$SUITE-security/main"
}
debian_sources() {
    local mirror security
    mirror=$(debian_mirror)
    [ -n "$mirror" ] || die "no $SUITE mirror in /etc/apt/sources.list*: cannot fetch Debian packages"
    echo "deb $mirror $SUITE main"
    echo "deb $mirror $SUITE-updates main"
    security=$(debian_security_mirror)
    [ -z "$security" ] || echo "deb $security $SUITE-security main"
}

# The versioned kernel package behind a meta package, e.g. linux-image-amd64 -> linux-image-6.1.0-56-amd64.
kernel_package() {
    debian_mirror >/dev/null
    apt-cache depends "$1" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}

# apt_download PACKAGE DIR: the .deb of PACKAGE in DIR (downloaded once, reused after).
apt_download() {
    local pkg=$1 dir=$2 version file
    debian_mirror >/dev/null
    version=$(apt-cache policy "$pkg" | awk '$1 == "Candidate:" { print $2 }')
    [ -n "$version" ] && [ "$version" != "(none)" ] || die "package $pkg is not in the apt archive"
    file=$(find "$dir" -maxdepth 1 -name "${pkg}_*${version#*:}_*.deb" | head -n1)
    if [ -z "$file" ]; then
        log "downloading $pkg $version"
        if ! (cd "$dir" && apt-get download -qq -o APT::Sandbox::User=root "$pkg=$version" >&2); then
            # Old package lists name versions the archive no longer has.
            [ -z "$apt_updated" ] || die "apt-get download $pkg failed"
            apt_update
            apt_download "$@"
            return
        fi
        file=$(find "$dir" -maxdepth 1 -name "${pkg}_*${version#*:}_*.deb" | head -n1)
        [ -n "$file" ] || die "apt-get download $pkg left no .deb in $dir"
    fi
    echo "$file"
}

# mmdebstrap with the shared .deb cache; extra arguments go before the suite.
mmdebstrap_cached() {
    local target=$1
    shift
    mkdir -p "$DEB_CACHE"
    local sources
    sources=$(debian_sources) || exit 1
    mmdebstrap --mode=root --aptopt='APT::Sandbox::User "root"' --skip=download/empty --skip=essential/unlink \
        --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
        --setup-hook="sync-in $DEB_CACHE /var/cache/apt/archives/" \
        "$@" "$SUITE" "$target" - <<<"$sources" >&2 || die "mmdebstrap into $target failed"
}

# The ELF vmlinux inside a bzImage: the compressed payload that the boot protocol header locates
# (setup_sects at 0x1f1, payload_offset and payload_length at 0x248), decompressed.
extract_vmlinux() {
    local bzimage=$1 out=$2 setup_sects offset length magic
    setup_sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$bzimage" | tr -d ' ')
    [ "$setup_sects" != 0 ] || setup_sects=4
    offset=$(od -An -tu4 -j $((0x248)) -N4 "$bzimage" | tr -d ' ')
    length=$(od -An -tu4 -j $((0x24c)) -N4 "$bzimage" | tr -d ' ')
    offset=$(((setup_sects + 1) * 512 + offset))
    magic=$(payload_bytes "$bzimage" "$offset" 4 | od -An -tx1 | tr -d ' \n')
    local decompress
    case $magic in
    fd377a58) decompress="xz -dc" && need_tools xz:xz-utils ;;
    28b52ffd) decompress="zstd -dcq" && need_tools zstd:zstd ;;
    02214c18) decompress="lz4 -dc" && need_tools lz4:lz4 ;;
    1f8b*) decompress="gzip -dc" ;;
    *) die "unknown compression (magic $magic) of the kernel payload in $bzimage" ;;
    esac
    # The payload ends with the 4-byte decompressed size that the kernel build appends.
    payload_bytes "$bzimage" "$offset" "$((length - 4))" | $decompress >"$out" ||
        die "cannot decompress the payload of $bzimage"
    [ "$(head -c4 "$out" | od -An -c | tr -d ' ')" = '177ELF' ] ||
        die "the payload of $bzimage is not an ELF file"
}

payload_bytes() {
    dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" bs=1M status=none
}

# copy_elf_closure ROOT DEST FILE...: copies FILEs (paths inside ROOT) and every shared library they
# load into DEST, flattening /lib into /usr/lib (DEST is a merged-/usr tree).
copy_elf_closure() {
    local root=$1 dest=$2 file lib
    shift 2
    for file in "$@"; do
        install -D -m "$(stat -c %a "$root$file")" "$root$file" "$dest$(merged_path "$file")"
        chroot "$root" /lib64/ld-linux-x86-64.so.2 --list "$file" |
            awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
            while read -r lib; do
                [ -e "$dest$(merged_path "$lib")" ] ||
                    install -D -m 0755 "$(readlink -f "$root$lib")" "$dest$(merged_path "$lib")"
            done
    done
}
merged_path() {
    case $1 in
    /usr/*) echo "$1" ;;
    *) echo "/usr$1" ;;
    esac
}

# write_metadata DIR VIRTUAL_SIZE_GB CMDLINE CLOUD_INIT: metadata.json (Vagrant's libvirt format +
# rove's keys: the kernel to boot directly, and whether the guest takes a cloud-init seed). The
# kernel is the ELF vmlinux (booted through its PVH entry, 3-4 s faster under TCG than the bzImage,
# which stays in the box for Vagrant).
write_metadata() {
    local dir=$1 size=$2 cmdline=$3 cloud_init=$4
    cat >"$dir/metadata.json" <<EOF
{
  "provider": "libvirt",
  "format": "qcow2",
  "virtual_size": $size,
  "kernel": "vmlinux",
  "vmlinux": "vmlinux",
  "vmlinuz": "vmlinuz",
  "initrd": "initrd.img",
  "cmdline": "$cmdline",
  "cloud_init": $cloud_init
}
EOF
    # Vagrant evaluates this file; it lets vagrant-libvirt boot the box's kernel as rove does.
    cat >"$dir/Vagrantfile" <<EOF
Vagrant.configure("2") do |config|
  config.vm.provider :libvirt do |libvirt|
    libvirt.kernel = File.join(File.dirname(__FILE__), "vmlinuz")
    libvirt.initrd = File.join(File.dirname(__FILE__), "initrd.img")
    libvirt.cmd_line = "$cmdline"
  end
end
EOF
}

# disk_image ROOTDIR LABEL SIZE OUT: an ext4 file system made from ROOTDIR, as compressed qcow2.
disk_image() {
    local rootdir=$1 label=$2 size=$3 out=$4 raw=$4.raw
    rm -f "$raw"
    mke2fs -q -F -t ext4 -L "$label" -E root_owner=0:0 -d "$rootdir" "$raw" "$size" >&2 ||
        die "mke2fs of $rootdir failed"
    qemu-img convert -c -O qcow2 "$raw" "$out" >&2 || die "qemu-img convert $raw failed"
    rm -f "$raw"
}
