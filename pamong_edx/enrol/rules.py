"""Enrolment rules: which courses each official gets, and which cohort they join in each course.

Rules come from a YAML file (see docs/enrol.md) or, for the common case, from the command line
(`--course KEY --cohort-by kabupaten`). Either way they become the same `Rules` value. The file is read
as a YAML node tree rather than plain data so that every error names its file, line and column.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import string
from collections.abc import Callable
from itertools import accumulate
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pamong_edx.diagnostics import Diagnostic, Location, register
from pamong_edx.errors import PamongError
from pamong_edx.i18n import N_, _
from pamong_edx.regions.codes import normalise_code
from pamong_edx.roster.positions import CANONICAL, canonical_position

COHORT_LEVELS = {"provinsi": 1, "kabupaten": 2, "kecamatan": 3, "desa": 4}
DEFAULT_COHORT_NAME = "{kode} {nama}"
COHORT_FIELDS = {"kode", "nama"}
MAX_COHORT_NAME = 255  # Open edX CourseUserGroup.name
# A course key is sent comma-joined in Open edX bulk enrol and as a form field in Moodle: no commas or spaces.
COURSE_KEY = re.compile(r"^[^\s,]+$")
MODE = re.compile(r"^[a-z][a-z0-9_-]*$")


# The rules file's diagnostics (pamong_edx/diagnostics.py), each located at its line and column.
for _code, _name, _summary in (
    ("RUL001", "rules-not-yaml", N_("not valid YAML, or nested deeper than a rules file needs")),
    ("RUL003", "rules-unknown-key", N_("unknown or repeated key")),
    ("RUL004", "rules-wrong-kind", N_("a value of the wrong kind (text, true/false, list, mapping; version not 1)")),
    ("RUL005", "rules-missing", N_("empty file, no courses, or a course entry without course")),
    ("RUL006", "rules-cohort-level", N_("unknown cohort level")),
    ("RUL007", "rules-cohort-name", N_("cohort name template with a field other than {kode}/{nama}, or none")),
    ("RUL008", "rules-region-code", N_("a region that is not a region code")),
    ("RUL009", "rules-course-twice", N_("a course listed twice")),
    ("RUL010", "rules-course-key", N_("a course key with a space or comma")),
    ("RUL011", "rules-no-courses", N_("courses empty or not a list")),
    ("RUL012", "rules-empty-list", N_("an empty list or a blank position")),
    ("RUL013", "rules-mode", N_("a malformed mode name")),
    ("RUL014", "rules-position", N_("a position that is not a village government position")),
    ("RUL015", "rules-region-unknown", N_("a region code that is not in the region file")),
):
    register(_code, _name, _summary)


def located(path: str, line: int, col: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(code, message, Location(path, line, col))


class RulesError(PamongError):
    """The rules file has errors; `diagnostics` lists each with its place."""

    def __init__(self, path: str, diagnostics: list[Diagnostic]) -> None:
        count = len(diagnostics)
        plural = "s" if count != 1 else ""
        super().__init__(f"{path}: {count} error{plural} in the enrolment rules; fix them and run again")
        self.diagnostics = diagnostics


def position_key(position: str) -> str:
    """Positions compare without regard to case or spacing ("KEPALA  DESA" is "Kepala Desa")."""
    return " ".join(position.split()).casefold()


def in_region(code: str, prefix: str) -> bool:
    return code == prefix or code.startswith(prefix + ".")


@dataclass(frozen=True)
class CohortRule:
    """One cohort per region at `level` (1 provinsi .. 4 desa), named by the template `name` ({kode}, {nama}).

    Level None: no cohorts."""

    level: int | None = None
    name: str = DEFAULT_COHORT_NAME

    def cohort_code(self, region: str) -> str | None:
        """The code of the region, at this rule's level, that a village code belongs to."""
        if self.level is None:
            return None
        parts = region.split(".")
        if len(parts) < self.level:
            return None
        return ".".join(parts[: self.level])

    def render(self, code: str, name: str) -> str:
        return self.name.format(kode=code, nama=name).strip()


@dataclass(frozen=True)
class CourseRule:
    course: str
    positions: frozenset[str] = frozenset()  # position keys; empty: every position
    regions: tuple[str, ...] = ()  # dotted region code prefixes; empty: everywhere
    cohort: CohortRule = CohortRule()
    mode: str | None = None  # None: the LMS's default mode
    auto_enroll: bool = True
    email_students: bool = False
    line: int = 0  # where the rules file lists it (0: from the command line)

    def applies(self, position: str, region: str) -> bool:
        if self.positions and position_key(position) not in self.positions:
            return False
        return not self.regions or any(in_region(region, p) for p in self.regions)


