"""OAuth2 client credentials for Open edX: ask for a JWT, send `Authorization: JWT <token>`.

A JWT sent as `Bearer` is looked up as an opaque token and refused (401), and some Studio endpoints take
only JWT, so the kind is fixed here. The token is refreshed shortly before `expires_in` runs out, and
again whenever the server answers 401 (it may have been revoked or its signing key rotated).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pamong_edx.lms.errors import AuthError
from pamong_edx.lms.http import Transport, response_json

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
        try:
            payload = token.split(".")[1]
            return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (IndexError, ValueError):
            raise AuthError("the LMS returned an access token that is not a JWT; is this an Open edX LMS?") from None

    def _fetch(self) -> _Token:
        started = self._clock()
        try:
            response = self._transport.request(
                "POST",
                self._url,
                idempotent=True,  # asking for a token twice does no harm
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
        body = response_json(response)
        if not isinstance(body, dict) or not body.get("access_token"):
            raise AuthError(f"{self._url} answered without an access_token")
        if str(body.get("token_type", "")).upper() != "JWT":
            raise AuthError(f"{self._url} issued a {body.get('token_type')!r} token, not a JWT")
        lifetime = float(body.get("expires_in") or 3600)
        # Renew a little early, as edx-rest-api-client does (5 s), but never later than 90% of the life.
        margin = min(5.0, lifetime * 0.1)
        self._transport.add_secret(body["access_token"])
        return _Token(value=body["access_token"], expires_at=started + lifetime - margin)
