"""The report as an Excel workbook, written with XlsxWriter in constant-memory mode (rows stream to disk).

Sheets: a summary; one sheet per level from the scope down to --by; positions; the trend; the officials not
yet started, by village (for follow-up); learners the report cannot place (whole-country reports only); and a
sheet that explains every column. Each table has a frozen header, filters, number and percent formats, and a
colour scale on the pass rate.

A national report is about 3.4 million cells, so each costs as little as it can: a number format is set once
per column (XlsxWriter gives every cell written without a format of its own the column's), never per cell;
cells go out through the writer's typed calls; and text is made safe (tables.safe_column: no formula, no
control character, NIKs masked) a block of rows at a time, a column at a time, at memory speed when no cell
needs a change. benchmarks/report_speed.py measures it; openpyxl's write-only mode with a styled cell per
formatted value took twice the CPU time for the same workbook.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

import xlsxwriter

from pamong_edx.i18n import N_, _
from pamong_edx.report import columns as cols
from pamong_edx.report.assemble import Lists
from pamong_edx.report.model import DESA, KABUPATEN, KECAMATAN, PROVINSI, ListedPerson, Report, Row
from pamong_edx.tables import safe_column

SHEET_NAMES = {
    PROVINSI: N_("Provinces"),
    KABUPATEN: N_("Kabupaten-Kota"),
    KECAMATAN: N_("Kecamatan"),
    DESA: N_("Villages"),
}
# Counts need no format (Excel shows whole numbers as they are); times are Excel dates (UTC), sortable.
FORMATS = {cols.RATE: "0.0%", cols.SCORE: "0.0", cols.POINTS: "+0.0;-0.0;0.0", cols.CHANGE: "+#,##0;-#,##0;0",
           cols.DATE: "yyyy-mm-dd hh:mm"}
EXCEL_EPOCH = 25569  # the serial number of 1970-01-01 in Excel's 1900 date system
EXCEL_ROWS = 1_048_576  # the most rows a sheet can have
BLOCK = 4096  # rows made safe together, a column at a time
COLOUR_SCALE = {"type": "3_color_scale", "min_type": "num", "min_value": 0, "min_color": "#F8696B",
                "mid_type": "num", "mid_value": 0.5, "mid_color": "#FFEB84",
                "max_type": "num", "max_value": 1, "max_color": "#63BE7B"}


def _sheet_title(text: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    for bad in "[]:*?/\\":
        text = text.replace(bad, "-")
    return text[:31]


class _Sheet:
    """One table: a styled header row, then rows written a block at a time."""

    def __init__(self, book: xlsxwriter.Workbook, styles: dict, title: str, header: list[str], widths: list[int],
                 formats: Sequence[str | None] = ()) -> None:
        self.ws = book.add_worksheet(_sheet_title(title))
        self.width = len(header)
        self.full = False  # rows were left out at Excel's limit
        for index, width in enumerate(widths):
            fmt = formats[index] if index < len(formats) else None
            self.ws.set_column(index, index, width, styles[fmt] if fmt else None)
        self.ws.freeze_panes(1, 0)
        self.ws.set_row(0, None, styles["header"])
        for index, text in enumerate(header):
            self.ws.write_string(0, index, text, styles["header"])
        self.rows = 1

    def write(self, rows: Iterable[Sequence[object]]) -> None:
        block: list[Sequence[object]] = []
        for row in rows:
            block.append(row)
            if len(block) == BLOCK:
                self._block(block)
                block = []
        if block:
            self._block(block)

    def _block(self, block: list[Sequence[object]]) -> None:
        room = EXCEL_ROWS - 1 - self.rows  # the last row is kept to say what is missing
        if len(block) > room:
            self.full = True
            block = block[:max(room, 0)]
            if not block:
                return
        columns = []
        for column in zip(*block):
            if any(cell.__class__ is str for cell in column):
                column = safe_column(column)
            columns.append(column)
        number, string, row = self.ws.write_number, self.ws.write_string, self.rows
        for values in zip(*columns):
            for index, value in enumerate(values):
                if value is None or value == "":
                    continue
                if value.__class__ is str:
                    string(row, index, value)
                else:
                    number(row, index, value)
            row += 1
        self.rows = row

    def finish(self, rate_column: int | None = None) -> None:
        if self.full:
            self.ws.write_string(self.rows, 0, _("Excel holds no more rows: the rest are left out; report a smaller "
                                                 "--scope"))
            self.rows += 1
        self.ws.autofilter(0, 0, max(self.rows - 1, 1), self.width - 1)
        if rate_column is not None and self.rows > 1:
            self.ws.conditional_format(1, rate_column, self.rows - 1, rate_column, COLOUR_SCALE)


def _styles(book: xlsxwriter.Workbook) -> dict:
    """The workbook's few formats, made once (XlsxWriter keeps them by object)."""
    styles = {fmt: book.add_format({"num_format": fmt}) for fmt in FORMATS.values()}
    styles["header"] = book.add_format({"bold": True, "bg_color": "#DDE6F0", "text_wrap": True, "valign": "top"})
    return styles


