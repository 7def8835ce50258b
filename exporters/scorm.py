"""SCORM 1.2 and SCORM 2004 4th edition packages: `<org>-<number>-<run>.scorm12.zip` / `.scorm2004.zip`.

    imsmanifest.xml        organization = chapters and sequentials (exporters/scorm_manifest.py)
    <sequential-id>.html   one SCO per sequential by default (--sco-per course|chapter|sequential)
    player/pamong.css      shared by every SCO
    player/pamong.js       the SCORM adapter and the player (pamong_edx/player/)
    player/types/...       the scripts of the question types the course uses, from each type's renderer
    pamong-interactions.json  per SCO and question: its interaction type, and each choice's SCORM identifier
                           with the author's id and text, so reports can name what learners chose
    assets/...             the course files the pages use, and nothing else

Both versions come from the same templates; they differ in the manifest and in the settings each page embeds.
The zip is reproducible: entries in a fixed order with fixed dates and modes, so the same source gives the same
bytes. docs/scorm.md describes the package, the player and its tracking.
"""

from __future__ import annotations

import hashlib
import os
import time
import zipfile
import zlib
from pathlib import Path
from typing import ClassVar, Union

from markupsafe import Markup, escape

from pamong_edx import i18n, renderers
from pamong_edx.course.cache import BuildCache
from pamong_edx.course.richtext import RichText, referenced_assets
from pamong_edx.diagnostics import Diagnostic
from pamong_edx.export import REPRODUCIBLE_MTIME, BuildResult, Exporter, ExportError
from pamong_edx.gc_pause import gc_paused
from pamong_edx.i18n import _
from pamong_edx.exporters.scorm_manifest import ResourceFiles, build_manifest, check_manifest
from pamong_edx.exporters.scorm_plan import Plan, Sco, check_sco_per, page_crumb, plan_course
from pamong_edx.exporters.scorm_runtime import check_limits, sco_config
from pamong_edx.player.lang import LanguagePack, LanguagePackError, language_pack
from pamong_edx.player.qtype import PlayerContext, plain, script_text
from pamong_edx.player.render import (
    TYPE_SCRIPTS, BlockView, PageView, QuestionView, ScoView, render_sco, script_json, static_files,
)

Content = Union[bytes, Path]

MANIFEST = "imsmanifest.xml"
INTERACTIONS = "pamong-interactions.json"
LARGEST_FILES = 10
# Already compressed formats are stored as they are: deflating them again costs time and saves nothing.
STORED_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp4", ".m4a", ".mp3", ".webm", ".ogg", ".zip",
                   ".gz", ".woff", ".woff2", ".pdf", ".docx", ".xlsx", ".pptx"}
ZIP_DATE = time.gmtime(REPRODUCIBLE_MTIME)[:6]
CHUNK = 1 << 20
_DEFLATED_MAX = 256 << 20  # far below ZIP64 sizes; larger entries are left to zipfile


