"""Local snapshots of what the LMS said, kept in SQLite beside the enrolment journal (one file per profile).

Every `pamong report` that reads the LMS takes a snapshot: one row per learner and course (who, where, how
far), and the figures of every region at every level. A snapshot is written in one transaction: a run that
fails half way leaves nothing behind and the last good snapshot stays the latest. The figures of every
snapshot are kept (they make the trend); the per-learner rows of the last KEEP_LEARNERS snapshots.

The file holds emails, names, usernames, positions and village codes, as the journal does, plus scores;
never a NIK and never a credential. It is readable by its owner only.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from pamong_edx.errors import PamongError
from pamong_edx.i18n import _
from pamong_edx.report import figures as tally
from pamong_edx.report.model import (
    CourseInfo,
    Figures,
    Person,
    Progress,
    SnapshotInfo,
    TrendPoint,
)

FILE_NAME = "report-snapshots.sqlite3"
SCHEMA_VERSION = 1
KEEP_LEARNERS = 5
VILLAGE = re.compile(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (
    id INTEGER PRIMARY KEY,
    taken TEXT NOT NULL,
    lms TEXT NOT NULL,
    courses TEXT NOT NULL,          -- JSON list of CourseInfo
    roster TEXT,                    -- the --roster path, when one was given
    notes TEXT NOT NULL,            -- JSON list of things the report should say (a course without a pretest, ...)
    requests INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS learners (
    snapshot INTEGER NOT NULL,
    course TEXT NOT NULL,
    who TEXT NOT NULL,              -- the email, or '~' + username when the LMS gave no email
    email TEXT NOT NULL DEFAULT '',
    username TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    position TEXT NOT NULL DEFAULT '',
    region TEXT NOT NULL DEFAULT '', -- dotted code (a village, or a higher level when that is all that is known)
    placed TEXT NOT NULL DEFAULT '', -- roster | journal | cohort | profile | ''
    on_roster INTEGER NOT NULL DEFAULT 0,
    enrolled INTEGER NOT NULL DEFAULT 0,
    registered INTEGER NOT NULL DEFAULT 0,
    started INTEGER NOT NULL DEFAULT 0,
    pretest REAL,
    posttest REAL,
    passed INTEGER NOT NULL DEFAULT 0,
    percent REAL,
    last_activity TEXT,
    PRIMARY KEY (snapshot, course, who)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS learners_region ON learners (snapshot, course, region);
CREATE TABLE IF NOT EXISTS totals (
    snapshot INTEGER NOT NULL,
    course TEXT NOT NULL,
    region TEXT NOT NULL,           -- '' the nation, '?' the unknown region, else a dotted code
    on_roster INTEGER NOT NULL, enrolled INTEGER NOT NULL, registered INTEGER NOT NULL, started INTEGER NOT NULL,
    pretest_done INTEGER NOT NULL, posttest_done INTEGER NOT NULL, passed INTEGER NOT NULL,
    pretest_median REAL, posttest_median REAL, gain_median REAL, last_activity TEXT,
    PRIMARY KEY (snapshot, course, region)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS accounts (
    username TEXT PRIMARY KEY,      -- an LMS username whose email was looked up once, so it is never asked again
    email TEXT NOT NULL,
    seen TEXT NOT NULL
) WITHOUT ROWID;
"""

_FIGURE_COLUMNS = ("on_roster", "enrolled", "registered", "started", "pretest_done", "posttest_done", "passed",
                   "pretest_median", "posttest_median", "gain_median", "last_activity")
_TALLY_COLUMNS = ", ".join(tally.ROW)


class SnapshotError(PamongError):
    pass


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def clean_region(code: str | None) -> str:
    code = (code or "").strip()
    return code if VILLAGE.fullmatch(code) else ""


def _course(data: dict) -> CourseInfo:
    return CourseInfo(key=data["key"], title=data.get("title", ""), cutoff=data.get("cutoff"),
                      pretest=data.get("pretest", ""), posttest=data.get("posttest", ""),
                      pass_by=data.get("pass_by", "grade"))


# SQLite's page cache (KiB, negative): a national snapshot's inserts stay in memory while it is taken; reading
# one for a report walks it once and needs little, and every page cached counts in the report's memory.
WRITE_CACHE, READ_CACHE = -131072, -8192