def excel_value(column: cols.Column, value: object) -> object:
    """A figure as the workbook holds it: cols.scaled, and an ISO time as an Excel date number."""
    if column.kind == cols.DATE:
        return excel_date(value) if value else None
    return cols.scaled(column, value)


def excel_date(text: str) -> float | None:
    try:
        return datetime.fromisoformat(text).timestamp() / 86400 + EXCEL_EPOCH
    except ValueError:
        return None


def figure_columns(report: Report) -> list[cols.Column]:
    return [c for c in cols.COLUMNS if c.key != "on_roster" or report.snapshot.roster]


def write_xlsx(report: Report, path: Path, lists: Lists) -> None:
    # Text is never taken for a formula, a number or a link: it is written as text, made safe beforehand.
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    styles = _styles(book)
    figures = figure_columns(report)
    many = len(report.courses) > 1
    lead = [_("Course")] if many else []
    lead_widths = [28] if many else []
    figure_headers = [_(c.header) for c in figures]
    figure_formats = [FORMATS.get(c.kind) for c in figures]
    rate_at = next(i for i, c in enumerate(figures) if c.key == "pass_rate")

    def values(row: Row) -> list[object]:
        return [excel_value(c, c.value(row)) for c in figures]

    def region_sheet(title: str) -> _Sheet:
        return _Sheet(book, styles, title, [*lead, _("Code"), _("Region"), *figure_headers],
                      [*lead_widths, 14, 30, *[12] * len(figures)], [*[None] * (len(lead) + 2), *figure_formats])

    def region_rows(rows: Iterable[tuple[str, Row]]) -> Iterable[list[object]]:
        return ([*([key] if many else []), row.key, row.name, *values(row)] for key, row in rows)

    # Summary: the scope, the region above it, and (whole country) the unknown region.
    summary = region_sheet(_("Summary"))
    summary.write(region_rows((course.course.key, row) for course in report.courses
                              for row in (course.total, course.reference, course.unknown) if row is not None))
    summary.finish(len(lead) + 2 + rate_at)

    for level in sorted({level for course in report.courses for level in course.levels}):
        sheet = region_sheet(_(SHEET_NAMES[level]))
        sheet.write(region_rows((course.course.key, row) for course in report.courses
                                for row in course.levels.get(level, ())))
        sheet.finish(len(lead) + 2 + rate_at)

    positions = _Sheet(book, styles, _("Positions"), [*lead, _("Position"), *figure_headers],
                       [*lead_widths, 30, *[12] * len(figures)], [*[None] * (len(lead) + 1), *figure_formats])
    positions.write([*([course.course.key] if many else []), row.name, *values(row)]
                    for course in report.courses for row in course.positions)
    positions.finish(len(lead) + 1 + rate_at)

    trend_columns = [c for c in figures if c.kind != cols.CHANGE and not c.key.startswith("change")]
    trend = _Sheet(book, styles, _("Trend"), [*lead, _("Snapshot"), _("Taken"), *[_(c.header) for c in trend_columns]],
                   [*lead_widths, 10, 22, *[12] * len(trend_columns)],
                   [*[None] * (len(lead) + 2), *[FORMATS.get(c.kind) for c in trend_columns]])
    trend.write([*([course.course.key] if many else []), point.snapshot, point.taken,
                 *[excel_value(c, c.value(Row(report.scope, report.scope_name, 0, point.figures)))
                   for c in trend_columns]]
                for course in report.courses for point in course.trend)
    trend.finish()

    person_headers = [_(header) for _key, header, _explain in cols.PERSON_COLUMNS]
    states = {state: _(text) for state, text in cols.STATES.items()}
    waiting = _Sheet(book, styles, _("Not started"), [*lead, *person_headers], [*lead_widths, 34, 30, 26, 32, 18])
    waiting.write([*([course.course.key] if many else []), *_person(person, states)]
                  for course in report.courses for person in lists.not_started(course.course.key))
    waiting.finish()

    if any(course.unknown is not None for course in report.courses):
        unknown = _Sheet(book, styles, _("Region unknown"), [*lead, _("Email"), _("Username"), _("Name"), _("Position"),
                                                     _("State")], [*lead_widths, 32, 20, 30, 26, 18])
        unknown.write([*([course.course.key] if many else []), person.email, person.username, person.name,
                       person.position, states[person.state]]
                      for course in report.courses for person in lists.unplaced(course.course.key))
        unknown.finish()

    explain = _Sheet(book, styles, _("Columns explained"), [_("Column"), _("What it means")], [26, 100])
    explain.write([*([_(header), _(text)] for header, text in (*cols.REGION_HEAD, *cols.POSITION_HEAD)),
                   *([_(column.header), _(column.explain)] for column in figures),
                   *([_(header), _(text)] for _key, header, text in cols.PERSON_COLUMNS)])
    explain.finish()
    book.close()


def _person(person: ListedPerson, states: dict[str, str]) -> list[object]:
    village = f"{person.region} {person.village}" if person.village else person.region
    return [village, person.name, person.position, person.email, states[person.state]]
