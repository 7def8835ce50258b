"""How a course divides into SCOs (`--sco-per course|chapter|sequential`) and what each SCO holds.

The table of contents mirrors chapters and sequentials whatever the division: with one SCO per sequential a
chapter is a folder of SCOs; with one per chapter the chapter item itself launches; with one for the course a
single item launches everything. A SCO is graded when it holds problems of a graded sequential whose format
counts towards the grade; its pass mark is the course's grading cutoff. A sequential graded with a weight-0
format (a pretest scored on Open edX for the reports) is an assessment here, never scored: SCORM has one score
and one mastery per SCO, and a pretest must not decide either. Every problem is a question of its SCO,
whatever its type (its type's "scorm" renderer says how it is shown and scored); a unit that is a question pool is a pool of its SCO, of which each
attempt draws `pool_draw` questions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pamong_edx.course.model import Chapter, Course, Location, Problem, Sequential, Unit
from pamong_edx.errors import UsageError
from pamong_edx.i18n import _

SCO_PER = ("sequential", "chapter", "course")
DEFAULT_SCO_PER = "sequential"


@dataclass
class ScoPage:
    unit: Unit
    chapter: Chapter
    sequential: Sequential


@dataclass
class ScoQuestion:
    problem: Problem
    index: int  # position among the SCO's questions
    scored: bool  # in a graded sequential whose format counts: towards the score the LMS grades
    required: bool  # must be answered before the SCO is complete (assessments and graded sequentials)
    sequential: Sequential  # whose answer policy it follows
    pool: str = ""  # the id of the pool unit it is drawn from, if any


@dataclass
class ScoPool:
    unit: Unit
    questions: list[int]  # indices among the SCO's questions
    draw: int  # how many each attempt draws


@dataclass
class Sco:
    key: str  # the source id it covers: a sequential or chapter id, or the course slug
    title: str
    href: str  # launch file at the package root
    loc: Location  # where the covered part is written, for messages
    pages: list[ScoPage] = field(default_factory=list)
    questions: list[ScoQuestion] = field(default_factory=list)
    pools: list[ScoPool] = field(default_factory=list)
    pass_mark: float | None = None  # fraction 0..1, set when the SCO holds graded questions

    @property
    def graded(self) -> bool:
        return any(q.scored for q in self.questions)

    @property
    def required_questions(self) -> int:
        """Questions an attempt must answer: a pool counts its draw, not its size."""
        pooled = {i for pool in self.pools for i in pool.questions}
        required = sum(q.required for q in self.questions if q.index not in pooled)
        return required + sum(pool.draw for pool in self.pools if self.questions[pool.questions[0]].required)


@dataclass
class TocNode:
    key: str
    title: str
    sco: Sco | None = None  # set on the items that launch
    children: list["TocNode"] = field(default_factory=list)


@dataclass
class Plan:
    toc: list[TocNode]
    scos: list[Sco]


def check_sco_per(value: object) -> str:
    value = DEFAULT_SCO_PER if value in (None, "") else value
    if value not in SCO_PER:
        raise UsageError(_("--sco-per must be one of {choices}, not '{value}'").format(choices=", ".join(SCO_PER),
                                                                                    value=value))
    return str(value)


def plan_course(course: Course, sco_per: str = DEFAULT_SCO_PER) -> Plan:
    sco_per = check_sco_per(sco_per)
    hrefs = _HrefNamer()
    if sco_per == "course":
        sco = _make_sco(course, course.slug, course.title, "index.html", course.loc,
                        [(ch, seq) for ch in course.chapters for seq in ch.sequentials])
        return Plan(toc=[TocNode(course.slug, course.title, sco)], scos=[sco])
    toc: list[TocNode] = []
    scos: list[Sco] = []
    for chapter in course.chapters:
        if sco_per == "chapter":
            sco = _make_sco(course, chapter.id, chapter.title, hrefs.name(chapter.id), chapter.loc,
                            [(chapter, seq) for seq in chapter.sequentials])
            scos.append(sco)
            toc.append(TocNode(chapter.id, chapter.title, sco))
            continue
        node = TocNode(chapter.id, chapter.title)
        for seq in chapter.sequentials:
            sco = _make_sco(course, seq.id, seq.title, hrefs.name(seq.id), seq.loc, [(chapter, seq)])
            scos.append(sco)
            node.children.append(TocNode(seq.id, seq.title, sco))
        toc.append(node)
    return Plan(toc=toc, scos=scos)


class _HrefNamer:
    """File names from ids, kept distinct even on case-insensitive file systems (Windows, macOS)."""

    def __init__(self) -> None:
        self.used: set[str] = {"index.html"}

    def name(self, key: str) -> str:
        candidate, n = f"{key}.html", 2
        while candidate.casefold() in self.used:
            candidate, n = f"{key}-{n}.html", n + 1
        self.used.add(candidate.casefold())
        return candidate


def _make_sco(
    course: Course, key: str, title: str, href: str, loc: Location, parts: list[tuple[Chapter, Sequential]]
) -> Sco:
    sco = Sco(key=key, title=title, href=href, loc=loc)
    for chapter, seq in parts:
        scored = seq.graded and course.grading.counts(seq.format)
        for unit in seq.units:
            sco.pages.append(ScoPage(unit, chapter, seq))
            pooled = []
            for block in unit.blocks:
                if block.is_problem:
                    if unit.pool_draw is not None:
                        pooled.append(len(sco.questions))
                    sco.questions.append(ScoQuestion(
                        problem=block,  # type: ignore[arg-type]
                        index=len(sco.questions),
                        scored=scored,
                        required=seq.graded or seq.is_assessment,
                        sequential=seq,
                        pool=unit.id if unit.pool_draw is not None else "",
                    ))
            if pooled:
                sco.pools.append(ScoPool(unit, pooled, unit.pool_draw))
    if sco.graded:
        sco.pass_mark = course.grading.pass_cutoff
    return sco


def page_crumb(sco: Sco, page: ScoPage) -> str:
    """Where a page sits, when the SCO's own title does not already say it."""
    sequentials = {id(p.sequential) for p in sco.pages}
    chapters = {id(p.chapter) for p in sco.pages}
    if len(sequentials) == 1:
        return ""
    if len(chapters) == 1:
        return page.sequential.title
    return f"{page.chapter.title} › {page.sequential.title}"
