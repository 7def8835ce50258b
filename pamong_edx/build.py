"""`pamong build`: compile course sources into packages, one per course and format.

    pamong build course_src/*/ --format olx --format scorm12 -o dist/ --max-size 5MB

Courses are loaded and checked first; any error stops the build before a file is written (warnings too with
--strict). Each package is then built by its exporter plugin in a staging folder inside the output folder and
moved into place only when it is complete and within the size budget, so dist/ never holds a half-written or
oversized package, and a package from an earlier build is replaced only by a good one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import click

from pamong_edx import units
from pamong_edx.course.cache import BuildCache
from pamong_edx.course.model import Course
from pamong_edx.diagnostics import Diagnostic
from pamong_edx.errors import DiagnosticsFailed, PamongError, UsageError
from pamong_edx.export import BuildResult, Exporter, ExportError
from pamong_edx.i18n import N_, _, ngettext
from pamong_edx.units import format_size

BUILTIN_FORMATS = ("olx", "scorm12", "scorm2004", "moodlexml")
SCO_PER = ("course", "chapter", "sequential")
LARGEST_SHOWN = 5


class PackageTooLarge(ExportError):
    """A finished package exceeds its size budget (E115); the message names the largest files in it."""


def parse_size(text: str) -> int:
    """The --max-size option: `5MB`, `500kB`, `2MiB` or a plain number of bytes."""
    size = units.parse_size(text)
    if size is None:
        raise UsageError(_("--max-size '{value}' is not a size; write e.g. 5MB, 500kB or 2MiB").format(value=text))
    return size


def course_languages() -> "Languages":
    """The languages the player has a pack for (built-in and from plugins), for the loader's language check."""
    from pamong_edx.course.loader import Languages
    from pamong_edx.player.lang import available_languages, skipped_language_plugins

    return Languages(available_languages(), skipped_language_plugins())


def select_exporters(names: Iterable[str]) -> dict[str, type[Exporter]]:
    """Exporter classes by name, in the order asked; `all` is every built-in format that is installed."""
    from pamong_edx.plugins import registry

    reg = registry()
    chosen: dict[str, type[Exporter]] = {}
    for name in names:
        if name == "all":
            loaded = reg.loaded("exporter")
            found = [n for n in BUILTIN_FORMATS if n in loaded]
            if not found:
                raise UsageError(_("--format all: no built-in exporter is installed (run `pamong plugins`)"))
            for n in found:
                chosen.setdefault(n, loaded[n])
        else:
            chosen.setdefault(name, reg.get("exporter", name))
    return chosen


@dataclass
class Outcome:
    course: Course
    format: str
    result: BuildResult | None = None
    error: str = ""


