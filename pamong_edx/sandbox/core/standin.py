"""The WSGI application every stand-in runs as: its control routes, faults and statistics around an app.

Served by `serving.SandboxServer` on a socket, or called in-process by werkzeug's test client:

    client = werkzeug.test.Client(StandIn(OpenEdxApp()))
    client.get("/__sandbox__/stats").json

Control routes (never faulted, never counted):
    GET  /__sandbox__/stats            {"total", "requests": {"POST /route": n}, "statuses", "faults"}
    POST /__sandbox__/stats/reset      zero the counts (DELETE /__sandbox__/stats does the same)
    GET  /__sandbox__/config           fault and app settings
    POST /__sandbox__/config           change them: {"latency_ms": 30, "throttle": false, ...}
Anything else under /__sandbox__/ belongs to the app (seeding users, grades, ...).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any, Protocol

from werkzeug.exceptions import ClientDisconnected

from pamong_edx.sandbox.core.faults import FaultConfig, FaultInjector
from pamong_edx.sandbox.core.http import BadRequestBody, Match, Request, Response, reply
from pamong_edx.sandbox.core.stats import Stats

log = logging.getLogger("pamong_edx.sandbox")

CONTROL = "/__sandbox__/"
SERVER_ERROR = "<h1>Server Error (500)</h1>"


class App(Protocol):
    """What a stand-in LMS provides to the frame."""

    title: str

    def match(self, request: Request) -> Match | None: ...

    def handle(self, request: Request, match: Match | None) -> Response: ...

    def control(self, request: Request) -> Response | None: ...

    def settings(self) -> dict[str, Any]: ...

    def configure(self, changes: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class Reset(ConnectionResetError):
    """Drop the connection with a TCP reset instead of answering (the server does it; in-process it is raised)."""


class StandIn:
    def __init__(self, app: App, faults: FaultConfig | None = None) -> None:
        self.app = app
        self.faults = FaultInjector(faults)
        self.stats = Stats()
        self.stopping = threading.Event()  # set when the server stops: held answers are let go

    def __call__(self, environ: dict, start_response: Any) -> Iterable[bytes]:
        return self.respond(Request(environ))(environ, start_response)

    def respond(self, request: Request) -> Response:
        _read_body(request)
        if request.path.startswith(CONTROL):
            return self._control(request)
        config = self.faults.config
        match = self.app.match(request)
        route = match.name if match else "(no route)"
        fate = self.faults.next_fate(f"{request.method} {route}")
        if config.latency_ms:
            time.sleep(config.latency_ms / 1000)
        if fate.reset:
            self.stats.record(request.method, route, "reset", "reset")
            raise Reset("reset by the stand-in's fault injection")
        if fate.burst:
            wait = config.retry_after
            response = reply.json({"detail": f"Request was throttled. Expected available in {wait} seconds."}, 429,
                                  {"Retry-After": str(wait)})
        elif fate.fail:
            response = reply.html(500, SERVER_ERROR)
        else:
            try:
                response = self.app.handle(request, match)
            except Exception:  # a bug in the stand-in must still answer like a server would
                log.exception("%s %s failed", request.method, request.path)
                response = reply.html(500, SERVER_ERROR)
        self.stats.record(request.method, route, response.status_code, fate.name)
        if fate.timeout:
            self.stopping.wait(config.hang_s)  # the work is done; the client times out waiting for the answer
        return response

    def _control(self, request: Request) -> Response:
        path, method = request.path, request.method
        if path == CONTROL + "stats" and method == "GET":
            return reply.json(self.stats.snapshot())
        if (path == CONTROL + "stats/reset" and method == "POST") or (path == CONTROL + "stats" and method == "DELETE"):
            self.stats.reset()
            return reply.json(self.stats.snapshot())
        if path == CONTROL + "config" and method == "GET":
            return reply.json(self.settings())
        if path == CONTROL + "config" and method == "POST":
            try:
                changes = request.json_body() or {}
                if not isinstance(changes, dict):
                    raise ValueError("send a JSON object")
                self.configure(changes)
            except (ValueError, KeyError, TypeError, BadRequestBody) as exc:
                return reply.json({"detail": f"bad config: {exc}"}, 400)
            return reply.json(self.settings())
        try:
            answer = self.app.control(request)
        except BadRequestBody as exc:
            return reply.json({"detail": str(exc)}, 400)
        return answer if answer is not None else reply.json({"detail": "no such control route"}, 404)

    def settings(self) -> dict[str, Any]:
        return {"faults": self.faults.config.as_dict(), "app": self.app.settings()}

    def configure(self, changes: dict[str, Any]) -> None:
        fault_keys = set(self.faults.config.as_dict())
        fault_changes = {k: v for k, v in changes.items() if k in fault_keys}
        app_changes = {k: v for k, v in changes.items() if k not in fault_keys}
        self.app.configure(app_changes)  # first, so a bad app key changes nothing
        self.faults.config.update(fault_changes)
        if fault_changes:
            self.faults.restart()  # request numbers count from the change, so a test's faults are reproducible


def _read_body(request: Request) -> None:
    """Read the whole body before anything is handled, so a client that hangs up mid-body is a dropped
    connection (the server logs one line) and never a half-handled request."""
    try:
        request.get_data()
    except ClientDisconnected as exc:
        cause = exc.__context__
        raise cause if isinstance(cause, ConnectionError) else ConnectionAbortedError("body cut short") from None
