"""The course diagnostics: their codes (docs/course-format.md), and how course messages locate and suggest.

Every course diagnostic is a `pamong_edx.diagnostics.Diagnostic` with one of these codes. A problem with a
whole file (one that cannot be read, an unused asset) is placed at line 1, column 1, so that every line
`pamong validate` prints has the `path:line:col: CODE message` shape editors and CI problem matchers parse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from pamong_edx.diagnostics import Location, register, suggest
from pamong_edx.i18n import N_, _

CODES = {
    code.code: code for code in (
        register("E001", "yaml-syntax", N_("the YAML cannot be parsed, or a mapping repeats a key")),
        register("E002", "unreadable-file", N_("a file cannot be read")),
        register("E101", "unknown-key", N_("unknown key")),
        register("E102", "missing-key", N_("missing required key")),
        register("E103", "wrong-type", N_("wrong type")),
        register("E104", "unknown-block-type", N_("unknown block type")),
        register("E105", "invalid-value", N_("invalid value")),
        register("E106", "duplicate-id", N_("duplicate identifier")),
        register("E107", "wrong-answer-key", N_("an answer names no choice, or the wrong number of correct answers")),
        register("E108", "not-a-number", N_("a numerical answer or tolerance that is not a number")),
        register("E109", "missing-asset", N_("a referenced asset does not exist")),
        register("E110", "outside-course", N_("a path leaves the course directory")),
        register("E111", "unknown-grading-format", N_("a graded sequential's format is not in the grading policy")),
        register("E112", "weights-not-one", N_("grading weights do not sum to 1")),
        register("E113", "cannot-be-passed", N_("a graded sequential without problems, or grading that cannot be "
                                               "passed")),
        register("E114", "unsupported-block", N_("a block type the chosen exporter cannot render")),
        register("E115", "package-too-large", N_("a package larger than its size budget")),
        register("E116", "plugin-failed", N_("a block plugin failed while reading a block")),
        register("E117", "source-over-limit", N_("a source file or text larger, or slower to read, than its "
                                                 "limit")),
        register("E118", "unsafe-asset", N_("an asset of a kind the packages do not carry: not an allowed "
                                            "media type, an SVG with scripts or outside references, an "
                                            "undeclared HTML file, or not a regular file")),
        register("W201", "image-without-alt", N_("an image without alt text")),
        register("W202", "problem-without-explanation", N_("a problem without an explanation")),
        register("W203", "unused-grading-format", N_("a grading format that no sequential uses")),
        register("W204", "unused-asset", N_("an asset under assets/ that nothing references")),
    )
}


def whole_file(path: Path | str) -> Location:
    """Where a problem with a whole file is reported: its first line and column."""
    return Location(path, 1, 1)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, or an empty string."""
    match = suggest(word, candidates)
    return _(" (did you mean '{match}'?)").format(match=match) if match else ""
