"""The report as an Excel workbook (openpyxl, write-only: rows stream to disk, so a national report fits in memory).

Sheets: a summary; one sheet per level from the scope down to --by; positions; the trend; the officials not
yet started, by village (for follow-up); learners the report cannot place (whole-country reports only); and a
sheet that explains every column. Each table has a frozen header, filters, number and percent formats, and a
colour scale on the pass rate.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from pamong_edx.i18n import N_, _
from pamong_edx.report import columns as cols
from pamong_edx.report.assemble import Lists
from pamong_edx.report.model import KABUPATEN, KECAMATAN, PROVINSI, DESA, ListedPerson, Report, Row
from pamong_edx.tables import safe_text

SHEET_NAMES = {
    PROVINSI: N_("Provinces"),
    KABUPATEN: N_("Kabupaten-Kota"),
    KECAMATAN: N_("Kecamatan"),
    DESA: N_("Villages"),
}
# Counts need no format (Excel shows whole numbers as they are); a styled cell costs time in a national sheet.
FORMATS = {cols.RATE: "0.0%", cols.SCORE: "0.0", cols.POINTS: "+0.0;-0.0;0.0", cols.CHANGE: "+#,##0;-#,##0;0"}
EXCEL_ROWS = 1_048_576  # the most rows a sheet can have
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


def _sheet_title(text: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    for bad in "[]:*?/\\":
        text = text.replace(bad, "-")
    return text[:31]


class _Sheet:
    def __init__(self, book: Workbook, title: str, header: list[str], widths: list[int]) -> None:
        self.ws = book.create_sheet(_sheet_title(title))
        self.width = len(header)
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.freeze_panes = "A2"
        cells = []
        for text in header:
            cell = WriteOnlyCell(self.ws, value=text)
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cells.append(cell)
        self.ws.append(cells)
        self.rows = 1

    def append(self, values: list[object], formats: list[str | None] | None = None) -> None:
        if self.rows >= EXCEL_ROWS - 1:
            if self.rows == EXCEL_ROWS - 1:  # the last row says what is missing
                self.ws.append([_("Excel holds no more rows: the rest are left out; report a smaller --scope")])
                self.rows += 1
            return
        out: list[object] = []
        for index, value in enumerate(values):
            if value.__class__ is str and value:
                value = safe_text(value)
            fmt = formats[index] if formats else None
            if fmt and value is not None:
                cell = WriteOnlyCell(self.ws, value=value)
                cell.number_format = fmt
                value = cell
            out.append(value)
        self.ws.append(out)
        self.rows += 1

    def finish(self, rate_column: int | None = None) -> None:
        last = get_column_letter(self.width)
        self.ws.auto_filter.ref = f"A1:{last}{max(self.rows, 2)}"
        if rate_column is not None and self.rows > 1:
            letter = get_column_letter(rate_column)
            self.ws.conditional_formatting.add(
                f"{letter}2:{letter}{self.rows}",
                ColorScaleRule(start_type="num", start_value=0, start_color="F8696B", mid_type="num", mid_value=0.5,
                               mid_color="FFEB84", end_type="num", end_value=1, end_color="63BE7B"))


def figure_columns(report: Report) -> list[cols.Column]:
    return [c for c in cols.COLUMNS if c.key != "on_roster" or report.snapshot.roster]


def write_xlsx(report: Report, path: Path, lists: Lists) -> None:
    book = Workbook(write_only=True)
    figures = figure_columns(report)
    many = len(report.courses) > 1
    lead = [_("Course")] if many else []
    lead_widths = [28] if many else []
    figure_headers = [_(c.header) for c in figures]
    figure_formats = [FORMATS.get(c.kind) for c in figures]
    rate_at = next(i for i, c in enumerate(figures) if c.key == "pass_rate")

    def values(row: Row) -> list[object]:
        return [cols.scaled(c, c.value(row)) for c in figures]

    # Summary: the scope, the region above it, and (whole country) the unknown region.
    summary = _Sheet(book, _("Summary"), [*lead, _("Code"), _("Region"), *figure_headers],
                     [*lead_widths, 14, 30, *[12] * len(figures)])
    for course in report.courses:
        for row in (course.total, course.reference, course.unknown):
            if row is not None:
                summary.append([*([course.course.key] if many else []), row.key, row.name, *values(row)],
                               [*[None] * (len(lead) + 2), *figure_formats])
    summary.finish(len(lead) + 3 + rate_at)

    levels = sorted({level for course in report.courses for level in course.levels})
    for level in levels:
        sheet = _Sheet(book, _(SHEET_NAMES[level]), [*lead, _("Code"), _("Region"), *figure_headers],
                       [*lead_widths, 14, 30, *[12] * len(figures)])
        for course in report.courses:
            for row in course.levels.get(level, ()):
                sheet.append([*([course.course.key] if many else []), row.key, row.name, *values(row)],
                             [*[None] * (len(lead) + 2), *figure_formats])
        sheet.finish(len(lead) + 3 + rate_at)

    positions = _Sheet(book, _("Positions"), [*lead, _("Position"), *figure_headers],
                       [*lead_widths, 30, *[12] * len(figures)])
    for course in report.courses:
        for row in course.positions:
            positions.append([*([course.course.key] if many else []), row.name, *values(row)],
                             [*[None] * (len(lead) + 1), *figure_formats])
    positions.finish(len(lead) + 2 + rate_at)

    trend_columns = [c for c in figures if c.kind != cols.CHANGE and not c.key.startswith("change")]
    trend = _Sheet(book, _("Trend"), [*lead, _("Snapshot"), _("Taken"), *[_(c.header) for c in trend_columns]],
                   [*lead_widths, 10, 22, *[12] * len(trend_columns)])
    for course in report.courses:
        for point in course.trend:
            row = Row(report.scope, report.scope_name, 0, point.figures)
            trend.append([*([course.course.key] if many else []), point.snapshot, point.taken,
                          *[cols.scaled(c, c.value(row)) for c in trend_columns]],
                         [*[None] * (len(lead) + 2), *[FORMATS.get(c.kind) for c in trend_columns]])
    trend.finish()

    person_headers = [_(header) for _key, header, _explain in cols.PERSON_COLUMNS]
    waiting = _Sheet(book, _("Not started"), [*lead, *person_headers], [*lead_widths, 14, 24, 30, 26, 32, 18])
    for course in report.courses:
        for person in lists.not_started(course.course.key):
            waiting.append([*([course.course.key] if many else []), *_person(person)])
    waiting.finish()

    if any(course.unknown is not None for course in report.courses):
        unknown = _Sheet(book, _("Region unknown"), [*lead, _("Email"), _("Username"), _("Name"), _("Position"),
                                                     _("State")], [*lead_widths, 32, 20, 30, 26, 18])
        for course in report.courses:
            for person in lists.unplaced(course.course.key):
                unknown.append([*([course.course.key] if many else []), person.email, person.username, person.name,
                                person.position, _(cols.STATES[person.state])])
        unknown.finish()

    explain = _Sheet(book, _("Columns explained"), [_("Column"), _("What it means")], [26, 100])
    for header, text in (*cols.REGION_HEAD, *cols.POSITION_HEAD):
        explain.append([_(header), _(text)])
    for column in figures:
        explain.append([_(column.header), _(column.explain)])
    for _key, header, text in cols.PERSON_COLUMNS:
        explain.append([_(header), _(text)])
    explain.finish()
    book.save(path)


def _person(person: ListedPerson) -> list[object]:
    return [person.region, person.village, person.name, person.position, person.email,
            _(cols.STATES[person.state])]
