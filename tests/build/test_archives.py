"""Archives are written streaming, and streaming changes no byte."""

from __future__ import annotations

import os
import random
import time
import zipfile

from pamong_edx.export import REPRODUCIBLE_MTIME
from pamong_edx.exporters.scorm import CHUNK, MANIFEST, write_zip


def test_zip_entries_streamed_from_files_are_the_bytes_of_one_write(tmp_path):
    rng = random.Random(19)
    text = tmp_path / "transkrip.txt"  # deflated, larger than one chunk
    text.write_text(" ".join(rng.choice(["desa", "musyawarah", "kepala", "BPD"]) for _ in range(CHUNK // 5)))
    video = tmp_path / "rapat.mp4"  # stored
    video.write_bytes(os.urandom(CHUNK + 123))
    files = {MANIFEST: b"<manifest/>", "assets/transkrip.txt": text, "assets/rapat.mp4": video,
             "index.html": "<p>Desa</p>".encode()}
    write_zip(tmp_path / "ours.zip", files)

    expected = tmp_path / "whole.zip"
    with zipfile.ZipFile(expected, "w") as zf:
        for name in [MANIFEST, "assets/rapat.mp4", "assets/transkrip.txt", "index.html"]:
            info = zipfile.ZipInfo(name, date_time=time.gmtime(REPRODUCIBLE_MTIME)[:6])
            info.create_system, info.external_attr = 3, 0o644 << 16
            stored = name.endswith(".mp4")
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            data = files[name] if isinstance(files[name], bytes) else files[name].read_bytes()
            zf.writestr(info, data, compresslevel=None if stored else 6)
    assert (tmp_path / "ours.zip").read_bytes() == expected.read_bytes()
