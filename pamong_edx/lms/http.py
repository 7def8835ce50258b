"""HTTP for LMS backends: one pooled session, TLS checks, timeouts, safe retries, typed errors.

A request is retried only when repeating it cannot do harm:
  * the connection was never made (nothing reached the server): always;
  * 429, 403 with rate-limit text, 503 with Retry-After (the server refused before doing anything): always,
    waiting Retry-After when given, else exponential backoff with jitter;
  * a timeout, a reset, or another 5xx (the server may have acted): only for idempotent calls.
A TLS failure (an untrusted certificate, or https:// to a plain-http port) is never retried: it will not mend.
A 401 invalidates the token and is retried once with a fresh one.
Logs carry the method, path and status only: never headers, bodies or query strings; and every secret the
transport is told of (client secrets, tokens) is blanked out of error messages, even when a server echoes
the request back in its error page.
"""

from __future__ import annotations

import http.cookiejar
import ipaddress
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol, Self
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from pamong_edx.lms.errors import (
    AuthError,
    ConfigError,
    InsecureURL,
    InvalidInput,
    LmsError,
    NotFound,
    PermissionDenied,
    ServerError,
    Throttled,
    Unreachable,
)

log = logging.getLogger("pamong_edx.lms.http")

RATE_LIMIT_TEXT = re.compile(r"forbidden-request|rate.?limit|throttl", re.IGNORECASE)
EXPECTED_IN = re.compile(r"available in (\d+(?:\.\d+)?) seconds?")
INPUT_STATUSES = {400, 406, 409, 413, 415, 422}


class TokenSource(Protocol):
    def header(self) -> str: ...

    def invalidate(self, header: str) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries in all, the first included
    base_delay: float = 0.5  # seconds before the first retry; doubles each time
    max_delay: float = 30.0
    max_wait: float = 120.0  # the longest Retry-After we sleep; a longer one raises Throttled at once
    throttle_default: float = 60.0  # wait assumed when a throttle answer gives no figure

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Exponential backoff with jitter: half fixed, half random, so clients spread out."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, *, insecure: bool, what: str) -> str:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError as exc:
        raise ConfigError(f"{what} '{url}' is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{what} '{url}' is not an http(s) URL")
    if parts.scheme == "http" and not insecure and not is_loopback(parts.hostname):
        raise InsecureURL(
            f"{what} {url} is plain http:// to {parts.hostname}: the client secret and tokens would travel "
            "unencrypted; use https://, or for a closed test network set insecure = true in the profile (--insecure)"
        )
    return url.rstrip("/")


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    # API calls authenticate with tokens; a cookie (e.g. the session registration logs in) must never
    # turn later calls into session-authenticated ones.
    def set_ok(self, cookie, request):  # noqa: ANN001 - cookiejar's signature
        return False


class Transport:
    def __init__(
        self,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        ca_bundle: str | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        user_agent: str = "pamong-edx",
        pool_size: int = 16,
    ) -> None:
        self.timeout = (connect_timeout, timeout)
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.rng = rng or random.Random()
        self._rng_lock = threading.Lock()  # also guards _secrets
        self.session = requests.Session()
        self.session.cookies.set_policy(_NoCookies())
        if ca_bundle and not Path(ca_bundle).exists():
            raise ConfigError(f"ca_bundle {ca_bundle} does not exist: name the PEM file (or directory) of the CA "
                              "that signed the LMS's certificate")
        self.session.verify = ca_bundle if ca_bundle else True
        # Passed again with every request: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment
        # override a session's verify, which would silently drop the profile's CA bundle.
        self._verify = self.session.verify
        self._secrets: set[str] = set()
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept"] = "application/json"
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    def add_secret(self, secret: str) -> None:
        """A value that must never appear in a message (a client secret, a token)."""
        if secret and len(secret) >= 4:  # shorter ones would blank ordinary words
            with self._rng_lock:
                self._secrets.add(secret)

    def redact(self, text: str) -> str:
        with self._rng_lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, "[secret]")
        return text

    def _backoff(self, attempt: int) -> float:
        with self._rng_lock:
            return self.retry.backoff(attempt, self.rng)

    def request(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool,
        auth: TokenSource | None = None,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        data: Any = None,
        files: Any = None,
        headers: dict[str, str] | None = None,
        ok: Iterable[int] = (),
    ) -> requests.Response:
        """Send one call with the retry rules above; return the response if 2xx or in `ok`, else raise."""
        accepted = set(ok)
        path = urlsplit(url).path
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            call_headers = dict(headers or {})
            if auth is not None:
                call_headers["Authorization"] = auth.header()
            started = time.monotonic()
            try:
                response = self.session.request(
                    method, url, params=params, json=json_body, data=data, files=files,
                    headers=call_headers, timeout=self.timeout, allow_redirects=False, verify=self._verify,
                )
            except requests.RequestException as exc:
                if isinstance(exc, requests.exceptions.SSLError):
                    raise Unreachable(f"{method} {_origin(url)}{path}: TLS failed ({_tls_reason(exc)}); if the LMS "
                                      "uses a private CA, name its certificate in the profile's ca_bundle",
                                      maybe_applied=False) from None
                if isinstance(exc, requests.exceptions.InvalidURL):
                    raise ConfigError(f"{method} {_origin(url)}{path}: not a valid URL") from None
                sent = not _never_sent(exc)
                what = "timed out" if isinstance(exc, requests.Timeout) else _connection_failure(exc)
                log.debug("%s %s -> %s (attempt %d)", method, path, what, attempt)
                if (idempotent or not sent) and attempt < self.retry.attempts:
                    self.sleep(self._backoff(attempt))
                    continue
                hint = "" if idempotent or not sent else "; it may have taken effect: check before repeating it"
                raise Unreachable(f"{method} {_origin(url)}{path}: {what}{hint}", maybe_applied=sent) from None
            status = response.status_code
            log.debug("%s %s -> %d (%.0f ms)", method, path, status, (time.monotonic() - started) * 1000)
            if status == 401 and auth is not None and not refreshed:
                auth.invalidate(call_headers["Authorization"])
                refreshed = True
                attempt -= 1  # a refresh is not a retry
                continue
            if _is_throttle(response):
                wait = _retry_after(response)
                if wait is None:
                    wait = self.retry.throttle_default if status != 503 else self._backoff(attempt)
                if wait > self.retry.max_wait or attempt >= self.retry.attempts:
                    raise Throttled(
                        f"{method} {path}: throttled by the LMS ({status}); try again in {wait:.0f} s",
                        wait=wait, status=status,
                    )
                self.sleep(wait)
                continue
            if 200 <= status < 300 or status in accepted:
                return response
            if status >= 500 and idempotent and attempt < self.retry.attempts:
                self.sleep(self._backoff(attempt))
                continue
            raise error_for(response, method, redact=self.redact)


