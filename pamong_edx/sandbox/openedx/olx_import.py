"""What Studio's import does to an OLX archive, reduced to its structural checks (spec sections 1.1-1.11).

Fatal problems fail the import at the stage where the platform fails it, with the platform's message.
Silent degradations (renamed duplicates, pointers turned empty inline blocks, ignored policy JSON,
ungraded formats, clashing static names) do not fail it; they are kept as notes the stand-in can show,
so a rehearsal reveals what production would swallow.
"""

from __future__ import annotations

import io
import json
import posixpath
import tarfile
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree

from pamong_edx.lms.openedx.keys import CourseKey

# cms/djangoapps/contentstore/errors.py and the exceptions the importer raises
UNKNOWN_ERROR_IN_UNPACKING = "An Unknown error occurred during the unpacking step."
INVALID_FILE_TYPE = "We only support uploading a .tar.gz file."
UNSAFE_TAR_FILE = "Unsafe tar file. Aborting import."
FILE_MISSING = "Could not find the {0} file in the package."
ERROR_WHILE_READING = "Error while reading {}. Check file for XML errors."
FAILED_TO_IMPORT_MODULE = "Failed to import module: {} at location: {}"
NO_URL_NAME = "Can't load a course without a 'url_name' (or 'name') set.  Set url_name."
HTML_FILE_MISSING = "Unable to load file contents at path {}"

BLOCK_TAGS = {"chapter", "sequential", "vertical", "html", "problem", "video", "discussion", "poll_question",
              "library_content", "split_test", "conditional", "lti_consumer", "openassessment", "word_cloud",
              "drag-and-drop-v2", "annotatable", "google-document", "pdf"}
STATE_BEARING = {"problem", "sequential", "video", "course", "chapter", "poll_question", "vertical"}
IGNORED_ASSET_PREFIXES = ("._",)
IGNORED_ASSET_NAMES = {".DS_Store"}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


@dataclass
class ImportReport:
    failed_stage: str | None = None  # "Unpacking" | "Verifying" | "Updating" | None when it succeeds
    message: str = ""
    title: str = ""
    settings: dict = field(default_factory=dict)
    blocks: Counter = field(default_factory=Counter)
    assets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    grading: dict | None = None  # grading_policy.json as imported; None: the platform's default applies
    subsections: list[dict] = field(default_factory=list)  # sequentials in course order (what grades read)

    def fail(self, stage: str, message: str) -> ImportReport:
        self.failed_stage, self.message = stage, message
        return self

    def summary(self) -> dict:
        return {"title": self.title, "blocks": dict(sorted(self.blocks.items())), "assets": self.assets,
                "notes": self.notes, "settings": self.settings, "grading": self.grading,
                "subsections": self.subsections}


class _Fatal(Exception):
    pass


def import_archive(data: bytes, filename: str, target: CourseKey, course_exists: bool) -> ImportReport:
    report = ImportReport()
    # Unpacking
    if not course_exists:
        # import_olx reads the target course first; a missing one is None and fails this step.
        return report.fail("Unpacking", UNKNOWN_ERROR_IN_UNPACKING)
    if not filename.endswith(".tar.gz"):
        return report.fail("Unpacking", INVALID_FILE_TYPE)
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")
        members = tar.getmembers()
    except (tarfile.TarError, EOFError, OSError):
        return report.fail("Unpacking", UNKNOWN_ERROR_IN_UNPACKING)
    if any(_unsafe(m) for m in members):
        return report.fail("Unpacking", UNSAFE_TAR_FILE)
    files = {posixpath.normpath(m.name): m for m in members if m.isfile()}
    # Verifying: the first directory (os.walk order: top-down) holding course.xml
    pointers = sorted((n for n in files if posixpath.basename(n) == "course.xml"), key=lambda n: (n.count("/"), n))
    if not pointers:
        return report.fail("Verifying", FILE_MISSING.format("course.xml"))
    root = posixpath.dirname(pointers[0])
    tree = _Tree(tar, files, root, target, report)
    try:
        tree.load()
    except _Fatal as exc:
        return report.fail("Updating", str(exc))
    return report


def _unsafe(member: tarfile.TarInfo) -> bool:
    name = member.name
    if name.startswith("/") or posixpath.normpath(name).startswith(".."):
        return True
    if member.issym() or member.islnk():
        target = member.linkname
        base = posixpath.dirname(name) if member.issym() else ""
        return target.startswith("/") or posixpath.normpath(posixpath.join(base, target)).startswith("..")
    return member.ischr() or member.isblk() or member.isfifo() or member.isdev()


