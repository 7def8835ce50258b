"""Helpers of the preview tests: the fixture course, and `pamong preview` started as a command."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "preview"


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


