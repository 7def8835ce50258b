"""Fixtures for the command-line tests: the real `pamong` in a subprocess, with a chosen environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COURSES = ROOT / "tests" / "fixtures" / "courses"


@pytest.fixture
def run_cli():
    """Run `python -m pamong_edx ARGS` with the environment given on top of (or instead of) this one."""

    def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
        full = {k: v for k, v in os.environ.items() if k not in drop} | (env or {})
        return subprocess.run([sys.executable, "-m", "pamong_edx", *args], capture_output=True, text=True,
                              env=full, cwd=cwd or ROOT, timeout=120)

    return run
