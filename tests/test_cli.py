"""The command line as a user meets it: help everywhere, one-line errors, tracebacks only with --debug."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pamong_edx.cli import COMMANDS


def pamong(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pamong_edx", *args], capture_output=True, text=True, timeout=60)


def test_version_and_help_list_every_command():
    out = pamong("--help")
    assert out.returncode == 0
    for name in COMMANDS:
        assert name in out.stdout
    assert "0.1.0" in pamong("--version").stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name):
    out = pamong(name, "--help")
    assert out.returncode == 0, out.stderr
    assert "Usage:" in out.stdout


def test_unknown_command_is_one_clear_line():
    out = pamong("biuld")
    assert out.returncode == 2
    assert "No such command 'biuld'" in out.stderr
    assert "Traceback" not in out.stderr
