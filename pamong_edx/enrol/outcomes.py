"""The words an enrolment row ends with, in one place: the results file's `status` column, the summary line, the
journal's states and the executor's outcomes all use these.

Where the LMS protocol already names an outcome (lms/protocol.py `EnrolOutcome`), the word is the protocol's;
the rest say what the engine did with the row.
"""

from __future__ import annotations

import enum

from pamong_edx.lms.protocol import EnrolOutcome


class Status(enum.StrEnum):
    """In the order the summary line lists them."""

    ENROLLED = EnrolOutcome.ENROLLED.value
    PRE_ENROLLED = EnrolOutcome.PRE_ENROLLED.value  # no account yet: enrolled when they register
    ALREADY_ENROLLED = EnrolOutcome.ALREADY_ENROLLED.value
    COHORT_CHANGED = "cohort-changed"  # enrolled already; moved to the cohort of their new region
    UNENROLLED = EnrolOutcome.UNENROLLED.value
    NOT_ENROLLED = EnrolOutcome.NOT_ENROLLED.value  # unenrolled, but was not enrolled
    UNCHANGED = "unchanged"  # an earlier run did it
    SKIPPED = "skipped"  # a duplicate row, or no rule gives a course
    FAILED = "failed"  # the LMS refused it, or it could not be sent
    ERROR = "error"  # the roster check rejected the row
    NOT_SENT = "not-sent"  # the run stopped before it was sent


# statuses that mean the row is not where it should be on the LMS
FAILED_STATUSES = frozenset({Status.FAILED, Status.ERROR, Status.NOT_SENT})
