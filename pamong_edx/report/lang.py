"""The dashboard's language: Bahasa Indonesia by default, whatever language the command line speaks.

The dashboard's texts are English msgids, exactly like every other string of the toolkit (`_()` in the
template, `N_()` in columns.py), looked up in the project's catalogue for the dashboard's language first and
then in the report's own catalogue (pamong_edx/report/locale/<lang>/LC_MESSAGES/pamong_edx_report.po,
compiled to .mo), which carries the Indonesian for every dashboard string today. Numbers follow the
language's conventions (Indonesian: 1.234 and 45,6).
"""

from __future__ import annotations

import gettext
from pathlib import Path

from pamong_edx.i18n import DOMAIN, LOCALE_DIR

REPORT_DOMAIN = "pamong_edx_report"
REPORT_LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "id"
LANGUAGES = ("id", "en")


def translator(language: str = DEFAULT) -> gettext.NullTranslations:
    project = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
    own = gettext.translation(REPORT_DOMAIN, REPORT_LOCALE_DIR, languages=[language], fallback=True)
    if project is not own:
        project.add_fallback(own)
    return project


class Numbers:
    """Numbers as the language writes them."""

    def __init__(self, language: str) -> None:
        self.thousands, self.decimal = (".", ",") if language == "id" else (",", ".")

    def _swap(self, text: str) -> str:
        return text.replace(",", "\0").replace(".", self.decimal).replace("\0", self.thousands)

    def count(self, value: float | int | None) -> str:
        return "–" if value is None else self._swap(f"{round(value):,}")

    def signed(self, value: float | int | None) -> str:
        return "–" if value is None else ("+" if value > 0 else "") + self.count(value)

    def percent(self, fraction: float | None) -> str:
        return "–" if fraction is None else self._swap(f"{fraction * 100:.1f}") + "%"

    def score(self, fraction: float | None) -> str:
        """A score 0..1 out of 100."""
        return "–" if fraction is None else self._swap(f"{fraction * 100:.1f}")

    def points(self, fraction: float | None) -> str:
        if fraction is None:
            return "–"
        return ("+" if fraction > 0 else "") + self._swap(f"{fraction * 100:.1f}")
