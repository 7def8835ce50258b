"""Requests, answers and exact routes for the stand-in apps, on werkzeug.

`Request` is werkzeug's, plus what the apps read the way Django and DRF do (`data()`, `form_fields()`,
the last value of a query argument). `reply` makes the answers. `Routes` is a werkzeug `Map` that matches
the path exactly as the platform's URL patterns do: no slash is added or removed, so a route defined with
a trailing slash 404s without it and vice versa (werkzeug would redirect; the platform does not).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import BaseConverter, Map, RequestRedirect, Rule
from werkzeug.wrappers import Request as WerkzeugRequest
from werkzeug.wrappers import Response

__all__ = ["BadRequestBody", "HTTPException", "Match", "Request", "Response", "Routes", "abort", "reply"]


class BadRequestBody(Exception):
    """The body is not what its Content-Type says."""


class Request(WerkzeugRequest):
    # Django's DATA_UPLOAD_MAX_MEMORY_SIZE; PHP reads the Moodle stand-in's body itself (max_input_vars).
    max_form_memory_size = 2_621_440
    max_form_parts = 100_000

    def __init__(self, environ: dict, **kwargs: Any) -> None:
        super().__init__(environ, **kwargs)
        self.params: dict[str, str] = {}  # from the route pattern
        self.context: dict[str, Any] = {}  # per-request values set by the app (e.g. the user)

    @property
    def client(self) -> str:
        return self.remote_addr or "127.0.0.1"

    @property
    def origin(self) -> str:
        """scheme://host:port as the client addressed us."""
        return self.host_url.rstrip("/")

    def absolute(self, path_and_query: str) -> str:
        return self.origin + path_and_query

    @property
    def raw_query(self) -> str:
        return self.query_string.decode("latin-1")

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The last value of a query argument, as Django's QueryDict.get ('+' decodes to a space)."""
        values = self.args.getlist(name)
        return values[-1] if values else default

    def json_body(self) -> Any:
        """The body as JSON whatever its Content-Type (None when empty), as DRF's JSONParser reads it."""
        body = self.get_data()
        try:
            return json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadRequestBody(f"JSON parse error - {exc}") from None

    def form_fields(self) -> dict[str, list[str]]:
        """Django's request.POST: filled only for form encodings; empty for anything else (e.g. JSON)."""
        if self.mimetype == "multipart/form-data":
            self._check_boundary()
        if self.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return {key: self.form.getlist(key) for key in self.form}
        return {}

    def uploads(self) -> dict:
        """The multipart body's files by field name (werkzeug FileStorage objects)."""
        if self.mimetype != "multipart/form-data":
            return {}
        self._check_boundary()
        return {key: self.files[key] for key in self.files}

    def _check_boundary(self) -> None:
        if not self.mimetype_params.get("boundary"):  # DRF's MultiPartParser refuses it with a 400
            raise BadRequestBody("Multipart form parse error - Invalid boundary in multipart: None")

    def data(self) -> dict[str, Any]:
        """DRF's request.data: the JSON object, or the form's last value per field."""
        if self.mimetype == "application/json":
            body = self.json_body()
            return body if isinstance(body, dict) else {}
        return {k: v[-1] for k, v in self.form_fields().items()}


class reply:  # noqa: N801 - a namespace: reply.json(...), reply.html(...), reply.empty(...)
    @staticmethod
    def json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return Response(json.dumps(data), status, headers, content_type="application/json")

    @staticmethod
    def html(status: int, text: str) -> Response:
        return Response(text, status, content_type="text/html; charset=utf-8")

    @staticmethod
    def empty(status: int, content_type: str = "text/html; charset=utf-8") -> Response:
        return Response(b"", status, content_type=content_type)

    @staticmethod
    def body(status: int, data: bytes, content_type: str) -> Response:
        return Response(data, status, content_type=content_type)


def abort(response: Response) -> None:
    """Stop handling and answer with `response` (the app turns the exception back into it)."""
    raise HTTPException(response=response)


@dataclass
class Match:
    name: str  # the route as people read it, used in stats and fault filters, e.g. "/api/bulk_enroll/v1/bulk_enroll"
    target: Any  # what the app dispatches to (its view object)
    params: dict[str, str]


class _Pattern(BaseConverter):
    regex = "[^/]+"


def converter(pattern: str) -> type[BaseConverter]:
    """A werkzeug converter for a raw regex (values stay strings); may span slashes."""
    return type("Pattern", (_Pattern,), {"regex": pattern, "part_isolating": "/" not in pattern})


_MAPS: dict[tuple, Map] = {}  # compiled Maps by their rules: every app of a kind shares one
_MAPS_LOCK = threading.Lock()


class Routes:
    """A werkzeug Map with exact slashes; each route has a readable name for statistics. The targets are
    the app's own; the Map, the same for every app with the same rules, is compiled once per process
    (compiling its rules costs more than the rest of a stand-in's start)."""

    def __init__(self, converters: dict[str, type[BaseConverter]] | None = None) -> None:
        self._converters = converters or {}
        self._rules: list[tuple[str, str]] = []
        self._targets: dict[str, Any] = {}
        self._map: Map | None = None

    def add(self, rules: str | tuple[str, ...], target: Any, name: str | None = None) -> None:
        rules = (rules,) if isinstance(rules, str) else rules
        name = name or readable(rules[-1])
        self._rules += [(rule, name) for rule in rules]
        self._targets[name] = target
        self._map = None

    def match(self, path: str) -> Match | None:
        try:
            name, params = self._compiled().bind("stand-in").match(path, method="GET")
        except (NotFound, RequestRedirect):  # a missing or extra trailing slash is a 404, as on the platform
            return None
        return Match(name, self._targets[name], params)

    def _compiled(self) -> Map:
        if self._map is None:
            key = (tuple(self._rules), tuple(sorted((k, c.regex) for k, c in self._converters.items())))
            with _MAPS_LOCK:
                if key not in _MAPS:
                    _MAPS[key] = Map([Rule(rule, endpoint=name) for rule, name in self._rules], strict_slashes=True,
                                     merge_slashes=False, redirect_defaults=False, converters=self._converters)
                self._map = _MAPS[key]
        return self._map


def readable(rule: str) -> str:
    """'/api/x/<course:course_id>/' -> '/api/x/{course_id}/'."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)
