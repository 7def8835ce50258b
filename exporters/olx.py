"""Open edX OLX export: one `<org>-<number>-<run>.olx.tar.gz` that Studio's course import accepts.

The package follows the contract in shared/specs/openedx.md §1 (docs/olx.md walks through it):

    course/course.xml                      pointer: exactly url_name (= run), org, course
    course/course/{run}.xml                the course element: display_name, start, end, chapter pointers
    course/chapter|sequential|vertical/    one file per element, pointed at by `<tag url_name=".."/>`
    course/html|video|problem|.../         each block as its type's "olx" renderer writes it (olx_output.py):
                                           HTML components, videos, CAPA problems (olx_capa.py); a block type
                                           without one is placed as HTML through its plugin's to_html
    course/itembank/{unit}-pool.xml        a unit that is a question pool: a problem bank drawing K of its problems
    course/policies/{run}/*.json           course settings and grading policy, keyed by course.xml's url_name
    course/about/*.html, course/static/*   About page texts and the course assets, flat

Pointers carry nothing but url_name (any other attribute turns them into empty inline blocks), display names
live inside the pointed-to files, and discussions are written inline, as Studio exports them. No block type is
named here: the exporter asks each block's type for its renderer (pamong_edx/renderers.py).
"""

from __future__ import annotations

import heapq
import html
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from lxml import etree

from pamong_edx import i18n, renderers
from pamong_edx.course.model import Block, Chapter, Course, Sequential, Unit
from pamong_edx.course.richtext import RichText, as_html
from pamong_edx.export import BuildResult, Exporter, ExportError
from pamong_edx.exporters.olx_capa import CapaBuilder, xml_safe
from pamong_edx.exporters.olx_output import OlxOutput, xml_bytes
from pamong_edx.exporters.olx_static import static_names
from pamong_edx.exporters.tar_archive import Content, member_size, write_tar_gz

