"""Limits on what a spreadsheet roster may unpack to, checked before the spreadsheet reader sees the file.

An .xlsx or .ods file is a zip of XML, and a small one can unpack to far more than any roster. The reader
(calamine) allocates the whole rectangle between a sheet's first and last used cells at once (a 2 KB file
with cells at A1 and XFD1048576 asks for 512 GB and aborts the process) and keeps every shared string in
memory (a 1 MB file can hold one string of a gigabyte). So before calamine opens a workbook, this module
streams through it, never holding more than a block of it:

- every part's unpacked size, as declared and as actually inflated, counts towards a total;
- no text between two XML tags is longer than 256 KB (Excel itself stops a cell at 32,767 characters);
- the rectangle each worksheet's cells span is within the column and cell limits. XLSX cells carry their
  address (``<c r="B12">``), which is what the reader places them by; where a writer left addresses out,
  the cells of a row are counted instead. ODS rows and cells may say they repeat (``number-rows-repeated``),
  and are counted as the reader expands them.

Each limit can be raised for a run through the environment when a real roster needs more (never from
the file itself):

    PAMONG_MAX_ROSTER_CELLS      16000000  rows x columns of a sheet's used rectangle
    PAMONG_MAX_ROSTER_COLUMNS         256  columns of a sheet's used rectangle
    PAMONG_MAX_ROSTER_UNPACKED        1GB  all parts of the workbook, unpacked (a size: 2GB, 500MB)

An .xls file (the old binary format) is not compressed and its sheets hold at most 65,536 x 256 cells,
which bounds what it can ask for; it is passed to the reader as it is.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from pamong_edx.i18n import _
from pamong_edx.personal import safe_message
from pamong_edx.roster.columns import RosterFileError, column_letter
from pamong_edx.units import format_size, parse_size

MAX_TEXT_RUN = 256 << 10
_CHUNK = 1 << 20
_ENV = {"cells": "PAMONG_MAX_ROSTER_CELLS", "columns": "PAMONG_MAX_ROSTER_COLUMNS",
        "unpacked": "PAMONG_MAX_ROSTER_UNPACKED"}

_QNAME = rb"<(?:[A-Za-z_][\w.\-]*:)?"  # an element name with or without a namespace prefix
_ATTRS = rb"""(?:[^>"']|"[^"]*"|'[^']*')*?"""  # attributes up to the one wanted, quoted values skipped whole
_CELL = re.compile(_QNAME + rb"c[\s/>]")
_ROW = re.compile(_QNAME + rb"row[\s/>]")
_CELL_REF = re.compile(_QNAME + rb"c(?=[\s/>])" + _ATTRS + rb"""\sr\s*=\s*["']([A-Za-z]{1,4})([0-9]{1,9})["']""")
_ROW_REF = re.compile(_QNAME + rb"row(?=[\s/>])" + _ATTRS + rb"""\sr\s*=\s*["']([0-9]{1,9})["']""")
_ROW_BODY = re.compile(_QNAME + rb"row\b[^>]*(?<!/)>(.*?)</(?:[A-Za-z_][\w.\-]*:)?row\s*>", re.S)
_PLAIN_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,9})"')
# A cell tag written otherwise, or with a namespace prefix (two patterns: each starts with a literal, which the
# regex engine looks for at memory speed).
_ODD_CELLS = (re.compile(rb"<c[>/\t\n\r]"), re.compile(rb":c[ >/\t\n\r]"))
_ODS_EVENT = re.compile(  # a row starts, a cell (start or empty tag), a table starts, a row ends, a table ends
    rb"""<table:table-row\b((?:[^>"']|"[^"]*"|'[^']*')*)>"""
    rb"""|<table:(?:covered-)?table-cell\b((?:[^>"']|"[^"]*"|'[^']*')*)>"""
    rb"""|<table:table(?=[\s>])((?:[^>"']|"[^"]*"|'[^']*')*)>"""
    rb"|</table:table-row\s*>|</table:table\s*>")
