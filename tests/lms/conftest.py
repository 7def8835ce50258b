"""Shared fixtures: a stand-in Open edX on 127.0.0.1, clients for it, OLX packages built from fixtures."""

from __future__ import annotations

import itertools
import random
import tarfile
from io import BytesIO
from pathlib import Path

import pytest
import requests

from pamong_edx.lms.http import RetryPolicy
from pamong_edx.lms.openedx import OpenEdxBackend
from pamong_edx.lms.protocol import PackageInfo
from pamong_edx.sandbox.openedx import Settings, openedx_sandbox

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "lms"
_numbers = itertools.count(1)


def build_olx(name: str, dest: Path, *, filename: str | None = None, extra: tuple[tuple[str, bytes], ...] = ()) -> Path:
    """tests/fixtures/lms/<name>/ as a .tar.gz with its one top folder, plus any extra raw members."""
    path = dest / (filename or f"{name}.olx.tar.gz")
    with tarfile.open(path, "w:gz") as tar:
        for top in sorted((FIXTURES / name).iterdir()):
            tar.add(top, arcname=top.name)
        for member, data in extra:
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, BytesIO(data))
    return path


class Sleeps(list):
    """Records the waits a client asks for instead of sleeping them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class Control:
    """The stand-in's /__sandbox__/ routes."""

    def __init__(self, url: str) -> None:
        self.url = url

    def post(self, path: str, body: dict | None = None) -> dict:
        response = requests.post(f"{self.url}/__sandbox__/{path}", json=body or {}, timeout=5)
        assert response.status_code < 300, response.text
        return response.json()

    def config(self, **changes) -> dict:
        return self.post("config", changes)

    def stats(self) -> dict:
        return requests.get(f"{self.url}/__sandbox__/stats", timeout=5).json()

    def count(self, key: str) -> int:
        return self.stats()["requests"].get(key, 0)

    def reset_stats(self) -> None:
        self.post("stats/reset")

    def users(self, *names: str) -> None:
        self.post("users", {"users": [{"username": n, "email": f"{n}@desa.example.id", "name": n} for n in names]})


@pytest.fixture
def make_olx(tmp_path: Path):
    def make(name: str, **kwargs) -> Path:
        return build_olx(name, tmp_path, **kwargs)

    return make


@pytest.fixture
def sandbox():
    with openedx_sandbox(settings=Settings(throttle=False, import_step_s=0.01)) as server:
        yield server


@pytest.fixture
def ctl(sandbox) -> Control:
    return Control(sandbox.url)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_backend(sandbox, sleeps):
    made = []

    def make(which: int = 0, **kwargs) -> OpenEdxBackend:
        cred = sandbox.app.credentials[which]
        options = {"retry": RetryPolicy(base_delay=0.01, max_delay=0.05), "sleep": sleeps, "rng": random.Random(7)}
        options.update(kwargs)
        backend = OpenEdxBackend(sandbox.url, cred.client_id, cred.client_secret, **options)
        made.append(backend)
        return backend

    yield make
    for backend in made:
        backend.close()


@pytest.fixture
def backend(make_backend) -> OpenEdxBackend:
    """Acts as pamong_staff (global staff)."""
    return make_backend(0)


@pytest.fixture
def operator(make_backend) -> OpenEdxBackend:
    """Acts as pamong_operator (not staff)."""
    return make_backend(1)


@pytest.fixture
def course(backend, tmp_path) -> str:
    key = f"course-v1:PamongX+T{next(_numbers)}+2025_T1"
    backend.create_course(PackageInfo(path=tmp_path, course_id=key, title="Kursus uji", start="2025-01-06T00:00:00Z"))
    return key


@pytest.fixture
def token(sandbox) -> str:
    cred = sandbox.app.staff_credentials
    body = requests.post(f"{sandbox.url}/oauth2/access_token", data={
        "grant_type": "client_credentials", "client_id": cred.client_id, "client_secret": cred.client_secret,
        "token_type": "jwt"}, timeout=5).json()
    return body["access_token"]
