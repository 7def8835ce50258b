"""Access tokens as the LMS issues them: signed JWTs (HS256) and opaque DOT Bearer tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time


class TokenInvalid(Exception):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_jwt(claims: dict, key: str) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(key.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def decode_jwt(token: str, key: str, now: float | None = None) -> dict:
    """The claims of a valid, unexpired token; TokenInvalid with JwtAuthentication's wording otherwise."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenInvalid("Error decoding token.")
    try:
        signature = _unb64(parts[2])
        claims = json.loads(_unb64(parts[1]))
    except (ValueError, UnicodeDecodeError):
        raise TokenInvalid("Error decoding token.") from None
    expected = hmac.new(key.encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        raise TokenInvalid("Invalid token.")
    if not isinstance(claims, dict) or claims.get("exp", 0) <= (time.time() if now is None else now):
        raise TokenInvalid("Signature has expired.")
    return claims
