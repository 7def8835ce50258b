"""core_cohort_* functions: create (one transaction, unique idnumber), search, add and delete members."""

from __future__ import annotations

import sqlite3

from pamong_edx.sandbox.moodle.calls import Call, Function, exception
from pamong_edx.sandbox.moodle.params import DEFAULT, OPTIONAL, Multiple, Single, Value
from pamong_edx.sandbox.moodle.render import invalid_parameter, missing_record, no_permission
from pamong_edx.sandbox.moodle.store import SYSTEM_CONTEXT, now

CATEGORY_CONTEXT_BASE = 100  # the stand-in's context id of course category N is 100 + N

CREATE = Single({"cohorts": Multiple(Single({
    "categorytype": Single({"type": Value("text"), "value": Value("raw")}),
    "name": Value("raw"), "idnumber": Value("raw"), "description": Value("raw", OPTIONAL),
    "descriptionformat": Value("int", DEFAULT, 1), "visible": Value("bool", OPTIONAL),
    "theme": Value("plugin", OPTIONAL),
    "customfields": Multiple(Single({"shortname": Value("alphanumext"), "value": Value("raw")}), need=OPTIONAL),
}))})
SEARCH = Single({
    "query": Value("raw"),
    "context": Single({"contextid": Value("int", DEFAULT, 0), "contextlevel": Value("alpha", DEFAULT, ""),
                       "instanceid": Value("int", DEFAULT, 0)}),
    "includes": Value("alpha", DEFAULT, "parents"),
    "limitfrom": Value("int", DEFAULT, 0),
    "limitnum": Value("int", DEFAULT, 25),
})
KIND = Single({"type": Value("alphanumext"), "value": Value("raw")})
ADD = Single({"members": Multiple(Single({"cohorttype": KIND, "usertype": KIND}))})
DELETE = Single({"members": Multiple(Single({"cohortid": Value("int"), "userid": Value("int")}))})


def cohort_data(row: sqlite3.Row, with_customfields: bool = False) -> dict:
    data = {"id": row["id"], "name": row["name"], "idnumber": row["idnumber"] or "",
            "description": row["description"], "descriptionformat": row["descriptionformat"],
            "visible": bool(row["visible"])}
    if with_customfields:
        data["customfields"] = []
    return data


def _manage_or(call: Call, capability: str, what: str) -> None:
    if not (call.can("moodle/cohort:manage") or call.can(capability)):
        raise no_permission(capability, what)


def create_cohorts(call: Call, params: dict) -> list[dict]:
    created = []
    for cohort in params["cohorts"]:
        kind = cohort["categorytype"]
        if kind["type"] == "system":
            context = SYSTEM_CONTEXT
        elif kind["type"] in ("id", "idnumber"):
            row = call.conn.execute(f"SELECT id FROM categories WHERE {kind['type']} = ?", (kind["value"],)).fetchone()
            if row is None:
                raise invalid_parameter(f"category not exists: category={kind['value']}")
            context = CATEGORY_CONTEXT_BASE + row["id"]
        else:
            raise invalid_parameter(f"category type must be id, idnumber or system:{kind['type']}")
        call.require("moodle/cohort:manage", "Manage cohorts")
        if not cohort["name"].strip():
            raise invalid_parameter("Invalid cohort name")
        if cohort["idnumber"] and call.conn.execute("SELECT 1 FROM cohorts WHERE idnumber = ?",
                                                    (cohort["idnumber"],)).fetchone():
            raise invalid_parameter(f"record already exists: idnumber={cohort['idnumber']}")
        cur = call.conn.execute(
            "INSERT INTO cohorts (contextid, name, idnumber, description, descriptionformat, visible, timecreated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (context, cohort["name"], cohort["idnumber"], cohort.get("description", ""), cohort["descriptionformat"],
             int(cohort.get("visible", True)), now()))
        row = call.conn.execute("SELECT * FROM cohorts WHERE id = ?", (cur.lastrowid,)).fetchone()
        created.append(cohort_data(row))
    return created