class HttpBackend:
    """What every LMS backend over HTTP shares: one pooled Transport built from the profile's connection
    settings (timeouts, CA bundle, retry policy), a User-Agent naming the plugin, and closing on exit."""

    component: ClassVar[str]
    version: ClassVar[str]

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        ca_bundle: str | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.http = Transport(timeout=timeout, connect_timeout=connect_timeout, ca_bundle=ca_bundle, retry=retry,
                              sleep=sleep, rng=rng, user_agent=f"pamong-edx {self.component}/{self.version}")

    @staticmethod
    def connection_options(profile) -> dict[str, Any]:  # noqa: ANN001 - a lms.profiles.Profile
        """The constructor arguments every backend takes from a profile alike."""
        return {"timeout": profile.timeout, "ca_bundle": profile.ca_bundle, "insecure": profile.insecure}

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _connection_failure(exc: requests.RequestException) -> str:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(reason, NameResolutionError):
        return "connection failed (the host name does not resolve: check the URL in the profile)"
    if isinstance(reason, NewConnectionError) and "refused" in str(reason).lower():
        return "connection failed (refused: nothing listens on that port; check the URL and port in the profile)"
    return "connection failed"


def _tls_reason(exc: requests.RequestException) -> str:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return "the server's certificate is not trusted"
    if "WRONG_VERSION_NUMBER" in text:
        return "the server does not speak TLS on that port: is it http://?"
    if "hostname" in text.lower() and "match" in text.lower():
        return "the certificate is for another host name"
    return "handshake failed"


def _never_sent(exc: requests.RequestException) -> bool:
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is not None:
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:  # the other form RFC 9110 allows: an HTTP date
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, when.timestamp() - time.time())
    match = EXPECTED_IN.search(response.text[:500]) if response.status_code == 429 else None
    return float(match.group(1)) if match else None


def _is_throttle(response: requests.Response) -> bool:
    status = response.status_code
    if status == 429:
        return True
    if status == 503:
        return "Retry-After" in response.headers
    if status == 403:
        return bool(RATE_LIMIT_TEXT.search(response.text[:2000]))
    return False


def response_json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def summarize(body: Any, limit: int = 300) -> str:
    """The human part of the platform's error body, whatever its shape."""
    if isinstance(body, dict):
        for key in ("developer_message", "detail", "message", "user_message", "error_description", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:limit]
        parts = []
        for key, value in body.items():
            if key in ("error_code", "username_suggestions"):
                continue
            parts.append(f"{key}: {_flatten(value)}")
        return "; ".join(parts)[:limit]
    if isinstance(body, list):
        return "; ".join(_flatten(v) for v in body)[:limit]
    return ""


def _flatten(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_flatten(v) for v in value)
    if isinstance(value, dict):
        for key in ("user_message", "developer_message", "message"):
            if key in value:
                return str(value[key])
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def field_errors(body: Any) -> dict[str, str]:
    if not isinstance(body, dict):
        return {}
    source = body.get("field_errors") if isinstance(body.get("field_errors"), dict) else body
    return {
        k: _flatten(v)
        for k, v in source.items()
        if k not in ("error_code", "developer_message", "detail", "message", "username_suggestions")
    }


def error_for(response: requests.Response, method: str, *, redact: Callable[[str], str] = str) -> LmsError:
    """The typed error for a failed answer; `redact` blanks secrets a server may echo back in its error."""
    status = response.status_code
    body = response_json(response)
    code = body.get("error_code", "") if isinstance(body, dict) else ""
    if isinstance(body, dict) and not code and isinstance(body.get("error"), str):
        code = body["error"]  # OAuth (RFC 6749) errors
    text = summarize(body) or (response.reason or "")
    where = f"{method} {urlsplit(response.url).path}"
    message = redact(f"{where}: {status} {text}".rstrip())
    if status == 401:
        return AuthError(message, status=status, code=code)
    if status == 403:
        return PermissionDenied(message, status=status, code=code)
    if status == 404:
        return NotFound(message, status=status, code=code)
    if status in INPUT_STATUSES:
        errors = {k: redact(v) for k, v in field_errors(body).items()}
        return InvalidInput(message, errors=errors, status=status, code=code)
    if status >= 500:
        return ServerError(message, status=status, code=code, maybe_applied=True)
    return LmsError(message, status=status, code=code)
