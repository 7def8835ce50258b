"""Fixtures of the preview tests: `pamong preview` started on a copy of tests/fixtures/courses/preview, and a tab of
the session's headless chromium (tests/conftest.py) whose every request is checked to stay on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "preview"
LOCAL = {"127.0.0.1"}


class Served:
    """A running `pamong preview`: its URL, its course folder, and what it printed."""

    def __init__(self, course: Path, process: subprocess.Popen, url: str):
        self.course = course
        self.process = process
        self.url = url
        self.output: list[str] = []
        self.reader: threading.Thread | None = None

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        if self.reader is not None:
            self.reader.join(timeout=10)  # what it printed, to the end


def start_preview(course: Path, *args: str) -> Served:
    process = subprocess.Popen(
        [sys.executable, "-m", "pamong_edx", "preview", str(course), "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    first = process.stdout.readline()
    if "http://127.0.0.1:" not in first:
        process.kill()
        raise AssertionError(f"pamong preview did not start: {first}{process.stdout.read()}")
    url = first[first.index("http://"):].split()[0]
    served = Served(course, process, url)
    served.output.append(first)
    served.reader = threading.Thread(target=lambda: served.output.extend(process.stdout), daemon=True)
    served.reader.start()
    return served


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    course = tmp_path_factory.mktemp("preview") / "course"
    shutil.copytree(FIXTURE, course)
    running = start_preview(course)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def guarded(chromium):
    """A browser context (one tab) whose every request is recorded; one for any host but 127.0.0.1 is refused
    and listed in `left`, which the module's last test finds empty."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    left: list[str] = []
    errors: list[str] = []

    def guard(route):
        url = urlparse(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL:
            left.append(route.request.url)
            return route.abort()
        return route.continue_()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page, left, errors
    context.close()
