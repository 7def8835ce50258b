"""Fixtures of the SCORM tests: the fixture course and its packages, XSD validation, and a real SCORM runtime
(scorm-again in headless chromium, served from a local HTTP server). The helpers live in scorm_support.py."""

from __future__ import annotations

from typing import Callable

import pytest
from lxml import etree

from pamong_edx.course.model import Course
from scorm_support import (
    DRIVERS, SCHEMAS, VERSIONS, Built, LocalServer, Session, browser_skip_reason, build_package,
    make_fixture_course,
)


@pytest.fixture
def fixture_course() -> Course:
    return make_fixture_course()


@pytest.fixture
def make_course() -> Callable[..., Course]:
    return make_fixture_course


@pytest.fixture(scope="session")
def fixture_packages(tmp_path_factory) -> dict[str, Built]:
    """The fixture course built once per session, both versions, one SCO per sequential."""
    out = tmp_path_factory.mktemp("scorm-fixture")
    return {v: build_package(make_fixture_course(), v, out / v.replace(".", "")) for v in VERSIONS}


# ------------------------------------------------------------------------------------------------ schemas


@pytest.fixture(scope="session")
def xsd() -> Callable[[bytes, str], list[str]]:
    """Validate a manifest against the vendored ADL/IMS schemas (../shared/schemas); returns the errors."""
    if not SCHEMAS.is_dir():
        pytest.fail(f"the SCORM schemas are missing: expected them at {SCHEMAS}")
    compiled = {}
    for version, (folder, imports) in DRIVERS.items():
        body = "".join(f'<xs:import namespace="{ns}" schemaLocation="{loc}"/>' for ns, loc in imports)
        driver = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{body}</xs:schema>'
        doc = etree.fromstring(driver.encode(), etree.XMLParser(no_network=True),
                               base_url=(SCHEMAS / folder).as_uri() + "/")
        compiled[version] = etree.XMLSchema(etree.ElementTree(doc))

    def validate(xml: bytes, version: str) -> list[str]:
        schema = compiled[version]
        ok = schema.validate(etree.fromstring(xml, etree.XMLParser(no_network=True)))
        return [] if ok else [f"{e.line}: {e.message}" for e in schema.error_log]

    return validate


# ---------------------------------------------------------------------------------------- SCORM runtime

@pytest.fixture(scope="session")
def browser(request):
    reason = browser_skip_reason()
    if reason:
        pytest.skip(reason)
    return request.getfixturevalue("chromium")  # tests/conftest.py: one chromium for every browser test


@pytest.fixture(scope="session")
def server():
    srv = LocalServer()
    yield srv
    srv.close()


@pytest.fixture
def open_page(browser):
    contexts = []

    def opener(width: int = 360, height: int = 740, offline: bool = False) -> Session:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_offline(offline)
        contexts.append(context)
        page = context.new_page()
        session = Session(page)
        page.on("request", lambda r: session.requests.append(r.url))
        page.on("pageerror", lambda e: session.errors.append(f"pageerror: {e}"))
        page.on("console", lambda m: session.errors.append(f"console.{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        return session

    yield opener
    for context in contexts:
        context.close()
