"""The course model: what every exporter and LMS backend sees.

YAML is read once by the loader into these types; nothing downstream touches YAML. Identifiers are stable
(explicit `id:` or derived from the path of titles), which is what lets a re-import update a course in place.

Hierarchy: Course -> Chapter -> Sequential -> Unit -> Block. Blocks are typed by their block plugin; the
built-in types are the dataclasses below, and a third-party block type may define its own Block subclass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import ClassVar, Iterator, Literal

from pamong_edx.course.richtext import EMPTY, RichText
from pamong_edx.diagnostics import Location

__all__ = ["Location"]  # where model elements were written: the one Location of every diagnostic


@dataclass
class Asset:
    """A file under the course's assets/ directory, referenced by its path relative to assets/."""

    name: str  # relative to assets/, with forward slashes, e.g. "img/struktur.svg"
    path: Path  # absolute path on disk

    @property
    def size(self) -> int:
        return self.path.stat().st_size


# ---------------------------------------------------------------------------------------------------- blocks


ShowAnswer = Literal["never", "after_last_attempt", "after_passing", "always"]
SHOW_ANSWER: tuple[str, ...] = ("never", "after_last_attempt", "after_passing", "always")
Level = Literal["", "applied", "recall"]


@dataclass
class Block:
    """Base of every block. `type` is the block plugin's name (e.g. "text", "single_choice").

    `silence` maps lint codes silenced on this block to the author's reason (`silence:` in the source)."""

    id: str
    type: str
    title: str
    loc: Location
    silence: dict[str, str] = field(default_factory=dict)

    is_problem: ClassVar[bool] = False


@dataclass
class TextBlock(Block):
    markdown: str = ""
    html: RichText = EMPTY  # rendered from markdown by the loader; asset links are references
    assets: list[str] = field(default_factory=list)  # asset names the text references


@dataclass
class VideoBlock(Block):
    youtube_id: str = ""
    mp4_url: str = ""  # an https URL of an MP4 file
    transcript: str = ""  # asset name of an .srt/.vtt transcript, if any
    duration: str = ""  # "HH:MM:SS", informational
    mp4_asset: str = ""  # asset name of an MP4 file shipped with the course (then mp4_url is "")


@dataclass
class DiscussionBlock(Block):
    prompt_markdown: str = ""
    prompt_html: RichText = EMPTY
    category: str = ""  # defaults to the chapter title
    target: str = ""  # defaults to the unit title


@dataclass
class Choice:
    id: str
    text: RichText  # inline Markdown rendered (no block wrapper)
    correct: bool = False
    hint: RichText = EMPTY  # feedback shown when this choice is selected
    fixed: bool = False  # keeps its place when the choices are shuffled (e.g. "all of the above")


@dataclass
class Problem(Block):
    """Common to every problem type. Scores are 0..weight; `max_attempts` 0 means unlimited."""

    question_html: RichText = EMPTY
    question_markdown: str = ""
    explanation_html: RichText = EMPTY
    hints: list[RichText] = field(default_factory=list)  # progressive hints (inline)
    max_attempts: int = 0
    weight: float = 1.0
    objective: str = ""  # the id of the learning objective it measures (declared in a chapter's objectives)
    level: Level = ""  # "applied" (a village case to judge or compute), "recall", or "" when not stated

    is_problem: ClassVar[bool] = True


@dataclass
class ChoiceProblem(Problem):
    """single_choice (radio), multiple_choice (checkboxes) and dropdown (select)."""

    choices: list[Choice] = field(default_factory=list)
    shuffle: bool = False  # the problem's `shuffle`, else its sequential's

    @property
    def shuffled(self) -> bool:
        """Whether the order shown can differ from the order written (some choice is free to move)."""
        return self.shuffle and sum(not c.fixed for c in self.choices) > 1

    @property
    def correct_ids(self) -> list[str]:
        return [c.id for c in self.choices if c.correct]


@dataclass
class NumericalProblem(Problem):
    answer: float = 0.0
    tolerance: float = 0.0  # absolute, or a fraction of the answer when tolerance_is_percent
    tolerance_is_percent: bool = False
    unit: str = ""  # shown after the input, e.g. "%", "Rp"

    def accepts(self, value: float) -> bool:
        allowed = abs(self.answer) * self.tolerance / 100 if self.tolerance_is_percent else self.tolerance
        return abs(value - self.answer) <= allowed + 1e-12


@dataclass
class TextProblem(Problem):
    answers: list[str] = field(default_factory=list)  # the first is the canonical answer
    case_sensitive: bool = False

    def accepts(self, value: str) -> bool:
        norm = (lambda s: " ".join(s.split())) if self.case_sensitive else (lambda s: " ".join(s.split()).casefold())
        return norm(value) in {norm(a) for a in self.answers}


# ---------------------------------------------------------------------------------------------------- structure


SequentialKind = Literal["lesson", "pretest", "quiz", "posttest"]


