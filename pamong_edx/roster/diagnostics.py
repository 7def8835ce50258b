"""What a row check can find: stable codes (counted in summaries, reported by the enrolment engine) and the
located diagnostic that carries one."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Kind:
    code: str  # stable: R1xx errors, R2xx warnings
    name: str
    severity: str

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


VILLAGE_CODE_UNKNOWN = Kind("R101", "village-code-unknown", ERROR)
VILLAGE_CODE_INVALID = Kind("R102", "village-code-invalid", ERROR)
VILLAGE_CODE_NOT_VILLAGE = Kind("R103", "village-code-not-village", ERROR)
NIK_LENGTH = Kind("R110", "nik-length", ERROR)
NIK_INVALID = Kind("R111", "nik-invalid", ERROR)
NIK_EXCEL_DAMAGED = Kind("R112", "nik-excel-damaged", ERROR)
EMAIL_INVALID = Kind("R120", "email-invalid", ERROR)
DUPLICATE_NIK = Kind("R130", "duplicate-nik", ERROR)
DUPLICATE_EMAIL = Kind("R131", "duplicate-email", ERROR)
FIELD_MISSING = Kind("R140", "field-missing", ERROR)
ROW_UNREADABLE = Kind("R150", "row-unreadable", ERROR)
VILLAGE_NAME_MISMATCH = Kind("R201", "village-name-mismatch", WARNING)
POSITION_UNKNOWN = Kind("R202", "position-unknown", WARNING)
PHONE_INVALID = Kind("R203", "phone-invalid", WARNING)

KINDS = {k.code: k for k in (
    VILLAGE_CODE_UNKNOWN, VILLAGE_CODE_INVALID, VILLAGE_CODE_NOT_VILLAGE, NIK_LENGTH, NIK_INVALID,
    NIK_EXCEL_DAMAGED, EMAIL_INVALID, DUPLICATE_NIK, DUPLICATE_EMAIL, FIELD_MISSING, ROW_UNREADABLE,
    VILLAGE_NAME_MISMATCH, POSITION_UNKNOWN, PHONE_INVALID,
)}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    kind: Kind
    row: int  # spreadsheet row number, as Excel shows it
    field: str  # canonical field (nik, email, kode_desa, ...); "" for the whole row
    column: str  # spreadsheet column letter, "" for the whole row
    message: str  # says what to fix; never holds a full NIK

    @property
    def code(self) -> str:
        return self.kind.code

    @property
    def severity(self) -> str:
        return self.kind.severity

    def __str__(self) -> str:
        return f"{self.kind.code} {self.kind.name}: {self.message}"

    def located(self, path: object) -> str:
        """``roster.csv:12:F: R101 village-code-unknown: ...``"""
        col = f"{self.column}:" if self.column else ""
        return f"{path}:{self.row}:{col} {self}"
