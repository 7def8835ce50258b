"""The Open edX stand-in: LMS and Studio routes on one port, authenticated and throttled as the platform does.

Each route is a `View` declaring what DRF would: which authentication classes it takes, its permission,
whether EnrollmentUserThrottle applies. The order is DRF's: authenticate, check permission, throttle,
then 405 for a method the view lacks, then the handler.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pamong_edx.rates import parse_rate
from pamong_edx.sandbox.core.http import BadRequestBody, HTTPException, Match, Request, Response, Routes, abort, \
    converter, reply
from pamong_edx.sandbox.core.store import DataDir
from pamong_edx.sandbox.core.throttle import RateThrottle
from pamong_edx.sandbox.openedx.store import Credentials, Store, User
from pamong_edx.sandbox.openedx.tokens import TokenInvalid, decode_jwt

JWT, BEARER, SESSION = "jwt", "bearer", "session"
# Route converters: <course:...> is COURSE_KEY_PATTERN of the LMS (keys are taken raw from the path, '+' is
# literal there), <username:...> the enrollment API's username, <digits:...> and <hexid:...> ids kept as text.
CONVERTERS = {
    "course": converter(r"[^/+]+[/+][^/+]+[/+][^/?]+"),
    "username": converter(r"[\w.@+-]+"),
    "digits": converter(r"[0-9]+"),
    "hexid": converter(r"[0-9a-f-]+"),
}
COURSE_ID = "<course:course_id>"
ALL_AUTH = (JWT, BEARER, SESSION)
NOT_FOUND_PAGE = "<h1>Not Found</h1><p>The requested resource was not found on this server.</p>"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class View:
    handlers: dict[str, Callable[[Request], Response]]
    auth: tuple[str, ...] = ALL_AUTH  # () for views with authentication_classes = []
    login_required: bool = True
    allow_inactive: bool = False
    permission: Callable[[Request], None] | None = None  # aborts to refuse
    throttle: bool = False  # EnrollmentUserThrottle
    api_key: bool = False  # X-Edx-Api-Key accepted (enrollment views)
    enabled: Callable[[], bool] | None = None  # a feature flag: off means the URL is not routed (404)


@dataclass
class Settings:
    throttle: bool = True
    enrollment_user_rate: str = "40/minute"
    enrollment_staff_rate: str = "120/minute"
    token_ttl: int = 3600  # JWT_ACCESS_TOKEN_EXPIRE_SECONDS
    bearer_ttl: int = 36000
    bulk_enroll_enabled: bool = True  # FEATURES['ENABLE_BULK_ENROLLMENT_VIEW']
    api_key: str = ""  # settings.EDX_API_KEY; empty: no key accepted
    import_step_s: float = 0.3  # time spent in each import state
    registration_rate: str = "60/7d"
    skip_email_validation: bool = False
    extended_profile_fields: list[str] = field(default_factory=lambda: ["kode_wilayah", "jabatan"])
    row_error_identifiers: list[str] = field(default_factory=list)  # bulk enroll answers {"error": true} for these
    writable_gradebook: bool = True  # the grades.writable_gradebook flag: off, the gradebook API answers 403
    report_step_s: float = 0.3  # how long an instructor report task takes before its CSV is downloadable ...
    report_s_per_1000: float = 0.0  # ... plus this per thousand enrolments (benchmarks: a worker's real pace)

    def update(self, changes: dict[str, Any]) -> None:
        for key, value in changes.items():
            if not hasattr(self, key):
                raise KeyError(key)
            current = getattr(self, key)
            if isinstance(current, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{key} must be true or false")
            elif isinstance(current, int):
                value = int(value)
            elif isinstance(current, float):
                value = float(value)
            elif isinstance(current, list):
                if not isinstance(value, list):
                    raise ValueError(f"{key} must be a list")
            elif key.endswith("_rate"):
                parse_rate(str(value))
            setattr(self, key, value)


class OpenEdxApp:
    title = "Open edX stand-in"

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        settings: Settings | None = None,
    ) -> None:
        self._dir = DataDir(data_dir, "pamong-sandbox-")
        self.data_dir = self._dir.path
        self.store = Store(self.data_dir / "openedx.sqlite3")
        self.credentials: list[Credentials] = self.store.seed(client_id, client_secret)
        self.config = settings or Settings()
        self.throttles = RateThrottle()
        self.registration_limits = RateThrottle()
        self.routes = Routes(CONVERTERS)
        self.imports: list[threading.Thread] = []
        self.closed = threading.Event()
        from pamong_edx.sandbox.openedx import admin, cohorts, enrollment, grades, reports, studio, users

        for module in (users, enrollment, cohorts, grades, reports, studio):
            module.register(self)
        self._control = admin.ControlRoutes(self)

    # -- server interface ---------------------------------------------------------------------------------

    def route(self, rules: str | tuple[str, ...], view: View, name: str | None = None) -> None:
        self.routes.add(rules, view, name)

    def match(self, request: Request) -> Match | None:
        return self.routes.match(request.path)

    def settings(self) -> dict[str, Any]:
        return dict(self.config.__dict__)

    def configure(self, changes: dict[str, Any]) -> None:
        self.config.update(changes)

    def control(self, request: Request) -> Response | None:
        return self._control.handle(request)

    def close(self) -> None:
        self.closed.set()
        for worker in self.imports:
            worker.join(timeout=5)
        self.store.close()
        self._dir.cleanup()

    @property
    def staff_credentials(self) -> Credentials:
        return self.credentials[0]

    # -- dispatch -----------------------------------------------------------------------------------------

    def handle(self, request: Request, match: Match | None) -> Response:
        if match is None:
            return reply.html(404, NOT_FOUND_PAGE)
        view: View = match.target
        request.params = match.params
        if view.enabled is not None and not view.enabled():
            return reply.html(404, NOT_FOUND_PAGE)
        try:
            user = self.authenticate(request, view)
            if user is None and view.login_required and not request.context.get("api_key"):
                abort(reply.json({"detail": "Authentication credentials were not provided."}, 401,
                                 {"WWW-Authenticate": 'JWT realm="api"'}))
            if view.permission is not None:
                view.permission(request)
            if view.throttle:
                self.throttle(request)
            handler = view.handlers.get(request.method)
            if handler is None:
                return reply.json({"detail": f'Method "{request.method}" not allowed.'}, 405)
            return handler(request)
        except HTTPException as exc:
            return exc.get_response(request.environ)
        except BadRequestBody as exc:
            return reply.json({"detail": str(exc)}, 400)

    def authenticate(self, request: Request, view: View) -> User | None:
        request.context["user"] = None
        if view.api_key and self.config.api_key and request.headers.get("X-Edx-Api-Key") == self.config.api_key:
            request.context["api_key"] = True
        header = request.headers.get("Authorization") or ""
        scheme, _, token = header.partition(" ")
        user = None
        if scheme.lower() == JWT and JWT in view.auth:
            try:
                claims = decode_jwt(token.strip(), self.store.setting("jwt_key") or "")
            except TokenInvalid as exc:
                abort(reply.json({"detail": str(exc)}, 401, {"WWW-Authenticate": 'JWT realm="api"'}))
            user = self.store.user_by_username(str(claims.get("preferred_username", "")))
            if user is None or not user.is_active:
                abort(reply.json({"detail": "User inactive or deleted."}, 401))
        elif scheme.lower() == BEARER and BEARER in view.auth:
            user = self._bearer_user(token.strip(), view)
        elif SESSION in view.auth:
            user = self._session_user(request)
        request.context["user"] = user
        return user

    def _bearer_user(self, token: str, view: View) -> User:
        row = self.store.db.one("SELECT * FROM bearer_tokens WHERE token = ?", (token,))
        if row is None:
            abort(reply.json({"error_code": "token_nonexistent",
                                       "developer_message": "The provided access token does not match any valid tokens."},
                                      401))
        if row["expires"] <= time.time():
            abort(reply.json({"error_code": "token_expired",
                                       "developer_message": "The provided access token has expired and is no longer valid."},
                                      401))
        user = self.store.user_by_id(row["user_id"])
        if user is None or (not user.is_active and not view.allow_inactive):
            abort(reply.json({"error_code": "account_inactive",
                                       "developer_message": "The access token belongs to an inactive user."}, 401))
        return user

    def _session_user(self, request: Request) -> User | None:
        key = request.cookies.get("sessionid")
        if not key:
            return None
        row = self.store.db.one("SELECT * FROM sessions WHERE key = ?", (key,))
        if row is None:
            return None
        sent = request.headers.get("X-CSRFToken") or request.form.get("csrfmiddlewaretoken")
        if request.method in UNSAFE and sent != row["csrf"]:
            abort(reply.json({"detail": "CSRF Failed: CSRF token missing or incorrect."}, 403))
        return self.store.user_by_id(row["user_id"])

    def throttle(self, request: Request) -> None:
        if not self.config.throttle or request.context.get("api_key"):
            return
        user: User | None = request.context.get("user")
        if user is None:
            return
        rate = self.config.enrollment_staff_rate if (user.is_staff or user.is_superuser) else self.config.enrollment_user_rate
        wait = self.throttles.hit(f"user:{user.id}", rate)
        if wait is not None:
            abort(reply.json({"detail": f"Request was throttled. Expected available in {wait} seconds."},
                                      429, {"Retry-After": str(wait)}))


# -- permissions shared by the views -----------------------------------------------------------------------

def caller(request: Request) -> User | None:
    return request.context.get("user")


def is_global_staff(request: Request) -> bool:
    user = caller(request)
    return user is not None and (user.is_staff or user.is_superuser)


def require_staff(request: Request) -> None:
    """DRF IsAdminUser / edx IsStaff."""
    if not is_global_staff(request):
        abort(reply.json({"detail": "You do not have permission to perform this action."}, 403))

