"""Sending the plan: cohorts first (listed once per course, the missing ones created once), then batches.

What the engine sends follows the backend's declared `features` and `pacing` (lms/protocol.py), never its
method signatures. Enrolments are grouped by (course, cohort) so one bulk call both enrols and assigns the
cohort of up to `batch_size` people; a backend with `mixed_cohorts` takes people of many cohorts in one call,
each with theirs. Batches run on a small thread pool; the journal is touched only from the calling thread: a
batch is marked as sent (and committed) before a worker takes it, and its outcomes are recorded when the worker
hands them back. Each identifier's outcome is read from the LMS's answer.

Single requests are retried by the transport (lms/retry.py). The executor decides only about a whole batch,
where the journal needs it: a batch the LMS failed on after the transport gave up (an answer lost, which may or
may not have been applied; everything the engine sends is safe to repeat), was throttled for longer than the
transport waits, or failed for some identifiers alone, is tried again with the same policy's backoff; an answer
that will not change (an invalid email, a rejected batch) is recorded at once; a failure that concerns the
whole job (credentials, permissions, a missing course) stops it.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import groupby

from pamong_edx.enrol.journal import ENROLLED, PRE_ENROLLED, UNENROLLED, Journal, Outcome, Sending
from pamong_edx.enrol.outcomes import Status
from pamong_edx.enrol.plan import Action, Item, Plan
from pamong_edx.errors import PamongError, UsageError
from pamong_edx.i18n import _
from pamong_edx.lms.errors import InvalidInput, LmsError, ServerError, Throttled
from pamong_edx.lms.protocol import Cohort, EnrolOutcome, EnrolResult, LmsBackend, Person
from pamong_edx.lms.retry import RetryPolicy


@dataclass(frozen=True)
class Settings:
    batch_size: int = 100  # identifiers per call
    workers: int = 4  # calls in flight at once
    # Tries of one batch (or one cohort creation), with the one backoff formula of lms/retry.py.
    retry: RetryPolicy = RetryPolicy(attempts=4, base_delay=1.0, max_delay=30.0)

    @property
    def attempts(self) -> int:
        return self.retry.attempts


@dataclass
class Batch:
    kind: Action
    course: str
    cohort: str | None  # None for a batch of mixed cohorts: each item has its own
    items: list[Item]
    cohort_id: int | None = None
    journal_id: int = 0

    @property
    def group(self) -> tuple:
        return (self.kind, self.course, self.cohort)


@dataclass
class Answer:
    """What a worker brings back for one batch."""

    outcomes: list[tuple[Item, Outcome]]
    attempts: int
    message: str | None = None
    fatal: LmsError | None = None
    refused: bool = False  # the LMS rejected the call as a whole (not one identifier)


class JobStopped(PamongError):
    """The LMS refused the job as a whole (credentials, permissions, a missing course); nothing more is sent."""


@dataclass
class Report:
    operations: Counter = field(default_factory=Counter)  # (kind, outcome) -> count
    batches: int = 0
    cohorts_created: int = 0
    stopped: str | None = None  # why the run stopped early
    accounts: Counter = field(default_factory=Counter)  # "created"/"updated" -> n (an LMS that makes accounts)
    refused: dict[str, str] = field(default_factory=dict)  # course -> why the LMS rejected a call for it as a whole


ProgressFn = Callable[[int], None]


def check_modes(backend: LmsBackend, plan: Plan) -> None:
    """Refuse, before anything is sent, rules that ask for a mode the backend cannot set in bulk."""
    modes = {i.rule.mode for i in plan.operations() if i.rule is not None and i.rule.mode}
    if modes and not backend.features.enrol_mode:
        raise UsageError(_(
            "the rules ask for enrolment mode {modes}, but this LMS backend enrols in bulk in the course's default "
            "mode; remove 'mode:' from the rules (or --mode)").format(modes=", ".join(sorted(modes))))


def check_reachable(backend: LmsBackend) -> None:
    """One cheap call before the job starts, so an LMS that cannot be reached or refuses the credentials is one
    clear error at once, not every row failed after minutes of retries."""
    try:
        backend.whoami()
    except LmsError as exc:
        raise PamongError(f"{exc}; nothing was sent") from None


class Executor:
    def __init__(
        self,
        backend: LmsBackend,
        journal: Journal,
        run_id: int,
        settings: Settings = Settings(),
        *,
        progress: ProgressFn | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.backend = backend
        self.journal = journal
        self.run_id = run_id
        self.settings = settings
        self.progress = progress or (lambda n: None)
        self.sleep = sleep
        self.rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self.report = Report()
        self.features = backend.features
        self._stopping = threading.Event()
        self._accounts_lock = threading.Lock()

    # ------------------------------------------------------------------ the job

    def run(self, plan: Plan) -> Report:
        operations = plan.operations()
        if not operations:
            return self.report
        with self._gentle_interrupt(), ThreadPoolExecutor(self.settings.workers, thread_name_prefix="enrol") as pool:
            cohort_ids = self._prepare_cohorts(plan, pool)
            if self._stopping.is_set():
                raise KeyboardInterrupt
            self._send_all(self._batches(operations, cohort_ids), pool)
        return self.report

    @contextmanager
    def _gentle_interrupt(self) -> Iterator[None]:
        """The first Ctrl-C stops sending and lets the calls in flight finish and be recorded; a second one
        leaves at once (what was in flight is then sent again by the next run)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def on_interrupt(signum: int, frame: object) -> None:
            if self._stopping.is_set():
                raise KeyboardInterrupt
            self._stopping.set()
            os.write(2, b"\nstopping: waiting for the calls in flight (Ctrl-C again to leave now)\n")

        previous = signal.signal(signal.SIGINT, on_interrupt)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    # ------------------------------------------------------------------ cohorts

    def _prepare_cohorts(self, plan: Plan, pool: ThreadPoolExecutor) -> dict[tuple[str, str], int]:
        ids: dict[tuple[str, str], int] = {}
        for course, names in sorted(plan.cohorts_needed().items()):
            try:
                on_lms = {c.name: c.id for c in self.backend.list_cohorts(course)}
            except LmsError as exc:
                raise JobStopped(f"cannot list the cohorts of {course}: {exc}") from None
            missing = sorted(names - on_lms.keys())
            if missing and not on_lms:
                self._whole_job(lambda: self.backend.set_cohorted(course, True),
                                _("turning on cohorts in {course}").format(course=course))
            if self.features.batch_cohorts:  # as many per request as the LMS takes
                groups = [missing] if missing else []
            else:  # one request each, several in flight
                groups = [[name] for name in missing]
            futures = [(group, pool.submit(self._create_cohorts, course, group)) for group in groups]
            for group, future in futures:
                made = self._whole_job(future.result, _("creating cohort '{name}' in {course}").format(name=group[0],
                                                                                                    course=course))
                for name in group:
                    on_lms[name] = made[name].id
                    self.journal.record_cohort(course, name, made[name].id, self.run_id)
                    self.report.cohorts_created += 1
            for name in names:
                ids[(course, name)] = on_lms[name]
        return ids

    def _create_cohorts(self, course: str, names: list[str]) -> dict[str, Cohort]:
        """Create cohorts just listed as missing. After a failure, list again before creating what is still
        missing: the failed request may have made some."""
        made: dict[str, Cohort] = {}
        for attempt in range(1, self.settings.attempts + 1):
            todo = [n for n in names if n not in made]
            try:
                if self.features.create_cohort:
                    made.update(zip(todo, self.backend.create_cohorts(course, todo)))
                else:  # ensure_cohort lists before it creates
                    made.update((n, self.backend.ensure_cohort(course, n)) for n in todo)
                return made
            except (ServerError, Throttled) as exc:
                wait = exc.wait if isinstance(exc, Throttled) else 0.0
                if attempt == self.settings.attempts or wait > self.settings.retry.max_wait:
                    raise
                self.sleep(max(self._backoff(attempt), wait))
            listed = {c.name: c for c in self.backend.list_cohorts(course)}
            made.update((n, listed[n]) for n in todo if n in listed)
        return made

    @staticmethod
    def _whole_job(call: Callable, what: str):  # noqa: ANN205
        try:
            return call()
        except LmsError as exc:
            raise JobStopped(f"{what}: {exc}") from None

    # ------------------------------------------------------------------ batches

    def _batches(self, operations: list[Item], cohort_ids: dict[tuple[str, str], int]) -> list[Batch]:
        mixed = self.features.mixed_cohorts

        def key(item: Item) -> tuple:
            rule = item.rule
            flags = (rule.auto_enroll, rule.email_students, rule.mode or "") if rule else (False, False, "")
            cohort = "" if mixed and item.action is Action.ENROL else item.cohort or ""
            return (item.action.value, item.course, cohort, flags)

        size = self.settings.batch_size
        batches = []
        for (kind, course, cohort, _), group in groupby(sorted(operations, key=lambda i: (key(i), i.cohort or "")),
                                                        key=key):
            members = list(group)
            for start in range(0, len(members), size):
                chunk = members[start:start + size]
                cohort_id = cohort_ids.get((course, cohort)) if cohort else None
                batches.append(Batch(Action(kind), course, cohort or None, chunk, cohort_id))
        return batches

    def _send_all(self, batches: list[Batch], pool: ThreadPoolExecutor) -> None:
        queue = list(reversed(batches))
        in_flight: dict[Future, Batch] = {}
        fatal: LmsError | None = None
        # A call the LMS rejects as a whole fails for its course and cohort, not its people: the same call
        # for other people of that group would be rejected too, so it is not sent.
        refused: dict[tuple, str] = {}
        while queue or in_flight:
            while queue and fatal is None and not self._stopping.is_set() and len(in_flight) < self.settings.workers:
                batch = queue.pop()
                if batch.group in refused:
                    self._not_sent(batch, f"not sent: the LMS rejected this call for others ({refused[batch.group]})")
                    continue
                batch.journal_id = self.journal.begin_batch(
                    self.run_id, batch.kind.value, batch.course, batch.cohort,
                    [Sending(i.email, i.course, batch.kind.value, i.cohort, i.region, i.row) for i in batch.items],
                )
                in_flight[pool.submit(self._send, batch)] = batch
            if not in_flight:
                break
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in finished:
                batch = in_flight.pop(future)
                answer = future.result()
                self._record(batch, answer)
                if answer.refused:
                    refused.setdefault(batch.group, answer.message or "")
                    self.report.refused.setdefault(batch.course, answer.message or "")
                if answer.fatal is not None and fatal is None:
                    fatal = answer.fatal
        if self._stopping.is_set():
            raise KeyboardInterrupt
        if fatal is not None:
            self.report.stopped = str(fatal)
            raise JobStopped(f"the LMS refused the job, so it stopped: {fatal}")

    def _not_sent(self, batch: Batch, message: str) -> None:
        """Fail a batch in the results without sending it; the journal is untouched, so the next run plans it."""
        for item in batch.items:
            item.outcome = Status.FAILED
            item.message = _join(item.message, message)
            self.report.operations[(batch.kind.value, Status.FAILED.value)] += 1
        self.progress(len(batch.items))

    def _record(self, batch: Batch, answer: Answer) -> None:
        self.journal.settle(batch.journal_id, [o for _, o in answer.outcomes], attempts=answer.attempts,
                            message=answer.message)
        for item, outcome in answer.outcomes:
            item.outcome = Status.FAILED if outcome.failure else Status(outcome.outcome)
            if outcome.failure:
                item.message = _join(item.message, outcome.failure)
            self.report.operations[(batch.kind.value, item.outcome.value)] += 1
        self.report.batches += 1
        self.progress(len(answer.outcomes))

    # ------------------------------------------------------------------ one batch (in a worker thread)

    def _send(self, batch: Batch) -> Answer:
        todo = list(batch.items)
        done: list[tuple[Item, Outcome]] = []
        message: str | None = None
        attempt = 0
        while todo and attempt < self.settings.attempts:
            attempt += 1
            try:
                answers = self._call(batch, todo)
            except Throttled as exc:
                if exc.wait > self.settings.retry.max_wait:  # hours, say: the job stops, and resumes later
                    done.extend((i, _failure(i, batch, str(exc), permanent=False)) for i in todo)
                    return Answer(done, attempt, str(exc), fatal=exc)
                message = str(exc)
                self.sleep(max(exc.wait, self._backoff(attempt)))
                continue
            except ServerError as exc:  # 5xx, timeouts, resets: every operation here may be repeated
                message = str(exc)
                self.sleep(self._backoff(attempt))
                continue
            except InvalidInput as exc:  # the LMS rejected the call as a whole; repeating it would not help
                done.extend((i, _failure(i, batch, str(exc), permanent=False)) for i in todo)
                return Answer(done, attempt, str(exc), refused=True)
            except LmsError as exc:  # credentials, permissions, a missing course or route: stop the job
                done.extend((i, _failure(i, batch, str(exc), permanent=False)) for i in todo)
                return Answer(done, attempt, str(exc), fatal=exc)
            retry = []
            for item, outcome in zip(todo, answers):
                if outcome is None:
                    retry.append(item)
                else:
                    done.append((item, outcome))
            if retry:
                message = f"the LMS reported an error for {len(retry)} of {len(todo)} identifiers"
                todo = retry
                self.sleep(self._backoff(attempt))
            else:
                todo = []
        reason = f"gave up after {attempt} tries: {message}" if message else "not sent"
        done.extend((i, _failure(i, batch, reason, permanent=False)) for i in todo)
        return Answer(done, attempt, message)

    def _call(self, batch: Batch, items: list[Item]) -> list[Outcome | None]:
        """One call to the LMS for these items; None for an item whose outcome is worth asking again."""
        emails = [i.email for i in items]
        if batch.kind is Action.ENROL:
            rule = items[0].rule
            kwargs = {"cohort": batch.cohort, "auto_enroll": rule.auto_enroll, "email_learners": rule.email_students}
            if rule.mode and self.features.enrol_mode:
                kwargs["mode"] = rule.mode
            if self.features.creates_accounts:
                kwargs["people"] = [_person(i) for i in items]
            if self.features.mixed_cohorts:
                kwargs["cohorts"] = {i.email: i.cohort for i in items if i.cohort}
            results = self.backend.bulk_enrol(batch.course, emails, **kwargs)
            ordered = _in_order(emails, results)
            self._count_accounts(ordered)
            for item, result in zip(items, ordered):
                if result is not None and result.ok and result.message and result.message not in item.message:
                    item.message = _join(item.message, result.message)  # a note, e.g. a region Moodle kept
            return [_enrolled(i, batch, r) for i, r in zip(items, ordered)]
        if batch.kind is Action.COHORT:
            extra: dict = {}
            if self.features.creates_accounts:
                extra["people"] = [_person(i) for i in items]
            if self.features.cohort_moves:
                extra["previous"] = {i.email: i.previous_cohort for i in items}
            change = self.backend.add_to_cohort(batch.course, batch.cohort_id, emails, **extra)
            invalid = {x.lower() for x in change.invalid}
            unknown = {x.lower() for x in change.unknown}
            reasons = {k.lower(): v for k, v in change.messages.items()}
            out: list[Outcome | None] = []
            for item in items:
                if item.email in invalid:
                    reason = reasons.get(item.email, "the LMS says this is not a valid email")
                    out.append(_failure(item, batch, reason, permanent=True))
                elif item.email in unknown:
                    reason = reasons.get(item.email, "the LMS knows no such user")
                    out.append(_failure(item, batch, reason, permanent=True))
                else:
                    out.append(Outcome(item.email, item.course, "cohort", Status.COHORT_CHANGED, item.state or ENROLLED,
                                       cohort=batch.cohort))
            return out
        results = self.backend.bulk_unenrol(batch.course, emails)
        return [_unenrolled(i, batch, r) for i, r in zip(items, _in_order(emails, results))]

    def _count_accounts(self, results: list[EnrolResult | None]) -> None:
        with self._accounts_lock:
            for result in results:
                if result is not None and result.account:
                    self.report.accounts[result.account] += 1

    def _backoff(self, attempt: int) -> float:
        with self._rng_lock:
            return self.settings.retry.backoff(attempt, self.rng)


