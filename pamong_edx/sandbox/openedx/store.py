"""The Open edX stand-in's state in SQLite: users, OAuth apps, courses, enrolments, cohorts, tasks."""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone

from pamong_edx.sandbox.core import store

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL DEFAULT '', password TEXT NOT NULL DEFAULT '', is_active INTEGER NOT NULL DEFAULT 1,
    is_staff INTEGER NOT NULL DEFAULT 0, is_superuser INTEGER NOT NULL DEFAULT 0, date_joined TEXT NOT NULL,
    country TEXT, year_of_birth INTEGER, meta TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS apps (
    client_id TEXT PRIMARY KEY, client_secret TEXT NOT NULL, user_id INTEGER NOT NULL REFERENCES users(id));
CREATE TABLE IF NOT EXISTS bearer_tokens (token TEXT PRIMARY KEY, user_id INTEGER NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, user_id INTEGER NOT NULL, csrf TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS courses (
    id INTEGER PRIMARY KEY, course_id TEXT NOT NULL UNIQUE, org TEXT NOT NULL, number TEXT NOT NULL,
    run TEXT NOT NULL, title TEXT NOT NULL, start TEXT, end TEXT, enrollment_start TEXT, enrollment_end TEXT,
    pacing_type TEXT NOT NULL DEFAULT 'instructor_paced', invite_only INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL, imported TEXT, structure TEXT);
CREATE TABLE IF NOT EXISTS course_modes (course_id TEXT NOT NULL, mode TEXT NOT NULL, PRIMARY KEY (course_id, mode));
CREATE TABLE IF NOT EXISTS course_roles (
    user_id INTEGER NOT NULL, course_id TEXT NOT NULL, role TEXT NOT NULL, PRIMARY KEY (user_id, course_id, role));
CREATE TABLE IF NOT EXISTS enrollments (
    id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, course_id TEXT NOT NULL, mode TEXT NOT NULL,
    is_active INTEGER NOT NULL, created TEXT NOT NULL, UNIQUE (user_id, course_id));
CREATE INDEX IF NOT EXISTS enrollments_course ON enrollments (course_id, id);
CREATE TABLE IF NOT EXISTS enrollment_allowed (
    email TEXT NOT NULL COLLATE NOCASE, course_id TEXT NOT NULL, auto_enroll INTEGER NOT NULL,
    created TEXT NOT NULL, PRIMARY KEY (email, course_id));
CREATE TABLE IF NOT EXISTS cohort_settings (
    id INTEGER PRIMARY KEY, course_id TEXT NOT NULL UNIQUE, is_cohorted INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS cohorts (
    id INTEGER PRIMARY KEY, course_id TEXT NOT NULL, name TEXT NOT NULL, assignment_type TEXT NOT NULL,
    UNIQUE (course_id, name));
CREATE TABLE IF NOT EXISTS cohort_members (
    user_id INTEGER NOT NULL, course_id TEXT NOT NULL, cohort_id INTEGER NOT NULL, PRIMARY KEY (user_id, course_id));
CREATE INDEX IF NOT EXISTS cohort_members_cohort ON cohort_members (cohort_id);
CREATE TABLE IF NOT EXISTS cohort_preassigned (
    email TEXT NOT NULL COLLATE NOCASE, course_id TEXT NOT NULL, cohort_id INTEGER NOT NULL,
    PRIMARY KEY (email, course_id));
CREATE TABLE IF NOT EXISTS grades (
    user_id INTEGER NOT NULL, course_id TEXT NOT NULL, percent REAL NOT NULL, passed INTEGER NOT NULL,
    letter_grade TEXT, PRIMARY KEY (user_id, course_id));
CREATE TABLE IF NOT EXISTS subsection_grades (
    user_id INTEGER NOT NULL, course_id TEXT NOT NULL, module_id TEXT NOT NULL, earned REAL NOT NULL,
    possible REAL NOT NULL, modified TEXT NOT NULL, PRIMARY KEY (user_id, course_id, module_id));
CREATE TABLE IF NOT EXISTS instructor_tasks (
    id INTEGER PRIMARY KEY, task_id TEXT NOT NULL UNIQUE, course_id TEXT NOT NULL, task_type TEXT NOT NULL,
    state TEXT NOT NULL, requester TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY, course_id TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL UNIQUE,
    content BLOB NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS simulated (key TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, task_id TEXT NOT NULL, user_id INTEGER NOT NULL,
    name TEXT NOT NULL, state TEXT NOT NULL, state_text TEXT NOT NULL DEFAULT '', completed_steps INTEGER NOT NULL,
    total_steps INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 1, created TEXT NOT NULL, modified TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS artifacts (
    id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, task_uuid TEXT NOT NULL, name TEXT NOT NULL,
    text TEXT NOT NULL, created TEXT NOT NULL, modified TEXT NOT NULL);
"""

STAFF_USER = "pamong_staff"
OPERATOR_USER = "pamong_operator"
LEARNERS = [f"peserta{i:02d}" for i in range(1, 6)]
EMAIL_DOMAIN = "sandbox.pamong.test"
STAFF_CLIENT_ID = "pamong-sandbox"
OPERATOR_CLIENT_ID = "pamong-sandbox-operator"


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    email: str
    name: str
    is_active: bool
    is_staff: bool
    is_superuser: bool
    date_joined: str
    country: str | None
    year_of_birth: int | None
    meta: dict

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> User:
        return cls(
            id=row["id"], username=row["username"], email=row["email"], name=row["name"],
            is_active=bool(row["is_active"]), is_staff=bool(row["is_staff"]), is_superuser=bool(row["is_superuser"]),
            date_joined=row["date_joined"], country=row["country"], year_of_birth=row["year_of_birth"],
            meta=json.loads(row["meta"] or "{}"),
        )


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str
    username: str
    password: str = ""  # for the session login the instructor dashboard's legacy views need
    email: str = ""  # the account's email, which that login takes


class Store(store.Store):
    schema = SCHEMA

    # -- seed ---------------------------------------------------------------------------------------------

    def seed(self, client_id: str | None, client_secret: str | None) -> list[Credentials]:
        """Seeded accounts and OAuth apps; created once per data directory, credentials kept across starts."""
        if self.setting("jwt_key") is None:
            self.set_setting("jwt_key", secrets.token_hex(32))
        if self.user_by_username(STAFF_USER) is None:
            self.create_user(STAFF_USER, f"staff@{EMAIL_DOMAIN}", "Staf Pamong", is_staff=True, is_superuser=True)
            self.create_user(OPERATOR_USER, f"operator@{EMAIL_DOMAIN}", "Operator Kecamatan")
            for username in LEARNERS:
                self.create_user(username, f"{username}@{EMAIL_DOMAIN}", f"Peserta {username[-2:]}")
        staff_app = self.app_for_user(STAFF_USER)
        wanted_id = client_id or (staff_app["client_id"] if staff_app else STAFF_CLIENT_ID)
        wanted_secret = client_secret or (staff_app["client_secret"] if staff_app else secrets.token_urlsafe(24))
        with self.db.write() as conn:
            staff_id = conn.execute("SELECT id FROM users WHERE username = ?", (STAFF_USER,)).fetchone()["id"]
            conn.execute("DELETE FROM apps WHERE user_id = ?", (staff_id,))
            conn.execute("INSERT OR REPLACE INTO apps VALUES (?, ?, ?)", (wanted_id, wanted_secret, staff_id))
        if self.app_for_user(OPERATOR_USER) is None:
            self.create_app(OPERATOR_CLIENT_ID, secrets.token_urlsafe(24), OPERATOR_USER)
        creds = []
        for username in (STAFF_USER, OPERATOR_USER):
            app = self.app_for_user(username)
            user = self.db.one("SELECT id, email, password FROM users WHERE username = ?", (username,))
            password = user["password"]
            if not password:  # kept across starts with the data directory
                password = secrets.token_urlsafe(12)
                self.update_user(user["id"], password=password)
            creds.append(Credentials(app["client_id"], app["client_secret"], username, password, user["email"]))
        return creds

    # -- users and apps -----------------------------------------------------------------------------------

    def create_user(
        self, username: str, email: str, name: str = "", *, password: str = "", is_active: bool = True,
        is_staff: bool = False, is_superuser: bool = False, meta: dict | None = None, country: str | None = None,
    ) -> User:
        with self.db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO users (username, email, name, password, is_active, is_staff, is_superuser, date_joined,"
                " country, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (username, email, name, password, int(is_active), int(is_staff), int(is_superuser), now_iso(),
                 country, json.dumps(meta or {})),
            )
            return User.from_row(conn.execute("SELECT * FROM users WHERE id = ?", (cursor.lastrowid,)).fetchone())

    def user_by_username(self, username: str) -> User | None:
        row = self.db.one("SELECT * FROM users WHERE username = ?", (username,))
        return User.from_row(row) if row else None

    def user_by_email(self, email: str) -> User | None:
        row = self.db.one("SELECT * FROM users WHERE email = ?", (email,))
        return User.from_row(row) if row else None

    def user_by_id(self, user_id: int) -> User | None:
        row = self.db.one("SELECT * FROM users WHERE id = ?", (user_id,))
        return User.from_row(row) if row else None

    def user_by_identifier(self, identifier: str) -> User | None:
        """The instructor dashboard's lookup: an email if it has '@', else a username."""
        return self.user_by_email(identifier) if "@" in identifier else self.user_by_username(identifier)

    def update_user(self, user_id: int, **fields: object) -> None:
        if not fields:
            return
        columns = ", ".join(f"{name} = ?" for name in fields)
        with self.db.write() as conn:
            conn.execute(f"UPDATE users SET {columns} WHERE id = ?", (*fields.values(), user_id))

    def create_app(self, client_id: str, client_secret: str, username: str) -> None:
        user = self.user_by_username(username)
        if user is None:
            raise KeyError(username)
        with self.db.write() as conn:
            conn.execute("INSERT OR REPLACE INTO apps VALUES (?, ?, ?)", (client_id, client_secret, user.id))

    def app(self, client_id: str) -> sqlite3.Row | None:
        return self.db.one("SELECT * FROM apps WHERE client_id = ?", (client_id,))

    def app_for_user(self, username: str) -> sqlite3.Row | None:
        return self.db.one(
            "SELECT apps.* FROM apps JOIN users ON users.id = apps.user_id WHERE users.username = ? "
            "ORDER BY client_id LIMIT 1", (username,))

    # -- courses ------------------------------------------------------------------------------------------

    def course(self, course_id: str) -> sqlite3.Row | None:
        return self.db.one("SELECT * FROM courses WHERE course_id = ?", (course_id,))

    def course_modes(self, course_id: str) -> list[str]:
        return [r["mode"] for r in self.db.all("SELECT mode FROM course_modes WHERE course_id = ? ORDER BY mode",
                                               (course_id,))]

    def has_role(self, user: User, course_id: str, roles: tuple[str, ...]) -> bool:
        marks = ",".join("?" * len(roles))
        return self.db.one(
            f"SELECT 1 FROM course_roles WHERE user_id = ? AND course_id = ? AND role IN ({marks})",
            (user.id, course_id, *roles)) is not None

    def grant_role(self, user: User, course_id: str, role: str) -> None:
        with self.db.write() as conn:
            conn.execute("INSERT OR IGNORE INTO course_roles VALUES (?, ?, ?)", (user.id, course_id, role))

    def cohort_settings_id(self, conn: sqlite3.Connection, course_id: str) -> sqlite3.Row:
        conn.execute("INSERT OR IGNORE INTO cohort_settings (course_id, is_cohorted) VALUES (?, 0)", (course_id,))
        return conn.execute("SELECT * FROM cohort_settings WHERE course_id = ?", (course_id,)).fetchone()
