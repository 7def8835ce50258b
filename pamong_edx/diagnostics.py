"""One diagnostic type for every check the toolkit makes: course sources, rosters, rules files, overlays, builds.

A diagnostic is a coded, located message. Codes are stable and searchable in every language (`E104`,
`R131`, `W301`): the code says what kind of problem it is, the message says what is wrong here and what to
do. Where it is depends on what was read:

    course_src/x/course.yaml:14:7: E104 unknown block type 'vidio' (did you mean 'video'?)
    roster.xlsx:12:F: R101 village code 18.71.05.2099 does not exist; check the code with the kecamatan

A text file is located by line and column (1-based); a spreadsheet by row (as Excel shows it) and column
letter. Every producer collects all its diagnostics before it stops, and one reporter prints them (text,
JSON) or writes them into a results table.

Severity follows the code: a code registered with `register()` carries its own severity, and an
unregistered code is a warning when it starts with W (W201) or is an R2xx roster warning, else an error.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pamong_edx.i18n import _

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: a file, and a line and column (text) or a row and column letter (spreadsheet).

    `line` 0 means the whole file. `col` is a 1-based column number in text files and a column letter
    ("F") in spreadsheets; 0 or "" means the whole line or row.
    """

    file: Path | str
    line: int = 0
    col: int | str = 0

    def __reduce__(self):  # pickled by value: a course model holds one per element (the build cache)
        return (Location, (self.file, self.line, self.col))

    def __str__(self) -> str:
        if not self.line:
            return display_path(self.file)
        if self.col:
            return f"{display_path(self.file)}:{self.line}:{self.col}"
        return f"{display_path(self.file)}:{self.line}"


@dataclass(frozen=True, slots=True)
class Code:
    """A registered diagnostic code: its stable short name and what it means in general."""

    code: str  # E104, R131, W301
    name: str  # kebab-case, e.g. "unknown-block-type"; stable, used in JSON and results files
    severity: Severity
    summary: str  # one line for docs and `--json`; an N_() marked string, translated when shown


_CODES: dict[str, Code] = {}


def register(code: str, name: str, summary: str, severity: Severity | None = None) -> Code:
    """Declare a code once, in the module of the checks that produce it; returns it for use as a constant."""
    entry = Code(code, name, severity or _default_severity(code), summary)
    known = _CODES.get(code)
    if known is not None and known != entry:
        raise ValueError(f"diagnostic code {code} registered twice with different meanings")
    _CODES[code] = entry
    return entry


def lookup(code: str) -> Code | None:
    return _CODES.get(code)


def registered() -> dict[str, Code]:
    return dict(sorted(_CODES.items()))


def _default_severity(code: str) -> Severity:
    if code.startswith("W") or code.startswith("R2"):
        return WARNING
    return ERROR


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem found at a place. `message` is already in the user's language; `hint` says what to do,
    when that is not already part of the message. `field` names the roster field or YAML key concerned."""

    code: str
    message: str
    location: Location | None = None
    severity: Severity = field(default=None)  # type: ignore[assignment]  # derived from the code when None
    hint: str = ""
    field: str = ""

    def __post_init__(self) -> None:
        if self.severity is None:
            known = _CODES.get(self.code)
            object.__setattr__(self, "severity", known.severity if known else _default_severity(self.code))

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def name(self) -> str:
        known = _CODES.get(self.code)
        return known.name if known else ""

    def text(self) -> str:
        """`where: CODE message` (the hint, when given, after an em dash), on one line, control characters
        escaped: a message quoting a file name or a cell holding ESC, NUL or a newline cannot drive the
        terminal or forge another diagnostic line."""
        where = str(self.location) if self.location is not None else _("<unknown>")
        hint = f" — {self.hint}" if self.hint else ""
        return printable(f"{where}: {self.code} {self.message}{hint}", keep="")

    def __str__(self) -> str:
        return self.text()

    def as_dict(self) -> dict[str, Any]:
        loc = self.location
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "file": display_path(loc.file) if loc is not None else None,
            "line": loc.line if loc is not None and loc.line else None,
            "col": loc.col if loc is not None and loc.col else None,
            "field": self.field or None,
            "message": self.message,
            "hint": self.hint or None,
        }


def count(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = warnings = 0
    for d in diagnostics:
        if d.is_error:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def to_text(diagnostics: Iterable[Diagnostic]) -> str:
    """One `where: CODE message` line per diagnostic."""
    return "\n".join(d.text() for d in diagnostics)


def to_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([d.as_dict() for d in diagnostics], ensure_ascii=False, indent=2)


# C0 controls, DEL, C1 controls, and the Unicode bidirectional overrides and isolates (which reorder what a
# terminal shows: "Trojan Source").
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, keep: str = "\t\n") -> str:
    """`text` safe to print on a terminal: every control character but those in `keep` written as a Python
    escape (`\\x1b`, `\\u202e`). Escaping twice changes nothing, so a message already escaped may be
    escaped again where it is printed."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in keep:
            return char
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL.sub(escape, text)


def suggest(word: str, candidates: Iterable[str]) -> str:
    """The closest candidate to a misspelt word, or an empty string."""
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return match[0] if match else ""


def display_path(path: Path | str) -> str:
    """The path relative to the working directory when it lies inside it, else as given."""
    path = Path(path)
    try:
        cwd = Path.cwd()
    except OSError:
        return str(path)
    if path.is_absolute() and path.is_relative_to(cwd):
        return str(path.relative_to(cwd)) or "."
    return str(path)
