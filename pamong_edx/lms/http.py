"""HTTP for LMS backends: one pooled session, TLS checks, the profile's origins, bounded reads, typed errors.

Every request goes through `Transport.request`, which
  * sends only to the profile's origins (lms/urls.py): a URL the server hands back that lies elsewhere is
    refused, so credentials never leave them; a redirect is followed only within them, and only for a GET;
  * retries as lms/retry.py says, through urllib3's Retry, and marks an error whose failure that policy covers
    as `retried`, so that no caller repeats it once more;
  * bounds the whole call: a deadline over all tries, waits and the reading of the answer (a body that never
    ends or drips a byte a second stops there), a cap on the answer's size, and on JSON nesting when it is read
    (lms/answers.py, lms/limits.py);
  * meters and paces every try, retries included, through the backend's `Traffic` (lms/traffic.py);
  * refreshes the token once on a 401.
A TLS failure (an untrusted certificate, or https:// to a plain-http port) is never retried: it will not mend.
Logs carry the method, path and status only: never headers, bodies or query strings; and every secret the
transport is told of (client secrets, tokens) is blanked out of error messages, even when a server echoes
the request back in its error page.
"""

from __future__ import annotations

import heapq
import http.cookiejar
import itertools
import json
import logging
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar, Protocol, Self
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util import Retry, parse_url

from pamong_edx.i18n import _
from pamong_edx.lms.answers import Reply
from pamong_edx.lms.errors import (
    AuthError,
    BadAnswer,
    ConfigError,
    InvalidInput,
    LmsError,
    NotFound,
    OriginError,
    PermissionDenied,
    ServerError,
    Throttled,
    Unreachable,
)
from pamong_edx.lms.limits import Limits
from pamong_edx.lms.protocol import Pacing
from pamong_edx.lms.retry import Pacer, RetryPolicy, retry_after
from pamong_edx.lms.traffic import Traffic
from pamong_edx.lms.urls import Origin, base_url, check_followed

log = logging.getLogger("pamong_edx.lms.http")
# urllib3 announces each retry it makes as a warning; the transport reports what matters in its own words.
logging.getLogger("urllib3.connectionpool").addFilter(lambda record: not record.getMessage().startswith("Retrying"))

RATE_LIMIT_TEXT = re.compile(r"forbidden-request|rate.?limit|throttl", re.IGNORECASE)
EXPECTED_IN = re.compile(r"available in (\d+(?:\.\d+)?) seconds?")
INPUT_STATUSES = {400, 406, 409, 413, 415, 422}
REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5
CHUNK = 64 * 1024

__all__ = ["HttpBackend", "Reply", "RetryPolicy", "Transport", "base_url"]


class TokenSource(Protocol):
    def header(self) -> str: ...

    def invalidate(self, header: str) -> None: ...


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    # API calls authenticate with tokens; a cookie (e.g. the session registration logs in) must never
    # turn later calls into session-authenticated ones.
    def set_ok(self, cookie, request):  # noqa: ANN001 - cookiejar's signature
        return False


class _Deadline:
    """When the request a thread is sending must have its status line and headers (monotonic seconds)."""

    def __init__(self, at: float) -> None:
        self.at = at
        self.passed = False


_SENDING = threading.local()  # the urllib3 Retry and the _Deadline of the request this thread is sending


class _Watchdog:
    """One thread for every transport, started on first use: it shuts the socket of a connection still waiting
    for its status line and headers when its request's deadline passes."""

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._due: list[tuple[float, int, list]] = []  # (when, order, [connection, deadline] or [] once done)
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, connection: object, deadline: _Deadline) -> list:
        entry = [connection, deadline]
        with self._wake:
            heapq.heappush(self._due, (deadline.at, next(self._order), entry))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="pamong-deadlines", daemon=True)
                self._thread.start()
            if self._due[0][2] is entry:  # the earliest now: the thread must wake sooner than it planned
                self._wake.notify()
        return entry

    @staticmethod
    def done(entry: list) -> None:
        entry.clear()  # dropped from the heap when its time comes

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._due and not self._due[0][2]:
                    heapq.heappop(self._due)
                if not self._due:
                    self._wake.wait()
                    continue
                when, _, entry = self._due[0]
                if time.monotonic() < when:
                    self._wake.wait(when - time.monotonic())
                    continue
                heapq.heappop(self._due)
                connection, deadline = entry if entry else (None, None)
            if connection is not None:
                deadline.passed = True
                try:
                    connection.sock.shutdown(socket.SHUT_RDWR)
                except (AttributeError, OSError):
                    pass  # already closed


