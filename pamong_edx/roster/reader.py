"""read_roster: a roster file in, checked rows out, a block or a row at a time."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from pamong_edx.regions.reference import Regions
from pamong_edx.roster.checks import Block, CheckedRow, RowChecker
from pamong_edx.roster.columns import Layout, load_mapping, mapping_from
from pamong_edx.roster.sources import open_source


class RosterReader:
    """An open roster. Iterate it for CheckedRow objects in file order, or call blocks() for the same rows
    column by column (what the roster check itself reads: no object per row). Use it as a context manager
    (or read it to the end) to close the file. Header problems raise RosterFileError when it is opened;
    problems in a row are that row's diagnostics and never stop the rows after it."""

    def __init__(self, path: str | os.PathLike, regions: Regions, *, sheet: str | None = None,
                 columns: str | os.PathLike | dict[str, str] | None = None) -> None:
        self.path = Path(path)
        mapping = load_mapping(columns) if isinstance(columns, (str, os.PathLike)) else mapping_from(columns or {})
        self._source = open_source(self.path, mapping, sheet)
        self.layout: Layout = self._source.layout
        self._checker = RowChecker(regions, self.layout, self.path, typed=self._source.typed,
                                   expected_rows=self._source.expected_rows)

    def blocks(self) -> Iterator[Block]:
        check = self._checker.check_block
        try:
            for raw in self._source.blocks():
                block = check(raw.start, raw.rows, raw.unreadable, raw.columns)
                if block.rows:
                    yield block
        finally:
            self.close()

    def __iter__(self) -> Iterator[CheckedRow]:
        for block in self.blocks():
            yield from block.checked_rows()

    def close(self) -> None:
        self._source.close()

    def __enter__(self) -> RosterReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_roster(path: str | os.PathLike, regions: Regions, *, sheet: str | None = None,
                columns: str | os.PathLike | dict[str, str] | None = None) -> RosterReader:
    """Open a roster (CSV or XLSX) for checking, row by row.

    ``sheet`` picks a sheet of a spreadsheet (default: the first visible one). ``columns`` maps headers
    the built-in aliases do not know to fields: a TOML mapping file (see docs/roster.md) or a dict of
    header -> field, e.g. ``{"Nomor KTP": "nik"}``.

        with read_roster("roster.xlsx", regions) as roster:
            for checked in roster:
                checked.row, checked.status, checked.record.email, checked.diagnostics
    """
    return RosterReader(path, regions, sheet=sheet, columns=columns)
