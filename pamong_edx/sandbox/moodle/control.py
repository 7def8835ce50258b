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
    POST   /__sandbox__/simulate         {"seed"}: simulated learners move on (simulate.py), and from now on
                                         before every grade read
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pamong_edx.sandbox.core import control
from pamong_edx.sandbox.core.web import Response
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
            return Response.json({"shortname": body["shortname"]}, 201)
        if method == "DELETE" and name.startswith("profile_fields/"):
            return self.drop_profile_field(name[len("profile_fields/"):])
        if method == "POST" and name == "capabilities":
            return self.capabilities(body)
        if method == "POST" and name == "services":
            with self.app.store.db.write() as conn:
                updated = conn.execute("UPDATE services SET functions = ? WHERE shortname = ?",
                                       (json.dumps(list(body["functions"])), str(body["shortname"]))).rowcount
            if not updated:
                return Response.json({"detail": f"no service {body['shortname']}"}, 404)
            return Response.json({"shortname": body["shortname"], "functions": body["functions"]})
        if method == "GET" and name == "tokens":
            return Response.json([t.__dict__ for t in self.app.store.tokens()])
        if method == "POST" and name == "simulate":
            from pamong_edx.sandbox.moodle.simulate import simulate

            self.app.simulate_seed = int(body["seed"])
            return Response.json(simulate(self.app, self.app.simulate_seed))
        if method == "GET" and name == "inputs":
            return Response.json(self.app.inputs.snapshot())
        return None

    def drop_profile_field(self, shortname: str) -> Response:
        with self.app.store.db.write() as conn:
            row = conn.execute("SELECT id FROM profile_fields WHERE shortname = ?", (shortname,)).fetchone()
            if row is None:
                return Response.json({"detail": f"no profile field {shortname}"}, 404)
            conn.execute("DELETE FROM profile_data WHERE fieldid = ?", (row["id"],))
            conn.execute("DELETE FROM profile_fields WHERE id = ?", (row["id"],))
        return Response.json({"deleted": shortname})

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
        return Response.json(created if "users" in body else created[0], 201)

    def course(self, body: dict) -> Response:
        with self.app.store.db.write() as conn:
            course = self.app.store.create_course(
                conn, str(body["shortname"]), str(body.get("fullname") or body["shortname"]),
                str(body.get("idnumber", "")), manual=bool(body.get("manual", True)),
                manual_enabled=bool(body.get("manual_enabled", True)), visible=bool(body.get("visible", True)))
        return Response.json({"id": course, "shortname": body["shortname"]}, 201)

    def capabilities(self, body: dict) -> Response:
        with self.app.store.db.write() as conn:
            user = conn.execute("SELECT * FROM users WHERE username = ?", (str(body["username"]),)).fetchone()
            if user is None:
                return Response.json({"detail": f"no user {body['username']}"}, 404)
            if "capabilities" in body:
                conn.execute("UPDATE users SET capabilities = ? WHERE id = ?",
                             (json.dumps(list(body["capabilities"])), user["id"]))
            if "assignable" in body:
                conn.execute("UPDATE users SET assignable = ? WHERE id = ?",
                             (json.dumps([int(r) for r in body["assignable"]]), user["id"]))
        return Response.json({"username": body["username"]})
