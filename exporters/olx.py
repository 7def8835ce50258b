"""Open edX OLX export: one `<org>-<number>-<run>.olx.tar.gz` that Studio's course import accepts.

The package follows the contract in shared/specs/openedx.md §1 (docs/olx.md walks through it):

    course/course.xml                      pointer: exactly url_name (= run), org, course
    course/course/{run}.xml                the course element: display_name, start, end, chapter pointers
    course/chapter|sequential|vertical/    one file per element, pointed at by `<tag url_name=".."/>`
    course/html/{id}.xml + {id}.html       text blocks (and the HTML fallback of foreign block types)
    course/video/{id}.xml                  video blocks
    course/problem/{id}.xml                CAPA problems (exporters/olx_capa.py)
    course/policies/{run}/*.json           course settings and grading policy, keyed by course.xml's url_name
    course/about/*.html, course/static/*   About page texts and the course assets, flat

Pointers carry nothing but url_name (any other attribute turns them into empty inline blocks), display names
live inside the pointed-to files, and discussions are written inline, as Studio exports them.
"""

from __future__ import annotations

import heapq
import html
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from lxml import etree

from pamong_edx.course.model import (
    Chapter, ChoiceProblem, Course, DiscussionBlock, Location, NumericalProblem, Sequential, TextBlock, TextProblem,
    Unit, VideoBlock,
)
from pamong_edx.course.transcripts import TranscriptProblem, is_webvtt, srt_bytes
from pamong_edx.diagnostics import Diagnostic
from pamong_edx.export import BuildResult, Exporter, ExportError
from pamong_edx.exporters.olx_capa import CapaBuilder, xml_safe
from pamong_edx.course.richtext import RichText, as_html
from pamong_edx.exporters.olx_static import caption_names, static_names
from pamong_edx.exporters.tar_archive import Content, member_size, write_tar_gz

TOP = "course"
PROBLEM_TYPES = {
    "single_choice": ChoiceProblem, "multiple_choice": ChoiceProblem, "dropdown": ChoiceProblem,
    "numerical": NumericalProblem, "text_answer": TextProblem,
}
BLOCK_CLASSES = {"text": TextBlock, "video": VideoBlock, "discussion": DiscussionBlock, **PROBLEM_TYPES}
TAB_NAMES = {
    "id": {"courseware": "Materi", "course_info": "Beranda", "discussion": "Diskusi", "progress": "Kemajuan"},
    "en": {"courseware": "Course", "course_info": "Home", "discussion": "Discussion", "progress": "Progress"},
}
GENERAL_TOPIC = {"id": "Umum", "en": "General"}
LARGEST_FILES = 10


