"""Checking roster rows: normalised records and their diagnostics, a block of rows at a time.

What normalisation fixes (an undotted village code, stray spaces, a position in capitals, an email in
capitals) is not reported. What it cannot fix is: an error when the row cannot be used as it is (the LMS
would reject it, or it names no real village, or the person is already in the file), a warning when the
row is usable but something looks wrong (a village name that does not match its code: the code decides).
Duplicates are found in file order: the later row is the error and names the earlier one.

Rows are checked a block at a time, column by column. Each check runs over a whole column in C (a compiled
pattern or a dict look-up mapped over the column, a list comparison) and only the rows that fail it are
looked at one by one, so a clean roster costs a few passes per column and a messy one costs in proportion
to its mistakes. No object is made per row unless someone asks for CheckedRow objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat, zip_longest
from operator import ne, not_
from pathlib import Path

from pamong_edx.diagnostics import Code, Diagnostic, Location, lookup, register
from pamong_edx.i18n import N_, _
from pamong_edx.personal import safe_message
from pamong_edx.regions.codes import level_of, normalise_code, parent_code, region_type
from pamong_edx.regions.reference import Regions
from pamong_edx.roster import nik as nik_rules
from pamong_edx.roster.columns import FIELDS, Layout
from pamong_edx.roster.normalise import EMAIL, MOBILE, cell_text, clean_text, normalise_phone
from pamong_edx.roster.positions import CANONICAL, canonical_position, position_group
from pamong_edx.roster.seen import FirstSeen, text_keys

# A code's name is stable (JSON, `--json` summaries); marked with N_() too, so that a results file and the
# summary show it in the user's language (`label`), beside the code, which is the same in every language.
VILLAGE_CODE_UNKNOWN = register("R101", N_("village-code-unknown"),
                                N_("a well-formed village code that the region file does not have"))
VILLAGE_CODE_INVALID = register("R102", N_("village-code-invalid"), N_("the cell cannot be read as a region code"))
VILLAGE_CODE_NOT_VILLAGE = register("R103", N_("village-code-not-village"),
                                    N_("the code is a province, kabupaten/kota or kecamatan, not a village"))
NIK_LENGTH = register("R110", N_("nik-length"), N_("the NIK is not 16 digits"))
NIK_INVALID = register("R111", N_("nik-invalid"),
                       N_("16 digits that cannot be a NIK: birth date, serial or region part"))
NIK_EXCEL_DAMAGED = register("R112", N_("nik-excel-damaged"),
                             N_("Excel turned the NIK into a number, which keeps only 15 significant digits"))
NIK_MASKED = register("R113", N_("nik-masked"),
                      N_("the NIK is masked (digits replaced by *), as results files show it, where the full NIK "
                         "is needed"))
EMAIL_INVALID = register("R120", N_("email-invalid"), N_("not a plain name@domain.tld address"))
DUPLICATE_NIK = register("R130", N_("duplicate-nik"), N_("the same NIK as an earlier row"))
DUPLICATE_EMAIL = register("R131", N_("duplicate-email"), N_("the same email as an earlier row, ignoring case"))
FIELD_MISSING = register("R140", N_("field-missing"), N_("a required field is empty"))
ROW_UNREADABLE = register("R150", N_("row-unreadable"), N_("the CSV parser cannot read the row"))
VILLAGE_NAME_MISMATCH = register("R201", N_("village-name-mismatch"),
                                 N_("the village name is not the official name of the code; the code decides"))
POSITION_UNKNOWN = register("R202", N_("position-unknown"), N_("the position is not one of Permendagri 84/2015"))
PHONE_INVALID = register("R203", N_("phone-invalid"), N_("the phone is not an Indonesian number"))
NIK_WITHHELD = register("R204", N_("nik-withheld"),
                        N_("a results file read back shows the NIK masked: the row is checked without it"))
CODES = (VILLAGE_CODE_UNKNOWN, VILLAGE_CODE_INVALID, VILLAGE_CODE_NOT_VILLAGE, NIK_LENGTH, NIK_INVALID,
         NIK_EXCEL_DAMAGED, NIK_MASKED, EMAIL_INVALID, DUPLICATE_NIK, DUPLICATE_EMAIL, FIELD_MISSING, ROW_UNREADABLE,
         VILLAGE_NAME_MISMATCH, POSITION_UNKNOWN, PHONE_INVALID, NIK_WITHHELD)
# The codes that say a results file's NIK was wrong: a row that still shows it masked has not been corrected.
NIK_PROBLEMS = frozenset({"R110", "R111", "R112", "R113", "R130"})
# A row's status, and how results files and summaries write it.
STATUS_LABELS = {"ok": N_("ok"), "warning": N_("warning"), "error": N_("error")}

_WANTED = {
    "nama": N_("the official's name"),
    "nik": N_("the 16-digit NIK from the KTP"),
    "email": N_("an email address to log in with"),
    "jabatan": N_("a position (Kepala Desa, Sekretaris Desa, Kaur ..., Kasi ..., Kepala Dusun)"),
    "kode_desa": N_("the Kemendagri code of the village (e.g. 18.71.01.1003)"),
}
_POSITION_CACHE_LIMIT = 4096
_SHOWN_CHARACTERS = 80  # a typed value echoed in a message is cut here: a 100 KB cell is not a message
_VILLAGE_CODE_LENGTH = len("18.71.01.1003")
_EARLIER_CODES = "codes"  # the key of a results file's codes column among a block's fields
_MASKED = re.compile(r"[0-9]*\*+[0-9]*")  # a NIK as nik.mask() shows it
_WITHHELD = re.compile(r"[0-9]{4}\*{8}[0-9]{4}")  # a 16-digit NIK as nik.mask() shows it
_TEXT = frozenset({str})
_NUMBERS = (int, float)


def _column_pattern(pattern: re.Pattern) -> re.Pattern:
    """A pattern for a whole column joined by newlines: every cell matches `pattern` (one C call per block
    instead of one per row)."""
    return re.compile(f"(?:{pattern.pattern})(?:\n(?:{pattern.pattern}))*")


def _all_match(column_pattern: re.Pattern, column: list[str]) -> tuple[bool, str]:
    """(whether every cell matches, the column joined by newlines)."""
    joined = "\n".join(column)
    return joined.count("\n") == len(column) - 1 and column_pattern.fullmatch(joined) is not None, joined


_NIKS = _column_pattern(nik_rules.VALID)
_EMAILS = _column_pattern(EMAIL)
_MOBILES = _column_pattern(MOBILE)


@dataclass(slots=True)
class RosterRecord:
    """A roster row after normalisation. Fields a roster lacks are empty strings."""

    nik: str = field(repr=False)  # digits as text ("" when withheld); personal data: show nik_masked
    nama: str
    email: str  # lower case
    telepon: str  # 62... when it is an Indonesian number, else as typed
    jabatan: str  # the Permendagri 84/2015 name when recognised, else as typed
    kode_desa: str  # dotted (18.71.01.1003) when it reads as a code, else as typed
    nama_desa: str  # as typed (the reference name is regions.name(kode_desa))
    withheld: str = ""  # the NIK as a results file read back shows it, masked (R204); nik is then ""

    @property
    def nik_masked(self) -> str:
        return nik_rules.mask(self.nik) if self.nik or not self.withheld else self.withheld

    @property
    def position_group(self) -> str | None:
        """kepala desa, sekretaris desa, kaur, kasi or kepala dusun."""
        return position_group(self.jabatan)

    @property
    def province_code(self) -> str:
        return self.kode_desa[:2]

    @property
    def kabupaten_code(self) -> str:
        """The kabupaten/kota part of the village code (``18.71``); meaningful once the code checked out."""
        return self.kode_desa[:5]

    @property
    def kecamatan_code(self) -> str:
        return self.kode_desa[:8]

    def __repr__(self) -> str:
        return (f"RosterRecord(nik={self.nik_masked!r}, nama={self.nama!r}, email={self.email!r}, "
                f"telepon={self.telepon!r}, jabatan={self.jabatan!r}, kode_desa={self.kode_desa!r}, "
                f"nama_desa={self.nama_desa!r}{', withheld=True' if self.withheld else ''})")


@dataclass(slots=True)
class CheckedRow:
    row: int  # spreadsheet row number (the header is row 1 when it is the first row)
    record: RosterRecord
    diagnostics: list[Diagnostic]
    status: str  # "ok", "warning" or "error"

    @property
    def errors(self) -> list[Diagnostic]:
        return [x for x in self.diagnostics if x.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [x for x in self.diagnostics if not x.is_error]


def status_of(diagnostics: list[Diagnostic]) -> str:
    if not diagnostics:
        return "ok"
    return "error" if any(d.is_error for d in diagnostics) else "warning"


def label(code: str) -> str:
    """A code's name in the user's language (its stable name in English): ``R131`` -> ``duplicate-email``."""
    known = lookup(code)
    return _(known.name) if known is not None else ""


def status_label(status: str) -> str:
    """A row status ("ok", "warning", "error") as results files and summaries write it, in the user's language."""
    return _(STATUS_LABELS[status])