class ScormExporter(Exporter):
    """The common lifecycle; subclasses name the SCORM version."""

    scorm_version: ClassVar[str] = ""
    version = "1.0.0"
    requires = ">=0.1,<1"

    plan: Plan
    lang: LanguagePack

    def prepare(self) -> None:
        with gc_paused():
            self._prepare()

    def _prepare(self) -> None:
        missing = renderers.missing(self.course.blocks(), "scorm", self.name)
        if missing:
            raise ExportError(missing)
        sco_per = check_sco_per(self.options.get("sco_per"))
        try:
            self.lang = language_pack(self.course.language)
        except LanguagePackError as exc:
            raise ExportError([Diagnostic("S105", str(exc), self.course.loc)]) from None
        self.ctx = PlayerContext(self.course, self.scorm_version, self.lang)
        self.plan = plan_course(self.course, sco_per)
        problems: list[Diagnostic] = []
        for sco in self.plan.scos:
            if not sco.pages:
                problems.append(Diagnostic("S104", _("'{key}' has no units, so its SCO would show nothing").format(
                    key=sco.key), sco.loc))
                continue
            problems.extend(check_limits(sco, self.ctx))
        if problems:
            raise ExportError(problems)
        self.warnings: list[str] = []
        if self.lang.missing:
            self.warnings.append(
                _("language pack '{language}' ({source}) lacks {n} strings; English is shown for: {missing}").format(
                    language=self.lang.language, source=self.lang.source, n=len(self.lang.missing),
                    missing=", ".join(self.lang.missing))
            )

    def write(self) -> None:
        with gc_paused():
            self._write()

    def _write(self) -> None:
        self.files: dict[str, Content] = dict(static_files())
        resources: dict[str, ResourceFiles] = {}
        interactions: dict[str, dict] = {}
        cache = self.options.get("cache")
        self._pages = cache.bundle("scorm-pages", self.output_path.name) if cache is not None else None
        for sco in self.plan.scos:
            page, used, interactions[sco.key] = self._cached_render(sco, self._scripts(sco))
            for name in used:
                self.files[f"assets/{name}"] = self.course.assets[name].path
            self.files[sco.href] = page.encode("utf-8")
            resources[sco.key] = ResourceFiles(href=sco.href, files=[sco.href] + [f"assets/{n}" for n in used])
        if self._pages is not None:
            self._pages.save()
        self.files[INTERACTIONS] = self._interaction_map(interactions)
        shared = sorted(name for name in self.files if name.startswith("player/") or name == INTERACTIONS)
        manifest = build_manifest(
            slug=self.course.slug, title=self.course.title, plan=self.plan, version=self.scorm_version,
            resources=resources, shared=shared, overlay=self.course.overlay,
        )
        problems = check_manifest(manifest, self.scorm_version, set(self.files))
        if problems:  # the writer guarantees these; reaching here is a bug, and shipping the package is worse
            raise ExportError([Diagnostic("S106", _("the {format} manifest fails its checks: {problems}").format(
                format=self.name, problems="; ".join(problems)), self.course.loc)])
        self.files[MANIFEST] = manifest

    def finish(self) -> BuildResult:
        path = self.output_path
        sizes = write_zip(path, self.files, cache=self.options.get("cache"))
        largest = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))[:LARGEST_FILES]
        blocks = list(self.course.blocks())
        return BuildResult(
            format=self.name,
            path=path,
            size=path.stat().st_size,
            counts={
                "scos": len(self.plan.scos),
                "pages": sum(len(s.pages) for s in self.plan.scos),
                "blocks": len(blocks),
                "problems": sum(len(s.questions) for s in self.plan.scos),
                "assets": sum(1 for name in self.files if name.startswith("assets/")),
                "pools": sum(len(s.pools) for s in self.plan.scos),
                "pooled": sum(len(p.questions) for s in self.plan.scos for p in s.pools),
                "drawn": sum(p.draw for s in self.plan.scos for p in s.pools),
            },
            largest_files=largest,
            warnings=list(self.warnings),
        )

    # ----------------------------------------------------------------------------------------------- pages

    def render_page(self, sco: Sco) -> tuple[str, list[str], dict[str, bytes]]:
        """One SCO alone, after prepare(): its page, the assets it uses, and the player files it loads by their
        path in the package. `pamong preview` renders only the SCOs it shows."""
        if not hasattr(self, "files"):
            self.files = dict(static_files())
        scripts = self._scripts(sco)
        page, used = self._render(sco, scripts)
        return page, used, {path: self.files[path] for path in [*static_files(), *scripts]}

    def _scripts(self, sco: Sco) -> list[str]:
        """The package paths of the scripts the SCO's blocks need (each packaged once), in load order."""
        paths = []
        for page in sco.pages:
            for block in page.unit.blocks:
                renderer = self.ctx.renderer(block)
                for package, name in getattr(renderer, "scripts", ()):
                    path = f"{TYPE_SCRIPTS}/{package}/{name}"
                    if path not in self.files:
                        self.files[path] = script_text((package, name)).encode("utf-8")
                    if path not in paths:
                        paths.append(path)
        return paths

    # ----------------------------------------------------------------------------------------- build cache

    def _cached_render(self, sco: Sco, scripts: list[str]) -> tuple[str, list[str], dict]:
        """The SCO's page, assets and its part of the interaction map, from the build cache (the package's bundle
        of pages) when the chapter files it shows (by the keys the loader gave their sources), its place in the
        package and everything of the course a page shows are unchanged."""
        cache = self.options.get("cache")
        pages = getattr(self, "_pages", None)
        if cache is None or not cache.enabled or pages is None:
            return *self._render(sco, scripts), self._sco_interactions(sco)
        chapters = list({id(page.chapter): page.chapter for page in sco.pages}.values())
        sources = [cache.source_key(chapter) for chapter in chapters]
        if not sources or None in sources:  # a chapter written inline in course.yaml: rendered every time
            return *self._render(sco, scripts), self._sco_interactions(sco)
        # The page's settings (sco_config) come from the same chapters and course settings, so they need no
        # part of their own in the key (working them out would cost as much as a third of rendering the page).
        if getattr(self, "_context_digest", None) is None:  # the same for every page: written out once
            self._context_digest = cache.key("scorm-context", self._context())
        key = cache.key("scorm-page", sources, self.options.get("sco_per"), sco.key, sco.title, sco.href,
                        [page.unit.id for page in sco.pages], scripts, self._context_digest)
        entry = pages.get(key)
        if isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[0], str):
            return entry
        rendered = (*self._render(sco, scripts), self._sco_interactions(sco))
        pages.put(key, rendered)
        return rendered

    def _context(self) -> tuple:
        """What of the course, besides the chapters a page shows, its page depends on: the course's own settings,
        its asset names, the language pack, the renderer of each block type, the language of the run."""
        if getattr(self, "_context_key", None) is None:
            course = self.course
            used = {}
            for block in course.blocks():
                if block.type not in used:
                    renderer = self.ctx.renderer(block)
                    made_by = type(renderer) if renderer is not None else self.html_fallback(block)
                    used[block.type] = (getattr(made_by, "__module__", ""), getattr(made_by, "__qualname__", ""),
                                        renderers.plugin_label(block.type))
            settings = {name: getattr(course, name) for name in (
                "org", "number", "run", "title", "language", "start", "end", "self_paced", "short_description",
                "overview_markdown", "image", "grading", "certificate", "overlay")}
            self._context_key = (type(self).__qualname__, self.version, self.scorm_version, repr(settings),
                                 sorted(course.assets), repr(self.lang), sorted(used.items()), i18n.language())
        return self._context_key

    def _render(self, sco: Sco, scripts: list[str]) -> tuple[str, list[str]]:
        """The SCO's page, and the assets it uses (sorted). The package keeps the course's own layout,
        assets/<name>, which is where rich text points by default, so the page needs no other resolver."""
        questions = {id(q.problem): q for q in sco.questions}
        pages = []
        used: set[str] = set()
        for page in sco.pages:
            views = []
            for block in page.unit.blocks:
                q = questions.get(id(block))
                place = QuestionView(q.index, q.index + 1, page.unit.title) if q else QuestionView(
                    page_title=page.unit.title)
                renderer = self.ctx.renderer(block)
                if renderer is None:  # a block plugin's own HTML (renderers.missing() let only those through)
                    own = self.html_fallback(block)(block)
                    html = Markup(f'<div class="block block-{escape(block.type)}">{own}</div>')
                    used.update(own.assets if isinstance(own, RichText) else referenced_assets(block))
                else:
                    html = renderer.html(block, place, self.ctx)
                    used.update(renderer.assets(block, self.ctx))
                views.append(BlockView(block, html, place if q else None))
            pages.append(PageView(page.unit.id, page.unit.title, page_crumb(sco, page), views))
        page_html = render_sco(
            sco=ScoView(sco.title, sco.required_questions),
            pages=pages,
            course_title=self.course.title,
            lang=self.lang,
            config=sco_config(self.course, sco, self.ctx),
            scripts=scripts,
        )
        return page_html, sorted(used)

    def _interaction_map(self, scos: dict[str, dict]) -> bytes:
        """Per SCO and question: its interaction type, objective, and each choice's SCORM identifier in this
        package with the author's id and the choice's text (LMS reports show only the identifiers)."""
        return (script_json({"scorm_version": self.scorm_version, "scos": scos}) + "\n").encode("utf-8")

    def _sco_interactions(self, sco: Sco) -> dict:
        """A SCO's part of the interaction map."""
        questions = {}
        for q in sco.questions:
            interaction = self.ctx.interaction(q.problem)
            entry: dict = {"type": interaction.type, "problem_type": q.problem.type}
            if q.problem.objective:
                entry["objective"] = q.problem.objective
            if interaction.ids:
                texts = {c.id: plain(c.text) for c in getattr(q.problem, "choices", [])}
                entry["choices"] = {rid: {"id": cid, "label": texts.get(cid, "")}
                                    for cid, rid in interaction.ids.items()}
            questions[q.problem.id] = entry
        return questions


