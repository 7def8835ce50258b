"""Reproducible .tar.gz packages: the same entries give the same bytes, on any run.

Entries are sorted, every parent directory gets its own entry, and everything that would vary between runs or
machines is fixed: mtime, owner (0/0, no names), modes (0644 files, 0755 directories), and the gzip header
(mtime 0, no file name). Members are written from memory or streamed from their source file.

The gzip stream is deflated in segments, each ended by a full flush (`write_tar_gz`): any gzip reader reads it
as one stream, and a segment's compressed bytes depend only on its own bytes, which is what lets an
incremental build copy the segments it did not change from the build cache (the runs of small members from one
entry per package, `_Runs`; a file from disk from an entry of its own, known by its digest).

The stream is the GNU tar format exactly as the standard library's tarfile writes it; a course of 40,000 blocks
has some 70,000 members, and tarfile spends most of a build formatting their headers, so the common header
(a name of at most 100 bytes, a size below 8 GiB) is formatted here and anything else is left to
tarfile.TarInfo.tobuf. tests/exporters/test_tar_archive.py checks both give the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator, Mapping, Union

from pamong_edx.course.cache import BuildCache
from pamong_edx.export import REPRODUCIBLE_MTIME
from pamong_edx.i18n import _

Content = Union[bytes, Path]

BLOCK = tarfile.BLOCKSIZE
RECORD = tarfile.RECORDSIZE
FILE_MODE, DIR_MODE = 0o644, 0o755
_OWNER = b"0000000\0" * 2  # uid, gid
_MTIME = b"%011o\0" % REPRODUCIBLE_MTIME
# linkname, GNU magic, uname, gname, devmajor, devminor, prefix, padding to 512 bytes
_REST = b"\0" * 100 + tarfile.GNU_MAGIC + b"\0" * (32 + 32 + 8 + 8 + 155 + 12)
_CHECKSUM_SPACES = 8 * ord(" ")
CHUNK = 1 << 20
# A run of in-memory members ends after a member whose name's CRC-32 is a multiple of RUN_EVERY (about 32
# members, some 15 kB of XML), or past RUN_MAX bytes.
RUN_EVERY = 32
RUN_MAX = 1 << 20
CACHED_FILE_MAX = 64 << 20  # larger files are compressed on every build rather than copied into the cache


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
        parent = name.rpartition("/")[0]
        while parent and parent not in dirs:  # its ancestors are in once it is
            dirs.add(parent)
            parent = parent.rpartition("/")[0]
    clash = dirs & files.keys()
    if clash:
        raise ValueError(f"archive names used both as file and directory: {sorted(clash)}")
    return dirs


@dataclass
class _Run:
    """Consecutive small members, held in memory."""

    pieces: list[bytes]


@dataclass
class _File:
    """One member streamed from its source file: its header, then the file, then padding."""

    header: bytes
    path: Path
    size: int
    padding: bytes


def segments(files: Mapping[str, Content]) -> Iterator[_Run | _File]:
    """The tar stream of `files`, sorted by name, cut into segments: a file streamed from disk is one segment;
    members held in memory are gathered into runs that end after a member whose name hashes to a boundary
    (so an edit changes only the runs it touches, not the cut points after it) or past RUN_MAX bytes."""
    dirs = check_names(files)
    run: list[bytes] = []
    held = 0
    for name in sorted(dirs | files.keys()):
        content = None if name in dirs else files[name]
        if isinstance(content, Path):
            if run:
                yield _Run(run)
                run, held = [], 0
            size = os.stat(content).st_size
            yield _File(tar_header(name, size, False), content, size, _padding(size))
            continue
        data = content if content is not None else b""
        run += [tar_header(name, len(data), content is None), data, _padding(len(data))]
        held += len(data) + BLOCK
        if held >= RUN_MAX or zlib.crc32(name.encode("utf-8")) % RUN_EVERY == 0:
            yield _Run(run)
            run, held = [], 0
    run.append(b"\0" * (2 * BLOCK))  # the end of the archive; the caller pads to a whole record
    yield _Run(run)


def _padding(size: int) -> bytes:
    return b"\0" * (-size % BLOCK)


def write_tar(out: BinaryIO, files: Mapping[str, Content]) -> None:
    """The uncompressed tar stream of `files` (archive name -> bytes or a file to copy), sorted by name."""
    written = 0
    for segment in segments(files):
        for piece in _pieces(segment):
            out.write(piece)
            written += len(piece)
    if written % RECORD:
        out.write(b"\0" * (RECORD - written % RECORD))


def _pieces(segment: _Run | _File) -> Iterator[bytes]:
    if isinstance(segment, _Run):
        yield from segment.pieces
        return
    yield segment.header
    copied = 0
    with open(segment.path, "rb") as source:
        while chunk := source.read(CHUNK):
            copied += len(chunk)
            yield chunk
    if copied != segment.size:
        raise OSError(_("{path} changed size while it was packed; build again once nothing is writing to it").format(
            path=segment.path))
    yield segment.padding


def write_tar_gz(path: Path, files: Mapping[str, Content], compresslevel: int = 6,
                 cache: BuildCache | None = None) -> int:
    """Write `files` as a .tar.gz at `path`, atomically and streaming; return its size.

    Each segment (see `segments`) is deflated on its own and ends with a full flush, so the compressed form of
    a segment depends on nothing but its bytes: with a build cache, a segment already compressed in an earlier
    build is copied (a file from disk is known by its digest, without reading it). A clean build compresses
    the same segments the same way, so the package is byte-identical with or without the cache."""
    cache = cache if cache is not None and cache.enabled else None
    runs = _Runs(cache, path.name, compresslevel)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    crc, length = 0, 0
    try:
        with open(partial, "wb") as out:
            xfl = b"\002" if compresslevel == 9 else b"\004" if compresslevel == 1 else b"\000"
            out.write(b"\x1f\x8b\x08\x00" + b"\0\0\0\0" + xfl + b"\377")  # as gzip.GzipFile(mtime=0) writes it
            for segment in segments(files):
                if isinstance(segment, _Run):
                    data = b"".join(segment.pieces)
                    crc, length = zlib.crc32(data, crc), length + len(data)
                    out.write(runs.deflate(data))
                else:
                    crc = _deflate_file(segment, compresslevel, cache, out, crc)
                    length += len(segment.header) + segment.size + len(segment.padding)
            tail = b"\0" * (-length % RECORD)
            if tail:  # a whole number of records, as tarfile pads
                crc, length = zlib.crc32(tail, crc), length + len(tail)
                out.write(_deflate(tail, compresslevel))
            out.write(zlib.compressobj(compresslevel, zlib.DEFLATED, -15).flush())  # the final, empty block
            out.write(struct.pack("<II", crc & 0xFFFFFFFF, length & 0xFFFFFFFF))
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
    runs.save()
    return path.stat().st_size


def _deflate(data: bytes, level: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


class _Runs:
    """The compressed runs of a package, from the build cache: one bundle per package (named by its file name),
    each run found by the SHA-1 of its bytes."""

    def __init__(self, cache: BuildCache | None, package: str, level: int):
        self.level = level
        self.bundle = cache.bundle("deflated-runs", package, level) if cache is not None else None

    def deflate(self, data: bytes) -> bytes:
        if self.bundle is None:
            return _deflate(data, self.level)
        digest = hashlib.sha1(data).digest()
        packed = self.bundle.get(digest)
        if packed is None:
            packed = _deflate(data, self.level)
            self.bundle.put(digest, packed)
        return packed

    def save(self) -> None:
        if self.bundle is not None:
            self.bundle.save()


def _deflate_file(segment: _File, level: int, cache: BuildCache | None, out: BinaryIO, crc: int) -> int:
    """Write one file's segment, deflated (from the cache when its file is unchanged); return the running CRC."""
    digest = cache.digest(segment.path) if cache is not None else None
    key = cache.key("deflate-file", level, segment.header, digest) if digest is not None else None
    if key is not None:
        known = cache.get(key)
        if isinstance(known, tuple) and len(known) == 2:
            packed, file_crc = known
            out.write(packed)
            crc = crc32_combine(zlib.crc32(segment.header, crc), file_crc, segment.size)
            return zlib.crc32(segment.padding, crc)
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    kept: list[bytes] | None = [] if key is not None and segment.size <= CACHED_FILE_MAX else None
    file_crc = 0
    for piece in _pieces(segment):
        crc = zlib.crc32(piece, crc)
        if piece is not segment.header and piece is not segment.padding:
            file_crc = zlib.crc32(piece, file_crc)
        packed = compressor.compress(piece)
        if packed:
            out.write(packed)
            if kept is not None:
                kept.append(packed)
    packed = compressor.flush(zlib.Z_FULL_FLUSH)
    out.write(packed)
    if kept is not None:
        cache.put(key, (b"".join(kept) + packed, file_crc))
    return crc


# CRC-32 of a concatenation from the CRCs of its parts (zlib's crc32_combine, which Python's zlib lacks): a
# cached file is copied compressed, and its CRC joins the archive's without reading the file.
_POLY = 0xEDB88320


def _multmodp(a: int, b: int) -> int:
    m, p = 1 << 31, 0
    while True:
        if a & m:
            p ^= b
            if a & (m - 1) == 0:
                return p
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


def _x2n_table() -> list[int]:
    table, p = [], 1 << 30  # x^1
    for _ in range(32):
        table.append(p)
        p = _multmodp(p, p)
    return table


_X2N = _x2n_table()


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    p, k = 1 << 31, 3  # x^(8 * len2) mod P
    while len2:
        if len2 & 1:
            p = _multmodp(_X2N[k & 31], p)
        len2 >>= 1
        k += 1
    return _multmodp(p, crc1) ^ crc2