def row_text(diagnostics: list[Diagnostic]) -> str:
    """A row's diagnostics in one cell of a results file:
    ``R110 nik-length (column A): NIK 1871****0885 has 12 digits, ... | R201 village-name-mismatch ...``"""
    parts = []
    for d in diagnostics:
        column = d.location.col if d.location is not None else ""
        if column:
            parts.append(_("{code} {name} (column {column}): {message}")
                         .format(code=d.code, name=label(d.code), column=column, message=d.message))
        else:
            parts.append(_("{code} {name}: {message}").format(code=d.code, name=label(d.code), message=d.message))
    return " | ".join(parts)


class Block:
    """Checked rows, column by column, blank rows left out. Row i of the block is spreadsheet row rows[i];
    its normalised fields are nik[i], nama[i], ...; official[i] is the region file's name of its village
    ("" when the code is not a village); problems holds the diagnostics of the rows that have any."""

    __slots__ = ("rows", "nik", "nama", "email", "telepon", "jabatan", "kode_desa", "nama_desa", "official",
                 "problems", "regions_unknown", "positions_unknown", "niks_sound", "withheld")

    def __init__(self, rows: Sequence[int], fields: dict[str, list[str]], official: list[str],
                 problems: dict[int, list[Diagnostic]], regions_unknown: set[int], positions_unknown: set[int],
                 niks_sound: bool, withheld: frozenset[int] | set[int] = frozenset()) -> None:
        self.rows = rows
        self.nik, self.nama, self.email = fields["nik"], fields["nama"], fields["email"]
        self.telepon, self.jabatan = fields["telepon"], fields["jabatan"]
        self.kode_desa, self.nama_desa = fields["kode_desa"], fields["nama_desa"]
        self.official = official
        self.problems = problems
        self.regions_unknown = regions_unknown  # rows whose code is not a village of the region file
        self.positions_unknown = positions_unknown  # rows whose position is missing or not recognised
        self.niks_sound = niks_sound  # every NIK is 16 digits of a sound structure
        self.withheld = withheld  # rows of a results file whose nik[i] is the masked NIK it shows (R204)

    def __len__(self) -> int:
        return len(self.rows)

    def statuses(self) -> list[str]:
        out = ["ok"] * len(self.rows)
        for i, diagnostics in self.problems.items():
            out[i] = status_of(diagnostics)
        return out

    def checked_rows(self) -> Iterator[CheckedRow]:
        problems, withheld = self.problems, self.withheld
        for i, (row, *values) in enumerate(zip(self.rows, self.nik, self.nama, self.email, self.telepon,
                                               self.jabatan, self.kode_desa, self.nama_desa)):
            diagnostics = problems.get(i, [])
            record = RosterRecord(*values)
            if i in withheld:  # the masked text is no NIK: nothing downstream may take it for one
                record.nik, record.withheld = "", values[0]
            yield CheckedRow(row, record, diagnostics, status_of(diagnostics))


