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
from pamong_edx.i18n import _
from pamong_edx.lms.protocol import PackageInfo
from pamong_edx.units import format_size

MANIFEST = "imsmanifest.xml"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
SLUG = re.compile(r"^MANIFEST-(.+)$")


def describe_scorm_package(path: Path, course_id: str | None = None) -> PackageInfo:
    if not path.is_file():
        raise UsageError(_("{path}: no such package file").format(path=path))
    if not zipfile.is_zipfile(path):
        raise UsageError(_("{path}: not a zip file; Moodle takes SCORM packages as .zip (build one with "
                           "pamong build COURSE --format scorm12 or scorm2004)").format(path=path))
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            if MANIFEST not in names:
                nested = [n for n in names if n.endswith("/" + MANIFEST)]
                if nested:
                    raise UsageError(_("{path}: {file} is not at the root of the zip; Moodle refuses it "
                                       "(badimsmanifestlocation): re-package with imsmanifest.xml at the root")
                                     .format(path=path, file=nested[0]))
                raise UsageError(_("{path}: no imsmanifest.xml, so it is not a SCORM package (Moodle: nomanifest)")
                                 .format(path=path))
            root = etree.fromstring(package.read(MANIFEST), _PARSER)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UsageError(_("{path}: not a readable zip file ({error})").format(path=path, error=exc)) from None
    except etree.XMLSyntaxError as exc:
        raise UsageError(_("{path}: imsmanifest.xml is not well-formed XML ({error}); Moodle's import would die on "
                           "it").format(path=path, error=exc)) from None
    identifier = root.get("identifier", "")
    match = SLUG.match(identifier)
    version = _text(root, "schemaversion")
    notes = [_("SCORM {version} package (schemaversion '{schema}')").format(
        version="2004" if version.startswith("2004") or "1.3" in version else "1.2", schema=version or "none")]
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
    # Moodle's menu and field names stay as its English pages show them, quoted.
    lines = [_("Moodle has no web service that creates a SCORM activity, so nothing is uploaded. In Moodle:")]
    if course_id is None:
        lines.append(_("0. Create the course first ({menu}), with short name or course ID number '{course}'.").format(
            menu='"Site administration > Courses > Manage courses and categories > Create new course"',
            course=package.course_id))
        course_link = _("the course page")
        add_link = '"Add an activity or resource > SCORM package"'
    else:
        course_link = f"{site}/course/view.php?id={course_id}"
        add_link = f"{site}/course/modedit.php?add=scorm&type=&course={course_id}&section=0&return=0&sr=0"
    named = f" ({course_name})" if course_name else ""
    lines += [
        _("1. Open {course}{named} as a teacher or manager and turn editing on.").format(course=course_link,
                                                                                         named=named),
        _("2. Add a SCORM package activity: {link}").format(link=add_link),
        _("3. Name: \"{title}\". Package file: upload {file} ({size}; the site's maximum upload size must allow it).")
        .format(title=package.title, file=package.path.name, size=size),
        _("4. Grade: Grading method \"{method}\", Maximum grade 100 (the package reports its score as raw 0-100).")
        .format(method="Highest grade"),
        _("5. Save and display. Moodle unpacks the package and checks imsmanifest.xml; a package error shows there."),
        _("To update a course already deployed: open its SCORM activity > {menu}, replace the file and save "
          "(learners' attempts are kept).").format(menu='"Settings > Package file"'),
    ]
    return lines
