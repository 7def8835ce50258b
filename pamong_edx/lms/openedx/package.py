"""Reading an OLX package (.tar.gz) for deploy: which course it is and what to call it.

Only what deploy needs is read here (course.xml's org/course/url_name, the title, dates and pacing);
whether the content imports is for the platform to say, and deploy shows its answer.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path, PurePosixPath

from lxml import etree

from pamong_edx.errors import UsageError
from pamong_edx.lms.openedx.keys import STUDIO_MAX_LENGTH, CourseKey
from pamong_edx.lms.protocol import PackageInfo

POINTER_ATTRS = {"url_name", "org", "course"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def describe_olx_package(path: Path, course_id: str | None = None) -> PackageInfo:
    if not path.is_file():
        raise UsageError(f"{path}: no such package file")
    if not path.name.endswith(".tar.gz"):
        raise UsageError(f"{path}: Studio imports only files whose name ends in .tar.gz (a .tgz name is refused)")
    override = None
    if course_id is not None:
        override = CourseKey.parse(course_id)
        if override is None:
            raise UsageError(f"--course-id '{course_id}' is not a course key like course-v1:ORG+NUMBER+RUN")
    try:
        with tarfile.open(path, "r:gz") as tar:
            files = {m.name.removeprefix("./"): m for m in tar.getmembers() if m.isfile()}
            return _describe(path, tar, files, override)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise UsageError(f"{path}: not a readable .tar.gz archive ({exc})") from None


def _describe(path: Path, tar: tarfile.TarFile, files: dict, override: CourseKey | None) -> PackageInfo:
    notes: list[str] = []
    pointers = sorted((n for n in files if PurePosixPath(n).name == "course.xml"), key=lambda n: n.count("/"))
    if not pointers:
        if override is None:
            raise UsageError(f"{path}: no course.xml in the package, so its course key is unknown; pass --course-id")
        notes.append("the package has no course.xml: Studio will refuse it")
        return PackageInfo(path=path, course_id=str(override), title=override.number, notes=tuple(notes))
    if len(pointers) > 1:
        notes.append(f"{len(pointers)} course.xml files ({', '.join(pointers)}); Studio uses the first directory it finds")
    root_name = pointers[0]
    root_dir = PurePosixPath(root_name).parent
    pointer = _parse(tar, files, root_name, path)
    attrs = dict(pointer.attrib) if pointer is not None else {}
    if pointer is not None and set(attrs) != POINTER_ATTRS:
        notes.append(
            f"{root_name} has attributes {sorted(attrs)}; with anything but url_name/org/course it is not a pointer "
            "and Studio ignores the course/<run>.xml file"
        )
    key = CourseKey.build(attrs.get("org", ""), attrs.get("course", ""), attrs.get("url_name", ""))
    if key is None and override is None:
        raise UsageError(
            f"{path}: {root_name} must carry org, course and url_name made of letters, digits, '_', '-', '.' "
            f"(found {attrs}); or pass --course-id"
        )
    target = override or key
    if override is not None and key is not None and override != key:
        notes.append(f"the package says {key}; importing into {override} as asked")
    if len(target.org) + len(target.number) + len(target.run) > STUDIO_MAX_LENGTH:
        notes.append(f"org+number+run is longer than Studio's limit of {STUDIO_MAX_LENGTH} characters")
    url_name = attrs.get("url_name", "")
    settings: dict = {}
    course_xml = str(root_dir / "course" / f"{url_name}.xml")
    if url_name and course_xml in files:
        element = _parse(tar, files, course_xml, path)
        if element is not None:
            settings.update(element.attrib)
    policy = _policy(tar, files, root_dir, url_name)
    settings.update(policy.get(f"course/{url_name}", {}) if isinstance(policy, dict) else {})
    return PackageInfo(
        path=path,
        course_id=str(target),
        title=str(settings.get("display_name") or target.number),
        start=_text(settings.get("start")),
        end=_text(settings.get("end")),
        self_paced=str(settings.get("self_paced", "")).lower() == "true" or settings.get("self_paced") is True,
        notes=tuple(notes),
    )


def _parse(tar: tarfile.TarFile, files: dict, name: str, path: Path):
    handle = tar.extractfile(files[name])
    try:
        return etree.fromstring(handle.read(), _PARSER)
    except etree.XMLSyntaxError:
        return None  # the platform reports malformed XML itself, with its own message


def _policy(tar: tarfile.TarFile, files: dict, root_dir: PurePosixPath, url_name: str) -> dict:
    for candidate in (root_dir / "policies" / url_name / "policy.json", root_dir / "policies" / f"{url_name}.json"):
        member = files.get(str(candidate))
        if member is not None:
            try:
                return json.loads(tar.extractfile(member).read().decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                return {}  # as on the platform: a broken policy.json counts as {}
    return {}


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