_WATCHDOG = _Watchdog()


class _Watched:
    """A connection that shuts its socket when the deadline passes while it waits for the status line and the
    headers: a server that drips them a byte at a time never trips the socket's timeout, which counts silence.
    (The body is bounded by the transport's reading loop.)"""

    def getresponse(self):  # noqa: ANN201 - urllib3's response
        deadline = getattr(_SENDING, "deadline", None)
        if deadline is None:
            return super().getresponse()
        entry = _WATCHDOG.watch(self, deadline)
        try:
            return super().getresponse()
        finally:
            _WATCHDOG.done(entry)


class _WatchedHTTP(_Watched, HTTPConnection):
    pass


class _WatchedHTTPS(_Watched, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTP


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPS


class _PerRequestRetry(HTTPAdapter):
    """requests hands an adapter's one `max_retries` to urllib3 for every request; this adapter hands over the
    Retry of the request being sent (set by the sending thread), since what may be repeated, and until when,
    differs from call to call. Its connections are watched for the request's deadline."""

    @property
    def max_retries(self):  # noqa: ANN201 - a urllib3 Retry
        return getattr(_SENDING, "retry", None) or Retry(0, read=False)

    @max_retries.setter
    def max_retries(self, value: object) -> None:
        pass  # the constructor's default; every send brings its own

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        # urllib3's documented way to choose the pool (and so connection) classes of one PoolManager
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}

    def send(self, request, retry=None, deadline=None, **kwargs):  # noqa: ANN001, ANN201 - requests' signature
        _SENDING.retry, _SENDING.deadline = retry, deadline
        try:
            return super().send(request, **kwargs)
        finally:
            _SENDING.retry = _SENDING.deadline = None


