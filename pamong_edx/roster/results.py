"""The results file: one line per roster row with its status and messages, for the office to work through.

CSV is written as UTF-8 with a BOM so Excel opens it with the right characters; XLSX on request. Any cell
starting with = + - @ (or a tab/CR) gets a leading apostrophe so a spreadsheet never runs it as a formula.
NIKs appear masked. The file is written beside its final name and moved into place when complete.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from pamong_edx.errors import PamongError
from pamong_edx.roster.checks import CheckedRow

COLUMNS = ("row", "status", "codes", "messages", "nik", "nama", "email", "telepon", "jabatan", "kode_desa",
           "nama_desa", "nama_desa_kemendagri")
FORMATS = ("csv", "xlsx")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A cell Excel shows as text, never evaluates."""
    return "'" + value if value.startswith(FORMULA_START) else value


def result_cells(checked: CheckedRow, village_names: dict[str, str]) -> list[object]:
    record = checked.record
    typed = [record.nik_masked, record.nama, record.email, record.telepon, record.jabatan, record.kode_desa,
             record.nama_desa]
    if any(t.startswith(FORMULA_START) for t in typed if t):
        typed = [neutralise(t) for t in typed]
    diags = checked.diagnostics
    if not diags:
        return [checked.row, checked.status, "", "", *typed, village_names.get(record.kode_desa, "")]
    codes = " ".join(x.kind.code for x in diags)
    messages = " | ".join(f"{x.kind} (column {x.column}): {x.message}" if x.column else str(x) for x in diags)
    return [checked.row, checked.status, codes, messages, *typed, village_names.get(record.kode_desa, "")]


class ResultsWriter:
    """Writes results row by row; call commit() at the end, or use it as a context manager."""

    def __init__(self, path: str | os.PathLike, village_names: dict[str, str], fmt: str | None = None) -> None:
        self.path = Path(path)
        self.format = fmt or ("xlsx" if self.path.suffix.lower() == ".xlsx" else "csv")
        if self.format not in FORMATS:
            raise PamongError(f"results format '{self.format}' is not one of {', '.join(FORMATS)}")
        self._names = village_names
        self._partial = self.path.with_name(self.path.name + ".part")
        try:
            if self.format == "csv":
                self._file = open(self._partial, "w", encoding="utf-8-sig", newline="")
                self._csv = csv.writer(self._file)
                self._csv.writerow(COLUMNS)
            else:
                from openpyxl import Workbook

                self._book = Workbook(write_only=True)
                self._sheet = self._book.create_sheet("results")
                self._sheet.append(COLUMNS)
        except OSError as exc:
            raise PamongError(f"cannot write results file {self.path}: {exc.strerror}") from None

    def write(self, checked: CheckedRow) -> None:
        cells = result_cells(checked, self._names)
        if self.format == "csv":
            self._csv.writerow(cells)
        else:
            self._sheet.append([xlsx_safe(c) for c in cells])

    def commit(self) -> None:
        try:
            if self.format == "csv":
                self._file.close()
            else:
                self._book.save(self._partial)
            os.replace(self._partial, self.path)
        except OSError as exc:
            raise PamongError(f"cannot write results file {self.path}: {exc.strerror}") from None

    def abandon(self) -> None:
        if self.format == "csv":
            self._file.close()
        self._partial.unlink(missing_ok=True)

    def __enter__(self) -> ResultsWriter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abandon()


def xlsx_safe(value: object) -> object:
    """openpyxl refuses control characters a CSV cell may carry."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value