def build_package(course: Course, exporter_cls: type[Exporter], out_dir: Path, options: dict[str, Any]) -> BuildResult:
    """Run one exporter's lifecycle in a staging folder and move the package into out_dir when it fits.
    `options["cache"]`, when given, is the BuildCache the exporter may use (the package is the same)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".pamong-build-", dir=out_dir))
    try:
        exporter = exporter_cls(course, staging, options)
        exporter.prepare()
        exporter.write()
        result = exporter.finish()
        size = result.path.stat().st_size
        max_size = options.get("max_size")
        if max_size is not None and size > max_size:
            largest = ", ".join(f"{name} ({format_size(n)})" for name, n in result.largest_files[:LARGEST_SHOWN])
            raise PackageTooLarge([Diagnostic("E115", _(
                "the {format} package would be {size}, above the {budget} budget (max_size / --max-size); "
                "largest files: {largest}").format(format=exporter_cls.name, size=format_size(size),
                                                   budget=format_size(max_size), largest=largest or _("none")),
                course.loc)])
        final = out_dir / result.path.relative_to(staging)
        for item in sorted(staging.iterdir()):
            if item.is_file():
                os.replace(item, out_dir / item.name)
        result.path = final
        result.size = size
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def build_courses(
    courses: list[Course],
    exporters: dict[str, type[Exporter]],
    out_dir: Path,
    max_size: int | None = None,
    sco_per: str = "sequential",
    debug: bool = False,
    cache: BuildCache | None = None,
) -> list[Outcome]:
    """Build every course in every format; a failing package does not stop the others.

    An exporter that fails other than with a PamongError (a file it cannot read or write, or a plugin's bug)
    fails its own package with a message naming it; with `debug` the exception propagates instead."""
    outcomes = []
    for course in courses:
        options = {"max_size": max_size if max_size is not None else course.max_size, "sco_per": sco_per,
                   "cache": cache}
        for name, exporter_cls in exporters.items():
            outcome = Outcome(course, name)
            try:
                outcome.result = build_package(course, exporter_cls, out_dir, options)
            except PamongError as exc:
                outcome.error = str(exc)
            except Exception as exc:
                if debug:
                    raise
                outcome.error = package_failure(course, name, exporter_cls, exc)
            outcomes.append(outcome)
    return outcomes


def package_failure(course: Course, name: str, exporter_cls: type[Exporter], exc: Exception) -> str:
    where = _("{where}: the {format} package of {key} was not built").format(
        where=course.loc, format=name, key=course.course_key)
    if isinstance(exc, OSError):
        what = exc.strerror or str(exc)
        names = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f)
        return f"{where}: {what}" + (f": {names}" if names else "")
    plugin = getattr(exporter_cls, "component", "") or name
    return _("{where}: the {plugin} exporter failed: {kind}: {detail} (run `pamong --debug build …` for the "
             "traceback; if the exporter is a plugin, report it to its authors)").format(
        where=where, plugin=plugin, kind=type(exc).__name__, detail=exc)


def prepare_output(out_dir: Path) -> None:
    """Create the output folder before any work, so that a path that cannot be one is one clear error."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(_("cannot create the output folder {path}: {reason}").format(
            path=out_dir, reason=exc.strerror or exc)) from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise UsageError(_("cannot write to the output folder {path}: permission denied").format(path=out_dir))


def refuse_output_among_inputs(out_dir: Path, course_dirs: Iterable[Path]) -> None:
    """Packages never land among course sources: an output folder inside (or equal to) a course directory
    could overwrite its files, or be packaged with it next time."""
    out = os.path.realpath(out_dir)
    for given in course_dirs:
        root = given.parent if given.suffix in (".yaml", ".yml") and given.is_file() else given
        real = os.path.realpath(root)
        if out == real or out.startswith(real.rstrip(os.sep) + os.sep):
            raise UsageError(_("the output folder {out} is inside the course directory {course}: packages are "
                               "never written among course files; choose another folder with -o, e.g. dist/"
                               ).format(out=out_dir, course=root))


def same_key(courses: list[Course]) -> list[Diagnostic]:
    """Courses whose packages would overwrite each other (the same org, number and run)."""
    first: dict[str, Course] = {}
    found = []
    for course in courses:
        earlier = first.setdefault(course.course_key, course)
        if earlier is not course:
            found.append(Diagnostic("E106", _(
                "duplicate course key {key} (also {other}); give one of them another run or number").format(
                key=course.course_key, other=earlier.loc), course.loc))
    return found


def summary_line(outcome: Outcome) -> str:
    result = outcome.result
    counts = result.counts
    blocks, problems, assets = (counts.get(key, 0) for key in ("blocks", "problems", "assets"))
    line = _("{format} {path}  {blocks}, {problems}, {assets}, {size}").format(
        format=f"{outcome.format:<9}", path=result.path,
        blocks=ngettext("{n} block", "{n} blocks", blocks).format(n=blocks),
        problems=ngettext("{n} problem", "{n} problems", problems).format(n=problems),
        assets=ngettext("{n} asset", "{n} assets", assets).format(n=assets), size=format_size(result.size))
    if counts.get("pools"):  # question pools: each attempt draws some of their problems
        line += _("; {pools} drawing {drawn} of {pooled} problems").format(
            pools=ngettext("{n} pool", "{n} pools", counts["pools"]).format(n=counts["pools"]),
            drawn=counts.get("drawn", 0), pooled=counts.get("pooled", 0))
    return line


