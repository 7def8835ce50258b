"""`pamong enrol ROSTER`: enrol the officials of a checked roster into LMS courses and region cohorts."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click
from click.core import ParameterSource

from pamong_edx.enrol.job import EnrolOptions, JobResult, RosterCounts, execute, job_lock, lms_view, make_plan, \
    summary, sync_count
from pamong_edx.enrol.journal import Journal
from pamong_edx.enrol.plan import Action, Plan
from pamong_edx.enrol.results import check_writable, summary_line, write_table
from pamong_edx.enrol.rules import COHORT_LEVELS, DEFAULT_COHORT_NAME, RulesError
from pamong_edx.errors import DiagnosticsFailed, PamongError, UsageError
from pamong_edx.i18n import N_, _, ngettext
from pamong_edx.lms.connect import backend_for
from pamong_edx.lms.profiles import ENV_PROFILE, chosen_profile, state_dir
from pamong_edx.lms.traffic import Traffic
from pamong_edx.outputs import refuse_overwriting_inputs
from pamong_edx.regions.commands import regions_option
from pamong_edx.regions.locate import open_regions

# options that define a job; without ROSTER the interrupted job's own values are used, so these may not be given
JOB_OPTIONS = ("rules_file", "courses", "cohort_by", "cohort_name", "mode", "auto_enroll", "email_students",
               "regions_path", "sheet", "columns", "results", "plan_file", "reconcile", "sync", "scope",
               "retry_failed", "batch_size", "workers", "rate")

# a run's status and the accounts an LMS made, as the journal and JSON keep them -> as people read them
RUN_STATUS = {"running": N_("running"), "done": N_("done"), "failed": N_("failed"), "aborted": N_("aborted")}
ACCOUNTS = {"created": N_("created"), "updated": N_("updated")}


def account_label(what: str) -> str:
    return _(ACCOUNTS[what]) if what in ACCOUNTS else what


@click.command(help=N_(
    "Enrol the officials of ROSTER into LMS courses, with a cohort per region.\n\n"
    "Courses come from --course KEY (everyone) or --rules FILE (by position and region). The job is resumable and "
    "idempotent: every operation is journaled per profile, a second run of the same roster sends nothing, and "
    "`pamong enrol` without ROSTER resumes an interrupted job. Exit 1 if any row failed."))
@click.argument("roster_path", metavar="[ROSTER]", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--rules", "rules_file", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("Enrolment rules (YAML): courses by position and region, cohorts, options. See docs/enrol.md."))
@click.option("--course", "courses", multiple=True, metavar="KEY",
              help=N_("Enrol every official into this course (repeatable); the no-rules-file way."))
@click.option("--cohort-by", type=click.Choice([*COHORT_LEVELS, "none"]),
              help=N_("With --course: one cohort per region of this level."))
@click.option("--cohort-name", default=DEFAULT_COHORT_NAME, show_default=True,
              help=N_("With --course: cohort name template ({kode}, {nama})."))
@click.option("--mode", help=N_("With --course: enrolment mode (default: the LMS's default)."))
@click.option("--auto-enroll/--no-auto-enroll", default=True, show_default=True,
              help=N_("With --course: emails without an account are enrolled when they register."))
@click.option("--email-students", is_flag=True, help=N_("With --course: the LMS emails each official."))
@click.option("-p", "--profile", "profile_name", metavar="NAME", help=N_("LMS profile in pamong.toml (see docs/lms.md)."))
@click.option("--insecure", is_flag=True, help=N_("Allow plain http:// to a host that is not this machine."))
@regions_option
@click.option("--sheet", help=N_("Sheet of an XLSX roster (default: the first visible sheet)."))
@click.option("--columns", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("TOML file mapping other header names to roster fields (see docs/roster.md)."))
@click.option("--dry-run", is_flag=True, help=N_("Plan only: print the summary and write the plan CSV; change nothing."))
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("Where --dry-run writes the plan (default: ROSTER's name + .enrol-plan.csv)."))
@click.option("-o", "--results", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("Results file (default: ROSTER's name + .enrol-results.csv, beside it)."))
@click.option("--reconcile", is_flag=True, help=N_("Also compare with the enrolments the LMS reports."))
@click.option("--sync", is_flag=True, help=N_("Also unenrol officials enrolled by earlier runs within --scope who are "
              "no longer on the roster."))
@click.option("--scope", metavar="CODE", help=N_("With --sync: the region (e.g. 18.71) the roster covers."))
@click.option("-y", "--yes", is_flag=True, help=N_("With --sync: do not ask for confirmation."))
@click.option("--retry-failed", is_flag=True, help=N_("Send again what the LMS refused in earlier runs."))
@click.option("--batch-size", type=int, help=N_("Identifiers per LMS call (default: what the LMS's backend asks for; "
              "Open edX: the profile's bulk_batch_size, 100)."))
@click.option("--workers", type=int, default=4, show_default=True, help=N_("LMS calls in flight at once."))
@click.option("--rate", metavar="N/PERIOD",
              help=N_("Client-side request rate, e.g. 120/minute, or 'off' (default: the LMS's throttle; Open edX "
                   "staff: 120/minute)."))
@click.option("--json", "as_json", is_flag=True, help=N_("Print the summary as JSON (for scripts)."))
@click.option("--progress/--no-progress", default=None, help=N_("Progress bar (default: when stderr is a terminal)."))
@click.pass_context
def enrol(ctx: click.Context, roster_path: Path | None, profile_name: str | None, insecure: bool, yes: bool,
          as_json: bool, progress: bool | None, regions_path: str | None, dry_run: bool, **job: object) -> None:
    name = chosen_profile(profile_name)
    journal = Journal.in_dir(state_dir(name))
    with journal:
        if roster_path is None:
            given = [p for p in JOB_OPTIONS if ctx.get_parameter_source(p) is ParameterSource.COMMANDLINE]
            options = _resume(journal, name, given, as_json)
        else:
            options = EnrolOptions(roster=roster_path, regions=regions_path, **job)
        try:
            rules = options.rules()
        except RulesError as exc:
            for diagnostic in exc.diagnostics:
                click.echo(str(diagnostic), err=True)
            raise DiagnosticsFailed(str(exc)) from None
        if not options.roster.is_file():
            raise UsageError(_("roster {roster} does not exist").format(roster=options.roster))
        refuse_overwriting_inputs([options.plan_path if dry_run else options.results_path], options.inputs)
        if dry_run:
            check_writable(options.plan_path, "--plan")
        else:
            check_writable(options.results_path, "--results")
        regions = open_regions(options.regions)
        needs_lms = not dry_run or options.reconcile
        backend = backend_for(name, insecure=insecure)[1] if needs_lms else None
        try:
            with job_lock(journal.path.parent, name) if not dry_run else _nothing():
                view = lms_view(backend, rules) if options.reconcile else None
                plan, counts = make_plan(options, rules, regions, journal, view)
                if not as_json:
                    _print_plan(options, plan, counts)
                if dry_run:
                    write_table(options.plan_path, *plan.table(), "plan")
                    if as_json:
                        click.echo(json.dumps({**_plan_json(plan, counts), "plan_file": str(options.plan_path)},
                                              ensure_ascii=False, indent=2))
                    else:
                        click.echo(_("plan: {path} (nothing was sent to the LMS)").format(path=options.plan_path))
                    return
                _confirm_sync(plan, options, yes)
                show = progress if progress is not None else sys.stderr.isatty()
                bar = _Progress(len(plan.operations())) if show and plan.operations() else None
                try:
                    result = execute(options, plan, backend, journal, roster=counts,
                                     progress=bar.update if bar else None)
                except KeyboardInterrupt:
                    click.echo("\n" + _("interrupted: what was sent is journaled; run `{command}` to resume").format(
                        command="pamong enrol" + _profile_flag(name)), err=True)
                    raise
                finally:
                    if bar:
                        bar.close()
        finally:
            if backend is not None:
                backend.close()
        _print_result(result, as_json, name, str(options.rules_file or "--course"))



def _profile_flag(name: str) -> str:
    return "" if name == ENV_PROFILE or os.environ.get("PAMONG_PROFILE") == name else f" --profile {name}"


def _resume(journal: Journal, name: str, given: list[str], as_json: bool) -> EnrolOptions:
    run = journal.unfinished_run()
    if run is None:
        last = journal.last_run()
        what = (_("the last run ({run}, {started}) finished").format(run=last.id, started=last.started) if last
                else _("no run was started yet"))
        raise UsageError(_("nothing to resume for profile '{name}': {what}; give a ROSTER to enrol").format(
            name=name, what=what))
    if given:
        flags = ", ".join("--" + g.replace("_file", "").replace("_path", "").replace("_", "-") for g in given)
        raise UsageError(_("without ROSTER, pamong enrol resumes run {run} with its own options; drop {flags} "
                           "or give a ROSTER to start a new job").format(run=run.id, flags=flags))
    options = EnrolOptions.from_record(run.args)
    if not as_json:
        click.echo(_("resuming run {run} (started {started}, {status}): {roster}").format(
            run=run.id, started=run.started, status=_(RUN_STATUS.get(run.status, run.status)), roster=options.roster))
    return options


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _confirm_sync(plan: Plan, options: EnrolOptions, yes: bool) -> None:
    count = sync_count(plan)
    if not options.sync or count == 0 or yes:
        return
    if not sys.stdin.isatty():
        raise UsageError(ngettext("--sync would unenrol {count} official in {scope}; confirm with --yes (check them "
                                  "first with --dry-run)",
                                  "--sync would unenrol {count} officials in {scope}; confirm with --yes (check them "
                                  "first with --dry-run)", count).format(count=count, scope=options.scope))
    click.confirm(ngettext("unenrol {count} official in {scope} who is no longer on the roster?",
                           "unenrol {count} officials in {scope} who are no longer on the roster?", count)
                  .format(count=count, scope=options.scope), abort=True)


class _Progress:
    def __init__(self, total: int) -> None:
        self.started = time.monotonic()
        self.bar = click.progressbar(length=total, label=_("enrol"), file=sys.stderr, show_eta=True, show_pos=True,
                                     item_show_func=lambda text: text)
        self.bar.__enter__()

    def update(self, done: int, traffic: Traffic) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        requests = traffic.requests
        self.bar.update(done, _("{requests} req · {rate} req/s").format(requests=f"{requests:,}",
                                                                           rate=f"{requests / elapsed:.1f}"))

    def close(self) -> None:
        self.bar.__exit__(None, None, None)


def _print_plan(options: EnrolOptions, plan: Plan, counts: RosterCounts) -> None:
    s = counts.statuses
    click.echo(_("roster {roster}: {rows} rows ({ok} ok · {warning} with warnings · {error} with errors)").format(
        roster=options.roster, rows=f"{counts.rows:,}", ok=f"{s['ok']:,}", warning=f"{s['warning']:,}",
        error=f"{s['error']:,}"))
    click.echo(_("plan: {summary}").format(summary=plan.summary()))
    unenrol = sync_count(plan)
    if options.sync:
        click.echo(_("sync in {scope}: unenrol {count}").format(scope=options.scope, count=f"{unenrol:,}"))


def _plan_json(plan: Plan, counts: RosterCounts) -> dict:
    plan_counts = plan.counts()
    return {
        "rows": counts.rows,
        "rows_with_errors": plan_counts["rows with errors"],
        "plan": {k: v for k, v in sorted(plan_counts.items()) if k != "rows with errors"},
        "operations": {a.value: len(plan.operations(a)) for a in (Action.ENROL, Action.COHORT, Action.UNENROL)},
        "http_requests": 0,
        "writes": 0,
    }


def _print_result(result: JobResult, as_json: bool, profile: str, courses_from: str) -> None:
    data = summary(result)
    if as_json:
        click.echo(json.dumps({**data, "profile": profile, "results_file": str(result.results_path)},
                              ensure_ascii=False, indent=2))
    else:
        click.echo(_("done in {seconds} s: {summary}").format(seconds=f"{result.elapsed:.1f}",
                                                                summary=summary_line(result.statuses)))
        click.echo(_("LMS: {requests} requests ({writes} writes) · {cohorts} cohorts created · {throttled} "
                     "throttled").format(requests=f"{data['http_requests']:,}", writes=f"{data['writes']:,}",
                                         cohorts=f"{result.cohorts_created:,}", throttled=f"{data['throttled']:,}"))
        if result.accounts:
            click.echo(_("accounts: {counts}").format(counts=" · ".join(
                f"{account_label(k)} {n:,}" for k, n in sorted(result.accounts.items()))))
        click.echo(_("results: {path}").format(path=result.results_path))
    if result.stopped:
        raise PamongError(_("{reason}; fix that and run `{command}` to resume").format(
            reason=result.stopped, command="pamong enrol" + _profile_flag(profile)))
    if result.refused:
        course, why = next(iter(result.refused.items()))
        raise PamongError(_("the LMS rejected the calls for course {course} ({why}); check that course key in "
                            "{source} and run again; {results} lists each row").format(
            course=course, why=why, source=courses_from, results=result.results_path))
    if result.failed_rows:
        raise DiagnosticsFailed(ngettext("{count} row was not enrolled; {results} says why",
                                         "{count} rows were not enrolled; {results} says why for each",
                                         result.failed_rows).format(count=f"{result.failed_rows:,}",
                                                                    results=result.results_path))