TOP = "course"
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

    def __init__(self, course: Course, out_dir: Path, options: dict[str, Any] | None = None):
        super().__init__(course, out_dir, options)
        self.files: dict[str, Content] = {}
        self.warnings: list[str] = []
        self._taken: set[str] = set()
        self.cache = self.options.get("cache")  # a BuildCache, when the build keeps one
        self._made_up: list[tuple[str, str]] | None = None  # names _unique gave while a chapter is written
        self._context_key: tuple | None = None

    # ------------------------------------------------------------------------------------------- lifecycle

    def prepare(self) -> None:
        # The loader guarantees what Studio needs of the model (identifiers of [A-Za-z0-9_-], unique and none
        # equal to the run, graded formats in the grading policy, existing assets, one correct choice where
        # one is required); what a block's type needs of its blocks, its renderer checks.
        course = self.course
        blocks = list(course.blocks())
        missing = renderers.missing(blocks, "olx", self.name)
        if missing:
            raise ExportError(missing)
        self.renderer = renderers.Lookup("olx")
        self.lang = course.language.split("-")[0].lower()
        self.static = static_names(list(course.assets))
        self.capa = CapaBuilder(self.rich_html, self.lang)
        self._taken = {course.run} | {c.id for c in course.chapters}
        self._taken |= {s.id for _, s in course.sequentials()}
        self._taken |= {u.id for _, s in course.sequentials() for u in s.units}
        self._taken |= {b.id for b in blocks}
        self.out = OlxOutput(course, self.lang, self.files, self.rich_html, self.static, self.capa, self._unique)
        by_type: dict[str, list[Block]] = {}
        for block in blocks:
            by_type.setdefault(block.type, []).append(block)
        for type_name, of_type in by_type.items():
            renderer = self.renderer(type_name)
            if renderer is not None:
                renderer.prepare(of_type, self.out)
        found = self.out.diagnostics
        if any(d.is_error for d in found):
            raise ExportError([d for d in found if d.is_error])
        self.warnings.extend(d.text() for d in found)
        del found[:]
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
        self.warnings.extend(d.text() for d in self.out.diagnostics)

    def finish(self) -> BuildResult:
        path = self.output_path
        size = write_tar_gz(path, self.files, cache=self.cache)
        sizes = heapq.nsmallest(LARGEST_FILES, ((-member_size(c), name) for name, c in self.files.items()))
        blocks = list(self.course.blocks())
        pools = [u for _, s in self.course.sequentials() for u in s.units if u.pool_draw is not None]
        return BuildResult(
            format=self.name,
            path=path,
            size=size,
            counts={
                "blocks": len(blocks),
                "problems": sum(1 for b in blocks if b.is_problem),
                "assets": len(self.static),
                "pools": len(pools),
                "pooled": sum(len(u.pool) for u in pools),
                "drawn": sum(u.pool_draw for u in pools),
            },
            largest_files=[(name, -negative) for negative, name in sizes],
            warnings=list(self.warnings),
        )

    def static_url(self, name: str) -> str:
        """Where an asset is served from: the LMS rewrites a quoted /static/ URL to the course's asset URL."""
        return f"/static/{self.static[name]}"

    def rich_html(self, text: RichText | str) -> str:
        return as_html(text, self.static_url)

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
        shows are unchanged; else written and kept there, with the warnings its renderers gave. Names this
        exporter made up (a discussion prompt's `{id}-prompt`, a pool's `{unit}-pool`) must come out the same
        against today's course, else the chapter is written afresh."""
        source = self.cache.source_key(chapter) if self.cache is not None else None
        if source is None:
            self._chapter(chapter)
            return
        key = self.cache.key("olx-chapter", source, self._context())
        entry = self.cache.get(key)
        if isinstance(entry, tuple) and len(entry) == 3:
            files, made_up, found = entry
            claimed = []
            for wanted, name in made_up:
                claimed.append(self._unique(wanted))
                if claimed[-1] != name:
                    self._taken.difference_update(claimed)
                    break
            else:
                self.files.update(files)
                self.out.diagnostics.extend(found)
                return
        before = set(self.files)
        found_from = len(self.out.diagnostics)
        self._made_up = []
        try:
            self._chapter(chapter)
            made_up = self._made_up
        finally:
            self._made_up = None
        self.cache.put(key, ({name: self.files[name] for name in self.files.keys() - before}, made_up,
                             self.out.diagnostics[found_from:]))

    def _context(self) -> tuple:
        """What of the course, besides a chapter's own sources, its files depend on: the renderer (or HTML
        fallback) of each block type and what their `prepare` worked out for the whole course."""
        if self._context_key is None:
            course = self.course
            used = {}
            for block in course.blocks():
                if block.type not in used:
                    renderer = self.renderer(block)
                    made_by = type(renderer) if renderer is not None else self.html_fallback(block)
                    used[block.type] = (getattr(made_by, "__module__", ""), getattr(made_by, "__qualname__", ""),
                                        renderers.plugin_label(block.type))
            # the messages of the warnings kept with a chapter are in the language of the run that made them
            self._context_key = (type(self).__qualname__, self.version, course.org, course.number, course.run,
                                 course.language, sorted(self.static.items()), sorted(used.items()),
                                 sorted(self.out.context.items()), i18n.language())
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
            self._vertical(chapter, seq, unit)
        self._add(f"sequential/{seq.id}.xml", xml_bytes(elem))

    def _vertical(self, chapter: Chapter, seq: Sequential, unit: Unit) -> None:
        elem = etree.Element("vertical", display_name=xml_safe(unit.title))
        out = self.out
        out.chapter, out.sequential, out.unit, out.parent = chapter, seq, unit, elem
        pool = unit.pool
        bank_name = self._unique(f"{unit.id}-pool") if pool else ""
        for block in unit.blocks:
            if pool and block is pool[0]:
                out.parent = self._item_bank(elem, unit, bank_name)
            self._block(block)
        if pool:
            self._add(f"itembank/{bank_name}.xml", xml_bytes(out.parent))
        self._add(f"vertical/{unit.id}.xml", xml_bytes(elem))

    def _item_bank(self, vertical: etree._Element, unit: Unit, url_name: str) -> etree._Element:
        """A problem bank (Open edX's itembank block) showing each learner `pool_draw` of the unit's problems."""
        pointer(vertical, "itembank", url_name)
        return etree.Element("itembank", display_name=xml_safe(unit.title), max_count=str(unit.pool_draw))

    def _block(self, block: Block) -> None:
        renderer = self.renderer(block)
        if renderer is not None:
            renderer.render(block, self.out)
            return
        to_html = self.html_fallback(block)  # renderers.missing() let only blocks with one through
        self.out.html_component(block.id, self.out.title(block), to_html(block))

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
