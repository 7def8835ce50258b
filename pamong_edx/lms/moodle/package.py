"""SCORM packages for Moodle: what a package is, and the steps that put it in a course by hand.

Moodle has no core web service that creates a SCORM activity (mod_scorm offers none; core_course_* cannot add
modules), so `pamong deploy` does not pretend to: it checks the package the way Moodle's importer will
(imsmanifest.xml at the zip's root, see shared/specs/scorm.md section 3), finds the course, and prints the
exact steps, with the links, for the course's teacher or administrator.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

from pamong_edx.errors import UsageError
from pamong_edx.lms.protocol import PackageInfo
from pamong_edx.units import format_size

MANIFEST = "imsmanifest.xml"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
SLUG = re.compile(r"^MANIFEST-(.+)$")


def describe_scorm_package(path: Path, course_id: str | None = None) -> PackageInfo:
    if not path.is_file():
        raise UsageError(f"{path}: no such package file")
    if not zipfile.is_zipfile(path):
        raise UsageError(f"{path}: not a zip file; Moodle takes SCORM packages as .zip (build one with "
                         "pamong build COURSE --format scorm12 or scorm2004)")
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            if MANIFEST not in names:
                nested = [n for n in names if n.endswith("/" + MANIFEST)]
                if nested:
                    raise UsageError(f"{path}: {nested[0]} is not at the root of the zip; Moodle refuses it "
                                     "(badimsmanifestlocation): re-package with imsmanifest.xml at the root")
                raise UsageError(f"{path}: no imsmanifest.xml, so it is not a SCORM package (Moodle: nomanifest)")
            root = etree.fromstring(package.read(MANIFEST), _PARSER)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UsageError(f"{path}: not a readable zip file ({exc})") from None
    except etree.XMLSyntaxError as exc:
        raise UsageError(f"{path}: imsmanifest.xml is not well-formed XML ({exc}); Moodle's import would die on it") \
            from None
    identifier = root.get("identifier", "")
    match = SLUG.match(identifier)
    version = _text(root, "schemaversion")
    notes = [f"SCORM {'2004' if version.startswith('2004') or '1.3' in version else '1.2'} package "
             f"(schemaversion '{version or 'none'}')"]
    return PackageInfo(path=path, course_id=course_id or (match.group(1) if match else identifier),
                       title=_title(root) or path.stem, notes=tuple(notes))


def _text(root: etree._Element, local: str) -> str:
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname == local:
            return element.text or ""
    return ""


def _title(root: etree._Element) -> str:
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname == "organization":
            for child in element:
                if isinstance(child.tag, str) and etree.QName(child).localname == "title":
                    return (child.text or "").strip()
    return ""


def manual_steps(site: str, package: PackageInfo, course_id: int | None, course_name: str = "") -> list[str]:
    """What a person does in Moodle to add (or replace) the package as a SCORM activity."""
    size = format_size(package.path.stat().st_size)
    lines = ["Moodle has no web service that creates a SCORM activity, so nothing is uploaded. In Moodle:"]
    if course_id is None:
        lines.append(f"0. Create the course first (Site administration > Courses > Manage courses and categories > "
                     f"Create new course), with short name or course ID number '{package.course_id}'.")
        course_link = "the course page"
        add_link = "Add an activity or resource > SCORM package"
    else:
        course_link = f"{site}/course/view.php?id={course_id}"
        add_link = f"{site}/course/modedit.php?add=scorm&type=&course={course_id}&section=0&return=0&sr=0"
    named = f" ({course_name})" if course_name else ""
    lines += [
        f"1. Open {course_link}{named} as a teacher or manager and turn editing on.",
        f"2. Add a SCORM package activity: {add_link}",
        f"3. Name: \"{package.title}\". Package file: upload {package.path.name} ({size}; the site's "
        "maximum upload size must allow it).",
        "4. Grade: Grading method \"Highest grade\", Maximum grade 100 (the package reports its score as raw 0-100).",
        "5. Save and display. Moodle unpacks the package and checks imsmanifest.xml; a package error shows there.",
        "To update a course already deployed: open its SCORM activity > Settings > Package file, replace the file "
        "and save (learners' attempts are kept).",
    ]
    return lines
