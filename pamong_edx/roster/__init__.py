"""Rosters of village officials: read CSV or XLSX row by row, normalise, and check every row.

    from pamong_edx.regions import load_regions
    from pamong_edx.roster import read_roster

    regions = load_regions("wilayah_2025.csv")
    with read_roster("roster.xlsx", regions) as roster:
        for checked in roster:              # CheckedRow, streaming
            checked.row                     # spreadsheet row number
            checked.status                  # "ok" | "warning" | "error"
            checked.record                  # RosterRecord: nik, nama, email, telepon, jabatan, kode_desa, nama_desa
            checked.diagnostics             # [Diagnostic(kind=R101 village-code-unknown, row, field, column, message)]

See docs/roster.md for the accepted columns, the normalisation and the list of diagnostic codes.
"""

from pamong_edx.roster.checks import CheckedRow, RosterRecord, RowChecker
from pamong_edx.roster.columns import FIELDS, REQUIRED, Layout, RosterFileError
from pamong_edx.roster.diagnostics import ERROR, KINDS, WARNING, Diagnostic, Kind
from pamong_edx.roster.nik import mask as mask_nik
from pamong_edx.roster.positions import canonical_position
from pamong_edx.roster.reader import RosterReader, read_roster

__all__ = [
    "ERROR",
    "FIELDS",
    "KINDS",
    "REQUIRED",
    "WARNING",
    "CheckedRow",
    "Diagnostic",
    "Kind",
    "Layout",
    "RosterFileError",
    "RosterReader",
    "RosterRecord",
    "RowChecker",
    "canonical_position",
    "mask_nik",
    "read_roster",
]
