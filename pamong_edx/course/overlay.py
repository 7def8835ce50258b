"""Per-deployment overlays: one course, run by several provinces, each with its own run, dates and signatories.

    pamong build course_src/pengelolaan-keuangan-desa --overlay deploy/lampung-2027.yaml

    course: PKD101                 # optional; when given it must equal the course's `number`
    run: 2027_T1
    org: PamongDesa
    start: 2027-01-04
    end: 2027-12-31
    grading:
      cutoff: 0.7
    max_attempts: 2                # every problem of the graded sequentials
    certificate:
      signatories:
        dirjen:                    # a signatory's `role` in course.yaml
          name: "..."

Only these keys may be set (anything else is E101, located in the overlay); values are checked as the loader
checks course.yaml (E103, E105), and against the course they are applied to (the course number, a role the
certificate has, `end` after `start`). The overlaid course records which overlay it came from (`Course.overlay`),
and the packages name it. Signatories' names live in overlays, never in course sources.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pamong_edx.course.assets import CourseDir
from pamong_edx.course.codes import did_you_mean
from pamong_edx.course.context import LoadContext
from pamong_edx.course.ids import is_valid_id
from pamong_edx.course.model import Course
from pamong_edx.course.yamlsource import Fields, MappingNode, kind
from pamong_edx.diagnostics import Diagnostic, Location
from pamong_edx.i18n import _

KEYS = ("course", "run", "org", "start", "end", "grading", "max_attempts", "certificate")
MAX_COURSE_KEY_PARTS = 65  # Studio's limit on org + number + run


@dataclass
class Overlay:
    """An overlay file as read: the values it sets, and where each was written (for diagnostics)."""

    path: Path
    digest: str  # sha256 of the file
    ctx: LoadContext = field(repr=False)
    number: str | None = None
    run: str | None = None
    org: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    cutoff: float | None = None
    max_attempts: int | None = None
    signatories: dict[str, str] = field(default_factory=dict)  # role -> name
    locs: dict[str, Location] = field(default_factory=dict)  # "run", "grading", "signatory:<role>" -> location

    @property
    def label(self) -> str:
        """How packages name it: the file name and the start of its sha256."""
        return f"{self.path.name} sha256:{self.digest[:12]}"

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """The overlay's own problems, found reading it (those against a course come from apply_overlay)."""
        return self.ctx.diagnostics


def read_overlay(path: str | Path) -> Overlay:
    """Read and check an overlay file on its own; its problems are in `overlay.diagnostics`."""
    path = Path(path)
    ctx = LoadContext(CourseDir.at(path.parent), {})
    ctx.file = path
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        digest = ""  # compose() below says why the file cannot be read
    overlay = Overlay(path=path, digest=digest, ctx=ctx)
    node = ctx.compose(path, _("the overlay"))
    if node is None:
        return overlay
    f = ctx.fields(node, KEYS, _("an overlay (which may set only {keys})").format(keys=", ".join(KEYS)))
    if f is None:
        return overlay
    overlay.locs = {key: f.loc_of(key) for key in f}
    overlay.number = ctx.string(f, "course") or None
    for key in ("run", "org"):
        value = ctx.string(f, key)
        if value and not is_valid_id(value):
            ctx.error("E105", _("'{key}' may hold only letters, digits, _ and -, not '{value}'").format(
                key=key, value=value), f.get(key))
        elif value:
            setattr(overlay, key, value)
    overlay.start = ctx.date(f, "start")
    overlay.end = ctx.date(f, "end")
    if overlay.start and overlay.end and overlay.end <= overlay.start:
        ctx.error("E105", _("'end' must be after 'start'"), f.get("end"))
    if f.given("max_attempts"):
        overlay.max_attempts = ctx.integer(f, "max_attempts", 0)
    _grading(overlay, f)
    _certificate(overlay, f)
    return overlay


def _grading(overlay: Overlay, f: Fields) -> None:
    ctx = overlay.ctx
    node = ctx.value(f, "grading")
    g = ctx.fields(node, ("cutoff",), _("'grading' of an overlay (which may set only cutoff)")
                   ) if node is not None else None
    if g is None or not g.given("cutoff"):
        return
    before = len(ctx.diagnostics)
    cutoff = ctx.number(g, "cutoff", 0.0)
    if len(ctx.diagnostics) > before:
        return
    if not 0 < cutoff <= 1:
        ctx.error("E105", _("cutoff must be above 0 and at most 1, not {value:g}").format(value=cutoff), g.get("cutoff"))
        return
    overlay.cutoff = cutoff
    overlay.locs["cutoff"] = g.loc_of("cutoff")


