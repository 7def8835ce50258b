"""Results tables for people to open in Excel: CSV (UTF-8 with a BOM) or XLSX, written whole or not at all.

Every results file the toolkit writes (roster check results, enrolment plans and results, reports) goes
through TableWriter, so every table is made safe the same way:

- a cell a spreadsheet would run as a formula (one starting with ``=`` ``+`` ``-`` ``@``) gets a leading
  apostrophe and is shown as text;
- tabs and line breaks become spaces, every other control character (NUL, ESC, ...) is dropped;
- NIK-shaped numbers are masked (pamong_edx.personal), whichever column they were typed in;
- the file is written as ``NAME.part`` and moved over NAME when complete: a reader never sees half a file,
  and an interrupted run leaves the previous file as it was.

Rows are written one at a time (write_row) or a block at a time, column by column (write_columns). The
column form tests a whole column at memory speed and, when no cell needs quoting, joins CSV lines itself
instead of calling the csv module per row: the same bytes, several times faster, which is what keeps the
check of a million-row roster fast.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from pamong_edx.errors import PamongError, UsageError
from pamong_edx.i18n import _
from pamong_edx.personal import mask_niks, without_controls

FORMATS = ("csv", "xlsx")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_CSV_SPECIAL = ('"', ",", "\r", "\n")
_INT = frozenset({int})


def neutralise(value: str) -> str:
    """A cell a spreadsheet shows as text and never evaluates."""
    return "'" + value if value.startswith(FORMULA_START) else value


def safe_text(value: str) -> str:
    """A text cell as every results table writes it: no control characters, NIKs masked, never a formula."""
    return neutralise(mask_niks(without_controls(value)))


def safe_cells(cells: Iterable[object]) -> list[object]:
    return [safe_text(c) if c.__class__ is str else c for c in cells]


def safe_column(column: Sequence[object]) -> Sequence[object]:
    """A column's cells made safe as safe_text makes each; one memory-speed test of the whole column decides
    whether any cell needs a change (for writers of their own, like the report's workbook)."""
    return _safe_column(column)[0]



def table_format(path: Path, fmt: str | None = None) -> str:
    """The format to write: fmt when given, else from the file name (``.xlsx``), else CSV."""
    fmt = fmt or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
    if fmt not in FORMATS:
        raise UsageError(_("table format '{format}' is not one of {formats}")
                         .format(format=fmt, formats=", ".join(FORMATS)))
    return fmt


class TableWriter:
    """Writes one table to path; call commit() at the end (or use it as a context manager, which commits
    on success and removes the partial file on an exception)."""

    def __init__(self, path: str | os.PathLike, header: Sequence[str], *, fmt: str | None = None,
                 what: str | None = None) -> None:
        self.path = Path(path)
        self.format = table_format(self.path, fmt)
        self.what = what or _("results")
        self._partial = self.path.with_name(self.path.name + ".part")
        self._file = None
        self._width, self._rows = len(header), 0  # the filter's range
        try:
            if self.format == "csv":
                self._file = open(self._partial, "w", encoding="utf-8", newline="")
                self._file.write("\ufeff")  # the BOM tells Excel the file is UTF-8
                self._csv = csv.writer(self._file)
            else:
                from openpyxl import Workbook

                self._book = Workbook(write_only=True)
                self._sheet = self._book.create_sheet(_sheet_title(self.what))
                # The header stays in view and every column can be filtered: what a clerk fixing rows needs
                self._sheet.freeze_panes = "A2"
        except OSError as exc:
            self._fail(exc)
        self.write_row(header)

    # --- writing ----------------------------------------------------------------------------------------

    def write_row(self, cells: Iterable[object]) -> None:
        try:
            if self.format == "csv":
                self._csv.writerow(safe_cells(cells))
            else:
                self._sheet.append(safe_cells(cells))
                self._rows += 1
        except OSError as exc:
            self._fail(exc)

    def write_rows(self, rows: Iterable[Iterable[object]]) -> None:
        for cells in rows:
            self.write_row(cells)

    def write_columns(self, columns: Sequence[Sequence[object]]) -> None:
        """A block of rows given as columns of equal length: the fast way to write many rows."""
        if not columns or not columns[0]:
            return
        safe = [_safe_column(c) for c in columns]
        try:
            if self.format == "csv":
                fields = [_csv_column(*column) for column in safe]
                self._file.write("\r\n".join(map(",".join, zip(*fields))) + "\r\n")
            else:
                append = self._sheet.append
                for row in zip(*(column for column, _text, _quotes in safe)):
                    append(row)
                self._rows += len(columns[0])
        except OSError as exc:
            self._fail(exc)

    # --- finishing --------------------------------------------------------------------------------------

    def commit(self) -> None:
        try:
            if self.format == "csv":
                self._file.close()
            else:
                if self._width:
                    from openpyxl.utils import get_column_letter

                    self._sheet.auto_filter.ref = f"A1:{get_column_letter(self._width)}{max(self._rows, 1)}"
                self._book.save(self._partial)
            os.replace(self._partial, self.path)
        except OSError as exc:
            self._fail(exc)

    def abandon(self) -> None:
        if self._file is not None:
            self._file.close()
        self._partial.unlink(missing_ok=True)

    def _fail(self, exc: OSError) -> None:
        self.abandon()
        raise PamongError(_("cannot write the {what} file {path}: {reason}; choose another path")
                          .format(what=self.what, path=self.path, reason=exc.strerror or exc)) from None

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abandon()


def write_table(path: str | os.PathLike, header: Sequence[str], rows: Iterable[Sequence[object]],
                what: str | None = None, fmt: str | None = None) -> None:
    """Write a whole table (CSV, or XLSX for a .xlsx name) in one call."""
    with TableWriter(path, header, fmt=fmt, what=what) as table:
        table.write_rows(rows)


def _sheet_title(what: str) -> str:
    """A worksheet title Excel accepts: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", what)[:31] or "results"


def _ascii_classes() -> bytes:
    """A translate table sorting the bytes of UTF-8 text into what the column test looks for (every byte of a
    character beyond ASCII becomes "x")."""
    table = bytearray(b"x" * 256)
    for b in range(0x20):
        table[b] = 0  # control characters
    table[0x7F] = 0
    table[ord("\n")] = ord("\n")  # the cell separator of a joined column
    for ch in b"0123456789":
        table[ch] = ord("9")
    for ch in b" .":
        table[ch] = ord("s")  # what separates the groups of a NIK written 3201 0123 4567 8901
    for ch in b"=+-@":
        table[ch] = ord("=")  # what starts a formula ("-" also separates NIK groups)
    for ch in b'",':
        table[ch] = ord("q")  # what makes the csv module quote a field
    return bytes(table)


_CLASSES = _ascii_classes()
_C1_CONTROL = re.compile(b"\xc2[\x80-\x9f]")  # U+0080-U+009F in UTF-8
_BIDI_OVERRIDE = re.compile(b"\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])")  # U+202A-202E, U+2066-2069
_FULL_WIDTH_DIGIT = re.compile(b"\xef\xbc[\x90-\x99]")  # U+FF10-U+FF19 in UTF-8
_NIKS = (b"9" * 16, b"9999s9999s9999s9999", b"9999=9999=9999=9999")


def _plain(joined: str) -> tuple[bool, bool]:
    """(whether a column joined by newlines needs nothing done to any cell, whether a CSV field of it may need
    quotes). Plain: no control character, no cell starting like a formula, no NIK-shaped number. A few
    memory-speed passes over its UTF-8 bytes sorted by _CLASSES (a false alarm only costs a look at each
    cell); characters beyond ASCII that matter (C1 control characters, bidirectional overrides, full-width
    digits) are looked for by their UTF-8 bytes."""
    data = joined.encode("utf-8", "surrogatepass")
    if not joined.isascii() and (_C1_CONTROL.search(data) or _BIDI_OVERRIDE.search(data)
                                 or _FULL_WIDTH_DIGIT.search(data)):
        return False, True
    t = data.translate(_CLASSES)
    plain = not (b"\0" in t or t[:1] == b"=" or b"\n=" in t or any(nik in t for nik in _NIKS))
    return plain, b"q" in t


def _safe_column(column: Sequence[object]) -> tuple[Sequence[object], bool, bool]:
    """The column with every text cell made safe, whether it is all text, and whether a CSV field of it may
    need quotes. One test of the joined column decides whether any cell needs a change (most need none)."""
    try:
        joined = "\n".join(column)  # raises TypeError when a cell is not text
    except TypeError:
        if _INT.issuperset(map(type, column)):  # numbers (row numbers): nothing to make safe, nothing to quote
            return column, False, False
        return safe_cells(column), False, True
    if joined.count("\n") == len(column) - 1:
        plain, quotes = _plain(joined)
        if plain:
            return column, True, quotes
    return [safe_text(c) for c in column], True, True


def _csv_column(column: Sequence[object], text: bool, quotes: bool) -> Sequence[str]:
    """The column as CSV fields, quoted as the csv module quotes them (only a field that needs it)."""
    if not text:
        column = list(map(str, column)) if None not in column else ["" if c is None else str(c) for c in column]
    if not quotes:
        return column
    return [f'"{c.replace(chr(34), chr(34) * 2)}"' if any(ch in c for ch in _CSV_SPECIAL) else c for c in column]
