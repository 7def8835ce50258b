"""The LMS commands in the user's language: `pamong enrol`, `pamong lms check`, `pamong deploy` and `pamong sandbox`
print only Indonesian with --lang id (codes, file names, identifiers and the platform's own words aside), their
results and plan files are Indonesian, and the same commands with --lang en speak English. Against the stand-in
LMS on 127.0.0.1, as the enrolment and LMS tests are."""

from __future__ import annotations

import csv
import re
import signal
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from pamong_edx.lms.openedx.backend import OpenEdxBackend
from pamong_edx.lms.protocol import PackageInfo
from pamong_edx.sandbox.openedx import Settings, openedx_sandbox

ROOT = Path(__file__).resolve().parents[2]
COURSE = "course-v1:Kemendagri+DESA101+2025"
# The states of an Open edX import task are the platform's words, shown as they are.
IMPORT_STATES = {"pending", "unpacking", "verifying", "updating", "succeeded", "failed"}


@pytest.fixture
def lms(tmp_path, monkeypatch, wilayah):
    """A stand-in Open edX with one course, and a pamong.toml in the working folder with a staff profile
    ("sandbox") and an operator one ("operator", not staff); journals in a fresh state folder."""
    with openedx_sandbox(tmp_path / "lms", settings=Settings(throttle=False, import_step_s=0.01)) as server:
        staff, operator = server.app.credentials
        with OpenEdxBackend(server.url, staff.client_id, staff.client_secret) as backend:
            backend.create_course(PackageInfo(path=Path("course.tar.gz"), course_id=COURSE, title="Tata Kelola Desa"))
        work = tmp_path / "work"
        work.mkdir()
        (work / "pamong.toml").write_text(
            f'[profiles.sandbox]\nlms = "openedx"\nlms_url = "{server.url}"\nclient_id = "{staff.client_id}"\n'
            f'client_secret_env = "SANDBOX_SECRET"\n\n'
            f'[profiles.operator]\nlms_url = "{server.url}"\nclient_id = "{operator.client_id}"\n'
            f'client_secret_env = "OPERATOR_SECRET"\n', encoding="utf-8")
        monkeypatch.chdir(work)
        for var in ("PAMONG_LMS_URL", "PAMONG_STUDIO_URL", "PAMONG_CLIENT_ID", "PAMONG_CLIENT_SECRET",
                    "PAMONG_CONFIG", "PAMONG_PROFILE", "PAMONG_LANG"):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("SANDBOX_SECRET", staff.client_secret)
        monkeypatch.setenv("OPERATOR_SECRET", operator.client_secret)
        monkeypatch.setenv("PAMONG_STATE_DIR", str(tmp_path / "state"))
        monkeypatch.setenv("PAMONG_REGIONS", str(wilayah))
        yield work


def cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def roster_words(rows: list[list[str]]) -> set[str]:
    """The roster's own values (names, villages, emails: data in any language), which messages may echo."""
    return {word for row in rows for cell in row for word in re.findall(r"[A-Za-z]+", cell)}


def test_enrol_and_its_plan_and_results_files_speak_the_language(lms, pamong_main, english, make_roster):
    roster = make_roster(rows=80, seed=11, province="18", messy=0.15)
    names = roster_words(cells(roster))
    job = ["--course", COURSE, "--cohort-by", "kabupaten", "--profile", "sandbox", "--rate", "off"]

    code, out, err = pamong_main("--lang", "id", "enrol", str(roster), *job, "--dry-run", "--plan", "rencana.csv")
    assert code == 0, err
    assert "rencana: " in out and "(tidak ada yang dikirim ke LMS)" in out
    plan = cells(lms / "rencana.csv")
    assert plan[0] == ["baris", "email", "kursus", "kelompok", "tindakan", "keterangan"]
    assert {row[4] for row in plan[1:]} >= {"daftarkan", "baris salah"}
    assert english(out + err, names) == [], out + err
    assert english("\n".join("\t".join(row[4:]) for row in plan), names) == []

    code, out, err = pamong_main("--lang", "id", "enrol", str(roster), *job, "-o", "hasil.csv")
    assert code == 1  # the damaged rows are not enrolled
    assert "selesai dalam " in out and "hasil: hasil.csv" in out and "baris tidak terdaftar" in err
    results = cells(lms / "hasil.csv")
    assert results[0] == ["baris", "email", "kursus", "kelompok", "status", "keterangan"]
    assert {row[4] for row in results[1:]} == {"menunggu akun", "kesalahan"}  # no one has an account yet
    assert english(out + err, names) == [], out + err
    assert english("\n".join("\t".join(row[4:]) for row in results), names) == []

    # Again, in English: nothing is sent, and everything said is English
    code, out, err = pamong_main("--lang", "en", "enrol", str(roster), *job, "-o", "results.csv")
    assert code == 1 and "done in " in out and "unchanged " in out and "rows were not enrolled" in err
    again = cells(lms / "results.csv")
    assert again[0] == ["row", "email", "course", "cohort", "status", "message"]
    assert {row[4] for row in again[1:]} == {"unchanged", "error"}
    assert "pre-enrolled by an earlier run" in {row[5] for row in again[1:]}
    assert english(out + err, names)


