"""Course commands: `pamong validate`, `pamong new`, `pamong schema`, `pamong plugins`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from pamong_edx.diagnostics import count, display_path
from pamong_edx.errors import DiagnosticsFailed, UsageError


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def validate(paths: tuple[Path, ...], strict: bool) -> None:
    """Check the course directories PATH... and report every problem found.

    Diagnostics go to stderr as `path:line:col: CODE message`; one summary line per course goes to stdout.
    Exits 1 when there are errors (or warnings, with --strict).
    """
    from pamong_edx.build import course_languages
    from pamong_edx.course.loader import load_course

    failed = 0
    languages = course_languages()
    for path in paths:
        course, diagnostics = load_course(path, languages=languages)
        for diagnostic in diagnostics:
            click.echo(str(diagnostic), err=True)
        errors, warnings = count(diagnostics)
        if errors or (strict and warnings):
            failed += 1
        findings = f"{errors} error(s), {warnings} warning(s)"
        if course is None:
            click.echo(f"{display_path(path)}: {findings}")
            continue
        blocks = sum(1 for _ in course.blocks())
        problems = sum(1 for _ in course.problems())
        click.echo(f"{display_path(path)}: {course.course_key} '{course.title}': {len(course.chapters)} chapters, "
                   f"{blocks} blocks ({problems} problems), {len(course.assets)} assets; {findings}")
    if failed:
        reason = "errors or warnings (--strict)" if strict else "errors"
        raise DiagnosticsFailed(f"{failed} of {len(paths)} course(s) have {reason}")


@click.command()
def schema() -> None:
    """Print the JSON Schema of course.yaml (chapter files: its #/$defs/chapter)."""
    from pamong_edx.build import course_languages
    from pamong_edx.course.schema import course_schema
    from pamong_edx.plugins import block_types

    languages = list(course_languages().available)
    click.echo(json.dumps(course_schema(block_types(), languages), indent=2, ensure_ascii=False))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def plugins(as_json: bool) -> None:
    """List block types, exporters and LMS backends, built-in or third-party, and whether each loaded."""
    from pamong_edx.plugins import registry

    rows = [
        {"type": p.type, "name": p.name, "component": p.component, "version": p.version, "requires": p.requires,
         "source": p.source, "loaded": p.loaded, "error": p.error}
        for p in registry().all()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    header = ("TYPE", "NAME", "COMPONENT", "VERSION", "SOURCE", "STATUS")
    table = [header] + [
        (r["type"], r["name"], r["component"] or "-", r["version"] or "-", r["source"],
         "loaded" if r["loaded"] else f"skipped: {r['error']}")
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    for row in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])


_COURSE_PART = re.compile(r"[A-Za-z0-9_-]+")


def _course_part(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not _COURSE_PART.fullmatch(value):
        raise UsageError(f"--{param.name} may hold only letters, digits, _ and -, not '{value}'")
    return value


@click.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--org", callback=_course_part, help="Organisation (default PamongDesa).")
@click.option("--number", callback=_course_part, help="Course number (default: from the directory name).")
@click.option("--run", callback=_course_part, help="Course run (default: <this year>_T1).")
@click.option("--title", help="Course title (default: from the directory name).")
@click.option("--language", type=click.Choice(["id", "en"]), default="id", show_default=True)
def new(directory: Path, org: str | None, number: str | None, run: str | None, title: str | None,
        language: str) -> None:
    """Create a small, valid course in DIRECTORY to start from."""
    from pamong_edx.course.scaffold import scaffold

    created = scaffold(directory, org=org, number=number, run=run, title=title, language=language)
    click.echo(f"created {display_path(created)}; check it with: pamong validate {display_path(created)}")
