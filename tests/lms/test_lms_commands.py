"""`pamong deploy` and `pamong lms check` end to end against the stand-in, through the real CLI entry."""

from __future__ import annotations

import pytest

from pamong_edx.cli import main


@pytest.fixture
def profile(sandbox, tmp_path, monkeypatch):
    """A pamong.toml in the working directory with profiles for the staff and the operator clients."""
    staff, operator = sandbox.app.credentials
    (tmp_path / "pamong.toml").write_text(f"""
[profiles.sandbox]
lms = "openedx"
lms_url = "{sandbox.url}"
studio_url = "{sandbox.url}"
client_id = "{staff.client_id}"
client_secret_env = "SANDBOX_SECRET"

[profiles.operator]
lms_url = "{sandbox.url}"
client_id = "{operator.client_id}"
client_secret_env = "OPERATOR_SECRET"
""")
    monkeypatch.chdir(tmp_path)
    for var in ("PAMONG_LMS_URL", "PAMONG_STUDIO_URL", "PAMONG_CLIENT_ID", "PAMONG_CLIENT_SECRET", "PAMONG_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SANDBOX_SECRET", staff.client_secret)
    monkeypatch.setenv("OPERATOR_SECRET", operator.client_secret)
    return "sandbox"


def run(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    return exited.value.code, captured.out + captured.err


def deploy(capsys, *args: str) -> tuple[int, str]:
    return run(capsys, "deploy", *args, "--profile", "sandbox", "--poll-interval", "0.05")


def test_deploy_creates_the_run_imports_and_reaches_succeeded(capsys, profile, make_olx, ctl):
    ctl.config(import_step_s=0.15)  # long enough for the 0.05 s polls to see every state
    package = make_olx("olx_valid", filename="PamongX-DESA101-2025_T1.olx.tar.gz")
    code, out = deploy(capsys, str(package))
    assert code == 0, out
    assert "-> course-v1:PamongX+DESA101+2025_T1 \"Tata Kelola Desa\"" in out
    assert "created the course run" in out
    for state in ("Unpacking", "Verifying", "Updating", "Succeeded"):
        assert state in out
    code, again = deploy(capsys, str(package))  # safe to repeat
    assert code == 0 and "the course run exists" in again and "Succeeded" in again
    assert ctl.count("POST /api/v1/course_runs/") == 1
    course = ctl.stats() and __import__("requests").get(
        f"{ctl.url}/__sandbox__/courses/course-v1:PamongX+DESA101+2025_T1").json()
    assert course["title"] == "Tata Kelola Desa" and course["pacing_type"] == "self_paced"
    assert course["structure"]["blocks"]["problem"] == 1 and course["structure"]["notes"] == []
    assert course["structure"]["assets"] == ["img_logo.png"]


@pytest.mark.parametrize("fixture,message", [
    ("olx_missing_pointer", "Failed to import module: p1 at location: "
                            "block-v1:PamongX+DESA102+2025_T1+type@problem+block@p1"),
    ("olx_malformed", "Error while reading chapter/ch1.xml. Check file for XML errors."),
])
def test_broken_package_fails_with_the_platforms_message(capsys, profile, make_olx, fixture, message):
    code, out = deploy(capsys, str(make_olx(fixture)))
    assert code == 1
    assert "Failed" in out and f"platform says: {message}" in out
    assert "error: deploy failed for 1 of 1 package(s)" in out


def test_unsafe_archive_and_missing_course_xml(capsys, profile, make_olx):
    unsafe = make_olx("olx_valid", filename="unsafe.tar.gz", extra=(("../escape.txt", b"x"),))
    code, out = deploy(capsys, str(unsafe))
    assert code == 1 and "platform says: Unsafe tar file. Aborting import." in out
    no_pointer = make_olx("olx_no_course_xml")
    code, out = deploy(capsys, str(no_pointer))
    assert code == 2 and "no course.xml in the package" in out and "--course-id" in out
    code, out = deploy(capsys, str(no_pointer), "--course-id", "course-v1:PamongX+TANPA+2025_T1")
    assert code == 1 and "platform says: Could not find the course.xml file in the package." in out


def test_silent_degradations_still_succeed(capsys, profile, make_olx, ctl):
    code, out = deploy(capsys, str(make_olx("olx_degraded")))
    assert code == 0 and "Succeeded" in out
    notes = __import__("requests").get(f"{ctl.url}/__sandbox__/courses/course-v1:PamongX+DESA104+2025_T1").json()
    text = " ".join(notes["structure"]["notes"])
    assert "empty inline block" in text and "not valid JSON" in text


def test_dry_run_changes_nothing(capsys, profile, make_olx, ctl):
    code, out = deploy(capsys, str(make_olx("olx_valid")), "--dry-run")
    assert code == 0 and "would create the course run" in out and "would upload" in out
    assert ctl.count("POST /api/v1/course_runs/") == 0
    assert ctl.count("POST /api/courses/v0/import/{course_id}/") == 0


def test_deploy_refuses_a_tgz_name(capsys, profile, tmp_path):
    package = tmp_path / "course.tgz"
    package.write_bytes(b"")
    code, out = deploy(capsys, str(package))
    assert code == 2 and "ends in .tar.gz" in out


def test_lms_check_reports_rights(capsys, profile):
    code, out = run(capsys, "lms", "check", "--profile", "sandbox")
    assert code == 0, out
    assert "acting as: pamong_staff (global staff: yes)" in out and "all jobs possible" in out
    assert "[  ok] bulk enrolment API enabled" in out


def test_lms_check_names_the_fix_for_each_impossible_job(capsys, profile, ctl):
    ctl.config(bulk_enroll_enabled=False)
    code, out = run(capsys, "lms", "check", "--profile", "operator")
    assert code == 1
    assert "acting as: pamong_operator (global staff: no)" in out
    assert "[FAIL] bulk enrolment and cohorts" in out and "tick 'Staff status'" in out
    assert out.count("fix:") >= 4
    code, out = run(capsys, "lms", "check", "--profile", "sandbox")
    assert code == 1 and "ENABLE_BULK_ENROLLMENT_VIEW" in out


def test_lms_check_import_rights_on_one_course(capsys, profile, ctl, course):
    code, out = run(capsys, "lms", "check", "--profile", "operator", "--course", course)
    assert "no course author access" in out
    ctl.post("roles", {"username": "pamong_operator", "course_id": course, "role": "staff"})
    code, out = run(capsys, "lms", "check", "--profile", "operator", "--course", course)
    assert f"[  ok] import courses in Studio" in out and f"course author on {course}" in out


def test_lms_check_with_a_wrong_secret(capsys, profile, monkeypatch):
    monkeypatch.setenv("SANDBOX_SECRET", "not-the-secret")
    code, out = run(capsys, "lms", "check", "--profile", "sandbox")
    assert code == 1 and "[FAIL] sign in as client" in out and "not-the-secret" not in out


def test_missing_profile_and_secret_are_one_line_errors(capsys, profile, monkeypatch):
    code, out = run(capsys, "lms", "check", "--profile", "nope")
    assert code == 2 and out.startswith("error: no profile 'nope'") and "known profiles: operator, sandbox" in out
    monkeypatch.delenv("SANDBOX_SECRET")
    code, out = run(capsys, "lms", "check", "--profile", "sandbox")
    assert code == 2 and "environment variable SANDBOX_SECRET is not set" in out


def hostile_package(path, member: str, claimed_size: int, data: bytes = b"<course/>") -> None:
    """A .tar.gz whose header says `member` unpacks to `claimed_size` bytes (a bomb, as far as any reader that
    trusts the header and reads the member whole is concerned); the data actually stored is a few bytes."""
    import gzip
    import tarfile

    info = tarfile.TarInfo(member)
    info.size = claimed_size
    with gzip.open(path, "wb") as out:
        out.write(info.tobuf(format=tarfile.GNU_FORMAT) + data)


def test_deploy_refuses_a_package_whose_course_xml_unpacks_to_gigabytes(capsys, profile, tmp_path, ctl):
    package = tmp_path / "bomb.olx.tar.gz"
    hostile_package(package, "course/course.xml", 2_500_000_000)
    code, out = deploy(capsys, str(package))
    assert code == 2 and len(out.strip().splitlines()) == 1
    assert "course/course.xml is 2500.0 MB unpacked, more than the 16 MB course metadata may take" in out
    assert "limits.max_metadata_mb" in out
    assert ctl.count("POST /api/courses/v0/import/{course_id}/") == 0


def test_deploy_limits_come_from_the_profile(capsys, profile, tmp_path, make_olx):
    with open("pamong.toml", "a", encoding="utf-8") as config:
        config.write("\n[profiles.sandbox.limits]\nmax_package_mb = 0.001\n")
    code, out = deploy(capsys, str(make_olx("olx_valid")))
    assert code == 2 and "unpacks to more than 0.001 MB; refused (limits.max_package_mb" in out
    hostile = tmp_path / "many.olx.tar.gz"
    hostile_package(hostile, "course/static/big.bin", 5_000_000_000_000)  # 5 TB claimed, a few bytes stored
    code, out = deploy(capsys, str(hostile))
    assert code == 2 and "unpacks to more than" in out


def test_lms_check_says_how_the_backend_is_paced(capsys, profile):
    code, out = run(capsys, "lms", "check", "--profile", "sandbox")
    assert "pacing: 120/minute on /api/enrollment/, /api/bulk_enroll/ · 100 identifiers per bulk enrol call" in out
