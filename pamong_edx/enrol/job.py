"""One `pamong enrol` job from start to end: options, roster and rules in; plan, LMS calls and results out.

The command (commands.py) parses arguments and prints; everything it prints comes from the `JobResult`
this module returns, so tests can drive a whole job without a terminal.
"""

from __future__ import annotations

import dataclasses
import fcntl
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pamong_edx.enrol.executor import Executor, JobStopped, Settings, check_modes, check_reachable
from pamong_edx.enrol.journal import Journal
from pamong_edx.enrol.plan import Action, LmsView, Official, Plan, Rejected, build_plan
from pamong_edx.enrol.results import check_writable, failed_rows, write_results
from pamong_edx.enrol.rules import COHORT_LEVELS, DEFAULT_COHORT_NAME, Rules, check_regions, load_rules, \
    rules_from_options
from pamong_edx.errors import PamongError, UsageError
from pamong_edx.i18n import _
from pamong_edx.lms.protocol import LmsBackend
from pamong_edx.lms.traffic import Traffic
from pamong_edx.rates import Rate, RateError, parse_rate
from pamong_edx.regions.codes import normalise_code
from pamong_edx.regions.reference import Regions
from pamong_edx.roster.checks import row_text
from pamong_edx.roster.reader import read_roster


@dataclass
class EnrolOptions:
    """Everything that decides what a job does. Recorded in the journal (paths and options only) so that
    `pamong enrol` without a roster can resume an interrupted job exactly as it was started."""

    roster: Path
    rules_file: Path | None = None
    courses: tuple[str, ...] = ()
    cohort_by: str | None = None
    cohort_name: str = DEFAULT_COHORT_NAME
    mode: str | None = None
    auto_enroll: bool = True
    email_students: bool = False
    regions: str | None = None
    sheet: str | None = None
    columns: Path | None = None
    results: Path | None = None
    plan_file: Path | None = None
    reconcile: bool = False
    sync: bool = False
    scope: str | None = None
    retry_failed: bool = False
    batch_size: int | None = None  # None: what the LMS's backend declares (its pacing)
    workers: int = 4
    rate: str | None = None  # "120/minute", "off"; None: the LMS's default throttle

    def __post_init__(self) -> None:
        if self.rules_file is not None and (self.courses or self.cohort_by):
            raise UsageError("give either --rules FILE or --course/--cohort-by, not both")
        if self.rules_file is None and not self.courses:
            raise UsageError("say which courses: --course KEY (repeatable) or --rules FILE (see docs/enrol.md)")
        if self.cohort_by is not None and self.cohort_by not in (*COHORT_LEVELS, "none"):
            raise UsageError(f"--cohort-by {self.cohort_by}: use {', '.join(COHORT_LEVELS)} or none")
        if self.sync and not self.scope:
            raise UsageError("--sync needs --scope CODE (e.g. --scope 18.71): sync only unenrols within a region")
        if self.scope and not self.sync:
            raise UsageError("--scope limits --sync; add --sync, or leave --scope out")
        if self.scope:
            code = normalise_code(self.scope)
            if code is None:
                raise UsageError(f"--scope {self.scope}: not a region code; write e.g. 18, 18.71 or 18.71.01")
            self.scope = code
        if self.batch_size is not None and self.batch_size < 1:
            raise UsageError(_("--batch-size must be at least 1"))
        if not 1 <= self.workers <= 32:
            raise UsageError("--workers must be between 1 and 32")
        if self.rate:
            client_rate(self.rate)  # a mistyped --rate is reported before the roster is read

    @property
    def results_path(self) -> Path:
        return self.results or self.roster.with_name(f"{self.roster.stem}.enrol-results.csv")

    @property
    def plan_path(self) -> Path:
        return self.plan_file or self.roster.with_name(f"{self.roster.stem}.enrol-plan.csv")

    @property
    def inputs(self) -> list[Path]:
        """The files the job reads, which no output may replace."""
        regions = Path(self.regions) if self.regions else None
        return [p for p in (self.roster, self.rules_file, self.columns, regions) if p is not None]

    def rules(self) -> Rules:
        if self.rules_file is not None:
            return load_rules(self.rules_file)
        return rules_from_options(list(self.courses), self.cohort_by, cohort_name=self.cohort_name, mode=self.mode,
                                  auto_enroll=self.auto_enroll, email_students=self.email_students)

    def to_record(self) -> dict:
        record = dataclasses.asdict(self)
        for key, value in record.items():
            if isinstance(value, Path):
                record[key] = str(value.resolve())
            elif isinstance(value, tuple):
                record[key] = list(value)
        return record

    @classmethod
    def from_record(cls, record: dict) -> EnrolOptions:
        known = {f.name: f for f in dataclasses.fields(cls)}
        values = {}
        for key, value in record.items():
            if key not in known:
                continue
            if value is not None and key in ("roster", "rules_file", "columns", "results", "plan_file"):
                value = Path(value)
            elif key == "courses":
                value = tuple(value)
            values[key] = value
        return cls(**values)


