"""Writing a report: CSV and JSON here, XLSX and HTML in their own modules; every file or none.

Each output is written beside its final name and moved into place only when all of them are written, so a
run that fails half way leaves no partial file and no mix of old and new outputs.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path

from pamong_edx.errors import PamongError, UsageError
from pamong_edx.i18n import _
from pamong_edx.report import columns as cols
from pamong_edx.report.assemble import Lists
from pamong_edx.report.model import Figures, Report, Row
from pamong_edx.tables import neutralise

SUFFIXES = {".xlsx": "xlsx", ".html": "html", ".htm": "html", ".csv": "csv", ".json": "json"}
LEVEL_WORDS = {-1: "unknown", 0: "nation", 1: "provinsi", 2: "kabupaten", 3: "kecamatan", 4: "desa"}


def output_kind(path: Path) -> str:
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise UsageError(_("-o {path}: say the format by the file name's ending: .xlsx, .html, .csv or .json")
                         .format(path=path))
    folder = path.parent
    if path.is_dir():
        raise UsageError(_("-o {path} is a folder; give a file name, e.g. {example}")
                         .format(path=path, example=path / "laporan.xlsx"))
    if not folder.is_dir():
        raise UsageError(_("-o {path}: the folder {folder} does not exist; create it or choose another path")
                         .format(path=path, folder=folder))
    return kind


def write_outputs(report: Report, paths: list[Path], lists: Lists, language: str) -> None:
    from pamong_edx.report.html import write_html
    from pamong_edx.report.xlsx import write_xlsx

    parts: list[tuple[Path, Path]] = []
    try:
        for path in paths:
            part = path.with_name(path.name + ".part")
            parts.append((part, path))
            kind = output_kind(path)
            if kind == "xlsx":
                write_xlsx(report, part, lists)
            elif kind == "html":
                write_html(report, part, lists, language)
            elif kind == "csv":
                write_csv(report, part)
            else:
                with part.open("w", encoding="utf-8") as handle:
                    write_json(report, handle)
        for part, path in parts:
            os.replace(part, path)
    except OSError as exc:
        raise PamongError(_("cannot write {path}: {reason}").format(path=parts[-1][1] if parts else "",
                                                                     reason=exc.strerror or exc)) from None
    finally:
        for part, _path in parts:
            part.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------------------ CSV


def table_rows(report: Report) -> Iterator[tuple[str, Row]]:
    """Every region row of the report, per course: the scope, the levels below it, the unknown region."""
    for course in report.courses:
        yield course.course.key, course.total
        for level in sorted(course.levels):
            for row in course.levels[level]:
                yield course.course.key, row
        if course.unknown is not None:
            yield course.course.key, course.unknown


def csv_value(column: cols.Column, row: Row) -> object:
    value = cols.scaled(column, column.value(row))
    if value is not None and column.kind == cols.RATE:
        return round(float(value) * 100, 1)
    return "" if value is None else value


def write_csv(report: Report, path: Path) -> None:
    """UTF-8 with a BOM (Excel reads the accents), formula-safe; rates, scores and points out of 100."""
    figures = [c for c in cols.COLUMNS if c.key != "on_roster" or report.snapshot.roster]
    header = [_("Course"), _("Level"), _("Code"), _("Region"), *[_(c.header) for c in figures]]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        for course, row in table_rows(report):
            cells = [course, LEVEL_WORDS.get(row.level, ""), row.key, row.name, *[csv_value(c, row) for c in figures]]
            out.writerow([neutralise(c) if isinstance(c, str) else c for c in cells])


# ----------------------------------------------------------------------------------------------------- JSON


def _figures(figures: Figures) -> dict:
    data = {name: getattr(figures, name) for name in (*Figures.COUNTS, "pretest_median", "posttest_median",
                                                       "gain_median", "last_activity")}
    data["pass_rate"] = figures.pass_rate
    return data


def _row(row: Row) -> dict:
    data = {"code": row.key, "name": row.name, "level": LEVEL_WORDS.get(row.level, "position"),
            **_figures(row.figures)}
    if row.previous is not None:
        data["previous"] = _figures(row.previous)
    return data


def write_json(report: Report, handle) -> None:  # noqa: ANN001 - a text file
    """as_json(report), written a row at a time: a national report's rows never sit in memory as one tree."""
    data = as_json(report, rows=False)
    text = json.dumps(data, ensure_ascii=False)
    # Each course's "levels" is written empty by as_json(rows=False); fill them in as the text goes out.
    marker = '"levels": {}'
    parts = text.split(marker)
    handle.write(parts[0])
    for course, rest in zip(report.courses, parts[1:]):
        handle.write('"levels": {')
        for n, (level, rows) in enumerate(sorted(course.levels.items())):
            handle.write(("," if n else "") + json.dumps(LEVEL_WORDS[level]) + ": [")
            for m, row in enumerate(rows):
                handle.write(("," if m else "") + json.dumps(_row(row), ensure_ascii=False))
            handle.write("]")
        handle.write("}" + rest)


def as_json(report: Report, rows: bool = True) -> dict:
    """The whole report for scripts: fractions (0..1) as they are, counts, ISO times; no people."""
    return {
        "snapshot": {"id": report.snapshot.id, "taken": report.snapshot.taken, "lms": report.snapshot.lms,
                     "roster": bool(report.snapshot.roster), "notes": list(report.snapshot.notes)},
        "scope": {"code": report.scope, "name": report.scope_name,
                  "within": [{"code": c, "name": n} for c, n in report.lineage]},
        "by": LEVEL_WORDS[report.by],
        "courses": [{
            "course": course.course.__dict__,
            "previous_snapshot": (lambda p: {"id": p.id, "taken": p.taken} if p else None)(
                report.previous.get(course.course.key)),
            "total": _row(course.total),
            "reference": _row(course.reference) if course.reference else None,
            "unknown": _row(course.unknown) if course.unknown else None,
            "levels": {LEVEL_WORDS[level]: [_row(r) for r in level_rows]
                       for level, level_rows in sorted(course.levels.items())} if rows else {},
            # the previous snapshot's positions are counted, not scored: only their counts are given
            "positions": [{**_row(r), "code": r.key, "level": "position",
                           **({"previous": {k: getattr(r.previous, k) for k in ("enrolled", "started", "passed")}}
                              if r.previous else {})} for r in course.positions],
            "trend": [{"snapshot": p.snapshot, "taken": p.taken, **_figures(p.figures)} for p in course.trend],
            "not_started": course.not_started_count,
            "unknown_learners": course.unknown_count,
        } for course in report.courses],
    }
