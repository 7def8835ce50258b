"""Fixtures of the preview tests: `pamong preview` started on a copy of tests/fixtures/courses/preview, and a tab of
the session's headless chromium (tests/conftest.py) whose every request is checked to stay on 127.0.0.1."""

from __future__ import annotations

import shutil
from urllib.parse import urlparse

import pytest

from preview_support import FIXTURE, start_preview

LOCAL = {"127.0.0.1"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    course = tmp_path_factory.mktemp("preview") / "course"
    shutil.copytree(FIXTURE, course)
    running = start_preview(course)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def guarded(chromium):
    """A browser context (one tab) whose every request is recorded; one for any host but 127.0.0.1 is refused
    and listed in `left`, which the module's last test finds empty."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    left: list[str] = []
    errors: list[str] = []

    def guard(route):
        url = urlparse(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL:
            left.append(route.request.url)
            return route.abort()
        return route.continue_()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page, left, errors
    context.close()
