"""The dashboard speaks Indonesian by default through the catalogue: every msgid it shows is translated, and the
compiled catalogue matches its source."""

from __future__ import annotations

import gettext
import shutil
import subprocess

import pytest

from messages import REPORT, dashboard_msgids
from pamong_edx.report.lang import REPORT_DOMAIN, REPORT_LOCALE_DIR, Numbers, translator

CATALOGUE = REPORT_LOCALE_DIR / "id" / "LC_MESSAGES"


def test_every_dashboard_string_has_an_indonesian_translation():
    t = translator("id")
    untranslated = sorted(m for m in dashboard_msgids() | {"Region unknown", "Indonesia", "Position unknown"}
                          if t.gettext(m) == m and m not in {"Email", "Indonesia"})
    assert not untranslated


def test_english_is_there_on_request():
    assert translator("en").gettext("Not started yet") == "Not started yet"
    assert translator("id").gettext("Not started yet") == "Belum mulai"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (gettext) is not installed")
def test_the_compiled_catalogue_matches_its_source(tmp_path):
    out = tmp_path / "check.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(out), str(CATALOGUE / f"{REPORT_DOMAIN}.po")], check=True,
                   capture_output=True)
    with out.open("rb") as fresh, (CATALOGUE / f"{REPORT_DOMAIN}.mo").open("rb") as shipped:
        assert gettext.GNUTranslations(fresh)._catalog == gettext.GNUTranslations(shipped)._catalog  # noqa: SLF001


def test_numbers_are_written_the_indonesian_way():
    n = Numbers("id")
    assert (n.count(1234567), n.percent(0.4567), n.score(0.725), n.points(-0.054), n.signed(12)) == \
        ("1.234.567", "45,7%", "72,5", "-5,4", "+12")
    assert Numbers("en").count(1234567) == "1,234,567"


def test_the_template_is_in_the_package():
    assert (REPORT / "templates" / "report.html.j2").is_file()