def _certificate(overlay: Overlay, f: Fields) -> None:
    ctx = overlay.ctx
    node = ctx.value(f, "certificate")
    c = ctx.fields(node, ("signatories",), _("'certificate' of an overlay (which may set only signatories)")
                   ) if node is not None else None
    signatories = ctx.value(c, "signatories") if c is not None else None
    if signatories is None:
        return
    if not isinstance(signatories, MappingNode):
        ctx.error("E103", _("'signatories' of an overlay must map each signatory's role to its name, found "
                            "{found}").format(found=kind(signatories)), signatories)
        return
    for key_node, value_node in signatories.value:
        role = str(key_node.value)
        s = ctx.fields(value_node, ("name",), _("signatory '{role}' of an overlay (which may set only name)").format(
            role=role))
        name = ctx.string(s, "name", required=True) if s is not None else ""
        if name:
            overlay.signatories[role] = name
            overlay.locs[f"signatory:{role}"] = ctx.location(key_node)


def apply_overlay(course: Course, overlay: Overlay) -> list[Diagnostic]:
    """Check the overlay against the course and, when it fits, merge it into the course. Returns the problems
    found (located in the overlay); the course is changed only when neither these nor the overlay's own
    problems (`overlay.diagnostics`, from reading it) hold an error."""
    read_errors = any(d.is_error for d in overlay.diagnostics)
    ctx = overlay.ctx
    before = len(ctx.diagnostics)

    def error(message: str, key: str) -> None:
        ctx.error("E105", message, overlay.locs.get(key, Location(overlay.path, 1, 1)))

    if overlay.number is not None and overlay.number != course.number:
        error(_("this overlay is for course '{given}', not '{number}' (the number in {file})").format(
            given=overlay.number, number=course.number, file=course.loc.file.name), "course")
    org, run = overlay.org or course.org, overlay.run or course.run
    if len(org) + len(course.number) + len(run) > MAX_COURSE_KEY_PARTS:
        error(_("org, number and run are {n} characters together; Open edX allows at most {max}").format(
            n=len(org) + len(course.number) + len(run), max=MAX_COURSE_KEY_PARTS), "run" if overlay.run else "org")
    start, end = overlay.start or course.start, overlay.end or course.end
    if start and end and end <= start and not (overlay.start and overlay.end):  # both given: already reported
        error(_("'end' ({end}) must be after 'start' ({start}); one of them comes from {file}").format(
            end=end.date().isoformat(), start=start.date().isoformat(), file=course.loc.file.name),
            "end" if overlay.end else "start")
    roles = {s.role: s for s in course.certificate.signatories if s.role} if course.certificate else {}
    for role in overlay.signatories:
        if course.certificate is None:
            error(_("the course has no certificate whose signatories an overlay could name"), f"signatory:{role}")
            break
        if role not in roles:
            known = ", ".join(sorted(roles)) or _("none")
            error(_("the certificate has no signatory with role '{role}'{hint}; its roles: {known}").format(
                role=role, hint=did_you_mean(role, roles), known=known), f"signatory:{role}")
    found = ctx.diagnostics[before:]
    del ctx.diagnostics[before:]  # `overlay.diagnostics` stays the overlay's own problems, whatever it meets
    if read_errors or any(d.is_error for d in found):
        return found
    _merge(course, overlay, roles)
    return found


def _merge(course: Course, overlay: Overlay, roles: dict) -> None:
    for key in ("run", "org", "start", "end"):
        value = getattr(overlay, key)
        if value is not None:
            setattr(course, key, value)
            course.key_locs[key] = overlay.locs[key]
    if overlay.cutoff is not None:
        course.grading.pass_cutoff = overlay.cutoff
        course.key_locs["grading"] = overlay.locs["cutoff"]
    if overlay.max_attempts is not None:
        for _chapter, seq in course.sequentials():
            if seq.graded:
                seq.max_attempts = overlay.max_attempts
                for problem in seq.problems():
                    problem.max_attempts = overlay.max_attempts
    for role, name in overlay.signatories.items():
        roles[role].name = name
    course.overlay = overlay.label


def overlay_courses(courses: list[Course], path: str | Path) -> tuple[list[Course], list[Diagnostic]]:
    """Apply the overlay file at `path` to each course; (the courses it applied to cleanly, every problem)."""
    overlay = read_overlay(path)
    diagnostics = list(overlay.diagnostics)
    fitted = []
    for course in courses:
        found = apply_overlay(course, overlay)
        diagnostics += found
        if course.overlay == overlay.label:
            fitted.append(course)
    return fitted, diagnostics