_ODS_NAME = re.compile(rb"""table:name\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ODS_REPEAT = re.compile(rb"""number-(?:rows|columns)-repeated\s*=\s*["']([0-9]{1,12})["']""")
_ODS_CONTENT = re.compile(rb"""(?:value-type|formula)\s*=""")
_ODS_SPACES = re.compile(rb"""<text:s\b[^>]*?text:c\s*=\s*["']([0-9]{1,12})["']""")


@dataclass(frozen=True)
class Limits:
    cells: int = 16_000_000
    columns: int = 256
    unpacked: int = 10**9  # bytes

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Limits:
        environ = os.environ if environ is None else environ
        values = {}
        for name, variable in _ENV.items():
            text = environ.get(variable, "").strip()
            if text:
                value = parse_size(text) if name == "unpacked" else int(text) if text.isdigit() else None
                if not value or value < 1:
                    raise RosterFileError(_("{variable}={value} is not {what}").format(
                        variable=variable, value=safe_message(text)[:40],
                        what=_("a size (e.g. 2GB)") if name == "unpacked" else _("a positive whole number")))
                values[name] = value
        return cls(**values)


@dataclass
class Package:
    """What a workbook unpacks to: per worksheet, the rows and columns its cells span."""

    path: Path
    limits: Limits
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # sheet name (or part) -> (rows, columns)

    def check(self) -> None:
        """RosterFileError for the first sheet that spans beyond the limits (the reader may load them all)."""
        for sheet, (rows, columns) in self.spans.items():
            if columns > self.limits.columns or rows * columns > self.limits.cells:
                last = f"{column_letter(max(columns, 1) - 1)}{rows}"
                raise RosterFileError(_(
                    "{path}: sheet '{sheet}' spans {rows} rows and {columns} columns (up to cell {cell}), {cells} "
                    "cells: beyond a roster's limit of {max_columns} columns and {max_cells} cells. Delete what "
                    "lies beyond the roster (Ctrl+End in Excel shows the last used cell) and save, or raise the "
                    "limits with {env_columns}=N and {env_cells}=N").format(
                        path=self.path, sheet=safe_message(sheet), rows=rows, columns=columns, cell=last,
                        cells=rows * columns, max_columns=self.limits.columns, max_cells=self.limits.cells,
                        env_columns=_ENV["columns"], env_cells=_ENV["cells"]))

    def rows(self, sheet: str) -> int:
        """About how many rows the sheet holds (0 when unknown)."""
        return self.spans.get(sheet, (0, 0))[0]


def check_package(path: Path, limits: Limits | None = None) -> Package:
    """Stream through a zipped workbook (XLSX, ODS) and refuse it when it unpacks beyond the limits.
    A file that is not a zip (XLS) passes as it is."""
    limits = limits or Limits.from_environment()
    package = Package(path, limits)
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return package  # not a zip, or a damaged one: the reader says which
    with book:
        infos = book.infolist()
        budget = limits.unpacked
        declared = sum(info.file_size for info in infos)
        if declared > budget:
            raise _too_big(path, declared, limits)
        try:
            for info in infos:
                if info.is_dir():
                    continue
                if not info.filename.endswith((".xml", ".rels")):
                    budget -= _inflated_size(book, info)
                    continue
                kind = _kind(info.filename)
                chunks = _xml_chunks(path, book, info)
                if kind == "xlsx-sheet":
                    package.spans[info.filename], used = _xlsx_span(chunks)
                elif kind == "ods-content":
                    package.spans.update(_ods_spans(path, chunks, limits))
                    used = info.file_size
                else:
                    used = sum(len(chunk) for chunk in chunks)
                budget -= used
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise RosterFileError(_("{path}: the spreadsheet is damaged ({reason}); open it in Excel and save it "
                                    "again as .xlsx").format(path=path, reason=exc)) from None
        if budget < 0:
            raise _too_big(path, limits.unpacked - budget, limits)
        names = {part: name for name, part in _xlsx_sheet_parts(book).items()}
        package.spans = {names.get(part, part): span for part, span in package.spans.items()}
    package.check()
    return package


def _too_big(path: Path, size: int, limits: Limits) -> RosterFileError:
    return RosterFileError(_(
        "{path} unpacks to {size}, beyond a roster's limit of {limit}; save only the roster sheet as .xlsx or "
        "CSV, or raise the limit with {env}=SIZE (e.g. 2GB)").format(
            path=path, size=format_size(size), limit=format_size(limits.unpacked), env=_ENV["unpacked"]))


def _kind(name: str) -> str:
    if name.startswith("xl/worksheets/") and name.count("/") == 2:
        return "xlsx-sheet"
    if name == "content.xml":
        return "ods-content"
    return "xml"


def _inflated_size(book: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Inflates the part to count it (zipfile stops at the declared size and checks the CRC, so a part
    that lies about its size fails here rather than in the reader)."""
    size = 0
    with book.open(info) as part:
        while block := part.read(_CHUNK):
            size += len(block)
    return size


def _xml_chunks(path: Path, book: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's XML in chunks that end where a tag starts, with no text run over MAX_TEXT_RUN (a run covering
    a whole aligned window of that size is refused: every run twice that long is, and none shorter is)."""
    carry = b""
    with book.open(info) as part:
        while True:
            block = part.read(_CHUNK)
            data = carry + block
            if not block:
                if data:
                    _check_runs(path, info, data)
                    yield data
                return
            cut = data.rfind(b"<")
            if cut <= 0:
                if len(data) > MAX_TEXT_RUN:
                    raise _long_text(path, info)
                carry = data
                continue
            carry = data[cut:]
            data = data[:cut]
            _check_runs(path, info, data)
            yield data


def _check_runs(path: Path, info: zipfile.ZipInfo, data: bytes) -> None:
    for start in range(0, len(data) - MAX_TEXT_RUN + 1, MAX_TEXT_RUN):
        if data.find(b"<", start, start + MAX_TEXT_RUN) < 0:
            raise _long_text(path, info)


def _long_text(path: Path, info: zipfile.ZipInfo) -> RosterFileError:
    return RosterFileError(_(
        "{path}: part {part} holds a text of more than {size} KB in one piece; a spreadsheet cell holds at most "
        "32,767 characters, so this is not a roster: save the roster sheet again as .xlsx or CSV").format(
            path=path, part=safe_message(info.filename), size=MAX_TEXT_RUN >> 10))


class _SheetSpan:
    """The rows and columns a sheet's cells span, worked out a chunk at a time.

    The reader places a cell by its r="B12" when it has one, else one column right of the cell before it;
    a row without r="12" follows the row before. Most writers address every cell as `<c r="B12" ...>`: for
    such a chunk one findall gives every address. Any other chunk (a cell with another tag form, an address
    written otherwise, or none) is read by the exact patterns, cells and rows without an address counted as
    able to move one step beyond the highest address."""

    def __init__(self) -> None:
        self.rows = self.columns = self.unaddressed_rows = self.widest = self.size = 0

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        refs = _PLAIN_CELL_REF.findall(chunk)
        if chunk.count(b"<c ") != len(refs) or any(odd.search(chunk) for odd in _ODD_CELLS):
            self._exact(chunk)
        elif refs:
            self._note(refs)

    def _note(self, refs: list[tuple[bytes, bytes]]) -> None:
        rows = list(map(itemgetter(1), refs))
        lengths = set(map(len, rows))
        # Row numbers of one length compare as text, so the usual chunk needs no int() per cell.
        highest = int(max(rows)) if len(lengths) == 1 else max(map(int, rows))
        self.rows = max(self.rows, highest)
        self.columns = max(self.columns, max(map(_column_number, set(map(itemgetter(0), refs)))))

    def _exact(self, chunk: bytes) -> None:
        refs = _CELL_REF.findall(chunk)
        rows = _ROW_REF.findall(chunk)
        if refs:
            self._note(refs)
        if rows:
            self.rows = max(self.rows, max(map(int, rows)))
        cells = _CELL.subn(b"", chunk)[1]
        if cells != len(refs):  # cells without an address: the widest row bounds how far they reach
            counts = [_CELL.subn(b"", body)[1] for body in _ROW_BODY.findall(chunk)]
            self.widest = max(self.widest, max(counts, default=0), cells - sum(counts))
        self.unaddressed_rows += _ROW.subn(b"", chunk)[1] - len(rows)

    def span(self) -> tuple[int, int]:
        return self.rows + self.unaddressed_rows, self.columns + self.widest


def _xlsx_span(chunks: Iterator[bytes]) -> tuple[tuple[int, int], int]:
    """(rows, columns) that the sheet's cells span as the reader places them, and the part's size."""
    sheet = _SheetSpan()
    for chunk in chunks:
        sheet.add(chunk)
    return sheet.span(), sheet.size


def _column_number(letters: bytes) -> int:
    """b"A" -> 1, b"Z" -> 26, b"AA" -> 27 (either case)."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def _ods_spans(path: Path, chunks: Iterator[bytes], limits: Limits) -> dict[str, tuple[int, int]]:
    """(rows, columns) of each table of an ODS content.xml as the reader expands repeated rows and cells:
    cells that hold a value count with their repeats, and so do rows up to the table's last row with a value
    (trailing empty rows, which LibreOffice writes as one row repeated a million times, are not expanded).
    Stops at the first table beyond the limits."""
    spans: dict[str, tuple[int, int]] = {}
    name = ""
    rows = pending = width = 0  # the table so far: rows with values (and empty ones between), widest row
    repeat = columns = content = 0  # the row so far
    for chunk in chunks:
        spaces = _ODS_SPACES.findall(chunk)
        if spaces and max(map(int, spaces)) > MAX_TEXT_RUN:
            raise RosterFileError(_("{path}: a cell asks for {count} spaces; a spreadsheet cell holds at most 32,767 "
                                    "characters, so this is not a roster").format(path=path, count=max(map(int, spaces))))
        for event in _ODS_EVENT.finditer(chunk):
            row_start, cell, table = event[1], event[2], event[3]
            if table is not None:
                named = _ODS_NAME.search(table)
                name = html.unescape((named[1] or named[2] or b"").decode("utf-8", "replace")) if named else ""
                continue
            if cell is not None:
                columns += _repeat(cell)
                if _ODS_CONTENT.search(cell):
                    content = columns
                continue
            if row_start is not None:
                repeat, columns, content = _repeat(row_start), 0, 0
                if not row_start.endswith(b"/"):
                    continue
            if not event[0].startswith((b"</table:table-row", b"<table:table-row")):  # the table ends
                spans[name or f"table {len(spans) + 1}"] = (rows, width)
                rows = pending = width = 0
                continue
            if content:  # the end of a row (or an empty row element)
                rows += pending + repeat
                pending = 0
                width = max(width, content)
            else:
                pending += repeat
            repeat = columns = content = 0
            if width > limits.columns or rows * max(width, 1) > limits.cells:
                spans[name or f"table {len(spans) + 1}"] = (rows, width)
                return spans
    if rows or width:
        spans[name or f"table {len(spans) + 1}"] = (rows, width)
    return spans


def _repeat(attributes: bytes) -> int:
    found = _ODS_REPEAT.search(attributes)
    return int(found[1]) if found else 1


def _xlsx_sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part, from xl/workbook.xml and its relationships (already checked for size)."""
    from lxml import etree

    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        workbook = etree.fromstring(book.read("xl/workbook.xml"), parser)
        rels = etree.fromstring(book.read("xl/_rels/workbook.xml.rels"), parser)
    except (KeyError, etree.XMLSyntaxError):
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = target
    parts = {}
    for sheet in workbook.iter("{*}sheet"):
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        if rid in targets and sheet.get("name") is not None:
            parts[sheet.get("name")] = targets[rid]
    return parts
