"""A hostile LMS of the project's own: a werkzeug app on 127.0.0.1 that answers as a misconfigured or compromised
server would, one misbehaviour per mode. Enough of Open edX is played (a token, an identity) for the client to
reach the part that misbehaves.

    with HostileServer("next-elsewhere", other=elsewhere.url) as server:
        ...  # server.url, server.seen (every request: method, path, Authorization)

Modes (see `Hostile.answer`): a `next` link, an artifact link or a redirect to another origin; a `next` link
to itself; `next` links without end; a body dripped a byte at a time, or one that never ends; JSON nested
deeper than any parser's stack; an HTML page, JSON of the wrong shape or garbage where JSON is expected; an
`expires_in` that is not a number. `Scripted` runs any answer function instead, for one-off misbehaviour.
"""

from __future__ import annotations

import base64
import json
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

TOKEN_CLAIMS = {"preferred_username": "pamong_staff", "administrator": True, "email": "staff@example.id"}


def jwt_like(claims: dict) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJub25lIn0.{payload}.sig"


def json_response(body: object, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")


@dataclass
class Seen:
    method: str
    path: str
    query: str
    authorization: str | None


class Scripted:
    """A WSGI app whose every answer is made by `answer(request)`; it records what it was sent."""

    def __init__(self, answer: Callable[[Request], Response]) -> None:
        self.answer = answer
        self.seen: list[Seen] = []
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):  # noqa: ANN001, ANN204 - WSGI
        request = Request(environ)
        with self._lock:
            self.seen.append(Seen(request.method, request.path, request.query_string.decode(),
                                  request.headers.get("Authorization")))
        return self.answer(request)(environ, start_response)


class Hostile(Scripted):
    def __init__(self, mode: str, *, other: str = "", drip_every: float = 0.2) -> None:
        super().__init__(self.respond)
        self.mode = mode
        self.other = other  # another origin's URL, for the modes that point there
        self.drip_every = drip_every
        self.base = ""

    def respond(self, request: Request) -> Response:
        self.base = request.host_url.rstrip("/")
        mode, path = self.mode, request.path
        if path.startswith("/oauth2/access_token"):
            expires = "soon" if mode == "expires-in" else 3600
            return json_response({"access_token": jwt_like(TOKEN_CLAIMS), "token_type": "JWT", "expires_in": expires})
        if path == "/api/user/v1/me":
            if mode == "deep-json":
                return Response("[" * 100_000 + "]" * 100_000, content_type="application/json")
            if mode == "html":
                return Response("<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>",
                                content_type="text/html")
            if mode == "drip":
                return Response(self._drip(b'{"username": "pamong_staff"}'), content_type="application/json")
            if mode == "endless":
                return Response(self._endless(), content_type="application/json")
            if mode == "redirect-elsewhere":
                return Response("", status=302, headers={"Location": f"{self.other}/api/user/v1/me"})
            return json_response({"username": "pamong_staff"})
        if path == "/api/courses/v1/courses/":  # namespaced pagination
            return json_response({"results": [{"id": "course-v1:X+Y+Z", "name": "Kursus"}],
                                  "pagination": {"next": self._next(request)}})
        if path.startswith("/api/cohorts/v1/courses/") and path.endswith("/cohorts/"):
            if mode == "wrong-shape":
                return json_response({"detail": "cohorts are a dict today"})
            return json_response([])
        if path == "/api/bulk_enroll/v1/bulk_enroll":
            if mode == "garbage-bulk":
                return json_response({"courses": ["not", "an", "object"], "action": 7})
            return Response("\x00\x01 not json at all", content_type="application/json")
        if path == "/api/tasks/v0/tasks/":
            artifact = f"{self.other}/api/tasks/v0/artifacts/1/" if mode == "artifact-elsewhere" else \
                f"{self.base}/api/tasks/v0/artifacts/1/"
            return json_response({"next": None, "results": [
                {"name": "Import of course-v1:X+Y+Z from c.tar.gz", "state": "Failed", "artifacts": [artifact]}]})
        if path.startswith("/api/tasks/v0/artifacts/"):
            return json_response({"name": "Error", "text": "the platform's own words"})
        return json_response({"detail": "Not found."}, 404)

    def _next(self, request: Request) -> str | None:
        page = int(request.args.get("page", "1"))
        if self.mode == "next-elsewhere":
            return f"{self.other}/api/courses/v1/courses/?page=2"
        if self.mode == "next-self":
            return f"{self.base}/api/courses/v1/courses/?page=1"
        if self.mode == "next-forever":
            return f"{self.base}/api/courses/v1/courses/?page={page + 1}"
        return None

    def _drip(self, body: bytes) -> Iterator[bytes]:
        for byte in body:
            time.sleep(self.drip_every)
            yield bytes([byte])

    def _endless(self) -> Iterator[bytes]:
        chunk = b" " * 65536
        while True:
            yield chunk


@dataclass
class HostileServer:
    """A threaded werkzeug server for an app on 127.0.0.1, on a free port (TLS when given a context)."""

    app: Scripted | str
    other: str = ""
    ssl_context: object = None
    drip_every: float = 0.2
    _server: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.app, str):
            self.app = Hostile(self.app, other=self.other, drip_every=self.drip_every)
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True, ssl_context=self.ssl_context)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_port

    @property
    def url(self) -> str:
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def seen(self) -> list[Seen]:
        return self.app.seen

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class DripHeaders(socketserver.ThreadingTCPServer):
    """Not a WSGI app: a raw server that answers every request with a status line and then headers dripped a
    byte at a time, without end (no web framework sends headers that way, which is the point)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, every: float = 0.1) -> None:
        self.every = every
        self.stopping = threading.Event()
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.recv(65536)
                try:
                    self.request.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                    while not server.stopping.wait(server.every):
                        self.request.sendall(b"z")
                except OSError:
                    pass  # the client gave up

        super().__init__(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> DripHeaders:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