def _in_order(identifiers: list[str], results: list[EnrolResult]) -> list[EnrolResult | None]:
    """The result for each identifier sent, matched by identifier (a result the LMS left out is None)."""
    by_identifier: dict[str, list[EnrolResult]] = {}
    for result in results:
        by_identifier.setdefault(result.identifier.lower(), []).append(result)
    out: list[EnrolResult | None] = []
    for identifier in identifiers:
        found = by_identifier.get(identifier.lower())
        out.append(found.pop(0) if found else None)
    return out


def _person(item: Item) -> Person:
    official = item.official
    if official is None:
        return Person(item.email, "", "", item.region)
    return Person(official.email, official.name, official.position, official.region, official.places,
                  nik=official.nik)


def _failure(item: Item, batch: Batch, message: str, *, permanent: bool) -> Outcome:
    return Outcome(item.email, item.course, batch.kind.value, Status.FAILED, None, failure=message,
                   permanent=permanent)


def _enrolled(item: Item, batch: Batch, result: EnrolResult | None) -> Outcome | None:
    if result is None or result.outcome is EnrolOutcome.ERROR:
        return None
    if result.outcome is EnrolOutcome.INVALID:
        return _failure(item, batch, result.message or "the LMS rejects this identifier: not a valid email or an "
                        "existing username", permanent=True)
    if result.outcome is EnrolOutcome.PRE_ENROLLED:
        state, word, owned = PRE_ENROLLED, Status.PRE_ENROLLED, True
    elif result.outcome is EnrolOutcome.ENROLLED:
        state, word, owned = ENROLLED, Status.ENROLLED, True
    elif result.outcome is EnrolOutcome.ALREADY_ENROLLED:
        # Already there: ours if an earlier run sent it (the answer to that send was lost), else someone else's.
        state, word, owned = ENROLLED, Status.ALREADY_ENROLLED, item.resend or item.owned
    else:
        return None
    cohort = item.cohort
    if cohort and result.cohort is not None and result.cohort != cohort:
        return Outcome(item.email, item.course, "enrol", word, state, cohort=result.cohort, owned=owned,
                       failure=_("the LMS put them in cohort '{given}', not '{asked}'").format(given=result.cohort,
                                                                                           asked=cohort))
    return Outcome(item.email, item.course, "enrol", word, state, cohort=cohort, owned=owned)


def _unenrolled(item: Item, batch: Batch, result: EnrolResult | None) -> Outcome | None:
    if result is None or result.outcome is EnrolOutcome.ERROR:
        return None
    if result.outcome is EnrolOutcome.INVALID:
        return _failure(item, batch, "the LMS rejects this identifier", permanent=True)
    word = Status.UNENROLLED if result.outcome is EnrolOutcome.UNENROLLED else Status.NOT_ENROLLED
    return Outcome(item.email, item.course, "unenrol", word, UNENROLLED, cohort=None)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
