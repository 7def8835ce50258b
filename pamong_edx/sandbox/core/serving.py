"""A stand-in on a real socket: werkzeug's threaded development server, bound to 127.0.0.1.

    with SandboxServer(app) as server:      # a free port, served from a thread
        requests.get(server.url + "/__sandbox__/stats")

What the server adds to werkzeug's: the socket is bound here (a port in use is an OSError the CLI turns
into one line; werkzeug would print and exit), the reset fault closes the connection with a TCP RST,
small answers are not held back by Nagle's algorithm, a client that hangs up is one DEBUG line and never
a traceback, and logged request lines carry no query string (Moodle tokens may travel there). A pool of
handler threads takes the connections instead of a thread started per request (half the cost of a request
on loopback).

Keep-alive: werkzeug's server answers every request with `Connection: close` (http.server cannot tell where
a body ends, so it could read the next request out of an unread body), and a client then pays a new TCP
connection per request. `_Handler` keeps the connection open only when the request's end is certain and
reached before the answer leaves: an HTTP/1.1 request with one Content-Length (or none) whose body the app
read to the end, and an answer with a Content-Length. Anything else (a chunked request, a body left unread,
an answer streamed without a length, an app that failed, a reset fault, a server stopping) still closes it.
A connection waiting for its next request is shut when the server stops; a client that leaves it idle
gets it closed after the same `timeout` as a client that connects and sends nothing (never sooner: a close
that crosses a request on its way is an error no client can tell from a lost call).
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
import struct
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wsgi import LimitedStream

from pamong_edx.sandbox.core.faults import FaultConfig, FaultInjector
from pamong_edx.sandbox.core.standin import App, Reset, StandIn
from pamong_edx.sandbox.core.stats import Stats

log = logging.getLogger("pamong_edx.sandbox")
QUERY = re.compile(r"\?[^\s\"]*")  # query strings may carry a token (Moodle merges GET into POST): never logged
FAILED = "pamong.sandbox.failed"  # set in the environ when the app raised: the answer may be cut, so close


class SandboxServer:
    def __init__(self, app: App, *, port: int = 0, faults: FaultConfig | None = None, host: str = "127.0.0.1",
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.app = app
        self.stand_in = StandIn(app, faults)
        self.scheme = "https" if ssl_context is not None else "http"
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((host, port))
            listener.listen(128)
            self._httpd: BaseWSGIServer = make_server(host, port, _mark_failures(self.stand_in), threaded=True,
                                                      request_handler=_Handler, fd=listener.fileno(),
                                                      ssl_context=ssl_context)
        finally:
            listener.close()  # the server holds its own duplicate of the socket
        self._httpd.handle_error = _handle_error  # type: ignore[method-assign]
        self._httpd.log = _server_log  # type: ignore[method-assign]
        self._workers = ThreadPoolExecutor(max_workers=128, thread_name_prefix=f"sandbox-{self.port}")
        self._httpd.process_request = self._hand_over  # type: ignore[method-assign]
        self._httpd.waiting = _Waiting()  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    def _hand_over(self, request: socket.socket, client_address: Any) -> None:
        """socketserver's hook: a pooled thread serves the connection (ThreadingMixIn's body, pooled)."""
        self._workers.submit(self._httpd.process_request_thread, request, client_address)

    @property
    def faults(self) -> FaultInjector:
        return self.stand_in.faults

    @property
    def stats(self) -> Stats:
        return self.stand_in.stats

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def start(self) -> SandboxServer:
        # A short poll, so stopping takes milliseconds (tests start and stop hundreds of servers).
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01},
                                        name=f"sandbox-{self.port}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until Ctrl-C (werkzeug's loop ends quietly on KeyboardInterrupt)."""
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self.close()

    def stop(self) -> None:
        self.stand_in.stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self.close()

    def close(self) -> None:
        self.stand_in.stopping.set()
        self._httpd.waiting.close()  # type: ignore[attr-defined]
        self._httpd.server_close()
        self._workers.shutdown(wait=False, cancel_futures=True)
        self.app.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def bind(app: App, *, port: int = 0, faults: FaultConfig | None = None) -> SandboxServer:
    """A server for `app` on 127.0.0.1 (a free port by default), not yet started: use it as a context manager.
    The app is closed again when the port cannot be bound."""
    try:
        return SandboxServer(app, port=port, faults=faults)
    except OSError:
        app.close()
        raise


def _mark_failures(app: Any) -> Any:
    """The app, noting in the environ when it raised: werkzeug then answers 500 on a connection whose answer
    may already be half sent, which must close."""

    def app_marking_failures(environ: dict, start_response: Any) -> Any:
        try:
            yield from app(environ, start_response)
        except Exception:
            environ[FAILED] = True
            raise

    return app_marking_failures


