"""The report as an Excel workbook, written by rustpy-xlsxwriter (rust_xlsxwriter underneath) with every sheet
streamed to disk as it is written (constant memory).

Sheets: a summary; one sheet per level from the scope down to --by; positions; the trend; the officials not
yet started, by village (for follow-up); learners the report cannot place (whole-country reports only); and a
sheet that explains every column. Each table has a frozen header, filters, number and percent formats, and a
colour scale on the pass rate.

A national report is about 3.4 million cells. XlsxWriter spent 6 µs of Python on each (five sixths of the whole
report); the compiled writer takes the rows as dicts and writes them six times faster. A number format is set
once per column, never per cell; text is made safe (tables.safe_column: no formula, no control character, NIKs
masked) a block of rows at a time, a column at a time, at memory speed when no cell needs a change.
benchmarks/report_speed.py measures it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from pathlib import Path

from rustpy_xlsxwriter import FastExcel, Format

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
# Red for the lowest pass rate in the table, yellow for the median, green for the highest.
COLOUR_SCALE = {"type": "3_color_scale", "min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"}


def _sheet_title(text: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    for bad in "[]:*?/\\":
        text = text.replace(bad, "-")
    return text[:31]


class _Book:
    """The workbook's sheets, each a header and its rows; written together by write()."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sheets: list[tuple[str, Iterable[dict], dict]] = []
        self.header_format = Format().set_bold().set_background_color("#DDE6F0").set_text_wrap().set_align("top")
        self.formats = {fmt: Format().set_num_format(fmt) for fmt in FORMATS.values()}

    def sheet(self, title: str, header: list[str], widths: list[int], rows: Iterable[Sequence[object]],
              formats: Sequence[str | None] = (), rate_column: int | None = None) -> None:
        options = {"column_widths": widths, "header_format": self.header_format, "autofilter": True,
                   "column_formats": [self.formats[fmt] if fmt else None for fmt in formats]}
        if rate_column is not None:
            options["conditional_formats"] = {header[rate_column]: COLOUR_SCALE}
        self.sheets.append((_sheet_title(title), _records(header, rows), options))

    def write(self) -> None:
        book = FastExcel(self.path, output_format="xlsx").freeze(row=1, col=0)
        for title, records, options in self.sheets:
            book.sheet(title, records, **options)
        book.save()


def _records(header: list[str], rows: Iterable[Sequence[object]]) -> Iterator[dict]:
    """The rows as the writer takes them (dicts by header), text made safe a block at a time; a table with no
    rows still gets its header (a row with every cell empty writes only the header); at Excel's row limit the
    rest is left out and the last row says so."""
    rows = iter(rows)
    room = EXCEL_ROWS - 2  # the header, and the last row kept to say what is missing
    written = 0
    while block := list(islice(rows, BLOCK)):
        if len(block) > room - written:
            block = block[:room - written]
            full = True
        else:
            full = False
        columns = []
        for column in zip(*block):
            if any(cell.__class__ is str for cell in column):
                column = [None if cell == "" else cell for cell in safe_column(column)]
            columns.append(column)
        yield from (dict(zip(header, values)) for values in zip(*columns))
        written += len(block)
        if full:
            yield {header[0]: _("Excel holds no more rows: the rest are left out; report a smaller --scope")}
            return
    if not written:
        yield dict.fromkeys(header)


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
    # Text is never taken for a formula, a number or a link: the writer writes every str as text, made safe
    # beforehand.
    book = _Book(path)
    figures = figure_columns(report)
    many = len(report.courses) > 1
    lead = [_("Course")] if many else []
    lead_widths = [28] if many else []
    figure_headers = [_(c.header) for c in figures]
    figure_formats = [FORMATS.get(c.kind) for c in figures]
    rate_at = next(i for i, c in enumerate(figures) if c.key == "pass_rate")

    def values(row: Row) -> list[object]:
        return [excel_value(c, c.value(row)) for c in figures]

    def region_sheet(title: str, rows: Iterable[tuple[str, Row]]) -> None:
        book.sheet(title, [*lead, _("Code"), _("Region"), *figure_headers],
                   [*lead_widths, 14, 30, *[12] * len(figures)],
                   ([*([key] if many else []), row.key, row.name, *values(row)] for key, row in rows),
                   [*[None] * (len(lead) + 2), *figure_formats], len(lead) + 2 + rate_at)

    # Summary: the scope, the region above it, and (whole country) the unknown region.
    region_sheet(_("Summary"), ((course.course.key, row) for course in report.courses
                                for row in (course.total, course.reference, course.unknown) if row is not None))
    def level_rows(level: int) -> Iterator[tuple[str, Row]]:  # a function: each sheet's rows are read later
        return ((course.course.key, row) for course in report.courses for row in course.levels.get(level, ()))

    for level in sorted({level for course in report.courses for level in course.levels}):
        region_sheet(_(SHEET_NAMES[level]), level_rows(level))

    book.sheet(_("Positions"), [*lead, _("Position"), *figure_headers], [*lead_widths, 30, *[12] * len(figures)],
               ([*([course.course.key] if many else []), row.name, *values(row)]
                for course in report.courses for row in course.positions),
               [*[None] * (len(lead) + 1), *figure_formats], len(lead) + 1 + rate_at)

    trend_columns = [c for c in figures if c.kind != cols.CHANGE and not c.key.startswith("change")]
    book.sheet(_("Trend"), [*lead, _("Snapshot"), _("Taken"), *[_(c.header) for c in trend_columns]],
               [*lead_widths, 10, 22, *[12] * len(trend_columns)],
               ([*([course.course.key] if many else []), point.snapshot, point.taken,
                 *[excel_value(c, c.value(Row(report.scope, report.scope_name, 0, point.figures)))
                   for c in trend_columns]]
                for course in report.courses for point in course.trend),
               [*[None] * (len(lead) + 2), *[FORMATS.get(c.kind) for c in trend_columns]])

    person_headers = [_(header) for _key, header, _explain in cols.PERSON_COLUMNS]
    states = {state: _(text) for state, text in cols.STATES.items()}
    book.sheet(_("Not started"), [*lead, *person_headers], [*lead_widths, 34, 30, 26, 32, 18],
               ([*([course.course.key] if many else []), *_person(person, states)]
                for course in report.courses for person in lists.not_started(course.course.key)))

    if any(course.unknown is not None for course in report.courses):
        book.sheet(_("Region unknown"), [*lead, _("Email"), _("Username"), _("Name"), _("Position"), _("State")],
                   [*lead_widths, 32, 20, 30, 26, 18],
                   ([*([course.course.key] if many else []), person.email, person.username, person.name,
                     person.position, states[person.state]]
                    for course in report.courses for person in lists.unplaced(course.course.key)))

    book.sheet(_("Columns explained"), [_("Column"), _("What it means")], [26, 100],
               [*([_(header), _(text)] for header, text in (*cols.REGION_HEAD, *cols.POSITION_HEAD)),
                *([_(column.header), _(column.explain)] for column in figures),
                *([_(header), _(text)] for _key, header, text in cols.PERSON_COLUMNS)])
    book.write()


def _person(person: ListedPerson, states: dict[str, str]) -> list[object]:
    village = f"{person.region} {person.village}" if person.village else person.region
    return [village, person.name, person.position, person.email, states[person.state]]
