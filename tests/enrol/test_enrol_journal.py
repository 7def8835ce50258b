import sqlite3

import pytest

from pamong_edx.enrol.journal import ENROLLED, PRE_ENROLLED, Journal, JournalError, Outcome, Sending

COURSE = "course-v1:A+B+C"


def sending(email, kind="enrol", cohort="18.71 Kota Bandar Lampung", row=2):
    return Sending(email, COURSE, kind, cohort, "18.71.01.1003", row)


def test_a_batch_is_pending_from_before_it_is_sent_until_its_outcome(tmp_path):
    with Journal.in_dir(tmp_path) as journal:
        run = journal.start_run({"roster": "/r.csv"})
        batch = journal.begin_batch(run, "enrol", COURSE, "18.71 Kota Bandar Lampung",
                                    [sending("a@x.id"), sending("b@x.id", row=3)])
        entry = journal.entry("a@x.id", COURSE)
        assert (entry.state, entry.pending, entry.target, entry.owned) == ("none", "enrol", "18.71 Kota Bandar Lampung",
                                                                           False)
        journal.settle(batch, [
            Outcome("a@x.id", COURSE, "enrol", "enrolled", ENROLLED, cohort="18.71 Kota Bandar Lampung", owned=True),
            Outcome("b@x.id", COURSE, "enrol", "failed", None, failure="invalid email", permanent=True),
        ], attempts=1)
        a, b = journal.entry("a@x.id", COURSE), journal.entry("b@x.id", COURSE)
        assert (a.state, a.cohort, a.pending, a.owned, a.failure) == (ENROLLED, "18.71 Kota Bandar Lampung", None,
                                                                     True, None)
        assert (b.state, b.pending, b.failure, b.permanent, b.target) == ("none", None, "invalid email", True,
                                                                         "18.71 Kota Bandar Lampung")
        assert journal.counts() == {"enrolled": 1, "none": 1, "pending": 0, "batches_done": 1}


def test_what_was_marked_survives_a_process_that_never_recorded_the_outcome(tmp_path):
    journal = Journal.in_dir(tmp_path)
    run = journal.start_run({})
    journal.begin_batch(run, "enrol", COURSE, None, [sending("a@x.id")])
    del journal  # no close, no settle: as after kill -9
    with Journal.in_dir(tmp_path) as again:
        assert again.entry("a@x.id", COURSE).pending == "enrol"
        assert again.pending_count() == 1
        assert again.unfinished_run().id == run


def test_a_later_success_keeps_ownership_and_clears_the_failure(tmp_path):
    with Journal.in_dir(tmp_path) as journal:
        run = journal.start_run({})
        batch = journal.begin_batch(run, "enrol", COURSE, None, [sending("a@x.id")])
        journal.settle(batch, [Outcome("a@x.id", COURSE, "enrol", "pre-enrolled", PRE_ENROLLED, owned=True)],
                       attempts=1)
        batch = journal.begin_batch(run, "cohort", COURSE, "X", [sending("a@x.id", kind="cohort", cohort="X")])
        journal.settle(batch, [Outcome("a@x.id", COURSE, "cohort", "failed", None, failure="timeout")], attempts=4)
        entry = journal.entry("a@x.id", COURSE)
        assert (entry.state, entry.cohort, entry.failure, entry.target) == (PRE_ENROLLED, None, "timeout", "X")
        batch = journal.begin_batch(run, "cohort", COURSE, "X", [sending("a@x.id", kind="cohort", cohort="X")])
        journal.settle(batch, [Outcome("a@x.id", COURSE, "cohort", "cohort-changed", PRE_ENROLLED, cohort="X")],
                       attempts=1)
        entry = journal.entry("a@x.id", COURSE)
        assert (entry.state, entry.cohort, entry.failure, entry.owned) == (PRE_ENROLLED, "X", None, True)
        assert journal.accounts() == {"a@x.id": False}


def test_the_journal_is_sqlite_in_wal_mode_readable_only_by_its_owner(tmp_path):
    with Journal.in_dir(tmp_path) as journal:
        run = journal.start_run({"roster": "/r.csv", "courses": [COURSE]})
        batch = journal.begin_batch(run, "enrol", COURSE, None, [sending("a@x.id")])
        journal.settle(batch, [Outcome("a@x.id", COURSE, "enrol", "enrolled", ENROLLED, owned=True)], attempts=1)
        journal.finish_run(run, "done", {"rows": 1})
        path = journal.path
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert (path.stat().st_mode & 0o777) == 0o600


def test_a_damaged_journal_is_a_clear_error(tmp_path):
    (tmp_path / "enrol-journal.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(JournalError, match="cannot be opened.*move it aside"):
        Journal.in_dir(tmp_path)


def test_a_journal_from_a_newer_version_is_refused(tmp_path):
    Journal.in_dir(tmp_path).close()
    db = sqlite3.connect(tmp_path / "enrol-journal.sqlite3")
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    db.commit()
    db.close()
    with pytest.raises(JournalError, match="newer pamong-edx"):
        Journal.in_dir(tmp_path)