@dataclass
class Unit:
    """One page. With `pool_draw` K, the unit is a question pool: each attempt draws K of its N problems (a
    leading text block, when there is one, is shown with every draw)."""

    id: str
    title: str
    loc: Location
    blocks: list[Block] = field(default_factory=list)
    pool_draw: int | None = None

    @property
    def pool(self) -> list[Problem]:
        """The problems drawn from when this unit is a pool, else an empty list."""
        return [b for b in self.blocks if b.is_problem] if self.pool_draw is not None else []


def default_show_answer(kind: str) -> ShowAnswer:
    """When learners see answers and explanations unless the sequential says: a pretest never gives them away,
    a posttest only after the last attempt; lessons and quizzes are for practice."""
    return {"pretest": "never", "posttest": "after_last_attempt"}.get(kind, "always")  # type: ignore[return-value]


@dataclass
class Sequential:
    id: str
    title: str
    loc: Location
    kind: SequentialKind = "lesson"
    graded: bool = False
    format: str = ""  # a grader type of the grading policy when graded, e.g. "Posttest"
    due: datetime | None = None
    units: list[Unit] = field(default_factory=list)
    max_attempts: int | None = None  # as stated on the sequential (its problems already carry the default)
    shuffle: bool = False  # the default `shuffle` of its choice problems
    show_answer: ShowAnswer | Literal[""] = ""  # stated, else (when left "") the kind's default_show_answer
    silence: dict[str, str] = field(default_factory=dict)  # lint code -> reason

    def __post_init__(self) -> None:
        if not self.show_answer:
            self.show_answer = default_show_answer(self.kind)

    @property
    def is_assessment(self) -> bool:
        return self.kind != "lesson"

    def problems(self) -> list[Problem]:
        return [b for u in self.units for b in u.blocks if b.is_problem]


@dataclass
class Objective:
    """A learning objective of a chapter; problems name it in `objective`. Ids are unique in the course."""

    id: str
    text: str
    loc: Location


@dataclass
class Chapter:
    id: str
    title: str
    loc: Location
    start: datetime | None = None
    sequentials: list[Sequential] = field(default_factory=list)
    objectives: list[Objective] = field(default_factory=list)


@dataclass
class GradedFormat:
    type: str  # e.g. "Posttest"; a graded sequential's `format` names one of these
    short_label: str
    weight: float
    min_count: int = 1
    drop_count: int = 0


@dataclass
class GradingPolicy:
    formats: list[GradedFormat] = field(default_factory=list)
    pass_cutoff: float = 0.5  # fraction 0..1

    def format(self, type_: str) -> GradedFormat | None:
        return next((f for f in self.formats if f.type == type_), None)

    def counts(self, type_: str) -> bool:
        """Whether a sequential graded with this format counts towards the grade. A weight-0 format (the
        bundled courses' Pretest) is scored on Open edX, so its score can be read, but counts for nothing."""
        fmt = self.format(type_)
        return fmt is not None and fmt.weight > 0


@dataclass
class Signatory:
    """`role` is the key a deployment overlay uses to give the person's name; course sources name no one."""

    name: str
    title: str
    organization: str = ""
    role: str = ""


@dataclass
class Certificate:
    name: str
    description: str = ""
    signatories: list[Signatory] = field(default_factory=list)


@dataclass
class Course:
    org: str
    number: str
    run: str
    title: str
    language: str  # BCP 47 primary tag, e.g. "id" or "en"
    root: Path  # the course directory
    loc: Location
    start: datetime | None = None
    end: datetime | None = None
    self_paced: bool = True
    short_description: str = ""
    overview_markdown: str = ""
    overview_html: RichText = EMPTY
    image: str = ""  # asset name of the course image
    grading: GradingPolicy = field(default_factory=GradingPolicy)
    certificate: Certificate | None = None
    max_size: int | None = None  # bytes; packages larger than this fail the build
    chapters: list[Chapter] = field(default_factory=list)
    assets: dict[str, Asset] = field(default_factory=dict)  # every file under assets/, by name
    silence: dict[str, str] = field(default_factory=dict)  # lint code -> reason, for the whole course
    # Where each top-level key was written (course.yaml, or the deployment overlay that set it), so that a check
    # of the whole course (a lint) points at the line to change.
    key_locs: dict[str, Location] = field(default_factory=dict)
    overlay: str = ""  # the deployment overlay applied, "<file name> sha256:<first 12 hex>"; packages record it

    @property
    def course_key(self) -> str:
        return f"course-v1:{self.org}+{self.number}+{self.run}"

    @property
    def slug(self) -> str:
        """The file stem for built packages: <org>-<number>-<run>."""
        return f"{self.org}-{self.number}-{self.run}"

    def sequentials(self) -> Iterator[tuple[Chapter, Sequential]]:
        for chapter in self.chapters:
            for seq in chapter.sequentials:
                yield chapter, seq

    def blocks(self) -> Iterator[Block]:
        for chapter in self.chapters:
            for seq in chapter.sequentials:
                for unit in seq.units:
                    yield from unit.blocks

    def problems(self) -> Iterator[Problem]:
        return (b for b in self.blocks() if b.is_problem)

    def objectives(self) -> Iterator[Objective]:
        for chapter in self.chapters:
            yield from chapter.objectives
