"""The Moodle stand-in's state in SQLite: users with profile fields, courses with manual enrolment, cohorts,
roles, external services and tokens. Tables keep Moodle's names and shapes where the web services show them."""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from dataclasses import dataclass

from pamong_edx.sandbox.core import store

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, auth TEXT NOT NULL DEFAULT 'manual', confirmed INTEGER NOT NULL DEFAULT 1,
    suspended INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0, username TEXT NOT NULL UNIQUE,
    password TEXT NOT NULL DEFAULT '', idnumber TEXT NOT NULL DEFAULT '', firstname TEXT NOT NULL,
    lastname TEXT NOT NULL, email TEXT NOT NULL, city TEXT NOT NULL DEFAULT '', country TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'en', institution TEXT NOT NULL DEFAULT '', department TEXT NOT NULL DEFAULT '',
    timezone TEXT NOT NULL DEFAULT '99', description TEXT NOT NULL DEFAULT '',
    calendartype TEXT NOT NULL DEFAULT 'gregorian', mailformat INTEGER NOT NULL DEFAULT 1,
    maildisplay INTEGER NOT NULL DEFAULT 2, timecreated INTEGER NOT NULL, timemodified INTEGER NOT NULL,
    siteadmin INTEGER NOT NULL DEFAULT 0, capabilities TEXT NOT NULL DEFAULT '[]',
    assignable TEXT NOT NULL DEFAULT '[]', preferences TEXT NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS users_email_nocase ON users (email COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS profile_fields (
    id INTEGER PRIMARY KEY, shortname TEXT NOT NULL UNIQUE, name TEXT NOT NULL, datatype TEXT NOT NULL DEFAULT 'text');
CREATE TABLE IF NOT EXISTS profile_data (
    userid INTEGER NOT NULL, fieldid INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (userid, fieldid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS roles (id INTEGER PRIMARY KEY, shortname TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL, idnumber TEXT);
CREATE TABLE IF NOT EXISTS courses (
    id INTEGER PRIMARY KEY, category INTEGER NOT NULL, shortname TEXT NOT NULL UNIQUE, fullname TEXT NOT NULL,
    idnumber TEXT NOT NULL DEFAULT '', format TEXT NOT NULL DEFAULT 'topics', visible INTEGER NOT NULL DEFAULT 1,
    startdate INTEGER NOT NULL DEFAULT 0, enddate INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS enrol (
    id INTEGER PRIMARY KEY, courseid INTEGER NOT NULL, enrol TEXT NOT NULL, status INTEGER NOT NULL DEFAULT 0,
    roleid INTEGER NOT NULL DEFAULT 5);
CREATE TABLE IF NOT EXISTS user_enrolments (
    id INTEGER PRIMARY KEY, enrolid INTEGER NOT NULL, userid INTEGER NOT NULL, status INTEGER NOT NULL DEFAULT 0,
    timestart INTEGER NOT NULL DEFAULT 0, timeend INTEGER NOT NULL DEFAULT 0, timecreated INTEGER NOT NULL,
    UNIQUE (enrolid, userid));
CREATE INDEX IF NOT EXISTS user_enrolments_user ON user_enrolments (userid);
CREATE TABLE IF NOT EXISTS role_assignments (
    roleid INTEGER NOT NULL, courseid INTEGER NOT NULL, userid INTEGER NOT NULL, PRIMARY KEY (courseid, userid, roleid))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cohorts (
    id INTEGER PRIMARY KEY, contextid INTEGER NOT NULL, name TEXT NOT NULL, idnumber TEXT,
    description TEXT NOT NULL DEFAULT '', descriptionformat INTEGER NOT NULL DEFAULT 1,
    visible INTEGER NOT NULL DEFAULT 1, component TEXT NOT NULL DEFAULT '', timecreated INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS cohorts_idnumber ON cohorts (idnumber) WHERE idnumber IS NOT NULL AND idnumber != '';
CREATE TABLE IF NOT EXISTS cohort_members (
    cohortid INTEGER NOT NULL, userid INTEGER NOT NULL, timeadded INTEGER NOT NULL, PRIMARY KEY (cohortid, userid))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS user_access (userid INTEGER PRIMARY KEY, firstaccess INTEGER NOT NULL, lastaccess INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS user_lastaccess (
    userid INTEGER NOT NULL, courseid INTEGER NOT NULL, timeaccess INTEGER NOT NULL, PRIMARY KEY (userid, courseid));
CREATE TABLE IF NOT EXISTS course_modules (
    id INTEGER PRIMARY KEY, course INTEGER NOT NULL, modname TEXT NOT NULL, instance INTEGER NOT NULL,
    name TEXT NOT NULL, idnumber TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS grade_items (
    id INTEGER PRIMARY KEY, courseid INTEGER NOT NULL, itemtype TEXT NOT NULL, itemmodule TEXT, iteminstance INTEGER,
    cmid INTEGER, itemname TEXT, idnumber TEXT NOT NULL DEFAULT '', grademax REAL NOT NULL, sortorder INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS grade_grades (
    itemid INTEGER NOT NULL, userid INTEGER NOT NULL, finalgrade REAL, timemodified INTEGER NOT NULL,
    PRIMARY KEY (itemid, userid));
CREATE TABLE IF NOT EXISTS completion_states (
    cmid INTEGER NOT NULL, userid INTEGER NOT NULL, state INTEGER NOT NULL, timemodified INTEGER NOT NULL,
    PRIMARY KEY (cmid, userid));
CREATE TABLE IF NOT EXISTS simulated (key TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS services (
    id INTEGER PRIMARY KEY, shortname TEXT NOT NULL UNIQUE, name TEXT NOT NULL, enabled INTEGER NOT NULL DEFAULT 1,
    functions TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, userid INTEGER NOT NULL, serviceid INTEGER NOT NULL, validuntil INTEGER NOT NULL DEFAULT 0);
"""

SYSTEM_CONTEXT = 1
SITE_COURSE = 1
WS_USER = "pamong_ws"
ADMIN_USER = "admin"
SERVICE = "pamong"
READ_SERVICE = "pamong_baca"
PROFILE_FIELDS = {
    "kodewilayah": "Kode wilayah",
    "provinsi": "Provinsi",
    "kabupaten": "Kabupaten/Kota",
    "kecamatan": "Kecamatan",
    "desa": "Desa/Kelurahan",
    "jabatan": "Jabatan",
}
ROLES = {1: ("manager", "Manager"), 3: ("editingteacher", "Teacher"), 4: ("teacher", "Non-editing teacher"),
         5: ("student", "Student")}
WS_CAPABILITIES = [
    "webservice/rest:use", "moodle/user:create", "moodle/user:update", "moodle/user:viewdetails",
    "enrol/manual:enrol", "enrol/manual:unenrol", "moodle/course:viewparticipants", "moodle/course:enrolreview",
    "moodle/cohort:manage", "moodle/cohort:assign", "moodle/cohort:view", "moodle/category:manage",
    "moodle/course:viewhiddencourses", "gradereport/user:view", "moodle/grade:viewall", "report/progress:view", "report/completion:view",
]
WS_ASSIGNABLE = [3, 4, 5]  # a category manager may assign teachers and students, not managers
DEMO_COURSES = [
    ("DESA101", "Tata Kelola Pemerintahan Desa", "course-v1:Kemendagri+DESA101+2025"),
    ("KEU201", "Pengelolaan Keuangan Desa", "course-v1:Kemendagri+KEU201+2025"),
]


def now() -> int:
    return int(time.time())


@dataclass(frozen=True)
class Token:
    token: str
    username: str
    service: str


class Store(store.Store):
    schema = SCHEMA

    # -- seed -----------------------------------------------------------------------------------------------

    def seed(self, token: str | None, functions: list[str], read_functions: list[str]) -> list[Token]:
        """Created once per data directory: the admin, the web-service user, profile fields, roles, two demo
        courses, the services and their tokens (kept across starts unless `token` names a new one)."""
        with self.db.write() as conn:
            if conn.execute("SELECT 1 FROM settings WHERE key = 'seeded'").fetchone() is None:
                self._seed(conn, functions, read_functions)
            conn.execute("UPDATE services SET functions = ? WHERE shortname = ?", (json.dumps(functions), SERVICE))
            conn.execute("UPDATE services SET functions = ? WHERE shortname = ?",
                         (json.dumps(read_functions), READ_SERVICE))
            if token:
                service = conn.execute("SELECT id FROM services WHERE shortname = ?", (SERVICE,)).fetchone()["id"]
                conn.execute("DELETE FROM tokens WHERE serviceid = ?", (service,))
                ws = conn.execute("SELECT id FROM users WHERE username = ?", (WS_USER,)).fetchone()["id"]
                conn.execute("INSERT INTO tokens (token, userid, serviceid) VALUES (?, ?, ?)", (token, ws, service))
        return self.tokens()

    def _seed(self, conn: sqlite3.Connection, functions: list[str], read_functions: list[str]) -> None:
        t = now()
        conn.execute("INSERT INTO settings VALUES ('seeded', '1')")
        conn.execute("INSERT INTO users (id, auth, username, firstname, lastname, email, timecreated, timemodified)"
                     " VALUES (1, 'nologin', 'guest', 'Guest user', ' ', 'root@localhost', ?, ?)", (t, t))
        conn.execute("INSERT INTO users (id, username, firstname, lastname, email, timecreated, timemodified, "
                     "siteadmin) VALUES (2, ?, 'Admin', 'Pamong', 'admin@sandbox.pamong.test', ?, ?, 1)",
                     (ADMIN_USER, t, t))
        conn.execute("INSERT INTO users (id, auth, username, firstname, lastname, email, timecreated, timemodified, "
                     "capabilities, assignable) VALUES (3, 'webservice', ?, 'Layanan', 'Web Pamong', "
                     "'ws@sandbox.pamong.test', ?, ?, ?, ?)",
                     (WS_USER, t, t, json.dumps(WS_CAPABILITIES), json.dumps(WS_ASSIGNABLE)))
        for shortname, name in PROFILE_FIELDS.items():
            conn.execute("INSERT INTO profile_fields (shortname, name) VALUES (?, ?)", (shortname, name))
        for role_id, (shortname, name) in ROLES.items():
            conn.execute("INSERT INTO roles VALUES (?, ?, ?)", (role_id, shortname, name))
        conn.execute("INSERT INTO categories VALUES (1, 'Pelatihan Aparatur Desa', 'pamong')")
        conn.execute("INSERT INTO courses (id, category, shortname, fullname, format) "
                     "VALUES (1, 0, 'pamong', 'Pamong Moodle stand-in', 'site')")
        from pamong_edx.sandbox.moodle.grades import DEMO_ACTIVITIES, add_activity

        for shortname, fullname, idnumber in DEMO_COURSES:
            course = self.create_course(conn, shortname, fullname, idnumber)
            for modname, name, activity_idnumber in DEMO_ACTIVITIES:
                add_activity(conn, course, modname, name, activity_idnumber)
        for shortname, name, names in ((SERVICE, "Pamong enrolment", functions),
                                       (READ_SERVICE, "Pamong read-only", read_functions)):
            cur = conn.execute("INSERT INTO services (shortname, name, functions) VALUES (?, ?, ?)",
                               (shortname, name, json.dumps(names)))
            conn.execute("INSERT INTO tokens (token, userid, serviceid) VALUES (?, 3, ?)",
                         (secrets.token_hex(16), cur.lastrowid))

    def create_course(self, conn: sqlite3.Connection, shortname: str, fullname: str, idnumber: str = "",
                      *, manual: bool = True, manual_enabled: bool = True, visible: bool = True,
                      category: int = 1) -> int:
        cur = conn.execute("INSERT INTO courses (category, shortname, fullname, idnumber, visible, startdate) "
                           "VALUES (?, ?, ?, ?, ?, ?)", (category, shortname, fullname, idnumber, int(visible), now()))
        course = int(cur.lastrowid)
        if manual:
            conn.execute("INSERT INTO enrol (courseid, enrol, status, roleid) VALUES (?, 'manual', ?, 5)",
                         (course, 0 if manual_enabled else 1))
        conn.execute("INSERT INTO enrol (courseid, enrol, status, roleid) VALUES (?, 'self', 1, 5)", (course,))
        return course

    def tokens(self) -> list[Token]:
        return [Token(r["token"], r["username"], r["shortname"]) for r in self.db.all(
            "SELECT t.token, u.username, s.shortname FROM tokens t JOIN users u ON u.id = t.userid "
            "JOIN services s ON s.id = t.serviceid ORDER BY s.id")]

    # -- reads used across functions ------------------------------------------------------------------------

    def profile_fields(self, conn: sqlite3.Connection) -> dict[str, int]:
        return {r["shortname"]: r["id"] for r in conn.execute("SELECT id, shortname FROM profile_fields")}

    def user(self, conn: sqlite3.Connection, user_id: int) -> sqlite3.Row | None:
        return conn.execute("SELECT * FROM users WHERE id = ? AND deleted = 0", (user_id,)).fetchone()
