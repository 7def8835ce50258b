"""Pedagogy lints: what a trainer reading a course's tests would catch, as coded warnings of `pamong validate`.

The posttest decides a competency certificate, so it must measure learning, not memory of the pretest or the
position of the right answer; the run and the certificate must be fit to hand out. Each lint is a W3xx warning
located at what to change, and fails `pamong validate --strict`:

    W301  the course run has already ended
    W302  a certificate without signatories
    W303  most single-answer problems of a test have their answer in the same position
    W304  a posttest problem nearly identical to a pretest problem
    W305  the pass cutoff cannot be reached, because graded sequentials can score no points
    W306  hints on a problem of a graded sequential
    W307  a posttest problem that names no learning objective

An author with a reason silences a lint where it does not apply, with `silence: {W304: "reason"}` on the
problem, its sequential or the course (docs/course-format.md, "Pedagogy lints"). Lints read only the model, after
a course has loaded without errors (and after a deployment overlay, if one is given).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone

from pamong_edx.course.model import ChoiceProblem, Course, GradedFormat, Problem, Sequential
from pamong_edx.diagnostics import Diagnostic, Location, register
from pamong_edx.i18n import N_, _

W301 = register("W301", "course-run-ended", N_("the course run has already ended"))
W302 = register("W302", "certificate-without-signatories", N_("a certificate without signatories"))
W303 = register("W303", "answer-position-imbalance",
                N_("most single-answer problems of a test have their answer in the same position"))
W304 = register("W304", "posttest-repeats-pretest", N_("a posttest problem nearly identical to a pretest problem"))
W305 = register("W305", "cutoff-unreachable",
                N_("the pass cutoff cannot be reached because graded sequentials can score no points"))
W306 = register("W306", "hints-on-graded-problem", N_("hints on a problem of a graded sequential"))
W307 = register("W307", "posttest-problem-without-objective", N_("a posttest problem that names no objective"))

# W303: a test with at least POSITION_MIN_ITEMS unshuffled single-answer problems is imbalanced when more than
# POSITION_SHARE of them have the answer in the same position. With four choices a position holds a quarter of the
# answers on average; 40% among five or more is two positions' worth, more than chance arrangement gives often.
POSITION_MIN_ITEMS = 5
POSITION_SHARE = 0.4

# W304: two stems are near-identical when both their wording (difflib's ratio over the normalised text) and their
# vocabulary (the Jaccard index of their word sets) are close. Measured on the bundled courses' pretest/posttest
# pairs (docs/course-format.md lists them): the pairs that ask the same thing score ratio 0.82–0.92 and Jaccard
# 0.62–0.80 ("siapa pemegang kekuasaan pengelolaan keuangan desa" / "pemegang kekuasaan pengelolaan keuangan
# desa (PKPKD) adalah …": 0.82, 0.62); the closest pairs that ask different things fail one of the two: short stems
# sharing a template ("apa kepanjangan dari APB Desa" / "… dari PPKD": ratio 0.85 but Jaccard 0.50) and the same
# skill on another example ("kode 33.07.01.2005 …" / "kode 33.07 …": 0.74, 0.53). Either measure alone would
# misjudge one of these.
SIMILAR_RATIO = 0.8
SIMILAR_JACCARD = 0.6


def lint(course: Course, now: datetime | None = None) -> list[Diagnostic]:
    """Every pedagogy warning of a loaded course, silences applied, in course order."""
    now = now or datetime.now(timezone.utc)
    found: list[Diagnostic] = []
    found += run_ended(course, now)
    found += certificate_signatories(course)
    for _chapter, seq in course.sequentials():
        found += answer_positions(course, seq)
        found += graded_hints(course, seq)
        found += posttest_objectives(course, seq)
    found += posttest_repeats_pretest(course)
    found += unreachable_cutoff(course)
    return found


def silenced(code: str, course: Course, *elements: Sequential | Problem) -> bool:
    """Whether `code` is silenced on any of the elements (a problem, its sequential) or on the whole course."""
    return code in course.silence or any(code in element.silence for element in elements)


def _warn(code: str, message: str, loc: Location | None, course: Course) -> Diagnostic:
    return Diagnostic(code, message, loc or course.loc)


# ------------------------------------------------------------------------------------------------- the run


def run_ended(course: Course, now: datetime) -> list[Diagnostic]:
    if course.end is None or course.end > now or silenced(W301.code, course):
        return []
    return [_warn(W301.code, _("the course run {run} ended on {end}: learners can no longer enrol or earn the "
                               "certificate; give a new 'run' and dates (in a deployment overlay, --overlay)").format(
        run=course.run, end=course.end.date().isoformat()), course.key_locs.get("end"), course)]


def certificate_signatories(course: Course) -> list[Diagnostic]:
    certificate = course.certificate
    if certificate is None or certificate.signatories or silenced(W302.code, course):
        return []
    return [_warn(W302.code, _("the certificate '{name}' has no signatories: a competency certificate needs someone "
                               "who signs it; add 'signatories' (each with a 'role')").format(name=certificate.name),
                  course.key_locs.get("certificate"), course)]


# ------------------------------------------------------------------------------------------------ the tests


def answer_positions(course: Course, seq: Sequential) -> list[Diagnostic]:
    """W303: the right answer of a test's single-answer problems is mostly in one position."""
    if not seq.is_assessment or silenced(W303.code, course, seq):
        return []
    positions = {p.id: position(p) for p in seq.problems()
                 if isinstance(p, ChoiceProblem) and len(p.correct_ids) == 1 and not p.shuffled
                 and not silenced(W303.code, course, p)}
    if len(positions) < POSITION_MIN_ITEMS:
        return []
    where, count = Counter(positions.values()).most_common(1)[0]
    if count / len(positions) <= POSITION_SHARE:
        return []
    ids = [pid for pid, pos in positions.items() if pos == where]
    return [_warn(W303.code, _(
        "{count} of the {total} single-answer problems of this test have their answer in position {letter} "
        "({share:.0%}; {ids}): learners can score by guessing the position; set 'shuffle: true' on the "
        "sequential, or move some answers").format(
        count=count, total=len(positions), letter=chr(ord("a") + where), share=count / len(positions),
        ids=", ".join(ids)), seq.loc, course)]


