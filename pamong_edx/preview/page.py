"""The preview's own pages: the shell (outline, diagnostics, the desktop and phone frames, the record), the LMS
frame each SCO runs in, and the "as Open edX" view. Jinja2 templates in templates/, their words from `_()`.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2
from markupsafe import Markup

from pamong_edx.diagnostics import display_path
from pamong_edx.i18n import _, language
from pamong_edx.player.render import script_json
from pamong_edx.preview.olx_view import UnitView
from pamong_edx.preview.state import SCORM_VERSION, Build, Snapshot, target_of

PHONE = (360, 640)  # the frame of a small phone, CSS pixels


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("pamong_edx.preview", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def strings() -> dict[str, str]:
    """The words of the shell, in the language chosen for messages (`--lang`)."""
    return {
        "outline": _("Outline"),
        "answer_key": _("Answer key"),
        "try_as_learner": _("Try as learner"),
        "try_as_learner_help": _("Start a new attempt with empty answers and score it as the package does"),
        "player": _("Player (SCORM)"),
        "as_openedx": _("As Open edX"),
        "desktop": _("Desktop"),
        "phone": _("Phone {width}×{height}").format(width=PHONE[0], height=PHONE[1]),
        "record": _("What the LMS would record"),
        "completion": _("Completion"),
        "success": _("Success (pass mark {mark})"),
        "score": _("Score"),
        "scaled": _("scaled {value}"),
        "progress": _("Progress"),
        "interactions": _("Interactions"),
        "question": _("Question"),
        "type": _("Type"),
        "response": _("Learner's response"),
        "result": _("Result"),
        "correct_pattern": _("Correct response"),
        "nothing_recorded": _("Nothing recorded yet."),
        "no_key": _("This question type gives no answer key."),
        "errors": _("The course has errors: fix them and save, and this page reloads."),
        "warnings": _("Warnings"),
        "open_block": _("open the block as last built"),
        "connection_lost": _("The preview stopped: start `pamong preview` again and reload this page."),
        "no_scos": _("The course has no sequentials to show."),
        "sco_frame": _("The SCO as the package shows it"),
        "olx_frame": _("The sequential as Open edX shows it"),
    }


def _diagnostic(d, shown: Build | None) -> dict[str, Any]:
    loc = d.location
    where = str(loc) if loc is not None else ""
    target = target_of(shown, loc)
    return {"where": where, "code": d.code, "message": d.message, "hint": d.hint, "severity": d.severity,
            "file": display_path(loc.file) if loc is not None else "", "line": getattr(loc, "line", 0),
            "col": getattr(loc, "col", 0), "target": target}


def shell(snapshot: Snapshot, device: str) -> str:
    shown = snapshot.shown
    course = shown.course if shown else None
    outline = []
    if shown is not None:
        for node in shown.exporter.plan.toc:
            outline.append({"title": node.title, "key": node.key if node.sco else "",
                            "children": [{"title": c.title, "key": c.key} for c in node.children if c.sco]})
    diagnostics = [_diagnostic(d, shown) for d in snapshot.diagnostics]
    settings = {
        "generation": snapshot.generation, "errors": snapshot.has_errors, "device": device,
        "slug": course.slug if course else "", "scos": list(shown.scos) if shown else [],
        "strings": strings(), "phone": PHONE,
    }
    return environment().get_template("shell.html.j2").render(
        t=strings(), lang=language(), course=course, outline=outline, snapshot=snapshot, device=device,
        errors=[d for d in diagnostics if d["severity"] == "error"],
        warnings=[d for d in diagnostics if d["severity"] != "error"],
        settings=Markup(script_json(settings)), phone=PHONE)


def run_frame(build: Build, key: str, device: str, keys: list[str | None], page: str, block: str) -> str:
    """The LMS frame of one SCO: the strict SCORM API (what an LMS records), and the SCO in an inner frame."""
    sco = build.scos[key]
    settings = {"sco": key, "href": sco.href, "device": device, "version": SCORM_VERSION,
                "slug": build.course.slug, "passing": sco.pass_mark, "keys": keys, "page": page, "block": block,
                "strings": {"no_key": _("This question type gives no answer key.")}}
    return environment().get_template("run.html.j2").render(
        t=strings(), lang=language(), title=sco.title, settings=Markup(script_json(settings)))


def olx_page(build: Build, key: str, units: list[UnitView] | None, problems: list) -> str:
    marks = {"correct": _("Correct"), "incorrect": _("Incorrect"),
             "ungraded": _("Not marked here: Open edX grades this response itself.")}
    return environment().get_template("olx.html.j2").render(
        t=strings(), lang=language(), title=build.scos[key].title, course=build.course, units=units or [],
        problems=[_diagnostic(d, build) for d in problems],
        settings=Markup(script_json({"check": f"/olx/{key}/check", "marks": marks})))