class Scorm12Exporter(ScormExporter):
    component = "exporter_scorm12"
    name = "scorm12"
    suffix = ".scorm12.zip"
    scorm_version = "1.2"


class Scorm2004Exporter(ScormExporter):
    component = "exporter_scorm2004"
    name = "scorm2004"
    suffix = ".scorm2004.zip"
    scorm_version = "2004"


def write_zip(path: Path, files: dict[str, Content], cache: BuildCache | None = None) -> dict[str, int]:
    """Write a reproducible zip atomically (the manifest first, then by name); return bytes each entry takes.
    A file from disk is streamed into its entry in chunks, never held whole (a course video can be large);
    deflate's output does not depend on how its input is chunked, so the bytes are those of one write.
    With a build cache, an entry held in memory (a page, the player's script) whose bytes were deflated in the
    package's last build is copied deflated (`_Deflated`)."""
    order = sorted(files, key=lambda n: (n != MANIFEST, n))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    sizes: dict[str, int] = {}
    deflated = _Deflated(cache, path.name)
    try:
        with zipfile.ZipFile(partial, "w") as zf:
            for name in order:
                content = files[name]
                info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
                info.create_system = 3  # unix, whatever builds it, so the mode bits below mean the same
                info.external_attr = 0o644 << 16
                stored = Path(name).suffix.lower() in STORED_SUFFIXES
                # deflate at zlib's default level, 6
                info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                if isinstance(content, bytes):
                    if stored or not deflated.write(zf, info, content):
                        zf.writestr(info, content)
                else:
                    with open(content, "rb") as source:
                        info.file_size = os.fstat(source.fileno()).st_size
                        with zf.open(info, "w") as entry:
                            while chunk := source.read(CHUNK):
                                entry.write(chunk)
                sizes[name] = zf.getinfo(name).compress_size
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    deflated.save()
    return sizes


