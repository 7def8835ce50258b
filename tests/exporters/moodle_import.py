"""A reader of Moodle XML question files modelled on Moodle's importer (question/format/xml/format.php): the
same paths read (`getpath`), the same defaults, the same refusals, for the question types the toolkit writes
(and qtype_ordering's and qtype_gapselect's `import_from_xml`). Tests read the exported bank back with it."""

from __future__ import annotations

from typing import Any

from lxml import etree


class ImportError_(Exception):
    """What Moodle's importer reports as an error (and skips the question for)."""


def _text(elem: etree._Element | None, default: str = "") -> str:
    """`getpath(..., array('#', 'text', 0, '#'), default, true)`: the first <text> child, trimmed."""
    if elem is None:
        return default
    text = elem.find("text")
    return (text.text or "").strip() if text is not None else default


def _value(question: etree._Element, tag: str, default: Any) -> Any:
    elem = question.find(tag)
    return default if elem is None else (elem.text or "").strip()


def trans_single(name: str) -> int:
    """format.php trans_single: "false" or empty is 0, anything else 1."""
    name = str(name).strip()
    return 0 if name in ("false", "") else 1


def text_with_files(elem: etree._Element | None) -> dict:
    if elem is None:
        return {"text": "", "format": "html", "files": {}}
    fmt = elem.get("format", "html")
    if fmt not in ("moodle_auto_format", "html", "plain_text", "wiki_like", "markdown"):
        fmt = "html"  # Moodle warns and assumes html
    files = {f.get("name"): f.text or "" for f in elem.findall("file")}
    for f in elem.findall("file"):
        if f.get("encoding") != "base64":
            raise ImportError_(f"file {f.get('name')} is not base64")
    return {"text": _text(elem), "format": fmt, "files": files}


def headers(question: etree._Element) -> dict:
    """import_headers: a question without a name is an error (xmlimportnoname)."""
    name = _text(question.find("name"), default=None)
    if not name:
        raise ImportError_("xmlimportnoname")
    return {
        "name": name,
        "questiontext": text_with_files(question.find("questiontext")),
        "generalfeedback": text_with_files(question.find("generalfeedback")),
        "defaultmark": float(_value(question, "defaultgrade", 1)),
        "penalty": float(_value(question, "penalty", 0.3333333)),
        "idnumber": _value(question, "idnumber", None),
        "hints": [text_with_files(h) for h in question.findall("hint")],
        "tags": [_text(t) for t in question.findall("tags/tag")],
    }


def answer(elem: etree._Element, with_files: bool) -> dict:
    """import_answer: the fraction attribute is a percentage."""
    text = text_with_files(elem)["text"] if with_files else _text(elem)
    return {"text": text, "fraction": float(elem.get("fraction", 0)) / 100,
            "feedback": text_with_files(elem.find("feedback"))["text"]}


def import_question(question: etree._Element) -> dict | None:
    qtype = question.get("type")
    if qtype == "category":
        return {"qtype": "category", "category": _text(question.find("category")),
                "info": _text(question.find("info")), "idnumber": _value(question, "idnumber", None)}
    qo = headers(question)
    qo["qtype"] = qtype
    if qtype == "multichoice":
        qo["single"] = trans_single(_value(question, "single", "true"))
        qo["shuffleanswers"] = trans_single(_value(question, "shuffleanswers", "false"))
        qo["answers"] = [answer(a, True) for a in question.findall("answer")]
        fractions = [a["fraction"] for a in qo["answers"]]
        # qtype_multichoice::save_question_options refuses what does not add up
        if qo["single"] and max(fractions) != 1:
            raise ImportError_("fractionsnomax")
        if not qo["single"] and round(sum(f for f in fractions if f > 0), 2) != 1:
            raise ImportError_("fractionsaddwrong")
    elif qtype == "shortanswer":
        qo["usecase"] = int(_value(question, "usecase", 0))
        qo["answers"] = [answer(a, False) for a in question.findall("answer")]
        if not any(a["fraction"] == 1 for a in qo["answers"]):
            raise ImportError_("fractionsnomax")
    elif qtype == "numerical":
        qo["answers"] = []
        for a in question.findall("answer"):
            read = answer(a, False)
            read["tolerance"] = float(_value(a, "tolerance", 0))
            qo["answers"].append(read)
        qo["units"] = [(_value(u, "unit_name", ""), float(_value(u, "multiplier", 1)))
                       for u in question.findall("units/unit")]
        qo["unitgradingtype"] = int(_value(question, "unitgradingtype", 0))
        qo["showunits"] = int(_value(question, "showunits", 3 if not qo["units"] else 0))
        qo["unitsleft"] = int(_value(question, "unitsleft", 0))
    elif qtype == "gapselect":  # qtype_gapselect::import_from_xml
        qo["shuffleanswers"] = trans_single(_value(question, "shuffleanswers", 1))
        qo["choices"] = [{"answer": _text(o), "choicegroup": int(_value(o, "group", 1))}
                         for o in question.findall("selectoption")]
    elif qtype == "ordering":  # qtype_ordering::import_from_xml: answers in the right order
        qo["layouttype"] = _value(question, "layouttype", "VERTICAL")
        qo["selecttype"] = _value(question, "selecttype", "ALL")
        qo["gradingtype"] = _value(question, "gradingtype", "ABSOLUTE_POSITION")
        qo["answers"] = [answer(a, True) for a in question.findall("answer")]
        if len(qo["answers"]) < 2:
            raise ImportError_("notenoughanswers")
    else:
        raise ImportError_(f"xmltypeunsupported {qtype}")
    return qo


def read_questions(data: bytes) -> list[dict]:
    """readquestions: the <question> children of <quiz>, each imported; a category switches the category of
    the questions after it."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    if root.tag != "quiz":
        raise ImportError_("not a quiz")
    questions, category = [], None
    for elem in root.findall("question"):
        qo = import_question(elem)
        if qo["qtype"] == "category":
            category = qo["category"]
        else:
            qo["category"] = category
        questions.append(qo)
    return questions


def gap_right_choices(qo: dict) -> list[str]:
    """The option each [[n]] place of a gapselect question is right for."""
    import re

    return [qo["choices"][int(n) - 1]["answer"] for n in re.findall(r"\[\[(\d+)]]", qo["questiontext"]["text"])]
