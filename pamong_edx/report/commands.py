"""`pamong report`: progress reports by region from the LMS (docs/report.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pamong_edx.errors import UsageError
from pamong_edx.i18n import N_, _
from pamong_edx.lms.profiles import chosen_profile, state_dir
from pamong_edx.regions.commands import regions_option
from pamong_edx.regions.locate import open_regions
from pamong_edx.report.job import ReportOptions, run_report
from pamong_edx.report.lang import LANGUAGES
from pamong_edx.report.model import LEVELS
from pamong_edx.report.outputs import as_json


@click.command(help=N_("Progress of the officials by region: enrolled, started, pretest, posttest, passed, learning "
                         "gain.\n\nReads the LMS (unless --snapshot), keeps a snapshot beside the enrolment journal, and "
                         "writes the report as XLSX, a self-contained HTML dashboard, CSV or JSON, with the change "
                         "since the previous snapshot."))
@click.option("-p", "--profile", "profile_name", metavar="NAME", help=N_("LMS profile in pamong.toml (see docs/lms.md)."))
@click.option("--course", "courses", multiple=True, metavar="KEY", help=N_("A course to report on (repeatable)."))
@click.option("--by", type=click.Choice(list(LEVELS)), default="desa", show_default=True,
              help=N_("The finest level of the tables."))
@click.option("--scope", metavar="CODE", help=N_("Only this region (e.g. 18.71): nobody else's data is in the outputs."))
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("The officials who should take part (checked as `pamong roster check` does)."))
@regions_option
@click.option("--sheet", help=N_("Sheet of an XLSX roster (default: the first visible sheet)."))
@click.option("--columns", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("TOML file mapping other roster headers to fields (see docs/roster.md)."))
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help=N_("Write the report here: .xlsx, .html, .csv or .json (repeatable)."))
@click.option("--json", "as_json_flag", is_flag=True, help=N_("Print the report as JSON (for scripts)."))
@click.option("--snapshot", metavar="ID|latest", help=N_("Report from a snapshot taken earlier; do not read the LMS."))
@click.option("--pretest", metavar="NAME", help=N_("The graded part that is the pretest (default: found by name)."))
@click.option("--posttest", metavar="NAME", help=N_("The graded part that is the posttest (default: found by name)."))
@click.option("--pass-mark", type=click.FloatRange(0, 100), metavar="N",
              help=N_("Pass mark out of 100, for an LMS that does not say it (Moodle)."))
@click.option("--html-lang", type=click.Choice(LANGUAGES), default="id", show_default=True,
              help=N_("Language of the HTML dashboard."))
@click.option("--insecure", is_flag=True, help=N_("Allow plain http:// to a host that is not this machine."))
def report(profile_name: str | None, courses: tuple[str, ...], by: str, scope: str | None, roster: Path | None,
           regions_path: str | None, sheet: str | None, columns: Path | None, outputs: tuple[Path, ...],
           as_json_flag: bool, snapshot: str | None, pretest: str | None, posttest: str | None,
           pass_mark: float | None, html_lang: str, insecure: bool) -> None:
    if not outputs and not as_json_flag:
        raise UsageError(_("say where the report goes: -o laporan.xlsx (or .html, .csv, .json), or --json"))
    name = chosen_profile(profile_name)
    regions = open_regions(regions_path)
    options = ReportOptions(profile=name, courses=courses, outputs=outputs, by=by, scope=scope, roster=roster,
                            sheet=sheet, columns=columns, snapshot=snapshot, pretest=pretest, posttest=posttest,
                            pass_mark=pass_mark / 100 if pass_mark is not None else None, language=html_lang,
                            insecure=insecure)
    result = run_report(options, regions, state_dir(name))
    if as_json_flag:
        click.echo(json.dumps(as_json(result.report), ensure_ascii=False, indent=2))
        return
    for note in result.notes:
        click.echo(_("note: {note}").format(note=note), err=True)
    info = result.report.snapshot
    if result.took_snapshot:
        click.echo(_("snapshot {id} taken in {seconds:.1f} s: {requests} LMS requests").format(
            id=info.id, seconds=result.elapsed, requests=result.requests))
    else:
        click.echo(_("from snapshot {id} of {taken}").format(id=info.id, taken=info.taken))
    if result.roster_errors:
        click.echo(_("{errors} of {rows} roster rows have errors and are not counted; `pamong roster check` says "
                     "what to fix").format(errors=result.roster_errors, rows=result.roster_rows))
    for course in result.report.courses:
        total = course.total.figures
        rate = f"{total.pass_rate * 100:.1f}%" if total.pass_rate is not None else "–"
        click.echo(_("{course} in {scope}: {enrolled} enrolled, {started} started, {passed} passed ({rate}); "
                     "{waiting} not started").format(course=course.course.key, scope=result.report.scope_name,
                                                     enrolled=total.enrolled, started=total.started,
                                                     passed=total.passed, rate=rate, waiting=course.not_started_count))
    for path in result.outputs:
        click.echo(_("written: {path}").format(path=path))

