"""Rendering the player: one HTML document per SCO from Jinja2 templates, plus the package's shared CSS and JS.

The same templates serve SCORM 1.2 and 2004; only the JSON settings embedded in each page differ (which API to
look for, the pass mark as that version states it). The JS file is the SCORM adapter followed by the player.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from pamong_edx.course.model import Block
from pamong_edx.player.lang import LanguagePack

STATIC_CSS = "player/pamong.css"
STATIC_JS = "player/pamong.js"

# Longest answers the inputs accept (their maxlength). They bound what a learner's answers add to suspend_data.
TEXT_MAXLENGTH = 64
NUMBER_MAXLENGTH = 24


@dataclass
class QuestionView:
    index: int  # position among the SCO's questions (the player's and suspend_data's question index)
    number: int  # shown as "Question <number>"


@dataclass
class BlockView:
    kind: str  # "text", "video", "discussion", "problem", or "html" for a block plugin's own HTML
    block: Block
    question: QuestionView | None = None
    html: str = ""
    captions: str = ""  # a packaged video's WebVTT captions as a data: URL (see the video macro)


@dataclass
class PageView:
    id: str  # the unit id: the bookmark (lesson_location / location)
    title: str
    crumb: str = ""  # "Chapter › Sequential" when one SCO spans several sequentials
    blocks: list[BlockView] = field(default_factory=list)


@dataclass
class ScoView:
    title: str
    required_questions: int  # questions that must be answered to complete; 0 hides the results box


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("pamong_edx.player", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _static_text(name: str) -> str:
    return resources.files("pamong_edx.player").joinpath("static", name).read_text("utf-8")


@functools.cache
def static_files() -> dict[str, bytes]:
    """The files every package shares, by their path inside the package."""
    js = _static_text("adapter.js") + "\n" + _static_text("player.js")
    return {STATIC_CSS: _static_text("player.css").encode(), STATIC_JS: js.encode()}


def script_json(data: Any) -> str:
    """JSON safe inside <script>: no '<', '>' or '&' that could close the element or start markup."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_sco(
    *, sco: ScoView, pages: list[PageView], course_title: str, lang: LanguagePack, config: dict[str, Any]
) -> str:
    template = environment().get_template("sco.html.j2")
    return template.render(
        sco=sco,
        pages=pages,
        course_title=course_title,
        lang=lang.language,
        t=lang.strings,
        static={"css": STATIC_CSS, "js": STATIC_JS},
        limits={"text": TEXT_MAXLENGTH, "numeric": NUMBER_MAXLENGTH},
        config_json=Markup(script_json(config)),
    )