class _Tree:
    def __init__(self, tar: tarfile.TarFile, files: dict, root: str, target: CourseKey, report: ImportReport):
        self.tar, self.files, self.root, self.target, self.report = tar, files, root, target, report
        self.seen: dict[str, Counter] = {}
        self.grader_types: set[str] | None = None

    def path(self, relative: str) -> str:
        return posixpath.normpath(posixpath.join(self.root, relative)) if self.root else relative

    def read(self, relative: str) -> bytes | None:
        member = self.files.get(self.path(relative))
        return self.tar.extractfile(member).read() if member is not None else None

    def parse(self, relative: str) -> etree._Element:
        data = self.read(relative)
        try:
            return etree.fromstring(data, PARSER)
        except (etree.XMLSyntaxError, ValueError):
            raise _Fatal(ERROR_WHILE_READING.format(relative)) from None

    def load(self) -> None:
        pointer = self.parse("course.xml")
        url_name = pointer.get("url_name") or pointer.get("name")
        if not url_name:
            raise _Fatal(NO_URL_NAME)
        if set(pointer.attrib) != {"url_name", "org", "course"} or len(pointer) or (pointer.text or "").strip():
            self.note(f"course.xml carries {sorted(pointer.attrib)}: not a pointer, so the course is parsed inline "
                      f"and course/{url_name}.xml is ignored")
            course = pointer
        else:
            relative = f"course/{url_name}.xml"
            if self.read(relative) is None:
                raise _Fatal(FAILED_TO_IMPORT_MODULE.format(url_name, self.target.usage_key("course", url_name)))
            course = self.parse(relative)
        self.load_policies(url_name)
        self.report.title = str(self.report.settings.get("display_name") or course.get("display_name") or "")
        self.walk(course, "course", url_name)
        self.load_assets()

    def load_policies(self, url_name: str) -> None:
        policy_path = next((p for p in (f"policies/{url_name}/policy.json", f"policies/{url_name}.json")
                            if self.read(p) is not None), None)
        if policy_path is None and any(n.startswith(self.path("policies/")) for n in self.files):
            self.note(f"no policies/{url_name}/policy.json: policies are looked up by course.xml's url_name")
        if policy_path is not None:
            policy = self.json(policy_path)
            if policy is None:
                self.note(f"{policy_path} is not valid JSON: ignored, so all its course settings are lost")
            elif isinstance(policy, dict):
                self.report.settings = dict(policy.get(f"course/{url_name}", {}))
        grading = self.read(f"policies/{url_name}/grading_policy.json")
        if grading is not None:
            parsed = self.json(f"policies/{url_name}/grading_policy.json")
            if parsed is None:
                self.note(f"policies/{url_name}/grading_policy.json is not valid JSON: default grading applies")
            else:
                self.grader_types = {g.get("type") for g in parsed.get("GRADER", []) if isinstance(g, dict)}
                if isinstance(parsed, dict):
                    self.report.grading = parsed

    def json(self, relative: str):  # noqa: ANN201 - parsed JSON or None
        try:
            return json.loads(self.read(relative).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None

    def walk(self, element: etree._Element, tag: str, url_name: str | None) -> None:
        self.count(tag, url_name)
        self.record(element, tag, url_name)
        if tag == "html":
            self.check_html(element, url_name)
        if tag == "sequential" and element.get("graded") == "true" and element.get("format"):
            if self.grader_types is not None and element.get("format") not in self.grader_types:
                self.note(f"sequential/{url_name}: format '{element.get('format')}' is not a GRADER type: never graded")
        for child in element:
            if not isinstance(child.tag, str):
                continue
            child_tag = child.tag
            child_name = child.get("url_name")
            if _is_pointer(child):
                relative = f"{child_tag}/{child_name.replace(':', '/')}.xml"
                if self.read(relative) is None:
                    raise _Fatal(FAILED_TO_IMPORT_MODULE.format(child_name, self.target.usage_key(child_tag, child_name)))
                self.walk(self.parse(relative), child_tag, child_name)
                continue
            if child_name and len(child) == 0 and self.read(f"{child_tag}/{child_name}.xml") is not None \
                    and child_tag not in ("discussion",):
                self.note(f"<{child_tag} url_name=\"{child_name}\"> has other attributes: an empty inline block; "
                          f"{child_tag}/{child_name}.xml is not used")
            if child_tag in BLOCK_TAGS:
                self.walk(child, child_tag, child_name)

    def record(self, element: etree._Element, tag: str, url_name: str | None) -> None:
        """Chapters and sequentials in course order, and the problems' weight in each sequential: what the
        grades, the gradebook and the grade report read."""
        if tag == "chapter":
            self.chapter = element.get("display_name") or url_name or ""
        elif tag == "sequential" and url_name:
            hidden = element.get("visible_to_staff_only") == "true" or element.get("hide_from_toc") == "true"
            self.report.subsections.append({
                "module_id": self.target.usage_key("sequential", url_name), "url_name": url_name,
                "display_name": element.get("display_name") or url_name, "chapter": getattr(self, "chapter", ""),
                "graded": element.get("graded") == "true", "format": element.get("format") or None,
                "visible": not hidden, "possible": 0.0})
        elif tag == "problem" and self.report.subsections:
            try:
                weight = float(element.get("weight") or 1)
            except ValueError:
                weight = 1.0
            self.report.subsections[-1]["possible"] += weight

    def count(self, tag: str, url_name: str | None) -> None:
        self.report.blocks[tag] += 1
        if not url_name:
            return
        names = self.seen.setdefault(tag, Counter())
        names[url_name] += 1
        if names[url_name] == 2 and tag in STATE_BEARING:
            self.note(f"duplicate url_name '{url_name}' for <{tag}>: renamed on import (links and learner state break)")

    def check_html(self, element: etree._Element, url_name: str | None) -> None:
        filename = element.get("filename")
        if filename is None:
            return
        relative = f"html/{filename}.html"
        if self.read(relative) is None:
            raise _Fatal(HTML_FILE_MISSING.format(relative))

    def load_assets(self) -> None:
        static = self.path("static") + "/"
        flattened: dict[str, str] = {}
        for name in sorted(self.files):
            if not name.startswith(static):
                continue
            relative = name[len(static):]
            base = posixpath.basename(relative)
            if base in IGNORED_ASSET_NAMES or base.startswith(IGNORED_ASSET_PREFIXES) or base.endswith("~"):
                continue
            asset = relative.replace("/", "_")  # subfolders are flattened
            if asset in flattened:
                self.note(f"static/{relative} and static/{flattened[asset]} both become asset '{asset}'")
            flattened[asset] = relative
        self.report.assets = sorted(flattened)

    def note(self, text: str) -> None:
        if text not in self.report.notes:
            self.report.notes.append(text)


def _is_pointer(element: etree._Element) -> bool:
    return set(element.attrib) == {"url_name"} and len(element) == 0 and not (element.text or "").strip()
