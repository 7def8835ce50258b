"""The platform's pagination styles, as the stand-in answers them (spec section 9)."""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode

from pamong_edx.sandbox.core.http import Request, Response, abort, reply

MAX_PAGE_SIZE = 100


def _url(request: Request, **changes: object) -> str:
    # DRF's replace_query_param: re-encodes the whole query, so '+' in a course key comes back as %2B.
    query = dict(parse_qsl(request.raw_query, keep_blank_values=True))
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = urlencode(sorted(query.items()))
    return request.absolute(request.path + (f"?{encoded}" if encoded else ""))


def page_size(request: Request, default: int, maximum: int = MAX_PAGE_SIZE) -> int:
    try:
        size = int(request.arg("page_size") or default)
    except ValueError:
        return default
    return max(1, min(size, maximum)) if size > 0 else default


def page_number(request: Request) -> int:
    raw = request.arg("page") or "1"
    if not raw.isdigit() or int(raw) < 1:
        abort(reply.json({"detail": "Invalid page."}, 404))
    return int(raw)


def slice_page(items: Sequence, request: Request, default_size: int) -> tuple[list, int, int, int]:
    """(page items, page, size, number of pages); 404 "Invalid page." past the end, as Django's paginator."""
    size = page_size(request, default_size)
    page = page_number(request)
    pages = max(1, math.ceil(len(items) / size))
    if page > pages:
        abort(reply.json({"detail": "Invalid page."}, 404))
    return list(items[(page - 1) * size:page * size]), page, size, pages


def default_page(items: Sequence, request: Request, default_size: int = 10) -> Response:
    """edx-drf-extensions DefaultPagination."""
    chunk, page, size, pages = slice_page(items, request, default_size)
    return reply.json({
        "next": _url(request, page=page + 1) if page < pages else None,
        "previous": _url(request, page=page - 1) if page > 1 else None,
        "count": len(items), "num_pages": pages, "current_page": page, "start": (page - 1) * size,
        "results": chunk,
    })


def namespaced_page(items: Sequence, request: Request, default_size: int = 10) -> Response:
    """NamespacedPageNumberPagination."""
    chunk, page, _size, pages = slice_page(items, request, default_size)
    return reply.json({
        "results": chunk,
        "pagination": {
            "next": _url(request, page=page + 1) if page < pages else None,
            "previous": _url(request, page=page - 1) if page > 1 else None,
            "count": len(items), "num_pages": pages,
        },
    })


def bare_page(items: Sequence, request: Request, default_size: int = 10) -> Response:
    """A bare array that is nevertheless paged (the cohort list)."""
    chunk, *_ = slice_page(items, request, default_size)
    return reply.json(chunk)


def decode_cursor(request: Request) -> int:
    raw = request.arg("cursor")
    if not raw:
        return 0
    try:
        text = base64.b64decode(raw.encode("ascii")).decode("ascii")
        return int(dict(parse_qsl(text))["p"])
    except (ValueError, KeyError, UnicodeDecodeError):
        abort(reply.json({"detail": "Invalid cursor"}, 404))


def cursor_page(rows: list[tuple[int, dict]], request: Request, size: int, **extra: object) -> Response:
    """CursorPagination: `rows` are (position, item) after the cursor, ordered, at most size + 1 of them;
    `extra` keys are added to the envelope (the gradebook's user counts)."""
    more = len(rows) > size
    rows = rows[:size]
    next_url = None
    if more and rows:
        token = base64.b64encode(f"p={rows[-1][0]}".encode()).decode("ascii")
        next_url = _url(request, cursor=token)
    previous = _url(request, cursor=None) if request.arg("cursor") else None
    return reply.json({"next": next_url, "previous": previous, "results": [item for _, item in rows], **extra})
