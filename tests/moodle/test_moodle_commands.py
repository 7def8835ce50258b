"""`pamong lms check`, `pamong deploy` and `pamong sandbox --lms moodle|both` with a Moodle profile."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import requests
from click.testing import CliRunner

from pamong_edx.cli import cli
from pamong_edx.errors import UsageError


def run(*args):
    return CliRunner().invoke(cli, list(args))


def zip_package(source, path, prefix=""):
    with zipfile.ZipFile(path, "w") as package:
        for file in sorted(source.iterdir()):
            package.write(file, prefix + file.name)
    return path


def test_lms_check_reports_each_job_and_the_course(moodle_env, moodle):
    out = run("lms", "check", "--profile", "moodle", "--course", "course-v1:Kemendagri+DESA101+2025")
    assert out.exit_code == 0, out.output
    assert f"profile moodle ({moodle_env['PAMONG_CONFIG']}): moodle at site {moodle.url}" in out.output
    assert "acting as: pamong_ws (site admin: no)" in out.output and "global staff" not in out.output
    assert "[  ok] look up, create and update accounts" in out.output
    assert "[  ok] enrol into course-v1:Kemendagri+DESA101+2025  course 2 'Tata Kelola Pemerintahan Desa'" in out.output
    assert "all jobs possible" in out.output


def test_lms_check_names_what_the_service_lacks_and_a_wrong_token(moodle_env, moodle, monkeypatch):
    monkeypatch.setenv("PAMONG_MOODLE_TEST_TOKEN", moodle.read_token)
    out = run("lms", "check", "--profile", "moodle")
    assert out.exit_code == 1
    assert "[FAIL] manual enrolment" in out.output and "lacks enrol_manual_enrol_users" in out.output
    assert "fix: add them in Site administration > Server > Web services > External services" in out.output
    assert "3 of 7 jobs are not possible" in out.output
    monkeypatch.setenv("PAMONG_MOODLE_TEST_TOKEN", "0" * 32)
    out = run("lms", "check", "--profile", "moodle")
    assert out.exit_code == 1 and "[FAIL] sign in as the profile's token" in out.output
    assert "invalidtoken" in out.output and "0" * 32 not in out.output


def test_deploy_prints_the_manual_steps_and_uploads_nothing(moodle_env, moodle, fixtures_dir, tmp_path):
    package = zip_package(fixtures_dir / "scorm" / "pamong-mini", tmp_path / "DESA101.scorm12.zip")
    moodle.reset_stats()
    out = run("deploy", str(package), "--profile", "moodle")
    assert out.exit_code == 0, out.output
    course = moodle.course_id("DESA101")
    assert 'DESA101.scorm12.zip -> DESA101 "Tata Kelola Pemerintahan Desa"' in out.output
    assert "note: SCORM 1.2 package (schemaversion '1.2')" in out.output
    assert "Moodle has no web service that creates a SCORM activity, so nothing is uploaded" in out.output
    assert f"{moodle.url}/course/modedit.php?add=scorm&type=&course={course}&section=0&return=0&sr=0" in out.output
    assert "Grading method \"Highest grade\", Maximum grade 100" in out.output
    assert "1 package(s) need the steps above in moodle: nothing was uploaded" in out.output
    assert moodle.writes() == 0
    # a course that does not exist yet gets a step to create it first
    other = run("deploy", str(package), "--profile", "moodle", "--course-id", "DESA999")
    assert "0. Create the course first" in other.output and "'DESA999'" in other.output


def test_deploy_checks_the_package_as_moodle_will(moodle_env, moodle, fixtures_dir, tmp_path):
    nested = zip_package(fixtures_dir / "scorm" / "pamong-mini", tmp_path / "nested.zip", prefix="course/")
    out = run("deploy", str(nested), "--profile", "moodle")
    assert isinstance(out.exception, UsageError) and "badimsmanifestlocation" in str(out.exception)
    plain = tmp_path / "course.olx.tar.gz"
    plain.write_bytes(b"not a zip")
    out = run("deploy", str(plain), "--profile", "moodle")
    assert isinstance(out.exception, UsageError) and "not a zip file" in str(out.exception)


def test_sandbox_command_serves_moodle_and_both_on_two_ports(tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pamong_edx", "sandbox", "--lms", "both", "--port", "0", "--data", str(tmp_path / "d"),
         "--token", "a" * 32, "--client-secret", "rahasia-uji", "--no-throttle"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        banner = [process.stdout.readline() for _ in range(13)]
        assert "Open edX stand-in) listening on http://127.0.0.1:" in banner[0], banner
        assert "Moodle stand-in) listening on http://127.0.0.1:" in banner[6], banner
        assert f"token: {'a' * 32} (user pamong_ws, service pamong" in banner[8]
        openedx_url, moodle_url = banner[0].rsplit(" ", 1)[1].strip(), banner[6].rsplit(" ", 1)[1].strip()
        assert openedx_url != moodle_url
        assert (tmp_path / "d" / "moodle.sqlite3").is_file() and (tmp_path / "d" / "openedx.sqlite3").is_file()
        check = subprocess.run(
            [sys.executable, "-m", "pamong_edx", "lms", "check"], capture_output=True, text=True, timeout=60,
            env={**env, "PAMONG_LMS": "moodle", "PAMONG_LMS_URL": moodle_url, "PAMONG_CLIENT_SECRET": "a" * 32,
                 "PAMONG_CONFIG": ""}, cwd=tmp_path)
        assert check.returncode == 0, check.stdout + check.stderr
        assert requests.get(f"{openedx_url}/__sandbox__/stats", timeout=5).json()["total"] == 0
        assert requests.get(f"{moodle_url}/__sandbox__/stats", timeout=5).json()["total"] > 0
    finally:
        process.terminate()
        process.wait(timeout=10)
