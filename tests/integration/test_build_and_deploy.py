"""A bundled course, compiled by `pamong build`, deployed by `pamong deploy` to the stand-in Open edX.

This is the path a curriculum team's course takes to learners: the stand-in runs the same structural OLX checks
as Studio's import, so an exporter that wrote a dangling pointer or a misplaced policy would fail here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from pamong_edx.cli import main
from pamong_edx.sandbox.openedx import Settings, openedx_sandbox

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "course_src" / "kode-wilayah-dan-nik"
COURSE_ID = "course-v1:PamongDesa+KWN101+2027_T1"


def pamong(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    return exited.value.code, captured.out + captured.err


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    with openedx_sandbox(settings=Settings(throttle=False, import_step_s=0.01)) as server:
        staff = server.app.staff_credentials
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv("PAMONG_CONFIG", raising=False)
        monkeypatch.setenv("PAMONG_LMS_URL", server.url)
        monkeypatch.setenv("PAMONG_STUDIO_URL", server.url)
        monkeypatch.setenv("PAMONG_CLIENT_ID", staff.client_id)
        monkeypatch.setenv("PAMONG_CLIENT_SECRET", staff.client_secret)
        yield server


def test_a_built_bundled_course_imports_into_the_stand_in(capsys, sandbox, tmp_path):
    code, out = pamong(capsys, "build", str(COURSE), "--format", "olx", "-o", str(tmp_path / "dist"))
    assert code == 0, out
    package = tmp_path / "dist" / "PamongDesa-KWN101-2027_T1.olx.tar.gz"
    assert package.is_file()

    code, out = pamong(capsys, "deploy", str(package), "--poll-interval", "0.05")
    assert code == 0, out
    assert f"-> {COURSE_ID}" in out and "created the course run" in out and "Succeeded" in out

    imported = requests.get(f"{sandbox.url}/__sandbox__/courses/{COURSE_ID}", timeout=5).json()
    assert imported["title"] == "Mengenal Kode Wilayah dan NIK"
    assert imported["structure"]["notes"] == []  # nothing the platform would silently degrade
    from pamong_edx.course.loader import load_course

    course, _ = load_course(COURSE)
    assert imported["structure"]["blocks"]["problem"] == sum(1 for _ in course.problems())

    code, again = pamong(capsys, "deploy", str(package), "--poll-interval", "0.05")  # a re-deploy updates in place
    assert code == 0 and "the course run exists" in again and "Succeeded" in again
