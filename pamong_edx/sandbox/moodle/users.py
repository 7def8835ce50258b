"""core_user_* functions (spec section 4): create in one transaction, update user by user, look up exactly."""

from __future__ import annotations

import json
import sqlite3

from pamong_edx.sandbox.moodle.calls import Call, Function, check_email, user_description
from pamong_edx.sandbox.moodle.params import CLEAN, DEFAULT, OPTIONAL, Multiple, Single, Value
from pamong_edx.sandbox.moodle.render import invalid_parameter
from pamong_edx.sandbox.moodle.store import now

INTERNAL_AUTHS = {"manual", "email"}  # auth plugins that keep the password in Moodle
NOT_FOR_WS = {"mnet", "webservice"}  # installed, but core_user_create_users refuses them


def _pairs(key: str) -> Multiple:
    return Multiple(Single({"type": Value("alphanumext" if key == "customfields" else "raw"), "value": Value("raw")}),
                    need=OPTIONAL)


def _user_fields(required: bool) -> dict:
    need = "required" if required else OPTIONAL
    return {
        "username": Value("username", need),
        "auth": Value("plugin", DEFAULT if required else OPTIONAL, "manual"),
        "password": Value("raw", OPTIONAL),
        "firstname": Value("notags", need),
        "lastname": Value("notags", need),
        "email": Value("raw_trimmed", need),
        "maildisplay": Value("int", OPTIONAL),
        "city": Value("notags", OPTIONAL),
        "country": Value("alpha", OPTIONAL),
        "timezone": Value("timezone", OPTIONAL),
        "description": Value("raw", OPTIONAL),
        "firstnamephonetic": Value("notags", OPTIONAL),
        "lastnamephonetic": Value("notags", OPTIONAL),
        "middlename": Value("notags", OPTIONAL),
        "alternatename": Value("notags", OPTIONAL),
        "interests": Value("text", OPTIONAL),
        "idnumber": Value("raw", DEFAULT if required else OPTIONAL, ""),
        "institution": Value("text", OPTIONAL),
        "department": Value("text", OPTIONAL),
        "phone1": Value("notags", OPTIONAL),
        "phone2": Value("notags", OPTIONAL),
        "address": Value("text", OPTIONAL),
        "lang": Value("safedir", DEFAULT if required else OPTIONAL, "en"),
        "calendartype": Value("plugin", DEFAULT if required else OPTIONAL, "gregorian"),
        "theme": Value("plugin", OPTIONAL),
        "mailformat": Value("int", OPTIONAL),
        "customfields": _pairs("customfields"),
        "preferences": _pairs("preferences"),
    }


CREATE = Single({"users": Multiple(Single({"createpassword": Value("bool", OPTIONAL), **_user_fields(True)}))})
UPDATE = Single({"users": Multiple(Single({"id": Value("int"), "suspended": Value("bool", OPTIONAL),
                                           "userpicture": Value("int", OPTIONAL), **_user_fields(False)}))})
BY_FIELD = Single({"field": Value("alpha"), "values": Multiple(Value("raw"))})
SEARCH = Single({"criteria": Multiple(Single({"key": Value("alpha"), "value": Value("raw")}))})
STORED = ("auth", "password", "firstname", "lastname", "email", "maildisplay", "city", "country", "timezone",
          "description", "idnumber", "institution", "department", "lang", "calendartype", "mailformat")


def _email_taken(call: Call, email: str, other_than: int | None = None) -> bool:
    row = call.conn.execute("SELECT id FROM users WHERE email = ? COLLATE NOCASE AND deleted = 0 AND id != ?",
                            (email, other_than or 0)).fetchone()
    return row is not None


def _save_extras(call: Call, user_id: int, user: dict) -> None:
    fields = call.app.store.profile_fields(call.conn)
    for item in user.get("customfields") or []:
        field_id = fields.get(item["type"])
        if field_id is None:
            continue  # profile_save_data ignores a short name the site does not have: the value is lost
        call.conn.execute("INSERT OR REPLACE INTO profile_data VALUES (?, ?, ?)", (user_id, field_id, item["value"]))
    prefs = {p["type"]: p["value"] for p in user.get("preferences") or []}
    if user.get("createpassword"):
        prefs.update({"create_password": "1", "auth_forcepasswordchange": "1"})
    if prefs:
        row = call.conn.execute("SELECT preferences FROM users WHERE id = ?", (user_id,)).fetchone()
        merged = {**json.loads(row["preferences"] or "{}"), **prefs}
        call.conn.execute("UPDATE users SET preferences = ? WHERE id = ?", (json.dumps(merged), user_id))


