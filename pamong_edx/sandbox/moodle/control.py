"""The Moodle stand-in's own control routes under /__sandbox__/ (besides stats and config, which the server keeps).

    POST   /__sandbox__/users            {"username", "email", "firstname"?, "lastname"?, "auth"?, "siteadmin"?,
                                          "customfields"?: {shortname: value}}, or {"users": [...]}
    POST   /__sandbox__/courses          {"shortname", "fullname"?, "idnumber"?, "manual"?, "manual_enabled"?,
                                          "visible"?}
    POST   /__sandbox__/profile_fields   {"shortname", "name"?}
    DELETE /__sandbox__/profile_fields/{shortname}
    POST   /__sandbox__/capabilities     {"username", "capabilities"?: [...], "assignable"?: [role ids]}
    POST   /__sandbox__/services         {"shortname", "functions": [...]}   the functions a service offers
    GET    /__sandbox__/tokens           the tokens, with their user and service
    GET    /__sandbox__/inputs           {"largest", "cut_requests", "dropped"}: what max_input_vars did
    POST   /__sandbox__/activities       {"course": shortname, "name", "modname"?: quiz|scorm, "idnumber"?,
                                          "grademax"?}: a graded activity (pretest/posttest by idnumber)
    POST   /__sandbox__/simulate         {"seed", "course"?: shortname}: simulated learners (core/simulate.py)
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pamong_edx.sandbox.core import control
from pamong_edx.sandbox.core.http import Response, reply
from pamong_edx.sandbox.moodle.store import now

if TYPE_CHECKING:
    from pamong_edx.sandbox.moodle.app import MoodleApp

class ControlRoutes(control.ControlRoutes):
    def __init__(self, app: MoodleApp) -> None:
        self.app = app

    def route(self, method: str, name: str, body: dict) -> Response | None:
        if method == "POST" and name == "users":
            return self.users(body)
        if method == "POST" and name == "courses":
            return self.course(body)
        if method == "POST" and name == "profile_fields":
            with self.app.store.db.write() as conn:
                conn.execute("INSERT INTO profile_fields (shortname, name) VALUES (?, ?)",
                             (str(body["shortname"]), str(body.get("name") or body["shortname"])))
            return reply.json({"shortname": body["shortname"]}, 201)
        if method == "DELETE" and name.startswith("profile_fields/"):
            return self.drop_profile_field(name[len("profile_fields/"):])
        if method == "POST" and name == "capabilities":
            return self.capabilities(body)
        if method == "POST" and name == "services":
            with self.app.store.db.write() as conn:
                updated = conn.execute("UPDATE services SET functions = ? WHERE shortname = ?",
                                       (json.dumps(list(body["functions"])), str(body["shortname"]))).rowcount
            if not updated:
                return reply.json({"detail": f"no service {body['shortname']}"}, 404)
            return reply.json({"shortname": body["shortname"], "functions": body["functions"]})
        if method == "GET" and name == "tokens":
            return reply.json([t.__dict__ for t in self.app.store.tokens()])
        if method == "GET" and name == "inputs":
            return reply.json(self.app.inputs.snapshot())
        if method == "POST" and name == "activities":
            return self.activity(body)
        if method == "POST" and name == "simulate":
            from pamong_edx.sandbox.moodle.learners import simulate

            return reply.json(simulate(self.app, int(body["seed"]), body.get("course")).__dict__)
        return None

    def activity(self, body: dict) -> Response:
        from pamong_edx.sandbox.moodle.grades import add_activity

        with self.app.store.db.write() as conn:
            course = conn.execute("SELECT id FROM courses WHERE shortname = ?", (str(body["course"]),)).fetchone()
            if course is None:
                return reply.json({"detail": f"no course {body['course']}"}, 404)
            cmid = add_activity(conn, course["id"], str(body.get("modname", "quiz")), str(body["name"]),
                                str(body.get("idnumber", "")), float(body.get("grademax", 100)))
        return reply.json({"cmid": cmid}, 201)

    def drop_profile_field(self, shortname: str) -> Response:
        with self.app.store.db.write() as conn:
            row = conn.execute("SELECT id FROM profile_fields WHERE shortname = ?", (shortname,)).fetchone()
            if row is None:
                return reply.json({"detail": f"no profile field {shortname}"}, 404)
            conn.execute("DELETE FROM profile_data WHERE fieldid = ?", (row["id"],))
            conn.execute("DELETE FROM profile_fields WHERE id = ?", (row["id"],))
        return reply.json({"deleted": shortname})

    def users(self, body: dict) -> Response:
        created = []
        with self.app.store.db.write() as conn:
            fields = self.app.store.profile_fields(conn)
            for item in body["users"] if "users" in body else [body]:
                t = now()
                cur = conn.execute(
                    "INSERT INTO users (username, auth, firstname, lastname, email, siteadmin, timecreated, "
                    "timemodified) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (str(item["username"]), str(item.get("auth", "manual")), str(item.get("firstname", "Peserta")),
                     str(item.get("lastname", item["username"])), str(item["email"]), int(bool(item.get("siteadmin"))),
                     t, t))
                for shortname, value in (item.get("customfields") or {}).items():
                    conn.execute("INSERT INTO profile_data VALUES (?, ?, ?)", (cur.lastrowid, fields[shortname], value))
                created.append({"id": cur.lastrowid, "username": item["username"]})
        return reply.json(created if "users" in body else created[0], 201)

    def course(self, body: dict) -> Response:
        with self.app.store.db.write() as conn:
            course = self.app.store.create_course(
                conn, str(body["shortname"]), str(body.get("fullname") or body["shortname"]),
                str(body.get("idnumber", "")), manual=bool(body.get("manual", True)),
                manual_enabled=bool(body.get("manual_enabled", True)), visible=bool(body.get("visible", True)))
        return reply.json({"id": course, "shortname": body["shortname"]}, 201)

    def capabilities(self, body: dict) -> Response:
        with self.app.store.db.write() as conn:
            user = conn.execute("SELECT * FROM users WHERE username = ?", (str(body["username"]),)).fetchone()
            if user is None:
                return reply.json({"detail": f"no user {body['username']}"}, 404)
            if "capabilities" in body:
                conn.execute("UPDATE users SET capabilities = ? WHERE id = ?",
                             (json.dumps(list(body["capabilities"])), user["id"]))
            if "assignable" in body:
                conn.execute("UPDATE users SET assignable = ? WHERE id = ?",
                             (json.dumps([int(r) for r in body["assignable"]]), user["id"]))
        return reply.json({"username": body["username"]})
