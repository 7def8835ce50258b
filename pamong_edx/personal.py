"""Personal data in text shown to people: NIKs masked, control characters made visible or dropped.

A NIK (the 16-digit national id) may turn up anywhere a roster lets someone type: in the phone column, the
village-code column, a name. Whatever the toolkit prints or writes for people goes through these functions,
so a NIK is never shown in full wherever it was typed:

    mask_niks("HP 3201012345678901")        -> "HP 3201********8901"
    mask_niks("3201 0123 4567 8901")        -> "3201 **** **** 8901"
    safe_message("name\\x1b[31m 3201012345678901") -> "name\\\\x1b[31m 3201********8901"

NIK-shaped means 16 digits standing alone (not part of a longer number), written in one run or in four
groups of four with one separator (space, dot or dash); full-width digits (０-９) count as digits.
"""

from __future__ import annotations

import re
import unicodedata

from pamong_edx.diagnostics import printable

_D = "[0-9\uff10-\uff19]"
_NIK_SHAPE = re.compile(rf"(?<!{_D})({_D}{{4}})([ .\-]?){_D}{{4}}\2{_D}{{4}}\2({_D}{{4}})(?!{_D})")
_FULL_WIDTH_DIGITS = "\uff10"
# For the fast test: ASCII digits -> "9", the group separators -> "s", so one substring search finds a shape.
_SHAPES = bytes.maketrans(b"0123456789 .-", b"9999999999sss")
_RUN, _GROUPS = b"9" * 16, b"9999s9999s9999s9999"
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # with the bidirectional overrides
_WHITESPACE_CONTROL = re.compile("[\t\n\r\x0b\x0c]")


def may_hold_nik(text: str) -> bool:
    """Whether text may hold a NIK-shaped number; False is certain, True is checked by mask_niks.

    Runs at memory speed, so a whole column joined into one string can be tested at once."""
    if len(text) < 16:
        return False
    if text.isascii():
        data = text.encode("ascii")
    elif max(text) >= _FULL_WIDTH_DIGITS:
        return True
    else:
        data = text.encode("utf-8")
    data = data.translate(_SHAPES)
    return _RUN in data or _GROUPS in data


def _mask(match: re.Match) -> str:
    first, sep, last = match[1], match[2], match[3]
    if sep:
        return f"{first}{sep}****{sep}****{sep}{last}"
    return f"{first}********{last}"


def mask_niks(text: str) -> str:
    """text with every NIK-shaped number masked: its first and last four digits kept, the rest as ``*``."""
    if not may_hold_nik(text):
        return text
    return _NIK_SHAPE.sub(_mask, text)


def normalise_digits(text: str) -> str:
    """Full-width and other Unicode decimal digits as ASCII digits (``３２０１`` -> ``3201``); else unchanged."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def safe_message(text: str) -> str:
    """text safe to echo in a message or on a terminal: NIKs masked, control characters escaped (``\\x1b``,
    as pamong_edx.diagnostics.printable escapes them for every diagnostic)."""
    return printable(mask_niks(text), keep="")


def without_controls(text: str) -> str:
    """text for a results file: tabs and line breaks as spaces, every other control character dropped (and the
    bidirectional overrides, which would show a cell's text in another order than it is written)."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub("", _WHITESPACE_CONTROL.sub(" ", text))