@dataclass(frozen=True)
class Rules:
    courses: tuple[CourseRule, ...]
    source: str = "command line"
    raw: dict = field(default_factory=dict, compare=False)  # a JSON-able description, for the journal

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.raw, sort_keys=True, default=str).encode()).hexdigest()[:16]

    @property
    def course_keys(self) -> list[str]:
        return [c.course for c in self.courses]

    def courses_for(self, position: str, region: str) -> list[CourseRule]:
        return [c for c in self.courses if c.applies(position, region)]


def check_regions(rules: Rules, known: Callable[[str], bool]) -> list[str]:
    """Region prefixes in the rules that the region file does not have, as located messages."""
    problems = []
    for rule in rules.courses:
        for code in rule.regions:
            if not known(code):
                problems.append(str(located(rules.source, rule.line, 0, "RUL015", _(
                    "course {course}: region {code} is not in the region file; check the code (e.g. with pamong "
                    "regions show)").format(course=rule.course, code=code))))
    return problems


def rules_from_options(
    courses: list[str],
    cohort_by: str | None,
    *,
    cohort_name: str = DEFAULT_COHORT_NAME,
    mode: str | None = None,
    auto_enroll: bool = True,
    email_students: bool = False,
) -> Rules:
    """The rules of `--course KEY ... --cohort-by LEVEL`: every official into every course."""
    from pamong_edx.errors import UsageError

    seen: set[str] = set()
    for key in courses:
        if not COURSE_KEY.match(key):
            raise UsageError(f"--course '{key}': a course key has no spaces or commas")
        if key in seen:
            raise UsageError(f"--course {key} is given twice")
        seen.add(key)
    if mode is not None and not MODE.match(mode):
        raise UsageError(f"--mode '{mode}': use a mode name such as audit or honor")
    problem = _template_problem(cohort_name)
    if problem:
        raise UsageError(f"--cohort-name: {problem}")
    cohort = CohortRule(COHORT_LEVELS[cohort_by] if cohort_by and cohort_by != "none" else None, cohort_name)
    rules = tuple(
        CourseRule(course=k, cohort=cohort, mode=mode, auto_enroll=auto_enroll, email_students=email_students)
        for k in courses
    )
    raw = {
        "courses": list(courses), "cohort_by": cohort_by, "cohort_name": cohort_name, "mode": mode,
        "auto_enroll": auto_enroll, "email_students": email_students,
    }
    return Rules(courses=rules, source="command line", raw=raw)


def _template_problem(template: str) -> str | None:
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:
        return f"'{template}' is not a valid name template ({exc}); use {{kode}} and {{nama}}"
    unknown = fields - COHORT_FIELDS
    if unknown:
        named = ", ".join("{" + f + "}" for f in sorted(unknown))
        return f"'{template}' uses {named}; only {{kode}} and {{nama}} exist"
    if not fields:
        return f"'{template}' names every cohort the same; include {{kode}} or {{nama}}"
    return None


# ---------------------------------------------------------------------------------------------------- the file

TOP_KEYS = {"version", "cohorts", "defaults", "courses"}
DEFAULT_KEYS = {"mode", "auto_enroll", "email_students"}
COHORT_KEYS = {"by", "name"}
COURSE_KEYS = {"course", "positions", "regions", "cohorts", "mode", "auto_enroll", "email_students"}


def _as_mapping(key: str, value: yaml.ScalarNode) -> yaml.MappingNode:
    key_node = yaml.ScalarNode("tag:yaml.org,2002:str", key, value.start_mark, value.end_mark)
    return yaml.MappingNode("tag:yaml.org,2002:map", [(key_node, value)], value.start_mark, value.end_mark)


