"""What the preview shows: the course as last loaded, its diagnostics, and its pages, made only as they are asked.

A reload loads the course through the build cache, so a chapter file that did not change comes back loaded
without being read or rendered (course/chapter_cache.py); the SCORM exporter is prepared (its checks and the SCO
plan), but a SCO's page is rendered only when a page asks for it, and kept while the files it was made from
are unchanged. The OLX is written, again through the cache, only when the "as Open edX" view is opened.

While the sources have errors, the last course that loaded without errors stays available ("as last built"), so
that each diagnostic can link to the block it concerns.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pamong_edx.course.cache import BuildCache
from pamong_edx.course.model import Course
from pamong_edx.diagnostics import Diagnostic, Location
from pamong_edx.errors import PamongError
from pamong_edx.export import ExportError

SCORM_VERSION = "2004"  # the richer record of the two (success and completion apart, described interactions)


@dataclass
class Target:
    """Where a diagnostic's block is shown: the SCO (a sequential), the page (unit) in it, the block."""

    sco: str
    page: str
    block: str
    label: str


@dataclass
class Build:
    """A course that loaded without errors, with its SCORM exporter prepared."""

    course: Course
    exporter: Any  # a prepared ScormExporter
    scos: dict[str, Any]  # key -> Sco
    course_digest: str | None  # course.yaml's digest: part of every rendered page's key
    cache: BuildCache  # the one it was loaded through, which knows its chapters' source keys
    olx: dict[str, Any] | None = None  # the OLX exporter's files, written on first use
    olx_problems: list[Diagnostic] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Snapshot:
    generation: int
    diagnostics: list[Diagnostic]
    build: Build | None  # this load's, or None when it has errors
    shown: Build | None  # the last good one: this load's, or an earlier one while this has errors

    @property
    def has_errors(self) -> bool:
        return self.build is None


