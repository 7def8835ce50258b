"""Reading a roster file as blocks of numbered rows of cells.

CSV: UTF-8 with or without BOM (UTF-16 with BOM too), else cp1252, which is what Indonesian Excel saves;
bytes that are not UTF-8 inside a mostly UTF-8 file are read as cp1252 rather than stopping the file.
The delimiter (``,`` ``;`` tab or ``|``) is the one under which a header row appears.

XLSX (also XLSM, XLS, ODS): read with calamine after pamong_edx.roster.limits has checked what the file
unpacks to; cells arrive typed (a number stays a float, so a NIK that Excel turned into a number can be
recognised) and are turned into text by the row checker. Rows are numbered as the spreadsheet numbers
them, so messages point at the row the office sees.

Rows come in blocks of about BLOCK_CHARS characters of CSV or BLOCK_CELLS cells of a sheet (however
wide a hostile row is, a block holds one such row at most), which the checker works through column by
column. A block of CSV lines without a single quote character is split into columns directly (for such
lines that is all the csv module would do, and it makes no list per row); any other block goes through the
csv module, which reads on past the block when a quoted field continues.
"""

from __future__ import annotations

import codecs
import csv
import io
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count, islice, repeat
from pathlib import Path

from pamong_edx.i18n import N_, _
from pamong_edx.personal import safe_message
from pamong_edx.roster.columns import HEADER_SEARCH_ROWS, Layout, RosterFileError, find_header, make_layout

BLOCK_CELLS = 4096
BLOCK_CHARS = 1 << 15


@dataclass(slots=True)
class RawBlock:
    """Rows start, start + 1, ... of the file as lists of cells (rows), or as lists of cells per column
    (columns, all of the same length); unreadable maps the index of a row the CSV parser could not read (its
    cells are empty) to the reason."""

    start: int
    rows: list[list[object]] | None = None
    columns: list[list[str]] | None = None
    unreadable: dict[int, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows) if self.rows is not None else len(self.columns[0]) if self.columns else 0


_SNIFF_BYTES = 1 << 16
_DELIMITERS = (",", ";", "\t", "|")
_SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # zip (xlsx, ods), OLE2 (xls)
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0c\x1a")
_SAVE_AS = N_("save the roster from Excel as .xlsx or as CSV")


def _decode_as_cp1252(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return "".join(chr(b) if b in _CP1252_UNDEFINED else bytes((b,)).decode("cp1252") for b in bad), exc.end


codecs.register_error("pamong-cp1252", _decode_as_cp1252)


class Source(ABC):
    """An open roster: its layout, and its rows after the header, a block at a time."""

    layout: Layout
    typed = False  # True when cells may be numbers, dates or booleans rather than text
    expected_rows = 0  # about how many rows the file holds (0: unknown), to size the duplicate indexes

    @abstractmethod
    def blocks(self) -> Iterator[RawBlock]:
        """Every row below the header, in order, in blocks."""

    @abstractmethod
    def close(self) -> None:
        """Release the file."""


def open_source(path: Path, mapping: dict[str, str], sheet: str | None = None) -> Source:
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF_BYTES)
            size = f.seek(0, 2)
    except FileNotFoundError:
        raise RosterFileError(_("roster file {path} does not exist").format(path=path)) from None
    except IsADirectoryError:
        raise RosterFileError(_("{path} is a folder, not a roster file").format(path=path)) from None
    except OSError as exc:
        raise RosterFileError(_("cannot read roster file {path}: {reason}")
                              .format(path=path, reason=exc.strerror)) from None
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n"):
        raise RosterFileError(_("roster file {path} is empty; {what_to_do}").format(path=path, what_to_do=_(_SAVE_AS)))
    if head.startswith(_SPREADSHEET_MAGIC):
        return SpreadsheetSource(path, mapping, sheet)
    if _looks_binary(head):
        raise RosterFileError(_("{path} is neither a CSV nor an XLSX file (it holds binary data); {what_to_do}")
                              .format(path=path, what_to_do=_(_SAVE_AS)))
    if sheet is not None:
        raise RosterFileError(_("{path} is a CSV file; --sheet applies only to spreadsheets (XLSX)").format(path=path))
    return CsvSource(path, mapping, head, size)


class CsvSource(Source):
    def __init__(self, path: Path, mapping: dict[str, str], head: bytes, size: int) -> None:
        encoding = _detect_encoding(head)
        errors = "replace" if encoding == "utf-16" else "pamong-cp1252"
        text = head.decode(encoding, errors)
        if len(head) == _SNIFF_BYTES:
            text = text[:text.rfind("\n") + 1]  # whole lines only
        best = None
        for delimiter in _DELIMITERS:
            try:
                sample = list(islice(csv.reader(io.StringIO(text), delimiter=delimiter), HEADER_SEARCH_ROWS))
            except csv.Error:
                continue
            found = find_header(enumerate(sample, start=1), mapping)
            if found and (best is None or len(found[2]) > len(best[1][2])):
                best = (delimiter, found)
        self.layout = make_layout(path, best and best[1], encoding=encoding,
                                  delimiter=best[0] if best else None)
        lines = text.count("\n")
        if lines:  # the file's size over the sniffed lines' average length
            self.expected_rows = int(size / (len(head) / lines) * 1.05)
        self._file = open(path, encoding=encoding, errors=errors, newline="")

    def blocks(self) -> Iterator[RawBlock]:
        delimiter = self.layout.delimiter
        header = csv.reader(self._file, delimiter=delimiter)  # reads no further than the record it returns
        number = 0
        while number < self.layout.header_row:
            try:
                next(header)
            except csv.Error:
                pass
            except StopIteration:
                return
            number += 1
        while lines := self._file.readlines(BLOCK_CHARS):
            columns = split_plain(lines, delimiter)
            block = RawBlock(number + 1, columns=columns) if columns is not None else self._parse(number + 1, lines)
            number += len(block)
            yield block

    def _parse(self, start: int, lines: list[str]) -> RawBlock:
        """The lines through the csv module, and past them while a record continues (a line break inside
        quotes); an unreadable record is reported in place and reading goes on with the next line."""
        beyond = False

        def feed() -> Iterator[str]:
            nonlocal beyond
            yield from lines
            beyond = True
            for line in self._file:  # not `yield from`: closing this generator would close the file
                yield line

        reader = csv.reader(feed(), delimiter=self.layout.delimiter)
        block = RawBlock(start, rows=[])
        while True:
            try:
                for record in reader:
                    block.rows.append(record)
                    if beyond:
                        return block
                return block
            except csv.Error as exc:
                block.unreadable[len(block.rows)] = str(exc)
                block.rows.append([])
                if beyond:
                    return block

    def close(self) -> None:
        self._file.close()