def test_enrol_refusals_and_rules_errors_speak_the_language(lms, pamong_main, english, make_roster):
    rules = lms / "aturan.yaml"
    rules.write_text("version: 1\ncourses:\n  - course: course-v1:X+Y+Z\n    positions: [Lurah Agung]\n"
                     "    regions: ['18.7x']\n    cohort: kabupaten\n", encoding="utf-8")
    roster = make_roster(rows=5, seed=3, province="18")
    code, out, err = pamong_main("--lang", "id", "enrol", str(roster), "--rules", str(rules), "--profile", "sandbox")
    assert code == 1 and "3 kesalahan dalam aturan pendaftaran" in err
    assert {"RUL003", "RUL008", "RUL014"} <= set(re.findall(r"RUL\d+", err))
    assert english(out + err, {"Lurah", "Agung"}) == [], err
    for args in (["--profile", "sandbox"], [str(roster), "--profile", "sandbox"],
                 [str(roster), "--course", COURSE, "--sync", "--profile", "sandbox"],
                 [str(roster), "--course", COURSE, "--profile", "nobody"]):
        code, out, err = pamong_main("--lang", "id", "enrol", *args)
        assert code in (1, 2) and err.startswith("kesalahan: "), err
        assert english(out + err) == [], err


def test_lms_check_speaks_the_language(lms, pamong_main, english):
    code, out, err = pamong_main("--lang", "id", "lms", "check", "--profile", "sandbox", "--course", COURSE)
    assert code == 0, out + err
    assert "bertindak sebagai: pamong_staff (staf global: ya)" in out and "semua tugas dapat dikerjakan" in out
    assert english(out + err) == [], out + err
    # an operator who is not staff: every FAIL line and its fix
    code, out, err = pamong_main("--lang", "id", "lms", "check", "--profile", "operator", "--course", COURSE)
    assert code == 1 and "GAGAL" in out and "perbaikan: " in out and "tugas tidak dapat dikerjakan" in out
    assert english(out + err) == [], out + err
    marked = [line for line in out.splitlines() if line.startswith("  [")]
    assert {line.index("] ") for line in marked} == {8}  # "[GAGAL]" and "[ baik]": the jobs start in one column
    fixes = [line for line in out.splitlines() if line.lstrip().startswith("perbaikan: ")]
    assert fixes and {len(line) - len(line.lstrip()) for line in fixes} == {10}  # under the job, not the mark
    code, out, err = pamong_main("--lang", "en", "lms", "check", "--profile", "operator", "--course", COURSE)
    assert code == 1 and "jobs are not possible with this client" in out and english(out + err)


def olx_package(folder: Path) -> Path:
    """tests/fixtures/lms/olx_valid as Studio takes it: a .tar.gz with its one top folder."""
    path = folder / "PamongX-DESA101-2025_T1.olx.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for top in sorted((ROOT / "tests" / "fixtures" / "lms" / "olx_valid").iterdir()):
            tar.add(top, arcname=top.name)
    return path


def test_deploy_speaks_the_language(lms, pamong_main, english):
    package = olx_package(lms)
    deploy = ["deploy", str(package), "--profile", "sandbox", "--poll-interval", "0.05"]
    code, out, err = pamong_main("--lang", "id", *deploy, "--dry-run")
    assert code == 0 and "akan membuat angkatan kursus" in out and "akan mengunggah " in out, out + err
    assert english(out + err) == [], out + err
    code, out, err = pamong_main("--lang", "id", *deploy)
    assert code == 0, out + err
    assert "angkatan kursus dibuat" in out and "1 paket terpasang ke profil sandbox" in out and "Succeeded" in out
    assert english(out + err, IMPORT_STATES) == [], out + err
    code, out, err = pamong_main("--lang", "en", *deploy)
    assert code == 0 and "the course run exists: importing over its content" in out and english(out + err)
    # a package Studio would not take, and a missing one: one Indonesian line each
    for bad in (lms / "kursus.tgz", lms / "tidak-ada.tar.gz"):
        if bad.suffix == ".tgz":
            bad.write_bytes(package.read_bytes())
        code, out, err = pamong_main("--lang", "id", "deploy", str(bad), "--profile", "sandbox")
        assert code == 2 and len(err.splitlines()) == 1 and english(out + err) == [], err


