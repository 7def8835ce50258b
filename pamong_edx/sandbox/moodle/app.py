"""The Moodle stand-in: webservice/rest/server.php as shared/specs/moodle.md describes it, quirks included.

One route, many functions: the function is named by `wsfunction`, so requests are counted (and faults
aimed) per function, e.g. "POST /webservice/rest/server.php?wsfunction=core_user_create_users". The order of
checks is the web-service server's: read GET and POST (each cut at max_input_vars), pick the format (XML
unless json is asked), check the token, find the function, check it is in the token's service, validate the
parameters, run the function (writing functions in one transaction), answer; every error is an HTTP 200
carrying an exception.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from pamong_edx.sandbox.core.http import BadRequestBody, Match, Request, Response, reply
from pamong_edx.sandbox.core.store import DataDir
from pamong_edx.sandbox.moodle import cohorts, courses, grades, site, users
from pamong_edx.sandbox.moodle.calls import Call, Function
from pamong_edx.sandbox.moodle.control import ControlRoutes
from pamong_edx.sandbox.moodle.params import InvalidParameter, parse_php, validate
from pamong_edx.sandbox.moodle.render import MoodleException, answer, error, invalid_parameter, missing_record
from pamong_edx.sandbox.moodle.store import Store, Token, now

SERVER = "/webservice/rest/server.php"
NOT_FOUND_PAGE = "<h1>Not Found</h1><p>The requested URL was not found on this server.</p>"
FUNCTIONS: dict[str, Function] = {**site.FUNCTIONS, **users.FUNCTIONS, **courses.FUNCTIONS, **cohorts.FUNCTIONS,
                                   **grades.FUNCTIONS}
READ_FUNCTIONS = sorted(name for name, f in FUNCTIONS.items() if not f.writes)
RESERVED = ("wstoken", "wsfunction", "moodlewsrestformat")


@dataclass
class Settings:
    max_input_vars: int = 1000  # PHP's default: variables past it are dropped without an error
    debugging: bool = False  # $CFG->debug: only then do exceptions carry debuginfo
    enablewebservices: bool = True
    rest_enabled: bool = True
    allowaccountssameemail: bool = False
    # core_user_get_users_by_field(email) matches exactly on PostgreSQL and ignoring case on MySQL/MariaDB.
    email_lookup_case_sensitive: bool = True
    auths: list[str] = field(default_factory=lambda: ["manual", "nologin", "email", "oauth2", "mnet", "webservice"])
    langs: list[str] = field(default_factory=lambda: ["en", "id"])
    sitename: str = "Moodle stand-in (pamong)"
    release: str = "4.3.2 (Build: 20231222)"
    version: str = "2023100902"

    def update(self, changes: dict[str, Any]) -> None:
        known = {f.name: f for f in dataclasses.fields(self)}
        for key, value in changes.items():
            if key not in known:
                raise KeyError(key)
            current = getattr(self, key)
            if isinstance(current, bool) and not isinstance(value, bool):
                raise ValueError(f"{key} must be true or false")
            if isinstance(current, list) and not isinstance(value, list):
                raise ValueError(f"{key} must be a list")
            if key == "max_input_vars" and int(value) < 1:
                raise ValueError("max_input_vars must be positive")
            setattr(self, key, int(value) if isinstance(current, int) and not isinstance(current, bool) else value)


@dataclass
class Inputs:
    """What PHP made of the requests: the largest number of variables seen, and how many were dropped."""

    largest: int = 0
    cut_requests: int = 0
    dropped: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, seen: int, dropped: int) -> None:
        with self.lock:
            self.largest = max(self.largest, seen)
            if dropped:
                self.cut_requests += 1
                self.dropped += dropped

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return {"largest": self.largest, "cut_requests": self.cut_requests, "dropped": self.dropped}


class MoodleApp:
    title = "Moodle stand-in"

    def __init__(self, data_dir: Path | None = None, *, token: str | None = None,
                 settings: Settings | None = None) -> None:
        self._dir = DataDir(data_dir, "pamong-moodle-")
        self.data_dir = self._dir.path
        self.config = settings or Settings()
        self.store = Store(self.data_dir / "moodle.sqlite3")
        self.tokens: list[Token] = self.store.seed(token, sorted(FUNCTIONS), READ_FUNCTIONS)
        self.inputs = Inputs()
        self._control = ControlRoutes(self)

    @property
    def token(self) -> Token:
        """The token of the full service (the one a profile uses)."""
        return self.tokens[0]

    # -- server interface ---------------------------------------------------------------------------------

    def match(self, request: Request) -> Match | None:
        """One URL, many functions: the route is named after the function called, so stats and faults can
        tell functions apart."""
        if request.path != SERVER:
            return None
        function = self._read_params(request).get("wsfunction")
        name = f"{SERVER}?wsfunction={function}" if isinstance(function, str) and function else SERVER
        return Match(name, "rest", {})

    def handle(self, request: Request, match: Match | None) -> Response:
        if match is None:
            return reply.html(404, NOT_FOUND_PAGE)
        return self.rest(request)

    def control(self, request: Request) -> Response | None:
        return self._control.handle(request)

    def settings(self) -> dict[str, Any]:
        return {k: v for k, v in self.config.__dict__.items()}

    def configure(self, changes: dict[str, Any]) -> None:
        self.config.update(changes)

    def close(self) -> None:
        self.store.close()
        self._dir.cleanup()

    # -- the REST server ----------------------------------------------------------------------------------

    def _read_params(self, request: Request) -> dict[str, Any]:
        cached = request.context.get("moodle_params")
        if cached is not None:
            return cached
        limit = self.config.max_input_vars
        get = parse_php(request.raw_query, limit)
        body = ""
        try:
            if request.mimetype == "application/x-www-form-urlencoded":
                body = request.get_data().decode("utf-8", "replace")
            elif request.mimetype == "multipart/form-data":
                body = urlencode([(k, v) for k, values in request.form_fields().items() for v in values])
        except BadRequestBody:
            body = ""
        post = parse_php(body, limit)  # anything else (a JSON body, say) leaves $_POST empty
        self.inputs.record(max(get.count, post.count), get.dropped + post.dropped)
        merged = {**get.values, **post.values}
        request.context["moodle_params"] = merged
        return merged

    def rest(self, request: Request) -> Response:
        params = dict(self._read_params(request))
        fmt = params.pop("moodlewsrestformat", "xml")
        fmt = fmt if fmt in ("xml", "json") else "xml"
        token = params.pop("wstoken", None)
        function_name = params.pop("wsfunction", None)
        for key in [k for k in params if k.startswith("moodlewssetting")]:
            params.pop(key)
        try:
            caller, functions = self._authenticate(token)
            function = FUNCTIONS.get(function_name) if isinstance(function_name, str) else None
            if function is None:
                raise missing_record("external_functions")
            if function_name not in functions:
                raise MoodleException(
                    "webservice_access_exception", "accessexception", "Access control exception",
                    f"Access to the function {function_name}() is not allowed. There could be multiple reasons for "
                    "this: 1. The service linked to the user token does not contain the function. 2. The service is "
                    "user-restricted and the user is not in the allowed users list. 3. The service is IP-restricted "
                    "and the user IP is not in the IP whitelist. 4. The service is time-restricted and the time has "
                    "expired. 5. The token is time-restricted and the time has expired. 6. The service requires a "
                    "specific capability which the user does not have. 7. The function is called with username/"
                    "password (no user token is sent) and none of the services has the function to allow the user. "
                    "These settings can be found in Administration > Site administration > Server > Web services > "
                    "External services and Manage tokens.")
            try:
                values = validate(function.params, params)
            except InvalidParameter as exc:
                raise invalid_parameter(exc.debuginfo) from None
            result = self._run(function, values, caller, functions, request)
        except MoodleException as exc:
            return error(exc, fmt, self.config.debugging)
        return answer(result, fmt)

    def _authenticate(self, token: Any) -> tuple[Any, tuple[str, ...]]:
        if not (self.config.enablewebservices and self.config.rest_enabled):
            what = "Web services are not enabled in Advanced features." if not self.config.enablewebservices else \
                "The REST protocol is not enabled."
            raise MoodleException("webservice_access_exception", "accessexception", "Access control exception", what)
        row = None
        if isinstance(token, str) and token:
            row = self.store.db.one(
                "SELECT t.validuntil, t.userid, s.enabled, s.functions FROM tokens t JOIN services s "
                "ON s.id = t.serviceid WHERE t.token = ?", (token,))
        if row is None:
            raise MoodleException("moodle_exception", "invalidtoken", "Invalid token - token not found")
        if row["validuntil"] and row["validuntil"] < now():
            raise MoodleException("moodle_exception", "invalidtoken", "Invalid token - token expired - check "
                                  "validuntil time for the token")
        if not row["enabled"]:
            raise MoodleException("webservice_access_exception", "accessexception", "Access control exception",
                                  "Web service is not available (it doesn't exist or might be disabled)")
        user = self.store.db.one("SELECT * FROM users WHERE id = ? AND deleted = 0", (row["userid"],))
        call = Call(self, self.store.db.conn(), user, "")
        if not call.can("webservice/rest:use"):
            raise MoodleException("webservice_access_exception", "accessexception", "Access control exception",
                                  "You are not allowed to use the rest protocol (missing capability: "
                                  "webservice/rest:use)")
        return user, tuple(json.loads(row["functions"]))

    def _run(self, function: Function, values: dict, caller: Any, functions: tuple[str, ...],
             request: Request) -> Any:
        if not function.writes:
            call = Call(self, self.store.db.conn(), caller, request.origin, functions)
            return function.run(call, values)
        with self.store.db.write() as conn:  # an exception rolls the whole call back
            return function.run(Call(self, conn, caller, request.origin, functions), values)
