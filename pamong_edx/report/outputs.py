"""Writing a report: CSV and JSON here, XLSX and HTML in their own modules; every file or none.

Each output is written beside its final name and moved into place only when all of them are written, so a
run that fails half way leaves no partial file and no mix of old and new outputs.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterator
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path

from pamong_edx.errors import PamongError, UsageError
from pamong_edx.i18n import _
from pamong_edx.report import columns as cols
from pamong_edx.report.assemble import Lists
from pamong_edx.report.model import Figures, Report, Row
from pamong_edx.tables import TableWriter

SUFFIXES = {".xlsx": "xlsx", ".html": "html", ".htm": "html", ".csv": "csv", ".json": "json"}
# The level of a row in the CSV and JSON: the same words in every language, for scripts.
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

    staged = [(path, path.with_name(path.name + ".part"), output_kind(path)) for path in paths]
    workbooks = [(path, part) for path, part, kind in staged if kind == "xlsx"]
    beside = workbooks and len(staged) > len(workbooks)  # a workbook, and other outputs to write meanwhile
    aside = _Aside.start(report, workbooks, lists) if beside and _large(report) else None
    current = None
    try:
        for path, part, kind in staged:
            current = path
            if kind == "xlsx":
                if aside is None:
                    write_xlsx(report, part, lists)
            elif kind == "html":
                write_html(report, part, lists, language)
            elif kind == "csv":
                write_csv(report, part)
            else:
                with part.open("w", encoding="utf-8") as handle:
                    write_json(report, handle)
        if aside is not None:
            current = workbooks[0][0]
            aside.finish()
            aside = None
        for path, part, _kind in staged:
            os.replace(part, path)
    except OSError as exc:
        raise PamongError(_("cannot write {path}: {reason}").format(path=current or "",
                                                                     reason=exc.strerror or exc)) from None
    finally:
        if aside is not None:
            aside.stop()
        for _path, part, _kind in staged:
            part.unlink(missing_ok=True)


# A workbook of a national report is most of the writing (millions of cells): above this many rows it is written
# by a forked process while this one writes the other outputs, so on two cores they take the time of the workbook.
PARALLEL_ROWS = 50_000


def _large(report: Report) -> bool:
    rows = sum(len(level) for course in report.courses for level in course.levels.values()) + \
        sum(course.not_started_count for course in report.courses)
    return rows > PARALLEL_ROWS and "fork" in multiprocessing.get_all_start_methods()


class _Aside:
    """The workbooks, written by a forked child (it shares the report already assembled, and opens the snapshot
    file afresh: a SQLite connection never crosses a fork). Its failure comes back as its message."""

    def __init__(self, process: multiprocessing.Process, answer: Connection) -> None:
        self.process, self.answer = process, answer

    @classmethod
    def start(cls, report: Report, workbooks: list[tuple[Path, Path]], lists: Lists) -> _Aside:
        import rustpy_xlsxwriter  # noqa: F401 - imported here, before the fork, never by the child

        mine, theirs = multiprocessing.Pipe(duplex=False)
        process = multiprocessing.get_context("fork").Process(
            target=_write_workbooks, args=(report, workbooks, lists.snaps.path, lists.names, theirs), daemon=True)
        process.start()
        theirs.close()
        return cls(process, mine)

    def finish(self) -> None:
        try:
            failure = self.answer.recv()
        except EOFError:  # it ended without a word: killed, or out of memory
            failure = ""
        self.process.join()
        if failure is not None or self.process.exitcode != 0:
            raise PamongError(failure or _("the workbook's writer stopped (exit code {code})")
                              .format(code=self.process.exitcode))

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


def _write_workbooks(report: Report, workbooks: list[tuple[Path, Path]], snapshot: Path, names: dict[str, str],
                     answer: Connection) -> None:
    from pamong_edx.report.snapshot import Snapshots
    from pamong_edx.report.xlsx import write_xlsx

    try:
        with Snapshots(snapshot) as snaps:
            for path, part in workbooks:
                try:
                    write_xlsx(report, part, Lists(snaps, report, names))
                except OSError as exc:
                    raise PamongError(_("cannot write {path}: {reason}").format(path=path, reason=exc.strerror or exc))
        answer.send(None)
    except Exception as exc:  # noqa: BLE001 - the parent says it, as one line
        answer.send(str(exc) or type(exc).__name__)


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
    return value


def write_csv(report: Report, path: Path) -> None:
    """The results-table writer's CSV (tables.py: UTF-8 with a BOM, formula-safe, NIKs masked, whole or not at
    all); rates, scores and points out of 100; a block of rows at a time, as columns."""
    figures = [c for c in cols.COLUMNS if c.key != "on_roster" or report.snapshot.roster]
    header = [_("Course"), _("Level"), _("Code"), _("Region"), *[_(c.header) for c in figures]]
    with TableWriter(path, header, fmt="csv", what=_("report")) as table:
        rows = table_rows(report)
        while True:
            block = list(islice(rows, 4096))
            if not block:
                break
            table.write_columns([
                [course for course, _row in block], [LEVEL_WORDS.get(row.level, "") for _c, row in block],
                [row.key for _c, row in block], [row.name for _c, row in block],
                *[[csv_value(c, row) for _c, row in block] for c in figures]])


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
