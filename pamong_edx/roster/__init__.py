"""Rosters of village officials: read CSV or XLSX, normalise, and check every row.

    from pamong_edx.regions import load_regions
    from pamong_edx.roster import read_roster

    regions = load_regions("wilayah_2025.csv")
    with read_roster("roster.xlsx", regions) as roster:
        for checked in roster:              # CheckedRow, streaming
            checked.row                     # spreadsheet row number
            checked.status                  # "ok" | "warning" | "error"
            checked.record                  # RosterRecord: nik, nama, email, telepon, jabatan, kode_desa, nama_desa
            checked.diagnostics             # [pamong_edx.diagnostics.Diagnostic]: code R101, location row/column

`roster.blocks()` gives the same rows a block at a time, column by column (what `pamong roster check` reads).
See docs/roster.md for the accepted columns, the normalisation and the list of diagnostic codes.
"""

from pamong_edx.roster.checks import CODES, Block, CheckedRow, RosterRecord, RowChecker, row_text
from pamong_edx.roster.columns import COLUMNS, FIELDS, REQUIRED, Layout, RosterFileError
from pamong_edx.roster.nik import mask as mask_nik
from pamong_edx.roster.positions import canonical_position
from pamong_edx.roster.reader import RosterReader, read_roster

__all__ = [
    "CODES",
    "COLUMNS",
    "FIELDS",
    "REQUIRED",
    "Block",
    "CheckedRow",
    "Layout",
    "RosterFileError",
    "RosterReader",
    "RosterRecord",
    "RowChecker",
    "canonical_position",
    "mask_nik",
    "read_roster",
    "row_text",
]