class Snapshots:
    """The snapshot file of one profile."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA busy_timeout=5000")
            self.db.execute(f"PRAGMA cache_size={READ_CACHE}")
            self.db.executescript(SCHEMA)
            version = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise SnapshotError(
                _("{path}: the report snapshots cannot be opened ({error}); move the file aside to start afresh "
                  "(the trend then starts again)").format(path=path, error=exc)) from None
        if version is None:
            self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif int(version[0]) > SCHEMA_VERSION:
            raise SnapshotError(_("{path}: written by a newer pamong-edx (schema {version}); upgrade pamong-edx")
                                .format(path=path, version=version[0]))
        try:
            os.chmod(path, 0o600)  # names and emails are personal data
        except OSError:
            pass

    @classmethod
    def in_dir(cls, state_dir: Path) -> Snapshots:
        return cls(state_dir / FILE_NAME)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Snapshots:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ taking a snapshot

    @contextmanager
    def taking(self, lms: str, courses: list[CourseInfo], roster: str | None) -> Iterator[Taking]:
        """A snapshot being written: add people and progress to it; it is committed when the block ends without
        an exception, and rolled back (leaving the previous snapshot the latest) when it raises."""
        self.db.execute(f"PRAGMA cache_size={WRITE_CACHE}")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            cur = self.db.execute(
                "INSERT INTO snapshots (taken, lms, courses, roster, notes) VALUES (?, ?, ?, ?, '[]')",
                (now(), lms, json.dumps([c.__dict__ for c in courses]), roster))
            taking = Taking(self.db, int(cur.lastrowid), [c.key for c in courses])
            yield taking
            taking.finish()
            self._prune(taking.id)
            self.db.execute("DROP TABLE IF EXISTS temp.roster")
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            self.db.execute("DROP TABLE IF EXISTS temp.roster")
            raise
        finally:
            self.db.execute(f"PRAGMA cache_size={READ_CACHE}")
            self.db.execute("PRAGMA shrink_memory")

    def _prune(self, latest: int) -> None:
        keep = [r[0] for r in self.db.execute("SELECT id FROM snapshots ORDER BY id DESC LIMIT ?", (KEEP_LEARNERS,))]
        if keep:
            self.db.execute("DELETE FROM learners WHERE snapshot < ?", (min(keep),))

    # ------------------------------------------------------------------ Open edX usernames

    def known_emails(self) -> dict[str, str]:
        """Every username whose email an earlier run looked up."""
        return dict(self.db.execute("SELECT username, email FROM accounts"))

    def remember_emails(self, pairs: dict[str, str]) -> None:
        """Usernames the LMS told the email of; kept outside snapshots (and their transactions)."""
        if pairs and not self.db.in_transaction:
            stamp = now()
            self.db.executemany("INSERT OR REPLACE INTO accounts VALUES (?, ?, ?)",
                                [(u, e.lower(), stamp) for u, e in pairs.items()])

    # ------------------------------------------------------------------ reading snapshots

    def snapshot(self, snapshot_id: int | None = None, course: str | None = None) -> SnapshotInfo | None:
        """A snapshot by id, or the latest (holding `course`, when given)."""
        sql = "SELECT id, taken, lms, courses, roster, notes, requests FROM snapshots"
        rows = self.db.execute(sql + (" WHERE id = ?" if snapshot_id else " ORDER BY id DESC"),
                               (snapshot_id,) if snapshot_id else ()).fetchall()
        for row in rows:
            info = SnapshotInfo(row[0], row[1], row[2], tuple(_course(c) for c in json.loads(row[3])), row[4],
                                tuple(json.loads(row[5])), row[6])
            if course is None or any(c.key == course for c in info.courses):
                return info
        return None

    def previous(self, snapshot_id: int, course: str) -> SnapshotInfo | None:
        for (earlier,) in self.db.execute("SELECT id FROM snapshots WHERE id < ? ORDER BY id DESC", (snapshot_id,)):
            info = self.snapshot(earlier)
            if info is not None and any(c.key == course for c in info.courses):
                return info
        return None

    def has_learners(self, snapshot_id: int) -> bool:
        return self.db.execute("SELECT 1 FROM learners WHERE snapshot = ? LIMIT 1", (snapshot_id,)).fetchone() is not None

    def totals(self, snapshot_id: int, course: str, scope: str) -> dict[str, Figures]:
        """Figures of the scope and every region within it (plus the nation and unknown for the whole country)."""
        columns = ", ".join(_FIGURE_COLUMNS)
        sql = f"SELECT region, {columns} FROM totals WHERE snapshot = ? AND course = ?"
        if scope:
            rows = self.db.execute(sql + " AND region >= ? AND region < ?", (snapshot_id, course, scope, scope + "/"))
        else:
            rows = self.db.execute(sql, (snapshot_id, course))
        return {region: Figures(*rest) for region, *rest in rows}

    def region_totals(self, snapshot_id: int, course: str, region: str) -> Figures | None:
        columns = ", ".join(_FIGURE_COLUMNS)
        row = self.db.execute(f"SELECT {columns} FROM totals WHERE snapshot = ? AND course = ? AND region = ?",
                              (snapshot_id, course, region)).fetchone()
        return Figures(*row) if row else None

    def trend(self, course: str, region: str, until: int, count: int) -> list[TrendPoint]:
        columns = ", ".join("t." + c for c in _FIGURE_COLUMNS)
        rows = self.db.execute(
            f"SELECT s.id, s.taken, {columns} FROM totals t JOIN snapshots s ON s.id = t.snapshot "
            "WHERE t.course = ? AND t.region = ? AND t.snapshot <= ? ORDER BY s.id DESC LIMIT ?",
            (course, region, until, count)).fetchall()
        return [TrendPoint(r[0], r[1], Figures(*r[2:])) for r in reversed(rows)]

    def learners(self, snapshot_id: int, course: str, scope: str, columns: str, where: str = "",
                 order: str = "region") -> Iterator[tuple]:
        """Learner rows of a snapshot within the scope (the unknown region only for the whole country)."""
        sql, args = _select(snapshot_id, course, scope, where)
        yield from self.db.execute(f"SELECT {columns} {sql} ORDER BY {order}", args)

    def position_figures(self, snapshot_id: int, course: str, scope: str, scores: bool = True) -> dict[str, Figures]:
        """Figures per position within the scope: counts summed by SQLite, medians from the scores alone."""
        sql, args = _select(snapshot_id, course, scope, "")
        out: dict[str, Figures] = {}
        for position, on_roster, enrolled, registered, started, passed, last in self.db.execute(
                "SELECT position, sum(on_roster), sum(enrolled), sum(enrolled AND registered), sum(enrolled AND started), "
                f"sum(enrolled AND passed), max(CASE WHEN enrolled THEN last_activity END) {sql} GROUP BY position", args):
            out[position] = Figures(on_roster=on_roster, enrolled=enrolled, registered=registered, started=started,
                                    passed=passed, last_activity=last)
        if scores:
            # The scores alone, one pass: per position an array each of pretests, posttests and gains.
            score_sql, score_args = _select(snapshot_id, course, scope,
                                            "enrolled = 1 AND (pretest IS NOT NULL OR posttest IS NOT NULL)")
            lists: dict[str, tuple[array, array, array]] = {}
            for position, pre, post in self.db.execute(f"SELECT position, pretest, posttest {score_sql}", score_args):
                found = lists.get(position)
                if found is None:
                    found = lists[position] = (array("d"), array("d"), array("d"))
                if pre is not None:
                    found[0].append(pre)
                    if post is not None:
                        found[1].append(post)
                        found[2].append(post - pre)
                else:
                    found[1].append(post)
            for position, (pre, post, gain) in lists.items():
                figures = out[position]
                figures.pretest_done, figures.posttest_done = len(pre), len(post)
                figures.pretest_median, figures.posttest_median = tally.median(pre), tally.median(post)
                figures.gain_median = tally.median(gain)
        return out

    def count(self, snapshot_id: int, course: str, scope: str, where: str = "") -> int:
        sql, args = _select(snapshot_id, course, scope, where)
        return self.db.execute(f"SELECT count(*) {sql}", args).fetchone()[0]


def _select(snapshot_id: int, course: str, scope: str, where: str) -> tuple[str, list]:
    sql = "FROM learners WHERE snapshot = ? AND course = ?"
    args: list = [snapshot_id, course]
    if scope:
        # a code and everything below it: '18.71' and '18.71.…' ('/' sorts right after '.'); one range, so
        # the (snapshot, course, region) index answers it
        sql += " AND region >= ? AND region < ?"
        args += [scope, scope + "/"]
    if where:
        sql += f" AND ({where})"
    return sql, args


class Taking:
    """A snapshot in the making (inside the transaction Snapshots.taking opened)."""

    def __init__(self, db: sqlite3.Connection, snapshot_id: int, courses: list[str]) -> None:
        self.db = db
        self.id = snapshot_id
        self.courses = courses
        self.notes: list[str] = []
        self.requests = 0

    def add_roster(self, people: Iterable[Person]) -> None:
        """The officials on the roster: they count in every course of the snapshot (added by `place`)."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS roster (email TEXT PRIMARY KEY, name TEXT, position TEXT, "
                        "region TEXT) WITHOUT ROWID")
        self.db.executemany("INSERT OR IGNORE INTO temp.roster VALUES (?, ?, ?, ?)",
                            ((p.email.lower(), p.name, p.position, clean_region(p.region)) for p in people))

    def place(self, course: str, journal: Iterable[Person] = ()) -> None:
        """Put the roster's officials, then those the journal knows for this course, into the course: they
        appear even when the LMS has nothing on them. The roster decides where someone is over the journal."""
        if self.db.execute("SELECT 1 FROM sqlite_temp_master WHERE name = 'roster'").fetchone():
            self.db.execute(
                "INSERT INTO learners (snapshot, course, who, email, name, position, region, placed, on_roster) "
                "SELECT ?, ?, email, email, name, position, region, 'roster', 1 FROM temp.roster WHERE true "
                "ON CONFLICT DO NOTHING", (self.id, course))
        self.db.executemany(
            "INSERT INTO learners (snapshot, course, who, email, name, position, region, placed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'journal') ON CONFLICT DO NOTHING",
            ((self.id, course, p.email.lower(), p.email.lower(), p.name, p.position, clean_region(p.region))
             for p in journal))

    def add_progress(self, course: str, progress: Iterable[Progress]) -> None:
        """What the LMS said. A learner the toolkit knows keeps its place; one it does not is placed by the LMS."""
        self.db.executemany(
            """INSERT INTO learners (snapshot, course, who, email, username, name, position, region, placed,
                   enrolled, registered, started, pretest, posttest, passed, percent, last_activity)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (snapshot, course, who) DO UPDATE SET
                   username = excluded.username,
                   name = CASE WHEN name = '' THEN excluded.name ELSE name END,
                   position = CASE WHEN position = '' THEN excluded.position ELSE position END,
                   region = CASE WHEN region = '' THEN excluded.region ELSE region END,
                   placed = CASE WHEN region = '' THEN excluded.placed ELSE placed END,
                   enrolled = excluded.enrolled, registered = excluded.registered, started = excluded.started,
                   pretest = excluded.pretest, posttest = excluded.posttest, passed = excluded.passed,
                   percent = excluded.percent, last_activity = excluded.last_activity""",
            (_progress_row(self.id, course, p) for p in progress))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def finish(self) -> None:
        """Add the learners up into the figures of every region, and record the notes."""
        insert = (f"INSERT INTO totals (snapshot, course, region, {', '.join(_FIGURE_COLUMNS)}) "
                  f"VALUES (?, ?, ?, {', '.join('?' * len(_FIGURE_COLUMNS))})")
        for course in self.courses:
            rows = self.db.execute(f"SELECT {_TALLY_COLUMNS} FROM learners WHERE snapshot = ? AND course = ? "
                                   "ORDER BY region", (self.id, course))
            batch: list[tuple] = []

            def emit(region: str, figures: Figures, course: str = course) -> None:
                batch.append((self.id, course, region, *(getattr(figures, c) for c in _FIGURE_COLUMNS)))

            tally.by_region(rows, emit)
            self.db.executemany(insert, batch)
        self.db.execute("UPDATE snapshots SET notes = ?, requests = ? WHERE id = ?",
                        (json.dumps(self.notes, ensure_ascii=False), self.requests, self.id))


def _progress_row(snapshot_id: int, course: str, p: Progress) -> tuple:
    email = p.email.strip().lower()
    started = p.started or p.pretest is not None or p.posttest is not None or p.passed
    region = clean_region(p.region)
    return (snapshot_id, course, email or f"~{p.username}", email, p.username, p.name, p.position, region,
            (p.placed or "lms") if region else "", int(p.enrolled), int(p.registered or started), int(started),
            p.pretest, p.posttest, int(p.passed), p.percent, p.last_activity)
