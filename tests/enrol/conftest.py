"""Shared fixtures for the enrolment engine: the region file, synthetic rosters and a stand-in Open edX on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from pamong_edx.lms.openedx.backend import OpenEdxBackend
from pamong_edx.lms.protocol import PackageInfo
from pamong_edx.regions import load_regions
from pamong_edx.sandbox.openedx import FaultConfig, Settings, openedx_sandbox

SHARED = Path(__file__).resolve().parents[3] / "shared"
WILAYAH = SHARED / "data" / "wilayah_2025.csv"
MAKE_ROSTER = SHARED / "tools" / "make_roster.py"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "enrol"
COURSE = "course-v1:Kemendagri+DESA101+2025"
COURSE_KEU = "course-v1:Kemendagri+KEU201+2025"
SECRET_VAR = "PAMONG_ENROL_TEST_SECRET"


@pytest.fixture(scope="session")
def wilayah() -> Path:
    if not WILAYAH.is_file():
        pytest.fail(f"region file {WILAYAH} is missing: these tests need ../shared/data/wilayah_2025.csv")
    return WILAYAH


@pytest.fixture(scope="session")
def regions(wilayah):
    return load_regions(wilayah)


@pytest.fixture(scope="session")
def roster_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("rosters")


def make_roster(directory: Path, rows: int, seed: int, province: str | None = "18", messy: float = 0.0) -> Path:
    """A synthetic roster from the shared generator (real village codes, deterministic per seed)."""
    path = directory / f"roster-{rows}-{seed}-{province}-{messy}.csv"
    if not path.exists():
        args = [sys.executable, str(MAKE_ROSTER), "--rows", str(rows), "--seed", str(seed), "--messy", str(messy)]
        if province:
            args += ["--province", province]
        path.write_text(subprocess.run(args, check=True, capture_output=True, text=True).stdout, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def roster_maker(roster_dir):
    return lambda rows, seed, **kw: make_roster(roster_dir, rows, seed, **kw)


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


@pytest.fixture
def sandbox(tmp_path):
    server = openedx_sandbox(tmp_path / "lms", settings=Settings(throttle=False), faults=FaultConfig())
    with server:
        staff = server.app.staff_credentials
        box = Sandbox(server, staff.client_id, staff.client_secret)
        box.create_course(COURSE)
        box.create_course(COURSE_KEU)
        box.reset_stats()
        yield box


@pytest.fixture
def lms_env(sandbox, tmp_path, wilayah, monkeypatch):
    """A profile named 'sandbox' (short timeout, so injected hangs time out fast), a state dir and the region
    file, all through the environment the CLI reads."""
    config = tmp_path / "pamong.toml"
    config.write_text(
        f'[profiles.sandbox]\nlms = "openedx"\nlms_url = "{sandbox.url}"\nclient_id = "{sandbox.client_id}"\n'
        f'client_secret_env = "{SECRET_VAR}"\ntimeout = 2\n',
        encoding="utf-8",
    )
    env = {
        "PAMONG_CONFIG": str(config),
        SECRET_VAR: sandbox.client_secret,
        "PAMONG_STATE_DIR": str(tmp_path / "state"),
        "PAMONG_REGIONS": str(wilayah),
    }
    for var in ("PAMONG_PROFILE", "PAMONG_LMS_URL", "PAMONG_CLIENT_ID", "PAMONG_CLIENT_SECRET"):
        monkeypatch.delenv(var, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


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
