"""The preview's HTTP side: a werkzeug application on 127.0.0.1.

    /                  the preview page (page.shell)
    /run/<sco>         the LMS frame of a SCO (?device=desktop|phone, &page=<unit id>, &block=<block id>)
    /sco/<file>        the package's files as the SCO sees them: its page, player/..., assets/...
    /olx/<sco>         the sequential as Open edX shows it; /olx/static/<name> its files; POST
                       /olx/<sco>/check marks a problem's answers as Open edX would
    /_preview/<file>   the preview's own scripts and styles
    /events            server-sent events: `reload` when the course changed (?since=<generation>)

Every answer is `no-store`: the page a browser shows is always the one of the current sources.
"""

from __future__ import annotations

import json
import mimetypes
import socket
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from werkzeug.exceptions import BadRequest, HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from pamong_edx.preview import olx_view, page
from pamong_edx.preview.state import Preview
from pamong_edx.preview.watcher import Notifier, Watcher

LOCAL_NAMES = ("127.0.0.1", "localhost")
OWN_FILES = ("preview.js", "preview.css", "run.js", "olx.js", "olx.css", "strict_api.js")
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".vtt": "text/vtt; charset=utf-8", ".svg": "image/svg+xml"}

URLS = Map([
    Rule("/", endpoint="shell"),
    Rule("/run/<key>", endpoint="run"),
    Rule("/sco/<path:name>", endpoint="sco"),
    Rule("/olx/static/<path:name>", endpoint="olx_static"),
    Rule("/olx/<key>", endpoint="olx"),
    Rule("/olx/<key>/check", endpoint="olx_check", methods=["POST"]),
    Rule("/_preview/<name>", endpoint="own"),
    Rule("/events", endpoint="events"),
])


def _content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


class PreviewApp:
    def __init__(self, preview: Preview, device: str = "desktop"):
        self.preview = preview
        self.device = device
        self.notifier = Notifier(preview.snapshot.generation)

    def changed(self, paths: set[Path]) -> None:
        """A batch of changed files: the course is loaded again and the open pages told."""
        snapshot = self.preview.reload()
        self.notifier.publish(snapshot.generation)

    # ------------------------------------------------------------------------------------------- WSGI

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            if request.host.rsplit(":", 1)[0] not in LOCAL_NAMES:
                # a page elsewhere whose name was pointed at 127.0.0.1 (DNS rebinding) reads nothing
                raise BadRequest()
            endpoint, args = URLS.bind_to_environ(environ).match()
            response = getattr(self, f"on_{endpoint}")(request, **args)
        except HTTPException as exc:
            response = exc.get_response(environ)
        response.headers["Cache-Control"] = "no-store"
        return response(environ, start_response)

    def _html(self, text: str) -> Response:
        return Response(text, content_type="text/html; charset=utf-8")

    def _build(self, key: str):
        build = self.preview.snapshot.shown
        if build is None or key not in build.scos:
            raise NotFound()
        return build

    def on_shell(self, request: Request) -> Response:
        device = request.args.get("device", self.device)
        return self._html(page.shell(self.preview.snapshot, device if device in ("desktop", "phone") else "desktop"))

    def on_run(self, request: Request, key: str) -> Response:
        build = self._build(key)
        device = request.args.get("device", "desktop")
        return self._html(page.run_frame(build, key, device if device in ("desktop", "phone") else "desktop",
                                         self.preview.answer_keys(build, key), request.args.get("page", ""),
                                         request.args.get("block", "")))

    def on_sco(self, request: Request, name: str) -> Response:
        build = self.preview.snapshot.shown
        if build is None:
            raise NotFound()
        if name.startswith("assets/"):
            asset = build.course.assets.get(name[len("assets/"):])  # only the course's packaged files
            if asset is None:
                raise NotFound()
            return Response(asset.path.read_bytes(), content_type=_content_type(name))
        sco = next((s for s in build.scos.values() if s.href == name), None)
        if sco is not None:
            html, _used, _files = self.preview.page(build, sco.key)
            return self._html(html)
        data = self.preview.player_file(build, name)
        if data is None:
            raise NotFound()
        return Response(data, content_type=_content_type(name))

    def on_olx(self, request: Request, key: str) -> Response:
        build = self._build(key)
        files, problems = self.preview.olx_files(build)
        return self._html(page.olx_page(build, key, olx_view.sequential_view(files, key), problems))

    def on_olx_check(self, request: Request, key: str) -> Response:
        """Submit in the "as Open edX" view: the problem's responses marked by Open edX's rules."""
        build = self._build(key)
        files, _problems = self.preview.olx_files(build)
        url_name = request.form.get("problem", "")
        data = files.get(f"course/problem/{url_name}.xml")
        if not isinstance(data, bytes):
            raise NotFound()
        answers = {name: request.form.getlist(name) for name in request.form if name != "problem"}
        results = olx_view.grade(olx_view.parse(data), url_name, answers)
        return Response(json.dumps({"results": results}), content_type="application/json")

    def on_olx_static(self, request: Request, name: str) -> Response:
        build = self.preview.snapshot.shown
        if build is None:
            raise NotFound()
        files, _problems = self.preview.olx_files(build)
        content = files.get(f"course/static/{name}")
        if content is None:
            raise NotFound()
        data = content if isinstance(content, bytes) else Path(content).read_bytes()
        return Response(data, content_type=_content_type(name))

    def on_own(self, request: Request, name: str) -> Response:
        if name not in OWN_FILES:
            raise NotFound()
        data = resources.files("pamong_edx.preview").joinpath("static", name).read_bytes()
        return Response(data, content_type=_content_type(name))

    def on_events(self, request: Request) -> Response:
        try:
            since = int(request.args.get("since", ""))
        except ValueError:
            since = self.notifier.generation

        def stream(seen: int) -> Iterator[bytes]:
            yield b"retry: 1000\n\n"
            while True:
                now = self.notifier.wait(seen)
                if now != seen:
                    yield f"event: reload\ndata: {now}\n\n".encode()
                    seen = now
                else:
                    yield b": still here\n\n"  # a closed tab shows up as a failed write, which ends this thread

        return Response(stream(since), content_type="text/event-stream", direct_passthrough=True)


class QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # the terminal is for the preview's own messages, not a line per request


class Server:
    """The app served on 127.0.0.1 and the watcher feeding it, started and stopped together."""

    def __init__(self, preview: Preview, port: int = 0, device: str = "desktop"):
        self.app = PreviewApp(preview, device)
        # bound here, so that a port in use is an OSError for the command to report (werkzeug would print it
        # and exit)
        listener = socket.create_server(("127.0.0.1", port))
        try:
            self.http: BaseWSGIServer = make_server("127.0.0.1", port, self.app, threaded=True,
                                                   request_handler=QuietHandler, fd=listener.fileno())
        finally:
            listener.close()  # werkzeug serves a duplicate of it
        self.watcher = Watcher(preview.root, self.app.changed)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http.port}/"

    def start(self) -> None:
        self.watcher.start()
        self._thread = threading.Thread(target=self.http.serve_forever, name="pamong-preview-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.watcher.stop()
        self.http.shutdown()
        self.http.server_close()
