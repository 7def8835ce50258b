"""A signed-in Django session of a staff account, for the instructor views that take no OAuth token.

The instructor dashboard's report tasks (`calculate_grades_csv`, `get_students_who_may_enroll`;
lms/djangoapps/instructor/views/api.py) were plain Django views until recent releases made them DRF views:
the older ones see only a session, and every release checks CSRF on a session's POST. So the client signs in
the way the login page does (user_authn/views/login.py `LoginSessionView`):

    GET  /api/user/v1/account/login_session/     ensure_csrf_cookie: a csrftoken cookie
    POST /api/user/v1/account/login_session/     csrf_protect: email and password, the token in X-CSRFToken;
                                                 200 {"success": true} with the sessionid cookie and a new
                                                 csrftoken (login rotates it)

then sends `sessionid` and `csrftoken` as cookies, the token in X-CSRFToken, and a Referer on its own origin
(Django checks it on HTTPS). The transport keeps no cookies, so these go only where this module sends them.
"""

from __future__ import annotations

from typing import Any

from pamong_edx.i18n import _
from pamong_edx.lms.answers import Reply
from pamong_edx.lms.errors import AuthError, InvalidInput, PermissionDenied
from pamong_edx.lms.http import Transport

LOGIN = "/api/user/v1/account/login_session/"  # trailing slash required


class StaffSession:
    """Signs in once, on first use; `post` and `get` then carry the session."""

    def __init__(self, http: Transport, lms_url: str, email: str, password: str, *, where: str) -> None:
        self.http, self.lms_url, self.email = http, lms_url, email
        self._password = password
        self.where = where  # what to check when the login is refused: the profile's settings
        self._cookies: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"StaffSession({self.email!r})"

    def _headers(self, cookies: dict[str, str]) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                "X-CSRFToken": cookies.get("csrftoken", ""), "Referer": self.lms_url + "/"}

    def login(self) -> dict[str, str]:
        if self._cookies is not None:
            return self._cookies
        form = self.http.request("GET", self.lms_url + LOGIN, idempotent=True)
        token = form.cookies.get("csrftoken")
        if not token:
            raise AuthError(_("GET {path} set no csrftoken cookie; the LMS's session login cannot be used")
                            .format(path=LOGIN))
        try:
            answer = self.http.request("POST", self.lms_url + LOGIN, idempotent=True, changes=False,
                                       data={"email": self.email, "password": self._password},
                                       headers=self._headers({"csrftoken": token}))
        except (InvalidInput, PermissionDenied) as exc:
            raise AuthError(_("the LMS refused the session login of {email} ({reason}); check {where}")
                            .format(email=self.email, reason=exc.platform_message or exc, where=self.where)) from None
        if "sessionid" not in answer.cookies:
            raise AuthError(_("POST {path} answered {status} without a session; check {where}")
                            .format(path=LOGIN, status=answer.status, where=self.where))
        self._cookies = {"sessionid": answer.cookies["sessionid"],
                         "csrftoken": answer.cookies.get("csrftoken") or token}
        return self._cookies

    def post(self, url: str, *, ok: tuple[int, ...] = (), **kwargs: Any) -> Reply:
        """A POST the view treats as safe to repeat (starting a report task again says it is running)."""
        headers = {**self._headers(self.login()), "Accept": "application/json"}
        return self.http.request("POST", url, idempotent=True, headers=headers, ok=ok, **kwargs)
