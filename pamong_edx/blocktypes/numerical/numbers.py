"""Numbers as learners type them, in both conventions, and a regular expression that accepts exactly the
spellings of the numbers in a range, so that Open edX can grade Indonesian answers.

A learner types a number in the course language's convention first (Indonesian: decimal comma, dot grouping:
`40,25`, `1.500.000`, `1.500.000,5`), else in the other one (`40.25`, `1,500,000`); the first reading that fits
wins, so in an Indonesian course `1.500` is 1500 and `1,500` is 1,5. Either may carry the problem's unit before or
after (`30%`, `30 %`, `Rp 1.500.000`), a sign, and leading zeros when not grouped (`07`). The player's parser
(player.js) implements the same grammar:

    INT  = [0-9]+  |  [1-9][0-9]{0,2} (GROUP [0-9]{3})+
    NUM  = INT (DECIMAL [0-9]+)?

Open edX cannot grade these: its numerical input reads `30%` as 0.3 and refuses `40,25` and `1.500.000` (its
parser is openedx-calc's `evaluator`). A stringresponse with `type="ci regexp"` can: capa matches
`^(answer|additional answers)$` against the stripped input with `re.search`, case-insensitively. `answer_regex`
builds a pattern that matches exactly the spellings (per the grammar above) of the numbers in [lo, hi].

How: for a number x written with integer part I and fraction digits F, let d be the decimal places of lo and hi
and T the integer I·10^d + (F cut or padded to d digits). lo <= x <= hi exactly when lo·10^d <= T < hi·10^d, or
T = hi·10^d and the digits after the d-th are all zero. T's range is split by length into classic digit-range
patterns, and each is written out with the separators, the optional fraction digits and the unit.
"""

from __future__ import annotations

import re
from decimal import Decimal

# An answer of the other convention that the course's convention also reads (in another way) is the course's.
_BOTH = re.compile(r"[1-9][0-9]{0,2}[.,][0-9]{3}\Z")


def other_separators(decimal: str) -> tuple[str, str]:
    """(decimal, group) of the other convention."""
    return (".", ",") if decimal == "," else (",", ".")


def _grammar(decimal: str, group: str) -> re.Pattern[str]:
    d, g = re.escape(decimal), re.escape(group)
    return re.compile(rf"(?P<int>[0-9]+|[1-9][0-9]{{0,2}}(?:{g}[0-9]{{3}})+)(?:{d}(?P<frac>[0-9]+))?\Z")


def parse_number(text: str, decimal: str, group: str, unit: str = "") -> Decimal | None:
    """The value a learner's text means (None when it is no number), read as the player reads it."""
    s = " ".join(text.split())
    if unit:
        u = re.escape(unit.strip())
        s = re.sub(rf"^{u}\s*|\s*{u}$", "", s, count=1, flags=re.IGNORECASE)
    sign = ""
    if s[:1] in ("+", "-"):
        sign, s = s[0].replace("+", ""), s[1:]
    for dec, grp in ((decimal, group), other_separators(decimal)):
        match = _grammar(dec, grp).match(s)
        if match:
            digits = match["int"].replace(grp, "")
            return Decimal(f"{sign}{digits}.{match['frac'] or '0'}")
    return None


# ------------------------------------------------------------------------------------------------- ranges


def _digit_ranges(a: str, b: str) -> list[list[str]]:
    """Patterns (a character class per position) covering the digit strings from a to b, of equal length."""
    if a == b:
        return [list(a)]
    if len(a) == 1:
        return [[f"[{a}-{b}]" if int(b) > int(a) + 1 else f"[{a}{b}]"]]
    if a[0] == b[0]:
        return [[a[0]] + rest for rest in _digit_ranges(a[1:], b[1:])]
    n = len(a) - 1
    low_full, high_full = a[1:] == "0" * n, b[1:] == "9" * n
    first = int(a[0]) + (0 if low_full else 1)
    last = int(b[0]) - (0 if high_full else 1)
    patterns = [] if low_full else [[a[0]] + rest for rest in _digit_ranges(a[1:], "9" * n)]
    if first <= last:
        head = str(first) if first == last else f"[{first}-{last}]"
        patterns.append([head] + ["[0-9]"] * n)
    if not high_full:
        patterns += [[b[0]] + rest for rest in _digit_ranges("0" * n, b[1:])]
    return patterns


