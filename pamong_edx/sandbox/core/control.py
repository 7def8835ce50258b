"""The frame of an app's own control routes under /__sandbox__/ (the stand-in frame keeps stats and config).

An app subclasses ControlRoutes and answers `route(method, name, body)`; the frame reads the JSON body and
turns a missing field into a 400 and a database conflict into a 409, the same for every stand-in.
"""

from __future__ import annotations

import sqlite3

from pamong_edx.sandbox.core.http import Request, Response, reply
from pamong_edx.sandbox.core.standin import CONTROL


class ControlRoutes:
    def handle(self, request: Request) -> Response | None:
        """The answer, or None when no control route of the app has that name (the frame says 404)."""
        name = request.path[len(CONTROL):]
        body = request.json_body() if request.method == "POST" else None
        try:
            return self.route(request.method, name, body if isinstance(body, dict) else {})
        except KeyError as exc:
            return reply.json({"detail": f"missing field {exc}"}, 400)
        except sqlite3.IntegrityError as exc:
            return reply.json({"detail": f"conflict: {exc}"}, 409)

    def route(self, method: str, name: str, body: dict) -> Response | None:
        raise NotImplementedError
