"""One roster row in, one normalised record with its diagnostics out.

What normalisation fixes (an undotted village code, stray spaces, a position in capitals, an email in
capitals) is not reported. What it cannot fix is: an error when the row cannot be used as it is (the LMS
would reject it, or it names no real village, or the person is already in the file), a warning when the
row is usable but something looks wrong (a village name that does not match its code: the code decides).
Duplicates are found in file order: the later row is the error and names the earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter

from pamong_edx.regions.codes import level_of, normalise_code, parent_code, region_type
from pamong_edx.regions.reference import Regions
from pamong_edx.roster import diagnostics as d
from pamong_edx.roster import nik as nik_rules
from pamong_edx.roster.columns import FIELDS, Layout
from pamong_edx.roster.diagnostics import Diagnostic, Kind
from pamong_edx.roster.normalise import cell_text, clean_text, is_valid_email, normalise_phone
from pamong_edx.roster.positions import CANONICAL, canonical_position, position_group
from pamong_edx.roster.seen import FirstSeen, text_key

_WANTED = {
    "nama": "the official's name",
    "nik": "the 16-digit NIK from the KTP",
    "email": "an email address to log in with",
    "jabatan": "a position (Kepala Desa, Sekretaris Desa, Kaur ..., Kasi ..., Kepala Dusun)",
    "kode_desa": "the Kemendagri code of the village (e.g. 18.71.01.1003)",
}
_POSITION_CACHE_LIMIT = 4096


@dataclass(slots=True)
class RosterRecord:
    """A roster row after normalisation. Fields a roster lacks are empty strings."""

    nik: str = field(repr=False)  # digits as text; personal data: show nik_masked
    nama: str
    email: str  # lower case
    telepon: str  # 62... when it is an Indonesian number, else as typed
    jabatan: str  # the Permendagri 84/2015 name when recognised, else as typed
    kode_desa: str  # dotted (18.71.01.1003) when it reads as a code, else as typed
    nama_desa: str  # as typed (the reference name is regions.name(kode_desa))

    @property
    def nik_masked(self) -> str:
        return nik_rules.mask(self.nik)

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
                f"nama_desa={self.nama_desa!r})")


@dataclass(slots=True)
class CheckedRow:
    row: int  # spreadsheet row number (the header is row 1 when it is the first row)
    record: RosterRecord
    diagnostics: list[Diagnostic]
    status: str  # "ok", "warning" or "error"

    @property
    def errors(self) -> list[Diagnostic]:
        return [x for x in self.diagnostics if x.severity == d.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [x for x in self.diagnostics if x.severity == d.WARNING]


def _untidy(row: str) -> bool:
    """Whether any cell of a row joined by "|" may need clean_text: most rows do not, and one test of the
    whole row is cheaper than cleaning each cell. A "|" typed in a cell can only cause a needless clean."""
    return (not (row.isascii() and row.isprintable()) or "  " in row or " |" in row or "| " in row
            or row[:1] == " " or row[-1:] == " ")


class RowChecker:
    """Checks the rows of one roster in order; it remembers NIKs and emails to find duplicates."""

    def __init__(self, regions: Regions, layout: Layout, typed: bool = False) -> None:
        self._regions = regions
        self._names = regions.names
        self._typed = typed
        fields = layout.fields
        self._width = max(fields.values()) + 1
        # A missing optional column reads the empty sentinel appended after each row's cells.
        self._pick = itemgetter(*(fields.get(name, -1) for name in FIELDS))
        self._nik_index = fields["nik"]
        self._letters = {name: layout.letter(name) for name in fields}
        self._headers = {name: layout.header(name) for name in fields}
        self._niks = FirstSeen()
        self._emails = FirstSeen()
        self._positions: dict[str, str | None] = {}

    def check(self, row: int, cells: list[object] | Exception) -> CheckedRow | None:
        """The checked row, or None for a blank row (one with nothing in any column the roster maps)."""
        if cells.__class__ is not list:
            return self._unreadable(row, cells)
        nik_is_number = False
        if self._typed:
            nik_cell = cells[self._nik_index] if self._nik_index < len(cells) else ""
            nik_is_number = isinstance(nik_cell, (int, float)) and not isinstance(nik_cell, bool)
            cells = [c if c.__class__ is str else cell_text(c) for c in cells]
        if len(cells) < self._width:
            cells = cells + [""] * (self._width - len(cells))
        cells.append("")
        nama, nik, email, telepon, jabatan, kode, desa = self._pick(cells)
        if not (nama or nik or email or telepon or jabatan or kode or desa):
            return None

        diags: list[Diagnostic] = []
        if _untidy("|".join((nama, nik, email, telepon, jabatan, kode, desa))):
            nama, email, telepon, jabatan, kode, desa = map(clean_text, (nama, email, telepon, jabatan, kode, desa))
            if not (nama or nik.strip() or email or telepon or jabatan or kode or desa):
                return None
        nik = nik_rules.clean(nik)
        email = email.lower()

        if not nama:
            diags.append(self._missing(row, "nama"))
        if not nik:
            diags.append(self._missing(row, "nik"))
        else:
            self._check_nik(row, nik, nik_is_number, diags)
        if not email:
            diags.append(self._missing(row, "email"))
        elif not is_valid_email(email):
            diags.append(self._diag(d.EMAIL_INVALID, row, "email",
                                    f"'{email}' is not a valid email address; write it as name@domain "
                                    "(e.g. budi@desa.id)"))
        else:
            first = self._emails.first(text_key(email), row)
            if first:
                diags.append(self._diag(d.DUPLICATE_EMAIL, row, "email",
                                        f"same email ({email}) as row {first}, ignoring case; each official "
                                        "needs their own email, keep one row per person"))
        if telepon:
            phone = normalise_phone(telepon)
            if phone is None:
                diags.append(self._diag(d.PHONE_INVALID, row, "telepon",
                                        f"'{telepon}' is not an Indonesian phone number (08... or +62...)"))
            else:
                telepon = phone
        if not jabatan:
            diags.append(self._missing(row, "jabatan"))
        else:
            jabatan = self._position(row, jabatan, diags)
        if not kode:
            diags.append(self._missing(row, "kode_desa"))
        else:
            kode = self._check_village(row, kode, desa, diags)

        status = "ok"
        if diags:
            status = "warning"
            for x in diags:
                if x.kind.severity == d.ERROR:
                    status = "error"
                    break
        return CheckedRow(row, RosterRecord(nik, nama, email, telepon, jabatan, kode, desa), diags, status)

    # --- the checks ---------------------------------------------------------------------------------

    def _check_nik(self, row: int, nik: str, is_number: bool, diags: list[Diagnostic]) -> None:
        if is_number or not (len(nik) == 16 and nik.isdigit() and nik.isascii()):
            self._damaged_nik(row, nik, is_number, diags)
            return
        problem = nik_rules.structure_problem(nik)
        if problem:
            diags.append(self._diag(d.NIK_INVALID, row, "nik", f"NIK {nik_rules.mask(nik)} is not a valid NIK: "
                                    f"{problem}; check it against the KTP"))
        first = self._niks.first(int(nik) + 1, row)
        if first:
            diags.append(self._diag(d.DUPLICATE_NIK, row, "nik",
                                    f"same NIK ({nik_rules.mask(nik)}) as row {first}: the same person appears "
                                    "twice, keep one row"))

    def _damaged_nik(self, row: int, nik: str, is_number: bool, diags: list[Diagnostic]) -> None:
        masked = nik_rules.mask(nik)
        if is_number:
            diags.append(self._diag(d.NIK_EXCEL_DAMAGED, row, "nik",
                                    f"NIK {masked} is stored as a number cell: Excel keeps only 15 significant "
                                    "digits, so the last digit cannot be trusted; format the column as Text "
                                    "and type the NIK again from the KTP"))
            return
        damage = nik_rules.excel_damage(nik)
        if damage:
            diags.append(self._diag(d.NIK_EXCEL_DAMAGED, row, "nik",
                                    f"NIK {masked} was {damage}: Excel kept only 15 significant digits; format "
                                    "the column as Text and type the NIK again from the KTP"))
        elif nik.isdigit():
            diags.append(self._diag(d.NIK_LENGTH, row, "nik",
                                    f"NIK {masked} has {len(nik)} digits, a NIK has 16; copy it again from the KTP"))
        else:
            diags.append(self._diag(d.NIK_LENGTH, row, "nik",
                                    f"NIK {masked} is not 16 digits (it holds other characters); copy it again "
                                    "from the KTP"))

    def _position(self, row: int, typed: str, diags: list[Diagnostic]) -> str:
        canonical = self._positions.get(typed, "")
        if canonical == "":
            if len(self._positions) > _POSITION_CACHE_LIMIT:
                self._positions.clear()
            canonical = self._positions[typed] = canonical_position(typed)
        if canonical is None:
            diags.append(self._diag(d.POSITION_UNKNOWN, row, "jabatan",
                                    f"'{typed}' is not a position of Permendagri 84/2015; write one of "
                                    f"{', '.join(CANONICAL)}"))
            return typed
        return canonical

    def _check_village(self, row: int, typed: str, desa: str, diags: list[Diagnostic]) -> str:
        names = self._names
        code = typed if typed in names else normalise_code(typed)
        header = self._headers["kode_desa"]
        if code is None:
            diags.append(self._diag(d.VILLAGE_CODE_INVALID, row, "kode_desa",
                                    f"{header} '{typed}' is not a village code; write the 10-digit Kemendagri "
                                    "code as 18.71.01.1003 or 1871011003"))
            return typed
        official = names.get(code)
        if official is None:
            diags.append(self._diag(d.VILLAGE_CODE_UNKNOWN, row, "kode_desa",
                                    self._regions.explain_unknown(code) + self._name_hint(code, desa)))
        elif level_of(code) != 4:
            diags.append(self._diag(d.VILLAGE_CODE_NOT_VILLAGE, row, "kode_desa",
                                    f"{header} {code} is the {region_type(code, official)} {official}, not a "
                                    "village; give the 10-digit code of the desa/kelurahan"))
        elif desa and desa != official and not self._regions.name_matches(code, desa):
            diags.append(self._diag(d.VILLAGE_NAME_MISMATCH, row, "nama_desa",
                                    f"village name '{desa}' does not match code {code}, which is {official}; "
                                    "the code decides: correct the name, or the code if the name is right"
                                    + self._name_hint(code, desa)))
        return code

    def _name_hint(self, code: str, desa: str) -> str:
        """Where a typed village name points within the kecamatan of code, if anywhere."""
        kecamatan = parent_code(code)
        if not desa or kecamatan is None or level_of(code) != 4 or kecamatan not in self._names:
            return ""
        named = [r for r in self._regions.villages_named(desa, kecamatan) if r.code != code]
        if named:
            return f" ('{desa}' in that kecamatan is {named[0].label})"
        closest = self._regions.closest_village(desa, kecamatan)
        if closest is not None and closest.code != code:
            return f" (closest name in that kecamatan: {closest.label})"
        return ""

    # --- diagnostics --------------------------------------------------------------------------------

    def _diag(self, kind: Kind, row: int, name: str, message: str) -> Diagnostic:
        return Diagnostic(kind, row, name, self._letters.get(name, ""), message)

    def _missing(self, row: int, name: str) -> Diagnostic:
        return self._diag(d.FIELD_MISSING, row, name,
                          f"{self._headers[name]} is empty; fill in {_WANTED[name]}")

    def _unreadable(self, row: int, reason: object) -> CheckedRow:
        diag = Diagnostic(d.ROW_UNREADABLE, row, "", "",
                          f"the row cannot be read as CSV ({reason}); check its quotes")
        return CheckedRow(row, RosterRecord("", "", "", "", "", "", ""), [diag], "error")
