"""The small web layer stand-in apps are written against: requests, responses and an exact router.

The router matches the raw path exactly as the platform's URL patterns do: no slash is added or
removed, so a route defined with a trailing slash 404s without it and vice versa.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs, unquote


class BadRequestBody(Exception):
    """The body is not what its Content-Type says."""


@dataclass
class UploadedFile:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass
class Request:
    method: str
    path: str  # percent-decoded ('+' stays '+', as in Django's path_info)
    query_string: str
    headers: Message
    body: bytes
    client: str = "127.0.0.1"
    params: dict[str, str] = field(default_factory=dict)  # from the route pattern
    base_url: str = ""  # scheme://host:port as the client addressed us
    context: dict[str, Any] = field(default_factory=dict)  # per-request values set by the app (e.g. the user)

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    @property
    def query(self) -> dict[str, list[str]]:
        # parse_qs decodes '+' as a space, exactly the trap an unencoded course key falls into.
        return parse_qs(self.query_string, keep_blank_values=True)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8")) if self.body else None
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadRequestBody(f"JSON parse error - {exc}") from None

    def form(self) -> dict[str, list[str]]:
        """Django's request.POST: filled only for form encodings; empty for anything else (e.g. JSON)."""
        if self.content_type == "application/x-www-form-urlencoded":
            return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        if self.content_type == "multipart/form-data":
            fields, _ = self.multipart()
            return fields
        return {}

    def multipart(self) -> tuple[dict[str, list[str]], dict[str, UploadedFile]]:
        if self.content_type != "multipart/form-data":
            return {}, {}
        header = f"Content-Type: {self.headers.get('Content-Type')}\r\n\r\n".encode("latin-1")
        message = BytesParser(policy=HTTP).parsebytes(header + self.body)
        fields: dict[str, list[str]] = {}
        files: dict[str, UploadedFile] = {}
        if not message.is_multipart():
            raise BadRequestBody("Multipart form parse error - Invalid boundary in multipart")
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not name:
                continue
            payload = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is not None:
                files[name] = UploadedFile(filename, payload, part.get_content_type())
            else:
                fields.setdefault(name, []).append(payload.decode("utf-8", "replace"))
        return fields, files

    def data(self) -> dict[str, Any]:
        """DRF's request.data: the JSON object, or the form's last value per field."""
        if self.content_type == "application/json":
            body = self.json()
            return body if isinstance(body, dict) else {}
        return {k: v[-1] for k, v in self.form().items()}

    def cookie(self, name: str) -> str | None:
        for chunk in (self.headers.get("Cookie") or "").split(";"):
            key, _, value = chunk.strip().partition("=")
            if key == name:
                return value
        return None

    def absolute(self, path_and_query: str) -> str:
        return self.base_url + path_and_query


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return cls(status, json.dumps(data).encode("utf-8"), "application/json", dict(headers or {}))

    @classmethod
    def empty(cls, status: int, content_type: str = "text/html; charset=utf-8") -> Response:
        return cls(status, b"", content_type)

    @classmethod
    def html(cls, status: int, text: str) -> Response:
        return cls(status, text.encode("utf-8"), "text/html; charset=utf-8")


Handler = Callable[[Request], Response]


class Abort(Exception):
    """Stop handling and answer with this response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


@dataclass
class Route:
    name: str  # the pattern as people read it, used in stats, e.g. "/api/bulk_enroll/v1/bulk_enroll"
    pattern: re.Pattern
    target: Any  # what the app dispatches to (its view object)


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, name: str, regex: str, target: Any) -> None:
        self.routes.append(Route(name, re.compile(regex), target))

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            found = route.pattern.fullmatch(path)
            if found:
                return route, {k: v for k, v in found.groupdict().items() if v is not None}
        return None


def decode_path(raw: str) -> tuple[str, str]:
    path, _, query = raw.partition("?")
    return unquote(path), query