@click.command(help=N_("Compile COURSE_DIR... into Open edX OLX and SCORM packages.\n\nUnchanged sources are taken "
                        "from the build cache ($PAMONG_CACHE_DIR, else ~/.cache/pamong-edx), so a rebuild after a "
                        "small edit is quick; --no-cache turns it off."))
@click.argument("course_dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-f", "--format", "formats", multiple=True, default=("all",), show_default=True, metavar="NAME",
              help=N_("olx, scorm12, scorm2004, moodlexml, all (the built-ins), or an installed exporter plugin. "
                      "Repeatable."))
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("dist"),
              show_default=True, help=N_("Folder the packages are written to."))
@click.option("--max-size", "max_size", metavar="SIZE",
              help=N_("Fail a package larger than this (5MB, 500kB, 2MiB); default: max_size in course.yaml."))
@click.option("--sco-per", type=click.Choice(SCO_PER), default="sequential", show_default=True,
              help=N_("SCORM: one SCO per course, chapter or sequential."))
@click.option("--strict", is_flag=True, help=N_("Treat warnings as errors."))
@click.option("--overlay", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help=N_("A deployment overlay: run, dates, org, cutoff, attempts and signatories' names for this "
                      "deployment (see docs/course-format.md)."))
@click.option("--no-cache", "no_cache", is_flag=True,
              help=N_("Read and render every source again, and keep nothing for the next build (the packages are "
                      "the same either way)."))
def build(course_dirs: tuple[Path, ...], formats: tuple[str, ...], out_dir: Path, max_size: str | None,
          sco_per: str, strict: bool, overlay: Path | None, no_cache: bool) -> None:
    from pamong_edx.course.loader import load_courses

    budget = parse_size(max_size) if max_size is not None else None
    exporters = select_exporters(formats)
    refuse_output_among_inputs(out_dir, course_dirs)

    cache = BuildCache.disabled() if no_cache else BuildCache.default()
    courses, diagnostics = load_courses(list(course_dirs), languages=course_languages(), cache=cache)
    if overlay is not None:
        from pamong_edx.course.overlay import overlay_courses

        courses, found = overlay_courses(courses, overlay)
        diagnostics += found
    errors = [d for d in diagnostics if d.is_error]
    warnings = [d for d in diagnostics if not d.is_error]
    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=True)
    if errors or (strict and warnings):
        if strict and warnings:
            message = _("{errors} error(s) and {warnings} warning(s) (--strict) in the course sources; nothing was "
                        "built")
        else:
            message = _("{errors} error(s) in the course sources; nothing was built")
        raise DiagnosticsFailed(message.format(errors=len(errors), warnings=len(warnings)))

    clashes = same_key(courses)
    for diagnostic in clashes:
        click.echo(diagnostic.text(), err=True)
    if clashes:
        raise DiagnosticsFailed(_("two course directories have the same course key; nothing was built"))

    prepare_output(out_dir)
    debug = bool((click.get_current_context().find_root().obj or {}).get("debug"))
    outcomes = build_courses(courses, exporters, out_dir, budget, sco_per, debug=debug, cache=cache)
    cache.save()
    cache.prune()
    failed = [o for o in outcomes if o.error]
    for outcome in outcomes:
        if outcome.error:
            click.echo(outcome.error, err=True)
            continue
        for warning in outcome.result.warnings:
            click.echo(_("warning: {message}").format(message=warning), err=True)
        click.echo(summary_line(outcome))
    if failed:
        raise DiagnosticsFailed(_("{failed} of {total} package(s) failed to build; the others are in {path}").format(
            failed=len(failed), total=len(outcomes), path=out_dir))
