"""The stand-in's import checks (spec 1.11): fatal failures with the platform's words, silent ones as notes."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from pamong_edx.lms.openedx.keys import CourseKey
from pamong_edx.sandbox.openedx.olx_import import import_archive

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "lms"
TARGET = CourseKey("PamongX", "DESA101", "2025_T1")


def archive(name: str = "olx_valid", replace: dict[str, bytes | None] | None = None,
            links: tuple[tuple[str, str], ...] = ()) -> bytes:
    """The fixture as tar.gz bytes; `replace` swaps (bytes) or drops (None) files by their path in the archive."""
    replace = dict(replace or {})
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        root = FIXTURES / name
        for path in sorted(root.rglob("*")):
            arcname = path.relative_to(root).as_posix()
            if path.is_dir() or arcname in replace:
                continue
            tar.add(path, arcname=arcname)
        for arcname, data in replace.items():
            if data is not None:
                info = tarfile.TarInfo(arcname)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        for name_, target in links:
            info = tarfile.TarInfo(name_)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return buffer.getvalue()


def test_valid_package_imports_with_no_notes():
    report = import_archive(archive(), "c.tar.gz", TARGET, course_exists=True)
    assert report.failed_stage is None and report.notes == []
    assert report.title == "Tata Kelola Desa" and report.blocks["vertical"] == 2


@pytest.mark.parametrize("changes,links,stage,message", [
    ({}, (("course/static/x", "/etc/passwd"),), "Unpacking", "Unsafe tar file. Aborting import."),
    ({"course/course.xml": None}, (), "Verifying", "Could not find the course.xml file in the package."),
    ({"course/course.xml": b'<course org="PamongX" course="DESA101"/>'}, (), "Updating",
     "Can't load a course without a 'url_name' (or 'name') set.  Set url_name."),
    ({"course/html/h1.html": None}, (), "Updating", "Unable to load file contents at path html/h1.html"),
    ({"course/vertical/u2.xml": b"<vertical><problem url_name='p1'>"}, (), "Updating",
     "Error while reading vertical/u2.xml. Check file for XML errors."),
    ({"course/course/2025_T1.xml": None}, (), "Updating",
     "Failed to import module: 2025_T1 at location: block-v1:PamongX+DESA101+2025_T1+type@course+block@2025_T1"),
])
def test_fatal_problems_fail_with_the_platform_message(changes, links, stage, message):
    report = import_archive(archive(replace=changes, links=links), "c.tar.gz", TARGET, course_exists=True)
    assert (report.failed_stage, report.message) == (stage, message)


def test_missing_target_course_and_wrong_name_fail_unpacking():
    assert import_archive(archive(), "c.tar.gz", TARGET, course_exists=False).message == \
        "An Unknown error occurred during the unpacking step."
    assert import_archive(archive(), "c.tgz", TARGET, course_exists=True).message == \
        "We only support uploading a .tar.gz file."
    assert import_archive(b"not a tar", "c.tar.gz", TARGET, course_exists=True).failed_stage == "Unpacking"


def test_silent_degradations_become_notes():
    changes = {
        "course/vertical/u2.xml": b'<vertical display_name="Periksa"><problem url_name="p1"/><problem url_name="p1"/></vertical>',
        "course/sequential/quiz1.xml": b'<sequential display_name="Kuis" graded="true" format="Ujian"><vertical url_name="u2"/></sequential>',
        "course/static/img_logo.png": b"PNG",
    }
    report = import_archive(archive(replace=changes), "c.tar.gz", TARGET, course_exists=True)
    assert report.failed_stage is None
    text = "\n".join(report.notes)
    assert "duplicate url_name 'p1'" in text
    assert "format 'Ujian' is not a GRADER type" in text
    assert "both become asset 'img_logo.png'" in text


def test_course_xml_with_extra_attributes_is_not_a_pointer():
    changes = {"course/course.xml": b'<course url_name="2025_T1" org="PamongX" course="DESA101" display_name="X"/>'}
    report = import_archive(archive(replace=changes), "c.tar.gz", TARGET, course_exists=True)
    assert report.failed_stage is None and report.blocks["chapter"] == 0
    assert any("not a pointer" in n for n in report.notes)
