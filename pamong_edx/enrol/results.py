"""The results file (one line per roster row and course) and the run's summary, for people and for scripts.

Written for Excel users, like the roster check's: CSV as UTF-8 with a byte-order mark (so Excel reads the
accents), or XLSX when the file name ends in .xlsx; any cell that Excel would run as a formula (starting with
= + - @ or a tab) gets a leading apostrophe. Files are written beside their name and moved into place.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from pamong_edx.enrol.outcomes import FAILED_STATUSES, Status
from pamong_edx.enrol.plan import Action, Item
from pamong_edx.errors import PamongError, UsageError
from pamong_edx.roster.results import neutralise, xlsx_safe

HEADER = ["row", "email", "course", "cohort", "status", "message"]


def excel_safe(cells: Sequence[object]) -> list[object]:
    return [neutralise(c) if isinstance(c, str) else c for c in cells]


def check_writable(path: Path, option: str) -> None:
    """Refuse, before anything is sent, a results or plan file that could not be written at the end."""
    folder = path.parent
    if path.is_dir():
        raise UsageError(f"{option} {path} is a folder; give a file name, e.g. {path / 'results.csv'}")
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: the folder {folder} does not exist; create it or choose another path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: the folder {folder} is not writable; choose another path")


def write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], what: str) -> None:
    """Write rows as CSV, or XLSX for a .xlsx name, Excel-safe; a reader never sees half a file."""
    tmp = path.with_name(path.name + ".part")
    try:
        if path.suffix.lower() == ".xlsx":
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet(what)
            sheet.append(list(header))
            for cells in rows:
                sheet.append([xlsx_safe(c) for c in excel_safe(cells)])
            book.save(tmp)
        else:
            with tmp.open("w", newline="", encoding="utf-8-sig") as handle:
                out = csv.writer(handle)
                out.writerow(header)
                out.writerows(excel_safe(cells) for cells in rows)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PamongError(f"cannot write the {what} file {path}: {exc.strerror or exc}; "
                          "choose another path (-o/--plan)") from None


def status_of(item: Item) -> str:
    """The item's status after the run (the executor sets `outcome`); before any run, what the plan says."""
    if item.outcome:
        return item.outcome
    return {
        Action.UNCHANGED: Status.UNCHANGED,
        Action.FAILED_BEFORE: Status.FAILED,
        Action.ROW_ERROR: Status.ERROR,
        Action.DUPLICATE: Status.SKIPPED,
        Action.NO_COURSE: Status.SKIPPED,
    }.get(item.action, Status.NOT_SENT)


def write_results(items: Iterable[Item], path: Path) -> Counter:
    """Write the results file; return the count of lines by status."""
    counts: Counter = Counter()

    def lines() -> Iterable[list[object]]:
        for item in sorted(items, key=lambda i: (i.row is None, i.row or 0, i.course, i.email)):
            status = status_of(item)
            counts[status] += 1
            yield [item.row or "", item.email, item.course, item.cohort or "", status, item.message]

    write_table(path, HEADER, lines(), "results")
    return counts


def failed_rows(items: Iterable[Item]) -> int:
    return len({(i.row, i.email) for i in items if status_of(i) in FAILED_STATUSES})


def summary_line(counts: Counter) -> str:
    return " · ".join(f"{k} {counts[k]:,}" for k in Status if counts[k])
