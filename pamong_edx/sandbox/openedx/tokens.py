"""JWT access tokens as the LMS issues them (HS256, signed with the stand-in's key), through PyJWT."""

from __future__ import annotations

import jwt

AUDIENCE = "openedx"  # JWT_AUTH['JWT_AUDIENCE'] of a default install


class TokenInvalid(Exception):
    pass


def encode_jwt(claims: dict, key: str) -> str:
    return jwt.encode(claims, key, algorithm="HS256")


def decode_jwt(token: str, key: str) -> dict:
    """The claims of a valid, unexpired token; TokenInvalid with JwtAuthentication's wording otherwise."""
    try:
        return jwt.decode(token, key, algorithms=["HS256"], audience=AUDIENCE, options={"require": ["exp"]})
    except jwt.ExpiredSignatureError:
        raise TokenInvalid("Signature has expired.") from None
    except jwt.InvalidSignatureError:  # a DecodeError too: caught first
        raise TokenInvalid("Invalid token.") from None
    except jwt.DecodeError:
        raise TokenInvalid("Error decoding token.") from None
    except jwt.InvalidTokenError:
        raise TokenInvalid("Invalid token.") from None
