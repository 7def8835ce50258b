"""A third-party LMS backend needs nothing outside its own folder and pyproject.toml.

tests/fixtures/lms_plugin/pamong-memory-lms/ is such a plugin, made discoverable as `pip install` would (its
source and a generated .dist-info on PYTHONPATH). `pamong lms check`, `pamong enrol` and `pamong deploy` run with
it through the real command line, and the engine follows its declared features (cohorts only through
`ensure_cohort`, batches of 40) as it follows the built-ins'."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from pamong_edx.lms.errors import ConfigError

PLUGIN = Path(__file__).resolve().parents[1] / "fixtures" / "lms_plugin" / "pamong-memory-lms"
SHARED = Path(__file__).resolve().parents[3] / "shared"
COURSE = "DESA101"


def install(site: Path) -> dict[str, str]:
    """The .dist-info pip would write for the plugin, and an environment that finds it."""
    project = tomllib.loads((PLUGIN / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items())
        for group, points in project["entry-points"].items()), encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), str(PLUGIN), env.get("PYTHONPATH")]))
    return env


@pytest.fixture
def kelas(tmp_path, wilayah):
    state = tmp_path / "kelas.json"
    state.write_text(json.dumps({"courses": {COURSE: {"enrolled": {}, "cohorts": {}}}}), encoding="utf-8")
    config = tmp_path / "pamong.toml"
    config.write_text('[profiles.kelas]\nlms = "memory"\nlms_url = "https://kelas.desa.example.id"\n'
                      f'client_secret_env = "KELAS_TOKEN"\n\n[profiles.kelas.memory]\nstate = "{state}"\n',
                      encoding="utf-8")
    env = install(tmp_path / "site")
    env.update({"PAMONG_CONFIG": str(config), "KELAS_TOKEN": "t0ken", "PAMONG_STATE_DIR": str(tmp_path / "s"),
                "PAMONG_REGIONS": str(wilayah)})
    for var in ("PAMONG_PROFILE", "PAMONG_LMS_URL", "PAMONG_CLIENT_ID", "PAMONG_CLIENT_SECRET"):
        env.pop(var, None)

    def pamong(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pamong_edx", *args, "--profile", "kelas"], env=env,
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)

    return pamong, state


def test_a_backend_from_outside_checks_enrols_and_deploys_through_the_real_commands(kelas, tmp_path, regions):
    pamong, state = kelas
    check = pamong("lms", "check")
    assert check.returncode == 0, check.stderr
    assert "memory at state" in check.stdout and "pacing: no throttle known · 40 identifiers per call" in check.stdout

    roster = tmp_path / "roster.csv"
    roster.write_text(subprocess.run([sys.executable, str(SHARED / "tools" / "make_roster.py"), "--rows", "150",
                                      "--seed", "4", "--province", "18"], capture_output=True, text=True,
                                     check=True).stdout, encoding="utf-8")
    done = pamong("enrol", str(roster), "--course", COURSE, "--cohort-by", "kabupaten", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    enrolled = json.loads(state.read_text(encoding="utf-8"))["courses"][COURSE]
    from pamong_edx.roster import read_roster

    with read_roster(roster, regions) as reader:
        expected = {c.record.email: f"{c.record.kode_desa[:5]} {regions.names[c.record.kode_desa[:5]]}"
                    for c in reader if c.status != "error"}
    assert enrolled["enrolled"] == expected
    assert sorted(enrolled["cohorts"]) == sorted(set(expected.values()))  # each made once, by ensure_cohort
    per_cohort = Counter(expected.values())
    bulk_calls = sum(-(-n // 40) for n in per_cohort.values())  # the plugin's own batch size
    # whoami, the cohort list, one ensure_cohort per cohort, then the bulk calls: all through its Traffic
    assert report["http_requests"] == 2 + len(per_cohort) + bulk_calls
    assert report["operations"] == {"enrol": {"pre-enrolled": len(expected)}}

    package = tmp_path / "DESA101.zip"
    package.write_bytes(b"PK")
    deployed = pamong("deploy", str(package))
    assert deployed.returncode == 0, deployed.stderr
    assert f"copy DESA101.zip next to {state.name}" in deployed.stdout


def test_what_a_backend_needs_beyond_lms_url_its_own_from_profile_says(tmp_path):
    from pamong_edx.lms.connect import open_backend
    from pamong_edx.lms.profiles import load_profile

    (tmp_path / "pamong.toml").write_text('[profiles.p]\nlms_url = "https://lms.desa.example.id"\n'
                                          'client_secret_env = "S"\n', encoding="utf-8")
    profile = load_profile("p", cwd=tmp_path, env={"S": "x"})  # no client_id: the profile itself is fine
    with pytest.raises(ConfigError, match="'client_id' is missing; set it in the profile or in PAMONG_CLIENT_ID"):
        open_backend(profile)  # Open edX signs in with a client id