@dataclass
class RosterCounts:
    rows: int = 0
    statuses: Counter = field(default_factory=Counter)


@dataclass
class JobResult:
    plan: Plan
    roster: RosterCounts
    run_id: int | None = None
    operations: Counter = field(default_factory=Counter)  # (kind, outcome) -> n
    statuses: Counter = field(default_factory=Counter)  # results file lines by status
    traffic: dict[str, float | int | None] = field(default_factory=dict)
    cohorts_created: int = 0
    accounts: Counter = field(default_factory=Counter)  # accounts "created"/"updated" (an LMS that makes them)
    failed_rows: int = 0
    elapsed: float = 0.0
    results_path: Path | None = None
    plan_path: Path | None = None
    stopped: str | None = None
    refused: dict[str, str] = field(default_factory=dict)  # course -> why the LMS rejected calls for it


# ---------------------------------------------------------------------------------------------------- steps

NO_LIMIT = {"off", "none", "0", "unlimited"}


def client_rate(text: str) -> Rate | None:
    """--rate: `120/minute`, `2/s`; `off` for no client-side limit."""
    if text.strip().lower() in NO_LIMIT:
        return None
    try:
        return parse_rate(text)
    except RateError:
        raise UsageError(_("--rate '{text}': write requests per period, e.g. 120/minute or 2/second, or 'off'")
                         .format(text=text)) from None


def batch_size(options: EnrolOptions, backend: LmsBackend) -> int:
    """--batch-size, or what the backend's pacing asks for; never more than it takes."""
    pacing = backend.pacing
    if options.batch_size is None:
        return pacing.batch_size
    if options.batch_size > pacing.max_batch_size:
        raise UsageError(_("--batch-size {n}: this LMS takes at most {most} identifiers per call")
                         .format(n=options.batch_size, most=pacing.max_batch_size))
    return options.batch_size


@contextmanager
def job_lock(state_dir: Path, profile: str) -> Iterator[None]:
    """One job per profile at a time: two would send the same operations twice and race on the journal."""
    path = state_dir / "enrol.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PamongError(
                f"another `pamong enrol` is running for profile '{profile}' ({path} is locked); wait for it to finish"
            ) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock, as the kernel does when a process dies


def officials(
    path: Path, regions: Regions, options: EnrolOptions, counts: RosterCounts
) -> Iterator[Official | Rejected]:
    """The checked roster as the plan needs it: usable rows as Officials, rejected rows with their reasons."""
    places = place_names(regions)
    with read_roster(path, regions, sheet=options.sheet, columns=options.columns) as reader:
        for checked in reader:
            counts.rows += 1
            counts.statuses[checked.status] += 1
            record = checked.record
            if checked.status == "error":
                yield Rejected(checked.row, record.email, row_text(checked.diagnostics))
            else:
                note = row_text(checked.warnings)
                yield Official(checked.row, record.email, record.jabatan, record.kode_desa, note, name=record.nama,
                               places=places(record.kode_desa), nik=record.nik)


def place_names(regions: Regions) -> Callable[[str], tuple[str, ...]]:
    """Village code -> the names of its provinsi, kabupaten/kota, kecamatan and desa (for account fields)."""
    names = regions.names
    cache: dict[str, tuple[str, ...]] = {}

    def places(code: str) -> tuple[str, ...]:
        found = cache.get(code)
        if found is None:
            parts = code.split(".")
            found = cache[code] = tuple(names.get(".".join(parts[:i]), "") for i in range(1, len(parts) + 1))
        return found

    return places


def cohort_namer(regions: Regions) -> Callable:
    names = regions.names
    cache: dict[tuple, str | None] = {}

    def name(rule, region: str) -> str | None:  # noqa: ANN001 - a CourseRule
        key = (rule.cohort, region)  # a roster has a few thousand villages: compute each once
        if key not in cache:
            code = rule.cohort.cohort_code(region)
            cache[key] = None if code is None else rule.cohort.render(code, names.get(code, code))
        return cache[key]

    return name


