"""The "as Open edX" view: a sequential of the OLX the exporter writes, rendered to HTML as the LMS lays it out.

It reads the package's files (sequential → verticals → components), never the model, so what it shows is what
Studio imports. CAPA problems are rendered the way Open edX's capa templates present them: the problem title,
the label and description, the inputs of each response (radio buttons for a choicegroup, check boxes for a
checkboxgroup, a select for an optioninput, a text box with its trailing text for a textline), "Show hint" for
demand hints, the solution under "Show answer", and the attempts and points. The answer key marks the right
choices and lists the accepted texts. Submit marks each response as Open edX's response types would (`grade`,
in Python with Open edX's rules: a numerical answer as Open edX reads it, with its own pattern). It does not
run Open edX's own scripts or MathJax, play videos or show forum threads; docs/preview.md lists what it leaves
out.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from markupsafe import Markup, escape

from pamong_edx.i18n import _

STATIC_PREFIX = "/olx/static/"
CAPA_RESPONSES = {"multiplechoiceresponse", "choiceresponse", "optionresponse", "stringresponse",
                  "numericalresponse"}
# Parts of a response rendered by their response, or not shown at all.
CAPA_PARTS = {"label", "description", "choicegroup", "checkboxgroup", "optioninput", "textline",
              "additional_answer", "solution", "responseparam", "formulaequationinput", "hintgroup",
              "correcthint", "stringequalhint"}
SKIPPED_INSIDE = CAPA_PARTS | {"choicehint"}


@dataclass
class UnitView:
    title: str
    items: list[Markup] = field(default_factory=list)


def _read(files: dict[str, Any], name: str) -> bytes | None:
    content = files.get(f"course/{name}")
    if content is None:
        return None
    return content if isinstance(content, bytes) else content.read_bytes()


def parse(data: bytes) -> etree._Element:
    return _xml(data)


def _xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def rewrite_static(text: str) -> str:
    """Open edX serves "/static/<name>" from the course's files; here they come from the preview."""
    return text.replace('"/static/', f'"{STATIC_PREFIX}').replace("'/static/", f"'{STATIC_PREFIX}")


def _inner(elem: etree._Element) -> Markup:
    """An element's content as HTML (text, children and their tails), without the CAPA parts rendered apart."""
    parts = [html.escape(elem.text or "", quote=False)]
    for child in elem:
        if isinstance(child.tag, str) and child.tag not in SKIPPED_INSIDE:
            parts.append(etree.tostring(child, encoding="unicode", method="html"))  # with its tail
        else:
            parts.append(html.escape(child.tail or "", quote=False))
    return Markup(rewrite_static("".join(parts)))


def sequential_view(files: dict[str, Any], seq_id: str) -> list[UnitView] | None:
    """The units of a sequential as Open edX shows them, or None when the package has no such sequential."""
    data = _read(files, f"sequential/{seq_id}.xml")
    if data is None:
        return None
    units = []
    for pointer in _xml(data):
        if pointer.tag != "vertical":
            continue
        vertical = _xml(_read(files, f"vertical/{pointer.get('url_name')}.xml") or b"<vertical/>")
        unit = UnitView(vertical.get("display_name", ""))
        for child in vertical:
            unit.items.extend(_component(files, child))
        units.append(unit)
    return units


def _component(files: dict[str, Any], child: etree._Element) -> list[Markup]:
    tag, name = child.tag, child.get("url_name", "")
    if tag == "html":
        text = (_read(files, f"html/{name}.html") or b"").decode("utf-8")
        return [Markup('<div class="xblock xblock-html">') + Markup(rewrite_static(text)) + Markup("</div>")]
    if tag == "problem":
        data = _read(files, f"problem/{name}.xml")
        return [render_problem(_xml(data), name)] if data is not None else []
    if tag == "itembank":
        bank = _xml(_read(files, f"itembank/{name}.xml") or b"<itembank/>")
        problems = [p for p in bank if p.tag == "problem"]
        note = _("A problem bank: Open edX shows each learner {draw} of these {total} problems.").format(
            draw=bank.get("max_count", "?"), total=len(problems))
        out = [Markup('<p class="xblock-note">{}</p>').format(note)]
        for pointer in problems:
            out.extend(_component(files, pointer))
        return out
    if tag == "video":
        note = _("Video: Open edX plays it in its own video player (not shown here).")
    elif tag == "discussion":
        note = _("Discussion: Open edX shows the forum thread here (not shown here).")
    else:
        note = _("A '{tag}' component that Open edX renders itself (not shown here).").format(tag=tag)
    return [Markup('<p class="xblock-note">{}</p>').format(note)]


