"""Deployment overlays: run, dates, org, cutoff, attempts and signatories' names merged from a file, checked with
located diagnostics, recorded in the packages."""

from __future__ import annotations

import json
import tarfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from pamong_edx.course.lints import lint
from pamong_edx.course.loader import load_course
from pamong_edx.course.overlay import apply_overlay, read_overlay

COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "lint-run-ended"
GOOD = COURSE / "overlays" / "nasional-2099.yaml"
BAD = COURSE / "overlays" / "salah.yaml"
NOW = datetime(2027, 1, 1, tzinfo=timezone.utc)


def loaded():
    course, diagnostics = load_course(COURSE)
    assert diagnostics == []
    return course


def test_an_overlay_sets_the_deployment_and_turns_off_the_run_ended_lint():
    course = loaded()
    assert [d.code for d in lint(course, NOW)] == ["W301"]
    overlay = read_overlay(GOOD)
    assert overlay.diagnostics == [] and apply_overlay(course, overlay) == []
    assert (course.org, course.number, course.run) == ("PamongDesa", "LNT301", "2099_T2")
    assert (course.start.date().isoformat(), course.end.date().isoformat()) == ("2099-01-04", "2099-12-31")
    assert course.grading.pass_cutoff == 0.75
    assert course.certificate.signatories[0].name == "Dra. Siti Rahmawati, M.Si."
    graded = [p for _c, s in course.sequentials() if s.graded for p in s.problems()]
    ungraded = [p for _c, s in course.sequentials() if not s.graded for p in s.problems()]
    assert {p.max_attempts for p in graded} == {2} and {p.max_attempts for p in ungraded} == {0}
    assert course.overlay.startswith("nasional-2099.yaml sha256:") and len(course.overlay.split(":")[1]) == 12
    assert course.key_locs["end"].file == GOOD  # a lint about the dates now points at the overlay
    assert lint(course, NOW) == []


def test_every_mistake_is_located_and_nothing_is_merged():
    course = loaded()
    overlay = read_overlay(BAD)
    found = overlay.diagnostics + apply_overlay(course, overlay)
    located = [(d.code, d.location.line, d.location.col) for d in found]
    assert located == [
        ("E101", 3, 1),  # title: not an overlay key
        ("E105", 4, 6),  # run with a space
        ("E105", 5, 8),  # 30 February
        ("E103", 10, 15),  # max_attempts: dua
        ("E101", 9, 3),  # grading.formats
        ("E105", 8, 11),  # cutoff 1.5
        ("E101", 12, 3),  # certificate.name
        ("E105", 2, 9),  # another course's number
        ("E105", 6, 6),  # end before the course's start
        ("E105", 14, 5),  # a role the certificate does not have
    ]
    messages = "\n".join(d.message for d in found)
    assert "unknown key 'title' in an overlay (which may set only course, run, org, start, end, grading, " \
           "max_attempts, certificate)" in messages
    assert "no signatory with role 'kepala-bali' (did you mean 'kepala-balai'?)" in messages
    assert all(Path(d.location.file) == BAD for d in found)
    assert (course.run, course.overlay, course.certificate.signatories[0].name) == ("2099_T1", "", "")


def test_an_overlay_that_cannot_be_read(tmp_path):
    missing = read_overlay(tmp_path / "tidak-ada.yaml")
    assert [d.code for d in missing.diagnostics] == ["E002"]
    (tmp_path / "daftar.yaml").write_text("- run: 2027_T1\n")
    assert [d.code for d in read_overlay(tmp_path / "daftar.yaml").diagnostics] == ["E103"]


def test_validate_with_an_overlay(pamong):
    status, out, err = pamong("validate", "--strict", str(COURSE), "--overlay", str(GOOD))
    assert status == 0, err
    assert "course-v1:PamongDesa+LNT301+2099_T2" in out
    status, out, err = pamong("validate", str(COURSE), "--overlay", str(BAD))
    assert status == 1
    assert "salah.yaml:3:1: E101 unknown key 'title' in an overlay" in err
    assert "W301" not in err  # no lint of a deployment the overlay does not describe
    assert out.strip().endswith("; 10 errors, 0 warnings")  # the course's line counts what was printed
    assert err.splitlines()[-1].endswith("salah.yaml has errors; fix it first")


def test_the_packages_name_the_overlay(pamong, tmp_path):
    status, out, err = pamong("build", str(COURSE), "--overlay", str(GOOD), "-o", str(tmp_path), "-f", "olx",
                              "-f", "scorm2004")
    assert status == 0, err
    label = next(line for line in out.splitlines() if "2099_T2" in line)
    assert "PamongDesa-LNT301-2099_T2.olx.tar.gz" in label
    with tarfile.open(tmp_path / "PamongDesa-LNT301-2099_T2.olx.tar.gz") as tar:
        policy = json.load(tar.extractfile("course/policies/2099_T2/policy.json"))["course/2099_T2"]
    assert policy["other_course_settings"]["pamong_overlay"].startswith("nasional-2099.yaml sha256:")
    assert policy["certificates"]["certificates"][0]["signatories"][0]["name"] == "Dra. Siti Rahmawati, M.Si."
    with zipfile.ZipFile(tmp_path / "PamongDesa-LNT301-2099_T2.scorm2004.zip") as package:
        manifest = package.read("imsmanifest.xml").decode("utf-8")
    assert "<!-- pamong-edx deployment overlay: nasional-2099.yaml sha256:" in manifest
    status, _, err = pamong("build", str(COURSE), "--overlay", str(BAD), "-o", str(tmp_path / "x"))
    assert status == 1 and "nothing was built" in err and not (tmp_path / "x").exists()
