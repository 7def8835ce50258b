"""The enrolment journal: what earlier runs did on the LMS, kept in SQLite (WAL) in the profile's state directory.

One row per (email, course) says what the toolkit knows is on the LMS: enrolled, pre-enrolled (an email
without an account yet) or unenrolled, with the cohort. Before a batch is sent its rows are marked
`pending` (committed first); the outcome clears the mark. A run killed between the two leaves the mark,
and the next run sends those operations again: every operation the engine sends is idempotent on the LMS
(enrolling the enrolled, assigning a cohort someone is in, unenrolling the unenrolled), so repeating one
that already took effect changes nothing.

The journal holds emails, course keys, region codes and roster row numbers: what is needed to resume and to
scope `--sync`. It holds no NIK (the LMS knows people by email, so NIK identity is never needed), no names
and no credentials; a run's recorded arguments are paths and options only.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from pamong_edx.enrol.outcomes import Status
from pamong_edx.errors import PamongError

SCHEMA_VERSION = 1
FILE_NAME = "enrol-journal.sqlite3"

# What is on the LMS for one (email, course), as far as the toolkit knows.
NONE = "none"
ENROLLED, PRE_ENROLLED, UNENROLLED = Status.ENROLLED.value, Status.PRE_ENROLLED.value, Status.UNENROLLED.value
ACTIVE_STATES = (ENROLLED, PRE_ENROLLED)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,          -- running | done | failed | aborted
    args TEXT NOT NULL,            -- JSON: roster path, rules, options (never a secret)
    summary TEXT                   -- JSON counts, when finished
);
CREATE TABLE IF NOT EXISTS enrolments (
    email TEXT NOT NULL,
    course TEXT NOT NULL,
    state TEXT NOT NULL,           -- none | enrolled | pre-enrolled | unenrolled
    cohort TEXT,                   -- the cohort the LMS confirmed
    region TEXT NOT NULL,          -- the official's village code when last sent, for --sync --scope
    row INTEGER,                   -- roster row of the last run that sent it
    owned INTEGER NOT NULL DEFAULT 0,  -- 1 when the toolkit enrolled them (only those may be unenrolled by sync)
    pending TEXT,                  -- enrol | cohort | unenrol: sent, outcome not yet recorded
    target TEXT,                   -- the cohort the pending or failed operation asked for
    outcome TEXT,                  -- the last outcome, as the LMS reported it
    failure TEXT,                  -- why the last operation failed, or NULL
    permanent INTEGER NOT NULL DEFAULT 0,  -- the LMS will refuse it again (e.g. an invalid email)
    batch INTEGER,
    run INTEGER,
    updated TEXT NOT NULL,
    PRIMARY KEY (email, course)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS enrolments_pending ON enrolments (pending) WHERE pending IS NOT NULL;
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL,
    kind TEXT NOT NULL,
    course TEXT NOT NULL,
    cohort TEXT,
    size INTEGER NOT NULL,
    sent TEXT NOT NULL,
    done TEXT,
    status TEXT NOT NULL,          -- sent | done | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    message TEXT
);
CREATE TABLE IF NOT EXISTS cohorts (
    course TEXT NOT NULL,
    name TEXT NOT NULL,
    lms_id INTEGER NOT NULL,
    created_run INTEGER,           -- the run that created it, NULL when it already existed
    PRIMARY KEY (course, name)
) WITHOUT ROWID;
"""


class JournalError(PamongError):
    pass


@dataclass(frozen=True, slots=True)
class Entry:
    email: str
    course: str
    state: str
    cohort: str | None
    region: str
    row: int | None
    owned: bool
    pending: str | None
    target: str | None
    outcome: str | None
    failure: str | None
    permanent: bool

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES


