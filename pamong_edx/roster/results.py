"""The results file: one line per roster row with its status and messages, for the office to work through.

Written through pamong_edx.tables (CSV with a BOM, or XLSX; formula-safe, control characters dropped,
NIK-shaped numbers masked, moved into place when complete). The NIK column holds the NIK masked; the other
record columns hold the normalised values; nama_desa_kemendagri the region file's name of the village.
Headers, statuses and messages are in the user's language; the file reads back as a roster in any of them
(docs/roster.md, "Reading a results file back").
Rows are written a block at a time, column by column, so a large roster costs little more than reading it.
"""

from __future__ import annotations

import os
from pamong_edx.roster import nik as nik_rules
from pamong_edx.roster.checks import STATUS_LABELS, Block, CheckedRow, row_text, status_label, status_of
from pamong_edx.roster.columns import RESULT_COLUMNS, results_header
from pamong_edx.tables import FORMATS, TableWriter

__all__ = ["FORMATS", "RESULT_COLUMNS", "ResultsWriter"]

def masked_niks(block: Block) -> list[str]:
    """The NIK column as results files show it (3201********0001)."""
    if not block.niks_sound:
        return list(map(nik_rules.mask, block.nik))
    # Every NIK is 16 ASCII digits, so the joined column is a run of 17-byte records: star out digits 5-12
    # of all of them with eight slice assignments instead of a call per row.
    data = bytearray("\n".join(block.nik).encode("ascii"))
    stars = b"*" * len(block.nik)
    for offset in range(4, 12):
        data[offset::17] = stars
    return data.decode("ascii").split("\n")


class ResultsWriter:
    """Writes results block by block (or row by row); call commit() at the end, or use it as a context manager."""

    def __init__(self, path: str | os.PathLike, village_names: dict[str, str], fmt: str | None = None) -> None:
        self._names = village_names
        self._table = TableWriter(path, results_header(), fmt=fmt)
        self._statuses = {status: status_label(status) for status in STATUS_LABELS}
        self.path = self._table.path
        self.format = self._table.format

    def write_block(self, block: Block) -> None:
        n = len(block)
        codes, messages = [""] * n, [""] * n
        for i, diagnostics in block.problems.items():
            codes[i] = " ".join(d.code for d in diagnostics)
            messages[i] = row_text(diagnostics)
        self._table.write_columns([
            block.rows, list(map(self._statuses.__getitem__, block.statuses())), codes, messages, masked_niks(block), block.nama, block.email,
            block.telepon, block.jabatan, block.kode_desa, block.nama_desa, block.official])

    def write(self, checked: CheckedRow) -> None:
        record, diagnostics = checked.record, checked.diagnostics
        self._table.write_row([
            checked.row, self._statuses[status_of(diagnostics)], " ".join(d.code for d in diagnostics),
            row_text(diagnostics),
            record.nik_masked, record.nama, record.email, record.telepon, record.jabatan, record.kode_desa,
            record.nama_desa, self._names.get(record.kode_desa, "") if len(record.kode_desa) == 13 else ""])

    def commit(self) -> None:
        self._table.commit()

    def abandon(self) -> None:
        self._table.abandon()

    def __enter__(self) -> ResultsWriter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abandon()
