"""Kemendagri region codes: the spellings people type, and what a code says about its region.

A code is two digits per level, four for the village: ``PP`` provinsi, ``PP.KK`` kabupaten/kota,
``PP.KK.CC`` kecamatan, ``PP.KK.CC.DDDD`` desa/kelurahan. The dotted form is canonical; rosters also
carry it without dots (``1871011003``), with spaces or dashes, or as a spreadsheet number (``1871011003.0``).
"""

from __future__ import annotations

import re

from pamong_edx.personal import normalise_digits

LEVEL_NAMES = {1: "provinsi", 2: "kabupaten/kota", 3: "kecamatan", 4: "desa/kelurahan"}

_DOTTED = re.compile(r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?")
_SEPARATORS = re.compile(r"[\s.\-/]+")
_NUMBER_SUFFIX = re.compile(r"([0-9]+)[.,]0+")  # a code that went through a number cell: 1871011003.0
_PART_LENGTHS = (2, 2, 2, 4)
_UNDOTTED_LENGTHS = {2: 1, 4: 2, 6: 3, 10: 4}  # digits -> level


def is_dotted(code: str) -> bool:
    """True when code is already in the canonical dotted form (any level)."""
    return _DOTTED.fullmatch(code) is not None


def normalise_code(text: str) -> str | None:
    """The dotted form of a region code typed in any common spelling, or None if it is not one.

    ``18.71.01.1003``, ``1871011003``, ``18 71 01 1003``, ``18-71-01-1003`` and ``1871011003.0`` all give
    ``18.71.01.1003``; the 2-, 4- and 6-digit prefixes give the province, kabupaten/kota and kecamatan codes.
    """
    text = normalise_digits(text.strip())
    if _DOTTED.fullmatch(text):
        return text
    number = _NUMBER_SUFFIX.fullmatch(text)
    if number:
        text = number.group(1)
    if text.isdigit() and text.isascii():
        level = _UNDOTTED_LENGTHS.get(len(text))
        if level is None:
            return None
        return ".".join((text[0:2], text[2:4], text[4:6], text[6:10])[:level])
    parts = [p for p in _SEPARATORS.split(text) if p]
    if not 1 <= len(parts) <= 4:
        return None
    if len(parts) == 1:  # separators only around the digits
        return normalise_code(parts[0]) if parts[0] != text else None
    if all(p.isdigit() and p.isascii() and len(p) == n for p, n in zip(parts, _PART_LENGTHS, strict=False)):
        return ".".join(parts)
    return None


def level_of(code: str) -> int:
    """1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan (code in dotted form)."""
    return code.count(".") + 1


def parent_code(code: str) -> str | None:
    """The code one level up, or None for a province."""
    cut = code.rfind(".")
    return code[:cut] if cut > 0 else None


def region_type(code: str, name: str) -> str:
    """The kind of region: provinsi, kabupaten, kota, kecamatan, desa, kelurahan or desa adat.

    Kabupaten and kota share a level and are told apart by the name (``Kota ...``); villages by the
    first digit of their four-digit part (1 kelurahan, 2 desa, 3 desa adat).
    """
    level = level_of(code)
    if level == 1:
        return "provinsi"
    if level == 2:
        return "kota" if name.startswith("Kota ") else "kabupaten"
    if level == 3:
        return "kecamatan"
    return {"1": "kelurahan", "3": "desa adat"}.get(code[9:10], "desa")