class Transport:
    def __init__(
        self,
        origins: Iterable[Origin],
        *,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        ca_bundle: str | None = None,
        retry: RetryPolicy | None = None,
        limits: Limits | None = None,
        pacing: Pacing | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        user_agent: str = "pamong-edx",
        pool_size: int = 16,
    ) -> None:
        self.origins = tuple(dict.fromkeys(origins))
        self.timeout = (connect_timeout, timeout)
        self.retry = retry or RetryPolicy()
        self.limits = limits or Limits()
        self.traffic = Traffic(pacing or Pacing())
        self.sleep = sleep
        self.clock = clock
        self.rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self._secrets_lock = threading.Lock()
        self.session = requests.Session()
        self.session.cookies.set_policy(_NoCookies())
        if ca_bundle and not Path(ca_bundle).exists():
            raise ConfigError(_("ca_bundle {path} does not exist: name the PEM file (or directory) of the CA that "
                                "signed the LMS's certificate").format(path=ca_bundle))
        self.session.verify = ca_bundle if ca_bundle else True
        self._secrets: set[str] = set()
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept"] = "application/json"
        self._adapter = _PerRequestRetry(pool_connections=4, pool_maxsize=pool_size)
        self.session.mount("http://", self._adapter)
        self.session.mount("https://", self._adapter)

    def close(self) -> None:
        self.session.close()

    def add_secret(self, secret: str) -> None:
        """A value that must never appear in a message (a client secret, a token)."""
        if secret and len(secret) >= 4:  # shorter ones would blank ordinary words
            with self._secrets_lock:
                self._secrets.add(secret)

    def redact(self, text: str) -> str:
        with self._secrets_lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, "[secret]")
        return text

    # ------------------------------------------------------------------ one call

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
        changes: bool | None = None,
    ) -> Reply:
        """Send one call; return its answer if 2xx or in `ok`, else raise the typed error.

        `changes` says whether the call can change anything on the LMS (for the request count); by default
        every method but GET, HEAD and OPTIONS can."""
        accepted = set(ok)
        where = f"{method} {parse_url(url).path or '/'}"
        check_followed(url, self.origins, what=where)
        changes = method not in ("GET", "HEAD", "OPTIONS") if changes is None else changes
        deadline: float | None = None
        refreshed = False
        hops = 0
        while True:
            call_headers = dict(headers or {})
            if auth is not None:
                call_headers["Authorization"] = auth.header()
            prepared = self.session.prepare_request(requests.Request(
                method, url, params=params, json=json_body, data=data, files=files, headers=call_headers))
            self.traffic.before(method, prepared.path_url.split("?")[0], changes=changes)  # may wait for the pace
            if deadline is None:  # the client's own pacing is not the server's slowness
                deadline = self.clock() + self.limits.deadline
            pacer = self._pacer(prepared, idempotent=idempotent, changes=changes, deadline=deadline)
            reply = self._send(prepared, where, pacer)
            status = reply.status
            if status == 401 and auth is not None and not refreshed:
                auth.invalidate(call_headers["Authorization"])
                refreshed = True  # a refresh is not a retry
                continue
            if status in REDIRECTS and "Location" in reply.headers:
                url = self._redirect(method, url, reply, where, hops)
                hops += 1
                params = None  # the Location carries its own query
                continue
            if 200 <= status < 300 or status in accepted:
                return reply
            if _is_throttle(reply):
                wait = retry_after(reply.headers)
                if wait is None:
                    match = EXPECTED_IN.search(reply.text[:500])
                    wait = float(match.group(1)) if match else self.retry.throttle_default
                raise _covered(Throttled(_("{where}: throttled by the LMS ({status}); try again in {wait:.0f} s")
                                         .format(where=where, status=status, wait=wait), wait=wait, status=status),
                               pacer, status=status, has_retry_after="Retry-After" in reply.headers)
            raise _covered(error_for(reply, redact=self.redact), pacer, status=status)

    def _redirect(self, method: str, url: str, reply: Reply, where: str, hops: int) -> str:
        target = urljoin(url, reply.headers["Location"])
        check_followed(target, self.origins, what=_("{where} redirected").format(where=where))
        if method not in ("GET", "HEAD"):
            raise LmsError(_("{where}: the LMS redirects it ({status}) to {path}; check the URL in the profile")
                           .format(where=where, status=reply.status, path=parse_url(target).path),
                           status=reply.status)
        if hops >= MAX_REDIRECTS:
            raise OriginError(_("{where}: more than {n} redirects; check the URL in the profile")
                              .format(where=where, n=MAX_REDIRECTS))
        return target

    def _pacer(self, prepared: requests.PreparedRequest, *, idempotent: bool, changes: bool,
               deadline: float) -> Pacer:
        path = prepared.path_url.split("?")[0]
        return Pacer(
            self.retry, idempotent=idempotent, deadline=deadline, sleep=self.sleep, rng=self.rng,
            rng_lock=self._rng_lock, clock=self.clock,
            before_try=lambda: self.traffic.before(prepared.method or "GET", path, changes=changes),
            answered=lambda status, headers: self.traffic.after(status, retry_after(headers)),
        )

    def _send(self, prepared: requests.PreparedRequest, where: str, pacer: Pacer) -> Reply:
        deadline = pacer.deadline
        settings = self.session.merge_environment_settings(prepared.url, {}, True, self.session.verify, None)
        # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment override a session's verify,
        # which would silently drop the profile's CA bundle.
        settings["verify"] = self.session.verify
        started = self.clock()
        watchdog = _Deadline(time.monotonic() + max(0.0, deadline - started))
        try:
            response = self.session.send(prepared, retry=pacer.retry(), deadline=watchdog, allow_redirects=False,
                                         timeout=self.timeout, **settings)
        except requests.RequestException as exc:
            pacer.out_of_time |= watchdog.passed
            raise self._no_answer(exc, where, pacer) from None
        if watchdog.passed:  # the headers were cut off at the deadline: whatever arrived is not an answer
            response.close()
            raise _covered(Unreachable(_("{where}: no answer within the call's deadline of {seconds:g} s "
                                         "(limits.deadline)").format(where=where, seconds=self.limits.deadline)),
                           pacer, status=None)
        try:
            self.traffic.after(response.status_code, retry_after(response.headers))
            content = self._read(response, where, deadline)
        finally:
            response.close()
        log.debug("%s -> %d (%.0f ms)", where, response.status_code, (self.clock() - started) * 1000)
        return Reply(where=where, status=response.status_code, headers=response.headers, content=content,
                     reason=response.reason or "", max_depth=self.limits.max_json_depth,
                     cookies=response.cookies.get_dict())

    def _read(self, response: requests.Response, where: str, deadline: float) -> bytes:
        """The whole body, or an error once it passes the size limit or the deadline."""
        cap = self.limits.max_response_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise BadAnswer(_("{where}: the answer is {size:.0f} MB, more than the {limit:g} MB allowed "
                              "(limits.max_response_mb)").format(where=where, size=int(declared) / 1e6,
                                                                 limit=self.limits.max_response_mb))
        chunks: list[bytes] = []
        size = 0
        raw = response.raw
        try:
            while True:
                if self.clock() > deadline:
                    raise Unreachable(_("{where}: the answer was still arriving when the call's deadline of "
                                        "{seconds:g} s passed (limits.deadline)")
                                      .format(where=where, seconds=self.limits.deadline))
                chunk = raw.read1(CHUNK, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > cap:
                    raise BadAnswer(_("{where}: the answer goes on past the {limit:g} MB allowed "
                                      "(limits.max_response_mb)").format(where=where,
                                                                         limit=self.limits.max_response_mb))
                chunks.append(chunk)
        except (ProtocolError, ReadTimeoutError, DecodeError, OSError) as exc:
            what = _("timed out") if isinstance(exc, ReadTimeoutError) else _("connection broken")
            raise Unreachable(_("{where}: {what} while reading the answer").format(where=where, what=what)) from None
        raw.release_conn()
        return b"".join(chunks)

    def _no_answer(self, exc: requests.RequestException, where: str, pacer: Pacer) -> LmsError:
        origin = ""
        if exc.request is not None and exc.request.url:
            parsed = parse_url(exc.request.url)
            origin = f"{parsed.scheme}://{parsed.netloc}"
        method, path = where.split(" ", 1)
        shown = f"{method} {origin}{path}"
        if isinstance(exc, requests.exceptions.SSLError):
            error = Unreachable(_("{where}: TLS failed ({reason}); if the LMS uses a private CA, name its "
                                  "certificate in the profile's ca_bundle").format(where=shown,
                                                                                   reason=_tls_reason(exc)),
                                maybe_applied=False)
            error.retried = True  # the policy never repeats it: it will not mend
            return error
        if isinstance(exc, requests.exceptions.InvalidURL):
            return ConfigError(_("{where}: not a valid URL").format(where=shown))
        sent = not _never_sent(exc)
        what = _("timed out") if _timed_out(exc) else _connection_failure(exc)
        log.debug("%s -> %s", where, what)
        if pacer.out_of_time:
            what = _("no answer within the call's deadline of {seconds:g} s (limits.deadline)").format(
                seconds=self.limits.deadline)
        hint = "" if pacer.idempotent or not sent else _("; it may have taken effect: check before repeating it")
        return _covered(Unreachable(f"{shown}: {what}{hint}", maybe_applied=sent), pacer, status=None, sent=sent)


class HttpBackend:
    """What every LMS backend over HTTP shares: one pooled Transport built from the profile's connection
    settings (timeouts, CA bundle, retry policy, limits) and the backend's pacing, a User-Agent naming the
    plugin, the traffic meter every request passes, and closing on exit."""

    component: ClassVar[str]
    version: ClassVar[str]

    def __init__(
        self,
        origins: Iterable[Origin],
        *,
        pacing: Pacing,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        ca_bundle: str | None = None,
        retry: RetryPolicy | None = None,
        limits: Limits | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.pacing = pacing
        self.http = Transport(origins, timeout=timeout, connect_timeout=connect_timeout, ca_bundle=ca_bundle,
                              retry=retry, limits=limits, pacing=pacing, sleep=sleep, rng=rng,
                              user_agent=f"pamong-edx {self.component}/{self.version}")

    @property
    def traffic(self) -> Traffic:
        return self.http.traffic

    @property
    def retry_policy(self) -> RetryPolicy:
        return self.http.retry

    @property
    def limits(self) -> Limits:
        return self.http.limits

    @staticmethod
    def connection_options(profile) -> dict[str, Any]:  # noqa: ANN001 - a lms.profiles.Profile
        """The constructor arguments every backend takes from a profile alike."""
        return {"timeout": profile.timeout, "ca_bundle": profile.ca_bundle, "insecure": profile.insecure,
                "limits": profile.limits}

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _covered(error: LmsError, pacer: Pacer, *, status: int | None, sent: bool = True,
             has_retry_after: bool = False) -> LmsError:
    """The error, marked `retried` when the retry policy covers how the call failed, with the tries made."""
    error.retried = pacer.policy.repeats(idempotent=pacer.idempotent, status=status, sent=sent,
                                         has_retry_after=has_retry_after)
    error.tries = pacer.tries
    return error


def _connection_failure(exc: requests.RequestException) -> str:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(reason, NameResolutionError):
        return _("connection failed (the host name does not resolve: check the URL in the profile)")
    if isinstance(reason, NewConnectionError) and "refused" in str(reason).lower():
        return _("connection failed (refused: nothing listens on that port; check the URL and port in the profile)")
    return _("connection failed")


def _tls_reason(exc: requests.RequestException) -> str:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return _("the server's certificate is not trusted")
    if "WRONG_VERSION_NUMBER" in text:
        return _("the server does not speak TLS on that port: is it http://?")
    if "hostname" in text.lower() and "match" in text.lower():
        return _("the certificate is for another host name")
    return _("handshake failed")


def _reason(exc: requests.RequestException) -> object:
    return getattr(exc.args[0], "reason", exc.args[0]) if exc.args else None


def _timed_out(exc: requests.RequestException) -> bool:
    reason = _reason(exc)
    if isinstance(reason, NewConnectionError):  # urllib3 files a refused connection under connect timeouts
        return False
    return isinstance(exc, requests.Timeout) or isinstance(reason, (ReadTimeoutError, ConnectTimeoutError))


def _never_sent(exc: requests.RequestException) -> bool:
    if isinstance(exc, requests.ConnectTimeout):
        return True
    return isinstance(_reason(exc), (NewConnectionError, ConnectTimeoutError))


def _is_throttle(reply: Reply) -> bool:
    status = reply.status
    if status == 429:
        return True
    if status == 503:
        return "Retry-After" in reply.headers
    if status == 403:
        return bool(RATE_LIMIT_TEXT.search(reply.text[:2000]))
    return False


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


def error_for(reply: Reply, *, redact: Callable[[str], str] = str) -> LmsError:
    """The typed error for a failed answer; `redact` blanks secrets a server may echo back in its error."""
    status = reply.status
    body = reply.json_or_none()
    code = body.get("error_code", "") if isinstance(body, dict) else ""
    if isinstance(body, dict) and not code and isinstance(body.get("error"), str):
        code = body["error"]  # OAuth (RFC 6749) errors
    code = code if isinstance(code, str) else ""
    text = summarize(body) or reply.reason
    message = redact(" ".join(f"{reply.where}: {status} {text}".split()))
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
