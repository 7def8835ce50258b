"""Reading an OLX package (.tar.gz) for deploy: which course it is and what to call it.

Only what deploy needs is read here (course.xml's org/course/url_name, the title, dates and pacing);
whether the content imports is for the platform to say, and deploy shows its answer.

The archive is read as a stream, once, and only within the profile's limits (lms/limits.py): a package that
unpacks to more than `max_package_mb`, holds more than `max_package_files` files, or whose course.xml,
course/<run>.xml or policy.json is larger than `max_metadata_mb` is refused from the sizes its headers declare,
before any of it is inflated into memory.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path, PurePosixPath

from lxml import etree

from pamong_edx.errors import UsageError
from pamong_edx.i18n import _
from pamong_edx.lms.limits import MB, Limits
from pamong_edx.lms.openedx.keys import STUDIO_MAX_LENGTH, CourseKey
from pamong_edx.lms.protocol import PackageInfo

POINTER_ATTRS = {"url_name", "org", "course"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def describe_olx_package(path: Path, course_id: str | None = None, limits: Limits | None = None) -> PackageInfo:
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
        files = _metadata(path, limits or Limits())
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise UsageError(_("{path}: not a readable .tar.gz archive ({reason})").format(path=path, reason=exc)) \
            from None
    return _describe(path, files, override)


def _wanted(name: str) -> bool:
    """The members deploy reads: course.xml at any depth, course/<run>.xml, policies/<run>/policy.json."""
    parts = PurePosixPath(name).parts
    return (parts[-1:] == ("course.xml",) or (len(parts) >= 2 and parts[-2] == "course" and name.endswith(".xml"))
            or (len(parts) >= 2 and "policies" in parts[-3:-1] and name.endswith(".json")))


def _metadata(path: Path, limits: Limits) -> dict[str, bytes]:
    """One streaming pass over the archive: the contents of the members deploy reads, within the limits."""
    member_cap, total_cap = int(limits.max_metadata_mb * MB), int(limits.max_package_mb * MB)
    kept_cap = 4 * member_cap  # all metadata members together
    files: dict[str, bytes] = {}
    count = total = kept = 0
    with tarfile.open(path, "r|gz") as tar:
        for member in tar:
            if not member.isfile():
                continue
            count += 1
            total += member.size
            if count > limits.max_package_files:
                raise UsageError(_("{path}: more than {n:,} files in the package; refused (limits.max_package_files "
                                   "in the profile raises it)").format(path=path, n=limits.max_package_files))
            if total > total_cap:
                raise UsageError(_("{path}: the package unpacks to more than {mb:g} MB; refused (limits.max_package_mb "
                                   "in the profile raises it)").format(path=path, mb=limits.max_package_mb))
            name = member.name.removeprefix("./")
            if not _wanted(name):
                continue
            kept += member.size
            if member.size > member_cap or kept > kept_cap:
                raise UsageError(_("{path}: {name} is {mb:.1f} MB unpacked, more than the {limit:g} MB course "
                                   "metadata may take; refused (limits.max_metadata_mb in the profile raises it)")
                                 .format(path=path, name=name, mb=member.size / MB, limit=limits.max_metadata_mb))
            handle = tar.extractfile(member)
            files[name] = handle.read(member_cap + 1) if handle is not None else b""
    return files


def _describe(path: Path, files: dict[str, bytes], override: CourseKey | None) -> PackageInfo:
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
    pointer = _parse(files[root_name])
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
        element = _parse(files[course_xml])
        if element is not None:
            settings.update(element.attrib)
    policy = _policy(files, root_dir, url_name)
    entry = policy.get(f"course/{url_name}") if isinstance(policy, dict) else None
    settings.update(entry if isinstance(entry, dict) else {})
    return PackageInfo(
        path=path,
        course_id=str(target),
        title=str(settings.get("display_name") or target.number),
        start=_text(settings.get("start")),
        end=_text(settings.get("end")),
        self_paced=str(settings.get("self_paced", "")).lower() == "true" or settings.get("self_paced") is True,
        notes=tuple(notes),
    )


def _parse(data: bytes):  # noqa: ANN202 - an lxml element or None
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        return None  # the platform reports malformed XML itself, with its own message


def _policy(files: dict[str, bytes], root_dir: PurePosixPath, url_name: str) -> dict:
    for candidate in (root_dir / "policies" / url_name / "policy.json", root_dir / "policies" / f"{url_name}.json"):
        data = files.get(str(candidate))
        if data is not None:
            try:
                return json.loads(data.decode("utf-8"))
            except (ValueError, UnicodeDecodeError, RecursionError):
                return {}  # as on the platform: a broken policy.json counts as {}
    return {}


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