class RowChecker:
    """Checks the rows of one roster in order; it remembers NIKs and emails to find duplicates."""

    def __init__(self, regions: Regions, layout: Layout, path: Path | str = "", typed: bool = False,
                 expected_rows: int = 0) -> None:
        self._regions = regions
        self._names = regions.names
        self._path = path
        self._typed = typed
        self._fields = layout.fields
        self._letters = {name: layout.letter(name) for name in layout.fields}
        self._headers = {name: layout.header(name) for name in layout.fields}
        self._niks = FirstSeen(expected_rows)
        self._emails = FirstSeen(expected_rows)
        self._codes_column = layout.codes_column  # a results file read back: the codes its check found
        self._positions: dict[str, str] = {}  # typed -> canonical, or "" when not a position

    def check(self, row: int, cells: list[object] | Exception) -> CheckedRow | None:
        """One row: the checked row, or None for a blank row (nothing in any column the roster maps)."""
        if isinstance(cells, Exception):
            block = self.check_block(row, [[]], {0: str(cells)})
        else:
            block = self.check_block(row, [cells])
        return next(block.checked_rows(), None)

    def check_block(self, start: int, cells: list[list[object]] | None, unreadable: dict[int, str] | None = None,
                    columns: list[list[str]] | None = None) -> Block:
        """Rows start, start + 1, ... given as lists of cells (or as columns of equal length); unreadable maps
        the index of a row the file format could not parse (its cells are empty) to the reason."""
        unreadable = unreadable or {}
        if columns is not None:
            n = len(columns[0])
        else:
            n = len(cells)
            if len(set(map(len, cells))) == 1:  # the usual block: every row as wide as the others
                columns = list(map(list, zip(*cells)))
            else:
                columns = list(map(list, zip_longest(*cells, fillvalue="")))
        width = len(columns)
        numbers: range | list[int] = range(start, start + n)  # a list only once blank rows are dropped
        fields: dict[str, list] = {}
        for name in FIELDS:
            index = self._fields.get(name)
            fields[name] = columns[index] if index is not None and index < width else [""] * n
        if self._codes_column is not None:
            index = self._codes_column
            fields[_EARLIER_CODES] = columns[index] if index < width else [""] * n
        del columns
        numeric: set[int] = set()
        if self._typed:
            numeric = self._as_text(fields)
        # Only names are tidied up front; the other fields are looked up or matched as typed, and a value that
        # fails is tidied (clean_text) before it is checked again, so a clean column costs no tidying.
        fields["nama"] = _tidy(fields["nama"])
        if "" in fields["nama"]:
            numbers, numeric, unreadable = self._drop_blank(numbers, fields, numeric, unreadable)
        problems: dict[int, list[Diagnostic]] = {}
        for i, reason in unreadable.items():  # the csv module's words (English), quoted
            problems[i] = [self._diag(ROW_UNREADABLE, numbers[i], "", _(
                "the row cannot be read as CSV (the CSV reader says '{reason}'); check the quotes in this row: a "
                "cell that holds a quote must be in quotes itself, with the quote doubled").format(reason=reason))]
        check = _Pass(self, numbers, fields, problems, frozenset(unreadable))
        check.names()
        niks_sound = check.niks(numeric)
        check.emails()
        check.phones()
        positions_unknown = check.positions()
        official, regions_unknown = check.villages()
        return Block(numbers, fields, official, problems, regions_unknown | set(unreadable),
                     positions_unknown | set(unreadable), niks_sound, check.withheld)

    def _as_text(self, fields: dict[str, list]) -> set[int]:
        """Spreadsheet cells as text; returns the rows whose NIK cell is a number (Excel damage)."""
        numeric: set[int] = set()
        for name, column in fields.items():
            if not _TEXT.issuperset(map(type, column)):
                if name == "nik":
                    numeric = {i for i, c in enumerate(column) if c.__class__ in _NUMBERS}
                fields[name] = [c if c.__class__ is str else cell_text(c) for c in column]
        return numeric

    def _drop_blank(self, numbers: Sequence[int], fields: dict[str, list], numeric: set[int],
                    unreadable: dict[int, str]) -> tuple[list[int], set[int], dict[int, str]]:
        columns = [fields[name] for name in FIELDS if name != "nik"]
        nik = fields["nik"]
        blank = {i for i in compress(range(len(numbers)), map(not_, fields["nama"]))
                 if i not in unreadable and not nik[i].strip() and not any(clean_text(c[i]) for c in columns)}
        if not blank:
            return numbers, numeric, unreadable
        keep = [i not in blank for i in range(len(numbers))]
        for name in fields:
            fields[name] = list(compress(fields[name], keep))
        renumber = {old: new for new, old in enumerate(compress(range(len(numbers)), keep))}
        return (list(compress(numbers, keep)), {renumber[i] for i in numeric},
                {renumber[i]: reason for i, reason in unreadable.items()})

    # --- diagnostics --------------------------------------------------------------------------------

    def _diag(self, code: Code, row: int, name: str, message: str) -> Diagnostic:
        return Diagnostic(code.code, safe_message(message), Location(self._path, row, self._letters.get(name, "")),
                          field=name)

    def _missing(self, row: int, name: str) -> Diagnostic:
        return self._diag(FIELD_MISSING, row, name, _("{header} is empty; fill in {wanted}")
                          .format(header=self._headers[name], wanted=_(_WANTED[name])))


