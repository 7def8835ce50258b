"""The report as one self-contained HTML dashboard (Jinja2): no external request, readable without JavaScript.

Everything is in the file: CSS, charts as inline SVG (charts.py), and a little JavaScript that only sorts and
filters tables. It opens from a USB stick or a WhatsApp attachment, fits a 360 px phone, and prints on A4.
The texts go through the dashboard's catalogue (lang.py), Bahasa Indonesia by default.

Size: rows are written without closing tags or indentation (HTML allows it), and the people still to start
are listed only up to LIST_LIMIT (the XLSX always has them all), so a whole province stays well under 1 MB.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from pamong_edx import __version__
from pamong_edx.i18n import N_
from pamong_edx.report import charts
from pamong_edx.report import columns as cols
from pamong_edx.report.assemble import Lists
from pamong_edx.report.lang import DEFAULT, Numbers, translator
from pamong_edx.report.assemble import POSITION_LEVEL
from pamong_edx.report.model import (
    DESA,
    KABUPATEN,
    KECAMATAN,
    NATION,
    PROVINSI,
    UNKNOWN,
    CourseReport,
    level_of,
    Figures,
    Report,
    Row,
)

LIST_LIMIT = 1000
# The dashboard's tables go at most two levels below the scope (a province: kabupaten and kecamatan; its
# villages are in the XLSX), which keeps a whole province's page well under 1 MB.
HTML_DEPTH = 2
LEVEL_TITLES = {PROVINSI: N_("By province"), KABUPATEN: N_("By kabupaten/kota"), KECAMATAN: N_("By kecamatan"),
                DESA: N_("By village")}
# The columns of the dashboard's tables (the XLSX has them all).
TABLE_KEYS = ("enrolled", "registered", "started", "posttest_done", "passed", "pass_rate", "pretest_median",
              "posttest_median", "gain_median", "change_passed")


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("pamong_edx.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
    return env


def render_html(report: Report, lists: Lists, language: str = DEFAULT) -> str:
    t = translator(language)
    env = _environment()
    env.install_gettext_translations(t, newstyle=True)  # type: ignore[attr-defined]
    numbers = Numbers(language)
    gettext = t.gettext
    columns = [c for c in cols.COLUMNS if c.key in TABLE_KEYS]
    if report.snapshot.roster:
        columns.insert(0, next(c for c in cols.COLUMNS if c.key == "on_roster"))

    def label(row: Row) -> str:
        """Names the toolkit gives (not the region file) in the dashboard's language."""
        if row.key == UNKNOWN:
            return gettext("Region unknown")
        if row.level == NATION:
            return gettext("Indonesia")
        if row.level == POSITION_LEVEL and not row.key:
            return gettext("Position unknown")
        return row.name

    courses = [_course_view(report, course, lists, numbers, gettext, label) for course in report.courses]
    return env.get_template("report.html.j2").render(
        report=report, courses=courses, columns=columns, numbers=numbers, language=language,
        fmt=lambda column, row: _cell(column, row, numbers),
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), version=__version__,
        taken=_when(report.snapshot.taken), when=_when, level_titles=LEVEL_TITLES,
        list_limit=LIST_LIMIT, states=cols.STATES, all_columns=cols.COLUMNS, label=label,
        scope_name=label(Row(report.scope, report.scope_name, len(report.scope.split(".")) if report.scope else 0,
                             Figures())),
    )


def write_html(report: Report, path: Path, lists: Lists, language: str = DEFAULT) -> None:
    path.write_text(render_html(report, lists, language), encoding="utf-8")


def _when(iso: str | None) -> str:
    if not iso:
        return "–"
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _cell(column: cols.Column, row: Row, numbers: Numbers) -> str:
    value = column.value(row)
    if column.kind == cols.RATE:
        return numbers.percent(value)
    if column.kind == cols.SCORE:
        return numbers.score(value)
    if column.kind == cols.POINTS:
        return numbers.points(value)
    if column.kind == cols.CHANGE:
        return numbers.signed(value)
    if column.kind == cols.DATE:
        return _when(value)[:10] if value else "–"
    return numbers.count(value)


def _course_view(report: Report, course: CourseReport, lists: Lists, numbers: Numbers, gettext,  # noqa: ANN001
                 label) -> dict:  # noqa: ANN001
    total = course.total.figures
    steps = [("enrolled", gettext("Enrolled"), total.enrolled), ("registered", gettext("Registered"), total.registered),
             ("started", gettext("Started"), total.started),
             ("posttest_done", gettext("Posttest done"), total.posttest_done),
             ("passed", gettext("Passed"), total.passed)]
    if report.snapshot.roster:
        steps.insert(0, ("on_roster", gettext("Officials on roster"), total.on_roster))
    widest = max([1, *[n for _, _, n in steps]])
    funnel = charts.bars(
        [charts.Bar(key, label, n, f"{numbers.count(n)}" + (f" ({numbers.percent(n / total.enrolled)})"
                                                              if total.enrolled and key != "on_roster" else ""),
                    n / widest) for key, label, n in steps],
        gettext("Participation"), chart="funnel")
    children_level = min(course.levels) if course.levels else None
    children = course.levels.get(children_level, []) if children_level is not None else []
    ranked = sorted((r for r in children if r.figures.enrolled),
                    key=lambda r: (-(r.figures.pass_rate or 0), r.key))
    references = []
    if course.reference is not None and course.reference.figures.pass_rate is not None:
        references.append((f"{label(course.reference)} {numbers.percent(course.reference.figures.pass_rate)}",
                           course.reference.figures.pass_rate))
    elif not report.scope and total.pass_rate is not None:
        references.append((f"{label(course.total)} {numbers.percent(total.pass_rate)}", total.pass_rate))
    pass_chart = charts.bars(
        [charts.Bar(r.key, r.name, r.figures.pass_rate or 0.0, numbers.percent(r.figures.pass_rate),
                    r.figures.pass_rate or 0.0) for r in ranked],
        gettext("Pass rate by region"), chart="pass-rate", references=references) if ranked else None
    paired = [(r.key, r.name, r.figures.pretest_median, r.figures.posttest_median) for r in children
              if r.figures.pretest_median is not None or r.figures.posttest_median is not None]
    overall = (course.total.key or "nation", label(course.total), total.pretest_median, total.posttest_median)
    score_chart = charts.dumbbells(
        [overall, *paired], gettext("Pretest and posttest (median score)"),
        labels=(gettext("Pretest"), gettext("Posttest")), fmt=numbers.score) \
        if total.pretest_median is not None or total.posttest_median is not None else None
    trend_chart = None
    if len(course.trend) > 1:
        trend_chart = charts.lines(
            [p.taken[:10] for p in course.trend],
            [("enrolled", gettext("Enrolled"), [p.figures.enrolled for p in course.trend]),
             ("started", gettext("Started"), [p.figures.started for p in course.trend]),
             ("passed", gettext("Passed"), [p.figures.passed for p in course.trend])],
            gettext("Trend over snapshots"), fmt=numbers.count)
    listed = list(lists.not_started(course.course.key)) if course.not_started_count <= LIST_LIMIT else None
    deepest = level_of(report.scope) + HTML_DEPTH
    levels = [(level, course.levels[level]) for level in sorted(course.levels) if level <= deepest]
    return {"report": course, "funnel": funnel, "pass_chart": pass_chart, "score_chart": score_chart,
            "trend_chart": trend_chart, "not_started": listed, "levels": levels,
            "omitted": [gettext(LEVEL_TITLES[level]) for level in sorted(course.levels) if level > deepest]}
