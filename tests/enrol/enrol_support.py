"""Helpers shared by the enrolment tests: paths, synthetic rosters, the stand-in wrapper, the expected state.

Kept out of conftest.py so tests can import them by a name no other test folder uses."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import requests

from pamong_edx.lms.openedx.backend import OpenEdxBackend
from pamong_edx.lms.protocol import PackageInfo

SHARED = Path(__file__).resolve().parents[3] / "shared"
MAKE_ROSTER = SHARED / "tools" / "make_roster.py"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "enrol"
COURSE = "course-v1:Kemendagri+DESA101+2025"
COURSE_KEU = "course-v1:Kemendagri+KEU201+2025"
SECRET_VAR = "PAMONG_ENROL_TEST_SECRET"


def make_roster(directory: Path, rows: int, seed: int, province: str | None = "18", messy: float = 0.0) -> Path:
    """A synthetic roster from the shared generator (real village codes, deterministic per seed)."""
    path = directory / f"roster-{rows}-{seed}-{province}-{messy}.csv"
    if not path.exists():
        args = [sys.executable, str(MAKE_ROSTER), "--rows", str(rows), "--seed", str(seed), "--messy", str(messy)]
        if province:
            args += ["--province", province]
        path.write_text(subprocess.run(args, check=True, capture_output=True, text=True).stdout, encoding="utf-8")
    return path


@dataclass
class Sandbox:
    server: object
    client_id: str
    client_secret: str

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def db(self):
        return self.server.app.store.db

    def backend(self, **kw) -> OpenEdxBackend:
        return OpenEdxBackend(self.url, self.client_id, self.client_secret, **kw)

    def create_course(self, course_id: str) -> None:
        with self.backend() as backend:
            backend.create_course(PackageInfo(path=Path("course.tar.gz"), course_id=course_id, title=course_id))

    def configure(self, **changes) -> None:
        requests.post(self.url + "/__sandbox__/config", json=changes, timeout=5).raise_for_status()

    def stats(self) -> dict:
        return requests.get(self.url + "/__sandbox__/stats", timeout=5).json()

    def reset_stats(self) -> None:
        requests.post(self.url + "/__sandbox__/stats/reset", timeout=5).raise_for_status()

    def writes(self) -> int:
        """Requests that can change state (not GETs, not token requests), as the stand-in counted them."""
        counted = self.stats()["requests"]
        return sum(n for key, n in counted.items() if not key.startswith("GET ") and "oauth2" not in key)

    def state(self, course_id: str) -> dict[str, tuple[str, str | None]]:
        """email -> ("enrolled" | "allowed", cohort name) for a course, read from the stand-in's own tables."""
        out: dict[str, tuple[str, str | None]] = {}
        for row in self.db.all(
            "SELECT lower(u.email) AS email, c.name AS cohort FROM enrollments e JOIN users u ON u.id = e.user_id "
            "LEFT JOIN cohort_members m ON m.user_id = e.user_id AND m.course_id = e.course_id "
            "LEFT JOIN cohorts c ON c.id = m.cohort_id WHERE e.course_id = ? AND e.is_active = 1", (course_id,)):
            out[row["email"]] = ("enrolled", row["cohort"])
        for row in self.db.all(
            "SELECT lower(a.email) AS email, c.name AS cohort FROM enrollment_allowed a "
            "LEFT JOIN cohort_preassigned p ON p.email = a.email AND p.course_id = a.course_id "
            "LEFT JOIN cohorts c ON c.id = p.cohort_id WHERE a.course_id = ?", (course_id,)):
            assert row["email"] not in out, f"{row['email']} is both enrolled and allowed"
            out[row["email"]] = ("allowed", row["cohort"])
        return out

    def cohort_names(self, course_id: str) -> list[str]:
        return [r["name"] for r in self.db.all("SELECT name FROM cohorts WHERE course_id = ? ORDER BY name",
                                                (course_id,))]

    def add_user(self, username: str, email: str) -> None:
        requests.post(self.url + "/__sandbox__/users", json={"username": username, "email": email},
                      timeout=5).raise_for_status()


def expected_cohorts(roster: Path, regions, level_chars: int = 5) -> dict[str, str]:
    """email -> kabupaten cohort for every row the roster check accepts: the state a run must reach."""
    from pamong_edx.roster import read_roster

    out = {}
    with read_roster(roster, regions) as reader:
        for checked in reader:
            if checked.status != "error":
                code = checked.record.kode_desa[:level_chars]
                out[checked.record.email] = f"{code} {regions.names[code]}"
    return out
