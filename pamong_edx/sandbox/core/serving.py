"""A stand-in on a real socket: werkzeug's threaded development server, bound to 127.0.0.1.

    with SandboxServer(app) as server:      # a free port, served from a thread
        requests.get(server.url + "/__sandbox__/stats")

What the server adds to werkzeug's: the socket is bound here (a port in use is an OSError the CLI turns
into one line; werkzeug would print and exit), the reset fault closes the connection with a TCP RST,
small answers are not held back by Nagle's algorithm, a client that hangs up is one DEBUG line and never
a traceback, and logged request lines carry no query string (Moodle tokens may travel there). werkzeug's
server closes every connection after its answer, so each request is a new connection: a pool of handler
threads takes them instead of a thread started per request (half the cost of a request on loopback).
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

from pamong_edx.sandbox.core.faults import FaultConfig, FaultInjector
from pamong_edx.sandbox.core.standin import App, Reset, StandIn
from pamong_edx.sandbox.core.stats import Stats

log = logging.getLogger("pamong_edx.sandbox")
QUERY = re.compile(r"\?[^\s\"]*")  # query strings may carry a token (Moodle merges GET into POST): never logged


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
            self._httpd: BaseWSGIServer = make_server(host, port, self.stand_in, threaded=True,
                                                      request_handler=_Handler, fd=listener.fileno(),
                                                      ssl_context=ssl_context)
        finally:
            listener.close()  # the server holds its own duplicate of the socket
        self._httpd.handle_error = _handle_error  # type: ignore[method-assign]
        self._httpd.log = _server_log  # type: ignore[method-assign]
        self._workers = ThreadPoolExecutor(max_workers=128, thread_name_prefix=f"sandbox-{self.port}")
        self._httpd.process_request = self._hand_over  # type: ignore[method-assign]
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


class _Handler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120  # a client that connects and goes quiet frees its thread

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes: without this the body waits for the client's delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_dropped(self, error: BaseException, environ: dict | None = None) -> None:
        if isinstance(error, Reset):
            # SO_LINGER with a zero timeout makes close() send RST: the client sees "connection reset by peer".
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
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