def make_plan(
    options: EnrolOptions, rules: Rules, regions: Regions, journal: Journal, lms: LmsView | None = None
) -> tuple[Plan, RosterCounts]:
    problems = check_regions(rules, lambda code: code in regions.names)
    if problems:
        raise UsageError("\n".join(problems))
    if options.scope and options.scope not in regions.names:
        raise UsageError(f"--scope {options.scope} is not in the region file; check the code")
    counts = RosterCounts()
    view = journal.view(rules.course_keys)
    plan = build_plan(
        officials(options.roster, regions, options, counts), rules, view.entries, cohort_namer(regions),
        sync_scope=options.scope if options.sync else None, retry_failed=options.retry_failed, lms=lms,
        accounts=view.accounts, prefetch=view.prefetch,
    )
    return plan, counts


def lms_view(backend: LmsBackend, rules: Rules) -> LmsView:
    """--reconcile: the emails actively enrolled in each course, as the LMS reports them."""
    if not backend.features.find_users:
        raise UsageError(_("--reconcile: this LMS backend cannot list enrolments and accounts"))
    view = LmsView()
    for course in rules.course_keys:
        usernames = [e.username for e in backend.list_enrolments(course) if e.is_active]
        emails: set[str] = set()
        for start in range(0, len(usernames), 100):
            for account in backend.find_users(usernames=usernames[start:start + 100]):
                if account.email:
                    emails.add(account.email.lower())
        view.enrolled[course] = emails
    return view


def execute(
    options: EnrolOptions,
    plan: Plan,
    backend: LmsBackend,
    journal: Journal,
    *,
    roster: RosterCounts | None = None,
    progress: Callable[[int, Traffic], None] | None = None,
) -> JobResult:
    """Send the plan's operations, record every outcome, write the results file."""
    check_modes(backend, plan)
    check_writable(options.results_path, "--results")
    started = time.monotonic()
    traffic = backend.traffic
    traffic.pace(client_rate(options.rate) if options.rate else backend.pacing.rate)
    settings = Settings(batch_size=batch_size(options, backend), workers=options.workers)
    if plan.operations():
        check_reachable(backend)
    run_id = journal.start_run(options.to_record())
    executor = Executor(backend, journal, run_id, settings,
                        progress=(lambda n: progress(n, traffic)) if progress else None)
    result = JobResult(plan=plan, roster=roster or RosterCounts(), run_id=run_id)
    status = "failed"
    try:
        try:
            executor.run(plan)
            status = "done"
        except JobStopped as exc:
            result.stopped = str(exc)
        except KeyboardInterrupt:
            status = "aborted"
            raise
    finally:
        result.operations = executor.report.operations
        result.cohorts_created = executor.report.cohorts_created
        result.accounts = executor.report.accounts
        result.refused = executor.report.refused
        result.traffic = traffic.snapshot()
        result.results_path = options.results_path
        result.failed_rows = failed_rows(plan.items)
        try:
            result.statuses = write_results(plan.items, options.results_path)
        finally:  # the run is closed in the journal even when the results file cannot be written
            result.elapsed = time.monotonic() - started
            journal.finish_run(run_id, status, summary(result))
    return result


def summary(result: JobResult) -> dict:
    """The machine-readable summary (--json, and the journal's record of the run)."""
    operations: dict[str, dict[str, int]] = {}
    for (kind, outcome), n in sorted(result.operations.items()):
        operations.setdefault(kind, {})[outcome] = n
    counts = result.plan.counts()
    return {
        "run": result.run_id,
        "rows": result.roster.rows or result.plan.rows,
        "rows_with_errors": counts["rows with errors"],
        "plan": {k: v for k, v in sorted(counts.items()) if k != "rows with errors"},
        "operations": operations,
        "results": dict(sorted(result.statuses.items())),
        "failed_rows": result.failed_rows,
        "cohorts_created": result.cohorts_created,
        "accounts": dict(sorted(result.accounts.items())),
        "http_requests": result.traffic.get("http_requests", 0),
        "writes": result.traffic.get("writes", 0),
        "throttled": result.traffic.get("throttle_answers", 0),
        "throttled_requests": result.traffic.get("throttled_requests", 0),
        "throttled_rate_per_s": result.traffic.get("throttled_rate"),
        "client_rate_limit_per_s": result.traffic.get("allowed_rate"),
        "elapsed_s": round(result.elapsed, 2),
        "stopped": result.stopped,
    }


def unchanged_only(plan: Plan) -> bool:
    return not any(i.action.is_operation for i in plan.items)


def sync_count(plan: Plan) -> int:
    return len(plan.operations(Action.UNENROL))
