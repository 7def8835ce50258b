"""NIK (Nomor Induk Kependudukan): structure, the ways Excel damages it, and masking.

A NIK is 16 digits: the kecamatan of registration (6), the birth date DDMMYY with 40 added to the day for
women (6), and a serial from 0001 (4). Excel stores a typed NIK as a number unless the cell is Text, and a
number keeps only 15 significant digits: ``3201012345678901`` shows as ``3.20101E+15`` and is saved as
``3201012345678900``. Only the damage that leaves a trace can be told apart: scientific notation, a ``.0``
suffix, or a number cell in an XLSX file. A text NIK that merely ends in 0 is a normal NIK.

NIKs are personal data: anything shown to people goes through mask() (a NIK field) or
pamong_edx.personal.mask_niks (any text).
"""

from __future__ import annotations

import re

from pamong_edx.i18n import _
from pamong_edx.personal import normalise_digits

# A NIK whose structure is sound, in one pattern, so a whole column is checked without a Python call per
# row: region pairs not 00, a date DDMMYY (women: day + 40; 29 February allowed: two-digit years), serial
# not 0000. structure_problem() says which part is wrong when this does not match.
_DAY31 = "(?:0[1-9]|[12][0-9]|3[01]|4[1-9]|[56][0-9]|7[01])"
_DAY30 = "(?:0[1-9]|[12][0-9]|30|4[1-9]|[56][0-9]|70)"
_DAY29 = "(?:0[1-9]|[12][0-9]|4[1-9]|[56][0-9])"
VALID = re.compile(
    "(?:(?!00)[0-9]{2}){3}"
    f"(?:{_DAY31}(?:0[13578]|1[02])|{_DAY30}(?:0[469]|11)|{_DAY29}02)"
    "[0-9]{2}(?!0000)[0-9]{4}"
)
_SCIENTIFIC = re.compile(r"[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]+")
_NUMBER_SUFFIX = re.compile(r"[0-9]+[.,]0+")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # two-digit years: allow 29 February


def clean(text: str) -> str:
    """The NIK as text without spaces (``3201 0123 4567 8901``) or Excel's leading text apostrophe, its digits
    ASCII (full-width ``３２０１`` typed with an Asian keyboard layout reads ``3201``)."""
    if text.isdigit() and text.isascii():
        return text
    return normalise_digits("".join(text.split()).lstrip("'"))


def excel_damage(text: str) -> str | None:
    """How a NIK written as text shows that it went through an Excel number, or None."""
    if _SCIENTIFIC.fullmatch(text):
        return _("written in scientific notation (like 3.20101E+15)")
    if _NUMBER_SUFFIX.fullmatch(text):
        return _("written as a number with a decimal suffix (like 3201012345678900.0)")
    return None


def structure_problem(nik: str) -> str | None:
    """Why a 16-digit NIK cannot be real, or None. Only positions are named, never the digits."""
    if nik[0:2] == "00" or nik[2:4] == "00" or nik[4:6] == "00":
        return _("its region part (digits 1-6) contains 00")
    day = int(nik[6:8])
    if day > 40:
        day -= 40
    month = int(nik[8:10])
    if not (1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]):
        return _("its birth-date digits (7-12) are not a date DDMMYY (women: day + 40)")
    if nik[12:16] == "0000":
        return _("its serial (digits 13-16) is 0000; serials start at 0001")
    return None


def mask(nik: str) -> str:
    """3201********0001: enough to find the row, not enough to be the NIK."""
    n = len(nik)
    keep = 4 if n >= 12 else 2 if n >= 6 else 0
    return nik[:keep] + "*" * (n - 2 * keep) + nik[n - keep:] if keep else "*" * n
