"""The stand-in's own control routes under /__sandbox__/: seed people, roles and grades, revoke tokens.

    POST /__sandbox__/users    {"username", "email", "name"?, "is_staff"?, "is_active"?}, or {"users": [...]}
    POST /__sandbox__/apps     {"client_id", "client_secret", "username"}
    POST /__sandbox__/roles    {"username", "course_id", "role"}   (staff, instructor, Moderator, ...)
    POST /__sandbox__/grades   {"username", "course_id", "percent", "passed"?, "letter_grade"?}
    POST /__sandbox__/tokens/revoke          every issued token stops working (the JWT key rotates)
    POST /__sandbox__/simulate               {"seed", "course_id"?}: simulated learners (core/simulate.py)
    GET  /__sandbox__/credentials            the seeded OAuth clients
    GET  /__sandbox__/courses/{course_id}    a course as last imported, with what the platform would
                                             silently degrade ("notes")
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING

from pamong_edx.sandbox.core import control
from pamong_edx.sandbox.core.http import Response, reply

if TYPE_CHECKING:
    from pamong_edx.sandbox.openedx.app import OpenEdxApp

class ControlRoutes(control.ControlRoutes):
    def __init__(self, app: OpenEdxApp) -> None:
        self.app = app

    def route(self, method: str, name: str, body: dict) -> Response | None:
        if method == "POST" and name == "users":
            return self.users(body)
        if method == "POST" and name == "apps":
            self.app.store.create_app(str(body["client_id"]), str(body["client_secret"]), str(body["username"]))
            return reply.json({"client_id": body["client_id"]}, 201)
        if method == "POST" and name == "roles":
            return self.roles(body)
        if method == "POST" and name == "grades":
            return self.grades(body)
        if method == "POST" and name == "tokens/revoke":
            self.app.store.set_setting("jwt_key", secrets.token_hex(32))
            with self.app.store.db.write() as conn:
                conn.execute("DELETE FROM bearer_tokens")
            return reply.json({"revoked": True})
        if method == "GET" and name == "credentials":
            return reply.json([c.__dict__ for c in self.app.credentials])
        if method == "GET" and name.startswith("courses/"):
            return self.course(name[len("courses/"):])
        if method == "POST" and name == "simulate":
            from pamong_edx.sandbox.openedx.learners import simulate

            tally = simulate(self.app, int(body["seed"]), body.get("course_id"))
            return reply.json(tally.__dict__)
        return None

    def users(self, body: dict) -> Response:
        created = []
        for item in body["users"] if "users" in body else [body]:
            user = self.app.store.create_user(
                str(item["username"]), str(item["email"]), str(item.get("name", "")),
                is_active=bool(item.get("is_active", True)), is_staff=bool(item.get("is_staff", False)),
                meta=item.get("meta") or {},
            )
            created.append({"id": user.id, "username": user.username})
        return reply.json(created if "users" in body else created[0], 201)

    def roles(self, body: dict) -> Response:
        user = self.app.store.user_by_username(str(body["username"]))
        if user is None:
            return reply.json({"detail": f"no user {body['username']}"}, 404)
        self.app.store.grant_role(user, str(body["course_id"]), str(body["role"]))
        return reply.json({"granted": True}, 201)

    def grades(self, body: dict) -> Response:
        user = self.app.store.user_by_username(str(body["username"]))
        if user is None:
            return reply.json({"detail": f"no user {body['username']}"}, 404)
        percent = float(body["percent"])
        with self.app.store.db.write() as conn:
            conn.execute("INSERT OR REPLACE INTO grades VALUES (?, ?, ?, ?, ?)",
                         (user.id, str(body["course_id"]), percent, int(bool(body.get("passed", percent >= 0.5))),
                          body.get("letter_grade")))
        return reply.json({"saved": True}, 201)

    def course(self, course_id: str) -> Response:
        row = self.app.store.course(course_id)
        if row is None:
            return reply.json({"detail": "no such course"}, 404)
        data = {k: row[k] for k in row.keys() if k != "structure"}
        data["structure"] = json.loads(row["structure"]) if row["structure"] else None
        return reply.json(data)
