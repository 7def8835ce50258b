"""LMS addresses: parsed once, with the parser that sends the request, and held to the profile's origin.

A profile names one origin per service (Open edX: the LMS and Studio; Moodle: the site). The transport sends
credentials only there, and every URL a server hands back (a pagination `next`, a task's artifact link, a
redirect) must have the same scheme, host and port, or it is refused. URLs are read with urllib3's
`parse_url`, the very function requests uses to send them: a second parser that disagrees is how
`http://0.0.0.0:PORT\\@127.0.0.1:PORT` once passed a loopback check while the request went elsewhere. Forms that
parsers read differently are refused outright: a user name or password in the URL, a backslash, white space
or control characters, a scheme other than http(s).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from urllib3.exceptions import LocationParseError
from urllib3.util import Url, parse_url

from pamong_edx.i18n import _
from pamong_edx.lms.errors import ConfigError, InsecureURL, OriginError

DEFAULT_PORTS = {"http": 80, "https": 443}
AMBIGUOUS = re.compile(r"[\\\s\x00-\x1f\x7f]")
USERINFO = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)([^/?#@]*)@")


@dataclass(frozen=True)
class Origin:
    """scheme://host:port, the unit credentials are bound to."""

    scheme: str
    host: str  # lower case; an IPv6 address in brackets, as urllib3 gives it
    port: int

    def __str__(self) -> str:
        default = DEFAULT_PORTS[self.scheme] == self.port
        return f"{self.scheme}://{self.host}" if default else f"{self.scheme}://{self.host}:{self.port}"

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def blank_password(url: str) -> str:
    """The URL as it may be shown: a password in it replaced by `***` (a user name alone is kept)."""
    match = USERINFO.match(url)
    if not match or ":" not in match.group(2):
        return url
    user = match.group(2).split(":", 1)[0]
    return f"{match.group(1)}{user}:***@{url[match.end():]}"


def _parse(url: str) -> Url:
    if AMBIGUOUS.search(url):
        raise ValueError(_("it holds a backslash, a space or a control character"))
    try:
        parsed = parse_url(url)
    except LocationParseError as exc:
        raise ValueError(str(exc)) from None
    if parsed.auth is not None or "@" in (parsed.netloc or ""):
        raise ValueError(_("it holds a user name or password; put credentials in the profile, not in the URL"))
    if parsed.scheme not in DEFAULT_PORTS or not parsed.host:
        raise ValueError(_("it is not an http:// or https:// URL with a host"))
    return parsed


def origin_of(parsed: Url) -> Origin:
    return Origin(parsed.scheme, parsed.host.lower(), parsed.port or DEFAULT_PORTS[parsed.scheme])


def base_url(url: str, *, insecure: bool, what: str) -> tuple[str, Origin]:
    """A profile's service URL, checked: (the URL to build request URLs on, without a trailing slash, its origin).

    Plain http:// is allowed only to this machine unless `insecure`."""
    shown = blank_password(url)
    try:
        parsed = _parse(url)
    except ValueError as exc:
        raise ConfigError(_("{what} '{url}' is not a valid URL ({reason})").format(what=what, url=shown, reason=exc)) \
            from None
    if parsed.query or parsed.fragment:
        raise ConfigError(_("{what} '{url}' is not a valid URL (it holds a query or fragment; give the site's "
                            "address only)").format(what=what, url=shown))
    origin = origin_of(parsed)
    if origin.scheme == "http" and not insecure and not origin.loopback:
        raise InsecureURL(_(
            "{what} {url} is plain http:// to {host}: the client secret and tokens would travel unencrypted; use "
            "https://, or for a closed test network set insecure = true in the profile (--insecure)"
        ).format(what=what, url=shown, host=origin.host))
    path = (parsed.path or "").rstrip("/")
    return f"{origin}{path}", origin


def check_followed(url: str, allowed: tuple[Origin, ...], *, what: str) -> str:
    """A URL about to be requested: it must parse cleanly and lie on one of the profile's origins."""
    try:
        parsed = _parse(url)
    except ValueError as exc:
        raise OriginError(_("{what}: refused the URL '{url}' ({reason})")
                          .format(what=what, url=blank_password(url)[:200], reason=exc)) from None
    origin = origin_of(parsed)
    if origin not in allowed:
        raise OriginError(_(
            "{what}: the LMS pointed to {origin}, which is not the profile's {allowed}; refused, and no credentials "
            "were sent there (a misconfigured or compromised server, or a proxy rewriting links)"
        ).format(what=what, origin=origin, allowed=" or ".join(dict.fromkeys(str(o) for o in allowed))))
    return url
