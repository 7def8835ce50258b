"""Typed failures of LMS calls, all PamongError so the CLI prints them as one line.

Callers branch on the type (retry a Throttled later, report an InvalidInput per identifier, stop on
AuthError); the message is for people and never carries a secret or a token.
"""

from __future__ import annotations

from pamong_edx.errors import PamongError, UsageError


class LmsError(PamongError):
    """A call to the LMS failed."""

    platform_message = ""  # the platform's own words, apart from the message, when it gives them
    debuginfo: str | None = None  # Moodle's debugging detail, when the site shows it

    def __init__(self, message: str, *, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code  # the platform's error code when it gives one (e.g. "user_permissions")


class AuthError(LmsError):
    """The LMS does not accept the client's credentials or token (401, OAuth errors)."""


class PermissionDenied(LmsError):
    """Authenticated, but the acting user may not do this (403)."""


class NotFound(LmsError):
    """The course, user, cohort, task or route does not exist (404)."""


class Throttled(LmsError):
    """The LMS asked us to slow down (429, or 403 with rate-limit text); `wait` is seconds to wait."""

    def __init__(self, message: str, *, wait: float, status: int | None = 429, code: str = "") -> None:
        super().__init__(message, status=status, code=code)
        self.wait = wait


class InvalidInput(LmsError):
    """The LMS rejected what we sent (400/409/415/406); `errors` maps a field or identifier to its message."""

    def __init__(
        self, message: str, *, errors: dict[str, str] | None = None, status: int | None = 400, code: str = ""
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.errors = dict(errors or {})


class ServerError(LmsError):
    """The LMS failed (5xx) or could not be reached.

    `maybe_applied` is True when the request may have taken effect anyway (a timeout or reset after the
    request was sent, or a 5xx): a non-idempotent call must check before it is repeated.
    """

    def __init__(
        self, message: str, *, status: int | None = None, code: str = "", maybe_applied: bool = True
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.maybe_applied = maybe_applied


class Unreachable(ServerError):
    """No HTTP answer at all: connection refused or reset, or the timeout or the call's deadline passed."""


class BadAnswer(ServerError):
    """The LMS answered, but not with anything the toolkit can read: not JSON, JSON of the wrong shape, nested
    too deep, larger than the limit, or pages without end. The message names the endpoint and what was wrong.
    The call may have taken effect (`maybe_applied`), as with any answer that cannot be trusted."""


class OriginError(LmsError):
    """A URL to follow (a next page, a task's artifact, a redirect) lies outside the profile's origin, or is one
    that parsers read differently; it is refused and nothing, credentials least of all, is sent there."""


class ConfigError(UsageError):
    """A profile or its environment is missing or wrong."""


class InsecureURL(UsageError):
    """A plain http:// URL for a host that is not this machine, without --insecure."""
