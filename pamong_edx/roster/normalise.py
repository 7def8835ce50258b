"""Normalising typed cells: what differs only in spacing, case or notation becomes the same text.

These run once per cell of every row, so each has a fast path for the common, already-clean value.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

_UNTIDY_SPACES = re.compile(r"^ | $|  ")  # what str.split() would change in printable ASCII
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")  # control characters str.split() keeps
# zero-width characters, stray BOMs and the bidirectional overrides (which show text in another order)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
MOBILE = re.compile(r"08[0-9]{7,11}")
_PHONE_PUNCTUATION = re.compile(r"[\s\-.()/]+")
_PHONE = re.compile(r"62[1-9][0-9]{6,11}")


def clean_text(text: str) -> str:
    """Trimmed, inner runs of spaces (NBSP, tabs and line breaks included) collapsed to one, other control
    characters (NUL, ESC, ...) dropped, Unicode NFC."""
    if text.isascii() and text.isprintable():
        return " ".join(text.split()) if _UNTIDY_SPACES.search(text) else text
    text = " ".join(_CONTROL.sub("", text.translate(_INVISIBLE)).split())  # split() also splits on NBSP
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def cell_text(value: object) -> str:
    """The text of a spreadsheet cell without reformatting it: 81234567890.0 is ``81234567890``."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return "" if value is None else str(value)


def normalise_email(text: str) -> str:
    """Trimmed and lower-cased."""
    return clean_text(text).lower()


def is_valid_email(email: str) -> bool:
    """A plain address an LMS accepts: name@domain.tld, ASCII, no spaces (email already lower-cased)."""
    return EMAIL.fullmatch(email) is not None


def normalise_phone(text: str) -> str | None:
    """An Indonesian number as 62..., or None if the text is not one.

    Accepts 0812-3456-7890, +62 812 3456 7890, 0062..., 62..., and 81234567890 (a number cell that lost
    its leading 0).
    """
    if MOBILE.fullmatch(text):
        return "62" + text[1:]
    digits = _PHONE_PUNCTUATION.sub("", text)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits if _PHONE.fullmatch(digits) else None