class _Waiting:
    """The connections waiting for a request, shut when the server stops: their threads would otherwise wait
    out their timeout (and the interpreter waits for pooled threads at exit)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self.closed = False

    def add(self, connection: socket.socket) -> bool:
        """False once the server has stopped: the connection is not kept for another request."""
        with self._lock:
            if not self.closed:
                self._connections.add(connection)
            return not self.closed

    def discard(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            waiting, self._connections = self._connections, set()
        for connection in waiting:
            try:
                connection.shutdown(socket.SHUT_RDWR)  # the blocked read returns: the thread ends
            except OSError:
                pass  # the client went first


class _Body(LimitedStream):
    """A request body of known length. A client that hangs up inside it is a dropped connection (one DEBUG
    line), whether the app or werkzeug's drain after the answer reads it, never a 400 from werkzeug."""

    def on_disconnect(self, error: Exception | None = None) -> None:
        if isinstance(error, OSError):  # a reset, a timeout: what the socket said
            raise error
        raise ConnectionAbortedError("the client hung up inside the body") from error


class _Handler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120  # a client that goes quiet (before a request, inside one, or kept alive) frees its thread
    _body: _Body | None = None  # the request's body when its end is known: the connection may be kept
    _sized = False  # the answer has a Content-Length

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes: without this the body waits for the client's delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle_one_request(self) -> None:
        waiting: _Waiting = self.server.waiting  # type: ignore[attr-defined]
        if not waiting.add(self.connection):
            self.close_connection = True  # the server stopped while the last answer was made
            return
        try:
            super().handle_one_request()
        finally:
            waiting.discard(self.connection)

    def parse_request(self) -> bool:
        # The request line is in: the request is no longer waiting (a stop lets it be answered).
        self.server.waiting.discard(self.connection)  # type: ignore[attr-defined]
        return super().parse_request()

    def run_wsgi(self) -> None:
        raw = self.rfile
        self.environ: dict = {}
        lengths = self.headers.get_all("Content-Length") or ["0"]
        self._sized = False
        self._body = None
        if (self.request_version == "HTTP/1.1" and "Transfer-Encoding" not in self.headers and len(lengths) == 1
                and lengths[0].isascii() and lengths[0].isdigit()):
            # The app reads the body through this, and so does werkzeug's drain after the answer: neither can
            # read into the next request.
            self._body = self.rfile = _Body(raw, int(lengths[0]))
        try:
            super().run_wsgi()
        finally:
            self.rfile = raw
            if self.environ.get(FAILED):
                self.close_connection = True
            self._body = None

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "content-length":
            self._sized = True
        elif keyword == "Connection" and value == "close" and self._keep_alive():
            return  # werkzeug's unconditional close, left out: this connection stays open
        super().send_header(keyword, value)

    def _keep_alive(self) -> bool:
        """Whether the connection can take another request, decided as the answer's headers leave."""
        return (self._body is not None and self._body.is_exhausted and self._sized and not self.close_connection
                and not self.environ.get(FAILED) and not self.server.waiting.closed)  # type: ignore[attr-defined]

    def connection_dropped(self, error: BaseException, environ: dict | None = None) -> None:
        self.close_connection = True  # whatever is left on the connection is no request
        if isinstance(error, Reset):
            # SO_LINGER with a zero timeout makes close() send RST: the client sees "connection reset by peer".
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        # A client that hangs up or resets mid-request (a killed job, a timeout) is normal traffic for a
        # stand-in that injects faults.
        host, port = self.client_address[:2]
        log.debug("%s:%s disconnected: %s", host, port, type(error).__name__)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = urlsplit(getattr(self, "path", "")).path
        log.debug('%s "%s %s" %s', self.address_string(), getattr(self, "command", "-"), path, code)

    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 - werkzeug's signature
        log.debug("%s %s", self.address_string(), _no_query(message % args if args else message))


def _no_query(text: str) -> str:
    return QUERY.sub("", text)


def _server_log(type: str, message: str, *args: Any) -> None:  # noqa: A002
    log.debug(_no_query(message % args if args else message))


def _handle_error(request: Any, client_address: Any) -> None:
    error = sys.exc_info()[1]
    if isinstance(error, (ConnectionError, TimeoutError)):
        log.debug("%s:%s disconnected: %s", client_address[0], client_address[1], type(error).__name__)
        return
    log.error("error serving %s", client_address[0], exc_info=error)
