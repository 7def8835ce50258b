"""Limits on what one course source may cost to read: bytes per YAML file and per Markdown text, seconds to
parse or render one. Course sources may come from outside authors; a source past a limit is refused with E117 at its
place, before it can hold the machine (50 MB of `[` kept markdown-it busy for minutes; 50 MB of prose took
gigabytes). docs/security.md lists the limits.

The defaults leave room for any real course (the bundled ones are far below them). A team that needs more
raises a limit for one run through the environment, never from the course itself:

    PAMONG_MAX_YAML_SIZE=20MB PAMONG_MAX_MARKDOWN_SIZE=4MB PAMONG_MAX_SOURCE_SECONDS=30 pamong build ...
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from dataclasses import dataclass
from typing import Iterator, Mapping

from pamong_edx.i18n import _
from pamong_edx.units import format_size, parse_size

# Texts shorter than this render in well under a second whatever they hold, so no timer is set for them.
TIMED_FROM = 64_000


class TimeLimitReached(Exception):
    pass


@dataclass(frozen=True)
class Limits:
    yaml_size: int = 10_000_000  # bytes of one course.yaml or chapter file
    markdown_size: int = 2_000_000  # bytes of one Markdown file or Markdown value (also transcripts)
    source_seconds: float = 10.0  # seconds to parse one YAML file or render one Markdown text

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> "Limits":
        """The defaults, with PAMONG_MAX_YAML_SIZE, PAMONG_MAX_MARKDOWN_SIZE and PAMONG_MAX_SOURCE_SECONDS
        applied; a value that cannot be read is ignored (the default is the safe side)."""
        env = os.environ if env is None else env
        default = cls()
        yaml_size = parse_size(env.get("PAMONG_MAX_YAML_SIZE", "")) or default.yaml_size
        markdown_size = parse_size(env.get("PAMONG_MAX_MARKDOWN_SIZE", "")) or default.markdown_size
        try:
            seconds = float(env.get("PAMONG_MAX_SOURCE_SECONDS", "")) or default.source_seconds
        except ValueError:
            seconds = default.source_seconds
        return cls(yaml_size, markdown_size, seconds if seconds > 0 else default.source_seconds)



def too_large(size: int, limit: int, what: str, variable: str) -> str:
    """The E117 message for a source of `size` bytes over `limit`."""
    return _("{what} is {size}, over the {limit} a course source may be; split it, or raise the limit for this "
             "run with {variable}=<size> (docs/security.md)").format(
        what=what, size=format_size(size), limit=format_size(limit), variable=variable)


def too_slow(seconds: float, what: str) -> str:
    """The E117 message for a source that took longer than `seconds` to read."""
    return _("{what} took over {seconds:g} s to read, the time a course source may take; simplify it, or raise "
             "the limit for this run with PAMONG_MAX_SOURCE_SECONDS=<seconds> (docs/security.md)").format(
        what=what, seconds=seconds)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeLimitReached in the body after `seconds` of wall time. It needs the main thread (a signal
    timer); elsewhere the size limits alone bound the work."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise TimeLimitReached()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
