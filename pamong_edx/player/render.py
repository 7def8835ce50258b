"""Rendering the player: one HTML document per SCO from Jinja2 templates, plus the package's shared CSS and JS.

The same templates serve SCORM 1.2 and 2004; only the JSON settings embedded in each page differ (which API to
look for, the pass mark as that version states it). The JS file is the SCORM adapter followed by the player;
each block's HTML and each question type's script come from the block's type (pamong_edx/player/qtype.py).
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
TYPE_SCRIPTS = "player/types"  # the question types' scripts, packaged when the course uses them



@dataclass
class QuestionView:
    """Where a block sits, as its type's renderer sees it (`q` in its template)."""

    index: int = -1  # a problem's position among the SCO's questions (the player's question index); -1 otherwise
    number: int = 0  # shown as "Question <number>" (the player renumbers after a pool's draw)
    page_title: str = ""


@dataclass
class BlockView:
    block: Block
    html: Markup  # the block's HTML from its type; for a problem, the answer area inside the question frame
    question: QuestionView | None = None  # set for problems


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
        auto_reload=False,  # the templates do not change while a build runs
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
    *, sco: ScoView, pages: list[PageView], course_title: str, lang: LanguagePack, config: dict[str, Any],
    scripts: list[str] = (),
) -> str:
    """The SCO's page; `scripts` are the package paths of the question types' scripts it needs, in load order."""
    template = environment().get_template("sco.html.j2")
    return template.render(
        sco=sco,
        pages=pages,
        course_title=course_title,
        lang=lang.language,
        t=lang.strings,
        static={"css": STATIC_CSS, "js": STATIC_JS},
        scripts=list(scripts),
        config_json=Markup(script_json(config)),
    )

