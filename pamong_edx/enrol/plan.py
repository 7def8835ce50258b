"""The plan: what each official should have (courses, and a cohort in each), compared with what earlier runs
did (the journal) and, with --reconcile, with what the LMS reports. The difference is the list of operations.

One `Item` per roster row and course (plus one per row that gets nothing, and one per unenrolment), so the
same list drives the dry-run CSV, the executor and the results file.
"""

from __future__ import annotations

import enum
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from pamong_edx.enrol.journal import ENROLLED, PRE_ENROLLED, Entry
from pamong_edx.enrol.rules import CourseRule, Rules, in_region


class Action(str, enum.Enum):
    ENROL = "enrol"  # enrol (or pre-enrol an email without an account) with the cohort
    COHORT = "cohort"  # enrolled already; move to another cohort (the official's region changed)
    UNENROL = "unenrol"  # --sync: enrolled by an earlier run, absent from the roster now
    UNCHANGED = "unchanged"
    FAILED_BEFORE = "failed-before"  # the LMS refused it in an earlier run, and would again
    ROW_ERROR = "row-error"  # the roster check rejected the row
    DUPLICATE = "duplicate"  # the same email on an earlier row
    NO_COURSE = "no-course"  # no rule gives this official a course

    @property
    def is_operation(self) -> bool:
        return self in (Action.ENROL, Action.COHORT, Action.UNENROL)


@dataclass(frozen=True, slots=True)
class Official:
    """A roster row that passed the check (possibly with warnings)."""

    row: int
    email: str  # normalised (lower case)
    position: str
    region: str  # the village code, dotted
    note: str = ""  # the roster's warnings, for the results file
    # For an LMS that makes the accounts itself (Moodle): the name, the region's place names (provinsi,
    # kabupaten/kota, kecamatan, desa) and the NIK, sent only where a profile maps it. Never journaled.
    name: str = ""
    places: tuple[str, ...] = ()
    nik: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A roster row the check rejected: it is reported, never sent."""

    row: int
    email: str  # as far as it could be read; "" when missing
    message: str


@dataclass(slots=True)
class Item:
    action: Action
    row: int | None
    email: str
    course: str
    cohort: str | None
    region: str
    message: str = ""
    rule: CourseRule | None = None
    resend: bool = False  # sent by an interrupted run, outcome unknown
    owned: bool = False  # the journal says the toolkit enrolled this one
    has_account: bool | None = None  # known from earlier outcomes, for the dry-run's enrol / pre-enrol split
    state: str | None = None  # the journal's state for it when planned
    outcome: str = ""  # set by the executor: enrolled, pre-enrolled, cohort-changed, failed, ...
    official: Official | None = None  # the roster row, for an LMS that makes accounts
    previous_cohort: str | None = None  # the cohort the journal has them in (a COHORT move leaves it)


@dataclass
class LmsView:
    """What the LMS reports for the courses of the plan (--reconcile): the emails actively enrolled in each."""

    enrolled: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class Plan:
    items: list[Item]
    rows: int  # roster rows read
    scope: str | None = None  # --sync region scope

    def operations(self, action: Action | None = None) -> list[Item]:
        return [i for i in self.items if i.action.is_operation and (action is None or i.action is action)]

    def cohorts_needed(self) -> dict[str, set[str]]:
        """Course -> the cohorts the operations put people in."""
        out: dict[str, set[str]] = {}
        for item in self.items:
            if item.cohort and item.action in (Action.ENROL, Action.COHORT):
                out.setdefault(item.course, set()).add(item.cohort)
        return out

    def counts(self) -> Counter:
        """Planned work by kind, with ENROL split by what earlier outcomes say about the person's account."""
        counts: Counter = Counter()
        error_rows: set[int] = set()
        for item in self.items:
            if item.action is Action.ENROL:
                counts["pre-enrol" if item.has_account is False else "enrol"] += 1
                if item.cohort:
                    counts["cohort"] += 1
            elif item.action is Action.ROW_ERROR:
                error_rows.add(item.row or 0)
            else:
                counts[item.action.value] += 1
        counts["rows with errors"] = len(error_rows)
        return counts

    def summary(self) -> str:
        counts = self.counts()
        order = ["pre-enrol", "enrol", "cohort", "unenrol", "unchanged", "failed-before", "duplicate", "no-course",
                 "rows with errors"]
        always = {"enrol", "cohort", "unchanged", "rows with errors"}
        return " · ".join(f"{k} {counts[k]:,}" for k in order if counts[k] or k in always)

    def table(self) -> tuple[list[str], Iterator[list[object]]]:
        """The plan as a table (the --plan file): one line per roster row and course, what will be done and why."""
        rows = ([item.row or "", item.email, item.course, item.cohort or "", _action_label(item), item.message]
                for item in sorted(self.items, key=_row_order))
        return ["row", "email", "course", "cohort", "action", "message"], rows


