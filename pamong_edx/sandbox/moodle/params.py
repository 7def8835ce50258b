"""How PHP and Moodle read a web-service call's parameters, quirks included.

PHP builds `$_GET` and `$_POST` from bracketed names (`users[0][customfields][1][value]=x`) and keeps only
the first `max_input_vars` variables of each (1,000 by default), dropping the rest without an error. Moodle
merges the two and validates the result against the function's description (`external_api::
validate_parameters`): every scalar must come out of `clean_param` unchanged, a single structure must have
its required keys and no others, and a multiple structure takes its values in the order they came, whatever
their keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

KEY = re.compile(r"^([^\[]*)((?:\[[^\]]*\])*)")
PART = re.compile(r"\[([^\]]*)\]")


class InvalidParameter(Exception):
    """Moodle's invalid_parameter_exception: the message is always the same, the detail is the debug info."""

    def __init__(self, debuginfo: str) -> None:
        super().__init__(debuginfo)
        self.debuginfo = debuginfo


@dataclass
class Parsed:
    """One superglobal after PHP read it."""

    values: dict[str, Any]
    count: int  # variables PHP saw
    dropped: int  # variables past max_input_vars


def parse_php(text: str, max_input_vars: int) -> Parsed:
    """`a[0][b]=1&a[0][c]=2` -> {"a": {"0": {"b": "1", "c": "2"}}}; `a[]=x` appends; the last value wins."""
    pairs = parse_qsl(text, keep_blank_values=True)
    kept, dropped = pairs[:max_input_vars], max(0, len(pairs) - max_input_vars)
    root: dict[str, Any] = {}
    for name, value in kept:
        match = KEY.match(name)
        base, rest = match.group(1), match.group(2)
        if not base:
            continue  # PHP ignores a variable whose name starts with a bracket
        keys = [base] + PART.findall(rest)
        node = root
        for depth, key in enumerate(keys):
            last = depth == len(keys) - 1
            if key == "":  # a[] appends the next integer key
                key = str(1 + max((int(k) for k in node if k.lstrip("-").isdigit()), default=-1))
            if last:
                node[key] = value
            else:
                child = node.get(key)
                if not isinstance(child, dict):
                    child = node[key] = {}
                node = child
    return Parsed(root, len(pairs), dropped)


# ---------------------------------------------------------------------------------------------------- clean_param

def _strip_tags(text: str) -> str:
    return re.sub(r"<[^>]*>", "", text)


def _username(text: str) -> str:
    text = text.strip().lower().replace(" ", "")
    return re.sub(r"[^-.@_a-z0-9]", "", text)


def _int(text: str) -> str:
    match = re.match(r"^\s*([-+]?\d+)", text)  # PHP's (int) cast: leading digits, else 0
    return str(int(match.group(1))) if match else "0"


CLEAN: dict[str, Callable[[str], str]] = {
    "int": _int,
    "raw": lambda s: s,
    "raw_trimmed": lambda s: s.strip(),
    "text": _strip_tags,
    "notags": _strip_tags,
    "alphanumext": lambda s: re.sub(r"[^a-zA-Z0-9_-]", "", s),
    "alpha": lambda s: re.sub(r"[^a-zA-Z]", "", s),
    "plugin": lambda s: s if re.fullmatch(r"[a-z][a-z0-9_]*[a-z0-9]", s) and "__" not in s else "",
    "safedir": lambda s: re.sub(r"[^a-zA-Z0-9_-]", "", s),
    "username": _username,
    "timezone": lambda s: s if re.fullmatch(r"[A-Za-z0-9_/+-]+|99", s) else "",
}


# ---------------------------------------------------------------------------------------------------- descriptions

REQUIRED, DEFAULT, OPTIONAL = "required", "default", "optional"


@dataclass
class Value:
    type: str  # a key of CLEAN, or "bool"
    need: str = REQUIRED
    default: Any = None

    def validate(self, value: Any, where: str) -> Any:
        if isinstance(value, dict):
            raise InvalidParameter(f"{where}Scalar type expected, array or object received.")
        if self.type == "bool":
            if value in ("0", "1"):
                return value == "1"
            raise InvalidParameter(f'{where}Invalid external api parameter: the value is "{value}", '
                                   'the server was expecting "bool" type')
        cleaned = CLEAN[self.type](value)
        if cleaned != value:
            raise InvalidParameter(f'{where}Invalid external api parameter: the value is "{value}", '
                                   f'the server was expecting "{self.type}" type')
        return int(cleaned) if self.type == "int" else cleaned


@dataclass
class Single:
    keys: dict[str, Any]  # name -> Value | Single | Multiple
    need: str = REQUIRED
    default: Any = None

    def validate(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            raise InvalidParameter(f"{where}Only arrays accepted. The bad value is: '{value}'")
        out: dict[str, Any] = {}
        for name, desc in self.keys.items():
            if name in value:
                out[name] = desc.validate(value[name], f"{where}{name} => ")
            elif desc.need == REQUIRED:
                raise InvalidParameter(f"{where}Missing required key in single structure: {name}")
            elif desc.need == DEFAULT:
                out[name] = desc.default
        unexpected = [k for k in value if k not in self.keys]
        if unexpected:
            raise InvalidParameter(f"{where}Unexpected keys ({', '.join(unexpected)}) detected in parameter array.")
        return out


@dataclass
class Multiple:
    item: Any
    need: str = REQUIRED
    default: Any = field(default_factory=list)

    def validate(self, value: Any, where: str) -> list:
        if not isinstance(value, dict):
            raise InvalidParameter(f"{where}Only arrays accepted. The bad value is: '{value}'")
        return [self.item.validate(v, where) for v in value.values()]  # keys are ignored, order is kept


def validate(description: Single, params: dict[str, Any]) -> dict:
    return description.validate(params, "")