@pytest.mark.parametrize("language, phrase", [("id", "Tekan Ctrl-C untuk menghentikannya"), ("en", "Ctrl-C stops it")])
def test_the_sandbox_banners_speak_the_language(tmp_path, english, language, phrase):
    """The real command line, both stand-ins on free ports, stopped with Ctrl-C."""
    process = subprocess.Popen([sys.executable, "-m", "pamong_edx", "--lang", language, "sandbox", "--lms", "both",
                                "--port", "0", "--data", str(tmp_path / "data"), "--simulate-learners", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                               # Ctrl-C as a terminal delivers it, even when this runner was started with SIGINT
                               # ignored (a background job), which the child would inherit
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        process.send_signal(signal.SIGINT)
        rest, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    output = "".join(lines) + rest + err
    assert phrase in output and "pamong sandbox (Moodle stand-in)" in output, output
    found = english(output, {"stand"})  # the stand-ins' names, "Open edX stand-in" and "Moodle stand-in"
    assert (found == []) if language == "id" else found, (found, output)


@pytest.mark.parametrize("command", [["enrol"], ["lms", "check"], ["deploy"], ["sandbox"]])
def test_their_help_speaks_the_language(pamong_main, english, command):
    code, out, err = pamong_main("--lang", "id", *command, "--help")
    assert code == 0 and out.startswith("Penggunaan: pamong ")
    # option values and metavariables shown as names: cohort levels, the stand-ins
    names = {"provinsi", "kabupaten", "kecamatan", "desa", "none", "openedx", "moodle", "both", "kode", "nama",
             "check"}
    assert english(out + err, names) == [], out
    _, out, _ = pamong_main("--lang", "en", *command, "--help")
    assert english(out, names)


@pytest.fixture
def moodle(tmp_path, monkeypatch, wilayah):
    """A stand-in Moodle (its seeded courses) and a profile "moodle" for it in the working folder."""
    from pamong_edx.sandbox.core.faults import FaultConfig
    from pamong_edx.sandbox.moodle import Settings as MoodleSettings
    from pamong_edx.sandbox.moodle import moodle_sandbox

    with moodle_sandbox(tmp_path / "moodle", faults=FaultConfig(), settings=MoodleSettings()) as server:
        work = tmp_path / "work"
        work.mkdir()
        (work / "pamong.toml").write_text(f'[profiles.moodle]\nlms = "moodle"\nlms_url = "{server.url}"\n'
                                          'client_secret_env = "MOODLE_TOKEN"\n', encoding="utf-8")
        monkeypatch.chdir(work)
        for var in ("PAMONG_LMS_URL", "PAMONG_CLIENT_ID", "PAMONG_CLIENT_SECRET", "PAMONG_CONFIG", "PAMONG_PROFILE",
                    "PAMONG_LANG"):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("MOODLE_TOKEN", server.app.token.token)
        monkeypatch.setenv("PAMONG_STATE_DIR", str(tmp_path / "state"))
        monkeypatch.setenv("PAMONG_REGIONS", str(wilayah))
        yield work


def scorm_package(folder: Path) -> Path:
    import zipfile

    path = folder / "pamong-mini.zip"
    with zipfile.ZipFile(path, "w") as package:
        for file in sorted((ROOT / "tests" / "fixtures" / "moodle" / "scorm" / "pamong-mini").iterdir()):
            package.write(file, file.name)
    return path


def test_moodle_check_deploy_steps_and_enrol_speak_the_language(moodle, pamong_main, english, make_roster):
    code, out, err = pamong_main("--lang", "id", "lms", "check", "--profile", "moodle", "--course", COURSE)
    assert code == 0 and "(admin situs: tidak)" in out and "semua tugas dapat dikerjakan" in out, out + err
    assert english(out + err) == [], out + err

    package = scorm_package(moodle)
    for course in (COURSE, "DESA999"):  # a course Moodle has, and one to create first
        code, out, err = pamong_main("--lang", "id", "deploy", str(package), "--profile", "moodle",
                                     "--course-id", course)
        assert code == 0 and "Di Moodle:" in out and "tidak ada yang diunggah" in out, out + err
        assert english(out + err) == [], out + err
    _, out, _ = pamong_main("--lang", "en", "deploy", str(package), "--profile", "moodle", "--course-id", "DESA999")
    assert "0. Create the course first" in out and english(out)

    roster = make_roster(rows=30, seed=5, province="18")
    names = roster_words(cells(roster))
    code, out, err = pamong_main("--lang", "id", "enrol", str(roster), "--course", COURSE, "--cohort-by", "kabupaten",
                                 "--profile", "moodle", "--rate", "off", "-o", "hasil.csv")
    assert code == 0 and "akun: dibuat 30" in out and "4 kelompok dibuat" in out, out + err
    results = cells(moodle / "hasil.csv")
    assert {row[4] for row in results[1:]} == {"terdaftar"}
    assert english(out + err, names) == [], out + err
    assert english("\n".join("\t".join(row[4:]) for row in results), names) == []