class _Reader:
    """Walks the YAML node tree, collecting located diagnostics instead of stopping at the first."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = []

    def error(self, node: yaml.Node, code: str, message: str) -> None:
        mark = node.start_mark
        self.diagnostics.append(located(self.path, mark.line + 1, mark.column + 1, code, message))

    def mapping(self, node: yaml.Node, what: str, known: set[str]) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, "RUL004", f"{what} must be a mapping of keys to values")
            return {}
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            if key not in known:
                close = difflib.get_close_matches(key, sorted(known), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(sorted(known))}"
                self.error(key_node, "RUL003", f"unknown key '{key}' in {what}{hint}")
                continue
            if key in out:
                self.error(key_node, "RUL003", f"'{key}' is given twice in {what}")
                continue
            out[key] = (key_node, value_node)
        return out

    def text(self, node: yaml.Node, what: str) -> str | None:
        """A scalar as written (so `18.71` stays "18.71", not a float)."""
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null" or node.value == "":
            self.error(node, "RUL004", f"{what} must be a text value")
            return None
        return node.value

    def boolean(self, node: yaml.Node, what: str) -> bool | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
            return node.value.lower() in ("true", "yes", "on", "y")
        self.error(node, "RUL004", f"{what} must be true or false")
        return None

    def text_list(self, node: yaml.Node, what: str) -> list[tuple[yaml.Node, str]]:
        items = node.value if isinstance(node, yaml.SequenceNode) else None
        if items is None:
            if isinstance(node, yaml.ScalarNode) and node.value:
                items = [node]  # a single value is a list of one
            else:
                self.error(node, "RUL004", f"{what} must be a list")
                return []
        if not items:
            self.error(node, "RUL012", f"{what} is empty; leave the key out to mean all")
        out = []
        for item in items:
            value = self.text(item, f"each entry of {what}")
            if value is not None:
                out.append((item, value))
        return out

    # ------------------------------------------------------------------ sections

    def cohort(self, node: yaml.Node, what: str, base: CohortRule) -> CohortRule:
        if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:null":
            node = _as_mapping("by", node)  # "cohorts: kabupaten" is short for "cohorts: {by: kabupaten}"
        keys = self.mapping(node, what, COHORT_KEYS)
        level, name = base.level, base.name
        if "by" in keys:
            by = self.text(keys["by"][1], f"{what}: by")
            if by is not None:
                if by in COHORT_LEVELS:
                    level = COHORT_LEVELS[by]
                elif by == "none":
                    level = None
                else:
                    self.error(keys["by"][1], "RUL006",
                               f"cohorts by '{by}': use one of provinsi, kabupaten, kecamatan, desa or none")
        if "name" in keys:
            value = self.text(keys["name"][1], f"{what}: name")
            if value is not None:
                problem = _template_problem(value)
                if problem:
                    self.error(keys["name"][1], "RUL007", problem)
                else:
                    name = value
        return CohortRule(level, name)

    def options(self, keys: dict, what: str, base: dict) -> dict:
        out = dict(base)
        if "mode" in keys:
            mode = self.text(keys["mode"][1], f"{what}: mode")
            if mode is not None and not MODE.match(mode):
                self.error(keys["mode"][1], "RUL013", f"mode '{mode}': use a mode name such as audit or honor")
            elif mode is not None:
                out["mode"] = mode
        for flag in ("auto_enroll", "email_students"):
            if flag in keys:
                value = self.boolean(keys[flag][1], f"{what}: {flag}")
                if value is not None:
                    out[flag] = value
        return out

    def course(
        self, node: yaml.Node, index: int, cohort: CohortRule, defaults: dict, seen: dict[str, int]
    ) -> CourseRule | None:
        what = f"course entry {index + 1}"
        if isinstance(node, yaml.ScalarNode):  # "- course-v1:X+Y+Z" is a course for everyone
            node = _as_mapping("course", node)
        keys = self.mapping(node, what, COURSE_KEYS)
        if not keys and isinstance(node, yaml.MappingNode):
            if not node.value:
                self.error(node, "RUL005", f"{what} is empty; give at least 'course: KEY'")
            return None
        if "course" not in keys:
            self.error(node, "RUL005",
                       f"{what} has no 'course' key; give the LMS course key, e.g. course-v1:ORG+NUMBER+RUN")
            return None
        key_node = keys["course"][1]
        key = self.text(key_node, f"{what}: course")
        if key is None:
            return None
        if not COURSE_KEY.match(key):
            self.error(key_node, "RUL010", f"course key '{key}' has a space or a comma; a course key has neither")
            return None
        if key in seen:
            self.error(key_node, "RUL009", f"course {key} is already listed at line {seen[key]}; one entry per course "
                       "(list several positions or regions in it)")
            return None
        seen[key] = key_node.start_mark.line + 1
        positions: set[str] = set()
        if "positions" in keys:
            for item, value in self.text_list(keys["positions"][1], f"{what}: positions"):
                canonical = canonical_position(value)  # the roster reader gives positions in this form too
                if canonical is None:
                    self.error(item, "RUL014", f"'{value}' is not a position of Permendagri 84/2015; write one of "
                               f"{', '.join(CANONICAL)} (or a common short form such as Kades, Sekdes, Kadus)")
                else:
                    positions.add(position_key(canonical))
        regions: list[str] = []
        if "regions" in keys:
            for item, value in self.text_list(keys["regions"][1], f"{what}: regions"):
                code = normalise_code(value)
                if code is None:
                    self.error(item, "RUL008", f"region '{value}' is not a region code; write e.g. 18 (provinsi), "
                               "18.71 (kabupaten/kota) or 18.71.01 (kecamatan)")
                else:
                    regions.append(code)
        course_cohort = self.cohort(keys["cohorts"][1], f"{what}: cohorts", cohort) if "cohorts" in keys else cohort
        opts = self.options(keys, what, defaults)
        return CourseRule(
            course=key, positions=frozenset(positions), regions=tuple(regions), cohort=course_cohort,
            mode=opts["mode"], auto_enroll=opts["auto_enroll"], email_students=opts["email_students"],
            line=key_node.start_mark.line + 1,
        )


def load_rules(path: Path) -> Rules:
    """Read and check a rules file; raise RulesError listing every problem with its line and column."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PamongError(f"{where}: no such rules file") from None
    except UnicodeDecodeError:
        raise PamongError(f"{where}: not UTF-8 text; save the rules file as UTF-8") from None
    except OSError as exc:
        raise PamongError(f"{where}: cannot read: {exc.strerror}") from None
    return parse_rules(text, where)


