"""Which column holds what: headers matched by name (Indonesian and English aliases, or a mapping file),
and the header row found among the first rows even when a title sits above it."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pamong_edx.errors import PamongError

FIELDS = ("nama", "nik", "email", "telepon", "jabatan", "kode_desa", "nama_desa")
REQUIRED = ("nama", "nik", "email", "jabatan", "kode_desa")
HEADER_SEARCH_ROWS = 30  # a title block taller than this is not a roster

_ALIASES = {
    "nama": ["name", "nama_lengkap", "full_name", "nama_perangkat", "nama_pegawai", "nama_peserta"],
    "nik": ["no_nik", "nomor_nik", "nik_ktp", "no_ktp", "nomor_ktp", "ktp", "nomor_induk_kependudukan",
            "national_id", "id_number"],
    "email": ["e_mail", "surel", "alamat_email", "alamat_e_mail", "alamat_surel", "email_address", "mail"],
    "telepon": ["telp", "no_telp", "no_telepon", "nomor_telepon", "hp", "no_hp", "nomor_hp", "no_handphone",
                "handphone", "ponsel", "no_ponsel", "no_wa", "nomor_wa", "whatsapp", "no_hp_wa", "hp_wa",
                "phone", "phone_number", "mobile", "telephone"],
    "jabatan": ["position", "jabatan_perangkat", "job_title", "role"],
    "kode_desa": ["kode_wilayah", "kode_kelurahan", "kode_desa_kelurahan", "kode_kemendagri", "kode",
                  "village_code", "region_code"],
    "nama_desa": ["desa", "kelurahan", "desa_kelurahan", "nama_kelurahan", "nama_desa_kelurahan", "village",
                  "village_name"],
}
_NOT_WORD = re.compile(r"[\W_]+")


class RosterFileError(PamongError):
    """The roster (or its mapping file) cannot be read as a table of officials."""


def header_key(text: object) -> str:
    """``No. HP`` -> ``no_hp``, ``Kode Wilayah`` -> ``kode_wilayah``, ``E-mail`` -> ``e_mail``."""
    text = unicodedata.normalize("NFKC", str(text)).lower()
    return _NOT_WORD.sub("_", text).strip("_")


ALIASES = {header_key(a): f for f, names in _ALIASES.items() for a in (f, *names)}


def load_mapping(path: str | Path) -> dict[str, str]:
    """A mapping file: TOML with a [columns] table of ``"header as written" = "field"``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RosterFileError(f"cannot read column mapping {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RosterFileError(f"{path}: not valid TOML ({exc})") from None
    table = data.get("columns")
    if not isinstance(table, dict) or not table:
        raise RosterFileError(f"{path}: expected a [columns] table, e.g. \"Nomor KTP\" = \"nik\"")
    return mapping_from(table, str(path))


def mapping_from(table: dict[str, str], origin: str = "column mapping") -> dict[str, str]:
    """Header -> field pairs, keyed the way headers are compared."""
    mapping = {}
    for header, target in table.items():
        if target not in FIELDS:
            raise RosterFileError(f"{origin}: column '{header}' maps to '{target}'; "
                                  f"use one of {', '.join(FIELDS)}")
        mapping[header_key(header)] = target
    return mapping


@dataclass
class Layout:
    """Where the roster's fields are: the header row and, per field, the index of its cell."""

    header_row: int  # spreadsheet row number of the header
    headers: list[str]  # header cells as written
    fields: dict[str, int]  # field -> index into a row's cells
    first_column: int = 0  # 0-based spreadsheet column of cells[0] (an XLSX sheet may start at column B)
    ignored: list[str] = field(default_factory=list)  # headers not used
    encoding: str | None = None  # CSV only
    delimiter: str | None = None  # CSV only
    sheet: str | None = None  # XLSX only

    def letter(self, name: str) -> str:
        """The spreadsheet column letter of a field (``F``)."""
        return column_letter(self.first_column + self.fields[name])

    def header(self, name: str) -> str:
        """The header of a field as the file writes it."""
        return self.headers[self.fields[name]]


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def match_header(cells: Sequence[object], mapping: dict[str, str]) -> dict[str, int]:
    """The fields a row would provide if it were the header; the first column wins a field named twice."""
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        key = header_key(cell)
        name = mapping.get(key) or ALIASES.get(key)
        if name and name not in found:
            found[name] = i
    return found


def find_header(rows: Iterable[tuple[int, Sequence[object]]], mapping: dict[str, str]
                ) -> tuple[int, Sequence[object], dict[str, int]] | None:
    """Among the first rows, the one naming the most fields (at least two): (row number, cells, fields)."""
    best = None
    for number, cells in rows:
        if isinstance(cells, Exception):
            continue
        fields = match_header(cells, mapping)
        if len(fields) >= 2 and (best is None or len(fields) > len(best[2])):
            best = (number, cells, fields)
    return best


def make_layout(path: Path, found: tuple[int, Sequence[object], dict[str, int]] | None,
                **where: object) -> Layout:
    """The layout of a roster, or an error saying which required columns are missing and how to map them."""
    if found is None:
        raise RosterFileError(
            f"{path}: no header row in the first {HEADER_SEARCH_ROWS} rows; a roster needs a row naming its "
            f"columns ({', '.join(REQUIRED)}); see docs/roster.md for accepted names")
    number, cells, fields = found
    missing = [f for f in REQUIRED if f not in fields]
    headers = ["" if c is None else str(c).strip() for c in cells]
    if missing:
        raise RosterFileError(
            f"{path}:{number}: no column for {', '.join(missing)} (header row: {', '.join(h for h in headers if h)}); "
            "rename the column or map it with --columns FILE (see docs/roster.md)")
    used = set(fields.values())
    ignored = [h for i, h in enumerate(headers) if h and i not in used]
    return Layout(header_row=number, headers=headers, fields=fields, ignored=ignored, **where)