def _action_label(item: Item) -> str:
    if item.action is Action.ENROL and item.has_account is False:
        return "pre-enrol"
    return item.action.value


def _row_order(item: Item) -> tuple:
    return (item.row is None, item.row or 0, item.course, item.email)


CohortNamer = Callable[[CourseRule, str], str | None]


def build_plan(
    officials: Iterable[Official | Rejected],
    rules: Rules,
    journal: Mapping[tuple[str, str], Entry],
    cohort_name: CohortNamer,
    *,
    sync_scope: str | None = None,
    retry_failed: bool = False,
    lms: LmsView | None = None,
    accounts: Mapping[str, bool] | None = None,
    prefetch: Callable[[list[str]], None] | None = None,
) -> Plan:
    """Compare the desired state of every roster row with the journal (and the LMS, when given).

    `officials` is the checked roster in row order; `journal` the entries for the rules' courses;
    `accounts` what earlier outcomes say about whether an email has an LMS account. `prefetch(emails)`, when
    given, is called before each chunk of the roster so that `journal` and `accounts` can read that chunk's
    entries at once (Journal.view).
    """
    accounts = {} if accounts is None else accounts
    items: list[Item] = []
    first_row: dict[str, int] = {}
    present: set[str] = set()  # every email on the roster, rejected rows included: sync never removes them
    wanted: set[tuple[str, str]] = set()
    rows = 0
    for person in _chunked(officials, prefetch):
        rows += 1
        if isinstance(person, Rejected):
            if person.email:
                present.add(person.email.strip().lower())
            items.append(Item(Action.ROW_ERROR, person.row, person.email, "", None, "", person.message))
            continue
        present.add(person.email)
        if person.email in first_row:
            message = f"same email as row {first_row[person.email]}, which is the one enrolled"
            items.append(Item(Action.DUPLICATE, person.row, person.email, "", None, person.region, message))
            continue
        first_row[person.email] = person.row
        courses = rules.courses_for(person.position, person.region)
        if not courses:
            message = f"no rule gives a course to '{person.position}' in {person.region}"
            items.append(Item(Action.NO_COURSE, person.row, person.email, "", None, person.region, message))
            continue
        for rule in courses:
            wanted.add((person.email, rule.course))
            cohort = cohort_name(rule, person.region)
            entry = journal.get((person.email, rule.course))
            enrolled_on_lms = None
            if lms is not None and rule.course in lms.enrolled:
                enrolled_on_lms = person.email in lms.enrolled[rule.course]
            item = _decide(person, rule, cohort, entry, retry_failed, enrolled_on_lms)
            item.has_account = accounts.get(person.email)
            items.append(item)
    if sync_scope is not None:
        items.extend(_unenrolments(journal, rules, sync_scope, wanted, present))
    return Plan(items=items, rows=rows, scope=sync_scope)


