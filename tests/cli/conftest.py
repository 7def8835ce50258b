"""Fixtures for the command-line tests: the real `pamong` in a subprocess, with a chosen environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pamong_edx.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
COURSES = ROOT / "tests" / "fixtures" / "courses"


@pytest.fixture(scope="session")
def english(i18n_tools, messages):
    """`english(output)`: the English message words left in output meant to be in Indonesian (codes, file
    names, identifiers, quoted values and options aside). Works for any command's output."""
    catalogs = [i18n_tools.read_catalog(i18n_tools.po_path(lang)) for lang in i18n_tools.LANGUAGES]
    vocabulary = i18n_tools.english_vocabulary(messages, catalogs)

    def check(output: str, identifiers: set[str] = frozenset()) -> list[str]:
        """`identifiers`: words the output shows as names, not as English (plugin types, block types…); the
        command names are always names."""
        names = set(identifiers) | set(COMMANDS)
        return [w for w in i18n_tools.english_in(output, vocabulary) if w not in names]

    return check


@pytest.fixture
def run_cli():
    """Run `python -m pamong_edx ARGS` with the environment given on top of (or instead of) this one."""

    def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
        full = {k: v for k, v in os.environ.items() if k not in drop} | (env or {})
        return subprocess.run([sys.executable, "-m", "pamong_edx", *args], capture_output=True, text=True,
                              env=full, cwd=cwd or ROOT, timeout=120)

    return run


@pytest.fixture
def pamong_main(capsys):
    """The command line in-process: (exit status, stdout, stderr)."""
    from pamong_edx.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exit_info:
            main(list(args))
        out = capsys.readouterr()
        return exit_info.value.code, out.out, out.err

    return run
