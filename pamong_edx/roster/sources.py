"""Reading a roster file as numbered rows of cells, one row at a time.

CSV: UTF-8 with or without BOM (UTF-16 with BOM too), else cp1252, which is what Indonesian Excel saves;
bytes that are not UTF-8 inside a mostly UTF-8 file are read as cp1252 rather than stopping the file.
The delimiter (``,`` ``;`` tab or ``|``) is the one under which a header row appears.

XLSX (also XLSM, XLS, ODS): read with calamine; cells arrive typed (a number stays a float, so a NIK
that Excel turned into a number can be recognised) and are turned into text by the row checker.
Rows are numbered as the spreadsheet numbers them, so messages point at the row the office sees.
"""

from __future__ import annotations

import codecs
import csv
import io
from abc import ABC, abstractmethod
from collections.abc import Iterator
from itertools import count, islice
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from pamong_edx.roster.columns import HEADER_SEARCH_ROWS, Layout, RosterFileError, find_header, make_layout

Row = tuple[int, "list[object] | csv.Error"]  # (row number, cells), or the reason a CSV row is unreadable

_SNIFF_BYTES = 1 << 16
_DELIMITERS = (",", ";", "\t", "|")
_SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # zip (xlsx, ods), OLE2 (xls)
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0c\x1a")
_SAVE_AS = "save the roster from Excel as .xlsx or as CSV"


def _decode_as_cp1252(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return "".join(chr(b) if b in _CP1252_UNDEFINED else bytes((b,)).decode("cp1252") for b in bad), exc.end


codecs.register_error("pamong-cp1252", _decode_as_cp1252)


class Source(ABC):
    """An open roster: its layout, and its rows after the header."""

    layout: Layout
    typed = False  # True when cells may be numbers, dates or booleans rather than text

    @abstractmethod
    def rows(self) -> Iterator[Row]:
        """(row number, cells) for every row below the header, in order."""

    @abstractmethod
    def close(self) -> None:
        """Release the file."""


def open_source(path: Path, mapping: dict[str, str], sheet: str | None = None) -> Source:
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF_BYTES)
    except FileNotFoundError:
        raise RosterFileError(f"roster file {path} does not exist") from None
    except OSError as exc:
        raise RosterFileError(f"cannot read roster file {path}: {exc.strerror}") from None
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n"):
        raise RosterFileError(f"roster file {path} is empty; {_SAVE_AS}")
    if head.startswith(_SPREADSHEET_MAGIC):
        return SpreadsheetSource(path, mapping, sheet)
    if _looks_binary(head):
        raise RosterFileError(f"{path} is neither a CSV nor an XLSX file (it holds binary data); {_SAVE_AS}")
    if sheet is not None:
        raise RosterFileError(f"{path} is a CSV file; --sheet applies only to spreadsheets (XLSX)")
    return CsvSource(path, mapping, head)


class CsvSource(Source):
    def __init__(self, path: Path, mapping: dict[str, str], head: bytes) -> None:
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
        self._file = open(path, encoding=encoding, errors=errors, newline="")

    def rows(self) -> Iterator[Row]:
        records = _records(csv.reader(self._file, delimiter=self.layout.delimiter))
        for number, _ in records:
            if number == self.layout.header_row:
                break
        return records

    def close(self) -> None:
        self._file.close()


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


def _records(reader) -> Iterator[Row]:
    """Numbered CSV records; a record the csv module cannot parse is reported in place and reading goes on."""
    number = 0
    while True:
        try:
            for cells in reader:
                number += 1
                yield number, cells
            return
        except csv.Error as exc:
            number += 1
            yield number, exc


class SpreadsheetSource(Source):
    typed = True

    def __init__(self, path: Path, mapping: dict[str, str], sheet: str | None) -> None:
        try:
            self._book = CalamineWorkbook.from_path(str(path))
            name = self._choose_sheet(path, sheet)
            worksheet = self._book.get_sheet_by_name(name)
        except PasswordError:
            raise RosterFileError(f"{path} is protected with a password; open it in Excel, remove the password "
                                  "(File > Info > Protect Workbook) and save it, then run again") from None
        except CalamineError as exc:
            raise RosterFileError(f"{path}: cannot read the spreadsheet ({exc}); the file is damaged or not a "
                                  "spreadsheet: open it in Excel and save it again as .xlsx") from None
        if worksheet.start is None:
            raise RosterFileError(f"{path}: sheet '{name}' is empty")
        first_row, first_column = worksheet.start  # calamine starts at the first used cell (0-based)
        self._cells = worksheet.iter_rows()
        head = list(zip(count(first_row + 1), islice(self._cells, HEADER_SEARCH_ROWS)))
        self.layout = make_layout(path, find_header(head, mapping), first_column=first_column, sheet=name)
        self._head = [r for r in head if r[0] > self.layout.header_row]
        self._next_number = first_row + 1 + len(head)

    def _choose_sheet(self, path: Path, sheet: str | None) -> str:
        names = self._book.sheet_names
        if sheet is None:
            visible = [m.name for m in self._book.sheets_metadata
                       if m.visible == SheetVisibleEnum.Visible and m.typ == SheetTypeEnum.WorkSheet]
            return (visible or names)[0]
        for name in names:
            if name == sheet or name.casefold() == sheet.casefold():
                return name
        raise RosterFileError(f"{path}: no sheet named '{sheet}' (sheets: {', '.join(names)})")

    def rows(self) -> Iterator[Row]:
        yield from self._head
        yield from zip(count(self._next_number), self._cells)

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
            self._book = None
