"""Every course shipped in course_src/ loads, exports to OLX, and passes olxcleaner (as Studio runs it) with no
errors."""

from __future__ import annotations

import tarfile
from pathlib import Path, PurePosixPath

import pytest
from olx_samples import extract, studio_olxcleaner

from pamong_edx.course.loader import load_course
from pamong_edx.exporters.olx import OlxExporter

COURSE_SRC = Path(__file__).resolve().parents[2] / "course_src"
BUNDLED = sorted(p.parent for p in COURSE_SRC.glob("*/course.yaml"))


@pytest.mark.parametrize("course_dir", BUNDLED or [None], ids=[p.name for p in BUNDLED] or ["none"])
def test_bundled_course_passes_olxcleaner(course_dir, tmp_path):
    if course_dir is None:
        pytest.fail(f"no course found in {COURSE_SRC}: the bundled courses must be there")
    course, diagnostics = load_course(course_dir)
    assert course is not None, "\n".join(map(str, diagnostics))
    result = OlxExporter(course, tmp_path).build()

    with tarfile.open(result.path, "r:gz") as tar:
        for member in tar.getmembers():
            parts = PurePosixPath(member.name).parts
            assert parts[0] == "course" and ".." not in parts and not member.name.startswith("/")
            assert member.isfile() or member.isdir()

    root = extract(result.path, tmp_path / "x") / "course"
    # nothing at ERROR level (olxcleaner's default failure level), run as Studio runs it: every installed XBlock
    # allowed, the problem bank of the courses' question pools among them
    assert studio_olxcleaner(root) == []