MAX_RULES_CHARS = 1_000_000  # a national rules file is a few kilobytes
MAX_FLOW_DEPTH = 20  # [ and { nested; PyYAML's scanner slows with the square of the depth
_QUOTED_OR_COMMENT = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\']|\'\')*\'|#[^\n]*')
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _too_big(text: str) -> str:
    """Why a text cannot be a rules file before YAML reads it, or ""."""
    if len(text) > MAX_RULES_CHARS:
        return _("the file has {n:,} characters, more than a rules file needs ({limit:,})").format(
            n=len(text), limit=MAX_RULES_CHARS)
    brackets = _NOT_BRACKETS.sub("", _QUOTED_OR_COMMENT.sub("", text))
    if max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > MAX_FLOW_DEPTH:
        return _("lists or mappings nested deeper than a rules file needs ({limit} levels)").format(
            limit=MAX_FLOW_DEPTH)
    return ""


def parse_rules(text: str, where: str) -> Rules:
    reader = _Reader(where)
    problem = _too_big(text)
    if problem:
        raise RulesError(where, [located(where, 1, 1, "RUL001", problem)])
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)  # not every YAMLError is located
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = getattr(exc, "problem", None) or str(exc)
        raise RulesError(where, [located(where, line, col, "RUL001", f"not valid YAML: {problem}")]) from None
    except RecursionError:
        deep = _("lists or mappings nested deeper than a rules file needs; it is not a rules file")
        raise RulesError(where, [located(where, 1, 1, "RUL001", deep)]) from None
    if root is None:
        empty = "the rules file is empty; list at least one course under 'courses:'"
        raise RulesError(where, [located(where, 1, 1, "RUL005", empty)])
    alias = _first_alias(root)
    if alias is not None:
        mark = alias.start_mark
        message = _("anchors and aliases (& and *) are not used in rules files; write each value out")
        raise RulesError(where, [located(where, mark.line + 1, mark.column + 1, "RUL004", message)])
    top = reader.mapping(root, "the rules file", TOP_KEYS)
    if "version" in top:
        node = top["version"][1]
        if not (isinstance(node, yaml.ScalarNode) and node.value == "1"):
            reader.error(node, "RUL004", "version must be 1 (the only rules format so far)")
    cohort = reader.cohort(top["cohorts"][1], "cohorts", CohortRule()) if "cohorts" in top else CohortRule()
    defaults = {"mode": None, "auto_enroll": True, "email_students": False}
    if "defaults" in top:
        defaults = reader.options(reader.mapping(top["defaults"][1], "defaults", DEFAULT_KEYS), "defaults", defaults)
    courses: list[CourseRule] = []
    if "courses" not in top:
        if isinstance(root, yaml.MappingNode):
            reader.error(root, "RUL005", "no 'courses:' list; name at least one course")
    else:
        node = top["courses"][1]
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            reader.error(node, "RUL011", "'courses' must be a list with at least one course")
        else:
            seen: dict[str, int] = {}
            for i, item in enumerate(node.value):
                rule = reader.course(item, i, cohort, defaults, seen)
                if rule is not None:
                    courses.append(rule)
    if reader.diagnostics:
        raise RulesError(where, reader.diagnostics)
    raw = {"source": where, "rules": yaml.safe_load(text)}
    return Rules(courses=tuple(courses), source=where, raw=raw)


def _first_alias(root: yaml.Node) -> yaml.Node | None:
    """A node met twice in the tree (an alias), found in one pass: a rules file has no use for them, and the
    journal's record of the rules would expand them (an alias bomb)."""
    seen: set[int] = set()
    todo = [root]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            return node
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            todo.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
    return None