class _Deflated:
    """The deflated entries of a package, with their CRC-32, from the build cache: one bundle per package (named
    by its file name), each entry found by the SHA-1 of its bytes.

    zipfile has no call that writes data already deflated, so `write` does what ZipFile.writestr does for an
    entry of a seekable file below the ZIP64 sizes (header with sizes and CRC, then the data), through the
    ZipFile attributes writestr itself uses; where they are missing (another Python), zipfile writes the entry.
    tests/build/test_cache.py checks the package is byte for byte the one zipfile writes alone."""

    def __init__(self, cache: BuildCache | None, package: str):
        enabled = cache is not None and cache.enabled
        self.bundle = cache.bundle("deflated-entries", package) if enabled else None

    def write(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> bool:
        """Write the entry deflated; False (nothing written) when zipfile must write it itself."""
        if self.bundle is None or len(data) > _DEFLATED_MAX or not all(
                hasattr(zf, name) for name in ("fp", "start_dir", "filelist", "NameToInfo", "_writecheck")):
            return False
        digest = hashlib.sha1(data).digest()
        found = self.bundle.get(digest)
        if found is None:
            compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)  # as zipfile's
            found = (zlib.crc32(data), compressor.compress(data) + compressor.flush())
            self.bundle.put(digest, found)
        info.CRC, packed = found
        info.file_size, info.compress_size, info.flag_bits = len(data), len(packed), 0
        zf.fp.seek(zf.start_dir)
        info.header_offset = zf.fp.tell()
        zf._writecheck(info)
        zf._didModify = True
        zf.fp.write(info.FileHeader(False))
        zf.fp.write(packed)
        zf.start_dir = zf.fp.tell()
        zf.filelist.append(info)
        zf.NameToInfo[info.filename] = info
        return True

    def save(self) -> None:
        if self.bundle is not None:
            self.bundle.save()