class Preview:
    def __init__(self, root: Path, cache: BuildCache | None = None):
        self.root = Path(root).resolve()
        self.cache = cache if cache is not None else BuildCache.default()
        self._lock = threading.Lock()
        # per SCO: the key of the sources it was rendered from, and its page (the last one only)
        self._pages: dict[str, tuple[tuple, tuple[str, list[str], dict[str, bytes]]]] = {}
        self._scratch = Path(tempfile.gettempdir())  # exporters want an output folder; the preview never writes
        self.snapshot = Snapshot(0, [], None, None)
        self.reload()

    # ------------------------------------------------------------------------------------------- loading

    def reload(self) -> Snapshot:
        """Load the course again (unchanged chapter files from the build cache) and make it the current one."""
        with self._lock:
            # A build cache per load: it remembers the source key of each chapter it loads (keeping the chapter
            # alive), which a long session of reloads should not pile up. The file index is on disk.
            self.cache = BuildCache(self.cache.directory)
            diagnostics, build = self._load()
            previous = self.snapshot
            self.snapshot = Snapshot(previous.generation + 1, diagnostics, build,
                                     build if build is not None else previous.shown)
            self.cache.save()
            return self.snapshot

    def _load(self) -> tuple[list[Diagnostic], Build | None]:
        from pamong_edx.build import course_languages
        from pamong_edx.course.lints import lint
        from pamong_edx.course.loader import load_course
        from pamong_edx.exporters.scorm import Scorm2004Exporter

        try:
            course, diagnostics = load_course(self.root, languages=course_languages(), cache=self.cache)
        except PamongError as exc:  # the folder itself cannot be read
            return [Diagnostic("E002", str(exc), Location(self.root))], None
        if course is None or any(d.is_error for d in diagnostics):
            return diagnostics, None
        diagnostics += lint(course)
        exporter = Scorm2004Exporter(course, self._scratch, {"sco_per": "sequential"})
        try:
            exporter.prepare()
        except ExportError as exc:
            return diagnostics + exc.diagnostics, None
        scos = {sco.key: sco for sco in exporter.plan.scos}
        digest = self.cache.digest(course.loc.file) if self.cache.enabled else None
        return diagnostics, Build(course, exporter, scos, digest, self.cache)

    # ------------------------------------------------------------------------------------------- pages

    def page(self, build: Build, key: str) -> tuple[str, list[str], dict[str, bytes]]:
        """A SCO's page (the package's HTML), the assets it uses and the player files it loads; kept while the
        chapter file and course.yaml it was made from are unchanged (by their build-cache keys)."""
        sco = build.scos[key]
        chapters = {id(p.chapter): p.chapter for p in sco.pages}.values()
        sources = tuple(build.cache.source_key(ch) for ch in chapters)
        memo = (key, sources, build.course_digest) if build.course_digest and all(sources) else None
        with build.lock:
            kept = self._pages.get(key)
            if memo is not None and kept is not None and kept[0] == memo:
                return kept[1]
            made = build.exporter.render_page(sco)
            if memo is not None:
                self._pages[key] = (memo, made)
            return made

    def player_file(self, build: Build, name: str) -> bytes | None:
        """A file of the player as the package holds it: the shared CSS and JS, or the script of a question type
        the course uses."""
        from pamong_edx.player.qtype import script_text
        from pamong_edx.player.render import TYPE_SCRIPTS, static_files

        shared = static_files()
        if name in shared:
            return shared[name]
        types = {block.type: block for block in build.course.blocks()}
        for block in types.values():
            for package, file in getattr(build.exporter.ctx.renderer(block), "scripts", ()):
                if name == f"{TYPE_SCRIPTS}/{package}/{file}":
                    return script_text((package, file)).encode("utf-8")
        return None

    def answer_keys(self, build: Build, key: str) -> list[str | None]:
        """Each question's right answer as its type's script stores a response, asked of the type's player
        renderer (`key`); None for a type that gives none."""
        exporter = build.exporter
        keys = []
        for q in build.scos[key].questions:
            renderer = exporter.ctx.renderer(q.problem)
            answer = getattr(renderer, "key", None)
            keys.append(answer(q.problem, exporter.ctx) if answer is not None else None)
        return keys

    def olx_files(self, build: Build) -> tuple[dict[str, Any], list[Diagnostic]]:
        """The files the OLX exporter writes for the course (chapters unchanged since a build come from the
        cache), written once per load."""
        from pamong_edx.exporters.olx import OlxExporter

        with build.lock:
            if build.olx is None:
                exporter = OlxExporter(build.course, self._scratch, {"cache": build.cache})
                try:
                    exporter.prepare()
                    exporter.write()
                    build.olx, build.olx_problems = exporter.files, []
                except ExportError as exc:
                    build.olx, build.olx_problems = {}, exc.diagnostics
            return build.olx, build.olx_problems


def target_of(build: Build | None, location: Location | None) -> Target | None:
    """The block a diagnostic concerns: in the same file, the last block, unit or sequential written at or
    before its line."""
    if build is None or location is None or not location.line:
        return None
    file = Path(location.file).resolve()
    resolved: dict[object, Path] = {}  # a course's locations name a few files, each many times
    best: tuple[int, Target] | None = None
    for chapter in build.course.chapters:
        for seq in chapter.sequentials:
            for unit in seq.units:
                places = [(seq.loc, ""), (unit.loc, "")] + [(b.loc, b.id) for b in unit.blocks]
                for loc, block in places:
                    where = resolved.get(loc.file)
                    if where is None:
                        where = resolved[loc.file] = Path(loc.file).resolve()
                    if where != file or loc.line > location.line:
                        continue
                    if best is None or loc.line >= best[0]:
                        label = " › ".join(t for t in (chapter.title, seq.title, unit.title) if t)
                        best = (loc.line, Target(seq.id, unit.id, block, label))
    return best[1] if best else None
