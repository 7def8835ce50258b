"""The four pagination styles of Open edX (spec section 9), each walked to the end, and no further.

`get(url, params)` performs one GET and returns the decoded JSON; `next` links are followed verbatim
(their query is already encoded, so no params are added to them) and only within the profile's origin (the
transport refuses any other). A walk stops with `BadAnswer` when a `next` link comes round again (a server
pointing a page at itself was once fetched 1,360 times a minute) or after `max_pages` pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from urllib3.util import parse_url

from pamong_edx.i18n import _
from pamong_edx.lms.answers import expect
from pamong_edx.lms.errors import BadAnswer, NotFound

Getter = Callable[[str, dict[str, Any] | None], Any]
MAX_PAGE_SIZE = 100
MAX_PAGES = 10_000
PAGE = {"next?": str, "results": [object]}
NAMESPACED_PAGE = {"results": [object], "pagination?": {"next?": str}}


class Walk:
    """The `next` links of one listing: each followed once, at most `max_pages` pages."""

    def __init__(self, url: str, max_pages: int) -> None:
        self.where = f"GET {parse_url(url).path}"
        self.max_pages = max_pages
        self.pages = 1
        self.seen: set[str] = set()

    def follow(self, next_url: str) -> str:
        if next_url in self.seen:
            raise BadAnswer(_("{where}: the answer's next page is one already read; the LMS's pagination goes round "
                              "in a circle, so the listing stops").format(where=self.where))
        self.seen.add(next_url)
        self.pages += 1
        if self.pages > self.max_pages:
            raise BadAnswer(_("{where}: more than {pages} pages; the listing stops there (limits.max_pages)")
                            .format(where=self.where, pages=self.max_pages))
        return next_url


def page_numbers(
    get: Getter, url: str, params: dict[str, Any], *, namespaced: bool = False, page_size: int = MAX_PAGE_SIZE,
    max_pages: int = MAX_PAGES,
) -> Iterator[dict]:
    """DefaultPagination `{next, previous, count, num_pages, results}` or
    NamespacedPageNumberPagination `{results, pagination: {next, ...}}`."""
    walk = Walk(url, max_pages)
    body = get(url, {**params, "page_size": page_size})
    while True:
        expect(body, NAMESPACED_PAGE if namespaced else PAGE, walk.where)
        yield from body["results"]
        next_url = (body.get("pagination") or {}).get("next") if namespaced else body.get("next")
        if not next_url:
            return
        body = get(walk.follow(next_url), None)


def cursor(get: Getter, url: str, params: dict[str, Any], *, page_size: int | None = MAX_PAGE_SIZE,
           max_pages: int = MAX_PAGES) -> Iterator[dict]:
    """CursorPagination `{next, previous, results}` without a count: follow `next` until it is null."""
    walk = Walk(url, max_pages)
    first = dict(params)
    if page_size:
        first["page_size"] = page_size
    body = get(url, first)
    while True:
        expect(body, PAGE, walk.where)
        yield from body["results"]
        next_url = body.get("next")
        if not next_url:
            return
        body = get(walk.follow(next_url), None)


def bare_pages(get: Getter, url: str, params: dict[str, Any], *, page_size: int = MAX_PAGE_SIZE,
               max_pages: int = MAX_PAGES) -> Iterator[dict]:
    """A bare JSON array that the server pages anyway (the cohort list): ask for full pages and walk
    `?page=` until a short page, or the 404 "Invalid page." that a page past the end gives."""
    where = f"GET {parse_url(url).path}"
    for page in range(1, max_pages + 1):
        try:
            body = get(url, {**params, "page_size": page_size, "page": page})
        except NotFound:
            if page == 1:
                raise
            return
        yield from expect(body, [object], where)
        if len(body) < page_size:
            return
    raise BadAnswer(_("{where}: more than {pages} full pages; the listing stops there (limits.max_pages)")
                    .format(where=where, pages=max_pages))
