"""The results file (one line per roster row and course) and the run's summary, for people and for scripts.

Written through pamong_edx.tables, like the roster check's: CSV as UTF-8 with a byte-order mark (so Excel
reads the accents), or XLSX when the file name ends in .xlsx; formula-safe, control characters dropped,
NIK-shaped numbers masked; written beside its name and moved into place.

Headers and statuses are in the user's language: the statuses are words the toolkit keeps as they are in its
journal and JSON (`failed`, `pre-enrolled`: enrol/outcomes.py), and STATUS_LABELS shows them to people.

This module reads the plan's items but does not import the plan: an item is read by its fields, its action by
value.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pamong_edx.enrol.outcomes import FAILED_STATUSES, Status
from pamong_edx.errors import UsageError
from pamong_edx.i18n import N_, _
from pamong_edx.tables import write_table

__all__ = ["FAILED_STATUSES", "HEADER", "STATUS_LABELS", "check_writable", "failed_rows", "status_of",
           "summary_line", "write_results", "write_table"]

HEADER = [N_("row"), N_("email"), N_("course"), N_("cohort"), N_("status"), N_("message")]  # translated when written

# every status, as people read it in the results file and the summary line
STATUS_LABELS = {
    Status.ENROLLED: N_("enrolled"),
    Status.PRE_ENROLLED: N_("pre-enrolled"),
    Status.ALREADY_ENROLLED: N_("already-enrolled"),
    Status.COHORT_CHANGED: N_("cohort-changed"),
    Status.UNENROLLED: N_("unenrolled"),
    Status.NOT_ENROLLED: N_("not-enrolled"),
    Status.UNCHANGED: N_("unchanged"),
    Status.SKIPPED: N_("skipped"),
    Status.FAILED: N_("failed"),
    Status.ERROR: N_("error"),
    Status.NOT_SENT: N_("not-sent"),
}

# what a plan action (by its value) means in the results file when no run set an outcome
_STATUS_BEFORE_RUN = {
    "unchanged": Status.UNCHANGED,
    "failed-before": Status.FAILED,
    "row-error": Status.ERROR,
    "duplicate": Status.SKIPPED,
    "no-course": Status.SKIPPED,
}


def check_writable(path: Path, option: str) -> None:
    """Refuse, before anything is sent, a results or plan file that could not be written at the end."""
    folder = path.parent
    if path.is_dir():
        raise UsageError(_("{option} {path} is a folder; give a file name, e.g. {example}").format(
            option=option, path=path, example=path / "results.csv"))
    if not folder.is_dir():
        raise UsageError(_("{option} {path}: the folder {folder} does not exist; create it or choose another path")
                         .format(option=option, path=path, folder=folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(_("{option} {path}: the folder {folder} is not writable; choose another path").format(
            option=option, path=path, folder=folder))


def status_of(item: Any) -> str:
    """The item's status after the run (the executor sets `outcome`); before any run, what the plan says."""
    if item.outcome:
        return item.outcome
    return _STATUS_BEFORE_RUN.get(item.action.value, Status.NOT_SENT)


def status_label(status: str) -> str:
    """A status as the results file and the summary line show it, in the user's language."""
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def write_results(items: Iterable[Any], path: Path) -> Counter:
    """Write the results file; return the count of lines by status (the statuses' own words, as keys)."""
    counts: Counter = Counter()

    def lines() -> Iterable[list[object]]:
        for item in sorted(items, key=lambda i: (i.row is None, i.row or 0, i.course, i.email)):
            status = status_of(item)
            counts[status] += 1
            yield [item.row or "", item.email, item.course, item.cohort or "", status_label(status), item.message]

    write_table(path, [_(name) for name in HEADER], lines(), _("results"))
    return counts


def failed_rows(items: Iterable[Any]) -> int:
    return len({(i.row, i.email) for i in items if status_of(i) in FAILED_STATUSES})


def summary_line(counts: Counter) -> str:
    return " · ".join(f"{status_label(k)} {counts[k]:,}" for k in Status if counts[k])
