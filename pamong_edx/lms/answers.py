"""An LMS's answer, read defensively: JSON decoded within a depth limit and checked against the shape the client
relies on, so a server that sends HTML, garbage or the wrong structure gets a one-line `BadAnswer` that names
the endpoint and what was wrong, never a crash deep inside a backend.

Shapes are written as the JSON they describe:

    COHORT = {"id": int, "name": str, "user_count?": int}     # an object with these keys (others allowed)
    expect(body, [COHORT], "GET /api/cohorts/...")             # a list of such objects

`int`, `float`, `str`, `bool`, `dict`, `list` and `object` (anything) match the JSON types (an int is a float, a
bool is not an int); a key ending in `?` may be missing or null; a tuple is any of its shapes, `None` meaning null.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pamong_edx.i18n import N_, _
from pamong_edx.lms.errors import BadAnswer
from pamong_edx.nesting import depth

_CHARSET = re.compile(r"charset=([\w.:-]+)", re.IGNORECASE)


def decode_json(text: str, where: str, max_depth: int) -> Any:
    if depth(text, "json") > max_depth:  # refused before json.loads recurses into it (pamong_edx/nesting.py)
        raise BadAnswer(_("{where}: the answer nests arrays or objects deeper than {depth} levels; refused "
                          "(limits.max_json_depth)").format(where=where, depth=max_depth))
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise BadAnswer(_("{where}: the answer is not JSON: {snippet}").format(where=where, snippet=snippet(text))) \
            from None


def snippet(text: str, limit: int = 120) -> str:
    """The start of a body for a message: one line, control characters shown escaped, an HTML page named as such."""
    flat = " ".join(text.split())[:limit]
    flat = flat.encode("unicode_escape", "backslashreplace").decode("ascii") if not flat.isprintable() else flat
    if flat.lstrip().lower().startswith(("<!doctype html", "<html")):
        return _("an HTML page ('{start}')").format(start=flat[:60])
    return f"'{flat}'" if flat else _("an empty body")


@dataclass(frozen=True)
class Reply:
    """One answer, its body already read (within the limits)."""

    where: str  # "GET /api/user/v1/me": method and path, for messages (never a query string)
    status: int
    headers: Mapping[str, str]
    content: bytes
    reason: str = ""
    max_depth: int = 100
    # The cookies the answer set (the transport's own session keeps none): only a caller that logs in on
    # purpose, as the Open edX instructor views need, reads them and sends them back itself.
    cookies: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        match = _CHARSET.search(self.headers.get("Content-Type", ""))
        encoding = match.group(1) if match else "utf-8"
        try:
            return self.content.decode(encoding, "replace")
        except LookupError:
            return self.content.decode("utf-8", "replace")

    def json(self, shape: Any = object) -> Any:
        """The body as JSON of the given shape; BadAnswer otherwise."""
        return expect(decode_json(self.text, self.where, self.max_depth), shape, self.where)

    def json_or_none(self) -> Any:
        """The body as JSON, or None when it is not (for reading error answers, whose shape is the server's)."""
        try:
            return decode_json(self.text, self.where, self.max_depth)
        except BadAnswer:
            return None


def expect(value: Any, shape: Any, where: str, path: str = "") -> Any:
    """`value` if it has `shape`, else BadAnswer naming where in the answer it differs."""
    problem = _mismatch(value, shape, path)
    if problem:
        raise BadAnswer(_("{where}: the answer is not what the API returns ({problem})").format(where=where,
                                                                                                problem=problem))
    return value


def _mismatch(value: Any, shape: Any, path: str) -> str:
    if isinstance(shape, tuple):
        problems = [_mismatch(value, option, path) for option in shape]
        return "" if not all(problems) else problems[0]
    if shape is None:
        return "" if value is None else _describe(value, N_("null"), path)
    if isinstance(shape, list):
        if not isinstance(value, list):
            return _describe(value, N_("an array"), path)
        for index, item in enumerate(value):
            problem = _mismatch(item, shape[0], f"{path}[{index}]")
            if problem:
                return problem
        return ""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return _describe(value, N_("an object"), path)
        for key, inner in shape.items():
            optional = key.endswith("?")
            name = key.rstrip("?")
            if name not in value or value[name] is None:
                if optional:
                    continue
                return _("'{key}' is missing at {path}").format(key=name, path=path or _("the top"))
            problem = _mismatch(value[name], inner, f"{path}.{name}" if path else name)
            if problem:
                return problem
        return ""
    if shape is object:
        return ""
    if shape is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif shape is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, shape)
    return "" if ok else _describe(value, _TYPE_NAMES.get(shape, str(shape)), path)


_TYPE_NAMES = {int: N_("a whole number"), float: N_("a number"), str: N_("a text"), bool: N_("true or false"),
               dict: N_("an object"), list: N_("an array")}
_KINDS = {dict: N_("an object"), list: N_("an array"), str: N_("a text"), bool: N_("true/false"), int: N_("a number"),
          float: N_("a number"), type(None): N_("null")}


def _describe(value: Any, wanted: str, path: str) -> str:
    """`wanted` is an N_() marked name, translated here."""
    kind = _(_KINDS.get(type(value), type(value).__name__))
    return _("{path} is {kind}, not {wanted}").format(path=path or _("the answer"), kind=kind, wanted=_(wanted))
