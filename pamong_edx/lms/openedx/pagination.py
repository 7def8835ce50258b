"""The four pagination styles of Open edX (spec section 9), each walked to the end.

`get(url, params)` performs one GET and returns the decoded JSON; `next` links are followed verbatim
(their query is already encoded, so no params are added to them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pamong_edx.lms.errors import NotFound, ServerError

Getter = Callable[[str, dict[str, Any] | None], Any]
MAX_PAGE_SIZE = 100


def page_numbers(
    get: Getter, url: str, params: dict[str, Any], *, namespaced: bool = False, page_size: int = MAX_PAGE_SIZE
) -> Iterator[dict]:
    """DefaultPagination `{next, previous, count, num_pages, results}` or
    NamespacedPageNumberPagination `{results, pagination: {next, ...}}`."""
    body = get(url, {**params, "page_size": page_size})
    while True:
        yield from _results(body, url)
        links = body.get("pagination", {}) if namespaced else body
        next_url = links.get("next")
        if not next_url:
            return
        body = get(next_url, None)


def cursor(get: Getter, url: str, params: dict[str, Any], *, page_size: int | None = MAX_PAGE_SIZE) -> Iterator[dict]:
    """CursorPagination `{next, previous, results}` without a count: follow `next` until it is null."""
    first = dict(params)
    if page_size:
        first["page_size"] = page_size
    body = get(url, first)
    while True:
        yield from _results(body, url)
        next_url = body.get("next")
        if not next_url:
            return
        body = get(next_url, None)


def bare_pages(get: Getter, url: str, params: dict[str, Any], *, page_size: int = MAX_PAGE_SIZE) -> Iterator[dict]:
    """A bare JSON array that the server pages anyway (the cohort list): ask for full pages and walk
    `?page=` until a short page, or the 404 "Invalid page." that a page past the end gives."""
    page = 1
    while True:
        try:
            body = get(url, {**params, "page_size": page_size, "page": page})
        except NotFound:
            if page == 1:
                raise
            return
        if not isinstance(body, list):
            raise ServerError(f"{url}: expected a JSON array, got {type(body).__name__}", maybe_applied=False)
        yield from body
        if len(body) < page_size:
            return
        page += 1


def _results(body: Any, url: str) -> list[dict]:
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise ServerError(f"{url}: expected a paged JSON object with 'results'", maybe_applied=False)
    return body["results"]
