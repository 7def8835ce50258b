"""What a block type gives the SCORM player: its "scorm" renderer (see pamong_edx/renderers.py).

For every block the player asks the type's renderer for an HTML fragment (`html`). For a problem the fragment is
the answer area inside the player's question frame (question, hints, Submit, feedback and explanation are the
player's), and the renderer also gives:

* `config(problem, ctx)`: the settings the type's script needs at run time (the answer key, the choices…);
* `interaction(problem, ctx)`: the SCORM interaction it is reported as in `ctx.version` ("1.2" or "2004"): its
  type, its correct-response patterns in that version's format, and the identifiers choices are reported by;
* `largest_response(problem, ctx)`: the longest response the script can store, to bound cmi.suspend_data;
* `check(problem, ctx)`: located diagnostics for what the SCORM version cannot hold (more choices than 1.2 can
  name, for instance).

Any block's renderer also says which course files its HTML uses (`assets`, by default the rich text's
references): the package carries those and no others.

`scripts` names the type's JavaScript (package resources): it registers the type with the player
(`PamongPlayer.register(name, {read, fill, score, paint, response, answer, arrange})`, see player.js) and is
packaged, and loaded by a page, only when the course uses the type.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, ClassVar

import jinja2
from markupsafe import Markup

from pamong_edx.course.model import Block, Course, Problem
from pamong_edx.course.richtext import referenced_assets
from pamong_edx.diagnostics import Diagnostic
from pamong_edx.player.lang import LanguagePack


ID_CHARS_12 = string.ascii_lowercase + string.digits  # a-z first: what authors write
MAX_IDS_12 = len(ID_CHARS_12)
SHORT_ID_2004 = re.compile(r"[A-Za-z0-9_.]{1,250}\Z")  # Moodle's short_identifier_type


def scorm_ids(ids: list[str], version: str) -> dict[str, str]:
    """Identifiers for the options of an interaction (choices, items to order…), valid in `version`: in SCORM 1.2
    one character of a-z or 0-9 each (so at most 36; an empty dict when there are more), in 2004 a
    short_identifier_type. An author's id is kept when it fits (a, b, c stay a, b, c; kabupaten-kota becomes
    kabupaten_kota in 2004), so reports read as the source does; the package keeps the map back
    (pamong-interactions.json)."""
    if version == "1.2":
        if len(ids) > MAX_IDS_12:
            return {}
        fits = {cid for cid in ids if len(cid) == 1 and cid in ID_CHARS_12}
        free = iter(ch for ch in ID_CHARS_12 if ch not in fits)
        return {cid: cid if cid in fits else next(free) for cid in ids}
    taken = {cid for cid in ids if SHORT_ID_2004.match(cid)}
    result = {}
    for cid in ids:
        if SHORT_ID_2004.match(cid):
            result[cid] = cid
            continue
        base = re.sub(r"[^A-Za-z0-9_.]", "_", cid)[:240]
        name, n = base, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name)
        result[cid] = name
    return result


@dataclass
class Interaction:
    """A problem as a SCORM interaction in one version."""

    type: str  # choice, fill-in, numeric, sequencing, matching, …
    patterns: list[str] = field(default_factory=list)  # correct_responses.n.pattern, in the version's format
    ids: dict[str, str] = field(default_factory=dict)  # author's id -> its identifier in responses and patterns


@dataclass
class PlayerContext:
    course: Course
    version: str  # "1.2" or "2004"
    lang: LanguagePack

    def __post_init__(self) -> None:
        from pamong_edx.renderers import Lookup

        self._renderers = Lookup("scorm")
        # What renderers work out once per run (renderers are shared by every run and keep no state of their
        # own), under a key of their choosing.
        self.scratch: dict[str, Any] = {}
        self._interactions: dict[int, Interaction] = {}

    def interaction(self, problem: Problem) -> Interaction:
        """The problem as a SCORM interaction in this version (worked out once: the page's settings, the limits
        and the package's interaction map all need it)."""
        found = self._interactions.get(id(problem))
        if found is None:
            found = self._interactions[id(problem)] = self.renderer(problem).interaction(problem, self)
        return found

    def renderer(self, block: Block | str) -> Any:
        """The "scorm" renderer of a block's type (this run's, looked up once per type)."""
        return self._renderers(block)


def plain(html: Any) -> str:
    """The text of an HTML fragment (a choice, a question) as a select list or an LMS report shows it: tags
    and comments dropped, entities read, white space collapsed."""
    html = str(html)
    if "<" not in html and "&" not in html:  # most choices: text only
        return " ".join(html.split())
    return Markup(html).striptags()


@functools.cache
def _template(package: str, name: str) -> jinja2.Template:
    # Loaded once per process: a package's templates do not change while it runs.
    environment = jinja2.Environment(loader=jinja2.PackageLoader(package, ""), autoescape=True,
                                     undefined=jinja2.StrictUndefined, keep_trailing_newline=False,
                                     auto_reload=False)
    return environment.get_template(name)


def render_template(package: str, name: str, **values: Any) -> Markup:
    """A template shipped in a type's package (e.g. its player.html.j2), rendered with autoescaping."""
    return Markup(_template(package, name).render(**values))


def script_text(resource: tuple[str, str]) -> str:
    package, name = resource
    return resources.files(package).joinpath(name).read_text("utf-8")


class PlayerRenderer:
    """Base of "scorm" renderers. A type with a `template` (package, file) gets `html` for free: the template is
    rendered with `b` (the block), `q` (where it sits: for problems `q.index` names the inputs), `t` (the UI
    strings), `lang` (the course language) and `ctx`."""

    template: ClassVar[tuple[str, str] | None] = None
    scripts: ClassVar[tuple[tuple[str, str], ...]] = ()  # (package, file name) of each script, in load order

    def html(self, block: Block, view: Any, ctx: PlayerContext) -> Markup:
        if self.template is None:
            raise NotImplementedError(f"{type(self).__name__} has neither a template nor html()")
        package, name = self.template
        return render_template(package, name, b=block, q=view, t=ctx.lang.strings, lang=ctx.lang.language,
                               ctx=ctx)

    def assets(self, block: Block, ctx: PlayerContext) -> list[str]:
        """The course files the block's HTML uses (names under assets/)."""
        return list(referenced_assets(block))

    # problems only
    def config(self, problem: Problem, ctx: PlayerContext) -> dict[str, Any]:
        return {}

    def interaction(self, problem: Problem, ctx: PlayerContext) -> Interaction:
        raise NotImplementedError

    def largest_response(self, problem: Problem, ctx: PlayerContext) -> str:
        raise NotImplementedError

    def check(self, problem: Problem, ctx: PlayerContext) -> list[Diagnostic]:
        return []