def create_users(call: Call, params: dict) -> list[dict]:
    call.require("moodle/user:create", "Create users")
    settings = call.settings
    auths = set(settings.auths) - NOT_FOR_WS
    created = []
    for user in params["users"]:  # the first bad record raises: the caller's transaction rolls back all of them
        username = user["username"]
        if not username.strip():
            raise invalid_parameter("The field username cannot be blank")
        if call.conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
            raise invalid_parameter(f"Username already exists: {username}")
        if user["auth"] not in auths:
            raise invalid_parameter(f"Invalid authentication type: {user['auth']}")
        if user["lang"] not in settings.langs:
            raise invalid_parameter(f"Invalid language code: {user['lang']}")
        if user.get("theme") and user["theme"] not in ("boost", "classic"):
            raise invalid_parameter(f"Invalid theme: {user['theme']}")
        if user["auth"] in INTERNAL_AUTHS and not user.get("createpassword") and not user.get("password"):
            raise invalid_parameter("Invalid password: you must provide a password, or set createpassword.")
        if not check_email(user["email"]):
            raise invalid_parameter(f"Email address is invalid: {user['email']}")
        if not settings.allowaccountssameemail and _email_taken(call, user["email"]):
            raise invalid_parameter(f"Email address already exists: {user['email']}")
        if not user["firstname"].strip() or not user["lastname"].strip():
            raise invalid_parameter("The field firstname or lastname cannot be blank")
        values = {k: user[k] for k in STORED if k in user}
        if user["auth"] not in INTERNAL_AUTHS:
            values["password"] = "not cached"
        elif user.get("createpassword"):
            values["password"] = ""
        t = now()
        columns = ["username", *values, "timecreated", "timemodified"]
        cur = call.conn.execute(
            f"INSERT INTO users ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            (username, *values.values(), t, t))
        _save_extras(call, int(cur.lastrowid), user)
        created.append({"id": int(cur.lastrowid), "username": username})
    return created


def update_users(call: Call, params: dict) -> dict:
    call.require("moodle/user:update", "Update user profiles")
    warnings = []
    for user in params["users"]:
        # Each user in its own transaction: a failure is a warning and the others are kept.
        call.conn.execute("SAVEPOINT one_user")
        problem = _update_one(call, user)
        if problem:
            call.conn.execute("ROLLBACK TO one_user")
            warnings.append({"item": "user", "itemid": user["id"], "warningcode": problem[0], "message": problem[1]})
        call.conn.execute("RELEASE one_user")
    return {"warnings": warnings}


def _update_one(call: Call, user: dict) -> tuple[str, str] | None:
    row = call.app.store.user(call.conn, user["id"])
    if row is None:
        return "invaliduserid", "Invalid user ID"
    if row["siteadmin"] and not call.caller["siteadmin"]:
        return "usernotupdatedadmin", "Cannot update admin accounts"
    if row["id"] == 1:
        return "usernotupdatedguest", "Cannot update guest account"
    if "email" in user:
        if not check_email(user["email"]):
            return "useremailinvalid", "Invalid email address"
        if not call.settings.allowaccountssameemail and _email_taken(call, user["email"], row["id"]):
            return "useremailduplicate", "Duplicate email address"
    if "username" in user and call.conn.execute("SELECT 1 FROM users WHERE username = ? AND id != ?",
                                                (user["username"], row["id"])).fetchone():
        return "usernameexists", "Username already exists"
    values = {k: user[k] for k in (*STORED, "username") if k in user}
    if "suspended" in user:
        values["suspended"] = int(user["suspended"])
    values["timemodified"] = now()
    sets = ", ".join(f"{k} = ?" for k in values)
    call.conn.execute(f"UPDATE users SET {sets} WHERE id = ?", (*values.values(), row["id"]))
    _save_extras(call, row["id"], user)
    return None


FIELD_TYPES = {"id": "int", "idnumber": "raw", "username": "username", "email": "raw_trimmed"}


def get_users_by_field(call: Call, params: dict) -> list[dict]:
    field = params["field"]
    if field not in FIELD_TYPES:
        raise invalid_parameter(f"The search field '{field}' is not supported, look at the web service documentation")
    values = []
    for value in params["values"]:
        cleaned = CLEAN[FIELD_TYPES[field]](value)
        if cleaned != value:
            raise invalid_parameter(f"The field '{field}' value is invalid: {value}(cleaned value: {cleaned})")
        values.append(int(cleaned) if field == "id" else cleaned)
    if not values:
        return []
    # PostgreSQL compares text exactly; MySQL's default collation ignores case (the `email_lookup_case_sensitive`
    # setting picks which database the stand-in behaves like).
    collate = "" if field != "email" or call.settings.email_lookup_case_sensitive else " COLLATE NOCASE"
    rows: list[sqlite3.Row] = []
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        rows += call.conn.execute(
            f"SELECT * FROM users WHERE deleted = 0 AND id > 1 AND {field}{collate} IN ({', '.join('?' * len(chunk))})",
            chunk).fetchall()
    return [user_description(call, row) for row in sorted(rows, key=lambda r: r["id"])]


def get_users(call: Call, params: dict) -> dict:
    where, args, warnings = ["deleted = 0", "id > 1"], [], []
    for item in params["criteria"]:
        key, value = item["key"], item["value"]
        if key not in ("id", "lastname", "firstname", "idnumber", "username", "email", "auth"):
            warnings.append({"item": key, "warningcode": "invalidfieldparameter", "message": f"The search key "
                             f"'{key}' is not supported, look at the web service documentation"})
            continue
        if key in ("id", "auth"):
            where.append(f"{key} = ?")
        else:
            where.append(f"{key} LIKE ? ESCAPE '\\'")  # case-insensitive, % allowed, as sql_like(.., false)
        args.append(value)
    rows = call.conn.execute(f"SELECT * FROM users WHERE {' AND '.join(where)} ORDER BY id", args).fetchall()
    return {"users": [user_description(call, row) for row in rows], "warnings": warnings}


FUNCTIONS = {
    "core_user_create_users": Function(CREATE, create_users, writes=True),
    "core_user_update_users": Function(UPDATE, update_users, writes=True),
    "core_user_get_users_by_field": Function(BY_FIELD, get_users_by_field, writes=False),
    "core_user_get_users": Function(SEARCH, get_users, writes=False),
}
