"""Fixtures for the enrolment tests: the region file, synthetic rosters and a stand-in Open edX on 127.0.0.1."""

from __future__ import annotations

import pytest

from enrol_support import COURSE, COURSE_KEU, SECRET_VAR, Sandbox, make_roster
from pamong_edx.sandbox.openedx import FaultConfig, Settings, openedx_sandbox


@pytest.fixture(scope="session")
def roster_maker(tmp_path_factory):
    directory = tmp_path_factory.mktemp("rosters")
    return lambda rows, seed, **kw: make_roster(directory, rows, seed, **kw)


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