def split_plain(lines: list[str], delimiter: str) -> list[list[str]] | None:
    """The columns of CSV lines that hold no quote character or overlong line, each with the same number
    of delimiters; None for any other lines. Such lines are exactly what the csv module would read by
    splitting at delimiters and line ends, so this returns what it would, column by column and without a
    list per row (its only cost is what it cannot avoid: a string per cell)."""
    text = "".join(lines)
    if '"' in text or (len(text) > csv.field_size_limit() and max(map(len, lines)) > csv.field_size_limit()):
        return None
    counts = set(map(str.count, lines, repeat(delimiter)))
    if len(counts) != 1:
        return None
    width = counts.pop() + 1
    if "\r" in text:  # with newline="", a line ends in \r\n, \n or \r; the csv module ends a record at each
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    cells = text.replace("\n", delimiter).split(delimiter)
    if len(cells) != len(lines) * width:
        return None
    return [cells[i::width] for i in range(width)]


def _looks_binary(head: bytes) -> bool:
    """A PDF, an image or a Word file: control bytes no text editor or spreadsheet writes in a CSV."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    controls = sum(1 for b in head[:4096] if b < 0x20 and b not in _TEXT_CONTROLS)
    return b"\x00" in head[:4096] or controls > len(head[:4096]) // 100


def _detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        # Not clean UTF-8. If it still holds real UTF-8 characters, it is UTF-8 with a few pasted cp1252
        # bytes (the error handler reads those); otherwise the whole file is cp1252.
        if not head.decode("utf-8", "ignore").isascii():
            return "utf-8"
        return "cp1252"
    return "utf-8"


class SpreadsheetSource(Source):
    typed = True

    def __init__(self, path: Path, mapping: dict[str, str], sheet: str | None) -> None:
        from python_calamine import CalamineError, CalamineWorkbook, PasswordError

        from pamong_edx.roster import limits

        self._book = None
        limits.check_package(path)  # before calamine sees the file: what it would unpack to
        try:
            self._book = CalamineWorkbook.from_path(str(path))
            name = self._choose_sheet(path, sheet)
            worksheet = self._book.get_sheet_by_name(name)
        except PasswordError:
            raise RosterFileError(_("{path} is protected with a password; open it in Excel, remove the password "
                                    "(File > Info > Protect Workbook) and save it, then run again")
                                  .format(path=path)) from None
        except CalamineError as exc:
            raise RosterFileError(_("{path}: cannot read the spreadsheet ({reason}); the file is damaged or not a "
                                    "spreadsheet: open it in Excel and save it again as .xlsx")
                                  .format(path=path, reason=safe_message(str(exc))[:200])) from None
        if worksheet.start is None:
            raise RosterFileError(_("{path}: sheet '{sheet}' is empty").format(path=path, sheet=safe_message(name)))
        first_row, first_column = worksheet.start  # calamine starts at the first used cell (0-based)
        self.expected_rows = worksheet.height
        self._width = max(worksheet.width, 1)
        self._cells = worksheet.iter_rows()
        head = list(zip(count(first_row + 1), islice(self._cells, HEADER_SEARCH_ROWS)))
        self.layout = make_layout(path, find_header(head, mapping), first_column=first_column, sheet=name)
        self._head = [cells for number, cells in head if number > self.layout.header_row]
        self._next_number = self.layout.header_row + 1

    def _choose_sheet(self, path: Path, sheet: str | None) -> str:
        from python_calamine import SheetTypeEnum, SheetVisibleEnum

        names = self._book.sheet_names
        if sheet is None:
            visible = [m.name for m in self._book.sheets_metadata
                       if m.visible == SheetVisibleEnum.Visible and m.typ == SheetTypeEnum.WorkSheet]
            return (visible or names)[0]
        for name in names:
            if name == sheet or name.casefold() == sheet.casefold():
                return name
        raise RosterFileError(_("{path}: no sheet named '{sheet}' (sheets: {sheets})").format(
            path=path, sheet=safe_message(sheet), sheets=safe_message(", ".join(names))))

    def blocks(self) -> Iterator[RawBlock]:
        size = max(BLOCK_CELLS // self._width, 1)
        number = self._next_number
        rows = self._head + list(islice(self._cells, max(size - len(self._head), 0)))
        self._head = []
        while rows:
            yield RawBlock(number, rows=rows)
            number += len(rows)
            rows = list(islice(self._cells, size))

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
            self._book = None