def _decide(
    person: Official, rule: CourseRule, cohort: str | None, entry: Entry | None, retry_failed: bool,
    enrolled_on_lms: bool | None,
) -> Item:
    def item(action: Action, message: str = "", resend: bool = False) -> Item:
        # The official's details ride along only with what will be sent (an LMS that makes accounts needs them);
        # a row that stays unchanged keeps nothing more than its results line, so a re-run stays small.
        return Item(action, person.row, person.email, rule.course, cohort, person.region, _join(message, person.note),
                    rule, resend=resend, owned=bool(entry and entry.owned), state=entry.state if entry else None,
                    official=person if action.is_operation else None,
                    previous_cohort=entry.cohort if entry else None)

    if entry is not None and entry.pending == "enrol":
        return item(Action.ENROL, "sent by an interrupted run; sent again", resend=True)
    if entry is None or not entry.active:
        if entry is not None and entry.failure and entry.permanent and entry.target == cohort and not retry_failed:
            return item(Action.FAILED_BEFORE, f"refused by the LMS in an earlier run: {entry.failure}")
        if enrolled_on_lms and cohort is None:
            return item(Action.UNCHANGED, "already enrolled on the LMS (not by this toolkit)")
        if enrolled_on_lms:
            return item(Action.ENROL, "already enrolled on the LMS (not by this toolkit); sent to set the cohort")
        return item(Action.ENROL)
    # enrolled or pre-enrolled by an earlier run
    if entry.pending == "unenrol":
        return item(Action.ENROL, "an interrupted --sync may have unenrolled this official; enrolled again",
                    resend=True)
    if enrolled_on_lms is False and entry.state == ENROLLED:
        return item(Action.ENROL, "the journal has this enrolment but the LMS does not; enrolled again")
    if cohort is None or entry.cohort == cohort:
        if entry.pending == "cohort" and entry.target != cohort:
            return item(Action.COHORT, f"back to {cohort} after an interrupted move", resend=True)
        return item(Action.UNCHANGED, _by_an_earlier_run(entry.state))
    if entry.pending == "cohort" and entry.target == cohort:
        return item(Action.COHORT, f"moving from {entry.cohort}; sent by an interrupted run, sent again", resend=True)
    if entry.failure and entry.permanent and entry.target == cohort and not retry_failed:
        return item(Action.FAILED_BEFORE, f"refused by the LMS in an earlier run: {entry.failure}")
    was = entry.cohort or "no cohort"
    how = "pre-assigned" if entry.state == PRE_ENROLLED else "enrolled"
    return item(Action.COHORT, f"{how}; region changed, moving from {was}")


def _unenrolments(
    journal: Mapping[tuple[str, str], Entry], rules: Rules, scope: str, wanted: set[tuple[str, str]],
    present: set[str],
) -> list[Item]:
    courses = set(rules.course_keys)
    out = []
    for (email, course), entry in journal.items():
        if course not in courses or not entry.owned or email in present or (email, course) in wanted:
            continue
        if not (entry.active or entry.pending == "unenrol") or not in_region(entry.region, scope):
            continue
        message = f"not on the roster any more (was row {entry.row} in an earlier run)" if entry.row else \
            "not on the roster any more"
        out.append(Item(Action.UNENROL, None, email, course, entry.cohort, entry.region, message,
                        resend=entry.pending == "unenrol", owned=True, state=entry.state))
    return sorted(out, key=lambda item: (item.email, item.course))


def _chunked(officials: Iterable[Official | Rejected], prefetch: Callable[[list[str]], None] | None
             ) -> Iterator[Official | Rejected]:
    if prefetch is None:
        yield from officials
        return
    chunk: list[Official | Rejected] = []
    for person in officials:
        chunk.append(person)
        if len(chunk) == PREFETCH:
            prefetch([p.email for p in chunk if isinstance(p, Official)])
            yield from chunk
            chunk = []
    prefetch([p.email for p in chunk if isinstance(p, Official)])
    yield from chunk


PREFETCH = 500  # roster rows looked up in the journal at once


@functools.cache
def _by_an_earlier_run(state: str) -> str:
    return f"{state} by an earlier run"  # one string per state, not one per row


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
