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
from pamong_edx.i18n import N_, _
from pamong_edx.personal import safe_message

FIELDS = ("nama", "nik", "email", "telepon", "jabatan", "kode_desa", "nama_desa")
REQUIRED = ("nama", "nik", "email", "jabatan", "kode_desa")
RESULT_COLUMNS = ("row", "status", "codes", "messages", "nik", "nama", "email", "telepon", "jabatan", "kode_desa",
                  "nama_desa", "nama_desa_kemendagri")
HEADER_SEARCH_ROWS = 30  # a title block taller than this is not a roster
MAPPING_MAX_BYTES = 1 << 20

# Every column the toolkit reads or writes: key -> (the header a results file writes, in English and translated
# when written; other names a header may use). Roster fields and the columns a results file adds share the
# table, so a results file read back as a roster is understood column by column, in whichever language it was
# written: the translations of the written names are listed among the other names (a test holds every
# catalogue to that), and a header in another language becomes readable by adding it here (no code changes).
# Headers are compared by header_key(): case, spaces and punctuation do not count.
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "row": (N_("row"), ("baris",)),
    "status": (N_("status"), ()),
    "codes": (N_("codes"), ("kode_temuan",)),
    "messages": (N_("messages"), ("keterangan",)),
    "nik": (N_("nik"), ("no_nik", "nomor_nik", "nik_ktp", "no_ktp", "nomor_ktp", "ktp", "nomor_induk_kependudukan",
                        "national_id", "id_number")),
    "nama": (N_("nama"), ("name", "nama_lengkap", "full_name", "nama_perangkat", "nama_pegawai", "nama_peserta")),
    "email": (N_("email"), ("e_mail", "surel", "alamat_email", "alamat_e_mail", "alamat_surel", "email_address",
                            "mail")),
    "telepon": (N_("telepon"), ("telp", "no_telp", "no_telepon", "nomor_telepon", "hp", "no_hp", "nomor_hp",
                                "no_handphone", "handphone", "ponsel", "no_ponsel", "no_wa", "nomor_wa", "whatsapp",
                                "no_hp_wa", "hp_wa", "phone", "phone_number", "mobile", "telephone")),
    "jabatan": (N_("jabatan"), ("position", "jabatan_perangkat", "job_title", "role")),
    "kode_desa": (N_("kode_desa"), ("kode_wilayah", "kode_kelurahan", "kode_desa_kelurahan", "kode_kemendagri", "kode",
                                    "village_code", "region_code")),
    "nama_desa": (N_("nama_desa"), ("desa", "kelurahan", "desa_kelurahan", "nama_kelurahan", "nama_desa_kelurahan",
                                    "village", "village_name")),
    "nama_desa_kemendagri": (N_("nama_desa_kemendagri"), ()),
}
_NOT_WORD = re.compile(r"[\W_]+")


class RosterFileError(PamongError):
    """The roster (or its mapping file) cannot be read as a table of officials."""


def header_key(text: object) -> str:
    """``No. HP`` -> ``no_hp``, ``Kode Wilayah`` -> ``kode_wilayah``, ``E-mail`` -> ``e_mail``."""
    text = unicodedata.normalize("NFKC", str(text)).lower()
    return _NOT_WORD.sub("_", text).strip("_")


def _aliases() -> dict[str, str]:
    """header key -> column key, for every name in COLUMNS (written name included); a name claimed by two
    columns is a mistake in the table and stops the import."""
    aliases: dict[str, str] = {}
    for key, (written, others) in COLUMNS.items():
        for name in (key, written, *others):
            claimed = aliases.setdefault(header_key(name), key)
            if claimed != key:
                raise ValueError(f"column name '{name}' is given to both {claimed} and {key}")
    return aliases


ALIASES = _aliases()


def results_header() -> list[str]:
    """The header row of a results file, in the user's language."""
    return [_(COLUMNS[key][0]) for key in RESULT_COLUMNS]