@dataclass(frozen=True, slots=True)
class Sending:
    """One operation about to be sent."""

    email: str
    course: str
    kind: str  # enrol | cohort | unenrol
    target: str | None  # the cohort asked for
    region: str
    row: int | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the LMS said about one operation."""

    email: str
    course: str
    kind: str
    outcome: str  # the backend's outcome word, e.g. "enrolled", "pre-enrolled", "invalid"
    state: str | None  # the new state; None keeps the state found (nothing changed on the LMS)
    cohort: str | None = None  # the cohort the LMS now has them in (with a state)
    owned: bool = False  # the toolkit caused this enrolment
    failure: str | None = None
    permanent: bool = False


@dataclass(frozen=True)
class RunInfo:
    id: int
    started: str
    status: str
    args: dict


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


_COLUMNS = "email, course, state, cohort, region, row, owned, pending, target, outcome, failure, permanent"


def _entry(row: tuple, shared: dict[str, str] | None = None) -> Entry:
    email, course, state, cohort, region, number, owned, pending, target, outcome, failure, permanent = row
    if shared is not None:  # the few values repeated on every row, kept once (a plan holds them per row)
        course, state, cohort, region, outcome = (shared.setdefault(v, v) if v is not None else None
                                                  for v in (course, state, cohort, region, outcome))
    return Entry(email, course, state, cohort, region, number, bool(owned), pending, target, outcome, failure,
                 bool(permanent))


class JournalView:
    """The journal's entries for some courses, read on demand rather than held whole: a plan asks about the
    officials of a roster chunk by chunk (`prefetch`, one query each), so a national roster's journal never
    sits in memory. `entries` maps (email, course) -> Entry; `accounts` maps email -> whether it had an LMS
    account when last enrolled (True when enrolled anywhere, False when only ever pre-enrolled; a forecast
    for the dry-run: an official may have registered since)."""

    CHUNK = 500  # emails per query (SQLite allows 999 parameters)

    def __init__(self, db: sqlite3.Connection, courses: Iterable[str]) -> None:
        self._db = db
        self._courses = list(dict.fromkeys(courses))
        self._shared: dict[str, str] = {}
        self._emails: set[str] = set()  # the chunk prefetched
        self._entries: dict[tuple[str, str], Entry] = {}
        self._accounts: dict[str, bool] = {}
        self.entries = _Lookup(self._entry, self.items)
        self.accounts = _Lookup(self._account)

    def prefetch(self, emails: list[str]) -> None:
        """Read what the journal knows about these emails (and forget the previous chunk)."""
        self._emails, self._entries, self._accounts = set(emails), {}, {}
        for start in range(0, len(emails), self.CHUNK):
            chunk = emails[start:start + self.CHUNK]
            marks = ",".join("?" * len(chunk))
            for course in self._courses:
                sql = f"SELECT {_COLUMNS} FROM enrolments WHERE course=? AND email IN ({marks})"
                for row in self._db.execute(sql, [course, *chunk]):
                    entry = _entry(row, self._shared)
                    self._entries[(entry.email, entry.course)] = entry
            sql = (f"SELECT email, max(state = 'enrolled'), max(state = 'pre-enrolled') FROM enrolments "
                   f"WHERE email IN ({marks}) GROUP BY email")
            for email, enrolled, pre in self._db.execute(sql, chunk):
                if enrolled or pre:
                    self._accounts[email] = bool(enrolled)

    def _entry(self, key: tuple[str, str]) -> Entry | None:
        email, course = key
        if email in self._emails or course not in self._courses:
            return self._entries.get(key)
        row = self._db.execute(f"SELECT {_COLUMNS} FROM enrolments WHERE email=? AND course=?", key).fetchone()
        return _entry(row, self._shared) if row else None

    def _account(self, email: str) -> bool | None:
        if email in self._emails:
            return self._accounts.get(email)
        row = self._db.execute("SELECT max(state = 'enrolled'), max(state = 'pre-enrolled') FROM enrolments "
                               "WHERE email=?", (email,)).fetchone()
        return bool(row[0]) if row and (row[0] or row[1]) else None

    def items(self) -> Iterator[tuple[tuple[str, str], Entry]]:
        """Every entry of the courses, by course then email, streamed."""
        marks = ",".join("?" * len(self._courses))
        sql = f"SELECT {_COLUMNS} FROM enrolments WHERE course IN ({marks}) ORDER BY course, email"
        for row in self._db.execute(sql, self._courses):
            entry = _entry(row, self._shared)
            yield (entry.email, entry.course), entry


class _Lookup(Mapping):
    """A read-only mapping over a lookup function (what build_plan reads: `get`, and for --sync `items`)."""

    def __init__(self, find, items=None) -> None:  # noqa: ANN001 - key -> value or None; () -> (key, value)s
        self._find = find
        self._items = items

    def items(self):  # noqa: ANN201 - streamed (key, value) pairs
        if self._items is None:
            raise TypeError("this journal lookup is read by key")
        return self._items()

    def get(self, key, default=None):  # noqa: ANN001, ANN201
        value = self._find(key)
        return default if value is None else value

    def __getitem__(self, key):  # noqa: ANN001, ANN204
        value = self._find(key)
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self):  # noqa: ANN204
        raise TypeError("a journal lookup is read by key")

    def __len__(self) -> int:
        raise TypeError("a journal lookup is read by key")


class Journal:
    """The journal of one profile. Use from one thread: the engine's workers hand outcomes to the main thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, isolation_level=None)  # explicit BEGIN/COMMIT below
            self.db.execute("PRAGMA journal_mode=WAL")
            # FULL: a batch marked as sent is on disk before its request leaves, even across a power cut.
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA busy_timeout=5000")
            self.db.executescript(SCHEMA)
            version = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise JournalError(
                f"{path}: the enrolment journal cannot be opened ({exc}); move it aside to start a fresh journal "
                "(the next run then sends every enrolment again, which the LMS treats as no change)"
            ) from None
        if version is None:
            self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif int(version[0]) > SCHEMA_VERSION:
            raise JournalError(f"{path}: written by a newer pamong-edx (schema {version[0]}); upgrade pamong-edx")
        try:
            os.chmod(path, 0o600)  # emails are personal data
        except OSError:
            pass

    @classmethod
    def in_dir(cls, state_dir: Path) -> Journal:
        return cls(state_dir / FILE_NAME)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ runs

    def start_run(self, args: dict) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (started, status, args) VALUES (?, 'running', ?)",
            (_now(), json.dumps(args, sort_keys=True)),
        )
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, status: str, summary: dict) -> None:
        self.db.execute(
            "UPDATE runs SET finished=?, status=?, summary=? WHERE id=?",
            (_now(), status, json.dumps(summary, sort_keys=True), run_id),
        )

    def last_run(self) -> RunInfo | None:
        row = self.db.execute("SELECT id, started, status, args FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        return RunInfo(row[0], row[1], row[2], json.loads(row[3])) if row else None

    def unfinished_run(self) -> RunInfo | None:
        """The last run, when it stopped before finishing (killed, interrupted, or stopped by an LMS failure)."""
        run = self.last_run()
        return run if run is not None and run.status in ("running", "aborted", "failed") else None

    # ------------------------------------------------------------------ state

    def view(self, courses: Iterable[str]) -> JournalView:
        """What the journal knows about these courses, read on demand (see JournalView)."""
        return JournalView(self.db, courses)

    def entries(self, courses: Iterable[str]) -> dict[tuple[str, str], Entry]:
        """Every entry of these courses, in memory (for tests and small journals; plans use `view`)."""
        return dict(JournalView(self.db, courses).items())

    def entry(self, email: str, course: str) -> Entry | None:
        sql = f"SELECT {_COLUMNS} FROM enrolments WHERE email=? AND course=?"
        row = self.db.execute(sql, (email, course)).fetchone()
        return _entry(row) if row else None

    def iter_entries(self) -> Iterator[Entry]:
        for row in self.db.execute(f"SELECT {_COLUMNS} FROM enrolments ORDER BY course, email"):
            yield _entry(row)

    def pending_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM enrolments WHERE pending IS NOT NULL").fetchone()[0]

    def counts(self) -> dict[str, int]:
        """Settled outcomes and pending operations, for progress checks and tests."""
        out = {state: n for state, n in self.db.execute("SELECT state, count(*) FROM enrolments GROUP BY state")}
        out["pending"] = self.pending_count()
        out["batches_done"] = self.db.execute("SELECT count(*) FROM batches WHERE status != 'sent'").fetchone()[0]
        return out

    # ------------------------------------------------------------------ batches

    def begin_batch(self, run_id: int, kind: str, course: str, cohort: str | None, ops: list[Sending]) -> int:
        """Record a batch as sent, committed before the request leaves."""
        now = _now()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            cur = self.db.execute(
                "INSERT INTO batches (run, kind, course, cohort, size, sent, status) VALUES (?, ?, ?, ?, ?, ?, 'sent')",
                (run_id, kind, course, cohort, len(ops), now),
            )
            batch = int(cur.lastrowid)
            self.db.executemany(
                """INSERT INTO enrolments (email, course, state, region, row, pending, target, batch, run, updated)
                   VALUES (?, ?, 'none', ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (email, course) DO UPDATE SET
                     region=excluded.region, row=excluded.row, pending=excluded.pending, target=excluded.target,
                     batch=excluded.batch, run=excluded.run, updated=excluded.updated""",
                [(o.email, o.course, o.region, o.row, o.kind, o.target, batch, run_id, now) for o in ops],
            )
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:  # an interrupt may land after COMMIT has already succeeded
                self.db.execute("ROLLBACK")
            raise
        return batch

    def settle(self, batch: int, outcomes: list[Outcome], *, attempts: int, message: str | None = None) -> None:
        """Record the LMS's answer for each operation of a batch (or its failure) in one transaction."""
        now = _now()
        rows = [
            {"state": o.state, "cohort": o.cohort, "owned": int(o.owned), "outcome": o.outcome, "failure": o.failure,
             "permanent": int(o.permanent), "now": now, "email": o.email, "course": o.course}
            for o in outcomes
        ]
        failed = bool(outcomes) and all(o.failure for o in outcomes)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            # A failure keeps the state it found and the target it asked for (to recognise a repeat).
            self.db.executemany(
                """UPDATE enrolments SET
                     state = coalesce(:state, state),
                     cohort = CASE WHEN :state IS NULL THEN cohort ELSE :cohort END,
                     owned = max(owned, :owned), outcome = :outcome, failure = :failure, permanent = :permanent,
                     target = CASE WHEN :failure IS NULL THEN NULL ELSE target END,
                     pending = NULL, updated = :now
                   WHERE email = :email AND course = :course""",
                rows,
            )
            self.db.execute(
                "UPDATE batches SET done=?, status=?, attempts=?, message=? WHERE id=?",
                (now, "failed" if failed else "done", attempts, message, batch),
            )
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:  # an interrupt may land after COMMIT has already succeeded
                self.db.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ cohorts

    def cohorts(self, course: str) -> dict[str, int]:
        return dict(self.db.execute("SELECT name, lms_id FROM cohorts WHERE course=?", (course,)))

    def record_cohort(self, course: str, name: str, lms_id: int, created_run: int | None) -> None:
        self.db.execute(
            """INSERT INTO cohorts (course, name, lms_id, created_run) VALUES (?, ?, ?, ?)
               ON CONFLICT (course, name) DO UPDATE SET lms_id=excluded.lms_id""",
            (course, name, lms_id, created_run),
        )

    # ------------------------------------------------------------------ what earlier outcomes tell

    def accounts(self) -> dict[str, bool]:
        """Email -> whether it had an LMS account when last enrolled (see JournalView), in memory."""
        rows = self.db.execute(
            "SELECT email, max(state = 'enrolled'), max(state = 'pre-enrolled') FROM enrolments GROUP BY email"
        )
        return {email: bool(enrolled) for email, enrolled, pre in rows if enrolled or pre}
