"""What a web-service function gets when it runs: the caller, the database connection, the site settings."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pamong_edx.sandbox.moodle.params import Single
from pamong_edx.sandbox.moodle.render import MoodleException, no_permission

if TYPE_CHECKING:
    from pamong_edx.sandbox.moodle.app import MoodleApp

# Moodle's validate_email(), close enough: a local part, an @ and a dotted domain.
EMAIL = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$")


@dataclass
class Call:
    app: MoodleApp
    conn: sqlite3.Connection
    caller: sqlite3.Row
    base_url: str
    functions: tuple[str, ...] = ()  # what the token's external service offers

    @property
    def settings(self):  # noqa: ANN201 - the app's Settings
        return self.app.config

    def can(self, capability: str) -> bool:
        return bool(self.caller["siteadmin"]) or capability in json.loads(self.caller["capabilities"])

    def require(self, capability: str, what: str) -> None:
        if not self.can(capability):
            raise no_permission(capability, what)

    def assignable_roles(self) -> set[int]:
        if self.caller["siteadmin"]:
            return {r["id"] for r in self.conn.execute("SELECT id FROM roles")}
        return set(json.loads(self.caller["assignable"]))


@dataclass(frozen=True)
class Function:
    params: Single
    run: Callable[[Call, dict], Any]
    writes: bool  # runs in one transaction, rolled back whole on an exception


def user_description(call: Call, user: sqlite3.Row, fields: set[str] | None = None) -> dict:
    """core_user_external::user_description as user_get_user_details fills it: empty fields are left out."""
    conn = call.conn
    out: dict[str, Any] = {"id": user["id"]}
    values = {
        "username": user["username"], "firstname": user["firstname"], "lastname": user["lastname"],
        "email": user["email"], "department": user["department"], "institution": user["institution"],
        "idnumber": user["idnumber"], "auth": user["auth"], "suspended": bool(user["suspended"]),
        "confirmed": bool(user["confirmed"]), "lang": user["lang"], "calendartype": user["calendartype"],
        "timezone": user["timezone"], "mailformat": user["mailformat"], "description": user["description"],
        "city": user["city"], "country": user["country"], "firstaccess": 0, "lastaccess": 0,
    }
    access = conn.execute("SELECT firstaccess, lastaccess FROM user_access WHERE userid = ?", (user["id"],)).fetchone()
    if access is not None:
        values.update(firstaccess=access["firstaccess"], lastaccess=access["lastaccess"])
    for key, value in values.items():
        if (fields is None or key in fields) and value not in ("", None):
            out[key] = value
    out["fullname"] = f"{user['firstname']} {user['lastname']}"
    if fields is None or "profileimageurl" in fields:
        picture = f"{call.base_url}/theme/image.php/boost/core/1/u/f1"
        out["profileimageurlsmall"] = picture.replace("f1", "f2")
        out["profileimageurl"] = picture
    if fields is None or "customfields" in fields:
        custom = [
            {"type": r["datatype"], "value": r["data"], "displayvalue": r["data"], "name": r["name"],
             "shortname": r["shortname"]}
            for r in conn.execute(
                "SELECT f.shortname, f.name, f.datatype, d.data FROM profile_data d JOIN profile_fields f "
                "ON f.id = d.fieldid WHERE d.userid = ? AND d.data != '' ORDER BY f.id", (user["id"],))
        ]
        if custom:
            out["customfields"] = custom
    if fields is None or "preferences" in fields:
        prefs = json.loads(user["preferences"] or "{}")
        if prefs:
            out["preferences"] = [{"name": k, "value": v} for k, v in prefs.items()]
    return out


def check_email(email: str) -> bool:
    return bool(EMAIL.match(email))


def exception(errorcode: str, message: str, cls: str = "moodle_exception",
              debuginfo: str | None = None) -> MoodleException:
    return MoodleException(cls, errorcode, message, debuginfo)
