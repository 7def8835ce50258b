"""Shared fixtures for the Moodle backend: a Moodle stand-in on 127.0.0.1, clients for it, rosters, a profile."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from pamong_edx.lms.http import RetryPolicy
from pamong_edx.lms.moodle import MoodleBackend
from pamong_edx.lms.moodle.settings import MoodleSettings
from pamong_edx.sandbox.moodle import FaultConfig, Settings, moodle_sandbox

SHARED = Path(__file__).resolve().parents[3] / "shared"
MAKE_ROSTER = SHARED / "tools" / "make_roster.py"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "moodle"
TOKEN_VAR = "PAMONG_MOODLE_TEST_TOKEN"
SERVER = "/webservice/rest/server.php"


def fn(name: str) -> str:
    """The stand-in's stats key for a web-service function."""
    return f"POST {SERVER}?wsfunction={name}"


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@dataclass
class Moodle:
    server: object

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def token(self) -> str:
        return self.server.app.token.token

    @property
    def read_token(self) -> str:
        return self.server.app.tokens[1].token

    @property
    def db(self):
        return self.server.app.store.db

    def backend(self, token: str | None = None, **settings) -> MoodleBackend:
        return MoodleBackend(self.url, token or self.token, settings=MoodleSettings(**settings),
                             retry=RetryPolicy(base_delay=0.01, max_delay=0.05), sleep=lambda s: None)

    def post(self, path: str, body: dict) -> dict | list:
        response = requests.post(f"{self.url}/__sandbox__/{path}", json=body, timeout=5)
        assert response.status_code < 300, response.text
        return response.json()

    def configure(self, **changes) -> None:
        requests.post(self.url + "/__sandbox__/config", json=changes, timeout=5).raise_for_status()

    def stats(self) -> dict:
        return requests.get(self.url + "/__sandbox__/stats", timeout=5).json()

    def count(self, function: str) -> int:
        return self.stats()["requests"].get(fn(function), 0)

    def reset_stats(self) -> None:
        requests.post(self.url + "/__sandbox__/stats/reset", timeout=5).raise_for_status()

    def inputs(self) -> dict:
        return requests.get(self.url + "/__sandbox__/inputs", timeout=5).json()

    def writes(self) -> int:
        """Calls of functions that write, as the stand-in counted them."""
        from pamong_edx.sandbox.moodle.app import FUNCTIONS

        counted = self.stats()["requests"]
        return sum(n for key, n in counted.items()
                   if "wsfunction=" in key and FUNCTIONS[key.split("wsfunction=")[1]].writes)

    def call(self, function: str, fmt: str | None = "json", token: str | None = None, **fields) -> requests.Response:
        params = {"wsfunction": function, **({"moodlewsrestformat": fmt} if fmt else {})}
        return requests.post(self.url + SERVER, params=params, data={"wstoken": token or self.token, **fields},
                             timeout=5)

    def add_user(self, username: str, email: str, **extra) -> int:
        return self.post("users", {"username": username, "email": email, **extra})["id"]

    def course_id(self, shortname: str) -> int:
        return self.db.one("SELECT id FROM courses WHERE shortname = ?", (shortname,))["id"]

    def user(self, email: str):
        return self.db.one("SELECT * FROM users WHERE lower(email) = ?", (email.lower(),))

    def fields(self, email: str) -> dict[str, str]:
        return {r["shortname"]: r["data"] for r in self.db.all(
            "SELECT f.shortname, d.data FROM profile_data d JOIN profile_fields f ON f.id = d.fieldid "
            "JOIN users u ON u.id = d.userid WHERE lower(u.email) = ?", (email.lower(),))}

    def state(self, shortname: str) -> dict[str, tuple[str, ...]]:
        """email -> the toolkit cohorts the person is in, for everyone enrolled in the course."""
        rows = self.db.all(
            "SELECT lower(u.email) AS email, (SELECT group_concat(name, '|') FROM (SELECT c.name FROM cohort_members m "
            "JOIN cohorts c ON c.id = m.cohortid WHERE m.userid = u.id AND c.idnumber LIKE 'pamong:%' ORDER BY c.name)"
            ") AS cohorts FROM user_enrolments ue JOIN enrol e ON e.id = ue.enrolid "
            "JOIN courses c ON c.id = e.courseid JOIN users u ON u.id = ue.userid WHERE c.shortname = ?", (shortname,))
        return {r["email"]: tuple(r["cohorts"].split("|")) if r["cohorts"] else () for r in rows}

    def cohort_names(self) -> list[str]:
        return [r["name"] for r in self.db.all("SELECT name FROM cohorts ORDER BY name")]


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def moodle(tmp_path):
    with moodle_sandbox(tmp_path / "moodle", faults=FaultConfig(), settings=Settings()) as server:
        yield Moodle(server)


@pytest.fixture
def backend(moodle):
    with moodle.backend() as client:
        yield client


@pytest.fixture(scope="session")
def roster_maker(tmp_path_factory):
    directory = tmp_path_factory.mktemp("moodle-rosters")

    def make(rows: int, seed: int, province: str | None = "18", messy: float = 0.0) -> Path:
        path = directory / f"roster-{rows}-{seed}-{province}-{messy}.csv"
        if not path.exists():
            args = [sys.executable, str(MAKE_ROSTER), "--rows", str(rows), "--seed", str(seed), "--messy", str(messy)]
            if province:
                args += ["--province", province]
            path.write_text(subprocess.run(args, check=True, capture_output=True, text=True).stdout, encoding="utf-8")
        return path

    return make


@pytest.fixture
def moodle_env(moodle, tmp_path, wilayah, monkeypatch):
    """A profile named 'moodle' (timeout 1 s, so injected hangs time out fast), a state dir and the region file."""
    config = tmp_path / "pamong.toml"
    config.write_text(
        f'[profiles.moodle]\nlms = "moodle"\nlms_url = "{moodle.url}"\nclient_secret_env = "{TOKEN_VAR}"\n'
        "timeout = 1\n\n[profiles.moodle.moodle]\nmax_input_vars = 1000\n",
        encoding="utf-8",
    )
    env = {"PAMONG_CONFIG": str(config), TOKEN_VAR: moodle.token, "PAMONG_STATE_DIR": str(tmp_path / "state"),
           "PAMONG_REGIONS": str(wilayah)}
    for var in ("PAMONG_PROFILE", "PAMONG_LMS", "PAMONG_LMS_URL", "PAMONG_CLIENT_ID", "PAMONG_CLIENT_SECRET"):
        monkeypatch.delenv(var, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def expected_cohorts(regions):
    """email -> (kabupaten cohort,) for every row the roster check accepts: the state a run must reach."""
    from pamong_edx.roster import read_roster

    def expected(roster: Path) -> dict[str, tuple[str, ...]]:
        out = {}
        with read_roster(roster, regions) as reader:
            for checked in reader:
                if checked.status != "error":
                    code = checked.record.kode_desa[:5]
                    out[checked.record.email] = (f"{code} {regions.names[code]}",)
        return out

    return expected
