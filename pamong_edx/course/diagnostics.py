"""Located, coded diagnostics: `path:line:col: CODE message`, as `pamong validate` prints them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Literal

from pamong_edx.course.model import Location

# The table in docs/course-format.md; E114 and E115 are raised at build time.
CODES = {
    "E001": "the YAML cannot be parsed",
    "E002": "a file cannot be read",
    "E101": "unknown key",
    "E102": "missing required key",
    "E103": "wrong type",
    "E104": "unknown block type",
    "E105": "invalid value",
    "E106": "duplicate identifier",
    "E107": "an answer names no choice, or the wrong number of correct answers",
    "E108": "a numerical answer or tolerance that is not a number",
    "E109": "a referenced asset does not exist",
    "E110": "a path leaves the course directory",
    "E111": "a graded sequential's format is not in the grading policy",
    "E112": "grading weights do not sum to 1",
    "E113": "a graded sequential without problems, or grading that cannot be passed",
    "E114": "a block type the chosen exporter cannot render",
    "E115": "a package larger than its size budget",
    "E116": "a block plugin failed while reading a block",
    "W201": "an image without alt text",
    "W202": "a problem without an explanation",
    "W203": "a grading format that no sequential uses",
    "W204": "an asset under assets/ that nothing references",
}

Severity = Literal["error", "warning"]


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


def display_location(loc: Location | None) -> str:
    if loc is None:
        return "<unknown>"
    # A whole-file problem (unreadable, not a directory, an unused asset) is placed at 1:1, so that every
    # diagnostic has the one shape editors and CI problem matchers parse.
    return f"{display_path(loc.file)}:{loc.line or 1}:{loc.col or 1}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str  # E### is an error, W### a warning
    message: str
    location: Location | None = None

    @property
    def severity(self) -> Severity:
        return "warning" if self.code.startswith("W") else "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        return f"{display_location(self.location)}: {self.code} {self.message}"


def suggest(word: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, or an empty string."""
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def count(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = warnings = 0
    for d in diagnostics:
        if d.is_error:
            errors += 1
        else:
            warnings += 1
    return errors, warnings
