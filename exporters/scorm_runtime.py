"""What the player needs at run time, per SCO: its settings JSON, and the limits the LMS data model sets on it.

The settings carry each question's type settings (from its type's "scorm" renderer: the answer key, the player
scores offline), its interaction data in the package's SCORM version, the answer policy, the pools, the pass
mark as the version states it and the page ids (bookmarks). `largest_state` builds the longest
cmi.suspend_data the player can ever write for a SCO, in exactly the layout player.js uses, so the exporter can
refuse a SCORM 1.2 package whose state could outgrow the 4,096 characters spec-strict LMSs enforce.

The interaction values checked here follow the stricter of each version's specification and Moodle's runtime
(mod/scorm/datamodels/scorm_12.js and scorm_13.js): identifiers and weights (the player writes 2004's
description, the question's text, within the 250 characters a localized string keeps).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any

from pamong_edx.course.model import Course
from pamong_edx.diagnostics import Diagnostic, register
from pamong_edx.exporters.scorm_plan import Sco, ScoQuestion
from pamong_edx.i18n import _
from pamong_edx.player.lang import LanguagePack
from pamong_edx.player.qtype import PlayerContext

SUSPEND_LIMIT = {"1.2": 4096, "2004": 64000}  # CMIString4096; 2004 4th edition SPM
LOCATION_LIMIT = {"1.2": 255, "2004": 1000}
MAX_ATTEMPTS_KEPT = 999  # player.js caps the attempt counter it saves
IDENTIFIER = re.compile(r"[\x21-\x7e]{1,255}\Z")  # 1.2 CMIIdentifier without spaces; fits 2004 too
WEIGHT = {"1.2": re.compile(r"[0-9]{0,3}(\.[0-9]*)?\Z"), "2004": re.compile(r"[0-9]{1,5}(\.[0-9]{1,18})?\Z")}
WEIGHT_MAX = {"1.2": 100, "2004": 99999}  # Moodle's 1.2 weighting range; 2004's CMIDecimal digits
LARGEST_TIME = 10**13 - 1  # "t": a time in milliseconds, 13 digits until the year 2286
LARGEST_SEED = 2**32 - 1  # "r": an unsigned 32-bit seed

# The UI strings player.js and the types' scripts show themselves; the templates render the rest.
SCRIPT_STRINGS = (
    "page_of", "question_n", "attempts_left", "no_attempts_left", "choose_answer", "enter_answer", "not_a_number",
    "correct", "incorrect", "try_again", "correct_answer", "answered_of", "finished", "your_score", "passed", "failed",
    "pass_mark", "video_offline", "video_error", "transcript", "saved_on_device", "not_yet_sent",
)


def mastery_score(cutoff: float) -> int:
    """SCORM 1.2 adlcp:masteryscore: the cutoff as a whole percentage, halves rounded up (0.725 -> 73)."""
    return min(100, max(0, math.floor(cutoff * 100 + 0.5 + 1e-9)))


def weight_text(weight: float) -> str:
    """The weight as player.js writes it (JavaScript's String of a number)."""
    return str(int(weight)) if float(weight).is_integer() else repr(float(weight))


def fingerprint(sco: Sco) -> str:
    """Changes when pages, questions, choices or pools change, so a state saved by another version is not misread."""
    shape = [[p.unit.id for p in sco.pages], [
        [q.problem.id, q.problem.type, [c.id for c in getattr(q.problem, "choices", [])]] for q in sco.questions
    ], [[pool.unit.id, pool.draw] for pool in sco.pools]]
    return hashlib.sha256(json.dumps(shape, separators=(",", ":")).encode()).hexdigest()[:8]


def question_config(q: ScoQuestion, ctx: PlayerContext) -> dict[str, Any]:
    p = q.problem
    renderer = ctx.renderer(p)
    interaction = ctx.interaction(p)
    data = {"type": interaction.type, "patterns": interaction.patterns, "objective": p.objective}
    return {
        **renderer.config(p, ctx),
        "id": p.id, "type": p.type, "weight": p.weight, "maxAttempts": max(0, p.max_attempts),
        "scored": q.scored, "required": q.required, "reveal": q.sequential.show_answer, "interaction": data,
    }


def sco_config(course: Course, sco: Sco, ctx: PlayerContext) -> dict[str, Any]:
    pass_mark = None
    if sco.pass_mark is not None:
        pass_mark = mastery_score(sco.pass_mark) / 100 if ctx.version == "1.2" else sco.pass_mark
    lang: LanguagePack = ctx.lang
    return {
        "version": ctx.version,
        "storageKey": f"pamong:{course.slug}:{sco.key}",
        "fingerprint": fingerprint(sco),
        "passMark": pass_mark,
        "pages": [p.unit.id for p in sco.pages],
        "questions": [question_config(q, ctx) for q in sco.questions],
        "pools": [{"id": pool.unit.id, "draw": pool.draw, "questions": pool.questions} for pool in sco.pools],
        "language": lang.language,
        "strings": {k: lang.strings[k] for k in SCRIPT_STRINGS},
        "decimalSeparator": lang.decimal_separator,
    }


def largest_state(sco: Sco, ctx: PlayerContext) -> str:
    """The longest cmi.suspend_data player.js can write for this SCO (all pages seen, every answer at its
    longest, every attempt used; of a pool, its longest `draw` questions), in player.js's layout."""
    n = len(sco.pages)
    seen = "f" * (n // 4) + (format((1 << (n % 4)) - 1, "x") if n % 4 else "")

    def row(q: ScoQuestion) -> list:
        attempts = q.problem.max_attempts
        return [q.index, min(attempts, MAX_ATTEMPTS_KEPT) if attempts > 0 else MAX_ATTEMPTS_KEPT,
                ctx.renderer(q.problem).largest_response(q.problem, ctx)]

    def size(r: list) -> int:
        return len(json.dumps(r, ensure_ascii=False, separators=(",", ":")))

    pooled = {i for pool in sco.pools for i in pool.questions}
    rows = [row(q) for q in sco.questions if q.index not in pooled]
    for pool in sco.pools:
        rows += sorted((row(sco.questions[i]) for i in pool.questions), key=size, reverse=True)[:pool.draw]
    return json.dumps({"f": fingerprint(sco), "t": LARGEST_TIME, "r": LARGEST_SEED, "u": seen, "q": rows},
                      ensure_ascii=False, separators=(",", ":"))


register("S101", "suspend-data-too-large", "a SCO whose saved progress can outgrow cmi.suspend_data")
register("S102", "bookmark-too-long", "a unit id longer than the SCORM bookmark holds")
register("S103", "bad-interaction-id", "a problem id that cannot be a SCORM interaction id")
register("S104", "empty-sco", "a SCO with no units")
register("S105", "no-language-pack", "a course language the player has no pack for")
register("S106", "manifest-check-failed", "a manifest that fails its own checks (a bug of the exporter)")
register("S108", "weight-not-reportable", "a problem weight a SCORM version cannot report as an interaction's weighting")


def check_limits(sco: Sco, ctx: PlayerContext) -> list[Diagnostic]:
    """Everything of this SCO that the version's data model cannot hold, located."""
    version = ctx.version
    problems = []
    limit = SUSPEND_LIMIT[version]
    size = len(largest_state(sco, ctx))
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
        p = q.problem
        if not IDENTIFIER.match(p.id):
            problems.append(Diagnostic("S103",
                f"problem id '{p.id}' cannot be a SCORM "
                f"interaction id (1-255 printable ASCII characters, no spaces); give it an id of letters, digits, "
                f"'_' and '-'", p.loc))
        weight = weight_text(p.weight)
        if p.weight > WEIGHT_MAX[version] or not WEIGHT[version].match(weight):
            problems.append(Diagnostic("S108", _(
                "problem '{id}' weighs {weight}, which SCORM {version} cannot report as an interaction's "
                "weighting (at most {max}{digits}); scale the weights down").format(
                id=p.id, weight=weight, version=version, max=WEIGHT_MAX[version],
                digits=", three decimals" if version == "1.2" else ""), p.loc))
        renderer = ctx.renderer(p)
        problems.extend(renderer.check(p, ctx))
    return problems