class _Pass:
    """The checks of one block, field by field in the order their diagnostics are listed for a row."""

    def __init__(self, checker: RowChecker, numbers: Sequence[int], fields: dict[str, list[str]],
                 problems: dict[int, list[Diagnostic]], skip: frozenset[int]) -> None:
        self.c = checker
        self.numbers = numbers
        self.fields = fields
        self.problems = problems
        self.skip = skip  # unreadable rows: they have their one diagnostic already
        self.n = len(numbers)
        self.withheld: set[int] = set()  # rows of a results file whose NIK it shows masked, accepted (R204)

    def add(self, i: int, diagnostic: Diagnostic) -> None:
        self.problems.setdefault(i, []).append(diagnostic)

    def failing(self, results: list) -> list[int]:
        """The rows whose result is falsy (None from a pattern, "" from a look-up), skipped rows aside."""
        if all(results):
            return []
        return [i for i in compress(range(self.n), map(not_, results)) if i not in self.skip]

    def duplicates(self, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """(index in the block, earlier row) for (row, earlier row) pairs."""
        if not found:
            return []
        index = {row: i for i, row in enumerate(self.numbers)}
        return [(index[row], first) for row, first in found]

    def names(self) -> None:
        for i in self.failing(self.fields["nama"]):
            self.add(i, self.c._missing(self.numbers[i], "nama"))

    def niks(self, numeric: set[int]) -> bool:
        niks = self.fields["nik"]
        sound, _joined = _all_match(_NIKS, niks)
        bad = [] if sound and not numeric else sorted(
            set(self.failing(list(map(nik_rules.VALID.fullmatch, niks)))) | numeric)
        if not bad:
            eligible: range | list[int] = range(self.n)
        else:
            for i in bad:
                niks[i] = self.nik(i, niks[i], i in numeric)
            excluded = set(bad) - {i for i in bad if i not in numeric and _sixteen_digits(niks[i])}
            eligible = [i for i in range(self.n) if i not in excluded and i not in self.skip]
        keys = text_keys(niks if not bad else [niks[i] for i in eligible])
        rows = self.numbers if not bad else [self.numbers[i] for i in eligible]
        for i, first in self.duplicates(self.c._niks.first_rows(keys, rows)):
            self.add(i, self.c._diag(DUPLICATE_NIK, self.numbers[i], "nik", _(
                "same NIK ({nik}) as row {row}: the same person appears twice, keep one row")
                .format(nik=nik_rules.mask(niks[i]), row=first)))
        return not bad

    def nik(self, i: int, typed: str, is_number: bool) -> str:
        """The NIK of a row that failed the fast check, cleaned, with its diagnostic."""
        row, diag = self.numbers[i], self.c._diag
        nik = nik_rules.clean(typed)
        masked = nik_rules.mask(nik)
        if not nik:
            self.add(i, self.c._missing(row, "nik"))
        elif _MASKED.fullmatch(nik):
            self.masked(i, nik)
        elif is_number:
            self.add(i, diag(NIK_EXCEL_DAMAGED, row, "nik", _(
                "NIK {nik} is stored as a number cell: Excel keeps only 15 significant digits, so the last digit "
                "cannot be trusted; format the column as Text and type the NIK again from the KTP").format(nik=masked)))
        elif _sixteen_digits(nik):
            problem = nik_rules.structure_problem(nik)
            if problem:
                self.add(i, diag(NIK_INVALID, row, "nik", _(
                    "NIK {nik} is not a valid NIK: {problem}; check it against the KTP")
                    .format(nik=masked, problem=problem)))
        elif damage := nik_rules.excel_damage(nik):
            self.add(i, diag(NIK_EXCEL_DAMAGED, row, "nik", _(
                "NIK {nik} was {damage}: Excel kept only 15 significant digits; format the column as Text and "
                "type the NIK again from the KTP").format(nik=masked, damage=damage)))
        elif nik.isdigit():
            self.add(i, diag(NIK_LENGTH, row, "nik", _(
                "NIK {nik} has {count} digits, a NIK has 16; copy it again from the KTP")
                .format(nik=masked, count=len(nik))))
        else:
            self.add(i, diag(NIK_LENGTH, row, "nik", _(
                "NIK {nik} is not 16 digits (it holds other characters); copy it again from the KTP")
                .format(nik=masked)))
        return nik

    def masked(self, i: int, nik: str) -> None:
        """A NIK written as results files show it. In a results file read back, a whole NIK masked is accepted as
        withheld (R204) unless the check that wrote the file found it wrong; anywhere else it is R113."""
        row, diag = self.numbers[i], self.c._diag
        if self.c._codes_column is None:
            self.add(i, diag(NIK_MASKED, row, "nik", _(
                "NIK {nik} is masked (its middle digits are *), as a results file shows it; type the full 16-digit "
                "NIK from the KTP").format(nik=nik)))
            return
        earlier = sorted(NIK_PROBLEMS.intersection(self.fields[_EARLIER_CODES][i].split()))
        if earlier:
            self.add(i, diag(NIK_MASKED, row, "nik", _(
                "NIK {nik} is still the masked one of the results file, which reported {codes} for it: the NIK was "
                "not corrected; type the right 16-digit NIK from the KTP (or delete the row if it is a duplicate)")
                .format(nik=nik, codes=", ".join(earlier))))
        elif not _WITHHELD.fullmatch(nik):
            self.add(i, diag(NIK_MASKED, row, "nik", _(
                "NIK {nik} is masked and is not a whole NIK (16 digits); type the full NIK from the KTP")
                .format(nik=nik)))
        else:
            self.withheld.add(i)
            self.add(i, diag(NIK_WITHHELD, row, "nik", _(
                "NIK {nik} is masked, as results files show it: the row is checked without it (no duplicate-NIK "
                "check, no NIK sent to the LMS); to have it checked, type the full NIK from the KTP").format(nik=nik)))

    def emails(self) -> None:
        typed = self.fields["email"]
        joined = "\n".join(typed)
        lowered = joined.lower()
        whole = lowered.count("\n") == self.n - 1  # no line break inside a cell: split gives the cells back
        emails = typed if lowered == joined else lowered.split("\n") if whole else list(map(str.lower, typed))
        self.fields["email"] = emails
        if whole and _EMAILS.fullmatch(lowered):
            bad = []
        else:
            bad = self.failing(list(map(EMAIL.fullmatch, emails)))
            for i in bad:
                emails[i] = clean_text(emails[i]).lower()
            bad = [i for i in bad if not EMAIL.fullmatch(emails[i])]
        for i in bad:
            if not emails[i]:
                self.add(i, self.c._missing(self.numbers[i], "email"))
            else:
                self.add(i, self.c._diag(EMAIL_INVALID, self.numbers[i], "email", _(
                    "'{email}' is not a valid email address; write it as name@domain (e.g. budi@desa.id)")
                    .format(email=_shown(emails[i]))))
        if not bad:
            eligible: range | list[int] = range(self.n)
        else:
            excluded = set(bad) | self.skip
            eligible = [i for i in range(self.n) if i not in excluded]
        keys = text_keys(emails if not bad else [emails[i] for i in eligible])
        rows = self.numbers if not bad else [self.numbers[i] for i in eligible]
        for i, first in self.duplicates(self.c._emails.first_rows(keys, rows)):
            self.add(i, self.c._diag(DUPLICATE_EMAIL, self.numbers[i], "email", _(
                "same email ({email}) as row {row}, ignoring case; each official needs their own email, keep one "
                "row per person").format(email=emails[i], row=first)))

    def phones(self) -> None:
        phones = self.fields["telepon"]
        mobiles, joined = _all_match(_MOBILES, phones)
        if mobiles:  # all 08...: the common case, as 62...
            self.fields["telepon"] = ("\n" + joined).replace("\n0", "\n62")[1:].split("\n")
            return
        if not any(phones):
            return
        for i, typed in enumerate(phones):
            if not typed or i in self.skip:
                continue
            if not MOBILE.fullmatch(typed):
                phones[i] = typed = clean_text(typed)
                if not typed:
                    continue
            phone = normalise_phone(typed)
            if phone is None:
                self.add(i, self.c._diag(PHONE_INVALID, self.numbers[i], "telepon", _(
                    "'{phone}' is not an Indonesian phone number (08... or +62...)").format(phone=_shown(typed))))
            else:
                phones[i] = phone

    def positions(self) -> set[int]:
        typed = self.fields["jabatan"]
        cache = self.c._positions
        canonical = list(map(cache.get, typed))
        if None in canonical:
            if len(cache) > _POSITION_CACHE_LIMIT:
                cache.clear()
            for text in set(typed).difference(cache):
                cache[text] = canonical_position(text) or ""
            canonical = list(map(cache.get, typed))
        unknown = self.failing(canonical)
        for i in unknown:
            shown = clean_text(typed[i])
            if not shown:
                self.add(i, self.c._missing(self.numbers[i], "jabatan"))
            else:
                self.add(i, self.c._diag(POSITION_UNKNOWN, self.numbers[i], "jabatan", _(
                    "'{position}' is not a position of Permendagri 84/2015; write one of {positions}")
                    .format(position=_shown(shown), positions=", ".join(CANONICAL))))
            canonical[i] = shown
        self.fields["jabatan"] = canonical
        return set(unknown)

    def villages(self) -> tuple[list[str], set[int]]:
        codes, names = self.fields["kode_desa"], self.c._names
        official = list(map(names.get, codes, repeat("")))
        unknown: set[int] = set()
        if "" in official or min(map(len, codes)) != _VILLAGE_CODE_LENGTH:  # 13 characters: a village
            for i in range(self.n):
                if i in self.skip:
                    continue
                if not official[i] or len(codes[i]) != _VILLAGE_CODE_LENGTH:
                    codes[i], official[i] = self.village(i, codes[i])
                    if not official[i]:
                        unknown.add(i)
        desa = self.fields["nama_desa"]
        if desa != official:
            for i in compress(range(self.n), map(ne, desa, official)):
                desa[i] = clean_text(desa[i])
                if desa[i] and official[i] and desa[i] != official[i] \
                        and not self.c._regions.name_matches(codes[i], desa[i]):
                    self.add(i, self.c._diag(VILLAGE_NAME_MISMATCH, self.numbers[i], "nama_desa", _(
                        "village name '{name}' does not match code {code}, which is {official}; the code decides: "
                        "correct the name, or the code if the name is right").format(
                            name=_shown(desa[i]), code=codes[i], official=official[i])
                        + self.name_hint(codes[i], desa[i])))
        return official, unknown

    def village(self, i: int, typed: str) -> tuple[str, str]:
        """(the code as normalised, the village's official name or "" when it is not a village)."""
        row, diag, names = self.numbers[i], self.c._diag, self.c._names
        typed = clean_text(typed)
        if not typed:
            self.add(i, self.c._missing(row, "kode_desa"))
            return typed, ""
        code = typed if typed in names else normalise_code(typed)
        header = self.c._headers["kode_desa"]
        if code is None:
            self.add(i, diag(VILLAGE_CODE_INVALID, row, "kode_desa", _(
                "{header} '{code}' is not a village code; write the 10-digit Kemendagri code as 18.71.01.1003 or "
                "1871011003").format(header=header, code=_shown(typed))))
            return typed, ""
        name = names.get(code)
        if name is None:
            desa = clean_text(self.fields["nama_desa"][i])
            self.add(i, diag(VILLAGE_CODE_UNKNOWN, row, "kode_desa", _(
                "{reason}{hint}; check the village code with the kecamatan").format(
                    reason=self.c._regions.explain_unknown(code), hint=self.name_hint(code, desa))))
            return code, ""
        if level_of(code) != 4:
            self.add(i, diag(VILLAGE_CODE_NOT_VILLAGE, row, "kode_desa", _(
                "{header} {code} is the {type} {name}, not a village; give the 10-digit code of the desa/kelurahan")
                .format(header=header, code=code, type=region_type(code, name), name=name)))
            return code, ""
        return code, name

    def name_hint(self, code: str, desa: str) -> str:
        """Where a typed village name points within the kecamatan of code, if anywhere."""
        regions = self.c._regions
        kecamatan = parent_code(code)
        if not desa or kecamatan is None or level_of(code) != 4 or kecamatan not in regions.names:
            return ""
        named = [r for r in regions.villages_named(desa, kecamatan) if r.code != code]
        if named:
            return _(" ('{name}' in that kecamatan is {label})").format(name=_shown(desa), label=named[0].label)
        closest = regions.closest_village(desa, kecamatan)
        if closest is not None and closest.code != code:
            return _(" (closest name in that kecamatan: {label})").format(label=closest.label)
        return ""


def _tidy(column: list[str]) -> list[str]:
    """The column with every cell through clean_text; one test of the whole column first, since most cells
    need nothing (a "|" typed in a cell only costs a needless clean)."""
    joined = "|".join(column)
    if (joined.isascii() and joined.isprintable() and "  " not in joined and " |" not in joined
            and "| " not in joined and joined[:1] != " " and joined[-1:] != " "):
        return column
    return list(map(clean_text, column))


def _sixteen_digits(nik: str) -> bool:
    return len(nik) == 16 and nik.isdigit() and nik.isascii()


def _shown(value: str) -> str:
    """A typed value as a message echoes it: cut when long."""
    return value if len(value) <= _SHOWN_CHARACTERS else value[:_SHOWN_CHARACTERS] + "…"