def position(problem: ChoiceProblem) -> int:
    return next(i for i, choice in enumerate(problem.choices) if choice.correct)


def graded_hints(course: Course, seq: Sequential) -> list[Diagnostic]:
    """W306: hints help a learner to the answer, which a graded test must not do."""
    if not seq.graded:
        return []
    return [_warn(W306.code, _("a problem of the graded sequential '{seq}' has hints: they lead learners to the "
                               "answer of a test that counts; remove them, or put the problem in a lesson").format(
        seq=seq.id), p.loc, course)
        for p in seq.problems() if p.hints and not silenced(W306.code, course, seq, p)]


def posttest_objectives(course: Course, seq: Sequential) -> list[Diagnostic]:
    """W307: a posttest problem should say which learning objective it measures."""
    if seq.kind != "posttest":
        return []
    return [_warn(W307.code, _("this posttest problem names no learning objective: give it 'objective:' with the "
                               "id of the chapter objective it measures"), p.loc, course)
            for p in seq.problems() if not p.objective and not silenced(W307.code, course, seq, p)]


def _problems_of(course: Course, kind: str) -> Iterator[tuple[Sequential, Problem]]:
    for _chapter, seq in course.sequentials():
        if seq.kind == kind:
            for problem in seq.problems():
                yield seq, problem


def normalise(text: str) -> str:
    """A stem as compared: Unicode-normalised, case-folded, Markdown and punctuation dropped, spaces collapsed.
    Digits stay, so a question about another number is another question."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


def similarity(a: str, b: str) -> tuple[float, float]:
    """(difflib ratio, Jaccard index of the word sets) of two normalised stems."""
    words_a, words_b = set(a.split()), set(b.split())
    jaccard = len(words_a & words_b) / len(words_a | words_b) if words_a | words_b else 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(), jaccard


def near_identical(a: str, b: str) -> bool:
    ratio, jaccard = similarity(a, b)
    return ratio >= SIMILAR_RATIO and jaccard >= SIMILAR_JACCARD


def posttest_repeats_pretest(course: Course) -> list[Diagnostic]:
    """W304: a posttest problem asking what a pretest problem asked, almost word for word."""
    if silenced(W304.code, course):
        return []
    pretest = [(seq, p, normalise(p.question_markdown)) for seq, p in _problems_of(course, "pretest")
               if p.question_markdown.strip() and not silenced(W304.code, course, seq, p)]
    found = []
    for seq, problem in _problems_of(course, "posttest"):
        if not problem.question_markdown.strip() or silenced(W304.code, course, seq, problem):
            continue
        stem = normalise(problem.question_markdown)
        twin = next((p for _s, p, text in pretest if near_identical(stem, text)), None)
        if twin is not None:
            found.append(_warn(W304.code, _(
                "this posttest question is nearly the same as pretest question '{id}' ({where}): learners "
                "answer it from memory of the pretest; ask about the same skill another way (another case, other "
                "numbers)").format(id=twin.id, where=twin.loc), problem.loc, course))
    return found


def unreachable_cutoff(course: Course) -> list[Diagnostic]:
    """W305: graded sequentials whose problems weigh nothing (or a pool that draws only weightless problems)
    count as zeros, which can put the pass cutoff out of reach. (E113 covers a cutoff out of reach because of
    the grading formats' counts alone.)"""
    policy = course.grading
    graded = [seq for _c, seq in course.sequentials() if seq.graded]
    empty = [seq for seq in graded if possible_points(seq) <= 0]
    if not empty or silenced(W305.code, course, *empty):
        return []
    best = sum(f.weight * _best(f, graded) for f in policy.formats)
    if best + 1e-9 >= policy.pass_cutoff:
        return []
    return [_warn(W305.code, _(
        "the pass cutoff {cutoff:g} cannot be reached: the best possible grade is {best:.2f}, because the graded "
        "sequential(s) {ids} can score no points (their problems weigh 0); give their problems a weight").format(
        cutoff=policy.pass_cutoff, best=best, ids=", ".join(f"'{s.id}'" for s in empty)),
        course.key_locs.get("grading") or empty[0].loc, course)]


def possible_points(seq: Sequential) -> float:
    """The most a learner can score in one attempt: every problem outside pools, and the K heaviest problems of
    each pool drawing K."""
    total = 0.0
    for unit in seq.units:
        if unit.pool_draw is not None:
            total += sum(sorted((p.weight for p in unit.pool), reverse=True)[:unit.pool_draw])
        else:
            total += sum(b.weight for b in unit.blocks if b.is_problem)
    return total


def _best(fmt: GradedFormat, graded: Iterable[Sequential]) -> float:
    """The format's best average, counting sequentials that can score nothing as zeros (as Open edX does)."""
    of_format = [seq for seq in graded if seq.format == fmt.type]
    scoring = sum(1 for seq in of_format if possible_points(seq) > 0)
    # Missing sequentials (up to min_count) count as zeros, then the drop_count lowest scores are dropped
    kept = max(len(of_format), fmt.min_count) - fmt.drop_count
    return min(scoring, kept) / kept if kept > 0 else 0.0
