"""Reproducible .tar.gz packages: the same entries give the same bytes, on any run.

Entries are sorted, every parent directory gets its own entry, and everything that would vary between runs or
machines is fixed: mtime, owner (0/0, no names), modes (0644 files, 0755 directories), and the gzip header
(mtime 0, no file name). Members are written from memory or streamed from their source file.

The stream is the GNU tar format exactly as the standard library's tarfile writes it; a course of 40,000 blocks
has some 70,000 members, and tarfile spends most of a build formatting their headers, so the common header
(a name of at most 100 bytes, a size below 8 GiB) is formatted here and anything else is left to
tarfile.TarInfo.tobuf. tests/exporters/test_tar_archive.py checks both give the same bytes.
"""

from __future__ import annotations

import gzip
import os
import tarfile
from pathlib import Path
from typing import BinaryIO, Mapping, Union

from pamong_edx.export import REPRODUCIBLE_MTIME

Content = Union[bytes, Path]

BLOCK = tarfile.BLOCKSIZE
RECORD = tarfile.RECORDSIZE
FILE_MODE, DIR_MODE = 0o644, 0o755
_OWNER = b"0000000\0" * 2  # uid, gid
_MTIME = b"%011o\0" % REPRODUCIBLE_MTIME
# linkname, GNU magic, uname, gname, devmajor, devminor, prefix, padding to 512 bytes
_REST = b"\0" * 100 + tarfile.GNU_MAGIC + b"\0" * (32 + 32 + 8 + 8 + 155 + 12)
_CHECKSUM_SPACES = 8 * ord(" ")


def member_size(content: Content) -> int:
    return len(content) if isinstance(content, bytes) else content.stat().st_size


def tar_info(name: str, size: int, is_dir: bool) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
    info.mode = DIR_MODE if is_dir else FILE_MODE
    info.size = size
    info.mtime = REPRODUCIBLE_MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _tail(kind: bytes) -> tuple[bytes, int]:
    tail = kind + _REST
    return tail, sum(tail) + _CHECKSUM_SPACES


_FILE_TAIL = _tail(tarfile.REGTYPE)
_DIR_TAIL = _tail(tarfile.DIRTYPE)


def tar_header(name: str, size: int, is_dir: bool) -> bytes:
    """The header block(s) tarfile would write for this member in GNU format."""
    raw = (name + "/" if is_dir else name).encode("utf-8")
    if len(raw) > 100 or size >= 8**11:  # long names and huge files need GNU extension blocks
        return tar_info(name, size, is_dir).tobuf(tarfile.GNU_FORMAT, "utf-8", "surrogateescape")
    mode = b"%07o\0" % (DIR_MODE if is_dir else FILE_MODE)
    head = raw.ljust(100, b"\0") + mode + _OWNER + b"%011o\0" % size + _MTIME
    tail, tail_sum = _DIR_TAIL if is_dir else _FILE_TAIL
    return head + b"%06o\0 " % (sum(head) + tail_sum) + tail


def check_names(files: Mapping[str, Content]) -> set[str]:
    """The directories the names need; refuses names that could extract outside the target folder."""
    dirs: set[str] = set()
    for name in files:
        parts = name.split("/")
        if not name or name.startswith("/") or "" in parts or "." in parts or ".." in parts or "\\" in name:
            raise ValueError(f"unsafe archive member name: {name!r}")
        for i in range(1, len(parts)):
            dirs.add("/".join(parts[:i]))
    clash = dirs & files.keys()
    if clash:
        raise ValueError(f"archive names used both as file and directory: {sorted(clash)}")
    return dirs


class _Coalesce:
    """Gathers the many small pieces of a tar stream into large writes for gzip."""

    def __init__(self, sink: BinaryIO, size: int = 1 << 20):
        self.sink, self.size, self.buffer, self.written = sink, size, bytearray(), 0

    def write(self, data: bytes) -> None:
        self.buffer += data
        self.written += len(data)
        if len(self.buffer) >= self.size:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.sink.write(self.buffer)
            self.buffer = bytearray()


def write_tar(out: BinaryIO, files: Mapping[str, Content]) -> None:
    """The uncompressed tar stream of `files` (archive name -> bytes or a file to copy), sorted by name."""
    dirs = check_names(files)
    stream = _Coalesce(out)
    for name in sorted(dirs | files.keys()):
        if name in dirs:
            stream.write(tar_header(name, 0, True))
            continue
        content = files[name]
        if isinstance(content, bytes):
            size = len(content)
            stream.write(tar_header(name, size, False))
            stream.write(content)
        else:
            with open(content, "rb") as source:
                size = os.fstat(source.fileno()).st_size
                stream.write(tar_header(name, size, False))
                copied = 0
                while chunk := source.read(1 << 20):
                    copied += len(chunk)
                    stream.write(chunk)
                if copied != size:
                    raise OSError(f"{content} changed size while it was packed")
        if size % BLOCK:
            stream.write(b"\0" * (BLOCK - size % BLOCK))
    stream.write(b"\0" * (2 * BLOCK))  # end of archive, then pad to a whole record as tarfile does
    if stream.written % RECORD:
        stream.write(b"\0" * (RECORD - stream.written % RECORD))
    stream.flush()


def write_tar_gz(path: Path, files: Mapping[str, Content], compresslevel: int = 6) -> int:
    """Write `files` as a .tar.gz at `path`, atomically; return its size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    try:
        with open(partial, "wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=compresslevel) as gz:
            write_tar(gz, files)
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
    return path.stat().st_size