def render_problem(root: etree._Element, url_name: str) -> Markup:
    """A CAPA problem as the LMS lays it out. Right answers are marked with data-correct / data-answers for the
    answer key (shown only when it is on)."""
    parts = [Markup('<section class="xblock xblock-problem" data-url-name="{}">').format(url_name),
             Markup('<h3 class="problem-header">{}</h3>').format(root.get("display_name", ""))]
    hints: list[Markup] = []
    solutions: list[Markup] = []
    for n, child in enumerate(root):
        if not isinstance(child.tag, str):
            continue
        if child.tag in CAPA_RESPONSES:
            parts.append(_response(child, f"{url_name}-{n}", solutions))
        elif child.tag == "demandhint":
            hints.extend(_inner(h) for h in child if h.tag == "hint")
        elif child.tag == "solution":
            solutions.append(_inner(child))
        elif child.tag.endswith("response"):
            parts.append(Markup('<p class="xblock-note">{}</p>').format(
                _("A '{tag}' that Open edX renders itself (not shown here).").format(tag=child.tag)))
        else:
            parts.append(Markup(rewrite_static(etree.tostring(child, encoding="unicode", method="html",
                                                              with_tail=False))))
    parts.append(Markup('<div class="problem-actions"><button type="button" data-olx="submit">{}</button>').format(
        _("Submit")))
    if hints:
        parts.append(Markup('<button type="button" data-olx="hint">{}</button>').format(_("Hint")))
    if solutions and root.get("showanswer") != "never":
        parts.append(Markup('<button type="button" data-olx="answer">{}</button>').format(_("Show answer")))
    parts.append(Markup("</div>"))
    attempts = root.get("max_attempts")
    weight = root.get("weight") or "1"
    facts = [_("{weight} point(s) possible (graded when the subsection is)").format(weight=weight)]
    if attempts and attempts != "0":
        facts.append(_("{n} attempt(s) allowed").format(n=attempts))
    facts.append(_("show answer: {policy}").format(policy=root.get("showanswer", "finished")))
    parts.append(Markup('<p class="problem-facts">{}</p>').format(" · ".join(facts)))
    for i, hint in enumerate(hints):
        parts.append(Markup('<div class="problem-hint" data-hint="{}" hidden>{}: {}</div>').format(
            i, _("Hint ({n} of {total})").format(n=i + 1, total=len(hints)), hint))
    for solution in solutions:
        parts.append(Markup('<div class="problem-solution" hidden>{}</div>').format(solution))
    parts.append(Markup("</section>"))
    return Markup("\n").join(parts)


def _response(response: etree._Element, name: str, solutions: list[Markup]) -> Markup:
    parts: list[Markup] = []
    for child in response:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag
        if tag == "label":
            parts.append(Markup('<p class="problem-label">{}</p>').format(_inner(child)))
        elif tag == "description":
            parts.append(Markup('<p class="problem-description">{}</p>').format(_inner(child)))
        elif tag in ("choicegroup", "checkboxgroup"):
            kind = "checkbox" if tag == "checkboxgroup" else "radio"
            parts.append(_choices(child, name, kind))
        elif tag == "optioninput":
            options = [Markup('<option value="">{}</option>').format(_("Select an option"))]
            for i, option in enumerate(o for o in child if o.tag == "option"):
                correct = option.get("correct", "").lower() == "true"
                options.append(Markup('<option value="{}" data-correct="{}">{}</option>').format(
                    i, "true" if correct else "false", (option.text or "").strip()))
            parts.append(Markup('<select class="option-input" name="{}">{}</select>').format(
                name, Markup("").join(options)))
        elif tag == "textline":
            answers = [response.get("answer", "")] + [a.get("answer", "") for a in response
                                                      if a.tag == "additional_answer"]
            parts.append(Markup(
                '<p class="text-input"><input type="text" size="{}" name="{}" data-answers="{}" data-match="{}">'
                '{}</p>').format(child.get("size", "20"), name, json.dumps(answers, ensure_ascii=False),
                                 response.get("type", ""), _trailing(child)))
        elif tag == "solution":
            solutions.append(_inner(child))
        elif tag in CAPA_PARTS:
            continue
        else:
            parts.append(Markup(rewrite_static(etree.tostring(child, encoding="unicode", method="html",
                                                              with_tail=False))))
    if response.tag in ("stringresponse", "numericalresponse"):
        parts.append(_accepted(response))
    parts.append(Markup('<p class="response-status" data-status-for="{}" role="status"></p>').format(name))
    return Markup('<div class="capa-response capa-{}">').format(response.tag) + Markup("\n").join(parts) \
        + Markup("</div>")


