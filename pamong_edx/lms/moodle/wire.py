"""Moodle's wire format: nested parameters as PHP bracket fields, and batches that fit PHP's max_input_vars.

    flatten({"users": [{"username": "budi", "customfields": [{"type": "desa", "value": "Kedaton"}]}]})
    -> [("users[0][username]", "budi"), ("users[0][customfields][0][type]", "desa"),
        ("users[0][customfields][0][value]", "Kedaton")]

PHP keeps only the first max_input_vars fields of a POST (1,000 by default) and drops the rest without a
word, so a call that is too big loses records silently. Every batch is therefore sized by counting its
fields, never by a fixed number of records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """One (name, text) pair per leaf; booleans as 1/0; None and empty lists are left out (PHP cannot carry an
    empty list: the parameter is omitted and its default applies)."""
    if isinstance(value, dict):
        out: list[tuple[str, str]] = []
        for key, item in value.items():
            out += flatten(item, f"{prefix}[{key}]" if prefix else str(key))
        return out
    if isinstance(value, (list, tuple)):
        out = []
        for index, item in enumerate(value):
            out += flatten(item, f"{prefix}[{index}]")
        return out
    if value is None:
        return []
    if isinstance(value, bool):
        return [(prefix, "1" if value else "0")]
    return [(prefix, str(value))]


def field_count(record: Any) -> int:
    return len(flatten(record, "x[0]"))


def batches(records: Sequence[T], *, budget: int, most: int, encode: Callable[[T], Any] = lambda r: r
            ) -> Iterator[list[T]]:
    """Consecutive batches of at most `most` records whose fields add up to at most `budget`."""
    if budget < 1:
        raise ValueError("the field budget must be positive")
    batch: list[T] = []
    used = 0
    for record in records:
        size = field_count(encode(record))
        if size > budget:
            raise ValueError(f"one record needs {size} fields, more than the {budget} a call may carry")
        if batch and (used + size > budget or len(batch) >= most):
            yield batch
            batch, used = [], 0
        batch.append(record)
        used += size
    if batch:
        yield batch
