"""The threaded HTTP server every stand-in app runs in, with faults, statistics and control routes.

    with SandboxServer(app) as server:      # binds 127.0.0.1 on a free port, serves from a thread
        requests.get(server.url + "/__sandbox__/stats")

Control routes (never faulted, never counted):
    GET  /__sandbox__/stats            {"total", "requests": {"POST /route": n}, "statuses", "faults"}
    POST /__sandbox__/stats/reset      zero the counts (DELETE /__sandbox__/stats does the same)
    GET  /__sandbox__/config           fault and app settings
    POST /__sandbox__/config           change them: {"latency_ms": 30, "throttle": false, ...}
Anything else under /__sandbox__/ belongs to the app (seeding users, grades, ...).
"""

from __future__ import annotations

import logging
import re
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from pamong_edx.sandbox.core.faults import FaultConfig, FaultInjector
from pamong_edx.sandbox.core.stats import Stats
from pamong_edx.sandbox.core.web import Request, Response, Route, decode_path

log = logging.getLogger("pamong_edx.sandbox")

CONTROL = "/__sandbox__/"
QUERY = re.compile(r"\?[^\s\"]*")  # query strings may carry a token (Moodle merges GET into POST): never logged


class App(Protocol):
    """What a stand-in LMS provides to the server."""

    title: str

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None: ...

    def handle(self, request: Request, found: tuple[Route, dict[str, str]] | None) -> Response: ...

    def control(self, request: Request) -> Response | None: ...

    def settings(self) -> dict[str, Any]: ...

    def configure(self, changes: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class _Reset(Exception):
    """Drop the connection with a TCP reset instead of answering."""


class SandboxServer:
    def __init__(self, app: App, *, port: int = 0, faults: FaultConfig | None = None, host: str = "127.0.0.1"):
        self.app = app
        self.faults = FaultInjector(faults)
        self.stats = Stats()
        self.stopping = threading.Event()
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.sandbox = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"sandbox-{self.port}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self.close()

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.close()

    def close(self) -> None:
        self.stopping.set()
        self._httpd.server_close()
        self.app.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- one request --------------------------------------------------------------------------------------

    def dispatch(self, request: Request) -> tuple[Response, float]:
        """The response and how long to hold it back before sending it."""
        if request.path.startswith(CONTROL):
            return self._control(request), 0.0
        config = self.faults.config
        # An app whose routes depend on more than the path (Moodle: one URL, the function in `wsfunction`)
        # names its routes from the whole request.
        match_request = getattr(self.app, "match_request", None)
        found = match_request(request) if match_request is not None else self.app.match(request.path)
        route = found[0].name if found else "(no route)"
        fate = self.faults.next_fate(f"{request.method} {route}")
        if config.latency_ms:
            time.sleep(config.latency_ms / 1000)
        if fate.reset:
            self.stats.record(request.method, route, "reset", "reset")
            raise _Reset
        if fate.burst:
            wait = config.retry_after
            response = Response.json(
                {"detail": f"Request was throttled. Expected available in {wait} seconds."}, 429,
                {"Retry-After": str(wait)},
            )
        elif fate.fail:
            response = Response.html(500, "<h1>Server Error (500)</h1>")
        else:
            try:
                response = self.app.handle(request, found)
            except Exception:  # a bug in the stand-in must still answer like a server would
                log.exception("%s %s failed", request.method, request.path)
                response = Response.html(500, "<h1>Server Error (500)</h1>")
        self.stats.record(request.method, route, response.status, fate.name)
        return response, (config.hang_s if fate.timeout else 0.0)

    def _control(self, request: Request) -> Response:
        path, method = request.path, request.method
        if path == CONTROL + "stats" and method == "GET":
            return Response.json(self.stats.snapshot())
        if (path == CONTROL + "stats/reset" and method == "POST") or (path == CONTROL + "stats" and method == "DELETE"):
            self.stats.reset()
            return Response.json(self.stats.snapshot())
        if path == CONTROL + "config" and method == "GET":
            return Response.json(self.settings())
        if path == CONTROL + "config" and method == "POST":
            try:
                changes = request.json() or {}
                if not isinstance(changes, dict):
                    raise ValueError("send a JSON object")
                self.configure(changes)
            except (ValueError, KeyError, TypeError) as exc:
                return Response.json({"detail": f"bad config: {exc}"}, 400)
            return Response.json(self.settings())
        answer = self.app.control(request)
        return answer if answer is not None else Response.json({"detail": "no such control route"}, 404)

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


def bind(app: App, *, port: int = 0, faults: FaultConfig | None = None) -> SandboxServer:
    """A server for `app` on 127.0.0.1 (a free port by default), not yet started: use it as a context manager.
    The app is closed again when the port cannot be bound."""
    try:
        return SandboxServer(app, port=port, faults=faults)
    except OSError:
        app.close()
        raise


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    sandbox: SandboxServer

    def handle_error(self, request: Any, client_address: tuple) -> None:
        # A client that hangs up or resets mid-request (a killed job, a timeout) is normal traffic for a
        # stand-in that injects faults: one debug line, not a traceback on stderr.
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            log.debug("%s:%s disconnected: %s", client_address[0], client_address[1], type(error).__name__)
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients can pool connections
    server: _HTTPServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("%s %s", self.address_string(), QUERY.sub("", format % args))

    def _serve(self) -> None:
        sandbox = self.server.sandbox
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self._write(Response.json({"detail": "chunked request bodies are not supported"}, 411))
            self.close_connection = True
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, query = decode_path(self.path)
        request = Request(
            method=self.command, path=path, query_string=query, headers=self.headers, body=body,
            client=self.client_address[0], base_url=f"http://{self.headers.get('Host') or '127.0.0.1'}",
        )
        try:
            response, hold = sandbox.dispatch(request)
        except _Reset:
            self._reset()
            return
        if hold:
            sandbox.stopping.wait(hold)
        try:
            self._write(response)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting (the timeout fault)

    def setup(self) -> None:
        super().setup()
        # Small answers must not wait for the client's delayed ACK (40 ms a request otherwise).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        # Headers and body in one write: one segment for a small answer.
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(response.body)
        self.flush_headers()
        self.wfile.flush()

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST: the client sees "connection reset by peer".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()
