"""Both stand-ins for the report tests: a profile each, a graded course imported into Open edX, enrolment through
`pamong enrol`, simulated learners."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import time
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
PASSWORD_VAR = "PAMONG_REPORT_TEST_PASSWORD"
# The bundled courses' grading: a weight-0 Pretest format (scored, never counted) and the Posttest.
PAMONG_GRADING = {"GRADER": [{"type": "Pretest", "short_label": "TA", "min_count": 1, "drop_count": 0, "weight": 0.0},
                             {"type": "Posttest", "short_label": "EA", "min_count": 1, "drop_count": 0,
                              "weight": 1.0}],
                  "GRADE_CUTOFFS": {"Pass": 0.7}}
HOMEWORK_ONLY = {"GRADER": [{"type": "Homework", "short_label": "HW", "min_count": 1, "drop_count": 0, "weight": 1.0}],
                 "GRADE_CUTOFFS": {"Pass": 0.5}}
SEQUENTIAL = ('<sequential url_name="{name}" display_name="{title}"{graded}><vertical url_name="v_{name}">'
              '<problem url_name="p_{name}" display_name="Soal"><multiplechoiceresponse/></problem>'
              '</vertical></sequential>')


def olx_archive(path: Path, course_id: str, grading: dict, sequentials: list[tuple[str, str, str]]) -> Path:
    """A small course: (url_name, display name, format or "") sequentials, graded by the given policy."""
    _, rest = course_id.split(":", 1)
    org, number, run = rest.split("+")
    body = "".join(SEQUENTIAL.format(name=n, title=t, graded=f' graded="true" format="{f}"' if f else "")
                   for n, t, f in sequentials)
    files = {"course/course.xml": f'<course url_name="{run}" org="{org}" course="{number}"/>',
             f"course/course/{run}.xml": f'<course display_name="Tata Kelola"><chapter url_name="bab1" '
                                          f'display_name="Bab 1">{body}</chapter></course>',
             f"course/policies/{run}/grading_policy.json": json.dumps(grading),
             f"course/policies/{run}/policy.json": json.dumps({f"course/{run}": {"display_name": "Tata Kelola"}})}
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


PAMONG_SEQUENTIALS = [("tes_awal", "Tes Awal", "Pretest"), ("materi", "Materi", ""),
                      ("evaluasi_akhir", "Evaluasi Akhir", "Posttest")]


def import_course(backend, archive: Path, course_id: str) -> None:  # noqa: ANN001 - an OpenEdxBackend
    """Create the run if needed and import the archive, as `pamong deploy` does."""
    from pamong_edx.lms.protocol import PackageInfo

    if backend.get_course(course_id) is None:
        backend.create_course(PackageInfo(path=archive, course_id=course_id, title="Tata Kelola"))
    ticket = backend.start_import(course_id, archive)
    for _ in range(500):
        status = backend.import_status(ticket)
        if status.finished:
            assert status.succeeded, backend.import_failure(ticket)
            return
        time.sleep(0.02)
    raise AssertionError("the import did not finish")


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


def write_config(path: Path, openedx_url: str, client_id: str, email: str, moodle_url: str) -> Path:
    path.write_text(
        f'[profiles.edx]\nlms = "openedx"\nlms_url = "{openedx_url}"\nclient_id = "{client_id}"\n'
        f'client_secret_env = "{SECRET_VAR}"\ntimeout = 5\n\n'
        f'[profiles.edx.openedx]\nsession_email = "{email}"\nsession_password_env = "{PASSWORD_VAR}"\n\n'
        f'[profiles.moodle]\nlms = "moodle"\nlms_url = "{moodle_url}"\nclient_secret_env = "{TOKEN_VAR}"\n'
        f'timeout = 5\n', encoding="utf-8")
    return path
