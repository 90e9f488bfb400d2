#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Builds small test boxes, good and crafted-bad, for rove's box tests.

    mkbox.py KIND OUT [--size BYTES] [--compress none|gz|xz|zst] [--provider P] [--vagrantfile]
                      [--virtual-size GB]

KIND good: metadata.json + box.img (random bytes) [+ Vagrantfile]
     sparse: box.img of --size bytes, all zeros except 1 MiB at the start and end
     zip: like good, as a zip archive
     many-entries: metadata.json and 10001 empty files
     two-disks: metadata.json listing "disks" box.img and data.img, both held
     efi: like good, metadata.json with "firmware": "efi"
     Bad ones, each refused by rove: abs-path, dotdot, symlink-out, symlink-abs, symlink-chain,
     hardlink-out, device, fifo, huge-entry (header claims 2 TiB), no-metadata, bad-json,
     no-provider, not-an-archive.
"""
import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile


VIRTUAL_SIZE = 1  # metadata.json's virtual_size in GB; --virtual-size makes it lie


def meta(provider="libvirt"):
    return json.dumps({"provider": provider, "format": "qcow2",
                       "virtual_size": VIRTUAL_SIZE}).encode()


def add_bytes(tar, name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    tar.addfile(info, io.BytesIO(data))


def add_special(tar, name, kind, target=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    tar.addfile(info)


def good_members(tar, args):
    add_bytes(tar, "metadata.json", meta(args.provider))
    add_bytes(tar, "box.img", os.urandom(args.size))
    if args.vagrantfile:
        add_bytes(tar, "Vagrantfile", b"Vagrant.configure('2') {}\n")


def build_tar(kind, args):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        if kind == "good":
            good_members(tar, args)
        elif kind in ("two-disks", "efi"):
            extra = ({"disks": [{"path": "box.img"}, {"path": "data.img", "format": "raw"}]}
                     if kind == "two-disks" else {"firmware": "efi"})
            add_bytes(tar, "metadata.json", json.dumps(
                dict(json.loads(meta(args.provider)), format="raw", **extra)).encode())
            add_bytes(tar, "box.img", bytes(args.size))
            if kind == "two-disks":
                add_bytes(tar, "data.img", bytes(args.size))
        elif kind == "many-entries":
            add_bytes(tar, "metadata.json", meta(args.provider))
            for i in range(10001):
                add_bytes(tar, "f%d" % i, b"")
        else:
            add_bytes(tar, "metadata.json", meta(args.provider))
            bad_member(tar, kind)
    return buf.getvalue()


def write_sparse_box(out, size, how):
    """A tar with metadata.json and a plain (not tar-sparse) box.img of size bytes: random 1 MiB
    at each end, zeros between. The unpacker must leave the zero run as a hole. Streamed to the
    compressor, never held in memory."""
    tool = {"none": ["cat"], "gz": ["gzip", "-c", "-1"], "xz": ["xz", "-c", "-0", "-T2"],
            "zst": ["zstd", "-c", "-q", "-1"]}[how]
    with open(out, "wb") as f:
        proc = subprocess.Popen(tool, stdin=subprocess.PIPE, stdout=f)
        w = proc.stdin
        data = meta()
        info = tarfile.TarInfo("metadata.json")
        info.size = len(data)
        w.write(info.tobuf(tarfile.GNU_FORMAT) + data + b"\0" * (-len(data) % 512))
        info = tarfile.TarInfo("box.img")
        info.size = size
        w.write(info.tobuf(tarfile.GNU_FORMAT))
        w.write(os.urandom(1 << 20))
        zeros = bytes(8 << 20)
        left = size - (2 << 20)
        while left > 0:
            n = min(left, len(zeros))
            w.write(zeros[:n])
            left -= n
        w.write(os.urandom(1 << 20))
        w.write(b"\0" * (-size % 512) + b"\0" * 1024)
        w.close()
        if proc.wait() != 0:
            raise SystemExit("compressor failed")


def bad_member(tar, kind):
    if kind == "abs-path":
        add_bytes(tar, "/tmp/rove-escape-abs", b"x")
    elif kind == "dotdot":
        add_bytes(tar, "sub/../../rove-escape-dotdot", b"x")
    elif kind == "symlink-out":
        add_special(tar, "link", tarfile.SYMTYPE, "../../../../rove-escape-link")
    elif kind == "symlink-abs":
        add_special(tar, "link", tarfile.SYMTYPE, "/etc/passwd")
    elif kind == "symlink-chain":
        add_special(tar, "d/up", tarfile.SYMTYPE, "..")
        add_special(tar, "chain", tarfile.SYMTYPE, "d/up/d/up/..")
    elif kind == "symlink-write-through":
        add_special(tar, "dir", tarfile.SYMTYPE, ".")
        add_bytes(tar, "dir/file", b"x")
    elif kind == "hardlink-out":
        add_special(tar, "hard", tarfile.LNKTYPE, "../../etc/passwd")
    elif kind == "device":
        info = tarfile.TarInfo("dev-null")
        info.type = tarfile.CHRTYPE
        info.devmajor, info.devminor = 1, 3
        tar.addfile(info)
    elif kind == "fifo":
        add_special(tar, "pipe", tarfile.FIFOTYPE)
    elif kind == "huge-entry":
        info = tarfile.TarInfo("box.img")
        info.size = 2 << 40
        tar.fileobj.write(info.tobuf(tarfile.GNU_FORMAT))
        tar.fileobj.write(b"\0" * 4096)
    else:
        raise SystemExit("unknown kind " + kind)


def build(kind, args):
    if kind == "no-metadata":
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            add_bytes(tar, "box.img", b"x" * 100)
        return buf.getvalue()
    if kind in ("bad-json", "no-provider"):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            text = b'{"provider": "libvirt",' if kind == "bad-json" else b'{"format": "qcow2"}'
            add_bytes(tar, "metadata.json", text)
            add_bytes(tar, "box.img", b"x" * 100)
        return buf.getvalue()
    if kind == "not-an-archive":
        return b"this is not an archive\n" * 100
    if kind == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("metadata.json", meta(args.provider))
            z.writestr("box.img", os.urandom(args.size))
        return buf.getvalue()
    return build_tar(kind, args)


def compress(data, how):
    if how == "none":
        return data
    tool = {"gz": ["gzip", "-c", "-1"], "xz": ["xz", "-c", "-0"], "zst": ["zstd", "-c", "-q"]}[how]
    return subprocess.run(tool, input=data, stdout=subprocess.PIPE, check=True).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind")
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=256 * 1024)
    ap.add_argument("--compress", default="gz")
    ap.add_argument("--provider", default="libvirt")
    ap.add_argument("--vagrantfile", action="store_true")
    ap.add_argument("--virtual-size", type=float, default=1)
    args = ap.parse_args()
    global VIRTUAL_SIZE
    VIRTUAL_SIZE = args.virtual_size
    if args.kind == "sparse":
        return write_sparse_box(args.out, args.size, args.compress)
    data = build(args.kind, args)
    if args.kind not in ("zip", "not-an-archive"):
        data = compress(data, args.compress)
    with open(args.out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    sys.exit(main())
