"""The reproducible tar writer gives exactly the bytes the standard library's tarfile gives."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest

from pamong_edx.export import REPRODUCIBLE_MTIME
from pamong_edx.exporters.tar_archive import check_names, tar_info, write_tar, write_tar_gz


def tarfile_bytes(files: dict, dirs: set[str]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name in sorted(dirs | files.keys()):
            if name in dirs:
                tar.addfile(tar_info(name, 0, True))
            else:
                data = files[name] if isinstance(files[name], bytes) else files[name].read_bytes()
                tar.addfile(tar_info(name, len(data), False), io.BytesIO(data))
    return out.getvalue()


def test_same_bytes_as_tarfile(tmp_path):
    source = tmp_path / "big.bin"
    source.write_bytes(bytes(range(256)) * 40)
    files = {
        "course/course.xml": b'<course url_name="r" org="o" course="c"/>\n',
        "course/static/empty.txt": b"",
        "course/static/exact.bin": b"x" * 512,
        "course/static/big.bin": source,
        "course/html/" + "panjang-" * 14 + ".html": "<p>nama lebih dari 100 byte</p>".encode(),
        "course/static/désa-ü.txt": "ünïcode".encode(),
    }
    dirs = check_names(files)
    assert dirs == {"course", "course/static", "course/html"}
    ours = io.BytesIO()
    write_tar(ours, files)
    assert ours.getvalue() == tarfile_bytes(files, dirs)


def test_members_and_gzip_header_are_fixed(tmp_path):
    path = tmp_path / "p.tar.gz"
    write_tar_gz(path, {"course/a.xml": b"<a/>", "course/sub/b.xml": b"<b/>"})
    raw = path.read_bytes()
    assert raw[3] & 0x08 == 0 and raw[4:8] == b"\0\0\0\0"  # no file name, mtime 0
    with tarfile.open(path, "r:gz") as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == ["course", "course/a.xml", "course/sub", "course/sub/b.xml"]
    for m in members:
        assert (m.mtime, m.uid, m.gid, m.uname, m.gname) == (REPRODUCIBLE_MTIME, 0, 0, "", "")
        assert m.mode == (0o755 if m.isdir() else 0o644)
    assert gzip.decompress(raw)[-1024:] == b"\0" * 1024
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("name", ["/etc/passwd", "course/../x", "course//x", "./course/x", "course\\x", ""])
def test_unsafe_names_are_refused(tmp_path, name):
    with pytest.raises(ValueError, match="unsafe archive member name"):
        write_tar_gz(tmp_path / "p.tar.gz", {name: b"x"})
    assert not (tmp_path / "p.tar.gz").exists()


def test_a_name_cannot_be_file_and_directory(tmp_path):
    with pytest.raises(ValueError, match="both as file and directory"):
        write_tar_gz(tmp_path / "p.tar.gz", {"course/a": b"x", "course/a/b": b"y"})
