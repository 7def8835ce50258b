"""What the player needs at run time, per SCO: its settings JSON, and the limits the LMS data model sets on it.

The settings carry the answer keys (the player scores offline), the pass mark as the SCORM version states it,
the page ids (bookmarks) and the interaction patterns. `largest_state` builds the longest cmi.suspend_data the
player can ever write for a SCO, in exactly the layout player.js uses, so the exporter can refuse a SCORM 1.2
package whose state could outgrow the 4,096 characters spec-strict LMSs enforce.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from decimal import Decimal
from typing import Any

from pamong_edx.course.model import ChoiceProblem, Course, NumericalProblem, TextProblem
from pamong_edx.diagnostics import Diagnostic, register
from pamong_edx.exporters.scorm_plan import Sco, ScoQuestion
from pamong_edx.player.lang import LanguagePack
from pamong_edx.player.render import NUMBER_MAXLENGTH, TEXT_MAXLENGTH

SUSPEND_LIMIT = {"1.2": 4096, "2004": 64000}  # CMIString4096; 2004 4th edition SPM
LOCATION_LIMIT = {"1.2": 255, "2004": 1000}
MAX_ATTEMPTS_KEPT = 999  # player.js caps the attempt counter it saves
PATTERNS_KEPT = 10  # correct_responses the 2004 fill-in type allows at least
IDENTIFIER = re.compile(r"[\x21-\x7e]{1,255}\Z")  # 1.2 CMIIdentifier without spaces; fits 2004 too
DECIMAL_2004 = re.compile(r"-?\d{1,10}(\.\d{1,18})?\Z")

# The UI strings player.js shows itself; the templates render the rest.
SCRIPT_STRINGS = (
    "page_of", "attempts_left", "no_attempts_left", "choose_answer", "enter_answer", "not_a_number", "correct",
    "incorrect", "try_again", "correct_answer", "answered_of", "finished", "your_score", "passed", "failed",
    "pass_mark", "video_offline", "video_error", "transcript",
)


def mastery_score(cutoff: float) -> int:
    """SCORM 1.2 adlcp:masteryscore: the cutoff as a whole percentage, halves rounded up (0.725 -> 73)."""
    return min(100, max(0, math.floor(cutoff * 100 + 0.5 + 1e-9)))


def decimal_text(value: float) -> str:
    """A plain decimal, never in exponent form: 1e-05 -> "0.00001", 40.0 -> "40"."""
    text = format(Decimal(repr(round(value, 10))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fingerprint(sco: Sco) -> str:
    """Changes when pages, questions or choices change, so a state saved by another version is not misread."""
    shape = [[p.unit.id for p in sco.pages], [
        [q.problem.id, q.problem.type, [c.id for c in getattr(q.problem, "choices", [])]] for q in sco.questions
    ]]
    return hashlib.sha256(json.dumps(shape, separators=(",", ":")).encode()).hexdigest()[:8]


def question_config(q: ScoQuestion) -> dict[str, Any]:
    p = q.problem
    cfg: dict[str, Any] = {
        "id": p.id, "weight": p.weight, "maxAttempts": max(0, p.max_attempts),
        "scored": q.scored, "required": q.required,
    }
    if isinstance(p, ChoiceProblem):
        widget = {"single_choice": "radio", "multiple_choice": "checkbox", "dropdown": "select"}[p.type]
        correct = p.correct_ids
        cfg.update(kind="choice", widget=widget, choices=[c.id for c in p.choices], correct=correct,
                   interaction="choice", patterns12=[",".join(correct)] if correct else [],
                   patterns2004=["[,]".join(correct)] if correct else [])
    elif isinstance(p, NumericalProblem):
        allowed = abs(p.answer) * p.tolerance / 100 if p.tolerance_is_percent else p.tolerance
        exact = decimal_text(p.answer)
        span = exact if allowed == 0 else f"{decimal_text(p.answer - allowed)}[:]{decimal_text(p.answer + allowed)}"
        bounds = span.split("[:]")
        cfg.update(kind="numeric", answer=p.answer, tolerance=p.tolerance, percent=p.tolerance_is_percent,
                   unit=p.unit, interaction="numeric", patterns12=[exact],
                   patterns2004=[span] if all(DECIMAL_2004.match(b) for b in bounds) else [])
    elif isinstance(p, TextProblem):
        answers = [a.strip() for a in p.answers if a.strip()]
        prefix = "{case_matters=true}" if p.case_sensitive else ""
        bag = [a.replace("[,]", ", ").replace("{", "(").replace("}", ")")[:250] for a in answers]
        cfg.update(kind="text", answers=answers, caseSensitive=p.case_sensitive, interaction="fill-in",
                   patterns12=[a[:255] for a in answers[:PATTERNS_KEPT]],
                   patterns2004=[prefix + a for a in dict.fromkeys(b.strip() for b in bag[:PATTERNS_KEPT]) if a])
    else:  # plan_course only lets the native problem types through
        raise TypeError(f"not a native problem type: {p.type}")
    return cfg


def sco_config(course: Course, sco: Sco, version: str, lang: LanguagePack) -> dict[str, Any]:
    pass_mark = None
    if sco.pass_mark is not None:
        pass_mark = mastery_score(sco.pass_mark) / 100 if version == "1.2" else sco.pass_mark
    return {
        "version": version,
        "storageKey": f"pamong:{course.slug}:{sco.key}",
        "fingerprint": fingerprint(sco),
        "passMark": pass_mark,
        "pages": [p.unit.id for p in sco.pages],
        "questions": [question_config(q) for q in sco.questions],
        "language": lang.language,
        "strings": {k: lang.strings[k] for k in SCRIPT_STRINGS},
        "decimalSeparator": lang.decimal_separator,
        "groupSeparator": lang.group_separator,
        "exampleNumber": lang.example_number(),
        "limits": {"text": TEXT_MAXLENGTH, "numeric": NUMBER_MAXLENGTH},
    }


def _largest_response(q: ScoQuestion) -> str:
    p = q.problem
    if isinstance(p, ChoiceProblem):
        if p.type == "multiple_choice":
            return ",".join(str(i) for i in range(len(p.choices)))
        return str(max(len(p.choices) - 1, 0))
    if isinstance(p, NumericalProblem):
        return "9" * NUMBER_MAXLENGTH
    return '"' * TEXT_MAXLENGTH  # every character escaped in JSON: the longest a typed answer can get


def largest_state(sco: Sco) -> str:
    """The longest cmi.suspend_data player.js can write for this SCO (all pages seen, every answer at its
    longest, every attempt used), in player.js's layout."""
    n = len(sco.pages)
    seen = "f" * (n // 4) + (format((1 << (n % 4)) - 1, "x") if n % 4 else "")
    rows = [
        [q.index, min(q.problem.max_attempts, MAX_ATTEMPTS_KEPT) if q.problem.max_attempts > 0 else MAX_ATTEMPTS_KEPT,
         _largest_response(q)]
        for q in sco.questions
    ]
    return json.dumps({"f": fingerprint(sco), "u": seen, "q": rows}, ensure_ascii=False, separators=(",", ":"))


register("S101", "suspend-data-too-large", "a SCO whose saved progress can outgrow cmi.suspend_data")
register("S102", "bookmark-too-long", "a unit id longer than the SCORM bookmark holds")
register("S103", "bad-interaction-id", "a problem id that cannot be a SCORM interaction id")
register("S104", "empty-sco", "a SCO with no units")
register("S105", "no-language-pack", "a course language the player has no pack for")
register("S106", "manifest-check-failed", "a manifest that fails its own checks (a bug of the exporter)")


def check_limits(sco: Sco, version: str) -> list[Diagnostic]:
    """Everything of this SCO that the version's data model cannot hold, located."""
    problems = []
    limit = SUSPEND_LIMIT[version]
    size = len(largest_state(sco))
    if size > limit:
        several = len({id(p.sequential) for p in sco.pages}) > 1
        advice = "use --sco-per sequential" if several else "split the sequential into smaller ones"
        problems.append(Diagnostic("S101",
            f"the saved progress of '{sco.key}' ({len(sco.pages)} pages, "
            f"{len(sco.questions)} questions) can reach {size:,} characters, over the {limit:,} SCORM {version} "
            f"allows in cmi.suspend_data; {advice}" + (", or build scorm2004" if version == "1.2" else ""),
            sco.loc))
    for page in sco.pages:
        if len(page.unit.id) > LOCATION_LIMIT[version]:
            problems.append(Diagnostic("S102",
                f"unit id '{page.unit.id[:40]}…' is longer than the "
                f"{LOCATION_LIMIT[version]} characters a SCORM {version} bookmark holds; give it a shorter id",
                page.unit.loc))
    for q in sco.questions:
        if not IDENTIFIER.match(q.problem.id):
            problems.append(Diagnostic("S103",
                f"problem id '{q.problem.id}' cannot be a SCORM "
                f"interaction id (1-255 printable ASCII characters, no spaces); give it an id of letters, digits, "
                f"'_' and '-'", q.problem.loc))
    return problems
