"""The enrolment results file and summary in the user's language: headers and statuses are shown translated;
the statuses' own words stay the keys of the counts (journal, JSON)."""

import csv
from types import SimpleNamespace

import pytest

from pamong_edx import i18n
from pamong_edx.enrol.outcomes import Status
from pamong_edx.enrol.results import STATUS_LABELS, summary_line, write_results


def item(row, status, message=""):
    return SimpleNamespace(row=row, email=f"o{row}@desa.id", course="course-v1:PamongX+TKD101+2026_T1",
                           cohort="18.71 Kota Bandar Lampung", outcome=status, action=None, message=message)


@pytest.fixture
def language():
    previous = i18n.language()
    yield i18n.set_language
    i18n.set_language(previous)


@pytest.mark.parametrize("tag, header, statuses, summary", [
    ("en", ["row", "email", "course", "cohort", "status", "message"], ["enrolled", "pre-enrolled", "failed"],
     "enrolled 1 · pre-enrolled 1 · failed 1"),
    ("id", ["baris", "email", "kursus", "kelompok", "status", "keterangan"], ["terdaftar", "menunggu akun", "gagal"],
     "terdaftar 1 · menunggu akun 1 · gagal 1"),
])
def test_results_and_summary_speak_the_language(tmp_path, language, tag, header, statuses, summary):
    language(tag)
    out = tmp_path / "hasil.csv"
    counts = write_results([item(2, "enrolled"), item(3, "pre-enrolled"), item(4, "failed", "HTTP 500")], out)
    assert counts == {"enrolled": 1, "pre-enrolled": 1, "failed": 1}
    with out.open(encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    assert lines[0] == header and [line[4] for line in lines[1:]] == statuses
    assert summary_line(counts) == summary


def test_every_status_has_a_label():
    assert set(STATUS_LABELS) == set(Status)
