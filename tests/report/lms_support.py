"""Both stand-ins for the report tests: a profile each, enrolment through `pamong enrol`, simulated learners."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests
from click.testing import CliRunner

from pamong_edx.cli import cli

SHARED = Path(__file__).resolve().parents[3] / "shared"
MAKE_ROSTER = SHARED / "tools" / "make_roster.py"
COURSE = "course-v1:Kemendagri+DESA101+2025"
MOODLE_COURSE = "DESA101"
SECRET_VAR = "PAMONG_REPORT_TEST_SECRET"
TOKEN_VAR = "PAMONG_REPORT_TEST_TOKEN"


def make_roster(directory: Path, rows: int, seed: int, province: str = "18") -> Path:
    path = directory / f"roster-{rows}-{seed}-{province}.csv"
    if not path.exists():
        args = [sys.executable, str(MAKE_ROSTER), "--rows", str(rows), "--seed", str(seed), "--province", province]
        path.write_text(subprocess.run(args, check=True, capture_output=True, text=True).stdout, encoding="utf-8")
    return path


def pamong(*args: str):  # noqa: ANN201 - a click Result
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def control(url: str, path: str, body: dict) -> dict:
    response = requests.post(f"{url}/__sandbox__/{path}", json=body, timeout=30)
    response.raise_for_status()
    return response.json()


def write_config(path: Path, openedx_url: str, client_id: str, moodle_url: str) -> Path:
    path.write_text(
        f'[profiles.edx]\nlms = "openedx"\nlms_url = "{openedx_url}"\nclient_id = "{client_id}"\n'
        f'client_secret_env = "{SECRET_VAR}"\ntimeout = 5\n\n'
        f'[profiles.moodle]\nlms = "moodle"\nlms_url = "{moodle_url}"\nclient_secret_env = "{TOKEN_VAR}"\n'
        f'timeout = 5\n', encoding="utf-8")
    return path
