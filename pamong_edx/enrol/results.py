"""The results file (one line per roster row and course) and the run's summary, for people and for scripts.

The CSV is written for Excel users: UTF-8 with a byte-order mark (so Excel reads the accents), and any cell
that Excel would run as a formula (starting with = + - @ or a tab) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from pamong_edx.enrol.plan import Action, Item

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER = ["row", "email", "course", "cohort", "status", "message"]

# statuses that mean the row is not where it should be on the LMS
FAILED_STATUSES = {"failed", "error", "not-sent"}


def excel_safe(cells: Sequence[object]) -> list[object]:
    return [f"'{c}" if isinstance(c, str) and c.startswith(FORMULA_START) else c for c in cells]


def status_of(item: Item) -> str:
    """The item's status after the run (the executor sets `outcome`); before any run, what the plan says."""
    if item.outcome:
        return item.outcome
    return {
        Action.UNCHANGED: "unchanged",
        Action.FAILED_BEFORE: "failed",
        Action.ROW_ERROR: "error",
        Action.DUPLICATE: "skipped",
        Action.NO_COURSE: "skipped",
    }.get(item.action, "not-sent")


def write_results(items: Iterable[Item], path: Path) -> Counter:
    """Write the results file; return the count of lines by status."""
    counts: Counter = Counter()
    ordered = sorted(items, key=lambda i: (i.row is None, i.row or 0, i.course, i.email))
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8-sig") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for item in ordered:
            status = status_of(item)
            counts[status] += 1
            out.writerow(excel_safe([item.row or "", item.email, item.course, item.cohort or "", status, item.message]))
    tmp.replace(path)  # a reader never sees half a file
    return counts


def failed_rows(items: Iterable[Item]) -> int:
    return len({(i.row, i.email) for i in items if status_of(i) in FAILED_STATUSES})


def summary_line(counts: Counter) -> str:
    order = ["enrolled", "pre-enrolled", "already-enrolled", "cohort-changed", "unenrolled", "not-enrolled",
             "unchanged", "skipped", "failed", "error", "not-sent"]
    return " · ".join(f"{k} {counts[k]:,}" for k in order if counts[k])
