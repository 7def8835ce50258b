"""OAuth2 client credentials for Open edX: ask for a JWT, send `Authorization: JWT <token>`.

A JWT sent as `Bearer` is looked up as an opaque token and refused (401), and some Studio endpoints take
only JWT, so the kind is fixed here. The token is refreshed shortly before `expires_in` runs out, and
again whenever the server answers 401 (it may have been revoked or its signing key rotated).
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pamong_edx.i18n import _
from pamong_edx.lms.answers import decode_json
from pamong_edx.lms.errors import AuthError, BadAnswer
from pamong_edx.lms.http import Transport

TOKEN_PATH = "/oauth2/access_token"


@dataclass
class _Token:
    value: str = field(repr=False)
    expires_at: float


class JwtAuth:
    def __init__(
        self,
        transport: Transport,
        lms_url: str,
        client_id: str,
        client_secret: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._transport = transport
        transport.add_secret(client_secret)
        self._url = lms_url + TOKEN_PATH
        self._client_id = client_id
        self._secret = client_secret
        self._clock = clock
        self._token: _Token | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"JwtAuth(client_id={self._client_id!r})"

    def header(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._token.expires_at:
                self._token = self._fetch()
            return f"JWT {self._token.value}"

    def invalidate(self, header: str) -> None:
        with self._lock:
            # Only drop the token that failed: another thread may already have fetched a new one.
            if self._token is not None and header == f"JWT {self._token.value}":
                self._token = None

    def claims(self) -> dict:
        """The JWT's payload as the LMS issued it (not verified here: the server verifies it)."""
        token = self.header().split(" ", 1)[1]
        not_jwt = _("the LMS returned an access token that is not a JWT; is this an Open edX LMS?")
        try:
            payload = token.split(".")[1]
            text = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8")
            claims = decode_json(text, f"POST {TOKEN_PATH}", self._transport.limits.max_json_depth)
        except (IndexError, ValueError, BadAnswer):
            raise AuthError(not_jwt) from None
        if not isinstance(claims, dict):
            raise AuthError(not_jwt)
        return claims

    def _fetch(self) -> _Token:
        started = self._clock()
        try:
            response = self._transport.request(
                "POST",
                self._url,
                idempotent=True,  # asking for a token twice does no harm
                changes=False,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self._client_id,
                    "client_secret": self._secret,
                    "token_type": "jwt",
                },
            )
        except AuthError as exc:
            raise AuthError(
                f"the LMS refused client '{self._client_id}' at {self._url} ({exc.code or exc.status}): "
                "check client_id and the secret in the profile's environment variable",
                status=exc.status, code=exc.code,
            ) from None
        body = response.json({"access_token": str, "token_type?": str, "expires_in?": float})
        if not body["access_token"]:
            raise AuthError(_("{url} answered without an access_token").format(url=self._url))
        if str(body.get("token_type") or "").upper() != "JWT":
            raise AuthError(_("{url} issued a {kind!r} token, not a JWT").format(url=self._url,
                                                                                kind=body.get("token_type")))
        lifetime = max(10.0, float(body.get("expires_in") or 3600))
        # Renew a little early, as edx-rest-api-client does (5 s), but never later than 90% of the life.
        margin = min(5.0, lifetime * 0.1)
        self._transport.add_secret(body["access_token"])
        return _Token(value=body["access_token"], expires_at=started + lifetime - margin)