def header_names(mapping: dict[str, str]) -> dict[str, str]:
    """header key -> column key: a mapping file's names first, then COLUMNS, then the results headers as
    translated now (the language is chosen after import)."""
    translated = {header_key(_(written)): key for key, (written, _others) in COLUMNS.items()}
    return {**translated, **ALIASES, **mapping}


def load_mapping(path: str | Path) -> dict[str, str]:
    """A mapping file: TOML with a [columns] table of ``"header as written" = "field"``."""
    path = Path(path)
    try:
        if path.stat().st_size > MAPPING_MAX_BYTES:
            raise RosterFileError(_("{path}: a column mapping file is a few lines; this one is over {size} KB")
                                  .format(path=path, size=MAPPING_MAX_BYTES >> 10))
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RosterFileError(_("cannot read column mapping {path}: {reason}")
                              .format(path=path, reason=exc.strerror)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RosterFileError(_("{path}: not valid TOML ({reason})").format(path=path, reason=exc)) from None
    except RecursionError:  # tomllib parses nested arrays recursively
        raise RosterFileError(_("{path}: nested too deeply to be a column mapping; expected a [columns] table, "
                                "e.g. \"Nomor KTP\" = \"nik\"").format(path=path)) from None
    table = data.get("columns")
    if not isinstance(table, dict) or not table:
        raise RosterFileError(_("{path}: expected a [columns] table, e.g. \"Nomor KTP\" = \"nik\"").format(path=path))
    return mapping_from(table, str(path))


def mapping_from(table: dict[str, object], origin: str | None = None) -> dict[str, str]:
    """Header -> field pairs, keyed the way headers are compared."""
    mapping = {}
    for header, target in table.items():
        if not isinstance(target, str) or target not in FIELDS:
            raise RosterFileError(_("{origin}: column '{header}' maps to '{target}'; use one of {fields}").format(
                origin=origin or _("column mapping"), header=safe_message(str(header)),
                target=safe_message(str(target))[:80], fields=", ".join(FIELDS)))
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
    codes_column: int | None = None  # index of a results file's `codes` column: the roster is a results file

    @property
    def results_file(self) -> bool:
        """The roster is a results file read back (its header has the `codes` column a results file writes, in
        any language): its NIKs are masked, and its codes say what the check that wrote it found."""
        return self.codes_column is not None

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
    """The fields a row would provide if it were the header; the first column wins a field named twice.
    Columns only a results file has (row, status, ...) are known but provide no field."""
    names = header_names(mapping)
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        if cell is None or cell == "":
            continue
        name = names.get(header_key(cell))
        if name in _FIELD_SET and name not in found:
            found[name] = i
    return found


_FIELD_SET = frozenset(FIELDS)


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
        raise RosterFileError(_(
            "{path}: no header row in the first {rows} rows; a roster needs a row naming its columns ({required}); "
            "see docs/roster.md for accepted names").format(path=path, rows=HEADER_SEARCH_ROWS,
                                                            required=", ".join(REQUIRED)))
    number, cells, fields = found
    missing = [f for f in REQUIRED if f not in fields]
    headers = ["" if c is None else str(c).strip() for c in cells]
    if missing:
        shown = safe_message(", ".join(h for h in headers if h))
        raise RosterFileError(_(
            "{path}:{row}: no column for {missing} (header row: {headers}); rename the column or map it with "
            "--columns FILE (see docs/roster.md)").format(path=path, row=number, missing=", ".join(missing),
                                                          headers=shown[:500]))
    used = set(fields.values())
    ignored = [h for i, h in enumerate(headers) if h and i not in used]
    names = header_names({})
    codes = next((i for i, h in enumerate(headers) if h and names.get(header_key(h)) == "codes"), None)
    return Layout(header_row=number, headers=headers, fields=fields, ignored=ignored, codes_column=codes, **where)