def olx_date(value: datetime) -> str:
    """UTC ISO 8601 with a Z, as Studio writes dates; naive datetimes are taken as UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def xml_bytes(elem: etree._Element, pretty: bool = True) -> bytes:
    return etree.tostring(elem, encoding="utf-8", pretty_print=pretty)


def json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2, separators=(",", ": ")) + "\n").encode()


def pointer(parent: etree._Element, tag: str, url_name: str) -> None:
    etree.SubElement(parent, tag, url_name=url_name)


class OlxExporter(Exporter):
    component = "exporter_olx"
    name = "olx"
    version = "1.0.0"
    requires = ">=0.1,<1"
    suffix = ".olx.tar.gz"
    supported_blocks = frozenset(BLOCK_CLASSES)

    def __init__(self, course: Course, out_dir: Path, options: dict[str, Any] | None = None):
        super().__init__(course, out_dir, options)
        self.files: dict[str, Content] = {}
        self.warnings: list[str] = []
        self._taken: set[str] = set()
        self.captions: dict[str, str] = {}  # WebVTT transcript's asset name -> flat name of its SRT copy
        self.srt: dict[str, bytes] = {}  # WebVTT transcript's asset name -> the SRT copy
        self.cache = self.options.get("cache")  # a BuildCache, when the build keeps one
        self._made_up: list[tuple[str, str]] | None = None  # names _unique gave while a chapter is written
        self._context_key: tuple | None = None

    # ------------------------------------------------------------------------------------------- lifecycle

    def prepare(self) -> None:
        # The loader guarantees what Studio needs of the model (identifiers of [A-Za-z0-9_-], unique and none
        # equal to the run, graded formats in the grading policy, existing assets, one correct choice where
        # one is required), so nothing of that is checked again here.
        super().prepare()
        course = self.course
        self.lang = course.language.split("-")[0].lower()
        self.static = static_names(list(course.assets))
        self._convert_webvtt()
        self.capa = CapaBuilder(self.rich_html, self.lang)
        self._taken = {course.run} | {c.id for c in course.chapters}
        self._taken |= {s.id for _, s in course.sequentials()}
        self._taken |= {u.id for _, s in course.sequentials() for u in s.units}
        self._taken |= {b.id for b in course.blocks()}
        if course.start is None:
            self.warnings.append(f"{course.loc}: the course has no start date; Open edX then treats it as not "
                                 "started until 2030-01-01")
        # Studio's optional import validation (olxcleaner) refuses a course without these.
        if course.end is None:
            self.warnings.append(f"{course.loc}: the course has no end date; a Studio that validates imports "
                                 "with olxcleaner refuses it (add `end:`)")
        if not course.image:
            self.warnings.append(f"{course.loc}: the course has no image; a Studio that validates imports "
                                 "with olxcleaner refuses it (add `image:`)")

    def write(self) -> None:
        course = self.course
        self._add("course.xml", xml_bytes(etree.Element(
            "course", {"url_name": course.run, "org": course.org, "course": course.number})))

        root = etree.Element("course", display_name=xml_safe(course.title))
        if course.start:
            root.set("start", olx_date(course.start))
        if course.end:
            root.set("end", olx_date(course.end))
        for chapter in course.chapters:
            pointer(root, "chapter", chapter.id)
            self._cached_chapter(chapter)
        self._add(f"course/{course.run}.xml", xml_bytes(root))

        self._policies()
        self._about()
        for name, flat in self.static.items():
            self.files[f"{TOP}/static/{flat}"] = course.assets[name].path
        for name, flat in self.captions.items():
            self.files[f"{TOP}/static/{flat}"] = self.srt[name]

    def finish(self) -> BuildResult:
        path = self.output_path
        size = write_tar_gz(path, self.files, cache=self.cache)
        sizes = heapq.nsmallest(LARGEST_FILES, ((-member_size(c), name) for name, c in self.files.items()))
        blocks = list(self.course.blocks())
        return BuildResult(
            format=self.name,
            path=path,
            size=size,
            counts={
                "blocks": len(blocks),
                "problems": sum(1 for b in blocks if b.is_problem),
                "assets": len(self.static),
            },
            largest_files=[(name, -negative) for negative, name in sizes],
            warnings=list(self.warnings),
        )

    def static_url(self, name: str) -> str:
        """Where an asset is served from: the LMS rewrites a quoted /static/ URL to the course's asset URL."""
        return f"/static/{self.static[name]}"

    def rich_html(self, text: RichText | str) -> str:
        return as_html(text, self.static_url)

    def _convert_webvtt(self) -> None:
        """SRT copies of the WebVTT transcripts, since Open edX plays only SRT captions; E105 for a malformed one."""
        course = self.course
        webvtt = sorted({b.transcript for b in course.blocks()
                         if isinstance(b, VideoBlock) and b.transcript and is_webvtt(b.transcript)})
        self.captions = caption_names(webvtt, self.static)
        errors: list[Diagnostic] = []
        for name in webvtt:
            path = course.assets[name].path
            try:
                self.srt[name] = srt_bytes(path)
            except TranscriptProblem as problem:  # the loader read it; it changed since
                errors.append(Diagnostic("E105", f"transcript 'assets/{name}' {problem.message}",
                                         Location(path, problem.line or 1, 1)))
        if errors:
            raise ExportError(errors)

    # ------------------------------------------------------------------------------------------- structure

    def _add(self, name: str, data: bytes) -> None:
        self.files[f"{TOP}/{name}"] = data

    def _unique(self, wanted: str) -> str:
        name, n = wanted, 2
        while name in self._taken:
            name, n = f"{wanted}-{n}", n + 1
        self._taken.add(name)
        if self._made_up is not None:
            self._made_up.append((wanted, name))
        return name

    # ------------------------------------------------------------------------------------------- build cache

    def _cached_chapter(self, chapter: Chapter) -> None:
        """The files of a chapter, from the build cache when its sources and everything of the course it
        shows are unchanged; else written and kept there. Names this exporter made up (a discussion prompt's
        `{id}-prompt`) must come out the same against today's course, else the chapter is written afresh."""
        source = self.cache.source_key(chapter) if self.cache is not None else None
        if source is None:
            self._chapter(chapter)
            return
        key = self.cache.key("olx-chapter", source, self._context())
        entry = self.cache.get(key)
        if isinstance(entry, tuple) and len(entry) == 2:
            files, made_up = entry
            claimed = []
            for wanted, name in made_up:
                claimed.append(self._unique(wanted))
                if claimed[-1] != name:
                    self._taken.difference_update(claimed)
                    break
            else:
                self.files.update(files)
                return
        before = set(self.files)
        self._made_up = []
        try:
            self._chapter(chapter)
            made_up = self._made_up
        finally:
            self._made_up = None
        self.cache.put(key, ({name: self.files[name] for name in self.files.keys() - before}, made_up))

    def _context(self) -> tuple:
        """What of the course, besides a chapter's own sources, its files depend on."""
        if self._context_key is None:
            course = self.course
            plugins = sorted((b.type, getattr(self.html_fallback(b), "__qualname__", ""))
                             for b in course.blocks() if b.type not in BLOCK_CLASSES)
            self._context_key = (type(self).__qualname__, self.version, course.org, course.number, course.run,
                                 course.language, sorted(self.static.items()), sorted(self.captions.items()),
                                 sorted(set(plugins)))
        return self._context_key

    def _chapter(self, chapter: Chapter) -> None:
        elem = etree.Element("chapter", display_name=xml_safe(chapter.title))
        if chapter.start:
            elem.set("start", olx_date(chapter.start))
        for seq in chapter.sequentials:
            pointer(elem, "sequential", seq.id)
            self._sequential(chapter, seq)
        self._add(f"chapter/{chapter.id}.xml", xml_bytes(elem))

    def _sequential(self, chapter: Chapter, seq: Sequential) -> None:
        elem = etree.Element("sequential", display_name=xml_safe(seq.title))
        if seq.graded:
            elem.set("graded", "true")
            elem.set("format", seq.format)
        if seq.due:
            elem.set("due", olx_date(seq.due))
        for unit in seq.units:
            pointer(elem, "vertical", unit.id)
            self._vertical(chapter, unit)
        self._add(f"sequential/{seq.id}.xml", xml_bytes(elem))

    def _vertical(self, chapter: Chapter, unit: Unit) -> None:
        elem = etree.Element("vertical", display_name=xml_safe(unit.title))
        for block in unit.blocks:
            title = block.title or unit.title
            if block.type == "text":
                pointer(elem, "html", block.id)
                self._html(block.id, title, block.html)
            elif block.type == "video":
                pointer(elem, "video", block.id)
                self._add(f"video/{block.id}.xml", xml_bytes(self._video(block, title)))
            elif block.type == "discussion":
                self._discussion(elem, block, title, chapter, unit)
            elif block.type in PROBLEM_TYPES:
                pointer(elem, "problem", block.id)
                self._add(f"problem/{block.id}.xml", xml_bytes(self.capa.build(block, title)))
            else:
                to_html = self.html_fallback(block)
                pointer(elem, "html", block.id)
                self._html(block.id, title, to_html(block))
        self._add(f"vertical/{unit.id}.xml", xml_bytes(elem))

    # ------------------------------------------------------------------------------------------- components

    def _html(self, url_name: str, title: str, body: RichText | str) -> None:
        self._add(f"html/{url_name}.xml", xml_bytes(
            etree.Element("html", filename=url_name, display_name=xml_safe(title))))
        self._add(f"html/{url_name}.html", xml_safe(self.rich_html(body)).encode())

    def _video(self, block: VideoBlock, title: str) -> etree._Element:
        elem = etree.Element("video", display_name=xml_safe(title))
        if block.youtube_id:
            elem.set("youtube", f"1.00:{block.youtube_id}")
            elem.set("youtube_id_1_0", block.youtube_id)
        else:
            elem.set("youtube_id_1_0", "")  # otherwise Open edX falls back to its demo video
        # A file of the course is served from static/; the LMS rewrites a quoted /static/ URL at render time.
        mp4 = self.static_url(block.mp4_asset) if block.mp4_asset else xml_safe(block.mp4_url)
        elem.set("html5_sources", json.dumps([mp4] if mp4 else []))
        elem.set("download_video", "false")
        if mp4:
            etree.SubElement(elem, "source", src=mp4)
        if block.transcript:
            flat = self.static[block.transcript]
            # Open edX plays only SRT captions: a WebVTT transcript plays from its SRT copy
            captions = self.captions.get(block.transcript, flat)
            elem.set("download_track", "true")
            if captions.lower().endswith(".srt"):
                elem.set("show_captions", "true")
                elem.set("transcripts", json.dumps({self.lang: captions}))
                etree.SubElement(elem, "transcript", language=self.lang, src=captions)
            if not flat.lower().endswith(".srt"):  # the transcript download offers the file as written
                etree.SubElement(elem, "track", src=f"/static/{flat}")
        return elem

    def _discussion(self, vertical: etree._Element, block: DiscussionBlock, title: str, chapter: Chapter,
                    unit: Unit) -> None:
        if block.prompt_html:
            prompt_id = self._unique(f"{block.id}-prompt")
            pointer(vertical, "html", prompt_id)
            self._html(prompt_id, title, block.prompt_html)
        course = self.course
        etree.SubElement(vertical, "discussion", {
            "url_name": block.id,
            "xblock-family": "xblock.v1",
            "display_name": xml_safe(title),
            "discussion_category": xml_safe(block.category or chapter.title),
            "discussion_target": xml_safe(block.target or unit.title),
            # unique across the deployment and free of '.', as the discussion service requires
            "discussion_id": f"{course.org}_{course.number}_{course.run}_{block.id}",
        })

    # ------------------------------------------------------------------------------------------- settings

    def _policies(self) -> None:
        course = self.course
        tabs = TAB_NAMES.get(self.lang, TAB_NAMES["en"])
        settings: dict[str, Any] = {
            "language": course.language,
            "self_paced": course.self_paced,
            "cert_html_view_enabled": course.certificate is not None,
            "tabs": [{"type": kind, "name": tabs[kind], "course_staff_only": False}
                     for kind in ("courseware", "course_info", "discussion", "progress")],
            "discussion_topics": {
                GENERAL_TOPIC.get(self.lang, GENERAL_TOPIC["en"]): {
                    "id": f"{course.org}_{course.number}_{course.run}_general"},
            },
        }
        if course.image:
            settings["course_image"] = self.static[course.image]
        if course.overlay:  # the deployment overlay it was built with: Studio shows it in Advanced Settings
            settings["other_course_settings"] = {"pamong_overlay": course.overlay}
        if course.certificate is not None:
            cert = course.certificate
            settings["certificates"] = {"certificates": [{
                "id": 1,
                "name": cert.name,
                "description": cert.description,
                "is_active": True,
                "version": 1,
                "course_title": course.title,
                "signatories": [
                    {"id": i, "name": s.name, "title": s.title, "organization": s.organization,
                     "signature_image_path": ""}
                    for i, s in enumerate(cert.signatories, start=1)
                ],
            }]}
        self._add(f"policies/{course.run}/policy.json", json_bytes({f"course/{course.run}": settings}))
        self._add(f"policies/{course.run}/grading_policy.json", json_bytes({
            "GRADER": [
                {"type": f.type, "short_label": f.short_label, "min_count": f.min_count,
                 "drop_count": f.drop_count, "weight": f.weight}
                for f in course.grading.formats
            ],
            "GRADE_CUTOFFS": {"Pass": course.grading.pass_cutoff},
        }))
        self._add("policies/assets.json", json_bytes({}))

    def _about(self) -> None:
        course = self.course
        summary = html.escape(course.short_description, quote=False)
        title = html.escape(course.title, quote=False)
        overview = self.rich_html(course.overview_html) if course.overview_html else (
            f'<section class="about">\n<h2>{title}</h2>\n<p>{summary}</p>\n</section>\n')
        self._add("about/overview.html", xml_safe(overview).encode())
        self._add("about/short_description.html", xml_safe(summary).encode())