def _zero_ok(cls: str) -> bool:
    return cls == "0" or cls.startswith("[0")


def _fraction(classes: list[str], decimal: str, exact: bool) -> str:
    """The decimal part: separator, the constrained digits (trailing ones that may be zero may be left out), and
    any further digits (zeros only for the exact upper bound)."""
    tail = "0*" if exact else "[0-9]*"
    if not classes:
        more = "0+" if exact else "[0-9]+"
        return f"(?:{re.escape(decimal)}{more})?"
    body = tail
    for i in range(len(classes) - 1, -1, -1):
        rest_zero = all(_zero_ok(c) for c in classes[i + 1:])
        body = classes[i] + (f"(?:{body})?" if rest_zero else body)
    if all(_zero_ok(c) for c in classes):
        return f"(?:{re.escape(decimal)}{body})?"
    return re.escape(decimal) + body


def _integer(classes: list[str], group: str) -> str:
    """The integer part, plain (leading zeros allowed) or grouped in threes (all separators, or none)."""
    plain = "0*" + "".join(classes)
    if len(classes) <= 3:
        return plain
    g = re.escape(group)
    grouped = "".join((g if i and (len(classes) - i) % 3 == 0 else "") + c for i, c in enumerate(classes))
    return f"(?:{plain}|{grouped})"


def _magnitudes(lo: Decimal, hi: Decimal) -> list[tuple[list[str], list[str], bool]]:
    """The digit patterns of the values in [lo, hi], lo >= 0, as (integer classes, decimal classes, exact upper
    bound): spelled in either convention by _spell."""
    scale = max(-lo.as_tuple().exponent, -hi.as_tuple().exponent, 0)
    low, high = int(lo.scaleb(scale)), int(hi.scaleb(scale))
    found = []
    pieces = [(low, high - 1, False), (high, high, True)] if high > low else [(high, high, True)]
    for start, stop, exact in pieces:
        if start > stop:
            continue
        for length in range(len(str(start)), len(str(stop)) + 1):
            first = max(start, 10 ** (length - 1) if length > 1 else 0)
            last = min(stop, 10 ** length - 1)
            if first > last:
                continue
            width = max(length, scale + 1)
            int_len = width - scale
            for pattern in _digit_ranges(str(first).zfill(width), str(last).zfill(width)):
                found.append((pattern[:int_len], pattern[int_len:], exact))
    return found


def _spell(magnitudes: list[tuple[list[str], list[str], bool]], decimal: str, group: str) -> str:
    """Alternatives matching the spellings of those values in one convention, no sign."""
    return "|".join(_integer(whole, group) + _fraction(part, decimal, exact) for whole, part, exact in magnitudes)


def answer_regex(lo: Decimal, hi: Decimal, decimal: str, group: str, unit: str = "") -> str:
    """A pattern for `re.search('^' + pattern + '$', text.strip(), re.I)` that accepts exactly the spellings of
    the numbers in [lo, hi] (with the unit, if any, before or after). It has no `$` and no top-level `|`."""
    other_dec, other_grp = other_separators(decimal)
    branches = []
    for low, high, sign in ((max(lo, Decimal(0)), hi, "\\+?"), (max(-hi, Decimal(0)), -lo, "-")):
        if low > high:
            continue
        magnitudes = _magnitudes(low, high)
        number = "(?:" + _spell(magnitudes, decimal, group) + ")"
        number += "|(?!" + _BOTH.pattern.replace("\\Z", "(?![0-9.,])") + ")(?:" + _spell(
            magnitudes, other_dec, other_grp) + ")"
        branches.append(f"{sign}(?:{number})")
    body = "(?:" + "|".join(branches) + ")"
    if unit.strip():
        u = re.escape(unit.strip())
        return f"(?:(?:{u}\\s*)?{body}|{body}\\s*{u})"
    return body