def _trailing(textline: etree._Element) -> Markup:
    text = textline.get("trailing_text")
    return Markup(' <span class="trailing-text">{}</span>').format(text) if text else Markup("")


def _choices(group: etree._Element, name: str, kind: str) -> Markup:
    items = []
    for i, choice in enumerate(c for c in group if c.tag == "choice"):
        correct = choice.get("correct", "").lower() == "true"
        hint = next((h for h in choice if h.tag == "choicehint"), None)
        items.append(Markup(
            '<label class="choice" data-correct="{}"><input type="{}" name="{}" value="{}"> {}{}</label>').format(
            "true" if correct else "false", kind, name, i, _inner(choice),
            Markup(' <span class="choice-hint" hidden>{}</span>').format(_inner(hint)) if hint is not None
            else ""))
    return Markup('<fieldset class="choicegroup">') + Markup("\n").join(items) + Markup("</fieldset>")


def _accepted(response: etree._Element) -> Markup:
    """What the answer key shows for a text or number response: the accepted texts, or that a pattern decides."""
    kind = response.get("type", "")
    answers = [response.get("answer", "")] + [a.get("answer", "") for a in response if a.tag == "additional_answer"]
    if "regexp" in kind.split():
        text = _("Accepted: any text matching the pattern Open edX is given (the numbers as people write them).")
        detail = Markup('<details><summary>{}</summary><code>{}</code></details>').format(
            _("pattern"), answers[0])
    else:
        text = _("Accepted: {answers}").format(answers=" | ".join(answers))
        if "ci" in kind.split():
            text += " " + _("(case ignored)")
        detail = Markup("")
    return Markup('<div class="answer-key" hidden>{}{}</div>').format(escape(text), detail)


# ------------------------------------------------------------------------------------------------- grading


def grade(root: etree._Element, url_name: str, answers: dict[str, list[str]]) -> dict[str, bool | None]:
    """Each response of a problem marked as Open edX's capa responsetypes mark it: a choice group by the chosen
    choice, check boxes by the exact set, a select by its option, a text by the stringresponse rules (trimmed;
    `ci` ignores case; `regexp` matches ^(answer|additional…)$ with re.search, as StringResponse.check_string
    does). None for a response it does not grade. Keys are the inputs' names (`<url_name>-<n>`)."""
    results: dict[str, bool | None] = {}
    for n, response in enumerate(root):
        if not isinstance(response.tag, str) or not response.tag.endswith("response"):
            continue
        name = f"{url_name}-{n}"
        given = answers.get(name, [])
        results[name] = _grade_response(response, given)
    return results


def _grade_response(response: etree._Element, given: list[str]) -> bool | None:
    tag = response.tag
    if tag in ("multiplechoiceresponse", "choiceresponse"):
        group = next((g for g in response if g.tag in ("choicegroup", "checkboxgroup")), None)
        if group is None:
            return None
        right = {str(i) for i, c in enumerate(x for x in group if x.tag == "choice")
                 if c.get("correct", "").lower() == "true"}
        return bool(given) and set(given) == right
    if tag == "optionresponse":
        select = next((g for g in response if g.tag == "optioninput"), None)
        if select is None:
            return None
        right = {str(i) for i, o in enumerate(x for x in select if x.tag == "option")
                 if o.get("correct", "").lower() == "true"}
        return len(given) == 1 and given[0] in right
    if tag == "stringresponse":
        text = given[0].strip() if given else ""
        if not text:
            return False
        expected = [response.get("answer", "").strip()] + [
            a.get("answer", "").strip() for a in response if a.tag == "additional_answer"]
        kinds = response.get("type", "").lower().split()
        if "regexp" in kinds:
            flags = (re.IGNORECASE if "ci" in kinds else 0) | re.UNICODE
            try:
                return re.search(re.compile("^" + "|".join(expected) + "$", flags), text) is not None
            except re.error:
                return False  # Open edX raises a ResponseError: no answer is right
        if "ci" in kinds:
            return text.lower() in [e.lower() for e in expected]
        return text in expected
    return None
