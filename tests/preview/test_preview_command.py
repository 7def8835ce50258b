"""`pamong preview` on the command line: what it prints when it starts, and one-line errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

from preview_support import FIXTURE, start_preview


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pamong_edx", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PAMONG_LANG": "en"})


def test_a_missing_folder_is_a_one_line_error(tmp_path):
    result = run("preview", str(tmp_path / "nowhere"))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [f"error: {tmp_path / 'nowhere'} is not a course folder"]


def test_a_port_in_use_is_a_one_line_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("preview", str(FIXTURE), "--port", str(port))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"cannot listen on 127.0.0.1:{port}" in lines[0] and "--port" in lines[0]


def test_it_says_where_it_serves_and_that_the_course_has_errors(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    (course / "course.yaml").write_text("org: [unclosed\n", encoding="utf-8")
    served = start_preview(course)
    try:
        assert served.url.startswith("http://127.0.0.1:")
        deadline = time.monotonic() + 10
        while "The course has errors" not in "".join(served.output) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        served.stop()
    assert "The course has errors" in "".join(served.output)


def test_its_help_follows_lang():
    result = run("--lang", "id", "preview", "--help")
    assert result.returncode == 0 and "Sajikan kursus di 127.0.0.1" in result.stdout
