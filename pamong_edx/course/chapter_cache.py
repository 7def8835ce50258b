"""Chapter files from the build cache: an unchanged chapter file is neither read, parsed nor rendered again.

A chapter file's loaded form (its model objects and its warnings) depends on the file, on what the loader
read for it (Markdown files, transcripts: their digests), on the assets it refers to (their file metadata), and
on a little of the course around it (block plugins, the grading formats, the course's default attempts, the
limits). The first three decide whether an entry is still valid; the last is part of its key.

What loading a chapter does to the rest of the course is recorded with it and replayed: the identifiers it
claims (a clash with another chapter's makes the entry unusable, and the chapter is loaded afresh so the
error is reported as it would be), the derived id of the chapter itself, the assets it refers to (W204), the
grading formats its graded sequentials use (W203, E113), the objectives it declares (an id another chapter
declared since makes the entry unusable, as a clashing identifier does) and the ones its problems name. Entries are written only after a load without
errors, so a course with errors never leaves a cached chapter that hides one. Exporters key what they make of a
chapter by its file and every file it was made from (`CourseLoader.source_key`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pamong_edx.course.cache import BuildCache
from pamong_edx.course.model import Chapter, Location
from pamong_edx.diagnostics import Diagnostic


@dataclass
class ChapterRecord:
    """What loading one chapter file did, as the cache keeps it."""

    chapter: Chapter
    diagnostics: list[Diagnostic] = field(default_factory=list)  # warnings only: a chapter with errors is not kept
    claims: list[tuple[str, Location]] = field(default_factory=list)
    referenced: list[str] = field(default_factory=list)  # asset names
    formats: dict[str, int] = field(default_factory=dict)  # grading format -> graded sequentials using it
    sibling: tuple[str, int] | None = None  # (slug, count) when the chapter's id was derived from its title
    read: list[tuple[str, str]] = field(default_factory=list)  # (path, digest) of the files read for it
    assets: list[tuple[str, Any]] = field(default_factory=list)  # (path, file metadata) of the assets it uses
    # the objective ids its problems name, and where (checked against every chapter's objectives at the end)
    objective_refs: list[tuple[str, Location]] = field(default_factory=list)


class Recording:
    """Collects a ChapterRecord while a chapter file is loaded afresh (the LoadContext feeds it)."""

    def __init__(self, siblings: dict[str, int], formats: dict[str, int], diagnostics: int, objective_refs: int):
        self.siblings_before = dict(siblings)
        self.objective_refs_from = objective_refs
        self.formats_before = dict(formats)
        self.diagnostics_from = diagnostics
        self.claims: list[tuple[str, Location]] = []
        self.referenced: list[str] = []
        self.read: list[tuple[str, str]] = []
        self.texts: list[tuple[str, bool]] = []  # the Markdown texts rendered (or found rendered) for it

    def finish(self, chapter: Chapter, siblings: dict[str, int], formats: dict[str, int],
               diagnostics: list[Diagnostic], asset_paths: dict[str, Path], cache: BuildCache,
               objective_refs: list[tuple[str, Location]]) -> ChapterRecord:
        sibling = next(((base, n) for base, n in siblings.items() if self.siblings_before.get(base) != n), None)
        used = {name: count - self.formats_before.get(name, 0) for name, count in formats.items()
                if count != self.formats_before.get(name, 0)}
        names = list(dict.fromkeys(self.referenced))
        return ChapterRecord(
            chapter=chapter, diagnostics=diagnostics[self.diagnostics_from:], claims=self.claims, referenced=names,
            formats=used, sibling=sibling, read=self.read,
            assets=[(str(asset_paths[n]), cache.stat_signature(asset_paths[n])) for n in names if n in asset_paths],
            objective_refs=objective_refs[self.objective_refs_from:])


def still_valid(record: ChapterRecord, cache: BuildCache, assets: dict[str, Any]) -> bool:
    """The files read for the chapter have the same digests, and the assets it uses the same metadata."""
    if any(name not in assets for name in record.referenced):
        return False
    if any(cache.digest(path) != digest for path, digest in record.read):
        return False
    return all(cache.stat_signature(path) == signature for path, signature in record.assets)


def replay(record: ChapterRecord, ids: dict[str, Location], siblings: dict[str, int]) -> bool:
    """Claim the chapter's ids and its derived id's place among its siblings; False (and nothing changed) when
    another chapter took one of them since, so that it is loaded afresh and the clash reported."""
    if any(value in ids for value, _ in record.claims):
        return False
    if record.sibling is not None:
        base, n = record.sibling
        if siblings.get(base, 0) + 1 != n:
            return False
        siblings[base] = n
    for value, loc in record.claims:
        ids[value] = loc
    return True
