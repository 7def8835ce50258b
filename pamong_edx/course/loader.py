"""Course sources (docs/course-format.md) to the typed model, with every problem as a located diagnostic.

    course, diagnostics = load_course("course_src/tata-kelola-desa")

Loading never stops at the first problem and never raises for bad input: the course is returned only when
there are no errors. Block types come only from the plugin registry, built-in or third-party alike.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from pamong_edx.course.assets import CourseDir, PathProblem
from pamong_edx.course.cache import BuildCache
from pamong_edx.course.chapter_cache import ChapterRecord, Recording, replay, still_valid
from pamong_edx.course.context import LoadContext
from pamong_edx.course.codes import did_you_mean, whole_file
from pamong_edx.course.ids import derive_id, is_valid_id
from pamong_edx.course.markdown import engine_stamp
from pamong_edx.course.model import (
    Block, Certificate, Chapter, Course, GradedFormat, GradingPolicy, Location, Objective, Sequential, Signatory,
    Unit,
)
from pamong_edx.course.schema import (
    CERTIFICATE_KEYS, CHAPTER_KEYS, COURSE_KEYS, FORMAT_KEYS, GRADING_KEYS, KINDS, OBJECTIVE_KEYS, POOL_KEYS,
    SEQUENTIAL_KEYS, SHOW_ANSWER_VALUES, SIGNATORY_KEYS, UNIT_KEYS, block_keys,
)
from pamong_edx.course.values import parse_size
from pamong_edx.course.yamlsource import Fields, MappingNode, Node, ScalarNode, as_int, is_null, kind
from pamong_edx.diagnostics import Diagnostic, display_path
from pamong_edx import i18n
from pamong_edx.i18n import _
from pamong_edx.gc_pause import gc_paused

COURSE_FILE = "course.yaml"
# A language tag as BCP 47 writes one (`id`, `en`, `jv`, `pt-BR`); which ones a package can use is up to the caller.
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
MAX_COURSE_KEY_PARTS = 65  # Studio's limit on org + number + run
LINT_CODE = re.compile(r"W\d{3}\Z")
WEIGHT_SLACK = 0.001


@dataclass(frozen=True)
class Languages:
    """The course languages packages can be built in (tag -> where its pack comes from), and the language
    plugins that were skipped (tag -> why). The player knows them; the caller passes them in."""

    available: dict[str, str]
    skipped: dict[str, str] = field(default_factory=dict)


def load_course(path: str | os.PathLike, block_types: dict[str, Any] | None = None,
                languages: Languages | None = None, cache: BuildCache | None = None
                ) -> tuple[Course | None, list[Diagnostic]]:
    """Load a course directory (or its course.yaml). The course is None when there is any error.

    Without `languages`, any well-formed language tag is accepted. With a `cache`, chapter files that did not
    change since an earlier load come from it (course/chapter_cache.py)."""
    with gc_paused():
        return CourseLoader(Path(path), block_types, languages, cache).load()


def load_courses(paths: Iterable[str | os.PathLike], languages: Languages | None = None,
                 cache: BuildCache | None = None) -> tuple[list[Course], list[Diagnostic]]:
    """Load several course directories; returns the courses without errors and all diagnostics."""
    courses: list[Course] = []
    diagnostics: list[Diagnostic] = []
    for path in paths:
        course, found = load_course(path, languages=languages, cache=cache)
        diagnostics.extend(found)
        if course is not None:
            courses.append(course)
    return courses, diagnostics


class CourseLoader:
    def __init__(self, path: Path, block_types: dict[str, Any] | None = None, languages: Languages | None = None,
                 cache: BuildCache | None = None):
        if path.suffix in (".yaml", ".yml") and path.is_file():
            path, course_file = path.parent, path
        else:
            course_file = path / COURSE_FILE
        self.skipped_types: dict[str, str] = {}  # block plugins that failed to load, with the reason
        if block_types is None:
            from pamong_edx.plugins import block_types as registered, registry

            block_types = registered()
            self.skipped_types = {n: p.error for n, p in registry().plugins["block"].items() if not p.loaded}
        self.languages = languages
        self.cache = cache if cache is not None and cache.enabled else None
        # What chapter files loaded afresh leave for the next build (their records, their renderings), written
        # to the cache only after a load without errors.
        self.kept: list[tuple[str, object]] = []
        self.html_allowed = False
        self.dir = CourseDir.at(path)
        self.course_file = Path(os.path.abspath(course_file))
        self.ctx = LoadContext(self.dir, block_types)
        self.ctx.cache = self.cache
        self.block_keys: dict[str, frozenset[str] | None] = {}
        self.format_locs: dict[str, Location] = {}
        self.grading_loc: Location | None = None
        self.used_formats: dict[str, int] = defaultdict(int)  # format type -> graded sequentials using it
        self.course_max_attempts = 0
        # A chapter that could not be read hides what it references: skip the whole-course checks then.
        self.incomplete = False
        self.objectives: dict[str, Location] = {}  # objective id -> where it is declared
        self._engine: str | None = None

    def load(self) -> tuple[Course | None, list[Diagnostic]]:
        ctx = self.ctx
        if not self.dir.root.is_dir():
            if self.dir.root.exists():
                message = _("not a course directory: {path} is not a directory")
            else:
                message = _("not a course directory: {path} does not exist")
            ctx.error("E002", message.format(path=display_path(self.dir.root)), whole_file(self.dir.root))
            return None, ctx.diagnostics
        if not self.dir.contains(os.path.realpath(self.course_file)):
            # refused before it is opened: its text would be echoed in diagnostics
            ctx.error("E110", _("{file} is a symlink pointing outside the course directory; it is not read").format(
                file=COURSE_FILE), whole_file(self.course_file))
            return None, ctx.diagnostics
        if not self.course_file.is_file():
            ctx.error("E002", _("not a course directory: no {file} in {path}").format(
                file=COURSE_FILE, path=display_path(self.dir.root)), whole_file(self.dir.root))
            return None, ctx.diagnostics
        ctx.file = self.course_file
        node = ctx.compose(self.course_file, COURSE_FILE)
        fields = ctx.fields(node, COURSE_KEYS, COURSE_FILE) if node is not None else None
        if fields is None:
            return None, ctx.diagnostics
        self.html_allowed = ctx.boolean(fields, "html_assets", False)
        self.scan_assets(self.html_allowed)
        known = None
        if self.cache is not None:
            # the texts of course.yaml (and the Markdown files it names), as chapter files keep theirs
            ctx.recording = Recording({}, {}, 0, 0)
            known = self.cache.get(self.renderings_key(COURSE_FILE))
            if isinstance(known, dict):
                ctx.markdown_renderer.memo.update(known)
        try:
            course = self.course(fields)
        finally:
            outside, ctx.recording = ctx.recording, None
        if outside is not None:
            memo = ctx.markdown_renderer.memo
            renderings = {text: memo[text] for text in outside.texts if text in memo}
            if renderings != known:
                self.kept.append((self.renderings_key(COURSE_FILE), renderings))
        if not self.incomplete:
            self.check_grading(course)
            self.check_objectives()
            for name, asset in sorted(ctx.assets.items()):
                if name not in ctx.referenced:
                    ctx.warning("W204", _("asset is not referenced by the course: remove it or refer to it"),
                                whole_file(asset.path))
        has_errors = any(d.is_error for d in ctx.diagnostics)
        if self.cache is not None:
            if not has_errors:
                for key, value in self.kept:
                    self.cache.put(key, value)
            self.cache.save()
        return (None if has_errors else course), ctx.diagnostics

    def scan_assets(self, html_allowed: bool) -> None:
        ctx = self.ctx
        scan = self.dir.scan_assets(html_allowed, ctx.limits.markdown_size)
        ctx.assets = scan.assets
        ctx.refused_assets = set(scan.refused)
        for link in scan.escaping:
            ctx.error("E110", _("symlink under assets/ points outside the course directory; it is not packaged"),
                      whole_file(link))
        for path, code, message, line in scan.refused.values():
            ctx.error(code, message, Location(path, line or 1, 1))

    # ------------------------------------------------------------------------------------------- course

    def course(self, f: Fields) -> Course:
        ctx = self.ctx
        org, number, run = (self.course_part(f, key) for key in ("org", "number", "run"))
        if run:  # the run is the course's own url_name in Open edX: no element may take it
            ctx.ids.claim(run, f.loc_of("run"))
        if len(org) + len(number) + len(run) > MAX_COURSE_KEY_PARTS:
            ctx.error("E105", _("org, number and run are {n} characters together; Open edX allows at most {max}")
                      .format(n=len(org) + len(number) + len(run), max=MAX_COURSE_KEY_PARTS), f.loc_of("run"))
        title = ctx.string(f, "title", required=True)
        language = self.language(f)
        course = Course(org=org, number=number, run=run, title=title, language=language, root=self.dir.root,
                        loc=Location(self.course_file, 1, 1), assets=ctx.assets)
        course.key_locs = {key: f.key_loc(key) for key in f}
        course.start = ctx.date(f, "start")
        course.end = ctx.date(f, "end")
        if course.start and course.end and course.end <= course.start:
            ctx.error("E105", _("'end' must be after 'start'"), f.get("end"))
        course.self_paced = ctx.boolean(f, "self_paced", True)
        course.short_description = ctx.string(f, "short_description")
        if f.given("overview") and f.given("overview_file"):
            ctx.error("E105", _("give either 'overview' or 'overview_file', not both"), f.key_loc("overview_file"))
        overview = ctx.markdown(f, "overview") if f.given("overview") else ctx.markdown_file(f, "overview_file")
        course.overview_markdown, course.overview_html = overview.markdown, overview.html
        course.image = ctx.asset(f, "image", what=_("course image"))
        course.max_size = self.size(f, "max_size")
        ctx.max_attempts = self.course_max_attempts = ctx.integer(f, "max_attempts", 0)
        course.grading = self.grading(f)
        course.certificate = self.certificate(f)
        course.silence = self.silence(f)
        siblings: dict[str, int] = {}
        for item in ctx.sequence(f, "chapters", required=True, nonempty=True):
            in_own_file = isinstance(item, ScalarNode) and not is_null(item)
            chapter = self.chapter_file(item, siblings) if in_own_file else self.chapter(item, siblings)
            if chapter is not None:
                course.chapters.append(chapter)
            else:
                self.incomplete = True
        return course

    def language(self, f: Fields) -> str:
        """The course language: a well-formed tag, and one a player language pack serves when the caller says
        which do (built-in packs and language plugins)."""
        language = self.ctx.string(f, "language", required=True)
        if language and not LANGUAGE_TAG.fullmatch(language):
            self.ctx.error("E105", _("language '{language}' is not a language tag (write e.g. id or en)").format(
                language=language), f.get("language"))
            return language
        if self.languages is None:
            return language
        available = self.languages.available
        if language and language not in available:
            skipped = self.languages.skipped.get(language)
            why = _(" (its language plugin was skipped: {reason})").format(reason=skipped) if skipped else ""
            self.ctx.error("E105", _("language '{language}' has no player language pack{why}; available: "
                                     "{available}{hint}; install a language plugin to add one").format(
                language=language, why=why, available=", ".join(available), hint=did_you_mean(language, available)),
                f.get("language"))
        return language

    def course_part(self, f: Fields, key: str) -> str:
        value = self.ctx.string(f, key, required=True)
        if value and not is_valid_id(value):
            self.ctx.error("E105", _("'{key}' may hold only letters, digits, _ and -, not '{value}'").format(
                key=key, value=value), f.get(key))
        return value

    def size(self, f: Fields, key: str) -> int | None:
        node = self.ctx.scalar(f, key, expected=_("a size"))
        if node is None:
            return None
        value = as_int(node)
        if value is None:
            value = parse_size(node.value)
        if value is None or value <= 0:
            self.ctx.error("E105", _("'{key}' is not a size: '{value}' (write e.g. 5MB or 750KB)").format(
                key=key, value=node.value), node)
            return None
        return value

    def grading(self, f: Fields) -> GradingPolicy:
        ctx = self.ctx
        node = ctx.value(f, "grading")
        policy = GradingPolicy()
        if node is None:
            return policy
        g = ctx.fields(node, GRADING_KEYS, _("'grading'"))
        if g is None:
            return policy
        self.grading_loc = g.loc
        policy.pass_cutoff = ctx.number(g, "cutoff", policy.pass_cutoff)
        if not 0 < policy.pass_cutoff <= 1:
            ctx.error("E105", _("cutoff must be above 0 and at most 1, not {value:g}").format(value=policy.pass_cutoff),
                      g.get("cutoff"))
        for item in ctx.sequence(g, "formats"):
            ff = ctx.fields(item, FORMAT_KEYS, _("a grading format"))
            if ff is None:
                continue
            type_ = ctx.string(ff, "type", required=True)
            weight = ctx.number(ff, "weight", 0.0, minimum=0, required=True)
            if weight > 1:
                ctx.error("E105", _("weight must be at most 1, not {weight:g}").format(weight=weight), ff.get("weight"))
            fmt = GradedFormat(type=type_, short_label=ctx.string(ff, "short_label") or type_, weight=weight,
                               min_count=ctx.integer(ff, "min_count", 1), drop_count=ctx.integer(ff, "drop_count", 0))
            if type_ in self.format_locs:
                ctx.error("E105", _("grading format '{type}' is listed twice").format(type=type_), ff.get("type"))
                continue
            if type_:
                self.format_locs[type_] = ff.loc
                policy.formats.append(fmt)
        total = sum(fmt.weight for fmt in policy.formats)
        if policy.formats and abs(total - 1) > WEIGHT_SLACK:
            parts = " + ".join(f"{fmt.weight:g}" for fmt in policy.formats)
            ctx.error("E112", _("grading weights sum to {total:g} ({parts}), not 1").format(total=total, parts=parts),
                      g.loc_of("formats"))
        return policy

    def certificate(self, f: Fields) -> Certificate | None:
        ctx = self.ctx
        node = ctx.value(f, "certificate")
        c = ctx.fields(node, CERTIFICATE_KEYS, _("'certificate'")) if node is not None else None
        if c is None:
            return None
        certificate = Certificate(name=ctx.string(c, "name", required=True), description=ctx.string(c, "description"))
        roles: dict[str, int] = {}
        for item in ctx.sequence(c, "signatories"):
            s = ctx.fields(item, SIGNATORY_KEYS, _("a signatory"))
            if s is None:
                continue
            role = ctx.string(s, "role")
            if role and not is_valid_id(role):
                ctx.error("E105", _("role '{role}' may hold only letters, digits, _ and - (it is the key a "
                                    "deployment overlay names)").format(role=role), s.get("role"))
            elif role in roles:
                ctx.error("E106", _("duplicate signatory role '{role}' (first on line {line})").format(
                    role=role, line=roles[role]), s.get("role"))
            elif role:
                roles[role] = s.loc_of("role").line
            if not s.given("role") and not s.given("name"):
                ctx.error("E102", _("a signatory needs a 'role' (a deployment overlay then gives the name) or a "
                                    "'name'"), s)
            certificate.signatories.append(Signatory(
                name=ctx.string(s, "name"), title=ctx.string(s, "title", required=True),
                organization=ctx.string(s, "organization"), role=role))
        return certificate

    def silence(self, f: Fields) -> dict[str, str]:
        """`silence:` of an element: lint code -> the author's reason, both checked."""
        ctx = self.ctx
        node = ctx.value(f, "silence")
        if node is None:
            return {}
        if not isinstance(node, MappingNode):
            ctx.error("E103", _("'silence' must be a mapping from warning code to the reason, found {found}").format(
                found=kind(node)), node)
            return {}
        silenced: dict[str, str] = {}
        for key, value in node.value:
            code = key.value if isinstance(key, ScalarNode) else ""
            if not LINT_CODE.match(code):
                ctx.error("E105", _("'{code}' is not a warning code that can be silenced (W and three digits, "
                                    "e.g. W303)").format(code=code or kind(key)), key)
                continue
            reason = value.value.strip() if isinstance(value, ScalarNode) and not is_null(value) else ""
            if not reason:
                ctx.error("E105", _("silencing {code} needs the reason, as text: {code}: \"why this is right "
                                    "here\"").format(code=code), value)
                continue
            silenced[code] = reason
        return silenced

    # ------------------------------------------------------------------------------------------- structure

    def assign_id(self, f: Fields, parent_id: str, title: str, fallback: str, siblings: dict[str, int]) -> str:
        """The explicit `id`, else one derived from the titles; reports bad and duplicate identifiers."""
        ctx = self.ctx
        node = f.get("id")
        if not is_null(node):
            if not isinstance(node, ScalarNode):
                ctx.error("E103", _("'id' must be text, found {found}").format(found=kind(node)), node)
            elif not is_valid_id(node.value):
                ctx.error("E105", _("identifier '{id}' may hold only letters, digits, _ and -, at most 64 characters")
                          .format(id=node.value), node)
            else:
                first = ctx.claim(node.value, f.loc_of("id"))
                if first is not None:
                    ctx.error("E106", _("duplicate identifier '{id}' (first used at {where})").format(
                        id=node.value, where=first), node)
                return node.value
        value = ctx.ids.derived(derive_id(parent_id, title, fallback), siblings)
        first = ctx.claim(value, f.loc)
        if first is not None:
            ctx.error("E106", _("identifier '{id}' derived from the title is already used at {where}; give this "
                                "element an explicit id").format(id=value, where=first), f)
        return value

    def chapter_file(self, item: ScalarNode, siblings: dict[str, int]) -> Chapter | None:
        ctx = self.ctx
        try:
            _unused, path = self.dir.resolve(item.value, "E002", _("chapter file"))
        except PathProblem as problem:
            ctx.error(problem.code, problem.message, item)
            return None
        key = self.chapter_key(item.value, path)
        if key is not None:
            cached = self.cached_chapter(key, siblings)
            if cached is not None:
                return cached
            # the file changed, most of its texts did not: what they rendered to last time is known
            renderings = self.cache.get(self.renderings_key(item.value))
            if isinstance(renderings, dict):
                ctx.markdown_renderer.memo.update(renderings)
        outer = ctx.file
        if key is not None:
            outer_recording, ctx.recording = ctx.recording, Recording(
                siblings, self.used_formats, len(ctx.diagnostics), len(ctx.objective_refs))
        else:
            outer_recording = ctx.recording
        ctx.file = path
        try:
            node = ctx.compose(path, _("chapter file '{path}'").format(path=item.value))
            chapter = self.chapter(node, siblings) if node is not None else None
        finally:
            ctx.file = outer
            recording, ctx.recording = ctx.recording, outer_recording
        if key is not None and chapter is not None:
            paths = {name: asset.path for name, asset in ctx.assets.items()}
            record = recording.finish(chapter, siblings, self.used_formats, ctx.diagnostics, paths, self.cache,
                                      ctx.objective_refs)
            if not any(d.is_error for d in record.diagnostics):
                memo = ctx.markdown_renderer.memo
                self.kept.append((self.record_key(key), record))
                self.kept.append((self.renderings_key(item.value),
                                  {text: memo[text] for text in recording.texts if text in memo}))
                self.cache.remember_source(chapter, self.source_key(key, record))
        return chapter

    # ------------------------------------------------------------------------------------------- build cache

    def chapter_key(self, raw: str, path: Path) -> str | None:
        """The cache key of a chapter file: its bytes (by digest) and what of the course around it shapes it."""
        if self.cache is None:
            return None
        digest = self.cache.digest(path)
        if digest is None:
            return None
        ctx = self.ctx
        types = sorted((name, getattr(t, "component", ""), getattr(t, "version", ""), f"{t.__module__}.{t.__qualname__}")
                       for name, t in ctx.block_types.items())
        context = (str(self.dir.root), raw, types, sorted(self.skipped_types.items()), self.course_max_attempts,
                   sorted(self.format_locs), ctx.limits)
        return self.cache.key("chapter", digest, context)

    def record_key(self, key: str) -> str:
        """Where a chapter file's record is kept: its warnings are messages in the language of the run that made
        them, so each language has its own (what exporters key by, source_key, does not depend on it)."""
        return self.cache.key("chapter-record", key, i18n.language())

    def renderings_key(self, raw: str) -> str:
        """Where the Markdown renderings of a chapter file (or of course.yaml) are kept: by its place, each under
        its own text, for the markdown-it installed (known without importing it)."""
        if self._engine is None:
            self._engine = engine_stamp()
        return self.cache.key("renderings", str(self.dir.root), raw, self._engine)

    def cached_chapter(self, key: str, siblings: dict[str, int]) -> Chapter | None:
        ctx = self.ctx
        record = self.cache.get(self.record_key(key))
        if not isinstance(record, ChapterRecord) or not hasattr(record, "objective_refs") or not still_valid(
                record, self.cache, ctx.assets):
            return None
        declared = record.chapter.objectives
        if any(o.id in self.objectives for o in declared):  # loaded afresh, so that the clash is reported
            return None
        if not replay(record, ctx.ids.first_use, siblings):
            return None
        self.objectives.update((o.id, o.loc) for o in declared)
        ctx.objective_refs.extend(record.objective_refs)
        ctx.referenced.update(record.referenced)
        for name, count in record.formats.items():
            self.used_formats[name] += count
        ctx.diagnostics.extend(record.diagnostics)
        self.cache.remember_source(record.chapter, self.source_key(key, record))
        return record.chapter

    def source_key(self, key: str, record: ChapterRecord) -> str:
        """What an exporter keys a chapter's output by: its file and every file it was made from."""
        return self.cache.key("chapter-sources", key, record.read, record.assets)

    def chapter(self, node: Node, siblings: dict[str, int]) -> Chapter | None:
        ctx = self.ctx
        cf = ctx.fields(node, CHAPTER_KEYS, _("a chapter"))
        if cf is None:
            return None
        title = ctx.string(cf, "title", required=True)
        chapter = Chapter(id=self.assign_id(cf, "", title, "chapter", siblings), title=title, loc=cf.loc,
                          start=ctx.date(cf, "start"))
        chapter.objectives = self.chapter_objectives(cf)
        ctx.chapter = chapter
        seq_siblings: dict[str, int] = {}
        for item in ctx.sequence(cf, "sequentials", required=True, nonempty=True):
            seq = self.sequential(item, chapter, seq_siblings)
            if seq is not None:
                chapter.sequentials.append(seq)
        return chapter

    def chapter_objectives(self, cf: Fields) -> list[Objective]:
        ctx = self.ctx
        objectives = []
        for item in ctx.sequence(cf, "objectives"):
            of = ctx.fields(item, OBJECTIVE_KEYS, _("an objective"))
            if of is None:
                continue
            oid, text = ctx.string(of, "id", required=True), ctx.string(of, "text", required=True)
            if oid and not is_valid_id(oid):
                ctx.error("E105", _("objective id '{id}' may hold only letters, digits, _ and -, at most 64 "
                                    "characters").format(id=oid), of.get("id"))
                continue
            if oid in self.objectives:
                ctx.error("E106", _("duplicate objective id '{id}' (first declared at {where})").format(
                    id=oid, where=self.objectives[oid]), of.get("id"))
                continue
            if oid:
                self.objectives[oid] = of.loc_of("id")
                objectives.append(Objective(oid, text, of.loc))
        return objectives

    def check_objectives(self) -> None:
        """Every objective a problem names is declared in some chapter."""
        declared = list(self.objectives)
        for oid, loc in self.ctx.objective_refs:
            if oid not in self.objectives:
                hint = did_you_mean(oid, declared) or (_(" (declared: {ids})").format(ids=", ".join(declared))
                                                  if declared else _(" (no chapter declares objectives)"))
                self.ctx.error("E105", _("objective '{id}' is declared in no chapter's 'objectives'{hint}").format(
                    id=oid, hint=hint), loc)

    def sequential(self, node: Node, chapter: Chapter, siblings: dict[str, int]) -> Sequential | None:
        ctx = self.ctx
        sf = ctx.fields(node, SEQUENTIAL_KEYS, _("a sequential"))
        if sf is None:
            return None
        title = ctx.string(sf, "title", required=True)
        seq = Sequential(id=self.assign_id(sf, chapter.id, title, "sequential", siblings), title=title, loc=sf.loc,
                         kind=ctx.one_of(sf, "kind", KINDS, "lesson"))  # type: ignore[arg-type]
        seq.format = ctx.string(sf, "format")
        seq.graded = ctx.boolean(sf, "graded", bool(seq.format))
        if seq.graded:
            self.check_format(sf, seq)
        seq.due = ctx.date(sf, "due")
        seq.shuffle = ctx.boolean(sf, "shuffle")
        seq.show_answer = ctx.one_of(sf, "show_answer", SHOW_ANSWER_VALUES, seq.show_answer)  # type: ignore
        seq.silence = self.silence(sf)
        ctx.sequential = seq
        ctx.max_attempts = ctx.integer(sf, "max_attempts", self.course_max_attempts)
        if sf.given("max_attempts"):
            seq.max_attempts = ctx.max_attempts
        unit_siblings: dict[str, int] = {}
        for item in ctx.sequence(sf, "units", required=True, nonempty=True):
            unit = self.unit(item, seq, unit_siblings)
            if unit is not None:
                seq.units.append(unit)
        ctx.max_attempts = self.course_max_attempts
        if seq.graded and seq.units and not seq.problems():
            ctx.error("E113", _("graded sequential '{title}' holds no problem, so it can never be scored").format(
                title=title), sf)
        return seq

    def check_format(self, sf: Fields, seq: Sequential) -> None:
        ctx = self.ctx
        if not seq.format:
            ctx.error("E102", _("a graded sequential needs 'format' naming a grading format"), sf.key_loc("graded"))
            return
        self.used_formats[seq.format] += 1
        known = list(self.format_locs)
        if seq.format in self.format_locs:
            return
        if known:
            ctx.error("E111", _("format '{format}' is not in the grading policy{hint} (formats: {formats})").format(
                format=seq.format, hint=did_you_mean(seq.format, known), formats=", ".join(known)), sf.get("format"))
        else:
            ctx.error("E111", _("format '{format}' is not in the grading policy: the course defines no grading "
                                "formats (add grading: formats: [{{type: {format}, weight: 1}}])").format(
                format=seq.format), sf.get("format"))

    def unit(self, node: Node, seq: Sequential, siblings: dict[str, int]) -> Unit | None:
        ctx = self.ctx
        uf = ctx.fields(node, UNIT_KEYS, _("a unit"))
        if uf is None:
            return None
        title = ctx.string(uf, "title", required=True)
        unit = Unit(id=self.assign_id(uf, seq.id, title, "unit", siblings), title=title, loc=uf.loc)
        ctx.unit = unit
        block_siblings: dict[str, int] = {}
        weighted: set[int] = set()  # blocks that state their weight
        for item in ctx.sequence(uf, "blocks", required=True, nonempty=True):
            block = self.block(item, unit, block_siblings)
            if block is not None:
                unit.blocks.append(block)
                if isinstance(item, MappingNode) and any(isinstance(k, ScalarNode) and k.value == "weight"
                                                         for k, _ in item.value):
                    weighted.add(id(block))
        if uf.given("pool"):
            self.pool(uf, unit, weighted)
        return unit

    def pool(self, uf: Fields, unit: Unit, weighted: set[int]) -> None:
        """`pool: {draw: K}`: K of the unit's N problems per attempt, after at most one leading block of
        instructions; equal weights unless every pooled problem states its own."""
        ctx = self.ctx
        pf = ctx.fields(ctx.value(uf, "pool"), POOL_KEYS, _("a pool"))
        if pf is None:
            return
        draw = ctx.integer(pf, "draw", 0, minimum=1)
        if not pf.given("draw"):
            ctx.error("E102", _("missing required key 'draw' in a pool (how many problems each attempt draws)"), pf)
        problems = [b for b in unit.blocks if b.is_problem]
        for position, block in enumerate(unit.blocks):
            if not block.is_problem and position > 0:
                ctx.error("E105", _("a pool unit holds only problems, after at most one leading block of "
                                    "instructions; move {type} block '{id}' to another unit").format(
                    type=block.type, id=block.id), block.loc)
        if not problems:
            ctx.error("E105", _("a pool unit holds no problem to draw from"), uf.loc_of("pool"))
            return
        if draw > len(problems):
            ctx.error("E105", _("the pool draws {k} of only {n} problems: draw at most {n} or add problems").format(
                k=draw, n=len(problems)), pf.get("draw"))
        stated = [p for p in problems if id(p) in weighted]
        if stated and len(stated) < len(problems):
            ctx.error("E105", _("{stated} of the {n} pooled problems state a weight: state it on every pooled "
                                "problem or on none, so that every draw is scored alike").format(
                stated=len(stated), n=len(problems)), uf.loc_of("pool"))
        if 1 <= draw <= len(problems):
            unit.pool_draw = draw

    def block(self, node: Node, unit: Unit, siblings: dict[str, int]) -> Block | None:
        ctx = self.ctx
        if not isinstance(node, MappingNode):
            ctx.error("E103", _("a block must be a mapping with a 'type', found {found}").format(found=kind(node)),
                      node)
            return None
        type_node = next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == "type"), None)
        if is_null(type_node):
            ctx.error("E102", _("missing required key 'type' in a block"), node)
            return None
        if not isinstance(type_node, ScalarNode):
            ctx.error("E103", _("'type' must be a block type name, found {found}").format(found=kind(type_node)),
                      type_node)
            return None
        name = type_node.value
        block_type = ctx.block_types.get(name)
        if block_type is None:
            if name in self.skipped_types:
                why = _(" (its plugin was skipped: {reason}; see `pamong plugins`)").format(
                    reason=self.skipped_types[name])
            else:
                why = did_you_mean(name, ctx.block_types)
            ctx.error("E104", _("unknown block type '{name}'{why}").format(name=name, why=why), type_node)
            return None
        if name not in self.block_keys:
            self.block_keys[name] = block_keys(block_type)
        allowed = self.block_keys[name]
        bf = ctx.fields(node, allowed if allowed is not None else _AnyKey(), _("a {type} block").format(type=name))
        title = ctx.string(bf, "title")
        ctx.block_type = name
        ctx.id = self.assign_id(bf, unit.id, title, name, siblings)
        ctx.title = title or unit.title
        ctx.loc = bf.loc
        plugin = getattr(block_type, "component", "") or name
        try:
            block = block_type.build(bf, ctx)
        except Exception as exc:  # a third-party plugin's bug costs this block, not the whole run
            ctx.error("E116", _("the {plugin} plugin failed on this block: {kind}: {detail} (the block is skipped; "
                                "report it to the plugin's authors, see `pamong plugins`)").format(
                plugin=plugin, kind=type(exc).__name__, detail=exc), bf)
            return None
        if not isinstance(block, Block):
            ctx.error("E116", _("the {plugin} plugin built {kind} instead of a block (report it to the plugin's "
                                "authors, see `pamong plugins`)").format(plugin=plugin, kind=type(block).__name__), bf)
            return None
        if bf.given("silence"):
            block.silence = self.silence(bf)
        return block

    # ------------------------------------------------------------------------------------------- grading

    def check_grading(self, course: Course) -> None:
        ctx = self.ctx
        policy = course.grading
        for fmt in policy.formats:
            if not self.used_formats.get(fmt.type):
                ctx.warning("W203", _("grading format '{type}' is used by no sequential: give a graded sequential "
                                      "'format: {type}' or remove it").format(type=fmt.type),
                            self.format_locs[fmt.type])
        if self.grading_loc is None or not 0 < policy.pass_cutoff <= 1:
            return
        if abs(sum(fmt.weight for fmt in policy.formats) - 1) > WEIGHT_SLACK and policy.formats:
            return  # E112 already says what to fix
        best = sum(fmt.weight * best_fraction(fmt, self.used_formats.get(fmt.type, 0)) for fmt in policy.formats)
        if best + 1e-9 < policy.pass_cutoff:
            ctx.error("E113", _("the course cannot be passed: the best possible grade is {best:.2f}, below the cutoff "
                                "{cutoff:g} (check min_count, drop_count and which formats sequentials use)").format(
                best=best, cutoff=policy.pass_cutoff), self.grading_loc)


def best_fraction(fmt: GradedFormat, count: int) -> float:
    """The best score a format can give with `count` graded sequentials, as Open edX averages it:
    missing assessments (up to min_count) count as zeros, then the drop_count lowest scores are dropped."""
    kept = max(count, fmt.min_count) - fmt.drop_count
    return min(count, kept) / kept if kept > 0 else 0.0


class _AnyKey:
    """The allowed keys of a block type whose plugin declares no schema."""

    def __contains__(self, key: object) -> bool:
        return True

    def __iter__(self):
        return iter(())
