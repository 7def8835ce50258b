"""Course commands: `pamong validate`, `pamong new`, `pamong schema`, `pamong plugins`.

Each imports what it runs inside its function, so that listing or starting one command costs only its own
imports (`pamong validate` never imports an exporter or an LMS backend).
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from pamong_edx.errors import DiagnosticsFailed, UsageError
from pamong_edx.i18n import N_, _, ngettext


@click.command(help=N_("Check the course directories PATH... and report every problem found.\n\n"
                       "Diagnostics go to stderr as `path:line:col: CODE message`; one summary line per course goes "
                       "to stdout. Exits 1 when there are errors (or warnings, with --strict)."))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help=N_("Fail on warnings too."))
@click.option("--overlay", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help=N_("Check the courses as deployed with this overlay (run, dates, org, cutoff, attempts, "
                      "signatories' names)."))
def validate(paths: tuple[Path, ...], strict: bool, overlay: Path | None) -> None:
    from pamong_edx.build import course_languages
    from pamong_edx.course.lints import lint
    from pamong_edx.course.loader import load_course
    from pamong_edx.diagnostics import count, display_path, printable

    def report(diagnostics) -> None:
        for diagnostic in diagnostics:
            click.echo(printable(str(diagnostic), keep=""), err=True)

    deployment = None
    if overlay is not None:
        from pamong_edx.course.overlay import apply_overlay, read_overlay

        deployment = read_overlay(overlay)
        report(deployment.diagnostics)
    overlay_failed = deployment is not None and any(d.is_error for d in deployment.diagnostics)

    failed = 0
    languages = course_languages()
    for path in paths:
        course, diagnostics = load_course(path, languages=languages)
        if course is not None and deployment is not None:
            diagnostics += apply_overlay(course, deployment)
        if course is not None and not overlay_failed and not any(d.is_error for d in diagnostics):
            diagnostics += lint(course)  # the course as deployed: lints of a course the overlay cannot fit mislead
        report(diagnostics)
        # The overlay's problems are this course's too (it is the course as deployed): its line counts them
        errors, warnings = count([*(deployment.diagnostics if deployment else ()), *diagnostics])
        if errors or (strict and warnings) or overlay_failed:
            failed += 1
        findings = _("{errors}, {warnings}").format(
            errors=ngettext("{n} error", "{n} errors", errors).format(n=errors),
            warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings))
        if course is None:
            click.echo(printable(f"{display_path(path)}: {findings}"))
            continue
        blocks = sum(1 for _b in course.blocks())
        problems = sum(1 for _p in course.problems())
        click.echo(printable(_(
            "{path}: {key} '{title}': {chapters}, {blocks} ({problems}), {assets}; {findings}").format(
            path=display_path(path), key=course.course_key, title=course.title,
            chapters=ngettext("{n} chapter", "{n} chapters", len(course.chapters)).format(n=len(course.chapters)),
            blocks=ngettext("{n} block", "{n} blocks", blocks).format(n=blocks),
            problems=ngettext("{n} problem", "{n} problems", problems).format(n=problems),
            assets=ngettext("{n} asset", "{n} assets", len(course.assets)).format(n=len(course.assets)),
            findings=findings)))
    if overlay_failed:
        raise DiagnosticsFailed(_("the overlay {path} has errors; fix it first").format(path=display_path(overlay)))
    if failed:
        message = (_("{failed} of {total} course(s) have errors or warnings (--strict)") if strict else
                   _("{failed} of {total} course(s) have errors"))
        raise DiagnosticsFailed(message.format(failed=failed, total=len(paths)))


@click.command(help=N_("Print the JSON Schema of course.yaml (chapter files: its #/$defs/chapter)."))
def schema() -> None:
    import json

    from pamong_edx.build import course_languages
    from pamong_edx.course.schema import course_schema
    from pamong_edx.plugins import block_types

    languages = list(course_languages().available)
    click.echo(json.dumps(course_schema(block_types(), languages), indent=2, ensure_ascii=False))


@click.command(help=N_("List every plugin (block types, exporters, LMS backends, player languages), built-in or "
                       "third-party: its version, the languages it speaks, and whether it loaded or why not."))
@click.option("--json", "as_json", is_flag=True, help=N_("Print a JSON list instead of a table."))
def plugins(as_json: bool) -> None:
    from pamong_edx.diagnostics import printable
    from pamong_edx.plugins import registry

    rows = [
        {"type": p.type, "name": p.name, "component": p.component, "version": p.version, "requires": p.requires,
         "source": p.source, "languages": list(p.languages), "loaded": p.loaded, "error": p.error}
        for p in registry().all()
    ]
    if as_json:
        import json

        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    header = (_("TYPE"), _("NAME"), _("COMPONENT"), _("VERSION"), _("SOURCE"), _("LANGUAGES"), _("STATUS"))
    table = [header] + [
        (r["type"], r["name"], r["component"] or "-", r["version"] or "-", r["source"],
         ",".join(r["languages"]) or "-",
         _("loaded") if r["loaded"] else _("skipped: {reason}").format(reason=r["error"]))
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    for row in table:
        click.echo(printable("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1]))


_COURSE_PART = re.compile(r"[A-Za-z0-9_-]+")


def _course_part(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not _COURSE_PART.fullmatch(value):
        raise UsageError(_("--{option} may hold only letters, digits, _ and -, not '{value}'").format(
            option=param.name, value=value))
    return value


@click.command(help=N_("Create a small, valid course in DIRECTORY to start from."))
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--org", callback=_course_part, help=N_("Organisation (default PamongDesa)."))
@click.option("--number", callback=_course_part, help=N_("Course number (default: from the directory name)."))
@click.option("--run", callback=_course_part, help=N_("Course run (default: <this year>_T1)."))
@click.option("--title", help=N_("Course title (default: from the directory name)."))
@click.option("--language", type=click.Choice(["id", "en"]), default="id", show_default=True,
              help=N_("The course's language (of its player and its texts)."))
def new(directory: Path, org: str | None, number: str | None, run: str | None, title: str | None,
        language: str) -> None:
    from pamong_edx.course.scaffold import scaffold
    from pamong_edx.diagnostics import display_path

    created = scaffold(directory, org=org, number=number, run=run, title=title, language=language)
    click.echo(_("created {path}; check it with: pamong validate {path}").format(path=display_path(created)))