def search_cohorts(call: Call, params: dict) -> dict:
    context = params["context"]
    if context["contextid"]:
        contextid = context["contextid"]
    elif context["contextlevel"] == "system":
        contextid = SYSTEM_CONTEXT
    elif context["contextlevel"] == "coursecat":
        contextid = CATEGORY_CONTEXT_BASE + context["instanceid"]
    else:
        raise invalid_parameter("Missing parameters: contextid or contextlevel and instanceid")
    _manage_or(call, "moodle/cohort:view", "View site-wide cohorts")
    includes = params["includes"]
    if includes == "self":
        where, args = "contextid = ?", [contextid]
    elif includes == "parents":
        where, args = "contextid IN (?, ?)", [contextid, SYSTEM_CONTEXT]
    elif includes == "all":
        where, args = "1 = 1", []
    else:
        raise exception("codingerror", "Coding error detected, it must be fixed by a programmer: Invalid parameter "
                        "value for 'includes'.", cls="coding_exception")
    query = params["query"]
    if query:
        like = f"%{query}%"
        where += " AND (name LIKE ? OR idnumber LIKE ? OR description LIKE ?)"  # LIKE ignores case, as Moodle's
        args += [like, like, like]
    args += [params["limitnum"] if params["limitnum"] > 0 else -1, params["limitfrom"]]
    rows = call.conn.execute(f"SELECT * FROM cohorts WHERE {where} ORDER BY name, id LIMIT ? OFFSET ?", args)
    return {"cohorts": [cohort_data(r, with_customfields=True) for r in rows]}


def add_cohort_members(call: Call, params: dict) -> dict:
    warnings = []
    for member in params["members"]:
        cohort_kind, user_kind = member["cohorttype"], member["usertype"]
        if cohort_kind["type"] not in ("id", "idnumber"):
            warnings.append({"warningcode": "1", "message": f"invalid parameter: cohortype={cohort_kind['type']}"})
            continue
        if user_kind["type"] not in ("id", "username"):
            warnings.append({"warningcode": "1", "message": f"invalid parameter: usertype={user_kind['type']}"})
            continue
        cohort = call.conn.execute(f"SELECT * FROM cohorts WHERE {cohort_kind['type']} = ?",
                                   (cohort_kind["value"],)).fetchone()
        if cohort is None:
            warnings.append({"warningcode": "2",
                             "message": f"cohort {cohort_kind['type']}={cohort_kind['value']} not exists"})
            continue
        user = call.conn.execute(f"SELECT id FROM users WHERE {user_kind['type']} = ? AND deleted = 0",
                                 (user_kind["value"],)).fetchone()
        if user is None:
            warnings.append({"warningcode": "2",
                             "message": f"user {user_kind['type']}={user_kind['value']} not exists"})
            continue
        if call.conn.execute("SELECT 1 FROM cohort_members WHERE cohortid = ? AND userid = ?",
                             (cohort["id"], user["id"])).fetchone():
            warnings.append({"warningcode": "3", "message": f"record already exists: cohort({cohort_kind['type']}="
                             f"{cohort_kind['value']} {user_kind['type']}={user_kind['value']})"})
            continue
        _manage_or(call, "moodle/cohort:assign", "Assign cohort members")
        call.conn.execute("INSERT INTO cohort_members VALUES (?, ?, ?)", (cohort["id"], user["id"], now()))
    return {"warnings": warnings}


def delete_cohort_members(call: Call, params: dict) -> None:
    for member in params["members"]:
        if call.conn.execute("SELECT 1 FROM cohorts WHERE id = ?", (member["cohortid"],)).fetchone() is None:
            raise missing_record("cohort")
        if call.app.store.user(call.conn, member["userid"]) is None:
            raise missing_record("user")
        _manage_or(call, "moodle/cohort:assign", "Assign cohort members")
        call.conn.execute("DELETE FROM cohort_members WHERE cohortid = ? AND userid = ?",
                          (member["cohortid"], member["userid"]))
    return None


FUNCTIONS = {
    "core_cohort_create_cohorts": Function(CREATE, create_cohorts, writes=True),
    "core_cohort_search_cohorts": Function(SEARCH, search_cohorts, writes=False),
    "core_cohort_add_cohort_members": Function(ADD, add_cohort_members, writes=True),
    "core_cohort_delete_cohort_members": Function(DELETE, delete_cohort_members, writes=True),
}
