"""The msgids the dashboard shows: from the template (Jinja2's extractor) and the report's Python modules (the
string arguments of _(), N_() and gettext(), adjacent literals joined as Python joins them)."""

from __future__ import annotations

import ast
from pathlib import Path

from jinja2 import Environment
from jinja2.ext import extract_from_ast

REPORT = Path(__file__).resolve().parents[2] / "pamong_edx" / "report"
DASHBOARD_MODULES = ("columns.py", "html.py", "charts.py")
FUNCTIONS = {"_", "N_", "gettext"}


def template_msgids() -> set[str]:
    source = (REPORT / "templates" / "report.html.j2").read_text(encoding="utf-8")
    env = Environment(extensions=["jinja2.ext.i18n"])
    return {msg for _line, _func, msg in extract_from_ast(env.parse(source), ("_",)) if isinstance(msg, str)}


def module_msgids(name: str) -> set[str]:
    tree = ast.parse((REPORT / name).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            name_ = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name_ in FUNCTIONS:
                found.add(node.args[0].value)
    return found


def dashboard_msgids() -> set[str]:
    ids = template_msgids()
    for name in DASHBOARD_MODULES:
        ids |= module_msgids(name)
    return ids
