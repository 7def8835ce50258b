"""How the platform turns subsection scores into a course grade, for the imported course's grading policy.

xmodule/graders.py: each GRADER entry is an AssignmentFormatGrader over the graded subsections of its `type`
(their percents, padded with zeros to `min_count`, the lowest `drop_count` dropped, averaged), weighted and
summed; the course percent is rounded to two places and compared with GRADE_CUTOFFS (the highest cutoff
reached names the letter grade, and any cutoff reached passes). Short labels are xmodule/util/misc.py's
default labeler: the grader's `short_label` (its type when absent) and a two-digit running number per type.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

# xmodule/course_block.py: the grading policy of a course that brings none.
DEFAULT_POLICY = {
    "GRADER": [
        {"type": "Homework", "min_count": 12, "drop_count": 2, "short_label": "HW", "weight": 0.15},
        {"type": "Lab", "min_count": 12, "drop_count": 2, "weight": 0.15},
        {"type": "Midterm Exam", "short_label": "Midterm", "min_count": 1, "drop_count": 0, "weight": 0.3},
        {"type": "Final Exam", "short_label": "Final", "min_count": 1, "drop_count": 0, "weight": 0.4},
    ],
    "GRADE_CUTOFFS": {"Pass": 0.5},
}


@dataclass(frozen=True)
class Grading:
    policy: dict  # {"GRADER": [...], "GRADE_CUTOFFS": {...}}
    subsections: list[dict]  # module_id, url_name, display_name, chapter, graded, format, visible, possible

    @property
    def graders(self) -> list[dict]:
        return [g for g in self.policy.get("GRADER", []) if isinstance(g, dict) and g.get("type")]

    @property
    def cutoffs(self) -> dict[str, float]:
        return dict(self.policy.get("GRADE_CUTOFFS") or {})

    def graded(self) -> list[dict]:
        """graded_subsections_for_course: visible subsections marked graded, in course order."""
        return [s for s in self.subsections if s["graded"] and s["visible"]]

    def labels(self) -> dict[str, str | None]:
        """module_id -> the default short label ("EA 01"), None for a format no grader knows."""
        prefixes = {g["type"]: g.get("short_label") or g["type"] for g in self.graders}
        counters: dict[str, int] = {}
        out: dict[str, str | None] = {}
        for sub in self.graded():
            kind = sub["format"]
            if kind not in prefixes:
                out[sub["module_id"]] = None
                continue
            counters[kind] = counters.get(kind, 0) + 1
            out[sub["module_id"]] = f"{prefixes[kind]} {counters[kind]:02d}"
        return out

    def course_grade(self, scores: dict[str, tuple[float, float]]) -> tuple[float, bool, str | None]:
        """(percent, passed, letter_grade) from {module_id: (earned, possible)} of the graded subsections."""
        by_type: dict[str, list[float]] = {}
        for sub in self.graded():
            earned, possible = scores.get(sub["module_id"], (0.0, sub["possible"]))
            by_type.setdefault(sub["format"], []).append(earned / possible if possible else 0.0)
        total = 0.0
        for grader in self.graders:
            total += self.average(grader, by_type.get(grader["type"], [])) * float(grader.get("weight", 0))
        percent = math.floor(total * 100 + 0.05 + 0.5) / 100  # round_away_from_zero(percent * 100 + 0.05) / 100
        percent = min(1.0, max(0.0, percent))
        letter = None
        for name, cutoff in sorted(self.cutoffs.items(), key=lambda item: -float(item[1])):
            if percent >= float(cutoff):
                letter = name
                break
        return percent, letter is not None, letter

    @staticmethod
    def average(grader: dict, percents: list[float]) -> float:
        """AssignmentFormatGrader.grade: padded with zeros to min_count, the lowest drop_count dropped."""
        percents = sorted(percents, reverse=True)
        percents += [0.0] * max(0, int(grader.get("min_count", 0)) - len(percents))
        kept = percents[:len(percents) - int(grader.get("drop_count", 0))] if grader.get("drop_count") else percents
        return sum(kept) / len(kept) if kept else 0.0


def grading_for(structure_json: str | None) -> Grading:
    """The grading of a course as last imported (the platform's default policy before any import)."""
    structure = json.loads(structure_json) if structure_json else {}
    return Grading(structure.get("grading") or DEFAULT_POLICY, list(structure.get("subsections") or []))
