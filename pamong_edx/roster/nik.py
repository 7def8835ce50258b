"""NIK (Nomor Induk Kependudukan): structure, the ways Excel damages it, and masking.

A NIK is 16 digits: the kecamatan of registration (6), the birth date DDMMYY with 40 added to the day for
women (6), and a serial from 0001 (4). Excel stores a typed NIK as a number unless the cell is Text, and a
number keeps only 15 significant digits: ``3201012345678901`` shows as ``3.20101E+15`` and is saved as
``3201012345678900``. Only the damage that leaves a trace can be told apart: scientific notation, a ``.0``
suffix, or a number cell in an XLSX file. A text NIK that merely ends in 0 is a normal NIK.

NIKs are personal data: anything shown to people goes through mask().
"""

from __future__ import annotations

import re

_SCIENTIFIC = re.compile(r"[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]+")
_NUMBER_SUFFIX = re.compile(r"[0-9]+[.,]0+")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # two-digit years: allow 29 February


def clean(text: str) -> str:
    """The NIK as text without spaces (``3201 0123 4567 8901``) or Excel's leading text apostrophe."""
    if text.isdigit() and text.isascii():
        return text
    return "".join(text.split()).lstrip("'")


def excel_damage(text: str) -> str | None:
    """How a NIK written as text shows that it went through an Excel number, or None."""
    if _SCIENTIFIC.fullmatch(text):
        return "written in scientific notation (like 3.20101E+15)"
    if _NUMBER_SUFFIX.fullmatch(text):
        return "written as a number with a decimal suffix (like 3201012345678900.0)"
    return None


def structure_problem(nik: str) -> str | None:
    """Why a 16-digit NIK cannot be real, or None. Only positions are named, never the digits."""
    if nik[0:2] == "00" or nik[2:4] == "00" or nik[4:6] == "00":
        return "its region part (digits 1-6) contains 00"
    day = int(nik[6:8])
    if day > 40:
        day -= 40
    month = int(nik[8:10])
    if not (1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]):
        return "its birth-date digits (7-12) are not a date DDMMYY (women: day + 40)"
    if nik[12:16] == "0000":
        return "its serial (digits 13-16) is 0000; serials start at 0001"
    return None


def mask(nik: str) -> str:
    """3201********0001: enough to find the row, not enough to be the NIK."""
    n = len(nik)
    keep = 4 if n >= 12 else 2 if n >= 6 else 0
    return nik[:keep] + "*" * (n - 2 * keep) + nik[n - keep:] if keep else "*" * n
